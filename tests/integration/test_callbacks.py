"""Status callbacks against a real local HTTP receiver (tests/support/callback_receiver.py),
on PostgreSQL (row locks, SKIP LOCKED) and, where it makes sense, SQLite.

Every change is announced exactly once to a receiver that dedupes by ``webhook-id``, also
when the deliverer is killed mid-pass; signatures verify with the ``standardwebhooks``
package; 503s and a receiver that is down are retried; order per notification is kept.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from standardwebhooks import Webhook

from tests import bodies as b
from tests.support.callback_receiver import CallbackReceiver
from tests.support.ingest import NOW, WINDOW, numbered_sends, record
from worker import migrations
from worker.adapters.callback_outbox import SqlCallbackOutbox, status_callbacks
from worker.adapters.database import create_engine_from_url
from worker.adapters.http_callbacks import DEFAULT_IN_FLIGHT, HttpCallbackSender
from worker.adapters.notification_log import SqlNotificationLog
from worker.domain.callbacks import secret_key
from worker.domain.timestamps import format_timestamp
from worker.handlers.callbacks import CallbackConfig, DeliveryResult, deliver_callbacks
from worker.handlers.ingest import apply_batch
from worker.handlers.purge import purge
from worker.handlers.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec_" + base64.b64encode(b"integration-secret-0123456789").decode()
CONFIG = CallbackConfig(key=secret_key(SECRET), bearer_token="tok", max_attempts=10)


class Clock:
    """The deliverer's clock: real time by default (the signature check of the
    standardwebhooks package compares timestamps with its own clock), shiftable."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


def seed(engine: Engine, count: int, *, bounce_every: int = 0, callbacks: bool = True) -> None:
    """``count`` sends, each delivered; every ``bounce_every``-th also bounces later (two
    changes for that notification, to be announced in order)."""
    log = SqlNotificationLog(engine, callbacks=callbacks)
    records = numbered_sends(
        count, recipient="User{i}@Acme.example", notification_type="magic_code"
    )
    record(log, records)
    apply_batch(
        [b.delivery(f"m{i}", [f"user{i}@acme.example"]) for i in range(count)],
        log=log,
        now=NOW,
        feedback_window=WINDOW,
        verify_envelope=None,
    )
    if bounce_every:
        apply_batch(
            [
                b.bounce(f"m{i}", f"user{i}@acme.example", feedback_id=f"f{i}")
                for i in range(0, count, bounce_every)
            ],
            log=log,
            now=NOW,
            feedback_window=WINDOW,
            verify_envelope=None,
        )


def states(engine: Engine) -> dict[str, int]:
    c = status_callbacks.c
    with engine.connect() as conn:
        return dict(conn.execute(select(c.state, func.count()).group_by(c.state)).all())


def row_ids_by_webhook(engine: Engine) -> dict[str, tuple[int, int]]:
    c = status_callbacks.c
    with engine.connect() as conn:
        return {
            w: (i, n) for w, i, n in conn.execute(select(c.webhook_id, c.id, c.notification_pk))
        }


def wait_until_unlocked(engine: Engine, count: int) -> None:
    """Wait (30 s at most) until ``count`` outbox rows can be locked: the server rolls a
    killed client's transaction back only once it notices the closed connection, and until
    then SKIP LOCKED rightly skips the rows that transaction claimed."""
    query = select(status_callbacks.c.id).with_for_update(skip_locked=True)
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as conn:
            free = len(conn.execute(query).all())
            conn.rollback()
        if free >= count or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def deliver(
    engine: Engine, url: str, clock: Clock | None = None, **kwargs: object
) -> DeliveryResult:
    sender = HttpCallbackSender(url, timeout=5)
    try:
        return deliver_callbacks(
            outbox=SqlCallbackOutbox(engine),
            sender=sender,
            config=kwargs.pop("config", CONFIG),  # type: ignore[arg-type]
            clock=clock or Clock(),
            **kwargs,  # type: ignore[arg-type]
        )
    finally:
        sender.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = create_engine_from_url(f"sqlite:///{tmp_path / 'log.db'}")
    else:
        eng = create_engine_from_url(request.getfixturevalue("postgres_schema_url"))
    migrations.upgrade(eng)
    yield eng
    eng.dispose()


def test_every_change_is_announced_once_signed_and_complete(any_engine: Engine) -> None:
    seed(any_engine, 6, bounce_every=3)
    assert states(any_engine) == {"pending": 8}
    # Replayed events change nothing: no new rows.
    log = SqlNotificationLog(any_engine, callbacks=True)
    apply_batch(
        [b.delivery("m1", ["user1@acme.example"])],
        log=log,
        now=NOW,
        feedback_window=WINDOW,
        verify_envelope=None,
    )
    assert states(any_engine) == {"pending": 8}
    with CallbackReceiver() as receiver:
        first = deliver(any_engine, receiver.url)
        again = deliver(any_engine, receiver.url)
    assert (first.delivered, again.attempted) == (8, 0)
    assert states(any_engine) == {"delivered": 8}
    ids = receiver.webhook_ids()
    assert len(ids) == len(set(ids)) == 8
    hook = Webhook(SECRET)
    bounced = []
    for received in receiver.received:
        assert received.headers["authorization"] == "Bearer tok"
        body = hook.verify(received.body, received.headers)
        assert body["type"] == "notification.status_changed"
        data = body["data"]
        assert data["recipient"].lower() == f"user{data['notification_id'][1:]}@acme.example"
        assert data["message_id"] == "m" + data["notification_id"][1:]
        if data["status"] == "bounced":
            bounced.append(data)
    assert sorted(d["notification_id"] for d in bounced) == ["n0", "n3"]
    assert all(d["previous_status"] == "delivered" and d["smtp_status"] == "5.1.1" for d in bounced)


def outbox_times(engine: Engine) -> list[tuple[str, str, str, str]]:
    c = status_callbacks.c
    query = select(c.status, c.status_at, c.created_at, c.next_attempt_at).order_by(c.id)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def test_a_pretended_now_dates_the_statuses_not_the_outbox_rows(any_engine: Engine) -> None:
    """``ingest --now`` / ``sweep --now`` decide statuses as of a pretended time; the
    outbox rows are still created and due at the real time: a future ``--now`` must not
    hold them back, a past one must not make them look old to the backlog alert."""
    log = SqlNotificationLog(any_engine, callbacks=True)
    records = numbered_sends(3, notification_type="magic_code")
    before = format_timestamp(datetime.now(UTC))
    record(log, records)
    future = datetime(2040, 1, 1, tzinfo=UTC)
    apply_batch(
        [b.delivery("m0", ["user0@acme.example"])],
        log=log,
        now=future,
        feedback_window=WINDOW,
        verify_envelope=None,
    )
    # The window passed long ago: n1 and n2 are swept (set-based on PostgreSQL).
    result = sweep(log=log, now=NOW + timedelta(days=2), feedback_window=WINDOW)
    after = format_timestamp(datetime.now(UTC))
    assert result.changed == 2
    rows = outbox_times(any_engine)
    assert [(status, status_at) for status, status_at, _, _ in rows] == [
        ("delivered", "2025-03-04T10:00:02.000Z"),  # the event's time
        ("unknown", "2025-03-05T10:00:00.000Z"),  # sent_at + the window
        ("unknown", "2025-03-05T10:00:00.000Z"),
    ]
    for _, _, created_at, next_attempt_at in rows:
        assert before <= created_at <= after
        assert next_attempt_at == created_at
    with CallbackReceiver() as receiver:
        assert deliver(any_engine, receiver.url).delivered == 3  # none held back


def test_the_sweep_stamps_outbox_rows_with_its_clock(any_engine: Engine) -> None:
    log = SqlNotificationLog(any_engine, callbacks=True)
    record(log, numbered_sends(2, notification_type="magic_code"))
    announced = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    sweep(log=log, now=NOW + timedelta(days=2), feedback_window=WINDOW, clock=lambda: announced)
    created = {(r[2], r[3]) for r in outbox_times(any_engine)}
    assert created == {(format_timestamp(announced), format_timestamp(announced))}


def test_outbox_is_off_unless_configured(pg_engine: Engine) -> None:
    seed(pg_engine, 3, callbacks=False)
    assert states(pg_engine) == {}


def test_order_per_notification_and_retries_after_503(pg_engine: Engine) -> None:
    seed(pg_engine, 4, bounce_every=1)  # each notification: delivered, then bounced
    clock = Clock()
    with CallbackReceiver() as receiver:
        receiver.codes = [503] * 4  # the first attempt of every first row
        first = deliver(pg_engine, receiver.url, clock=clock, jitter=lambda: 0.5)
        assert (first.retried, first.delivered) == (4, 0)
        # Nothing else is due: the bounce rows wait behind their notification's first row.
        assert deliver(pg_engine, receiver.url, clock=clock).attempted == 0
        clock.shift = timedelta(minutes=1)
        second = deliver(pg_engine, receiver.url, clock=clock)
    assert second.delivered == 8
    by_webhook = row_ids_by_webhook(pg_engine)
    per_notification: dict[int, list[int]] = {}
    for webhook in receiver.webhook_ids():
        row_id, pk = by_webhook[webhook]
        per_notification.setdefault(pk, []).append(row_id)
    for rows in per_notification.values():
        assert rows == sorted(rows) and len(rows) == 3  # 503, retry, then the bounce
    assert states(pg_engine) == {"delivered": 8}


def test_a_receiver_that_is_down_is_retried_then_given_up(pg_engine: Engine) -> None:
    seed(pg_engine, 2)
    clock = Clock()
    with CallbackReceiver() as receiver:
        down_url = receiver.url
    # The server is closed: connection refused.
    result = deliver(pg_engine, down_url, clock=clock)
    assert (result.retried, result.delivered) == (2, 0)
    rows = SqlCallbackOutbox(pg_engine).list_rows("pending", 10)
    assert all(r.attempts == 1 and r.last_error and "connection" in r.last_error for r in rows)
    config = CallbackConfig(key=CONFIG.key, bearer_token=None, max_attempts=2)
    clock.shift = timedelta(hours=1)
    final = deliver(pg_engine, down_url, clock=clock, config=config)
    assert final.failed == {"retries_exhausted": 2}
    assert states(pg_engine) == {"failed": 2}
    # Replay brings them back; a receiver that is up now takes them.
    assert SqlCallbackOutbox(pg_engine).replay(None, clock()) == 2
    with CallbackReceiver() as receiver:
        assert deliver(pg_engine, receiver.url, clock=clock).delivered == 2


def test_skip_locked_a_second_deliverer_never_takes_rows_claimed_by_the_first(
    pg_engine: Engine,
) -> None:
    seed(pg_engine, 30)
    outbox = SqlCallbackOutbox(pg_engine)
    now = datetime.now(UTC)
    with CallbackReceiver() as receiver:
        with outbox.claim(10, now) as held:  # deliverer A, mid-pass, holding its rows
            held_ids = {row.webhook_id for row in held.rows}
            other = deliver(pg_engine, receiver.url)  # deliverer B runs a whole pass
            assert other.delivered == 20
            assert held_ids.isdisjoint(receiver.webhook_ids())
        assert deliver(pg_engine, receiver.url).delivered == 10
    assert sorted(receiver.webhook_ids()) == sorted(row_ids_by_webhook(pg_engine))


def test_two_deliverers_at_once_never_send_a_row_twice(pg_engine: Engine) -> None:
    seed(pg_engine, 300, bounce_every=2)
    config = CallbackConfig(key=CONFIG.key, bearer_token=None, batch_size=20)
    barrier = threading.Barrier(2)
    results: list[DeliveryResult] = []

    def run() -> None:
        barrier.wait()
        results.append(deliver(pg_engine, receiver.url, config=config))

    with CallbackReceiver(delay=0.002) as receiver:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ids = receiver.webhook_ids()
    assert len(ids) == len(set(ids)) == 450
    assert sum(r.delivered for r in results) == 450
    assert states(pg_engine) == {"delivered": 450}


def test_a_deliverer_killed_mid_pass_announces_everything_once_after_dedupe(
    pg_engine: Engine, postgres_schema_url: str
) -> None:
    seed(pg_engine, 40)
    with CallbackReceiver() as receiver:
        receiver.release.clear()  # requests are recorded, then held
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "INBOXGAP_DATABASE_URL": postgres_schema_url,
            "INBOXGAP_CALLBACK_URL": receiver.url,
            "INBOXGAP_CALLBACK_SECRET": SECRET,
            "INBOXGAP_LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen(
            [sys.executable, "-c", "from worker.cli import main; main()", "callbacks", "deliver"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert receiver.arrived.wait(60), "the deliverer never called"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        in_flight = set(receiver.webhook_ids())  # sent before the crash, never settled
        receiver.release.set()
        assert in_flight and states(pg_engine) == {"pending": 40}  # nothing was committed
        wait_until_unlocked(pg_engine, 40)
        result = deliver(pg_engine, receiver.url)
    assert result.delivered == 40
    received = receiver.webhook_ids()
    # At least once on the wire (the in-flight ones twice, same webhook-id)...
    assert set(received) == set(row_ids_by_webhook(pg_engine))
    # (requests held by the receiver when it died: at most its pool of requests in flight).
    twice = {w for w in received if received.count(w) > 1}
    assert len(twice) <= DEFAULT_IN_FLIGHT and all(received.count(w) <= 2 for w in twice)
    # ...exactly once for a receiver that dedupes by webhook-id.
    deduped = {
        r.webhook_id: json.loads(r.body)["data"]["notification_id"] for r in receiver.received
    }
    assert sorted(deduped.values()) == sorted(f"n{i}" for i in range(40))


def test_purge_removes_delivered_rows_with_the_personal_data(pg_engine: Engine) -> None:
    seed(pg_engine, 4)
    with CallbackReceiver() as receiver:
        receiver.codes = [200, 200, 410]  # one row fails for good
        deliver(pg_engine, receiver.url)
    assert states(pg_engine) == {"delivered": 3, "failed": 1}
    log = SqlNotificationLog(pg_engine, callbacks=True)
    purge(log=log, now=NOW + timedelta(days=100), older_than=timedelta(days=90))
    assert states(pg_engine) == {"failed": 1}


def test_a_backed_up_outbox_raises_the_on_call_alert_and_the_metrics(pg_engine: Engine) -> None:
    from prometheus_client import REGISTRY

    from config.settings import Settings
    from worker import callback_metrics
    from worker.bootstrap.alerts import build_alerting
    from worker.handlers.callbacks import DeliveryResult

    seed(pg_engine, 3)  # rows created now (the real clock), still pending
    stats = SqlCallbackOutbox(pg_engine).stats()
    created = stats.oldest_pending_at
    assert created is not None
    settings = Settings(callback_url="http://127.0.0.1:9/hooks")
    alerting = build_alerting(settings, engine=pg_engine, sinks=[], queue_probe=None)
    assert [
        v for v in alerting.check(created + timedelta(minutes=5)) if v.rule == "callback_backlog"
    ] == []
    views = alerting.check(created + timedelta(minutes=20))
    backlog = [v for v in views if v.rule == "callback_backlog"]
    assert [(v.severity, v.state) for v in backlog] == [("warning", "firing")]

    callback_metrics.observe_pass(DeliveryResult(), stats, created + timedelta(minutes=20))
    assert REGISTRY.get_sample_value("inboxgap_callbacks_pending") == 3
    assert REGISTRY.get_sample_value("inboxgap_callbacks_oldest_pending_age_seconds") == 1200


def test_a_replayed_old_failed_row_is_queued_anew_for_the_backlog_alert(
    pg_engine: Engine,
) -> None:
    from sqlalchemy import update

    from config.settings import Settings
    from worker.bootstrap.alerts import build_alerting
    from worker.handlers.callbacks import replay_callbacks

    seed(pg_engine, 2)
    with CallbackReceiver() as receiver:
        receiver.codes = [410, 410]  # both fail for good
        deliver(pg_engine, receiver.url)
    c = status_callbacks.c
    with pg_engine.begin() as conn:  # they failed three days ago
        conn.execute(update(status_callbacks).values(created_at="2026-01-01T00:00:00.000Z"))
    outbox = SqlCallbackOutbox(pg_engine)
    (first, _) = sorted(r.id for r in outbox.list_rows("failed", 10))
    replayed_at = datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
    assert replay_callbacks(outbox, [first], now=replayed_at) == 1
    oldest = outbox.stats().oldest_pending_at
    assert oldest is not None
    assert format_timestamp(oldest) == format_timestamp(replayed_at)
    with pg_engine.connect() as conn:
        kept = conn.execute(select(c.created_at).where(c.id != first)).scalar_one()
    assert kept == "2026-01-01T00:00:00.000Z"  # a row not replayed keeps its time
    alerting = build_alerting(
        Settings(callback_url="http://127.0.0.1:9/hooks"),
        engine=pg_engine,
        sinks=[],
        queue_probe=None,
    )
    views = alerting.check(replayed_at + timedelta(minutes=1))
    assert [v for v in views if v.rule == "callback_backlog"] == []


def test_the_backlog_read_touches_only_pending_rows(pg_engine: Engine) -> None:
    """Read after every pass and every on-call check: it must not count the delivered rows
    kept until retention (at 3M rows that count cost ~0.3 s; bench/callback_backlog.py)."""
    from sqlalchemy import event

    before = format_timestamp(datetime.now(UTC))
    seed(pg_engine, 5)
    after = format_timestamp(datetime.now(UTC))
    with CallbackReceiver() as receiver:
        receiver.codes = [200, 200, 410, 503, 503]  # 2 delivered, 1 failed, 2 pending
        deliver(pg_engine, receiver.url)
    assert states(pg_engine) == {"delivered": 2, "failed": 1, "pending": 2}
    statements: list[tuple[str, object]] = []

    def capture(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        statements.append((statement, params))

    event.listen(pg_engine, "before_cursor_execute", capture)
    try:
        stats = SqlCallbackOutbox(pg_engine).stats()
    finally:
        event.remove(pg_engine, "before_cursor_execute", capture)
    assert stats.pending == 2
    assert stats.oldest_pending_at is not None
    assert before <= format_timestamp(stats.oldest_pending_at) <= after
    reads = [(sql, params) for sql, params in statements if "status_callbacks" in sql]
    assert reads, statements
    for sql, params in reads:  # every read is restricted to the partial index's rows
        assert "status_callbacks.state = " in sql and "pending" in str(params), sql


def test_a_hanging_receiver_costs_a_batch_a_few_timeouts_not_one_per_row(
    pg_engine: Engine,
) -> None:
    seed(pg_engine, 12)
    with CallbackReceiver() as receiver:
        receiver.release.clear()  # accepts, records, never answers (until the end)
        sender = HttpCallbackSender(receiver.url, timeout=0.5, max_in_flight=2)
        try:
            result = deliver_callbacks(
                outbox=SqlCallbackOutbox(pg_engine), sender=sender, config=CONFIG, clock=Clock()
            )
        finally:
            sender.close()
    assert (result.retried, result.delivered) == (12, 0)
    assert len(receiver.webhook_ids()) <= 4  # two rounds of the pool at most
    errors = {row.last_error for row in SqlCallbackOutbox(pg_engine).list_rows("pending", 20)}
    assert errors == {"timeout", "skipped: receiver not answering"}
