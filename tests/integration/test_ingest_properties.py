"""Order independence on the real databases: random orders, splits and duplicates leave
exactly the tables of one clean run (hypothesis; fewer examples than the fake's test)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from tests.integration.snapshots import snapshot, status_counts_from_notifications, stored_counts
from tests.strategies import Traffic, play_chunks, play_clean, traffic
from worker.adapters.database import ALL_TABLES
from worker.adapters.notification_log import SqlNotificationLog


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(ALL_TABLES):
            conn.execute(delete(table))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=traffic(), records_first=st.booleans())
def test_random_batches_equal_one_clean_run(
    engine: Engine, sql_log: SqlNotificationLog, plan: Traffic, records_first: bool
) -> None:
    _empty(engine)
    play_clean(sql_log, plan)
    clean = snapshot(engine)
    _empty(engine)
    play_chunks(sql_log, plan, records_first=records_first)
    assert snapshot(engine) == clean
    assert stored_counts(engine) == status_counts_from_notifications(engine)
