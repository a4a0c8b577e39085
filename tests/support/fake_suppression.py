"""An in-memory SES account suppression list and audit trail for support tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from worker.adapters.suppression import (
    AuditEntry,
    SuppressedDestination,
    SuppressionUnavailable,
)
from worker.domain.addresses import normalise_address
from worker.handlers.ports.suppression import REMOVED


@dataclass
class FakeSuppressionList:
    entries: dict[str, SuppressedDestination] = field(default_factory=dict)
    unavailable: str | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)

    def add(
        self, email: str, reason: str = "BOUNCE", since: str = "2025-03-01T00:00:00.000Z"
    ) -> None:
        address = normalise_address(email)
        self.entries[address] = SuppressedDestination(address, reason, since, "m-1", "fb-1")

    def get(self, email: str) -> SuppressedDestination | None:
        self.calls.append(("get", email))
        if self.unavailable:
            raise SuppressionUnavailable(self.unavailable)
        return self.entries.get(normalise_address(email))

    def remove(self, email: str) -> bool:
        self.calls.append(("remove", email))
        if self.unavailable:
            raise SuppressionUnavailable(self.unavailable)
        return self.entries.pop(normalise_address(email), None) is not None


@dataclass
class FakeAudit:
    entries: list[AuditEntry] = field(default_factory=list)

    def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def history(self, email: str, limit: int = 20) -> list[AuditEntry]:
        address = normalise_address(email)
        return [e for e in reversed(self.entries) if e.recipient == address][:limit]

    def last_removal(self, email: str) -> datetime | None:
        address = normalise_address(email)
        return max(
            (e.created_at for e in self.entries if e.recipient == address and e.action == REMOVED),
            default=None,
        )
