"""What the handlers need from storage: a small interface, its row types and its errors.

:class:`NotificationLog` opens a unit of work; :class:`LogTransaction` is what runs inside
it. Every method works on a whole batch (a constant number of statements per call, no
per-event round trips). The SQL implementation is
:class:`worker.adapters.notification_log.SqlNotificationLog`; ``tests/fakes.py`` has an
in-memory one with the same behaviour, so the handlers' logic is tested without a database.

Times cross this port as aware UTC ``datetime`` values to the millisecond (what the log
keeps); adapters turn them into ``timestamptz`` or fixed-width text. The domain's
canonical text becomes one with :func:`worker.domain.timestamps.moment_of`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

import msgspec

from worker.domain.fieldwise import add_fieldwise
from worker.domain.status import DecidingEvent, WindowRule
from worker.domain.timestamps import utc_day
from worker.handlers.ports.callbacks import StatusChange
from worker.handlers.ports.errors import (  # noqa: F401 - the log port speaks them
    SchemaNotReadyError,
    StorageRejectedError,
    StoreError,
    TransientStoreError,
)

#: (ses_message_id, normalised recipient): how an event finds its notification.
MessageKey = tuple[str, str]
#: (day, recipient_domain, notification_type, status, reason) of ``daily_status_counts``.
CountKey = tuple[str, str, str, str, str]

T = TypeVar("T")

SOURCE_RECORD = "record"
SOURCE_SES_SEND = "ses_send"


class StoreErrorKind(StrEnum):
    """What a failure of a unit of work means (decided by
    :func:`worker.handlers.transactions.classify_store_error`, and only there)."""

    #: Connection lost, serialisation failure, deadlock, lock or statement timeout:
    #: the whole unit of work is retried.
    TRANSIENT = "transient"
    #: The data was refused (storage, encoding, constraint or an unexpected programming
    #: error on these values): the batch is split to isolate the body.
    REJECTED = "rejected"
    #: Neither (schema not ready, interrupts, resource exhaustion...): propagates.
    FATAL = "fatal"


class NewNotification(msgspec.Struct, frozen=True, gc=False):
    """A send to record: one row of ``notifications`` to create if absent."""

    notification_id: str
    message_id: str
    recipient: str
    recipient_original: str
    recipient_domain: str
    notification_type: str
    sent_at: datetime
    source: str


@dataclass(frozen=True, slots=True)
class CreatedNotification:
    pk: int
    message_id: str
    recipient: str


class NotificationState(msgspec.Struct, frozen=True, gc=False):
    """The mutable part of a notification, read under lock and written back."""

    pk: int
    notification_id: str
    recipient_domain: str
    notification_type: str
    sent_at: datetime
    status: str
    reason: str
    status_at: datetime
    source: str
    purged: bool = False

    def count_key(self, day: str | None = None) -> CountKey:
        """Its daily-count bucket; ``day``: ``utc_day(sent_at)`` when the caller has it."""
        return (
            utc_day(self.sent_at) if day is None else day,
            self.recipient_domain,
            self.notification_type,
            self.status,
            self.reason,
        )


@dataclass(frozen=True, slots=True)
class ExistingSend:
    """What is already recorded for a (message, recipient) pair."""

    pk: int
    notification_id: str
    message_id: str
    recipient: str
    notification_type: str
    sent_at: datetime
    source: str


class LedgerRow(msgspec.Struct, frozen=True, gc=False):
    """One row of the event ledger, as inserted. ``status``/``reason`` are None when the
    event decides nothing; ``notification_pk`` is None while the row is parked."""

    identity: str
    recipient: str
    message_id: str
    notification_pk: int | None
    event_type: str
    occurred_at: datetime
    status: str | None
    reason: str | None
    smtp_status: str | None
    diagnostic: str | None
    provider: str | None
    help_url: str | None
    recipient_original: str | None
    # Facts of the whole event, for the IT-admin block (None when SES did not say).
    reporting_mta: str | None = None
    remote_mta_ip: str | None = None
    from_header: str | None = None
    subject: str | None = None
    sending_domain: str | None = None


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    body_hash: str
    body: bytes
    code: str
    message: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class ControlRow:
    dedup_key: str
    kind: str
    topic_arn: str | None
    subscribe_url: str | None
    token: str | None
    detail_type: str | None
    message: str


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    id: int
    body_hash: str
    body: bytes | None


@dataclass(frozen=True, slots=True)
class SweepChunk:
    """What the handler asks of one chunk of the feedback-window sweep."""

    #: Notifications sent before this are past the window.
    sent_before: datetime
    #: Pending rows to take at the most.
    limit: int
    #: The time that decides the statuses (``sweep --now`` may pretend it).
    now: datetime
    feedback_window: timedelta
    rule: WindowRule
    #: The real clock: outbox rows are created and due then (``now`` may be pretended).
    announced_at: datetime


@dataclass(frozen=True, slots=True)
class WindowSweep:
    """What one chunk of the feedback-window sweep did inside its transaction."""

    #: Pending rows read (at most the chunk size): fewer means none are left.
    due: int
    #: Notifications the store turned ``unknown`` itself, their counts and outbox rows
    #: written in the same transaction.
    swept: int
    #: Due ``sent`` notifications left to :func:`~worker.handlers.recompute.recompute_statuses`
    #: (a ledger the window rule does not decide, or a store without the set-based path).
    recompute: list[int]
    #: Pending rows removed because their notification is no longer ``sent`` (or purged).
    cleared: int = 0


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    notifications: int = 0
    events: int = 0
    parked_events: int = 0
    dead_letters: int = 0
    #: Delivered ``status_callbacks`` rows of the purged notifications (issue 14).
    callbacks: int = 0

    def __add__(self, other: PurgeCounts) -> PurgeCounts:
        return add_fieldwise(self, other)

    @property
    def total(self) -> int:
        return (
            self.notifications
            + self.events
            + self.parked_events
            + self.dead_letters
            + self.callbacks
        )


class LogTransaction(Protocol):
    """Operations inside one transaction. Rows come back in a deterministic order."""

    # --- sends ------------------------------------------------------------------------
    def insert_notifications(
        self, rows: Sequence[NewNotification], now: datetime
    ) -> list[CreatedNotification]:
        """Insert each row unless its notification id or (message, recipient) exists;
        new rows start as ``sent``/``awaiting_feedback`` at ``sent_at``. Returns the
        created ones."""
        ...

    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        """Existing notifications for these (message, recipient) pairs."""
        ...

    def find_notification_ids(self, notification_ids: Collection[str]) -> dict[str, int]:
        """Primary keys of the notifications with these ids."""
        ...

    # --- ledger -----------------------------------------------------------------------
    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        """Insert ledger rows (received at ``now``), each with the primary key of the
        notification of its (message id, recipient) if that is in the log and not purged
        (``row.notification_pk`` is ignored), ignoring (identity, recipient) keys already
        present. Returns {key: notification pk, None when parked} for the rows inserted."""
        ...

    def parked_keys(self, keys: Collection[MessageKey]) -> set[MessageKey]:
        """The keys among ``keys`` that have parked events (an indexed read of the parked
        set only)."""
        ...

    def attach_parked(self, notifications: Sequence[CreatedNotification]) -> dict[int, int]:
        """Give parked events of these (message, recipient) pairs their notification.
        Returns {notification pk: number of rows attached} for pks that got any."""
        ...

    def parked_with_notification(self, limit: int) -> list[MessageKey]:
        """Up to ``limit`` (message id, recipient) keys, in key order, of parked events
        whose notification is in the log and not purged: events a re-attach missed
        (see :mod:`worker.handlers.unpark`)."""
        ...

    # --- statuses ---------------------------------------------------------------------
    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        """Lock the rows in primary-key order (the fixed order that prevents deadlocks)
        and return their current state, in that order."""
        ...

    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        """Every ledger entry that decides a status, per notification (the whole set)."""
        ...

    def update_notifications(self, states: Sequence[NotificationState], now: datetime) -> None:
        """Write back changed states (status, reason, status_at, and for a send replaced
        by an explicit record, notification id, type, send time and source)."""
        ...

    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        """Add deltas to ``daily_status_counts`` in key order; drop rows that reach 0."""
        ...

    def pending_notifications(self, sent_before: datetime, after_pk: int, limit: int) -> list[int]:
        """Primary keys of ``sent`` notifications sent before ``sent_before``, ascending."""
        ...

    def sweep_window(self, chunk: SweepChunk) -> WindowSweep:
        """One chunk of the sweep: take up to ``chunk.limit`` pending notifications sent
        before ``chunk.sent_before`` that no other transaction holds, apply ``chunk.rule``
        to those its sets decide (status, counts, outbox rows, pending row) and return the
        others to recompute. A store may return every due notification to recompute
        instead."""
        ...

    def refresh_statistics(self) -> None:
        """Refresh the planner's statistics of the tables a bulk load of sends grew
        (``ANALYZE``): the sweep and lookups right after the load plan with them."""
        ...

    # --- status callbacks (issue 14) ----------------------------------------------------
    @property
    def records_status_changes(self) -> bool:
        """Whether :meth:`record_status_changes` writes anything (callbacks on): when it
        does not, the recompute does not build the changes at all."""
        ...

    def record_status_changes(
        self, changes: Sequence[StatusChange], announced_at: datetime
    ) -> None:
        """Add the changes to the ``status_callbacks`` outbox in this transaction (a
        no-op when callbacks are not configured), created and due at ``announced_at`` (the
        real clock, not a pretended ``--now``)."""
        ...

    # --- dead letters and control messages --------------------------------------------
    def upsert_dead_letters(self, rows: Sequence[DeadLetterRow], now: datetime) -> None:
        """Create or count again (code and message updated, ``resolved_at`` cleared)."""
        ...

    def resolve_dead_letters(self, body_hashes: Collection[str], now: datetime) -> int: ...

    def dead_letters_to_replay(
        self, ids: Collection[int] | None, after_id: int, limit: int
    ) -> list[StoredDeadLetter]:
        """Unresolved dead letters (all, or these ids) with id > after_id, ascending."""
        ...

    def record_control_messages(self, rows: Sequence[ControlRow], now: datetime) -> int:
        """Insert unseen control messages; returns how many were new."""
        ...

    # --- retention ----------------------------------------------------------------------
    def purge_batch(self, cutoff: datetime, now: datetime, limit: int) -> PurgeCounts:
        """Blank personal data of up to ``limit`` notifications sent before ``cutoff``
        (deleting their ledger rows), delete parked events and blank dead-letter bodies
        older than ``cutoff``. Aggregates are untouched."""
        ...


class NotificationLog(Protocol):
    @property
    def concurrent_writers(self) -> bool:
        """Whether several transactions may write at once, each on its own connection,
        and take disjoint rows (``SKIP LOCKED``): PostgreSQL yes, SQLite (one writer at a
        time) no. The sweep and ``sent import`` use one writer where it is False."""
        ...

    def transaction(self) -> AbstractContextManager[LogTransaction]:
        """One unit of work: commits on normal exit, rolls back on error. Transient
        failures surface as :class:`TransientStoreError`, data the database refuses as
        :class:`StorageRejectedError` (or as the Python error the driver raised, e.g.
        ``UnicodeEncodeError``)."""
        ...


def iter_chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
