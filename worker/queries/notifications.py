"""The export, read-only: every notification streamed for reporting tools and data
warehouses (``inboxgap export``). Lookups with events (``status``, the support API) are
:meth:`worker.queries.support.SupportQueries.lookup`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, Engine, select

from worker.adapters.database import events, notifications
from worker.queries.support import NotificationRecord
from worker.queries.support_sql import notification_record

DEFAULT_LIMIT = 100
EXPORT_PAGE = 1000

#: Field order of an exported notification (CSV columns, JSON keys).
EXPORT_FIELDS = (
    "notification_id",
    "message_id",
    "recipient",
    "notification_type",
    "sent_at",
    "status",
    "reason",
    "status_at",
)


_N = notifications.c
_E = events.c
_COLUMNS = (
    _N.id,
    _N.notification_id,
    _N.ses_message_id,
    _N.recipient,
    _N.notification_type,
    _N.sent_at,
    _N.status,
    _N.reason,
    _N.status_at,
)


def _read(engine: Engine) -> Connection:
    # SQLite: a deferred BEGIN, so a long read never holds the write lock.
    return engine.connect().execution_options(readonly=True)


def iter_notifications(
    engine: Engine, *, since: str | None = None, page_size: int = EXPORT_PAGE
) -> Iterator[NotificationRecord]:
    """Every notification (sent at or after ``since``, ISO-8601 UTC text), streamed in
    primary-key order by keyset pages: constant memory, no long-held transaction."""
    after = 0
    while True:
        query = select(*_COLUMNS).where(_N.id > after).order_by(_N.id).limit(page_size)
        if since is not None:
            query = query.where(_N.sent_at >= since)
        with _read(engine) as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield notification_record(row)
        after = rows[-1].id
        if len(rows) < page_size:
            return
