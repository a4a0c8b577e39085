"""Benchmark: status callbacks delivered per second by one delivering process.

    python bench/callbacks.py [--rows 20000] [--notifications 10000] [--in-flight 32]
                              [--receiver-ms 5] [--lanes 2] [--json]

On PostgreSQL (``INBOXGAP_BENCH_DATABASE_URL``, default the local ``test`` database, in a
dedicated schema ``inboxgap_bench_callbacks``, dropped and rebuilt): bulk-loads
``--notifications`` notifications and ``--rows`` pending outbox rows (about two changes per
notification, so order per notification matters), then runs
:func:`worker.handlers.callbacks.deliver_callbacks` with the real
:class:`~worker.adapters.http_callbacks.HttpCallbackSender` (keep-alive, ``--in-flight``
requests at most) against a receiver in another process (a threading ``http.server`` that
answers after ``--receiver-ms``). Checks that every row was delivered once and in order per
notification, and prints ``callbacks_per_s`` (goal: >= 2,000), the CPU time the delivering
process spent per callback (``cpu_us_per_callback``: what decides the rate when the two
cores are shared with other load), and its resident memory while the backlog drains
(``rss_mb_at``: at 0, 25, 50, 75 and 100 % of the rows sent; ``--rows 1000000`` for the
"memory stays flat while 1M rows drain" check).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from worker.adapters.callback_outbox import SqlCallbackOutbox
from worker.adapters.http_callbacks import DEFAULT_IN_FLIGHT, HttpCallbackSender
from worker.domain.callbacks import secret_key
from worker.handlers.callbacks import DEFAULT_BATCH_SIZE, CallbackConfig, deliver_callbacks
from worker.handlers.ports.callbacks import CallbackSender, OutgoingCallback, SendOutcome

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "inboxgap_bench_callbacks"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _receiver(port_queue: Any, delay: float) -> None:
    """A minimal asyncio HTTP/1.1 server (keep-alive): records "webhook-id notification"
    in arrival order and answers 200 after ``delay``; a GET returns the record. asyncio
    rather than ``http.server`` so that the receiver, not its thread switching, is the
    5 ms it is meant to be."""
    import asyncio

    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if lines[0].startswith("GET"):
                    payload = "\n".join(seen).encode()
                else:
                    notification = json.loads(body)["data"]["notification_id"]
                    await asyncio.sleep(delay)
                    seen.append(f"{headers['webhook-id']} {notification}")
                    payload = b""
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(payload) + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(serve())


def _rss_mb() -> float:
    """Resident memory now (Linux), else the peak so far."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class _MemoryWatch:
    """Counts the requests sent through the sender it wraps and samples the resident
    memory every ``every`` seconds, to report it at fractions of the backlog sent."""

    def __init__(self, sender: CallbackSender, total: int, every: float = 0.25) -> None:
        self.sender = sender
        self.total = total
        self.sent = 0
        self.samples: list[tuple[int, float]] = [(0, _rss_mb())]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)
        self._thread.start()

    def send_all(self, requests: Sequence[OutgoingCallback]) -> list[SendOutcome]:
        outcomes = self.sender.send_all(requests)
        with self._lock:  # two lanes send at once
            self.sent += len(requests)
        return outcomes

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append((self.sent, _rss_mb()))

    def at_fractions(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self.samples.append((self.sent, _rss_mb()))
        marks = {}
        for percent in (0, 25, 50, 75, 100):
            goal = self.total * percent / 100
            _, rss = min(self.samples, key=lambda sample: abs(sample[0] - goal))
            marks[f"{percent}%"] = rss
        return marks


def _engine() -> Any:
    from bench._pg import fresh_migrated_schema

    return fresh_migrated_schema(os.environ.get("INBOXGAP_BENCH_DATABASE_URL", DEFAULT_URL), SCHEMA)


def _load(engine: Any, rows: int, notifications: int) -> None:
    now = "2025-03-04T12:00:00.000Z"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO notifications (id, notification_id, ses_message_id, recipient, "
                "recipient_original, recipient_domain, notification_type, sent_at, status, "
                "reason, status_at, updated_at, source) "
                "SELECT g, 'n' || g, 'm' || g, 'user' || g || '@acme.example', NULL, "
                "'acme.example', 'magic_code', '2025-03-04T10:00:00.000Z', 'delivered', "
                "'accepted', '2025-03-04T10:00:02.000Z', :now, 'record' "
                "FROM generate_series(1, :n) g"
            ),
            {"n": notifications, "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO status_callbacks (webhook_id, notification_pk, previous_status, "
                "previous_reason, status, reason, status_at, state, attempts, created_at, "
                "next_attempt_at, updated_at) "
                "SELECT 'msg_' || g, 1 + (g % :n), 'sent', 'awaiting_feedback', 'delivered', "
                "'accepted', '2025-03-04T10:00:02.000Z', 'pending', 0, :now, :now, :now "
                "FROM generate_series(1, :rows) g ORDER BY g"
            ),
            {"n": notifications, "rows": rows, "now": now},
        )
        conn.execute(text("ANALYZE notifications; ANALYZE status_callbacks"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--in-flight", type=int, default=DEFAULT_IN_FLIGHT)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--receiver-ms", type=float, default=5.0)
    parser.add_argument("--lanes", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    engine = _engine()
    _load(engine, args.rows, args.notifications)
    ports: Any = multiprocessing.Queue()
    receiver = multiprocessing.Process(
        target=_receiver, args=(ports, args.receiver_ms / 1000), daemon=True
    )
    receiver.start()
    url = f"http://127.0.0.1:{ports.get(timeout=30)}/"
    sender = HttpCallbackSender(url, max_in_flight=args.in_flight)
    config = CallbackConfig(key=secret_key(SECRET), bearer_token=None, batch_size=args.batch_size)
    watch = _MemoryWatch(sender, args.rows)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = deliver_callbacks(
        outbox=SqlCallbackOutbox(engine),
        sender=watch,
        config=config,
        clock=lambda: datetime.now(UTC),
        lanes=args.lanes,
    )
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    rss_mb_at = watch.at_fractions()
    # Peak memory of the delivering process, before the check below reads the receiver's
    # whole record: batches are streamed, so it stays flat whatever the backlog.
    max_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    with urllib.request.urlopen(url) as answer:
        log = answer.read().decode().splitlines()
    sender.close()
    receiver.terminate()

    # Checks: every row once, and rows of a notification in id order.
    ids = [int(line.split()[0].removeprefix("msg_")) for line in log]
    errors = [r.last_error for r in SqlCallbackOutbox(engine).list_rows("pending", 20)]
    assert result.delivered == args.rows == len(ids) == len(set(ids)), (result, errors)
    last: dict[str, int] = {}
    for line, row_id in zip(log, ids, strict=True):
        notification = line.split()[1]
        assert last.get(notification, 0) < row_id, f"out of order for {notification}"
        last[notification] = row_id
    figures = {
        "callbacks_per_s": round(result.delivered / elapsed),
        "delivered": result.delivered,
        "seconds": round(elapsed, 2),
        "batches": result.batches,
        "in_flight": args.in_flight,
        "lanes": args.lanes,
        "receiver_ms": args.receiver_ms,
        "order_per_notification": "kept",
        "cpu_us_per_callback": round(cpu_seconds / max(result.delivered, 1) * 1e6),
        "rss_mb_at": rss_mb_at,  # of the rows sent; flat: batches are streamed
        "max_rss_mb": max_rss_mb,
    }
    engine.dispose()
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['callbacks_per_s']} callbacks/s ({figures})")


if __name__ == "__main__":
    main()
