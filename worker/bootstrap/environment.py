"""The settings the environment gives this process, logging configured from them, and
what a command says when the environment is wrong: unknown ``INBOXGAP_*`` names, invalid
values, an unsupported or missing database."""

from __future__ import annotations

import difflib
import importlib.util
import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from config.logging import configure_logging as _configure_logging
from config.settings import Settings, get_settings

__all__ = [
    "DATABASE_VARIABLE",
    "DIRECT_VARIABLES",
    "ConfigurationError",
    "check_database_url",
    "configure_logging",
    "database_file_without_log",
    "debug_requested",
    "log_unknown_variables",
    "missing_database_file",
    "setting_names",
    "settings",
    "settings_error_lines",
    "unknown_variable_warnings",
]

PREFIX = "INBOXGAP_"
DATABASE_VARIABLE = "INBOXGAP_DATABASE_URL"

#: ``INBOXGAP_*`` names the code reads directly, not through :class:`Settings`.
DIRECT_VARIABLES = frozenset({"INBOXGAP_DEBUG", "INBOXGAP_FAULT_INJECT"})
#: Names tests read (``INBOXGAP_TEST_POSTGRES_URL``, ``INBOXGAP_TEST_REDIS_URL``...).
TEST_PREFIX = "INBOXGAP_TEST_"

#: Database back ends InboxGap runs on (the URL's scheme before any ``+driver``).
SUPPORTED_BACKENDS = ("postgresql", "sqlite")
#: ``postgres://`` (Heroku and others) is PostgreSQL: the database adapter reads it as
#: ``postgresql+psycopg://``.
BACKEND_ALIASES = {"postgres": "postgresql"}
#: The drivers InboxGap installs; another ``+driver`` must be importable.
SHIPPED_DRIVERS = frozenset({"psycopg", "pysqlite"})


class ConfigurationError(Exception):
    """A setting is invalid: the message names the environment variable and what is
    allowed, in at most three lines (exit status 2)."""


def settings() -> Settings:
    """The ``INBOXGAP_*`` settings (read once per process; raises on invalid values)."""
    return get_settings()


def configure_logging(*, tolerate_invalid: bool = False) -> Settings | None:
    """JSON logs at the configured level. With ``tolerate_invalid``, invalid settings log
    at INFO and return None (the command itself reports them)."""
    try:
        current = get_settings()
    except Exception:
        if not tolerate_invalid:
            raise
        _configure_logging("INFO")
        return None
    _configure_logging(current.log_level)
    return current


def debug_requested(environ: Mapping[str, str] | None = None) -> bool:
    """``INBOXGAP_DEBUG=1`` (or true/yes): show tracebacks instead of one-line errors."""
    value = (os.environ if environ is None else environ).get("INBOXGAP_DEBUG", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def setting_names() -> frozenset[str]:
    """Every environment name a setting is read from (``INBOXGAP_AWS_REGION`` included)."""
    names = {f"{PREFIX}{field.upper()}" for field in Settings.model_fields}
    for info in Settings.model_fields.values():
        alias = info.validation_alias
        for choice in getattr(alias, "choices", ()):
            if isinstance(choice, str) and choice.startswith(PREFIX):
                names.add(choice)
    return frozenset(names)


def unknown_variable_warnings(environ: Mapping[str, str]) -> list[str]:
    """One warning per ``INBOXGAP_*`` variable that no setting reads, naming the closest
    setting (a typo such as ``INBOXGAP_DATABSE_URL`` is otherwise silently ignored)."""
    known = setting_names()
    warnings = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known or upper in DIRECT_VARIABLES:
            continue
        if upper.startswith(TEST_PREFIX):
            continue
        close = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f"warning: {name} is not an InboxGap setting, ignored{hint}")
    return warnings


def log_unknown_variables(environ: Mapping[str, str]) -> int:
    """The warnings of :func:`unknown_variable_warnings` as log lines, for the processes
    that have no command line to print them on (the Celery worker and beat, the ASGI
    server), so a misspelt ``INBOXGAP_DATABSE_URL`` in a deployment is named at start.
    Returns how many."""
    import structlog

    warnings = unknown_variable_warnings(environ)
    logger = structlog.get_logger("inboxgap.settings")
    for warning in warnings:
        logger.warning(warning.removeprefix("warning: "))
    return len(warnings)


def _variable(field: str) -> str:
    return f"{PREFIX}{field.upper()}"


def _secret_fields() -> frozenset[str]:
    """Settings whose values must not be printed: the ``SecretStr`` ones (the callback
    secret and bearer token, the session secret) and the API tokens."""
    secret = {"api_tokens"}
    for name, info in Settings.model_fields.items():
        if "SecretStr" in repr(info.annotation):
            secret.add(name)
    return frozenset(secret)


def settings_error_lines(exc: ValidationError, *, limit: int = 3) -> list[str]:
    """At most ``limit`` lines, one per invalid setting, naming its environment variable,
    the value given and what is allowed (pydantic's own words, without its URL)."""
    errors = exc.errors(include_url=False)
    lines = []
    for error in errors:
        location = error.get("loc") or ("?",)
        variable = _variable(str(location[0]))
        given = error.get("input")
        shown = f"{given!r}" if isinstance(given, str | int | float) else "the value"
        if str(location[0]) in _secret_fields():
            shown = "(hidden)"  # a mistyped secret is still a secret: never echo it
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        lines.append(f"{variable}={shown} is invalid: {message}")
    if len(lines) > limit:
        hidden = len(lines) - (limit - 1)
        lines = [*lines[: limit - 1], f"...and {hidden} more invalid INBOXGAP_* settings"]
    return lines


def check_database_url(url: str) -> None:
    """Raise :class:`ConfigurationError` unless ``url`` is a PostgreSQL or SQLite URL."""
    allowed = "postgresql://user@host/db or sqlite:///path/inboxgap.db"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"{DATABASE_VARIABLE} is not a database URL; use {allowed}"
        ) from None
    backend = parsed.get_backend_name()
    if BACKEND_ALIASES.get(backend, backend) not in SUPPORTED_BACKENDS:
        raise ConfigurationError(
            f"{DATABASE_VARIABLE} uses {backend!r}, which InboxGap does not support; use {allowed}"
        )
    driver = parsed.drivername.partition("+")[2]
    if driver and driver not in SHIPPED_DRIVERS and importlib.util.find_spec(driver) is None:
        # Else the first query fails with "No module named ..." (exit 1, no variable).
        raise ConfigurationError(
            f"{DATABASE_VARIABLE} names the driver {driver!r}, which is not installed; "
            f"use {allowed} (psycopg 3 and sqlite3 are)"
        )


def database_file_without_log(url: str) -> Path | None:
    """The SQLite file ``url`` names when it is there but holds no notification log (no
    ``alembic_version`` table: an empty file a stray connection created). Opened read-only,
    so nothing is created or changed; None for anything else."""
    path = _sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.Error:
        return None  # not SQLite at all: the command's own error says so
    return None if found else path


def missing_database_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist (None for a server database,
    an in-memory one, or a file that is there)."""
    path = _sqlite_file(url)
    return None if path is None or path.exists() else path


def _sqlite_file(url: str) -> Path | None:
    """The file a SQLite ``url`` names; None for a server database, an in-memory one or a
    ``file:`` URI (whose options we do not interpret)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
