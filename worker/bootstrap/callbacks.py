"""What status-callback delivery depends on, built from the settings (the callbacks' part
of the composition root, next to :mod:`worker.bootstrap`; moves into ``worker/bootstrap/``
with the rest of the wiring).

``inboxgap callbacks ...`` and the ``inboxgap.deliver_callbacks`` task call these; tests
build :class:`~worker.adapters.callback_outbox.SqlCallbackOutbox` and a sender themselves.

When are outbox rows written? Only when ``INBOXGAP_CALLBACK_URL`` or
``INBOXGAP_CALLBACK_CELERY_TASK`` is set (:func:`callbacks_enabled`): with neither, the
ingest transaction writes nothing more than before, so ingestion costs the same. Changes
made while callbacks were off are never announced later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from worker.domain.callbacks import backlog_condition, secret_key
from worker.handlers.callbacks import CallbackConfig, DeliveryResult, deliver_callbacks
from worker.handlers.ports.callbacks import CallbackSender, OutgoingCallback, SendOutcome

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from config.settings import Settings
    from worker.adapters.callback_outbox import SqlCallbackOutbox
    from worker.domain.alert_rules import Condition

logger = logging.getLogger(__name__)


def callbacks_enabled(settings: Settings) -> bool:
    return bool(settings.callback_url or settings.callback_celery_task)


#: Said once when a deliverer starts (the task's first pass in a process, and every
#: ``inboxgap callbacks deliver``) while POSTs would go out without a signature.
UNSIGNED_WARNING = (
    "INBOXGAP_CALLBACK_SECRET is not set: status callbacks are POSTed unsigned (no "
    "webhook-signature header), so the receiver cannot tell them from forgeries"
)


def unsigned_warning(settings: Settings) -> str | None:
    """:data:`UNSIGNED_WARNING` when callbacks are POSTed to ``INBOXGAP_CALLBACK_URL``
    without a secret. Not for ``INBOXGAP_CALLBACK_CELERY_TASK`` alone: the task message
    carries no signature whether a secret is set or not, so there is nothing to warn of."""
    if settings.callback_url and settings.callback_secret is None:
        return UNSIGNED_WARNING
    return None


def callback_config(settings: Settings) -> CallbackConfig:
    secret = settings.callback_secret
    token = settings.callback_bearer_token
    return CallbackConfig(
        key=secret_key(secret.get_secret_value()) if secret is not None else None,
        bearer_token=token.get_secret_value() if token is not None else None,
        max_attempts=settings.callback_max_attempts,
    )


class ThenPublish:
    """HTTP first; a row delivered over HTTP is then published to the app's Celery task
    (``publish``), so the task is sent once per delivery, not once per HTTP retry. A
    publish failure makes the row retried (the POST is repeated: same ``webhook-id``)."""

    def __init__(self, http: CallbackSender | None, publish: CallbackSender) -> None:
        self.http = http
        self.publish = publish

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        if self.http is None:
            return self.publish.send_all(requests)
        outcomes = self.http.send_all(requests)
        delivered = {o.id for o in outcomes if o.status_code is not None and o.status_code < 300}
        published = {
            o.id: o for o in self.publish.send_all([r for r in requests if r.id in delivered])
        }
        return [published.get(o.id, o) for o in outcomes]

    def close(self) -> None:
        close = getattr(self.http, "close", None)
        if close is not None:
            close()


def build_sender(settings: Settings, publish: CallbackSender | None = None) -> CallbackSender:
    """The HTTP sender for ``INBOXGAP_CALLBACK_URL``, composed with ``publish`` (the
    Celery task sender the task layer builds) when ``INBOXGAP_CALLBACK_CELERY_TASK`` is
    set."""
    http: CallbackSender | None = None
    if settings.callback_url:
        from worker.adapters.http_callbacks import HttpCallbackSender

        http = HttpCallbackSender(settings.callback_url)
    if publish is not None:
        return ThenPublish(http, publish)
    if http is None:
        raise ValueError("set INBOXGAP_CALLBACK_URL or INBOXGAP_CALLBACK_CELERY_TASK")
    return http


def build_outbox(settings: Settings) -> SqlCallbackOutbox:
    from worker.adapters.callback_outbox import SqlCallbackOutbox
    from worker.bootstrap import engine_for

    return SqlCallbackOutbox(engine_for(settings.database_url))


def outbox_from_environment() -> tuple[Settings, SqlCallbackOutbox]:
    """The settings and the outbox for ``inboxgap callbacks``, the schema checked."""
    from config.settings import get_settings
    from worker.bootstrap.engines import auto_upgrades, engine_for, ensure_schema

    settings = get_settings()
    ensure_schema(
        engine_for(settings.database_url), auto_upgrade=auto_upgrades(settings.database_url)
    )
    return settings, build_outbox(settings)


def delivery_pass_from_environment(
    publisher_for: Callable[[str], CallbackSender],
    *,
    max_seconds: float | None = None,
    warn: Callable[[str], None] | None = None,
) -> DeliveryResult | None:
    """The Celery task's pass: settings from the environment; None when callbacks are off.
    ``publisher_for`` builds the Celery publisher (the task layer owns Celery); ``warn``
    is given :func:`unsigned_warning` when there is one (the task says it once)."""
    from config.settings import get_settings

    settings = get_settings()
    if not callbacks_enabled(settings):
        return None
    message = unsigned_warning(settings)
    if message is not None and warn is not None:
        warn(message)
    task_name = settings.callback_celery_task
    publish = publisher_for(task_name) if task_name else None
    return run_delivery_pass(settings, publish=publish, max_seconds=max_seconds)


def run_delivery_pass(
    settings: Settings,
    *,
    publish: CallbackSender | None = None,
    max_seconds: float | None = None,
) -> DeliveryResult:
    """One delivery pass as configured, then the metrics of the outbox."""
    from worker import callback_metrics

    outbox = build_outbox(settings)
    sender = build_sender(settings, publish)
    try:
        result = deliver_callbacks(
            outbox=outbox,
            sender=sender,
            config=callback_config(settings),
            clock=utc_now,
            max_seconds=max_seconds,
            # Two batches at once on PostgreSQL (SKIP LOCKED keeps them apart); SQLite
            # takes no row locks, so one.
            lanes=2 if outbox.pg else 1,
        )
    finally:
        close = getattr(sender, "close", None)
        if close is not None:
            close()
    callback_metrics.observe_pass(result, outbox.stats(), utc_now())
    return result


def utc_now() -> datetime:
    return datetime.now(UTC)


def callback_backlog_check(
    settings: Settings, engine: Engine
) -> Callable[[datetime], Sequence[Condition]] | None:
    """The on-call check of the outbox for :func:`worker.handlers.alerts.check_alerts`
    (None while callbacks are off). Best effort, like the SQS queue-age probe."""
    if not callbacks_enabled(settings):
        return None
    from worker.adapters.callback_outbox import SqlCallbackOutbox

    outbox = SqlCallbackOutbox(engine)

    def check(now: datetime) -> list[Condition]:
        from worker.callback_metrics import oldest_age_seconds

        try:
            stats = outbox.stats()
        except Exception as exc:  # no reading, no condition: the other rules still run
            logger.warning("callback backlog check failed: %s", type(exc).__name__)
            return []
        if stats.oldest_pending_at is None:
            return []
        condition = backlog_condition(timedelta(seconds=oldest_age_seconds(stats, now)))
        return [condition] if condition is not None else []

    return check
