"""Overlapping the preparation of the next batch with the writing of the current ones
(``inboxgap sent import``): the database's time and the parsing run side by side, and
with several writers the database writes several batches at once (one connection each).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _no_keys(batch: list[T]) -> Iterable[Hashable]:
    return ()


class BatchWriter(Generic[T, R]):
    """Runs ``write`` on batches in ``workers`` other threads while the caller prepares the
    next one; at most ``workers`` batches are in flight, and the first error is raised by
    the next :meth:`submit` or by :meth:`finish` (a batch already in flight beside the
    failed one may still be written).

    Batches whose ``keys`` overlap are written one after the other, in submission order:
    a batch that shares a key with a batch in flight waits until every batch in flight
    is written. Batches with disjoint keys touch disjoint rows, so their outcome does not
    depend on the order they commit in: the result is the one of writing them all in
    order. Results come back in submission order."""

    def __init__(
        self,
        write: Callable[[list[T]], R],
        *,
        workers: int = 1,
        keys: Callable[[list[T]], Iterable[Hashable]] = _no_keys,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._write = write
        self._workers = workers
        self._keys = keys
        self._results: list[R] = []
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="inboxgap-writer")
        #: Batches in flight, oldest first: (their result, their keys).
        self._pending: deque[tuple[Future[R], frozenset[Hashable]]] = deque()

    def __enter__(self) -> BatchWriter[T, R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # On an error the batches in flight are finished (or fail) before we return.
        self._pool.shutdown(wait=True)

    def _collect_oldest(self) -> None:
        future, _ = self._pending.popleft()
        self._results.append(future.result())

    def submit(self, batch: list[T]) -> None:
        keys = frozenset(self._keys(batch)) if self._workers > 1 else frozenset()
        if keys and any(not keys.isdisjoint(held) for _, held in self._pending):
            while self._pending:  # a shared key: after the batches before it
                self._collect_oldest()
        while len(self._pending) >= self._workers:
            self._collect_oldest()
        self._pending.append((self._pool.submit(self._write, batch), keys))

    def finish(self) -> list[R]:
        """The results of every batch, in order."""
        while self._pending:
            self._collect_oldest()
        return self._results
