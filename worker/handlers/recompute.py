"""Recompute notification statuses under lock from their whole ledger (shared by ingest,
record_sends and sweep)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from msgspec.structs import replace

from worker.domain.outcomes import Reason, Status
from worker.domain.status import DecidingEvent, decide_status
from worker.domain.timestamps import moment_of, utc_day
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


def _move_bucket(deltas: Counter[CountKey], old: NotificationState, new: NotificationState) -> None:
    """Add the move of one notification between daily-count buckets to ``deltas`` (the
    buckets of :meth:`~worker.handlers.ports.NotificationState.count_key`; the day is
    worked out once when the send time is unchanged, the usual case)."""
    if old.sent_at == new.sent_at:
        if (
            old.status == new.status
            and old.reason == new.reason
            and old.notification_type == new.notification_type
        ):
            return  # same bucket (a new status time only)
        day = utc_day(old.sent_at)
        old_key, new_key = old.count_key(day), new.count_key(day)
    else:
        old_key, new_key = old.count_key(), new.count_key()
    if old_key != new_key:
        deltas[old_key] -= 1
        deltas[new_key] += 1


def _announce(
    tx: LogTransaction,
    states: Sequence[NotificationState],
    changed: Sequence[NotificationState],
    announced_at: datetime | None,
) -> None:
    """Status callbacks (issue 14): the announcement commits with the change. A
    transaction that says it records none (the SQL log with callbacks off) is not handed
    any: they would be built for nothing."""
    if not tx.records_status_changes:
        return
    announced = announced_changes(states, changed)
    if announced:
        when = announced_at if announced_at is not None else datetime.now(UTC)
        tx.record_status_changes(announced, when)


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
    # Statuses and reasons as text, once per call (``.value`` is a property lookup).
    status_text = {member: member.value for member in Status}
    reason_text = {member: member.value for member in Reason}
    # The status time of a decision is canonical text: most repeat within a batch (send
    # times, the window's end), so each is converted to a moment once.
    moments: dict[str, datetime] = {}
    for state in states:
        if state.purged:
            continue
        extra = details.get(state.pk) if details else None
        sent_at = state.sent_at if extra is None else extra.sent_at
        decision = decide_status(
            ledgers.get(state.pk, no_events),
            sent_at=sent_at,
            now=now,
            feedback_window=feedback_window,
        )
        status, reason = status_text[decision.status], reason_text[decision.reason]
        status_at = moments.get(decision.status_at)
        if status_at is None:
            status_at = moments[decision.status_at] = moment_of(decision.status_at)
        if extra is None:
            if status == state.status and reason == state.reason and status_at == state.status_at:
                continue  # unchanged: nothing to write
            new = NotificationState(
                state.pk,
                state.notification_id,
                state.recipient_domain,
                state.notification_type,
                state.sent_at,
                status,
                reason,
                status_at,
                state.source,
            )
        else:
            new = replace(
                _with_details(state, extra), status=status, reason=reason, status_at=status_at
            )
            if new == state:
                continue
        changed.append(new)
        _move_bucket(deltas, state, new)
    if changed:
        tx.update_notifications(changed, now)
        _announce(tx, states, changed, announced_at)
    return len(changed)
