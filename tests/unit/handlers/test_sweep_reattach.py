"""The sweep attaches events a missed re-attach left parked (see worker.handlers.unpark).

The state is built as the park/create race leaves it when the process dies between its
commit and its re-attach: the delivery is parked, and the send is committed by a
transaction that did not see the parked row. On the in-memory log and on SQLite (the
shared SQL of the adapters); the PostgreSQL race itself is in tests/integration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.support.ingest import NOW, WINDOW, numbered_sends
from worker.handlers.ingest import apply_batch
from worker.handlers.ports import CreatedNotification, NotificationLog
from worker.handlers.sends import write_sends
from worker.handlers.sweep import reattach_missed, sweep
from worker.handlers.transactions import in_transaction


class _Blind:
    """A transaction that cannot see rows committed by a concurrent one: the parked
    events are not there for it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def attach_parked(self, notifications: Sequence[CreatedNotification]) -> dict[int, int]:
        return {}


@pytest.fixture(params=["fake", "sqlite"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NotificationLog]:
    if request.param == "fake":
        yield FakeNotificationLog()
        return
    from worker import migrations
    from worker.adapters.database import create_engine_from_url
    from worker.adapters.notification_log import SqlNotificationLog

    engine = create_engine_from_url(f"sqlite:///{tmp_path / 'log.db'}")
    migrations.upgrade(engine)
    yield SqlNotificationLog(engine)
    engine.dispose()


def _status(log: NotificationLog, notification_id: str) -> tuple[str, str]:
    def read(tx: Any) -> tuple[str, str]:
        (pk,) = tx.find_notification_ids([notification_id]).values()
        (state,) = tx.lock_notifications([pk])
        return state.status, state.reason

    return in_transaction(log, read)


def _left_parked(log: NotificationLog, count: int) -> None:
    bodies = [b.delivery(f"m{i}", [f"u{i}@acme.example"]) for i in range(count)]
    assert apply_batch(bodies, log=log, now=NOW, feedback_window=WINDOW).parked == count
    rows = [r.as_new_notification() for r in numbered_sends(count, recipient="u{i}@acme.example")]
    in_transaction(log, lambda tx: write_sends(_Blind(tx), rows, now=NOW, feedback_window=WINDOW))


def test_the_sweep_attaches_parked_events_whose_send_is_recorded(log: NotificationLog) -> None:
    _left_parked(log, 3)
    assert _status(log, "n0") == ("sent", "awaiting_feedback")

    result = sweep(log=log, now=NOW, feedback_window=WINDOW, batch_size=2)

    assert result.reattached == 3
    assert {_status(log, f"n{i}") for i in range(3)} == {("delivered", "accepted")}
    assert sweep(log=log, now=NOW, feedback_window=WINDOW).reattached == 0


def test_only_parked_events_whose_send_is_recorded_are_listed(log: NotificationLog) -> None:
    _left_parked(log, 2)
    body = b.delivery("m-unknown", ["x@acme.example"])
    assert apply_batch([body], log=log, now=NOW, feedback_window=WINDOW).parked == 1

    listed = in_transaction(log, lambda tx: tx.parked_with_notification(10))

    assert listed == [("m0", "u0@acme.example"), ("m1", "u1@acme.example")]
    assert reattach_missed(log=log, now=NOW, feedback_window=WINDOW) == 2
    assert in_transaction(log, lambda tx: tx.parked_with_notification(10)) == []
