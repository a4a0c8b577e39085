"""``inboxgap.drain``: drain SES feedback from SQS (see :mod:`worker.handlers.drain`).

Why a task kicked by beat rather than a worker bootstep
--------------------------------------------------------
SES events are not Celery messages, so something must *pull* them from SQS. A bootstep
(a consumer loop living inside each worker process) would be one more long-lived thread
per process that Celery's pool, time limits and shutdown know nothing about. Instead, beat
sends ``inboxgap.drain`` every ``INBOXGAP_DRAIN_INTERVAL`` seconds (default 5) with an
``expires`` of the same length, and each run drains for at most
``INBOXGAP_DRAIN_MAX_RUN_TIME`` seconds (default 50) or until a long poll comes back
empty. So:

* every process of every worker host can be draining at once: while there is a backlog,
  runs overlap and all pool processes pull from the queue; SQS hands different messages
  to concurrent receivers, and the ledger dedupes the rare redelivery;
* a run is an ordinary task: time limits, ``kill -9`` and restarts work as for any task,
  and a worker stays responsive to other tasks (``inboxgap.record_sent``) and to shutdown;
* kicks never pile up: one not picked up before the next is due expires;
* when idle, the cost is one long poll per kick.

Nothing depends on a kick being delivered exactly once: the SQS message, not the Celery
message, is the unit of durability (deleted only after the commit).
"""

from __future__ import annotations

from typing import Any

import structlog
from celery.exceptions import SoftTimeLimitExceeded

from config.celery_app import TASK_DRAIN, task
from worker.bootstrap.process import drainer
from worker.handlers.errors import RETRYABLE
from worker.handlers.ports import SchemaNotReadyError

logger = structlog.get_logger(__name__)

#: Errors after which the messages in hand come back by themselves (nothing deleted):
#: logged, and the next kick tries again (storage, SQS, SNS certificates: every
#: :class:`~worker.handlers.ports.errors.Retryable`).
RETRY_LATER = RETRYABLE


def run_drain(max_run_time: float | None = None) -> dict[str, Any]:
    """Drain for at most ``max_run_time`` seconds (default: the setting)."""
    try:
        report = drainer().run(max_run_time=max_run_time)
    except RETRY_LATER as exc:
        logger.warning("drain stopped; will retry at the next kick", error=str(exc))
        return {"stopped": "retry_later", "error": type(exc).__name__}
    except SchemaNotReadyError as exc:
        logger.error("drain cannot run: the notification log is not ready", error=str(exc))
        return {"stopped": "schema_not_ready"}
    except SoftTimeLimitExceeded:
        logger.error("drain hit the soft time limit; messages in hand will be redelivered")
        return {"stopped": "time_limit"}
    summary = report.summary()
    if report.batches:
        logger.info("drain finished", **summary)
    return summary


#: The registered task (``task(...)(fn)`` rather than a decorator: Celery is untyped).
drain = task(name=TASK_DRAIN, ignore_result=True, acks_late=False)(run_drain)
