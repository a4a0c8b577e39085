"""What the status-callback handlers need: the outbox, the HTTP sender, their value types.

The outbox rows are written by the ingest/sweep transaction itself
(:meth:`LogTransaction.record_status_changes`); delivering them goes through
:class:`CallbackOutbox` (SQL: :class:`worker.adapters.callback_outbox.SqlCallbackOutbox`)
and :class:`CallbackSender` (HTTP: :class:`worker.adapters.http_callbacks.HttpCallbackSender`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from worker.domain.callbacks import Settlement, StatusChangeFacts


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One announced change, as the transaction that made it writes it to the outbox."""

    notification_pk: int
    previous_status: str
    previous_reason: str
    status: str
    reason: str
    status_at: datetime


@dataclass(frozen=True, slots=True)
class PendingCallback:
    """A row due for delivery, with what its body is made of."""

    id: int
    webhook_id: str
    attempts: int
    facts: StatusChangeFacts


@dataclass(frozen=True, slots=True)
class CallbackRow:
    """A row as ``inboxgap callbacks list`` shows it (no address: ids only)."""

    id: int
    webhook_id: str
    notification_id: str | None
    previous_status: str
    previous_reason: str
    status: str
    reason: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    cause: str | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """The backlog only: read after every delivery pass and by every alert check, so it
    must not grow with the delivered rows kept until retention (the delivered and failed
    counts are the metrics' counters, from each pass's result)."""

    pending: int = 0
    #: ``created_at`` of the oldest pending row (None when nothing is pending): when it
    #: was queued, i.e. created or last replayed.
    oldest_pending_at: datetime | None = None


class ClaimedBatch(Protocol):
    """Rows claimed by one deliverer: no other deliverer gets them until settled."""

    @property
    def rows(self) -> Sequence[PendingCallback]: ...

    def settle(self, outcomes: Sequence[tuple[int, Settlement]], now: datetime) -> None:
        """Write each row's new state (by id)."""
        ...


class CallbackOutbox(Protocol):
    def claim(self, limit: int, now: datetime) -> AbstractContextManager[ClaimedBatch]:
        """Up to ``limit`` pending rows due at ``now``, oldest first, at most one per
        notification and never one whose notification has an older pending row. On
        PostgreSQL the rows stay locked (``FOR UPDATE SKIP LOCKED``) until the block
        ends, so concurrent deliverers never take the same row."""
        ...

    def list_rows(self, state: str | None, limit: int) -> list[CallbackRow]: ...

    def replay(self, ids: Collection[int] | None, now: datetime) -> int:
        """Make these rows (None: every failed row) pending again, attempts reset and
        queued anew at ``now`` (``created_at``, which the backlog age is measured from: an
        old failed row replayed must not raise the backlog alert before the next pass)."""
        ...

    def stats(self) -> OutboxStats: ...


@dataclass(frozen=True, slots=True)
class OutgoingCallback:
    id: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The HTTP status code, or None with the error (timeout, connection...)."""

    id: int
    status_code: int | None
    error: str | None = None


class CallbackSender(Protocol):
    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        """POST every request (concurrently, bounded); one outcome per request."""
        ...
