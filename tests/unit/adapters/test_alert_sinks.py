"""Alert sinks without a network: httpx MockTransport, a fake SNS client."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from worker.adapters.alert_sinks import (
    LogSink,
    SlackSink,
    SnsSink,
    WebhookSink,
    build_sinks,
    slack_text,
)
from worker.handlers.alerts import SinkError, deliver

SECRET_URL = "https://hooks.example/services/T000/B000/very-secret-token"
PAYLOAD: dict[str, Any] = {
    "source": "inboxgap",
    "kind": "fired",
    "rule": "quarantine_spike",
    "scope": "domain",
    "key": "acme-corp.example",
    "severity": "critical",
    "value": 0.9375,
    "threshold": 0.05,
    "window": "15m",
    "state": "firing",
    "fired_at": "2025-03-05T12:00:00.000Z",
    "resolved_at": None,
    "at": "2025-03-05T12:00:00.000Z",
    "summary": "[CRITICAL] quarantine rate at domain acme-corp.example is 93.8% over the "
    "last 15m (threshold 5% from its baseline)",
}


def client(handler: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_webhook_posts_the_payload_as_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    WebhookSink(SECRET_URL, client=client(handler)).send(PAYLOAD)
    (request,) = seen
    assert request.method == "POST" and str(request.url) == SECRET_URL
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == PAYLOAD


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (404, False)]
)
def test_http_errors_say_whether_to_retry(status: int, retryable: bool) -> None:
    sink = WebhookSink(SECRET_URL, client=client(lambda r: httpx.Response(status)))
    with pytest.raises(SinkError) as info:
        sink.send(PAYLOAD)
    assert info.value.retryable is retryable
    assert "secret" not in str(info.value)


def test_transport_errors_are_retryable_and_never_show_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    with pytest.raises(SinkError) as info:
        WebhookSink(SECRET_URL, client=client(handler)).send(PAYLOAD)
    assert info.value.retryable
    assert "secret" not in str(info.value) and "hooks.example" not in str(info.value)


def test_deliver_retries_then_reports_without_raising() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(502)

    sleeps: list[float] = []
    result = deliver(WebhookSink(SECRET_URL, client=client(handler)), PAYLOAD, sleep=sleeps.append)
    assert (result.ok, result.attempts, len(calls)) == (False, 3, 3)
    assert result.error == "webhook: HTTP 502"
    assert sleeps and all(0 < s <= 1.0 for s in sleeps)  # short, bounded backoff


def test_deliver_does_not_retry_a_client_error() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(410)

    result = deliver(WebhookSink(SECRET_URL, client=client(handler)), PAYLOAD, sleep=lambda s: None)
    assert (result.ok, len(calls)) == (False, 1)


def test_deliver_recovers_on_a_later_attempt() -> None:
    answers = iter([503, 200])
    sink = WebhookSink(SECRET_URL, client=client(lambda r: httpx.Response(next(answers))))
    result = deliver(sink, PAYLOAD, sleep=lambda s: None)
    assert (result.ok, result.attempts) == (True, 2)


def test_deliver_survives_a_buggy_sink() -> None:
    class Broken:
        name = "broken"

        def send(self, payload: Any) -> None:
            raise KeyError("bug")

    result = deliver(Broken(), PAYLOAD, sleep=lambda s: None)
    assert (result.ok, result.attempts, result.error) == (False, 1, "broken: KeyError")


def test_slack_sends_text_only() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    SlackSink(SECRET_URL, client=client(handler)).send(PAYLOAD)
    (body,) = seen
    assert set(body) == {"text"}
    assert body["text"].startswith(":rotating_light: *InboxGap* [CRITICAL]")
    assert "`quarantine_spike` domain=acme-corp.example window=15m" in body["text"]
    resolved = slack_text({**PAYLOAD, "state": "resolved", "kind": "resolved"})
    assert resolved.startswith(":white_check_mark:")
    assert "Still firing since" in slack_text({**PAYLOAD, "kind": "renotified"})


class FakeSns:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def publish(self, **kwargs: Any) -> dict[str, str]:
        if self.fail:
            raise RuntimeError("EndpointConnectionError")
        self.calls.append(kwargs)
        return {"MessageId": "m-1"}


def test_sns_publishes_json_with_a_short_ascii_subject() -> None:
    sns = FakeSns()
    long_key = "ü" + "x" * 200
    SnsSink("arn:aws:sns:eu-west-1:111122223333:oncall", sns).send({**PAYLOAD, "key": long_key})
    (call,) = sns.calls
    assert call["TopicArn"] == "arn:aws:sns:eu-west-1:111122223333:oncall"
    assert len(call["Subject"]) <= 100 and call["Subject"].isascii()
    assert json.loads(call["Message"])["rule"] == "quarantine_spike"
    assert call["MessageAttributes"]["severity"]["StringValue"] == "critical"


def test_sns_failure_is_a_retryable_sink_error() -> None:
    with pytest.raises(SinkError) as info:
        SnsSink("arn:aws:sns:eu-west-1:1:t", FakeSns(fail=True)).send(PAYLOAD)
    assert info.value.retryable


def test_log_sink_never_raises() -> None:
    LogSink().send(PAYLOAD)
    LogSink().send({**PAYLOAD, "state": "resolved"})


def test_build_sinks_from_settings_values() -> None:
    sinks = build_sinks(
        webhook_url=SECRET_URL,
        slack_webhook_url=SECRET_URL,
        sns_topic_arn="arn:aws:sns:eu-west-1:1:t",
        sns_client=FakeSns(),
    )
    assert [s.name for s in sinks] == ["log", "webhook", "slack", "sns"]
    assert [s.name for s in build_sinks()] == ["log"]
