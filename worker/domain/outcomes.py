"""The outcome vocabulary: statuses, reasons and their ranks (the contract in outcomes.md).

These strings are stable identifiers read by support, reports, alerts and scripts.
Changing one is a breaking change.
"""

from __future__ import annotations

from enum import StrEnum


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


#: Which status every reason belongs to. Each reason has exactly one status.
STATUS_OF_REASON: dict[Reason, Status] = {
    Reason.AWAITING_FEEDBACK: Status.SENT,
    Reason.DELIVERY_DELAYED: Status.SENT,
    Reason.ACCEPTED: Status.DELIVERED,
    Reason.MAILBOX_NOT_FOUND: Status.BOUNCED,
    Reason.DOMAIN_NOT_FOUND: Status.BOUNCED,
    Reason.MAILBOX_DISABLED: Status.BOUNCED,
    Reason.MAILBOX_FULL: Status.BOUNCED,
    Reason.MESSAGE_TOO_LARGE: Status.BOUNCED,
    Reason.SUPPRESSED: Status.BOUNCED,
    Reason.REJECTED: Status.BOUNCED,
    Reason.RENDERING_FAILURE: Status.BOUNCED,
    Reason.HARD_BOUNCE: Status.BOUNCED,
    Reason.SOFT_BOUNCE: Status.BOUNCED,
    Reason.UNDETERMINED: Status.BOUNCED,
    Reason.AUTH_FAILED: Status.QUARANTINED,
    Reason.SENDER_BLOCKLISTED: Status.QUARANTINED,
    Reason.ATTACHMENT_REJECTED: Status.QUARANTINED,
    Reason.SPAM_FILTERED: Status.QUARANTINED,
    Reason.SECURITY_GATEWAY: Status.QUARANTINED,
    Reason.POLICY_BLOCKED: Status.QUARANTINED,
    Reason.COMPLAINT: Status.QUARANTINED,
    Reason.NO_FEEDBACK: Status.UNKNOWN,
    Reason.DELAYED_NO_OUTCOME: Status.UNKNOWN,
}

# Rank per "Which event wins": sent/awaiting < sent/delayed < unknown < delivered
# < bounced-or-quarantined (from a bounce, or SES-not-attempted) < quarantined/complaint.
RANK_AWAITING = 0
RANK_DELAYED = 1
RANK_UNKNOWN = 2
RANK_DELIVERED = 3
RANK_FAILED = 4
RANK_COMPLAINT = 5


def rank_of(reason: Reason) -> int:
    """Rank of an outcome in the "which event wins" order; higher wins."""
    if reason is Reason.AWAITING_FEEDBACK:
        return RANK_AWAITING
    if reason is Reason.DELIVERY_DELAYED:
        return RANK_DELAYED
    if reason in (Reason.NO_FEEDBACK, Reason.DELAYED_NO_OUTCOME):
        return RANK_UNKNOWN
    if reason is Reason.ACCEPTED:
        return RANK_DELIVERED
    if reason is Reason.COMPLAINT:
        return RANK_COMPLAINT
    return RANK_FAILED


def is_final(status: Status) -> bool:
    """Bounced and quarantined are final in the contract; the rest may still change."""
    return status in (Status.BOUNCED, Status.QUARANTINED)
