"""What an entry point does with an exception: the one mapping every Celery task, the
CLI and the support API use.

Every adapter error derives from :class:`~worker.handlers.ports.errors.Retryable` (I/O
that may succeed later) or :class:`~worker.handlers.ports.errors.BadInput` (the same
request fails the same way). Storage errors are one family across both kinds: whether a
unit of work is retried, isolated or given up is decided by
:func:`worker.handlers.transactions.classify_store_error`, and only there; what the
*entry point* then does is decided here.
"""

from __future__ import annotations

from worker.handlers.ports.errors import (
    BadInput,
    Retryable,
    SchemaNotReadyError,
    StoreError,
    TransientStoreError,
)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_RUNTIME",
    "NEXT_KICK",
    "RETRYABLE",
    "exit_code",
    "http_problem",
    "http_status",
    "is_bad_input",
    "is_transient",
]

#: What a Celery task retries (``autoretry_for``), or, for a task beat kicks again soon
#: (the drain), leaves for the next kick: nothing was lost, the next try may succeed.
RETRYABLE: tuple[type[BaseException], ...] = (Retryable,)

#: What a periodic task (sweep, alert check) logs and skips: the next kick does the same
#: work, so a storage failure of any kind is not worth a Celery retry.
NEXT_KICK: tuple[type[BaseException], ...] = (StoreError,)

#: Exit status of a command that was given bad input or bad configuration.
EXIT_BAD_INPUT = 2
#: Exit status of a command that failed at run time (storage, network, a refusal).
EXIT_RUNTIME = 1


def is_transient(exc: BaseException) -> bool:
    """Trying again later may succeed (and nothing was lost)."""
    return isinstance(exc, Retryable)


def is_bad_input(exc: BaseException) -> bool:
    """Trying again fails the same way until the input or configuration changes."""
    return isinstance(exc, BadInput)


def exit_code(exc: BaseException) -> int:
    """The CLI's exit status for ``exc``: 2 for bad input or configuration, 1 for the
    rest. The database's state (missing schema, refused data) is a run-time failure."""
    if is_bad_input(exc) and not isinstance(exc, StoreError):
        return EXIT_BAD_INPUT
    return EXIT_RUNTIME


def http_status(exc: BaseException) -> int:
    """The support API's status for ``exc``: 503 when storage or a dependency is
    unavailable, 502 when a dependency refused the request, 500 otherwise."""
    if isinstance(exc, StoreError) or is_transient(exc):
        return 503
    if is_bad_input(exc):
        return 502
    return 500


def http_problem(exc: BaseException) -> tuple[int, str]:
    """The support API's status and stable problem ``code`` for ``exc`` (the status is
    :func:`http_status`'s): the database unreachable or busy, its schema not at the
    code's migration, a dependency unavailable or refusing, or an internal error."""
    status = http_status(exc)
    if isinstance(exc, SchemaNotReadyError):
        return status, "schema_not_ready"
    if isinstance(exc, TransientStoreError):
        return status, "database_unavailable"
    if isinstance(exc, StoreError):
        return status, "database_error"
    if status == 503:
        return status, "dependency_unavailable"
    if status == 502:
        return status, "dependency_refused"
    return status, "internal_error"
