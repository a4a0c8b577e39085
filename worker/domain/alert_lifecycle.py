"""The alert lifecycle: a pure state machine from (stored states, conditions, now) to new
states and the notifications to send.

One alert per (rule, scope, key). Transitions, for each identity:

==================  ==================  ==========================================
stored              condition now       result
==================  ==================  ==========================================
none / resolved     holds               firing; notify ``fired``
firing              holds, more severe  firing (escalated); notify ``escalated``
firing              holds, renotify     firing; notify ``renotified`` when
                                        ``renotify_interval`` passed since the last
                                        notification (never when the interval is 0)
firing              holds               firing, value updated; no notification
firing              clear               resolved; notify ``resolved``
none / resolved     clear               nothing
==================  ==================  ==========================================

A less severe condition while firing updates the alert without notifying (the next
reminder carries it). Persisting the result exactly once, when several evaluators run at
the same time, is the store's job (compare-and-set on ``version``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from worker.domain.alert_rules import (
    SEVERITY_RANK,
    Condition,
    Rule,
    Scope,
    Severity,
    describe,
)
from worker.domain.timestamps import format_timestamp

#: (rule, scope, key)
AlertKey = tuple[str, str, str]


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class NotificationKind(StrEnum):
    FIRED = "fired"
    ESCALATED = "escalated"
    RENOTIFIED = "renotified"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class AlertState:
    """One alert as stored. ``version`` is the store's compare-and-set token (0: never
    stored). ``value``/``threshold``/``window``/``severity`` are the latest seen while
    firing (kept as they were when it resolved)."""

    rule: Rule
    scope: Scope
    key: str
    state: AlertStatus
    severity: Severity
    value: float
    threshold: float
    window: str
    fired_at: datetime
    last_notified_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    version: int = 0

    @property
    def identity(self) -> AlertKey:
        return (self.rule.value, self.scope.value, self.key)


@dataclass(frozen=True, slots=True)
class AlertNotification:
    """A notification to send: what happened to the alert, and its state after."""

    kind: NotificationKind
    alert: AlertState
    at: datetime


@dataclass(frozen=True, slots=True)
class LifecycleResult:
    #: States to write, each with the ``version`` it was read at (0 when new).
    changed: list[AlertState]
    notifications: list[AlertNotification]
    #: Every alert firing after this evaluation plus those it resolved, by identity.
    active: list[AlertState]


def _fire(condition: Condition, now: datetime, previous: AlertState | None) -> AlertState:
    return AlertState(
        rule=condition.rule,
        scope=condition.scope,
        key=condition.key,
        state=AlertStatus.FIRING,
        severity=condition.severity,
        value=condition.value,
        threshold=condition.threshold,
        window=condition.window,
        fired_at=now,
        last_notified_at=now,
        updated_at=now,
        resolved_at=None,
        version=previous.version if previous is not None else 0,
    )


def advance(
    stored: Mapping[AlertKey, AlertState] | Iterable[AlertState],
    conditions: Iterable[Condition],
    now: datetime,
    *,
    renotify_interval: timedelta,
) -> LifecycleResult:
    """Apply ``conditions`` (at most one per identity, see ``alert_rules.strongest``) to
    the stored alerts at ``now``."""
    states: dict[AlertKey, AlertState] = (
        dict(stored) if isinstance(stored, Mapping) else {s.identity: s for s in stored}
    )
    holding: dict[AlertKey, Condition] = {}
    for holds in conditions:
        holding.setdefault(holds.identity, holds)

    changed: list[AlertState] = []
    notifications: list[AlertNotification] = []
    active: list[AlertState] = []

    for identity in sorted(set(states) | set(holding)):
        previous = states.get(identity)
        condition = holding.get(identity)
        firing = previous is not None and previous.state is AlertStatus.FIRING

        if condition is not None and not firing:
            new = _fire(condition, now, previous)
            changed.append(new)
            notifications.append(AlertNotification(NotificationKind.FIRED, new, now))
            active.append(new)
        elif condition is not None and previous is not None:
            escalated = SEVERITY_RANK[condition.severity] > SEVERITY_RANK[previous.severity]
            due = (
                renotify_interval > timedelta(0)
                and now - previous.last_notified_at >= renotify_interval
            )
            new = replace(
                previous,
                severity=condition.severity,
                value=condition.value,
                threshold=condition.threshold,
                window=condition.window,
                updated_at=now,
                last_notified_at=now if (escalated or due) else previous.last_notified_at,
            )
            changed.append(new)
            if escalated:
                notifications.append(AlertNotification(NotificationKind.ESCALATED, new, now))
            elif due:
                notifications.append(AlertNotification(NotificationKind.RENOTIFIED, new, now))
            active.append(new)
        elif firing and previous is not None:
            new = replace(
                previous,
                state=AlertStatus.RESOLVED,
                resolved_at=now,
                updated_at=now,
                last_notified_at=now,
            )
            changed.append(new)
            notifications.append(AlertNotification(NotificationKind.RESOLVED, new, now))
            active.append(new)
    return LifecycleResult(changed, notifications, active)


#: Decimal places kept in values shown to people and sent to sinks.
VALUE_DIGITS = 6


def summary(state: AlertState) -> str:
    """One line for people, e.g. ``[CRITICAL] quarantine rate at domain ... is 92% ...``."""
    condition = Condition(
        state.rule,
        state.scope,
        state.key,
        state.severity,
        state.value,
        state.threshold,
        state.window,
    )
    if state.state is AlertStatus.RESOLVED:
        return describe(condition, head="[RESOLVED] was:")
    return describe(condition)


def notification_payload(notification: AlertNotification) -> dict[str, object]:
    """The JSON document every sink receives (the webhook body as is)."""
    alert = notification.alert
    return {
        "source": "inboxgap",
        "kind": notification.kind.value,
        "rule": alert.rule.value,
        "scope": alert.scope.value,
        "key": alert.key,
        "severity": alert.severity.value,
        "value": round(alert.value, VALUE_DIGITS),
        "threshold": round(alert.threshold, VALUE_DIGITS),
        "window": alert.window,
        "state": alert.state.value,
        "fired_at": format_timestamp(alert.fired_at),
        "resolved_at": format_timestamp(alert.resolved_at) if alert.resolved_at else None,
        "at": format_timestamp(notification.at),
        "summary": summary(alert),
    }


__all__ = [
    "AlertKey",
    "AlertNotification",
    "AlertState",
    "AlertStatus",
    "LifecycleResult",
    "NotificationKind",
    "advance",
    "notification_payload",
    "summary",
]
