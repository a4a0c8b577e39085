"""The Rich console every CLI command prints its tables and panels with.

Rich handles a closed pipe itself (``inboxgap status --email ... | head -1``): its
``Console.on_broken_pipe`` points stdout at /dev/null and exits with status 1, which
the stable interface uses for "a run-time failure". :class:`PipeConsole` hands the
closed pipe back to the ``inboxgap`` group instead, which ends quietly with exit 0, as
for every other command.
"""

from __future__ import annotations

from rich.console import Console

__all__ = ["PipeConsole"]


class PipeConsole(Console):
    """A :class:`rich.console.Console` whose closed pipe is not an error."""

    def on_broken_pipe(self) -> None:
        # Stop writing; worker.cli._LazyGroup turns the BrokenPipeError into exit 0.
        self.quiet = True
        raise BrokenPipeError
