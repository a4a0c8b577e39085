"""What alert checking needs from the world: the read side (counts, queue age), the
store of alert state and its outbox, and the sinks notifications go to.

Implemented by :mod:`worker.queries.alert_counts`, :mod:`worker.adapters.alert_store`,
:mod:`worker.adapters.queue_age` and :mod:`worker.adapters.alert_sinks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from worker.domain.alert_lifecycle import (
    AlertNotification,
    AlertState,
    LifecycleResult,
)
from worker.domain.alert_rules import AlertSnapshot, AlertThresholds
from worker.handlers.ports.errors import BadInput, Retryable

__all__ = [
    "AlertCounts",
    "AlertSink",
    "AlertStore",
    "HistoryEntry",
    "Payload",
    "PendingDelivery",
    "QueueAgeProbe",
    "SinkError",
    "SinkRefused",
    "SinkUnavailable",
]

Payload = Mapping[str, Any]


class SinkError(Exception):
    """A sink refused a notification. ``retryable``: a later attempt may succeed.

    ``SinkError(message, retryable=...)`` builds a :class:`SinkUnavailable` or a
    :class:`SinkRefused`, so every sink failure is one of the two error kinds."""

    retryable: bool

    def __new__(cls, message: str, *, retryable: bool) -> SinkError:
        if cls is SinkError:
            cls = SinkUnavailable if retryable else SinkRefused
        return super().__new__(cls, message)

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class SinkUnavailable(SinkError, Retryable):
    """The sink could not be reached or answered 5xx/408/429: try again later."""


class SinkRefused(SinkError, BadInput):
    """The sink refused the notification (4xx): the same request fails again."""


class AlertSink(Protocol):
    #: Stable name, stored in the outbox.
    name: str

    def send(self, payload: Payload) -> None:
        """Deliver one notification; raise :class:`SinkError` (or anything) on failure."""
        ...


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    sink: str
    #: Attempts made by earlier evaluations.
    attempts: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    at: datetime
    kind: str
    rule: str
    scope: str
    key: str
    state: str
    severity: str
    value: float
    threshold: float
    window: str
    #: {sink: pending|sent|failed}
    deliveries: dict[str, str]


class AlertCounts(Protocol):
    def snapshot(
        self,
        now: datetime,
        thresholds: AlertThresholds,
        *,
        queue_oldest_age: timedelta | None = None,
    ) -> AlertSnapshot: ...


class AlertStore(Protocol):
    def load_firing(self) -> list[AlertState]: ...

    def save(
        self, result: LifecycleResult, *, sinks: Sequence[str], now: datetime
    ) -> list[AlertNotification]: ...

    def claim_deliveries(
        self, *, now: datetime, lease_until: datetime, limit: int = 100
    ) -> list[PendingDelivery]: ...

    def finish_delivery(
        self,
        delivery_id: int,
        *,
        ok: bool,
        now: datetime,
        error: str | None = None,
        give_up: bool = False,
        attempted: bool = True,
    ) -> None: ...

    def history(self, *, limit: int = 50, since: datetime | None = None) -> list[HistoryEntry]: ...


class QueueAgeProbe(Protocol):
    def oldest_message_age(self, now: datetime) -> timedelta | None:
        """Age of the oldest message in the feedback queue; None when unknown."""
        ...
