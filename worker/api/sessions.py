"""The support page's login session: a signed cookie value that never holds the token.

``v1.<token id>.<expires>.<mac>``: the token id is a keyed hash of the API token that
signed in (so removing that token from ``INBOXGAP_API_TOKENS`` ends its sessions), the
expiry is a Unix time, and the MAC is HMAC-SHA256 over the rest with the session key.
A stolen cookie is good for at most :data:`SESSION_LIFETIME` and reveals nothing that
works against the API, which only takes bearer tokens.

The key is ``INBOXGAP_SESSION_SECRET`` when set, else derived from the configured API
tokens (changing the tokens then ends every session). Pure functions: ``now`` is passed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta

__all__ = ["SESSION_LIFETIME", "session_key", "sign_session", "verify_session"]

#: How long a page login lasts (the cookie's Max-Age and the signed expiry).
SESSION_LIFETIME = timedelta(hours=12)

_VERSION = "v1"


def session_key(tokens: Sequence[str], secret: str | None = None) -> bytes:
    """The HMAC key: from ``secret`` when given, else from the API tokens."""
    if secret:
        material = b"secret\0" + secret.encode()
    else:
        material = b"tokens\0" + b"\0".join(sorted(t.encode() for t in tokens if t))
    return hashlib.sha256(b"inboxgap-session-v1\0" + material).digest()


def _token_id(token: str, key: bytes) -> str:
    return hmac.new(key, b"token-id\0" + token.encode(), hashlib.sha256).hexdigest()[:32]


def _mac(payload: str, key: bytes) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_session(
    token: str, *, key: bytes, now: datetime, lifetime: timedelta = SESSION_LIFETIME
) -> str:
    """The cookie value for a login with ``token`` (already checked by the caller)."""
    expires = int((now + lifetime).timestamp())
    payload = f"{_VERSION}.{_token_id(token, key)}.{expires}"
    return f"{payload}.{_mac(payload, key)}"


def verify_session(
    value: str | None, *, key: bytes, tokens: Sequence[str], now: datetime
) -> str | None:
    """The configured token this session was signed for, or ``None`` when the value is
    missing, malformed, tampered with, expired, or its token is no longer configured."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(payload, key).encode(), parts[3].encode()):
        return None
    if int(parts[2]) <= now.timestamp():
        return None
    found = None
    for token in tokens:  # no early exit: the time does not depend on which one matched
        if token and hmac.compare_digest(_token_id(token, key).encode(), parts[1].encode()):
            found = token
    return found
