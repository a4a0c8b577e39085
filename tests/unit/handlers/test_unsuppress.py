"""The unsuppress use case on fakes: every request audited, failures not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.fake_suppression import FakeAudit, FakeSuppressionList
from worker.adapters.suppression import SuppressionUnavailable
from worker.domain.timestamps import format_timestamp
from worker.handlers.unsuppress import InvalidUnsuppressRequest, unsuppress_recipient

NOW = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


def test_removes_a_listed_address_and_audits_it() -> None:
    suppression, audit = FakeSuppressionList(), FakeAudit()
    suppression.add("jane@acme.example", "COMPLAINT")
    result = unsuppress_recipient(
        "JANE@acme.example",
        actor="cli:amy",
        why="asked by phone",
        now=NOW,
        suppression=suppression,
        audit=audit,
    )
    assert result.removed and result.previous is not None
    assert suppression.entries == {}
    (entry,) = audit.entries
    assert (entry.recipient, entry.action, entry.actor, entry.ses_reason) == (
        "jane@acme.example",
        "removed",
        "cli:amy",
        "COMPLAINT",
    )
    assert format_timestamp(entry.created_at) == "2025-03-05T09:00:00.000Z"


def test_not_listed_is_audited_without_a_delete() -> None:
    suppression, audit = FakeSuppressionList(), FakeAudit()
    result = unsuppress_recipient(
        "jane@acme.example",
        actor="cli:amy",
        why="checking",
        now=NOW,
        suppression=suppression,
        audit=audit,
    )
    assert result.action == "not_listed" and not result.removed
    assert [c[0] for c in suppression.calls] == ["get"]
    assert [e.action for e in audit.entries] == ["not_listed"]


def test_unavailable_ses_is_not_audited() -> None:
    suppression, audit = FakeSuppressionList(unavailable="no network"), FakeAudit()
    with pytest.raises(SuppressionUnavailable):
        unsuppress_recipient(
            "jane@acme.example",
            actor="a",
            why="because",
            now=NOW,
            suppression=suppression,
            audit=audit,
        )
    assert audit.entries == []


@pytest.mark.parametrize(("email", "why"), [("nobody", "because"), ("a@b.example", "no")])
def test_bad_requests(email: str, why: str) -> None:
    suppression = FakeSuppressionList()
    with pytest.raises(InvalidUnsuppressRequest):
        unsuppress_recipient(
            email, actor="a", why=why, now=NOW, suppression=suppression, audit=FakeAudit()
        )
    assert suppression.calls == []
