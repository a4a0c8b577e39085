"""Database engines and schema checks: one engine (and pool) per URL per process.

Engines are cached per database URL, so building the app once per task is cheap and
every task of a process shares one connection pool.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, make_url

from config.settings import Settings
from worker.adapters.database import create_engine_from_url, is_sqlite
from worker.handlers.ports import SchemaNotReadyError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "auto_upgrades",
    "dispose_engines",
    "engine_for",
    "ensure_schema",
]

logger = logging.getLogger(__name__)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine_from_url(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached pool (after a fork, or at the end of tests)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


DEFAULT_DATABASE_URL = Settings.model_fields["database_url"].default


def auto_upgrades(url: str) -> bool:
    """Schemas created and upgraded on first use: SQLite files (the default database
    of a newcomer's first command, and local files). Server databases are migrated
    explicitly with ``inboxgap db upgrade``."""
    if not is_sqlite(url):
        return False
    database = make_url(url).database
    return bool(database) and database != ":memory:"


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Make sure the tables are there and current: upgrade them when ``auto_upgrade``,
    else raise :class:`SchemaNotReadyError` saying to run ``inboxgap db upgrade``."""
    from worker import migrations

    state = migrations.schema_state(engine)
    if state is migrations.SchemaState.CURRENT:
        return
    if state is migrations.SchemaState.AHEAD:
        raise SchemaNotReadyError(
            "the database was migrated by a newer InboxGap than this one; upgrade InboxGap"
        )
    if auto_upgrade:
        logger.info("creating or upgrading the notification log schema")
        migrations.upgrade(engine)
        return
    where = engine.url.render_as_string(hide_password=True)
    what = "has no InboxGap tables" if state is migrations.SchemaState.MISSING else "is behind"
    raise SchemaNotReadyError(f"the database {where} {what}: run `inboxgap db upgrade`")
