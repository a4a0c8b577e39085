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
