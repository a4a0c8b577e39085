"""The notification log on SQLite (the embedded default): SQLAlchemy Core, multi-row
``INSERT ... ON CONFLICT ... RETURNING`` and chunked ``IN`` lists."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite

from worker.adapters.database import (
    daily_status_counts,
    events,
    notifications,
    pending_notifications,
    to_stored_time,
)
from worker.adapters.notification_log.base import (
    _COUNT_PARAMS,
    PENDING_STATUS,
    SQLITE_IN_CHUNK,
    SqlLogTransaction,
    _ledgers,
    _state,
)
from worker.domain.status import DecidingEvent
from worker.handlers.ports import (
    CountKey,
    CreatedNotification,
    ExistingSend,
    LedgerRow,
    MessageKey,
    NewNotification,
    NotificationState,
    iter_chunks,
)


class SqliteLogTransaction(SqlLogTransaction):
    """One transaction on SQLite."""

    def _insert(self, table: Any) -> Any:
        return sqlite.insert(table)

    def _in(self, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
        in_clause: ColumnElement[bool] = column.in_(values)
        return in_clause

    def _chunks(self, values: Collection[Any]) -> Iterator[Sequence[Any]]:
        yield from iter_chunks(sorted(values), SQLITE_IN_CHUNK)

    def insert_notifications(
        self, rows: Sequence[NewNotification], now: datetime
    ) -> list[CreatedNotification]:
        if not rows:
            return []
        n = notifications.c
        stmt = (
            self._insert(notifications)
            .on_conflict_do_nothing()
            .returning(n.id, n.ses_message_id, n.recipient)
        )
        params = [
            {
                "notification_id": r.notification_id,
                "ses_message_id": r.message_id,
                "recipient": r.recipient,
                "recipient_original": r.recipient_original,
                "recipient_domain": r.recipient_domain,
                "notification_type": r.notification_type,
                "sent_at": r.sent_at,
                "status": "sent",
                "reason": "awaiting_feedback",
                "status_at": r.sent_at,
                "updated_at": now,
                "source": r.source,
            }
            for r in rows
        ]
        created = [
            CreatedNotification(int(pk), mid, rcpt)
            for pk, mid, rcpt in self.conn.execute(stmt, params).all()
        ]
        if created:
            sent_at = {(r.message_id, r.recipient): r.sent_at for r in rows}
            self.conn.execute(
                insert(pending_notifications),
                [
                    {
                        "notification_pk": c.pk,
                        "sent_at": sent_at[(c.message_id, c.recipient)],
                    }
                    for c in created
                ],
            )
        return created

    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        wanted = set(keys)
        found: list[ExistingSend] = []
        n = notifications.c
        for chunk in self._chunks({mid for mid, _ in wanted}):
            query = select(
                n.id,
                n.notification_id,
                n.ses_message_id,
                n.recipient,
                n.notification_type,
                n.sent_at,
                n.source,
            ).where(self._in(n.ses_message_id, chunk), n.purged_at.is_(None))
            for row in self.conn.execute(query):
                if (row.ses_message_id, row.recipient) in wanted:
                    found.append(
                        ExistingSend(
                            pk=row.id,
                            notification_id=row.notification_id,
                            message_id=row.ses_message_id,
                            recipient=row.recipient,
                            notification_type=row.notification_type,
                            sent_at=to_stored_time(row.sent_at),
                            source=row.source,
                        )
                    )
        found.sort(key=lambda s: s.pk)
        return found

    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        if not rows:
            return {}
        resolved = self._resolve({(r.message_id, r.recipient) for r in rows})
        return self._insert_events(rows, resolved, now)

    def _resolve(self, keys: Collection[MessageKey]) -> dict[MessageKey, int]:
        wanted = set(keys)
        n = notifications.c
        resolved: dict[MessageKey, int] = {}
        for chunk in self._chunks({mid for mid, _ in wanted}):
            query = select(n.ses_message_id, n.recipient, n.id).where(
                self._in(n.ses_message_id, chunk), n.recipient.is_not(None)
            )
            for mid, rcpt, pk in self.conn.execute(query):
                if (mid, rcpt) in wanted:
                    resolved[(mid, rcpt)] = int(pk)
        return resolved

    def _insert_events(
        self, rows: Sequence[LedgerRow], resolved: Mapping[MessageKey, int], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        e = events.c
        stmt = (
            self._insert(events)
            .on_conflict_do_nothing(index_elements=[e.identity, e.recipient])
            .returning(e.identity, e.recipient, e.notification_pk)
        )
        params = [
            {
                "identity": r.identity,
                "recipient": r.recipient,
                "message_id": r.message_id,
                "notification_pk": resolved.get((r.message_id, r.recipient)),
                "event_type": r.event_type,
                "occurred_at": r.occurred_at,
                "status": r.status,
                "reason": r.reason,
                "smtp_status": r.smtp_status,
                "diagnostic": r.diagnostic,
                "provider": r.provider,
                "help_url": r.help_url,
                "recipient_original": r.recipient_original,
                "received_at": now,
                "reporting_mta": r.reporting_mta,
                "remote_mta_ip": r.remote_mta_ip,
                "from_header": r.from_header,
                "subject": r.subject,
                "sending_domain": r.sending_domain,
            }
            for r in rows
        ]
        result = self.conn.execute(stmt, params)
        return {(identity, rcpt): pk for identity, rcpt, pk in result}

    def parked_keys(self, keys: Collection[MessageKey]) -> set[MessageKey]:
        wanted = set(keys)
        e = events.c
        found: set[MessageKey] = set()
        for chunk in self._chunks({mid for mid, _ in wanted}):
            query = select(e.message_id, e.recipient).where(
                e.notification_pk.is_(None), self._in(e.message_id, chunk)
            )
            found.update(
                (mid, rcpt) for mid, rcpt in self.conn.execute(query) if (mid, rcpt) in wanted
            )
        return found

    def attach_parked(self, created: Sequence[CreatedNotification]) -> dict[int, int]:
        if not created:
            return {}
        counts: dict[int, int] = {}
        e = events.c
        pk_of = {(c.message_id, c.recipient): c.pk for c in created}
        for chunk in self._chunks({c.message_id for c in created}):
            query = (
                select(e.message_id, e.recipient, func.count())
                .where(e.notification_pk.is_(None), self._in(e.message_id, chunk))
                .group_by(e.message_id, e.recipient)
            )
            for mid, rcpt, count in self.conn.execute(query):
                pk = pk_of.get((mid, rcpt))
                if pk is not None:
                    counts[pk] = int(count)
        if counts:
            key_of = {pk: key for key, pk in pk_of.items()}
            stmt = (
                update(events)
                .where(
                    e.notification_pk.is_(None),
                    e.message_id == bindparam("b_mid"),
                    e.recipient == bindparam("b_rcpt"),
                )
                .values(notification_pk=bindparam("b_pk"))
            )
            self.conn.execute(
                stmt,
                [
                    {"b_pk": pk, "b_mid": key_of[pk][0], "b_rcpt": key_of[pk][1]}
                    for pk in sorted(counts)
                ],
            )
        return counts

    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        n = notifications.c
        states: list[NotificationState] = []
        for chunk in self._chunks(pks):
            query = (
                select(
                    n.id,
                    n.notification_id,
                    n.recipient_domain,
                    n.notification_type,
                    n.sent_at,
                    n.status,
                    n.reason,
                    n.status_at,
                    n.source,
                    n.purged_at,
                )
                .where(self._in(n.id, chunk))
                .order_by(n.id)
                .with_for_update(key_share=True)
            )
            states.extend(_state(row) for row in self.conn.execute(query))
        return states

    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        e = events.c
        ledgers: dict[int, list[DecidingEvent]] = {}
        for chunk in self._chunks(pks):
            query = select(e.notification_pk, e.identity, e.occurred_at, e.reason).where(
                self._in(e.notification_pk, chunk), e.reason.is_not(None)
            )
            for pk, events_of_pk in _ledgers(self.conn.execute(query)).items():
                ledgers.setdefault(pk, []).extend(events_of_pk)
        return ledgers

    def update_notifications(self, states: Sequence[NotificationState], now: datetime) -> None:
        if not states:
            return
        ordered = sorted(states, key=lambda s: s.pk)
        n = notifications.c
        stmt = (
            update(notifications)
            .where(n.id == bindparam("b_id"))
            .values(
                notification_id=bindparam("b_notification_id"),
                notification_type=bindparam("b_type"),
                sent_at=bindparam("b_sent_at"),
                source=bindparam("b_source"),
                status=bindparam("b_status"),
                reason=bindparam("b_reason"),
                status_at=bindparam("b_status_at"),
                updated_at=bindparam("b_now"),
            )
        )
        self.conn.execute(
            stmt,
            [
                {
                    "b_id": s.pk,
                    "b_notification_id": s.notification_id,
                    "b_type": s.notification_type,
                    "b_sent_at": s.sent_at,
                    "b_source": s.source,
                    "b_status": s.status,
                    "b_reason": s.reason,
                    "b_status_at": s.status_at,
                    "b_now": now,
                }
                for s in ordered
            ],
        )
        settled = [s.pk for s in ordered if s.status != PENDING_STATUS]
        p = pending_notifications.c
        for chunk in self._chunks(settled):
            self.conn.execute(
                delete(pending_notifications).where(self._in(p.notification_pk, chunk))
            )
        pending = [
            {"notification_pk": s.pk, "sent_at": s.sent_at}
            for s in ordered
            if s.status == PENDING_STATUS
        ]
        if pending:
            upsert = self._insert(pending_notifications)
            self.conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[p.notification_pk],
                    set_={"sent_at": upsert.excluded.sent_at},
                ),
                pending,
            )

    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        items = sorted((key, delta) for key, delta in deltas.items() if delta)
        if not items:
            return
        shrunk = [key for key, delta in items if delta < 0]
        d = daily_status_counts.c
        names = ("day", "recipient_domain", "notification_type", "status", "reason")
        stmt = self._insert(daily_status_counts)
        stmt = stmt.on_conflict_do_update(
            index_elements=[d.day, d.recipient_domain, d.notification_type, d.status, d.reason],
            set_={"count": d.count + stmt.excluded.count},
        )
        self.conn.execute(
            stmt, [{**dict(zip(names, key, strict=True)), "count": delta} for key, delta in items]
        )
        if shrunk:
            drop = delete(daily_status_counts).where(
                d.count == 0,
                d.day == bindparam("b_day"),
                d.recipient_domain == bindparam("b_domain"),
                d.notification_type == bindparam("b_type"),
                d.status == bindparam("b_status"),
                d.reason == bindparam("b_reason"),
            )
            self.conn.execute(drop, [dict(zip(_COUNT_PARAMS, key, strict=True)) for key in shrunk])
