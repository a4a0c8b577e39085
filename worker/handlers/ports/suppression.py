"""What the support use cases need from the SES account-level suppression list and
the audit trail of removals (implemented in :mod:`worker.adapters.suppression`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from worker.handlers.ports.errors import BadInput, Retryable

__all__ = [
    "AuditEntry",
    "SuppressedDestination",
    "SuppressionAudit",
    "SuppressionError",
    "SuppressionList",
    "SuppressionRefused",
    "SuppressionUnavailable",
]


class SuppressionError(Exception):
    """Base of the suppression list's errors."""


class SuppressionRefused(SuppressionError, BadInput):
    """SES refused the request (bad address...)."""


class SuppressionUnavailable(SuppressionError, Retryable):
    """SES could not be asked: no credentials, network, throttling. Try again later."""


@dataclass(frozen=True, slots=True)
class SuppressedDestination:
    """An address on the account-level suppression list."""

    email: str
    reason: str  # BOUNCE or COMPLAINT
    last_update_time: str  # fixed-width UTC text
    message_id: str | None = None
    feedback_id: str | None = None


class SuppressionList(Protocol):
    def get(self, email: str) -> SuppressedDestination | None:
        """The entry for ``email``, or None when it is not on the list."""
        ...

    def remove(self, email: str) -> bool:
        """Remove ``email``; False when it was not on the list."""
        ...


@dataclass(frozen=True, slots=True)
class AuditEntry:
    recipient: str
    action: str
    actor: str
    why: str
    created_at: datetime
    ses_reason: str | None = None
    listed_since: str | None = None


#: The audit action of a removal SES carried out (``not_listed``: SES had nothing to remove).
REMOVED = "removed"


class SuppressionAudit(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def history(self, email: str, limit: int = 20) -> Sequence[AuditEntry]: ...

    def last_removal(self, email: str) -> datetime | None:
        """When ``email`` was last removed from the list (a :data:`REMOVED` entry), or
        None: all the deliverability answer reads of the trail, when it reads it."""
        ...
