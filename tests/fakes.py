"""In-memory fakes of the storage ports, for handler unit tests without a database.

:class:`FakeNotificationLog` implements :class:`worker.handlers.ports.NotificationLog` with
the same observable behaviour as the SQL repository: unique keys, parked rows, counts,
a transaction that commits on success and rolls back on error (a deep copy taken at
begin), and writers serialised by a lock (like SQLite). ``fail_next(n)`` makes the next
``n`` transactions raise :class:`TransientStoreError` just before committing.
:class:`RefusingLog` wraps it with a database that refuses some values (poison bodies).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from worker.domain.outcomes import Reason
from worker.domain.status import DecidingEvent
from worker.domain.timestamps import format_timestamp, moment_of
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
    StorageRejectedError,
    StoredDeadLetter,
    SweepChunk,
    TransientStoreError,
    WindowSweep,
)
from worker.handlers.ports.callbacks import StatusChange


def _text(moment: datetime) -> str:
    """The fixed-width UTC text the fake keeps, as the SQL adapters do (times cross the
    port as datetimes)."""
    return format_timestamp(moment)


@dataclass
class FakeTables:
    notifications: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    dead_letters: dict[str, dict[str, Any]] = field(default_factory=dict)
    control_messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[CountKey, int] = field(default_factory=dict)
    next_pk: int = 1
    next_dead_letter_id: int = 1
    #: The status_callbacks outbox (issue 14), in insertion order.
    status_changes: list[StatusChange] = field(default_factory=list)


class FakeLogTransaction:
    def __init__(self, tables: FakeTables) -> None:
        self.t = tables
        self.statements = 0

    def _stmt(self) -> None:
        self.statements += 1

    # --- sends ------------------------------------------------------------------------
    def insert_notifications(
        self, rows: Sequence[NewNotification], now: datetime
    ) -> list[CreatedNotification]:
        self._stmt()
        created: list[CreatedNotification] = []
        for r in rows:
            taken = any(
                n["notification_id"] == r.notification_id
                or (n["ses_message_id"], n["recipient"]) == (r.message_id, r.recipient)
                for n in self.t.notifications.values()
            )
            if taken:
                continue
            pk = self.t.next_pk
            self.t.next_pk += 1
            self.t.notifications[pk] = {
                "id": pk,
                "notification_id": r.notification_id,
                "ses_message_id": r.message_id,
                "recipient": r.recipient,
                "recipient_original": r.recipient_original,
                "recipient_domain": r.recipient_domain,
                "notification_type": r.notification_type,
                "sent_at": _text(r.sent_at),
                "status": "sent",
                "reason": "awaiting_feedback",
                "status_at": _text(r.sent_at),
                "updated_at": _text(now),
                "source": r.source,
                "purged_at": None,
            }
            created.append(CreatedNotification(pk, r.message_id, r.recipient))
        return created

    def find_sends(self, keys: Collection[MessageKey]) -> list[ExistingSend]:
        self._stmt()
        wanted = set(keys)
        return [
            ExistingSend(
                pk=n["id"],
                notification_id=n["notification_id"],
                message_id=n["ses_message_id"],
                recipient=n["recipient"],
                notification_type=n["notification_type"],
                sent_at=moment_of(n["sent_at"]),
                source=n["source"],
            )
            for n in sorted(self.t.notifications.values(), key=lambda n: n["id"])
            if (n["ses_message_id"], n["recipient"]) in wanted and n["purged_at"] is None
        ]

    def find_notification_ids(self, notification_ids: Collection[str]) -> dict[str, int]:
        self._stmt()
        wanted = set(notification_ids)
        return {
            n["notification_id"]: n["id"]
            for n in self.t.notifications.values()
            if n["notification_id"] in wanted
        }

    # --- ledger -----------------------------------------------------------------------
    def insert_ledger(
        self, rows: Sequence[LedgerRow], now: datetime
    ) -> dict[tuple[str, str], int | None]:
        self._stmt()
        wanted = {(r.message_id, r.recipient) for r in rows}
        resolved = {
            (n["ses_message_id"], n["recipient"]): n["id"]
            for n in self.t.notifications.values()
            if n["recipient"] is not None and (n["ses_message_id"], n["recipient"]) in wanted
        }
        inserted: dict[tuple[str, str], int | None] = {}
        for r in rows:
            key = (r.identity, r.recipient)
            if key in self.t.events:
                continue
            pk = resolved.get((r.message_id, r.recipient))
            self.t.events[key] = {
                **msgspec.structs.asdict(r),
                "occurred_at": _text(r.occurred_at),
                "notification_pk": pk,
                "received_at": _text(now),
            }
            inserted[key] = pk
        return inserted

    def parked_keys(self, keys: Collection[MessageKey]) -> set[MessageKey]:
        self._stmt()
        wanted = set(keys)
        return {
            (row["message_id"], row["recipient"])
            for row in self.t.events.values()
            if row["notification_pk"] is None and (row["message_id"], row["recipient"]) in wanted
        }

    def attach_parked(self, notifications: Sequence[CreatedNotification]) -> dict[int, int]:
        self._stmt()
        pk_of = {(c.message_id, c.recipient): c.pk for c in notifications}
        attached: dict[int, int] = {}
        for row in self.t.events.values():
            if row["notification_pk"] is None:
                pk = pk_of.get((row["message_id"], row["recipient"]))
                if pk is not None:
                    row["notification_pk"] = pk
                    attached[pk] = attached.get(pk, 0) + 1
        return attached

    def parked_with_notification(self, limit: int) -> list[tuple[str, str]]:
        self._stmt()
        live = {
            (n["ses_message_id"], n["recipient"])
            for n in self.t.notifications.values()
            if n["purged_at"] is None
        }
        keys = {
            (row["message_id"], row["recipient"])
            for row in self.t.events.values()
            if row["notification_pk"] is None
        }
        return sorted(keys & live)[:limit]

    # --- statuses ---------------------------------------------------------------------
    def lock_notifications(self, pks: Collection[int]) -> list[NotificationState]:
        self._stmt()
        return [
            NotificationState(
                pk=n["id"],
                notification_id=n["notification_id"],
                recipient_domain=n["recipient_domain"],
                notification_type=n["notification_type"],
                sent_at=moment_of(n["sent_at"]),
                status=n["status"],
                reason=n["reason"],
                status_at=moment_of(n["status_at"]),
                source=n["source"],
                purged=n["purged_at"] is not None,
            )
            for pk in sorted(set(pks))
            if (n := self.t.notifications.get(pk)) is not None
        ]

    def deciding_events(self, pks: Collection[int]) -> dict[int, list[DecidingEvent]]:
        self._stmt()
        wanted = set(pks)
        ledgers: dict[int, list[DecidingEvent]] = {}
        for row in self.t.events.values():
            if row["notification_pk"] in wanted and row["reason"] is not None:
                ledgers.setdefault(row["notification_pk"], []).append(
                    DecidingEvent(row["identity"], row["occurred_at"], Reason(row["reason"]))
                )
        return ledgers

    def update_notifications(self, states: Sequence[NotificationState], now: datetime) -> None:
        self._stmt()
        for s in states:
            self.t.notifications[s.pk].update(
                notification_id=s.notification_id,
                notification_type=s.notification_type,
                sent_at=_text(s.sent_at),
                source=s.source,
                status=s.status,
                reason=s.reason,
                status_at=_text(s.status_at),
                updated_at=_text(now),
            )

    @property
    def records_status_changes(self) -> bool:
        # The fake keeps every change, so the handlers' announcements can be asserted.
        return True

    def record_status_changes(
        self, changes: Sequence[StatusChange], announced_at: datetime
    ) -> None:
        # Not counted as a statement: the SQL log writes nothing while callbacks are off.
        self.t.status_changes.extend(changes)

    def add_counts(self, deltas: Mapping[CountKey, int]) -> None:
        self._stmt()
        for key, delta in deltas.items():
            if not delta:
                continue
            value = self.t.counts.get(key, 0) + delta
            if value:
                self.t.counts[key] = value
            else:
                self.t.counts.pop(key, None)

    def refresh_statistics(self) -> None:
        self._stmt()  # an in-memory log has no planner

    def pending_notifications(self, sent_before: datetime, after_pk: int, limit: int) -> list[int]:
        self._stmt()
        return sorted(
            n["id"]
            for n in self.t.notifications.values()
            if n["status"] == "sent"
            and n["sent_at"] < _text(sent_before)
            and n["id"] > after_pk
            and n["purged_at"] is None
        )[:limit]

    def sweep_window(self, chunk: SweepChunk) -> WindowSweep:
        # Like SQLite: every due notification goes back to the handler's recompute (so the
        # window's clock, length and rule are not needed here).
        pks = self.pending_notifications(chunk.sent_before, 0, chunk.limit)
        return WindowSweep(due=len(pks), swept=0, recompute=pks)

    # --- dead letters and control messages --------------------------------------------
    def upsert_dead_letters(self, rows: Sequence[DeadLetterRow], now: datetime) -> None:
        self._stmt()
        for r in rows:
            existing = self.t.dead_letters.get(r.body_hash)
            if existing is None:
                self.t.dead_letters[r.body_hash] = {
                    "id": self.t.next_dead_letter_id,
                    "body_hash": r.body_hash,
                    "body": r.body,
                    "code": r.code,
                    "message": r.message,
                    "count": r.count,
                    "first_seen": _text(now),
                    "last_seen": _text(now),
                    "resolved_at": None,
                    "purged_at": None,
                }
                self.t.next_dead_letter_id += 1
            else:
                existing.update(
                    code=r.code,
                    message=r.message,
                    count=existing["count"] + r.count,
                    last_seen=_text(now),
                    body=r.body,
                    resolved_at=None,
                    purged_at=None,
                )

    def resolve_dead_letters(self, body_hashes: Collection[str], now: datetime) -> int:
        self._stmt()
        changed = 0
        for digest in set(body_hashes):
            row = self.t.dead_letters.get(digest)
            if row is not None and row["resolved_at"] is None:
                row["resolved_at"] = _text(now)
                changed += 1
        return changed

    def dead_letters_to_replay(
        self, ids: Collection[int] | None, after_id: int, limit: int
    ) -> list[StoredDeadLetter]:
        self._stmt()
        wanted = set(ids) if ids is not None else None
        rows = sorted(self.t.dead_letters.values(), key=lambda r: r["id"])
        return [
            StoredDeadLetter(r["id"], r["body_hash"], r["body"])
            for r in rows
            if r["id"] > after_id
            and r["resolved_at"] is None
            and (wanted is None or r["id"] in wanted)
        ][:limit]

    def record_control_messages(self, rows: Sequence[ControlRow], now: datetime) -> int:
        self._stmt()
        new = 0
        for r in rows:
            if r.dedup_key not in self.t.control_messages:
                self.t.control_messages[r.dedup_key] = {
                    "kind": r.kind,
                    "topic_arn": r.topic_arn,
                    "subscribe_url": r.subscribe_url,
                    "token": r.token,
                    "detail_type": r.detail_type,
                    "message": r.message,
                    "received_at": _text(now),
                }
                new += 1
        return new

    # --- retention ----------------------------------------------------------------------
    def purge_batch(self, cutoff: datetime, now: datetime, limit: int) -> PurgeCounts:
        self._stmt()
        pks = sorted(
            n["id"]
            for n in self.t.notifications.values()
            if n["sent_at"] < _text(cutoff) and n["purged_at"] is None
        )[:limit]
        purged_events = 0
        for pk in pks:
            for key in [k for k, e in self.t.events.items() if e["notification_pk"] == pk]:
                del self.t.events[key]
                purged_events += 1
            self.t.notifications[pk].update(
                recipient=None, recipient_original=None, purged_at=_text(now)
            )
        parked = sorted(
            k
            for k, e in self.t.events.items()
            if e["notification_pk"] is None and e["received_at"] < _text(cutoff)
        )[:limit]
        for key in parked:
            del self.t.events[key]
        letters = sorted(
            (
                r
                for r in self.t.dead_letters.values()
                if r["last_seen"] < _text(cutoff) and r["body"]
            ),
            key=lambda r: r["id"],
        )[:limit]
        for r in letters:
            r.update(body=None, purged_at=_text(now))
        return PurgeCounts(len(pks), purged_events, len(parked), len(letters))


class FakeNotificationLog:
    """The in-memory notification log."""

    def __init__(self) -> None:
        self.tables = FakeTables()
        self._lock = threading.Lock()
        self._failures = 0
        self.transactions = 0
        self.commits = 0
        self.last_statements = 0

    @property
    def concurrent_writers(self) -> bool:
        # Its transactions run one at a time under a lock, each seeing the last commit:
        # loops side by side take disjoint rows, as on PostgreSQL.
        return True

    def fail_next(self, count: int = 1) -> None:
        """The next ``count`` transactions fail with a transient error before committing."""
        self._failures = count

    @contextmanager
    def transaction(self) -> Iterator[FakeLogTransaction]:
        with self._lock:
            self.transactions += 1
            working = copy.deepcopy(self.tables)
            tx = FakeLogTransaction(working)
            yield tx
            self.last_statements = tx.statements
            if self._failures:
                self._failures -= 1
                raise TransientStoreError("injected: connection lost")
            self.tables = working
            self.commits += 1

    # --- views for assertions ---------------------------------------------------------
    def notification(self, notification_id: str) -> dict[str, Any]:
        for row in self.tables.notifications.values():
            if row["notification_id"] == notification_id:
                return row
        raise KeyError(notification_id)

    def snapshot(self) -> dict[str, Any]:
        """Everything but surrogate keys, comparable between runs."""
        by_pk = {pk: n["notification_id"] for pk, n in self.tables.notifications.items()}
        notifications = [
            tuple(sorted((k, v) for k, v in n.items() if k != "id"))
            for n in self.tables.notifications.values()
        ]
        events = [
            tuple(sorted((k, by_pk.get(v) if k == "notification_pk" else v) for k, v in e.items()))
            for e in self.tables.events.values()
        ]
        return {
            "notifications": sorted(notifications, key=repr),
            "events": sorted(events, key=repr),
            "counts": dict(sorted(self.tables.counts.items())),
            "control_messages": sorted(
                (key, row["kind"], row["received_at"])
                for key, row in self.tables.control_messages.items()
            ),
            "dead_letters": sorted(
                (r["body_hash"], r["code"]) for r in self.tables.dead_letters.values()
            ),
        }


class RefusingLog:
    """A :class:`FakeNotificationLog` whose database refuses some *values*, the way
    PostgreSQL refuses a NUL in text: a transaction that writes any string containing
    ``marker`` (or, with ``refuse_dead_letters``, a dead letter whose body bytes contain
    it) fails with ``error()`` and rolls back. Everything else is the inner fake."""

    def __init__(
        self,
        inner: FakeNotificationLog | None = None,
        *,
        marker: str = "POISON",
        error: Any = None,
        refuse_dead_letters: bool = False,
    ) -> None:
        self.inner = inner or FakeNotificationLog()
        self.marker = marker
        self.error = error or (
            lambda: StorageRejectedError(
                "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes"
            )
        )
        self.refuse_dead_letters = refuse_dead_letters
        #: Transactions that failed because of the marker.
        self.refusals = 0

    @property
    def concurrent_writers(self) -> bool:
        return self.inner.concurrent_writers

    @property
    def tables(self) -> FakeTables:
        return self.inner.tables

    @property
    def transactions(self) -> int:
        return self.inner.transactions

    def fail_next(self, count: int = 1) -> None:
        self.inner.fail_next(count)

    def _holds_marker(self, rows: Any) -> bool:
        marker = self.marker
        for row in rows:
            for value in vars(row).values() if hasattr(row, "__dict__") else _slots(row):
                if isinstance(value, str) and marker in value:
                    return True
                if (
                    self.refuse_dead_letters
                    and isinstance(value, bytes)
                    and marker.encode() in value
                ):
                    return True
        return False

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.inner.transaction() as tx:
            yield _RefusingTransaction(tx, self)


def _slots(row: Any) -> list[Any]:
    return [getattr(row, name) for name in getattr(type(row), "__slots__", ())]


class _RefusingTransaction:
    _WRITES = frozenset(
        {"insert_notifications", "insert_ledger", "upsert_dead_letters", "record_control_messages"}
    )

    def __init__(self, inner: FakeLogTransaction, log: RefusingLog) -> None:
        self._inner = inner
        self._log = log

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if name not in self._WRITES:
            return method

        def write(rows: Any, *args: Any) -> Any:
            if self._log._holds_marker(rows):
                self._log.refusals += 1
                raise self._log.error()
            return method(rows, *args)

        return write
