"""The sent import's batch writer: batches in flight side by side, overlapping ones in
submission order, results in submission order, the first error raised."""

from __future__ import annotations

import threading
import time

import pytest

from worker.cli.batches import BatchWriter


def test_batches_with_a_shared_key_are_written_in_order_and_results_stay_in_order() -> None:
    order: list[int] = []
    lock = threading.Lock()

    def write(batch: list[int]) -> int:
        # The first batch is slow: a later one sharing its key must still come after it.
        time.sleep(0.05 if batch[0] == 0 else 0)
        with lock:
            order.append(batch[0])
        return batch[0]

    batches = [[0, 100], [1, 101], [2, 100], [3, 103]]  # 0 and 2 share the key 100
    with BatchWriter(write, workers=2, keys=lambda batch: batch[1:]) as writer:
        for batch in batches:
            writer.submit(batch)
        results = writer.finish()
    assert results == [0, 1, 2, 3]
    assert order.index(0) < order.index(2)
    assert order.index(1) < order.index(2)  # every batch in flight finished first


def test_disjoint_batches_are_written_side_by_side() -> None:
    both = threading.Barrier(2, timeout=10)

    def write(batch: list[int]) -> int:
        both.wait()  # deadlocks (times out) unless two batches are in flight at once
        return batch[0]

    with BatchWriter(write, workers=2, keys=lambda batch: batch) as writer:
        for batch in ([1], [2], [3], [4]):
            writer.submit(batch)
        assert writer.finish() == [1, 2, 3, 4]


def test_the_first_error_is_raised_and_later_batches_are_not_written() -> None:
    written: list[int] = []

    def write(batch: list[int]) -> int:
        if batch[0] == 1:
            raise RuntimeError("refused")
        written.append(batch[0])
        return batch[0]

    with pytest.raises(RuntimeError, match="refused"), BatchWriter(write, workers=2) as writer:
        for number in range(6):
            writer.submit([number])
        writer.finish()
    assert 4 not in written and 5 not in written
    assert written[:1] == [0]
