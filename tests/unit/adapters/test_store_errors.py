"""How the SQL adapter maps driver errors to the port's kinds (no database: the
exceptions are built as SQLAlchemy raises them). Transient ones retry the batch; refusals
of the values isolate a body; anything else about the database or the code propagates."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc

from worker.adapters.notification_log import is_missing_schema, is_rejected_data, is_transient


def _wrapped(orig: BaseException, *, invalidated: bool = False) -> sa_exc.DBAPIError:
    error = sa_exc.DBAPIError.instance(
        "INSERT ...",
        None,
        orig,
        psycopg.Error if isinstance(orig, psycopg.Error) else sqlite3.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
    )
    assert isinstance(error, sa_exc.DBAPIError)
    return error


def _pg(sqlstate: str) -> psycopg.Error:
    error: psycopg.Error = pg_errors.lookup(sqlstate)("from the server")
    return error


@pytest.mark.parametrize(
    ("orig", "kind"),
    [
        # Transient: retry the whole batch.
        (_pg("40001"), "transient"),  # serialization failure
        (_pg("40P01"), "transient"),  # deadlock
        (_pg("55P03"), "transient"),  # lock timeout
        (_pg("57014"), "transient"),  # statement timeout
        (_pg("57P01"), "transient"),  # admin shutdown
        (_pg("08006"), "transient"),  # connection failure
        (_pg("53300"), "transient"),  # too many connections
        (_pg("25006"), "transient"),  # read-only: a standby during failover
        (psycopg.OperationalError("server closed the connection"), "transient"),
        (psycopg.InterfaceError("the connection is closed"), "transient"),
        (sqlite3.OperationalError("database is locked"), "transient"),
        # The values were refused: isolate the body.
        (psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"), "rejected"),
        (_pg("22003"), "rejected"),  # numeric value out of range
        (_pg("22021"), "rejected"),  # character not in repertoire
        (_pg("23505"), "rejected"),  # a unique violation no ON CONFLICT expected
        (_pg("54000"), "rejected"),  # program limit: index row too large
        (sqlite3.IntegrityError("UNIQUE constraint failed"), "rejected"),
        (sqlite3.ProgrammingError("Error binding parameter 1"), "rejected"),
        # About the database or the code, the same for every body: propagate.
        (_pg("42501"), "other"),  # insufficient privilege
        (_pg("42601"), "other"),  # syntax error
        (_pg("55000"), "other"),  # object not in prerequisite state
        (_pg("42P01"), "schema"),  # undefined table
        (sqlite3.OperationalError("no such table: events"), "schema"),
    ],
)
def test_driver_errors_map_to_one_kind(orig: BaseException, kind: str) -> None:
    error = _wrapped(orig)
    found = (
        "schema"
        if is_missing_schema(error)
        else "transient"
        if is_transient(error)
        else "rejected"
        if is_rejected_data(error)
        else "other"
    )
    assert found == kind


def test_an_invalidated_connection_is_transient_whatever_the_error() -> None:
    assert is_transient(_wrapped(psycopg.DataError("x"), invalidated=True))
    assert not is_rejected_data(_wrapped(psycopg.DataError("x"), invalidated=True))


def test_a_python_error_while_binding_is_rejected_data() -> None:
    error = sa_exc.StatementError(
        "bind", "INSERT ...", None, UnicodeEncodeError("utf-8", "", 0, 1, "x")
    )
    assert is_rejected_data(error) and not is_transient(error)
