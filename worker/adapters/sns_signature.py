"""SNS message signature verification (reference section 8).

This module owns the answer to "did Amazon SNS really publish this envelope, from a topic
we accept?" for SQS bodies that arrive in an SNS envelope (paths A, B and E of section 1):

* the certificate URL is checked against a strict pattern *before* anything is fetched
  (https, an ``sns.<region>.amazonaws.com[.cn]`` host, a ``SimpleNotificationService-*.pem``
  path), which is also the guard against server-side request forgery;
* so is its region, still before any fetch: it must be a real SNS region of the host's
  partition (botocore's shipped endpoint data: ``aws``, ``aws-cn`` on ``.amazonaws.com.cn``,
  ``aws-us-gov``...) and the region of the envelope's ``TopicArn`` (SNS signs with the
  certificate of the topic's own region). A made-up region would otherwise fail DNS, which
  is a *transient* fetch error, and hold its batch for retries instead of being a
  ``bad_signature`` dead letter;
* the string to sign is rebuilt from the decoded envelope fields, exactly as SNS builds it;
* the signature is checked with RSA PKCS#1 v1.5 over SHA-1 (``SignatureVersion`` 1) or
  SHA-256 (``SignatureVersion`` 2) against the certificate's public key;
* only then is ``TopicArn`` checked against an optional allowlist.

A forged, unsigned or unverifiable envelope is a :class:`~worker.domain.events.Rejection`
(a dead letter, never a status change). A certificate that cannot be fetched *right now*
(network error, timeout, server error) is different: :class:`CertificateFetchError` is
raised, the caller retries the batch and nothing is dead-lettered.

Raw message delivery (path C) and EventBridge (path D) bodies carry no signature at all:
nothing in the body proves who produced it, so they cannot be verified here. For those,
only the SQS queue policy (``aws:SourceArn`` = the topic or rule ARN) protects the queue.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import functools
import http.client
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from typing import IO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from worker.domain.events import Rejection, RejectionCode, SnsEnvelope
from worker.handlers.ports.errors import BadInput, Retryable

__all__ = [
    "DEFAULT_CERT_URL_PATTERN",
    "MAX_CERTIFICATE_BYTES",
    "CertificateFetchError",
    "CertificateUnusableError",
    "SnsSignatureVerifier",
    "certificate_fetcher",
    "certificate_region_problem",
    "fetch_certificate_https",
    "sns_region_suffixes",
    "string_to_sign",
]

#: Largest certificate response accepted (real SNS certificates are about 2 KB).
MAX_CERTIFICATE_BYTES = 64 * 1024

#: Longest ``SigningCertURL`` even looked at.
_MAX_CERT_URL_LENGTH = 2048

#: Matched against the *whole* ``SigningCertURL`` (``fullmatch``): scheme https, a host
#: ``sns.<region>.amazonaws.com`` (or ``.com.cn``), no user info, port, query or fragment,
#: and the path ``/SimpleNotificationService-<32 hex digits or a UUID>.pem``.
DEFAULT_CERT_URL_PATTERN: re.Pattern[str] = re.compile(
    r"https://sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(?:\.cn)?"
    r"/SimpleNotificationService-"
    r"(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"\.pem"
)

#: The host of an SNS certificate URL: ``sns.<region>.<partition's DNS suffix>``.
_SNS_HOST = re.compile(r"https://sns\.([a-z0-9-]+)\.([a-z0-9.-]+)/", re.IGNORECASE)
#: ``arn:<partition>:sns:<region>:<account>:<topic>``.
_TOPIC_ARN = re.compile(r"arn:[a-z0-9-]+:sns:([a-z0-9-]+):[0-9]{12}:[^:\s]+")

_NOTIFICATION = "Notification"
_CONFIRMATIONS = frozenset({"SubscriptionConfirmation", "UnsubscribeConfirmation"})
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}


class CertificateFetchError(Retryable):
    """The signing certificate could not be fetched right now (network error, timeout,
    server error). Retriable: the caller retries the whole batch and never dead-letters."""


class CertificateUnusableError(BadInput):
    """The certificate URL answered definitively with something unusable (HTTP 4xx, a
    redirect, an oversized body). Not retriable: the envelope cannot be verified and
    :meth:`SnsSignatureVerifier.verify` turns this into a ``bad_signature`` rejection, so
    a message pointing at a missing certificate cannot block its batch forever."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: a redirect could point the fetch at any host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: email.message.Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def fetch_certificate_https(
    url: str, *, timeout: float = 5.0, allow_plain_http: bool = False
) -> bytes:
    """Fetch a PEM certificate over https with a short timeout and a size cap.

    ``allow_plain_http`` exists only for a local moto endpoint (tests, embedded demo) and
    must be paired with an explicit ``cert_url_pattern`` on the verifier.

    Raises :class:`CertificateFetchError` for transient failures and
    :class:`CertificateUnusableError` for definitive ones (see their docstrings).
    """
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    allowed = {"https", "http"} if allow_plain_http else {"https"}
    if scheme not in allowed:
        # The verifier never gets here (its URL pattern is checked first); this is a
        # second guard so that this function can never read file:// or ftp:// URLs.
        raise CertificateUnusableError(f"refusing to fetch a certificate over {scheme!r}")
    opener = urllib.request.build_opener(_NoRedirect)
    # Scheme checked above, redirects refused: only the validated URL is ever requested.
    request = urllib.request.Request(url, headers={"Accept": "application/x-pem-file, */*"})  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_CERTIFICATE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 500 and exc.code not in (408, 429):
            raise CertificateUnusableError(f"certificate URL answered HTTP {exc.code}") from exc
        raise CertificateFetchError(f"certificate URL answered HTTP {exc.code}") from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # URLError, timeouts, connection resets, IncompleteRead, malformed responses...
        raise CertificateFetchError(f"could not fetch certificate: {exc}") from exc
    if len(body) > MAX_CERTIFICATE_BYTES:
        raise CertificateUnusableError(
            f"certificate response is larger than {MAX_CERTIFICATE_BYTES} bytes"
        )
    return body


def _field(name: str, value: str) -> str:
    return f"{name}\n{value}\n"


def string_to_sign(envelope: SnsEnvelope) -> bytes | None:
    """The exact bytes SNS signs for this envelope, or None if its ``Type`` cannot be
    verified (unknown type, or a confirmation without ``SubscribeURL`` / ``Token``).
    Built from the values as decoded, before the parser made them storable text."""
    envelope = envelope.as_signed
    if envelope.type == _NOTIFICATION:
        parts = [_field("Message", envelope.message), _field("MessageId", envelope.message_id)]
        if envelope.subject is not None:
            parts.append(_field("Subject", envelope.subject))
        parts += [
            _field("Timestamp", envelope.timestamp),
            _field("TopicArn", envelope.topic_arn),
            _field("Type", envelope.type),
        ]
    elif envelope.type in _CONFIRMATIONS:
        if envelope.subscribe_url is None or envelope.token is None:
            return None
        parts = [
            _field("Message", envelope.message),
            _field("MessageId", envelope.message_id),
            _field("SubscribeURL", envelope.subscribe_url),
            _field("Timestamp", envelope.timestamp),
            _field("Token", envelope.token),
            _field("TopicArn", envelope.topic_arn),
            _field("Type", envelope.type),
        ]
    else:
        return None
    # A lone surrogate (legal in JSON escapes, impossible in what SNS signed) keeps its
    # bytes here so the signature check, not an exception, rejects it.
    return "".join(parts).encode("utf-8", "surrogatepass")


@functools.lru_cache(maxsize=1)
def sns_region_suffixes() -> Mapping[str, str]:
    """{SNS region: DNS suffix of its partition} from botocore's shipped endpoint data
    (every partition it lists: ``aws``, ``aws-cn``, ``aws-us-gov``, the isolated ones).
    Computed once per process, without network. A region newer than the installed
    botocore is unknown until botocore is upgraded: its envelopes are ``bad_signature``
    dead letters meanwhile, and ``inboxgap deadletters replay`` applies them after."""
    import botocore.session

    session = botocore.session.get_session()
    suffixes: dict[str, str] = {}
    for partition in session.get_data("endpoints").get("partitions", ()):
        name, suffix = partition.get("partition"), partition.get("dnsSuffix")
        if not name or not suffix:
            continue
        for region in session.get_available_regions("sns", name):
            suffixes.setdefault(region, suffix)
    return suffixes


def certificate_region_problem(url: str, topic_arn: str) -> str | None:
    """Why a ``SigningCertURL`` of the ``sns.<region>.<suffix>`` form cannot be Amazon
    SNS's for this topic (None when it can, or when the URL has another form, which only
    an explicit ``cert_url_pattern`` for a local endpoint lets through)."""
    host = _SNS_HOST.match(url)
    if host is None:
        return None
    region, suffix = host.group(1).lower(), host.group(2).lower()
    known = sns_region_suffixes()
    if known.get(region) != suffix:
        return f"names {_describe(region)}, which is not an Amazon SNS region of {suffix!r}"
    topic = _TOPIC_ARN.fullmatch(topic_arn)
    if topic is None:
        return f"cannot belong to TopicArn {_describe(topic_arn)} (not an SNS topic ARN)"
    if topic.group(1) != region:
        return (
            f"is in region {region!r} but TopicArn {_describe(topic_arn)} is in "
            f"{_describe(topic.group(1))}"
        )
    return None


def _describe(value: str, limit: int = 120) -> str:
    """A value quoted for a human message, shortened (it may be attacker-controlled)."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


class _LruCache:
    """A small bounded, thread-safe LRU map from certificate URL to public key."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, rsa.RSAPublicKey] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> rsa.RSAPublicKey | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: rsa.RSAPublicKey) -> None:
        if self._size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class SnsSignatureVerifier:
    """Verify SNS envelopes; safe to share between threads.

    ``fetch_certificate`` maps a certificate URL to PEM bytes (injectable for tests; it may
    raise :class:`CertificateFetchError` or :class:`CertificateUnusableError`).
    ``allowed_topic_arns``: if non-empty, any other ``TopicArn`` is rejected.
    ``minimum_signature_version``: 2 once the topics are set to ``SignatureVersion`` 2.
    ``cache_size``: how many parsed certificates (public keys) to keep, by URL.
    ``cert_url_pattern``: replaces :data:`DEFAULT_CERT_URL_PATTERN` (matched with
    ``fullmatch`` against the whole URL); only to allow a local moto endpoint explicitly.
    """

    def __init__(
        self,
        fetch_certificate: Callable[[str], bytes] = fetch_certificate_https,
        *,
        allowed_topic_arns: Collection[str] = (),
        minimum_signature_version: int = 1,
        cache_size: int = 64,
        cert_url_pattern: re.Pattern[str] | None = None,
    ) -> None:
        if minimum_signature_version not in (1, 2):
            raise ValueError("minimum_signature_version must be 1 or 2")
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        self._fetch_certificate = fetch_certificate
        self._allowed_topic_arns = frozenset(allowed_topic_arns)
        self._accepted_versions = frozenset(
            v for v in _HASHES if int(v) >= minimum_signature_version
        )
        self._cert_url_pattern = cert_url_pattern or DEFAULT_CERT_URL_PATTERN
        self._keys = _LruCache(cache_size)

    @property
    def cached_certificates(self) -> int:
        """How many certificates are currently cached (for metrics and tests)."""
        return len(self._keys)

    def verify(self, envelope: SnsEnvelope) -> Rejection | None:
        """None if the envelope is authentic (and its topic allowed), else a Rejection.

        Raises :class:`CertificateFetchError` if the certificate cannot be fetched now.
        """
        rejection = self._verify_signature(envelope)
        if rejection is not None:
            return rejection
        if self._allowed_topic_arns and envelope.topic_arn not in self._allowed_topic_arns:
            return Rejection(
                RejectionCode.TOPIC_NOT_ALLOWED,
                f"SNS topic {_describe(envelope.topic_arn)} is not on the allowed topic list",
            )
        return None

    def _verify_signature(self, envelope: SnsEnvelope) -> Rejection | None:
        if not envelope.signature or not envelope.signature_version:
            return _bad("SNS envelope is unsigned (no Signature or SignatureVersion)")
        version = envelope.signature_version
        if version not in _HASHES:
            return _bad(f"unsupported SNS SignatureVersion {_describe(version)} (expected 1 or 2)")
        if version not in self._accepted_versions:
            return _bad(
                f"SNS SignatureVersion {version} is below the configured minimum "
                f"({min(self._accepted_versions)})"
            )
        url = envelope.signing_cert_url
        if len(url) > _MAX_CERT_URL_LENGTH or not self._cert_url_pattern.fullmatch(url):
            return _bad(
                f"SigningCertURL {_describe(url)} is not an Amazon SNS certificate URL "
                "(https://sns.<region>.amazonaws.com/SimpleNotificationService-*.pem); "
                "not fetched"
            )
        problem = certificate_region_problem(url, envelope.topic_arn)
        if problem is not None:
            return _bad(f"SigningCertURL {_describe(url)} {problem}; not fetched")
        data = string_to_sign(envelope)
        if data is None:
            return _bad(
                f"SNS envelope of Type {_describe(envelope.type)} cannot be verified "
                "(unknown Type, or SubscribeURL/Token missing)"
            )
        try:
            signature = base64.b64decode(envelope.signature, validate=True)
        except (binascii.Error, ValueError):
            return _bad("SNS Signature is not valid base64")
        if not signature:
            return _bad("SNS envelope is unsigned (empty Signature)")
        key = self._public_key(url)
        if isinstance(key, Rejection):
            return key
        try:
            key.verify(signature, data, padding.PKCS1v15(), _HASHES[version]())
        except (InvalidSignature, ValueError):
            return _bad(
                f"SNS signature does not match the message (SignatureVersion {version}, "
                f"certificate {_describe(url)}): forged or altered"
            )
        return None

    def _public_key(self, url: str) -> rsa.RSAPublicKey | Rejection:
        cached = self._keys.get(url)
        if cached is not None:
            return cached
        # Fetched outside the lock: a slow fetch must not block verification of envelopes
        # whose certificate is cached. Two threads may fetch the same URL once each.
        try:
            pem = self._fetch_certificate(url)
        except CertificateUnusableError as exc:
            return _bad(f"SNS signing certificate {_describe(url)} is unusable: {exc}")
        try:
            certificate = x509.load_pem_x509_certificate(pem)
            key = certificate.public_key()
        except (ValueError, TypeError) as exc:
            return _bad(f"SNS signing certificate {_describe(url)} is not a valid PEM: {exc}")
        if not isinstance(key, rsa.RSAPublicKey):
            return _bad(f"SNS signing certificate {_describe(url)} does not hold an RSA key")
        self._keys.put(url, key)
        return key


def _bad(message: str) -> Rejection:
    return Rejection(RejectionCode.BAD_SIGNATURE, message)


# --------------------------------------------------------------------------- local endpoints

_CERT_PATH = re.compile(r"/SimpleNotificationService-[0-9A-Za-z-]{8,64}\.pem")


def certificate_fetcher(endpoint: str | None = None) -> Callable[[str], bytes]:
    """Fetch SNS certificates over https; with ``INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL``
    (moto, the demo), fetch the same certificate path from that local endpoint instead.

    The verifier has already checked the URL against the Amazon SNS pattern before this
    is called; the override only changes *where* the validated path is fetched from. The
    request names the SNS service and region in an (unchecked) SigV4-shaped
    ``Authorization`` header: that is how a moto server routes a request to its SNS."""
    if not endpoint:
        return fetch_certificate_https
    base = endpoint.rstrip("/")

    def fetch_local(url: str) -> bytes:
        parts = urllib.parse.urlsplit(url)
        if not _CERT_PATH.fullmatch(parts.path):
            raise CertificateUnusableError(f"not an SNS certificate path: {parts.path[:80]!r}")
        region = parts.hostname.split(".")[1] if parts.hostname else "us-east-1"
        request = urllib.request.Request(  # noqa: S310 - http(s) URL of the configured endpoint
            base + parts.path,
            headers={
                "Authorization": (
                    f"AWS4-HMAC-SHA256 Credential=local/20000101/{region}/sns/aws4_request, "
                    "SignedHeaders=host, Signature=0"
                )
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                body: bytes = response.read(MAX_CERTIFICATE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise CertificateUnusableError(f"HTTP {exc.code} from {base}") from exc
            raise CertificateFetchError(f"HTTP {exc.code} from {base}") from exc
        except (OSError, ValueError) as exc:
            raise CertificateFetchError(f"could not fetch certificate from {base}: {exc}") from exc
        if len(body) > MAX_CERTIFICATE_BYTES:
            raise CertificateUnusableError("certificate response too large")
        return body

    return fetch_local
