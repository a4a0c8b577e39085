"""The CLI's ``ADDRESS`` parameter type: the one address rule, one line, exit status 2."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from worker.cli.params import ADDRESS


@click.command()
@click.option("--email", type=ADDRESS)
@click.argument("address", type=ADDRESS, required=False)
def echo(email: str | None, address: str | None) -> None:
    click.echo(f"{email}|{address}")


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (["--email", "Jane.Doe@Acme.example"], "Jane.Doe@Acme.example|None"),
        (["Jane <jane@acme.example>"], "None|Jane <jane@acme.example>"),
    ],
)
def test_a_valid_address_arrives_as_typed(args: list[str], out: str) -> None:
    result = CliRunner().invoke(echo, args)
    assert result.exit_code == 0 and result.output.strip() == out


@pytest.mark.parametrize(
    ("args", "where", "given"),
    [
        (["--email", "not-an-email"], "--email", "not-an-email"),
        (["--email", "a@b"], "--email", "a@b"),
        (["jane@acme.example."], "ADDRESS", "jane@acme.example."),
    ],
)
def test_an_invalid_address_is_one_line_naming_it_and_exit_2(
    args: list[str], where: str, given: str
) -> None:
    result = CliRunner().invoke(echo, args)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: {where}: {given!r} is not an email address: ")
