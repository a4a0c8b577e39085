"""``inboxgap demo``: the whole pipeline on one machine with nothing but Python.

What runs:

* the notification log in SQLite (or ``--database-url``), migrated to the newest schema;
* an in-process SQS: a moto server (``ThreadedMotoServer``) on a free local port, with the
  feedback queue and its dead-letter queue (redrive after 5 receives);
* the real Celery worker, as a subprocess (``celery -A config.celery_app worker -B``),
  running the same ``inboxgap.drain`` task as production, kicked by its embedded beat,
  with Celery's ``filesystem://`` broker in a temporary folder (no Redis needed);
* realistic traffic from :mod:`worker.simulation`: sends to many recipient domains and
  notification types, and their SES feedback in every envelope (SNS signed with a demo
  key, raw, EventBridge), with duplicates, out of order, some before their send, a few
  malformed. SNS signatures are *checked* by the worker: the demo serves its certificate
  on a local port and points ``INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL`` at it.

Order: record the sends (except the "early" ones), start the worker, push the feedback
(keeping the queue a few hundred deep), wait until the queue is empty, record the early
sends (their parked events attach), sweep the feedback window, print the gap.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import datetime as dt
import functools
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, func, select

from worker.adapters.database import dead_letters, events, notifications
from worker.adapters.sns_signature import string_to_sign
from worker.adapters.sqs import SqsQueue
from worker.bootstrap.app import App
from worker.bootstrap.demo import build_demo, demo_sqs_client, demo_sqs_queue
from worker.domain.events import SnsEnvelope
from worker.domain.outcomes import Reason, Status
from worker.handlers.sends import SendRecord
from worker.queries.support import GapReport
from worker.simulation import DEFAULT_TOPIC_ARN, REGION, SentRecord, Traffic, generate_traffic

__all__ = ["DemoOptions", "DemoResult", "PipelineCounts", "run_demo"]

FEEDBACK_WINDOW = dt.timedelta(hours=24)
#: Keep the queue about this deep while pushing: moto's ReceiveMessage costs grow with
#: the depth of the queue (it scans every message, several times), real SQS's do not.
TARGET_DEPTH = 60
QUEUE_NAME = "inboxgap-demo-feedback"


@dataclass(frozen=True)
class DemoOptions:
    events: int = 1000
    seed: int = 2025
    database_url: str | None = None
    workdir: Path | None = None
    #: Worker threads draining at once.
    concurrency: int = 2
    timeout: float = 300.0


@dataclass
class DemoResult:
    report: GapReport
    pipeline: PipelineCounts
    traffic_counts: dict[str, int]
    bodies: int
    matched: int
    expected: int
    mismatches: list[tuple[str, str, str]]
    seconds: float
    database_url: str
    swept: int


# --------------------------------------------------------------------------- demo signer


def self_signed_pem(
    key: CertificateIssuerPrivateKeyTypes,
    common_name: str,
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
    serial_number: int | None = None,
    extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
) -> bytes:
    """A PEM certificate for ``key`` that ``common_name`` issued to itself (SHA-256)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


class DemoSnsSigner:
    """Signs SNS envelopes like Amazon SNS, with a key and self-signed certificate made
    for this run, and serves the certificate over local HTTP for the worker to fetch."""

    def __init__(self, region: str = REGION) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = dt.datetime.now(dt.UTC)
        self.certificate_pem = self_signed_pem(
            self._key,
            "sns.demo.inboxgap",
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=30),
        )
        self.path = f"/SimpleNotificationService-{secrets.token_hex(16)}.pem"
        self.cert_url = f"https://sns.{region}.amazonaws.com{self.path}"

    def __call__(self, fields: dict[str, str]) -> dict[str, str]:
        envelope = SnsEnvelope(
            type=fields["Type"],
            message_id=fields["MessageId"],
            topic_arn=fields["TopicArn"],
            message=fields["Message"],
            timestamp=fields["Timestamp"],
            signature_version="2",
            signature="",
            signing_cert_url=self.cert_url,
            subject=fields.get("Subject"),
            subscribe_url=fields.get("SubscribeURL"),
            token=fields.get("Token"),
        )
        data = string_to_sign(envelope)
        assert data is not None
        signature = self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return {
            "SignatureVersion": "2",
            "Signature": base64.b64encode(signature).decode("ascii"),
            "SigningCertURL": self.cert_url,
        }

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve the certificate on 127.0.0.1; yields the base URL."""
        pem, path = self.certificate_pem, self.path

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != path:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(pem)))
                self.end_headers()
                self.wfile.write(pem)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


# --------------------------------------------------------------------------- local SQS


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def local_sqs() -> Iterator[str]:
    """An in-process moto server on a free port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    # Werkzeug would print one access-log line per SQS call.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def create_queue(client: Any, name: str, *, max_receive_count: int = 5) -> tuple[str, str]:
    """The feedback queue and its DLQ; returns (queue URL, DLQ URL)."""
    dlq_url = client.create_queue(
        QueueName=f"{name}-dlq", Attributes={"MessageRetentionPeriod": "1209600"}
    )["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
    url = client.create_queue(
        QueueName=name,
        Attributes={"RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": "60"},
    )["QueueUrl"]
    return str(url), str(dlq_url)


# --------------------------------------------------------------------------- worker


def _worker_env(
    *,
    database_url: str,
    queue_url: str,
    endpoint: str,
    cert_endpoint: str,
    broker_folder: Path,
) -> dict[str, str]:
    # No INBOXGAP_* from the caller's environment (nor the crash drill's fault switch).
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    env.update(
        {
            "INBOXGAP_DATABASE_URL": database_url,
            "INBOXGAP_SQS_QUEUE_URL": queue_url,
            "INBOXGAP_SQS_ENDPOINT_URL": endpoint,
            "INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL": cert_endpoint,
            "INBOXGAP_SNS_TOPIC_ALLOWLIST": DEFAULT_TOPIC_ARN,
            "INBOXGAP_VERIFY_SNS_SIGNATURES": "true",
            "INBOXGAP_BROKER_URL": "filesystem://",
            "INBOXGAP_BROKER_DATA_FOLDER": str(broker_folder),
            "INBOXGAP_DRAIN_INTERVAL": "1",
            "INBOXGAP_DRAIN_MAX_RUN_TIME": "30",
            "INBOXGAP_SQS_WAIT_TIME": "1",
            "INBOXGAP_SQS_BATCH_SIZE": "250",
            "INBOXGAP_SQS_BATCH_WAIT": "0.5",
            "INBOXGAP_SQS_VISIBILITY_TIMEOUT": "60",
            "INBOXGAP_FEEDBACK_WINDOW": "24h",
            "INBOXGAP_LOG_LEVEL": "INFO",
            "AWS_ACCESS_KEY_ID": "demo",
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def start_worker(env: dict[str, str], workdir: Path, concurrency: int) -> subprocess.Popen[bytes]:
    """``celery worker -B`` (embedded beat) with a thread pool, logging to a file."""
    log_path = workdir / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config.celery_app",
        "worker",
        "-B",
        "--pool",
        "threads",
        "--concurrency",
        str(concurrency),
        "--schedule",
        str(workdir / "celerybeat-schedule"),
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Run in a child between fork and exec (``preexec_fn``): on Linux, the child gets
    SIGTERM when ``parent``, the process (and thread) that started it, dies, however it
    dies.

    Why: :func:`stop_worker` runs when the demo exits normally or is interrupted, but a
    parent killed with SIGKILL runs nothing, and the worker (in its own session, so a
    terminal's Ctrl-C does not reach it twice) would stay behind, draining a queue that no
    longer exists. If the parent is already gone when this runs, the child exits at once.
    Elsewhere it does nothing.
    """
    if _PRCTL is None:
        return
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


# Looked up once in the parent: the child of a fork in a threaded process should only
# call what is already loaded (loading a library there could wait on a lock that another
# thread of the parent held at the fork, forever).
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --------------------------------------------------------------------------- the gap


@dataclass
class PipelineCounts:
    """What the drain left in the log besides statuses."""

    ledger_rows: int = 0
    parked: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)


def read_pipeline_counts(engine: Engine) -> PipelineCounts:
    with engine.connect().execution_options(readonly=True) as conn:
        letters = {
            str(code): int(n)
            for code, n in conn.execute(
                select(dead_letters.c.code, func.count()).group_by(dead_letters.c.code)
            ).all()
        }
        rows = int(conn.execute(select(func.count()).select_from(events)).scalar_one())
        parked = int(
            conn.execute(
                select(func.count()).select_from(events).where(events.c.notification_pk.is_(None))
            ).scalar_one()
        )
    return PipelineCounts(ledger_rows=rows, parked=parked, dead_letters=letters)


def expected_at(
    traffic: Traffic, sends: Sequence[SentRecord], now: dt.datetime
) -> dict[str, tuple[str, str]]:
    """The simulation's expected outcome once the feedback window is applied at ``now``."""
    expected: dict[str, tuple[str, str]] = {}
    for record in sends:
        status, reason = traffic.expected[record.notification_id]
        if status is Status.SENT and now >= record.sent_at + FEEDBACK_WINDOW:
            status = Status.UNKNOWN
            reason = (
                Reason.DELAYED_NO_OUTCOME
                if reason is Reason.DELIVERY_DELAYED
                else Reason.NO_FEEDBACK
            )
        expected[record.notification_id] = (status.value, reason.value)
    return expected


def _compare(
    engine: Engine, expected: dict[str, tuple[str, str]]
) -> tuple[int, list[tuple[str, str, str]]]:
    actual: dict[str, tuple[str, str]] = {}
    ids = list(expected)
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for nid, status, reason in conn.execute(
                select(
                    notifications.c.notification_id,
                    notifications.c.status,
                    notifications.c.reason,
                ).where(notifications.c.notification_id.in_(chunk))
            ).all():
                actual[str(nid)] = (str(status), str(reason))
    mismatches = [
        (nid, f"{want[0]}/{want[1]}", "/".join(actual.get(nid, ("missing", ""))))
        for nid, want in expected.items()
        if actual.get(nid) != want
    ]
    return len(expected) - len(mismatches), mismatches


# --------------------------------------------------------------------------- run


ProgressHook = Callable[[str, int, int, int], None]
"""``(phase, pushed, total, in_queue)``: called while the demo runs."""


def send_records(sends: Iterable[SentRecord]) -> list[SendRecord]:
    """The simulation's sent notifications as the rows ``record_sends`` takes (the fields of a
    :class:`SentRecord` are the arguments of :meth:`SendRecord.create`)."""
    return [SendRecord.create(**asdict(s)) for s in sends]


def record(app: App, sends: Sequence[SentRecord]) -> None:
    """Record the simulation's sends in the log, 1,000 at a time."""
    records = send_records(sends)
    for start in range(0, len(records), 1000):
        app.record_sends(records[start : start + 1000])


def run_demo(options: DemoOptions, progress: ProgressHook | None = None) -> DemoResult:
    started = time.monotonic()
    report = progress or (lambda *_: None)
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="inboxgap-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = options.database_url or f"sqlite:///{workdir / 'inboxgap-demo.db'}"
    wiring = build_demo(database_url, feedback_window=FEEDBACK_WINDOW)
    engine, app = wiring.engine, wiring.app
    try:
        now = dt.datetime.now(dt.UTC)
        signer = DemoSnsSigner()
        # About a day of mail that ended a few hours ago: the oldest sends are past the
        # 24 h feedback window, so "unknown" can appear.
        span = 26 * 3600.0
        traffic = generate_traffic(
            notifications=options.events,
            seed=options.seed,
            start=now - dt.timedelta(seconds=span + 4 * 3600),
            signer=signer,
            mean_interval_seconds=span / max(1, int(options.events * 0.9)),
        ).received_at(now)  # feedback not yet "happened" would be implausible_timestamp
        report("record sends", 0, len(traffic.bodies), 0)
        record(app, traffic.initial_sends())

        with local_sqs() as endpoint, signer.serve() as cert_endpoint:
            client = demo_sqs_client(endpoint)
            queue_url, _dlq_url = create_queue(client, QUEUE_NAME)
            queue = demo_sqs_queue(client, queue_url)
            env = _worker_env(
                database_url=database_url,
                queue_url=queue_url,
                endpoint=endpoint,
                cert_endpoint=cert_endpoint,
                broker_folder=workdir / "broker",
            )
            worker = start_worker(env, workdir, options.concurrency)
            try:
                _push_and_wait(queue, traffic.bodies, worker, workdir, options, report, started)
            finally:
                stop_worker(worker)

        report("record early sends", len(traffic.bodies), len(traffic.bodies), 0)
        record(app, traffic.late_sends())
        end = dt.datetime.now(dt.UTC)
        swept = app.sweep(now=end).changed
        matched, mismatches = _compare(engine, expected_at(traffic, traffic.sends, end))
        sent_times = [r.sent_at for r in traffic.sends] or [now]
        report_ = wiring.queries.gap_report(
            since=min(sent_times) - dt.timedelta(minutes=1),
            until=max(max(sent_times), end) + dt.timedelta(minutes=1),
            top=8,
            min_domain_volume=max(5, options.events // 100),
        )
        return DemoResult(
            report=report_,
            pipeline=read_pipeline_counts(engine),
            traffic_counts=traffic.counts,
            bodies=len(traffic.bodies),
            matched=matched,
            expected=len(traffic.sends),
            mismatches=mismatches,
            seconds=time.monotonic() - started,
            database_url=database_url,
            swept=swept,
        )
    finally:
        wiring.dispose()


class DemoError(RuntimeError):
    pass


def _push_and_wait(
    queue: SqsQueue,
    bodies: Sequence[str],
    worker: subprocess.Popen[bytes],
    workdir: Path,
    options: DemoOptions,
    report: ProgressHook,
    started: float,
) -> None:
    deadline = started + options.timeout
    pushed = 0
    depth = 0
    while pushed < len(bodies):
        _check(worker, workdir, deadline)
        depth = queue.stats().total
        if depth >= TARGET_DEPTH:
            report("draining", pushed, len(bodies), depth)
            time.sleep(0.2)
            continue
        chunk = list(bodies[pushed : pushed + min(50, TARGET_DEPTH - depth + 10)])
        queue.send_bodies(chunk)
        pushed += len(chunk)
        report("pushing feedback", pushed, len(bodies), depth + len(chunk))
    empty_checks = 0
    while empty_checks < 2:
        _check(worker, workdir, deadline)
        depth = queue.stats().total
        report("draining", pushed, len(bodies), depth)
        empty_checks = empty_checks + 1 if depth == 0 else 0
        time.sleep(0.25)


def _check(worker: subprocess.Popen[bytes], workdir: Path, deadline: float) -> None:
    if worker.poll() is not None:
        tail = (workdir / "worker.log").read_text(errors="replace")[-3000:]
        raise DemoError(f"the Celery worker exited with code {worker.returncode}:\n{tail}")
    if time.monotonic() > deadline:
        raise DemoError(f"the queue was not drained in time (worker log: {workdir}/worker.log)")


def type_counts(traffic_counts: dict[str, int]) -> Counter[str]:
    return Counter(
        {k.split(":", 1)[1]: v for k, v in traffic_counts.items() if k.startswith("event:")}
    )
