"""The batch handler with hostile bodies, on the in-memory log (issue 16, items 1, 6, 7):
everything written is storable text, the new dead-letter codes reach the log, a relabelled
event is applied and its label logged without addresses, and the receive time is ``now``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.support.ingest import NOW, numbered_sends, record
from tests.support.ingest import ingest as run
from tests.unit.domain import ses_bodies as sb
from worker.domain.events import FeedbackEvent
from worker.domain.parser import parse_body
from worker.domain.text import REPLACEMENT, is_storable
from worker.handlers.ingest import (
    PREFETCH_SWITCH_INTERVAL,
    prepare_ahead,
    prepare_batch,
    quicken_gil_handoff,
)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings(item)


def codes(log: FakeNotificationLog) -> list[str]:
    return sorted(row["code"] for row in log.tables.dead_letters.values())


def test_poison_beside_good_bodies_every_stored_string_is_storable() -> None:
    log = FakeNotificationLog()
    record(log, numbered_sends(4, recipient="u{i}@x.example", notification_type="magic_code"))
    poisoned_diagnostic = b.bounce(
        "m1", "u1@x.example", feedback_id="fb-\ud83d", diagnostic="550 \x00 no \ud83d such user"
    )
    bodies: list[str | bytes] = [
        b.delivery("m0", ["u0@x.example"]),
        poisoned_diagnostic,
        b.bounce("m2", "u2\x00@x.example", feedback_id="fb-2"),  # bad_recipient
        b.delivery("m3", ["u3@x.example"], timestamp="9999-12-31T23:59:59.999Z"),
        b.sns_wrap(b.delivery("m3", ["u3@x.example"]), sns_message_id="sns-\x00"),
    ]
    result = run(log, bodies)
    assert result.applied == 3
    assert codes(log) == ["bad_recipient", "implausible_timestamp"]
    for text in strings(log.snapshot()):
        assert is_storable(text), repr(text)
    (bounce_row,) = [r for r in log.tables.events.values() if r["event_type"] == "Bounce"]
    assert bounce_row["identity"] == f"fb-{REPLACEMENT}"
    assert bounce_row["diagnostic"] == f"550 {REPLACEMENT} no {REPLACEMENT} such user"
    # The same poisoned body again is a duplicate, not a second event.
    again = run(log, [poisoned_diagnostic])
    assert (again.applied, again.duplicate) == (0, 1)


def test_receive_time_is_now_for_the_future_bound() -> None:
    body = b.delivery("m1", ["a@x.example"], timestamp="2025-03-05T12:00:00.001Z")
    assert [r.code for r in prepare_batch([body], received_at=NOW).rejections] == [
        "implausible_timestamp"
    ]
    assert prepare_batch([body], received_at=NOW + timedelta(seconds=1)).rejections == []
    assert prepare_batch([body]).rejections == []  # no receive time: no upper bound
    (ahead,) = prepare_ahead([[body]], received_at=NOW)
    assert [r.code for r in ahead.rejections] == ["implausible_timestamp"]
    log = FakeNotificationLog()
    assert run(log, [body]).dead_lettered == 1
    assert codes(log) == ["implausible_timestamp"]


def test_relabelled_eventbridge_bounce_is_applied_and_logged_without_addresses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = FakeNotificationLog()
    body = sb.eventbridge(sb.bounce_doc(), detail_type="SES Email Event")
    with caplog.at_level(logging.WARNING, logger="worker.handlers.ingest"):
        result = run(log, [body])
    assert result.dead_lettered == 0 and result.control == 0
    assert result.parked == 1  # the bounce is in the ledger, waiting for its send
    (row,) = log.tables.events.values()
    assert row["event_type"] == "Bounce"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert "SES Email Event" in text and "Bounce" in text
    assert "@" not in text


def test_aws_ses_event_with_half_a_document_is_a_dead_letter_not_news() -> None:
    log = FakeNotificationLog()
    doc = sb.bounce_doc()
    del doc["eventType"]
    service = json.loads(sb.eventbridge_service_event())
    result = run(log, [sb.eventbridge(doc, detail_type="SES Email Event"), json.dumps(service)])
    assert (result.dead_lettered, result.control) == (1, 1)
    assert codes(log) == ["unknown_event_type"]


def test_poisoned_message_id_still_correlates_send_and_feedback() -> None:
    log = FakeNotificationLog()
    mid = "0102-\ud83d\x00-000000"
    send = b.send(mid, ["a@x.example"], notification_id="n-poison")
    delivery = b.delivery(mid, ["a@x.example"])
    first = run(log, [delivery])  # before its send: parked under the cleaned message id
    assert first.parked == 1
    second = run(log, [send, delivery])
    assert (second.notifications_created, second.unparked, second.duplicate) == (1, 1, 1)
    (notification,) = log.tables.notifications.values()
    assert notification["notification_id"] == "n-poison"
    assert notification["ses_message_id"] == f"0102-{REPLACEMENT}{REPLACEMENT}-000000"
    assert notification["status"] == "delivered"


@pytest.fixture
def switch_interval() -> Iterator[None]:
    """The process's GIL switch interval, restored after the test."""
    saved = sys.getswitchinterval()
    try:
        yield
    finally:
        sys.setswitchinterval(saved)


@pytest.mark.usefixtures("switch_interval")
def test_preparing_ahead_shortens_the_gil_switch_interval() -> None:
    sys.setswitchinterval(0.005)  # CPython's default
    body = sb.eventbridge(sb.bounce_doc())
    (ahead,) = prepare_ahead([[body]], received_at=NOW)
    assert ahead.rejections == []
    assert sys.getswitchinterval() == pytest.approx(PREFETCH_SWITCH_INTERVAL)


@pytest.mark.usefixtures("switch_interval")
def test_the_gil_switch_interval_is_never_lengthened() -> None:
    sys.setswitchinterval(PREFETCH_SWITCH_INTERVAL / 2)
    quicken_gil_handoff()
    assert sys.getswitchinterval() == pytest.approx(PREFETCH_SWITCH_INTERVAL / 2)


def test_rows_built_positionally_match_their_fields_by_name() -> None:
    """The prepare step builds ledger rows and sends positionally (cheaper than keywords):
    each value must land in the field of its name."""
    body = b.send("msg-pos", ["Ann <ann@example.com>", "bob@example.com"], notification_id="n-9")
    batch = prepare_batch([body, b.delivery("msg-pos", ["ann@example.com"])])
    send_rows = {row.recipient: row for row in batch.sends}
    ann = send_rows["ann@example.com"]
    assert (ann.notification_id, ann.message_id, ann.recipient_original) == (
        "n-9/ann@example.com",
        "msg-pos",
        "Ann <ann@example.com>",
    )
    assert (ann.recipient_domain, ann.source) == ("example.com", "ses_send")
    assert ann.sent_at.tzinfo is not None
    delivered = [row for row in batch.ledger if row.event_type == "Delivery"]
    assert len(delivered) == 1
    row = delivered[0]
    assert (row.recipient, row.message_id, row.notification_pk) == (
        "ann@example.com",
        "msg-pos",
        None,
    )
    assert (row.status, row.reason, row.recipient_original) == (
        "delivered",
        "accepted",
        "ann@example.com",
    )
    assert row.occurred_at.tzinfo is not None


def _feedback_event(body: str) -> FeedbackEvent:
    result = parse_body(body)
    assert isinstance(result, FeedbackEvent), result
    return result


def test_event_facts_cache_keeps_only_short_facts_and_stays_bounded() -> None:
    """Facts are cached on short senders/subjects/MTAs only, and the cache is bounded:
    a stream of distinct or huge subjects cannot grow it without limit."""
    from worker.handlers import ingest

    ingest._FACTS_CACHE.clear()
    huge = "x" * (ingest._CACHED_FACTS_MAX + 1)
    bodies = [b.delivery(f"msg-facts-{i}", [f"u{i}@example.com"]) for i in range(3)]
    events = [_feedback_event(body) for body in bodies]
    first = ingest.event_facts(events[0])
    assert ingest.event_facts(events[1]) is first  # same sender and MTA: one entry
    assert len(ingest._FACTS_CACHE) == 1
    long_subject = msgspec.structs.replace(events[2], subject=huge)
    facts = ingest.event_facts(long_subject)
    assert facts.subject == huge
    assert len(ingest._FACTS_CACHE) == 1  # too long to be cached
    for i in range(ingest._FACTS_CACHE_SIZE + 10):
        ingest.event_facts(msgspec.structs.replace(events[2], subject=f"s{i}"))
    assert len(ingest._FACTS_CACHE) <= ingest._FACTS_CACHE_SIZE
