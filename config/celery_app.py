"""The Celery app: wiring only (broker, serialisation, limits, queues, beat, signals).

Run it::

    celery -A config.celery_app worker --loglevel INFO      # consumes both queues
    celery -A config.celery_app beat --loglevel INFO        # kicks the drain every few s

Why the drain is a beat-kicked task and not a worker bootstep: see :mod:`tasks.drain`.

Queue and task names live here, in one place; task names are stable strings that do not
depend on module paths. JSON is the only serialisation accepted. Celery does not hijack
the root logger: :mod:`config.logging` owns it, and the signals below bind ``task_id`` and
``task_name`` to every log line of a task.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import structlog
from celery import Celery, signals
from kombu.entity import Queue

from config.logging import configure_logging
from config.settings import Settings, get_settings

_F = TypeVar("_F", bound=Callable[..., Any])

# --- names (stable: other systems send tasks by these names) ----------------------------
QUEUE_DRAIN = "inboxgap.drain"
QUEUE_DEFAULT = "inboxgap"

TASK_DRAIN = "inboxgap.drain"
TASK_RECORD_SENT = "inboxgap.record_sent"
TASK_CHECK_ALERTS = "inboxgap.check_alerts"
TASK_SWEEP = "inboxgap.sweep"
TASK_DELIVER_CALLBACKS = "inboxgap.deliver_callbacks"
#: Where INBOXGAP_CALLBACK_CELERY_TASK is published: Celery's default queue, the one the
#: receiving app's workers consume unless it routes that task elsewhere.
QUEUE_CALLBACK_RECEIVER = "celery"

TASK_ROUTES: dict[str, dict[str, str]] = {
    TASK_DRAIN: {"queue": QUEUE_DRAIN},
    TASK_RECORD_SENT: {"queue": QUEUE_DEFAULT},
    # Away from the drain queue: a slow alert sink or sweep never delays ingestion.
    TASK_CHECK_ALERTS: {"queue": QUEUE_DEFAULT},
    TASK_SWEEP: {"queue": QUEUE_DEFAULT},
    TASK_DELIVER_CALLBACKS: {"queue": QUEUE_DEFAULT},
}

#: How often the feedback-window sweep runs (notifications past the window → unknown).
SWEEP_INTERVAL = 600.0
#: Alert evaluation: every minute, as on-call expects.
ALERTS_INTERVAL = 60.0
#: Status callbacks: a pass every few seconds (each pass drains everything due).
CALLBACKS_INTERVAL = 5.0

# --- limits -----------------------------------------------------------------------------
#: A drain run stops starting batches after ``drain_max_run_time`` (50 s by default); the
#: soft limit leaves room for the batch in hand, the hard limit kills a stuck task.
SOFT_TIME_LIMIT = 240
TIME_LIMIT = 300


def _broker_options(settings: Settings) -> dict[str, Any]:
    if settings.broker_url.startswith("filesystem://") and settings.broker_data_folder:
        folder = settings.broker_data_folder
        Path(folder).mkdir(parents=True, exist_ok=True)
        return {"data_folder_in": folder, "data_folder_out": folder}
    return {"visibility_timeout": 3600}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Beat kicks the drain every ``drain_interval`` seconds; a kick not picked up before
    the next one expires (no pile-up while workers are busy or down)."""
    schedule: dict[str, dict[str, Any]] = {
        "drain-ses-feedback": {
            "task": TASK_DRAIN,
            "schedule": settings.drain_interval,
            "options": {"expires": settings.drain_interval, "queue": QUEUE_DRAIN},
        },
        "check-alerts": {
            "task": TASK_CHECK_ALERTS,
            "schedule": ALERTS_INTERVAL,
            "options": {"expires": ALERTS_INTERVAL - 5, "queue": QUEUE_DEFAULT},
        },
        "sweep-feedback-window": {
            "task": TASK_SWEEP,
            "schedule": SWEEP_INTERVAL,
            "options": {"expires": SWEEP_INTERVAL - 10, "queue": QUEUE_DEFAULT},
        },
    }
    if settings.callback_url or settings.callback_celery_task:  # issue 14
        schedule["deliver-status-callbacks"] = {
            "task": TASK_DELIVER_CALLBACKS,
            "schedule": CALLBACKS_INTERVAL,
            "options": {"expires": CALLBACKS_INTERVAL, "queue": QUEUE_DEFAULT},
        }
    return schedule


#: Celery and kombu ship without type hints: their callables are used through ``Any``.
_queue: Any = Queue


def create_app(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("inboxgap")
    app.conf.update(
        broker_url=settings.broker_url,
        broker_transport_options=_broker_options(settings),
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        event_serializer="json",
        task_ignore_result=True,
        result_backend=None,
        timezone="UTC",
        enable_utc=True,
        task_soft_time_limit=SOFT_TIME_LIMIT,
        task_time_limit=TIME_LIMIT,
        # One message at a time per process: a long drain must not hold other kicks.
        worker_prefetch_multiplier=1,
        # record_sent: a task is acknowledged after it ran, and re-queued if the worker dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_default_queue=QUEUE_DEFAULT,
        task_queues=(_queue(QUEUE_DRAIN), _queue(QUEUE_DEFAULT)),
        task_routes=TASK_ROUTES,
        beat_schedule=beat_schedule(settings),
    )
    # ``tasks/__init__.py`` imports every task module.
    app.autodiscover_tasks(["tasks"], related_name=None)
    return app


app = create_app()

#: ``app.task`` for the modules in ``tasks/`` (typed as Any: Celery has no type hints).
task: Any = app.task


def beat_task(name: str, *, soft_time_limit: int, time_limit: int) -> Callable[[_F], Any]:
    """``app.task`` for a task that beat kicks on a schedule: no result is kept, and the
    message is acknowledged on receipt (a run lost with its worker is not re-queued: the
    next kick does the work)."""
    decorator: Callable[[_F], Any] = task(
        name=name,
        ignore_result=True,
        acks_late=False,
        soft_time_limit=soft_time_limit,
        time_limit=time_limit,
    )
    return decorator


# --- signals: logging, task context, metrics --------------------------------------------


def _setup_logging(**_: Any) -> None:
    configure_logging(get_settings().log_level)


def _bind_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task_name=getattr(task, "name", None))


def _unbind_task(**_: Any) -> None:
    structlog.contextvars.clear_contextvars()


def _worker_init(**_: Any) -> None:
    from worker import metrics

    metrics.clear_multiprocess_dir()
    port = get_settings().metrics_port
    if port:
        metrics.serve_metrics(port)


def _warn_unknown_variables(**_: Any) -> None:
    # Once per worker or beat (not per child): a misspelt INBOXGAP_* name is named at start.
    from worker.bootstrap.environment import log_unknown_variables

    log_unknown_variables(os.environ)


def _child_exited(pid: int | None = None, **_: Any) -> None:
    from worker import metrics

    metrics.mark_process_dead(pid or os.getpid())


_signals: Any = signals
_signals.setup_logging.connect(_setup_logging, weak=False)
_signals.task_prerun.connect(_bind_task, weak=False)
_signals.task_postrun.connect(_unbind_task, weak=False)
_signals.worker_init.connect(_worker_init, weak=False)
_signals.worker_init.connect(_warn_unknown_variables, weak=False)
_signals.beat_init.connect(_warn_unknown_variables, weak=False)
_signals.worker_process_shutdown.connect(_child_exited, weak=False)
