"""check_alerts on in-memory fakes: lifecycle, outbox, failing sinks, dry run."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.bootstrap.alerts import default_thresholds
from worker.domain.alert_lifecycle import (
    AlertNotification,
    AlertState,
    AlertStatus,
    LifecycleResult,
    NotificationKind,
    notification_payload,
)
from worker.domain.alert_rules import AlertSnapshot, AlertThresholds, BacklogSample
from worker.handlers.alerts import (
    HistoryEntry,
    PendingDelivery,
    SinkError,
    check_alerts,
)

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@dataclass
class FakeCounts:
    backlog: BacklogSample = field(default_factory=BacklogSample)

    def snapshot(
        self, now: datetime, thresholds: AlertThresholds, *, queue_oldest_age: Any = None
    ) -> AlertSnapshot:
        return AlertSnapshot(backlog=replace(self.backlog, queue_oldest_age=queue_oldest_age))


@dataclass
class FakeStore:
    """The SQL store's behaviour: compare-and-set on version, outbox with leases."""

    alerts: dict[tuple[str, str, str], AlertState] = field(default_factory=dict)
    recorded: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def load_firing(self) -> list[AlertState]:
        return [a for a in self.alerts.values() if a.state is AlertStatus.FIRING]

    def save(
        self, result: LifecycleResult, *, sinks: Any, now: datetime
    ) -> list[AlertNotification]:
        notify = {n.alert.identity: n for n in result.notifications}
        recorded = []
        with self.lock:
            for state in result.changed:
                current = self.alerts.get(state.identity)
                n = notify.get(state.identity)
                if n is not None and n.kind is NotificationKind.FIRED:
                    if current is not None and current.state is AlertStatus.FIRING:
                        continue
                    version = current.version + 1 if current else 1
                elif current is None or current.version != state.version:
                    continue
                else:
                    version = current.version + 1
                self.alerts[state.identity] = replace(state, version=version)
                if n is not None:
                    self.recorded.append((n.kind.value, notification_payload(n)))
                    for sink in sinks:
                        self.deliveries.append(
                            {
                                "id": len(self.deliveries) + 1,
                                "sink": sink,
                                "payload": notification_payload(n),
                                "status": "pending",
                                "attempts": 0,
                                "claimed_until": None,
                            }
                        )
                    recorded.append(n)
        return recorded

    def claim_deliveries(
        self, *, now: datetime, lease_until: datetime, limit: int = 100
    ) -> list[PendingDelivery]:
        out = []
        with self.lock:
            for d in self.deliveries:
                if d["status"] == "pending" and (
                    d["claimed_until"] is None or d["claimed_until"] < now
                ):
                    d["claimed_until"] = lease_until
                    out.append(PendingDelivery(d["id"], d["sink"], d["attempts"], d["payload"]))
        return out[:limit]

    def finish_delivery(
        self,
        delivery_id: int,
        *,
        ok: bool,
        now: datetime,
        error: str | None = None,
        give_up: bool = False,
        attempted: bool = True,
    ) -> None:
        d = self.deliveries[delivery_id - 1]
        d["claimed_until"] = None
        d["attempts"] += int(attempted)
        d["status"] = "sent" if ok else ("failed" if give_up else "pending")

    def history(self, *, limit: int = 50, since: datetime | None = None) -> list[HistoryEntry]:
        return []

    def statuses(self) -> list[tuple[str, str, int]]:
        return [(d["sink"], d["status"], d["attempts"]) for d in self.deliveries]


@dataclass
class Sink:
    name: str
    fail: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)

    def send(self, payload: Any) -> None:
        if self.fail:
            raise SinkError(f"{self.name}: HTTP 503", retryable=True)
        self.received.append(dict(payload))


def run(
    counts: FakeCounts, store: FakeStore, sinks: list[Any], now: datetime, **kw: Any
) -> list[tuple[str, str]]:
    views = check_alerts(
        now,
        counts=counts,
        store=store,
        sinks=sinks,
        thresholds=default_thresholds(),
        renotify_interval=timedelta(hours=1),
        sleep=lambda s: None,
        **kw,
    )
    return [(v.rule, v.state) for v in views]


def test_a_failing_sink_does_not_stop_the_others_and_is_retried_later() -> None:
    counts = FakeCounts(BacklogSample(dead_letters=12))
    store = FakeStore()
    good, bad = Sink("webhook"), Sink("slack", fail=True)
    assert run(counts, store, [good, bad], NOW) == [("dead_letters_growing", "firing")]
    assert [p["kind"] for p in good.received] == ["fired"]
    assert store.statuses() == [("webhook", "sent", 1), ("slack", "pending", 1)]

    bad.fail = False
    run(counts, store, [good, bad], NOW + MINUTE)  # no transition: only the retry
    assert [p["kind"] for p in bad.received] == ["fired"]
    assert store.statuses() == [("webhook", "sent", 1), ("slack", "sent", 2)]
    assert [k for k, _ in store.recorded] == ["fired"]


def test_gives_up_after_the_last_attempt() -> None:
    counts = FakeCounts(BacklogSample(dead_letters=12))
    store = FakeStore()
    bad = Sink("webhook", fail=True)
    for i in range(11):
        run(counts, store, [bad], NOW + i * MINUTE)
    assert store.statuses() == [("webhook", "failed", 10)]


def test_a_failing_sink_is_tried_once_per_evaluation() -> None:
    counts = FakeCounts(BacklogSample(dead_letters=12, parked_events=500))
    store = FakeStore()
    calls: list[int] = []

    class Down:
        name = "webhook"

        def send(self, payload: Any) -> None:
            calls.append(1)
            raise SinkError("webhook: ConnectError", retryable=True)

    run(counts, store, [Down()], NOW)  # two alerts fire: two deliveries pending
    assert len(calls) == 3  # one retry sequence (3 attempts), the second row untried
    assert store.statuses() == [("webhook", "pending", 1), ("webhook", "pending", 0)]


def test_dry_run_records_and_sends_nothing() -> None:
    store = FakeStore()
    sink = Sink("webhook")
    views = run(FakeCounts(BacklogSample(dead_letters=12)), store, [sink], NOW, dry_run=True)
    assert views == [("dead_letters_growing", "firing")]
    assert store.alerts == {} and store.deliveries == [] and sink.received == []


def test_a_broken_queue_probe_only_skips_the_queue_rule() -> None:
    class Broken:
        def oldest_message_age(self, now: datetime) -> timedelta | None:
            raise RuntimeError("cloudwatch down")

    views = run(
        FakeCounts(BacklogSample(dead_letters=12)), FakeStore(), [], NOW, queue_probe=Broken()
    )
    assert views == [("dead_letters_growing", "firing")]


def test_queue_probe_feeds_the_queue_age_rule() -> None:
    class Old:
        def oldest_message_age(self, now: datetime) -> timedelta | None:
            return timedelta(hours=2)

    assert run(FakeCounts(), FakeStore(), [], NOW, queue_probe=Old()) == [
        ("queue_oldest_message_age", "firing")
    ]


def test_lifecycle_through_the_handler() -> None:
    counts = FakeCounts(BacklogSample(dead_letters=12))
    store, sink = FakeStore(), Sink("webhook")
    run(counts, store, [sink], NOW)
    run(counts, store, [sink], NOW + 30 * MINUTE)
    run(counts, store, [sink], NOW + 61 * MINUTE)
    counts.backlog = BacklogSample()
    assert run(counts, store, [sink], NOW + 62 * MINUTE) == [("dead_letters_growing", "resolved")]
    assert run(counts, store, [sink], NOW + 63 * MINUTE) == []
    assert [p["kind"] for p in sink.received] == ["fired", "renotified", "resolved"]
