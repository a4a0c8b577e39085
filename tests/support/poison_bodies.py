"""Hostile SQS bodies for the poison tests (worker drain and ``inboxgap ingest``).

Each is a single body that used to make its whole batch fail, or to be retried forever:
JSON that does not parse, an unknown event type, a JSON lone surrogate (``"\\ud83d"``) in a
diagnostic and in ``mail.messageId``, a NUL in an EventBridge ``detail-type`` and in an SNS
``SubscriptionConfirmation``, and a forged SNS envelope whose certificate names a region
that does not exist. Every body is ASCII JSON text (the escapes stay escapes on the wire).
"""

from __future__ import annotations

import json

from tests import bodies as b

#: Bodies that must be dead letters whatever the parser makes of text, with their code.
MUST_DEAD_LETTER = {
    "malformed_json": "not_json",
    "unknown_event_type": "unknown_event_type",
}
#: With SNS signatures verified, the forged envelope is this dead letter (no fetch).
FORGED_CODE = "bad_signature"


def _eventbridge(detail_type: str, detail: str) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "5d1e2f3a-4b5c-4d6e-8f70-0a1b2c3d4e5f",
            "detail-type": detail_type,
            "source": "aws.ses",
            "account": "123456789012",
            "time": "2025-03-04T10:15:03Z",
            "region": "us-east-1",
            "resources": [],
            "detail": json.loads(detail),
        }
    )


def poison_bodies() -> dict[str, str]:
    """{name: body} of the hostile bodies (message ids start with ``poison-``)."""
    confirmation = json.loads(b.subscription_confirmation("poison-sub"))
    confirmation["Token"] = "2336412f\x0037fb"
    forged = json.loads(b.sns_wrap(b.delivery("poison-forged", ["p5@acme.example"])))
    forged["SigningCertURL"] = (
        "https://sns.xx-fake-9.amazonaws.com/"
        "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
    )
    unknown = json.loads(b.delivery("poison-unknown", ["p6@acme.example"]))
    unknown["eventType"] = "Teleport"
    return {
        "malformed_json": '{"eventType": "Bounce", "mail": {"messageId": ',
        "unknown_event_type": json.dumps(unknown),
        "surrogate_in_diagnostic": b.bounce(
            "poison-diag",
            "p1@acme.example",
            feedback_id="poison-fb-1",
            diagnostic="smtp; 550 5.1.1 mailbox \ud83d unavailable",
        ),
        "surrogate_in_message_id": b.delivery("poison-\ud83d-id", ["p2@acme.example"]),
        "nul_in_eventbridge_detail_type": _eventbridge(
            "Email Delivered\x00", b.delivery("poison-eb", ["p3@acme.example"])
        ),
        "nul_in_subscription_confirmation": json.dumps(confirmation),
        "forged_sns_fake_region": json.dumps(forged),
    }
