"""What the support API and the support commands depend on, built from the settings
(``worker.api.wiring`` re-exports these names).

:class:`SupportServices` is passed to :func:`worker.api.app.create_app` and used by the
``recipient``/``report``/``serve`` commands; tests build one with fakes instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from worker.adapters.suppression import SesSuppressionList, SqlSuppressionAudit
from worker.bootstrap.engines import auto_upgrades, engine_for, ensure_schema
from worker.handlers.ports import NotificationLog
from worker.handlers.ports.suppression import SuppressionAudit, SuppressionList
from worker.queries.support import SupportQueries

if TYPE_CHECKING:
    from config.settings import Settings


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
