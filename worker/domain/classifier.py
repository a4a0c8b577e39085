"""Classifier: what one event means for each of its recipients (outcomes.md, "How one
event is classified"). Stub while the implementation lands."""

from __future__ import annotations

from dataclasses import dataclass

from worker.domain.events import EventType, FeedbackEvent
from worker.domain.outcomes import Reason, Status


@dataclass(frozen=True, slots=True)
class Verdict:
    """A decided outcome for one recipient, with what support needs to explain it."""

    status: Status
    reason: Reason
    smtp_status: str | None = None
    provider: str | None = None
    help_url: str | None = None


@dataclass(frozen=True, slots=True)
class RecipientOutcome:
    """One (event, recipient) pair: the ledger row to be. ``verdict`` is None when the
    event decides nothing for this recipient (open, click, auto-reply, not-spam...)."""

    identity: str
    address: str
    original: str
    event_type: EventType
    occurred_at: str
    verdict: Verdict | None
    diagnostic: str | None


def classify_bounce_entry(
    *,
    bounce_type: str | None,
    bounce_subtype: str | None,
    action: str | None,
    status: str | None,
    diagnostic: str | None,
    reporting_mta: str | None = None,
    remote_mta: str | None = None,
) -> Verdict | None:
    raise NotImplementedError


def classify_event(event: FeedbackEvent) -> tuple[RecipientOutcome, ...]:
    raise NotImplementedError
