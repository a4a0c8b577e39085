"""Alert evaluation time on a 10M-row notification log (PostgreSQL).

    python bench/alerts.py [--rows 10000000] [--days 30] [--runs 20] [--fresh]

Loads (once; reused by later runs with the same ``--rows``/``--days``) a log of N
notifications sent over the last D days (default 30: ~333k a day, ~14k an hour, so the
short windows are busy), one deciding ledger row per notification with feedback,
``daily_status_counts`` computed from it, some dead letters and parked events, and a
Mimecast-fronted company domain quarantining everything for the last 15 minutes. It goes
into its own schema (``inboxgap_bench_alerts``) of ``INBOXGAP_BENCH_DATABASE_URL`` (default
the local ``test`` database), so tests are never clobbered. The schema is built by the real
migrations; plain indexes are dropped during the COPY bulk load and rebuilt.

Then times, at the end of the data:

* ``check_alerts`` as beat runs it (read snapshot, rules, lifecycle, state write, log
  sink), and in ``--dry-run`` form; cold first run, then median / p95 / max of ``--runs``;
* each part of the read side (spike windows + baselines, reputation, backlog);
* for comparison, the 7-day baselines of the same candidate keys computed from the raw
  log instead of ``daily_status_counts`` (what "indexed queries only" would cost).

Prints one JSON object.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "inboxgap_bench_alerts"
CHUNK = 250_000
SPIKE_DOMAIN = "corp-mimecast.example"

CONSUMER = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"]
TYPES = [
    "magic_code",
    "password_reset",
    "receipt",
    "invite",
    "digest",
    "invoice",
    "alert",
    "welcome",
]
#: (cumulative probability, status, reason, event type)
OUTCOMES = [
    (0.940, "delivered", "accepted", "Delivery"),
    (0.955, "bounced", "mailbox_not_found", "Bounce"),
    (0.958, "bounced", "hard_bounce", "Bounce"),
    (0.962, "bounced", "mailbox_full", "Bounce"),
    (0.966, "bounced", "suppressed", "Bounce"),
    (0.974, "quarantined", "spam_filtered", "Bounce"),
    (0.980, "quarantined", "security_gateway", "Bounce"),
    (0.983, "quarantined", "sender_blocklisted", "Bounce"),
    (0.9835, "quarantined", "complaint", "Complaint"),
    (0.995, "unknown", "no_feedback", None),
    (1.000, "bounced", "soft_bounce", "Bounce"),
]
NULL = "\\N"


def ts(epoch_ms: int) -> str:
    seconds, ms = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        connect_args={"options": f"-c search_path={SCHEMA}"},
        pool_size=2,
        pool_pre_ping=True,
    )


def loaded(engine: Engine) -> tuple[int, int, str] | None:
    with engine.connect() as conn:
        exists = conn.execute(
            text(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND "
                "table_name = 'bench_meta'"
            ),
            {"s": SCHEMA},
        ).first()
        if not exists:
            return None
        row = conn.execute(text("SELECT rows, days, loaded_at FROM bench_meta")).first()
        return (int(row[0]), int(row[1]), str(row[2])) if row else None


def domain_of(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return CONSUMER[min(int(rng.expovariate(0.7)), len(CONSUMER) - 1)]
    return f"corp{int(rng.paretovariate(0.9)) % 20_000}.example"


def load(engine: Engine, rows: int, days: int, now_ms: int, seed: int) -> dict[str, float]:
    from bench._pg import fresh_schema_for_bulk_load
    from worker.adapters.database import full_metadata

    full_metadata()
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    index_definitions = fresh_schema_for_bulk_load(engine, SCHEMA)
    timings["schema_s"] = time.perf_counter() - start

    span_ms = days * 86_400_000
    first_ms = now_ms - span_ms
    step = span_ms / rows
    spike_from = now_ms - 15 * 60_000
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
            "occurred_at, status, reason, received_at) FROM STDIN"
        )
        pk = 0
        while pk < rows:
            n_lines: list[str] = []
            e_lines: list[str] = []
            for _ in range(min(CHUNK, rows - pk)):
                pk += 1
                sent_ms = int(first_ms + pk * step)
                sent = ts(sent_ms)
                domain = domain_of(rng)
                if sent_ms >= spike_from and pk % 100 == 0:
                    domain = SPIKE_DOMAIN  # 1 in 100 sends of the last 15 minutes
                address = f"u{rng.randrange(rows // 3)}@{domain}"
                kind = TYPES[min(int(rng.expovariate(0.5)), len(TYPES) - 1)]
                message_id = f"0100018f{pk:016x}-bench-000000"
                if now_ms - sent_ms < 120_000:
                    status, reason, event_type = "sent", "awaiting_feedback", None
                elif domain == SPIKE_DOMAIN:
                    status, reason, event_type = "quarantined", "security_gateway", "Bounce"
                else:
                    roll = rng.random()
                    _, status, reason, event_type = next(o for o in OUTCOMES if roll <= o[0])
                at_ms = sent_ms + 1500 + rng.randrange(30_000)
                status_at = ts(at_ms) if event_type else sent
                n_lines.append(
                    f"{pk}\tn-{pk:010d}\t{message_id}\t{address}\t{address}\t{domain}\t"
                    f"{kind}\t{sent}\t{status}\t{reason}\t{status_at}\t{status_at}\trecord\n"
                )
                if event_type:
                    e_lines.append(
                        f"{event_type}|{message_id}|{address}|{ts(at_ms)}\t{address}\t"
                        f"{message_id}\t{pk}\t{event_type}\t{ts(at_ms)}\t{status}\t{reason}\t"
                        f"{ts(min(at_ms + 900, now_ms))}\n"
                    )
            with cursor.copy(n_copy) as copy:
                copy.write("".join(n_lines))
            with cursor.copy(e_copy) as copy:
                copy.write("".join(e_lines))
            events_total += len(e_lines)
            raw.commit()
            print(f"  loaded {pk:,}/{rows:,}", file=sys.stderr, flush=True)
        # A few parked events (no send record yet) and dead letters in the last hour.
        with cursor.copy(e_copy) as copy:
            for i in range(300):
                at = ts(now_ms - rng.randrange(3_600_000))
                copy.write(
                    f"Delivery|orphan-{i}|x{i}@contoso.example|{at}\tx{i}@contoso.example\t"
                    f"orphan-{i}\t{NULL}\tDelivery\t{at}\tdelivered\taccepted\t{at}\n"
                )
        cursor.executemany(
            "INSERT INTO dead_letters (body_hash, body, code, message, count, first_seen, "
            "last_seen) VALUES (%s, %s, 'not_json', 'not JSON', 1, %s, %s)",
            [
                (f"{i:064x}", b"junk", ts(now_ms - i * 60_000), ts(now_ms - i * 60_000))
                for i in range(200)
            ],
        )
        raw.commit()
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
                "GROUP BY 1, 2, 3, 4, 5"
            )
        )
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('notifications', 'id'), {rows})"))
        for definition in index_definitions:
            conn.execute(text(definition))
        conn.execute(
            text("CREATE TABLE bench_meta (rows bigint, days int, events bigint, loaded_at text)")
        )
        conn.execute(
            text("INSERT INTO bench_meta VALUES (:r, :d, :e, :t)"),
            {"r": rows, "d": days, "e": events_total, "t": ts(now_ms)},
        )
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM ANALYZE"))
    timings["index_s"] = time.perf_counter() - start
    return timings


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="Notifications in the log.")
    parser.add_argument("--days", type=int, default=30, help="Days the log spans.")
    parser.add_argument("--runs", type=int, default=20, help="Timed evaluations.")
    parser.add_argument("--fresh", action="store_true", help="Reload even if already loaded.")
    parser.add_argument("--seed", type=int, default=20250305)
    args = parser.parse_args()

    import logging

    import structlog

    # The handler's per-run log lines would flood the output: errors only.
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    from sqlalchemy import func, select

    from worker.adapters.alert_sinks import LogSink
    from worker.adapters.alert_store import SqlAlertStore
    from worker.adapters.database import full_metadata, notifications
    from worker.bootstrap.alerts import Alerting, default_thresholds
    from worker.domain.alert_rules import Scope, evaluate, tally
    from worker.queries.alert_counts import SqlAlertCounts

    full_metadata()
    url = os.environ.get("INBOXGAP_BENCH_DATABASE_URL") or DEFAULT_URL
    engine = engine_for(url)
    meta = loaded(engine)
    timings: dict[str, float] = {}
    if args.fresh or meta is None or meta[:2] != (args.rows, args.days):
        now_ms = int(time.time() * 1000)
        print(f"loading {args.rows:,} notifications into {SCHEMA}...", file=sys.stderr)
        timings = load(engine, args.rows, args.days, now_ms, args.seed)
        meta = loaded(engine)
    assert meta is not None
    now = datetime.fromisoformat(meta[2].replace("Z", "+00:00")).astimezone(UTC)
    with engine.connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar()
        daily_rows = conn.execute(text("SELECT count(*) FROM daily_status_counts")).scalar()
    with engine.begin() as conn:  # every run starts with no alert state
        conn.execute(text("DELETE FROM alerts"))

    thresholds = default_thresholds()
    counts = SqlAlertCounts(engine)
    alerting = Alerting(
        counts=counts,
        store=SqlAlertStore(engine),
        sinks=[LogSink()],
        thresholds=thresholds,
        clock=lambda: now,
    )
    cold_start = time.perf_counter()
    first = alerting.check(now)
    cold = time.perf_counter() - cold_start
    checks = timed(lambda: alerting.check(now), args.runs)
    dry = timed(lambda: alerting.check(now, dry_run=True), args.runs)

    parts: dict[str, list[float]] = {"spikes": [], "reputation": [], "backlog": []}
    for _ in range(args.runs):
        with counts._connect() as conn:
            for name in parts:
                start = time.perf_counter()
                getattr(counts, name)(conn, now, thresholds)
                parts[name].append(time.perf_counter() - start)
    with counts._connect() as conn:
        spikes = counts.spikes(conn, now, thresholds)
        reputation = counts.reputation(conn, now, thresholds)
    candidates = sorted({(s.scope, s.key) for s in spikes})

    # "Indexed queries only": the same candidates' 7-day baselines from the raw log.
    n = notifications.c
    day0 = (now - timedelta(days=7)).strftime("%Y-%m-%d")
    today = now.strftime("%Y-%m-%d")

    def raw_baselines() -> None:
        with engine.connect() as conn:
            for scope, key in candidates:
                column = n.recipient_domain if scope is Scope.DOMAIN else n.notification_type
                rows = conn.execute(
                    select(n.status, n.reason, func.count())
                    .where(column == key, n.sent_at >= day0, n.sent_at < today)
                    .group_by(n.status, n.reason)
                ).all()
                tally((r[0], r[1], int(r[2])) for r in rows)

    raw_runs = timed(raw_baselines, 3)
    conditions = evaluate(counts.snapshot(now, thresholds), thresholds, now)

    result = {
        "db": f"postgresql {server}",
        "log_rows": meta[0],
        "days": meta[1],
        "daily_status_counts_rows": int(daily_rows or 0),
        "design": "indexed short windows + pre-aggregated daily_status_counts baselines",
        "check_alerts_cold_ms": round(cold * 1000, 1),
        "check_alerts": stats(checks),
        "check_alerts_dry_run": stats(dry),
        "parts": {name: stats(values) for name, values in parts.items()},
        "spike_candidates": len(candidates),
        "reputation_span_days": reputation.span.days,
        "reputation_eligible_sends": reputation.counts.eligible,
        "raw_log_baselines_instead_ms": stats(raw_runs)["median_ms"],
        "conditions": [
            {
                "rule": c.rule.value,
                "scope": c.scope.value,
                "key": c.key,
                "severity": c.severity.value,
                "value": round(c.value, 4),
                "window": c.window,
            }
            for c in conditions
        ],
        "active_after_first_check": [v.as_dict() for v in first],
        **({"load": {k: round(v, 1) for k, v in timings.items()}} if timings else {}),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
