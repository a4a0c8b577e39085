"""The deliverability answer: state, since, reason, user message and actions of an address
from its recent outcomes, and when an unsuppress is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.domain.deliverability import (
    MESSAGE_FILTERED,
    MESSAGE_MISSING,
    MESSAGE_SUSPENDED,
    MESSAGE_TROUBLE,
    Action,
    Outcome,
    State,
    assess,
    unsuppress_refusal,
)
from worker.domain.outcomes import REASONS, Reason, Status, reasons_where


def _at(minute: int) -> str:
    return f"2026-12-07T10:{minute:02d}:00.000000Z"


def _history(*reasons: str) -> list[Outcome]:
    """Outcomes oldest first, one minute apart."""
    return [Outcome(reason, _at(i)) for i, reason in enumerate(reasons)]


V, U, C = Action.VERIFY_ADDRESS, Action.UNSUPPRESS, Action.CONTACT_IT

CASES = [
    # (history oldest first, on list since, state, since, reason, actions)
    ((), None, State.UNKNOWN, None, None, ()),
    (("awaiting_feedback", "no_feedback"), None, State.UNKNOWN, None, None, ()),
    (("accepted",), None, State.OK, _at(0), "accepted", ()),
    (("accepted", "soft_bounce"), None, State.OK, _at(1), "soft_bounce", ()),
    (("soft_bounce", "accepted", "mailbox_full"), None, State.OK, _at(2), "mailbox_full", ()),
    (
        ("accepted", "soft_bounce", "mailbox_full"),
        None,
        State.AT_RISK,
        _at(1),
        "mailbox_full",
        (V, C),
    ),
    (("spam_filtered", "security_gateway"), None, State.AT_RISK, _at(0), "security_gateway", (C,)),
    (("rejected", "rendering_failure"), None, State.OK, _at(1), "rendering_failure", ()),
    (("accepted", "mailbox_not_found"), None, State.SUSPENDED, _at(1), "mailbox_not_found", (V,)),
    (("domain_not_found", "accepted"), None, State.OK, _at(1), "accepted", ()),
    (
        ("accepted", "hard_bounce", "soft_bounce"),
        None,
        State.SUSPENDED,
        _at(1),
        "hard_bounce",
        (V, C),
    ),
    (("accepted",), _at(30), State.SUSPENDED, _at(30), "suppressed", (V, U)),
    (("accepted", "suppressed"), _at(30), State.SUSPENDED, _at(30), "suppressed", (V, U)),
    (("mailbox_disabled",), _at(30), State.SUSPENDED, _at(30), "mailbox_disabled", (V, U)),
    (("mailbox_not_found",), _at(30), State.SUSPENDED, _at(30), "mailbox_not_found", (V,)),
    # A complaint is not a hard bounce: the address works (SES lists it if it does).
    (("accepted", "complaint"), None, State.OK, _at(1), "complaint", ()),
    (("made_up_reason", "accepted"), None, State.OK, _at(1), "accepted", ()),
]


@pytest.mark.parametrize(("history", "listed", "state", "since", "reason", "actions"), CASES)
def test_state_since_reason_actions(
    history: tuple[str, ...],
    listed: str | None,
    state: State,
    since: str | None,
    reason: str | None,
    actions: tuple[Action, ...],
) -> None:
    answer = assess(_history(*history), suppressed_since=listed)
    assert (answer.state, answer.since, answer.reason, answer.actions) == (
        state,
        since,
        reason,
        actions,
    )


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (("mailbox_not_found",), MESSAGE_MISSING),
        (("hard_bounce",), MESSAGE_SUSPENDED),
        (("spam_filtered", "policy_blocked"), MESSAGE_FILTERED),
        (("soft_bounce", "soft_bounce"), MESSAGE_TROUBLE),
    ],
)
def test_user_message_is_for_the_end_user(history: tuple[str, ...], message: str) -> None:
    answer = assess(_history(*history), suppressed_since=None)
    assert answer.user_message == message
    # Plain words: no reason identifiers or SMTP jargon reach the end user.
    assert not any(r.value in answer.user_message for r in Reason)
    assert "SMTP" not in answer.user_message and "SES" not in answer.user_message


def test_reason_sets_come_from_the_table() -> None:
    missing = reasons_where(lambda spec: spec.address_missing)
    assert missing == {Reason.MAILBOX_NOT_FOUND, Reason.DOMAIN_NOT_FOUND}
    assert all(REASONS[r].condemns_address for r in missing)


reasons = st.sampled_from([r.value for r in Reason])
histories = st.lists(reasons, max_size=12)


@given(histories, st.permutations(range(12)))
def test_order_of_the_input_does_not_matter(history: list[str], order: list[int]) -> None:
    outcomes = _history(*history)
    shuffled = [outcomes[i] for i in order if i < len(outcomes)]
    assert assess(shuffled, suppressed_since=None) == assess(outcomes, suppressed_since=None)


@given(histories)
def test_a_delivery_last_means_ok_unless_listed(history: list[str]) -> None:
    answer = assess(_history(*history, "accepted"), suppressed_since=None)
    assert answer.state is State.OK
    listed = assess(_history(*history, "accepted"), suppressed_since=_at(59))
    assert listed.state is State.SUSPENDED and Action.UNSUPPRESS in listed.actions


@given(histories)
def test_only_a_listed_address_is_offered_unsuppress(history: list[str]) -> None:
    answer = assess(_history(*history), suppressed_since=None)
    assert Action.UNSUPPRESS not in answer.actions
    assert (answer.state in (State.OK, State.UNKNOWN)) == (answer.actions == ())


@given(histories)
def test_refusal_follows_the_newest_decisive_outcome(history: list[str]) -> None:
    refused = unsuppress_refusal(_history(*history))
    decisive = [
        r
        for r in history
        if REASONS[Reason(r)].status in (Status.DELIVERED, Status.BOUNCED, Status.QUARANTINED)
    ]
    if decisive and REASONS[Reason(decisive[-1])].address_missing:
        assert refused == decisive[-1]
    else:
        assert refused is None


CLEARED_CASES = [
    # (history oldest first, cleared at minute, state, since, reason)
    # A removal after a hard bounce: the next send tells; until then unknown.
    (("accepted", "hard_bounce"), 30, State.UNKNOWN, _at(30), None),
    (("accepted", "suppressed"), 30, State.UNKNOWN, _at(30), None),
    (("mailbox_disabled", "suppressed"), 30, State.UNKNOWN, _at(30), None),
    # ... and what came after the removal decides.
    (("hard_bounce",) + ("no_feedback",) * 30 + ("accepted",), 10, State.OK, _at(31), "accepted"),
    (
        ("hard_bounce",) + ("no_feedback",) * 30 + ("hard_bounce",),
        10,
        State.SUSPENDED,
        _at(31),
        "hard_bounce",
    ),
    (
        ("hard_bounce",) + ("no_feedback",) * 10 + ("spam_filtered",) * 2,
        5,
        State.AT_RISK,
        _at(11),
        "spam_filtered",
    ),
    # A removal after a complaint, or older than the last delivery: nothing changes.
    (("accepted", "complaint"), 30, State.OK, _at(1), "complaint"),
    (("hard_bounce", "accepted"), 30, State.OK, _at(1), "accepted"),
    # A hard bounce after the removal suspends again.
    (
        ("accepted",) + ("no_feedback",) * 10 + ("mailbox_disabled",),
        5,
        State.SUSPENDED,
        _at(11),
        "mailbox_disabled",
    ),
]


@pytest.mark.parametrize(("history", "cleared", "state", "since", "reason"), CLEARED_CASES)
def test_a_removal_from_the_list_sets_aside_the_hard_bounces_before_it(
    history: tuple[str, ...], cleared: int, state: State, since: str, reason: str | None
) -> None:
    answer = assess(_history(*history), suppressed_since=None, cleared_at=_at(cleared))
    assert (answer.state, answer.since, answer.reason) == (state, since, reason)
    assert Action.UNSUPPRESS not in answer.actions


def test_listed_again_after_a_removal_is_suspended() -> None:
    answer = assess(
        _history("accepted", "hard_bounce"), suppressed_since=_at(40), cleared_at=_at(30)
    )
    assert (answer.state, answer.since, answer.actions) == (State.SUSPENDED, _at(40), (V, U))


def test_refusal_examples() -> None:
    assert unsuppress_refusal(_history("accepted", "mailbox_not_found")) == "mailbox_not_found"
    assert unsuppress_refusal(_history("domain_not_found", "no_feedback")) == "domain_not_found"
    assert unsuppress_refusal(_history("mailbox_not_found", "accepted")) is None
    assert unsuppress_refusal(_history("accepted", "suppressed")) is None
    assert unsuppress_refusal([]) is None
