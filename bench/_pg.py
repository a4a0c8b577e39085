"""Shared set-up of the PostgreSQL benchmarks: a fresh schema migrated by the real
migrations (callbacks, callback_backlog), with its plain indexes dropped for a COPY bulk
load (lookup, alerts)."""

from __future__ import annotations

from sqlalchemy import Engine, make_url, text

from worker import migrations
from worker.adapters.database import create_engine_from_url


def fresh_migrated_schema(base_url: str, schema: str) -> Engine:
    """Drop and re-create ``schema`` in ``base_url``'s database; an engine whose connections
    use it (``search_path``), migrated to head."""
    admin = create_engine_from_url(base_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine_from_url(url.render_as_string(hide_password=False))
    migrations.upgrade(engine)
    return engine


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
