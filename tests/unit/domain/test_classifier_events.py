"""classify_event per event type (outcomes.md, "How one event is classified, per
recipient"). The diagnostic-text table lives in its own test module; here every event
type, the per-entry bounce steps 1-2, and multi-recipient messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.domain import ses_bodies as b
from worker.domain.classifier import RecipientOutcome, Verdict, classify_event
from worker.domain.events import EventType, FeedbackEvent
from worker.domain.outcomes import Reason, Status
from worker.domain.parser import parse_body
from worker.domain.status import DecidingEvent, decide_status

THREE = ["jane@acme.example", '"Omar" <Omar@Contoso.example>', "li@fabrikam.example"]
THREE_NORMALISED = ["jane@acme.example", "omar@contoso.example", "li@fabrikam.example"]


def outcomes(body: str) -> tuple[RecipientOutcome, ...]:
    parsed = parse_body(body)
    assert isinstance(parsed, FeedbackEvent), parsed
    return classify_event(parsed)


def verdicts(doc: dict[str, Any]) -> dict[str, Verdict | None]:
    return {o.address: o.verdict for o in outcomes(b.raw(doc))}


def pairs(doc: dict[str, Any]) -> dict[str, tuple[str, str] | None]:
    return {
        address: (str(v.status), str(v.reason)) if v is not None else None
        for address, v in verdicts(doc).items()
    }


# --- each event type -------------------------------------------------------------------


def test_send_is_sent_awaiting_feedback_for_every_destination() -> None:
    result = outcomes(b.raw(b.send_doc(THREE)))
    assert [o.address for o in result] == THREE_NORMALISED
    assert [o.original for o in result] == THREE
    for o in result:
        assert o.verdict == Verdict(Status.SENT, Reason.AWAITING_FEEDBACK)
        assert o.event_type is EventType.SEND
        assert o.occurred_at == "2025-03-04T10:15:01.210Z"


def test_delivery_is_delivered_accepted_per_delivery_recipient() -> None:
    doc = b.delivery_doc(
        ["jane@acme.example", "Omar <omar@contoso.example>"],
        destination=[*THREE],
    )
    result = outcomes(b.raw(doc))
    assert [o.address for o in result] == ["jane@acme.example", "omar@contoso.example"]
    for o in result:
        assert o.verdict is not None
        assert (o.verdict.status, o.verdict.reason) == (Status.DELIVERED, Reason.ACCEPTED)
        assert o.verdict.smtp_status == "2.6.0"
        assert o.verdict.provider == "Microsoft"  # Hostname=...prod.outlook.com
        assert o.diagnostic == b.DELIVERY_SMTP_RESPONSE
        assert o.occurred_at == "2025-03-04T10:20:01.640Z"


@pytest.mark.parametrize(
    ("smtp_response", "smtp_status"),
    [
        ("250 2.6.0 Message received", "2.6.0"),
        (
            "250 2.0.0 OK  1741083601 a1-20020a05600c000100b00000000000000si123456wmq.99 - gsmtp",
            "2.0.0",
        ),
        ("250 Ok: queued as 4Z6Q2L1x2Bz9sQ", None),
        (None, None),
    ],
)
def test_delivery_smtp_status_comes_from_smtp_response(
    smtp_response: str | None, smtp_status: str | None
) -> None:
    (verdict,) = verdicts(b.delivery_doc(smtp_response=smtp_response)).values()
    assert verdict is not None
    assert (verdict.status, verdict.reason) == (Status.DELIVERED, Reason.ACCEPTED)
    assert verdict.smtp_status == smtp_status


def test_delivery_delay_is_sent_delivery_delayed_per_delayed_recipient() -> None:
    doc = b.delay_doc(["jane@acme.example", "omar@contoso.example"])
    result = outcomes(b.raw(doc))
    assert [o.address for o in result] == ["jane@acme.example", "omar@contoso.example"]
    for o in result:
        assert o.verdict is not None
        assert (o.verdict.status, o.verdict.reason) == (Status.SENT, Reason.DELIVERY_DELAYED)
        assert o.verdict.smtp_status == "4.4.1"
        assert o.diagnostic == "smtp; 421 4.4.1 Unable to connect to remote host"


def test_reject_is_bounced_rejected_for_every_destination() -> None:
    result = outcomes(b.raw(b.reject_doc(THREE)))
    assert [o.address for o in result] == THREE_NORMALISED
    for o in result:
        assert o.verdict == Verdict(Status.BOUNCED, Reason.REJECTED)
        assert o.diagnostic == "Bad content"
        assert o.occurred_at == "2025-03-04T10:15:01.210Z"


def test_rendering_failure_is_bounced_rendering_failure_for_every_destination() -> None:
    result = outcomes(b.raw(b.rendering_failure_doc(THREE)))
    assert [o.address for o in result] == THREE_NORMALISED
    for o in result:
        assert o.verdict == Verdict(Status.BOUNCED, Reason.RENDERING_FAILURE)
        assert o.event_type is EventType.RENDERING_FAILURE
        assert o.diagnostic is not None
        assert "firstName" in o.diagnostic


@pytest.mark.parametrize(
    "feedback_type", ["abuse", "fraud", "virus", "other", "auth-failure", None]
)
def test_complaint_is_quarantined_complaint(feedback_type: str | None) -> None:
    doc = b.complaint_doc(
        ["li@fabrikam.example", "Wei@Fabrikam.example"], feedback_type=feedback_type
    )
    assert pairs(doc) == {
        "li@fabrikam.example": ("quarantined", "complaint"),
        "wei@fabrikam.example": ("quarantined", "complaint"),
    }


def test_complaint_example_c() -> None:
    (o,) = outcomes(b.EXAMPLE_C_BODY)
    assert o.verdict is not None
    assert (o.verdict.status, o.verdict.reason) == (Status.QUARANTINED, Reason.COMPLAINT)
    assert o.identity == b.FEEDBACK_ID_COMPLAINT


def test_complaint_on_account_suppression_list_is_bounced_suppressed() -> None:
    doc = b.complaint_doc(subtype="OnAccountSuppressionList", feedback_type=None)
    assert pairs(doc) == {"li@fabrikam.example": ("bounced", "suppressed")}


@pytest.mark.parametrize("feedback_type", ["not-spam", "Not-Spam", " not-spam "])
def test_not_spam_complaint_changes_nothing(feedback_type: str) -> None:
    doc = b.complaint_doc(feedback_type=feedback_type)
    assert verdicts(doc) == {"li@fabrikam.example": None}


@pytest.mark.parametrize("event_type", ["Open", "Click", "Subscription"])
def test_engagement_events_change_nothing(event_type: str) -> None:
    builders = {"Open": b.open_doc, "Click": b.click_doc, "Subscription": b.subscription_doc}
    result = outcomes(b.raw(builders[event_type](["jane@acme.example", "omar@contoso.example"])))
    assert [o.address for o in result] == ["jane@acme.example", "omar@contoso.example"]
    assert all(o.verdict is None for o in result)
    assert all(o.event_type == event_type for o in result)


# --- bounces: per-entry steps ----------------------------------------------------------


def test_example_a_bounce_is_mailbox_not_found() -> None:
    (o,) = outcomes(b.EXAMPLE_A_BODY)
    assert o.verdict is not None
    assert (o.verdict.status, o.verdict.reason, o.verdict.smtp_status) == (
        Status.BOUNCED,
        Reason.MAILBOX_NOT_FOUND,
        "5.1.1",
    )
    assert o.identity == b.FEEDBACK_ID_BOUNCE
    assert o.diagnostic is not None
    assert "User unknown" in o.diagnostic


def test_example_d_permanent_general_without_dsn_is_hard_bounce() -> None:
    (o,) = outcomes(b.EXAMPLE_D_BODY)
    assert o.verdict is not None
    assert (o.verdict.status, o.verdict.reason) == (Status.BOUNCED, Reason.HARD_BOUNCE)


def test_bounce_with_one_failed_and_one_delayed_entry() -> None:
    doc = b.bounce_doc(
        [
            b.bounce_entry("jane@acme.example"),
            b.bounce_entry(
                "omar@contoso.example",
                action="delayed",
                status="4.4.1",
                diagnostic="smtp; 421 4.4.1 Connection timed out",
            ),
        ],
        subtype="General",
    )
    assert pairs(doc) == {
        "jane@acme.example": ("bounced", "mailbox_not_found"),
        "omar@contoso.example": None,
    }


@pytest.mark.parametrize("action", ["delayed", "delivered", "relayed", "expanded", "Delayed"])
def test_bounce_entry_whose_action_is_not_failed_changes_nothing(action: str) -> None:
    doc = b.bounce_doc([b.bounce_entry(action=action)], subtype="General")
    assert verdicts(doc) == {"jane@acme.example": None}


def test_bounce_entry_without_action_is_classified() -> None:
    doc = b.bounce_doc([b.bounce_entry(action=None)], subtype="General")
    assert pairs(doc) == {"jane@acme.example": ("bounced", "mailbox_not_found")}


def test_transient_general_auto_reply_changes_nothing() -> None:
    doc = b.bounce_doc(
        [b.bounce_entry(action=None, status=None, diagnostic=None)],
        bounce_type="Transient",
        subtype="General",
        reporting_mta=None,
        remote_mta_ip=None,
    )
    assert verdicts(doc) == {"jane@acme.example": None}


def test_transient_general_with_a_status_is_a_failure_not_an_auto_reply() -> None:
    doc = b.bounce_doc(
        [
            b.bounce_entry(
                status="4.4.7",
                diagnostic="smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes."
                "<421 4.4.2 Connection timed out>",
            )
        ],
        bounce_type="Transient",
        subtype="General",
    )
    assert pairs(doc) == {"jane@acme.example": ("bounced", "soft_bounce")}


@pytest.mark.parametrize(
    ("bounce_type", "subtype", "status", "reason"),
    [
        ("Permanent", "Suppressed", "5.1.1", ("bounced", "suppressed")),
        ("Permanent", "OnAccountSuppressionList", "5.1.1", ("bounced", "suppressed")),
        ("Permanent", "OnTenantSuppressionList", "5.1.1", ("bounced", "suppressed")),
        ("Permanent", "EmailValidationSuppressed", "5.1.1", ("bounced", "suppressed")),
        ("Permanent", "NoEmail", "5.1.1", ("bounced", "mailbox_not_found")),
        ("Transient", "MailboxFull", "5.2.2", ("bounced", "mailbox_full")),
        ("Transient", "MessageTooLarge", "5.3.4", ("bounced", "message_too_large")),
        ("Transient", "AttachmentRejected", "5.7.1", ("quarantined", "attachment_rejected")),
        ("Transient", "ContentRejected", "5.7.1", ("quarantined", "spam_filtered")),
        ("Undetermined", "Undetermined", None, ("bounced", "undetermined")),
    ],
)
def test_bounce_subtypes(
    bounce_type: str, subtype: str, status: str | None, reason: tuple[str, str]
) -> None:
    doc = b.bounce_doc(
        [b.bounce_entry(status=status, diagnostic=None)],
        bounce_type=bounce_type,
        subtype=subtype,
        reporting_mta="dns; amazonses.com",
        remote_mta_ip=None,
    )
    assert pairs(doc) == {"jane@acme.example": reason}


# --- several recipients ----------------------------------------------------------------


def test_one_bounce_three_recipients_three_outcomes() -> None:
    doc = b.bounce_doc(
        [
            b.bounce_entry(
                "jane@acme.example",
                status="5.1.1",
                diagnostic="smtp; 550 5.1.1 <jane@acme.example>: Recipient address rejected: "
                "User unknown in virtual mailbox table",
            ),
            b.bounce_entry(
                "Omar <Omar@Contoso.example>",
                status="5.7.1",
                diagnostic="smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.80] "
                "blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.80",
            ),
            b.bounce_entry(
                "li@fabrikam.example",
                status="5.2.2",
                diagnostic="smtp; 552 5.2.2 <li@fabrikam.example>: user is over quota",
            ),
        ],
        subtype="General",
    )
    result = {o.address: o for o in outcomes(b.raw(doc))}
    assert list(result) == THREE_NORMALISED
    jane, omar, li = (result[a].verdict for a in THREE_NORMALISED)
    assert jane is not None and omar is not None and li is not None
    assert (jane.status, jane.reason, jane.smtp_status) == (
        Status.BOUNCED,
        Reason.MAILBOX_NOT_FOUND,
        "5.1.1",
    )
    assert (omar.status, omar.reason, omar.smtp_status) == (
        Status.QUARANTINED,
        Reason.SENDER_BLOCKLISTED,
        "5.7.1",
    )
    assert omar.provider == "Spamhaus"
    assert omar.help_url == "https://www.spamhaus.org/query/ip/192.0.2.80"
    assert (li.status, li.reason, li.smtp_status) == (
        Status.BOUNCED,
        Reason.MAILBOX_FULL,
        "5.2.2",
    )
    assert result["omar@contoso.example"].original == "Omar <Omar@Contoso.example>"
    # One bounce report: every recipient's identity is its feedbackId.
    assert {o.identity for o in result.values()} == {b.FEEDBACK_ID_BOUNCE}


def test_three_recipients_through_several_events_end_in_three_statuses() -> None:
    """One message to three people: delivered, bounced, and delivered-then-complained."""
    message_id = b.MESSAGE_ID
    bodies = [
        b.sns_event_publishing(b.send_doc(THREE)),
        b.eventbridge(
            b.delivery_doc(
                ["jane@acme.example", "li@fabrikam.example"],
                destination=THREE,
                message_id=message_id,
            )
        ),
        b.raw(
            b.bounce_doc(
                [
                    b.bounce_entry(
                        "omar@contoso.example",
                        status="5.1.10",
                        diagnostic="smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient "
                        "not found by SMTP address lookup",
                    )
                ],
                subtype="General",
                destination=THREE,
            )
        ),
        b.sns(b.complaint_doc(["li@fabrikam.example"], message_id=message_id)),
        b.raw(b.open_doc(THREE)),
    ]
    per_recipient: dict[str, list[DecidingEvent]] = {a: [] for a in THREE_NORMALISED}
    for body in bodies:
        for o in outcomes(body):
            if o.verdict is not None:
                per_recipient[o.address].append(
                    DecidingEvent(o.identity, o.occurred_at, o.verdict.reason)
                )
    sent_at = datetime(2025, 3, 4, 10, 15, 1, 210000, tzinfo=UTC)
    final = {
        address: decide_status(
            events,
            sent_at=sent_at,
            now=sent_at + timedelta(days=3),
            feedback_window=timedelta(hours=24),
        )
        for address, events in per_recipient.items()
    }
    assert {a: (str(d.status), str(d.reason)) for a, d in final.items()} == {
        "jane@acme.example": ("delivered", "accepted"),
        "omar@contoso.example": ("bounced", "mailbox_not_found"),
        "li@fabrikam.example": ("quarantined", "complaint"),
    }


def test_outcomes_keep_the_event_order_and_fields() -> None:
    doc = b.delivery_doc(["b@x.example", "a@x.example"])
    result = outcomes(b.raw(doc))
    assert [o.address for o in result] == ["b@x.example", "a@x.example"]
    for o in result:
        assert o.identity == f"Delivery|{b.MESSAGE_ID_DELIVERY}|{o.address}|{o.occurred_at}"
        assert o.event_type is EventType.DELIVERY


@pytest.mark.parametrize("event_type", list(b.SUB_OBJECT_KEYS))
def test_every_event_type_classifies_the_same_in_every_envelope(event_type: str) -> None:
    doc = b.every_event_doc()[event_type]
    results = [outcomes(wrap(doc)) for wrap in (b.raw, b.sns_event_publishing, b.eventbridge)]
    assert results[0] == results[1] == results[2]
