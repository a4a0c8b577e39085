"""Poison isolation: find the bodies the database refuses, without holding a batch hostage.

A batch is written in one transaction. When that transaction fails with an error
:func:`~worker.handlers.transactions.classify_store_error` calls *rejected* (the values
themselves: a NUL or a lone surrogate the database cannot store, a number out of range, a
constraint the code did not expect), writing the same batch again fails the same way, and
before this module the whole batch came back from SQS forever, good bodies included.

:func:`isolate` bisects instead: each half of a failed part is written in its own
transaction (a half that succeeds is committed), and a failed half is split again until a
part of one body fails alone. That body is *refused*; the caller keeps it as a
``storage_rejected`` dead letter (its exact bytes, replayable after a fix). A body costs
at most two transactions per halving, so ``O(log n)`` transactions per poison body, and a
batch without poison pays nothing. A transient error (or a fatal one) met while isolating
propagates: the parts committed so far stay committed, and re-running the batch is
idempotent (the ledger's unique key), as after a crash.

What counts as *rejected* is decided in one place (``classify_store_error``, with the
adapter's mapping of driver errors). It includes programming errors met on these values
(``TypeError``, ``KeyError``...): a bug that only some bodies reach is isolated like any
poison. A bug that *every* body reaches dead-letters every body of the batch, each kept
whole: the dead-letter alert fires and ``inboxgap deadletters replay`` applies them after
the fix, so nothing is lost, where retrying would have sent them all to the SQS DLQ.

This module only knows indices of bodies; :func:`worker.handlers.batch_write.apply_prepared`
joins it to the batch handler. Pure apart from the ``attempt`` callback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from worker.handlers.ports import StoreErrorKind
from worker.handlers.transactions import classify_store_error

__all__ = [
    "STORAGE_REJECTED",
    "Isolation",
    "describe_error",
    "isolate",
    "storable_text",
]

R = TypeVar("R")

#: Dead-letter code of a body the database refused even alone (stable: scripts use it).
STORAGE_REJECTED = "storage_rejected"

#: Longest error text kept in a dead letter's message.
ERROR_TEXT_MAX = 300

#: What no PostgreSQL text (nor UTF-8) can hold: NUL and UTF-16 surrogate code points
#: (a Python str holds a JSON ``"\\ud83d"`` escape as one such code point).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str, limit: int = ERROR_TEXT_MAX) -> str:
    """``text`` with NUL and surrogates replaced by U+FFFD and cut to ``limit``
    characters: the dead letter of a refused body must not be refused in turn."""
    text = _UNSTORABLE.sub("\ufffd", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_error(exc: BaseException) -> str:
    """``Type: first line`` of an error, bounded and storable (no SQL parameters: the
    adapter's errors carry only the driver's first line)."""
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    return storable_text(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


@dataclass(slots=True)
class Isolation(Generic[R]):
    """What :func:`isolate` found."""

    #: (body indices, result) of every part that was written (committed), in order.
    committed: list[tuple[tuple[int, ...], R]] = field(default_factory=list)
    #: (body index, error) of every body that failed alone.
    refused: list[tuple[int, BaseException]] = field(default_factory=list)
    #: Transactions tried while isolating (committed or failed).
    attempts: int = 0


def isolate(
    count: int,
    attempt: Callable[[Sequence[int]], R],
    first_error: BaseException,
) -> Isolation[R]:
    """Bisect bodies ``0..count-1``, whose write together failed with ``first_error``
    (a *rejected* error), until every body is either in a part ``attempt`` wrote or
    refused alone.

    ``attempt(indices)`` writes those bodies in one transaction (retried on transient
    errors by the caller) and returns its result, or raises. A *rejected* error splits the
    part; any other error propagates. A body is refused only after it failed alone, so a
    failure that came from two bodies together ends with both written separately."""
    found: Isolation[R] = Isolation()
    # Failed parts still to split, left-most on top (parts are written in body order).
    failed: list[tuple[tuple[int, ...], BaseException]] = [(tuple(range(count)), first_error)]
    while failed:
        part, error = failed.pop()
        if len(part) == 1:
            found.refused.append((part[0], error))
            continue
        middle = len(part) // 2
        still_failing: list[tuple[tuple[int, ...], BaseException]] = []
        for half in (part[:middle], part[middle:]):
            found.attempts += 1
            try:
                result = attempt(half)
            except Exception as exc:
                if classify_store_error(exc) is not StoreErrorKind.REJECTED:
                    raise
                still_failing.append((half, exc))
                continue
            found.committed.append((half, result))
        failed.extend(reversed(still_failing))
    return found
