"""The read side of the alert rules: aggregated counts for their windows, over the log.

Read-only; one connection, one snapshot (``REPEATABLE READ`` on PostgreSQL). What each
sample costs on a 10M-row log (``bench/alerts.py`` measures it), and why:

* **Short spike windows (15 min, 1 h)**: one ``GROUP BY`` over the notifications *sent*
  in the longest window, through ``ix_notifications_sent_at``: the rows of one hour,
  whatever the log size. A ``CASE`` on ``sent_at`` gives each row its smallest window so
  both windows come from one scan.
* **Baselines (previous 7 days)**: only for the keys that could fire (a window reached
  the minimum count), from the pre-aggregated ``daily_status_counts`` (maintained by the
  ingest handlers in the same transaction as every status change) through
  ``ix_daily_status_counts_domain_day`` / ``_type_day`` (migration 0002).
* **Reputation (representative volume)**: account totals per day from
  ``daily_status_counts``, read back from today in growing chunks of days until the
  eligible volume reaches the target: a busy account reads one or two days, a quiet one
  more days of fewer rows.
* **Backlog**: the last feedback is one probe of ``ix_events_feedback_received_at``;
  parked events and dead letters are range counts on ``ix_events_parked_received_at``
  and ``ix_dead_letters_last_seen``; recent sends on ``ix_notifications_sent_at``.

The time axis of rates is ``sent_at`` (the day buckets of ``daily_status_counts`` too):
a window's rate is "of the mail sent in the window, the share that bounced / was
quarantined / drew a complaint", which is what the baseline measures as well.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, case, func, literal_column, select

from worker.adapters.database import daily_status_counts, dead_letters, events, notifications
from worker.domain.alert_rules import (
    AlertSnapshot,
    AlertThresholds,
    BacklogSample,
    OutcomeCounts,
    ReputationSample,
    Scope,
    SpikeSample,
    tally,
)
from worker.domain.timestamps import parse_timestamp

#: Events received this recently may still meet their send record: not counted as parked.
PARKED_GRACE = timedelta(minutes=2)

Rows = list[tuple[str, str, int]]


def _day(moment: date) -> str:
    return moment.isoformat()


def _days(span: timedelta) -> int:
    return max(1, math.ceil(span / timedelta(days=1)))


class SqlAlertCounts:
    """Builds an :class:`~worker.domain.alert_rules.AlertSnapshot` from the log."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            else:
                conn = conn.execution_options(readonly=True)
            with conn.begin():
                yield conn

    def snapshot(
        self,
        now: datetime,
        thresholds: AlertThresholds,
        *,
        queue_oldest_age: timedelta | None = None,
    ) -> AlertSnapshot:
        with self._connect() as conn:
            return AlertSnapshot(
                reputation=self.reputation(conn, now, thresholds),
                spikes=self.spikes(conn, now, thresholds),
                backlog=self.backlog(conn, now, thresholds, queue_oldest_age=queue_oldest_age),
            )

    # --- spikes -----------------------------------------------------------------------
    def spikes(self, conn: Connection, now: datetime, t: AlertThresholds) -> list[SpikeSample]:
        """Samples for every (scope, key, window) that reached the minimum count."""
        windows = sorted(set(t.spike_windows))
        if not windows:
            return []
        n = notifications.c
        slot = case(
            *((n.sent_at >= now - w, i) for i, w in enumerate(windows[:-1])),
            else_=len(windows) - 1,
        ).label("slot")
        query = (
            select(
                n.recipient_domain,
                n.notification_type,
                n.status,
                n.reason,
                slot,
                func.count().label("n"),
            )
            .where(
                n.sent_at >= now - windows[-1],
                n.sent_at < now,
            )
            .group_by(n.recipient_domain, n.notification_type, n.status, n.reason, slot)
        )
        # rows[(scope, key)][window index] -> (status, reason, count) rows of that slot
        rows: dict[tuple[Scope, str], dict[int, Rows]] = defaultdict(lambda: defaultdict(list))
        for domain, ntype, status, reason, row_slot, count in conn.execute(query):
            for scoped in ((Scope.DOMAIN, domain), (Scope.TYPE, ntype)):
                rows[scoped][int(row_slot)].append((status, reason, int(count)))

        current: dict[tuple[Scope, str, int], OutcomeCounts] = {}
        for (scope, key), slots in rows.items():
            running = OutcomeCounts()
            for index in range(len(windows)):
                running = running + tally(slots.get(index, ()))
                if max(running.bounced, running.quarantined, running.complaints) >= (
                    t.spike_min_count
                ):
                    current[(scope, key, index)] = running
        if not current:
            return []
        baselines = self.baselines(conn, now, t, {(scope, key) for scope, key, _ in current})
        return [
            SpikeSample(
                scope=scope,
                key=key,
                window=windows[index],
                current=counts,
                baseline=baselines.get((scope, key), OutcomeCounts()),
            )
            for (scope, key, index), counts in sorted(current.items())
        ]

    def baselines(
        self,
        conn: Connection,
        now: datetime,
        t: AlertThresholds,
        keys: Iterable[tuple[Scope, str]],
    ) -> dict[tuple[Scope, str], OutcomeCounts]:
        """Each key's counts over the whole days of the baseline before today."""
        d = daily_status_counts.c
        today = now.date()
        first = _day(today - timedelta(days=_days(t.spike_baseline)))
        found: dict[tuple[Scope, str], OutcomeCounts] = {}
        wanted: dict[Scope, list[str]] = defaultdict(list)
        for scope, key in keys:
            wanted[scope].append(key)
        for scope, column in (
            (Scope.DOMAIN, d.recipient_domain),
            (Scope.TYPE, d.notification_type),
        ):
            values = sorted(wanted.get(scope, ()))
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                query = (
                    select(column, d.status, d.reason, func.sum(d.count))
                    .where(column.in_(chunk), d.day >= first, d.day < _day(today))
                    .group_by(column, d.status, d.reason)
                )
                per_key: dict[str, Rows] = defaultdict(list)
                for key, status, reason, count in conn.execute(query):
                    per_key[key].append((status, reason, int(count)))
                for key, key_rows in per_key.items():
                    found[(scope, key)] = tally(key_rows)
        return found

    # --- reputation -------------------------------------------------------------------
    def reputation(self, conn: Connection, now: datetime, t: AlertThresholds) -> ReputationSample:
        """Account counts over whole days back from today (inclusive) until the eligible
        volume reaches ``max(reputation_volume, min_volume)``, at most
        ``reputation_max_window``."""
        target = max(t.reputation_volume, t.min_volume)
        d = daily_status_counts.c
        today = now.date()
        max_days = _days(t.reputation_max_window)
        total = OutcomeCounts()
        used = 0
        chunk = 2
        while used < max_days:
            newest = today - timedelta(days=used)
            size = min(chunk, max_days - used)
            oldest = newest - timedelta(days=size - 1)
            query = (
                select(d.day, d.status, d.reason, func.sum(d.count))
                .where(d.day >= _day(oldest), d.day <= _day(newest))
                .group_by(d.day, d.status, d.reason)
            )
            per_day: dict[str, Rows] = defaultdict(list)
            for day, status, reason, count in conn.execute(query):
                per_day[day].append((status, reason, int(count)))
            for offset in range(size):
                day_text = _day(newest - timedelta(days=offset))
                total = total + tally(per_day.get(day_text, ()))
                used += 1
                if total.eligible >= target:
                    return ReputationSample(total, timedelta(days=used))
            chunk *= 4
        return ReputationSample(total, timedelta(days=used))

    # --- backlog ----------------------------------------------------------------------
    def backlog(
        self,
        conn: Connection,
        now: datetime,
        t: AlertThresholds,
        *,
        queue_oldest_age: timedelta | None = None,
    ) -> BacklogSample:
        n, e, dl = notifications.c, events.c, dead_letters.c
        recent_sends = conn.execute(
            select(func.count()).where(
                n.sent_at >= now - t.silence,
                n.sent_at < now - t.silence / 2,
            )
        ).scalar_one()
        # Literal predicates, so both databases match the partial indexes.
        last_feedback = conn.execute(
            select(func.max(e.received_at)).where(
                literal_column("event_type <> 'Send'"),
                e.received_at >= now - t.silence_cap,
                e.received_at <= now,
            )
        ).scalar_one()
        parked = conn.execute(
            select(func.count()).where(
                literal_column("notification_pk IS NULL"),
                e.received_at >= now - t.backlog_window,
                e.received_at < now - min(PARKED_GRACE, t.backlog_window / 2),
            )
        ).scalar_one()
        dead = conn.execute(
            select(func.count()).where(
                dl.last_seen >= now - t.backlog_window,
                dl.last_seen <= now,
                dl.resolved_at.is_(None),
            )
        ).scalar_one()
        return BacklogSample(
            recent_sends=int(recent_sends),
            last_feedback_at=parse_timestamp(last_feedback) if last_feedback else None,
            dead_letters=int(dead),
            parked_events=int(parked),
            queue_oldest_age=queue_oldest_age,
        )


__all__: Sequence[str] = ["PARKED_GRACE", "SqlAlertCounts"]
