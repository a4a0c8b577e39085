"""What the drain needs from the feedback queue, and the values the queue speaks.

:class:`worker.adapters.sqs.SqsQueue` implements :class:`MessageQueue`; tests use an
in-memory queue with the same behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["DeleteOutcome", "FailedDelete", "MessageQueue", "QueueStats", "ReceivedMessage"]


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """One received SQS message. ``receipt_handle`` is the one from *this* receive (the
    only one guaranteed to delete it)."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    #: When SQS accepted the message (epoch seconds), or None if not reported.
    sent_at: float | None


@dataclass(frozen=True, slots=True)
class FailedDelete:
    message_id: str
    code: str
    message: str
    sender_fault: bool


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    deleted: int
    failed: tuple[FailedDelete, ...] = ()


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Approximate counts from ``GetQueueAttributes`` (SQS calls them approximate)."""

    visible: int
    in_flight: int
    delayed: int

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


class MessageQueue(Protocol):
    """What the drain needs from the queue (:class:`worker.adapters.sqs.SqsQueue`)."""

    def receive(
        self, *, max_messages: int = 10, wait_seconds: int = 0
    ) -> list[ReceivedMessage]: ...

    def delete(self, messages: Sequence[ReceivedMessage]) -> DeleteOutcome: ...
