"""The crash drill: kill -9 the Celery worker in the middle of batches, restart it, repeat;
then every event is applied exactly once. Also: PostgreSQL connections cut mid-run and
the SQS endpoint unreachable for a while; the worker recovers and loses nothing.

Kills happen at the drain's fault points (``INBOXGAP_FAULT_INJECT``: after the commit and
before the delete; after the batch's statements and before its commit) and from outside
(``SIGKILL`` to the worker's process group at a random moment while batches run). The
worker runs the solo pool so the kill takes the whole worker down, as a host crash would;
beat keeps kicking throughout. The verdict is written to ``artifacts/crash-drill.json``.
"""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import processes
from tests.support.drain_checks import exactly_once, traffic, wait_until
from tests.support.tcp_proxy import TcpProxy
from tests.support.worker_stack import Stack, stack
from worker.bootstrap import build_app
from worker.demo import DemoSnsSigner, record
from worker.simulation import DEFAULT_TOPIC_ARN, Traffic

__all__ = ["stack"]  # fixtures used by this module

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
#: Keep the moto queue shallow (its receive cost grows with depth).
FEED_DEPTH = 120
VISIBILITY = 10
WORKER_NAME = "inboxgap-drill-worker"


class Feeder(threading.Thread):
    """Pushes the bodies into the queue, keeping it about FEED_DEPTH deep."""

    def __init__(self, stack: Stack, bodies: list[str]) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.bodies = bodies
        self.pushed = 0
        self.error: BaseException | None = None
        self.stopped = threading.Event()

    def depth(self) -> int:
        attributes = self.stack.queue.client.get_queue_attributes(
            QueueUrl=self.stack.queue.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())

    def run(self) -> None:
        try:
            while self.pushed < len(self.bodies) and not self.stopped.is_set():
                if self.depth() >= FEED_DEPTH:
                    time.sleep(0.2)
                    continue
                chunk = self.bodies[self.pushed : self.pushed + 50]
                for start in range(0, len(chunk), 10):
                    entries = [
                        {"Id": str(i), "MessageBody": body}
                        for i, body in enumerate(chunk[start : start + 10])
                    ]
                    self.stack.queue.client.send_message_batch(
                        QueueUrl=self.stack.queue.url, Entries=entries
                    )
                self.pushed += len(chunk)
        except BaseException as exc:
            self.error = exc

    @property
    def done(self) -> bool:
        return self.pushed >= len(self.bodies)


@pytest.fixture(scope="module")
def signer() -> Iterator[tuple[DemoSnsSigner, str]]:
    """SNS envelopes signed with a local key; the certificate served on a local port."""
    demo_signer = DemoSnsSigner()
    with demo_signer.serve() as url:
        yield demo_signer, url


def _prepare(
    stack: Stack, signer: tuple[DemoSnsSigner, str], notifications: int, seed: int
) -> Traffic:
    # Sends first (see test_worker_e2e.py on the ingest parking race); events arrive in
    # every envelope (SNS ones signed and verified), out of order, with duplicates and
    # malformed bodies.
    sim = traffic(notifications, seed=seed, early_rate=0.0, signer=signer[0])
    record(build_app(stack.settings(), engine=stack.engine, verify_envelope=None), sim.sends)
    # A generous redrive limit: the drill kills batches on purpose, and a message that
    # reached the DLQ would be "lost" by design rather than by the worker.
    redrive = {"deadLetterTargetArn": stack.queue.dlq_arn, "maxReceiveCount": "50"}
    stack.queue.client.set_queue_attributes(
        QueueUrl=stack.queue.url, Attributes={"RedrivePolicy": json.dumps(redrive)}
    )
    return sim


def _worker_env(stack: Stack, signer: tuple[DemoSnsSigner, str], **extra: str) -> dict[str, str]:
    # application_name lets the drill cut exactly the worker's database connections.
    url = stack.database_url + f"&application_name={WORKER_NAME}"
    return stack.env(
        INBOXGAP_DATABASE_URL=url,
        INBOXGAP_VERIFY_SNS_SIGNATURES="true",
        INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL=signer[1],
        INBOXGAP_SNS_TOPIC_ALLOWLIST=DEFAULT_TOPIC_ARN,
        INBOXGAP_SQS_VISIBILITY_TIMEOUT=str(VISIBILITY),
        INBOXGAP_SQS_BATCH_SIZE="40",
        **extra,
    )


def _batches_applied(log: Path) -> int:
    return processes.tail(log, 10_000_000).count('"batch applied"')


def _applied_a_batch(log: Path) -> bool:
    return _batches_applied(log) >= 1


def _exited(worker: subprocess.Popen[bytes]) -> bool:
    return worker.poll() is not None


def _dlq_depth(stack: Stack) -> int:
    attributes = stack.queue.client.get_queue_attributes(
        QueueUrl=stack.queue.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _wait_drained(feeder: Feeder, what: str) -> None:
    """Wait (up to 2 minutes) until the feeder pushed everything and the queue is empty."""
    wait_until(lambda: feeder.done and feeder.depth() == 0, timeout=120, interval=1.0, what=what)


def _finish(stack: Stack, feeder: Feeder, env: dict[str, str], tmp: Path) -> None:
    """Run a fault-free worker until everything was pushed and the queue is empty."""
    worker = processes.start_worker(env, tmp / "worker-final.log", pool="solo")
    try:
        _wait_drained(feeder, "the queue to drain after the crashes")
    finally:
        processes.stop(worker)
    assert worker.returncode in (0, -15), processes.tail(tmp / "worker-final.log")


def _write_artifact(name: str, data: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=2) + "\n")
    print(f"\n{name}: {json.dumps(data)}")


def test_kill_9_mid_batch_then_everything_applied_exactly_once(
    stack: Stack, signer: tuple[DemoSnsSigner, str], tmp_path: Path
) -> None:
    sim = _prepare(stack, signer, notifications=250, seed=301)
    feeder = Feeder(stack, list(sim.bodies))
    feeder.start()
    beat = processes.start_beat(
        _worker_env(stack, signer), tmp_path / "beat.log", tmp_path / "sched"
    )
    plan = [
        "crash_after_commit",
        "crash_before_commit",
        "external",
        "crash_after_commit",
        "crash_before_commit",
        "external",
    ]
    rng = random.Random(301)
    trials: list[dict[str, Any]] = []
    worker: subprocess.Popen[bytes] | None = None
    try:
        for number, point in enumerate(plan, start=1):
            log = tmp_path / f"worker-{number}.log"
            extra = {} if point == "external" else {"INBOXGAP_FAULT_INJECT": f"{point}:0.5"}
            worker = processes.start_worker(_worker_env(stack, signer, **extra), log, pool="solo")
            if point == "external":
                wait_until(partial(_applied_a_batch, log), timeout=60, interval=0.1)
                time.sleep(rng.uniform(0.0, 0.6))  # somewhere inside the next batch
                processes.kill(worker)
            else:
                wait_until(partial(_exited, worker), timeout=60, interval=0.2)
            trials.append(
                {
                    "trial": number,
                    "fault": point,
                    "returncode": worker.returncode,
                    "batches_before_kill": _batches_applied(log),
                }
            )
            assert worker.returncode == -9, processes.tail(log)
            assert feeder.error is None, feeder.error
        _finish(stack, feeder, _worker_env(stack, signer), tmp_path)
    finally:
        feeder.stopped.set()
        if worker is not None:
            processes.kill(worker)  # never leave a worker consuming the shared broker
        processes.stop(beat)

    verdict = exactly_once(stack.engine, sim)
    result = {
        "trials": len(trials),
        "kills": sum(1 for t in trials if t["returncode"] == -9),
        "bodies": len(sim.bodies),
        "notifications": verdict.notifications,
        "ledger_events": verdict.ledger_rows,
        "lost": verdict.lost,
        "double_applied": verdict.double_applied,
        "wrong_status": len(verdict.wrong_status),
        "dlq": _dlq_depth(stack),
        "trial_log": trials,
    }
    _write_artifact("crash-drill.json", result)
    assert verdict.ok, verdict
    assert result["dlq"] == 0


def test_database_cut_and_sqs_outage_mid_run_lose_nothing(
    stack: Stack, signer: tuple[DemoSnsSigner, str], tmp_path: Path
) -> None:
    sim = _prepare(stack, signer, notifications=200, seed=302)
    host, port = stack.queue.endpoint_url.removeprefix("http://").split(":")
    proxy = TcpProxy(host, int(port))
    env = _worker_env(stack, signer, INBOXGAP_SQS_ENDPOINT_URL=proxy.url)
    feeder = Feeder(stack, list(sim.bodies))
    feeder.start()
    beat = processes.start_beat(env, tmp_path / "beat.log", tmp_path / "sched")
    worker = processes.start_worker(env, tmp_path / "worker.log", pool="solo")
    log = tmp_path / "worker.log"
    events: dict[str, Any] = {}
    try:
        wait_until(lambda: _batches_applied(log) >= 2, timeout=60, interval=0.1)
        # 1. PostgreSQL drops the worker's connections (as a restart or failover would),
        #    again and again for 3 seconds, so some are cut in the middle of a batch.
        cut = 0
        with stack.engine.connect() as conn:
            for _ in range(30):
                cut += conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :name"
                    ),
                    {"name": WORKER_NAME},
                ).scalar_one()
                conn.commit()
                time.sleep(0.1)
        events["postgres_connections_terminated"] = int(cut)
        before = _batches_applied(log)
        # The worker recovers: two new batches, unless everything was fed and drained
        # already (on a quiet machine ingest can outrun the feeder during the cut).
        wait_until(
            lambda: _batches_applied(log) >= before + 2 or (feeder.done and feeder.depth() == 0),
            timeout=90,
            interval=0.2,
            what="two batches after the database cut",
        )

        # 2. The SQS endpoint is unreachable for 8 seconds.
        proxy.down()
        time.sleep(8)
        proxy.up()
        before = _batches_applied(log)
        # The worker resumes: a new batch, unless the feeder had already put everything
        # in and the worker had drained it before the outage (fast ingest).
        wait_until(
            lambda: _batches_applied(log) >= before + 1 or (feeder.done and feeder.depth() == 0),
            timeout=60,
            interval=0.2,
        )
        events["sqs_outage_seconds"] = 8
        assert worker.poll() is None, processes.tail(log)
        _wait_drained(feeder, "the queue to drain after the outages")
    finally:
        feeder.stopped.set()
        processes.stop(worker)
        processes.stop(beat)
        proxy.close()

    text_log = processes.tail(log, 10_000_000)
    verdict = exactly_once(stack.engine, sim)
    result = {
        **events,
        "bodies": len(sim.bodies),
        "notifications": verdict.notifications,
        "lost": verdict.lost,
        "double_applied": verdict.double_applied,
        "wrong_status": len(verdict.wrong_status),
        "transient_db_retries": text_log.count("transient storage error"),
        "sqs_retries": text_log.count("sqs call failed transiently"),
        "dlq": _dlq_depth(stack),
    }
    _write_artifact("outage-drill.json", result)
    assert events["postgres_connections_terminated"] >= 1
    assert result["sqs_retries"] >= 1
    assert verdict.ok, verdict
    assert result["dlq"] == 0
