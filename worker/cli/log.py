"""Notification-log commands: ingest, status, export, deadletters, purge, sweep.

``db`` and ``sent import`` live in :mod:`worker.cli.log_setup`.

Thin: each command parses its options, calls one handler or query through the
composition root (:func:`worker.bootstrap.build_app`) and prints the result. No SQL here.

A SQLite file is created only by ``ingest``, ``sent import`` and ``db upgrade`` (the CLI
group refuses the other commands when it is missing, see :mod:`worker.cli`) and upgraded
on first use; any other database must be migrated with ``inboxgap db upgrade`` first, and
commands say so.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import click

from worker.cli import main
from worker.cli.params import ADDRESS, JSON_OPTION, Duration, since_option, since_start
from worker.cli.terminal_text import terminal_text
from worker.domain.timestamps import parse_timestamp

if TYPE_CHECKING:
    from worker.bootstrap.app import App

# --------------------------------------------------------------------------- helpers


class _IsoTime(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    name = "ISO-TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value

        parsed = parse_timestamp(str(value))
        if parsed is None:
            self.fail(f"{value!r} is not an ISO-8601 time (e.g. 2025-03-04T10:00:00Z)", param, ctx)
        return parsed


ISO_TIME = _IsoTime()
DURATION = Duration("DURATION", "the duration must be positive")


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """Storage problems as one line saying what to do, never a traceback."""
    from worker.handlers.ports import (
        SchemaNotReadyError,
        StorageRejectedError,
        TransientStoreError,
    )

    try:
        yield
    except SchemaNotReadyError as exc:
        raise click.ClickException(str(exc)) from None
    except StorageRejectedError as exc:
        raise click.ClickException(f"the database refused the data ({exc})") from None
    except TransientStoreError as exc:
        raise click.ClickException(
            f"the database is unavailable ({exc}); nothing was lost, try again"
        ) from None


def _app(*, schema: bool = True) -> App:
    """The wired app (:func:`worker.bootstrap.app.app_from_environment`); the schema
    checked (and created for SQLite files)."""
    from sqlalchemy import exc as sa_exc

    from worker.bootstrap.app import app_from_environment

    with _friendly_errors():
        try:
            return app_from_environment(schema=schema)
        except sa_exc.DBAPIError as exc:
            first = str(exc.orig).strip().splitlines()
            raise click.ClickException(
                f"cannot use the database: {first[0][:200] if first else type(exc).__name__}"
            ) from None


def _now(value: datetime | None, app: Any) -> datetime:
    now: datetime = value if value is not None else app.clock()
    return now


def _log() -> Any:
    import structlog

    return structlog.get_logger("inboxgap.cli")


def _is_tty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    for raw in stream:
        line = raw.rstrip(b"\n").rstrip(b"\r")
        if line.strip():
            yield line


# --------------------------------------------------------------------------- ingest


@main.command("ingest")
@click.argument("source", type=click.File("rb"), default="-", metavar="[FILE|-]")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=1000,
    show_default=True,
    help="Bodies per transaction.",
)
@click.option(
    "--verify/--no-verify",
    default=None,
    help="Check SNS signatures (default: INBOXGAP_VERIFY_SNS_SIGNATURES). Use --no-verify "
    "for local test files whose envelopes are not really signed.",
)
@click.option("--now", type=ISO_TIME, default=None, help="Pretend it is this time (replays).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def ingest_command(
    source: IO[bytes], batch_size: int, verify: bool | None, now: datetime | None, as_json: bool
) -> None:
    """Apply SES feedback to the notification log: one SQS message body per line.

    Same input as `inboxgap classify` (an SNS envelope, a raw SES document or an
    EventBridge event, one JSON document per line; blank lines are skipped), through the
    same batch handler as the worker: duplicates count once, events whose send is not
    recorded yet are parked until it is, and bodies that are not usable SES events are
    kept as dead letters (see `inboxgap deadletters list`). A body the database refuses
    (say a text it cannot store) is isolated from its batch and kept as a
    `storage_rejected` dead letter; the rest of the batch is applied. Safe to run twice.

    Prints a summary; a progress bar on a terminal.

    \b
    Exit status:
      0  every body is accounted for (applied, duplicate, parked, ignored, control,
         or kept as a dead letter)
      1  the database is unavailable or not ready (what was applied stays applied:
         run again), or some body could not be stored even as a dead letter
    """
    from worker.handlers.ingest import IngestResult

    app = _app()
    total = IngestResult()
    codes: Counter[str] = Counter()
    use_verify = app.settings.verify_sns_signatures if verify is None else verify
    size = _file_size(source)
    show_bar = _is_tty(sys.stderr) and size is not None
    with _friendly_errors(), _progress(show_bar, size) as advance:
        batch: list[bytes] = []
        for line in _lines(source):
            batch.append(line)
            advance(len(line) + 1)
            if len(batch) >= batch_size:
                total = total + _apply(app, batch, now, use_verify, codes)
                batch = []
        if batch:
            total = total + _apply(app, batch, now, use_verify, codes)
    summary = {**total.summary(), "rejections": dict(sorted(codes.items()))}
    _log().info("ingest finished", **summary)
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
        _fail_if_unsettled(total)
        return
    click.echo(
        f"applied {total.applied}, duplicate {total.duplicate}, parked {total.parked}, "
        f"ignored {total.ignored}, dead-lettered {total.dead_lettered}, control {total.control}"
    )
    click.echo(
        f"notifications created {total.notifications_created}, status changes "
        f"{total.status_changes}, unparked {total.unparked}"
    )
    if codes:
        listed = ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))
        click.echo(f"dead letters by reason: {listed} (see `inboxgap deadletters list`)")
        if "bad_signature" in codes and use_verify:
            click.echo("hint: local files with unsigned envelopes need --no-verify", err=True)
        if "implausible_timestamp" in codes and now is not None:
            click.echo(
                "hint: events dated more than a day after --now (or before 2011) are "
                "implausible_timestamp",
                err=True,
            )
    _fail_if_unsettled(total)


def _fail_if_unsettled(total: Any) -> None:
    if total.unsettled:
        click.echo(
            f"error: {len(total.unsettled)} bodies could not be stored, not even as dead "
            "letters (see the log); nothing else was lost, run again after a fix",
            err=True,
        )
        raise click.exceptions.Exit(1)


def _apply(
    app: Any, batch: list[bytes], now: datetime | None, verify: bool, codes: Counter[str]
) -> Any:
    result = app.ingest(batch, now=_now(now, app), verify=verify)
    codes.update(rejection.code for rejection in result.rejections)
    return result


def _file_size(stream: IO[bytes]) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size or None
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


@contextmanager
def _progress(enabled: bool, length: int | None) -> Iterator[Callable[[int], None]]:
    if not enabled or length is None:
        yield lambda _n: None
        return
    with click.progressbar(length=length, label="ingesting", file=sys.stderr) as bar:
        yield bar.update


# --------------------------------------------------------------------------- status


@main.command("status")
@click.option(
    "--email", type=ADDRESS, metavar="ADDR", help="All notifications sent to this address."
)
@click.option(
    "--message-id", metavar="ID", help="All recipients of one SES message (or its Message-ID)."
)
@click.option("--notification-id", metavar="ID", help="One notification by your id.")
@since_option("Only notifications sent in this period: 24h, 7d... or an ISO-8601 time.")
@click.option(
    "--it-admin", is_flag=True, help="Add the block an IT team needs to search its own logs."
)
@click.option("--json", "as_json", is_flag=True, help="JSON list (an exact, stable interface).")
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=100, show_default=True, help="Most rows."
)
def status_command(
    email: str | None,
    message_id: str | None,
    notification_id: str | None,
    since: timedelta | datetime | None,
    it_admin: bool,
    as_json: bool,
    limit: int,
) -> None:
    """What happened to a notification: its status and every event, newest first.

    Give exactly one of --email, --message-id or --notification-id. The human form
    explains each status in plain words with next steps, the receiving server's words
    and help link for failures, and the timeline; --it-admin adds message ids, times,
    sender, reporting MTA and the server response verbatim for the recipient's IT team.

    \b
    --json prints a list (empty when nothing matches; exit 0) of
      {"notification_id", "message_id", "recipient", "notification_type",
       "sent_at", "status", "reason", "status_at",
       "events": [{"event_type", "occurred_at", "status", "reason",
                   "smtp_status", "diagnostic", "provider", "help_url"}],
       "engagement": {"opened_at", "clicked_at"}}
    Times are ISO-8601 UTC text; statuses and reasons are those of the outcome contract.
    engagement holds the first Open and Click event (null when none); it never changes
    the status or reason.
    """
    from worker.cli.console import PipeConsole
    from worker.cli.render import render_status
    from worker.queries.support import SupportQueries

    given = [
        name
        for name, value in (
            ("--email", email),
            ("--message-id", message_id),
            ("--notification-id", notification_id),
        )
        if value
    ]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --email, --message-id or --notification-id")
    app = _app()
    now = app.clock()
    since_at = since_start(since, now) if since is not None else None
    records = SupportQueries(app.require_engine()).lookup(
        email=email or None,
        message_id=message_id or None,
        notification_id=notification_id or None,
        since=since_at,
        limit=limit,
    )
    # Who looked up what is worth a log line; the address is masked at info level.
    _log().info(
        "status lookup",
        email=email,
        message_id=message_id,
        notification_id=notification_id,
        results=len(records),
    )
    if as_json:
        click.echo(json.dumps([record.as_status_json() for record in records], indent=2))
        return
    render_status(
        records,
        console=PipeConsole(),
        it_admin=it_admin,
        now=now,
        region=app.settings.aws_region,
        email=email,
        since=since_at,
    )


# --------------------------------------------------------------------------- export


@main.command("export")
@since_option("Only notifications sent in this period (24h, 7d) or since this ISO-8601 time.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per line, or CSV with a header.",
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="Write here instead of standard output.",
)
def export_command(since: timedelta | datetime | None, fmt: str, output: IO[str]) -> None:
    """Stream every notification for reporting tools and data warehouses.

    Fields (JSON keys or CSV columns): notification_id, message_id, recipient,
    notification_type, sent_at, status, reason, status_at. Streamed in pages; memory
    use does not grow with the log.
    """
    from worker.domain.timestamps import format_timestamp
    from worker.queries.notifications import EXPORT_FIELDS, iter_notifications

    app = _app()
    start = since_start(since, app.clock()) if since is not None else None
    since_text = format_timestamp(start) if start is not None else None
    rows = iter_notifications(app.require_engine(), since=since_text)
    if fmt == "csv":
        writer = csv.DictWriter(output, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in rows:
            writer.writerow(record.summary_json())
        return
    for record in rows:
        output.write(json.dumps(record.summary_json()) + "\n")


# --------------------------------------------------------------------------- dead letters


@main.group("deadletters")
def deadletters_group() -> None:
    """Bodies that could not be applied, with the reason; replay them after a fix."""


@deadletters_group.command("list")
@click.option("--all", "include_resolved", is_flag=True, help="Include replayed (resolved) ones.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per dead letter.")
def deadletters_list(include_resolved: bool, limit: int, as_json: bool) -> None:
    """Dead letters, most recently seen first."""
    from worker.queries.dead_letters import list_dead_letters

    app = _app()
    rows = list_dead_letters(app.require_engine(), include_resolved=include_resolved, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(_letter_json(row)))
        return
    if not rows:
        click.echo("no dead letters", err=True)
        return
    for row in rows:
        state = f"resolved {row.resolved_at}" if row.resolved_at else f"seen {row.count}x"
        # The message quotes the body (a stranger's text): shown, never interpreted.
        message = terminal_text(row.message[:80])
        click.echo(f"{row.id:>6}  {row.last_seen}  {row.code:<20} {state}  {message}")


def _letter_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "message": row.message,
        "count": row.count,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "resolved_at": row.resolved_at,
        "size": row.size,
    }


@deadletters_group.command("show")
@click.argument("dead_letter_id", type=int, metavar="ID")
@click.option("--raw", is_flag=True, help="Write only the body bytes, exactly as received.")
@JSON_OPTION
def deadletters_show(dead_letter_id: int, raw: bool, as_json: bool) -> None:
    """One dead letter with its body."""
    from worker.queries.dead_letters import get_dead_letter

    app = _app()
    letter = get_dead_letter(app.require_engine(), dead_letter_id)
    if letter is None:
        raise click.ClickException(f"no dead letter {dead_letter_id}")
    if raw:
        sys.stdout.buffer.write(letter.body or b"")
        return
    body = None if letter.body is None else letter.body.decode("utf-8", "replace")
    if as_json:
        shown = {**_letter_json(letter.summary), "sha256": letter.body_hash, "body": body}
        click.echo(json.dumps(shown, default=str))
        return
    for key, value in _letter_json(letter.summary).items():
        click.echo(f"{key}: {terminal_text(value)}")
    click.echo(f"sha256: {letter.body_hash}")
    if body is None:
        click.echo("body: (purged)")
    else:
        click.echo("body:")
        # Exactly as received is --raw's job; here escape sequences are made visible.
        click.echo(terminal_text(body))


@deadletters_group.command("replay")
@click.argument("ids", type=int, nargs=-1, metavar="[ID...]")
@click.option("--verify/--no-verify", default=None, help="Check SNS signatures (default: setting).")
@JSON_OPTION
def deadletters_replay(ids: tuple[int, ...], verify: bool | None, as_json: bool) -> None:
    """Run dead letters through the batch handler again (all unresolved ones, or IDs).

    Bodies that now apply are marked resolved; the others stay, with their reason updated.
    """
    app = _app()
    use_verify = app.settings.verify_sns_signatures if verify is None else verify
    with _friendly_errors():
        result = app.replay_dead_letters(list(ids) or None, verify=use_verify)
    if as_json:
        counts = ("replayed", "resolved", "still_rejected", "purged")
        click.echo(json.dumps({name: getattr(result, name) for name in counts}))
        return
    click.echo(
        f"replayed {result.replayed}, resolved {result.resolved}, still rejected "
        f"{result.still_rejected}, body purged {result.purged}"
    )


# --------------------------------------------------------------------------- retention, sweep


@main.command("purge")
@click.option(
    "--older-than",
    type=DURATION,
    default=None,
    help="Retention, e.g. 90d (default: INBOXGAP_RETENTION).",
)
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def purge_command(older_than: timedelta | None, batch_size: int, as_json: bool) -> None:
    """Remove personal data older than the retention period; keep aggregate counts.

    Addresses are blanked and event details (SMTP replies quote addresses) deleted for
    notifications sent before the cutoff, with their delivered status callbacks; parked
    events and dead-letter bodies older than it are removed. Statuses and the daily
    counts reports read stay. Batched: safe while the worker runs.
    """
    app = _app()
    with _friendly_errors():
        counts = app.purge(older_than=older_than, batch_size=batch_size)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(counts), sort_keys=True))
        return
    click.echo(
        f"purged notifications {counts.notifications}, their events {counts.events}, "
        f"parked events {counts.parked_events}, dead-letter bodies {counts.dead_letters}, "
        f"delivered status callbacks {counts.callbacks}"
    )


#: Connections working side by side by default (``sweep``, ``sent import``): two keep two
#: cores of the server busy (the work is the database's); more than the cores only queue.
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)


def workers_option(what: str) -> Callable[[Any], Any]:
    """``--workers``: how many connections do ``what`` side by side."""
    return click.option(
        "--workers",
        type=click.IntRange(1, 32),
        default=DEFAULT_WORKERS,
        show_default="min(2, CPUs)",
        help=f"{what}, one connection each (PostgreSQL; SQLite uses 1).",
    )


@main.command("sweep")
@click.option("--now", type=ISO_TIME, default=None, help="Pretend it is this time.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=5000, show_default=True)
@workers_option("Disjoint chunks swept at once")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def sweep_command(now: datetime | None, batch_size: int, workers: int, as_json: bool) -> None:
    """Notifications still `sent` after the feedback window become `unknown`.

    `no_feedback`, or `delayed_no_outcome` after a delivery delay. Feedback that arrives
    later still applies. Batched and safe to run next to the worker. First, events still
    parked although their send is recorded (a crash between two commits) are attached.
    """
    app = _app()
    with _friendly_errors():
        result = app.sweep(now=_now(now, app), batch_size=batch_size, workers=workers)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), sort_keys=True))
        return
    attached = f", parked events attached {result.reattached}" if result.reattached else ""
    click.echo(f"examined {result.examined}, now unknown {result.changed}{attached}")
