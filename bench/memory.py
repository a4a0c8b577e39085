"""Worker memory: the peak RSS of one process ingesting N events in batches, at several N.

    python bench/memory.py [--events 100000,400000] [--batch-size 500] [--json]

Each size runs in its own child process (peak RSS only grows within a process): a fresh
SQLite log in a temporary directory, then realistic traffic from ``worker.simulation``
(every envelope, duplicates, out of order, a few malformed bodies), generated a chunk at
a time so the bench holds no more bodies than one chunk, applied through the production
handler (``App.ingest``, one transaction per batch). The child prints
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after the first batch (imports, caches,
connection) and after the last one: memory that does not grow with the number of events
shows as the same peak at every size. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOTIFICATIONS_PER_CHUNK = 1000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def child(events: int, batch_size: int) -> dict[str, Any]:
    from config.logging import configure_logging
    from config.settings import Settings
    from worker import migrations
    from worker.adapters.database import create_engine_from_url
    from worker.bootstrap import build_app
    from worker.simulation import generate_traffic

    configure_logging("WARNING")
    with tempfile.TemporaryDirectory(prefix="inboxgap-memory-") as tmp:
        url = f"sqlite:///{tmp}/log.db"
        engine = create_engine_from_url(url)
        migrations.upgrade(engine)
        app = build_app(Settings(database_url=url), engine=engine, verify_envelope=None)
        start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
        done = 0
        after_first: float | None = None
        seed = 0
        started = time.perf_counter()
        while done < events:
            seed += 1
            traffic = generate_traffic(
                notifications=NOTIFICATIONS_PER_CHUNK, seed=seed, start=start, malformed=1
            )
            bodies = list(traffic.bodies)[: events - done]
            for first in range(0, len(bodies), batch_size):
                app.ingest(bodies[first : first + batch_size])
                if after_first is None:
                    after_first = peak_rss_mb()
            done += len(bodies)
            del traffic, bodies
        seconds = time.perf_counter() - started
        return {
            "events": done,
            "seconds": round(seconds, 1),
            "peak_rss_mb_after_first_batch": round(after_first or 0.0, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="100000,400000", help="comma-separated sizes")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="(always JSON; kept for symmetry)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.batch_size)))
        return
    runs = []
    for events in (int(n) for n in args.events.split(",")):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(events),
                "--batch-size",
                str(args.batch_size),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    peaks = [run["peak_rss_mb"] for run in runs]
    print(
        json.dumps(
            {
                "benchmark": "memory",
                "db": "sqlite",
                "batch_size": args.batch_size,
                "runs": runs,
                "peak_growth_mb": round(max(peaks) - min(peaks), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
