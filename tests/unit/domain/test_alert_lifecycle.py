"""The alert lifecycle: fire once, re-notify at an interval, escalate, resolve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from worker.domain.alert_lifecycle import (
    AlertState,
    AlertStatus,
    LifecycleResult,
    NotificationKind,
    advance,
    notification_payload,
)
from worker.domain.alert_rules import Condition, Rule, Scope, Severity

T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
RENOTIFY = timedelta(hours=1)


def cond(
    severity: Severity = Severity.WARNING, value: float = 0.5, key: str = "acme-corp.example"
) -> Condition:
    return Condition(Rule.QUARANTINE_SPIKE, Scope.DOMAIN, key, severity, value, 0.1, "15m")


def run(stored: list[AlertState], conditions: list[Condition], now: datetime) -> LifecycleResult:
    return advance(stored, conditions, now, renotify_interval=RENOTIFY)


def kinds(result: LifecycleResult) -> list[str]:
    return [n.kind.value for n in result.notifications]


def test_fires_once_then_holds_quietly() -> None:
    first = run([], [cond()], T0)
    assert kinds(first) == ["fired"]
    (state,) = first.changed
    assert state.state is AlertStatus.FIRING and state.fired_at == T0 and state.version == 0

    stored = [first.changed[0]]
    second = run(stored, [cond(value=0.7)], T0 + MINUTE)
    assert kinds(second) == []
    assert second.changed[0].value == 0.7
    assert second.changed[0].last_notified_at == T0
    assert [a.state for a in second.active] == [AlertStatus.FIRING]


def test_renotifies_at_the_interval_while_it_holds() -> None:
    stored = run([], [cond()], T0).changed
    assert kinds(run(stored, [cond()], T0 + RENOTIFY - MINUTE)) == []
    again = run(stored, [cond()], T0 + RENOTIFY)
    assert kinds(again) == ["renotified"]
    assert again.changed[0].last_notified_at == T0 + RENOTIFY
    assert again.changed[0].fired_at == T0


def test_zero_interval_never_renotifies() -> None:
    stored = run([], [cond()], T0).changed
    result = advance(stored, [cond()], T0 + timedelta(days=3), renotify_interval=timedelta(0))
    assert kinds(result) == []


def test_escalation_notifies_at_once_downgrade_does_not() -> None:
    stored = run([], [cond()], T0).changed
    up = run(stored, [cond(Severity.CRITICAL)], T0 + MINUTE)
    assert kinds(up) == ["escalated"]
    down = run(up.changed, [cond(Severity.WARNING)], T0 + 2 * MINUTE)
    assert kinds(down) == []
    assert down.changed[0].severity is Severity.WARNING


def test_resolves_when_clear_and_then_stays_quiet() -> None:
    stored = run([], [cond()], T0).changed
    resolved = run(stored, [], T0 + 5 * MINUTE)
    assert kinds(resolved) == ["resolved"]
    (state,) = resolved.changed
    assert state.state is AlertStatus.RESOLVED and state.resolved_at == T0 + 5 * MINUTE
    assert [a.state for a in resolved.active] == [AlertStatus.RESOLVED]
    later = run(resolved.changed, [], T0 + 6 * MINUTE)
    assert later.changed == [] and later.notifications == [] and later.active == []


def test_refires_after_resolution_as_a_new_episode() -> None:
    stored = run(run([], [cond()], T0).changed, [], T0 + MINUTE).changed
    again = run(stored, [cond()], T0 + 2 * MINUTE)
    assert kinds(again) == ["fired"]
    assert again.changed[0].fired_at == T0 + 2 * MINUTE
    assert again.changed[0].resolved_at is None


def test_keys_are_independent() -> None:
    result = run([], [cond(key="a.example"), cond(key="b.example")], T0)
    assert sorted(n.alert.key for n in result.notifications) == ["a.example", "b.example"]
    result2 = run(result.changed, [cond(key="b.example")], T0 + MINUTE)
    assert [(n.kind.value, n.alert.key) for n in result2.notifications] == [
        ("resolved", "a.example")
    ]


def test_payload_shape() -> None:
    (n,) = run([], [cond(Severity.CRITICAL, 0.923456789)], T0).notifications
    payload = notification_payload(n)
    assert payload == {
        "source": "inboxgap",
        "kind": "fired",
        "rule": "quarantine_spike",
        "scope": "domain",
        "key": "acme-corp.example",
        "severity": "critical",
        "value": 0.923457,
        "threshold": 0.1,
        "window": "15m",
        "state": "firing",
        "fired_at": "2025-03-05T12:00:00.000Z",
        "resolved_at": None,
        "at": "2025-03-05T12:00:00.000Z",
        "summary": payload["summary"],
    }
    assert str(payload["summary"]).startswith("[CRITICAL] quarantine rate at domain")


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(list(Severity))), max_size=40))
def test_notifications_follow_the_condition_sequence(steps: list[tuple[bool, Severity]]) -> None:
    """Over any sequence of evaluations one minute apart: a fired notification at every
    clear->holds edge, a resolved one at every holds->clear edge, never two in a row of
    the same kind, and re-notifications only while firing."""
    stored: list[AlertState] = []
    was_firing = False
    for i, (holds, severity) in enumerate(steps):
        now = T0 + i * timedelta(minutes=7)
        result = run(stored, [cond(severity)] if holds else [], now)
        got = kinds(result)
        if holds and not was_firing:
            assert got == ["fired"]
        elif not holds and was_firing:
            assert got == ["resolved"]
        elif not holds:
            assert got == []
        else:
            assert set(got) <= {"escalated", "renotified"} and len(got) <= 1
        stored = [s for s in result.changed if s.state is AlertStatus.FIRING]
        was_firing = holds
        assert all(n.kind is not NotificationKind.FIRED or holds for n in result.notifications)
