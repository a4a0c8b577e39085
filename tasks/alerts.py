"""``inboxgap.check_alerts``: evaluate the alert rules (beat, every minute).

Thin: build the alerting dependencies, call :func:`worker.handlers.alerts.check_alerts`.
No Celery retry: beat runs it again a minute later, and a kick not started within the
minute expires (``expires`` in the beat entry), so runs never pile up. Concurrent runs
are safe (compare-and-set state, leased outbox): one notification per transition.
"""

from __future__ import annotations

from typing import Any

import structlog

from config.celery_app import TASK_CHECK_ALERTS, beat_task
from worker.bootstrap.process import alerting
from worker.domain.timestamps import parse_timestamp
from worker.handlers.errors import NEXT_KICK

logger = structlog.get_logger(__name__)


@beat_task(TASK_CHECK_ALERTS, soft_time_limit=50, time_limit=60)
def check_alerts(now: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Evaluate at ``now`` (ISO-8601; default: the current time)."""
    moment = parse_timestamp(now) if now else None
    try:
        views = alerting().check(moment, dry_run=dry_run)
    except NEXT_KICK as exc:
        logger.warning("alert check skipped: storage unavailable", error=str(exc))
        return {"error": type(exc).__name__}
    return {
        "firing": sum(1 for v in views if v.state == "firing"),
        "resolved": sum(1 for v in views if v.state == "resolved"),
    }
