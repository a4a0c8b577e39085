"""A fresh PostgreSQL schema per test inside the session's test database; the schema is
carried in the URL (``options=-csearch_path=...``) so every connection uses it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text

from worker.adapters.database import create_engine_from_url


def fresh_postgres_schema_url(postgres_url: str, prefix: str = "t_") -> tuple[str, str]:
    """A new empty schema named ``prefix`` and a random suffix: (a URL using it, its name)."""
    schema = f"{prefix}{secrets.token_hex(6)}"
    engine = create_engine_from_url(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_postgres_schema(postgres_url: str, schema: str) -> None:
    engine = create_engine_from_url(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """The URL of a fresh schema in ``postgres_url``'s database, dropped afterwards."""
    url, schema = fresh_postgres_schema_url(postgres_url)
    try:
        yield url
    finally:
        drop_postgres_schema(postgres_url, schema)
