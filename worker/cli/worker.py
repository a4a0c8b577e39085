"""Worker commands: ``inboxgap demo``, ``inboxgap drain``, ``inboxgap metrics serve``.

The Celery worker itself runs with ``celery -A config.celery_app worker`` (see the
Procfile); ``inboxgap drain`` runs the very same drain in this process, without Celery,
for operators and scripts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from worker.cli import main
from worker.cli.params import JSON_ALWAYS
from worker.cli.terminal_text import terminal_text

if TYPE_CHECKING:
    from rich.console import Console

    from worker.demo import DemoResult


def _print_demo_result(console: Console, result: DemoResult) -> None:
    """What the demo found: the bodies drained, the gap report, the ledger and whether
    every notification got the outcome the simulation expected (exit 1 if not)."""
    from worker.cli.render import render_report

    counts = result.traffic_counts
    console.print(
        f"\nDrained {result.bodies:,} SQS bodies "
        f"({counts.get('duplicates', 0)} exact duplicates, {counts.get('twins', 0)} "
        f"cross-envelope twins, {counts.get('malformed', 0)} malformed; envelopes: "
        f"SNS {counts.get('envelope:sns', 0)}, raw {counts.get('envelope:raw', 0)}, "
        f"EventBridge {counts.get('envelope:eventbridge', 0)}) in {result.seconds:.1f} s."
    )
    render_report(result.report, console=console)
    pipeline = result.pipeline
    letters = ", ".join(f"{code} {n}" for code, n in sorted(pipeline.dead_letters.items()))
    console.print(
        f"Ledger: {pipeline.ledger_rows:,} events, {pipeline.parked} still parked; "
        f"dead letters: {letters or 'none'}; {result.swept} swept past the 24 h window."
    )
    colour = "green" if result.matched == result.expected else "red"
    console.print(
        f"[{colour}]{result.matched}/{result.expected} notifications have exactly the "
        f"outcome the simulation expected.[/]"
    )
    for nid, want, got in result.mismatches[:10]:
        console.print(f"  {nid}: expected {want}, got {got}")
    console.print(
        f"\nExplore it: INBOXGAP_DATABASE_URL='{result.database_url}' inboxgap report --help"
    )
    if result.matched != result.expected:
        sys.exit(1)


def _demo_json(result: DemoResult) -> dict[str, object]:
    """``demo --json``: what :func:`_print_demo_result` shows, as one JSON object."""
    return {
        "report": result.report.as_json(),
        "bodies": result.bodies,
        "traffic": result.traffic_counts,
        "ledger_rows": result.pipeline.ledger_rows,
        "parked": result.pipeline.parked,
        "dead_letters": result.pipeline.dead_letters,
        "swept": result.swept,
        "matched": result.matched,
        "expected": result.expected,
        "mismatches": [
            {"notification_id": nid, "expected": want, "got": got}
            for nid, want, got in result.mismatches
        ],
        "seconds": round(result.seconds, 3),
        "database_url": result.database_url,
    }


@main.command("demo")
@click.option(
    "--events",
    "events",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Notifications to send (their feedback is a little over twice as many bodies).",
)
@click.option("--seed", type=int, default=2025, show_default=True, help="Traffic random seed.")
@click.option(
    "--database-url",
    default=None,
    help="Notification log to use (default: a new SQLite file in a temporary folder).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="Worker threads draining the queue at once.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the database, broker and worker log (default: a temporary folder).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the result as one JSON object (the progress goes to stderr).",
)
def demo_command(
    events: int,
    seed: int,
    database_url: str | None,
    concurrency: int,
    workdir: Path | None,
    as_json: bool,
) -> None:
    """Run the whole pipeline locally and print the gap between sent and received.

    Starts an in-process SQS (moto) and the real Celery worker (embedded beat,
    filesystem broker: no Redis), records realistic sends, pushes their SES feedback
    into the queue in every envelope (SNS signed and verified, raw, EventBridge) with
    duplicates, out of order, some before their send and a few malformed, drains the
    queue, then prints how many were sent, delivered, bounced, quarantined, unknown
    and still pending, with the top reasons and domains.
    """
    from worker.cli.console import PipeConsole
    from worker.cli.extras import require_extra

    require_extra("moto.server", "demo")

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from worker.demo import DemoError, DemoOptions, run_demo

    console = PipeConsole(stderr=as_json)  # with --json, stdout is the JSON alone
    options = DemoOptions(
        events=events,
        seed=seed,
        database_url=database_url,
        concurrency=concurrency,
        workdir=workdir,
    )
    console.print(
        f"[bold]InboxGap demo[/]: {events:,} notifications, seed {seed}, "
        f"{concurrency} worker thread(s)"
    )
    progress = Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("in queue: {task.fields[depth]:>5}"),
        console=console,
        transient=False,
    )
    bar = progress.add_task("starting", total=None, depth=0)
    last = [0.0]

    def on_progress(phase: str, pushed: int, total: int, depth: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and phase == "pushing feedback":
            return
        last[0] = now
        progress.update(bar, description=phase, completed=pushed - depth, total=total, depth=depth)

    try:
        with progress:
            result = run_demo(options, progress=on_progress)
            progress.update(bar, description="done", completed=result.bodies, depth=0)
    except DemoError as exc:
        # The error may quote a body or a server: no markup, no escape sequences.
        console.print("demo failed: ", style="red", end="")
        console.print(terminal_text(exc), markup=False, highlight=False)
        sys.exit(1)

    if as_json:
        click.echo(json.dumps(_demo_json(result), sort_keys=True))
        if result.matched != result.expected:
            sys.exit(1)
        return
    _print_demo_result(console, result)


@main.command("drain")
@click.option("--once", is_flag=True, help="Apply at most one batch, then stop.")
@click.option(
    "--max-run-time",
    type=click.FloatRange(0.1, 86_400),
    default=None,
    help="Stop starting batches after this many seconds (default: the setting).",
)
@JSON_ALWAYS
def drain_command(once: bool, max_run_time: float | None, as_json: bool) -> None:
    """Drain SES feedback from SQS in this process (the same code as the Celery task).

    Stops when a long poll finds the queue empty, after --max-run-time, or after one
    batch with --once. Prints a JSON summary. Exit status 0, 1 when the batch could
    not be applied (nothing was deleted; the messages come back by themselves), or 2
    when the configuration is wrong (no queue URL, a queue SQS refuses).
    """
    from worker.bootstrap.drain import drainer_from_environment
    from worker.bootstrap.environment import configure_logging
    from worker.handlers.errors import exit_code
    from worker.handlers.ports import BadInput, Retryable, StoreError

    configure_logging()
    try:
        report = drainer_from_environment().run(
            max_run_time=max_run_time, max_batches=1 if once else None
        )
    except (StoreError, Retryable, BadInput) as exc:
        click.echo(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        # The JSON above is for scripts; the operator reads stderr.
        click.echo(f"Error: {terminal_text(exc)}", err=True)
        sys.exit(exit_code(exc))
    click.echo(json.dumps(report.summary()))


@main.group("metrics")
def metrics_group() -> None:
    """Prometheus metrics of the drain."""


@metrics_group.command("serve")
@click.option("--port", type=click.IntRange(1, 65_535), default=9808, show_default=True)
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104
def metrics_serve_command(port: int, host: str) -> None:
    """Serve /metrics (aggregated over worker processes when PROMETHEUS_MULTIPROC_DIR is
    set, as it must be for a prefork Celery worker)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from worker.metrics import metrics_wsgi_app

    class _Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = make_server(host, port, metrics_wsgi_app(), handler_class=_Quiet)
    click.echo(f"serving metrics on http://{host}:{port}/metrics", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
