"""require_extra: a missing optional dependency becomes exit 2 naming the pip command."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from worker.cli.extras import MissingExtra, require_extra


def test_an_importable_module_passes() -> None:
    require_extra("json", "demo")


@pytest.mark.parametrize(("module", "extra"), [("no_such_module_xyz", "demo"), ("a.b.c", "chart")])
def test_a_missing_module_names_the_extra(module: str, extra: str) -> None:
    with pytest.raises(MissingExtra) as raised:
        require_extra(module, extra)
    assert raised.value.exit_code == 2
    assert f"pip install 'inboxgap[{extra}]'" in raised.value.format_message()
    assert module in raised.value.format_message()


def test_a_command_exits_2_with_one_line() -> None:
    @click.command()
    def needs_it() -> None:
        require_extra("no_such_module_xyz", "chart")
        click.echo("ran")

    result = CliRunner().invoke(needs_it, [])
    assert result.exit_code == 2
    assert "ran" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "Error: this command needs no_such_module_xyz, which is not installed: "
        "pip install 'inboxgap[chart]'"
    ]
