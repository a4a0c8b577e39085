"""Record sends (the "sent" side): the Python call behind the ``inboxgap.record_sent``
task and ``inboxgap sent import``.

Recording the same send twice is a no-op. An explicit record replaces the id, type and
send time of a notification that was created earlier from an SES ``Send`` event (the
sending application knows best), so the final row is the same in whichever order the
two arrive. In the same transaction, events parked for the (message, recipient) pairs
are attached and the statuses recomputed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenacity import Retrying

from worker.domain.addresses import InvalidAddress, check_address, domain_of, mask_address
from worker.domain.fieldwise import add_fieldwise
from worker.domain.timestamps import canonical_timestamp, format_timestamp, moment_of
from worker.handlers.batch_write import initial_count_key
from worker.handlers.ports import (
    SOURCE_RECORD,
    SOURCE_SES_SEND,
    CountKey,
    LogTransaction,
    NewNotification,
    NotificationLog,
)
from worker.handlers.ports.errors import BadInput
from worker.handlers.recompute import SendDetails, recompute_statuses
from worker.handlers.transactions import in_transaction
from worker.handlers.unpark import attach_parked_events

logger = logging.getLogger(__name__)

FIELD_MAX = 1000
SEND_FIELDS = ("notification_id", "message_id", "recipient", "sent_at", "notification_type")


class InvalidSendRecord(ValueError, BadInput):
    """A send record that cannot be stored (missing or malformed field).

    ``str(exc)`` is safe for logs (an address in it is masked: the task logs it);
    :attr:`for_operator` says the same with the input unmasked, for whoever sent it
    (``sent import`` on the operator's terminal, the API's answer to the caller).
    ``code`` is ``invalid_address`` for a recipient that is not an address."""

    def __init__(
        self, message: str, *, for_operator: str | None = None, code: str = "validation_error"
    ) -> None:
        super().__init__(message)
        self.for_operator = for_operator if for_operator is not None else message
        self.code = code


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One send as the sending application reports it: one recipient of one SES message.

    ``recipient`` is normalised (display name stripped, lower-cased) and ``sent_at`` is
    fixed-width UTC text once constructed through :meth:`create` or :meth:`from_mapping`.
    """

    notification_id: str
    message_id: str
    recipient: str
    recipient_original: str
    sent_at: str
    notification_type: str = "unknown"

    @classmethod
    def create(
        cls,
        *,
        notification_id: str,
        message_id: str,
        recipient: str,
        sent_at: datetime | str,
        notification_type: str | None = None,
    ) -> SendRecord:
        return cls.from_mapping(
            {
                "notification_id": notification_id,
                "message_id": message_id,
                "recipient": recipient,
                "sent_at": sent_at,
                "notification_type": notification_type,
            }
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> SendRecord:
        """Validate one record (a JSON object, a CSV row, task keyword arguments).

        ``sent import`` runs this per row: each step is the cheap one for the usual
        record (text fields, a ``...Z`` time, a plain address)."""
        # Checked in the order of the old field loop, so a record with several faults
        # reports the same one: text fields, then the address, then the time.
        notification_id = _text_field(data, "notification_id")
        message_id = _text_field(data, "message_id")
        recipient = _text_field(data, "recipient")
        raw_time = data.get("sent_at")
        moment = raw_time if isinstance(raw_time, datetime) else None
        time_text = "" if moment is not None else _text_field(data, "sent_at")
        raw_type = data.get("notification_type")
        notification_type = (
            "unknown"
            if raw_type is None or raw_type == ""
            else _text_field(data, "notification_type")
        )
        address = _checked_recipient(recipient)
        return cls(
            notification_id=notification_id,
            message_id=message_id,
            recipient=address,
            recipient_original=recipient,
            sent_at=format_timestamp(moment) if moment is not None else _canonical_time(time_text),
            notification_type=notification_type,
        )

    def as_new_notification(self) -> NewNotification:
        return NewNotification(
            notification_id=self.notification_id,
            message_id=self.message_id,
            recipient=self.recipient,
            recipient_original=self.recipient_original,
            recipient_domain=domain_of(self.recipient),
            notification_type=self.notification_type,
            sent_at=moment_of(self.sent_at),
            source=SOURCE_RECORD,
        )


def _text_field(data: Mapping[str, object], name: str) -> str:
    """A present text field, trimmed, NUL-free and at most FIELD_MAX long."""
    raw = data.get(name)
    if raw is None or raw == "":
        raise InvalidSendRecord(f"{name} is missing")
    if not isinstance(raw, str):
        raise InvalidSendRecord(f"{name} must be a string, not {type(raw).__name__}")
    text = raw.strip()
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text or len(text) > FIELD_MAX:
        raise InvalidSendRecord(f"{name} is empty or longer than {FIELD_MAX} characters")
    return text


def _checked_recipient(recipient: str) -> str:
    try:
        return check_address(recipient)
    except InvalidAddress as exc:
        raise InvalidSendRecord(
            f"recipient {mask_address(recipient)!r} is not an email address: {exc.reason}",
            for_operator=f"recipient {exc}",
            code="invalid_address",
        ) from None


def _canonical_time(text: str) -> str:
    canonical = canonical_timestamp(text)
    if canonical is None:
        raise InvalidSendRecord(f"sent_at {text[:40]!r} is not an ISO-8601 time")
    return canonical


@dataclass(frozen=True, slots=True)
class RecordResult:
    created: int = 0
    #: Already recorded (same send): nothing to do.
    unchanged: int = 0
    #: A notification created from an SES Send event took the record's id/type/time.
    replaced: int = 0
    #: Refused: the notification id is already used by another (message, recipient).
    conflicting: int = 0
    #: Parked events that found their notification.
    attached_events: int = 0
    status_changes: int = 0

    def __add__(self, other: RecordResult) -> RecordResult:
        return add_fieldwise(self, other)

    def summary(self) -> dict[str, int]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "conflicting": self.conflicting,
            "attached_events": self.attached_events,
            "status_changes": self.status_changes,
        }


def _dedupe(records: Iterable[SendRecord]) -> list[NewNotification]:
    rows: dict[tuple[str, str], NewNotification] = {}
    ids: set[str] = set()
    for record in records:
        key = (record.message_id, record.recipient)
        if key in rows or record.notification_id in ids:
            continue
        rows[key] = record.as_new_notification()
        ids.add(record.notification_id)
    return sorted(rows.values(), key=lambda r: (r.message_id, r.recipient))


def write_sends(
    tx: LogTransaction,
    rows: list[NewNotification],
    *,
    now: datetime,
    feedback_window: timedelta,
) -> RecordResult:
    """The transactional part of :func:`record_sends`."""
    deltas: Counter[CountKey] = Counter()
    created = tx.insert_notifications(rows, now)
    by_key = {(r.message_id, r.recipient): r for r in rows}
    for item in created:
        deltas[initial_count_key(by_key[(item.message_id, item.recipient)])] += 1
    created_keys = {(c.message_id, c.recipient) for c in created}
    rest = [r for r in rows if (r.message_id, r.recipient) not in created_keys]

    details: dict[int, SendDetails] = {}
    unchanged = conflicting = 0
    if rest:
        existing = {
            (s.message_id, s.recipient): s
            for s in tx.find_sends([(r.message_id, r.recipient) for r in rest])
        }
        wanted_ids = [r.notification_id for r in rest]
        id_owner = tx.find_notification_ids(wanted_ids)
        for row in rest:
            send = existing.get((row.message_id, row.recipient))
            if send is None:
                conflicting += 1  # the id is taken by another (message, recipient)
                logger.warning(
                    "send not recorded: notification id already used for another message "
                    "(recipient %s)",
                    mask_address(row.recipient),
                )
                continue
            if send.source != SOURCE_SES_SEND:
                unchanged += 1
                continue
            owner = id_owner.get(row.notification_id)
            if owner is not None and owner != send.pk:
                conflicting += 1
                continue
            details[send.pk] = SendDetails(
                notification_id=row.notification_id,
                notification_type=row.notification_type,
                sent_at=row.sent_at,
                source=SOURCE_RECORD,
            )
    attached = tx.attach_parked(created) if created else {}
    # A notification created here with no event attached is what it was inserted as
    # (``sent`` at its send time) until its window passes: no lock, no ledger read.
    closed = {
        c.pk
        for c in created
        if now >= by_key[(c.message_id, c.recipient)].sent_at + feedback_window
    }
    touched = closed | set(attached) | set(details)
    changes = recompute_statuses(
        tx,
        sorted(touched),
        now=now,
        feedback_window=feedback_window,
        deltas=deltas,
        details=details,
    )
    if deltas:
        tx.add_counts(deltas)
    return RecordResult(
        created=len(created),
        unchanged=unchanged,
        replaced=len(details),
        conflicting=conflicting,
        attached_events=sum(attached.values()),
        status_changes=changes,
    )


def record_sends(
    records: Iterable[SendRecord],
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    retrying: Retrying | None = None,
) -> RecordResult:
    """Record sends in one transaction (idempotent); see the module docstring."""
    rows = _dedupe(records)
    if not rows:
        return RecordResult()
    result = in_transaction(
        log,
        lambda tx: write_sends(tx, rows, now=now, feedback_window=feedback_window),
        retrying=retrying,
    )
    # A batch parking events for these sends may have committed alongside us (see
    # worker.handlers.unpark); recording the same send again also repairs it.
    attached = attach_parked_events(
        {(row.message_id, row.recipient) for row in rows},
        log=log,
        now=now,
        feedback_window=feedback_window,
        retrying=retrying,
    )
    if attached:
        result = dataclasses.replace(result, attached_events=result.attached_events + attached)
    return result
