"""The SES feedback queue: receive, delete and measure SQS messages with boto3.

This adapter is the only code that talks to SQS. It knows the SQS rules the consumer must
follow (reference section 9) and nothing about what a body means:

* ``ReceiveMessage`` asks for at most 10 messages per call (the SQS maximum), long-polls
  up to ``WaitTimeSeconds`` (0-20) and requests the system attributes with
  ``MessageSystemAttributeNames`` (``AttributeNames`` is deprecated);
* ``DeleteMessageBatch`` is sent in chunks of 10 entries with ids unique in the request,
  and every answer's ``Failed`` list is checked: HTTP 200 does not mean deleted;
* connection problems, timeouts, throttling and 5xx answers are *transient*: retried here
  with tenacity (bounded exponential backoff), then raised as :class:`SqsUnavailableError`
  so the caller can stop and let the messages come back after their visibility timeout.
  Anything else (a queue that does not exist, access denied, a bad parameter) is a
  configuration error: :class:`SqsRefusedError`, never retried.

SQS does not expose the age of the oldest message through ``GetQueueAttributes`` (that is
a CloudWatch metric), so :attr:`ReceivedMessage.sent_at` is returned with every message and
callers measure the age of the oldest message *they received*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from worker.handlers.ports.errors import BadInput, Retryable
from worker.handlers.ports.queue import (
    DeleteOutcome,
    FailedDelete,
    QueueStats,
    ReceivedMessage,
)

__all__ = [
    "MAX_BATCH_ENTRIES",
    "DeleteOutcome",
    "FailedDelete",
    "QueueStats",
    "ReceivedMessage",
    "SqsError",
    "SqsQueue",
    "SqsRefusedError",
    "SqsUnavailableError",
    "default_sqs_retrying",
    "is_transient_boto",
    "sqs_client",
]

logger = structlog.get_logger(__name__)

#: Entries per ReceiveMessage / DeleteMessageBatch call (an SQS limit).
MAX_BATCH_ENTRIES = 10

#: HTTP connections a client keeps: a pipelined drain has up to INBOXGAP_SQS_CONCURRENCY
#: (<= 32) receives and as many deletes in flight, plus the lone long poll of a batch.
MAX_CONNECTIONS = 2 * 32 + 2

#: System attributes requested with every receive.
SYSTEM_ATTRIBUTES = ("ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp")

#: Error codes SQS answers when it is overloaded or briefly unavailable.
_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "KmsThrottled",
        "RequestTimeout",
        "RequestTimeoutException",
        "RequestLimitExceeded",
        "AWS.SimpleQueueService.ServiceUnavailable",
    }
)


class SqsError(Exception):
    """Base of the SQS adapter's errors."""


class SqsRefusedError(SqsError, BadInput):
    """SQS refused the call for a reason retrying will not fix (configuration error)."""


class SqsUnavailableError(SqsError, Retryable):
    """SQS could not be reached or kept failing transiently through every retry.

    Nothing was lost: undeleted messages come back after their visibility timeout."""


def is_transient_boto(exc: BaseException) -> bool:
    """True for errors worth retrying: network/endpoint errors, throttling, 5xx."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code", "") in _TRANSIENT_CODES or int(status or 0) >= 500
    # EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError...
    return isinstance(exc, BotoCoreError | ConnectionError | TimeoutError)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.warning(
        "sqs call failed transiently, retrying",
        attempt=state.attempt_number,
        error=_describe(exc) if exc else "?",
    )


def default_sqs_retrying(
    *,
    attempts: int = 6,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] | None = None,
) -> Retrying:
    """Bounded exponential backoff with jitter: 0.2 s doubling up to 5 s (+0-0.3 s), at most
    ``attempts`` tries and ``max_delay`` seconds in all."""
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return Retrying(
        retry=retry_if_exception_type(SqsUnavailableError),
        stop=stop_after_attempt(attempts) | stop_after_delay(max_delay),
        wait=wait_exponential(multiplier=0.2, max=5.0) + wait_random(0, 0.3),
        before_sleep=_log_retry,
        reraise=True,
        **extra,
    )


def sqs_client(
    *,
    region: str,
    endpoint_url: str | None = None,
    read_timeout: float = 35.0,
    connect_timeout: float = 5.0,
    credentials: tuple[str, str] | None = None,
) -> Any:
    """A boto3 SQS client. botocore's own retries are kept short (tenacity retries the
    call as a whole); ``read_timeout`` must exceed the long-poll wait. ``credentials``
    (key id, secret) replace the usual AWS credential chain (local endpoints only)."""
    if credentials is not None:
        session = boto3.session.Session(
            aws_access_key_id=credentials[0], aws_secret_access_key=credentials[1]
        )
    else:
        session = boto3.session.Session()
    config = Config(
        region_name=region,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": 2, "mode": "standard"},
        max_pool_connections=MAX_CONNECTIONS,
    )
    return session.client("sqs", endpoint_url=endpoint_url, config=config)


def _chunks(items: Sequence[ReceivedMessage], size: int) -> Iterable[Sequence[ReceivedMessage]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _to_message(raw: dict[str, Any]) -> ReceivedMessage:
    attributes = raw.get("Attributes") or {}
    try:
        receive_count = int(attributes.get("ApproximateReceiveCount", "1"))
    except ValueError:
        receive_count = 1
    try:
        sent_at: float | None = int(attributes["SentTimestamp"]) / 1000.0
    except (KeyError, ValueError):
        sent_at = None
    return ReceivedMessage(
        message_id=str(raw["MessageId"]),
        receipt_handle=str(raw["ReceiptHandle"]),
        body=str(raw.get("Body", "")),
        receive_count=receive_count,
        sent_at=sent_at,
    )


class SqsQueue:
    """One SQS queue. Safe to share between threads (boto3 clients are thread-safe)."""

    def __init__(
        self,
        client: Any,
        queue_url: str,
        *,
        visibility_timeout: int | None = None,
        retrying: Retrying | None = None,
    ) -> None:
        self._client = client
        self.queue_url = queue_url
        self._visibility_timeout = visibility_timeout
        self._retrying = retrying or default_sqs_retrying()

    # ------------------------------------------------------------------ calls

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        method = getattr(self._client, operation)

        def once() -> dict[str, Any]:
            try:
                return dict(method(**kwargs))
            except Exception as exc:
                if is_transient_boto(exc):
                    raise SqsUnavailableError(f"{operation}: {_describe(exc)}") from exc
                if isinstance(exc, ClientError):
                    raise SqsRefusedError(f"{operation}: {_describe(exc)}") from exc
                raise

        # A copy: Retrying keeps per-call state and the queue may be shared by threads.
        for attempt in self._retrying.copy():
            with attempt:
                return once()
        raise AssertionError("unreachable")  # pragma: no cover

    def receive(
        self, *, max_messages: int = MAX_BATCH_ENTRIES, wait_seconds: int = 0
    ) -> list[ReceivedMessage]:
        """Up to ``max_messages`` (≤ 10) messages; waits up to ``wait_seconds`` (≤ 20)
        for the first one to become visible."""
        kwargs: dict[str, Any] = {
            "QueueUrl": self.queue_url,
            "MaxNumberOfMessages": max(1, min(MAX_BATCH_ENTRIES, max_messages)),
            "WaitTimeSeconds": max(0, min(20, wait_seconds)),
            "MessageSystemAttributeNames": list(SYSTEM_ATTRIBUTES),
        }
        if self._visibility_timeout is not None:
            kwargs["VisibilityTimeout"] = self._visibility_timeout
        answer = self._call("receive_message", **kwargs)
        return [_to_message(raw) for raw in answer.get("Messages") or ()]

    def delete(self, messages: Sequence[ReceivedMessage]) -> DeleteOutcome:
        """Delete with ``DeleteMessageBatch``, 10 entries per call, checking ``Failed``.

        A chunk whose call fails transiently through every retry raises
        :class:`SqsUnavailableError` after the earlier chunks were deleted; the rest come
        back after their visibility timeout (the ledger dedupes them)."""
        deleted = 0
        failed: list[FailedDelete] = []
        for chunk in _chunks(messages, MAX_BATCH_ENTRIES):
            entries = [
                {"Id": str(index), "ReceiptHandle": message.receipt_handle}
                for index, message in enumerate(chunk)
            ]
            answer = self._call("delete_message_batch", QueueUrl=self.queue_url, Entries=entries)
            deleted += len(answer.get("Successful") or ())
            for entry in answer.get("Failed") or ():
                message = chunk[int(entry["Id"])]
                failed.append(
                    FailedDelete(
                        message_id=message.message_id,
                        code=str(entry.get("Code", "")),
                        message=str(entry.get("Message", "")),
                        sender_fault=bool(entry.get("SenderFault", False)),
                    )
                )
        return DeleteOutcome(deleted=deleted, failed=tuple(failed))

    def stats(self) -> QueueStats:
        answer = self._call(
            "get_queue_attributes",
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )
        attributes = answer.get("Attributes") or {}
        return QueueStats(
            visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        )

    def send_bodies(self, bodies: Sequence[str]) -> int:
        """Enqueue bodies with ``SendMessageBatch`` (demo, tests, benchmarks)."""
        sent = 0
        for start in range(0, len(bodies), MAX_BATCH_ENTRIES):
            chunk = bodies[start : start + MAX_BATCH_ENTRIES]
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
            answer = self._call("send_message_batch", QueueUrl=self.queue_url, Entries=entries)
            if answer.get("Failed"):
                raise SqsRefusedError(
                    f"send_message_batch failed for {len(answer['Failed'])} entries"
                )
            sent += len(answer.get("Successful") or ())
        return sent


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', '?')}: {error.get('Message', '')}"
    return f"{type(exc).__name__}: {exc}"
