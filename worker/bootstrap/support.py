"""What the support API and the support commands depend on, built from the settings
(``worker.api.wiring`` re-exports these names).

:class:`SupportServices` is passed to :func:`worker.api.app.create_app` and used by the
``recipient``/``report``/``serve`` commands; tests build one with fakes instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from worker.adapters.suppression import SesSuppressionList, SqlSuppressionAudit
from worker.bootstrap.engines import auto_upgrades, engine_for, ensure_schema
from worker.bootstrap.environment import ConfigurationError, missing_database_file
from worker.handlers.ports import NotificationLog
from worker.handlers.ports.suppression import SuppressionAudit, SuppressionList
from worker.queries.support import SupportQueries

if TYPE_CHECKING:
    from config.settings import Settings

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SupportServices:
    """The support feature's dependencies (no globals: everything arrives here)."""

    queries: SupportQueries
    log: NotificationLog
    suppression: SuppressionList
    audit: SuppressionAudit
    api_tokens: Sequence[str] = ()
    region: str = "us-east-1"
    feedback_window: timedelta = timedelta(hours=24)
    clock: Callable[[], datetime] = field(default=utc_now)
    #: Set the login cookie with ``Secure``; off only for local http
    #: (``INBOXGAP_WEB_INSECURE_COOKIE``, ``inboxgap serve --insecure-cookie``).
    secure_cookies: bool = True
    #: Key material of the signed session cookie (None: derived from the API tokens).
    session_secret: str | None = None

    def readiness(self) -> Readiness:
        """Whether this process can serve (``/readyz``): see :func:`check_readiness`."""
        return check_readiness(self.queries.engine)

    def database_missing(self) -> bool:
        """The SQLite file of the settings is not there (a query would create it empty,
        and the CLI's read commands would then answer from that empty file)."""
        url = self.queries.engine.url.render_as_string(hide_password=False)
        return missing_database_file(url) is not None


@dataclass(frozen=True, slots=True)
class Readiness:
    """``/readyz``'s answer: ready, or the problem ``code`` and words saying why not."""

    ready: bool
    database: str  # reachable | unreachable | missing
    schema: str  # current | missing | outdated | ahead | unknown
    code: str = "ready"  # database_unavailable | schema_not_ready when not ready
    detail: str = "ready"


def check_readiness(engine: Engine) -> Readiness:
    """Ready when the database answers and its migrations are at this code's head. A
    missing SQLite file is not created (reading it would): it is "missing"."""
    from worker import migrations

    if missing_database_file(engine.url.render_as_string(hide_password=False)) is not None:
        return Readiness(
            False,
            "missing",
            "unknown",
            "database_unavailable",
            "the database file does not exist: run `inboxgap db upgrade`",
        )
    try:
        state = migrations.schema_state(engine)
    except Exception as exc:  # any failure to ask is "not ready"; the type is logged
        logger.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return Readiness(
            False, "unreachable", "unknown", "database_unavailable", "the database is unreachable"
        )
    if state is not migrations.SchemaState.CURRENT:
        action = (
            "upgrade InboxGap"
            if state is migrations.SchemaState.AHEAD
            else "run `inboxgap db upgrade`"
        )
        return Readiness(
            False,
            "reachable",
            state.value,
            "schema_not_ready",
            f"the database schema is {state.value}, not at this version's migrations: {action}",
        )
    return Readiness(True, "reachable", state.value)


def support_services_from_environment() -> SupportServices:
    """The support services as the environment configures them, the schema checked
    (``inboxgap recipient``/``report``/``serve``)."""
    from config.settings import get_settings

    settings = get_settings()
    services = build_support_services(settings)
    ensure_schema(services.queries.engine, auto_upgrade=auto_upgrades(settings.database_url))
    return services


def build_support_services(settings: Settings, *, engine: Engine | None = None) -> SupportServices:
    """The production wiring: the log's engine (shared with :func:`worker.bootstrap.app.build_app`),
    SESv2 in the configured region."""
    from worker.adapters.notification_log import SqlNotificationLog

    engine = engine or engine_for(settings.database_url)
    endpoint = settings.sesv2_endpoint_url
    return SupportServices(
        queries=SupportQueries(engine),
        log=SqlNotificationLog(engine),
        suppression=SesSuppressionList.for_region(settings.aws_region, endpoint_url=endpoint),
        audit=SqlSuppressionAudit(engine),
        api_tokens=tuple(settings.api_tokens),
        region=settings.aws_region,
        feedback_window=settings.feedback_window,
        secure_cookies=not settings.web_insecure_cookie,
        session_secret=(
            settings.session_secret.get_secret_value() if settings.session_secret else None
        ),
    )


def support_services_for_server() -> SupportServices:
    """The support services of a server process (``worker.api.asgi:app`` under uvicorn or
    gunicorn): settings checked (an invalid one is :class:`ConfigurationError` naming its
    variable), JSON logs set up; the schema is *not* required to start: ``/readyz``
    reports it, so an orchestrator holds traffic until ``inboxgap db upgrade`` ran."""
    from pydantic import ValidationError

    from worker.bootstrap.environment import (
        check_database_url,
        configure_logging,
        log_unknown_variables,
        settings,
        settings_error_lines,
    )

    try:
        current = settings()
    except ValidationError as exc:
        raise ConfigurationError("\n".join(settings_error_lines(exc))) from None
    configure_logging()
    log_unknown_variables(os.environ)
    check_database_url(current.database_url)
    services = build_support_services(current)
    if not services.api_tokens:
        logger.warning("INBOXGAP_API_TOKENS is empty: every API and page request will get 401")
    return services
