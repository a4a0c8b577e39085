"""The recipient overview: one address's health, suppression state and audit trail, and
its deliverability answer for the sending application's UI.

Assembled here once for ``inboxgap recipient`` and ``GET /api/v1/recipients/{email}``, so
the CLI and the API cannot drift apart in what they read or how a suppression-list
failure is reported (as text beside the rest, not as a failed request).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from worker.domain.deliverability import Deliverability, Outcome, State, assess
from worker.domain.timestamps import format_timestamp
from worker.handlers.ports.suppression import (
    REMOVED,
    AuditEntry,
    SuppressedDestination,
    SuppressionAudit,
    SuppressionError,
    SuppressionList,
)
from worker.queries.support_views import NotificationView, RecipientHealth, describe


class HealthReader(Protocol):
    def recipient_health(self, email: str, *, since: datetime | None = None) -> RecipientHealth:
        """Recent notifications and failure history of ``email``."""
        ...


class OutcomeReader(Protocol):
    def recipient_outcomes(self, email: str, *, recent: int = 20) -> list[Outcome]:
        """Reason and time of the newest notifications to ``email``."""
        ...


@dataclass(frozen=True, slots=True)
class RecipientOverview:
    """Everything support is shown about one address."""

    health: RecipientHealth
    views: list[NotificationView]
    suppressed: SuppressedDestination | None
    suppression_error: str | None
    audit: list[AuditEntry]
    deliverability: Deliverability


def recipient_overview(
    email: str,
    *,
    since: datetime | None,
    now: datetime,
    region: str,
    queries: HealthReader,
    suppression: SuppressionList,
    audit: SuppressionAudit,
) -> RecipientOverview:
    """Read and describe one address. Log and audit failures propagate; a suppression
    list that cannot be asked is reported in ``suppression_error`` instead."""
    health = queries.recipient_health(email, since=since)
    views = [describe(record, now=now, region=region) for record in health.recent]
    history = list(audit.history(email))
    suppressed, error = None, None
    try:
        suppressed = suppression.get(email)
    except SuppressionError as exc:
        error = str(exc)
    outcomes = [Outcome(record.reason, record.status_at) for record in health.recent]
    answer = assess(
        outcomes, suppressed_since=_listed_since(suppressed), cleared_at=_cleared_at(history)
    )
    return RecipientOverview(health, views, suppressed, error, history, answer)


@dataclass(frozen=True, slots=True)
class DeliverabilityAnswer:
    """The deliverability of one address, and why the suppression list was not read."""

    recipient: str
    deliverability: Deliverability
    suppression_error: str | None


def _listed_since(entry: SuppressedDestination | None) -> str | None:
    return entry.last_update_time if entry is not None else None


def _cleared_at(history: Sequence[AuditEntry]) -> str | None:
    """When the address was last removed from the suppression list, in the form of
    :attr:`Outcome.at`, or None."""
    removals = [entry.created_at for entry in history if entry.action == REMOVED]
    return _text_or_none(max(removals) if removals else None)


def _text_or_none(moment: datetime | None) -> str | None:
    return format_timestamp(moment) if moment is not None else None


def recipient_deliverability(
    email: str, *, queries: OutcomeReader, suppression: SuppressionList, audit: SuppressionAudit
) -> DeliverabilityAnswer:
    """Only what the answer needs: the newest outcomes and the suppression-list entry;
    the newest removal from the list in the audit trail only when a hard bounce the list
    no longer holds suspends the address (the one answer a removal can change). A list
    that cannot be asked leaves the answer to the log, and says so."""
    outcomes = queries.recipient_outcomes(email)
    suppressed, error = None, None
    try:
        suppressed = suppression.get(email)
    except SuppressionError as exc:
        error = str(exc)
    listed_since = _listed_since(suppressed)
    answer = assess(outcomes, suppressed_since=listed_since)
    if answer.state is State.SUSPENDED and listed_since is None:
        cleared_at = _text_or_none(audit.last_removal(email))
        if cleared_at is not None:
            answer = assess(outcomes, suppressed_since=None, cleared_at=cleared_at)
    return DeliverabilityAnswer(email, answer, error)
