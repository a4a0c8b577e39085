"""The notification log on PostgreSQL or SQLite: :class:`SqlNotificationLog`.

Implements :class:`worker.handlers.ports.NotificationLog`. Every method is a batch
operation: multi-row ``INSERT ... ON CONFLICT ... RETURNING`` (SQLAlchemy's
"insertmanyvalues" pages of up to 1,000 rows), ``= ANY(array)`` look-ups on PostgreSQL and
chunked ``IN`` lists on SQLite, and ``UPDATE ... FROM unnest(...)`` for status writes on
PostgreSQL. Row locks are ``FOR NO KEY UPDATE`` in primary-key order: compatible with the
``KEY SHARE`` locks that foreign-key checks of concurrent ledger inserts take, so inserting
events never waits for (or deadlocks with) a status recompute.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    TextClause,
    any_,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from worker.adapters.database import (
    control_messages,
    daily_status_counts,
    dead_letters,
    events,
    notifications,
)
from worker.domain.outcomes import Reason
from worker.domain.status import DecidingEvent
from worker.handlers.ports import (
    ControlRow,
    CountKey,
    CreatedNotification,
    DeadLetterRow,
    ExistingSend,
    LedgerRow,
    MessageKey,
    NewNotification,
    NotificationState,
    PurgeCounts,
    SchemaNotReadyError,
    StoredDeadLetter,
    TransientStoreError,
    iter_chunks,
)

#: Rows per IN list on SQLite (well under its 32,766 bound-variable limit).
SQLITE_IN_CHUNK = 900

_COUNT_PARAMS = ("b_day", "b_domain", "b_type", "b_status", "b_reason")
_PG_TRANSIENT_PREFIXES = ("08", "40", "53", "55P03", "57P")


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def is_missing_schema(exc: BaseException) -> bool:
    if _sqlstate(exc) in ("42P01", "42703"):  # undefined table / column
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in message or "no such column" in message


def is_transient(exc: BaseException) -> bool:
    """Connection lost, serialisation failure, deadlock, lock timeout, SQLite busy."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(_PG_TRANSIENT_PREFIXES)
    if isinstance(exc, sa_exc.OperationalError):
        return not is_missing_schema(exc)
    return False


def _describe(exc: BaseException) -> str:
    """Error text without SQL parameters (they may hold addresses)."""
    orig = getattr(exc, "orig", None) or exc
    first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(orig).__name__}: {first_line[:300]}"


# PostgreSQL fast paths: one statement whatever the number of rows, the rows travelling as
# one array per column (psycopg binary arrays) and unnested server-side. About 3x faster
# than multi-row VALUES for thousands of rows, and the statement text never changes, so
# the server keeps its plan prepared.
_NOTIFICATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("notification_id", "text"),
    ("ses_message_id", "text"),
    ("recipient", "text"),
    ("recipient_original", "text"),
    ("recipient_domain", "text"),
    ("notification_type", "text"),
    ("sent_at", "text"),
    ("status", "text"),
    ("reason", "text"),
    ("status_at", "text"),
    ("updated_at", "text"),
    ("source", "text"),
)
_EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("identity", "text"),
    ("recipient", "text"),
    ("message_id", "text"),
    ("notification_pk", "bigint"),
    ("event_type", "text"),
    ("occurred_at", "text"),
    ("status", "text"),
    ("reason", "text"),
    ("smtp_status", "text"),
    ("diagnostic", "text"),
    ("provider", "text"),
    ("help_url", "text"),
    ("recipient_original", "text"),
    ("received_at", "text"),
)


def _unnest_insert(table: str, columns: Sequence[tuple[str, str]], tail: str) -> TextClause:
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in columns)
    return text(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}")


def _arrays(
    params: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    return {name: [row.get(name) for row in params] for name, _ in columns}


_PG_INSERT_NOTIFICATIONS = _unnest_insert(
    "notifications",
    _NOTIFICATION_COLUMNS,
    "ON CONFLICT DO NOTHING RETURNING id, ses_message_id, recipient",
)
_PG_INSERT_EVENTS = _unnest_insert(
    "events",
    _EVENT_COLUMNS,
    "ON CONFLICT (identity, recipient) DO NOTHING RETURNING identity, recipient",
)


class SqlNotificationLog:
    """The notification log behind :class:`~worker.handlers.ports.NotificationLog`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[SqlLogTransaction]:
        try:
            with self.engine.begin() as conn:
                yield SqlLogTransaction(conn)
        except sa_exc.SQLAlchemyError as exc:
            if is_missing_schema(exc):
                raise SchemaNotReadyError(
                    f"the notification log tables are missing ({_describe(exc)}); "
                    "run `inboxgap db upgrade`"
                ) from exc
            if is_transient(exc):
                raise TransientStoreError(_describe(exc)) from exc
            raise


class SqlLogTransaction:
    """One transaction on the notification log (see the Protocol for each method)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self._insert = postgresql.insert if self.pg else sqlite.insert

    # --- helpers ------------------------------------------------------------------------
    def _in(self, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
        """``column = ANY(:array)`` on PostgreSQL (one parameter), ``IN (...)`` on SQLite."""
        if self.pg:
            element_type = postgresql.ARRAY(column.type)
            clause: ColumnElement[bool] = column == any_(
                bindparam(None, list(values), type_=element_type)
            )
            return clause
        in_clause: ColumnElement[bool] = column.in_(values)
        return in_clause

    def _chunks(self, values: Collection[Any]) -> Iterator[Sequence[Any]]:
        items = sorted(values)
        if self.pg:
            if items:
                yield items
            return
        yield from iter_chunks(items, SQLITE_IN_CHUNK)

    # --- sends ------------------------------------------------------------------------
    def insert_notifications(
        self, rows: Sequence[NewNotification], now: str
    ) -> list[CreatedNotification]:
        if not rows:
            return []
        n = notifications.c
        stmt = (
            self._insert(notifications)
            .on_conflict_do_nothing()
            .returning(n.id, n.ses_message_id, n.recipient)
        )
        params = [
            {
                "notification_id": r.notification_id,
                "ses_message_id": r.message_id,
                "recipient": r.recipient,
                "recipient_original": r.recipient_original,
                "recipient_domain": r.recipient_domain,
                "notification_type": r.notification_type,
                "sent_at": r.sent_at,
                "status": "sent",
                "reason": "awaiting_feedback",
                "status_at": r.sent_at,
                "updated_at": now,
                "source": r.source,
            }
            for r in rows
        ]
        result = (
            self.conn.execute(_PG_INSERT_NOTIFICATIONS, _arrays(params, _NOTIFICATION_COLUMNS))
            if self.pg
            else self.conn.execute(stmt, params)
        )
        return [CreatedNotification(int(pk), mid, rcpt) for pk, mid, rcpt in result.all()]

    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        wanted = set(keys)
        n = notifications.c
        found: list[ExistingSend] = []
        for chunk in self._chunks({mid for mid, _ in wanted}):
            query = select(
                n.id,
                n.notification_id,
                n.ses_message_id,
                n.recipient,
                n.notification_type,
                n.sent_at,
                n.source,
            ).where(self._in(n.ses_message_id, chunk), n.purged_at.is_(None))
            for row in self.conn.execute(query):
                if (row.ses_message_id, row.recipient) in wanted:
                    found.append(
                        ExistingSend(
                            pk=row.id,
                            notification_id=row.notification_id,
                            message_id=row.ses_message_id,
                            recipient=row.recipient,
                            notification_type=row.notification_type,
                            sent_at=row.sent_at,
                            source=row.source,
                        )
                    )
        found.sort(key=lambda s: s.pk)
        return found

    def find_notification_ids(self, notification_ids: Collection[str]) -> dict[str, int]:
        n = notifications.c
        found: dict[str, int] = {}
        for chunk in self._chunks(notification_ids):
            query = select(n.notification_id, n.id).where(self._in(n.notification_id, chunk))
            found.update({nid: int(pk) for nid, pk in self.conn.execute(query)})
        return found

    # --- ledger -----------------------------------------------------------------------
    def resolve(self, keys: Collection[MessageKey]) -> dict[MessageKey, int]:
        wanted = set(keys)
        n = notifications.c
        resolved: dict[MessageKey, int] = {}
        for chunk in self._chunks({mid for mid, _ in wanted}):
            query = select(n.ses_message_id, n.recipient, n.id).where(
                self._in(n.ses_message_id, chunk), n.recipient.is_not(None)
            )
            for mid, rcpt, pk in self.conn.execute(query):
                if (mid, rcpt) in wanted:
                    resolved[(mid, rcpt)] = int(pk)
        return resolved

    def insert_events(self, rows: Sequence[LedgerRow], now: str) -> set[tuple[str, str]]:
        if not rows:
            return set()
        e = events.c
        stmt = (
            self._insert(events)
            .on_conflict_do_nothing(index_elements=[e.identity, e.recipient])
            .returning(e.identity, e.recipient)
        )
        params = [
            {
                "identity": r.identity,
                "recipient": r.recipient,
                "message_id": r.message_id,
                "notification_pk": r.notification_pk,
                "event_type": r.event_type,
                "occurred_at": r.occurred_at,
                "status": r.status,
                "reason": r.reason,
                "smtp_status": r.smtp_status,
                "diagnostic": r.diagnostic,
                "provider": r.provider,
                "help_url": r.help_url,
                "recipient_original": r.recipient_original,
                "received_at": now,
            }
            for r in rows
        ]
        if self.pg:
            result = self.conn.execute(_PG_INSERT_EVENTS, _arrays(params, _EVENT_COLUMNS))
        else:
            result = self.conn.execute(stmt, params)
        return {(identity, rcpt) for identity, rcpt in result}

    def attach_parked(self, created: Sequence[CreatedNotification]) -> dict[int, int]:
        if not created:
            return {}
        e = events.c
        pk_of = {(c.message_id, c.recipient): c.pk for c in created}
        counts: dict[int, int] = {}
        for chunk in self._chunks({c.message_id for c in created}):
            query = (
                select(e.message_id, e.recipient, func.count())
                .where(e.notification_pk.is_(None), self._in(e.message_id, chunk))
                .group_by(e.message_id, e.recipient)
            )
            for mid, rcpt, count in self.conn.execute(query):
                pk = pk_of.get((mid, rcpt))
                if pk is not None:
                    counts[pk] = int(count)
        if counts:
            key_of = {pk: key for key, pk in pk_of.items()}
            stmt = (
                update(events)
                .where(
                    e.notification_pk.is_(None),
                    e.message_id == bindparam("b_mid"),
                    e.recipient == bindparam("b_rcpt"),
                )
                .values(notification_pk=bindparam("b_pk"))
            )
            self.conn.execute(
                stmt,
                [
                    {"b_pk": pk, "b_mid": key_of[pk][0], "b_rcpt": key_of[pk][1]}
                    for pk in sorted(counts)
                ],
            )
        return counts

    # --- statuses ---------------------------------------------------------------------
    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        n = notifications.c
        states: list[NotificationState] = []
        for chunk in self._chunks(pks):
            query = (
                select(
                    n.id,
                    n.notification_id,
                    n.recipient_domain,
                    n.notification_type,
                    n.sent_at,
                    n.status,
                    n.reason,
                    n.status_at,
                    n.source,
                    n.purged_at,
                )
                .where(self._in(n.id, chunk))
                .order_by(n.id)
                .with_for_update(key_share=True)
            )
            states.extend(
                NotificationState(
                    pk=row.id,
                    notification_id=row.notification_id,
                    recipient_domain=row.recipient_domain,
                    notification_type=row.notification_type,
                    sent_at=row.sent_at,
                    status=row.status,
                    reason=row.reason,
                    status_at=row.status_at,
                    source=row.source,
                    purged=row.purged_at is not None,
                )
                for row in self.conn.execute(query)
            )
        return states

    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        e = events.c
        ledgers: dict[int, list[DecidingEvent]] = {}
        reasons = {reason.value: reason for reason in Reason}
        for chunk in self._chunks(pks):
            query = select(e.notification_pk, e.identity, e.occurred_at, e.reason).where(
                self._in(e.notification_pk, chunk), e.reason.is_not(None)
            )
            for pk, identity, occurred_at, reason in self.conn.execute(query):
                ledgers.setdefault(pk, []).append(
                    DecidingEvent(identity, occurred_at, reasons[reason])
                )
        return ledgers

    def update_notifications(self, states: Sequence[NotificationState], now: str) -> None:
        if not states:
            return
        ordered = sorted(states, key=lambda s: s.pk)
        if self.pg:
            self._pg_update_notifications(ordered, now)
            return
        n = notifications.c
        stmt = (
            update(notifications)
            .where(n.id == bindparam("b_id"))
            .values(
                notification_id=bindparam("b_notification_id"),
                notification_type=bindparam("b_type"),
                sent_at=bindparam("b_sent_at"),
                source=bindparam("b_source"),
                status=bindparam("b_status"),
                reason=bindparam("b_reason"),
                status_at=bindparam("b_status_at"),
                updated_at=bindparam("b_now"),
            )
        )
        self.conn.execute(
            stmt,
            [
                {
                    "b_id": s.pk,
                    "b_notification_id": s.notification_id,
                    "b_type": s.notification_type,
                    "b_sent_at": s.sent_at,
                    "b_source": s.source,
                    "b_status": s.status,
                    "b_reason": s.reason,
                    "b_status_at": s.status_at,
                    "b_now": now,
                }
                for s in ordered
            ],
        )

    def _pg_update_notifications(self, states: Sequence[NotificationState], now: str) -> None:
        # One statement whatever the number of rows: arrays unnested server-side.
        stmt = text(
            """
            UPDATE notifications AS n SET
                notification_id = u.notification_id,
                notification_type = u.notification_type,
                sent_at = u.sent_at,
                source = u.source,
                status = u.status,
                reason = u.reason,
                status_at = u.status_at,
                updated_at = :now
            FROM unnest(
                CAST(:ids AS bigint[]), CAST(:nids AS text[]), CAST(:types AS text[]),
                CAST(:sent AS text[]), CAST(:sources AS text[]), CAST(:statuses AS text[]),
                CAST(:reasons AS text[]), CAST(:status_ats AS text[])
            ) AS u(id, notification_id, notification_type, sent_at, source, status, reason,
                   status_at)
            WHERE n.id = u.id
            """
        )
        self.conn.execute(
            stmt,
            {
                "now": now,
                "ids": [s.pk for s in states],
                "nids": [s.notification_id for s in states],
                "types": [s.notification_type for s in states],
                "sent": [s.sent_at for s in states],
                "sources": [s.source for s in states],
                "statuses": [s.status for s in states],
                "reasons": [s.reason for s in states],
                "status_ats": [s.status_at for s in states],
            },
        )

    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        items = sorted((key, delta) for key, delta in deltas.items() if delta)
        if not items:
            return
        d = daily_status_counts.c
        names = ("day", "recipient_domain", "notification_type", "status", "reason")
        stmt = self._insert(daily_status_counts)
        stmt = stmt.on_conflict_do_update(
            index_elements=[d.day, d.recipient_domain, d.notification_type, d.status, d.reason],
            set_={"count": d.count + stmt.excluded.count},
        )
        self.conn.execute(
            stmt, [{**dict(zip(names, key, strict=True)), "count": delta} for key, delta in items]
        )
        shrunk = [key for key, delta in items if delta < 0]
        if shrunk:
            drop = delete(daily_status_counts).where(
                d.count == 0,
                d.day == bindparam("b_day"),
                d.recipient_domain == bindparam("b_domain"),
                d.notification_type == bindparam("b_type"),
                d.status == bindparam("b_status"),
                d.reason == bindparam("b_reason"),
            )
            self.conn.execute(
                drop,
                [
                    dict(
                        zip(
                            ("b_day", "b_domain", "b_type", "b_status", "b_reason"),
                            key,
                            strict=True,
                        )
                    )
                    for key in shrunk
                ],
            )

    def pending_notifications(self, sent_before: str, after_pk: int, limit: int) -> list[int]:
        n = notifications.c
        query = (
            select(n.id)
            .where(
                n.status == "sent",
                n.sent_at < sent_before,
                n.id > after_pk,
                n.purged_at.is_(None),
            )
            .order_by(n.id)
            .limit(limit)
        )
        return [int(pk) for pk in self.conn.scalars(query)]

    # --- dead letters and control messages --------------------------------------------
    def upsert_dead_letters(self, rows: Sequence[DeadLetterRow], now: str) -> None:
        if not rows:
            return
        d = dead_letters.c
        stmt = self._insert(dead_letters)
        stmt = stmt.on_conflict_do_update(
            index_elements=[d.body_hash],
            set_={
                "code": stmt.excluded.code,
                "message": stmt.excluded.message,
                "count": d.count + stmt.excluded.count,
                "last_seen": stmt.excluded.last_seen,
                "body": stmt.excluded.body,
                "resolved_at": None,
                "purged_at": None,
            },
        )
        self.conn.execute(
            stmt,
            [
                {
                    "body_hash": r.body_hash,
                    "body": r.body,
                    "code": r.code,
                    "message": r.message,
                    "count": r.count,
                    "first_seen": now,
                    "last_seen": now,
                }
                for r in sorted(rows, key=lambda r: r.body_hash)
            ],
        )

    def resolve_dead_letters(self, body_hashes: Collection[str], now: str) -> int:
        d = dead_letters.c
        total = 0
        for chunk in self._chunks(set(body_hashes)):
            stmt = (
                update(dead_letters)
                .where(self._in(d.body_hash, chunk), d.resolved_at.is_(None))
                .values(resolved_at=now)
            )
            total += self.conn.execute(stmt).rowcount or 0
        return total

    def dead_letters_to_replay(
        self, ids: Collection[int] | None, after_id: int, limit: int
    ) -> list[StoredDeadLetter]:
        d = dead_letters.c
        query: Select[Any] = (
            select(d.id, d.body_hash, d.body)
            .where(d.id > after_id, d.resolved_at.is_(None))
            .order_by(d.id)
            .limit(limit)
        )
        if ids is not None:
            query = query.where(self._in(d.id, sorted(ids)))
        return [
            StoredDeadLetter(int(row.id), row.body_hash, row.body)
            for row in self.conn.execute(query)
        ]

    def record_control_messages(self, rows: Sequence[ControlRow], now: str) -> int:
        if not rows:
            return 0
        c = control_messages.c
        stmt = self._insert(control_messages).on_conflict_do_nothing().returning(c.id)
        params = [
            {
                "dedup_key": r.dedup_key,
                "kind": r.kind,
                "topic_arn": r.topic_arn,
                "subscribe_url": r.subscribe_url,
                "token": r.token,
                "detail_type": r.detail_type,
                "message": r.message,
                "received_at": now,
            }
            for r in rows
        ]
        return len(self.conn.execute(stmt, params).all())

    # --- retention ----------------------------------------------------------------------
    def purge_batch(self, cutoff: str, now: str, limit: int) -> PurgeCounts:
        n, e, d = notifications.c, events.c, dead_letters.c
        pks = [
            int(pk)
            for pk in self.conn.scalars(
                select(n.id)
                .where(n.sent_at < cutoff, n.purged_at.is_(None))
                .order_by(n.id)
                .limit(limit)
                .with_for_update(key_share=True)
            )
        ]
        purged_events = 0
        if pks:
            for chunk in self._chunks(pks):
                purged_events += (
                    self.conn.execute(
                        delete(events).where(self._in(e.notification_pk, chunk))
                    ).rowcount
                    or 0
                )
                self.conn.execute(
                    update(notifications)
                    .where(self._in(n.id, chunk))
                    .values(recipient=None, recipient_original=None, purged_at=now)
                )
        parked_keys = self.conn.execute(
            select(e.identity, e.recipient)
            .where(e.notification_pk.is_(None), e.received_at < cutoff)
            .order_by(e.identity, e.recipient)
            .limit(limit)
        ).all()
        parked = 0
        if parked_keys:
            parked = (
                self.conn.execute(
                    delete(events).where(
                        e.identity == bindparam("b_identity"),
                        e.recipient == bindparam("b_recipient"),
                        e.notification_pk.is_(None),
                    ),
                    [{"b_identity": i, "b_recipient": r} for i, r in parked_keys],
                ).rowcount
                or 0
            )
        letter_ids = [
            int(pk)
            for pk in self.conn.scalars(
                select(d.id)
                .where(d.last_seen < cutoff, d.body.is_not(None))
                .order_by(d.id)
                .limit(limit)
            )
        ]
        if letter_ids:
            self.conn.execute(
                update(dead_letters)
                .where(self._in(d.id, letter_ids))
                .values(body=None, purged_at=now)
            )
        return PurgeCounts(
            notifications=len(pks),
            events=purged_events,
            parked_events=len(parked_keys) if parked_keys else parked,
            dead_letters=len(letter_ids),
        )


__all__ = [
    "SqlLogTransaction",
    "SqlNotificationLog",
    "is_missing_schema",
    "is_transient",
]
