"""The drain, assembled from settings: what the Celery task and ``inboxgap drain`` run.

This extends the app (:func:`worker.bootstrap.app.build_app`: notification log, SNS
verifier, clock) with the parts only the drain needs: the SQS queue, the metrics observer,
the batch limits and the crash drill's fault hook. Build it lazily in each process: a
Celery prefork child builds its own (database pools and HTTP connections must not cross
a fork).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from config.settings import Settings
from worker.adapters.sqs import SqsQueue, SqsRefusedError, sqs_client
from worker.bootstrap.app import build_app
from worker.bootstrap.engines import auto_upgrades, ensure_schema
from worker.bootstrap.faults import fault_hook_from_env
from worker.handlers.drain import (
    DrainLimits,
    DrainObserver,
    DrainReport,
    FaultHook,
    FaultInjectingLog,
    StagedApply,
    drain_queue,
    no_fault,
)
from worker.handlers.ingest import IngestResult
from worker.handlers.ports.queue import MessageQueue
from worker.metrics import PrometheusDrainObserver, observe_queue

__all__ = ["Drainer", "build_drainer", "build_sqs_queue", "limits_from_settings"]


def limits_from_settings(settings: Settings, *, max_run_time: float | None = None) -> DrainLimits:
    return DrainLimits(
        batch_size=settings.sqs_batch_size,
        batch_wait=settings.sqs_batch_wait,
        poll_wait=settings.sqs_wait_time,
        concurrency=settings.sqs_concurrency,
        max_run_time=max_run_time if max_run_time is not None else settings.drain_max_run_time,
    )


def build_sqs_queue(settings: Settings) -> SqsQueue:
    """The configured feedback queue (the read timeout outlasts a long poll)."""
    if not settings.sqs_queue_url:
        raise SqsRefusedError(
            "INBOXGAP_SQS_QUEUE_URL is not set: set it to the SQS queue of SES feedback "
            "(https://sqs.<region>.amazonaws.com/<account>/<queue>)"
        )
    client = sqs_client(
        region=settings.aws_region,
        endpoint_url=settings.sqs_endpoint_url,
        read_timeout=settings.sqs_wait_time + 15.0,
    )
    return SqsQueue(
        client, settings.sqs_queue_url, visibility_timeout=settings.sqs_visibility_timeout
    )


@dataclass
class Drainer:
    """Everything one drain run needs, built once per process."""

    settings: Settings
    queue: MessageQueue
    apply: Callable[[Sequence[str]], IngestResult]
    observer: DrainObserver
    fault: FaultHook = no_fault
    #: ``apply`` in halves, so a pipelined drain prepares the next batch ahead.
    staged: StagedApply | None = None

    def run(
        self, *, max_run_time: float | None = None, max_batches: int | None = None
    ) -> DrainReport:
        limits = limits_from_settings(self.settings, max_run_time=max_run_time)
        report = drain_queue(
            self.queue,
            self.apply,
            limits,
            observer=self.observer,
            max_batches=max_batches,
            fault=self.fault,
            staged=self.staged,
        )
        self.sample_queue()
        return report

    def sample_queue(self) -> None:
        """Update the queue-depth gauges (one GetQueueAttributes call)."""
        stats = getattr(self.queue, "stats", None)
        if stats is not None:
            observe_queue(stats())


def drainer_from_environment() -> Drainer:
    """The drain as the environment configures it (``inboxgap drain``)."""
    from config.settings import get_settings

    return build_drainer(get_settings())


def build_drainer(
    settings: Settings,
    *,
    queue: MessageQueue | None = None,
    observer: DrainObserver | None = None,
) -> Drainer:
    app = build_app(settings)
    ensure_schema(app.require_engine(), auto_upgrade=auto_upgrades(settings.database_url))
    fault = fault_hook_from_env()  # the crash drill only; read once per process
    if fault is not None:
        # The "before commit" fault point sits inside the log's transaction.
        app = dataclasses.replace(app, log=FaultInjectingLog(app.log, fault))
    return Drainer(
        settings=settings,
        queue=queue or build_sqs_queue(settings),
        apply=app.ingest,
        observer=observer or PrometheusDrainObserver(),
        fault=fault or no_fault,
        staged=app,
    )
