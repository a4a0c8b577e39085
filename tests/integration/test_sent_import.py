"""``inboxgap sent import`` in batches, on SQLite and PostgreSQL (issue 15: batches are
written while the next one is read): duplicates in the input and conflicts with rows
already in the log come out as they always did, whatever the batch size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from config.settings import get_settings
from tests import bodies as b
from tests.integration.snapshots import (
    pending_is_exact,
    status_counts_from_notifications,
    stored_counts,
)
from tests.support.ingest import NOW, WINDOW, send_record
from worker.adapters.database import create_engine_from_url, notifications
from worker.adapters.notification_log import SqlNotificationLog
from worker.cli import main
from worker.handlers.ingest import apply_batch
from worker.handlers.sends import record_sends

HEADER = "notification_id,message_id,recipient,sent_at,notification_type\n"
T = "2025-03-04T10:00:00Z"
ROWS = [
    f"n1,m1,a@x.example,{T},magic_code",  # new
    f"n1,m1,a@x.example,{T},magic_code",  # the same line again
    f"n2,m2,b@x.example,{T},receipt",  # new
    f"n1,m1,Ann <A@X.example>,{T},magic_code",  # the same send, another spelling
    f"n1,m9,c@x.example,{T},magic_code",  # id n1 already used for another send
    f"n3,m2,b@x.example,{T},receipt",  # (m2, b) already recorded under n2
    f"n0,m0,z@x.example,{T},receipt",  # recorded before the import
    f"n5,m5,e@x.example,{T},digest",  # created from an SES Send event: replaced
    f"n6,m6,f@x.example,{T},receipt",  # new
    "n7,m7,not-an-address,2025-03-04T10:00:00Z,receipt",  # invalid
]


@pytest.fixture
def env(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Path]:
    """The log with one recorded send and one created from an SES Send event, the CLI
    pointed at it, and the CSV to import."""
    log = SqlNotificationLog(engine)
    record_sends(
        [send_record("n0", "m0", "z@x.example", "receipt", sent_at=T)],
        log=log,
        now=NOW,
        feedback_window=WINDOW,
    )
    apply_batch([b.send("m5", ["e@x.example"])], log=log, now=NOW, feedback_window=WINDOW)
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    path = tmp_path / "sends.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n")
    yield path
    get_settings.cache_clear()


def rows(engine: Engine) -> set[tuple[str, str, str, str, str]]:
    n = notifications.c
    with engine.connect() as conn:
        return {
            tuple(row)
            for row in conn.execute(
                select(
                    n.notification_id, n.ses_message_id, n.recipient, n.notification_type, n.source
                )
            )
        }


@pytest.mark.parametrize(
    ("batch_size", "summary"),
    [
        # One batch: lines repeating a send (key) or an id already in the batch are
        # dropped before the database; only n0 meets the log as already recorded.
        ("1000", "created 3, already recorded 1, replaced 1, conflicting ids 0, invalid 1"),
        # Batches of two: the repeats arrive in later batches, so the log reports them
        # (respelled n1 and n3 as already recorded, (m9, c) under n1 as a conflict).
        ("2", "created 3, already recorded 3, replaced 1, conflicting ids 1, invalid 1"),
    ],
)
def test_duplicates_and_conflicts_come_out_as_before(
    env: Path, engine: Engine, batch_size: str, summary: str
) -> None:
    result = CliRunner().invoke(
        main, ["sent", "import", str(env), "--batch-size", batch_size], catch_exceptions=False
    )
    assert result.exit_code == 1  # the invalid line
    assert summary in result.output
    assert "line 11" in result.output
    assert rows(engine) == {
        ("n0", "m0", "z@x.example", "receipt", "record"),
        ("n1", "m1", "a@x.example", "magic_code", "record"),
        ("n2", "m2", "b@x.example", "receipt", "record"),
        ("n5", "m5", "e@x.example", "digest", "record"),
        ("n6", "m6", "f@x.example", "receipt", "record"),
    }
    assert stored_counts(engine) == status_counts_from_notifications(engine)
    assert pending_is_exact(engine)
    again = CliRunner().invoke(main, ["sent", "import", str(env)], catch_exceptions=False)
    assert "created 0" in again.output
    assert stored_counts(engine) == status_counts_from_notifications(engine)


def test_a_failing_batch_stops_the_import_with_earlier_batches_kept(
    env: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.bootstrap.app import App
    from worker.handlers.ports import TransientStoreError

    original = App.record_sends
    calls = {"n": 0}

    def flaky(self: App, records: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise TransientStoreError("connection lost")
        return original(self, records, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "record_sends", flaky)
    result = CliRunner().invoke(main, ["sent", "import", str(env), "--batch-size", "2"])
    assert result.exit_code == 1
    assert "the database is unavailable" in result.output
    assert ("n1", "m1", "a@x.example", "magic_code", "record") in rows(engine)
    assert all(row[0] != "n6" for row in rows(engine))  # nothing after the failed batch


def test_parked_events_find_the_sends_the_import_records(env: Path, engine: Engine) -> None:
    log = SqlNotificationLog(engine)
    early = ("m6", "f@x.example")
    apply_batch([b.delivery("m6", ["f@x.example"])], log=log, now=NOW, feedback_window=WINDOW)
    with log.transaction() as tx:
        assert tx.parked_keys([early, ("m1", "a@x.example"), ("m0", "z@x.example")]) == {early}
    result = CliRunner().invoke(main, ["sent", "import", str(env)], catch_exceptions=False)
    assert "parked events applied 1" in result.output
    with log.transaction() as tx:
        assert tx.parked_keys([early]) == set()
    n = notifications.c
    with engine.connect() as conn:
        status = conn.execute(select(n.status).where(n.notification_id == "n6")).scalar_one()
    assert status == "delivered"
    assert stored_counts(engine) == status_counts_from_notifications(engine)


def test_two_writers_on_postgresql_give_the_outcome_of_one_in_file_order(
    postgres_schema_url: str, pg_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Repeated sends and reused ids across batches: batches in flight side by side give
    the summary and rows of writing them one by one (SQLite, one writer)."""
    lines = []
    for i in range(120):
        if i % 7 == 6:  # the send of line i - 5 again, under another id
            lines.append(f"x{i},m{i - 5},r{i - 5}@x.example,{T},receipt")
        elif i % 11 == 10:  # the id of line i - 3 for another send
            lines.append(f"n{i - 3},m{i},r{i}@x.example,{T},receipt")
        else:
            lines.append(f"n{i},m{i},r{i}@x.example,{T},receipt")
    path = tmp_path / "sends.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")
    outcomes = []
    for url, workers in ((f"sqlite:///{tmp_path / 'one.db'}", "1"), (postgres_schema_url, "2")):
        monkeypatch.setenv("INBOXGAP_DATABASE_URL", url)
        get_settings.cache_clear()
        result = CliRunner().invoke(
            main,
            ["sent", "import", str(path), "--batch-size", "4", "--workers", workers, "--json"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        engine = pg_engine if workers == "2" else create_engine_from_url(url)
        summary = result.output.strip().splitlines()[-1]  # after the warnings' log lines
        outcomes.append((summary, rows(engine), sorted(stored_counts(engine).items())))
        assert stored_counts(engine) == status_counts_from_notifications(engine)
        assert pending_is_exact(engine)
    get_settings.cache_clear()
    assert outcomes[0] == outcomes[1]
    assert '"conflicting": ' in outcomes[1][0] and '"conflicting": 0' not in outcomes[1][0]
