"""Recording sends on PostgreSQL right after a bulk load that left no statistics (issue 15).

The check that a send is already in the log is one probe of the unique index per staged
row, whatever the planner believes about the table's size: it once became a hash anti
join that read the whole of ``notifications`` for every batch of a large ``sent import``.
And a batch that meets a notification id already taken settles it as before (the plain
insert's unique violation falls back to ON CONFLICT DO NOTHING)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.support.ingest import WINDOW, send_record
from worker import migrations
from worker.adapters.database import create_engine_from_url
from worker.adapters.notification_log import SqlNotificationLog
from worker.adapters.notification_log.postgres import (
    _PG_INSERT_NEW_NOTIFICATIONS,
    _PG_INSERT_NOTIFICATIONS,
    PostgresLogTransaction,
)
from worker.handlers.sends import SendRecord, record_sends

NOW = datetime(2025, 3, 4, 11, 0, tzinfo=UTC)


@pytest.fixture
def pg(postgres_schema_url: str) -> Iterator[Engine]:
    eng = create_engine_from_url(postgres_schema_url)
    migrations.upgrade(eng)
    with eng.begin() as conn:
        for table in ("notifications", "pending_notifications"):
            conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
    yield eng
    eng.dispose()


def send(i: int, nid: str | None = None) -> SendRecord:
    return send_record(nid or f"n{i}", f"m{i}", f"user{i}@example.com", "receipt")


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):  # CTEs and subplans are children too
        yield from plan_nodes(child)


@pytest.mark.parametrize(
    "statement",
    [_PG_INSERT_NEW_NOTIFICATIONS, _PG_INSERT_NOTIFICATIONS],
    ids=["plain", "on-conflict"],
)
def test_the_already_recorded_probe_uses_the_unique_index_without_statistics(
    pg: Engine, statement: str
) -> None:
    log = SqlNotificationLog(pg)
    for first in range(0, 20_000, 5000):
        record_sends(
            [send(i) for i in range(first, first + 5000)],
            log=log,
            now=NOW,
            feedback_window=WINDOW,
        )
    with log.transaction() as tx:
        assert isinstance(tx, PostgresLogTransaction)
        rows = [send(i).as_new_notification() for i in range(20_000, 21_000)]
        tx.stage_new_notifications(rows)
        ((plan,),) = tx._pg(
            "EXPLAIN (FORMAT JSON) " + statement, {"now": "2025-03-04T10:00:00.000Z"}
        )
        tx.conn.rollback()
    nodes = list(plan_nodes(plan[0]["Plan"]))
    scans = {(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes}
    assert any(
        index == "uq_notifications_ses_message_id_recipient" and kind.startswith("Index")
        for kind, _, index in scans
    )
    assert not [
        n for n in nodes if n.get("Relation Name") == "notifications" and "Seq" in n["Node Type"]
    ]
    assert not [n for n in nodes if n["Node Type"] in ("Hash Join", "Merge Join")]


def test_a_taken_notification_id_falls_back_and_is_reported_as_a_conflict(pg: Engine) -> None:
    log = SqlNotificationLog(pg)
    first = record_sends([send(1), send(2)], log=log, now=NOW, feedback_window=WINDOW)
    # n1 again, for another message: the plain insert violates the id's unique index.
    again = record_sends([send(3, nid="n1"), send(4)], log=log, now=NOW, feedback_window=WINDOW)
    assert (first.created, again.created, again.conflicting) == (2, 1, 1)
    with pg.connect() as conn:
        stored = conn.execute(
            text("SELECT notification_id, ses_message_id FROM notifications ORDER BY id")
        ).all()
        pending = conn.execute(text("SELECT count(*) FROM pending_notifications")).scalar_one()
    assert [tuple(r) for r in stored] == [("n1", "m1"), ("n2", "m2"), ("n4", "m4")]
    assert pending == 3
