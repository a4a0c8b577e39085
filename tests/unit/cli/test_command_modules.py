"""``inboxgap``'s command map: each top-level command is in ``COMMAND_MODULES`` with the
module that defines it, and running one imports only that module's commands."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from worker.cli import COMMAND_MODULES, main


def test_every_command_is_mapped_to_the_module_that_defines_it() -> None:
    commands = main.list_commands(click.Context(main))  # imports every command module
    assert sorted(commands) == sorted(COMMAND_MODULES)
    for name in commands:
        command = main.commands[name]
        assert command.callback is not None
        assert command.callback.__module__ == COMMAND_MODULES[name], name


def _command_modules_after_resolving(name: str) -> list[str]:
    script = (
        "import json, sys, click\n"
        "from worker.cli import main\n"
        f"assert main.get_command(click.Context(main), {name!r}) is not None\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('worker.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(done.stdout))


def test_resolving_a_command_imports_its_module_and_not_the_others() -> None:
    loaded = _command_modules_after_resolving("report")
    assert "worker.cli.support" in loaded
    assert not {"worker.cli.classify", "worker.cli.worker", "worker.cli.alerts"} & set(loaded)
    assert "worker.domain.classifier" not in loaded  # ~0.4 s of rules to compile
    assert "worker.cli.classify" in _command_modules_after_resolving("classify")


def test_an_unknown_command_still_gets_click_s_error() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "reprot"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "No such command 'reprot'" in done.stderr
