"""``inboxgap.record_sent``: a sending application records a send through Celery.

Send it by name from any service (no import of this code needed), to the ``inboxgap``
queue (a sender's own Celery app does not know our routes)::

    celery_app.send_task("inboxgap.record_sent", queue="inboxgap", kwargs={
        "notification_id": "n-8842", "message_id": "0102019560b41c22-...-000000",
        "recipient": "omar@contoso.example", "sent_at": "2025-03-04T10:20:00.120Z",
        "notification_type": "magic_code"})

or several at once with ``records=[{...}, ...]``. Recording the same send twice is a
no-op. An invalid record is rejected (logged, not retried); a database that stays down
through the handler's retries makes the task retry later (it is acknowledged late, so
a worker killed mid-task gets it again).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from config.celery_app import TASK_RECORD_SENT, task
from worker.bootstrap.process import process_app
from worker.handlers.errors import RETRYABLE
from worker.handlers.sends import InvalidSendRecord, SendRecord

logger = structlog.get_logger(__name__)


def run_record_sent(
    records: list[Mapping[str, Any]] | None = None, **fields: Any
) -> dict[str, int]:
    """Record one send (keyword fields) or many (``records``)."""
    raw = list(records or [])
    if fields:
        raw.append(fields)
    parsed: list[SendRecord] = []
    invalid = 0
    for item in raw:
        try:
            parsed.append(SendRecord.from_mapping(item))
        except InvalidSendRecord as exc:
            invalid += 1
            logger.warning("send record rejected", error=str(exc))
    result = process_app().record_sends(parsed)
    return {**result.summary(), "invalid": invalid}


#: The registered task (``task(...)(fn)`` rather than a decorator: Celery is untyped).
record_sent = task(
    name=TASK_RECORD_SENT,
    ignore_result=True,
    acks_late=True,
    autoretry_for=RETRYABLE,
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=20,
)(run_record_sent)
