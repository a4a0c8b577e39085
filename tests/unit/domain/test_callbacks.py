"""The pure part of status callbacks: body, Standard Webhooks signature, retry schedule,
and how an attempt is judged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from tests.support.json_contract import STATUS_CHANGE_KEYS
from worker.domain.alert_rules import describe
from worker.domain.callbacks import (
    BACKOFF_CAP,
    CallbackState,
    FailureCause,
    StatusChangeFacts,
    Verdict,
    backlog_condition,
    encode_body,
    is_announced_change,
    judge_response,
    payload,
    retry_delay,
    secret_key,
    settle,
    sign,
    webhook_headers,
)

NOW = datetime(2025, 3, 4, 12, 0, 5, 123000, tzinfo=UTC)
SECRET = "whsec_" + base64.b64encode(b"a 24-byte secret for you").decode()

FACTS = StatusChangeFacts(
    notification_id="n-1",
    message_id="m-1",
    recipient="Jane@Acme.example",
    recipient_domain="acme.example",
    notification_type="magic_code",
    sent_at="2025-03-04T10:00:00.000Z",
    status="bounced",
    reason="mailbox_not_found",
    previous_status="sent",
    previous_reason="awaiting_feedback",
    status_at="2025-03-04T10:00:03.000Z",
    provider=None,
    smtp_status="5.1.1",
)


def test_payload_has_exactly_the_interface_fields() -> None:
    body = payload(FACTS, now=NOW)
    assert body["type"] == "notification.status_changed"
    assert body["timestamp"] == "2025-03-04T12:00:05.123Z"
    assert list(body["data"]) == list(STATUS_CHANGE_KEYS)
    data = body["data"]
    assert (data["status"], data["previous_status"]) == ("bounced", "sent")
    assert data["smtp_status"] == "5.1.1"
    assert isinstance(data["summary"], str) and data["summary"]
    assert json.loads(encode_body(body)) == body


def test_signature_verifies_with_the_standardwebhooks_package() -> None:
    # The package refuses timestamps more than 5 minutes from its own clock.
    now = datetime.now(UTC)
    body = encode_body(payload(FACTS, now=now))
    headers = webhook_headers("msg_abc", body, now=now, key=secret_key(SECRET), bearer_token="t")
    assert headers["webhook-id"] == "msg_abc"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["authorization"] == "Bearer t"
    verified = Webhook(SECRET).verify(body, headers)
    assert verified == json.loads(body)


def test_a_tampered_body_does_not_verify() -> None:
    now = datetime.now(UTC)
    body = encode_body(payload(FACTS, now=now))
    headers = webhook_headers("msg_abc", body, now=now, key=secret_key(SECRET), bearer_token=None)
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(SECRET).verify(body.replace(b"bounced", b"delivrd"), headers)


@given(st.binary(min_size=1, max_size=64), st.text(min_size=1, max_size=40), st.binary())
def test_signature_is_hmac_sha256_of_id_timestamp_body(
    key: bytes, msg_id: str, body: bytes
) -> None:
    expected = hmac.new(key, f"{msg_id}.1700000000.".encode() + body, hashlib.sha256).digest()
    assert sign(key, msg_id, 1700000000, body) == "v1," + base64.b64encode(expected).decode()


def test_no_secret_no_signature_header() -> None:
    headers = webhook_headers("msg_1", b"{}", now=NOW, key=None, bearer_token=None)
    assert "webhook-signature" not in headers and "authorization" not in headers


@pytest.mark.parametrize("bad", ["whsec_", "whsec_not base64!", ""])
def test_bad_secrets_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        secret_key(bad)


def test_secret_prefix_is_optional() -> None:
    assert (
        secret_key(SECRET)
        == secret_key(SECRET.removeprefix("whsec_"))
        == b"a 24-byte secret for you"
    )


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (299, Verdict.DELIVERED),
        (None, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (400, Verdict.REJECTED),
        (401, Verdict.REJECTED),
        (404, Verdict.REJECTED),
        (410, Verdict.REJECTED),
        (301, Verdict.REJECTED),
    ],
)
def test_judge_response(code: int | None, verdict: Verdict) -> None:
    assert judge_response(code) is verdict


def test_schedule_spans_about_a_day_with_ten_attempts() -> None:
    for jitter in (0.0, 0.5, 0.999):
        total = sum((retry_delay(n, jitter) for n in range(1, 10)), timedelta())
        assert timedelta(hours=18) <= total <= timedelta(hours=32), (jitter, total)
    waits = [retry_delay(n, 0.5) for n in range(1, 10)]
    assert waits == sorted(waits) and waits[0] == timedelta(seconds=30)


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0, max_value=0.999999))
def test_jitter_stays_within_twenty_percent(attempts: int, jitter: float) -> None:
    base = retry_delay(attempts, 0.5)
    assert base <= BACKOFF_CAP
    rounding = timedelta(microseconds=1)
    assert base * 0.8 - rounding <= retry_delay(attempts, jitter) <= base * 1.2 + rounding


@pytest.mark.parametrize(
    ("code", "before", "state", "cause"),
    [
        (200, 0, CallbackState.DELIVERED, None),
        (200, 9, CallbackState.DELIVERED, None),
        (503, 0, CallbackState.PENDING, None),
        (None, 8, CallbackState.PENDING, None),
        (503, 9, CallbackState.FAILED, FailureCause.RETRIES_EXHAUSTED),
        (None, 9, CallbackState.FAILED, FailureCause.RETRIES_EXHAUSTED),
        (404, 0, CallbackState.FAILED, FailureCause.REJECTED),
    ],
)
def test_settle(
    code: int | None, before: int, state: CallbackState, cause: FailureCause | None
) -> None:
    result = settle(code, "timeout", attempts_before=before, max_attempts=10, now=NOW, jitter=0.5)
    assert (result.state, result.cause, result.attempts) == (state, cause, before + 1)
    if state is CallbackState.PENDING:
        assert result.next_attempt_at == NOW + retry_delay(before + 1, 0.5)
        assert result.last_error == ("timeout" if code is None else f"HTTP {code}")
    else:
        assert result.next_attempt_at is None


@pytest.mark.parametrize(
    ("before", "after", "announced"),
    [
        (("sent", "awaiting_feedback"), ("delivered", "accepted"), True),
        (("delivered", "accepted"), ("bounced", "mailbox_not_found"), True),
        (("unknown", "no_feedback"), ("unknown", "delayed_no_outcome"), True),
        (("delivered", "accepted"), ("delivered", "accepted"), False),
    ],
)
def test_announced_change(before: tuple[str, str], after: tuple[str, str], announced: bool) -> None:
    assert is_announced_change(*before, *after) is announced


@pytest.mark.parametrize(
    ("age", "severity"),
    [
        (None, None),
        (timedelta(minutes=14, seconds=59), None),
        (timedelta(minutes=15), "warning"),
        (timedelta(minutes=59), "warning"),
        (timedelta(hours=1), "critical"),
        (timedelta(days=2), "critical"),
    ],
)
def test_backlog_alert(age: timedelta | None, severity: str | None) -> None:
    condition = backlog_condition(age)
    if severity is None:
        assert condition is None
        return
    assert condition is not None and age is not None
    assert (condition.rule.value, condition.severity.value) == ("callback_backlog", severity)
    assert condition.value == age.total_seconds() >= condition.threshold
    assert "status callback" in describe(condition)


def test_the_readme_hand_verification_example_accepts_our_signature() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    block = readme.split("or by hand with `hmac`:", 1)[1].split("```python\n", 1)[1]
    namespace: dict[str, object] = {}
    exec(block.split("```", 1)[0], namespace)  # the README's own code
    verify = namespace["verify"]
    now = datetime.now(UTC)
    body = encode_body(payload(FACTS, now=now))
    headers = webhook_headers("msg_1", body, now=now, key=secret_key(SECRET), bearer_token=None)
    assert verify(SECRET, headers, body) is True  # type: ignore[operator]
    assert verify(SECRET, headers, body + b" ") is False  # type: ignore[operator]
