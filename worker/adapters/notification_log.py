"""The notification log on PostgreSQL or SQLite: :class:`SqlNotificationLog`.

Implements :class:`worker.handlers.ports.NotificationLog`. Every method is a batch
operation, a constant number of statements whatever the number of rows.

* PostgreSQL (the fast path): rows are COPYed into session temporary tables, then one
  set-based ``INSERT/UPDATE ... SELECT`` per table moves them (the ledger insert looks up
  each row's notification in the same statement); look-ups bind their keys as one array
  literal; hot reads come back as plain driver tuples. See "PostgreSQL fast paths" below
  for why (where a batch's time went).
* SQLite (the embedded default): SQLAlchemy Core, multi-row ``INSERT ... ON CONFLICT ...
  RETURNING`` and chunked ``IN`` lists.

Row locks are ``FOR NO KEY UPDATE`` in primary-key order: compatible with the ``KEY
SHARE`` locks that foreign-key checks of concurrent ledger inserts take, so inserting
events never waits for (or deadlocks with) a status recompute.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from worker.adapters import callback_outbox
from worker.adapters.database import (
    control_messages,
    daily_status_counts,
    dead_letters,
    events,
    notifications,
    pending_notifications,
)
from worker.domain.outcomes import Reason
from worker.domain.status import DecidingEvent
from worker.handlers.callback_ports import StatusChange
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
    StorageRejectedError,
    StoredDeadLetter,
    TransientStoreError,
    iter_chunks,
)

#: Rows per IN list on SQLite (well under its 32,766 bound-variable limit).
SQLITE_IN_CHUNK = 900

_COUNT_PARAMS = ("b_day", "b_domain", "b_type", "b_status", "b_reason")
_REASONS = {reason.value: reason for reason in Reason}
#: The status of the notifications in ``pending_notifications`` (awaiting the sweep).
PENDING_STATUS = "sent"
#: SQLSTATEs worth retrying: connection (08), transaction rollback: serialisation
#: failure and deadlock (40), insufficient resources (53), lock timeout (55P03), statement
#: timeout or cancel (57014), server shutdown/restart (57P), system I/O errors (58), and a
#: read-only transaction (25006: connected to a standby during a failover).
_PG_TRANSIENT_PREFIXES = ("08", "40", "53", "55P03", "57014", "57P", "58", "25006")


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
    if isinstance(exc, sa_exc.InterfaceError):
        # The driver's connection object is unusable (closed under us): about the
        # connection, never the data, so never a reason to isolate a body.
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(_PG_TRANSIENT_PREFIXES)
    if isinstance(exc, sa_exc.OperationalError):
        return not is_missing_schema(exc)
    return False


#: SQLSTATE classes of a refusal of the values themselves: data exception (22: NUL in
#: text, number out of range, invalid text for a type), integrity constraint violation
#: (23: one the ON CONFLICT paths did not expect) and program limit exceeded (54: e.g. an
#: index row too large for a huge key). Any other class (privileges, syntax, object
#: state...) is about the database or the code, the same for every body: never isolated.
_PG_REJECTED_CLASSES = ("22", "23", "54")


def is_rejected_data(exc: BaseException) -> bool:
    """The database refused the values themselves (not transient, not a missing table):
    a data error (NUL in text, out-of-range number), an integrity error the code did not
    expect, or an error raised while binding the values. Running the same work again
    fails the same way (see :class:`StorageRejectedError`)."""
    if is_transient(exc) or is_missing_schema(exc):
        return False
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(_PG_REJECTED_CLASSES)
    # No SQLSTATE: SQLite, or an error the driver raised before sending (psycopg's "text
    # fields cannot contain NUL", a value it cannot adapt or bind).
    if isinstance(exc, sa_exc.DataError | sa_exc.IntegrityError | sa_exc.ProgrammingError):
        return True
    orig = getattr(exc, "orig", None)
    return isinstance(exc, sa_exc.StatementError) and isinstance(
        orig, ValueError | TypeError | ArithmeticError
    )


def _describe(exc: BaseException) -> str:
    """Error text without SQL parameters (they may hold addresses)."""
    orig = getattr(exc, "orig", None) or exc
    first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(orig).__name__}: {first_line[:300]}"


# PostgreSQL fast paths: rows travel by COPY into a session temporary table (psycopg
# formats COPY rows in C, while a Python list bound as an array parameter is dumped element
# by element in Python, ~3.5 µs per string: that was the largest client-side cost of a
# batch), then one INSERT/UPDATE ... SELECT per table moves them. The staging tables are
# created IF NOT EXISTS at their first use in each transaction (so a pooler that swaps
# server sessions between transactions cannot break them) and emptied at commit.
_TEXT = 'text COLLATE "C"'


class _Staging:
    """A temporary table rows are copied into before one set-based statement."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]]) -> None:
        self.name = name
        self.columns = tuple(columns)
        names = ", ".join(column for column, _ in self.columns)
        self.copy_sql = f"COPY {name} ({names}) FROM STDIN"
        definitions = ", ".join(f"{column} {kind}" for column, kind in self.columns)
        self.create_sql = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({definitions}) ON COMMIT DELETE ROWS"
        )
        self.empty_sql = f"DELETE FROM {name}"


_STAGE_SENDS = _Staging(
    "inboxgap_stage_sends",
    (
        ("ord", "integer"),
        ("notification_id", _TEXT),
        ("ses_message_id", _TEXT),
        ("recipient", _TEXT),
        ("recipient_original", _TEXT),
        ("recipient_domain", _TEXT),
        ("notification_type", _TEXT),
        ("sent_at", _TEXT),
        ("source", _TEXT),
    ),
)
#: Ledger columns besides the keys, the notification and the received time, as staged.
_LEDGER_VALUES = (
    "event_type",
    "occurred_at",
    "status",
    "reason",
    "smtp_status",
    "diagnostic",
    "provider",
    "help_url",
    "recipient_original",
    "reporting_mta",
    "remote_mta_ip",
    "from_header",
    "subject",
    "sending_domain",
)
_STAGE_LEDGER = _Staging(
    "inboxgap_stage_ledger",
    (
        ("ord", "integer"),
        ("identity", _TEXT),
        ("recipient", _TEXT),
        ("message_id", _TEXT),
        *((name, _TEXT) for name in _LEDGER_VALUES),
    ),
)
_STAGE_STATES = _Staging(
    "inboxgap_stage_states",
    (
        ("id", "bigint"),
        ("notification_id", _TEXT),
        ("notification_type", _TEXT),
        ("sent_at", _TEXT),
        ("source", _TEXT),
        ("status", _TEXT),
        ("reason", _TEXT),
        ("status_at", _TEXT),
    ),
)
_STAGE_COUNTS = _Staging(
    "inboxgap_stage_counts",
    (
        ("day", _TEXT),
        ("recipient_domain", _TEXT),
        ("notification_type", _TEXT),
        ("status", _TEXT),
        ("reason", _TEXT),
        ("delta", "bigint"),
    ),
)
_STAGINGS = (_STAGE_SENDS, _STAGE_LEDGER, _STAGE_STATES, _STAGE_COUNTS)
# Created together, notices ("already exists, skipping") silenced for that statement only.
_PG_CREATE_STAGING = "; ".join(
    [
        "SET LOCAL client_min_messages = warning",
        *(staging.create_sql for staging in _STAGINGS),
        "SET LOCAL client_min_messages = DEFAULT",
    ]
)

# New notifications start ``sent``, so they are pending too (same statement). Sends already
# in the log are skipped by one index probe (ON CONFLICT would also skip them, at the cost
# of a speculative insertion each); ON CONFLICT still settles races with other writers.
_PG_INSERT_NOTIFICATIONS = """
    WITH created AS (
        INSERT INTO notifications (notification_id, ses_message_id, recipient,
            recipient_original, recipient_domain, notification_type, sent_at, status, reason,
            status_at, updated_at, source)
        SELECT s.notification_id, s.ses_message_id, s.recipient, s.recipient_original,
            s.recipient_domain, s.notification_type, s.sent_at, 'sent', 'awaiting_feedback',
            s.sent_at, %(now)s, s.source
        FROM inboxgap_stage_sends AS s
        WHERE NOT EXISTS (
            SELECT FROM notifications AS n
            WHERE n.ses_message_id = s.ses_message_id AND n.recipient = s.recipient
        )
        ORDER BY s.ord
        ON CONFLICT DO NOTHING
        RETURNING id, ses_message_id, recipient, sent_at
    ), pending AS (
        INSERT INTO pending_notifications (notification_pk, sent_at)
        SELECT id, sent_at FROM created
    )
    SELECT id, ses_message_id, recipient FROM created
    """
# The notification is looked up per row (a unique-index probe; NULL when the message is
# not in the log or purged), in the same statement as the insert.
_PG_INSERT_LEDGER = f"""
    INSERT INTO events (identity, recipient, message_id, notification_pk, received_at,
        {", ".join(_LEDGER_VALUES)})
    SELECT l.identity, l.recipient, l.message_id,
        (SELECT n.id FROM notifications AS n
         WHERE n.ses_message_id = l.message_id AND n.recipient = l.recipient),
        %(now)s, {", ".join(f"l.{name}" for name in _LEDGER_VALUES)}
    FROM inboxgap_stage_ledger AS l
    ORDER BY l.ord
    ON CONFLICT (identity, recipient) DO NOTHING
    RETURNING identity, recipient, notification_pk
    """
_PG_ATTACH_PARKED = """
    UPDATE events AS e SET notification_pk = u.pk
    FROM unnest(%(mids)s::text[], %(rcpts)s::text[], %(pks)s::bigint[])
        AS u(message_id, recipient, pk)
    WHERE e.notification_pk IS NULL
        AND e.message_id = u.message_id COLLATE "C"
        AND e.recipient = u.recipient COLLATE "C"
    RETURNING e.notification_pk
    """
# Status writes and the pending set in one statement: rows leaving ``sent`` leave it,
# rows (still or again) ``sent`` are in it with their current send time.
_PG_UPDATE_NOTIFICATIONS = """
    WITH changed AS (
        UPDATE notifications AS n SET
            notification_id = s.notification_id,
            notification_type = s.notification_type,
            sent_at = s.sent_at,
            source = s.source,
            status = s.status,
            reason = s.reason,
            status_at = s.status_at,
            updated_at = %(now)s
        FROM inboxgap_stage_states AS s
        WHERE n.id = s.id
        RETURNING n.id, n.status, n.sent_at
    ), settled AS (
        DELETE FROM pending_notifications AS p USING changed AS c
        WHERE p.notification_pk = c.id AND c.status <> 'sent'
    )
    INSERT INTO pending_notifications (notification_pk, sent_at)
    SELECT id, sent_at FROM changed WHERE status = 'sent'
    ON CONFLICT (notification_pk) DO UPDATE SET sent_at = excluded.sent_at
    WHERE pending_notifications.sent_at <> excluded.sent_at
    """
_PG_FIND_SENDS = """
    SELECT id, notification_id, ses_message_id, recipient, notification_type, sent_at, source
    FROM notifications
    WHERE ses_message_id = ANY(%(mids)s::text[]) AND purged_at IS NULL
"""
# Read as plain tuples (the columns of NotificationState, then purged_at).
_PG_LOCK_NOTIFICATIONS = """
    SELECT id, notification_id, recipient_domain, notification_type, sent_at, status,
        reason, status_at, source, purged_at
    FROM notifications WHERE id = ANY(%(pks)s::bigint[])
    ORDER BY id
    FOR NO KEY UPDATE
"""
_PG_DECIDING_EVENTS = """
    SELECT notification_pk, identity, occurred_at, reason
    FROM events WHERE notification_pk = ANY(%(pks)s::bigint[]) AND reason IS NOT NULL
"""
_COUNT_KEY = "day, recipient_domain, notification_type, status, reason"
# Key order: concurrent writers queue on hot buckets but never deadlock.
_PG_ADD_COUNTS = f"""
    INSERT INTO daily_status_counts ({_COUNT_KEY}, count)
    SELECT {_COUNT_KEY}, delta FROM inboxgap_stage_counts ORDER BY {_COUNT_KEY}
    ON CONFLICT ({_COUNT_KEY}) DO UPDATE SET count = daily_status_counts.count + excluded.count
    """
_PG_DROP_EMPTY_COUNTS = """
    DELETE FROM daily_status_counts AS d USING inboxgap_stage_counts AS s
    WHERE s.delta < 0 AND d.count = 0
        AND d.day = s.day AND d.recipient_domain = s.recipient_domain
        AND d.notification_type = s.notification_type AND d.status = s.status
        AND d.reason = s.reason
    """


def _bigint_array(values: Iterable[int]) -> str:
    """A sorted bigint[] literal: one string instead of a list the driver dumps item by item
    (psycopg adapts list elements in Python, several µs each)."""
    return "{" + ",".join(str(int(value)) for value in sorted(values)) + "}"


def _text_array(values: Iterable[str]) -> str:
    """A text[] literal of ``values`` in order, every element quoted (NUL-free text)."""
    return "{" + ",".join(_quote_element(value) for value in values) + "}"


def _quote_element(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _state(row: Sequence[Any]) -> NotificationState:
    """(id, notification_id, recipient_domain, notification_type, sent_at, status, reason,
    status_at, source, purged_at) as read under lock."""
    pk, nid, domain, kind, sent_at, status, reason, status_at, source, purged_at = row
    return NotificationState(
        pk, nid, domain, kind, sent_at, status, reason, status_at, source, purged_at is not None
    )


def _ledgers(rows: Iterable[Sequence[Any]]) -> dict[int, list[DecidingEvent]]:
    """(notification pk, identity, occurred_at, reason) rows grouped per notification."""
    ledgers: dict[int, list[DecidingEvent]] = {}
    reasons = _REASONS
    for pk, identity, occurred_at, reason in rows:
        entry = DecidingEvent(identity, occurred_at, reasons[reason])
        found = ledgers.get(pk)
        if found is None:
            ledgers[pk] = [entry]
        else:
            found.append(entry)
    return ledgers


class SqlNotificationLog:
    """The notification log behind :class:`~worker.handlers.ports.NotificationLog`."""

    def __init__(self, engine: Engine, *, callbacks: bool = False) -> None:
        self.engine = engine
        #: Write status changes to the ``status_callbacks`` outbox (issue 14).
        self.callbacks = callbacks

    @contextmanager
    def transaction(self) -> Iterator[SqlLogTransaction]:
        try:
            with self.engine.begin() as conn:
                yield SqlLogTransaction(conn, callbacks=self.callbacks)
        except sa_exc.SQLAlchemyError as exc:
            if is_missing_schema(exc):
                raise SchemaNotReadyError(
                    f"the notification log tables are missing ({_describe(exc)}); "
                    "run `inboxgap db upgrade`"
                ) from exc
            if is_transient(exc):
                raise TransientStoreError(_describe(exc)) from exc
            if is_rejected_data(exc):
                raise StorageRejectedError(_describe(exc)) from exc
            raise


class SqlLogTransaction:
    """One transaction on the notification log (see the Protocol for each method)."""

    def __init__(self, conn: Connection, *, callbacks: bool = False) -> None:
        self.conn = conn
        self.callbacks = callbacks
        self.pg = conn.dialect.name == "postgresql"
        self._insert = postgresql.insert if self.pg else sqlite.insert
        #: Staging tables filled earlier in this transaction (emptied before reuse).
        self._staged: set[str] | None = None

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

    @contextmanager
    def _driver(self, statement: str) -> Iterator[Any]:
        """This transaction's psycopg connection, for the PostgreSQL fast paths (COPY, and
        statements whose rows are read as plain tuples). Driver errors are raised as
        SQLAlchemy's, so transient ones are retried like any other."""
        import psycopg

        driver: Any = self.conn.connection.driver_connection
        try:
            yield driver
        except psycopg.Error as exc:
            raise sa_exc.DBAPIError.instance(
                statement,
                None,
                exc,
                psycopg.Error,
                hide_parameters=True,
                connection_invalidated=bool(driver.closed or driver.broken),
            ) from exc

    def _pg(self, statement: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Run one statement on PostgreSQL; its rows (if any) as tuples."""
        with self._driver(statement) as driver, driver.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description is not None else []

    def _stage(self, staging: _Staging, rows: Iterable[Sequence[Any]]) -> None:
        """COPY ``rows`` into the staging table (created or emptied first as needed)."""
        with self._driver(staging.copy_sql) as driver, driver.cursor() as cursor:
            if self._staged is None:
                cursor.execute(_PG_CREATE_STAGING)
                self._staged = set()
            elif staging.name in self._staged:
                cursor.execute(staging.empty_sql)
            with cursor.copy(staging.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        self._staged.add(staging.name)

    # --- sends ------------------------------------------------------------------------
    def insert_notifications(
        self, rows: Sequence[NewNotification], now: str
    ) -> list[CreatedNotification]:
        if not rows:
            return []
        if self.pg:
            self._stage(
                _STAGE_SENDS,
                (
                    (
                        i,
                        r.notification_id,
                        r.message_id,
                        r.recipient,
                        r.recipient_original,
                        r.recipient_domain,
                        r.notification_type,
                        r.sent_at,
                        r.source,
                    )
                    for i, r in enumerate(rows)
                ),
            )
            created = self._pg(_PG_INSERT_NOTIFICATIONS, {"now": now})
            return [CreatedNotification(pk, mid, rcpt) for pk, mid, rcpt in created]
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
        created = [
            CreatedNotification(int(pk), mid, rcpt)
            for pk, mid, rcpt in self.conn.execute(stmt, params).all()
        ]
        if created:
            sent_at = {(r.message_id, r.recipient): r.sent_at for r in rows}
            self.conn.execute(
                insert(pending_notifications),
                [
                    {
                        "notification_pk": c.pk,
                        "sent_at": sent_at[(c.message_id, c.recipient)],
                    }
                    for c in created
                ],
            )
        return created

    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        wanted = set(keys)
        found: list[ExistingSend] = []
        if self.pg:
            if wanted:
                mids = _text_array(sorted({mid for mid, _ in wanted}))
                for pk, nid, mid, rcpt, kind, sent_at, source in self._pg(
                    _PG_FIND_SENDS, {"mids": mids}
                ):
                    if (mid, rcpt) in wanted:
                        found.append(ExistingSend(pk, nid, mid, rcpt, kind, sent_at, source))
            found.sort(key=lambda s: s.pk)
            return found
        n = notifications.c
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
    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: str
    ) -> dict[tuple[str, str], int | None]:
        if not rows:
            return {}
        if self.pg:
            self._stage(
                _STAGE_LEDGER,
                (
                    (
                        i,
                        r.identity,
                        r.recipient,
                        r.message_id,
                        r.event_type,
                        r.occurred_at,
                        r.status,
                        r.reason,
                        r.smtp_status,
                        r.diagnostic,
                        r.provider,
                        r.help_url,
                        r.recipient_original,
                        r.reporting_mta,
                        r.remote_mta_ip,
                        r.from_header,
                        r.subject,
                        r.sending_domain,
                    )
                    for i, r in enumerate(rows)
                ),
            )
            inserted = self._pg(_PG_INSERT_LEDGER, {"now": now})
            return {(identity, rcpt): pk for identity, rcpt, pk in inserted}
        resolved = self._resolve({(r.message_id, r.recipient) for r in rows})
        return self._insert_events(rows, resolved, now)

    def _resolve(self, keys: Collection[MessageKey]) -> dict[MessageKey, int]:
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

    def _insert_events(
        self, rows: Sequence[LedgerRow], resolved: Mapping[MessageKey, int], now: str
    ) -> dict[tuple[str, str], int | None]:
        e = events.c
        stmt = (
            self._insert(events)
            .on_conflict_do_nothing(index_elements=[e.identity, e.recipient])
            .returning(e.identity, e.recipient, e.notification_pk)
        )
        params = [
            {
                "identity": r.identity,
                "recipient": r.recipient,
                "message_id": r.message_id,
                "notification_pk": resolved.get((r.message_id, r.recipient)),
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
                "reporting_mta": r.reporting_mta,
                "remote_mta_ip": r.remote_mta_ip,
                "from_header": r.from_header,
                "subject": r.subject,
                "sending_domain": r.sending_domain,
            }
            for r in rows
        ]
        result = self.conn.execute(stmt, params)
        return {(identity, rcpt): pk for identity, rcpt, pk in result}

    def attach_parked(self, created: Sequence[CreatedNotification]) -> dict[int, int]:
        if not created:
            return {}
        counts: dict[int, int] = {}
        if self.pg:
            ordered = sorted(created, key=lambda c: (c.message_id, c.recipient))
            attached = self._pg(
                _PG_ATTACH_PARKED,
                {
                    "mids": _text_array([c.message_id for c in ordered]),
                    "rcpts": _text_array([c.recipient for c in ordered]),
                    "pks": "{" + ",".join(str(int(c.pk)) for c in ordered) + "}",
                },
            )
            for (pk,) in attached:
                counts[pk] = counts.get(pk, 0) + 1
            return counts
        e = events.c
        pk_of = {(c.message_id, c.recipient): c.pk for c in created}
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
        if self.pg:
            if not pks:
                return []
            return [
                _state(row) for row in self._pg(_PG_LOCK_NOTIFICATIONS, {"pks": _bigint_array(pks)})
            ]
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
            states.extend(_state(row) for row in self.conn.execute(query))
        return states

    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        if self.pg:
            rows = self._pg(_PG_DECIDING_EVENTS, {"pks": _bigint_array(pks)}) if pks else []
            return _ledgers(rows)
        e = events.c
        ledgers: dict[int, list[DecidingEvent]] = {}
        for chunk in self._chunks(pks):
            query = select(e.notification_pk, e.identity, e.occurred_at, e.reason).where(
                self._in(e.notification_pk, chunk), e.reason.is_not(None)
            )
            for pk, events_of_pk in _ledgers(self.conn.execute(query)).items():
                ledgers.setdefault(pk, []).extend(events_of_pk)
        return ledgers

    def update_notifications(self, states: Sequence[NotificationState], now: str) -> None:
        if not states:
            return
        ordered = sorted(states, key=lambda s: s.pk)
        if self.pg:
            self._stage(
                _STAGE_STATES,
                (
                    (
                        s.pk,
                        s.notification_id,
                        s.notification_type,
                        s.sent_at,
                        s.source,
                        s.status,
                        s.reason,
                        s.status_at,
                    )
                    for s in ordered
                ),
            )
            self._pg(_PG_UPDATE_NOTIFICATIONS, {"now": now})
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
        settled = [s.pk for s in ordered if s.status != PENDING_STATUS]
        p = pending_notifications.c
        for chunk in self._chunks(settled):
            self.conn.execute(
                delete(pending_notifications).where(self._in(p.notification_pk, chunk))
            )
        pending = [
            {"notification_pk": s.pk, "sent_at": s.sent_at}
            for s in ordered
            if s.status == PENDING_STATUS
        ]
        if pending:
            upsert = self._insert(pending_notifications)
            self.conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[p.notification_pk],
                    set_={"sent_at": upsert.excluded.sent_at},
                ),
                pending,
            )

    def record_status_changes(self, changes: Sequence[StatusChange], now: str) -> None:
        # Status callbacks (issue 14): nothing is written while they are switched off.
        if self.callbacks and changes:
            callback_outbox.insert_changes(self.conn, changes, now)

    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        items = sorted((key, delta) for key, delta in deltas.items() if delta)
        if not items:
            return
        shrunk = [key for key, delta in items if delta < 0]
        if self.pg:
            self._stage(_STAGE_COUNTS, ((*key, delta) for key, delta in items))
            self._pg(_PG_ADD_COUNTS)
            if shrunk:
                self._pg(_PG_DROP_EMPTY_COUNTS)
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
        if shrunk:
            drop = delete(daily_status_counts).where(
                d.count == 0,
                d.day == bindparam("b_day"),
                d.recipient_domain == bindparam("b_domain"),
                d.notification_type == bindparam("b_type"),
                d.status == bindparam("b_status"),
                d.reason == bindparam("b_reason"),
            )
            self.conn.execute(drop, [dict(zip(_COUNT_PARAMS, key, strict=True)) for key in shrunk])

    def pending_notifications(self, sent_before: str, after_pk: int, limit: int) -> list[int]:
        # The pending set is exact; status and purge are checked again all the same.
        n, p = notifications.c, pending_notifications.c
        query = (
            select(p.notification_pk)
            .join_from(pending_notifications, notifications, n.id == p.notification_pk)
            .where(
                p.sent_at < sent_before,
                p.notification_pk > after_pk,
                n.status == PENDING_STATUS,
                n.purged_at.is_(None),
            )
            .order_by(p.notification_pk)
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
                callback_outbox.delete_delivered(self.conn, chunk)  # issue 14: retention
                # A purged notification is never swept (its status stays as it is).
                self.conn.execute(
                    delete(pending_notifications).where(
                        self._in(pending_notifications.c.notification_pk, chunk)
                    )
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
    "is_rejected_data",
    "is_transient",
]
