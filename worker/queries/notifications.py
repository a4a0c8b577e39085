"""Notifications and their events, read-only: the ``status`` and ``export`` commands
(and the support API) use these.

``status --json`` is an exact interface: :meth:`NotificationRecord.as_json` gives its
objects. Lookups return newest first (``sent_at`` descending, then primary key); each
notification's events are in timeline order (SES time, then identity).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, select

from worker.adapters.database import events, notifications
from worker.domain.addresses import normalise_address

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


@dataclass(frozen=True, slots=True)
class EventRecord:
    event_type: str
    occurred_at: str
    status: str | None
    reason: str | None
    smtp_status: str | None
    diagnostic: str | None
    provider: str | None
    help_url: str | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "event_type": self.event_type,
            "occurred_at": self.occurred_at,
            "status": self.status,
            "reason": self.reason,
            "smtp_status": self.smtp_status,
            "diagnostic": self.diagnostic,
            "provider": self.provider,
            "help_url": self.help_url,
        }


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    notification_id: str
    message_id: str
    #: Normalised address; None once purged.
    recipient: str | None
    notification_type: str
    sent_at: str
    status: str
    reason: str
    status_at: str
    events: tuple[EventRecord, ...] = ()

    def summary_json(self) -> dict[str, str | None]:
        """The export object: every field but ``events``."""
        return {
            "notification_id": self.notification_id,
            "message_id": self.message_id,
            "recipient": self.recipient,
            "notification_type": self.notification_type,
            "sent_at": self.sent_at,
            "status": self.status,
            "reason": self.reason,
            "status_at": self.status_at,
        }

    def as_json(self) -> dict[str, Any]:
        """The ``status --json`` object."""
        return {**self.summary_json(), "events": [e.as_json() for e in self.events]}


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


def _record(row: Any, timeline: Sequence[EventRecord] = ()) -> NotificationRecord:
    return NotificationRecord(
        notification_id=row.notification_id,
        message_id=row.ses_message_id,
        recipient=row.recipient,
        notification_type=row.notification_type,
        sent_at=row.sent_at,
        status=row.status,
        reason=row.reason,
        status_at=row.status_at,
        events=tuple(timeline),
    )


def _find(engine: Engine, condition: ColumnElement[bool], limit: int) -> list[NotificationRecord]:
    with _read(engine) as conn:
        rows = conn.execute(
            select(*_COLUMNS)
            .where(condition)
            .order_by(_N.sent_at.desc(), _N.id.desc())
            .limit(limit)
        ).all()
        if not rows:
            return []
        timelines: dict[int, list[EventRecord]] = {row.id: [] for row in rows}
        query = (
            select(
                _E.notification_pk,
                _E.event_type,
                _E.occurred_at,
                _E.status,
                _E.reason,
                _E.smtp_status,
                _E.diagnostic,
                _E.provider,
                _E.help_url,
            )
            .where(_E.notification_pk.in_(list(timelines)))
            .order_by(_E.notification_pk, _E.occurred_at, _E.identity)
        )
        for event in conn.execute(query):
            timelines[event.notification_pk].append(
                EventRecord(
                    event_type=event.event_type,
                    occurred_at=event.occurred_at,
                    status=event.status,
                    reason=event.reason,
                    smtp_status=event.smtp_status,
                    diagnostic=event.diagnostic,
                    provider=event.provider,
                    help_url=event.help_url,
                )
            )
    return [_record(row, timelines[row.id]) for row in rows]


def find_by_email(
    engine: Engine, email: str, *, limit: int = DEFAULT_LIMIT
) -> list[NotificationRecord]:
    """Notifications to this address (compared normalised), newest first."""
    return _find(engine, _N.recipient == normalise_address(email), limit)


def find_by_message_id(
    engine: Engine, message_id: str, *, limit: int = DEFAULT_LIMIT
) -> list[NotificationRecord]:
    """Every recipient of one SES message, newest first."""
    return _find(engine, _N.ses_message_id == message_id.strip(), limit)


def find_by_notification_id(engine: Engine, notification_id: str) -> list[NotificationRecord]:
    """The notification with this id (a list: empty when unknown)."""
    return _find(engine, _N.notification_id == notification_id.strip(), 1)


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
            yield _record(row)
        after = rows[-1].id
        if len(rows) < page_size:
            return
