"""Click parameter types shared by the CLI commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click

from worker.domain.addresses import InvalidAddress, check_address
from worker.domain.timestamps import parse_timestamp
from worker.durations import parse_duration


class Duration(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """A positive period such as ``24h``, ``7d`` or an ISO-8601 duration.

    ``name`` is what ``--help`` shows and ``non_positive`` what a zero or negative period
    is told; both are per command group so their help and errors read as before.
    """

    def __init__(self, name: str = "duration", non_positive: str | None = None) -> None:
        self.name = name
        self.non_positive = non_positive or "must be a positive period such as 24h or 7d"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            period = parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if period <= timedelta(0):
            self.fail(self.non_positive, param, ctx)
        return period


class Since(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """``--since``, the same in every command: a period back from now (``24h``, ``7d``,
    ``PT1H``) or an ISO-8601 time (``2025-03-04T10:00:00Z``). Converts to a positive
    :class:`~datetime.timedelta` or an aware :class:`~datetime.datetime`; read it with
    :func:`since_start`."""

    name = "DURATION|ISO-TIME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta | datetime:
        if isinstance(value, timedelta | datetime):
            return value
        text = str(value).strip()
        try:
            period = parse_duration(text)
        except ValueError:
            moment = parse_timestamp(text)
            if moment is None:
                self.fail(
                    f"{text!r} is neither a duration (24h, 7d) nor an ISO-8601 time "
                    "(2025-03-04T10:00:00Z)",
                    param,
                    ctx,
                )
            return moment
        if period <= timedelta(0):
            self.fail("the duration must be positive (24h, 7d)", param, ctx)
        return period


SINCE = Since()


def since_start(value: timedelta | datetime, now: datetime) -> datetime:
    """When a ``--since`` value starts, seen from ``now``."""
    return now - value if isinstance(value, timedelta) else value


class InvalidInput(click.ClickException):
    """The operator's own input is wrong: one ``Error:`` line on stderr and exit status 2
    (no usage text: the line names the input and what is wrong with it)."""

    exit_code = 2


class Address(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """An email address, checked by the one address rule
    (:func:`worker.domain.addresses.check_address`) and passed on as typed (the command
    and the queries normalise it for matching, and show it as the operator wrote it).
    A bad one is one line naming it, unmasked (it is the operator's own input), and exit
    status 2."""

    name = "ADDRESS"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        text = str(value)
        try:
            check_address(text)
        except InvalidAddress as exc:
            where = ""
            if isinstance(param, click.Option):
                where = param.opts[0]
            elif param is not None:
                where = param.human_readable_name
            raise InvalidInput(f"{where}: {exc}" if where else str(exc)) from None
        return text


ADDRESS = Address()

_F = TypeVar("_F", bound=Callable[..., Any])


def since_option(help: str, *, default: str | None = None) -> Callable[[_F], _F]:
    """``--since`` (:data:`SINCE`) with the command's own help, and its default if any."""
    return click.option(
        "--since", type=SINCE, default=default, show_default=default is not None, help=help
    )


def echo_json_or_empty(
    items: Sequence[Any], *, as_json: bool, as_dict: Callable[[Any], Any], empty: str
) -> bool:
    """With ``--json`` print ``items`` as one JSON list; with no items say ``empty``.
    True when that was all there was to print."""
    if as_json:
        click.echo(json.dumps([as_dict(item) for item in items]))
        return True
    if not items:
        click.echo(empty)
        return True
    return False


#: ``--json`` of every command that prints a result: one JSON document on stdout
#: (JSON lines only for the streaming ``classify``, ``export`` and ``deadletters list``).
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as one JSON object."
)
#: ``--json`` of the commands whose summary is JSON already (``drain``,
#: ``callbacks deliver``): accepted, so a script can pass ``--json`` to every command.
JSON_ALWAYS = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="The summary is one JSON object with or without it (accepted everywhere).",
)
