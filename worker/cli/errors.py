"""Storage errors as one line saying what to do, never a traceback: shared by the CLI
commands that read the notification log, the alert store or the callback outbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError


def database_error(exc: SQLAlchemyError) -> click.ClickException:
    """A database error no command can act on, as its type and first line."""
    first = str(getattr(exc, "orig", exc)).strip().splitlines()
    return click.ClickException(
        f"cannot read the notification log ({type(exc).__name__}: "
        f"{first[0][:200] if first else ''})"
    )


@contextmanager
def friendly_store_errors() -> Iterator[None]:
    """A store error as its own message; any other database error as :func:`database_error`."""
    # Imported here: commands that never reach the database start without SQLAlchemy.
    from sqlalchemy import exc as sa_exc

    from worker.handlers.ports import StoreError

    try:
        yield
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except sa_exc.SQLAlchemyError as exc:
        raise database_error(exc) from None
