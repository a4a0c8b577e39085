"""What both dialects share: :class:`SqlLogTransaction`, the SQLAlchemy Core statements
that are the same on PostgreSQL and SQLite, and the row helpers.

A subclass per dialect (:mod:`.postgres`, :mod:`.sqlite`) supplies the ``INSERT``
construct, how a key list is bound (``_in``, ``_chunks``) and the batch paths that
differ.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    delete,
    select,
    update,
)

from worker.adapters import callback_outbox
from worker.adapters.database import (
    control_messages,
    dead_letters,
    events,
    notifications,
    pending_notifications,
    time_text,
    to_stored_time,
)
from worker.domain.outcomes import Reason
from worker.domain.status import DecidingEvent
from worker.handlers.ports import (
    ControlRow,
    CountKey,
    CreatedNotification,
    DeadLetterRow,
    ExistingSend,
    LedgerRow,
    MessageKey,
    NewNotification,
    NotificationState,
    PurgeCounts,
    StoredDeadLetter,
    SweepChunk,
    WindowSweep,
)
from worker.handlers.ports.callbacks import StatusChange

#: Rows per IN list on SQLite (well under its 32,766 bound-variable limit).
SQLITE_IN_CHUNK = 900

_COUNT_PARAMS = ("b_day", "b_domain", "b_type", "b_status", "b_reason")
_REASONS = {reason.value: reason for reason in Reason}
#: The status of the notifications in ``pending_notifications`` (awaiting the sweep).
PENDING_STATUS = "sent"


def _state(row: Sequence[Any]) -> NotificationState:
    """(id, notification_id, recipient_domain, notification_type, sent_at, status, reason,
    status_at, source, purged_at) as read under lock."""
    pk, nid, domain, kind, sent_at, status, reason, status_at, source, purged_at = row
    return NotificationState(
        pk,
        nid,
        domain,
        kind,
        to_stored_time(sent_at),
        status,
        reason,
        to_stored_time(status_at),
        source,
        purged_at is not None,
    )


def _ledgers(rows: Iterable[Sequence[Any]]) -> dict[int, list[DecidingEvent]]:
    """(notification pk, identity, occurred_at, reason) rows grouped per notification."""
    ledgers: dict[int, list[DecidingEvent]] = {}
    reasons = _REASONS
    for pk, identity, occurred_at, reason in rows:
        entry = DecidingEvent(identity, time_text(occurred_at), reasons[reason])
        found = ledgers.get(pk)
        if found is None:
            ledgers[pk] = [entry]
        else:
            found.append(entry)
    return ledgers


class SqlLogTransaction(ABC):
    """One transaction on the notification log (see the Protocol for each method).

    The base of :class:`~.postgres.PostgresLogTransaction` and
    :class:`~.sqlite.SqliteLogTransaction`: it holds the statements both run alike.
    """

    #: True on PostgreSQL (kept for callers that ask which dialect they hold).
    pg: bool = False

    def __init__(self, conn: Connection, *, callbacks: bool = False) -> None:
        self.conn = conn
        self.callbacks = callbacks

    # --- what a dialect supplies ------------------------------------------------------
    @abstractmethod
    def _insert(self, table: Any) -> Any:
        """The dialect's ``INSERT`` (with ``ON CONFLICT``)."""
        raise NotImplementedError

    @abstractmethod
    def _in(self, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
        """``column`` is one of ``values``."""
        raise NotImplementedError

    @abstractmethod
    def _chunks(self, values: Collection[Any]) -> Iterator[Sequence[Any]]:
        """``values`` sorted, in as many lists as one statement can bind."""
        raise NotImplementedError

    # --- what differs per dialect (see the Protocol) -------------------------------
    @abstractmethod
    def insert_notifications(
        self, rows: Sequence[NewNotification], now: datetime
    ) -> list[CreatedNotification]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def parked_keys(self, keys: Collection[MessageKey]) -> set[MessageKey]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def attach_parked(self, created: Sequence[CreatedNotification]) -> dict[int, int]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def update_notifications(self, states: Sequence[NotificationState], now: datetime) -> None:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    @abstractmethod
    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        """See :class:`~worker.handlers.ports.LogTransaction`."""

    # --- the same on both ---------------------------------------------------------------
    @property
    def records_status_changes(self) -> bool:
        """Whether :meth:`record_status_changes` writes anything (callbacks on): the
        recompute skips building the changes when it does not."""
        return self.callbacks

    def record_status_changes(
        self, changes: Sequence[StatusChange], announced_at: datetime
    ) -> None:
        # Status callbacks (issue 14): nothing is written while they are switched off.
        if self.callbacks and changes:
            callback_outbox.insert_changes(self.conn, changes, announced_at)

    def find_notification_ids(self, notification_ids: Collection[str]) -> dict[str, int]:
        n = notifications.c
        found: dict[str, int] = {}
        for chunk in self._chunks(notification_ids):
            query = select(n.notification_id, n.id).where(self._in(n.notification_id, chunk))
            found.update({nid: int(pk) for nid, pk in self.conn.execute(query)})
        return found

    def refresh_statistics(self) -> None:
        # ANALYZE runs inside a transaction on both dialects (unlike VACUUM).
        for table in (notifications, pending_notifications):
            self.conn.exec_driver_sql(f"ANALYZE {table.name}")

    def pending_notifications(self, sent_before: datetime, after_pk: int, limit: int) -> list[int]:
        # The pending set is exact; status and purge are checked again all the same.
        n, p = notifications.c, pending_notifications.c
        query = (
            select(p.notification_pk)
            .join_from(pending_notifications, notifications, n.id == p.notification_pk)
            .where(
                p.sent_at < sent_before,
                p.notification_pk > after_pk,
                n.status == PENDING_STATUS,
                n.purged_at.is_(None),
            )
            .order_by(p.notification_pk)
            .limit(limit)
        )
        return [int(pk) for pk in self.conn.scalars(query)]

    def sweep_window(self, chunk: SweepChunk) -> WindowSweep:
        # The simple path (SQLite: one writer at a time): every due notification is
        # recomputed by the handler under lock; PostgreSQL applies the rule in bulk.
        pks = self.pending_notifications(chunk.sent_before, 0, chunk.limit)
        return WindowSweep(due=len(pks), swept=0, recompute=pks)

    def parked_with_notification(self, limit: int) -> list[MessageKey]:
        # Starts from the parked rows (a partial index: a small set), one probe each.
        e, n = events.c, notifications.c
        query = (
            select(e.message_id, e.recipient)
            .distinct()
            .join_from(
                events,
                notifications,
                (n.ses_message_id == e.message_id) & (n.recipient == e.recipient),
            )
            .where(e.notification_pk.is_(None), n.purged_at.is_(None))
            .order_by(e.message_id, e.recipient)
            .limit(limit)
        )
        return [(str(mid), str(rcpt)) for mid, rcpt in self.conn.execute(query)]

    def upsert_dead_letters(self, rows: Sequence[DeadLetterRow], now: datetime) -> None:
        if not rows:
            return
        d = dead_letters.c
        stmt = self._insert(dead_letters)
        stmt = stmt.on_conflict_do_update(
            index_elements=[d.body_hash],
            set_={
                "code": stmt.excluded.code,
                "message": stmt.excluded.message,
                "count": d.count + stmt.excluded.count,
                "last_seen": stmt.excluded.last_seen,
                "body": stmt.excluded.body,
                "resolved_at": None,
                "purged_at": None,
            },
        )
        self.conn.execute(
            stmt,
            [
                {
                    "body_hash": r.body_hash,
                    "body": r.body,
                    "code": r.code,
                    "message": r.message,
                    "count": r.count,
                    "first_seen": now,
                    "last_seen": now,
                }
                for r in sorted(rows, key=lambda r: r.body_hash)
            ],
        )

    def resolve_dead_letters(self, body_hashes: Collection[str], now: datetime) -> int:
        d = dead_letters.c
        total = 0
        for chunk in self._chunks(set(body_hashes)):
            stmt = (
                update(dead_letters)
                .where(self._in(d.body_hash, chunk), d.resolved_at.is_(None))
                .values(resolved_at=now)
            )
            total += self.conn.execute(stmt).rowcount or 0
        return total

    def dead_letters_to_replay(
        self, ids: Collection[int] | None, after_id: int, limit: int
    ) -> list[StoredDeadLetter]:
        d = dead_letters.c
        query: Select[Any] = (
            select(d.id, d.body_hash, d.body)
            .where(d.id > after_id, d.resolved_at.is_(None))
            .order_by(d.id)
            .limit(limit)
        )
        if ids is not None:
            query = query.where(self._in(d.id, sorted(ids)))
        return [
            StoredDeadLetter(int(row.id), row.body_hash, row.body)
            for row in self.conn.execute(query)
        ]

    def record_control_messages(self, rows: Sequence[ControlRow], now: datetime) -> int:
        if not rows:
            return 0
        c = control_messages.c
        stmt = self._insert(control_messages).on_conflict_do_nothing().returning(c.id)
        params = [
            {
                "dedup_key": r.dedup_key,
                "kind": r.kind,
                "topic_arn": r.topic_arn,
                "subscribe_url": r.subscribe_url,
                "token": r.token,
                "detail_type": r.detail_type,
                "message": r.message,
                "received_at": now,
            }
            for r in rows
        ]
        return len(self.conn.execute(stmt, params).all())

    def purge_batch(self, cutoff: datetime, now: datetime, limit: int) -> PurgeCounts:
        n, e, d = notifications.c, events.c, dead_letters.c
        pks = [
            int(pk)
            for pk in self.conn.scalars(
                select(n.id)
                .where(n.sent_at < cutoff, n.purged_at.is_(None))
                .order_by(n.id)
                .limit(limit)
                .with_for_update(key_share=True)
            )
        ]
        purged_events = purged_callbacks = 0
        if pks:
            for chunk in self._chunks(pks):
                purged_events += (
                    self.conn.execute(
                        delete(events).where(self._in(e.notification_pk, chunk))
                    ).rowcount
                    or 0
                )
                self.conn.execute(
                    update(notifications)
                    .where(self._in(n.id, chunk))
                    .values(recipient=None, recipient_original=None, purged_at=now)
                )
                # Issue 14: retention.
                purged_callbacks += callback_outbox.delete_delivered(self.conn, chunk)
                # A purged notification is never swept (its status stays as it is).
                self.conn.execute(
                    delete(pending_notifications).where(
                        self._in(pending_notifications.c.notification_pk, chunk)
                    )
                )
        parked_keys = self.conn.execute(
            select(e.identity, e.recipient)
            .where(e.notification_pk.is_(None), e.received_at < cutoff)
            .order_by(e.identity, e.recipient)
            .limit(limit)
        ).all()
        parked = 0
        if parked_keys:
            parked = (
                self.conn.execute(
                    delete(events).where(
                        e.identity == bindparam("b_identity"),
                        e.recipient == bindparam("b_recipient"),
                        e.notification_pk.is_(None),
                    ),
                    [{"b_identity": i, "b_recipient": r} for i, r in parked_keys],
                ).rowcount
                or 0
            )
        letter_ids = [
            int(pk)
            for pk in self.conn.scalars(
                select(d.id)
                .where(d.last_seen < cutoff, d.body.is_not(None))
                .order_by(d.id)
                .limit(limit)
            )
        ]
        if letter_ids:
            self.conn.execute(
                update(dead_letters)
                .where(self._in(d.id, letter_ids))
                .values(body=None, purged_at=now)
            )
        return PurgeCounts(
            notifications=len(pks),
            events=purged_events,
            parked_events=len(parked_keys) if parked_keys else parked,
            dead_letters=len(letter_ids),
            callbacks=purged_callbacks,
        )
