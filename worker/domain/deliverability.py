"""Can the sending application still email this address? The answer for its own UI.

Owns the decision behind ``GET /api/v1/recipients/{email}/deliverability`` and the
``state``/``since``/``reason``/``user_message``/``actions`` fields of ``inboxgap recipient
--json``, and whether an unsuppress request must be refused. Pure: it reads the
recipient's recent outcomes and its suppression-list entry, and every reason set it uses
is derived from :data:`worker.domain.outcomes.REASONS`, not listed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from worker.domain.outcomes import REASONS, Reason, ReasonSpec, Status


class State(StrEnum):
    OK = "ok"
    AT_RISK = "at_risk"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"


class Action(StrEnum):
    VERIFY_ADDRESS = "verify_address"
    UNSUPPRESS = "unsuppress"
    CONTACT_IT = "contact_it"


#: How many soft bounces or quarantines since the last delivery make an address at risk
#: ("repeated": one can be a passing fault of the receiving server).
AT_RISK_AFTER = 2


@dataclass(frozen=True, slots=True)
class Outcome:
    """One notification's current outcome: its reason and when it was reached
    (fixed-width UTC text, so text order is time order)."""

    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class Deliverability:
    state: State
    since: str | None
    reason: str | None
    user_message: str
    actions: tuple[Action, ...]


MESSAGE_MISSING = (
    "We couldn't deliver email to this address: it doesn't seem to exist. Check it is "
    "spelled right, or give us a different address."
)
MESSAGE_SUSPENDED = (
    "We couldn't deliver email to this address, so we have stopped sending to it for now: "
    "check it is spelled right and can receive mail from outside your organisation."
)
MESSAGE_FILTERED = (
    "Some of our emails to this address were blocked or filtered before they reached the "
    "inbox. Check your spam or junk folder, and ask your IT team to allow mail from us."
)
MESSAGE_TROUBLE = (
    "We're having trouble emailing this address: recent emails could not be delivered. "
    "Check the mailbox is not full and can receive mail from outside your organisation."
)
MESSAGE_OK = "Email to this address is being delivered."
MESSAGE_UNKNOWN = "We don't know yet whether email reaches this address."


def _spec(outcome: Outcome) -> ReasonSpec | None:
    try:
        return REASONS[Reason(outcome.reason)]
    except ValueError:  # a reason this version does not know says nothing
        return None


def _hard(spec: ReasonSpec) -> bool:
    # A bounce that says the address itself is gone (what SES suppresses it for).
    return spec.status is Status.BOUNCED and spec.condemns_address


def _troubled(spec: ReasonSpec) -> bool:
    # A soft bounce or a filtering verdict on a delivery SES attempted; sender-side
    # refusals (rejected, rendering_failure) say nothing about the address.
    if spec.condemns_address or not spec.delivery_attempted:
        return False
    return spec.status in (Status.BOUNCED, Status.QUARANTINED)


def _decisive(spec: ReasonSpec) -> bool:
    return spec.status in (Status.DELIVERED, Status.BOUNCED, Status.QUARANTINED)


def _since_last_delivery(outcomes: Sequence[Outcome]) -> list[tuple[Outcome, ReasonSpec]]:
    """Outcomes newer than the newest delivery, newest first (order of input ignored)."""
    known = [(o, s) for o in outcomes if (s := _spec(o)) is not None]
    known.sort(key=lambda pair: pair[0].at, reverse=True)
    window = []
    for outcome, spec in known:
        if spec.status is Status.DELIVERED:
            break
        window.append((outcome, spec))
    return window


def assess(
    outcomes: Sequence[Outcome], *, suppressed_since: str | None, cleared_at: str | None = None
) -> Deliverability:
    """The state of an address from its recent outcomes (any order) and, when it is on
    the SES account suppression list, the time it was put there.

    ``cleared_at`` (same text form as :attr:`Outcome.at`): when someone last removed the
    address from the list (the audit trail). Unless it is listed again, a removal that
    followed a hard bounce since the last delivery (what SES lists an address for) sets
    aside every outcome up to it: someone looked and cleared the address, so the next send
    tells, and until then the state is ``unknown`` from the removal. A removal after a
    complaint changes nothing: mail was delivered."""
    if cleared_at is not None and suppressed_since is None:
        before = [outcome for outcome in outcomes if outcome.at <= cleared_at]
        if any(_hard(spec) for _, spec in _since_last_delivery(before)):
            outcomes = [outcome for outcome in outcomes if outcome.at > cleared_at]
            if not outcomes:
                return Deliverability(State.UNKNOWN, cleared_at, None, MESSAGE_UNKNOWN, ())
    window = _since_last_delivery(outcomes)
    hard = [(o, s) for o, s in window if _hard(s)]
    missing = next((o for o, s in hard if s.address_missing), None)
    if suppressed_since is not None or hard:
        newest = hard[0][0].reason if hard else Reason.SUPPRESSED.value
        since = suppressed_since or hard[-1][0].at
        if missing is not None:
            return Deliverability(
                State.SUSPENDED, since, missing.reason, MESSAGE_MISSING, (Action.VERIFY_ADDRESS,)
            )
        # Unsuppressing helps only when it is on the list; a hard bounce SES has not (yet)
        # listed is for the address's owner or their IT to look into.
        then = Action.UNSUPPRESS if suppressed_since is not None else Action.CONTACT_IT
        return Deliverability(
            State.SUSPENDED, since, newest, MESSAGE_SUSPENDED, (Action.VERIFY_ADDRESS, then)
        )
    troubled = [(o, s) for o, s in window if _troubled(s)]
    if len(troubled) >= AT_RISK_AFTER:
        newest_outcome, newest_spec = troubled[0]
        actions: tuple[Action, ...] = (Action.CONTACT_IT,)
        message = MESSAGE_FILTERED
        if newest_spec.status is Status.BOUNCED:
            message, actions = MESSAGE_TROUBLE, (Action.VERIFY_ADDRESS, Action.CONTACT_IT)
        return Deliverability(
            State.AT_RISK, troubled[-1][0].at, newest_outcome.reason, message, actions
        )
    specs = [(o, s) for o in outcomes if (s := _spec(o)) is not None and _decisive(s)]
    if not specs:
        return Deliverability(State.UNKNOWN, None, None, MESSAGE_UNKNOWN, ())
    newest_outcome = max(specs, key=lambda pair: pair[0].at)[0]
    return Deliverability(State.OK, newest_outcome.at, newest_outcome.reason, MESSAGE_OK, ())


def unsuppress_refusal(outcomes: Sequence[Outcome]) -> str | None:
    """The reason an unsuppress must be refused for, or None: the newest decisive
    outcome says the mailbox or its domain does not exist, so mail would bounce again."""
    decisive = [(o, s) for o in outcomes if (s := _spec(o)) is not None and _decisive(s)]
    if not decisive:
        return None
    outcome, spec = max(decisive, key=lambda pair: pair[0].at)
    return outcome.reason if spec.address_missing else None
