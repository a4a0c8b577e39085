"""Schema migrations (Alembic) shipped with the package.

``upgrade(engine)`` brings a database to the newest revision; ``schema_state(engine)``
tells whether it is missing, behind or current, so entry points can say
"run inboxgap db upgrade" instead of failing on a missing table.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

HERE = Path(__file__).resolve().parent

#: The newest revision under ``versions/`` (a unit test keeps it in step): every command
#: checks the schema against it without importing Alembic and reading each migration
#: (~0.2 s), which happens only when the schema is not current.
HEAD_REVISION = "0007"
#: Alembic's default version table, as ``env.py`` leaves it.
VERSION_TABLE = "alembic_version"


class SchemaState(StrEnum):
    MISSING = "missing"
    OUTDATED = "outdated"
    CURRENT = "current"
    #: Newer than this code knows (a later version of InboxGap migrated it).
    AHEAD = "ahead"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision, read from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated). One row in the version
    table is read with plain SQL; anything else (several heads) is Alembic's to say."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
        if len(rows) <= 1:
            return str(rows[0][0]) if rows else None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    current = current_revision(engine)
    if current is None:
        return SchemaState.MISSING
    if current == HEAD_REVISION:
        return SchemaState.CURRENT
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    return SchemaState.OUTDATED if current in known else SchemaState.AHEAD


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest)."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
