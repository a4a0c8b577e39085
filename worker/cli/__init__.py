"""The ``inboxgap`` command line: a thin entry point over handlers and queries.

Each command group lives in its own module and registers itself on :data:`main`.
"""

from __future__ import annotations

import importlib

import click

#: Modules that each add commands to ``main``; imported lazily by ``main``'s callers.
COMMAND_MODULES = (
    "worker.cli.classify",
    "worker.cli.log",
    "worker.cli.worker",
    "worker.cli.support",
    "worker.cli.alerts",
    "worker.cli.callbacks",
)


class _LazyGroup(click.Group):
    _loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in COMMAND_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)


def _configure_logging() -> None:
    """Every command logs like the worker: structlog JSON on stderr, addresses masked
    (:func:`config.logging.configure_logging`); stdout stays the command's output."""
    from worker.bootstrap.environment import configure_logging

    # Invalid settings: INFO here, and the command itself reports them.
    configure_logging(tolerate_invalid=True)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="inboxgap")
def main() -> None:
    """InboxGap: what really happened to the email your backend "sent" through Amazon SES.

    Settings come from INBOXGAP_* environment variables (see the README). Logs are JSON
    lines on standard error (INBOXGAP_LOG_LEVEL); results go to standard output.
    """
    _configure_logging()
