"""Support read latency on a big notification log (PostgreSQL).

    python bench/lookup.py --json [--rows 10000000] [--lookups 2000] [--fresh]
    python bench/lookup.py --mode deliverability --rows 1000000 [--schema NAME]
    python bench/lookup.py --mode overview --rows 1000000


Loads (once; reused by later runs with the same ``--rows``) a log of N notifications sent
over the last 90 days, in sending order, with one deciding ledger row per notification
that has feedback plus opens for some, and ``daily_status_counts`` computed from it, into
its own schema of ``INBOXGAP_BENCH_DATABASE_URL`` (default the local ``test`` database,
schema ``inboxgap_bench_lookup``, or ``--schema``: one per log size, so that runs at 1M
and 10M, or by two people, do not reload each other's), so tests are never clobbered. The
schema is built by the real migrations; plain indexes are dropped during the COPY bulk load
and rebuilt.

Then measures, through :class:`worker.queries.support.SupportQueries` (what the CLI and the
API call), the latency of a lookup by email with its events (p50/p99 over ``--lookups``
random addresses, 10 % of them unknown), and the time of the 24 h gap report (with and
without ``--by domain``). Goals: p99 < 5 ms and the report < 1 s.

``--mode deliverability`` times only the deliverability answer of ``GET
/api/v1/recipients/{email}/deliverability`` (its log and audit reads plus the pure
decision; the SES suppression-list call is left out: it is a network round trip we do not
control), p50/p99
over the same kind of random addresses, cold and warm, and for one address with ``--heavy``
notifications (added to the log once). Goal: p99 < 5 ms.

``--mode overview`` times what the support page's home computes (``overview`` of
:mod:`worker.api.routes.page`: the 24 h and 7 d gap reports, the 7-day per-day series and
the inline SVG chart), ``--reports`` times. Goal: < 1 s, like the report.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "inboxgap_bench_lookup"
DAYS = 90
CHUNK = 200_000

CONSUMER = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"]
TYPES = ["magic_code", "password_reset", "receipt", "invite", "digest"]
#: (cumulative probability, status, reason, event type, smtp status, provider)
OUTCOMES = [
    (0.930, "delivered", "accepted", "Delivery", "2.0.0", None),
    (0.945, "bounced", "mailbox_not_found", "Bounce", "5.1.1", "Gmail"),
    (0.950, "bounced", "mailbox_full", "Bounce", "5.2.2", None),
    (0.955, "bounced", "suppressed", "Bounce", "5.1.1", None),
    (0.965, "quarantined", "spam_filtered", "Bounce", "5.7.1", "Microsoft"),
    (0.972, "quarantined", "security_gateway", "Bounce", "5.0.0", "Mimecast"),
    (0.976, "quarantined", "sender_blocklisted", "Bounce", "5.7.1", "Spamhaus"),
    (0.980, "quarantined", "complaint", "Complaint", None, None),
    (0.990, "unknown", "no_feedback", None, None, None),
    (1.000, "unknown", "delayed_no_outcome", "DeliveryDelay", "4.4.1", None),
]


def ts(epoch_ms: int) -> str:
    seconds, ms = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def engine_for(url: str, schema: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        connect_args={"options": f"-c search_path={schema}"},
        pool_size=2,
        pool_pre_ping=True,
    )


def loaded_rows(engine: Engine, schema: str) -> int | None:
    with engine.connect() as conn:
        exists = conn.execute(
            text(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND "
                "table_name = 'bench_meta'"
            ),
            {"s": schema},
        ).first()
        if not exists:
            return None
        row = conn.execute(text("SELECT rows FROM bench_meta")).first()
        return int(row[0]) if row else None


def address_of(i: int, pool: int) -> tuple[str, str]:
    """The i-th address of the pool and its domain (deterministic)."""
    domain = CONSUMER[i % len(CONSUMER)] if i % 10 < 6 else f"corp{i % 20_000}.example"
    return f"user{i}@{domain}", domain


def load(engine: Engine, schema: str, rows: int, now_ms: int, seed: int) -> dict[str, float]:
    from bench._pg import fresh_schema_for_bulk_load
    from worker.adapters.database import full_metadata

    full_metadata()
    rng = random.Random(seed)
    pool = max(rows // 4, 1)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    index_definitions = fresh_schema_for_bulk_load(engine, schema)
    timings["schema_s"] = time.perf_counter() - start

    span_ms = DAYS * 86_400_000
    first_ms = now_ms - span_ms
    step = span_ms / rows
    start = time.perf_counter()
    events_total = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        n_copy = (
            "COPY notifications (id, notification_id, ses_message_id, recipient, "
            "recipient_original, recipient_domain, notification_type, sent_at, status, reason, "
            "status_at, updated_at, source) FROM STDIN"
        )
        e_copy = (
            "COPY events (identity, recipient, message_id, notification_pk, event_type, "
            "occurred_at, status, reason, smtp_status, diagnostic, provider, help_url, "
            "received_at) FROM STDIN"
        )
        pk = 0
        while pk < rows:
            n_lines: list[str] = []
            e_lines: list[str] = []
            for _ in range(min(CHUNK, rows - pk)):
                pk += 1
                sent_ms = int(first_ms + pk * step)
                sent = ts(sent_ms)
                address, domain = address_of(rng.randrange(pool), pool)
                kind = TYPES[rng.randrange(len(TYPES)) if rng.random() < 0.5 else 0]
                message_id = f"0100018f{pk:016x}-bench-000000"
                pending = now_ms - sent_ms < 3_600_000
                if pending:
                    status, reason, event_type, smtp, provider = (
                        "sent",
                        "awaiting_feedback",
                        None,
                        None,
                        None,
                    )
                else:
                    roll = rng.random()
                    outcome = next(o for o in OUTCOMES if roll <= o[0])
                    _, status, reason, event_type, smtp, provider = outcome
                at_ms = sent_ms + 1500 + rng.randrange(60_000)
                status_at = ts(at_ms) if event_type and status != "unknown" else sent
                n_lines.append(
                    f"{pk}\tn-{pk:010d}\t{message_id}\t{address}\t{address}\t{domain}\t"
                    f"{kind}\t{sent}\t{status}\t{reason}\t{status_at}\t{status_at}\trecord\n"
                )
                if event_type:
                    ev_status = "sent" if event_type == "DeliveryDelay" else status
                    ev_reason = "delivery_delayed" if event_type == "DeliveryDelay" else reason
                    diag = (
                        f"smtp; 550 {smtp} rejected by the receiving server"
                        if smtp and smtp[0] in "45"
                        else "\\N"
                    )
                    e_lines.append(
                        f"{event_type}|{message_id}|{address}|{ts(at_ms)}\t{address}\t"
                        f"{message_id}\t{pk}\t{event_type}\t{ts(at_ms)}\t{ev_status}\t"
                        f"{ev_reason}\t{smtp or chr(92) + 'N'}\t{diag}\t"
                        f"{provider or chr(92) + 'N'}\t\\N\t{ts(at_ms + 900)}\n"
                    )
                if status == "delivered" and rng.random() < 0.15:
                    open_ms = at_ms + rng.randrange(3_600_000)
                    e_lines.append(
                        f"Open|{message_id}|{address}|{ts(open_ms)}\t{address}\t{message_id}\t"
                        f"{pk}\tOpen\t{ts(open_ms)}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                        f"{ts(open_ms + 900)}\n"
                    )
            with cursor.copy(n_copy) as copy:
                copy.write("".join(n_lines))
            with cursor.copy(e_copy) as copy:
                copy.write("".join(e_lines))
            events_total += len(e_lines)
            raw.commit()
            print(f"  loaded {pk:,}/{rows:,}", file=sys.stderr, flush=True)
        cursor.close()
    finally:
        raw.close()
    timings["copy_s"] = time.perf_counter() - start
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        conn.execute(
            text(
                "INSERT INTO daily_status_counts (day, recipient_domain, notification_type, "
                "status, reason, count) "
                "SELECT to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), recipient_domain, "
                "notification_type, status, reason, count(*) FROM notifications "
                # In day order, as the handlers' upserts lay it out day after day.
                "GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
            )
        )
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('notifications', 'id'), {rows})"))
        for definition in index_definitions:
            conn.execute(text(definition))
        conn.execute(text("CREATE TABLE bench_meta (rows bigint, events bigint, loaded_at text)"))
        conn.execute(
            text("INSERT INTO bench_meta VALUES (:r, :e, :t)"),
            {"r": rows, "e": events_total, "t": ts(now_ms)},
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM ANALYZE"))
    timings["index_s"] = time.perf_counter() - start
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


HEAVY_ADDRESS = "ops-mailbox@heavy.example"


def _heavy_address(queries: Any, rows: int) -> dict[str, Any]:
    """p50/p99 of the answer for one address with ``rows`` notifications (a shared ops
    mailbox), added once to the loaded log: the case where reading every row of the
    address and sorting them, rather than stopping at the newest 20, shows."""

    if rows <= 0:
        return {}
    with queries.engine.begin() as conn:
        have = conn.scalar(
            text("SELECT count(*) FROM notifications WHERE recipient = :a"), {"a": HEAVY_ADDRESS}
        )
        if have < rows:
            conn.execute(
                text(
                    "INSERT INTO notifications (notification_id, ses_message_id, recipient, "
                    "recipient_original, recipient_domain, notification_type, sent_at, status, "
                    "reason, status_at, updated_at, source) "
                    "SELECT 'heavy-' || g, 'heavy-m-' || g, :a, :a, 'heavy.example', "
                    "'alert', timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute', "
                    "'delivered', 'accepted', "
                    "'2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z', 'record' "
                    "FROM generate_series(:have + 1, :rows) g"
                ),
                {"a": HEAVY_ADDRESS, "have": have, "rows": rows},
            )
            conn.execute(text("ANALYZE notifications"))
    latencies = []
    for _ in range(200):
        start = time.perf_counter()
        _answer(queries, HEAVY_ADDRESS)
        latencies.append((time.perf_counter() - start) * 1000)
    return {
        "heavy_address_rows": rows,
        "heavy_p50_ms": round(statistics.median(latencies), 3),
        "heavy_p99_ms": round(percentile(latencies, 0.99), 3),
    }


class _NotListed:
    """The suppression list as seen when SES is not asked (a network call the bench
    leaves out): nothing listed."""

    def get(self, email: str) -> None:
        return None

    def remove(self, email: str) -> bool:
        return False


def _answer(queries: Any, address: str) -> Any:
    """What ``GET .../deliverability`` computes but the SES call: the log read, the
    address's audit trail and the decision."""
    from worker.adapters.suppression import SqlSuppressionAudit
    from worker.queries.recipient import recipient_deliverability

    audit = SqlSuppressionAudit(queries.engine)
    return recipient_deliverability(
        address, queries=queries, suppression=_NotListed(), audit=audit
    ).deliverability


def deliverability(
    queries: Any, addresses: list[str], server: Any, meta: Any, heavy_rows: int
) -> dict[str, Any]:
    """Cold then warm p50/p99 of the deliverability answer's log read, audit read and
    decision, and the same for one address with ``heavy_rows`` notifications."""
    from worker.domain.deliverability import State

    passes: list[list[float]] = []
    states: dict[str, int] = dict.fromkeys((s.value for s in State), 0)
    cpu_started = time.process_time()
    for _ in range(2):
        latencies: list[float] = []
        for address in addresses:
            start = time.perf_counter()
            answer = _answer(queries, address)
            latencies.append((time.perf_counter() - start) * 1000)
            if not passes:
                states[answer.state.value] += 1
        passes.append(latencies)
    # What the p99 cannot show on a loaded machine: the answering process's own CPU.
    cpu_us = (time.process_time() - cpu_started) / (2 * len(addresses)) * 1e6
    heavy = _heavy_address(queries, heavy_rows)
    return {
        "db": f"postgresql {server}",
        "log_rows": int(meta.rows),
        "answers": len(addresses),
        "states": states,
        **heavy,
        "deliverability_p50_ms": round(statistics.median(passes[0]), 3),
        "deliverability_p99_ms": round(percentile(passes[0], 0.99), 3),
        "deliverability_warm_p50_ms": round(statistics.median(passes[1]), 3),
        "deliverability_warm_p99_ms": round(percentile(passes[1], 0.99), 3),
        "client_cpu_us_per_answer": round(cpu_us, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "goal_p99_ms": 5,
    }


def home_overview(queries: Any, now: datetime, runs: int, server: Any, meta: Any) -> dict[str, Any]:
    """The support page's home: two gap reports, the 7-day series and its SVG."""
    from worker.api.routes.page import overview

    load_before = os.getloadavg()[0]
    times = []
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        result = overview(queries, now)
        times.append(time.perf_counter() - start)
    week = result["periods"][-1].counts
    return {
        "db": f"postgresql {server}",
        "log_rows": int(meta.rows),
        "overview_runs": len(times),
        "overview_first_s": round(times[0], 4),
        "overview_median_s": round(statistics.median(times), 4),
        "overview_7d_sent": week.sent,
        "load_average_1m": round(load_before, 2),
        "goal_overview_s": 1,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="Notifications in the log.")
    parser.add_argument("--lookups", type=int, default=2000, help="Lookups to time.")
    parser.add_argument("--reports", type=int, default=5, help="Report runs to time.")
    parser.add_argument("--fresh", action="store_true", help="Reload even if already loaded.")
    parser.add_argument("--seed", type=int, default=20250304)
    parser.add_argument(
        "--heavy",
        type=int,
        default=20_000,
        help="deliverability: also time one address with this many notifications (0: no)",
    )
    parser.add_argument("--schema", default=SCHEMA, help="PostgreSQL schema of the loaded log.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    parser.add_argument(
        "--mode",
        choices=["all", "deliverability", "overview"],
        default="all",
        help="What to time.",
    )
    args = parser.parse_args()

    from worker.adapters import suppression  # noqa: F401  (registers ix_notifications_sent_at)
    from worker.queries.support import SupportQueries

    url = os.environ.get("INBOXGAP_BENCH_DATABASE_URL") or DEFAULT_URL
    engine = engine_for(url, args.schema)
    existing = loaded_rows(engine, args.schema)
    loaded_at = None
    timings: dict[str, float] = {}
    if args.fresh or existing != args.rows:
        now_ms = int(time.time() * 1000)
        print(f"loading {args.rows:,} notifications into {args.schema}...", file=sys.stderr)
        timings = load(engine, args.schema, args.rows, now_ms, args.seed)
    with engine.connect() as conn:
        meta = conn.execute(text("SELECT rows, events, loaded_at FROM bench_meta")).one()
        server = conn.execute(text("SHOW server_version")).scalar()
    loaded_at = datetime.fromisoformat(meta.loaded_at.replace("Z", "+00:00"))
    now = loaded_at.astimezone(UTC)

    queries = SupportQueries(engine)
    # Fresh addresses each run (pass 1 must not hit pages an earlier run left cached).
    rng = random.Random(time.time_ns())
    pool = max(args.rows // 4, 1)
    addresses = [
        address_of(rng.randrange(pool), pool)[0] if rng.random() < 0.9 else f"nobody{i}@x.example"
        for i in range(args.lookups)
    ]
    for address in [f"warmup{i}@x.example" for i in range(50)]:  # pool and plan cache
        queries.lookup(email=address)
    load_before = os.getloadavg()[0]
    if args.mode in ("overview", "deliverability"):
        if args.mode == "overview":
            result = home_overview(queries, now, args.reports, server, meta)
        else:
            result = deliverability(queries, addresses, server, meta, args.heavy)
        print(
            json.dumps(result)
            if args.json
            else "\n".join(f"{k:>26}: {v}" for k, v in result.items())
        )
        engine.dispose()
        return 0
    # Pass 1: each address for the first time (its pages come from the OS cache or disk);
    # pass 2: the same addresses again (what a support agent's follow-up lookups see).
    passes: list[list[float]] = []
    found = 0
    for _ in range(2):
        latencies: list[float] = []
        for address in addresses:
            start = time.perf_counter()
            records = queries.lookup(email=address)
            latencies.append((time.perf_counter() - start) * 1000)
            found += bool(records) and not passes
        passes.append(latencies)

    def timed(by: str | None) -> list[float]:
        runs = []
        for _ in range(args.reports):
            start = time.perf_counter()
            queries.gap_report(since=now - timedelta(hours=24), until=now, by=by)
            runs.append(time.perf_counter() - start)
        return runs

    report_runs = timed(None)
    report_domain_runs = timed("domain")
    start = time.perf_counter()
    queries.gap_report(since=now - timedelta(days=30), until=now, by="day")
    report_30d = time.perf_counter() - start

    result = {
        "db": f"postgresql {server}",
        "log_rows": int(meta.rows),
        "events": int(meta.events),
        "lookups": len(addresses),
        "lookups_found": found,
        "lookup_email_p50_ms": round(statistics.median(passes[0]), 3),
        "lookup_email_p99_ms": round(percentile(passes[0], 0.99), 3),
        "lookup_email_max_ms": round(max(passes[0]), 3),
        "lookup_email_warm_p50_ms": round(statistics.median(passes[1]), 3),
        "lookup_email_warm_p99_ms": round(percentile(passes[1], 0.99), 3),
        "load_average_1m": round(load_before, 2),
        "cpus": os.cpu_count(),
        "report_24h_s": round(statistics.median(report_runs), 4),
        "report_24h_first_s": round(report_runs[0], 4),
        "report_24h_by_domain_s": round(statistics.median(report_domain_runs), 4),
        "report_30d_by_day_s": round(report_30d, 4),
        "goal_lookup_p99_ms": 5,
        "goal_report_s": 1,
        **{k: round(v, 1) for k, v in timings.items()},
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
