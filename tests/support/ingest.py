"""The fixed clock, feedback window and non-sleeping retry that ingest tests share.

One place for them, so a test file says only what is particular to it (its own ``NOW`` where
the day matters) and a change to how handlers take times lands here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.handlers.ingest import IngestResult, apply_batch
from worker.handlers.transactions import default_retrying

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)
NO_SLEEP = default_retrying(sleep=lambda _seconds: None)


def ingest(log: Any, bodies: Sequence[str | bytes], **kwargs: Any) -> IngestResult:
    """``apply_batch`` at ``NOW`` with the 24-hour window and a retry that does not sleep."""
    kwargs.setdefault("retrying", NO_SLEEP)
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("feedback_window", WINDOW)
    return apply_batch(bodies, log=log, **kwargs)
