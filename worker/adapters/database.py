"""The notification log's tables (SQLAlchemy 2 Core) and the engine factory.

Conventions that hold on PostgreSQL and SQLite alike:

* Every time is a :class:`UtcTime` column: ``timestamptz`` on PostgreSQL (migration 0007),
  ISO-8601 UTC text of fixed width (``2025-03-04T10:15:01.123Z``, see
  :mod:`worker.domain.timestamps`) on SQLite, where ``<`` and ``ORDER BY`` on it are plain
  code-point comparisons. Either way a time is kept to the millisecond (binds truncate),
  so equality, ordering and idempotency are those of the text the log always held. On
  PostgreSQL every text column is ``COLLATE "C"`` (the contract forbids a linguistic
  collation for identities; "C" btrees are also the fastest).
* Keys are natural where the contract defines them: a ledger row is unique on
  (event identity, recipient); a notification on ``notification_id`` and on
  (``ses_message_id``, ``recipient``).

Tables:

``notifications``
    One row per (SES message, recipient): what we sent and its current status. Status
    changes are HOT updates (see the fillfactor below): no index covers a column that a
    status change writes.
``pending_notifications``
    The notifications whose status is ``sent``, with their send time: what the sweep
    reads (through its ``sent_at`` index) instead of an index on ``notifications.status``,
    which would make every status change a non-HOT update writing an entry into every
    index of ``notifications``. Kept exact in the same statements that insert
    notifications or change their status.
``events``
    The ledger: one row per (event identity, recipient). ``notification_pk`` is NULL while
    the event's message is not in the log yet ("parked"); a partial index keeps those rows
    cheap to find when the send is recorded.
``dead_letters``
    Bodies that were rejected, keyed by the SHA-256 of the exact bytes, with a seen count.
``control_messages``
    SNS subscription handshakes, SES set-up notices and EventBridge service events.
``daily_status_counts``
    Aggregates per (day of ``sent_at``, recipient domain, notification type, status, reason).

    *Maintained in the same transaction as every status change* (handlers add +1 to the
    new bucket and -1 to the old one, then one sorted multi-row upsert per transaction).
    Why there and not at purge time: it costs one statement per batch (deltas are summed
    in memory, a batch touches few buckets), readers (alerts, reports) get one table that
    is always current instead of "counts for purged rows UNION live aggregation", and the
    counts survive :func:`~worker.handlers.purge.purge` untouched because purge only blanks
    personal data. Rows that fall to zero are deleted, so the table is a pure function of
    the notifications' current statuses (re-running batches leaves it identical). Upserts
    are sent in key order, so concurrent writers queue on hot buckets but never deadlock.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.expression import FunctionElement, literal_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from worker.domain.timestamps import format_timestamp

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Longest diagnostic text kept in the ledger (SMTP replies are rarely longer).
DIAGNOSTIC_MAX = 2000
#: Percent of each ``notifications`` page filled by inserts (PostgreSQL): every row
#: changes status at least once, so half the page is left for its new version (migration
#: 0006; at 90 only about one row in ten found room and the rest were non-HOT updates).
NOTIFICATIONS_FILLFACTOR = 50


def code_point_text() -> TypeEngine[str]:
    """Text compared by code point: ``COLLATE "C"`` on PostgreSQL, SQLite's BINARY default."""
    return Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def _pk() -> TypeEngine[int]:
    # INTEGER PRIMARY KEY is SQLite's rowid alias; BIGSERIAL on PostgreSQL.
    return BigInteger().with_variant(Integer(), "sqlite")


Str = code_point_text

#: ``to_char`` formats of the first characters of the fixed-width text of a time.
_PREFIX_FORMATS = {10: "YYYY-MM-DD", 13: 'YYYY-MM-DD"T"HH24'}


class utc_text_prefix(FunctionElement[str]):
    """The first ``length`` (10: the day, 13: the hour) characters of a time's fixed-width
    UTC text, in SQL: ``substr`` of the text on SQLite, ``to_char`` in UTC on PostgreSQL."""

    type = Text()
    name = "utc_text_prefix"
    inherit_cache = True

    def __init__(self, column: Any, length: int) -> None:
        if length not in _PREFIX_FORMATS:
            raise ValueError(f"no prefix of {length} characters")
        super().__init__(column, literal_column(str(length)))


@compiles(utc_text_prefix)
def _substr_prefix(element: utc_text_prefix, compiler: Any, **kw: Any) -> str:
    column, length = list(element.clauses)
    return f"substr({compiler.process(column, **kw)}, 1, {compiler.process(length, **kw)})"


@compiles(utc_text_prefix, "postgresql")
def _to_char_prefix(element: utc_text_prefix, compiler: Any, **kw: Any) -> str:
    column, length = list(element.clauses)
    pattern = _PREFIX_FORMATS[int(str(length))]
    return f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'UTC', '{pattern}')"


def to_stored_time(moment: datetime | str) -> datetime:
    """An aware datetime in :data:`~datetime.UTC` truncated to the millisecond: what a time
    column holds, whichever way it is given (a datetime in any zone, a naive one taken as
    UTC, or the fixed-width text SQLite keeps) and whichever way it is read."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if moment.microsecond % 1000:
        moment = moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)
    return moment


def stored_time_text(value: datetime | str | None) -> str | None:
    """The fixed-width UTC text of a time as read from either database (a datetime from
    PostgreSQL's ``timestamptz``, the text itself from SQLite); None stays None."""
    if value is None or isinstance(value, str):
        return value
    return time_text(value)


def time_text(value: datetime | str) -> str:
    """The fixed-width UTC text of a time read from either database (see
    :func:`stored_time_text`), for a column that is never NULL."""
    if isinstance(value, str):
        return value
    if value.utcoffset():
        value = value.astimezone(UTC)
    text = value.isoformat(timespec="milliseconds")
    return f"{text[:23]}Z" if len(text) == 29 else format_timestamp(value)


class UtcTime(TypeDecorator[str]):
    """A time: ``timestamptz`` on PostgreSQL, fixed-width UTC text on SQLite.

    Binds take an aware datetime (or the fixed-width text) and keep it to the millisecond;
    results are the fixed-width text on both databases (``2025-03-04T10:15:01.123Z``)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return to_stored_time(value)
        return value if isinstance(value, str) else format_timestamp(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return stored_time_text(value)

    @property
    def python_type(self) -> type[str]:
        return str


notifications = Table(
    "notifications",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    Column("notification_id", Str(), nullable=False, unique=True),
    Column("ses_message_id", Str(), nullable=False),
    # Normalised address used for matching; NULL once purged (personal data).
    Column("recipient", Str(), nullable=True),
    # The address as the sender or SES wrote it, for display; NULL once purged.
    Column("recipient_original", Str(), nullable=True),
    # Kept after purge: reports and alerts group by it.
    Column("recipient_domain", Str(), nullable=False),
    Column("notification_type", Str(), nullable=False),
    Column("sent_at", UtcTime(), nullable=False),
    Column("status", Str(), nullable=False),
    Column("reason", Str(), nullable=False),
    Column("status_at", UtcTime(), nullable=False),
    Column("updated_at", UtcTime(), nullable=False),
    # "record" (the sending application said so) or "ses_send" (created from a Send event;
    # an explicit record later replaces its id, type and send time).
    Column("source", Str(), nullable=False),
    Column("purged_at", UtcTime(), nullable=True),
    # Room on every page for the new version of a row whose status changes, so the update
    # stays HOT (no index entry is written) as long as no indexed column changes: that is
    # why no index covers status, reason, status_at or updated_at.
    postgresql_with={"fillfactor": NOTIFICATIONS_FILLFACTOR},
)
Index(
    "uq_notifications_ses_message_id_recipient",
    notifications.c.ses_message_id,
    notifications.c.recipient,
    unique=True,
)
# Lookups by address read its newest notifications: the index hands them over in send
# order, so a LIMIT stops early whatever the address's volume (migration 0005).
Index(
    "ix_notifications_recipient_sent_at",
    notifications.c.recipient,
    notifications.c.sent_at,
)

pending_notifications = Table(
    "pending_notifications",
    metadata,
    Column(
        "notification_pk",
        _pk(),
        ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("sent_at", UtcTime(), nullable=False),
)
Index("ix_pending_notifications_sent_at", pending_notifications.c.sent_at)

events = Table(
    "events",
    metadata,
    Column("identity", Str(), primary_key=True),
    Column("recipient", Str(), primary_key=True),
    Column("message_id", Str(), nullable=False),
    Column(
        "notification_pk",
        _pk(),
        ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("event_type", Str(), nullable=False),
    Column("occurred_at", UtcTime(), nullable=False),
    # NULL when the event decides nothing (open, click, auto-reply, not-spam...).
    Column("status", Str(), nullable=True),
    Column("reason", Str(), nullable=True),
    Column("smtp_status", Str(), nullable=True),
    Column("diagnostic", Str(), nullable=True),
    Column("provider", Str(), nullable=True),
    Column("help_url", Str(), nullable=True),
    Column("recipient_original", Str(), nullable=True),
    Column("received_at", UtcTime(), nullable=False),
    # For the IT-admin block (each cut to DIAGNOSTIC_MAX characters); NULL when SES did not
    # say. Personal data (From, Subject) goes with the row when purge deletes it.
    Column("reporting_mta", Str(), nullable=True),
    Column("remote_mta_ip", Str(), nullable=True),
    Column("from_header", Str(), nullable=True),
    Column("subject", Str(), nullable=True),
    Column("sending_domain", Str(), nullable=True),
)
Index("ix_events_notification_pk", events.c.notification_pk)
Index(
    "ix_events_parked",
    events.c.message_id,
    events.c.recipient,
    postgresql_where=events.c.notification_pk.is_(None),
    sqlite_where=events.c.notification_pk.is_(None),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    Column("body_hash", Str(), nullable=False, unique=True),
    # The exact bytes received; NULL once purged.
    Column("body", LargeBinary(), nullable=True),
    Column("code", Str(), nullable=False),
    Column("message", Str(), nullable=False),
    Column("count", BigInteger(), nullable=False),
    Column("first_seen", UtcTime(), nullable=False),
    Column("last_seen", UtcTime(), nullable=False),
    # Set when a replay applied the body successfully.
    Column("resolved_at", UtcTime(), nullable=True),
    Column("purged_at", UtcTime(), nullable=True),
)
Index("ix_dead_letters_last_seen", dead_letters.c.last_seen)

control_messages = Table(
    "control_messages",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    # SNS MessageId when there is one, else the SHA-256 of the body.
    Column("dedup_key", Str(), nullable=False, unique=True),
    Column("kind", Str(), nullable=False),
    Column("topic_arn", Str(), nullable=True),
    Column("subscribe_url", Str(), nullable=True),
    Column("token", Str(), nullable=True),
    Column("detail_type", Str(), nullable=True),
    Column("message", Str(), nullable=False),
    Column("received_at", UtcTime(), nullable=False),
    # Left for whoever confirms subscriptions.
    Column("confirmed_at", UtcTime(), nullable=True),
)

daily_status_counts = Table(
    "daily_status_counts",
    metadata,
    Column("day", Str(), primary_key=True),
    Column("recipient_domain", Str(), primary_key=True),
    Column("notification_type", Str(), primary_key=True),
    Column("status", Str(), primary_key=True),
    Column("reason", Str(), primary_key=True),
    Column("count", BigInteger(), nullable=False),
)

ALL_TABLES = (
    notifications,
    pending_notifications,
    events,
    dead_letters,
    control_messages,
    daily_status_counts,
)


def full_metadata() -> MetaData:
    """:data:`metadata` with the tables of every adapter registered: other adapters
    (alerts, support...) add their tables to the same MetaData when imported, so Alembic
    and schema checks import them all first."""
    import worker.adapters as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return metadata


#: Milliseconds a SQLite writer waits for the lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str | URL) -> URL:
    """``postgres://`` and ``postgresql://`` use psycopg 3; everything else as given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def read_connection(engine: Engine) -> Connection:
    """A connection for reads that need no common snapshot. PostgreSQL: autocommit, so
    each statement runs without the BEGIN and ROLLBACK round trips around it. SQLite: a
    read-only (deferred) transaction, so the read never takes the write lock (see
    :func:`create_engine_from_url`)."""
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    else:
        conn.execution_options(readonly=True)
    return conn


def create_engine_from_url(
    url: str | URL, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """An engine set up for the notification log.

    SQLite: WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for every
    transaction except those on connections with ``execution_options(readonly=True)``:
    writers then serialise at BEGIN instead of failing on lock upgrade mid-transaction.
    PostgreSQL: psycopg 3, ``pool_pre_ping``. SQL parameters are never put in error
    messages (they hold addresses).
    """
    parsed = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(parsed, **kwargs)
    _configure_postgres(engine)
    return engine


#: The session time zone of every PostgreSQL connection. Every statement of the project
#: converts times explicitly (``AT TIME ZONE 'UTC'``), so the session's zone changes no
#: value; it decides the ``tzinfo`` psycopg gives the times it reads. Under ``UTC`` that is
#: :data:`datetime.UTC` itself, which :func:`to_stored_time` and :func:`time_text` take as
#: they are; under a zone name (a server whose ``TimeZone`` is ``Etc/UTC``, the Debian
#: default) it is a ``ZoneInfo``, and every time read was converted once more (~1 µs each,
#: a few per event on the hot path).
SESSION_TIME_ZONE = "UTC"


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        if dbapi_connection.info.parameter_status("TimeZone") == SESSION_TIME_ZONE:
            return
        # Its own transaction, committed: a SET inside a transaction rolled back later
        # (SQLAlchemy's first-connect checks end with a rollback) would be undone.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET TIME ZONE '{SESSION_TIME_ZONE}'")
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy (not the driver) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
