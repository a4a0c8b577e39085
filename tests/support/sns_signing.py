"""Sign SNS envelopes the way Amazon SNS does, with a local key and self-signed certificate.

Reusable by any test that needs an authentic-looking SQS body from SNS::

    signer = SnsSigner()
    body = signer.sign_notification(json.dumps(ses_event))
    verifier = SnsSignatureVerifier(signer.fetch_certificate)

The string to sign is built here independently of ``worker.adapters.sns_signature`` (a
generic "sorted field names" rule, as AWS documents it), so tests do not check the verifier
against itself. No network: ``fetch_certificate`` serves the PEM from memory.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from worker.adapters.sns_signature import CertificateFetchError
from worker.demo import self_signed_pem
from worker.domain.events import SnsEnvelope

DEFAULT_CERT_URL = (
    "https://sns.us-east-1.amazonaws.com/"
    "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
)
DEFAULT_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:inboxgap-ses-feedback"
DEFAULT_TIMESTAMP = "2025-03-04T10:15:03.412Z"

_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)


@dataclass(frozen=True)
class _KeyMaterial:
    key: rsa.RSAPrivateKey
    certificate_pem: bytes


_material: dict[str, _KeyMaterial] = {}
_material_lock = threading.Lock()


def _key_material(name: str) -> _KeyMaterial:
    """One RSA key + self-signed certificate per name, generated once per test run."""
    with _material_lock:
        if name not in _material:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            now = dt.datetime.now(dt.UTC)
            pem = self_signed_pem(
                key,
                f"sns.test.{name}",
                not_before=now - dt.timedelta(days=1),
                not_after=now + dt.timedelta(days=365),
            )
            _material[name] = _KeyMaterial(key, pem)
        return _material[name]


def string_to_sign(fields: Mapping[str, str]) -> bytes:
    """``Name\\nvalue\\n`` for every signed field present, names byte-sorted (AWS rule)."""
    names = _CONFIRMATION_FIELDS if fields["Type"] != "Notification" else _NOTIFICATION_FIELDS
    present = sorted(name for name in names if name in fields)
    return "".join(f"{name}\n{fields[name]}\n" for name in present).encode("utf-8")


class SnsSigner:
    """Produces signed SQS bodies (SNS envelopes) and serves the matching certificate.

    ``key_name`` selects the key pair: two signers with different names have different
    keys (useful to test "signed by someone else"). ``fetched`` records every URL that was
    requested through :meth:`fetch_certificate`.
    """

    def __init__(self, *, cert_url: str = DEFAULT_CERT_URL, key_name: str = "default") -> None:
        self.cert_url = cert_url
        self._material = _key_material(key_name)
        self.fetched: list[str] = []
        #: The topic signed by default: in the certificate's region, as SNS does (a
        #: certificate of another region is refused before any fetch).
        self.topic_arn = topic_arn_for(cert_url)

    @property
    def certificate_pem(self) -> bytes:
        return self._material.certificate_pem

    def fetch_certificate(self, url: str) -> bytes:
        """A fetcher for ``SnsSignatureVerifier``: the PEM for this signer's URL only."""
        self.fetched.append(url)
        if url != self.cert_url:
            raise CertificateFetchError(f"test signer has no certificate at {url}")
        return self._material.certificate_pem

    def signature(self, fields: Mapping[str, str], *, signature_version: int = 2) -> str:
        """Base64 signature over ``fields`` (SHA1 for version 1, SHA256 otherwise)."""
        algorithm: hashes.HashAlgorithm = (
            hashes.SHA1() if signature_version == 1 else hashes.SHA256()
        )
        raw = self._material.key.sign(string_to_sign(fields), padding.PKCS1v15(), algorithm)
        return base64.b64encode(raw).decode("ascii")

    def sign_fields(self, fields: Mapping[str, str], *, signature_version: int = 2) -> str:
        """Add SignatureVersion, Signature and SigningCertURL to ``fields``; JSON text."""
        envelope: dict[str, Any] = dict(fields)
        envelope["SignatureVersion"] = str(signature_version)
        envelope["Signature"] = self.signature(fields, signature_version=signature_version)
        envelope["SigningCertURL"] = self.cert_url
        return json.dumps(envelope)

    def sign_notification(
        self,
        message: str,
        *,
        topic_arn: str | None = None,
        subject: str | None = None,
        signature_version: int = 2,
        message_id: str | None = None,
        timestamp: str | None = None,
    ) -> str:
        """A full SQS body: a signed SNS ``Notification`` envelope carrying ``message``."""
        topic_arn = topic_arn or self.topic_arn
        fields = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Message": message,
            "Timestamp": timestamp or DEFAULT_TIMESTAMP,
        }
        if subject is not None:
            fields["Subject"] = subject
        envelope = json.loads(self.sign_fields(fields, signature_version=signature_version))
        envelope["UnsubscribeURL"] = (
            "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
            f"&SubscriptionArn={topic_arn}:0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a"
        )
        return json.dumps(envelope)

    def sign_subscription_confirmation(
        self,
        *,
        topic_arn: str | None = None,
        token: str = "2336412f37fb687f5d51e6e2425a8a58",
        message: str | None = None,
        subscribe_url: str | None = None,
        type_: str = "SubscriptionConfirmation",
        signature_version: int = 2,
        message_id: str | None = None,
        timestamp: str | None = None,
    ) -> str:
        """A full SQS body: a signed ``SubscriptionConfirmation`` (or, with ``type_``,
        ``UnsubscribeConfirmation``) envelope."""
        topic_arn = topic_arn or self.topic_arn
        fields = {
            "Type": type_,
            "MessageId": message_id or str(uuid.uuid4()),
            "Token": token,
            "TopicArn": topic_arn,
            "Message": message
            or (
                f"You have chosen to subscribe to the topic {topic_arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message."
            ),
            "SubscribeURL": subscribe_url
            or (
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
                f"&TopicArn={topic_arn}&Token={token}"
            ),
            "Timestamp": timestamp or DEFAULT_TIMESTAMP,
        }
        return self.sign_fields(fields, signature_version=signature_version)


def topic_arn_for(cert_url: str) -> str:
    """:data:`DEFAULT_TOPIC_ARN`'s topic in the region (and partition) of ``cert_url``'s
    ``sns.<region>.amazonaws.com[.cn]`` host; the default itself for any other URL."""
    match = re.match(r"https?://sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/", cert_url)
    if match is None:
        return DEFAULT_TOPIC_ARN
    region = match.group(1)
    partition = "aws-cn" if match.group(2) else "aws-us-gov" if "-gov-" in region else "aws"
    account, name = DEFAULT_TOPIC_ARN.split(":")[4:6]
    return f"arn:{partition}:sns:{region}:{account}:{name}"


def sns_envelope_from_body(body: str) -> SnsEnvelope:
    """Test-only: the ``SnsEnvelope`` for a signed body (not the production parser)."""
    data = json.loads(body)
    return SnsEnvelope(
        type=data["Type"],
        message_id=data["MessageId"],
        topic_arn=data["TopicArn"],
        message=data["Message"],
        timestamp=data["Timestamp"],
        signature_version=data.get("SignatureVersion", ""),
        signature=data.get("Signature", ""),
        signing_cert_url=data.get("SigningCertURL", ""),
        subject=data.get("Subject"),
        subscribe_url=data.get("SubscribeURL"),
        token=data.get("Token"),
    )
