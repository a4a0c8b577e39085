"""The status rules: the status of one notification as a function of the *set* of
distinct events seen for it ("Which event wins" in outcomes.md).

Pure: no clock, no I/O. The caller passes ``now`` and the feedback window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from worker.domain.outcomes import (
    RANK_DELAYED,
    RANK_DELIVERED,
    RANK_UNKNOWN,
    REASONS,
    STATUS_OF_REASON,
    Reason,
    Status,
    rank_of,
)
from worker.domain.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class DecidingEvent:
    """One ledger entry that decides a status: its identity, SES timestamp text and reason.

    Entries that decide nothing (opens, clicks, auto-replies, non-failed DSN entries)
    are not passed to the rules at all.
    """

    identity: str
    occurred_at: str
    reason: Reason


@dataclass(frozen=True, slots=True)
class StatusDecision:
    status: Status
    reason: Reason
    #: ISO-8601 UTC text (millisecond precision): when the winning fact happened.
    status_at: str


def _sort_key(event: DecidingEvent) -> tuple[int, str, str]:
    # Code-point comparison of timestamp text and identity, never a collation.
    return (rank_of(event.reason), event.occurred_at, event.identity)


def winning_event(events: Iterable[DecidingEvent]) -> DecidingEvent | None:
    """The event that decides the status: highest rank, then greatest (timestamp, identity).

    Duplicates (same identity) are harmless: ``max`` over a set-like input is idempotent.
    """
    best: DecidingEvent | None = None
    best_key: tuple[int, str, str] | None = None
    for event in events:
        key = _sort_key(event)
        if best_key is None or key > best_key:
            best, best_key = event, key
    return best


def decide_status(
    events: Iterable[DecidingEvent],
    *,
    sent_at: datetime,
    now: datetime,
    feedback_window: timedelta,
) -> StatusDecision:
    """Status, reason and status time of a notification sent at ``sent_at``.

    ``unknown`` comes only from the window: with nothing conclusive (no delivery, bounce,
    complaint...) once ``sent_at + feedback_window`` has passed. Any conclusive event,
    whenever it arrives, outranks it.
    """
    best = winning_event(events)
    if best is not None and rank_of(best.reason) >= RANK_DELIVERED:
        return StatusDecision(STATUS_OF_REASON[best.reason], best.reason, best.occurred_at)
    window_end = sent_at + feedback_window
    if now >= window_end:
        delayed = best is not None and rank_of(best.reason) == RANK_DELAYED
        reason = Reason.DELAYED_NO_OUTCOME if delayed else Reason.NO_FEEDBACK
        return StatusDecision(Status.UNKNOWN, reason, format_timestamp(window_end))
    if best is None:
        return StatusDecision(Status.SENT, Reason.AWAITING_FEEDBACK, format_timestamp(sent_at))
    if best.reason is Reason.AWAITING_FEEDBACK:
        # A Send event only confirms what the log already says; keep the send time.
        return StatusDecision(Status.SENT, Reason.AWAITING_FEEDBACK, format_timestamp(sent_at))
    return StatusDecision(STATUS_OF_REASON[best.reason], best.reason, best.occurred_at)


@dataclass(frozen=True, slots=True)
class WindowRule:
    """What :func:`decide_status` says once the window has passed, as reason sets a store
    applies to a whole chunk of notifications in one statement (the set-based sweep).

    For a notification past its window whose ledger holds no reason in ``overriding``:
    ``status``/``reason`` at ``sent_at + window``, or ``delayed_reason`` when its ledger
    (or its current reason) holds one of ``delaying``. A ledger with an ``overriding``
    reason decides otherwise: such notifications go through :func:`decide_status`.
    ``tests/unit/domain/test_status.py`` checks the two agree for every reason.
    """

    status: str
    reason: str
    delayed_reason: str
    delaying: frozenset[str]
    overriding: frozenset[str]


WINDOW_RULE = WindowRule(
    status=Status.UNKNOWN.value,
    reason=Reason.NO_FEEDBACK.value,
    delayed_reason=Reason.DELAYED_NO_OUTCOME.value,
    delaying=frozenset(r.value for r, spec in REASONS.items() if spec.rank == RANK_DELAYED),
    overriding=frozenset(r.value for r, spec in REASONS.items() if spec.rank >= RANK_UNKNOWN),
)
