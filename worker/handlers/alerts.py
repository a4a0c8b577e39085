"""Check alerts: read the counts, apply the rules and the lifecycle, record the
notifications exactly once, then deliver them to the sinks.

:func:`check_alerts` is what beat (``inboxgap.check_alerts``, every minute) and
``inboxgap alerts check`` call. Steps:

1. the read side builds an :class:`~worker.domain.alert_rules.AlertSnapshot` (one
   read-only snapshot of the log, plus the SQS queue age when a probe is configured);
2. :func:`~worker.domain.alert_rules.evaluate` turns it into conditions and
   :func:`~worker.domain.alert_lifecycle.advance` into state changes and notifications
   (both pure);
3. the store writes the changes with compare-and-set in one transaction, with a history
   row and one outbox row per sink for each transition *this* evaluator won: two
   evaluators at once record one notification;
4. after commit, :func:`deliver_pending` claims outbox rows (leased, so concurrent
   evaluators never send the same one) and sends them with short bounded retries. A
   failing sink is logged and retried at the next evaluation, up to
   ``max_delivery_attempts``; it never raises into evaluation, and evaluation runs in
   its own task, never in the ingest path.

``dry_run`` stops after step 2: nothing is written or sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from worker.domain.alert_lifecycle import (
    VALUE_DIGITS,
    AlertNotification,
    AlertState,
    advance,
)
from worker.domain.alert_rules import (
    AlertThresholds,
    Condition,
    evaluate,
    strongest,
)
from worker.handlers.errors import is_transient
from worker.handlers.ports.alerts import (
    AlertCounts,
    AlertSink,
    AlertStore,
    HistoryEntry,
    Payload,
    PendingDelivery,
    QueueAgeProbe,
    SinkError,
)

logger = structlog.get_logger(__name__)

#: Attempts of one delivery within one evaluation, and the backoff between them.
SEND_ATTEMPTS = 3
BACKOFF_INITIAL = 0.2
BACKOFF_MAX = 1.0
#: A claimed delivery is another evaluator's to retry once this lease expires.
DELIVERY_LEASE = timedelta(minutes=2)
#: Evaluations that try a delivery before it is marked failed (one a minute from beat).
MAX_DELIVERY_ATTEMPTS = 10
#: Time one evaluation spends on deliveries at most; the rest wait for the next one.
DELIVERY_BUDGET = 20.0


# --------------------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class AlertView:
    """One active alert as ``inboxgap alerts check`` prints it (an exact interface)."""

    rule: str
    scope: str
    key: str
    severity: str
    value: float
    threshold: float
    window: str
    state: str

    @classmethod
    def of(cls, state: AlertState) -> AlertView:
        return cls(
            rule=state.rule.value,
            scope=state.scope.value,
            key=state.key,
            severity=state.severity.value,
            value=round(state.value, VALUE_DIGITS),
            threshold=round(state.threshold, VALUE_DIGITS),
            window=state.window,
            state=state.state.value,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "scope": self.scope,
            "key": self.key,
            "severity": self.severity,
            "value": self.value,
            "threshold": self.threshold,
            "window": self.window,
            "state": self.state,
        }


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    sink: str
    ok: bool
    attempts: int
    error: str | None = None


def deliver(
    sink: AlertSink,
    payload: Payload,
    *,
    attempts: int = SEND_ATTEMPTS,
    sleep: Callable[[float], None] | None = None,
) -> DeliveryResult:
    """Send with short bounded retries (0.2 s, 0.4 s); never raises."""
    tried = 0
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=BACKOFF_INITIAL, min=BACKOFF_INITIAL, max=BACKOFF_MAX),
        reraise=True,
        **extra,
    )
    try:
        for attempt in retrying:
            with attempt:
                tried += 1
                sink.send(payload)
    except SinkError as exc:
        error = str(exc)
    except Exception as exc:  # a bug in one sink must not stop the others
        error = f"{sink.name}: {type(exc).__name__}"
    else:
        return DeliveryResult(sink.name, True, tried)
    logger.warning(
        "alert sink failed",
        sink=sink.name,
        attempts=tried,
        error=error,
        rule=payload.get("rule"),
        scope=payload.get("scope"),
        key=payload.get("key"),
    )
    return DeliveryResult(sink.name, False, tried, error)


def deliver_pending(
    store: AlertStore,
    sinks: Sequence[AlertSink],
    *,
    now: datetime,
    lease: timedelta = DELIVERY_LEASE,
    max_attempts: int = MAX_DELIVERY_ATTEMPTS,
    budget: float = DELIVERY_BUDGET,
    sleep: Callable[[float], None] | None = None,
) -> list[DeliveryResult]:
    """Send every pending outbox row this caller can claim, oldest first.

    Bounded: a sink that fails once in this call is not tried again until the next
    evaluation (its other rows are released untried), and nothing new is tried after
    ``budget`` seconds. So a down webhook costs one retry sequence per evaluation."""
    by_name = {sink.name: sink for sink in sinks}
    failing: set[str] = set()
    deadline = time.monotonic() + budget
    results: list[DeliveryResult] = []
    for item in store.claim_deliveries(now=now, lease_until=now + lease):
        sink = by_name.get(item.sink)
        if sink is None:
            store.finish_delivery(
                item.id,
                ok=False,
                now=now,
                error="sink no longer configured",
                give_up=True,
                attempted=False,
            )
            results.append(DeliveryResult(item.sink, False, 0, "sink no longer configured"))
            continue
        if item.sink in failing or time.monotonic() >= deadline:
            store.finish_delivery(item.id, ok=False, now=now, error=None, attempted=False)
            continue
        result = deliver(sink, item.payload, sleep=sleep)
        if not result.ok:
            failing.add(item.sink)
        store.finish_delivery(
            item.id,
            ok=result.ok,
            now=now,
            error=result.error,
            give_up=not result.ok and item.attempts + 1 >= max_attempts,
        )
        results.append(result)
    return results


# --------------------------------------------------------------------------- handlers


def _queue_age(probe: QueueAgeProbe | None, now: datetime) -> timedelta | None:
    if probe is None:
        return None
    try:
        return probe.oldest_message_age(now)
    except Exception as exc:  # the probe is best effort: no reading, no queue-age rule
        logger.warning("queue age probe failed", error=type(exc).__name__)
        return None


def check_alerts(
    now: datetime,
    *,
    counts: AlertCounts,
    store: AlertStore,
    sinks: Sequence[AlertSink],
    thresholds: AlertThresholds,
    renotify_interval: timedelta,
    queue_probe: QueueAgeProbe | None = None,
    dry_run: bool = False,
    sleep: Callable[[float], None] | None = None,
    extra_conditions: Callable[[datetime], Sequence[Condition]] | None = None,
) -> list[AlertView]:
    """Evaluate every rule at ``now``; returns the alerts firing after this evaluation
    plus those it resolved. Notifies the sinks unless ``dry_run``."""
    started = time.perf_counter()
    snapshot = counts.snapshot(now, thresholds, queue_oldest_age=_queue_age(queue_probe, now))
    conditions = evaluate(snapshot, thresholds, now)
    if extra_conditions is not None:  # checks owned elsewhere (callback backlog, issue 14)
        conditions = strongest([*conditions, *extra_conditions(now)])
    result = advance(store.load_firing(), conditions, now, renotify_interval=renotify_interval)
    recorded: list[AlertNotification] = []
    deliveries: list[DeliveryResult] = []
    if not dry_run:
        recorded = store.save(result, sinks=[sink.name for sink in sinks], now=now)
        deliveries = deliver_pending(store, sinks, now=now, sleep=sleep)
    logger.info(
        "alerts checked",
        conditions=len(conditions),
        active=len(result.active),
        notifications=[f"{n.kind.value}:{n.alert.rule.value}:{n.alert.key}" for n in recorded],
        deliveries_failed=sum(1 for d in deliveries if not d.ok),
        dry_run=dry_run,
        seconds=round(time.perf_counter() - started, 4),
    )
    return [AlertView.of(state) for state in result.active]


def alert_history(
    store: AlertStore, *, limit: int = 50, since: datetime | None = None
) -> list[HistoryEntry]:
    """The latest notifications, newest first."""
    return store.history(limit=limit, since=since)


__all__ = [
    "AlertCounts",
    "AlertSink",
    "AlertStore",
    "AlertView",
    "DeliveryResult",
    "HistoryEntry",
    "PendingDelivery",
    "QueueAgeProbe",
    "SinkError",
    "alert_history",
    "check_alerts",
    "deliver",
    "deliver_pending",
]
