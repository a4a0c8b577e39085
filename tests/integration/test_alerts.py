"""Alerts end to end on SQLite and real PostgreSQL: traffic goes in through the real
ingest handlers (record sends, apply SES bodies), the rules read the log, the lifecycle
and the outbox live in the database, sinks talk to a local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from tests import bodies
from tests.support.ingest import WINDOW, send_record
from worker.adapters.alert_sinks import SlackSink, WebhookSink
from worker.adapters.alert_store import SqlAlertStore, alert_deliveries, alert_history
from worker.adapters.notification_log import SqlNotificationLog
from worker.bootstrap.alerts import Alerting, default_thresholds
from worker.domain.alert_lifecycle import AlertState
from worker.domain.alert_rules import AlertThresholds
from worker.domain.timestamps import format_timestamp
from worker.handlers.alerts import AlertView
from worker.handlers.ingest import apply_batch
from worker.handlers.sends import SendRecord, record_sends
from worker.queries.alert_counts import SqlAlertCounts

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
SPIKE_DOMAIN = "acme-corp.example"
DOMAINS = [
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "contoso.example",
    "fabrikam.example",
    "northwind.example",
    "tailspin.example",
    SPIKE_DOMAIN,
]
TYPES = ["magic_code", "receipt", "password_reset"]
QUARANTINE = "smtp; 550 5.7.1 Message quarantined by policy [Mimecast]"


def no_sleep(_: float) -> None:
    return None


# --------------------------------------------------------------------------- traffic


@dataclass(frozen=True)
class Mail:
    domain: str
    sent_at: datetime
    outcome: str = "delivered"  # delivered|hard|soft|suppressed|quarantined|complaint|none
    ntype: str = "magic_code"


#: The bounce each bouncing outcome plays (``tests.bodies.bounce`` keywords).
BOUNCES: dict[str, dict[str, str]] = {
    "hard": {},
    "soft": {
        "bounce_type": "Transient",
        "status": "4.4.7",
        "diagnostic": "smtp; 421 4.4.1 connection timed out",
    },
    "suppressed": {
        "subtype": "OnAccountSuppressionList",
        "status": "5.1.1",
        "diagnostic": "Amazon SES did not send the message to this address because it is on "
        "the suppression list for your account.",
    },
    "quarantined": {"status": "5.7.1", "diagnostic": QUARANTINE},
}


@dataclass
class Traffic:
    """Plays mail through the real handlers: a send record, then SES bodies."""

    engine: Engine
    seq: int = 0
    log: SqlNotificationLog = field(init=False)

    def __post_init__(self) -> None:
        self.log = SqlNotificationLog(self.engine)

    def play(self, mails: Sequence[Mail], *, received_at: datetime | None = None) -> None:
        records: list[SendRecord] = []
        batch: list[str] = []
        for mail in mails:
            self.seq += 1
            mid = f"0100018f-{self.seq:012d}-000000"
            rcpt = f"user{self.seq}@{mail.domain}"
            records.append(
                send_record(f"n-{self.seq}", mid, rcpt, mail.ntype, sent_at=mail.sent_at)
            )
            sent = format_timestamp(mail.sent_at)
            at = format_timestamp(mail.sent_at + timedelta(seconds=2))
            fb = f"fb-{self.seq}"
            if mail.outcome in ("delivered", "complaint"):
                batch.append(bodies.delivery(mid, [rcpt], timestamp=at, mail_timestamp=sent))
            if mail.outcome == "complaint":
                batch.append(
                    bodies.complaint(mid, rcpt, feedback_id=fb, timestamp=at, mail_timestamp=sent)
                )
            elif mail.outcome in BOUNCES:
                batch.append(
                    bodies.bounce(
                        mid,
                        rcpt,
                        feedback_id=fb,
                        timestamp=at,
                        mail_timestamp=sent,
                        **BOUNCES[mail.outcome],
                    )
                )
        now = received_at or max(m.sent_at for m in mails) + timedelta(seconds=5)
        record_sends(records, log=self.log, now=now, feedback_window=WINDOW)
        for start in range(0, len(batch), 1000):
            apply_batch(batch[start : start + 1000], log=self.log, now=now, feedback_window=WINDOW)


def spread(
    domain: str,
    count: int,
    start: datetime,
    span: timedelta,
    outcome: str = "delivered",
    types: Sequence[str] = TYPES,
) -> list[Mail]:
    step = span / max(count, 1)
    return [Mail(domain, start + i * step, outcome, types[i % len(types)]) for i in range(count)]


def baseline_week(now: datetime) -> list[Mail]:
    """Seven quiet days before today: every domain delivers, 1 in 30 hard-bounces."""
    mails: list[Mail] = []
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    for day in range(1, 8):
        start = today - timedelta(days=day) + timedelta(hours=8)
        for domain in DOMAINS:
            batch = spread(domain, 30, start, timedelta(hours=10))
            batch[0] = Mail(domain, batch[0].sent_at, "hard", batch[0].ntype)
            mails += batch
    return mails


def normal_hour(end: datetime, per_domain: int = 12) -> list[Mail]:
    mails: list[Mail] = []
    for domain in DOMAINS:
        mails += spread(domain, per_domain, end - timedelta(hours=1), timedelta(minutes=59))
    return mails


# --------------------------------------------------------------------------- sinks


@dataclass
class RecordingSink:
    name: str = "recording"
    payloads: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, payload: Any) -> None:
        with self.lock:
            self.payloads.append(dict(payload))


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server: HookServer = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with server.lock:
            server.requests.append((self.path, body))
            status = server.status
            delay = server.delay
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return None


class HookServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Hook)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, bytes]] = []
        self.status = 200
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def json_bodies(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(body) for p, body in self.requests if p == path]


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    server = HookServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


# --------------------------------------------------------------------------- helpers


@dataclass
class FixedQueueAge:
    age: timedelta | None = None

    def oldest_message_age(self, now: datetime) -> timedelta | None:
        return self.age


def alerting(
    engine: Engine,
    sinks: Sequence[Any] = (),
    thresholds: AlertThresholds | None = None,
    **kw: Any,
) -> Alerting:
    return Alerting(
        counts=SqlAlertCounts(engine),
        store=kw.pop("store", None) or SqlAlertStore(engine),
        sinks=list(sinks),
        thresholds=thresholds or default_thresholds(),
        renotify_interval=kw.pop("renotify_interval", timedelta(hours=1)),
        sleep=no_sleep,
        **kw,
    )


def summary(views: Sequence[AlertView]) -> list[tuple[str, str, str, str, str]]:
    return [(v.rule, v.scope, v.key, v.severity, v.state) for v in views]


def history_kinds(engine: Engine) -> list[tuple[str, str, str]]:
    h = alert_history.c
    with engine.connect() as conn:
        return [
            (r.kind, r.rule, r.alert_key)
            for r in conn.execute(select(h.kind, h.rule, h.alert_key).order_by(h.id))
        ]


def delivery_rows(engine: Engine) -> list[tuple[str, str, int]]:
    d = alert_deliveries.c
    with engine.connect() as conn:
        return [
            (r.sink, r.status, r.attempts)
            for r in conn.execute(select(d.sink, d.status, d.attempts).order_by(d.id))
        ]


# --------------------------------------------------------------------------- spikes


def test_spike_at_one_domain_fires_exactly_one_alert_then_resolves(engine: Engine) -> None:
    traffic = Traffic(engine)
    traffic.play(baseline_week(NOW))
    traffic.play(normal_hour(NOW))
    # acme-corp.example's Mimecast gateway starts quarantining everything: 30 sends over
    # the last 15 minutes, across six notification types (so no type reaches the minimum).
    types = [f"type_{i}" for i in range(6)]
    traffic.play(
        spread(
            SPIKE_DOMAIN,
            30,
            NOW - timedelta(minutes=14),
            timedelta(minutes=13),
            "quarantined",
            types,
        ),
        received_at=NOW - timedelta(seconds=20),
    )
    sink = RecordingSink()
    checker = alerting(engine, [sink])

    views = checker.check(NOW)
    assert summary(views) == [("quarantine_spike", "domain", SPIKE_DOMAIN, "critical", "firing")]
    assert views[0].window == "15m" and views[0].value > 0.9  # 30 of 32 sends
    assert [p["kind"] for p in sink.payloads] == ["fired"]

    # Still holding a minute later: no second notification.
    assert summary(checker.check(NOW + timedelta(minutes=1)))[0][4] == "firing"
    assert len(sink.payloads) == 1

    # The gateway is fixed: two hours of normal mail later the windows are clean.
    later = NOW + timedelta(hours=2)
    traffic.play(normal_hour(later))
    views = checker.check(later)
    assert summary(views) == [("quarantine_spike", "domain", SPIKE_DOMAIN, "critical", "resolved")]
    assert [p["kind"] for p in sink.payloads] == ["fired", "resolved"]
    assert checker.check(later + timedelta(minutes=1)) == []
    assert history_kinds(engine) == [
        ("fired", "quarantine_spike", SPIKE_DOMAIN),
        ("resolved", "quarantine_spike", SPIKE_DOMAIN),
    ]


def test_same_spike_below_minimum_count_fires_nothing(engine: Engine) -> None:
    traffic = Traffic(engine)
    traffic.play(baseline_week(NOW))
    traffic.play(normal_hour(NOW))
    traffic.play(
        spread(SPIKE_DOMAIN, 9, NOW - timedelta(minutes=14), timedelta(minutes=13), "quarantined"),
        received_at=NOW - timedelta(seconds=20),
    )
    sink = RecordingSink()
    assert alerting(engine, [sink]).check(NOW) == []
    assert sink.payloads == []


# --------------------------------------------------------------------------- reputation

SMALL = default_thresholds(min_volume=200, reputation_volume=200)


@pytest.mark.parametrize(
    ("sends", "bad", "outcome", "thresholds", "expected"),
    [
        (200, 9, "hard", SMALL, []),  # 4.5 %
        (200, 10, "hard", SMALL, [("bounce_rate", "warning")]),  # 5 %
        (200, 20, "hard", SMALL, [("bounce_rate", "critical")]),  # 10 %
        (199, 40, "hard", SMALL, []),  # 20 %, but under the minimum volume
        (200, 60, "soft", SMALL, []),  # soft bounces do not count
        (200, 60, "suppressed", SMALL, []),  # nor OnAccountSuppressionList
        (1000, 0, "complaint", default_thresholds(), []),
        (1000, 1, "complaint", default_thresholds(), [("complaint_rate", "warning")]),  # 0.1 %
        (1000, 5, "complaint", default_thresholds(), [("complaint_rate", "critical")]),  # 0.5 %
    ],
)
def test_reputation_breach_at_each_threshold(
    engine: Engine,
    sends: int,
    bad: int,
    outcome: str,
    thresholds: AlertThresholds,
    expected: list[tuple[str, str]],
) -> None:
    yesterday = NOW - timedelta(days=1)
    mails = spread("gmail.com", sends, yesterday - timedelta(hours=6), timedelta(hours=5))
    mails = [
        Mail(m.domain, m.sent_at, outcome, m.ntype) if i < bad else m for i, m in enumerate(mails)
    ]
    traffic = Traffic(engine)
    traffic.play(mails)
    sink = RecordingSink()
    checker = alerting(engine, [sink], thresholds)
    views = checker.check(NOW)
    assert [(v.rule, v.severity) for v in views] == expected
    assert all(v.scope == "account" and v.key == "*" and v.state == "firing" for v in views)
    if expected and expected[0] == ("bounce_rate", "critical"):
        assert views[0].value == pytest.approx(0.10) and views[0].threshold == 0.10
        # A clean day of mail brings the representative volume back under 5 %.
        traffic.play(spread("gmail.com", 400, NOW - timedelta(hours=3), timedelta(hours=2)))
        views = checker.check(NOW + timedelta(minutes=1))
        assert [(v.rule, v.state) for v in views] == [("bounce_rate", "resolved")]


# --------------------------------------------------------------------------- backlog


def test_silence_detected_then_resolved_when_feedback_flows(engine: Engine) -> None:
    traffic = Traffic(engine)
    # Feedback last applied 40 minutes ago...
    traffic.play(normal_hour(NOW - timedelta(minutes=45)), received_at=NOW - timedelta(minutes=40))
    # ...while the application keeps recording sends (SES events stopped arriving).
    quiet = spread("gmail.com", 20, NOW - timedelta(minutes=28), timedelta(minutes=12), "none")
    traffic.play(quiet, received_at=NOW - timedelta(minutes=15))
    checker = alerting(engine, [RecordingSink()])
    views = checker.check(NOW)
    assert summary(views) == [("feedback_silence", "account", "*", "warning", "firing")]
    assert views[0].value == pytest.approx(40.0, abs=0.2) and views[0].threshold == 30.0

    # The pipeline recovers: the queued deliveries are applied.
    log = SqlNotificationLog(engine)
    deliveries = [
        bodies.delivery(f"0100018f-{i:012d}-000000", [f"user{i}@gmail.com"])
        for i in range(traffic.seq - 19, traffic.seq + 1)
    ]
    apply_batch(deliveries, log=log, now=NOW + timedelta(minutes=1), feedback_window=WINDOW)
    assert summary(checker.check(NOW + timedelta(minutes=2))) == [
        ("feedback_silence", "account", "*", "warning", "resolved")
    ]


def test_dead_letters_parked_events_and_queue_age(engine: Engine) -> None:
    log = SqlNotificationLog(engine)
    apply_batch(
        [f"not json {i}" for i in range(10)],
        log=log,
        now=NOW - timedelta(minutes=5),
        feedback_window=WINDOW,
    )
    # Events for messages the application never recorded: parked.
    parked = [
        bodies.delivery(f"0100018f-orphan-{i:06d}", [f"x{i}@contoso.example"]) for i in range(100)
    ]
    apply_batch(parked, log=log, now=NOW - timedelta(minutes=10), feedback_window=WINDOW)
    probe = FixedQueueAge(timedelta(minutes=20))
    checker = alerting(engine, [RecordingSink()], queue_probe=probe)
    assert sorted((v.rule, v.severity) for v in checker.check(NOW)) == [
        ("dead_letters_growing", "warning"),
        ("parked_events_growing", "warning"),
        ("queue_oldest_message_age", "warning"),
    ]
    probe.age = timedelta(seconds=30)
    later = checker.check(NOW + timedelta(minutes=30))
    assert sorted((v.rule, v.state) for v in later) == [
        ("dead_letters_growing", "resolved"),
        ("parked_events_growing", "resolved"),
        ("queue_oldest_message_age", "resolved"),
    ]


# --------------------------------------------------------------------------- sinks


def test_webhook_and_slack_sinks_receive_the_payload(
    engine: Engine, hook_server: HookServer
) -> None:
    probe = FixedQueueAge(timedelta(minutes=20))
    sinks = [
        WebhookSink(f"{hook_server.url}/hook", timeout=2),
        SlackSink(f"{hook_server.url}/slack", timeout=2),
    ]
    checker = alerting(engine, sinks, queue_probe=probe)
    checker.check(NOW)
    (payload,) = hook_server.json_bodies("/hook")
    assert {k: payload[k] for k in ("kind", "rule", "scope", "key", "severity", "state")} == {
        "kind": "fired",
        "rule": "queue_oldest_message_age",
        "scope": "account",
        "key": "*",
        "severity": "warning",
        "state": "firing",
    }
    assert payload["value"] == 1200.0 and payload["threshold"] == 900.0
    assert payload["summary"].startswith("[WARNING] oldest SQS message")
    (slack,) = hook_server.json_bodies("/slack")
    assert set(slack) == {"text"} and ":warning:" in slack["text"]
    assert delivery_rows(engine) == [("slack", "sent", 1), ("webhook", "sent", 1)]

    probe.age = None
    checker.check(NOW + timedelta(minutes=5))
    assert [p["state"] for p in hook_server.json_bodies("/hook")] == ["firing", "resolved"]


def test_webhook_down_is_retried_and_ingestion_is_unaffected(
    engine: Engine, hook_server: HookServer
) -> None:
    probe = FixedQueueAge(timedelta(minutes=20))
    # 1) Nothing listens: the check returns normally, the delivery stays pending.
    down = alerting(engine, [WebhookSink(closed_port_url(), timeout=1)], queue_probe=probe)
    views = down.check(NOW)
    assert summary(views)[0][0] == "queue_oldest_message_age"
    assert delivery_rows(engine) == [("webhook", "pending", 1)]

    # 2) The server answers 503 and slowly: three attempts within one evaluation, while
    #    ingestion runs at full speed next to it.
    hook_server.status, hook_server.delay = 503, 0.5
    sink = WebhookSink(f"{hook_server.url}/hook", timeout=2)
    flaky = alerting(engine, [sink], queue_probe=probe)
    flaky.sleep = None  # real backoff sleeps
    evaluation = threading.Thread(target=flaky.check, args=(NOW + timedelta(minutes=1),))
    started = time.perf_counter()
    evaluation.start()
    traffic = Traffic(engine)
    ingest_started = time.perf_counter()
    traffic.play(spread("gmail.com", 200, NOW, timedelta(minutes=1)))
    ingest_seconds = time.perf_counter() - ingest_started
    evaluation.join(timeout=30)
    evaluation_seconds = time.perf_counter() - started
    assert len(hook_server.json_bodies("/hook")) == 3  # retried with tenacity
    assert evaluation_seconds >= 1.5
    assert ingest_seconds < evaluation_seconds
    with engine.connect() as conn:
        from worker.adapters.database import notifications

        assert conn.execute(select(func.count()).select_from(notifications)).scalar_one() == 200
    assert delivery_rows(engine) == [("webhook", "pending", 2)]

    # 3) The server recovers: the next evaluation delivers the same notification once.
    hook_server.status, hook_server.delay = 200, 0.0
    alerting(engine, [sink], queue_probe=probe).check(NOW + timedelta(minutes=2))
    assert delivery_rows(engine) == [("webhook", "sent", 3)]
    assert [p["kind"] for p in hook_server.json_bodies("/hook")] == ["fired"] * 4


# --------------------------------------------------------------------------- concurrency


class RacingStore(SqlAlertStore):
    """Both evaluators read the state before either writes."""

    def __init__(self, engine: Engine, barrier: threading.Barrier) -> None:
        super().__init__(engine)
        self.barrier = barrier

    def load_firing(self) -> list[AlertState]:
        states = super().load_firing()
        self.barrier.wait(timeout=10)
        return states


def _evaluate(
    engine: Engine,
    sink: RecordingSink,
    barrier: threading.Barrier,
    probe: FixedQueueAge,
    now: datetime,
    errors: list[BaseException],
) -> None:
    try:
        store = RacingStore(engine, barrier)
        alerting(engine, [sink], store=store, queue_probe=probe).check(now)
    except BaseException as exc:  # pragma: no cover - asserted by the caller
        errors.append(exc)


@pytest.mark.parametrize("rounds", [3])
def test_two_evaluators_at_once_send_one_notification(engine: Engine, rounds: int) -> None:
    probe = FixedQueueAge(timedelta(minutes=20))
    sink = RecordingSink()
    for step in range(rounds):
        now = NOW + step * timedelta(minutes=61)  # fire, renotify, resolve
        if step == 2:
            probe.age = None
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_evaluate, args=(engine, sink, barrier, probe, now, errors))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
    assert [p["kind"] for p in sink.payloads] == ["fired", "renotified", "resolved"]
    assert [k for k, _, _ in history_kinds(engine)] == ["fired", "renotified", "resolved"]


# --------------------------------------------------------------------------- CLI


def test_cli_check_json_dry_run_and_list(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import get_settings
    from worker.cli import main

    log = SqlNotificationLog(engine)
    apply_batch(
        [f"junk {i}" for i in range(12)],
        log=log,
        now=NOW - timedelta(minutes=1),
        feedback_window=WINDOW,
    )
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", database_url)
    monkeypatch.delenv("INBOXGAP_ALERT_WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        now = format_timestamp(NOW)
        dry = runner.invoke(main, ["alerts", "check", "--now", now, "--json", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert history_kinds(engine) == []
        result = runner.invoke(main, ["alerts", "check", "--now", now, "--json"])
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        assert printed == json.loads(dry.stdout)
        assert printed == [
            {
                "rule": "dead_letters_growing",
                "scope": "account",
                "key": "*",
                "severity": "warning",
                "value": 12.0,
                "threshold": 10.0,
                "window": "15m",
                "state": "firing",
            }
        ]
        listed = runner.invoke(main, ["alerts", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        (entry,) = json.loads(listed.stdout)
        assert entry["kind"] == "fired" and entry["deliveries"] == {"log": "sent"}
        text = runner.invoke(main, ["alerts", "check", "--now", now])
        assert "[WARNING] 12 bodies dead-lettered" in text.stdout
    finally:
        get_settings.cache_clear()
