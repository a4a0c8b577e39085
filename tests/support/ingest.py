"""The fixed clock, feedback window and non-sleeping retry that ingest tests share.

One place for them, so a test file says only what is particular to it (its own ``NOW`` where
the day matters) and a change to how handlers take times lands here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.handlers.ingest import IngestResult, apply_batch
from worker.handlers.sends import RecordResult, SendRecord, record_sends
from worker.handlers.transactions import default_retrying

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)
NO_SLEEP = default_retrying(sleep=lambda _seconds: None)
#: When the test sends went out: two hours before ``NOW``.
SENT_AT = "2025-03-04T10:00:00Z"


def ingest(log: Any, bodies: Sequence[str | bytes], **kwargs: Any) -> IngestResult:
    """``apply_batch`` at ``NOW`` with the 24-hour window and a retry that does not sleep."""
    kwargs.setdefault("retrying", NO_SLEEP)
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("feedback_window", WINDOW)
    return apply_batch(bodies, log=log, **kwargs)


def send_record(
    notification_id: str,
    message_id: str,
    recipient: str,
    kind: str | None = "magic_code",
    *,
    sent_at: datetime | str = SENT_AT,
) -> SendRecord:
    """One send of a ``kind`` notification at ``SENT_AT``."""
    return SendRecord.create(
        notification_id=notification_id,
        message_id=message_id,
        recipient=recipient,
        sent_at=sent_at,
        notification_type=kind,
    )


def numbered_sends(
    count: int,
    *,
    notification_id: str = "n{i}",
    message_id: str = "m{i}",
    recipient: str = "user{i}@acme.example",
    sent_at: datetime | str = SENT_AT,
    notification_type: str | None = None,
) -> list[SendRecord]:
    """``count`` sends numbered from 0: each ``{i}`` in the patterns is the number."""
    return [
        SendRecord.create(
            notification_id=notification_id.format(i=i),
            message_id=message_id.format(i=i),
            recipient=recipient.format(i=i),
            sent_at=sent_at,
            notification_type=notification_type,
        )
        for i in range(count)
    ]


def record(log: Any, records: Sequence[SendRecord], **kwargs: Any) -> RecordResult:
    """``record_sends`` at ``NOW`` with the 24-hour window and a retry that does not sleep."""
    kwargs.setdefault("retrying", NO_SLEEP)
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("feedback_window", WINDOW)
    return record_sends(records, log=log, **kwargs)
