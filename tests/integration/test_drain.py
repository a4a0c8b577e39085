"""The drain against a moto server and real PostgreSQL: commit, then delete; failures
delete nothing; redeliveries are deduplicated; a poison message is redriven to the DLQ;
two drainers on one queue apply everything exactly once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from config.settings import Settings
from tests.conftest import SqsQueue
from tests.integration.snapshots import status_counts_from_notifications, stored_counts
from tests.support.drain_checks import exactly_once, parked_count, statuses, traffic
from tests.support.ingest import numbered_sends, send_record
from tests.support.sns_signing import DEFAULT_TOPIC_ARN, SnsSigner
from worker import migrations
from worker.adapters.database import create_engine_from_url, dead_letters
from worker.adapters.sns_signature import CertificateUnusableError, SnsSignatureVerifier
from worker.adapters.sqs import DeleteOutcome, ReceivedMessage, sqs_client
from worker.adapters.sqs import SqsQueue as QueueAdapter
from worker.bootstrap import App, build_app
from worker.bootstrap.drain import Drainer
from worker.demo import record
from worker.handlers.drain import NULL_OBSERVER, DrainLimits, drain_queue
from worker.handlers.ingest import IngestResult
from worker.handlers.ports import TransientStoreError
from worker.handlers.sends import RecordResult, SendRecord
from worker.simulation import (
    as_sns,
    bounce_event,
    bounced_recipient,
    delivery_event,
    mail_object,
)


@pytest.fixture
def engine(pg_engine: Engine) -> Engine:
    """The drain runs on PostgreSQL only."""
    return pg_engine


def _settings(url: str, queue: SqsQueue) -> Settings:
    return Settings(
        database_url=url,
        sqs_queue_url=queue.url,
        sqs_endpoint_url=queue.endpoint_url,
        sqs_wait_time=1,
        sqs_batch_wait=0.3,
        sqs_batch_size=100,
        verify_sns_signatures=False,
    )


def _app(engine: Engine, settings: Settings, **kwargs: Any) -> App:
    kwargs.setdefault("verify_envelope", None)
    return build_app(settings, engine=engine, **kwargs)


def _queue(queue: SqsQueue, visibility: int = 30) -> QueueAdapter:
    client = sqs_client(region="us-east-1", endpoint_url=queue.endpoint_url)
    return QueueAdapter(client, queue.url, visibility_timeout=visibility)


def _limits(**kwargs: Any) -> DrainLimits:
    defaults: dict[str, Any] = {"batch_size": 100, "batch_wait": 0.3, "poll_wait": 1}
    return DrainLimits(**{**defaults, **kwargs})


def _drain_until_empty(queue: QueueAdapter, apply: Any, *, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    deleted = 0
    while time.monotonic() < deadline:
        report = drain_queue(queue, apply, _limits())
        deleted += report.deleted
        if queue.stats().total == 0:
            return deleted
    raise AssertionError("queue not drained in time")


def test_drain_commits_then_deletes_everything(
    engine: Engine, postgres_schema_url: str, sqs_queue: SqsQueue
) -> None:
    sim = traffic(60, seed=101)
    settings = _settings(postgres_schema_url, sqs_queue)
    app = _app(engine, settings)
    record(app, sim.initial_sends())
    queue = _queue(sqs_queue)
    queue.send_bodies(sim.bodies)

    drainer = Drainer(settings=settings, queue=queue, apply=app.ingest, observer=NULL_OBSERVER)
    deleted = 0
    while queue.stats().total:
        deleted += drainer.run(max_run_time=30).deleted
    record(app, sim.late_sends())

    assert deleted == len(sim.bodies)  # malformed ones too: they are dead letters now
    verdict = exactly_once(engine, sim)
    assert verdict.ok, verdict
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dead_letters)).scalar_one() == len(
            set(sim.malformed)
        )
    dlq = sqs_queue.client.get_queue_attributes(
        QueueUrl=sqs_queue.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_failure_in_apply_deletes_nothing_and_messages_come_back(
    engine: Engine, postgres_schema_url: str, sqs_queue: SqsQueue
) -> None:
    sim = traffic(10, seed=102, malformed=0)
    app = _app(engine, _settings(postgres_schema_url, sqs_queue))
    record(app, sim.sends)
    queue = _queue(sqs_queue, visibility=2)
    queue.send_bodies(sim.bodies)

    def down(bodies: Sequence[str]) -> IngestResult:
        raise TransientStoreError("connection refused")

    with pytest.raises(TransientStoreError):
        drain_queue(queue, down, _limits())
    stats = queue.stats()
    assert stats.total == len(sim.bodies) and stats.in_flight > 0

    time.sleep(2.5)  # the visibility timeout expires: everything is visible again
    assert queue.stats().visible == len(sim.bodies)
    _drain_until_empty(queue, app.ingest)
    assert exactly_once(engine, sim).ok


def test_failed_delete_means_redelivery_deduplicated_by_the_ledger(
    engine: Engine, postgres_schema_url: str, sqs_queue: SqsQueue
) -> None:
    sim = traffic(15, seed=103, malformed=1, duplicate_rate=0.0)
    app = _app(engine, _settings(postgres_schema_url, sqs_queue))
    record(app, sim.sends)
    queue = _queue(sqs_queue, visibility=2)
    queue.send_bodies(sim.bodies)

    real_delete = queue.delete
    kept: list[str] = []

    def lossy_delete(messages: Sequence[ReceivedMessage]) -> DeleteOutcome:
        # Every other delete is lost (the process died, or SQS failed the entry).
        keep = messages[::2]
        kept.extend(m.message_id for m in keep)
        outcome = real_delete(messages[1::2])
        return outcome

    queue.delete = lossy_delete  # type: ignore[method-assign]
    first = drain_queue(queue, app.ingest, _limits())
    assert first.received == len(sim.bodies)
    queue.delete = real_delete  # type: ignore[method-assign]
    before = exactly_once(engine, sim)
    assert before.ok

    time.sleep(2.5)
    second = drain_queue(queue, app.ingest, _limits())
    assert second.received == len(kept)
    assert second.result.applied == 0 and second.result.status_changes == 0
    assert second.result.duplicate > 0
    assert queue.stats().total == 0
    after = exactly_once(engine, sim)
    assert after.ok and after.ledger_rows == before.ledger_rows
    with engine.connect() as conn:
        # The malformed body was received twice: one dead letter, seen twice at most.
        counts = [r[0] for r in conn.execute(select(dead_letters.c.count))]
    assert len(counts) == 1 and counts[0] in (1, 2)


def test_a_message_that_keeps_failing_is_redriven_to_the_dlq(
    engine: Engine, postgres_schema_url: str, sqs_queue: SqsQueue
) -> None:
    queue = _queue(sqs_queue, visibility=1)
    queue.send_bodies(['{"poison": true}'])
    attempts = 0

    def always_fails(bodies: Sequence[str]) -> IngestResult:
        nonlocal attempts
        attempts += 1
        raise TransientStoreError("still down")

    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            drain_queue(queue, always_fails, _limits(poll_wait=1))
        except TransientStoreError:
            time.sleep(1.1)
            continue
        break  # an empty long poll: the message has left the queue
    assert attempts == sqs_queue.max_receive_count
    assert queue.stats().total == 0
    dlq = sqs_queue.client.receive_message(QueueUrl=sqs_queue.dlq_url, WaitTimeSeconds=1)
    assert [m["Body"] for m in dlq.get("Messages", [])] == ['{"poison": true}']


def test_two_drainers_on_one_queue_apply_everything_exactly_once(
    engine: Engine, postgres_schema_url: str, sqs_queue: SqsQueue
) -> None:
    sim = traffic(80, seed=104)
    app = _app(engine, _settings(postgres_schema_url, sqs_queue))
    record(app, sim.initial_sends())
    feeder = _queue(sqs_queue)
    feeder.send_bodies(sim.bodies)

    errors: list[BaseException] = []
    received: list[int] = []

    def run() -> None:
        try:
            own = _queue(sqs_queue)
            report = drain_queue(own, app.ingest, _limits(batch_size=30, poll_wait=1))
            received.append(report.received)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert all(n > 0 for n in received)  # both did part of the work
    assert sum(received) >= len(sim.bodies)
    record(app, sim.late_sends())
    assert feeder.stats().total == 0
    assert exactly_once(engine, sim).ok


def test_signed_sns_bodies_are_verified_and_forgeries_dead_lettered(
    engine: Engine, postgres_schema_url: str, sqs_queue: SqsQueue
) -> None:
    signer = SnsSigner()

    def fetch(url: str) -> bytes:
        # The signer's certificate; any other Amazon-looking URL answers 404.
        if url == signer.cert_url:
            return signer.certificate_pem
        raise CertificateUnusableError("HTTP 404")

    verifier = SnsSignatureVerifier(fetch, allowed_topic_arns=[DEFAULT_TOPIC_ARN])
    settings = _settings(postgres_schema_url, sqs_queue)
    app = _app(engine, settings, verify_envelope=verifier.verify)
    message_id = "0102019560b41c22-7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a-000000"
    sent_at = datetime.now(UTC) - timedelta(minutes=5)
    app.record_sends(
        [send_record("n-signed", message_id, "omar@contoso.example", None, sent_at=sent_at)]
    )
    mail = mail_object(message_id, ["omar@contoso.example"], timestamp=sent_at)
    event = delivery_event(mail, ["omar@contoso.example"], timestamp=sent_at + timedelta(seconds=2))
    genuine = signer.sign_notification(json.dumps(event))
    forged_body = json.loads(genuine)
    # Someone with SendMessage rights swaps in a bounce and keeps the signature.
    bounce = bounce_event(
        mail,
        [bounced_recipient("omar@contoso.example", status="5.1.1")],
        "Permanent",
        "NoEmail",
        feedback_id="0102019560aa1b2c-5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000",
        timestamp=sent_at + timedelta(seconds=3),
    )
    forged_body["Message"] = json.dumps(bounce)
    forged = json.dumps(forged_body)
    other_key = SnsSigner(key_name="intruder").sign_notification(json.dumps(event))
    unsigned = as_sns(event)  # the simulation's placeholder signature

    queue = _queue(sqs_queue)
    queue.send_bodies([genuine, forged, other_key, unsigned])
    _drain_until_empty(queue, app.ingest)

    with engine.connect() as conn:
        codes = sorted(r[0] for r in conn.execute(select(dead_letters.c.code)))
    assert codes == ["bad_signature"] * 3
    assert statuses(engine, ["n-signed"]) == {"n-signed": ("delivered", "accepted")}


class _CommitTogether:
    """A notification log whose first transaction waits at a barrier after its work and
    before its commit: what two worker processes do when their batches overlap. Later
    transactions (the post-commit re-attach of parked events) run freely."""

    def __init__(self, engine: Engine, barrier: threading.Barrier) -> None:
        from worker.adapters.notification_log import SqlNotificationLog

        self._inner = SqlNotificationLog(engine)
        self._barrier = barrier
        self._waited = False

    @property
    def concurrent_writers(self) -> bool:
        return self._inner.concurrent_writers

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._inner.transaction() as tx:
            yield tx
            if not self._waited:
                self._waited = True
                self._barrier.wait()


@contextmanager
def _racing_apps(url: str) -> Iterator[tuple[Engine, Settings, list[App]]]:
    """A migrated schema (and an engine on it), its settings, and two apps whose first
    transactions commit at the same moment (:class:`_CommitTogether`)."""
    setup = create_engine_from_url(url)
    migrations.upgrade(setup)
    engines = [create_engine_from_url(url) for _ in range(2)]
    barrier = threading.Barrier(2, timeout=30)
    settings = Settings(database_url=url, verify_sns_signatures=False)
    try:
        apps = [
            build_app(settings, log=_CommitTogether(eng, barrier), verify_envelope=None)
            for eng in engines
        ]
        yield setup, settings, apps
    finally:
        for eng in (*engines, setup):
            eng.dispose()


def _at_once(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run both in threads of their own; their results."""
    with ThreadPoolExecutor(2) as pool:
        one, two = pool.submit(first), pool.submit(second)
        return one.result(), two.result()


def _race(n: int, **send: Any) -> tuple[list[SendRecord], list[str]]:
    """``n`` sends (n0.., m0.. to u0@acme.example..) sent five minutes ago, and their deliveries."""
    from tests import bodies as b

    sent_at = datetime.now(UTC) - timedelta(minutes=5)
    records = numbered_sends(n, recipient="u{i}@acme.example", sent_at=sent_at, **send)
    return records, [b.delivery(f"m{i}", [f"u{i}@acme.example"]) for i in range(n)]


def test_parked_event_and_its_send_committed_at_once(postgres_schema_url: str) -> None:
    from tests import bodies as b

    n = 20
    sends = [b.send(f"m{i}", [f"u{i}@acme.example"], notification_id=f"n{i}") for i in range(n)]
    deliveries = [b.delivery(f"m{i}", [f"u{i}@acme.example"]) for i in range(n)]
    with _racing_apps(postgres_schema_url) as (setup, _, apps):
        _at_once(lambda: apps[0].ingest(sends), lambda: apps[1].ingest(deliveries))
        got = statuses(setup, [f"n{i}" for i in range(n)])
        assert set(got.values()) == {("delivered", "accepted")}


def test_parked_events_and_their_recorded_sends_committed_at_once(
    postgres_schema_url: str,
) -> None:
    """The same race from the sending side: ``record_sends`` (what ``inboxgap.record_sent``
    runs, many records at once) commits its notifications at the same moment as a batch
    parking their deliveries. Neither transaction sees the other's rows; the re-attach
    after the later commit must still give every event its notification."""
    n = 50
    records, deliveries = _race(n, notification_type="magic_code")
    with _racing_apps(postgres_schema_url) as (setup, _, apps):
        recorded, ingested = _at_once(
            lambda: apps[0].record_sends(records), lambda: apps[1].ingest(deliveries)
        )
        assert isinstance(recorded, RecordResult) and recorded.created == n
        assert isinstance(ingested, IngestResult) and ingested.parked == n  # the race happened
        assert recorded.attached_events + ingested.unparked == n  # each event attached once
        got = statuses(setup, [f"n{i}" for i in range(n)])
        assert set(got.values()) == {("delivered", "accepted")}, got
        assert parked_count(setup) == 0


def test_sweep_attaches_events_the_race_left_parked(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race again, with both processes dying between their commit and their re-attach
    (the post-commit step does nothing): the events stay parked although their sends are
    recorded, and nothing sees those keys again. The next sweep attaches them."""
    from worker.handlers import batch_write as batch_write_module
    from worker.handlers import sends as sends_module

    def died(*_: object, **__: object) -> int:
        return 0

    monkeypatch.setattr(batch_write_module, "attach_parked_events", died)
    monkeypatch.setattr(sends_module, "attach_parked_events", died)
    n = 30
    records, deliveries = _race(n)
    ids = [f"n{i}" for i in range(n)]
    with _racing_apps(postgres_schema_url) as (setup, settings, apps):
        _at_once(lambda: apps[0].record_sends(records), lambda: apps[1].ingest(deliveries))
        assert parked_count(setup) == n
        assert set(statuses(setup, ids).values()) == {("sent", "awaiting_feedback")}

        result = build_app(settings).sweep()

        assert result.reattached == n
        assert parked_count(setup) == 0
        assert set(statuses(setup, ids).values()) == {("delivered", "accepted")}
        assert stored_counts(setup) == status_counts_from_notifications(setup)
        assert build_app(settings).sweep().reattached == 0  # nothing left to repair
