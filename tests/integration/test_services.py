"""Smoke tests: the shared fixtures give real, working PostgreSQL, Redis and SQS (moto)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import SqsQueue, service_unavailable


def test_postgres_round_trip(postgres_url: str) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.database is not None and url.database.startswith("inboxgap_test_")

    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
            assert conn.execute(text("select current_database()")).scalar_one() == url.database
            conn.execute(text("create temporary table smoke (id int primary key, note text)"))
            conn.execute(text("insert into smoke values (1, :note)"), {"note": "héllo"})
            assert conn.execute(text("select note from smoke where id = 1")).scalar_one() == "héllo"
    finally:
        engine.dispose()


def test_redis_set_get(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.dbsize() == 0  # flushed before the test
        client.set("inboxgap:smoke", "1", ex=60)
        assert client.get("inboxgap:smoke") == b"1"
    finally:
        client.close()


def _receive(queue: SqsQueue, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = queue.client.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
        **kwargs,
    )
    return list(response.get("Messages", []))


def _depth(queue: SqsQueue, url: str) -> int:
    attributes = queue.client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_sqs_send_receive_delete(sqs_queue: SqsQueue) -> None:
    client = sqs_queue.client
    assert client.get_queue_url(QueueName=sqs_queue.name)["QueueUrl"] == sqs_queue.url
    assert sqs_queue.endpoint_url.startswith("http://127.0.0.1:")
    policy = client.get_queue_attributes(QueueUrl=sqs_queue.url, AttributeNames=["RedrivePolicy"])
    redrive = json.loads(policy["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == sqs_queue.dlq_arn
    assert int(redrive["maxReceiveCount"]) == 5

    body = json.dumps({"smoke": str(uuid.uuid4())})
    client.send_message(QueueUrl=sqs_queue.url, MessageBody=body)
    messages = _receive(sqs_queue, sqs_queue.url, WaitTimeSeconds=1)
    assert [m["Body"] for m in messages] == [body]
    assert messages[0]["Attributes"]["ApproximateReceiveCount"] == "1"

    client.delete_message(QueueUrl=sqs_queue.url, ReceiptHandle=messages[0]["ReceiptHandle"])
    assert _receive(sqs_queue, sqs_queue.url, WaitTimeSeconds=0, VisibilityTimeout=0) == []
    assert _depth(sqs_queue, sqs_queue.url) == 0


def test_sqs_redrive_to_dlq_after_max_receives(sqs_queue: SqsQueue) -> None:
    body = "poison " + str(uuid.uuid4())
    sqs_queue.client.send_message(QueueUrl=sqs_queue.url, MessageBody=body)

    # Received (and never deleted) maxReceiveCount times; VisibilityTimeout=0 puts it back at once.
    for attempt in range(1, sqs_queue.max_receive_count + 1):
        messages = _receive(sqs_queue, sqs_queue.url, WaitTimeSeconds=1, VisibilityTimeout=0)
        assert [m["Body"] for m in messages] == [body], f"receive #{attempt}"
        assert messages[0]["Attributes"]["ApproximateReceiveCount"] == str(attempt)

    # The next receive moves it to the DLQ instead of returning it.
    assert _receive(sqs_queue, sqs_queue.url, WaitTimeSeconds=0, VisibilityTimeout=0) == []
    assert _depth(sqs_queue, sqs_queue.url) == 0
    dead = _receive(sqs_queue, sqs_queue.dlq_url, WaitTimeSeconds=1)
    assert [m["Body"] for m in dead] == [body]


def test_moto_reset_clears_state(request: pytest.FixtureRequest, sqs_client: Any) -> None:
    name = f"inboxgap-reset-{uuid.uuid4().hex[:8]}"
    url = sqs_client.create_queue(QueueName=name)["QueueUrl"]
    assert url in sqs_client.list_queues(QueueNamePrefix=name).get("QueueUrls", [])

    endpoint = request.getfixturevalue("moto_reset")  # resets now, mid-test

    assert endpoint == sqs_client.meta.endpoint_url
    assert not sqs_client.list_queues().get("QueueUrls")


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_unavailable_service_fails_in_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="Example is unavailable: down"):
        service_unavailable("Example", "down")
