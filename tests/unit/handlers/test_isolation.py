"""Poison isolation on the in-memory log: a body the database refuses becomes a
``storage_rejected`` dead letter, the rest of its batch commits, transient errors still
retry the whole batch, and the drain deletes exactly what is settled."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import bodies as b
from tests.fakes import FakeNotificationLog, RefusingLog
from tests.support.ingest import NO_SLEEP, NOW, WINDOW
from tests.support.ingest import ingest as run
from tests.unit.handlers.test_drain import FakeQueue
from worker.handlers.dead_letters import replay_dead_letters
from worker.handlers.drain import DrainLimits, drain_queue
from worker.handlers.ingest import IngestResult, apply_batch, body_bytes, body_hash
from worker.handlers.isolation import (
    STORAGE_REJECTED,
    describe_error,
    isolate,
    storable_text,
)
from worker.handlers.ports import (
    SchemaNotReadyError,
    StorageRejectedError,
    StoreErrorKind,
    TransientStoreError,
)
from worker.handlers.transactions import classify_store_error


def good(i: int) -> str:
    return b.bounce(f"msg-{i}", f"user{i}@acme.example", feedback_id=f"fb-{i}")


def poison(i: int) -> str:
    # Parses and classifies fine; the (fake) database refuses the diagnostic text.
    return b.bounce(
        f"msg-{i}",
        f"user{i}@acme.example",
        feedback_id=f"fb-{i}",
        diagnostic="smtp; 550 5.1.1 POISON",
    )


def batch(size: int, poisoned: set[int]) -> list[str]:
    return [poison(i) if i in poisoned else good(i) for i in range(size)]


def ledger_messages(log: Any) -> set[str]:
    return {row["message_id"] for row in log.tables.events.values()}


def dead_letter_codes(log: Any) -> dict[str, str]:
    return {h: row["code"] for h, row in log.tables.dead_letters.items()}


# --- one place decides -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (TransientStoreError("connection lost"), StoreErrorKind.TRANSIENT),
        (StorageRejectedError("DataError: NUL"), StoreErrorKind.REJECTED),
        (
            UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed"),
            StoreErrorKind.REJECTED,
        ),
        (ValueError("A string literal cannot contain NUL"), StoreErrorKind.REJECTED),
        (OverflowError("int too large"), StoreErrorKind.REJECTED),
        (KeyError("k"), StoreErrorKind.REJECTED),
        (TypeError("bad binding"), StoreErrorKind.REJECTED),
        (SchemaNotReadyError("run inboxgap db upgrade"), StoreErrorKind.FATAL),
        (RuntimeError("time limit"), StoreErrorKind.FATAL),
        (OSError("disk"), StoreErrorKind.FATAL),
        (MemoryError(), StoreErrorKind.FATAL),
        (KeyboardInterrupt(), StoreErrorKind.FATAL),
    ],
)
def test_classify_store_error(error: BaseException, kind: StoreErrorKind) -> None:
    assert classify_store_error(error) is kind


def test_celery_time_limit_is_never_isolated() -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    assert classify_store_error(SoftTimeLimitExceeded()) is StoreErrorKind.FATAL


# --- the mechanism ---------------------------------------------------------------------


def test_poison_body_is_dead_lettered_and_the_rest_commits() -> None:
    log = RefusingLog()
    bodies = batch(8, {5})
    result = run(log, bodies)
    assert ledger_messages(log) == {f"msg-{i}" for i in range(8) if i != 5}
    assert dead_letter_codes(log) == {body_hash(bodies[5]): STORAGE_REJECTED}
    letter = log.tables.dead_letters[body_hash(bodies[5])]
    assert letter["body"] == body_bytes(bodies[5])  # the exact bytes, replayable
    assert letter["count"] == 1
    assert "NUL" in letter["message"] and "deadletters replay" in letter["message"]
    assert [(r.index, r.code) for r in result.rejections] == [(5, STORAGE_REJECTED)]
    assert result.dead_lettered == 1 and result.isolations == 1 and result.unsettled == ()
    assert result.parked == 7  # the good bounces, their sends not recorded yet


def test_a_batch_without_poison_costs_one_transaction() -> None:
    log = RefusingLog()
    result = run(log, batch(16, set()))
    # The write, then the post-commit re-attach of the parked keys.
    assert log.transactions == 2 and result.isolations == 0 and log.refusals == 0


@pytest.mark.parametrize("size", [2, 16, 64, 256])
def test_one_poison_body_costs_logarithmic_transactions(size: int) -> None:
    log = RefusingLog()
    run(log, batch(size, {size // 3}))
    depth = math.ceil(math.log2(size))
    # The failed batch, at most two writes per halving, the dead letter, the re-attach.
    assert log.transactions <= 1 + 2 * depth + 1 + 1
    assert dead_letter_codes(log) == {body_hash(poison(size // 3)): STORAGE_REJECTED}


def test_transient_errors_still_retry_the_whole_batch() -> None:
    log = RefusingLog()
    log.fail_next(2)
    result = run(log, batch(10, set()))
    assert result.isolations == 0 and log.refusals == 0
    assert log.transactions == 3 + 1  # two failed attempts, the commit, the re-attach
    assert len(ledger_messages(log)) == 10


def test_a_database_down_through_the_retries_commits_nothing_and_isolates_nothing() -> None:
    log = RefusingLog()
    log.fail_next(100)
    with pytest.raises(TransientStoreError):
        run(log, batch(10, {3}))
    assert not log.tables.events and not log.tables.dead_letters


@pytest.mark.parametrize("error", [SchemaNotReadyError("no tables"), RuntimeError("bug")])
def test_fatal_errors_propagate_without_isolating(error: Exception) -> None:
    log = RefusingLog(error=lambda: error)
    with pytest.raises(type(error)):
        run(log, batch(6, {2}))
    assert log.transactions == 1 and not log.tables.events and not log.tables.dead_letters


def test_python_encoding_errors_from_the_driver_are_isolated_too() -> None:
    def unicode_error() -> Exception:
        return UnicodeEncodeError("utf-8", "x\ud83dy", 1, 2, "surrogates not allowed")

    log = RefusingLog(error=unicode_error)
    bodies = batch(5, {0, 4})
    result = run(log, bodies)
    assert ledger_messages(log) == {"msg-1", "msg-2", "msg-3"}
    assert sorted(r.index for r in result.rejections) == [0, 4]
    for index in (0, 4):
        message = log.tables.dead_letters[body_hash(bodies[index])]["message"]
        assert "UnicodeEncodeError" in message
        assert "\ud83d" not in message and "\x00" not in message


def test_an_unstorable_error_text_is_made_storable() -> None:
    log = RefusingLog(error=lambda: ValueError("bad \x00 value \udc80 here"))
    bodies = batch(3, {1})
    run(log, bodies)
    message = log.tables.dead_letters[body_hash(bodies[1])]["message"]
    assert "\x00" not in message and "\udc80" not in message
    assert "bad \ufffd value \ufffd here" in message
    message.encode("utf-8")  # storable


def test_a_refused_dead_letter_leaves_only_that_body_unsettled() -> None:
    log = RefusingLog(refuse_dead_letters=True)
    bodies = batch(6, {2})
    result = run(log, bodies)
    assert result.unsettled == (2,)
    assert result.rejections == ()
    assert ledger_messages(log) == {f"msg-{i}" for i in range(6) if i != 2}
    assert not log.tables.dead_letters


def test_rejections_of_the_parser_keep_their_batch_index() -> None:
    log = RefusingLog()
    bodies = ["not json", *batch(6, {4}), '{"junk": 1}']
    result = run(log, bodies)
    codes = {r.index: r.code for r in result.rejections}
    assert set(codes) == {0, 5, 7}
    assert codes[0] == "not_json" and codes[5] == STORAGE_REJECTED
    assert codes[7] != STORAGE_REJECTED
    assert len(log.tables.dead_letters) == 3


def test_reapplying_a_batch_with_poison_is_idempotent() -> None:
    log = RefusingLog()
    bodies = batch(12, {1, 7})
    run(log, bodies)
    first = log.inner.snapshot()
    again = run(log, bodies)
    assert again.applied == again.parked == 0 and again.duplicate == 10
    second = log.inner.snapshot()
    assert second["events"] == first["events"]
    assert second["dead_letters"] == first["dead_letters"]
    assert all(row["count"] == 2 for row in log.tables.dead_letters.values())


def test_failure_of_two_bodies_together_refuses_neither() -> None:
    # The generic bisection: a part fails only while it holds both 2 and 3.
    calls: list[tuple[int, ...]] = []

    def attempt(indices: Sequence[int]) -> int:
        calls.append(tuple(indices))
        if {2, 3} <= set(indices):
            raise StorageRejectedError("together")
        return len(indices)

    found = isolate(8, attempt, StorageRejectedError("together"))
    assert found.refused == []
    assert sorted(i for part, _ in found.committed for i in part) == list(range(8))


def test_isolation_stops_at_a_transient_error() -> None:
    def attempt(indices: Sequence[int]) -> int:
        if 0 in indices:
            raise StorageRejectedError("poison")
        raise TransientStoreError("connection lost")

    with pytest.raises(TransientStoreError):
        isolate(4, attempt, StorageRejectedError("poison"))


def test_storable_text_and_describe_error() -> None:
    assert storable_text("a\x00b\ud83dc\udfff") == "a\ufffdb\ufffdc\ufffd"
    assert len(storable_text("x" * 5000)) == 300
    assert describe_error(StorageRejectedError("DataError: NUL\n[SQL: INSERT ...]")) == (
        "StorageRejectedError: DataError: NUL"
    )


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 40),
    data=st.data(),
)
def test_any_set_of_poison_positions_dead_letters_exactly_those(
    size: int, data: st.DataObject
) -> None:
    poisoned = data.draw(st.sets(st.integers(0, size - 1)), label="poisoned")
    log = RefusingLog()
    bodies = batch(size, poisoned)
    result = run(log, bodies)
    assert ledger_messages(log) == {f"msg-{i}" for i in range(size) if i not in poisoned}
    assert dead_letter_codes(log) == {body_hash(bodies[i]): STORAGE_REJECTED for i in poisoned}
    assert sorted(r.index for r in result.rejections) == sorted(poisoned)
    assert result.parked == size - len(poisoned)
    assert result.isolations == (1 if poisoned else 0)
    # O(log n) transactions per poison body (the batch, two per halving, its dead letter).
    depth = math.ceil(math.log2(size)) if size > 1 else 0
    assert log.transactions <= 2 + len(poisoned) * (2 * depth + 1)


# --- replay and drain use the same path -------------------------------------------------


def test_replay_resolves_the_good_and_keeps_the_poison_as_storage_rejected() -> None:
    inner = FakeNotificationLog()
    bodies = batch(6, {1, 4})
    # Yesterday the parser refused all six (say a missing configuration): dead letters.
    from worker.handlers.ports import DeadLetterRow

    with inner.transaction() as tx:
        tx.upsert_dead_letters(
            [DeadLetterRow(body_hash(x), body_bytes(x), "parser_error", "crashed") for x in bodies],
            datetime(2025, 3, 3, tzinfo=UTC),
        )
    log = RefusingLog(inner)
    result = replay_dead_letters(None, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    assert (result.replayed, result.resolved, result.still_rejected) == (6, 4, 2)
    letters = log.tables.dead_letters
    for i, body in enumerate(bodies):
        row = letters[body_hash(body)]
        if i in (1, 4):
            assert row["code"] == STORAGE_REJECTED and row["resolved_at"] is None
            assert row["count"] == 1  # a replay does not count again
        else:
            assert row["resolved_at"] is not None
    assert ledger_messages(log) == {"msg-0", "msg-2", "msg-3", "msg-5"}


def _drain_apply(log: Any) -> partial[IngestResult]:
    return partial(apply_batch, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)


def test_drain_deletes_every_committed_and_dead_lettered_message() -> None:
    queue = FakeQueue()
    queue.send(*batch(25, {3, 17}), "not json")
    log = RefusingLog()
    report = drain_queue(queue, _drain_apply(log), DrainLimits(batch_size=500, poll_wait=0))
    assert queue.total == 0
    assert report.deleted == 26
    assert report.result.isolations == 1
    assert sorted(r.code for r in report.result.rejections) == [
        "not_json",
        STORAGE_REJECTED,
        STORAGE_REJECTED,
    ]
    assert len(ledger_messages(log)) == 23


def test_drain_leaves_only_the_unsettled_message_on_the_queue() -> None:
    queue = FakeQueue()
    ids = queue.send(*batch(10, {6}))
    log = RefusingLog(refuse_dead_letters=True)
    report = drain_queue(queue, _drain_apply(log), DrainLimits(batch_size=500, poll_wait=0))
    assert report.deleted == 9
    assert list(queue.in_flight) == [ids[6]]  # comes back after its visibility timeout
    assert len(ledger_messages(log)) == 9
