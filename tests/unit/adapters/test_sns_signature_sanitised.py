"""SNS signatures of bodies the parser had to clean (issue 16, item 1).

The parser hands on storable text (NUL and lone surrogates become U+FFFD) but keeps the
envelope's values as decoded for the string to sign: a genuine body still verifies, and a
body whose cleaned values were altered does not. No network anywhere.
"""

from __future__ import annotations

import json

from msgspec import structs

from tests.support.sns_signing import SnsSigner
from tests.unit.domain import ses_bodies as b
from worker.adapters.sns_signature import SnsSignatureVerifier, string_to_sign
from worker.domain.events import ControlMessage, FeedbackEvent, RejectionCode
from worker.domain.parser import parse_body
from worker.domain.text import REPLACEMENT

SES_DOCUMENT = json.dumps(b.delivery_doc())


def test_signed_notification_with_nul_in_subject_verifies_after_cleaning(
    signer: SnsSigner, verifier: SnsSignatureVerifier
) -> None:
    body = signer.sign_notification(SES_DOCUMENT, subject="Amazon SES\x00Email Event")
    parsed = parse_body(body)
    assert isinstance(parsed, FeedbackEvent)
    assert parsed.sns is not None
    assert parsed.sns.subject == f"Amazon SES{REPLACEMENT}Email Event"
    assert verifier.verify(parsed.sns) is None
    # Without the decoded values the cleaned envelope would not verify: the copy matters.
    stripped = structs.replace(parsed.sns, unsanitised=None)
    refused = verifier.verify(stripped)
    assert refused is not None and refused.code is RejectionCode.BAD_SIGNATURE


def test_signed_confirmation_with_nul_in_message_verifies_after_cleaning(
    signer: SnsSigner, verifier: SnsSignatureVerifier
) -> None:
    body = signer.sign_subscription_confirmation(message="To confirm\x00 visit the URL.")
    parsed = parse_body(body)
    assert isinstance(parsed, ControlMessage)
    assert parsed.message == f"To confirm{REPLACEMENT} visit the URL."
    assert parsed.sns is not None
    assert verifier.verify(parsed.sns) is None


def test_cleaned_value_altered_after_signing_is_rejected(
    signer: SnsSigner, verifier: SnsSignatureVerifier
) -> None:
    parsed = parse_body(signer.sign_notification(SES_DOCUMENT, subject="a\x00b"))
    assert isinstance(parsed, FeedbackEvent) and parsed.sns is not None
    assert parsed.sns.unsanitised is not None
    forged = structs.replace(
        parsed.sns,
        unsanitised=structs.replace(parsed.sns.unsanitised, subject="a\x00c"),
    )
    refused = verifier.verify(forged)
    assert refused is not None and refused.code is RejectionCode.BAD_SIGNATURE


def test_lone_surrogate_in_an_envelope_is_a_bad_signature_not_an_exception(
    signer: SnsSigner, verifier: SnsSignatureVerifier
) -> None:
    obj = json.loads(signer.sign_notification(SES_DOCUMENT, subject="hello"))
    obj["Subject"] = "hello\ud83d"
    parsed = parse_body(json.dumps(obj))
    assert isinstance(parsed, FeedbackEvent) and parsed.sns is not None
    assert parsed.sns.subject == f"hello{REPLACEMENT}"
    assert string_to_sign(parsed.sns) is not None  # surrogatepass: bytes, no exception
    refused = verifier.verify(parsed.sns)
    assert refused is not None and refused.code is RejectionCode.BAD_SIGNATURE
