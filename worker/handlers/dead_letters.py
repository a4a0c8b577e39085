"""Replay dead letters through the batch handler (after a fix in the parser, the
classifier or the configuration). Bodies that now apply are marked resolved in the same
transaction; bodies that are still rejected keep their dead letter (code and message
updated, not counted again). A body the database refuses is isolated by the batch handler
like in the drain (its dead letter becomes ``storage_rejected``), so one such body never
keeps the others of its batch from being resolved."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tenacity import Retrying

from worker.handlers.ingest import EnvelopeVerifier, IngestResult, TagNames, apply_batch
from worker.handlers.ports import NotificationLog, StoredDeadLetter
from worker.handlers.transactions import in_transaction

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class ReplayResult:
    replayed: int = 0
    resolved: int = 0
    still_rejected: int = 0
    #: Dead letters whose body was purged (nothing left to replay).
    purged: int = 0
    ingest: IngestResult = field(default_factory=IngestResult)


def replay_dead_letters(
    ids: Collection[int] | None,
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    verify_envelope: EnvelopeVerifier | None = None,
    tags: TagNames = TagNames(),
    batch_size: int = DEFAULT_BATCH_SIZE,
    retrying: Retrying | None = None,
) -> ReplayResult:
    """Replay unresolved dead letters (all of them when ``ids`` is None)."""
    after = 0
    result = ReplayResult()
    while True:
        letters = _next_letters(log, ids, after, batch_size, retrying)
        if not letters:
            return result
        after = letters[-1].id
        bodies = [letter.body for letter in letters if letter.body is not None]
        purged = len(letters) - len(bodies)
        ingest = apply_batch(
            bodies,
            log=log,
            now=now,
            feedback_window=feedback_window,
            verify_envelope=verify_envelope,
            tags=tags,
            retrying=retrying,
            replaying=True,
        )
        # A body refused again (any code, ``storage_rejected`` included) or left unsettled
        # keeps its dead letter, unresolved.
        rejected = len(ingest.rejections) + len(ingest.unsettled)
        result = ReplayResult(
            replayed=result.replayed + len(bodies),
            resolved=result.resolved + len(bodies) - rejected,
            still_rejected=result.still_rejected + rejected,
            purged=result.purged + purged,
            ingest=result.ingest + ingest,
        )
        if len(letters) < batch_size:
            return result


def _next_letters(
    log: NotificationLog,
    ids: Collection[int] | None,
    after: int,
    limit: int,
    retrying: Retrying | None,
) -> list[StoredDeadLetter]:
    return in_transaction(
        log, lambda tx: tx.dead_letters_to_replay(ids, after, limit), retrying=retrying
    )
