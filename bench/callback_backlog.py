"""Benchmark: the outbox backlog read after every delivery pass and by every alert check.

    python bench/callback_backlog.py [--rows 3000000] [--pending-every 1000] [--repeats 5]

On PostgreSQL (``INBOXGAP_BENCH_DATABASE_URL``, default the local ``test`` database, in a
dedicated schema ``inboxgap_bench_callback_backlog``, dropped and rebuilt): fills
``status_callbacks`` with ``--rows`` rows, delivered but one in ``--pending-every`` (what
the outbox holds until retention purges delivered rows), then times
:meth:`worker.adapters.callback_outbox.SqlCallbackOutbox.stats`, which runs after each pass
(every 5 s per worker) and each on-call check. Prints the milliseconds per read (best and
median): it must stay flat as delivered rows accumulate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from worker.adapters.callback_outbox import SqlCallbackOutbox

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "inboxgap_bench_callback_backlog"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--pending-every", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from bench._pg import fresh_migrated_schema

    url = os.environ.get("INBOXGAP_BENCH_DATABASE_URL", DEFAULT_URL)
    engine = fresh_migrated_schema(url, SCHEMA)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO status_callbacks (webhook_id, notification_pk, "
                    "previous_status, previous_reason, status, reason, status_at, state, "
                    "attempts, created_at, next_attempt_at, delivered_at, updated_at) "
                    "SELECT 'msg_' || g, g, 'sent', 'awaiting_feedback', 'delivered', "
                    "'accepted', '2026-01-01T00:00:00.000Z', CASE WHEN g % :every = 0 THEN "
                    "'pending' ELSE 'delivered' END, 1, '2026-01-01T00:00:00.000Z', NULL, "
                    "NULL, '2026-01-01T00:00:00.000Z' FROM generate_series(1, :n) g"
                ),
                {"n": args.rows, "every": args.pending_every},
            )
            conn.execute(text("ANALYZE status_callbacks"))
        outbox = SqlCallbackOutbox(engine)
        outbox.stats()  # warm the connection and the cache
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            stats = outbox.stats()
            times.append((time.perf_counter() - started) * 1000)
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "pending": stats.pending,
                    "stats_ms_best": round(min(times), 1),
                    "stats_ms_median": round(statistics.median(times), 1),
                }
            )
        )
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
