"""The ``inboxgap`` command line: a thin entry point over handlers and queries.

Each command group lives in its own module and registers itself on :data:`main`.
Before any command runs, :class:`_LazyGroup` checks the environment once: unknown
``INBOXGAP_*`` names warn, invalid settings and an unsupported or missing database end
with exit status 2 and a few lines naming the variable; any other error is one line on
stderr (a traceback only with ``--debug`` or ``INBOXGAP_DEBUG=1``), and a closed pipe
ends quietly.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

#: Each top-level command (or group) and the module that adds it to ``main``. Running a
#: command imports only its module: a support command does not pay for the classifier's
#: rules or the worker's wiring (a unit test keeps this map in step with the modules).
COMMAND_MODULES = {
    "classify": "worker.cli.classify",
    "ingest": "worker.cli.log",
    "status": "worker.cli.log",
    "export": "worker.cli.log",
    "deadletters": "worker.cli.log",
    "purge": "worker.cli.log",
    "sweep": "worker.cli.log",
    "db": "worker.cli.log_setup",
    "sent": "worker.cli.log_setup",
    "demo": "worker.cli.worker",
    "drain": "worker.cli.worker",
    "metrics": "worker.cli.worker",
    "recipient": "worker.cli.support",
    "report": "worker.cli.support",
    "serve": "worker.cli.support",
    "alerts": "worker.cli.alerts",
    "callbacks": "worker.cli.callbacks",
}


def _import_commands(module: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise


class _LazyGroup(click.Group):
    _loaded = False

    def _load(self) -> None:
        """Every command module (the list of commands, a name not in the map)."""
        if self._loaded:
            return
        self._loaded = True
        for module in dict.fromkeys(COMMAND_MODULES.values()):
            _import_commands(module)

    def invoke(self, ctx: click.Context) -> Any:
        from worker.bootstrap.environment import debug_requested

        debug = bool(ctx.params.get("debug")) or debug_requested()
        path = _command_path(self, ctx)
        try:
            if path is not None:
                _check_environment(path)
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_after_closed_pipe()
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if debug:
                raise
            _fail(exc)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is None:
            self._load()
        elif cmd_name not in self.commands:
            _import_commands(module)
        return super().get_command(ctx, cmd_name)


#: Commands that may create the embedded SQLite file; every other one needs it there.
CREATES_DATABASE = frozenset({("demo",), ("db", "upgrade"), ("ingest",), ("sent", "import")})
#: Commands that never open the configured notification log.
NO_DATABASE = frozenset({("classify",), ("demo",), ("metrics", "serve")})


def _command_path(group: click.Group, ctx: click.Context) -> tuple[str, ...] | None:
    """The names of the command about to run (``("db", "upgrade")``), or None when it
    is help, a group without its command or not a command at all (click says why)."""
    args = [*getattr(ctx, "_protected_args", []), *ctx.args]
    if any(arg in ("--help", "-h") for arg in args):
        return None
    path: list[str] = []
    command: click.Command | None = group
    try:
        while isinstance(command, click.Group):
            if not args:
                return None
            name, command, args = command.resolve_command(ctx, args)
            if name is None or command is None:
                return None
            path.append(name)
    except click.UsageError:
        return None
    return tuple(path)


def _check_environment(path: tuple[str, ...]) -> None:
    """Warn about unknown ``INBOXGAP_*`` names; raise :class:`ConfigurationError` for an
    invalid setting, an unsupported database URL or a database file that is not there."""
    from pydantic import ValidationError

    from worker.bootstrap.environment import (
        DATABASE_VARIABLE,
        ConfigurationError,
        check_database_url,
        database_file_without_log,
        missing_database_file,
        settings,
        settings_error_lines,
        unknown_variable_warnings,
    )

    for warning in unknown_variable_warnings(os.environ):
        click.echo(warning, err=True)
    try:
        current = settings()
    except ValidationError as exc:
        raise ConfigurationError("\n".join(settings_error_lines(exc))) from None
    if path in NO_DATABASE:
        return
    check_database_url(current.database_url)
    if path in CREATES_DATABASE:
        return
    # An empty file (a stray connection made it) is no log either: a read command would
    # create the tables in it and answer "never sent".
    missing = missing_database_file(current.database_url) or database_file_without_log(
        current.database_url
    )
    if missing is not None:
        raise ConfigurationError(
            f"no notification log at {missing}: set {DATABASE_VARIABLE} to yours, "
            "or create this one with `inboxgap db upgrade`"
        )


def _fail(exc: Exception) -> NoReturn:
    """One line (three at most) on stderr and the exit status of the one error mapping:
    2 for configuration and bad input, 1 for run-time failures."""
    from worker.bootstrap.environment import ConfigurationError
    from worker.handlers.errors import EXIT_BAD_INPUT, exit_code

    if isinstance(exc, ConfigurationError):
        message, code = str(exc), EXIT_BAD_INPUT
    else:
        message, code = _runtime_message(exc), exit_code(exc)
    lines = message.strip().splitlines() or [type(exc).__name__]
    for line in lines[:3]:
        click.echo(f"Error: {line}" if line is lines[0] else f"  {line}", err=True)
    sys.exit(code)


def _runtime_message(exc: Exception) -> str:
    """What went wrong and, for the failures an operator can fix, which setting to look at."""
    detail = str(exc).strip().splitlines()
    first = detail[0][:300] if detail else ""
    if type(exc).__name__ == "CertificateFetchError":
        # Two lines: with the schema log line of a first run, stderr stays at three.
        return (
            f"cannot fetch the SNS signing certificate ({first})\n"
            "check network access to sns.<region>.amazonaws.com or "
            "INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL; unsigned local files: "
            "--no-verify or INBOXGAP_VERIFY_SNS_SIGNATURES=false"
        )
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return (
            f"module {exc.name!r} is not installed; if it is a database driver, "
            "INBOXGAP_DATABASE_URL must be postgresql:// or sqlite://"
        )
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _quiet_after_closed_pipe() -> NoReturn:
    """The reader went away (``inboxgap classify ... | head -3``): that is not an error.
    Point stdout at /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)


def _configure_logging() -> None:
    """Every command logs like the worker: structlog JSON on stderr, addresses masked
    (:func:`config.logging.configure_logging`); stdout stays the command's output."""
    from worker.bootstrap.environment import configure_logging

    # Invalid settings: INFO here, and the command itself reports them.
    configure_logging(tolerate_invalid=True)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="inboxgap")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the full traceback of an error (also INBOXGAP_DEBUG=1).",
)
def main(debug: bool) -> None:
    """InboxGap: what really happened to the email your backend "sent" through Amazon SES.

    Settings come from INBOXGAP_* environment variables (see the README). Logs are JSON
    lines on standard error (INBOXGAP_LOG_LEVEL); results go to standard output.

    Exit status 2 means bad input or configuration (the message names the variable),
    1 a run-time failure.
    """
    _configure_logging()
