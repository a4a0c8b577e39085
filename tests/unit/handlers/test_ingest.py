"""The batch handler's logic on the in-memory log (no database)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.support.ingest import NO_SLEEP, NOW, WINDOW, send_record
from tests.support.ingest import ingest as run
from worker.domain.events import Rejection, RejectionCode, SnsEnvelope
from worker.domain.outcomes import Reason
from worker.domain.status import DecidingEvent, decide_status
from worker.domain.timestamps import format_timestamp
from worker.handlers import batch_write, ingest
from worker.handlers.ingest import apply_batch
from worker.handlers.ports import SOURCE_SES_SEND, LedgerRow, NewNotification, TransientStoreError
from worker.handlers.sends import SendRecord, record_sends


def record(log: FakeNotificationLog, *records: SendRecord) -> None:
    record_sends(records, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)


def status_of(log: FakeNotificationLog, notification_id: str) -> tuple[str, str]:
    row = log.notification(notification_id)
    return row["status"], row["reason"]


def counts_match_notifications(log: FakeNotificationLog) -> None:
    expected = Counter(
        (n["sent_at"][:10], n["recipient_domain"], n["notification_type"], n["status"], n["reason"])
        for n in log.tables.notifications.values()
    )
    assert log.tables.counts == dict(expected)


def test_delivery_applies_to_a_recorded_send() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "Jane <Jane@Acme.example>"))
    result = run(log, [b.delivery("m1", ["jane@acme.example"])])
    assert (result.applied, result.parked, result.duplicate) == (1, 0, 0)
    assert status_of(log, "n1") == ("delivered", "accepted")
    assert log.notification("n1")["status_at"] == "2025-03-04T10:00:02.000Z"
    counts_match_notifications(log)


def test_bounce_after_delivery_wins_whatever_the_order() -> None:
    bodies = [b.delivery("m1", ["a@x.example"]), b.bounce("m1", "a@x.example", feedback_id="f1")]
    finals = []
    for order in (bodies, bodies[::-1]):
        log = FakeNotificationLog()
        record(log, send_record("n1", "m1", "a@x.example"))
        for body in order:
            run(log, [body])
        finals.append(log.snapshot())
        assert status_of(log, "n1") == ("bounced", "mailbox_not_found")
    assert finals[0] == finals[1]


def test_events_before_their_send_are_parked_then_applied() -> None:
    log = FakeNotificationLog()
    first = run(
        log, [b.bounce("m1", "a@x.example", feedback_id="f1"), b.open_("m1", "a@x.example")]
    )
    assert (first.parked, first.applied) == (2, 0)
    assert not log.tables.notifications
    record_sends([send_record("n1", "m1", "a@x.example")], log=log, now=NOW, feedback_window=WINDOW)
    assert status_of(log, "n1") == ("bounced", "mailbox_not_found")
    assert all(e["notification_pk"] is not None for e in log.tables.events.values())
    counts_match_notifications(log)


def test_send_event_creates_the_notification_and_unparks_earlier_events() -> None:
    log = FakeNotificationLog()
    run(log, [b.delivery("m1", ["a@x.example"])])
    result = run(
        log, [b.send("m1", ["a@x.example"], notification_id="n1", notification_type="receipt")]
    )
    assert (result.notifications_created, result.unparked) == (1, 1)
    row = log.notification("n1")
    assert (row["status"], row["notification_type"], row["source"]) == (
        "delivered",
        "receipt",
        "ses_send",
    )
    counts_match_notifications(log)


def test_send_event_ids_for_several_recipients_and_without_tag() -> None:
    log = FakeNotificationLog()
    run(
        log,
        [
            b.send("m1", ["a@x.example", "B@y.example"], notification_id="n1"),
            b.send("m2", ["c@z.example"]),
        ],
    )
    ids = {n["notification_id"]: n for n in log.tables.notifications.values()}
    assert set(ids) == {"n1/a@x.example", "n1/b@y.example", "ses:m2:c@z.example"}
    assert ids["ses:m2:c@z.example"]["notification_type"] == "unknown"


def test_a_send_recorded_twice_is_a_no_op() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"))
    before = log.snapshot()
    result = record_sends(
        [send_record("n1", "m1", "a@x.example")], log=log, now=NOW, feedback_window=WINDOW
    )
    assert (result.created, result.unchanged) == (0, 1)
    assert log.snapshot() == before


def test_explicit_record_and_send_event_give_the_same_row_in_either_order() -> None:
    event = b.send(
        "m1", ["a@x.example"], notification_id="tag-id", timestamp="2025-03-04T10:00:01.000Z"
    )
    explicit = send_record("app-id", "m1", "a@x.example", kind="receipt")
    one, two = FakeNotificationLog(), FakeNotificationLog()
    run(one, [event])
    record(one, explicit)
    record(two, explicit)
    run(two, [event])
    assert one.snapshot() == two.snapshot()
    assert one.notification("app-id")["sent_at"] == "2025-03-04T10:00:00.000Z"
    counts_match_notifications(one)


def test_three_recipients_each_with_a_different_outcome() -> None:
    log = FakeNotificationLog()
    run(log, [b.send("m1", ["a@x.example", "b@x.example", "c@x.example"], notification_id="n")])
    run(
        log,
        [
            b.delivery("m1", ["a@x.example"]),
            b.bounce("m1", "b@x.example", feedback_id="fb"),
            b.delay("m1", "c@x.example"),
        ],
    )
    assert status_of(log, "n/a@x.example") == ("delivered", "accepted")
    assert status_of(log, "n/b@x.example") == ("bounced", "mailbox_not_found")
    assert status_of(log, "n/c@x.example") == ("sent", "delivery_delayed")
    counts_match_notifications(log)


def test_duplicates_count_once_in_and_across_batches() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"))
    body = b.delivery("m1", ["a@x.example"])
    first = run(log, [body, body, b.sns_wrap(body)])
    assert (first.applied, first.duplicate) == (1, 2)
    second = run(log, [body])
    assert (second.applied, second.duplicate, second.status_changes) == (0, 1, 0)


def test_engagement_is_kept_but_decides_nothing() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"))
    result = run(log, [b.open_("m1", "a@x.example")])
    assert (result.ignored, result.applied, result.status_changes) == (1, 0, 0)
    assert len(log.tables.events) == 1
    assert status_of(log, "n1") == ("sent", "awaiting_feedback")


def test_malformed_input_is_a_dead_letter_and_never_retried() -> None:
    log = FakeNotificationLog()
    result = run(log, ["not json", b"\xff\xfe", "not json"])
    assert result.dead_lettered == 3
    assert log.transactions == 1
    letters = sorted(log.tables.dead_letters.values(), key=lambda r: r["id"])
    assert [(r["code"], r["count"]) for r in letters] == [("not_json", 2), ("bad_encoding", 1)]
    assert letters[1]["body"] == b"\xff\xfe"
    run(log, ["not json"])
    assert letters[0]["body_hash"] in log.tables.dead_letters
    assert log.tables.dead_letters[letters[0]["body_hash"]]["count"] == 3


def test_control_messages_are_recorded_once() -> None:
    log = FakeNotificationLog()
    result = run(log, [b.subscription_confirmation(), b.subscription_confirmation()])
    assert result.control == 1
    (row,) = log.tables.control_messages.values()
    assert row["kind"] == "SubscriptionConfirmation"
    assert row["subscribe_url"].startswith("https://sns.")


def test_transient_errors_retry_the_whole_transaction() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"))
    log.fail_next(2)
    result = run(log, [b.delivery("m1", ["a@x.example"])])
    assert result.applied == 1
    # Recording the send: its transaction and the post-commit re-attach of parked events;
    # then the batch: two failed attempts and the one that commits.
    assert log.transactions == 2 + 3
    assert status_of(log, "n1") == ("delivered", "accepted")


def test_transient_errors_that_persist_propagate_with_nothing_written() -> None:
    log = FakeNotificationLog()
    before = log.snapshot()
    log.fail_next(10)
    policy = Retrying(
        retry=retry_if_exception_type(TransientStoreError), stop=stop_after_attempt(3), reraise=True
    )
    with pytest.raises(TransientStoreError):
        run(log, [b.delivery("m1", ["a@x.example"])], retrying=policy)
    assert log.transactions == 3
    assert log.snapshot() == before


def test_envelope_verification_rejects_or_propagates() -> None:
    log = FakeNotificationLog()
    wrapped = b.sns_wrap(b.delivery("m1", ["a@x.example"]))

    def refuse(envelope: SnsEnvelope) -> Rejection | None:
        return Rejection(RejectionCode.BAD_SIGNATURE, "forged")

    result = run(log, [wrapped, b.delivery("m2", ["b@x.example"])], verify_envelope=refuse)
    assert (result.dead_lettered, result.parked) == (1, 1)
    assert [r.code for r in result.rejections] == ["bad_signature"]

    class CertificateDown(Exception):
        pass

    def broken(envelope: SnsEnvelope) -> Rejection | None:
        raise CertificateDown

    before = log.snapshot()
    with pytest.raises(CertificateDown):
        run(log, [wrapped], verify_envelope=broken)
    assert log.snapshot() == before


def test_a_crashing_parser_is_a_dead_letter(monkeypatch: pytest.MonkeyPatch) -> None:
    log = FakeNotificationLog()

    def explode(body: str | bytes) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(ingest, "parse_body", explode)
    result = run(log, [b.delivery("m1", ["a@x.example"])])
    assert [r.code for r in result.rejections] == ["parser_error"]
    assert log.transactions == 1


def test_a_constant_number_of_statements_per_batch() -> None:
    sizes = []
    for n in (5, 200):
        log = FakeNotificationLog()
        record(log, *[send_record(f"n{i}", f"m{i}", f"u{i}@x.example") for i in range(n)])
        bodies: list[str | bytes] = [b.delivery(f"m{i}", [f"u{i}@x.example"]) for i in range(n)]
        bodies += [b.send(f"s{i}", [f"v{i}@x.example"]) for i in range(n)]
        bodies += ["junk", b.subscription_confirmation()]
        run(log, bodies)
        sizes.append(log.last_statements)
    assert sizes[0] == sizes[1]


def test_late_feedback_replaces_unknown() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"))
    later = NOW + timedelta(days=2)
    apply_batch([b.open_("m1", "a@x.example")], log=log, now=later, feedback_window=WINDOW)
    assert status_of(log, "n1") == ("sent", "awaiting_feedback")  # an open touches nothing
    apply_batch([b.delay("m1", "a@x.example")], log=log, now=later, feedback_window=WINDOW)
    assert status_of(log, "n1") == ("unknown", "delayed_no_outcome")
    apply_batch([b.delivery("m1", ["a@x.example"])], log=log, now=later, feedback_window=WINDOW)
    assert status_of(log, "n1") == ("delivered", "accepted")
    counts_match_notifications(log)


def test_the_ledger_keeps_what_the_it_admin_block_shows() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"), send_record("n2", "m2", "b@x.example"))
    body = json.loads(b.bounce("m1", "a@x.example", feedback_id="f1"))
    body["mail"]["commonHeaders"] = {
        "from": ["Acme Alerts <alerts@Acme.example>"],
        "subject": "Your code\x00" + "x" * 3000,
    }
    body["mail"]["tags"]["ses:from-domain"] = ["Acme.example"]
    body["bounce"]["remoteMtaIp"] = "198.51.100.7"
    run(log, [json.dumps(body), b.delivery("m2", ["b@x.example"])])
    rows = {row["recipient"]: row for row in log.tables.events.values()}
    bounced, delivered = rows["a@x.example"], rows["b@x.example"]
    assert bounced["reporting_mta"] == "dns; a8-1.smtp-out.amazonses.com"
    assert bounced["remote_mta_ip"] == "198.51.100.7"
    assert bounced["from_header"] == "Acme Alerts <alerts@Acme.example>"
    assert bounced["sending_domain"] == "acme.example"
    subject = bounced["subject"]
    assert len(subject) == ingest.DIAGNOSTIC_MAX and subject.endswith("…")
    assert subject.startswith("Your code\ufffd")
    # Without commonHeaders or the tag: mail.source stands in for From and its domain.
    assert delivered["from_header"] == "no-reply@sender.example"
    assert delivered["sending_domain"] == "sender.example"
    assert delivered["subject"] is None and delivered["remote_mta_ip"] is None
    assert delivered["reporting_mta"] == "a8-1.smtp-out.amazonses.com"


_EVENT_REASONS = [r for r in Reason if r not in (Reason.NO_FEEDBACK, Reason.DELAYED_NO_OUTCOME)]
_SENT_AT = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def _stamp(minutes: int) -> str:
    return format_timestamp(_SENT_AT + timedelta(minutes=minutes))


_deciding = st.builds(
    DecidingEvent,
    identity=st.text(alphabet="abAB01|-", min_size=1, max_size=6),
    occurred_at=st.integers(min_value=-60, max_value=3 * 24 * 60).map(_stamp),
    reason=st.sampled_from(_EVENT_REASONS),
)


@settings(deadline=None, max_examples=300)
@given(
    st.lists(_deciding, max_size=6, unique_by=lambda e: e.identity),
    st.lists(
        st.builds(
            DecidingEvent,
            identity=st.text(alphabet="sS9", min_size=1, max_size=4),
            occurred_at=st.integers(min_value=-60, max_value=3 * 24 * 60).map(_stamp),
            reason=st.sampled_from([Reason(r) for r in batch_write.STATUS_NEUTRAL_REASONS]),
        ),
        min_size=1,
        max_size=3,
    ),
    st.integers(min_value=0, max_value=4 * 24 * 60),
    st.sampled_from([timedelta(hours=1), timedelta(hours=24)]),
)
def test_status_neutral_entries_never_change_a_decision(
    events: list[DecidingEvent],
    neutral: list[DecidingEvent],
    minutes: int,
    window: timedelta,
) -> None:
    # What lets the handler skip the recompute for them (batch_write.STATUS_NEUTRAL_REASONS).
    now = _SENT_AT + timedelta(minutes=minutes)
    without = decide_status(events, sent_at=_SENT_AT, now=now, feedback_window=window)
    with_them = decide_status(
        [*events, *neutral], sent_at=_SENT_AT, now=now, feedback_window=window
    )
    assert with_them == without


def test_a_send_event_for_a_recorded_send_is_kept_without_a_recompute() -> None:
    log = FakeNotificationLog()
    record(log, send_record("n1", "m1", "a@x.example"))
    before = log.notification("n1").copy()
    result = run(log, [b.send("m1", ["a@x.example"], notification_id="n1")])
    assert (result.applied, result.status_changes) == (1, 0)
    assert log.notification("n1") == before
    assert [row["event_type"] for row in log.tables.events.values()] == ["Send"]


def test_prepared_rows_hold_each_value_in_its_named_field() -> None:
    """The handler builds ledger and send rows positionally (cheaper): every field of
    both, each with a distinct value, lands where its name says."""
    gmail = "https://support.google.com/mail/?p=NoSuchUser"
    diagnostic = f"smtp; 550 5.1.1 The email account does not exist. {gmail}"
    body = json.loads(b.bounce("m1", "Jane@Acme.example", feedback_id="f1", diagnostic=diagnostic))
    body["mail"]["commonHeaders"] = {"from": ["Ops <ops@sender.example>"], "subject": "Code"}
    body["mail"]["tags"]["ses:from-domain"] = ["Sender.example"]
    body["bounce"]["remoteMtaIp"] = "198.51.100.7"
    send_body = b.send("m2", ["Bob@Beta.example"], notification_id="n2", notification_type="otp")
    batch = ingest.prepare_batch([json.dumps(body), send_body])
    bounced = next(row for row in batch.ledger if row.message_id == "m1")
    assert bounced == LedgerRow(
        identity="f1",
        recipient="jane@acme.example",
        message_id="m1",
        notification_pk=None,
        event_type="Bounce",
        occurred_at=datetime(2025, 3, 4, 10, 0, 3, tzinfo=UTC),
        status="bounced",
        reason="mailbox_not_found",
        smtp_status="5.1.1",
        diagnostic=diagnostic,
        provider="Gmail",
        help_url=gmail,
        recipient_original="Jane@Acme.example",
        reporting_mta="dns; a8-1.smtp-out.amazonses.com",
        remote_mta_ip="198.51.100.7",
        from_header="Ops <ops@sender.example>",
        subject="Code",
        sending_domain="sender.example",
    )
    [send] = batch.sends
    assert send == NewNotification(
        notification_id="n2",
        message_id="m2",
        recipient="bob@beta.example",
        recipient_original="Bob@Beta.example",
        recipient_domain="beta.example",
        notification_type="otp",
        sent_at=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
        source=SOURCE_SES_SEND,
    )
