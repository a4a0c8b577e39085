"""The feedback-window sweep on SQLite and PostgreSQL (issue 15: set-based on PostgreSQL).

It turns exactly the notifications still ``sent`` past the window ``unknown``, writes one
outbox row per change in the same transaction, keeps the daily counts and the pending set
exact, gives the same log as the status rules applied one by one (the in-memory log
recomputes every notification), is idempotent, sweeps each notification once with two
sweepers at work, never waits on a notification another transaction holds, and is driven
by indexes right after a bulk load that left no statistics.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.integration.snapshots import (
    pending_is_exact,
    snapshot,
    status_counts_from_notifications,
    stored_counts,
)
from tests.support.ingest import WINDOW, send_record
from worker.adapters.callback_outbox import status_callbacks
from worker.adapters.database import create_engine_from_url, notifications
from worker.adapters.notification_log import SqlNotificationLog
from worker.adapters.notification_log.window_sweep import (
    PLANNER_SQL,
    SWEEP_WITH_OUTBOX_SQL,
    sweep_params,
)
from worker.domain.status import WINDOW_RULE
from worker.domain.timestamps import format_timestamp
from worker.handlers.ingest import apply_batch
from worker.handlers.ports import SweepChunk
from worker.handlers.sends import SendRecord, record_sends
from worker.handlers.sweep import sweep

RECORDED = datetime(2025, 3, 4, 11, 0, tzinfo=UTC)  # when sends and events arrive
NOW = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)  # the sweep: cutoff 2025-03-05T12:00Z
OLD = "2025-03-04T10:00:00.000Z"
PLAIN = [f"due{i}" for i in range(12)]


def send(nid: str, sent_at: str = OLD) -> SendRecord:
    return send_record(
        nid,
        f"m-{nid}",
        f"{nid}@acme.example",
        "magic_code" if nid.endswith(("0", "2", "4")) else "receipt",
        sent_at=sent_at,
    )


def play(log: SqlNotificationLog | FakeNotificationLog) -> None:
    """Due: PLAIN and ``delayed``; not due: ``delivered`` (settled), ``fresh`` (in its
    window) and ``edge`` (sent exactly at the cutoff)."""
    records = [send(nid) for nid in [*PLAIN, "delayed", "delivered"]]
    records += [send("fresh", "2025-03-06T10:00:00.000Z"), send("edge", "2025-03-05T12:00:00Z")]
    record_sends(records, log=log, now=RECORDED, feedback_window=WINDOW)
    apply_batch(
        [
            b.delay("m-delayed", "delayed@acme.example"),
            b.delivery("m-delivered", ["delivered@acme.example"]),
        ],
        log=log,
        now=RECORDED,
        feedback_window=WINDOW,
    )


def statuses(engine: Engine) -> dict[str, tuple[str, str, str]]:
    n = notifications.c
    with engine.connect() as conn:
        rows = conn.execute(select(n.notification_id, n.status, n.reason, n.status_at))
        return {nid: (status, reason, at) for nid, status, reason, at in rows}


def outbox(engine: Engine) -> list[tuple[str, ...]]:
    """(notification id, previous status and reason, status, reason, status time)."""
    c, n = status_callbacks.c, notifications.c
    query = (
        select(n.notification_id, c.previous_status, c.previous_reason, c.status, c.reason)
        .add_columns(c.status_at)
        .join_from(status_callbacks, notifications, n.id == c.notification_pk)
        .order_by(c.id)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def test_sweeps_exactly_the_due_notifications_with_one_outbox_row_each(engine: Engine) -> None:
    log = SqlNotificationLog(engine, callbacks=True)
    play(log)
    before = statuses(engine)
    announced = outbox(engine)
    result = sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=5)
    assert (result.examined, result.changed, result.batches) == (13, 13, 3)
    after = statuses(engine)
    window_end = "2025-03-05T10:00:00.000Z"
    for nid in PLAIN:
        assert after[nid] == ("unknown", "no_feedback", window_end)
    assert after["delayed"] == ("unknown", "delayed_no_outcome", window_end)
    for nid in ("delivered", "fresh", "edge"):
        assert after[nid] == before[nid]
    assert before["delivered"][0] == "delivered"
    assert {before[nid][0] for nid in ("fresh", "edge")} == {"sent"}
    new_rows = outbox(engine)[len(announced) :]
    assert sorted(new_rows) == sorted(
        [(nid, "sent", "awaiting_feedback", "unknown", "no_feedback", window_end) for nid in PLAIN]
        + [("delayed", "sent", "delivery_delayed", "unknown", "delayed_no_outcome", window_end)]
    )
    assert stored_counts(engine) == status_counts_from_notifications(engine)
    assert pending_is_exact(engine)


def test_same_log_as_the_status_rules_one_by_one_and_idempotent(engine: Engine) -> None:
    log = SqlNotificationLog(engine, callbacks=True)
    play(log)
    sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=4)
    fake = FakeNotificationLog()
    play(fake)
    sweep(log=fake, now=NOW, feedback_window=WINDOW, batch_size=4)
    assert snapshot(engine) == fake.snapshot()
    nid_of = {pk: row["notification_id"] for pk, row in fake.tables.notifications.items()}
    assert sorted(outbox(engine)) == sorted(
        (
            nid_of[c.notification_pk],
            c.previous_status,
            c.previous_reason,
            c.status,
            c.reason,
            format_timestamp(c.status_at),
        )
        for c in fake.tables.status_changes
    )
    settled, announced = snapshot(engine), outbox(engine)
    again = sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=4)
    assert (again.examined, again.changed) == (0, 0)
    assert snapshot(engine) == settled
    assert outbox(engine) == announced
    # Later still, the fresh and edge notifications are due in turn, and only they.
    later = sweep(log=log, now=NOW + timedelta(days=1), feedback_window=WINDOW)
    assert (later.examined, later.changed) == (2, 2)
    assert len(outbox(engine)) == len(announced) + 2
    assert pending_is_exact(engine)


class ThreadNamingLog(SqlNotificationLog):
    """Notes the thread each transaction runs in."""

    threads: set[str]

    def transaction(self) -> Any:
        self.threads.add(threading.current_thread().name)
        return super().transaction()


def test_workers_run_side_by_side_only_where_the_store_has_concurrent_writers(
    engine: Engine,
) -> None:
    load(engine, 40)
    log = ThreadNamingLog(engine, callbacks=True)
    log.threads = set()
    result = sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=3, workers=2)
    assert (result.examined, result.changed) == (40, 40)
    loops = {name for name in log.threads if name.startswith("inboxgap-sweeper")}
    if engine.dialect.name == "postgresql":
        assert log.concurrent_writers and len(loops) == 2
    else:  # SQLite: one writer at a time, so the sweep keeps to the calling thread
        assert not log.concurrent_writers and not loops
    assert stored_counts(engine) == status_counts_from_notifications(engine)


# --- PostgreSQL: row locks and the planner ----------------------------------------------


def load(engine: Engine, count: int, *, batch: int = 1000) -> None:
    log = SqlNotificationLog(engine, callbacks=True)
    for first in range(0, count, batch):
        record_sends(
            [send(f"bulk{i}") for i in range(first, min(count, first + batch))],
            log=log,
            now=RECORDED,
            feedback_window=WINDOW,
        )


def test_two_sweepers_sweep_each_notification_once(
    postgres_schema_url: str, pg_engine: Engine
) -> None:
    load(pg_engine, 300)
    barrier = threading.Barrier(2, timeout=30)
    engines = [create_engine_from_url(postgres_schema_url) for _ in range(2)]

    def sweeper(index: int) -> int:
        barrier.wait()
        log = SqlNotificationLog(engines[index], callbacks=True)
        return sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=(7, 11)[index]).changed

    with ThreadPoolExecutor(2) as pool:
        changed = list(pool.map(sweeper, [0, 1]))
    assert sum(changed) == 300
    rows = outbox(pg_engine)
    assert len(rows) == 300
    assert len({row[0] for row in rows}) == 300
    assert set(statuses(pg_engine).values()) == {
        ("unknown", "no_feedback", "2025-03-05T10:00:00.000Z")
    }
    assert stored_counts(pg_engine) == status_counts_from_notifications(pg_engine)
    assert pending_is_exact(pg_engine)
    for eng in engines:
        eng.dispose()


def test_one_sweep_with_two_workers_sweeps_each_notification_once(pg_engine: Engine) -> None:
    play(SqlNotificationLog(pg_engine, callbacks=True))
    load(pg_engine, 500)
    log = SqlNotificationLog(pg_engine, callbacks=True)
    result = sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=9, workers=2)
    assert (result.examined, result.changed) == (513, 513)  # 500 bulk, 12 plain, delayed
    rows = outbox(pg_engine)
    swept = [row for row in rows if row[3] == "unknown"]
    assert len(swept) == 513
    assert len({row[0] for row in swept}) == 513
    after = statuses(pg_engine)
    assert after["delayed"][:2] == ("unknown", "delayed_no_outcome")
    assert {after[nid][0] for nid in ("fresh", "edge")} == {"sent"}
    assert after["delivered"][0] == "delivered"
    assert stored_counts(pg_engine) == status_counts_from_notifications(pg_engine)
    assert pending_is_exact(pg_engine)
    again = sweep(log=log, now=NOW, feedback_window=WINDOW, workers=2)
    assert (again.examined, again.changed) == (0, 0)


def test_a_notification_another_transaction_holds_waits_for_the_next_run(pg_engine: Engine) -> None:
    load(pg_engine, 20)
    log = SqlNotificationLog(pg_engine, callbacks=True)
    with pg_engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        holder.execute(
            text("SELECT id FROM notifications WHERE notification_id = 'bulk3' FOR NO KEY UPDATE")
        )
        first = pool.submit(sweep, log=log, now=NOW, feedback_window=WINDOW, batch_size=5)
        assert first.result(timeout=60).changed == 19  # did not wait for the lock
        holder.rollback()
    assert statuses(pg_engine)["bulk3"][0] == "sent"
    assert sweep(log=log, now=NOW, feedback_window=WINDOW).changed == 1
    assert len(outbox(pg_engine)) == 20
    assert pending_is_exact(pg_engine)


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


def test_right_after_a_bulk_load_without_statistics_the_plan_uses_indexes(
    pg_engine: Engine,
) -> None:
    with pg_engine.begin() as conn:
        for table in ("notifications", "pending_notifications", "events"):
            conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
    load(pg_engine, 3000)
    with pg_engine.connect() as conn:
        analyzed = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND relname IN ('notifications', 'pending_notifications') "
                "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
            )
        ).scalar_one()
    assert analyzed == 0  # the planner has no statistics of the load
    raw = pg_engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None  # a live pooled connection always has one
        cursor = driver.cursor()
        params = sweep_params(SweepChunk(NOW - WINDOW, 1000, NOW, WINDOW, WINDOW_RULE, NOW))
        cursor.execute(PLANNER_SQL)  # as the sweep's transaction does
        cursor.execute("EXPLAIN (FORMAT JSON) " + SWEEP_WITH_OUTBOX_SQL, params)
        (plan,) = cursor.fetchone()
        driver.rollback()
    finally:
        raw.close()
    nodes = list(plan_nodes(plan[0]["Plan"]))
    scans = {(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes}
    assert ("Index Scan", "pending_notifications", "ix_pending_notifications_sent_at") in scans
    assert ("Index Scan", "notifications", "pk_notifications") in scans
    seq_scanned = {rel for kind, rel, _ in scans if kind == "Seq Scan"}
    assert not seq_scanned & {"notifications", "pending_notifications"}
    result = sweep(
        log=SqlNotificationLog(pg_engine, callbacks=True), now=NOW, feedback_window=WINDOW
    )
    assert (result.examined, result.changed) == (3000, 3000)
    with pg_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(status_callbacks)) == 3000
    assert stored_counts(pg_engine) == status_counts_from_notifications(pg_engine)
    assert pending_is_exact(pg_engine)
