"""Notification-log fixtures: the same tests on SQLite and on real PostgreSQL.

``database_url`` is parametrised: a SQLite file in ``tmp_path``, and a fresh schema in the
session's PostgreSQL test database (``postgres_url`` from tests/conftest.py: skipped
locally, a failure in CI, when PostgreSQL is unreachable). The schema is carried in the
URL (``options=-csearch_path=...``) so threads, subprocesses and Alembic all use it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.pg_schemas import postgres_schema
from worker import migrations
from worker.adapters.database import create_engine_from_url
from worker.adapters.notification_log import SqlNotificationLog


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database (no tables) of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'log.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


def migrated_engine(url: str) -> Iterator[Engine]:
    """An engine on ``url`` with the schema at head, disposed of afterwards (a fixture body)."""
    eng = create_engine_from_url(url)
    migrations.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated database."""
    yield from migrated_engine(database_url)


@pytest.fixture
def pg_engine(postgres_schema_url: str) -> Iterator[Engine]:
    """An engine on a migrated PostgreSQL schema of its own."""
    yield from migrated_engine(postgres_schema_url)


@pytest.fixture
def sql_log(engine: Engine) -> SqlNotificationLog:
    return SqlNotificationLog(engine)
