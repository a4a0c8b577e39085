"""The small interfaces the handlers speak, with their value types and the two error
kinds (:class:`Retryable`, :class:`BadInput`).

- :mod:`.log`: the notification log (units of work, rows, storage errors);
- :mod:`.queue`: the feedback queue the drain reads;
- :mod:`.alerts`: alert counts, store, queue age and sinks;
- :mod:`.suppression`: the SES suppression list and its audit trail;
- :mod:`.errors`: :class:`Retryable`, :class:`BadInput` and the storage errors.

Adapters implement these; handlers import them and the domain, never an adapter. The
log port's names are re-exported here (``from worker.handlers.ports import
NotificationLog``), as before the package was split.
"""

from worker.handlers.ports.errors import (
    BadInput,
    Retryable,
    SchemaNotReadyError,
    StorageRejectedError,
    StoreError,
    TransientStoreError,
)
from worker.handlers.ports.log import (
    SOURCE_RECORD,
    SOURCE_SES_SEND,
    ControlRow,
    CountKey,
    CreatedNotification,
    DeadLetterRow,
    ExistingSend,
    LedgerRow,
    LogTransaction,
    MessageKey,
    NewNotification,
    NotificationLog,
    NotificationState,
    PurgeCounts,
    StoredDeadLetter,
    StoreErrorKind,
    SweepChunk,
    WindowSweep,
    iter_chunks,
)

__all__ = [
    "SOURCE_RECORD",
    "SOURCE_SES_SEND",
    "BadInput",
    "ControlRow",
    "CountKey",
    "CreatedNotification",
    "DeadLetterRow",
    "ExistingSend",
    "LedgerRow",
    "LogTransaction",
    "MessageKey",
    "NewNotification",
    "NotificationLog",
    "NotificationState",
    "PurgeCounts",
    "Retryable",
    "SchemaNotReadyError",
    "StorageRejectedError",
    "StoreError",
    "StoreErrorKind",
    "StoredDeadLetter",
    "SweepChunk",
    "TransientStoreError",
    "WindowSweep",
    "iter_chunks",
]
