"""Shared set-up of the PostgreSQL benchmarks (lookup, alerts): a fresh schema migrated by
the real migrations, with its plain indexes dropped for a COPY bulk load."""

from __future__ import annotations

from sqlalchemy import Engine, text

from worker import migrations


def fresh_schema_for_bulk_load(engine: Engine, schema: str) -> list[str]:
    """Drop and re-create ``schema``, migrate it, drop the plain (non-constraint) indexes
    of the log's tables and return their definitions, to rebuild after the load."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    migrations.upgrade(engine)
    with engine.begin() as conn:
        indexes = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = :s "
                "AND i.tablename IN ('notifications', 'events', 'daily_status_counts') "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ),
            {"s": schema},
        ).all()
        for name, _ in indexes:
            conn.execute(text(f'DROP INDEX {schema}."{name}"'))
    return [definition for _, definition in indexes]
