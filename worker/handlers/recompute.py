"""Recompute notification statuses under lock from their whole ledger (shared by ingest,
record_sends and sweep)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from worker.domain.status import DecidingEvent, decide_status
from worker.domain.timestamps import moment_of
from worker.handlers.callbacks import announced_changes
from worker.handlers.ports import CountKey, LogTransaction, NotificationState


@dataclass(frozen=True, slots=True)
class SendDetails:
    """Send facts that replace those of a notification created from an SES Send event
    once the sending application records the send explicitly."""

    notification_id: str
    notification_type: str
    sent_at: datetime
    source: str


def _with_details(state: NotificationState, extra: SendDetails | None) -> NotificationState:
    if extra is None:
        return state
    return replace(
        state,
        notification_id=extra.notification_id,
        notification_type=extra.notification_type,
        sent_at=extra.sent_at,
        source=extra.source,
    )


def recompute_statuses(
    tx: LogTransaction,
    pks: Collection[int],
    *,
    now: datetime,
    feedback_window: timedelta,
    deltas: Counter[CountKey],
    details: Mapping[int, SendDetails] | None = None,
    announced_at: datetime | None = None,
) -> int:
    """Lock ``pks`` in primary-key order, decide each status from its whole ledger, write
    the rows that changed and add their bucket moves to ``deltas``. Returns the number of
    rows written.

    The ledger is read by a statement that starts after the locks are held, so under READ
    COMMITTED it sees every event committed by a writer that held the lock before us: two
    concurrent handlers never lose each other's events.

    ``announced_at`` stamps the outbox rows' own bookkeeping (created, first due): the
    real clock (default: read now), never ``now``, which a caller may pretend (``--now``)
    and which only decides the statuses (their ``status_at`` stays the event time).
    """
    if not pks:
        return 0
    states = tx.lock_notifications(pks)
    live = [state.pk for state in states if not state.purged]
    ledgers = tx.deciding_events(live) if live else {}
    changed: list[NotificationState] = []
    no_events: tuple[DecidingEvent, ...] = ()
    for state in states:
        if state.purged:
            continue
        extra = details.get(state.pk) if details else None
        state_with = _with_details(state, extra)
        decision = decide_status(
            ledgers.get(state.pk, no_events),
            sent_at=state_with.sent_at,
            now=now,
            feedback_window=feedback_window,
        )
        status, reason = decision.status.value, decision.reason.value
        status_at = moment_of(decision.status_at)
        if (
            extra is None
            and status == state.status
            and reason == state.reason
            and status_at == state.status_at
        ):
            continue  # unchanged: nothing to write
        new = NotificationState(
            state.pk,
            state_with.notification_id,
            state.recipient_domain,
            state_with.notification_type,
            state_with.sent_at,
            status,
            reason,
            status_at,
            state_with.source,
        )
        if new != state:
            changed.append(new)
            old_key, new_key = state.count_key(), new.count_key()
            if old_key != new_key:
                deltas[old_key] -= 1
                deltas[new_key] += 1
    if changed:
        tx.update_notifications(changed, now)
        # Status callbacks (issue 14): the announcement commits with the change.
        announced = announced_changes(states, changed)
        if announced:
            when = announced_at if announced_at is not None else datetime.now(UTC)
            tx.record_status_changes(announced, when)
    return len(changed)
