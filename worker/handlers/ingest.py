"""Apply a batch of raw SQS bodies to the notification log, exactly once.

:func:`apply_batch` is what the Celery worker and ``inboxgap ingest`` call. In one
transaction it inserts the batch's ledger rows (duplicates ignored by the database's
unique key), creates notifications from SES ``Send`` events, gives parked events their
notification, recomputes every touched status from its whole ledger under a row lock taken
in primary-key order, writes only the changes, and records dead letters and control
messages. Parsing and classification are pure and happen before the transaction, so a
transient database error retries only the storage part and malformed input never retries.

Counting (``IngestResult``): ``applied``, ``duplicate``, ``parked`` and ``ignored`` count
ledger rows, i.e. (event, recipient) pairs; ``dead_lettered`` and ``control`` count bodies.

* ``applied``: new row, its notification is known and the event decides a status;
* ``ignored``: new row, notification known, the event decides nothing (open, click,
  auto-reply, not-spam...) — kept in the timeline;
* ``parked``: new row whose message is not in the log yet (applied when the send arrives);
* ``duplicate``: the row was already in the ledger (or twice in this batch).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from operator import attrgetter

from tenacity import Retrying

from worker.domain.addresses import domain_of, normalise_address
from worker.domain.classifier import RecipientOutcome, classify_event
from worker.domain.events import (
    ControlMessage,
    EventType,
    FeedbackEvent,
    Rejection,
    RejectionCode,
    SnsEnvelope,
)
from worker.domain.outcomes import Reason, Status
from worker.domain.parser import parse_body
from worker.domain.timestamps import format_timestamp
from worker.handlers.isolation import (
    ERROR_TEXT_MAX,
    STORAGE_REJECTED,
    describe_error,
    isolate,
    storable_text,
)
from worker.handlers.ports import (
    SOURCE_SES_SEND,
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

logger = logging.getLogger(__name__)
#: Poison isolation's log lines: stdlib logging (the CLI's stderr when logging is not set
#: up, never its stdout), with ``extra`` fields that the structlog set-up
#: (config/logging.py, ``ExtraAdder``) turns into keys of the JSON line.
isolation_log = logging.getLogger("worker.handlers.isolation")

#: Verifies an SNS envelope: a Rejection makes the body a dead letter; exceptions are
#: transient (certificate fetch failed) and propagate to the caller.
EnvelopeVerifier = Callable[[SnsEnvelope], Rejection | None]

#: Dead-letter codes for bodies the pure domain code crashed on (a bug, never retried).
PARSER_ERROR = "parser_error"
CLASSIFIER_ERROR = "classifier_error"

#: Reasons of ledger entries that never change a decided status: a Send event's
#: ``awaiting_feedback`` has the lowest rank, and the rules give the same decision with or
#: without it (``decide_status`` keeps the send time for it, and only a delay counts in
#: the window). Such a row is recorded and counted as applied, but its notification is
#: not locked and recomputed for it: with Send events enabled that is one recompute saved
#: per notification. tests/unit/handlers/test_ingest.py checks the property on the rules.
STATUS_NEUTRAL_REASONS = frozenset({Reason.AWAITING_FEEDBACK.value})
#: Longest diagnostic kept in the ledger; longer ones are cut (the body is not kept).
DIAGNOSTIC_MAX = 2000
#: Key fields longer than this many UTF-8 bytes make the body a dead letter. PostgreSQL
#: refuses a btree entry over 2704 bytes (a third of a page), and random text does not
#: compress: two keys of this size fit in one composite index entry with room to spare.
KEY_MAX = 1000
UNKNOWN_TYPE = "unknown"


@dataclass(frozen=True, slots=True)
class TagNames:
    """``mail.tags`` names carrying our notification id and type (configurable)."""

    notification_id: str = "notification_id"
    notification_type: str = "notification_type"


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
        return IngestResult(
            applied=self.applied + other.applied,
            duplicate=self.duplicate + other.duplicate,
            parked=self.parked + other.parked,
            ignored=self.ignored + other.ignored,
            dead_lettered=self.dead_lettered + other.dead_lettered,
            control=self.control + other.control,
            unparked=self.unparked + other.unparked,
            notifications_created=self.notifications_created + other.notifications_created,
            status_changes=self.status_changes + other.status_changes,
            rejections=self.rejections + other.rejections,
            race_keys=self.race_keys | other.race_keys,
            isolations=self.isolations + other.isolations,
            unsettled=self.unsettled + other.unsettled,
        )

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


@dataclass(frozen=True, slots=True)
class _EventFacts:
    """Facts of a whole event every ledger row of it keeps (for the IT-admin block)."""

    reporting_mta: str | None = None
    remote_mta_ip: str | None = None
    from_header: str | None = None
    subject: str | None = None
    sending_domain: str | None = None


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


def _diagnostic(text: str | None) -> str | None:
    """Free text kept in the ledger, cut to ``DIAGNOSTIC_MAX`` characters. (It is already
    storable: the parser makes every string it hands on storable text.)"""
    if text is not None and len(text) > DIAGNOSTIC_MAX:
        return text[: DIAGNOSTIC_MAX - 1] + "…"
    return text


#: SES's own tag naming the domain of the From address (set on every SES message).
FROM_DOMAIN_TAG = "ses:from-domain"


def event_facts(event: FeedbackEvent) -> _EventFacts:
    """What the IT-admin block shows about the message itself, each value bounded like
    the diagnostic. From falls back to the envelope sender (``mail.source``); the sending
    domain to the ``ses:from-domain`` tag, else the domain of ``mail.source``."""
    mta, ip, source, subject = (
        event.reporting_mta,
        event.remote_mta_ip,
        event.mail_source,
        event.subject,
    )
    sender = event.from_header or source
    domain = event.tag(FROM_DOMAIN_TAG)
    # The same sender, subject and MTA recur across a batch: short facts are cached (a
    # bound on their size keeps a hostile stream from growing the cache's memory).
    size = (
        len(mta or "")
        + len(ip or "")
        + len(sender or "")
        + len(subject or "")
        + len(domain or "")
        + len(source or "")
    )
    if size <= _CACHED_FACTS_MAX:
        return _cached_facts(mta, ip, sender, subject, domain, source)
    return _facts(mta, ip, sender, subject, domain, source)


_CACHED_FACTS_MAX = 1024


def _facts(
    reporting_mta: str | None,
    remote_mta_ip: str | None,
    from_header: str | None,
    subject: str | None,
    domain: str | None,
    source: str | None,
) -> _EventFacts:
    if not domain and source:
        domain = domain_of(normalise_address(source))
    return _EventFacts(
        reporting_mta=_diagnostic(reporting_mta),
        remote_mta_ip=_diagnostic(remote_mta_ip),
        from_header=_diagnostic(from_header),
        subject=_diagnostic(subject),
        sending_domain=_diagnostic(domain.strip().lower() if domain else None) or None,
    )


_cached_facts = lru_cache(maxsize=4096)(_facts)


def send_notification_id(
    tag_value: str | None, message_id: str, address: str, *, multi_recipient: bool
) -> str:
    """Our id for a notification created from a Send event: the tag (``<tag>/<address>``
    for a message with several recipients), else ``ses:<message id>:<address>``."""
    if tag_value:
        return f"{tag_value}/{address}" if multi_recipient else tag_value
    return f"ses:{message_id}:{address}"


def prepare_batch(
    bodies: Sequence[str | bytes],
    *,
    received_at: datetime | None = None,
    verify_envelope: EnvelopeVerifier | None = None,
    tags: TagNames = TagNames(),
    replaying: bool = False,
) -> PreparedBatch:
    """Parse, verify and classify every body (pure except for ``verify_envelope``).
    ``received_at`` bounds event timestamps (see :func:`worker.domain.parser.parse_body`)."""
    batch = PreparedBatch()
    seen: set[tuple[str, str]] = set()
    ledger = batch.ledger
    send_keys: set[MessageKey] = set()
    send_ids: set[str] = set()
    dead: dict[str, DeadLetterRow] = {}
    control_keys: set[str] = set()

    def reject(index: int, body: str | bytes, code: str, message: str) -> None:
        digest = body_hash(body)
        previous = dead.get(digest)
        increment = 0 if replaying else 1
        if previous is None:
            dead[digest] = DeadLetterRow(digest, body_bytes(body), code, message, increment)
        else:
            dead[digest] = DeadLetterRow(
                digest, previous.body, code, message, previous.count + increment
            )
        batch.rejections.append(BodyRejection(index, code))

    for index, body in enumerate(bodies):
        try:
            parsed = parse_body(body, received_at=received_at)
        except Exception as exc:  # a parser bug must not become a retry loop
            logger.exception("parser crashed on body %d", index)
            reject(index, body, PARSER_ERROR, f"parser crashed: {type(exc).__name__}")
            continue
        if isinstance(parsed, Rejection):
            reject(index, body, parsed.code.value, parsed.message)
            continue
        if parsed.sns is not None and verify_envelope is not None:
            refused = verify_envelope(parsed.sns)
            if refused is not None:
                reject(index, body, refused.code.value, refused.message)
                continue
        if isinstance(parsed, ControlMessage):
            key = parsed.sns.message_id if parsed.sns is not None else body_hash(body)
            if _over_key_max(key):
                reject(index, body, RejectionCode.TOO_LARGE.value, "the SNS MessageId is too long")
                continue
            if key not in control_keys:
                control_keys.add(key)
                batch.controls.append(
                    ControlRow(
                        dedup_key=key,
                        kind=parsed.kind.value,
                        topic_arn=parsed.topic_arn,
                        subscribe_url=parsed.subscribe_url,
                        token=parsed.token,
                        detail_type=parsed.detail_type,
                        message=parsed.message,
                    )
                )
            if replaying:
                batch.applied_hashes.append(body_hash(body))
            continue
        try:
            outcomes = classify_event(parsed)
        except Exception as exc:
            logger.exception("classifier crashed on body %d", index)
            reject(index, body, CLASSIFIER_ERROR, f"classifier crashed: {type(exc).__name__}")
            continue
        if parsed.label_mismatch:
            # The document decided; the envelope's label is worth a look (no addresses).
            logger.warning("body %d: %s", index, parsed.label_mismatch)
        if _too_long(parsed, outcomes, tags):
            reject(index, body, RejectionCode.TOO_LARGE.value, "an id or address is too long")
            continue
        facts = event_facts(parsed)
        message_id = parsed.message_id
        for outcome in outcomes:
            row = _ledger_row(outcome, message_id, facts)
            row_key = (row.identity, row.recipient)
            if row_key in seen:
                batch.batch_duplicates += 1
                continue
            seen.add(row_key)
            ledger.append(row)
        if parsed.event_type is EventType.SEND:
            _collect_sends(parsed, outcomes, tags, batch, send_keys, send_ids)
        if replaying:
            batch.applied_hashes.append(body_hash(body))
    batch.dead_letters = sorted(dead.values(), key=lambda row: row.body_hash)
    # Key order: concurrent handlers insert overlapping keys in the same order.
    ledger.sort(key=_ledger_key)
    batch.sends.sort(key=lambda s: (s.message_id, s.recipient))
    batch.controls.sort(key=lambda c: c.dedup_key)
    return batch


def _over_key_max(text: str) -> bool:
    """Whether an indexed value is over :data:`KEY_MAX` UTF-8 bytes. A character is at
    most 4 bytes, so short values (the usual case) are settled without encoding."""
    size = len(text)
    if size * 4 <= KEY_MAX or text.isascii():
        return size > KEY_MAX
    return len(text.encode("utf-8")) > KEY_MAX


def _too_long(event: FeedbackEvent, outcomes: Sequence[RecipientOutcome], tags: TagNames) -> bool:
    """Whether a value that ends up in an index entry is over :data:`KEY_MAX` bytes: ids,
    addresses, and for a Send event the tags that become its notification id and type."""
    if _over_key_max(event.message_id):
        return True
    if event.event_type is EventType.SEND:
        for name in (tags.notification_id, tags.notification_type):
            value = event.tag(name)
            if value is not None and _over_key_max(value):
                return True
    for outcome in outcomes:
        if _over_key_max(outcome.identity) or _over_key_max(outcome.address):
            return True
    return False


def _collect_sends(
    event: FeedbackEvent,
    outcomes: Sequence[RecipientOutcome],
    tags: TagNames,
    batch: PreparedBatch,
    send_keys: set[MessageKey],
    send_ids: set[str],
) -> None:
    addresses: dict[str, str] = {}
    for outcome in outcomes:
        addresses.setdefault(outcome.address, outcome.original)
    tag_id = event.tag(tags.notification_id)
    kind = event.tag(tags.notification_type) or UNKNOWN_TYPE
    multi = len(addresses) > 1
    for address, original in addresses.items():
        key = (event.message_id, address)
        notification_id = send_notification_id(
            tag_id, event.message_id, address, multi_recipient=multi
        )
        if key in send_keys or notification_id in send_ids:
            continue
        send_keys.add(key)
        send_ids.add(notification_id)
        batch.sends.append(
            NewNotification(
                notification_id=notification_id,
                message_id=event.message_id,
                recipient=address,
                recipient_original=original or address,
                recipient_domain=domain_of(address),
                notification_type=kind,
                sent_at=event.occurred_at_text,
                source=SOURCE_SES_SEND,
            )
        )


def initial_count_key(row: NewNotification) -> CountKey:
    """The bucket of a notification as inserted (``sent``/``awaiting_feedback``)."""
    return (
        row.sent_at[:10],
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
    """The transactional part of :func:`apply_batch` (safe to re-run from scratch)."""
    now_text = format_timestamp(now)
    deltas: Counter[CountKey] = Counter()

    created: list[CreatedNotification] = []
    if batch.sends:
        created = tx.insert_notifications(batch.sends, now_text)
        by_key = {(s.message_id, s.recipient): s for s in batch.sends}
        for item in created:
            deltas[initial_count_key(by_key[(item.message_id, item.recipient)])] += 1

    applied = ignored = parked = duplicate = 0
    touched: set[int] = {item.pk for item in created}
    race_keys: set[MessageKey] = {(item.message_id, item.recipient) for item in created}
    if batch.ledger:
        inserted = tx.insert_ledger(batch.ledger, now_text)
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
        now_text=now_text,
        feedback_window=feedback_window,
        deltas=deltas,
    )
    if batch.dead_letters:
        tx.upsert_dead_letters(batch.dead_letters, now_text)
    if batch.applied_hashes:
        tx.resolve_dead_letters(batch.applied_hashes, now_text)
    if batch.controls:
        tx.record_control_messages(batch.controls, now_text)
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


#: Sort key of ledger rows (their unique key).
_ledger_key = attrgetter("identity", "recipient")


#: Enum member → its text: a dict lookup is several times cheaper than ``.value``.
_VALUE: dict[EventType | Status | Reason, str] = {
    member: member.value for kind in (EventType, Status, Reason) for member in kind
}


def _ledger_row(outcome: RecipientOutcome, message_id: str, facts: _EventFacts) -> LedgerRow:
    """The ledger row of one (event, recipient), its notification still unresolved."""
    verdict = outcome.verdict
    diagnostic = outcome.diagnostic
    if diagnostic is not None and len(diagnostic) > DIAGNOSTIC_MAX:
        diagnostic = _diagnostic(diagnostic)
    if verdict is None:
        status = reason = smtp_status = provider = help_url = None
    else:
        status = _VALUE[verdict.status]
        reason = _VALUE[verdict.reason]
        smtp_status, provider, help_url = verdict.smtp_status, verdict.provider, verdict.help_url
    return LedgerRow(
        identity=outcome.identity,
        recipient=outcome.address,
        message_id=message_id,
        notification_pk=None,
        event_type=_VALUE[outcome.event_type],
        occurred_at=outcome.occurred_at,
        status=status,
        reason=reason,
        smtp_status=smtp_status,
        diagnostic=diagnostic,
        provider=provider,
        help_url=help_url,
        recipient_original=outcome.original,
        reporting_mta=facts.reporting_mta,
        remote_mta_ip=facts.remote_mta_ip,
        from_header=facts.from_header,
        subject=facts.subject,
        sending_domain=facts.sending_domain,
    )


def apply_batch(
    bodies: Sequence[str | bytes],
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    verify_envelope: EnvelopeVerifier | None = None,
    tags: TagNames = TagNames(),
    retrying: Retrying | None = None,
    replaying: bool = False,
) -> IngestResult:
    """Apply raw SQS bodies in one transaction; returns what happened to them.

    Every body is accounted for when this returns: applied, parked, ignored, duplicate,
    recorded as a control message, or kept as a dead letter. A body the database refuses
    (see :mod:`worker.handlers.isolation`) is isolated and kept as a ``storage_rejected``
    dead letter while the others commit; in the rare case its dead letter is refused too,
    its index is in ``unsettled``. Raises
    :class:`~worker.handlers.ports.TransientStoreError` when the database stayed
    unavailable through the retries (retry the batch later: what was committed dedupes),
    and whatever ``verify_envelope`` raises. ``replaying`` marks dead letters of bodies
    that now apply as resolved and does not count them again.
    """

    def prepare(part: Sequence[str | bytes]) -> PreparedBatch:
        return prepare_batch(
            part, received_at=now, verify_envelope=verify_envelope, tags=tags, replaying=replaying
        )

    return apply_prepared(
        prepare(bodies),
        log=log,
        now=now,
        feedback_window=feedback_window,
        retrying=retrying,
        source=BodySource(bodies, prepare, replaying=replaying),
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
    """The storage half of :func:`apply_batch`: :func:`write_batch` in one (retried)
    transaction, then the re-attach of parked events its keys may have raced with.

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
    now_text = format_timestamp(now)
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
        if not _keep_dead_letter(row, log=log, now_text=now_text, retrying=retrying):
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
    row: DeadLetterRow, *, log: NotificationLog, now_text: str, retrying: Retrying | None
) -> bool:
    """Write one dead letter in its own transaction. False when the database refuses it
    too (the body then stays on the queue); transient and fatal errors propagate."""

    def work(tx: LogTransaction) -> None:
        tx.upsert_dead_letters([row], now_text)

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


def prepare_ahead(
    chunks: Iterable[Sequence[str | bytes]],
    *,
    received_at: datetime | None = None,
    verify_envelope: EnvelopeVerifier | None = None,
    tags: TagNames = TagNames(),
    replaying: bool = False,
) -> Iterator[PreparedBatch]:
    """:func:`prepare_batch` over ``chunks``, the next chunk prepared in a background
    thread while the caller writes the current one (its transaction mostly waits on the
    database, and the thread runs meanwhile). Only the pure part runs ahead: each batch is
    still written in its own transaction, in order, by the caller. An exception raised by
    a chunk's preparation (``verify_envelope``'s) surfaces when that chunk is reached."""

    def prepare(chunk: Sequence[str | bytes]) -> PreparedBatch:
        return prepare_batch(
            chunk,
            received_at=received_at,
            verify_envelope=verify_envelope,
            tags=tags,
            replaying=replaying,
        )

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inboxgap-prepare") as pool:
        pending: Future[PreparedBatch] | None = None
        for chunk in chunks:
            following = pool.submit(prepare, chunk)
            if pending is not None:
                yield pending.result()
            pending = following
        if pending is not None:
            yield pending.result()
