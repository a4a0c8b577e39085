"""Alert state, history and the delivery outbox (SQLAlchemy Core), on the notification
log's :data:`~worker.adapters.database.metadata`; created by migration ``0002``.

Tables:

``alerts``
    One row per (rule, scope, key): the current state of that alert (firing or
    resolved). ``version`` is a compare-and-set token: every write is
    ``UPDATE ... WHERE id = :id AND version = :read_version`` (or, for a first firing,
    ``INSERT ... ON CONFLICT (rule, scope, alert_key) DO UPDATE ... WHERE state =
    'resolved'``), so when several evaluators run at once exactly one of them wins each
    transition and only the winner records a notification.
``alert_history``
    Append-only: one row per notification (fired, escalated, renotified, resolved) with
    the JSON payload the sinks receive. ``inboxgap alerts list`` reads it.
``alert_deliveries``
    The outbox: one row per (history row, sink), written in the same transaction as the
    state change and delivered *after* commit, so a slow or failing sink never holds a
    database lock, and a crash between commit and send loses nothing (the lease expires
    and the next evaluation sends it). Claims are an ``UPDATE ... WHERE claimed_until <
    now`` that concurrent evaluators cannot both win.

Indexes this module adds to the log's tables (also in migration ``0002``), for the read
side in :mod:`worker.queries.alert_counts`:

* ``ix_events_feedback_received_at``: ``events (received_at) WHERE event_type <> 'Send'``
  (when feedback was last applied: one index probe);
* ``ix_events_parked_received_at``: ``events (received_at) WHERE notification_pk IS NULL``
  (parked events of the backlog window);
* ``ix_daily_status_counts_domain_day`` / ``_type_day``: a spike candidate's own
  baseline without scanning every key's days.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from worker.adapters.database import (
    UtcTime,
    _pk,
    code_point_text,
    daily_status_counts,
    events,
    metadata,
    to_stored_time,
)
from worker.adapters.notification_log import is_missing_schema, is_transient
from worker.domain.alert_lifecycle import (
    AlertNotification,
    AlertState,
    AlertStatus,
    LifecycleResult,
    NotificationKind,
    notification_payload,
)
from worker.domain.alert_rules import Rule, Scope, Severity
from worker.handlers.ports import SchemaNotReadyError, TransientStoreError
from worker.handlers.ports.alerts import HistoryEntry, PendingDelivery

Str = code_point_text

alerts = Table(
    "alerts",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    Column("rule", Str(), nullable=False),
    Column("scope", Str(), nullable=False),
    Column("alert_key", Str(), nullable=False),
    Column("state", Str(), nullable=False),
    Column("severity", Str(), nullable=False),
    Column("value", Float(), nullable=False),
    Column("threshold", Float(), nullable=False),
    Column("alert_window", Str(), nullable=False),
    Column("fired_at", UtcTime(), nullable=False),
    Column("last_notified_at", UtcTime(), nullable=False),
    Column("updated_at", UtcTime(), nullable=False),
    Column("resolved_at", UtcTime(), nullable=True),
    Column("version", Integer(), nullable=False),
    UniqueConstraint("rule", "scope", "alert_key"),
)
Index("ix_alerts_state", alerts.c.state)

alert_history = Table(
    "alert_history",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    Column("alert_id", _pk(), ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Str(), nullable=False),
    Column("rule", Str(), nullable=False),
    Column("scope", Str(), nullable=False),
    Column("alert_key", Str(), nullable=False),
    Column("state", Str(), nullable=False),
    Column("severity", Str(), nullable=False),
    Column("value", Float(), nullable=False),
    Column("threshold", Float(), nullable=False),
    Column("alert_window", Str(), nullable=False),
    Column("at", UtcTime(), nullable=False),
    Column("payload", Str(), nullable=False),
)
Index("ix_alert_history_at", alert_history.c.at)
Index("ix_alert_history_alert_id", alert_history.c.alert_id)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", _pk(), primary_key=True, autoincrement=True),
    Column("history_id", _pk(), ForeignKey("alert_history.id", ondelete="CASCADE"), nullable=False),
    Column("sink", Str(), nullable=False),
    # pending -> sent | failed (gave up after the attempts).
    Column("status", Str(), nullable=False),
    Column("attempts", Integer(), nullable=False),
    Column("claimed_until", UtcTime(), nullable=True),
    Column("last_error", Str(), nullable=True),
    Column("delivered_at", UtcTime(), nullable=True),
    UniqueConstraint("history_id", "sink"),
)
Index(
    "ix_alert_deliveries_pending",
    alert_deliveries.c.id,
    postgresql_where=alert_deliveries.c.status == "pending",
    sqlite_where=alert_deliveries.c.status == "pending",
)

# --- read-side indexes on the log's tables (see the module docstring) -------------------
FEEDBACK_PREDICATE = "event_type <> 'Send'"
PARKED_PREDICATE = "notification_pk IS NULL"

Index(
    "ix_events_feedback_received_at",
    events.c.received_at,
    postgresql_where=text(FEEDBACK_PREDICATE),
    sqlite_where=text(FEEDBACK_PREDICATE),
)
Index(
    "ix_events_parked_received_at",
    events.c.received_at,
    postgresql_where=text(PARKED_PREDICATE),
    sqlite_where=text(PARKED_PREDICATE),
)
Index(
    "ix_daily_status_counts_domain_day",
    daily_status_counts.c.recipient_domain,
    daily_status_counts.c.day,
)
Index(
    "ix_daily_status_counts_type_day",
    daily_status_counts.c.notification_type,
    daily_status_counts.c.day,
)

ALERT_TABLES = (alerts, alert_history, alert_deliveries)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


def _state_of(row: Any) -> AlertState:
    return AlertState(
        rule=Rule(row.rule),
        scope=Scope(row.scope),
        key=row.alert_key,
        state=AlertStatus(row.state),
        severity=Severity(row.severity),
        value=float(row.value),
        threshold=float(row.threshold),
        window=row.alert_window,
        fired_at=to_stored_time(row.fired_at),
        last_notified_at=to_stored_time(row.last_notified_at),
        updated_at=to_stored_time(row.updated_at),
        resolved_at=to_stored_time(row.resolved_at) if row.resolved_at else None,
        version=int(row.version),
    )


def _values(state: AlertState) -> dict[str, Any]:
    return {
        "rule": state.rule.value,
        "scope": state.scope.value,
        "alert_key": state.key,
        "state": state.state.value,
        "severity": state.severity.value,
        "value": state.value,
        "threshold": state.threshold,
        "alert_window": state.window,
        "fired_at": state.fired_at,
        "last_notified_at": state.last_notified_at,
        "updated_at": state.updated_at,
        "resolved_at": state.resolved_at,
    }


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0][:300] if lines else ''}"


class SqlAlertStore:
    """Alert state and outbox on PostgreSQL or SQLite (one engine shared with the log)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _begin(self, *, readonly: bool = False) -> Iterator[Connection]:
        try:
            if readonly:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(readonly=True)
                    with conn.begin():
                        yield conn
            else:
                with self.engine.begin() as conn:
                    yield conn
        except sa_exc.SQLAlchemyError as exc:
            if is_missing_schema(exc):
                raise SchemaNotReadyError(
                    f"the alert tables are missing ({_describe(exc)}); run `inboxgap db upgrade`"
                ) from exc
            if is_transient(exc):
                raise TransientStoreError(_describe(exc)) from exc
            raise

    def _insert(self, conn: Connection, table: Table) -> Any:
        return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)

    # --- state ------------------------------------------------------------------------
    def load_firing(self) -> list[AlertState]:
        """Every alert currently firing."""
        with self._begin(readonly=True) as conn:
            rows = conn.execute(
                select(alerts)
                .where(alerts.c.state == AlertStatus.FIRING.value)
                .order_by(alerts.c.rule, alerts.c.scope, alerts.c.alert_key)
            ).all()
        return [_state_of(row) for row in rows]

    def save(
        self, result: LifecycleResult, *, sinks: Sequence[str], now: datetime
    ) -> list[AlertNotification]:
        """Write the changed states with compare-and-set and, for each transition this
        evaluator won, its history row and one pending delivery per sink, in one
        transaction. Returns the notifications recorded; a loser's are dropped (another
        evaluator recorded them)."""
        notify = {n.alert.identity: n for n in result.notifications}
        recorded: list[AlertNotification] = []
        with self._begin() as conn:
            for state in result.changed:
                notification = notify.get(state.identity)
                if notification is not None and notification.kind is NotificationKind.FIRED:
                    alert_id = self._fire(conn, state)
                else:
                    alert_id = self._update(conn, state)
                if alert_id is None or notification is None:
                    continue
                self._record(conn, alert_id, notification, sinks, now)
                recorded.append(notification)
        return recorded

    def _fire(self, conn: Connection, state: AlertState) -> int | None:
        """Insert the alert, or take over its resolved row; None when another evaluator
        fired it first (the row is firing)."""
        a = alerts.c
        values = _values(state)
        stmt = self._insert(conn, alerts).values(**values, version=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[a.rule, a.scope, a.alert_key],
            set_={**{k: stmt.excluded[k] for k in values}, "version": a.version + 1},
            where=a.state == AlertStatus.RESOLVED.value,
        ).returning(a.id)
        row = conn.execute(stmt).first()
        return int(row[0]) if row is not None else None

    def _update(self, conn: Connection, state: AlertState) -> int | None:
        """Compare-and-set on ``version``; None when someone else wrote it since."""
        a = alerts.c
        stmt = (
            update(alerts)
            .where(
                a.rule == state.rule.value,
                a.scope == state.scope.value,
                a.alert_key == state.key,
                a.version == state.version,
            )
            .values(**_values(state), version=a.version + 1)
            .returning(a.id)
        )
        row = conn.execute(stmt).first()
        return int(row[0]) if row is not None else None

    def _record(
        self,
        conn: Connection,
        alert_id: int,
        notification: AlertNotification,
        sinks: Sequence[str],
        now: datetime,
    ) -> None:
        payload = notification_payload(notification)
        s = notification.alert
        history_id = conn.execute(
            alert_history.insert()
            .values(
                alert_id=alert_id,
                kind=notification.kind.value,
                rule=s.rule.value,
                scope=s.scope.value,
                alert_key=s.key,
                state=s.state.value,
                severity=s.severity.value,
                value=s.value,
                threshold=s.threshold,
                alert_window=s.window,
                at=now,
                payload=json.dumps(payload, sort_keys=True),
            )
            .returning(alert_history.c.id)
        ).scalar_one()
        if sinks:
            conn.execute(
                alert_deliveries.insert(),
                [
                    {
                        "history_id": history_id,
                        "sink": sink,
                        "status": PENDING,
                        "attempts": 0,
                        "claimed_until": None,
                        "last_error": None,
                        "delivered_at": None,
                    }
                    for sink in sorted(set(sinks))
                ],
            )

    # --- outbox -----------------------------------------------------------------------
    def claim_deliveries(
        self, *, now: datetime, lease_until: datetime, limit: int = 100
    ) -> list[PendingDelivery]:
        """Pending deliveries nobody holds (or whose lease expired), now leased to the
        caller until ``lease_until``. Concurrent callers never get the same row."""
        d = alert_deliveries.c
        claimable = and_(d.status == PENDING, or_(d.claimed_until.is_(None), d.claimed_until < now))
        with self._begin() as conn:
            ids = select(d.id).where(claimable).order_by(d.id).limit(limit)
            if conn.dialect.name == "postgresql":
                ids = ids.with_for_update(skip_locked=True)
            wanted = [int(i) for i in conn.execute(ids).scalars()]
            if not wanted:
                return []
            claimed = conn.execute(
                update(alert_deliveries)
                .where(d.id.in_(wanted), claimable)
                .values(claimed_until=lease_until)
                .returning(d.id, d.sink, d.attempts, d.history_id)
            ).all()
            history_ids = sorted({int(row.history_id) for row in claimed})
            payloads = {
                int(h.id): json.loads(h.payload)
                for h in conn.execute(
                    select(alert_history.c.id, alert_history.c.payload).where(
                        alert_history.c.id.in_(history_ids)
                    )
                )
            }
        return sorted(
            (
                PendingDelivery(int(r.id), r.sink, int(r.attempts), payloads[int(r.history_id)])
                for r in claimed
            ),
            key=lambda p: p.id,
        )

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
        """Release a claimed delivery: sent, failed for good (``give_up``), or pending
        again for the next evaluation. ``attempted``: a send was tried (counted)."""
        d = alert_deliveries.c
        values: dict[str, Any] = {"claimed_until": None}
        if attempted:
            values["attempts"] = d.attempts + 1
        if ok:
            values.update(status=SENT, delivered_at=now, last_error=None)
        else:
            values.update(status=FAILED if give_up else PENDING, last_error=(error or "")[:500])
        with self._begin() as conn:
            conn.execute(update(alert_deliveries).where(d.id == delivery_id).values(**values))

    # --- history ----------------------------------------------------------------------
    def history(self, *, limit: int = 50, since: datetime | None = None) -> list[HistoryEntry]:
        """Latest notifications first."""
        h = alert_history.c
        query = select(alert_history).order_by(h.at.desc(), h.id.desc()).limit(limit)
        if since is not None:
            query = query.where(h.at >= since)
        with self._begin(readonly=True) as conn:
            rows = conn.execute(query).all()
            ids = [int(r.id) for r in rows]
            deliveries: dict[int, dict[str, str]] = {i: {} for i in ids}
            if ids:
                d = alert_deliveries.c
                for row in conn.execute(
                    select(d.history_id, d.sink, d.status).where(d.history_id.in_(ids))
                ):
                    deliveries[int(row.history_id)][row.sink] = row.status
        return [
            HistoryEntry(
                id=int(r.id),
                at=to_stored_time(r.at),
                kind=r.kind,
                rule=r.rule,
                scope=r.scope,
                key=r.alert_key,
                state=r.state,
                severity=r.severity,
                value=float(r.value),
                threshold=float(r.threshold),
                window=r.alert_window,
                deliveries=dict(sorted(deliveries[int(r.id)].items())),
            )
            for r in rows
        ]

    def delivery_counts(self) -> dict[str, int]:
        """{status: rows} of the outbox (tests, diagnostics)."""
        d = alert_deliveries.c
        with self._begin(readonly=True) as conn:
            return {
                row.status: int(row.n)
                for row in conn.execute(
                    select(d.status, func.count().label("n")).group_by(d.status)
                )
            }
