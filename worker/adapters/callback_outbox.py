"""The ``status_callbacks`` outbox on PostgreSQL or SQLite.

* :func:`insert_changes` runs inside the transaction that changes statuses (called by
  :meth:`worker.adapters.notification_log.SqlLogTransaction.record_status_changes`), so a
  change is committed together with its announcement or not at all.
* :class:`SqlCallbackOutbox` implements :class:`worker.handlers.ports.callbacks.CallbackOutbox`
  for the deliverers, ``inboxgap callbacks list|replay`` and the metrics.

Concurrency. On PostgreSQL a claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` and the rows
stay locked while they are sent, so several deliverers never send one row at the same
time; a crash between the POST and the commit leaves the row pending, and it is sent again
with the same ``webhook-id`` (receivers dedupe on it). On SQLite a claim locks nothing (a
write lock held during HTTP calls would stall ingestion): run a single deliverer there.

Order per notification: a row is claimable only when no older row of its notification is
still pending (also while that one waits for its retry), and a claim takes at most one row
per notification.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import aliased

from worker.adapters.database import (
    Str,
    UtcTime,
    _pk,
    events,
    metadata,
    notifications,
    to_stored_time,
)
from worker.domain.callbacks import CallbackState, Settlement, StatusChangeFacts
from worker.domain.timestamps import format_timestamp
from worker.handlers.ports.callbacks import (
    CallbackRow,
    OutboxStats,
    PendingCallback,
    StatusChange,
)

status_callbacks = Table(
    "status_callbacks",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    # Sent as ``webhook-id``: stable for the row across retries and replays.
    Column("webhook_id", Str(), nullable=False),
    Column("notification_pk", BigInteger(), nullable=False),
    Column("previous_status", Str(), nullable=False),
    Column("previous_reason", Str(), nullable=False),
    Column("status", Str(), nullable=False),
    Column("reason", Str(), nullable=False),
    Column("status_at", UtcTime(), nullable=False),
    Column("state", Str(), nullable=False),
    Column("attempts", Integer(), nullable=False),
    # When the row was queued: created, or replayed (the backlog age is measured from it).
    Column("created_at", UtcTime(), nullable=False),
    # When a pending row is due (its next retry); NULL once delivered or failed.
    Column("next_attempt_at", UtcTime(), nullable=True),
    Column("delivered_at", UtcTime(), nullable=True),
    Column("updated_at", UtcTime(), nullable=False),
    # FailureCause of a failed row; last_error: "HTTP 503", "timeout"...
    Column("cause", Str(), nullable=True),
    Column("last_error", Str(), nullable=True),
)
# The "older pending row of the same notification" probe, and the purge by notification.
Index(
    "ix_status_callbacks_notification_pk_id",
    status_callbacks.c.notification_pk,
    status_callbacks.c.id,
)
# The claim walks pending rows oldest first; delivered rows leave the index.
Index(
    "ix_status_callbacks_pending",
    status_callbacks.c.id,
    postgresql_where=status_callbacks.c.state == "pending",
    sqlite_where=status_callbacks.c.state == "pending",
)

_PENDING = CallbackState.PENDING.value


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


_COPY_COLUMNS = (
    "webhook_id",
    "notification_pk",
    "previous_status",
    "previous_reason",
    "status",
    "reason",
    "status_at",
    "state",
    "attempts",
    "created_at",
    "next_attempt_at",
    "updated_at",
)
_PG_COPY = f"COPY status_callbacks ({', '.join(_COPY_COLUMNS)}) FROM STDIN"


def _copy_pg(conn: Connection, changes: Sequence[StatusChange], announced_at: datetime) -> None:
    """COPY on PostgreSQL: measured with ``bench/ingest.py --callbacks``, a multi-row
    INSERT cost the ingest client ~14% more CPU per event, COPY a fraction of that. Driver
    errors are raised as SQLAlchemy's, so the log's error mapping (transient, rejected)
    applies as to every other statement of the transaction."""
    import psycopg
    from sqlalchemy import exc as sa_exc

    driver: Any = conn.connection.driver_connection
    announced_at = to_stored_time(announced_at)
    try:
        with driver.cursor() as cursor, cursor.copy(_PG_COPY) as copy:
            for c in changes:
                copy.write_row(
                    (
                        new_webhook_id(),
                        c.notification_pk,
                        c.previous_status,
                        c.previous_reason,
                        c.status,
                        c.reason,
                        c.status_at,
                        _PENDING,
                        0,
                        announced_at,
                        announced_at,
                        announced_at,
                    )
                )
    except psycopg.Error as exc:
        raise sa_exc.DBAPIError.instance(
            _PG_COPY,
            None,
            exc,
            psycopg.Error,
            hide_parameters=True,
            connection_invalidated=bool(driver.closed or driver.broken),
        ) from exc


def insert_changes(
    conn: Connection, changes: Sequence[StatusChange], announced_at: datetime
) -> None:
    """Add one pending row per change, created and due at ``announced_at`` (COPY on
    PostgreSQL, one multi-row INSERT on SQLite). ``announced_at`` is the real clock, not
    the time the statuses were decided at (which ``--now`` may pretend): the rows' ages
    drive delivery and the backlog alert."""
    if not changes:
        return
    if conn.dialect.name == "postgresql":
        _copy_pg(conn, changes, announced_at)
        return
    conn.execute(
        insert(status_callbacks),
        [
            {
                "webhook_id": new_webhook_id(),
                "notification_pk": c.notification_pk,
                "previous_status": c.previous_status,
                "previous_reason": c.previous_reason,
                "status": c.status,
                "reason": c.reason,
                "status_at": c.status_at,
                "state": _PENDING,
                "attempts": 0,
                "created_at": announced_at,
                "next_attempt_at": announced_at,
                "updated_at": announced_at,
            }
            for c in changes
        ],
    )


def delete_delivered(conn: Connection, notification_pks: Sequence[int]) -> int:
    """Retention: delivered rows of these (purged) notifications go with their data."""
    if not notification_pks:
        return 0
    c = status_callbacks.c
    result = conn.execute(
        delete(status_callbacks).where(
            c.notification_pk.in_(list(notification_pks)),
            c.state == CallbackState.DELIVERED.value,
        )
    )
    return int(result.rowcount or 0)


def _facts_query(ids: Sequence[int]) -> Any:
    c, n, e = status_callbacks.c, notifications.c, events.c
    deciding = (
        select(e.provider, e.smtp_status)
        .where(
            e.notification_pk == c.notification_pk,
            e.reason == c.reason,
            e.occurred_at == c.status_at,
        )
        .order_by(e.identity)
        .limit(1)
    )
    provider = deciding.with_only_columns(e.provider).scalar_subquery()
    smtp_status = deciding.with_only_columns(e.smtp_status).scalar_subquery()
    return (
        select(
            c.id,
            c.webhook_id,
            c.attempts,
            n.notification_id,
            n.ses_message_id,
            n.recipient,  # normalised, as `status --json` shows it; NULL once purged
            n.recipient_domain,
            n.notification_type,
            n.sent_at,
            c.status,
            c.reason,
            c.previous_status,
            c.previous_reason,
            c.status_at,
            provider,
            smtp_status,
        )
        .select_from(status_callbacks.join(notifications, n.id == c.notification_pk))
        .where(c.id.in_(list(ids)))
        .order_by(c.id)
    )


def _pending(row: Sequence[Any]) -> PendingCallback:
    facts = StatusChangeFacts(
        notification_id=row[3],
        message_id=row[4],
        recipient=row[5],
        recipient_domain=row[6],
        notification_type=row[7],
        sent_at=row[8],
        status=row[9],
        reason=row[10],
        previous_status=row[11],
        previous_reason=row[12],
        status_at=row[13],
        provider=row[14],
        smtp_status=row[15],
    )
    return PendingCallback(id=int(row[0]), webhook_id=row[1], attempts=int(row[2]), facts=facts)


_PG_SETTLE_ARRAYS = (
    ("ids", "id"),
    ("states", "state"),
    ("attempts", "attempts"),
    ("nexts", "next"),
    ("delivered", "delivered"),
    ("causes", "cause"),
    ("errors", "error"),
)
_PG_SETTLE = """
UPDATE status_callbacks AS c
SET state = u.state, attempts = u.attempts, next_attempt_at = u.next_at,
    delivered_at = u.delivered_at, cause = u.cause, last_error = u.error, updated_at = :now
FROM unnest(
    CAST(:ids AS bigint[]), CAST(:states AS text[]), CAST(:attempts AS integer[]),
    CAST(CAST(:nexts AS text[]) AS timestamptz[]),
    CAST(CAST(:delivered AS text[]) AS timestamptz[]), CAST(:causes AS text[]),
    CAST(:errors AS text[])
) AS u(id, state, attempts, next_at, delivered_at, cause, error)
WHERE c.id = u.id
"""


def _callback_row(row: Any) -> CallbackRow:
    """A row of :meth:`SqlCallbackOutbox.list_rows` (its columns are the fields), its
    times as datetimes."""
    values = dict(row._mapping)
    for name in _ROW_TIMES:
        values[name] = _moment(values[name])
    return CallbackRow(**values)


_ROW_TIMES = ("created_at", "next_attempt_at", "delivered_at")


def _moment(value: str | None) -> datetime | None:
    return None if value is None else to_stored_time(value)


class _Batch:
    def __init__(self, conn: Connection | None, engine: Engine, rows: list[PendingCallback]):
        self._conn = conn
        self._engine = engine
        self.rows: Sequence[PendingCallback] = rows

    def settle(self, outcomes: Sequence[tuple[int, Settlement]], now: datetime) -> None:
        if not outcomes:
            return
        now_text = format_timestamp(now)
        c = status_callbacks.c
        stmt = (
            update(status_callbacks)
            .where(c.id == bindparam("b_id"))
            .values(
                state=bindparam("b_state"),
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                delivered_at=bindparam("b_delivered"),
                cause=bindparam("b_cause"),
                last_error=bindparam("b_error"),
                updated_at=bindparam("b_now"),
            )
        )
        params = [
            {
                "b_id": row_id,
                "b_state": s.state.value,
                "b_attempts": s.attempts,
                "b_next": format_timestamp(s.next_attempt_at) if s.next_attempt_at else None,
                "b_delivered": now_text if s.state is CallbackState.DELIVERED else None,
                "b_cause": s.cause.value if s.cause else None,
                "b_error": s.last_error[:500] if s.last_error else None,
                "b_now": now_text,
            }
            for row_id, s in sorted(outcomes, key=lambda item: item[0])
        ]
        if self._conn is not None:
            if self._conn.dialect.name == "postgresql":
                # One statement for the whole batch instead of one UPDATE per row.
                self._conn.execute(
                    text(_PG_SETTLE),
                    {
                        "now": to_stored_time(now),
                        **{
                            column: [p[f"b_{key}"] for p in params]
                            for column, key in _PG_SETTLE_ARRAYS
                        },
                    },
                )
                return
            self._conn.execute(stmt, params)
            return
        with self._engine.begin() as conn:
            conn.execute(stmt, params)


class SqlCallbackOutbox:
    """The outbox behind :class:`~worker.handlers.ports.callbacks.CallbackOutbox`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"

    def _claim_query(self, limit: int, now: datetime) -> Any:
        c = status_callbacks.c
        older = aliased(status_callbacks)
        query = (
            select(c.id)
            .where(
                c.state == _PENDING,
                c.next_attempt_at <= now,
                ~exists().where(
                    and_(
                        older.c.notification_pk == c.notification_pk,
                        older.c.state == _PENDING,
                        older.c.id < c.id,
                    )
                ),
            )
            .order_by(c.id)
            .limit(limit)
        )
        if self.pg:
            query = query.with_for_update(skip_locked=True, of=status_callbacks)
        return query

    @contextmanager
    def claim(self, limit: int, now: datetime) -> Iterator[_Batch]:
        if self.pg:
            with self.engine.begin() as conn:
                ids = [int(i) for i in conn.scalars(self._claim_query(limit, now))]
                rows = [_pending(r) for r in conn.execute(_facts_query(ids))] if ids else []
                yield _Batch(conn, self.engine, rows)
            return
        # SQLite: read in a short read-only transaction; settle writes in its own.
        with self.engine.connect().execution_options(readonly=True) as conn, conn.begin():
            ids = [int(i) for i in conn.scalars(self._claim_query(limit, now))]
            rows = [_pending(r) for r in conn.execute(_facts_query(ids))] if ids else []
        yield _Batch(None, self.engine, rows)

    def list_rows(self, state: str | None, limit: int) -> list[CallbackRow]:
        c, n = status_callbacks.c, notifications.c
        query = (
            select(
                c.id,
                c.webhook_id,
                n.notification_id,
                c.previous_status,
                c.previous_reason,
                c.status,
                c.reason,
                c.state,
                c.attempts,
                c.created_at,
                c.next_attempt_at,
                c.delivered_at,
                c.cause,
                c.last_error,
            )
            .select_from(status_callbacks.outerjoin(notifications, n.id == c.notification_pk))
            .order_by(c.id)
            .limit(limit)
        )
        if state is not None:
            query = query.where(c.state == state)
        with self.engine.connect() as conn:
            return [_callback_row(row) for row in conn.execute(query)]

    def replay(self, ids: Collection[int] | None, now: datetime) -> int:
        c = status_callbacks.c
        stmt = update(status_callbacks).values(
            state=_PENDING,
            attempts=0,
            # Queued anew: the backlog age (min created_at of pending rows) starts again,
            # or a row that failed days ago would raise the alert before the next pass.
            created_at=now,
            next_attempt_at=now,
            cause=None,
            updated_at=now,
        )
        if ids is None:
            stmt = stmt.where(c.state == CallbackState.FAILED.value)
        else:
            if not ids:
                return 0
            stmt = stmt.where(c.id.in_(sorted(ids)))
        with self.engine.begin() as conn:
            return int(conn.execute(stmt).rowcount or 0)

    def stats(self) -> OutboxStats:
        """Pending rows only, through the partial index: a count over every state (the
        delivered rows kept until retention) cost ~0.5 s per pass at 3M rows."""
        c = status_callbacks.c
        with self.engine.connect() as conn:
            pending, oldest = conn.execute(
                select(func.count(), func.min(c.created_at)).where(c.state == _PENDING)
            ).one()
        return OutboxStats(int(pending), _moment(oldest))


__all__ = [
    "SqlCallbackOutbox",
    "delete_delivered",
    "insert_changes",
    "new_webhook_id",
    "status_callbacks",
]
