"""``inboxgap.sweep``: notifications still ``sent`` past the feedback window become
``unknown`` (beat, every 10 minutes).

Thin: build the app, call :func:`worker.handlers.sweep.sweep`. Safe beside ingestion and
other sweeps (each status is recomputed under its row lock). No Celery retry: the next
kick does the same work.
"""

from __future__ import annotations

import structlog

from config.celery_app import TASK_SWEEP, beat_task
from worker.bootstrap.process import current_app
from worker.handlers.errors import NEXT_KICK

logger = structlog.get_logger(__name__)


@beat_task(TASK_SWEEP, soft_time_limit=500, time_limit=560)
def sweep_feedback_window() -> dict[str, int]:
    try:
        result = current_app().sweep()
    except NEXT_KICK as exc:
        logger.warning("sweep skipped: storage unavailable", error=str(exc))
        return {"changed": 0}
    logger.info(
        "feedback-window sweep",
        examined=result.examined,
        changed=result.changed,
        reattached=result.reattached,
    )
    return {"examined": result.examined, "changed": result.changed}
