"""Two handlers at once on PostgreSQL, on the same notifications: neither effect is lost.

Each handler has its own engine (own connections), as two worker processes would. A
barrier inside the transaction makes the race certain rather than likely: both handlers
have inserted their (uncommitted) ledger rows before either locks a notification. Without
the lock-then-reread step the later commit would overwrite the other's status with one
computed from half the ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from tests import bodies as b
from tests.integration.snapshots import status_counts_from_notifications, stored_counts
from tests.support.ingest import NOW, WINDOW, numbered_sends, record
from worker import migrations
from worker.adapters.database import create_engine_from_url, events, notifications
from worker.adapters.notification_log import SqlLogTransaction, SqlNotificationLog
from worker.handlers.ingest import IngestResult, apply_batch
from worker.handlers.ports import LedgerRow, NotificationState
from worker.handlers.sweep import sweep

N = 200


class _RacingTransaction:
    def __init__(self, inner: SqlLogTransaction, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        inserted = self._inner.insert_ledger(rows, now)
        self._barrier.wait()  # both transactions now hold uncommitted ledger rows
        return inserted

    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        return self._inner.lock_notifications(pks)


class RacingLog(SqlNotificationLog):
    def __init__(self, engine: Engine, barrier: threading.Barrier) -> None:
        super().__init__(engine)
        self.barrier = barrier
        self.first = True

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with super().transaction() as tx:
            if self.first:
                self.first = False
                yield _RacingTransaction(tx, self.barrier)
            else:
                yield tx


def _setup(url: str) -> Engine:
    engine = create_engine_from_url(url)
    migrations.upgrade(engine)
    record(SqlNotificationLog(engine), numbered_sends(N))
    return engine


def test_two_handlers_racing_on_the_same_notifications_lose_nothing(
    postgres_schema_url: str,
) -> None:
    engine = _setup(postgres_schema_url)
    deliveries = [b.delivery(f"m{i}", [f"user{i}@acme.example"]) for i in range(N)]
    # Bounces for the same notifications, in the opposite order (lock order must not matter).
    bounces = [b.bounce(f"m{i}", f"user{i}@acme.example", feedback_id=f"f{i}") for i in range(N)][
        ::-1
    ]
    barrier = threading.Barrier(2, timeout=30)
    engines = [create_engine_from_url(postgres_schema_url) for _ in range(2)]

    def run(index: int, bodies: list[str]) -> IngestResult:
        log = RacingLog(engines[index], barrier)
        return apply_batch(list(bodies), log=log, now=NOW, feedback_window=WINDOW)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [0, 1], [deliveries, bounces]))
    assert [r.applied for r in results] == [N, N]
    with engine.connect() as conn:
        statuses = conn.execute(
            select(notifications.c.status, func.count()).group_by(notifications.c.status)
        ).all()
        ledger = conn.scalar(select(func.count()).select_from(events))
    assert dict(statuses) == {"bounced": N}  # the bounce outranks the delivery, always
    assert ledger == 2 * N
    assert stored_counts(engine) == status_counts_from_notifications(engine)
    for eng in (*engines, engine):
        eng.dispose()


def test_concurrent_ingest_and_sweep_keep_every_delivery(postgres_schema_url: str) -> None:
    engine = _setup(postgres_schema_url)
    later = NOW + timedelta(days=2)
    deliveries = [b.delivery(f"m{i}", [f"user{i}@acme.example"]) for i in range(0, N, 2)]
    barrier = threading.Barrier(2, timeout=30)
    engines = [create_engine_from_url(postgres_schema_url) for _ in range(2)]

    def ingest() -> None:
        barrier.wait()
        for start in range(0, len(deliveries), 10):
            apply_batch(
                deliveries[start : start + 10],
                log=SqlNotificationLog(engines[0]),
                now=later,
                feedback_window=WINDOW,
            )

    def sweeper() -> None:
        barrier.wait()
        sweep(log=SqlNotificationLog(engines[1]), now=later, feedback_window=WINDOW, batch_size=7)

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(ingest), pool.submit(sweeper)]:
            future.result()
    with engine.connect() as conn:
        rows = dict(
            conn.execute(select(notifications.c.notification_id, notifications.c.status)).all()
        )
    for i in range(N):
        assert rows[f"n{i}"] == ("delivered" if i % 2 == 0 else "unknown"), i
    assert stored_counts(engine) == status_counts_from_notifications(engine)
    for eng in (*engines, engine):
        eng.dispose()
