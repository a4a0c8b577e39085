"""End to end: real ``celery worker`` (prefork) and ``celery beat`` processes, Redis as the
broker, PostgreSQL as the log, SES feedback published through a moto SNS topic subscribed
to the queue (signed by moto, signatures verified) and also sent raw; sends recorded
through the ``inboxgap.record_sent`` task. Waits (bounded) until every status is
committed, then checks the metrics the prefork children reported."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from sqlalchemy import func, select

from tests.support import processes
from tests.support.drain_checks import (
    exactly_once,
    parked_count,
    recorded_messages,
    statuses,
    traffic,
    wait_until,
)
from tests.support.worker_stack import Stack, free_port, stack
from worker.adapters.database import dead_letters
from worker.simulation import Traffic

__all__ = ["stack"]  # fixtures used by this module

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]


def _records(sim: Traffic, sends: Any) -> list[dict[str, str]]:
    return [
        {
            "notification_id": s.notification_id,
            "message_id": s.message_id,
            "recipient": s.recipient,
            "sent_at": s.sent_at.isoformat(),
            "notification_type": s.notification_type,
        }
        for s in sends
    ]


@pytest.fixture
def celery_client(stack: Stack) -> Iterator[Celery]:
    client = Celery("e2e-client", broker=stack.broker_url)
    client.conf.update(task_serializer="json", accept_content=["json"])
    yield client
    client.close()


def _publish(stack: Stack, sim: Traffic, topic_arn: str) -> tuple[int, int]:
    """SNS-enveloped bodies go through the moto topic (moto signs them again); the rest
    (raw, EventBridge, malformed) straight into the queue."""
    import boto3

    sns = boto3.client("sns", endpoint_url=stack.queue.endpoint_url, region_name="us-east-1")
    via_sns = direct = 0
    batch: list[dict[str, str]] = []
    for body in sim.bodies:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("Type") == "Notification":
            # No Subject: moto (5.2) leaves it out of the string it signs, which real SNS
            # includes, so a moto envelope with a Subject rightly fails verification.
            sns.publish(TopicArn=topic_arn, Message=document["Message"])
            via_sns += 1
        else:
            batch.append({"Id": str(len(batch)), "MessageBody": body})
            direct += 1
            if len(batch) == 10:
                stack.queue.client.send_message_batch(QueueUrl=stack.queue.url, Entries=batch)
                batch = []
    if batch:
        stack.queue.client.send_message_batch(QueueUrl=stack.queue.url, Entries=batch)
    return via_sns, direct


def _sends_recorded(stack: Stack, sends: Any) -> bool:
    """True once every send is in the log *for its own message*. The notification ids are
    the same in every run of this test (seeded traffic) but the message ids carry the send
    time: a notification id recorded for another message is another run's send, taken from
    a broker shared with it, and every event of this run would stay parked."""
    wanted = {s.notification_id: s.message_id for s in sends}
    got = recorded_messages(stack.engine, list(wanted))
    foreign = sorted(n for n, mid in got.items() if mid != wanted[n])
    if foreign:
        raise AssertionError(
            f"{len(foreign)} notification ids recorded for other messages (a record_sent "
            f"task of another run on the same broker?): {foreign[:3]}"
        )
    return len(got) == len(wanted)


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{wanted}}}" if labels else name
    total = 0.0
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_worker_and_beat_drain_sns_and_raw_feedback(
    stack: Stack, celery_client: Celery, tmp_path: Any
) -> None:
    import boto3

    sns = boto3.client("sns", endpoint_url=stack.queue.endpoint_url, region_name="us-east-1")
    topic_arn = sns.create_topic(Name=f"{stack.queue.name}-topic")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=stack.queue.arn)

    # Sends are recorded before the feedback arrives: a Send event creating a notification
    # while another worker parks its delivery is the ingest race that
    # tests/integration/test_drain.py::test_parked_event_and_its_send_committed_at_once
    # reproduces; it is not what this test is about.
    sim = traffic(120, seed=201, early_rate=0.0)
    metrics_port = free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = stack.env(
        INBOXGAP_VERIFY_SNS_SIGNATURES="true",
        INBOXGAP_SNS_TOPIC_ALLOWLIST=topic_arn,
        INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL=stack.queue.endpoint_url,
        INBOXGAP_METRICS_PORT=str(metrics_port),
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    worker = processes.start_worker(env, tmp_path / "worker.log", concurrency=2)
    beat = processes.start_beat(env, tmp_path / "beat.log", tmp_path / "beat-schedule")
    try:
        # Sends through Celery, by task name, as a sending application would.
        celery_client.send_task(
            "inboxgap.record_sent",
            kwargs={"records": _records(sim, sim.initial_sends())},
            queue="inboxgap",
        )
        wait_until(
            lambda: _sends_recorded(stack, sim.initial_sends()),
            timeout=60,
            what="the sends to be recorded",
        )
        via_sns, direct = _publish(stack, sim, topic_arn)
        assert via_sns > 0 and direct > 0

        def drained() -> bool:
            if worker.poll() is not None or beat.poll() is not None:
                raise AssertionError(
                    "worker or beat exited:\n"
                    + processes.tail(tmp_path / "worker.log")
                    + processes.tail(tmp_path / "beat.log")
                )
            attributes = stack.queue.client.get_queue_attributes(
                QueueUrl=stack.queue.url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            return sum(int(v) for v in attributes.values()) == 0

        wait_until(drained, timeout=120, what="the queue to drain")
        # The early sends arrive last; their parked events attach.
        celery_client.send_task(
            "inboxgap.record_sent",
            kwargs={"records": _records(sim, sim.late_sends())},
            queue="inboxgap",
        )
        expected = {nid: (s.value, r.value) for nid, (s, r) in sim.expected.items()}
        wrong: list[tuple[str, Any, Any]] = []

        def committed() -> bool:
            actual = statuses(stack.engine, list(expected))
            wrong[:] = [
                (n, want, actual.get(n)) for n, want in expected.items() if actual.get(n) != want
            ]
            return not wrong

        wait_until(committed, timeout=60, raise_on_timeout=False)
        assert not wrong, (wrong[:10], f"{parked_count(stack.engine)} events parked")
        verdict = exactly_once(stack.engine, sim)
        assert verdict.ok, verdict
        with stack.engine.connect() as conn:
            letters = conn.execute(select(func.count()).select_from(dead_letters)).scalar_one()
        assert letters == len(set(sim.malformed))  # moto's signatures all verified

        time.sleep(1.5)  # let a drain run finish and sample the queue gauges
        text = (
            urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
            .read()
            .decode()
        )
        applied = _metric(text, "inboxgap_events_total", outcome="applied")
        assert applied >= len(expected) * 0.9
        assert _metric(text, "inboxgap_batch_size_bodies_count") > 0
        assert "inboxgap_sqs_messages" in text
        assert "inboxgap_last_event_applied_timestamp_seconds " in text
        assert "_created" not in text
        assert _metric(text, "inboxgap_dead_letters_total", code="not_json") >= 1
    finally:
        processes.stop(beat)
        processes.stop(worker)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert '"task_id"' in log and '"batch_id"' in log  # structured context bound
    for send in sim.sends[:20]:  # addresses never appear unmasked at info level
        assert send.recipient not in log


def _poison_accounted(engine: Any, body: str) -> str:
    """How one hostile body ended: its dead-letter code, ``applied`` when its rows were
    written (a parser that makes the text storable), or ``lost``."""
    from worker.adapters.database import control_messages, events
    from worker.handlers.ingest import body_hash

    with engine.connect() as conn:
        code = conn.execute(
            select(dead_letters.c.code).where(dead_letters.c.body_hash == body_hash(body))
        ).scalar_one_or_none()
        if code is not None:
            return str(code)
        ids = json.loads(body)
        mail_id = (ids.get("detail") or ids).get("mail", {}).get("messageId", "")
        prefix = mail_id.split("\ud83d")[0] or "\x00never"
        written = conn.execute(
            select(func.count()).select_from(events).where(events.c.message_id.startswith(prefix))
        ).scalar_one()
        controls = conn.execute(select(func.count()).select_from(control_messages)).scalar_one()
    return "applied" if written or (ids.get("Type") and controls) else "lost"


def test_worker_drains_poison_bodies_without_holding_their_batch(
    stack: Stack, celery_client: Celery, tmp_path: Any
) -> None:
    """Good bodies and hostile ones in the same batches through the real worker: the
    queue ends empty (DLQ too), every good one is applied, every hostile one is a dead
    letter or applied, none lost."""
    from tests import bodies as b
    from tests.support.poison_bodies import FORGED_CODE, MUST_DEAD_LETTER, poison_bodies

    good: list[str] = []
    for i in range(12):
        good.append(b.send(f"good-{i}", [f"user{i}@acme.example"], notification_id=f"n-{i}"))
        good.append(b.delivery(f"good-{i}", [f"user{i}@acme.example"]))
    hostile = poison_bodies()
    messages = list(good)
    for offset, body in enumerate(hostile.values()):  # spread among the good ones
        messages.insert(3 * offset + 1, body)
    for start in range(0, len(messages), 10):
        entries = [
            {"Id": str(i), "MessageBody": body}
            for i, body in enumerate(messages[start : start + 10])
        ]
        stack.queue.client.send_message_batch(QueueUrl=stack.queue.url, Entries=entries)

    # Signatures verified: the forged envelope's made-up region is refused, never fetched.
    env = stack.env(INBOXGAP_VERIFY_SNS_SIGNATURES="true")
    worker = processes.start_worker(env, tmp_path / "worker.log", concurrency=2)
    beat = processes.start_beat(env, tmp_path / "beat.log", tmp_path / "beat-schedule")
    try:

        def drained() -> bool:
            if worker.poll() is not None or beat.poll() is not None:
                raise AssertionError(
                    "worker or beat exited:\n" + processes.tail(tmp_path / "worker.log")
                )
            total = 0
            for url in (stack.queue.url, stack.queue.dlq_url):
                attributes = stack.queue.client.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=[
                        "ApproximateNumberOfMessages",
                        "ApproximateNumberOfMessagesNotVisible",
                    ],
                )["Attributes"]
                total += sum(int(v) for v in attributes.values())
            return total == 0

        wait_until(drained, timeout=120, what="the queue to drain")
        ids = [f"n-{i}" for i in range(12)]
        assert {
            n: status for n, (status, _) in statuses(stack.engine, ids).items()
        } == dict.fromkeys(ids, "delivered")
        ended = {name: _poison_accounted(stack.engine, body) for name, body in hostile.items()}
        for name, code in MUST_DEAD_LETTER.items():
            assert ended[name] == code, ended
        assert ended["forged_sns_fake_region"] == FORGED_CODE, ended
        assert "lost" not in ended.values(), ended
    finally:
        processes.stop(beat)
        processes.stop(worker)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "mailbox" not in log  # no raw body in the logs
