"""The notification log on PostgreSQL (the fast path).

Rows are COPYed into session temporary tables, then one set-based ``INSERT/UPDATE ...
SELECT`` per table moves them (the ledger insert looks up each row's notification in the
same statement); look-ups bind their keys as one array literal; hot reads come back as
plain driver tuples. See "PostgreSQL fast paths" below for why (where a batch's time
went).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    any_,
    bindparam,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql

from worker.adapters.database import to_stored_time
from worker.adapters.notification_log.base import SqlLogTransaction, _ledgers, _state
from worker.adapters.notification_log.window_sweep import (
    DROP_EMPTY_COUNTS_SQL,
    PLANNER_SQL,
    SWEEP_SQL,
    SWEEP_WITH_OUTBOX_SQL,
    drop_params,
    sweep_params,
)
from worker.domain.status import DecidingEvent
from worker.handlers.ports import (
    CountKey,
    CreatedNotification,
    ExistingSend,
    LedgerRow,
    MessageKey,
    NewNotification,
    NotificationState,
    SweepChunk,
    WindowSweep,
)

# PostgreSQL fast paths: rows travel by COPY into a session temporary table (psycopg
# formats COPY rows in C, while a Python list bound as an array parameter is dumped element
# by element in Python, ~3.5 µs per string: that was the largest client-side cost of a
# batch), then one INSERT/UPDATE ... SELECT per table moves them. The staging tables are
# created IF NOT EXISTS at their first use in each transaction (so a pooler that swaps
# server sessions between transactions cannot break them) and emptied at commit.
#
# The COPY is binary: text COPY formats each ``datetime`` in Python (~1 µs each, against
# ~0.15 µs for a string), binary COPY packs it in C; a ledger row costs ~1.2 µs of client
# CPU instead of ~3.1 (measured here), and the server's share is the same. Values the
# database refuses are refused all the same, and as data errors (what isolates a poison
# body, see worker.handlers.isolation): NUL in a string by the server (SQLSTATE 22021
# instead of psycopg's own DataError before sending), a lone surrogate by the encoder
# (UnicodeEncodeError, as in text COPY). Times must be aware datetimes, as the port says.
_TEXT = 'text COLLATE "C"'
#: Times are staged as ``timestamptz`` (migration 0007).
_TIME = "timestamptz"
#: The binary COPY type of each staging column type.
_COPY_TYPES = {_TEXT: "text", _TIME: "timestamptz", "integer": "int4", "bigint": "int8"}


class _Staging:
    """A temporary table rows are copied into before one set-based statement. ``skip``
    leaves out that many leading columns from the COPY (they stay NULL)."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]], *, skip: int = 0) -> None:
        self.name = name
        self.columns = tuple(columns)
        copied = self.columns[skip:]
        names = ", ".join(column for column, _ in copied)
        self.copy_sql = f"COPY {name} ({names}) FROM STDIN (FORMAT BINARY)"
        self.copy_types = [_COPY_TYPES[kind] for _, kind in copied]
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
        ("sent_at", _TIME),
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
        *((name, _TIME if name == "occurred_at" else _TEXT) for name in _LEDGER_VALUES),
    ),
    # ``ord`` is kept in the table (a session may share it with an older worker) but not
    # filled: the rows come in key order and the insert orders them by their key.
    skip=1,
)
#: A ledger row as staged (every staged column but ``ord``): one C call per row.
_LEDGER_STAGED = attrgetter("identity", "recipient", "message_id", *_LEDGER_VALUES)
_STAGE_STATES = _Staging(
    "inboxgap_stage_states",
    (
        ("id", "bigint"),
        ("notification_id", _TEXT),
        ("notification_type", _TEXT),
        ("sent_at", _TIME),
        ("source", _TEXT),
        ("status", _TEXT),
        ("reason", _TEXT),
        ("status_at", _TIME),
    ),
)
#: A state as staged, in the staging table's column order.
_STATE_STAGED = attrgetter(
    "pk",
    "notification_id",
    "notification_type",
    "sent_at",
    "source",
    "status",
    "reason",
    "status_at",
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


def _same_send(message_id: str, recipient: str) -> str:
    """The notification ``n`` of (``message_id``, ``recipient``), written so that only the
    unique (ses_message_id, recipient) index can serve it: one exact probe per row.

    Written as two equalities, the planner may probe ``ix_notifications_recipient_sent_at``
    on the recipient alone and filter on the message (its entries are smaller, so it can
    look as cheap): every notification ever sent to that person is then read per row
    (on the bench log, ~4 µs per ledger row instead of ~1.5; more for a busy address).
    The recipient as a closed range (the same rows) is an equality on the unique index's
    first column and a range on its second, which no estimate can rank below a range on
    the recipient index alone.
    """
    return (
        f"n.ses_message_id = {message_id}"
        f" AND n.recipient >= {recipient} AND n.recipient <= {recipient}"
    )


# New notifications start ``sent``, so they are pending too (same statement). Sends already
# in the log are skipped by one index probe. That probe is a correlated scalar subquery,
# run per staged row through the unique index whatever the statistics say: written as NOT
# EXISTS it became an anti join, and with the statistics of a table that was empty
# (during a large ``sent import``, before any ANALYZE) the planner hashed the whole of
# ``notifications`` for every batch, which made an import quadratic in the log's size.
#
# The statement is first run as a plain INSERT inside a savepoint: ON CONFLICT costs a
# speculative insertion into every unique index of each row (~40% of the statement's time
# measured here), and after the probe a conflict is left only to a race with another
# writer or to a notification id taken by another (message, recipient). When one happens
# the savepoint is rolled back and the ON CONFLICT DO NOTHING form settles it; both forms
# create the same rows.
_PG_INSERT_NOTIFICATIONS = """
    WITH created AS (
        INSERT INTO notifications (notification_id, ses_message_id, recipient,
            recipient_original, recipient_domain, notification_type, sent_at, status, reason,
            status_at, updated_at, source)
        SELECT s.notification_id, s.ses_message_id, s.recipient, s.recipient_original,
            s.recipient_domain, s.notification_type, s.sent_at, 'sent', 'awaiting_feedback',
            s.sent_at, %(now)s, s.source
        FROM inboxgap_stage_sends AS s
        WHERE (
            SELECT true FROM notifications AS n WHERE {same_send}
        ) IS NULL
        ORDER BY s.ord
        {on_conflict}
        RETURNING id, ses_message_id, recipient, sent_at
    ), pending AS (
        INSERT INTO pending_notifications (notification_pk, sent_at)
        SELECT id, sent_at FROM created
    )
    SELECT id, ses_message_id, recipient FROM created
    """
_PG_INSERT_NEW_NOTIFICATIONS = _PG_INSERT_NOTIFICATIONS.format(
    on_conflict="", same_send=_same_send("s.ses_message_id", "s.recipient")
)
_PG_INSERT_NOTIFICATIONS = _PG_INSERT_NOTIFICATIONS.format(
    on_conflict="ON CONFLICT DO NOTHING", same_send=_same_send("s.ses_message_id", "s.recipient")
)
# The notification is looked up per row (a unique-index probe; NULL when the message is
# not in the log or purged), in the same statement as the insert.
_PG_INSERT_LEDGER = f"""
    INSERT INTO events (identity, recipient, message_id, notification_pk, received_at,
        {", ".join(_LEDGER_VALUES)})
    SELECT l.identity, l.recipient, l.message_id,
        (SELECT n.id FROM notifications AS n WHERE {_same_send("l.message_id", "l.recipient")}),
        %(now)s, {", ".join(f"l.{name}" for name in _LEDGER_VALUES)}
    FROM inboxgap_stage_ledger AS l
    ORDER BY l.identity, l.recipient
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
# Probes of the (small) parked set only: the parked index, one probe per key.
_PG_PARKED_KEYS = """
    SELECT DISTINCT e.message_id, e.recipient
    FROM unnest(%(mids)s::text[], %(rcpts)s::text[]) AS u(message_id, recipient)
    JOIN events AS e
        ON e.message_id = u.message_id COLLATE "C" AND e.recipient = u.recipient COLLATE "C"
    WHERE e.notification_pk IS NULL
    """
# Status writes and the pending set in one statement: rows leaving ``sent`` leave it,
# rows (still or again) ``sent`` are in it with their current send time. The rows that
# leave are deleted by primary key (``= ANY(ARRAY(...))``, an index scan of as many keys):
# as a join with the CTE the planner hashed the whole pending set for every batch, a
# sequential scan of every send still in its window (~90k rows on the 1M bench log, plus
# the dead rows the constant deletes leave) to remove a few hundred.
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
        DELETE FROM pending_notifications AS p
        WHERE p.notification_pk = ANY(ARRAY(SELECT id FROM changed WHERE status <> 'sent'))
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

_PG_ADD_AND_DROP_COUNTS = f"{_PG_ADD_COUNTS};{_PG_DROP_EMPTY_COUNTS}"


def _bigint_array(values: Iterable[int]) -> str:
    """A sorted bigint[] literal: one string instead of a list the driver dumps item by item
    (psycopg adapts list elements in Python, several µs each)."""
    return "{" + ",".join(str(int(value)) for value in sorted(values)) + "}"


def _text_array(values: Iterable[str]) -> str:
    """A text[] literal of ``values`` in order, every element quoted (NUL-free text)."""
    return "{" + ",".join(_quote_element(value) for value in values) + "}"


def _quote_element(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: What psycopg says of a NUL in text COPY, refusing it before sending.
_NUL_REFUSED = "PostgreSQL text fields cannot contain NUL (0x00) bytes"


def _is_nul(exc: Exception) -> bool:
    """The server's refusal of a NUL in a string in binary COPY (``invalid byte sequence
    for encoding "UTF8": 0x00``)."""
    return str(exc).split("\n", 1)[0].rstrip().endswith(": 0x00")


class PostgresLogTransaction(SqlLogTransaction):
    """One transaction on PostgreSQL."""

    pg = True

    def __init__(self, conn: Connection, *, callbacks: bool = False) -> None:
        super().__init__(conn, callbacks=callbacks)
        #: Staging tables filled earlier in this transaction (emptied before reuse).
        self._staged: set[str] | None = None

    def _insert(self, table: Any) -> Any:
        return postgresql.insert(table)

    def _in(self, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
        """``column = ANY(:array)``: one parameter whatever the number of values."""
        element_type = postgresql.ARRAY(column.type)
        clause: ColumnElement[bool] = column == any_(
            bindparam(None, list(values), type_=element_type)
        )
        return clause

    def _chunks(self, values: Collection[Any]) -> Iterator[Sequence[Any]]:
        items = sorted(values)
        if items:
            yield items

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
        import psycopg

        with self._driver(staging.copy_sql) as driver, driver.cursor() as cursor:
            if self._staged is None:
                cursor.execute(_PG_CREATE_STAGING)
                self._staged = set()
            elif staging.name in self._staged:
                cursor.execute(staging.empty_sql)
            try:
                with cursor.copy(staging.copy_sql) as copy:
                    copy.set_types(staging.copy_types)
                    for row in rows:
                        copy.write_row(row)
            except psycopg.errors.CharacterNotInRepertoire as exc:
                # Reported as text COPY reported it: the same data error and message,
                # so a poison body's dead letter reads as before.
                if _is_nul(exc):
                    raise psycopg.DataError(_NUL_REFUSED) from exc
                raise
        self._staged.add(staging.name)

    def insert_notifications(
        self, rows: Sequence[NewNotification], now: datetime
    ) -> list[CreatedNotification]:
        if not rows:
            return []
        self.stage_new_notifications(rows)
        created = self._insert_staged_sends(now)
        return [CreatedNotification(pk, mid, rcpt) for pk, mid, rcpt in created]

    def stage_new_notifications(self, rows: Sequence[NewNotification]) -> None:
        """COPY ``rows`` into the sends staging table, in order (the insert statements
        read it; tests/integration/test_send_insert_plan.py plans them over it)."""
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

    def _insert_staged_sends(self, now: datetime) -> list[Any]:
        """The plain INSERT in a savepoint, else the ON CONFLICT form (see the SQL).

        The savepoint, the insert and the release go out in one pipeline (one round trip
        instead of three). When the insert fails, the server skips the release and the
        error is raised as the pipeline ends; the savepoint is then rolled back to."""
        from psycopg import errors

        params = {"now": to_stored_time(now)}
        statement = _PG_INSERT_NEW_NOTIFICATIONS
        with (
            self._driver(statement) as driver,
            driver.cursor() as cursor,
            driver.cursor() as control,
        ):
            try:
                with driver.pipeline():
                    control.execute("SAVEPOINT inboxgap_new_sends")
                    cursor.execute(statement, params)
                    control.execute("RELEASE SAVEPOINT inboxgap_new_sends")
                return list(cursor.fetchall())
            except errors.UniqueViolation:
                control.execute("ROLLBACK TO SAVEPOINT inboxgap_new_sends")
                cursor.execute(_PG_INSERT_NOTIFICATIONS, params)
                rows: list[Any] = cursor.fetchall()
                control.execute("RELEASE SAVEPOINT inboxgap_new_sends")
        return rows

    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        wanted = set(keys)
        found: list[ExistingSend] = []
        if wanted:
            mids = _text_array(sorted({mid for mid, _ in wanted}))
            for pk, nid, mid, rcpt, kind, sent_at, source in self._pg(
                _PG_FIND_SENDS, {"mids": mids}
            ):
                if (mid, rcpt) in wanted:
                    found.append(
                        ExistingSend(pk, nid, mid, rcpt, kind, to_stored_time(sent_at), source)
                    )
        found.sort(key=lambda s: s.pk)
        return found

    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        if not rows:
            return {}
        self._stage(_STAGE_LEDGER, map(_LEDGER_STAGED, rows))
        inserted = self._pg(_PG_INSERT_LEDGER, {"now": to_stored_time(now)})
        return {(identity, rcpt): pk for identity, rcpt, pk in inserted}

    def parked_keys(self, keys: Collection[MessageKey]) -> set[MessageKey]:
        ordered = sorted(set(keys))
        if not ordered:
            return set()
        rows = self._pg(
            _PG_PARKED_KEYS,
            {
                "mids": _text_array([mid for mid, _ in ordered]),
                "rcpts": _text_array([rcpt for _, rcpt in ordered]),
            },
        )
        return {(mid, rcpt) for mid, rcpt in rows}

    def attach_parked(self, created: Sequence[CreatedNotification]) -> dict[int, int]:
        if not created:
            return {}
        counts: dict[int, int] = {}
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

    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        if not pks:
            return []
        return [
            _state(row) for row in self._pg(_PG_LOCK_NOTIFICATIONS, {"pks": _bigint_array(pks)})
        ]

    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        rows = self._pg(_PG_DECIDING_EVENTS, {"pks": _bigint_array(pks)}) if pks else []
        return _ledgers(rows)

    def update_notifications(self, states: Sequence[NotificationState], now: datetime) -> None:
        if not states:
            return
        ordered = sorted(states, key=lambda s: s.pk)
        self._stage(_STAGE_STATES, map(_STATE_STAGED, ordered))
        self._pg(_PG_UPDATE_NOTIFICATIONS, {"now": to_stored_time(now)})
        return

    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        items = sorted((key, delta) for key, delta in deltas.items() if delta)
        if not items:
            return
        shrunk = any(delta < 0 for _, delta in items)
        self._stage(_STAGE_COUNTS, ((*key, delta) for key, delta in items))
        # One round trip: the drop is a second statement of the same message (it sees
        # the upsert, as a statement after it does; no parameters, so simple protocol).
        self._pg(_PG_ADD_AND_DROP_COUNTS if shrunk else _PG_ADD_COUNTS)
        return

    def sweep_window(self, chunk: SweepChunk) -> WindowSweep:
        # Set-based: see worker.adapters.notification_log.window_sweep.
        statement = SWEEP_WITH_OUTBOX_SQL if self.callbacks else SWEEP_SQL
        params = sweep_params(chunk)
        self._pg(PLANNER_SQL)
        ((due, swept, stale, recompute, shrunk),) = self._pg(statement, params)
        if shrunk:
            self._pg(DROP_EMPTY_COUNTS_SQL, drop_params(shrunk))
        return WindowSweep(
            due=int(due),
            swept=int(swept),
            recompute=[int(pk) for pk in recompute],
            cleared=int(stale),
        )
