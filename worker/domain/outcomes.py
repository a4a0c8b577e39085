"""The outcome vocabulary: statuses, reasons and their ranks (the contract in outcomes.md).

These strings are stable identifiers read by support, reports, alerts and scripts.
Changing one is a breaking change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Status(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    QUARANTINED = "quarantined"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    AWAITING_FEEDBACK = "awaiting_feedback"
    DELIVERY_DELAYED = "delivery_delayed"
    ACCEPTED = "accepted"
    MAILBOX_NOT_FOUND = "mailbox_not_found"
    DOMAIN_NOT_FOUND = "domain_not_found"
    MAILBOX_DISABLED = "mailbox_disabled"
    MAILBOX_FULL = "mailbox_full"
    MESSAGE_TOO_LARGE = "message_too_large"
    SUPPRESSED = "suppressed"
    REJECTED = "rejected"
    RENDERING_FAILURE = "rendering_failure"
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCE = "soft_bounce"
    UNDETERMINED = "undetermined"
    AUTH_FAILED = "auth_failed"
    SENDER_BLOCKLISTED = "sender_blocklisted"
    ATTACHMENT_REJECTED = "attachment_rejected"
    SPAM_FILTERED = "spam_filtered"
    SECURITY_GATEWAY = "security_gateway"
    POLICY_BLOCKED = "policy_blocked"
    COMPLAINT = "complaint"
    NO_FEEDBACK = "no_feedback"
    DELAYED_NO_OUTCOME = "delayed_no_outcome"


# Rank per "Which event wins": sent/awaiting < sent/delayed < unknown < delivered
# < bounced-or-quarantined (from a bounce, or SES-not-attempted) < quarantined/complaint.
RANK_AWAITING = 0
RANK_DELAYED = 1
RANK_UNKNOWN = 2
RANK_DELIVERED = 3
RANK_FAILED = 4
RANK_COMPLAINT = 5


@dataclass(frozen=True, slots=True)
class ReasonSpec:
    """What one reason means, in every respect the rest of the code asks about.

    ``counts_in_bounce_rate``: AWS counts it in the reputation bounce rate (a permanent
    failure of the address or domain). ``delivery_attempted``: SES tried to deliver (false
    for sends it refused itself: they are not part of the eligible volume).
    ``condemns_address``: it says something about the address itself (what puts it on
    SES's suppression list). ``address_missing``: the address or its domain does not
    exist, so lifting a suppression would only bounce again.
    """

    status: Status
    rank: int
    counts_in_bounce_rate: bool = False
    delivery_attempted: bool = True
    condemns_address: bool = False
    address_missing: bool = False


def _bounce(
    *, hard: bool = False, attempted: bool = True, condemns: bool = False, missing: bool = False
) -> ReasonSpec:
    return ReasonSpec(Status.BOUNCED, RANK_FAILED, hard, attempted, condemns, missing)


def _quarantine(rank: int = RANK_FAILED, *, condemns: bool = False) -> ReasonSpec:
    return ReasonSpec(Status.QUARANTINED, rank, condemns_address=condemns)


# Not counted in the bounce rate: soft bounces (``soft_bounce``, ``mailbox_full``,
# ``message_too_large`` are Transient in SES), ``undetermined``, filtering verdicts
# (quarantined), and ``suppressed``, which is mostly ``OnAccountSuppressionList`` (the log
# keeps no bounce subtype, so the rarer global-list ``Suppressed`` is left out too).
#: The one reason table: every set of reasons elsewhere is derived from it.
REASONS: Mapping[Reason, ReasonSpec] = MappingProxyType(
    {
        Reason.AWAITING_FEEDBACK: ReasonSpec(Status.SENT, RANK_AWAITING),
        Reason.DELIVERY_DELAYED: ReasonSpec(Status.SENT, RANK_DELAYED),
        Reason.ACCEPTED: ReasonSpec(Status.DELIVERED, RANK_DELIVERED),
        Reason.MAILBOX_NOT_FOUND: _bounce(hard=True, condemns=True, missing=True),
        Reason.DOMAIN_NOT_FOUND: _bounce(hard=True, condemns=True, missing=True),
        Reason.MAILBOX_DISABLED: _bounce(hard=True, condemns=True),
        Reason.MAILBOX_FULL: _bounce(),
        Reason.MESSAGE_TOO_LARGE: _bounce(),
        Reason.SUPPRESSED: _bounce(attempted=False, condemns=True),
        Reason.REJECTED: _bounce(attempted=False),
        Reason.RENDERING_FAILURE: _bounce(attempted=False),
        Reason.HARD_BOUNCE: _bounce(hard=True, condemns=True),
        Reason.SOFT_BOUNCE: _bounce(),
        Reason.UNDETERMINED: _bounce(),
        Reason.AUTH_FAILED: _quarantine(),
        Reason.SENDER_BLOCKLISTED: _quarantine(),
        Reason.ATTACHMENT_REJECTED: _quarantine(),
        Reason.SPAM_FILTERED: _quarantine(),
        Reason.SECURITY_GATEWAY: _quarantine(),
        Reason.POLICY_BLOCKED: _quarantine(),
        Reason.COMPLAINT: _quarantine(RANK_COMPLAINT, condemns=True),
        Reason.NO_FEEDBACK: ReasonSpec(Status.UNKNOWN, RANK_UNKNOWN),
        Reason.DELAYED_NO_OUTCOME: ReasonSpec(Status.UNKNOWN, RANK_UNKNOWN),
    }
)

# Import-time check: a reason added to the enum without its entry fails here, not later as
# a quietly wrong bounce rate.
_missing = set(Reason) - set(REASONS)
if _missing:  # pragma: no cover - fails at import when a reason lacks its entry
    raise RuntimeError(f"reasons without an entry in REASONS: {sorted(_missing)}")


def reasons_where(predicate: Callable[[ReasonSpec], bool]) -> frozenset[Reason]:
    """The reasons whose spec satisfies ``predicate`` (how every reason set is derived)."""
    return frozenset(reason for reason, spec in REASONS.items() if predicate(spec))


#: Which status every reason belongs to. Each reason has exactly one status.
STATUS_OF_REASON: dict[Reason, Status] = {reason: spec.status for reason, spec in REASONS.items()}


def rank_of(reason: Reason) -> int:
    """Rank of an outcome in the "which event wins" order; higher wins."""
    return REASONS[reason].rank


def is_final(status: Status) -> bool:
    """Bounced and quarantined are final in the contract; the rest may still change."""
    return status in (Status.BOUNCED, Status.QUARANTINED)
