"""Overlapping the preparation of the next batch with the writing of the current one
(``inboxgap sent import``): the database's time and the parsing run side by side."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BatchWriter(Generic[T, R]):
    """Runs ``write`` on one batch at a time in a second thread while the caller prepares
    the next one. Batches are written in order, never two at once; the first error is
    raised by the next :meth:`submit` or by :meth:`finish`."""

    def __init__(self, write: Callable[[list[T]], R]) -> None:
        self._write = write
        self._results: list[R] = []
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="inboxgap-writer")
        self._pending: Future[R] | None = None

    def __enter__(self) -> BatchWriter[T, R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # On an error the batch in flight is finished (or fails) before we return.
        self._pool.shutdown(wait=True)

    def _collect(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._results.append(pending.result())

    def submit(self, batch: list[T]) -> None:
        self._collect()  # at most one batch in flight
        self._pending = self._pool.submit(self._write, batch)

    def finish(self) -> list[R]:
        """The results of every batch, in order."""
        self._collect()
        return self._results
