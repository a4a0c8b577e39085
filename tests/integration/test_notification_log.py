"""The SQL notification log on SQLite and PostgreSQL: the handlers end to end."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.integration.snapshots import (
    pending_is_exact,
    snapshot,
    status_counts_from_notifications,
    stored_counts,
)
from tests.support.ingest import NO_SLEEP, NOW, WINDOW, send_record
from worker import migrations
from worker.adapters.database import create_engine_from_url, dead_letters, events, notifications
from worker.adapters.notification_log import SqlLogTransaction, SqlNotificationLog
from worker.handlers.dead_letters import replay_dead_letters
from worker.handlers.ingest import apply_batch
from worker.handlers.ports import SchemaNotReadyError, TransientStoreError
from worker.handlers.purge import purge
from worker.handlers.sends import record_sends
from worker.handlers.sweep import sweep

SENDS = [
    send_record("n1", "m1", "Jane <Jane@Acme.example>"),
    send_record("n2", "m2", "bob@acme.example", "receipt"),
]
BATCHES: list[list[str | bytes]] = [
    [
        b.delivery("m1", ["jane@acme.example"]),
        b.bounce("m9", "early@x.example", feedback_id="f-early"),  # before its send
        "not json",
        b.subscription_confirmation(),
    ],
    [
        b.send("m3", ["a@x.example", "b@x.example", "c@x.example"], notification_id="multi"),
        b.delivery("m3", ["a@x.example"]),
        b.bounce("m3", "b@x.example", feedback_id="f-b"),
        b.complaint("m3", "c@x.example", feedback_id="f-c"),
        b.delivery("m1", ["jane@acme.example"]),  # duplicate
        b.open_("m2", "bob@acme.example"),
        b.delay("m2", "bob@acme.example"),
    ],
    [b.send("m9", ["early@x.example"], notification_id="late-send")],
]


def play(log: SqlNotificationLog | FakeNotificationLog) -> None:
    record_sends(SENDS, log=log, now=NOW, feedback_window=WINDOW)
    for batch in BATCHES:
        apply_batch(batch, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)


def status(engine: Engine, notification_id: str) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            select(notifications.c.status, notifications.c.reason).where(
                notifications.c.notification_id == notification_id
            )
        ).one()
    return row.status, row.reason


def test_scenario_statuses_counts_and_same_tables_as_the_fake(
    engine: Engine, sql_log: SqlNotificationLog
) -> None:
    play(sql_log)
    assert status(engine, "n1") == ("delivered", "accepted")
    assert status(engine, "n2") == ("sent", "delivery_delayed")
    assert status(engine, "multi/a@x.example") == ("delivered", "accepted")
    assert status(engine, "multi/b@x.example") == ("bounced", "mailbox_not_found")
    assert status(engine, "multi/c@x.example") == ("quarantined", "complaint")
    assert status(engine, "late-send") == ("bounced", "mailbox_not_found")
    assert stored_counts(engine) == status_counts_from_notifications(engine)
    assert pending_is_exact(engine)
    fake = FakeNotificationLog()
    play(fake)
    assert snapshot(engine) == fake.snapshot()


def test_results_count_each_kind(sql_log: SqlNotificationLog) -> None:
    record_sends(SENDS, log=sql_log, now=NOW, feedback_window=WINDOW)
    first = apply_batch(BATCHES[0], log=sql_log, now=NOW, feedback_window=WINDOW)
    assert (first.applied, first.parked, first.dead_lettered, first.control) == (1, 1, 1, 1)
    second = apply_batch(BATCHES[1], log=sql_log, now=NOW, feedback_window=WINDOW)
    assert second.duplicate == 1
    assert second.ignored == 1
    assert second.notifications_created == 3
    third = apply_batch(BATCHES[2], log=sql_log, now=NOW, feedback_window=WINDOW)
    assert (third.notifications_created, third.unparked) == (1, 1)


def test_replaying_everything_changes_nothing(engine: Engine, sql_log: SqlNotificationLog) -> None:
    play(sql_log)
    before = snapshot(engine)
    play(sql_log)
    everything = [body for batch in BATCHES for body in batch]
    apply_batch(everything[::-1], log=sql_log, now=NOW, feedback_window=WINDOW)
    assert snapshot(engine) == before
    assert pending_is_exact(engine)


def test_sweep_then_late_feedback(engine: Engine, sql_log: SqlNotificationLog) -> None:
    record_sends(
        [send_record(f"s{i}", f"sm{i}", f"u{i}@x.example") for i in range(25)],
        log=sql_log,
        now=NOW,
        feedback_window=WINDOW,
    )
    apply_batch([b.delay("sm0", "u0@x.example")], log=sql_log, now=NOW, feedback_window=WINDOW)
    later = NOW + timedelta(days=2)
    result = sweep(log=sql_log, now=later, feedback_window=WINDOW, batch_size=10)
    assert (result.examined, result.changed, result.batches) == (25, 25, 3)
    assert status(engine, "s0") == ("unknown", "delayed_no_outcome")
    assert status(engine, "s1") == ("unknown", "no_feedback")
    assert pending_is_exact(engine)
    assert sweep(log=sql_log, now=later, feedback_window=WINDOW).examined == 0
    apply_batch(
        [b.delivery("sm1", ["u1@x.example"])], log=sql_log, now=later, feedback_window=WINDOW
    )
    assert status(engine, "s1") == ("delivered", "accepted")
    assert stored_counts(engine) == status_counts_from_notifications(engine)
    assert pending_is_exact(engine)


def test_purge_blanks_personal_data_and_keeps_counts(
    engine: Engine, sql_log: SqlNotificationLog
) -> None:
    play(sql_log)
    counts = stored_counts(engine)
    later = NOW + timedelta(days=100)
    total = purge(log=sql_log, now=later, older_than=timedelta(days=90), batch_size=2)
    assert total.notifications == 6
    assert total.dead_letters == 1
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == 0
        assert conn.scalar(select(func.count()).where(notifications.c.recipient.is_not(None))) == 0
        assert conn.scalar(select(func.count()).where(dead_letters.c.body.is_not(None))) == 0
    assert stored_counts(engine) == counts
    assert pending_is_exact(engine)
    assert status(engine, "multi/c@x.example") == ("quarantined", "complaint")
    again = purge(log=sql_log, now=later, older_than=timedelta(days=90))
    assert again.total == 0


def test_dead_letters_replay_after_a_fix(
    engine: Engine, sql_log: SqlNotificationLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.handlers import ingest

    record_sends(SENDS, log=sql_log, now=NOW, feedback_window=WINDOW)

    def broken(body: str | bytes) -> object:
        raise RuntimeError("parser bug")

    with monkeypatch.context() as patch:  # undone on leaving: the replay parses for real
        patch.setattr(ingest, "parse_body", broken)
        result = apply_batch(
            [b.delivery("m1", ["jane@acme.example"]), "junk"],
            log=sql_log,
            now=NOW,
            feedback_window=WINDOW,
        )
    assert result.dead_lettered == 2
    replay = replay_dead_letters(None, log=sql_log, now=NOW, feedback_window=WINDOW)
    assert (replay.replayed, replay.resolved, replay.still_rejected) == (2, 1, 1)
    assert status(engine, "n1") == ("delivered", "accepted")
    with engine.connect() as conn:
        rows = conn.execute(
            select(dead_letters.c.code, dead_letters.c.count, dead_letters.c.resolved_at)
        ).all()
    assert sorted((r.code, r._mapping["count"], r.resolved_at is not None) for r in rows) == [
        ("not_json", 1, False),
        ("parser_error", 1, True),
    ]
    assert replay_dead_letters(None, log=sql_log, now=NOW, feedback_window=WINDOW).replayed == 1


def test_nul_bytes_and_long_diagnostics_are_stored_safely(
    engine: Engine, sql_log: SqlNotificationLog
) -> None:
    record_sends(SENDS, log=sql_log, now=NOW, feedback_window=WINDOW)
    body = b.bounce(
        "m1", "jane@acme.example", feedback_id="f\\u0000x", diagnostic="550 " + "x\\u0000" * 3000
    )
    result = apply_batch([body], log=sql_log, now=NOW, feedback_window=WINDOW)
    assert result.applied == 1
    with engine.connect() as conn:
        diagnostic = conn.scalar(select(events.c.diagnostic))
    assert diagnostic is not None and len(diagnostic) <= 2000 and "\x00" not in diagnostic


class KillingLog(SqlNotificationLog):
    """Breaks the connection (or holds SQLite's write lock) in the first transaction."""

    def __init__(self, engine: Engine, database_url: str) -> None:
        super().__init__(engine)
        self.database_url = database_url
        self.attempts = 0

    @contextmanager
    def transaction(self) -> Iterator[SqlLogTransaction]:
        self.attempts += 1
        if self.attempts == 1 and self.engine.dialect.name == "sqlite":
            with self._sqlite_locked(), super().transaction() as tx:
                yield tx
            return
        with super().transaction() as tx:
            if self.attempts == 1:
                tx.conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            yield tx

    @contextmanager
    def _sqlite_locked(self) -> Iterator[None]:
        path = self.engine.url.database
        assert path
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()


def test_transient_errors_are_retried(database_url: str, engine: Engine) -> None:
    quick = create_engine_from_url(database_url, sqlite_busy_timeout_ms=50)
    log = KillingLog(quick, database_url)
    record_sends(SENDS, log=SqlNotificationLog(engine), now=NOW, feedback_window=WINDOW)
    result = apply_batch(
        [b.delivery("m1", ["jane@acme.example"])],
        log=log,
        now=NOW,
        feedback_window=WINDOW,
        retrying=NO_SLEEP,
    )
    assert result.applied == 1
    assert log.attempts == 2
    assert status(engine, "n1") == ("delivered", "accepted")
    quick.dispose()


def test_a_connection_lost_while_copying_rows_is_retried(postgres_schema_url: str) -> None:
    # PostgreSQL's fast path copies rows through the driver, outside SQLAlchemy's execute.
    engine = create_engine_from_url(postgres_schema_url)
    migrations.upgrade(engine)
    record_sends(SENDS, log=SqlNotificationLog(engine), now=NOW, feedback_window=WINDOW)
    doomed = create_engine_from_url(postgres_schema_url)
    attempts = 0

    class CutLog(SqlNotificationLog):
        @contextmanager
        def transaction(self) -> Iterator[SqlLogTransaction]:
            nonlocal attempts
            attempts += 1
            with super().transaction() as tx:
                if attempts == 1:  # killed from outside: the next round trip is the COPY
                    pid = tx.conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                    with engine.connect() as other:
                        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                yield tx

    result = apply_batch(
        [b.delivery("m1", ["jane@acme.example"])],
        log=CutLog(doomed),
        now=NOW,
        feedback_window=WINDOW,
        retrying=NO_SLEEP,
    )
    assert (result.applied, attempts) == (1, 2)
    assert status(engine, "n1") == ("delivered", "accepted")
    doomed.dispose()
    engine.dispose()


def test_an_explicit_record_moves_a_pending_send_time(
    engine: Engine, sql_log: SqlNotificationLog
) -> None:
    apply_batch(
        [b.send("m5", ["e@x.example"], notification_id="n5", timestamp="2025-03-04T09:00:00.000Z")],
        log=sql_log,
        now=NOW,
        feedback_window=WINDOW,
    )
    assert pending_is_exact(engine)
    record_sends(
        [send_record("n5", "m5", "e@x.example")], log=sql_log, now=NOW, feedback_window=WINDOW
    )
    with engine.connect() as conn:
        assert conn.scalar(select(notifications.c.sent_at)) == "2025-03-04T10:00:00.000Z"
    assert pending_is_exact(engine)
    apply_batch([b.delivery("m5", ["e@x.example"])], log=sql_log, now=NOW, feedback_window=WINDOW)
    assert pending_is_exact(engine)


def test_missing_tables_say_run_db_upgrade(database_url: str) -> None:
    bare = create_engine_from_url(database_url)
    with pytest.raises(SchemaNotReadyError, match="inboxgap db upgrade"):
        apply_batch(
            [b.delivery("m1", ["a@x.example"])],
            log=SqlNotificationLog(bare),
            now=NOW,
            feedback_window=WINDOW,
        )
    bare.dispose()


def test_transient_error_classification() -> None:
    assert issubclass(TransientStoreError, Exception)


def test_the_it_admin_block_reads_what_the_ledger_keeps(
    engine: Engine, sql_log: SqlNotificationLog
) -> None:
    import json

    from worker.queries.support import SupportQueries, it_admin_block

    record_sends(SENDS, log=sql_log, now=NOW, feedback_window=WINDOW)
    body = json.loads(b.bounce("m1", "jane@acme.example", feedback_id="f-admin"))
    body["mail"]["commonHeaders"] = {"from": ["Acme <alerts@acme.example>"], "subject": "Code"}
    body["mail"]["tags"]["ses:from-domain"] = ["acme.example"]
    body["bounce"]["remoteMtaIp"] = "198.51.100.7"
    apply_batch([json.dumps(body)], log=sql_log, now=NOW, feedback_window=WINDOW)
    (found,) = SupportQueries(engine).lookup(notification_id="n1")
    (event,) = found.events
    assert (event.from_header, event.subject, event.sending_domain) == (
        "Acme <alerts@acme.example>",
        "Code",
        "acme.example",
    )
    lines = dict(it_admin_block(found, region="us-east-1").lines)
    assert lines["From"] == "Acme <alerts@acme.example>"
    assert lines["Subject"] == "Code"
    assert lines["Sending domain"] == "acme.example"
    assert lines["Reporting MTA"] == "dns; a8-1.smtp-out.amazonses.com"
    assert lines["Remote MTA IP"] == "198.51.100.7"


def test_refresh_statistics_analyzes_the_loaded_tables(
    engine: Engine, sql_log: SqlNotificationLog
) -> None:
    sends = [send_record(f"n{i}", f"m{i}", f"user{i}@acme.example") for i in range(50)]
    record_sends(sends, log=sql_log, now=NOW, feedback_window=timedelta(hours=24))
    with sql_log.transaction() as tx:
        tx.refresh_statistics()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows: dict[str, float] = dict(
                conn.execute(
                    text(
                        "SELECT relname, reltuples FROM pg_class WHERE relname IN "
                        "('notifications', 'pending_notifications') AND relkind = 'r' "
                        "AND pg_table_is_visible(oid)"
                    )
                ).all()
            )
            assert rows == {"notifications": 50, "pending_notifications": 50}
        else:
            analyzed = {row[0] for row in conn.execute(text("SELECT tbl FROM sqlite_stat1")).all()}
            assert {"notifications", "pending_notifications"} <= analyzed


def test_times_cross_the_port_as_utc_datetimes_to_the_millisecond(
    sql_log: SqlNotificationLog,
) -> None:
    """Migration 0007 (issue 15): whatever the database (timestamptz or ISO text), a time
    handed to the port comes back as the same aware UTC datetime, to the millisecond."""
    from datetime import timezone

    from worker.handlers.ports import NewNotification

    kathmandu = timezone(timedelta(hours=5, minutes=45))
    sent_at = datetime(2025, 3, 4, 15, 45, 1, 123456, tzinfo=kathmandu)
    row = NewNotification("n-t", "m-t", "t@acme.example", "t@acme.example", "acme.example",
                          "magic_code", sent_at, "record")  # fmt: skip
    with sql_log.transaction() as tx:
        (created,) = tx.insert_notifications([row], datetime(2025, 3, 4, 10, tzinfo=UTC))
        (found,) = tx.find_sends([("m-t", "t@acme.example")])
        (state,) = tx.lock_notifications([created.pk])
    expected = datetime(2025, 3, 4, 10, 0, 1, 123000, tzinfo=UTC)
    for moment in (found.sent_at, state.sent_at, state.status_at):
        assert moment == expected and moment.tzinfo is UTC
    assert state.count_key()[0] == "2025-03-04"
