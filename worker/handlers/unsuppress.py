"""Lift the SES account-level suppression of an address, and say who did it and why.

Used by ``inboxgap recipient ADDR --unsuppress`` and ``POST
/api/v1/recipients/{email}/unsuppress``. Every request is audited, also when the address
was not on the list (``not_listed``), so "who touched this address" has one answer. A
request for an address whose last outcome says it does not exist is refused before SES is
asked (:class:`UnsuppressRefused`): lifting the suppression would only bounce again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from worker.domain.addresses import InvalidAddress, check_address, mask_address
from worker.domain.deliverability import Outcome, unsuppress_refusal
from worker.handlers.ports.errors import BadInput
from worker.handlers.ports.suppression import (
    REMOVED,
    AuditEntry,
    SuppressedDestination,
    SuppressionAudit,
    SuppressionList,
)

logger = logging.getLogger(__name__)

NOT_LISTED = "not_listed"

#: Shortest acceptable reason: an audit entry must say something.
MIN_REASON_LENGTH = 3


class InvalidUnsuppressRequest(ValueError, BadInput):
    """The request cannot be audited (no address, no actor, no reason)."""


class UnsuppressRefused(RuntimeError):
    """The address's last outcome says the mailbox or its domain does not exist (a
    refusal: the CLI exits 1, the API answers 409; nothing is asked or audited)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"refused: the last email to this address bounced with {reason} (the mailbox "
            "or its domain does not exist), so it would bounce again; check the address"
        )
        self.reason = reason


@dataclass(frozen=True, slots=True)
class UnsuppressResult:
    recipient: str
    action: str  # REMOVED or NOT_LISTED
    previous: SuppressedDestination | None
    audit: AuditEntry

    @property
    def removed(self) -> bool:
        return self.action == REMOVED


def unsuppress_recipient(
    email: str,
    *,
    actor: str,
    why: str,
    now: datetime,
    suppression: SuppressionList,
    audit: SuppressionAudit,
    recent: Sequence[Outcome] = (),
) -> UnsuppressResult:
    """Remove ``email`` from the account's suppression list and record the request.

    Raises :class:`InvalidUnsuppressRequest` for a bad request (nothing is called), and
    :class:`~worker.adapters.suppression.SuppressionError` (or its subclass
    ``SuppressionUnavailable``) when SES refuses or cannot be reached (nothing is audited:
    nothing happened), and :class:`UnsuppressRefused` when ``recent`` (the address's
    newest outcomes) ends in a mailbox or domain that does not exist.
    """
    try:
        address = check_address(email)
    except InvalidAddress as exc:
        raise InvalidUnsuppressRequest(str(exc)) from None
    actor = actor.strip()
    why = " ".join(why.split())
    if not actor:
        raise InvalidUnsuppressRequest("who is asking must be known")
    if len(why) < MIN_REASON_LENGTH:
        raise InvalidUnsuppressRequest(
            f"a reason of at least {MIN_REASON_LENGTH} characters is required for the audit"
        )
    refused_for = unsuppress_refusal(recent)
    if refused_for is not None:
        raise UnsuppressRefused(refused_for)
    previous = suppression.get(address)
    removed = suppression.remove(address) if previous is not None else False
    entry = AuditEntry(
        recipient=address,
        action=REMOVED if removed else NOT_LISTED,
        actor=actor,
        why=why,
        created_at=now,
        ses_reason=previous.reason if previous is not None else None,
        listed_since=previous.last_update_time if previous is not None else None,
    )
    audit.record(entry)
    logger.info("unsuppress %s: %s by %s", mask_address(address), entry.action, actor)
    return UnsuppressResult(address, entry.action, previous, entry)
