"""Optional extras: a command that needs one says which to install instead of a traceback.

The runtime install carries what the service needs in production; ``inboxgap demo`` needs
the ``demo`` extra (moto's in-process SQS) and ``inboxgap report --chart`` the ``chart``
extra (matplotlib). Exit code 2 is the CLI's code for "configuration": the command cannot
run as installed.
"""

from __future__ import annotations

import importlib

import click

#: Exit code of a command whose extra is not installed (a configuration problem).
MISSING_EXTRA_EXIT_CODE = 2


class MissingExtra(click.ClickException):
    """An optional dependency of one command is not installed."""

    exit_code = MISSING_EXTRA_EXIT_CODE

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"this command needs {module}, which is not installed: pip install 'inboxgap[{extra}]'"
        )
        self.module = module
        self.extra = extra


def require_extra(module: str, extra: str) -> None:
    """Raise :class:`MissingExtra` unless ``module`` imports.

    Called before the command starts any work, so nothing is half done. It really imports
    the module (the command is about to anyway): an extra installed without its own
    dependencies (``moto`` without ``[server]``'s flask) is caught here too.
    """
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(module, extra) from exc
