"""What alert checking depends on, built from the settings (the alerts' part of the
composition root).

``inboxgap alerts`` and the ``inboxgap.check_alerts`` task call :func:`build_alerting`;
tests build an :class:`Alerting` with fakes or their own engine instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from config.settings import AlertSettings, Settings
from worker.bootstrap.callbacks import callback_backlog_check
from worker.bootstrap.engines import auto_upgrades, engine_for, ensure_schema
from worker.domain.alert_rules import AlertThresholds, Condition
from worker.handlers.alerts import AlertView, alert_history, check_alerts
from worker.handlers.ports.alerts import (
    AlertCounts,
    AlertSink,
    AlertStore,
    HistoryEntry,
    QueueAgeProbe,
)

_UNSET: Any = object()


def utc_now() -> datetime:
    return datetime.now(UTC)


def thresholds_from(alerts: AlertSettings) -> AlertThresholds:
    """The domain's thresholds from the alert settings (same names, but the silence,
    given in minutes, and the spike windows, sorted)."""
    values: dict[str, Any] = {
        f.name: getattr(alerts, f.name)
        for f in dataclasses.fields(AlertThresholds)
        if f.name in AlertSettings.model_fields
    }
    values["spike_windows"] = tuple(sorted(alerts.spike_windows))
    values["silence"] = timedelta(minutes=alerts.silence_minutes)
    return AlertThresholds(**values)


def thresholds_from_settings(settings: Settings) -> AlertThresholds:
    return thresholds_from(settings.alerts)


def default_thresholds(**overrides: Any) -> AlertThresholds:
    """The thresholds of the default settings, with ``overrides`` (tests, benchmarks)."""
    return dataclasses.replace(thresholds_from(AlertSettings()), **overrides)


@dataclass
class Alerting:
    counts: AlertCounts
    store: AlertStore
    sinks: Sequence[AlertSink]
    thresholds: AlertThresholds = field(default_factory=default_thresholds)
    renotify_interval: timedelta = timedelta(hours=1)
    queue_probe: QueueAgeProbe | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    #: Sleep between sink retries (tests pass a no-op).
    sleep: Callable[[float], None] | None = None
    #: Checks owned by other features (the status-callback backlog, issue 14).
    extra_conditions: Callable[[datetime], Sequence[Condition]] | None = None

    def check(self, now: datetime | None = None, *, dry_run: bool = False) -> list[AlertView]:
        return check_alerts(
            now or self.clock(),
            counts=self.counts,
            store=self.store,
            sinks=self.sinks,
            thresholds=self.thresholds,
            renotify_interval=self.renotify_interval,
            queue_probe=self.queue_probe,
            dry_run=dry_run,
            sleep=self.sleep,
            extra_conditions=self.extra_conditions,
        )

    def history(self, *, limit: int = 50, since: datetime | None = None) -> list[HistoryEntry]:
        return alert_history(self.store, limit=limit, since=since)


def alerting_from_environment() -> Alerting:
    """Alert checking as the environment configures it, the schema checked
    (``inboxgap alerts``)."""
    from config.settings import get_settings

    settings = get_settings()
    engine = engine_for(settings.database_url)
    ensure_schema(engine, auto_upgrade=auto_upgrades(settings.database_url))
    return build_alerting(settings, engine=engine)


def build_alerting(
    settings: Settings,
    *,
    engine: Engine | None = None,
    sinks: Sequence[AlertSink] | None = None,
    queue_probe: QueueAgeProbe | None = _UNSET,
) -> Alerting:
    """The production wiring: the log's engine, the configured sinks, CloudWatch for the
    SQS queue age when a queue is configured."""
    from worker.adapters.alert_sinks import build_sinks
    from worker.adapters.alert_store import SqlAlertStore
    from worker.queries.alert_counts import SqlAlertCounts

    engine = engine or engine_for(settings.database_url)
    alerts = settings.alerts
    if sinks is None:
        sinks = build_sinks(
            webhook_url=alerts.webhook_url,
            slack_webhook_url=alerts.slack_webhook_url,
            sns_topic_arn=alerts.sns_topic_arn,
            timeout=alerts.sink_timeout,
        )
    if queue_probe is _UNSET:
        queue_probe = None
        if settings.sqs_queue_url and not settings.sqs_endpoint_url:
            from worker.adapters.queue_age import CloudWatchQueueAge, cloudwatch_client

            queue_probe = CloudWatchQueueAge(
                settings.sqs_queue_url,
                cloudwatch_client(settings.aws_region, timeout=alerts.sink_timeout),
            )
    return Alerting(
        counts=SqlAlertCounts(engine),
        store=SqlAlertStore(engine),
        sinks=sinks,
        thresholds=thresholds_from(alerts),
        renotify_interval=alerts.renotify_interval,
        queue_probe=queue_probe,
        extra_conditions=callback_backlog_check(settings, engine),
    )
