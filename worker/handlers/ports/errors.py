"""The two kinds of failure every port speaks, and the storage errors built on them.

Every adapter's errors derive from :class:`Retryable` (I/O that may succeed later:
network, throttling, a dropped connection) or :class:`BadInput` (retrying the same thing
fails the same way: bad data, bad configuration). Entry points decide retry, dead letter,
exit status or HTTP status from these two alone (:mod:`worker.handlers.errors`).
"""

from __future__ import annotations

__all__ = [
    "BadInput",
    "Retryable",
    "SchemaNotReadyError",
    "StorageRejectedError",
    "StoreError",
    "TransientStoreError",
]


class Retryable(Exception):
    """Trying the same thing again later may succeed (nothing was lost)."""


class BadInput(Exception):
    """Trying the same thing again fails the same way: the input or the configuration
    must change first."""


class StoreError(Exception):
    """Base of the storage errors the handlers understand."""


class TransientStoreError(StoreError, Retryable):
    """The database was unreachable, a connection dropped, or the transaction lost a
    serialisation or deadlock race: retrying the whole unit of work may succeed."""


class SchemaNotReadyError(StoreError, BadInput):
    """The tables are missing or older than this code (run ``inboxgap db upgrade``)."""


class StorageRejectedError(StoreError, BadInput):
    """The database refused the *data* of the unit of work (a value it cannot hold, a
    constraint or statement error the code did not expect): running the same work again
    fails the same way, so it is never retried as a whole. The batch handler splits the
    batch to find the body that causes it (see :mod:`worker.handlers.isolation`)."""
