"""Send-recording throughput: sends recorded per second, PostgreSQL.

    python bench/sends.py [--count 1000000] [--import-workers N] [--task-calls 100]
        [--records 1000] [--json]

Each figure on a fresh schema (in ``INBOXGAP_BENCH_DATABASE_URL``, default the local
``test`` database; created, migrated by the real migrations, dropped at the end):

* ``sent_import``: ``--count`` sends written to a CSV file, then ``inboxgap sent import
  FILE`` run as a subprocess (the real CLI: CSV reading, validation, batches of its
  default size and writers (``--import-workers`` passes ``--workers``), the final
  ``ANALYZE``); wall time of the command, start-up included.
* ``record_sent``: ``--task-calls`` calls of the ``inboxgap.record_sent`` task body
  (``tasks.sends.run_record_sent``, what a worker runs per message) with
  ``records=[...]`` of ``--records`` sends each, in this process: one worker's pace,
  broker excluded.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import make_url, text

from config.logging import configure_logging
from worker import migrations
from worker.adapters.database import create_engine_from_url

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: ``inboxgap`` of this checkout (the installed script may point at another one).
CLI = (sys.executable, "-c", "from worker.cli import main; main()")
FIELDS = ("notification_id", "message_id", "recipient", "sent_at", "notification_type")


def _schema(base_url: str) -> tuple[str, str]:
    """A fresh migrated schema: (its name, a URL whose search_path is that schema)."""
    from tests.pg_schemas import fresh_postgres_schema_url

    rendered, schema = fresh_postgres_schema_url(base_url, prefix="bench_sends_")
    engine = create_engine_from_url(rendered)
    migrations.upgrade(engine)
    engine.dispose()
    return schema, rendered


def _drop(base_url: str, schema: str) -> None:
    admin = create_engine_from_url(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _row(i: int, sent_at: str, prefix: str = "") -> dict[str, str]:
    return {
        "notification_id": f"{prefix}n-{i}",
        "message_id": f"{prefix}0102019560b41c22-{i:012d}-000000",
        "recipient": f"User{i} <user{i}@domain{i % 97}.example>",
        "sent_at": sent_at,
        "notification_type": ("magic_code", "receipt", "digest")[i % 3],
    }


def _rows(url: str) -> int:
    engine = create_engine_from_url(url)
    with engine.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM notifications")).scalar_one())
    engine.dispose()
    return count


def bench_import(
    base_url: str, count: int, sent_at: str, batch_size: int | None, workers: int | None = None
) -> dict[str, Any]:
    schema, url = _schema(base_url)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sends.csv"
            with path.open("w", newline="", encoding="utf-8") as file:
                writer = csv.DictWriter(file, fieldnames=FIELDS)
                writer.writeheader()
                for i in range(count):
                    writer.writerow(_row(i, sent_at))
            env = {
                **os.environ,
                "INBOXGAP_DATABASE_URL": url,
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
                ),
            }
            started = time.perf_counter()
            done = subprocess.run(
                [*CLI, "sent", "import", str(path)]
                + (["--batch-size", str(batch_size)] if batch_size else [])
                + (["--workers", str(workers)] if workers else []),
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"sent import failed ({done.returncode}): {done.stderr[-2000:]}")
        stored = _rows(url)
        return {
            "sends": count,
            "stored": stored,
            "seconds": round(seconds, 2),
            "sends_per_s": round(count / seconds, 1),
            "output": done.stdout.strip()[-300:],
        }
    finally:
        _drop(base_url, schema)


def bench_record_sent(base_url: str, calls: int, per_call: int, sent_at: str) -> dict[str, Any]:
    schema, url = _schema(base_url)
    try:
        os.environ["INBOXGAP_DATABASE_URL"] = url
        from config.settings import get_settings
        from tasks.sends import run_record_sent

        get_settings.cache_clear()
        batches: list[list[Mapping[str, Any]]] = [
            [_row(call * per_call + i, sent_at, prefix="t") for i in range(per_call)]
            for call in range(calls)
        ]
        run_record_sent(records=[_row(0, sent_at, prefix="warm")])  # connect, warm caches
        created = 0
        started = time.perf_counter()
        for batch in batches:
            created += run_record_sent(records=batch)["created"]
        seconds = time.perf_counter() - started
        return {
            "calls": calls,
            "records_per_call": per_call,
            "created": created,
            "seconds": round(seconds, 2),
            "sends_per_s": round(calls * per_call / seconds, 1),
        }
    finally:
        _drop(base_url, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="sends to import")
    parser.add_argument(
        "--import-batch-size", type=int, default=None, help="(default: the CLI's default)"
    )
    parser.add_argument(
        "--import-workers", type=int, default=None, help="(default: the CLI's default)"
    )
    parser.add_argument("--task-calls", type=int, default=100)
    parser.add_argument("--records", type=int, default=1000, help="records per task call")
    parser.add_argument("--json", action="store_true", help="(always JSON; kept for symmetry)")
    args = parser.parse_args()
    configure_logging("WARNING")  # stdout carries the JSON result only
    base_url = os.environ.get("INBOXGAP_BENCH_DATABASE_URL", DEFAULT_URL)
    sent_at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = {
        "benchmark": "sends",
        "db": make_url(base_url).get_backend_name(),
        "sent_import": bench_import(
            base_url, args.count, sent_at, args.import_batch_size, args.import_workers
        ),
        "record_sent": bench_record_sent(base_url, args.task_calls, args.records, sent_at),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
