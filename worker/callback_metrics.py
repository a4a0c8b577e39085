"""Prometheus metrics of the status-callback outbox (issue 14), beside :mod:`worker.metrics`
(same registry and multiprocess rules; served by the same ``/metrics`` endpoint).

``callbacks_pending`` and ``callbacks_oldest_pending_age_seconds``
    Rows waiting (including those waiting for a retry) and the age of the oldest, as of
    the end of the last delivery pass.
``callbacks_delivered_total``, ``callbacks_retried_total``, ``callbacks_failed_total{cause}``
    Attempts by outcome; ``cause`` is ``rejected`` (a 4xx) or ``retries_exhausted``.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Gauge

from worker.handlers.callbacks import DeliveryResult
from worker.handlers.ports.callbacks import OutboxStats

PENDING = Gauge(
    "inboxgap_callbacks_pending",
    "Status callbacks waiting to be delivered (including those waiting for a retry).",
    multiprocess_mode="mostrecent",
)
OLDEST_PENDING_AGE = Gauge(
    "inboxgap_callbacks_oldest_pending_age_seconds",
    "Age of the oldest status callback still waiting (0 when none).",
    multiprocess_mode="mostrecent",
)
DELIVERED = Counter("inboxgap_callbacks_delivered_total", "Status callbacks delivered (2xx).")
RETRIED = Counter(
    "inboxgap_callbacks_retried_total", "Status callback attempts that will be retried."
)
FAILED = Counter(
    "inboxgap_callbacks_failed_total", "Status callbacks given up, by cause.", ["cause"]
)


def oldest_age_seconds(stats: OutboxStats, now: datetime) -> float:
    if stats.oldest_pending_at is None:
        return 0.0
    return max(0.0, (now - stats.oldest_pending_at).total_seconds())


def observe_pass(result: DeliveryResult, stats: OutboxStats, now: datetime) -> None:
    DELIVERED.inc(result.delivered)
    RETRIED.inc(result.retried)
    for cause, count in result.failed.items():
        FAILED.labels(cause=cause).inc(count)
    PENDING.set(stats.pending)
    OLDEST_PENDING_AGE.set(oldest_age_seconds(stats, now))
