"""Any order, any split, any duplicates: the same tables as one clean batch (fake log)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from tests.fakes import FakeNotificationLog
from tests.strategies import Traffic, play_chunks, play_clean, traffic


@given(plan=traffic(), records_first=st.booleans())
def test_any_delivery_of_the_traffic_gives_the_clean_run_tables(
    plan: Traffic, records_first: bool
) -> None:
    clean, chunked = FakeNotificationLog(), FakeNotificationLog()
    play_clean(clean, plan)
    play_chunks(chunked, plan, records_first=records_first)
    assert chunked.snapshot() == clean.snapshot()
    expected = Counter(
        (n["sent_at"][:10], n["recipient_domain"], n["notification_type"], n["status"], n["reason"])
        for n in chunked.tables.notifications.values()
    )
    assert chunked.tables.counts == dict(expected)
