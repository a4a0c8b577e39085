"""Prometheus metrics of the drain, and the ``/metrics`` endpoint that serves them.

Multiprocess mode: Celery's prefork pool runs tasks in child processes, each with its own
memory. When ``PROMETHEUS_MULTIPROC_DIR`` is set (it must be set in the environment
*before* the worker starts, and be emptied at each start), every process writes its
samples to files in that directory and :func:`metrics_registry` aggregates them; the
Celery wiring marks dead children with :func:`mark_process_dead`. Without the variable,
metrics live in the process's default registry (fine for the demo and single processes).

Metrics (all prefixed ``inboxgap_``):

``events_total{outcome}``
    Ledger rows by outcome (applied, duplicate, parked, ignored, unparked) and bodies
    by outcome (dead_lettered, control), as the batch handler counted them.
``bodies_received_total{event_type}``
    Bodies received in batches that were applied, by SES event type (read from the
    body text without parsing it again; ``none`` for control messages and junk).
``dead_letters_total{code}``
    Bodies recorded as dead letters, by rejection code.
``batch_size_bodies``, ``apply_duration_seconds``
    Histograms of bodies per batch and of the batch handler's latency.
``poison_isolations_total``
    Batch writes the database refused for a non-transient reason and that were split to
    isolate the bodies it refuses (each such body counts in
    ``dead_letters_total{code="storage_rejected"}``).
``bodies_unsettled_total``
    Bodies neither applied nor kept as a dead letter (left on the queue for its redrive
    policy): the database refused even their dead letter.
``batch_failures_total{error}``
    Batches not applied (nothing deleted; they come back after the visibility timeout).
``sqs_deletes_total{result}``
    Deletes that succeeded or failed (a failed delete is a redelivery, deduplicated).
``sqs_messages{state}``
    Approximate queue depth (visible, in_flight, delayed) at the last sample.
``sqs_oldest_message_age_seconds``
    Age of the oldest message in the last batch received (SQS exposes the true value
    only through CloudWatch).
``last_event_applied_timestamp_seconds``
    When a batch last applied something (alert on
    ``time() - inboxgap_last_event_applied_timestamp_seconds``).

No ``_created`` series are exposed (:func:`prometheus_client.disable_created_metrics`):
they double every counter and histogram and no rule reads them.
"""

from __future__ import annotations

import collections
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    make_wsgi_app,
    multiprocess,
)
from prometheus_client.registry import Collector

from worker.domain.events import EventType
from worker.handlers.ingest import IngestResult
from worker.handlers.ports.queue import DeleteOutcome, QueueStats, ReceivedMessage

__all__ = [
    "MULTIPROC_ENV",
    "PrometheusDrainObserver",
    "clear_multiprocess_dir",
    "mark_process_dead",
    "metrics_registry",
    "metrics_wsgi_app",
    "observe_queue",
    "serve_metrics",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Process-wide (the support API's metrics too): checked when a registry is collected.
_disable_created: Any = disable_created_metrics  # untyped in prometheus_client
_disable_created()

EVENTS = Counter(
    "inboxgap_events_total",
    "Ledger rows (and, for dead_lettered/control, bodies) by outcome.",
    ["outcome"],
)
BODIES_BY_TYPE = Counter(
    "inboxgap_bodies_received_total",
    "Bodies received in batches that were applied, by SES event type (none: not an event).",
    ["event_type"],
)
DEAD_LETTERS = Counter(
    "inboxgap_dead_letters_total", "Bodies recorded as dead letters, by code.", ["code"]
)
BATCH_SIZE = Histogram(
    "inboxgap_batch_size_bodies",
    "Bodies per applied batch.",
    buckets=(1, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000),
)
APPLY_SECONDS = Histogram(
    "inboxgap_apply_duration_seconds",
    "Seconds the batch handler took (one transaction, retries included).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
BATCH_FAILURES = Counter(
    "inboxgap_batch_failures_total",
    "Batches not applied (nothing deleted; redelivered after the visibility timeout).",
    ["error"],
)
POISON_ISOLATIONS = Counter(
    "inboxgap_poison_isolations_total",
    "Batch writes refused by the database and split to isolate the bodies it refuses.",
)
BODIES_UNSETTLED = Counter(
    "inboxgap_bodies_unsettled_total",
    "Bodies neither applied nor kept as a dead letter (left on the queue).",
)
SQS_DELETES = Counter(
    "inboxgap_sqs_deletes_total", "SQS deletes after a commit, by result.", ["result"]
)
SQS_MESSAGES = Gauge(
    "inboxgap_sqs_messages",
    "Approximate number of messages in the SQS queue, by state.",
    ["state"],
    multiprocess_mode="mostrecent",
)
SQS_OLDEST_AGE = Gauge(
    "inboxgap_sqs_oldest_message_age_seconds",
    "Age of the oldest message in the last batch received.",
    multiprocess_mode="mostrecent",
)
LAST_APPLIED = Gauge(
    "inboxgap_last_event_applied_timestamp_seconds",
    "Unix time when a batch last applied at least one event.",
    multiprocess_mode="max",
)

_OUTCOMES = ("applied", "duplicate", "parked", "ignored", "unparked", "dead_lettered", "control")
_KNOWN_TYPES = {event_type.value: event_type.value for event_type in EventType}
_KNOWN_TYPES.update({"Delivery Delay": "DeliveryDelay", "RenderingFailure": "Rendering Failure"})
#: ``"eventType":"Bounce"`` in a raw body or, with escaped quotes, inside an SNS Message.
_TYPE_IN_BODY = re.compile(r'(?:eventType|notificationType)\\*"\s*:\s*\\*"([A-Za-z ]{1,40})\\*"')


def event_type_of(body: str) -> str:
    """The SES event type named in a body, without parsing it (bounded label values)."""
    match = _TYPE_IN_BODY.search(body)
    if match is None:
        return "none"
    return _KNOWN_TYPES.get(match.group(1), "other")


class PrometheusDrainObserver:
    """Updates the metrics above from the drain's hooks."""

    def __init__(self, clock: Any = time.time) -> None:
        self._clock = clock

    def received(self, messages: Sequence[ReceivedMessage]) -> None:
        sent = [m.sent_at for m in messages if m.sent_at is not None]
        if sent:
            SQS_OLDEST_AGE.set(max(0.0, self._clock() - min(sent)))

    def applied(self, bodies: Sequence[str], result: IngestResult, seconds: float) -> None:
        BATCH_SIZE.observe(len(bodies))
        APPLY_SECONDS.observe(seconds)
        counts = result.summary()
        for outcome in _OUTCOMES:
            value = counts.get(outcome, 0)
            if value:
                EVENTS.labels(outcome=outcome).inc(value)
        for rejection in result.rejections:
            DEAD_LETTERS.labels(code=rejection.code).inc()
        if result.isolations:
            POISON_ISOLATIONS.inc(result.isolations)
        if result.unsettled:
            BODIES_UNSETTLED.inc(len(result.unsettled))
        for kind, value in collections.Counter(map(event_type_of, bodies)).items():
            BODIES_BY_TYPE.labels(event_type=kind).inc(value)
        if result.applied or result.unparked or result.ignored or result.parked:
            LAST_APPLIED.set(self._clock())

    def deleted(self, outcome: DeleteOutcome) -> None:
        if outcome.deleted:
            SQS_DELETES.labels(result="deleted").inc(outcome.deleted)
        if outcome.failed:
            SQS_DELETES.labels(result="failed").inc(len(outcome.failed))

    def failed(self, error: BaseException) -> None:
        BATCH_FAILURES.labels(error=type(error).__name__).inc()


def observe_queue(stats: QueueStats) -> None:
    SQS_MESSAGES.labels(state="visible").set(stats.visible)
    SQS_MESSAGES.labels(state="in_flight").set(stats.in_flight)
    SQS_MESSAGES.labels(state="delayed").set(stats.delayed)


# --------------------------------------------------------------------------- exposition


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def metrics_registry() -> CollectorRegistry:
    """The registry to expose: aggregated over processes in multiprocess mode."""
    if multiprocess_dir() is None:
        source = REGISTRY
    else:
        source = CollectorRegistry()
        collector: Any = multiprocess.MultiProcessCollector  # untyped in prometheus_client
        collector(source)
    registry = CollectorRegistry()
    registry.register(_Proxy(source))
    return registry


class _Proxy(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterable[Any]:
        return self._source.collect()


def metrics_wsgi_app() -> Any:
    """A WSGI app answering ``/metrics`` (mount it anywhere, e.g. under the support API)."""
    return make_wsgi_app(metrics_registry())


def serve_metrics(port: int, address: str = "0.0.0.0") -> Any:  # noqa: S104
    """Serve ``/metrics`` from a daemon thread; returns (server, thread)."""
    from prometheus_client import start_http_server

    return start_http_server(port, addr=address, registry=metrics_registry())


def clear_multiprocess_dir() -> None:
    """Empty the multiprocess directory (call once when the worker starts, before any
    child process writes to it)."""
    directory = multiprocess_dir()
    if directory is None:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for item in path.glob("*.db"):
        item.unlink(missing_ok=True)


def mark_process_dead(pid: int) -> None:
    """Drop a dead child's live gauges (call from the pool's process-exit hook)."""
    if multiprocess_dir() is not None:
        mark: Any = multiprocess.mark_process_dead  # untyped in prometheus_client
        mark(pid)
