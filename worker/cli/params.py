"""Click parameter types shared by the CLI commands."""

from __future__ import annotations

from datetime import timedelta

import click

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
