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

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from worker.domain.timestamps import moment_of
from worker.handlers.batch_write import (
    BodyRejection,
    BodySource,
    IngestResult,
    PreparedBatch,
    apply_prepared,
    body_bytes,
    body_hash,
)
from worker.handlers.ports import (
    SOURCE_SES_SEND,
    ControlRow,
    DeadLetterRow,
    LedgerRow,
    MessageKey,
    NewNotification,
    NotificationLog,
)

#: What callers use; the results and the storage half live in
#: :mod:`worker.handlers.batch_write` and are named here too.
__all__ = [
    "CLASSIFIER_ERROR",
    "DIAGNOSTIC_MAX",
    "KEY_MAX",
    "PARSER_ERROR",
    "PREFETCH_SWITCH_INTERVAL",
    "BodyRejection",
    "BodySource",
    "EnvelopeVerifier",
    "IngestResult",
    "PreparedBatch",
    "TagNames",
    "apply_batch",
    "apply_prepared",
    "body_bytes",
    "body_hash",
    "event_facts",
    "prepare_ahead",
    "prepare_batch",
    "quicken_gil_handoff",
    "send_notification_id",
]

logger = logging.getLogger(__name__)

#: Verifies an SNS envelope: a Rejection makes the body a dead letter; exceptions are
#: transient (certificate fetch failed) and propagate to the caller.
EnvelopeVerifier = Callable[[SnsEnvelope], Rejection | None]

#: Dead-letter codes for bodies the pure domain code crashed on (a bug, never retried).
PARSER_ERROR = "parser_error"
CLASSIFIER_ERROR = "classifier_error"

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
class _EventFacts:
    """Facts of a whole event every ledger row of it keeps (for the IT-admin block)."""

    reporting_mta: str | None = None
    remote_mta_ip: str | None = None
    from_header: str | None = None
    subject: str | None = None
    sending_domain: str | None = None


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
    source = event.mail_source
    key = (
        event.reporting_mta,
        event.remote_mta_ip,
        event.from_header or source,
        event.subject,
        event.tag(FROM_DOMAIN_TAG),
        source,
    )
    # The same sender, subject and MTA recur across a batch: facts are cached on them.
    # Only short ones are (checked when one is first seen): a bound on their size keeps
    # a hostile stream from growing the cache's memory.
    facts = _FACTS_CACHE.get(key)
    if facts is None:
        facts = _facts(*key)
        if sum(len(value) for value in key if value) <= _CACHED_FACTS_MAX:
            if len(_FACTS_CACHE) >= _FACTS_CACHE_SIZE:
                _FACTS_CACHE.clear()
            _FACTS_CACHE[key] = facts
    return facts


_CACHED_FACTS_MAX = 1024
_FACTS_CACHE_SIZE = 4096
_FACTS_CACHE: dict[tuple[str | None, ...], _EventFacts] = {}


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
    preparing = _Preparing(tags, replaying=replaying)
    for index, body in enumerate(bodies):
        try:
            parsed = parse_body(body, received_at=received_at)
        except Exception as exc:  # a parser bug must not become a retry loop
            logger.exception("parser crashed on body %d", index)
            preparing.reject(index, body, PARSER_ERROR, f"parser crashed: {type(exc).__name__}")
            continue
        if isinstance(parsed, Rejection):
            preparing.reject(index, body, parsed.code.value, parsed.message)
            continue
        if parsed.sns is not None and verify_envelope is not None:
            refused = verify_envelope(parsed.sns)
            if refused is not None:
                preparing.reject(index, body, refused.code.value, refused.message)
                continue
        if isinstance(parsed, ControlMessage):
            preparing.add_control(index, body, parsed)
        else:
            preparing.add_event(index, body, parsed)
    return preparing.finish()


class _Preparing:
    """One :func:`prepare_batch` call: the batch being built and the keys it has seen
    (duplicates within a batch are dropped here, before the transaction)."""

    def __init__(self, tags: TagNames, *, replaying: bool) -> None:
        self.batch = PreparedBatch()
        self.tags = tags
        self.replaying = replaying
        self.seen: set[tuple[str, str]] = set()
        self.send_keys: set[MessageKey] = set()
        self.send_ids: set[str] = set()
        self.dead: dict[str, DeadLetterRow] = {}
        self.control_keys: set[str] = set()

    def reject(self, index: int, body: str | bytes, code: str, message: str) -> None:
        digest = body_hash(body)
        previous = self.dead.get(digest)
        increment = 0 if self.replaying else 1
        if previous is None:
            self.dead[digest] = DeadLetterRow(digest, body_bytes(body), code, message, increment)
        else:
            self.dead[digest] = DeadLetterRow(
                digest, previous.body, code, message, previous.count + increment
            )
        self.batch.rejections.append(BodyRejection(index, code))

    def add_control(self, index: int, body: str | bytes, parsed: ControlMessage) -> None:
        key = parsed.sns.message_id if parsed.sns is not None else body_hash(body)
        if _over_key_max(key):
            self.reject(index, body, RejectionCode.TOO_LARGE.value, "the SNS MessageId is too long")
            return
        if key not in self.control_keys:
            self.control_keys.add(key)
            self.batch.controls.append(
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
        if self.replaying:
            self.batch.applied_hashes.append(body_hash(body))

    def add_event(self, index: int, body: str | bytes, parsed: FeedbackEvent) -> None:
        try:
            outcomes = classify_event(parsed)
        except Exception as exc:
            logger.exception("classifier crashed on body %d", index)
            self.reject(index, body, CLASSIFIER_ERROR, f"classifier crashed: {type(exc).__name__}")
            return
        if parsed.label_mismatch:
            # The document decided; the envelope's label is worth a look (no addresses).
            logger.warning("body %d: %s", index, parsed.label_mismatch)
        if _too_long(parsed, outcomes, self.tags):
            self.reject(index, body, RejectionCode.TOO_LARGE.value, "an id or address is too long")
            return
        facts = event_facts(parsed)
        message_id = parsed.message_id
        seen = self.seen
        ledger = self.batch.ledger
        # The outcomes of an event share its time: parsed once, not per row.
        occurred_text = ""
        occurred_at: datetime | None = None
        for outcome in outcomes:
            if occurred_at is None or outcome.occurred_at != occurred_text:
                occurred_text = outcome.occurred_at
                occurred_at = moment_of(occurred_text)
            row_key = (outcome.identity, outcome.address)
            if row_key in seen:
                self.batch.batch_duplicates += 1
                continue
            seen.add(row_key)
            ledger.append(_ledger_row(outcome, message_id, facts, occurred_at))
        if parsed.event_type is EventType.SEND:
            sent_at = (
                occurred_at
                if occurred_at is not None and occurred_text == parsed.occurred_at_text
                else None
            )
            _collect_sends(
                parsed, outcomes, self.tags, self.batch, self.send_keys, self.send_ids, sent_at
            )
        if self.replaying:
            self.batch.applied_hashes.append(body_hash(body))

    def finish(self) -> PreparedBatch:
        batch = self.batch
        batch.dead_letters = sorted(self.dead.values(), key=lambda row: row.body_hash)
        # Key order: concurrent handlers insert overlapping keys in the same order.
        batch.ledger.sort(key=_ledger_key)
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
    # A value of at most KEY_MAX // 4 characters is never over (the usual case): settled
    # by its length, without a call.
    if len(event.message_id) > _SURELY_SHORT and _over_key_max(event.message_id):
        return True
    if event.event_type is EventType.SEND:
        for name in (tags.notification_id, tags.notification_type):
            value = event.tag(name)
            if value is not None and _over_key_max(value):
                return True
    for outcome in outcomes:
        identity, address = outcome.identity, outcome.address
        if (len(identity) > _SURELY_SHORT and _over_key_max(identity)) or (
            len(address) > _SURELY_SHORT and _over_key_max(address)
        ):
            return True
    return False


_SURELY_SHORT = KEY_MAX // 4


def _collect_sends(
    event: FeedbackEvent,
    outcomes: Sequence[RecipientOutcome],
    tags: TagNames,
    batch: PreparedBatch,
    send_keys: set[MessageKey],
    send_ids: set[str],
    sent_at: datetime | None = None,
) -> None:
    """``sent_at``: :func:`moment_of` the event's ``occurred_at_text`` if known."""
    if len(outcomes) == 1:  # the usual Send: no loop
        addresses = {outcomes[0].address: outcomes[0].original}
    else:
        addresses = {}
        for outcome in outcomes:
            addresses.setdefault(outcome.address, outcome.original)
    tag_id = event.tag(tags.notification_id)
    kind = event.tag(tags.notification_type) or UNKNOWN_TYPE
    multi = len(addresses) > 1
    if sent_at is None:
        if not addresses:
            return
        sent_at = moment_of(event.occurred_at_text)
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
            NewNotification(  # positional, in its field order (a unit test checks each)
                notification_id,
                event.message_id,
                address,  # recipient
                original or address,  # recipient_original
                domain_of(address),  # recipient_domain
                kind,  # notification_type
                sent_at,
                SOURCE_SES_SEND,  # source
            )
        )


#: Sort key of ledger rows (their unique key).
_ledger_key = attrgetter("identity", "recipient")


#: Enum member → its text: a dict lookup is several times cheaper than ``.value``.
_VALUE: dict[EventType | Status | Reason, str] = {
    member: member.value for kind in (EventType, Status, Reason) for member in kind
}


def _ledger_row(
    outcome: RecipientOutcome, message_id: str, facts: _EventFacts, occurred_at: datetime
) -> LedgerRow:
    """The ledger row of one (event, recipient), its notification still unresolved;
    ``occurred_at`` is :func:`moment_of` the outcome's time."""
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
    # Positional, in LedgerRow's field order (a unit test checks each field): keywords
    # cost ~0.8 µs more per row, about 1 % of an event's client time.
    return LedgerRow(
        outcome.identity,  # identity
        outcome.address,  # recipient
        message_id,
        None,  # notification_pk
        _VALUE[outcome.event_type],
        occurred_at,
        status,
        reason,
        smtp_status,
        diagnostic,
        provider,
        help_url,
        outcome.original,  # recipient_original
        facts.reporting_mta,
        facts.remote_mta_ip,
        facts.from_header,
        facts.subject,
        facts.sending_domain,
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

    quicken_gil_handoff()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inboxgap-prepare") as pool:
        pending: Future[PreparedBatch] | None = None
        for chunk in chunks:
            following = pool.submit(prepare, chunk)
            if pending is not None:
                yield pending.result()
            pending = following
        if pending is not None:
            yield pending.result()


#: The GIL switch interval of a process that prepares batches in a thread (seconds).
PREFETCH_SWITCH_INTERVAL = 0.0005


def quicken_gil_handoff() -> None:
    """Lower the process's GIL switch interval to :data:`PREFETCH_SWITCH_INTERVAL` (never
    raise it): called by every path that prepares the next batch in a thread while the
    caller's thread writes the current one (:func:`prepare_ahead`, the pipelined drain).

    Why: the writing thread spends its transaction waiting on the database with the GIL
    released, and the preparing thread (pure Python) takes it meanwhile. When a reply
    arrives, the writing thread must wait for the GIL: CPython makes it wait a whole
    switch interval (5 ms by default) before it asks the holder to let go, and a batch's
    transaction is some twenty-five round trips (statements, COPYs, the commit). Measured
    here, a ``SELECT 1`` round trip took 3 to 8 ms beside a preparing thread at the default
    interval and ~0.5 ms at 0.5 ms; in ``bench/ingest.py`` the writes took twice as long
    with prefetch on as off, so prefetching was slower than not. The cost of a shorter
    interval is only more frequent switches while two threads both run Python (a few µs
    each). Process-wide on purpose:
    it is a property of the interpreter, and every thread of a worker that prefetches
    (SQS receives and deletes too) waits on I/O the same way."""
    if sys.getswitchinterval() > PREFETCH_SWITCH_INTERVAL:
        sys.setswitchinterval(PREFETCH_SWITCH_INTERVAL)
