"""What a SQLAlchemy error on the notification log means: missing schema, transient
(retry), or data the database refused (PostgreSQL SQLSTATEs, SQLite messages)."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

#: SQLSTATEs worth retrying: connection (08), transaction rollback: serialisation
#: failure and deadlock (40), insufficient resources (53), lock timeout (55P03), statement
#: timeout or cancel (57014), server shutdown/restart (57P), system I/O errors (58), and a
#: read-only transaction (25006: connected to a standby during a failover).
_PG_TRANSIENT_PREFIXES = ("08", "40", "53", "55P03", "57014", "57P", "58", "25006")


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def is_missing_schema(exc: BaseException) -> bool:
    if _sqlstate(exc) in ("42P01", "42703"):  # undefined table / column
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in message or "no such column" in message


def is_transient(exc: BaseException) -> bool:
    """Connection lost, serialisation failure, deadlock, lock timeout, SQLite busy."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(exc, sa_exc.InterfaceError):
        # The driver's connection object is unusable (closed under us): about the
        # connection, never the data, so never a reason to isolate a body.
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(_PG_TRANSIENT_PREFIXES)
    if isinstance(exc, sa_exc.OperationalError):
        return not is_missing_schema(exc)
    return False


#: SQLSTATE classes of a refusal of the values themselves: data exception (22: NUL in
#: text, number out of range, invalid text for a type), integrity constraint violation
#: (23: one the ON CONFLICT paths did not expect) and program limit exceeded (54: e.g. an
#: index row too large for a huge key). Any other class (privileges, syntax, object
#: state...) is about the database or the code, the same for every body: never isolated.
_PG_REJECTED_CLASSES = ("22", "23", "54")


def is_rejected_data(exc: BaseException) -> bool:
    """The database refused the values themselves (not transient, not a missing table):
    a data error (NUL in text, out-of-range number), an integrity error the code did not
    expect, or an error raised while binding the values. Running the same work again
    fails the same way (see :class:`StorageRejectedError`)."""
    if is_transient(exc) or is_missing_schema(exc):
        return False
    state = _sqlstate(exc)
    if state is not None:
        return state.startswith(_PG_REJECTED_CLASSES)
    # No SQLSTATE: SQLite, or an error the driver raised before sending (psycopg's "text
    # fields cannot contain NUL", a value it cannot adapt or bind).
    if isinstance(exc, sa_exc.DataError | sa_exc.IntegrityError | sa_exc.ProgrammingError):
        return True
    orig = getattr(exc, "orig", None)
    return isinstance(exc, sa_exc.StatementError) and isinstance(
        orig, ValueError | TypeError | ArithmeticError
    )


def _describe(exc: BaseException) -> str:
    """Error text without SQL parameters (they may hold addresses)."""
    orig = getattr(exc, "orig", None) or exc
    first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(orig).__name__}: {first_line[:300]}"
