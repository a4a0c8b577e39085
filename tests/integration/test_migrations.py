"""The Alembic migrations build exactly the schema of the metadata, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from worker import migrations
from worker.adapters.database import ALL_TABLES, create_engine_from_url, full_metadata

LOG_TABLES = {table.name for table in ALL_TABLES}


def _diff(database_url: str, *, only_log_tables: bool) -> list[Any]:
    engine = create_engine_from_url(database_url)
    migrations.upgrade(engine)

    def include(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if kind == "table" else getattr(obj, "table", None)
        return not only_log_tables or getattr(table, "name", name) in LOG_TABLES

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include}
        )
        diff = compare_metadata(context, full_metadata())
    engine.dispose()
    return list(diff)


def test_the_notification_log_tables_match_the_metadata(database_url: str) -> None:
    assert _diff(database_url, only_log_tables=True) == []


def test_every_migration_together_matches_every_table(database_url: str) -> None:
    """All adapters' tables (alerts, support...) against all migrations."""
    assert _diff(database_url, only_log_tables=False) == []


def test_schema_state_upgrade_and_downgrade(database_url: str) -> None:
    engine = create_engine_from_url(database_url)
    assert migrations.schema_state(engine) is migrations.SchemaState.MISSING
    migrations.upgrade(engine)
    assert migrations.schema_state(engine) is migrations.SchemaState.CURRENT
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            collations = {
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT DISTINCT collation_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND data_type = 'text' "
                    "AND table_name IN ('notifications', 'events', 'daily_status_counts')"
                )
            }
        assert collations == {"C"}
    migrations.upgrade(engine)  # idempotent
    migrations.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_the_ini_ships_inside_the_package() -> None:
    assert (migrations.HERE / "alembic.ini").is_file()
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert "0001" in {rev.revision for rev in script.walk_revisions()}


def test_the_head_revision_constant_is_the_scripts_head() -> None:
    """Commands check the schema against ``HEAD_REVISION`` without reading the scripts."""
    assert migrations.head_revision() == migrations.HEAD_REVISION


def test_schema_state_reads_the_version_as_alembic_does(database_url: str) -> None:
    engine = create_engine_from_url(database_url)

    def alembic_says() -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    assert migrations.current_revision(engine) is None is alembic_says()
    migrations.upgrade(engine, "0006")
    assert migrations.current_revision(engine) == "0006" == alembic_says()
    assert migrations.schema_state(engine) is migrations.SchemaState.OUTDATED
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == migrations.HEAD_REVISION == alembic_says()
    assert migrations.schema_state(engine) is migrations.SchemaState.CURRENT
    with engine.begin() as conn:  # a later InboxGap migrated it
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert migrations.schema_state(engine) is migrations.SchemaState.AHEAD
    with engine.begin() as conn:  # an empty version table: never migrated, as for Alembic
        conn.exec_driver_sql("DELETE FROM alembic_version")
    assert migrations.current_revision(engine) is None is alembic_says()
    assert migrations.schema_state(engine) is migrations.SchemaState.MISSING
    engine.dispose()


def test_0005_orders_the_recipient_index_by_send_time_and_back(database_url: str) -> None:
    """The deliverability read walks ``(recipient, sent_at)`` backwards and stops at its
    LIMIT (no sort of every row of the address); the downgrade restores ``(recipient)``."""
    engine = create_engine_from_url(database_url)

    def recipient_indexes() -> dict[str, list[str | None]]:
        return {
            ix["name"]: ix["column_names"]
            for ix in inspect(engine).get_indexes("notifications")
            if ix["name"] and ix["name"].startswith("ix_notifications_recipient")
        }

    migrations.upgrade(engine, "0004")
    assert recipient_indexes() == {"ix_notifications_recipient": ["recipient"]}
    migrations.upgrade(engine)
    assert recipient_indexes() == {"ix_notifications_recipient_sent_at": ["recipient", "sent_at"]}
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a few rows: force the index
            plan = "\n".join(
                row[0]
                for row in conn.exec_driver_sql(
                    "EXPLAIN SELECT reason, status_at FROM notifications "
                    "WHERE recipient = 'a@b.example' ORDER BY sent_at DESC LIMIT 20"
                )
            )
        assert "Index Scan Backward using ix_notifications_recipient_sent_at" in plan, plan
        assert "Sort" not in plan, plan
    migrations.downgrade(engine, "0004")
    assert recipient_indexes() == {"ix_notifications_recipient": ["recipient"]}
    # Built ahead by the operator (CONCURRENTLY on a large log): the upgrade keeps it.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE INDEX ix_notifications_recipient_sent_at ON notifications (recipient, sent_at)"
        )
    migrations.upgrade(engine)
    assert recipient_indexes() == {"ix_notifications_recipient_sent_at": ["recipient", "sent_at"]}
    engine.dispose()


def test_notifications_leave_half_of_each_page_for_status_changes(database_url: str) -> None:
    """Migration 0006 (issue 15): fillfactor 50 on PostgreSQL, 90 again on downgrade."""
    from sqlalchemy import text

    from worker.adapters.database import NOTIFICATIONS_FILLFACTOR

    engine = create_engine_from_url(database_url)
    try:
        migrations.upgrade(engine)
        if engine.dialect.name != "postgresql":
            return  # SQLite has no fillfactor
        query = text("SELECT reloptions FROM pg_class WHERE oid = 'notifications'::regclass")
        with engine.connect() as conn:
            assert conn.execute(query).scalar_one() == [f"fillfactor={NOTIFICATIONS_FILLFACTOR}"]
        assert NOTIFICATIONS_FILLFACTOR == 50
        migrations.downgrade(engine, "0005")
        with engine.connect() as conn:
            assert conn.execute(query).scalar_one() == ["fillfactor=90"]
    finally:
        engine.dispose()


# Migration 0007 (issue 15): times become timestamptz on PostgreSQL, on a populated log.
_TIMES = (
    "2025-03-04T10:15:01.123Z",
    "1999-12-31T23:59:59.999Z",
    "0999-01-02T03:04:05.006Z",
    "2038-01-19T03:14:08.000Z",
    "2025-03-04T10:15:01.120Z",
)
_ROW_KEY = {"pending_notifications": "notification_pk", "events": "notification_pk"}
_PARENTS_FIRST = (
    "notifications",
    "pending_notifications",
    "events",
    "dead_letters",
    "control_messages",
    "alerts",
    "alert_history",
    "alert_deliveries",
    "suppression_audit",
    "status_callbacks",
)


def _fill_every_table(conn: Any, time_columns: dict[str, tuple[str, ...]]) -> dict[Any, Any]:
    """Two rows per table holding times (row 2 leaves nullable times NULL), every other
    required column filled by type; returns {(table, id, column): the text written}."""
    written: dict[Any, Any] = {}
    n = 0
    for table in _PARENTS_FIRST:
        columns = conn.exec_driver_sql(
            "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns"
            f" WHERE table_schema = current_schema() AND table_name = '{table}'"
            " ORDER BY ordinal_position"
        ).all()
        for row_id in (1, 2):
            values: dict[str, Any] = {}
            for name, kind, nullable in columns:
                if name in time_columns[table]:
                    n += 1
                    value = None if nullable and row_id == 2 else _TIMES[n % len(_TIMES)]
                    written[(table, row_id, name)] = value
                    values[name] = value
                elif name in ("id", "notification_pk", "alert_id", "history_id"):
                    values[name] = row_id
                elif not nullable:
                    values[name] = (
                        row_id
                        if kind in ("bigint", "integer")
                        else (0.5 if kind == "double precision" else f"{name}-{row_id}")
                    )
            if table == "events":
                values["identity"] = f"identity-{row_id}"
            names = ", ".join(values)
            marks = ", ".join(f"%({name})s" for name in values)
            conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    return written


def test_0007_turns_every_time_into_timestamptz_and_back_on_a_populated_log(
    postgres_schema_url: str,
) -> None:
    import importlib

    from sqlalchemy import select

    from worker.adapters.database import NOTIFICATIONS_FILLFACTOR, UtcTime, notifications

    # PostgreSQL only: on SQLite 0007 does nothing (times stay ISO text), which
    # test_every_migration_together_matches_every_table checks on both databases.
    database_url = postgres_schema_url
    module = importlib.import_module("worker.migrations.versions.0007_times_as_timestamptz")
    time_columns: dict[str, tuple[str, ...]] = module.TIME_COLUMNS
    # Every UtcTime column of the metadata is converted, and only those.
    declared = {
        (table.name, column.name)
        for table in full_metadata().tables.values()
        for column in table.columns
        if isinstance(column.type, UtcTime)
    }
    assert declared == {(t, c) for t, columns in time_columns.items() for c in columns}
    # A session time zone far from UTC changes nothing (the text names UTC with its Z).
    engine = create_engine_from_url(
        database_url, connect_args={"options": "-c TimeZone=Asia/Kathmandu"}
    )

    def column_types() -> set[tuple[str, str, str]]:
        with engine.connect() as conn:
            return {
                (table, column, kind)
                for table, column, kind in conn.exec_driver_sql(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema()"
                )
                if column in time_columns.get(table, ())
            }

    def as_text(conn: Any) -> dict[Any, Any]:
        return {
            (table, row_id, column): value
            for table, columns in time_columns.items()
            for column in columns
            for row_id, value in conn.exec_driver_sql(
                f"SELECT {_ROW_KEY.get(table, 'id')}, {column}::text FROM {table}"
            )
        }

    try:
        migrations.upgrade(engine, "0006")
        with engine.begin() as conn:
            written = _fill_every_table(conn, time_columns)
        assert len(written) == 2 * sum(len(columns) for columns in time_columns.values())
        assert {kind for _, _, kind in column_types()} == {"text"}

        migrations.upgrade(engine)
        assert {kind for _, _, kind in column_types()} == {"timestamp with time zone"}
        with engine.connect() as conn:
            # Same instants as the text said, read back as that text through the metadata.
            for (table, row_id, column), value in written.items():
                if value is not None:
                    key = _ROW_KEY.get(table, "id")
                    same = conn.exec_driver_sql(
                        f"SELECT {column} = %(v)s::timestamptz FROM {table} WHERE {key} = %(id)s",
                        {"v": value, "id": row_id},
                    ).scalar_one()
                    assert same, (table, row_id, column, value)
            read = conn.execute(
                select(notifications.c.id, notifications.c.sent_at, notifications.c.purged_at)
            ).all()
            assert {(i, s, p) for i, s, p in read} == {
                (
                    i,
                    written[("notifications", i, "sent_at")],
                    written[("notifications", i, "purged_at")],
                )
                for i in (1, 2)
            }
            options = conn.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE oid = 'notifications'::regclass"
            ).scalar_one()
            assert options == [f"fillfactor={NOTIFICATIONS_FILLFACTOR}"]
            invalid = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace"
            ).scalar_one()
            assert invalid == 0
        assert _diff(database_url, only_log_tables=False) == []

        migrations.downgrade(engine, "0006")
        assert {kind for _, _, kind in column_types()} == {"text"}
        with engine.connect() as conn:
            assert as_text(conn) == written
            collations = {
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT DISTINCT collation_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = 'notifications'"
                    " AND column_name = 'sent_at'"
                )
            }
            assert collations == {"C"}
    finally:
        engine.dispose()
