"""Status callbacks on fakes: which transactions add outbox rows, and a delivery pass
(order per notification, retries, giving up)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.support.ingest import NO_SLEEP, NOW, WINDOW, send_record
from worker.domain.callbacks import CallbackState, Settlement, StatusChangeFacts
from worker.domain.timestamps import format_timestamp, parse_timestamp
from worker.handlers.callbacks import CallbackConfig, deliver_callbacks
from worker.handlers.ingest import apply_batch
from worker.handlers.ports.callbacks import (
    CallbackRow,
    OutboxStats,
    OutgoingCallback,
    PendingCallback,
    SendOutcome,
)
from worker.handlers.sends import record_sends
from worker.handlers.sweep import sweep


def ingest(log: FakeNotificationLog, *bodies: str) -> None:
    apply_batch(list(bodies), log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)


def changes(log: FakeNotificationLog) -> list[tuple[str, str, str, str]]:
    return [
        (c.previous_status, c.previous_reason, c.status, c.reason)
        for c in log.tables.status_changes
    ]


def record(log: FakeNotificationLog, notification_id: str, message_id: str, rcpt: str) -> None:
    record_sends(
        [send_record(notification_id, message_id, rcpt)],
        log=log,
        now=NOW,
        feedback_window=WINDOW,
        retrying=NO_SLEEP,
    )


def test_each_real_change_adds_one_row_and_replays_add_none() -> None:
    log = FakeNotificationLog()
    record(log, "n1", "m1", "a@x.example")
    assert changes(log) == []  # a new send is not a change
    delivered = b.delivery("m1", ["a@x.example"])
    ingest(log, delivered)
    assert changes(log) == [("sent", "awaiting_feedback", "delivered", "accepted")]
    ingest(log, delivered)  # the same event again
    ingest(log, b.delivery("m1", ["a@x.example"], timestamp="2025-03-04T10:00:09.000Z"))
    assert len(changes(log)) == 1  # a second delivery changes nothing announced
    bounce = b.bounce("m1", "a@x.example", feedback_id="f1")
    ingest(log, bounce, bounce)
    assert changes(log)[1:] == [("delivered", "accepted", "bounced", "mailbox_not_found")]
    ingest(log, bounce)
    assert len(changes(log)) == 2


def test_the_sweep_announces_unknown() -> None:
    log = FakeNotificationLog()
    record(log, "n1", "m1", "a@x.example")
    record(log, "n2", "m2", "b@x.example")
    ingest(log, b.delivery("m2", ["b@x.example"]))
    sweep(log=log, now=NOW + WINDOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    sweep(log=log, now=NOW + 2 * WINDOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    assert changes(log) == [
        ("sent", "awaiting_feedback", "delivered", "accepted"),
        ("sent", "awaiting_feedback", "unknown", "no_feedback"),
    ]


def test_a_failed_transaction_leaves_no_row() -> None:
    log = FakeNotificationLog()
    record(log, "n1", "m1", "a@x.example")
    log.fail_next(1)  # the first try rolls back, the retry commits
    ingest(log, b.delivery("m1", ["a@x.example"]))
    assert len(changes(log)) == 1


# --- delivery pass ------------------------------------------------------------------------


@dataclass
class Row:
    id: int
    notification: str
    status: str
    state: str = "pending"
    attempts: int = 0
    due: str = ""


class FakeOutbox:
    """The claim rules of the SQL outbox, in memory."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = {row.id: row for row in rows}

    @contextmanager
    def claim(self, limit: int, now: datetime) -> Iterator[FakeBatch]:
        taken: list[PendingCallback] = []
        blocked: set[str] = set()
        for row in sorted(self.rows.values(), key=lambda r: r.id):
            if row.state != "pending":
                continue
            if (
                row.notification not in blocked
                and row.due <= format_timestamp(now)
                and len(taken) < limit
            ):
                taken.append(pending(row))
            blocked.add(row.notification)
        yield FakeBatch(self, taken)

    def list_rows(self, state: str | None, limit: int) -> list[CallbackRow]:
        raise NotImplementedError

    def replay(self, ids: Collection[int] | None, now: datetime) -> int:
        raise NotImplementedError

    def stats(self) -> OutboxStats:
        return OutboxStats()


class FakeBatch:
    def __init__(self, outbox: FakeOutbox, rows: list[PendingCallback]) -> None:
        self.outbox = outbox
        self.rows = rows

    def settle(self, outcomes: Sequence[tuple[int, Settlement]], now: datetime) -> None:
        for row_id, s in outcomes:
            row = self.outbox.rows[row_id]
            row.state, row.attempts = s.state.value, s.attempts
            row.due = format_timestamp(s.next_attempt_at) if s.next_attempt_at else ""


def pending(row: Row) -> PendingCallback:
    facts = StatusChangeFacts(
        row.notification, "m", "a@x.example", "x.example", "t", "2025-03-04T10:00:00.000Z",
        row.status, "r", "sent", "awaiting_feedback", "2025-03-04T10:00:00.000Z", None, None,
    )  # fmt: skip
    return PendingCallback(row.id, f"msg_{row.id}", row.attempts, facts)


class Receiver:
    """Answers from a script of codes (None: timeout) and records what arrived."""

    def __init__(self, codes: list[int | None] | None = None) -> None:
        self.codes = list(codes or [])
        self.seen: list[tuple[str, str]] = []

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        outcomes = []
        for request in requests:
            code = self.codes.pop(0) if self.codes else 200
            self.seen.append((request.headers["webhook-id"], request.body.decode()))
            outcomes.append(SendOutcome(request.id, code, None if code is not None else "timeout"))
        return outcomes


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


CONFIG = CallbackConfig(key=b"k", bearer_token=None, max_attempts=3, batch_size=10)


def test_rows_of_one_notification_go_out_in_order_one_per_batch() -> None:
    outbox = FakeOutbox(
        [Row(1, "n1", "delivered"), Row(2, "n2", "delivered"), Row(3, "n1", "bounced")]
    )
    receiver = Receiver()
    result = deliver_callbacks(outbox=outbox, sender=receiver, config=CONFIG, clock=Clock())
    assert [webhook for webhook, _ in receiver.seen] == ["msg_1", "msg_2", "msg_3"]
    assert (result.delivered, result.batches) == (3, 2)
    assert {row.state for row in outbox.rows.values()} == {"delivered"}


def test_a_retried_row_holds_back_the_later_rows_of_its_notification() -> None:
    outbox = FakeOutbox([Row(1, "n1", "delivered"), Row(2, "n1", "bounced"), Row(3, "n2", "x")])
    receiver = Receiver([503, 200])
    clock = Clock()
    result = deliver_callbacks(
        outbox=outbox, sender=receiver, config=CONFIG, clock=clock, jitter=lambda: 0.5
    )
    assert (result.delivered, result.retried) == (1, 1)
    assert outbox.rows[1].state == "pending" and outbox.rows[1].attempts == 1
    assert outbox.rows[2].attempts == 0  # not sent while row 1 waits
    due = parse_timestamp(outbox.rows[1].due)
    assert due == NOW + timedelta(seconds=30)
    clock.now = NOW + timedelta(seconds=31)
    deliver_callbacks(outbox=outbox, sender=receiver, config=CONFIG, clock=clock)
    assert [webhook for webhook, _ in receiver.seen] == ["msg_1", "msg_3", "msg_1", "msg_2"]


def test_gives_up_after_max_attempts_and_at_once_on_4xx() -> None:
    outbox = FakeOutbox([Row(1, "n1", "a"), Row(2, "n2", "b")])
    receiver = Receiver([None, 410, 503, 503])
    clock = Clock()
    for _ in range(3):
        deliver_callbacks(outbox=outbox, sender=receiver, config=CONFIG, clock=clock)
        clock.now += timedelta(days=1)
    assert (outbox.rows[1].state, outbox.rows[1].attempts) == ("failed", 3)
    assert (outbox.rows[2].state, outbox.rows[2].attempts) == ("failed", 1)
    assert len(receiver.seen) == 4


def test_webhook_id_is_stable_across_retries() -> None:
    outbox = FakeOutbox([Row(7, "n1", "a")])
    receiver = Receiver([500, 200])
    clock = Clock()
    deliver_callbacks(outbox=outbox, sender=receiver, config=CONFIG, clock=clock)
    clock.now += timedelta(hours=1)
    deliver_callbacks(outbox=outbox, sender=receiver, config=CONFIG, clock=clock)
    assert [webhook for webhook, _ in receiver.seen] == ["msg_7", "msg_7"]
    assert outbox.rows[7].state == CallbackState.DELIVERED.value
