"""The notification log on PostgreSQL or SQLite: :class:`SqlNotificationLog`.

Implements :class:`worker.handlers.ports.NotificationLog`. Every method is a batch
operation, a constant number of statements whatever the number of rows.

* PostgreSQL (the fast path): rows are COPYed into session temporary tables, then one
  set-based ``INSERT/UPDATE ... SELECT`` per table moves them (the ledger insert looks up
  each row's notification in the same statement); look-ups bind their keys as one array
  literal; hot reads come back as plain driver tuples. See "PostgreSQL fast paths" below
  for why (where a batch's time went).
* SQLite (the embedded default): SQLAlchemy Core, multi-row ``INSERT ... ON CONFLICT ...
  RETURNING`` and chunked ``IN`` lists.

Row locks are ``FOR NO KEY UPDATE`` in primary-key order: compatible with the ``KEY
SHARE`` locks that foreign-key checks of concurrent ledger inserts take, so inserting
events never waits for (or deadlocks with) a status recompute.

Layout: :mod:`.base` (the transaction's shared statements), :mod:`.postgres` and
:mod:`.sqlite` (one transaction class per dialect), :mod:`.errors` (what a database
error means).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from worker.adapters.notification_log.base import SqlLogTransaction
from worker.adapters.notification_log.errors import (
    _describe,
    is_missing_schema,
    is_rejected_data,
    is_transient,
)
from worker.adapters.notification_log.postgres import PostgresLogTransaction
from worker.adapters.notification_log.sqlite import SqliteLogTransaction
from worker.handlers.ports import SchemaNotReadyError, StorageRejectedError, TransientStoreError


class SqlNotificationLog:
    """The notification log behind :class:`~worker.handlers.ports.NotificationLog`."""

    def __init__(self, engine: Engine, *, callbacks: bool = False) -> None:
        self.engine = engine
        #: Write status changes to the ``status_callbacks`` outbox (issue 14).
        self.callbacks = callbacks
        self._transaction_class: type[SqlLogTransaction] = (
            PostgresLogTransaction if engine.dialect.name == "postgresql" else SqliteLogTransaction
        )

    @property
    def concurrent_writers(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[SqlLogTransaction]:
        try:
            with self.engine.begin() as conn:
                yield self._transaction_class(conn, callbacks=self.callbacks)
        except sa_exc.SQLAlchemyError as exc:
            if is_missing_schema(exc):
                raise SchemaNotReadyError(
                    f"the notification log tables are missing ({_describe(exc)}); "
                    "run `inboxgap db upgrade`"
                ) from exc
            if is_transient(exc):
                raise TransientStoreError(_describe(exc)) from exc
            if is_rejected_data(exc):
                raise StorageRejectedError(_describe(exc)) from exc
            raise


__all__ = [
    "PostgresLogTransaction",
    "SqlLogTransaction",
    "SqlNotificationLog",
    "SqliteLogTransaction",
    "is_missing_schema",
    "is_rejected_data",
    "is_transient",
]
