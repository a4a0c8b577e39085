"""What alert checking depends on, built from the settings (the alerts' part of the
composition root, next to :mod:`worker.bootstrap`, like :mod:`worker.api.wiring` for the
support API and :mod:`worker.drainer` for the drain).

``inboxgap alerts`` and the ``inboxgap.check_alerts`` task call :func:`build_alerting`;
tests build an :class:`Alerting` with fakes or their own engine instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from worker.callback_wiring import callback_backlog_check
from worker.domain.alert_rules import AlertThresholds, Condition
from worker.handlers.alerts import (
    AlertCounts,
    AlertSink,
    AlertStore,
    AlertView,
    HistoryEntry,
    QueueAgeProbe,
    alert_history,
    check_alerts,
)

if TYPE_CHECKING:
    from config.settings import Settings

_UNSET: Any = object()


def utc_now() -> datetime:
    return datetime.now(UTC)


def thresholds_from_settings(settings: Settings) -> AlertThresholds:
    return AlertThresholds(
        bounce_warning=settings.alert_bounce_warning,
        bounce_critical=settings.alert_bounce_critical,
        complaint_warning=settings.alert_complaint_warning,
        complaint_critical=settings.alert_complaint_critical,
        min_volume=settings.alert_min_volume,
        reputation_volume=settings.alert_reputation_volume,
        reputation_max_window=settings.alert_reputation_max_window,
        spike_windows=tuple(sorted(settings.alert_spike_windows)),
        spike_baseline=settings.alert_spike_baseline,
        spike_ratio=settings.alert_spike_ratio,
        spike_min_delta=settings.alert_spike_min_delta,
        spike_critical_delta=settings.alert_spike_critical_delta,
        spike_min_count=settings.alert_spike_min_count,
        silence=timedelta(minutes=settings.alert_silence_minutes),
        silence_min_sends=settings.alert_silence_min_sends,
        backlog_window=settings.alert_backlog_window,
        dead_letters_min=settings.alert_dead_letters_min,
        parked_min=settings.alert_parked_min,
        queue_age_limit=settings.alert_queue_age_limit,
        backlog_critical_factor=settings.alert_backlog_critical_factor,
    )


@dataclass
class Alerting:
    counts: AlertCounts
    store: AlertStore
    sinks: Sequence[AlertSink]
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)
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
    from worker.bootstrap import engine_for
    from worker.queries.alert_counts import SqlAlertCounts

    engine = engine or engine_for(settings.database_url)
    if sinks is None:
        sinks = build_sinks(
            webhook_url=settings.alert_webhook_url,
            slack_webhook_url=settings.alert_slack_webhook_url,
            sns_topic_arn=settings.alert_sns_topic_arn,
            timeout=settings.alert_sink_timeout,
        )
    if queue_probe is _UNSET:
        queue_probe = None
        if settings.sqs_queue_url and not settings.sqs_endpoint_url:
            from worker.adapters.queue_age import CloudWatchQueueAge, cloudwatch_client

            queue_probe = CloudWatchQueueAge(
                settings.sqs_queue_url,
                cloudwatch_client(settings.aws_region, timeout=settings.alert_sink_timeout),
            )
    return Alerting(
        counts=SqlAlertCounts(engine),
        store=SqlAlertStore(engine),
        sinks=sinks,
        thresholds=thresholds_from_settings(settings),
        renotify_interval=settings.alert_renotify_interval,
        queue_probe=queue_probe,
        extra_conditions=callback_backlog_check(settings, engine),
    )
