"""The storage half of a batch: what a prepared batch holds, the one transaction that
writes it (:func:`write_batch`), the re-attach of parked events after the commit, and the
isolation of bodies the database refuses. :mod:`worker.handlers.ingest` prepares the
batch (pure) and calls :func:`apply_prepared`."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tenacity import Retrying

from worker.domain.fieldwise import add_fieldwise
from worker.domain.outcomes import Reason
from worker.domain.timestamps import utc_day
from worker.handlers.isolation import (
    ERROR_TEXT_MAX,
    STORAGE_REJECTED,
    describe_error,
    isolate,
    storable_text,
)
from worker.handlers.ports import (
    ControlRow,
    CountKey,
    CreatedNotification,
    DeadLetterRow,
    LedgerRow,
    LogTransaction,
    MessageKey,
    NewNotification,
    NotificationLog,
    StoreErrorKind,
)
from worker.handlers.recompute import recompute_statuses
from worker.handlers.transactions import classify_store_error, in_transaction
from worker.handlers.unpark import attach_parked_events

#: The ingest handler's logger: these lines were its own before the split, and log
#: filters select by name.
logger = logging.getLogger("worker.handlers.ingest")


#: Poison isolation's log lines: stdlib logging (the CLI's stderr when logging is not set
#: up, never its stdout), with ``extra`` fields that the structlog set-up
#: (config/logging.py, ``ExtraAdder``) turns into keys of the JSON line.
isolation_log = logging.getLogger("worker.handlers.isolation")


#: Reasons of ledger entries that never change a decided status: a Send event's
#: ``awaiting_feedback`` has the lowest rank, and the rules give the same decision with or
#: without it (``decide_status`` keeps the send time for it, and only a delay counts in
#: the window). Such a row is recorded and counted as applied, but its notification is
#: not locked and recomputed for it: with Send events enabled that is one recompute saved
#: per notification. tests/unit/handlers/test_ingest.py checks the property on the rules.
STATUS_NEUTRAL_REASONS = frozenset({Reason.AWAITING_FEEDBACK.value})


@dataclass(frozen=True, slots=True)
class BodyRejection:
    """Body ``index`` of the batch became (or stayed) a dead letter with ``code``."""

    index: int
    code: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    applied: int = 0
    duplicate: int = 0
    parked: int = 0
    ignored: int = 0
    dead_lettered: int = 0
    control: int = 0
    #: Rows parked by earlier batches that a Send event in this batch gave a notification.
    unparked: int = 0
    notifications_created: int = 0
    status_changes: int = 0
    rejections: tuple[BodyRejection, ...] = field(default=(), repr=False)
    #: (message, recipient) keys that may race a concurrent transaction: created here,
    #: parked here, or seen again (a redelivery after a crash). See worker.handlers.unpark.
    race_keys: frozenset[MessageKey] = field(default=frozenset(), repr=False, compare=False)
    #: Batch writes the database refused that were split to isolate the poison bodies
    #: (each such body is a ``storage_rejected`` rejection above).
    isolations: int = 0
    #: Indices of bodies neither committed nor kept as a dead letter (the database refused
    #: even their dead letter): the only ones a caller must not delete from the queue.
    unsettled: tuple[int, ...] = ()

    def __add__(self, other: IngestResult) -> IngestResult:
        return add_fieldwise(self, other)

    def summary(self) -> dict[str, int]:
        return {
            "applied": self.applied,
            "duplicate": self.duplicate,
            "parked": self.parked,
            "ignored": self.ignored,
            "dead_lettered": self.dead_lettered,
            "control": self.control,
            "unparked": self.unparked,
            "notifications_created": self.notifications_created,
            "status_changes": self.status_changes,
        }


@dataclass(slots=True)
class PreparedBatch:
    """The pure part of a batch: everything the transaction will write. Ledger rows are
    complete but for their notification, which the transaction resolves."""

    ledger: list[LedgerRow] = field(default_factory=list)
    sends: list[NewNotification] = field(default_factory=list)
    dead_letters: list[DeadLetterRow] = field(default_factory=list)
    controls: list[ControlRow] = field(default_factory=list)
    batch_duplicates: int = 0
    applied_hashes: list[str] = field(default_factory=list)
    rejections: list[BodyRejection] = field(default_factory=list)


def body_bytes(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")


def body_hash(body: str | bytes) -> str:
    return hashlib.sha256(body_bytes(body)).hexdigest()


def initial_count_key(row: NewNotification) -> CountKey:
    """The bucket of a notification as inserted (``sent``/``awaiting_feedback``)."""
    return (
        utc_day(row.sent_at),
        row.recipient_domain,
        row.notification_type,
        "sent",
        "awaiting_feedback",
    )


def write_batch(
    tx: LogTransaction,
    batch: PreparedBatch,
    *,
    now: datetime,
    feedback_window: timedelta,
) -> IngestResult:
    """The transactional part of :func:`~worker.handlers.ingest.apply_batch` (safe to
    re-run from scratch)."""
    deltas: Counter[CountKey] = Counter()

    created: list[CreatedNotification] = []
    if batch.sends:
        created = tx.insert_notifications(batch.sends, now)
        by_key = {(s.message_id, s.recipient): s for s in batch.sends}
        for item in created:
            deltas[initial_count_key(by_key[(item.message_id, item.recipient)])] += 1

    applied = ignored = parked = duplicate = 0
    touched: set[int] = {item.pk for item in created}
    race_keys: set[MessageKey] = {(item.message_id, item.recipient) for item in created}
    if batch.ledger:
        inserted = tx.insert_ledger(batch.ledger, now)
        for row in batch.ledger:
            key = (row.identity, row.recipient)
            if key not in inserted:
                duplicate += 1
                race_keys.add((row.message_id, row.recipient))
                continue
            pk = inserted[key]
            if pk is None:
                parked += 1
                race_keys.add((row.message_id, row.recipient))
            elif row.reason is None:
                ignored += 1
            else:
                applied += 1
                if row.reason not in STATUS_NEUTRAL_REASONS:
                    touched.add(pk)
    unparked = 0
    if created:
        attached = tx.attach_parked(created)
        touched.update(attached)
        unparked = sum(attached.values())

    changes = recompute_statuses(
        tx,
        sorted(touched),
        now=now,
        feedback_window=feedback_window,
        deltas=deltas,
    )
    if batch.dead_letters:
        tx.upsert_dead_letters(batch.dead_letters, now)
    if batch.applied_hashes:
        tx.resolve_dead_letters(batch.applied_hashes, now)
    if batch.controls:
        tx.record_control_messages(batch.controls, now)
    # Last: hot aggregate rows are held for the shortest time.
    if deltas:
        tx.add_counts(deltas)
    return IngestResult(
        applied=applied,
        duplicate=duplicate + batch.batch_duplicates,
        parked=parked,
        ignored=ignored,
        dead_lettered=len(batch.rejections),
        control=len(batch.controls),
        unparked=unparked,
        notifications_created=len(created),
        status_changes=changes,
        rejections=tuple(batch.rejections),
        race_keys=frozenset(race_keys),
    )


@dataclass(frozen=True, slots=True)
class BodySource:
    """The bodies a prepared batch was made of, and how to prepare any part of them
    again: what :func:`apply_prepared` needs to isolate a body the database refuses."""

    bodies: Sequence[str | bytes]
    prepare: Callable[[Sequence[str | bytes]], PreparedBatch]
    #: Dead letters of a replay are not counted again.
    replaying: bool = False


def apply_prepared(
    batch: PreparedBatch,
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    retrying: Retrying | None = None,
    source: BodySource | None = None,
) -> IngestResult:
    """The storage half of :func:`~worker.handlers.ingest.apply_batch`: :func:`write_batch`
    in one (retried) transaction, then the re-attach of parked events its keys may have raced with.

    With ``source``, a write the database refuses (a *rejected* error, see
    :func:`~worker.handlers.transactions.classify_store_error`) is isolated: the bodies
    are written in parts until the ones that fail alone are found and kept as
    ``storage_rejected`` dead letters. Without it, such an error propagates."""

    def write(part: PreparedBatch) -> IngestResult:
        return in_transaction(
            log,
            lambda tx: write_batch(tx, part, now=now, feedback_window=feedback_window),
            retrying=retrying,
        )

    try:
        result = write(batch)
    except Exception as exc:
        if source is None or classify_store_error(exc) is not StoreErrorKind.REJECTED:
            raise
        result = _isolate_poison(source, exc, write, log=log, now=now, retrying=retrying)
    attached = _attach_after_commit(
        result, log=log, now=now, feedback_window=feedback_window, retrying=retrying
    )
    if attached:
        result = dataclasses.replace(result, unparked=result.unparked + attached)
    return result


def _attach_after_commit(
    result: IngestResult,
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    retrying: Retrying | None,
) -> int:
    """:func:`attach_parked_events` for the race keys of every committed part, once.

    The batch's effect is committed by now. A transient failure still propagates (the
    batch comes back, dedupes, and its keys are raced again). A *rejected* one cannot
    come from a body (the keys were just stored, so the lookup cannot refuse them): it is
    logged and the batch stays settled rather than held; the events it did not re-attach
    stay parked until their key is seen again (a redelivery, or their send) or the next
    sweep (see worker.handlers.unpark)."""
    try:
        return attach_parked_events(
            result.race_keys, log=log, now=now, feedback_window=feedback_window, retrying=retrying
        )
    except Exception as exc:
        if classify_store_error(exc) is not StoreErrorKind.REJECTED:
            raise
        logger.warning(
            "re-attaching parked events failed after the commit; they stay parked: %s",
            describe_error(exc),
        )
        return 0


def _isolate_poison(
    source: BodySource,
    error: BaseException,
    write: Callable[[PreparedBatch], IngestResult],
    *,
    log: NotificationLog,
    now: datetime,
    retrying: Retrying | None,
) -> IngestResult:
    """Bisect ``source.bodies`` (their write together failed with ``error``): commit the
    parts that can be written, keep each body that fails alone as a dead letter."""
    bodies = source.bodies
    isolation_log.warning(
        "batch write refused by the database; isolating the bodies it refuses (%d bodies)",
        len(bodies),
        extra={"batch_size": len(bodies), "error": describe_error(error)},
    )

    def attempt(indices: Sequence[int]) -> IngestResult:
        part = write(source.prepare([bodies[i] for i in indices]))
        # Rejections of the part are numbered within it: give them their batch index.
        renumbered = tuple(BodyRejection(indices[r.index], r.code) for r in part.rejections)
        return dataclasses.replace(part, rejections=renumbered)

    found = isolate(len(bodies), attempt, error)
    total = IngestResult(isolations=1)
    for _, part_result in found.committed:
        total = total + part_result
    unsettled: list[int] = []
    for index, refused in found.refused:
        body = bodies[index]
        row = DeadLetterRow(
            body_hash=body_hash(body),
            body=body_bytes(body),
            code=STORAGE_REJECTED,
            message=storable_text(
                f"the database refused this body ({describe_error(refused)}); "
                "replay it after a fix with `inboxgap deadletters replay`",
                limit=2 * ERROR_TEXT_MAX,
            ),
            count=0 if source.replaying else 1,
        )
        if not _keep_dead_letter(row, log=log, now=now, retrying=retrying):
            unsettled.append(index)
            continue
        total = total + IngestResult(
            dead_lettered=1, rejections=(BodyRejection(index, STORAGE_REJECTED),)
        )
        isolation_log.warning(
            "poison body isolated: body %d kept as a %s dead letter (%s)",
            index,
            STORAGE_REJECTED,
            describe_error(refused),
            extra={
                "code": STORAGE_REJECTED,
                "body_index": index,
                "body_hash": row.body_hash,
                "error": describe_error(refused),
            },
        )
    isolation_log.warning(
        "poison isolation finished: %d isolated, %d unsettled, %d parts committed",
        len(found.refused) - len(unsettled),
        len(unsettled),
        len(found.committed),
        extra={
            "batch_size": len(bodies),
            "isolated": len(found.refused) - len(unsettled),
            "unsettled": len(unsettled),
            "committed_parts": len(found.committed),
            "transactions": found.attempts + len(found.refused),
        },
    )
    return dataclasses.replace(total, unsettled=tuple(unsettled))


def _keep_dead_letter(
    row: DeadLetterRow, *, log: NotificationLog, now: datetime, retrying: Retrying | None
) -> bool:
    """Write one dead letter in its own transaction. False when the database refuses it
    too (the body then stays on the queue); transient and fatal errors propagate."""

    def work(tx: LogTransaction) -> None:
        tx.upsert_dead_letters([row], now)

    try:
        in_transaction(log, work, retrying=retrying)
    except Exception as exc:
        if classify_store_error(exc) is not StoreErrorKind.REJECTED:
            raise
        isolation_log.error(
            "the database refused even the dead letter of a poison body; it stays on the "
            "queue (%s)",
            describe_error(exc),
            extra={"body_hash": row.body_hash, "error": describe_error(exc)},
        )
        return False
    return True
