"""Where alert notifications go: a structured log line, a generic JSON webhook, a
Slack-compatible webhook (text) and an SNS topic.

Every sink has a stable ``name`` (stored in the outbox, ``alert_deliveries.sink``) and a
``send(payload)`` that raises :class:`~worker.handlers.alerts.SinkError`, marked
retryable for what may pass next time (transport errors, 5xx, 408/429, AWS errors).
:func:`worker.handlers.alerts.deliver` wraps each send in tenacity (short bounded backoff)
and never raises; errors name the sink, never its URL (webhook URLs hold secret tokens).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import structlog

from worker.adapters.aws import short_call_client
from worker.handlers.ports.alerts import AlertSink, SinkError

logger = structlog.get_logger(__name__)

Payload = Mapping[str, Any]

SINK_LOG = "log"
SINK_WEBHOOK = "webhook"
SINK_SLACK = "slack"
SINK_SNS = "sns"

USER_AGENT = "inboxgap-alerts/1"


# --------------------------------------------------------------------------- sinks


class LogSink:
    """One structured log line per notification (always configured)."""

    name = SINK_LOG

    def send(self, payload: Payload) -> None:
        fields = {k: v for k, v in payload.items() if k != "summary"}
        level = "info" if payload.get("state") == "resolved" else "warning"
        getattr(logger, level)("alert", alert_summary=payload.get("summary"), **fields)


def _check_response(response: httpx.Response, sink: str) -> None:
    if response.is_success:
        return
    code = response.status_code
    raise SinkError(f"{sink}: HTTP {code}", retryable=code >= 500 or code in (408, 429))


class _HttpSink:
    name = "http"

    def __init__(
        self, url: str, *, timeout: float = 5.0, client: httpx.Client | None = None
    ) -> None:
        self.url = url
        self.timeout = timeout
        self._client = client

    def _post(self, body: Mapping[str, Any]) -> None:
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        content = json.dumps(body, sort_keys=True)
        try:
            if self._client is not None:
                response = self._client.post(
                    self.url, content=content, headers=headers, timeout=self.timeout
                )
            else:
                with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                    response = client.post(self.url, content=content, headers=headers)
        except httpx.TransportError as exc:
            # Never the URL: webhook URLs carry secret tokens.
            raise SinkError(f"{self.name}: {type(exc).__name__}", retryable=True) from None
        _check_response(response, self.name)


class WebhookSink(_HttpSink):
    """POSTs the payload as JSON, as is."""

    name = SINK_WEBHOOK

    def send(self, payload: Payload) -> None:
        self._post(payload)


_SLACK_ICONS = {"critical": ":rotating_light:", "warning": ":warning:"}


def slack_text(payload: Payload) -> str:
    """The Slack message: icon, summary, and what happened to the alert."""
    kind = payload.get("kind")
    icon = (
        ":white_check_mark:"
        if payload.get("state") == "resolved"
        else _SLACK_ICONS.get(str(payload.get("severity")), ":warning:")
    )
    lines = [f"{icon} *InboxGap* {payload.get('summary', '')}"]
    if kind == "renotified":
        lines.append(f"Still firing since {payload.get('fired_at')}.")
    elif kind == "escalated":
        lines.append("Escalated to critical.")
    lines.append(
        f"`{payload.get('rule')}` {payload.get('scope')}={payload.get('key')} "
        f"window={payload.get('window')}"
    )
    return "\n".join(lines)


class SlackSink(_HttpSink):
    """Slack-compatible incoming webhook (also Mattermost, Rocket.Chat, Teams workflows
    that accept ``{"text": ...}``)."""

    name = SINK_SLACK

    def send(self, payload: Payload) -> None:
        self._post({"text": slack_text(payload)})


class SnsSink:
    """Publishes the payload as JSON to an SNS topic (email, SMS, PagerDuty, Lambda...)."""

    name = SINK_SNS

    def __init__(self, topic_arn: str, client: Any) -> None:
        self.topic_arn = topic_arn
        self.client = client

    def send(self, payload: Payload) -> None:
        subject = (
            f"InboxGap {payload.get('state')} {payload.get('severity')}: "
            f"{payload.get('rule')} {payload.get('key')}"
        )
        # SNS subjects: ASCII, no line breaks, at most 100 characters.
        subject = subject.encode("ascii", "replace").decode().replace("\n", " ")[:100]
        try:
            self.client.publish(
                TopicArn=self.topic_arn,
                Subject=subject,
                Message=json.dumps(payload, sort_keys=True),
                MessageAttributes={
                    "severity": {"DataType": "String", "StringValue": str(payload["severity"])},
                    "state": {"DataType": "String", "StringValue": str(payload["state"])},
                },
            )
        except Exception as exc:  # botocore ClientError / EndpointConnectionError / ...
            raise SinkError(f"sns: {type(exc).__name__}", retryable=True) from None


def build_sinks(
    *,
    webhook_url: str | None = None,
    slack_webhook_url: str | None = None,
    sns_topic_arn: str | None = None,
    sns_client: Any | None = None,
    timeout: float = 5.0,
    http_client: httpx.Client | None = None,
) -> list[AlertSink]:
    """The log sink plus every configured one."""
    sinks: list[AlertSink] = [LogSink()]
    if webhook_url:
        sinks.append(WebhookSink(webhook_url, timeout=timeout, client=http_client))
    if slack_webhook_url:
        sinks.append(SlackSink(slack_webhook_url, timeout=timeout, client=http_client))
    if sns_topic_arn:
        if sns_client is None:
            sns_client = sns_client_for(sns_topic_arn, timeout=timeout)
        sinks.append(SnsSink(sns_topic_arn, sns_client))
    return sinks


def sns_client_for(topic_arn: str, *, timeout: float = 5.0, endpoint_url: str | None = None) -> Any:
    """A boto3 SNS client in the topic's region, with short timeouts and few retries."""
    parts = topic_arn.split(":")
    region = parts[3] if len(parts) > 3 and parts[3] else None
    return short_call_client("sns", region, endpoint_url=endpoint_url, timeout=timeout)


__all__: Sequence[str] = [
    "SINK_LOG",
    "SINK_SLACK",
    "SINK_SNS",
    "SINK_WEBHOOK",
    "AlertSink",
    "LogSink",
    "SinkError",
    "SlackSink",
    "SnsSink",
    "WebhookSink",
    "build_sinks",
    "slack_text",
    "sns_client_for",
]
