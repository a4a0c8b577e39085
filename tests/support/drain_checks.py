"""Helpers for the drain tests: simulated traffic recorded and checked against the log.

``exactly_once(engine, traffic)`` is the crash drill's verdict: every notification has the
status the simulation expects, every distinct (event identity, recipient) is in the ledger
once, and the daily counts add up to the notifications (no effect applied twice).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from worker.adapters.database import daily_status_counts, events, notifications
from worker.domain.classifier import classify_event
from worker.domain.events import FeedbackEvent
from worker.domain.parser import parse_body
from worker.simulation import Traffic, generate_traffic


def traffic(notifications_count: int, seed: int, **kwargs: Any) -> Traffic:
    """Traffic sent over the last two hours (well inside the feedback window), without
    the feedback dated more than a day from now (complaints come days later): it would be
    ``implausible_timestamp`` when drained now (see ``Traffic.received_at``)."""
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(hours=2)
    kwargs.setdefault("mean_interval_seconds", 3600.0 / max(1, notifications_count))
    generated = generate_traffic(
        notifications=notifications_count, seed=seed, start=start, **kwargs
    )
    return generated.received_at(now)


def expected_ledger_keys(bodies: Iterable[str]) -> set[tuple[str, str]]:
    """Distinct (identity, recipient) pairs the bodies should leave in the ledger."""
    keys: set[tuple[str, str]] = set()
    for body in bodies:
        parsed = parse_body(body)
        if isinstance(parsed, FeedbackEvent):
            keys.update((o.identity, o.address) for o in classify_event(parsed))
    return keys


@dataclass
class Verdict:
    notifications: int = 0
    wrong_status: list[tuple[str, tuple[str, str], tuple[str, str] | None]] = field(
        default_factory=list
    )
    ledger_rows: int = 0
    ledger_expected: int = 0
    missing_ledger: int = 0
    unexpected_ledger: int = 0
    counts_total: int = 0
    counts_mismatch: bool = False

    @property
    def lost(self) -> int:
        """Events whose effect is missing (ledger rows absent)."""
        return self.missing_ledger

    @property
    def double_applied(self) -> int:
        """Effects counted more than once: extra ledger rows or aggregate drift."""
        return self.unexpected_ledger + (1 if self.counts_mismatch else 0)

    @property
    def ok(self) -> bool:
        return not self.wrong_status and not self.lost and not self.double_applied


def statuses(engine: Engine, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(
                    notifications.c.notification_id,
                    notifications.c.status,
                    notifications.c.reason,
                ).where(notifications.c.notification_id.in_(ids[start : start + 500]))
            )
            out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def recorded_messages(engine: Engine, ids: Sequence[str]) -> dict[str, str]:
    """Notification id -> the SES message id it was recorded for."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(notifications.c.notification_id, notifications.c.ses_message_id).where(
                    notifications.c.notification_id.in_(ids[start : start + 500])
                )
            )
            out.update({r[0]: r[1] for r in rows})
    return out


def parked_count(engine: Engine) -> int:
    """Ledger rows still waiting for their notification."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(events).where(events.c.notification_pk.is_(None))
            ).scalar_one()
        )


def exactly_once(engine: Engine, sim: Traffic) -> Verdict:
    expected = {nid: (s.value, r.value) for nid, (s, r) in sim.expected.items()}
    actual = statuses(engine, list(expected))
    verdict = Verdict(notifications=len(expected))
    verdict.wrong_status = [
        (nid, want, actual.get(nid)) for nid, want in expected.items() if actual.get(nid) != want
    ]
    keys = expected_ledger_keys(sim.bodies)
    with engine.connect() as conn:
        rows = {(r[0], r[1]) for r in conn.execute(select(events.c.identity, events.c.recipient))}
        verdict.ledger_rows = int(
            conn.execute(select(func.count()).select_from(events)).scalar_one()
        )
        verdict.counts_total = int(
            conn.execute(
                select(func.coalesce(func.sum(daily_status_counts.c.count), 0))
            ).scalar_one()
        )
        total = int(conn.execute(select(func.count()).select_from(notifications)).scalar_one())
    verdict.ledger_expected = len(keys)
    verdict.missing_ledger = len(keys - rows)
    verdict.unexpected_ledger = len(rows - keys) + (verdict.ledger_rows - len(rows))
    verdict.counts_mismatch = verdict.counts_total != total
    return verdict


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.5,
    what: str = "",
    raise_on_timeout: bool = True,
) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    if raise_on_timeout:
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or condition}")
    return False
