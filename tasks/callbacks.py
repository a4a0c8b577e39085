"""``inboxgap.deliver_callbacks``: deliver the status-callback outbox (beat, every 5 s, on
the default queue, away from the drain).

Thin: build the outbox and the sender, call :func:`worker.handlers.callbacks.deliver_callbacks`
for at most ``MAX_RUN_SECONDS``. Concurrent runs are safe on PostgreSQL (rows are claimed
with ``FOR UPDATE SKIP LOCKED``). No Celery retry: the next kick picks up what is due.
The first run in a process warns when POSTs would go out unsigned (no
``INBOXGAP_CALLBACK_SECRET``).

``INBOXGAP_CALLBACK_CELERY_TASK`` is done here (the task layer owns Celery):
:class:`CeleryTaskPublisher` sends each body as a task of that name, ``args=[payload]``,
``kwargs={"webhook_id": ...}``, to the ``celery`` queue.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import structlog

from config.celery_app import QUEUE_CALLBACK_RECEIVER, TASK_DELIVER_CALLBACKS, app, beat_task
from config.settings import Settings
from worker.handlers.ports import StoreError
from worker.handlers.ports.callbacks import CallbackSender, OutgoingCallback, SendOutcome

logger = structlog.get_logger(__name__)

#: A run stops claiming new batches after this long; beat kicks again 5 s later.
MAX_RUN_SECONDS = 40.0

# The unsigned-callbacks warning is said once per process (at its first pass), not every
# 5 s with each beat kick.
_unsigned_warned = False


def warn_once(message: str) -> None:
    global _unsigned_warned
    if not _unsigned_warned:
        _unsigned_warned = True
        logger.warning(message)


class CeleryTaskPublisher:
    """Implements :class:`~worker.handlers.ports.callbacks.CallbackSender` with
    ``send_task``; a broker error leaves the row to be retried."""

    def __init__(self, celery_app: Any, task_name: str) -> None:
        self.app = celery_app
        self.task_name = task_name

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        outcomes = []
        for request in requests:
            try:
                self.app.send_task(
                    self.task_name,
                    args=[json.loads(request.body)],
                    kwargs={"webhook_id": request.headers["webhook-id"]},
                    queue=QUEUE_CALLBACK_RECEIVER,
                )
            except Exception as exc:  # kombu/redis errors: retried like a 5xx
                outcomes.append(SendOutcome(request.id, None, f"publish: {type(exc).__name__}"))
                continue
            outcomes.append(SendOutcome(request.id, 200))
        return outcomes


def celery_publisher(settings: Settings) -> CallbackSender | None:
    if not settings.callback_celery_task:
        return None
    return CeleryTaskPublisher(app, settings.callback_celery_task)


@beat_task(TASK_DELIVER_CALLBACKS, soft_time_limit=100, time_limit=120)
def deliver_callbacks() -> dict[str, Any]:
    from worker.bootstrap.callbacks import delivery_pass_from_environment

    try:
        result = delivery_pass_from_environment(
            lambda task_name: CeleryTaskPublisher(app, task_name),
            max_seconds=MAX_RUN_SECONDS,
            warn=warn_once,
        )
    except StoreError as exc:
        logger.warning("callback delivery skipped: storage unavailable", error=str(exc))
        return {"error": type(exc).__name__}
    if result is None:
        return {"enabled": False}
    return result.as_dict()
