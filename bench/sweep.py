"""Feedback-window sweep throughput: notifications swept per second, PostgreSQL.

    python bench/sweep.py [--count 1000000] [--batch-size 5000] [--workers N] [--parked 0]

Two runs, each on a fresh schema (in ``INBOXGAP_BENCH_DATABASE_URL``, default the local
``test`` database) migrated by the real migrations: ``--count`` sends are recorded
through the production bulk path (``record_sends``, what ``inboxgap sent import`` runs),
all sent two days ago, so every one is past the 24 h feedback window; then the production
sweep (what ``inboxgap sweep`` runs, with ``--workers`` sweepers side by side, default
the command's) turns them all ``unknown``.

* ``stale``: the sweep starts right after the load, autovacuum off for the schema's tables,
  so the planner works from the statistics of the empty tables (what it saw right after a
  large ``sent import``);
* ``analyzed``: the same after ``ANALYZE``.

With ``--parked N``, N parked events of messages that were never recorded (what piles up
when some mail is sent without a send record) are inserted before the sweep, and the
first step of the sweep, the re-attach of parked events whose send is recorded
(``reattach_missed``, a scan of the parked set), is also timed on its own.

Prints one JSON object: load and sweep seconds, notifications swept per second, and
the WAL written while the sweep ran (MB, full-page images, checkpoints: the whole
server's, other sessions included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import make_url, text

from config.logging import configure_logging
from config.settings import Settings
from worker import migrations
from worker.adapters.database import create_engine_from_url
from worker.bootstrap import build_app
from worker.cli.log import DEFAULT_WORKERS
from worker.handlers.sends import SendRecord
from worker.handlers.sweep import DEFAULT_BATCH_SIZE, reattach_missed

# Parked events of messages never recorded: ledger rows whose notification is NULL.
PARKED_SQL = """
    INSERT INTO events (identity, recipient, message_id, notification_pk, received_at,
        event_type, occurred_at)
    SELECT 'Delivery|orphan-' || g || '|x', 'orphan' || g || '@example.com', 'orphan-' || g,
        NULL, :now, 'Delivery', :now
    FROM generate_series(1, :n) AS g
"""

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LOAD_CHUNK = 10_000
TABLES = ("notifications", "pending_notifications", "events", "daily_status_counts")
# The server's WAL position, full-page images written and checkpoints started (whole
# cluster: other sessions count too). A checkpoint during the sweep makes the first change
# of every page after it write that page whole into the WAL, which is what makes two runs
# of the same plan differ by seconds.
WAL_STATE_SQL = """
    SELECT pg_current_wal_lsn(), (SELECT wal_fpi FROM pg_stat_wal),
        (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)
"""


def wal_state(engine: Any) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(WAL_STATE_SQL)).one())


def wal_during(engine: Any, before: tuple[Any, ...]) -> dict[str, Any]:
    """WAL written, full-page images and checkpoints since ``before``."""
    lsn, fpi, checkpoints = before
    with engine.connect() as conn:
        written = conn.execute(
            text("SELECT pg_current_wal_lsn() - CAST(:lsn AS pg_lsn)"), {"lsn": lsn}
        ).scalar_one()
    _, fpi_now, checkpoints_now = wal_state(engine)
    return {
        "wal_mb": round(float(written) / 2**20, 1),
        "wal_full_page_images": int(fpi_now - fpi),
        "checkpoints": int(checkpoints_now - checkpoints),
    }


def one_run(
    base_url: str, n: int, batch_size: int, *, analyze: bool, parked: int = 0, workers: int = 1
) -> dict[str, Any]:
    schema = f"bench_sweep_{secrets.token_hex(4)}"
    admin = create_engine_from_url(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine_from_url(url.render_as_string(hide_password=False))
    try:
        migrations.upgrade(engine)
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
        app = build_app(Settings(database_url=str(url)), engine=engine, verify_envelope=None)
        now = dt.datetime.now(dt.UTC)
        sent_at = now - dt.timedelta(days=2)
        started = time.perf_counter()
        for first in range(0, n, LOAD_CHUNK):
            app.record_sends(
                [
                    SendRecord.create(
                        notification_id=f"n-{i}",
                        message_id=f"m-{i}",
                        recipient=f"user{i}@example.com",
                        sent_at=sent_at,
                        notification_type="bench",
                    )
                    for i in range(first, min(n, first + LOAD_CHUNK))
                ],
                now=now - dt.timedelta(days=2),
            )
        load_seconds = time.perf_counter() - started
        if parked:
            with engine.begin() as conn:
                conn.execute(text(PARKED_SQL), {"n": parked, "now": now.isoformat()})
        if analyze:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        started = time.perf_counter()
        reattach_missed(
            log=app.log, now=now, feedback_window=app.feedback_window, batch_size=batch_size
        )
        reattach_seconds = time.perf_counter() - started
        wal_before = wal_state(engine)
        started = time.perf_counter()
        result = app.sweep(now=now, batch_size=batch_size, workers=workers)
        sweep_seconds = time.perf_counter() - started
        sweep_wal = wal_during(engine, wal_before)
        with engine.connect() as conn:
            unknown = conn.execute(
                text("SELECT count(*) FROM notifications WHERE status = 'unknown'")
            ).scalar_one()
        return {
            "statistics": "after ANALYZE" if analyze else "stale (right after the load)",
            "load_seconds": round(load_seconds, 2),
            "sends_per_s": round(n / load_seconds, 1),
            "parked_events": parked,
            "reattach_scan_seconds": round(reattach_seconds, 3),
            "sweep_seconds": round(sweep_seconds, 2),
            "swept": result.changed,
            "unknown_rows": int(unknown),
            "swept_per_s": round(result.changed / sweep_seconds, 1),
            "sweep_wal": sweep_wal,
        }
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count",
        "--notifications",
        dest="count",
        type=int,
        default=1_000_000,
        help="notifications to load and sweep (default 1M)",
    )
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="sweepers side by side"
    )
    parser.add_argument("--parked", type=int, default=0, help="parked events of unknown mail")
    parser.add_argument("--json", action="store_true", help="(always JSON; kept for symmetry)")
    args = parser.parse_args()
    configure_logging("WARNING")  # stdout carries the JSON result only
    base_url = os.environ.get("INBOXGAP_BENCH_DATABASE_URL", DEFAULT_URL)
    runs = [
        one_run(
            base_url,
            args.count,
            args.batch_size,
            analyze=analyze,
            parked=args.parked,
            workers=args.workers,
        )
        for analyze in (False, True)
    ]
    print(
        json.dumps(
            {
                "benchmark": "sweep",
                "db": make_url(base_url).get_backend_name(),
                "notifications": args.count,
                "batch_size": args.batch_size,
                "workers": args.workers,
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
