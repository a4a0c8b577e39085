"""Status callbacks, the pure part: what counts as an announced change, the JSON body, the
Standard Webhooks signature, the retry schedule and how an HTTP answer is judged.

No clock and no randomness of its own: callers pass ``now`` and a jitter fraction. No I/O.

Standard Webhooks (https://www.standardwebhooks.com): the signed content is
``"{webhook-id}.{webhook-timestamp}.{body}"``, HMAC-SHA256 keyed with the base64-decoded
part of the ``whsec_<base64>`` secret, sent as ``webhook-signature: v1,<base64 digest>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from worker.domain.alert_rules import ACCOUNT_KEY, Condition, Rule, Scope, Severity
from worker.domain.explanations import explain
from worker.domain.outcomes import Reason
from worker.domain.timestamps import format_timestamp

EVENT_TYPE = "notification.status_changed"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)

#: First retry delay, growth factor and cap: with the default 10 attempts the nine waits
#: (30 s, 1.5 min, 4.5 min, 13.5 min, 40 min, 2 h, 6 h, 8 h, 8 h) add up to about a day.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_FACTOR = 3
BACKOFF_CAP = timedelta(hours=8)
#: Each wait is drawn from [80 %, 120 %] of the schedule so retries of many rows after an
#: outage of the receiver do not arrive in lockstep.
JITTER_SPREAD = 0.2


#: The on-call check of the outbox: the oldest pending callback older than this warns...
BACKLOG_WARNING_AGE = timedelta(minutes=15)
#: ...and older than this is critical (the receiver is down, or delivery is not keeping up).
BACKLOG_CRITICAL_AGE = timedelta(hours=1)


class CallbackState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class FailureCause(StrEnum):
    """Why a row ended ``failed`` (the ``cause`` label of the failed metric)."""

    #: The receiver answered a 4xx other than 429: retrying the same body cannot help.
    REJECTED = "rejected"
    #: Retryable errors until ``INBOXGAP_CALLBACK_MAX_ATTEMPTS`` was reached.
    RETRIES_EXHAUSTED = "retries_exhausted"


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"


def is_announced_change(
    previous_status: str, previous_reason: str, status: str, reason: str
) -> bool:
    """A callback announces a new (status, reason). A new status time alone (a later
    delivery of the same kind) or replaced send details are not announced."""
    return (previous_status, previous_reason) != (status, reason)


def judge_response(status_code: int | None) -> Verdict:
    """``None`` is a timeout or connection error. 2xx delivered; 429 and 5xx (and no
    answer) retried; any other code (1xx, 3xx, 4xx) rejected at once."""
    if status_code is None or status_code == 429 or status_code >= 500:
        return Verdict.RETRY
    if 200 <= status_code < 300:
        return Verdict.DELIVERED
    return Verdict.REJECTED


def retry_delay(attempts: int, jitter: float) -> timedelta:
    """Wait after the ``attempts``-th failed attempt (1-based); ``jitter`` in [0, 1)."""
    if attempts < 1:
        raise ValueError("attempts starts at 1")
    # In float seconds: the growth overflows a timedelta long before it reaches the cap
    # for large attempt numbers.
    seconds = min(
        BACKOFF_BASE.total_seconds() * float(BACKOFF_FACTOR) ** (attempts - 1),
        BACKOFF_CAP.total_seconds(),
    )
    return timedelta(seconds=seconds * (1 - JITTER_SPREAD + 2 * JITTER_SPREAD * jitter))


@dataclass(frozen=True, slots=True)
class Settlement:
    """What becomes of a row after one attempt."""

    state: CallbackState
    attempts: int
    next_attempt_at: datetime | None
    cause: FailureCause | None
    last_error: str | None


def settle(
    status_code: int | None,
    error: str | None,
    *,
    attempts_before: int,
    max_attempts: int,
    now: datetime,
    jitter: float,
) -> Settlement:
    """The row's next state after an attempt answered ``status_code`` (None: ``error``)."""
    attempts = attempts_before + 1
    verdict = judge_response(status_code)
    described = error if status_code is None else f"HTTP {status_code}"
    if verdict is Verdict.DELIVERED:
        return Settlement(CallbackState.DELIVERED, attempts, None, None, None)
    if verdict is Verdict.REJECTED:
        return Settlement(CallbackState.FAILED, attempts, None, FailureCause.REJECTED, described)
    if attempts >= max_attempts:
        return Settlement(
            CallbackState.FAILED, attempts, None, FailureCause.RETRIES_EXHAUSTED, described
        )
    return Settlement(
        CallbackState.PENDING,
        attempts,
        now + retry_delay(attempts, jitter),
        None,
        described,
    )


@dataclass(frozen=True, slots=True)
class StatusChangeFacts:
    """One outbox row joined with its notification and the ledger entry that decided it."""

    notification_id: str
    message_id: str
    recipient: str | None
    recipient_domain: str
    notification_type: str
    sent_at: str
    status: str
    reason: str
    previous_status: str
    previous_reason: str
    status_at: str
    provider: str | None
    smtp_status: str | None


def summary_of(facts: StatusChangeFacts) -> str:
    """The one-line explanation support reads out for this reason (without its time:
    ``status_at`` carries it), cached: a backlog repeats few (reason, domain, provider)."""
    return _summary(facts.reason, facts.recipient_domain, facts.provider)


@lru_cache(maxsize=4096)
def _summary(reason_text: str, recipient_domain: str, provider: str | None) -> str:
    try:
        reason = Reason(reason_text)
    except ValueError:
        return reason_text
    return explain(reason, recipient_domain=recipient_domain, provider=provider).headline


def payload(facts: StatusChangeFacts, *, now: datetime) -> dict[str, Any]:
    """The body object of a callback (exact field names: the receivers' interface)."""
    return {
        "type": EVENT_TYPE,
        "timestamp": format_timestamp(now),
        "data": {
            "notification_id": facts.notification_id,
            "message_id": facts.message_id,
            "recipient": facts.recipient,
            "notification_type": facts.notification_type,
            "sent_at": facts.sent_at,
            "status": facts.status,
            "reason": facts.reason,
            "previous_status": facts.previous_status,
            "previous_reason": facts.previous_reason,
            "status_at": facts.status_at,
            "summary": summary_of(facts),
            "provider": facts.provider,
            "smtp_status": facts.smtp_status,
        },
    }


def encode_body(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the exact bytes that are signed and sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret (the prefix is optional, as in the
    reference libraries). Raises ValueError when the rest is not base64."""
    text = secret.strip()
    if text.startswith(SECRET_PREFIX):
        text = text[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise ValueError("the callback secret must be whsec_ followed by base64") from exc
    if not key:
        raise ValueError("the callback secret is empty")
    return key


def sign(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64 HMAC-SHA256>``."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def webhook_headers(
    webhook_id: str,
    body: bytes,
    *,
    now: datetime,
    key: bytes | None,
    bearer_token: str | None,
) -> dict[str, str]:
    """Headers of one callback request (signature only when a secret is configured)."""
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
    }
    if key is not None:
        headers["webhook-signature"] = sign(key, webhook_id, timestamp, body)
    if bearer_token:
        headers["authorization"] = f"Bearer {bearer_token}"
    return headers


def backlog_condition(oldest_pending_age: timedelta | None) -> Condition | None:
    """The ``callback_backlog`` alert when the outbox backs up (None: nothing pending or
    young enough). Fixed thresholds, kept apart from the alert settings."""
    if oldest_pending_age is None or oldest_pending_age < BACKLOG_WARNING_AGE:
        return None
    critical = oldest_pending_age >= BACKLOG_CRITICAL_AGE
    limit = BACKLOG_CRITICAL_AGE if critical else BACKLOG_WARNING_AGE
    return Condition(
        Rule.CALLBACK_BACKLOG,
        Scope.ACCOUNT,
        ACCOUNT_KEY,
        Severity.CRITICAL if critical else Severity.WARNING,
        round(oldest_pending_age.total_seconds(), 1),
        limit.total_seconds(),
        "now",
    )
