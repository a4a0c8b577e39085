"""The SQS adapter against a moto server: receive, batch delete with Failed checked,
queue stats, and transient errors retried then raised."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_none

from tests.conftest import SqsQueue
from worker.adapters.sqs import (
    ReceivedMessage,
    SqsError,
    SqsUnavailableError,
    default_sqs_retrying,
    is_transient_boto,
    sqs_client,
)
from worker.adapters.sqs import (
    SqsQueue as QueueAdapter,
)


def _adapter(queue: SqsQueue, **kwargs: Any) -> QueueAdapter:
    client = sqs_client(region="us-east-1", endpoint_url=queue.endpoint_url)
    return QueueAdapter(client, queue.url, **kwargs)


def _receive_all(adapter: QueueAdapter, expected: int) -> list[ReceivedMessage]:
    got: dict[str, ReceivedMessage] = {}
    deadline = time.monotonic() + 20
    while len(got) < expected and time.monotonic() < deadline:
        for message in adapter.receive(max_messages=10, wait_seconds=1):
            got[message.message_id] = message
    return list(got.values())


def test_receive_returns_bodies_with_attributes(sqs_queue: SqsQueue) -> None:
    adapter = _adapter(sqs_queue, visibility_timeout=30)
    assert adapter.send_bodies([f'{{"n": {i}}}' for i in range(25)]) == 25

    batch = adapter.receive(max_messages=10, wait_seconds=1)
    assert 1 <= len(batch) <= 10
    message = batch[0]
    assert message.body.startswith('{"n": ')
    assert message.receive_count == 1
    assert message.sent_at is not None and abs(message.sent_at - time.time()) < 60
    assert message.receipt_handle


def test_receive_clamps_max_messages_and_wait(sqs_queue: SqsQueue) -> None:
    adapter = _adapter(sqs_queue)
    adapter.send_bodies(["a"] * 15)
    # 50 and 99 would be rejected by SQS (1-10, 0-20): the adapter clamps them.
    assert 1 <= len(adapter.receive(max_messages=50, wait_seconds=0)) <= 10
    assert adapter.receive(max_messages=10, wait_seconds=-3) is not None


def test_delete_in_chunks_of_ten(sqs_queue: SqsQueue) -> None:
    adapter = _adapter(sqs_queue, visibility_timeout=30)
    adapter.send_bodies([f"body-{i}" for i in range(23)])
    messages = _receive_all(adapter, 23)
    assert len(messages) == 23

    calls: list[int] = []
    original = adapter._client.delete_message_batch

    def counting(**kwargs: Any) -> Any:
        calls.append(len(kwargs["Entries"]))
        return original(**kwargs)

    adapter._client.delete_message_batch = counting
    outcome = adapter.delete(messages)
    assert outcome.deleted == 23 and outcome.failed == ()
    assert calls == [10, 10, 3]
    assert adapter.stats().total == 0


def test_delete_reports_failed_entries(sqs_queue: SqsQueue) -> None:
    adapter = _adapter(sqs_queue, visibility_timeout=30)
    adapter.send_bodies(["one", "two"])
    messages = _receive_all(adapter, 2)
    bogus = ReceivedMessage("m-bogus", "not-a-receipt-handle", "x", 1, None)
    outcome = adapter.delete([*messages, bogus])
    assert outcome.deleted == 2
    assert [f.message_id for f in outcome.failed] == ["m-bogus"]
    assert outcome.failed[0].code == "ReceiptHandleIsInvalid"


def test_stats_counts_visible_and_in_flight(sqs_queue: SqsQueue) -> None:
    adapter = _adapter(sqs_queue, visibility_timeout=30)
    adapter.send_bodies(["a", "b", "c"])
    assert adapter.stats().visible == 3
    got = adapter.receive(max_messages=2, wait_seconds=0)
    stats = adapter.stats()
    assert stats.in_flight == len(got)
    assert stats.visible == 3 - len(got)
    assert stats.total == 3


def test_undeleted_messages_come_back_after_visibility_timeout(sqs_queue: SqsQueue) -> None:
    adapter = _adapter(sqs_queue, visibility_timeout=1)
    adapter.send_bodies(["again"])
    first = adapter.receive(wait_seconds=1)
    assert len(first) == 1
    time.sleep(1.5)
    second = adapter.receive(wait_seconds=2)
    assert [m.message_id for m in second] == [first[0].message_id]
    assert second[0].receive_count == 2
    assert second[0].receipt_handle != first[0].receipt_handle


def test_missing_queue_is_a_configuration_error_not_retried(sqs_queue: SqsQueue) -> None:
    client = sqs_client(region="us-east-1", endpoint_url=sqs_queue.endpoint_url)
    attempts: list[int] = []
    retrying = default_sqs_retrying(sleep=lambda _s: attempts.append(1))
    adapter = QueueAdapter(client, sqs_queue.url + "-does-not-exist", retrying=retrying)
    with pytest.raises(SqsError) as raised:
        adapter.receive()
    assert not isinstance(raised.value, SqsUnavailableError)
    assert attempts == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_endpoint_is_retried_then_raised() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    client = sqs_client(region="us-east-1", endpoint_url=endpoint, connect_timeout=0.5)
    sleeps: list[float] = []
    retrying = Retrying(
        retry=retry_if_exception_type(SqsUnavailableError),
        stop=stop_after_attempt(3),
        wait=wait_none(),
        sleep=sleeps.append,
        reraise=True,
    )
    adapter = QueueAdapter(client, f"{endpoint}/123456789012/q", retrying=retrying)
    with pytest.raises(SqsUnavailableError):
        adapter.receive()
    assert len(sleeps) == 2  # three attempts
    with pytest.raises(SqsUnavailableError):
        adapter.delete([ReceivedMessage("m", "rh", "b", 1, None)])


def test_default_retry_policy_is_bounded() -> None:
    sleeps: list[float] = []
    policy = default_sqs_retrying(sleep=sleeps.append)
    calls = 0

    def always_down() -> None:
        nonlocal calls
        calls += 1
        raise SqsUnavailableError("down")

    with pytest.raises(SqsUnavailableError):
        policy(always_down)
    assert calls == 6
    assert all(0 < s <= 5.0 + 1.0 for s in sleeps)


def test_is_transient_classification() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError

    def client_error(code: str, status: int) -> ClientError:
        return ClientError(
            {
                "Error": {"Code": code, "Message": "m"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            },
            "ReceiveMessage",
        )

    assert is_transient_boto(EndpointConnectionError(endpoint_url="http://x"))
    assert is_transient_boto(client_error("ThrottlingException", 400))
    assert is_transient_boto(client_error("InternalError", 500))
    assert is_transient_boto(client_error("Whatever", 503))
    assert not is_transient_boto(client_error("AWS.SimpleQueueService.NonExistentQueue", 400))
    assert not is_transient_boto(client_error("AccessDenied", 403))
    assert not is_transient_boto(ValueError("x"))
