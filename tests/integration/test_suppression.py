"""The SESv2 suppression-list adapter against the real ``sesv2`` service model (botocore
Stubber: moto implements none of these calls), and the audited unsuppress use case on
real PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from sqlalchemy import Engine, insert

from worker.adapters.suppression import (
    AuditEntry,
    SesSuppressionList,
    SqlSuppressionAudit,
    SuppressionError,
    SuppressionUnavailable,
    suppression_audit,
)
from worker.domain.timestamps import format_timestamp
from worker.handlers.ports.suppression import REMOVED
from worker.handlers.unsuppress import (
    NOT_LISTED,
    InvalidUnsuppressRequest,
    unsuppress_recipient,
)

NOW = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
ADDRESS = "jane@acme.example"


@pytest.fixture
def sesv2() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.session.Session().client("sesv2", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _listed(reason: str = "BOUNCE") -> dict[str, Any]:
    return {
        "SuppressedDestination": {
            "EmailAddress": ADDRESS,
            "Reason": reason,
            "LastUpdateTime": datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
            "Attributes": {"MessageId": "0100018f-m", "FeedbackId": "0100018f-f"},
        }
    }


def test_get_listed_and_not_listed(sesv2: tuple[Any, Stubber]) -> None:
    client, stubber = sesv2
    stubber.add_response("get_suppressed_destination", _listed(), {"EmailAddress": ADDRESS})
    stubber.add_client_error(
        "get_suppressed_destination",
        service_error_code="NotFoundException",
        service_message="not on the list",
        http_status_code=404,
        expected_params={"EmailAddress": ADDRESS},
    )
    suppression = SesSuppressionList(client)
    entry = suppression.get("Jane <JANE@acme.example>")
    assert entry is not None
    assert (entry.email, entry.reason, entry.last_update_time) == (
        ADDRESS,
        "BOUNCE",
        "2025-03-01T12:30:00.000Z",
    )
    assert (entry.message_id, entry.feedback_id) == ("0100018f-m", "0100018f-f")
    assert suppression.get(ADDRESS) is None


def test_remove(sesv2: tuple[Any, Stubber]) -> None:
    client, stubber = sesv2
    stubber.add_response("delete_suppressed_destination", {}, {"EmailAddress": ADDRESS})
    stubber.add_client_error(
        "delete_suppressed_destination",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"EmailAddress": ADDRESS},
    )
    suppression = SesSuppressionList(client)
    assert suppression.remove(ADDRESS) is True
    assert suppression.remove(ADDRESS) is False


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("TooManyRequestsException", 429, SuppressionUnavailable),
        ("BadRequestException", 400, SuppressionError),
        ("AccessDeniedException", 403, SuppressionUnavailable),
    ],
)
def test_errors_are_mapped(
    sesv2: tuple[Any, Stubber], code: str, status: int, error: type[Exception]
) -> None:
    client, stubber = sesv2
    stubber.add_client_error(
        "get_suppressed_destination", service_error_code=code, http_status_code=status
    )
    with pytest.raises(error):
        SesSuppressionList(client).get(ADDRESS)


def test_unsuppress_removes_and_audits(engine: Engine, sesv2: tuple[Any, Stubber]) -> None:
    client, stubber = sesv2
    stubber.add_response(
        "get_suppressed_destination", _listed("COMPLAINT"), {"EmailAddress": ADDRESS}
    )
    stubber.add_response("delete_suppressed_destination", {}, {"EmailAddress": ADDRESS})
    stubber.add_client_error(
        "get_suppressed_destination", "NotFoundException", http_status_code=404
    )
    audit = SqlSuppressionAudit(engine)
    result = unsuppress_recipient(
        "Jane@Acme.example",
        actor="cli:support-agent",
        why="  customer   confirmed the address ",
        now=NOW,
        suppression=SesSuppressionList(client),
        audit=audit,
    )
    assert (result.action, result.removed) == (REMOVED, True)
    assert result.previous is not None and result.previous.reason == "COMPLAINT"
    second = unsuppress_recipient(
        ADDRESS,
        actor="cli:support-agent",
        why="checking again",
        now=NOW,
        suppression=SesSuppressionList(client),
        audit=audit,
    )
    assert second.action == NOT_LISTED
    history = audit.history(ADDRESS)
    assert [h.action for h in history] == [NOT_LISTED, REMOVED]
    assert history[1].why == "customer confirmed the address"
    assert (history[1].actor, history[1].ses_reason, format_timestamp(history[1].created_at)) == (
        "cli:support-agent",
        "COMPLAINT",
        "2025-03-05T09:00:00.000Z",
    )
    assert history[1].listed_since == "2025-03-01T12:30:00.000Z"
    # The deliverability answer reads only the newest removal (not a "not listed").
    last = audit.last_removal("JANE@acme.example")
    assert last is not None and format_timestamp(last) == "2025-03-05T09:00:00.000Z"
    assert audit.last_removal("someone@else.example") is None


def test_a_failed_call_is_not_audited(engine: Engine, sesv2: tuple[Any, Stubber]) -> None:
    client, stubber = sesv2
    stubber.add_response("get_suppressed_destination", _listed(), {"EmailAddress": ADDRESS})
    stubber.add_client_error("delete_suppressed_destination", "TooManyRequestsException", 429)
    audit = SqlSuppressionAudit(engine)
    with pytest.raises(SuppressionUnavailable):
        unsuppress_recipient(
            ADDRESS,
            actor="api",
            why="customer asked",
            now=NOW,
            suppression=SesSuppressionList(client),
            audit=audit,
        )
    assert audit.history(ADDRESS) == []


@pytest.mark.parametrize(
    ("email", "actor", "why"),
    [("not-an-address", "a", "because"), (ADDRESS, " ", "because"), (ADDRESS, "a", " x ")],
)
def test_bad_requests_call_nothing(
    engine: Engine, sesv2: tuple[Any, Stubber], email: str, actor: str, why: str
) -> None:
    client, _ = sesv2  # no stubbed responses: any call would fail the Stubber
    with pytest.raises(InvalidUnsuppressRequest):
        unsuppress_recipient(
            email,
            actor=actor,
            why=why,
            now=NOW,
            suppression=SesSuppressionList(client),
            audit=SqlSuppressionAudit(engine),
        )


def test_the_client_is_made_on_first_use_and_once(sesv2: tuple[Any, Stubber]) -> None:
    client, stubber = sesv2
    made: list[Any] = []

    def connect() -> Any:
        made.append(client)
        return client

    suppression = SesSuppressionList(connect=connect)
    assert made == []  # building the support services asks nothing of boto3
    stubber.add_response("get_suppressed_destination", _listed(), {"EmailAddress": ADDRESS})
    stubber.add_response("get_suppressed_destination", _listed(), {"EmailAddress": ADDRESS})
    assert suppression.get(ADDRESS) is not None
    assert suppression.get(ADDRESS) is not None
    assert made == [client]
    with pytest.raises(ValueError, match="either client or connect"):
        SesSuppressionList()


def test_reading_the_last_removal_waits_for_no_writer(engine: Engine) -> None:
    """The deliverability answer's audit read is a plain read: a writer holding its
    transaction open (on SQLite, the database's one write lock) does not hold it up."""
    audit = SqlSuppressionAudit(engine)
    audit.record(AuditEntry(ADDRESS, REMOVED, "support", "cleared", NOW))
    with engine.begin() as writer:
        writer.execute(
            insert(suppression_audit).values(
                recipient="other@acme.example",
                action=REMOVED,
                actor="support",
                why="in flight",
                created_at=NOW,
            )
        )
        last = audit.last_removal(ADDRESS)
    assert last is not None and format_timestamp(last) == "2025-03-05T09:00:00.000Z"
