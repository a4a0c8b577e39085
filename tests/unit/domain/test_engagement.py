"""Engagement: the earliest Open and Click of a notification, and the human phrase."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.domain.engagement import Engagement, engagement_of, opened_phrase

T = "2026-12-07T10:{:02d}:00.000Z"


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], Engagement(None, None)),
        ([("Delivery", T.format(1))], Engagement(None, None)),
        ([("Open", T.format(9)), ("Open", T.format(3))], Engagement(T.format(3), None)),
        ([("Click", T.format(5))], Engagement(None, T.format(5))),
        (
            [("Delivery", T.format(0)), ("Click", T.format(7)), ("Open", T.format(6))],
            Engagement(T.format(6), T.format(7)),
        ),
    ],
)
def test_first_of_each(events: list[tuple[str, str]], expected: Engagement) -> None:
    assert engagement_of(events) == expected


kinds = st.sampled_from(["Open", "Click", "Delivery", "Bounce", "DeliveryDelay"])
events = st.lists(st.tuples(kinds, st.integers(0, 59).map(T.format)), max_size=10)


@given(events, st.randoms())
def test_order_does_not_matter_and_the_answer_is_a_real_event(
    pairs: list[tuple[str, str]], rnd: object
) -> None:
    shuffled = list(pairs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    answer = engagement_of(pairs)
    assert engagement_of(shuffled) == answer
    for kind, at in (("Open", answer.opened_at), ("Click", answer.clicked_at)):
        times = [t for k, t in pairs if k == kind]
        assert at == (min(times) if times else None)


def test_phrase() -> None:
    sent = "2026-12-07T09:58:00.000Z"
    assert opened_phrase("2026-12-07T10:32:11.000Z", sent_at=sent) == (
        "they opened it at 10:32 UTC"
    )
    assert opened_phrase("2026-12-08T07:05:00.000Z", sent_at=sent) == (
        "they opened it at 07:05 UTC on 2026-12-08"
    )
    assert Engagement("a", None).as_json() == {"opened_at": "a", "clicked_at": None}
