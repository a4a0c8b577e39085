"""Status rules (outcomes.md, "Which event wins"; issue 3, §4): the status of one
notification is a function of the *set* of distinct events seen for it, plus the
feedback window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.ingest import WINDOW
from worker.domain.outcomes import (
    RANK_DELIVERED,
    STATUS_OF_REASON,
    Reason,
    Status,
    rank_of,
)
from worker.domain.status import (
    WINDOW_RULE,
    DecidingEvent,
    StatusDecision,
    decide_status,
    winning_event,
)
from worker.domain.timestamps import format_timestamp

SENT_AT = datetime(2025, 3, 4, 10, 15, 1, 210000, tzinfo=UTC)
WINDOW_END = SENT_AT + WINDOW
BEFORE_END = SENT_AT + timedelta(hours=2)
AFTER_END = SENT_AT + timedelta(hours=30)
MESSAGE_ID = "0102019560aa0f11-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-000000"
ADDRESS = "jane@acme.example"


def at(minutes: float) -> str:
    """SES event timestamp text, ``minutes`` after the send."""
    return format_timestamp(SENT_AT + timedelta(minutes=minutes))


def send() -> DecidingEvent:
    ts = at(0)
    return DecidingEvent(f"Send|{MESSAGE_ID}|{ADDRESS}|{ts}", ts, Reason.AWAITING_FEEDBACK)


def delivery(minutes: float = 1) -> DecidingEvent:
    ts = at(minutes)
    return DecidingEvent(f"Delivery|{MESSAGE_ID}|{ADDRESS}|{ts}", ts, Reason.ACCEPTED)


def delay(minutes: float = 30) -> DecidingEvent:
    ts = at(minutes)
    return DecidingEvent(f"DeliveryDelay|{MESSAGE_ID}|{ADDRESS}|{ts}", ts, Reason.DELIVERY_DELAYED)


def bounce(
    minutes: float = 2,
    reason: Reason = Reason.MAILBOX_NOT_FOUND,
    feedback_id: str = "0102019560aa1b2c-5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000",
) -> DecidingEvent:
    return DecidingEvent(feedback_id, at(minutes), reason)


def complaint(minutes: float = 3000) -> DecidingEvent:
    return DecidingEvent(
        "01020195671d2e3f-a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d-000000",
        at(minutes),
        Reason.COMPLAINT,
    )


def decide(events: list[DecidingEvent], now: datetime = BEFORE_END) -> StatusDecision:
    return decide_status(events, sent_at=SENT_AT, now=now, feedback_window=WINDOW)


def outcome(decision: StatusDecision) -> tuple[str, str, str]:
    return (str(decision.status), str(decision.reason), decision.status_at)


# --- table tests -----------------------------------------------------------------------

CASES: list[tuple[str, list[DecidingEvent], datetime, tuple[str, str, str]]] = [
    ("nothing yet", [], BEFORE_END, ("sent", "awaiting_feedback", at(0))),
    ("send only", [send()], BEFORE_END, ("sent", "awaiting_feedback", at(0))),
    ("delivery", [send(), delivery(1)], BEFORE_END, ("delivered", "accepted", at(1))),
    ("delivery without send", [delivery(1)], BEFORE_END, ("delivered", "accepted", at(1))),
    (
        "delivery then bounce",
        [delivery(1), bounce(5)],
        BEFORE_END,
        ("bounced", "mailbox_not_found", at(5)),
    ),
    (
        "bounce then delivery (bounce earlier in SES time)",
        [bounce(1), delivery(5)],
        BEFORE_END,
        ("bounced", "mailbox_not_found", at(1)),
    ),
    (
        "complaint beats bounce",
        [bounce(3100), complaint(3000)],
        AFTER_END,
        ("quarantined", "complaint", at(3000)),
    ),
    (
        "complaint beats delivery",
        [delivery(1), complaint(3000)],
        AFTER_END,
        ("quarantined", "complaint", at(3000)),
    ),
    (
        "two bounces: later timestamp wins",
        [bounce(5, Reason.SOFT_BOUNCE, "fb-b"), bounce(9, Reason.MAILBOX_FULL, "fb-a")],
        BEFORE_END,
        ("bounced", "mailbox_full", at(9)),
    ),
    (
        "two bounces, same timestamp: greater identity wins",
        [bounce(5, Reason.SOFT_BOUNCE, "fb-b"), bounce(5, Reason.MAILBOX_FULL, "fb-a")],
        BEFORE_END,
        ("bounced", "soft_bounce", at(5)),
    ),
    (
        "identities compare by code point, not collation ('a' > 'B')",
        [bounce(5, Reason.HARD_BOUNCE, "fb-B"), bounce(5, Reason.MAILBOX_FULL, "fb-a")],
        BEFORE_END,
        ("bounced", "mailbox_full", at(5)),
    ),
    (
        "quarantined-from-bounce ranks with bounces",
        [bounce(5, Reason.SENDER_BLOCKLISTED, "fb-1"), bounce(6, Reason.HARD_BOUNCE, "fb-2")],
        BEFORE_END,
        ("bounced", "hard_bounce", at(6)),
    ),
    (
        "a later blocklist bounce beats an earlier hard bounce",
        [bounce(6, Reason.SENDER_BLOCKLISTED, "fb-1"), bounce(5, Reason.HARD_BOUNCE, "fb-2")],
        BEFORE_END,
        ("quarantined", "sender_blocklisted", at(6)),
    ),
    (
        "suppressed ranks with bounces and beats delivery",
        [delivery(9), bounce(0, Reason.SUPPRESSED)],
        BEFORE_END,
        ("bounced", "suppressed", at(0)),
    ),
    (
        "rejected ranks with bounces",
        [DecidingEvent("Reject|m|a|t", at(0), Reason.REJECTED), delivery(1)],
        BEFORE_END,
        ("bounced", "rejected", at(0)),
    ),
    (
        "rendering failure ranks with bounces",
        [send(), DecidingEvent("Rendering Failure|m|a|t", at(0), Reason.RENDERING_FAILURE)],
        BEFORE_END,
        ("bounced", "rendering_failure", at(0)),
    ),
    ("delay alone", [delay(30)], BEFORE_END, ("sent", "delivery_delayed", at(30))),
    ("send and delay", [send(), delay(30)], BEFORE_END, ("sent", "delivery_delayed", at(30))),
    (
        "two delays: later wins",
        [delay(30), delay(90)],
        BEFORE_END,
        ("sent", "delivery_delayed", at(90)),
    ),
    (
        "delay then delivery",
        [delay(30), delivery(60)],
        BEFORE_END,
        ("delivered", "accepted", at(60)),
    ),
    (
        "delivery reported before a late-arriving delay",
        [delivery(60), delay(30)],
        BEFORE_END,
        ("delivered", "accepted", at(60)),
    ),
    (
        "window passed with nothing",
        [],
        AFTER_END,
        ("unknown", "no_feedback", format_timestamp(WINDOW_END)),
    ),
    (
        "window passed with only a send",
        [send()],
        AFTER_END,
        ("unknown", "no_feedback", format_timestamp(WINDOW_END)),
    ),
    (
        "window passed with a delay",
        [send(), delay(30)],
        AFTER_END,
        ("unknown", "delayed_no_outcome", format_timestamp(WINDOW_END)),
    ),
    (
        "a delivery after the window replaces unknown",
        [send(), delay(30), delivery(26 * 60)],
        AFTER_END,
        ("delivered", "accepted", at(26 * 60)),
    ),
    (
        "a bounce after the window replaces unknown",
        [delay(30), bounce(26 * 60, Reason.SOFT_BOUNCE)],
        AFTER_END,
        ("bounced", "soft_bounce", at(26 * 60)),
    ),
    (
        "window not yet ended keeps sent",
        [send()],
        WINDOW_END - timedelta(milliseconds=1),
        ("sent", "awaiting_feedback", at(0)),
    ),
    (
        "window not yet ended keeps delayed",
        [delay(30)],
        WINDOW_END - timedelta(seconds=1),
        ("sent", "delivery_delayed", at(30)),
    ),
]


@pytest.mark.parametrize(
    ("events", "now", "expected"),
    [(events, now, expected) for _, events, now, expected in CASES],
    ids=[name for name, _, _, _ in CASES],
)
def test_which_event_wins(
    events: list[DecidingEvent], now: datetime, expected: tuple[str, str, str]
) -> None:
    assert outcome(decide(events, now)) == expected
    assert outcome(decide(list(reversed(events)), now)) == expected


def test_window_end_is_exact_and_uses_the_given_window() -> None:
    short = timedelta(hours=1)
    decision = decide_status([], sent_at=SENT_AT, now=SENT_AT + short, feedback_window=short)
    assert outcome(decision) == ("unknown", "no_feedback", format_timestamp(SENT_AT + short))
    decision = decide_status([], sent_at=SENT_AT, now=SENT_AT + short, feedback_window=WINDOW)
    assert outcome(decision) == ("sent", "awaiting_feedback", at(0))


def test_accepts_any_iterable_once() -> None:
    events = iter([send(), delivery(1), bounce(5)])
    assert outcome(decide(events)) == ("bounced", "mailbox_not_found", at(5))  # type: ignore[arg-type]


def test_winning_event() -> None:
    assert winning_event([]) is None
    assert winning_event([delivery(1), bounce(5), send()]) == bounce(5)


def test_decision_status_matches_the_reason() -> None:
    for _, events, now, _ in CASES:
        decision = decide(events, now)
        assert STATUS_OF_REASON[decision.reason] is decision.status


# --- hypothesis properties -------------------------------------------------------------

#: Reasons an event can carry (the unknown ones come only from the window).
EVENT_REASONS: list[Reason] = [
    reason for reason in Reason if reason not in (Reason.NO_FEEDBACK, Reason.DELAYED_NO_OUTCOME)
]
CONCLUSIVE: list[Reason] = [reason for reason in EVENT_REASONS if rank_of(reason) >= RANK_DELIVERED]

PROPS = settings(deadline=None)

timestamps = st.integers(min_value=-60, max_value=3 * 24 * 60).map(at)
identities = st.text(alphabet="abAB01|-", min_size=1, max_size=6)


@st.composite
def deciding_events(draw: st.DrawFn, reasons: list[Reason] = EVENT_REASONS) -> DecidingEvent:
    return DecidingEvent(
        identity=draw(identities),
        occurred_at=draw(timestamps),
        reason=draw(st.sampled_from(reasons)),
    )


#: Distinct events: one identity is one event (its timestamp and reason are fixed).
event_sets = st.lists(deciding_events(), max_size=8, unique_by=lambda e: e.identity)
nows = st.integers(min_value=0, max_value=3 * 24 * 60).map(
    lambda minutes: SENT_AT + timedelta(minutes=minutes)
)
windows = st.sampled_from([timedelta(hours=1), timedelta(hours=24), timedelta(hours=48)])


def run(events: list[DecidingEvent], now: datetime, window: timedelta) -> StatusDecision:
    return decide_status(events, sent_at=SENT_AT, now=now, feedback_window=window)


@PROPS
@given(
    event_sets.flatmap(lambda events: st.tuples(st.just(events), st.permutations(events))),
    nows,
    windows,
)
def test_any_permutation_gives_the_same_result(
    pair: tuple[list[DecidingEvent], list[DecidingEvent]], now: datetime, window: timedelta
) -> None:
    events, permuted = pair
    assert run(permuted, now, window) == run(events, now, window)


@PROPS
@given(event_sets, st.data(), nows, windows)
def test_duplicates_change_nothing(
    events: list[DecidingEvent], data: st.DataObject, now: datetime, window: timedelta
) -> None:
    extra = data.draw(st.lists(st.sampled_from(events), max_size=8)) if events else []
    with_duplicates = data.draw(st.permutations(events + extra))
    assert run(with_duplicates, now, window) == run(events, now, window)


@PROPS
@given(event_sets, deciding_events(), nows, windows)
def test_adding_an_event_never_lowers_the_rank(
    events: list[DecidingEvent], added: DecidingEvent, now: datetime, window: timedelta
) -> None:
    if any(e.identity == added.identity for e in events):
        return  # same identity = the same event
    before = run(events, now, window)
    after = run([*events, added], now, window)
    assert rank_of(after.reason) >= rank_of(before.reason)
    if rank_of(added.reason) >= rank_of(before.reason):
        assert rank_of(after.reason) >= rank_of(added.reason)


@PROPS
@given(event_sets, nows, windows)
def test_unknown_only_through_the_window(
    events: list[DecidingEvent], now: datetime, window: timedelta
) -> None:
    decision = run(events, now, window)
    window_over = now >= SENT_AT + window
    conclusive = [e for e in events if rank_of(e.reason) >= RANK_DELIVERED]
    assert (decision.status is Status.UNKNOWN) == (window_over and not conclusive)
    if decision.status is Status.UNKNOWN:
        delayed = any(e.reason is Reason.DELIVERY_DELAYED for e in events)
        assert decision.reason is (Reason.DELAYED_NO_OUTCOME if delayed else Reason.NO_FEEDBACK)
        assert decision.status_at == format_timestamp(SENT_AT + window)


@PROPS
@given(event_sets, deciding_events(CONCLUSIVE), windows)
def test_any_conclusive_event_replaces_unknown(
    events: list[DecidingEvent], late: DecidingEvent, window: timedelta
) -> None:
    now = SENT_AT + window + timedelta(hours=1)
    before = run([e for e in events if rank_of(e.reason) < RANK_DELIVERED], now, window)
    assert before.status is Status.UNKNOWN
    events = [
        e for e in events if e.identity != late.identity and rank_of(e.reason) < RANK_DELIVERED
    ]
    after = run([*events, late], now, window)
    assert after.status is not Status.UNKNOWN
    assert (after.status, after.reason, after.status_at) == (
        STATUS_OF_REASON[late.reason],
        late.reason,
        late.occurred_at,
    )


@PROPS
@given(event_sets, nows, windows)
def test_conclusive_result_is_the_max_of_rank_timestamp_identity(
    events: list[DecidingEvent], now: datetime, window: timedelta
) -> None:
    conclusive = [e for e in events if rank_of(e.reason) >= RANK_DELIVERED]
    decision = run(events, now, window)
    if conclusive:
        best = max(conclusive, key=lambda e: (rank_of(e.reason), e.occurred_at, e.identity))
        assert (decision.reason, decision.status_at) == (best.reason, best.occurred_at)
        # Once conclusive, the clock does not matter.
        assert run(events, SENT_AT, window) == decision
        assert run(events, SENT_AT + timedelta(days=30), window) == decision


# --- the window rule a store applies in bulk (issue 15: the set-based sweep) ----------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(Reason)), max_size=4))
def test_window_rule_agrees_with_decide_status_past_the_window(reasons: list[Reason]) -> None:
    ledger = [
        DecidingEvent(f"e{i}|{reason.value}", at(i), reason) for i, reason in enumerate(reasons)
    ]
    decision = decide_status(ledger, sent_at=SENT_AT, now=AFTER_END, feedback_window=WINDOW)
    values = {reason.value for reason in reasons}
    if values & WINDOW_RULE.overriding:
        return  # decided by decide_status itself (the sweep recomputes these)
    delayed = bool(values & WINDOW_RULE.delaying)
    assert (decision.status.value, decision.reason.value, decision.status_at) == (
        WINDOW_RULE.status,
        WINDOW_RULE.delayed_reason if delayed else WINDOW_RULE.reason,
        format_timestamp(WINDOW_END),
    )


def test_window_rule_sets() -> None:
    assert WINDOW_RULE.delaying == {Reason.DELIVERY_DELAYED.value}
    assert Reason.ACCEPTED.value in WINDOW_RULE.overriding
    assert Reason.AWAITING_FEEDBACK.value not in WINDOW_RULE.overriding | WINDOW_RULE.delaying
