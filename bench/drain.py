"""Drain throughput: SQS bodies per second with 1 and with 2 worker processes, against a
moto server and PostgreSQL.

    python bench/drain.py [--notifications 1000] [--processes 1,2] [--depth 150] [--json]

Each run gets a fresh PostgreSQL schema (in ``INBOXGAP_BENCH_DATABASE_URL``, default the
local ``test`` database) with the sends recorded, and a fresh queue on a moto server
subprocess. A feeder thread refills the queue to ``--depth`` messages (moto's
ReceiveMessage scans the whole queue several times per call, so it slows down as a queue
deepens; real SQS does not). N processes run the production drain (the code the Celery
task runs: gather, one transaction per batch, delete after commit) until every body is
applied and deleted. Realistic traffic from ``worker.simulation``: every envelope,
duplicates, out of order, a few malformed bodies; signatures are not checked here.

The same runs with a no-op apply (nothing written) measure moto alone: the ceiling the
drain cannot pass whatever the database does. Prints one JSON object.

    python bench/drain.py --stand-in [--latency-ms 20] [--concurrency 1,8,16,32] [--notifications N]

``--stand-in`` replaces moto with an in-process SQS stand-in (:class:`StandInQueue`, the
queue port): every receive and delete answers after ``--latency-ms``, whatever the depth,
as SQS does. One drain (``drain_queue``, the Celery task's code, batches of 500) runs
against it per ``--concurrency`` value (1: one call after another, no pipelining; above
1: up to that many receives and as many deletes in flight, the next batches gathered and
prepared during the current transaction), writing to PostgreSQL, and once more with a
no-op apply (the queue-side ceiling). Each run prints bodies/s and the CPU per body of
the drain process (all its threads) and of its PostgreSQL backend; then the best run, its
ratio to the sequential one and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, make_url, select, text

from bench.ingest import BackendCpu
from config.logging import configure_logging
from config.settings import Settings
from worker import migrations
from worker.adapters.database import create_engine_from_url, events
from worker.adapters.sqs import SqsQueue, sqs_client
from worker.bootstrap import build_app
from worker.bootstrap.drain import Drainer, build_drainer
from worker.handlers.drain import NULL_OBSERVER, DrainLimits, drain_queue
from worker.handlers.ingest import IngestResult
from worker.handlers.ports.queue import DeleteOutcome, ReceivedMessage
from worker.handlers.sends import SendRecord
from worker.simulation import Traffic, generate_traffic

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Bodies per transaction in the stand-in runs (the INBOXGAP_SQS_BATCH_SIZE default).
BATCH_SIZE = 500
CREDENTIALS = ("bench", "bench")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def fresh_schema(base_url: str) -> tuple[str, str]:
    schema = f"bench_drain_{secrets.token_hex(4)}"
    engine = create_engine_from_url(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(base_url: str, schema: str) -> None:
    engine = create_engine_from_url(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def settings_for(url: str, endpoint: str, queue_url: str) -> Settings:
    return Settings(
        database_url=url,
        sqs_queue_url=queue_url,
        sqs_endpoint_url=endpoint,
        sqs_batch_size=200,
        sqs_batch_wait=0.5,
        sqs_wait_time=1,
        sqs_visibility_timeout=120,
        verify_sns_signatures=False,
    )


def _env_for_children() -> None:
    os.environ["AWS_ACCESS_KEY_ID"] = CREDENTIALS[0]
    os.environ["AWS_SECRET_ACCESS_KEY"] = CREDENTIALS[1]
    os.environ.setdefault("AWS_REGION", "us-east-1")


def _noop(bodies: Sequence[str]) -> IngestResult:
    return IngestResult()


def drain_process(settings: Settings, stop: Any, noop: bool) -> None:
    """One worker process: drain until told to stop (the Celery task's code path)."""
    _env_for_children()
    configure_logging("WARNING")  # stdout carries the JSON result only
    drainer: Drainer = build_drainer(settings, observer=NULL_OBSERVER)
    limits = DrainLimits(
        batch_size=settings.sqs_batch_size,
        batch_wait=settings.sqs_batch_wait,
        poll_wait=settings.sqs_wait_time,
        max_run_time=5.0,
        stop_when_empty=False,
    )
    apply = _noop if noop else drainer.apply
    while not stop.is_set():
        drain_queue(drainer.queue, apply, limits, observer=NULL_OBSERVER)


class Feeder(threading.Thread):
    def __init__(self, queue: SqsQueue, bodies: list[str], depth: int) -> None:
        super().__init__(daemon=True)
        self.queue, self.bodies, self.depth, self.pushed = queue, bodies, depth, 0

    def run(self) -> None:
        while self.pushed < len(self.bodies):
            in_queue = self.queue.stats().total
            if in_queue >= self.depth:
                time.sleep(0.05)
                continue
            chunk = self.bodies[self.pushed : self.pushed + min(100, self.depth - in_queue + 10)]
            self.queue.send_bodies(chunk)
            self.pushed += len(chunk)


def one_run(
    sim: Traffic, base_url: str, endpoint: str, processes: int, depth: int, *, noop: bool
) -> dict[str, Any]:
    url, schema = fresh_schema(base_url)
    engine = create_engine_from_url(url)
    try:
        migrations.upgrade(engine)
        client = sqs_client(region="us-east-1", endpoint_url=endpoint, credentials=CREDENTIALS)
        queue_url = client.create_queue(QueueName=f"bench-{secrets.token_hex(4)}")["QueueUrl"]
        settings = settings_for(url, endpoint, queue_url)
        if not noop:
            app = build_app(settings, engine=engine, verify_envelope=None)
            records = [
                SendRecord.create(
                    notification_id=s.notification_id,
                    message_id=s.message_id,
                    recipient=s.recipient,
                    sent_at=s.sent_at,
                    notification_type=s.notification_type,
                )
                for s in sim.sends
            ]
            app.record_sends(records)
        queue = SqsQueue(client, queue_url)
        ctx = multiprocessing.get_context("spawn")
        stop = ctx.Event()
        workers = [
            ctx.Process(target=drain_process, args=(settings, stop, noop)) for _ in range(processes)
        ]
        for worker in workers:
            worker.start()
        time.sleep(3.0)  # let the processes import and connect before the clock starts
        feeder = Feeder(queue, list(sim.bodies), depth)
        started = time.monotonic()
        feeder.start()
        while True:
            time.sleep(0.25)
            if feeder.pushed >= len(sim.bodies) and queue.stats().total == 0:
                break
            if any(not worker.is_alive() for worker in workers):
                stop.set()
                raise SystemExit("a drain process died; see its traceback above")
            if time.monotonic() - started > 900:
                stop.set()
                raise SystemExit("run did not finish in 15 minutes")
        seconds = time.monotonic() - started
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
        with engine.connect() as conn:
            ledger = int(conn.execute(select(func.count()).select_from(events)).scalar_one())
        return {
            "processes": processes,
            "apply": "noop (moto only)" if noop else "postgresql",
            "seconds": round(seconds, 2),
            "bodies_per_s": round(len(sim.bodies) / seconds, 1),
            "ledger_rows": ledger,
        }
    finally:
        engine.dispose()
        drop_schema(base_url, schema)


class StandInQueue:
    """SQS at SQS's pace: each call sleeps ``latency`` seconds (releasing the GIL, as a
    network wait does) then answers; the depth of the queue costs nothing."""

    def __init__(self, bodies: Sequence[str], latency: float) -> None:
        self._lock = threading.Lock()
        self._visible = deque(enumerate(bodies))
        self.latency = latency
        self.deleted = 0
        self.calls = 0

    def receive(self, *, max_messages: int = 10, wait_seconds: int = 0) -> list[ReceivedMessage]:
        time.sleep(self.latency)
        with self._lock:
            self.calls += 1
            taken = [self._visible.popleft() for _ in range(min(max_messages, len(self._visible)))]
        return [ReceivedMessage(f"m{i}", f"rh-{i}", body, 1, None) for i, body in taken]

    def delete(self, messages: Sequence[ReceivedMessage]) -> DeleteOutcome:
        # DeleteMessageBatch takes 10 entries: SqsQueue sends one call per 10.
        calls = -(-len(messages) // 10)
        time.sleep(self.latency * calls)
        with self._lock:
            self.calls += calls
            self.deleted += len(messages)
        return DeleteOutcome(len(messages))


class _SqsHandler(BaseHTTPRequestHandler):
    """SQS's JSON protocol (what boto3 speaks) for the three calls the drain makes."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _SqsServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        action = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        time.sleep(self.server.latency)
        data = json.dumps(self.server.answer(action, request)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _SqsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, bodies: Sequence[str], latency: float, counts: Any) -> None:
        super().__init__(("127.0.0.1", port), _SqsHandler)
        self.stand_in = StandInQueue(bodies, 0.0)
        self.latency, self.counts = latency, counts

    def answer(self, action: str, request: dict[str, Any]) -> dict[str, Any]:
        if action == "ReceiveMessage":
            with self.counts.get_lock():
                self.counts[0] += 1
            got = self.stand_in.receive(max_messages=request.get("MaxNumberOfMessages", 1))
            attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"}
            return {
                "Messages": [
                    {
                        "MessageId": m.message_id,
                        "ReceiptHandle": m.receipt_handle,
                        "MD5OfBody": hashlib.md5(m.body.encode()).hexdigest(),
                        "Body": m.body,
                        "Attributes": attributes,
                    }
                    for m in got
                ]
            }
        if action == "DeleteMessageBatch":
            with self.counts.get_lock():
                self.counts[1] += 1
                self.counts[2] += len(request["Entries"])
            return {"Successful": [{"Id": e["Id"]} for e in request["Entries"]], "Failed": []}
        return {"Attributes": {}}


def serve_sqs(port: int, bodies: Sequence[str], latency: float, counts: Any) -> None:
    """The ``--http`` stand-in, in its own process: each call answers after ``latency``."""
    _SqsServer(port, bodies, latency, counts).serve_forever()


class HttpStandIn:
    """The drain's queue through the real adapter (boto3 :class:`SqsQueue`) against
    :func:`serve_sqs` in a subprocess: what boto3 costs per call is in the figures."""

    def __init__(self, bodies: Sequence[str], latency: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.counts = ctx.Array("q", 3)  # receive calls, delete calls, messages deleted
        port = _free_port()
        self.process = ctx.Process(
            target=serve_sqs, args=(port, list(bodies), latency, self.counts), daemon=True
        )
        self.process.start()
        endpoint = f"http://127.0.0.1:{port}"
        client = sqs_client(region="us-east-1", endpoint_url=endpoint, credentials=CREDENTIALS)
        self.queue = SqsQueue(client, f"{endpoint}/000000000000/bench")
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def deleted(self) -> int:
        return int(self.counts[2])

    @property
    def calls(self) -> int:
        return int(self.counts[0] + self.counts[1])

    def close(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def stand_in_run(
    sim: Traffic, base_url: str, latency: float, concurrency: int, *, noop: bool, http: bool
) -> dict[str, Any]:
    url, schema = fresh_schema(base_url)
    engine = create_engine_from_url(url)
    try:
        migrations.upgrade(engine)
        settings = settings_for(url, "http://unused", "http://unused/queue")
        if not noop:
            build_app(settings, engine=engine, verify_envelope=None).record_sends(
                [
                    SendRecord.create(
                        notification_id=s.notification_id,
                        message_id=s.message_id,
                        recipient=s.recipient,
                        sent_at=s.sent_at,
                        notification_type=s.notification_type,
                    )
                    for s in sim.sends
                ]
            )
        engine.dispose()
        # A fresh engine for the drain: its PostgreSQL backends' CPU is the drain's alone.
        engine = create_engine_from_url(url)
        backends = BackendCpu(engine)
        app = build_app(settings, engine=engine, verify_envelope=None)
        stand_in = HttpStandIn(sim.bodies, latency) if http else StandInQueue(sim.bodies, latency)
        queue = stand_in.queue if isinstance(stand_in, HttpStandIn) else stand_in
        limits = DrainLimits(
            batch_size=BATCH_SIZE,
            batch_wait=2.0,
            poll_wait=0,
            max_run_time=3600.0,
            concurrency=concurrency,
        )
        cpu_started, started = time.process_time(), time.perf_counter()
        report = drain_queue(
            queue, _noop if noop else app.ingest, limits, staged=None if noop else app
        )
        seconds = time.perf_counter() - started
        cpu_s = time.process_time() - cpu_started
        if isinstance(stand_in, HttpStandIn):
            stand_in.close()
        assert stand_in.deleted == len(sim.bodies), (stand_in.deleted, report.summary())
        bodies = len(sim.bodies)
        return {
            "concurrency": concurrency,
            "pipelined": concurrency > 1,
            "apply": "noop (queue only)" if noop else "postgresql",
            "seconds": round(seconds, 2),
            "sqs_calls": stand_in.calls,
            "bodies_per_s": round(bodies / seconds, 1),
            # CPU per body: the drain process (all its threads) and its PostgreSQL backend.
            "cpu_us_per_body": {
                "drain": round(cpu_s / bodies * 1e6, 1),
                "postgresql": round(backends.used_s() / bodies * 1e6, 1),
            },
        }
    finally:
        engine.dispose()
        drop_schema(base_url, schema)


def stand_in(args: argparse.Namespace, sim: Traffic, base_url: str) -> dict[str, Any]:
    """``--stand-in``: every ``--concurrency`` level against PostgreSQL, then queue only."""
    configure_logging("WARNING")  # stdout carries the JSON result only
    levels = [int(n) for n in args.concurrency.split(",")]
    latency = args.latency_ms / 1000.0
    http = args.http
    db_runs = [stand_in_run(sim, base_url, latency, c, noop=False, http=http) for c in levels]
    queue_runs = [stand_in_run(sim, base_url, latency, c, noop=True, http=http) for c in levels]
    by_level = {run["concurrency"]: run["bodies_per_s"] for run in db_runs}
    best = max(db_runs, key=lambda run: run["bodies_per_s"])
    return {
        "benchmark": "drain",
        "db": make_url(base_url).get_backend_name(),
        "sqs": f"HTTP stand-in through boto3, {args.latency_ms:g} ms per call"
        if http
        else f"in-process stand-in, {args.latency_ms:g} ms per call",
        "bodies": len(sim.bodies),
        "batch_size": BATCH_SIZE,
        "runs": db_runs,
        "queue_only": queue_runs,
        "best": {"concurrency": best["concurrency"], "bodies_per_s": best["bodies_per_s"]},
        "concurrent_vs_sequential": round(best["bodies_per_s"] / by_level[1], 1)
        if 1 in by_level
        else None,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts")
    parser.add_argument("--depth", type=int, default=150, help="queue depth kept by the feeder")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="(always JSON; kept for symmetry)")
    parser.add_argument("--stand-in", action="store_true", help="in-process SQS stand-in")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="stand-in latency")
    parser.add_argument(
        "--http", action="store_true", help="stand-in: an HTTP server spoken to through boto3"
    )
    parser.add_argument("--concurrency", default="1,8,16,32", help="stand-in: SQS calls in flight")
    args = parser.parse_args()

    _env_for_children()
    base_url = os.environ.get("INBOXGAP_BENCH_DATABASE_URL", DEFAULT_URL)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    sim = generate_traffic(
        notifications=args.notifications,
        seed=args.seed,
        start=start,
        early_rate=0.0,
        mean_interval_seconds=7200.0 / max(1, args.notifications),
    )
    if args.stand_in:
        print(json.dumps(stand_in(args, sim, base_url), indent=2))
        return
    moto, endpoint = start_moto()
    try:
        counts = [int(n) for n in args.processes.split(",")]
        runs = [one_run(sim, base_url, endpoint, n, args.depth, noop=False) for n in counts]
        ceiling = [one_run(sim, base_url, endpoint, n, args.depth, noop=True) for n in counts]
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    by_count = {run["processes"]: run["bodies_per_s"] for run in runs}
    result = {
        "benchmark": "drain",
        "db": make_url(base_url).get_backend_name(),
        "sqs": "moto server (subprocess)",
        "notifications": len(sim.sends),
        "bodies": len(sim.bodies),
        "queue_depth": args.depth,
        "runs": runs,
        "moto_only": ceiling,
        "speedup_2_vs_1": round(by_count[2] / by_count[1], 2)
        if 1 in by_count and 2 in by_count
        else None,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
