"""The deliverability answer's reads: the audit trail is asked only when a removal could
change the answer (a hard bounce the suppression list no longer holds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from tests.support.fake_suppression import FakeAudit, FakeSuppressionList
from worker.domain.deliverability import Outcome, State
from worker.handlers.ports.suppression import REMOVED, AuditEntry
from worker.queries.recipient import recipient_deliverability

ADDRESS = "grace@acme.example"
BOUNCED = [
    Outcome("accepted", "2026-12-07T09:00:00.000Z"),
    Outcome("hard_bounce", "2026-12-07T10:00:00.000Z"),
]


@dataclass
class Outcomes:
    outcomes: list[Outcome]

    def recipient_outcomes(self, email: str, *, recent: int = 20) -> list[Outcome]:
        return list(self.outcomes)


@dataclass
class CountingAudit(FakeAudit):
    asked: list[str] = field(default_factory=list)

    def last_removal(self, email: str) -> datetime | None:
        self.asked.append(email)
        return super().last_removal(email)


def _removal(at: datetime, action: str = REMOVED) -> AuditEntry:
    return AuditEntry(ADDRESS, action, "support", "IT re-enabled it", at)


@pytest.mark.parametrize(
    ("outcomes", "listed", "asked"),
    [
        ([Outcome("accepted", "2026-12-07T09:00:00.000Z")], False, False),  # ok
        ([], False, False),  # unknown
        (BOUNCED, True, False),  # listed: a removal did not happen (or SES re-listed it)
        (BOUNCED, False, True),  # a hard bounce the list does not hold: cleared?
    ],
)
def test_the_audit_is_read_only_when_a_removal_could_change_the_answer(
    outcomes: list[Outcome], listed: bool, asked: bool
) -> None:
    suppression = FakeSuppressionList()
    if listed:
        suppression.add(ADDRESS)
    audit = CountingAudit()
    recipient_deliverability(
        ADDRESS, queries=Outcomes(outcomes), suppression=suppression, audit=audit
    )
    assert audit.asked == ([ADDRESS] if asked else [])


def test_a_removal_after_the_hard_bounce_makes_it_unknown_from_then() -> None:
    audit = CountingAudit()
    audit.record(_removal(datetime(2026, 12, 7, 11, 0, tzinfo=UTC)))
    audit.record(_removal(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), action="not_listed"))
    answer = recipient_deliverability(
        ADDRESS, queries=Outcomes(BOUNCED), suppression=FakeSuppressionList(), audit=audit
    ).deliverability
    assert (answer.state, answer.since, answer.reason) == (
        State.UNKNOWN,
        "2026-12-07T11:00:00.000Z",
        None,
    )


def test_a_removal_before_the_hard_bounce_changes_nothing() -> None:
    audit = CountingAudit()
    audit.record(_removal(datetime(2026, 12, 7, 9, 30, tzinfo=UTC)))
    answer = recipient_deliverability(
        ADDRESS, queries=Outcomes(BOUNCED), suppression=FakeSuppressionList(), audit=audit
    ).deliverability
    assert (answer.state, answer.reason) == (State.SUSPENDED, "hard_bounce")
