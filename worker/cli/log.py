"""Notification-log commands: ingest, status, export, deadletters, purge, sweep, db, sent.

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
import itertools
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import click

from worker.cli import main
from worker.cli.batches import BatchWriter
from worker.cli.params import ADDRESS, SINCE, Duration, since_start
from worker.cli.terminal_text import terminal_text
from worker.domain.timestamps import parse_timestamp

if TYPE_CHECKING:
    from worker.bootstrap.app import App

EXIT_INVALID_RECORDS = 1


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
@click.option(
    "--since",
    type=SINCE,
    default=None,
    help="Only notifications sent in this period: 24h, 7d... or an ISO-8601 time.",
)
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
    from rich.console import Console

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
        console=Console(),
        it_admin=it_admin,
        now=now,
        region=app.settings.aws_region,
        email=email,
        since=since_at,
    )


# --------------------------------------------------------------------------- export


@main.command("export")
@click.option(
    "--since",
    type=SINCE,
    default=None,
    help="Only notifications sent in this period (24h, 7d) or since this ISO-8601 time.",
)
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
def deadletters_show(dead_letter_id: int, raw: bool) -> None:
    """One dead letter with its body."""
    from worker.queries.dead_letters import get_dead_letter

    app = _app()
    letter = get_dead_letter(app.require_engine(), dead_letter_id)
    if letter is None:
        raise click.ClickException(f"no dead letter {dead_letter_id}")
    if raw:
        sys.stdout.buffer.write(letter.body or b"")
        return
    for key, value in _letter_json(letter.summary).items():
        click.echo(f"{key}: {terminal_text(value)}")
    click.echo(f"sha256: {letter.body_hash}")
    if letter.body is None:
        click.echo("body: (purged)")
    else:
        click.echo("body:")
        # Exactly as received is --raw's job; here escape sequences are made visible.
        click.echo(terminal_text(letter.body.decode("utf-8", "replace")))


@deadletters_group.command("replay")
@click.argument("ids", type=int, nargs=-1, metavar="[ID...]")
@click.option("--verify/--no-verify", default=None, help="Check SNS signatures (default: setting).")
def deadletters_replay(ids: tuple[int, ...], verify: bool | None) -> None:
    """Run dead letters through the batch handler again (all unresolved ones, or IDs).

    Bodies that now apply are marked resolved; the others stay, with their reason updated.
    """
    app = _app()
    use_verify = app.settings.verify_sns_signatures if verify is None else verify
    with _friendly_errors():
        result = app.replay_dead_letters(list(ids) or None, verify=use_verify)
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
    notifications sent before the cutoff; parked events and dead-letter bodies older than
    it are removed. Statuses and the daily counts reports read stay. Batched: safe while
    the worker runs.
    """
    app = _app()
    with _friendly_errors():
        counts = app.purge(older_than=older_than, batch_size=batch_size)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(counts), sort_keys=True))
        return
    click.echo(
        f"purged notifications {counts.notifications}, their events {counts.events}, "
        f"parked events {counts.parked_events}, dead-letter bodies {counts.dead_letters}"
    )


@main.command("sweep")
@click.option("--now", type=ISO_TIME, default=None, help="Pretend it is this time.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=5000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def sweep_command(now: datetime | None, batch_size: int, as_json: bool) -> None:
    """Notifications still `sent` after the feedback window become `unknown`.

    `no_feedback`, or `delayed_no_outcome` after a delivery delay. Feedback that arrives
    later still applies. Batched and safe to run next to the worker. First, events still
    parked although their send is recorded (a crash between two commits) are attached.
    """
    app = _app()
    with _friendly_errors():
        result = app.sweep(now=_now(now, app), batch_size=batch_size)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), sort_keys=True))
        return
    attached = f", parked events attached {result.reattached}" if result.reattached else ""
    click.echo(f"examined {result.examined}, now unknown {result.changed}{attached}")


# --------------------------------------------------------------------------- db


@main.group("db")
def db_group() -> None:
    """The notification log's schema (Alembic migrations shipped with InboxGap)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the tables of INBOXGAP_DATABASE_URL."""
    from worker import migrations

    app = _app(schema=False)
    engine = app.require_engine()
    try:
        migrations.upgrade(engine, revision)
    except Exception as exc:
        first = str(exc).strip().splitlines()
        raise click.ClickException(
            f"upgrade failed: {type(exc).__name__}: {first[0][:200] if first else ''}"
        ) from None
    where = engine.url.render_as_string(hide_password=True)
    click.echo(f"{where} is at revision {migrations.current_revision(engine)}")


@db_group.command("status")
def db_status() -> None:
    """Whether the schema is missing, behind or current."""
    from worker import migrations

    app = _app(schema=False)
    engine = app.require_engine()
    state = migrations.schema_state(engine)
    click.echo(
        f"{state.value}: revision {migrations.current_revision(engine)}, "
        f"newest {migrations.head_revision()}"
    )


# --------------------------------------------------------------------------- sent


@main.group("sent")
def sent_group() -> None:
    """Record sends (the "sent" side of the log)."""


#: ``sent import`` refreshes the planner's statistics after creating at least this many.
ANALYZE_AFTER_SENDS = 10_000
#: Sends per transaction. Measured with ``bench/sends.py`` (200k sends, same session, load
#: ~2.7 on 2 cores): 5,000 ran 1.1-1.6x the rate of 1,000 (fewer of a batch's fixed costs:
#: two transactions, a commit's flush, the statements' planning).
IMPORT_BATCH_SIZE = 5000


@sent_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"), metavar="FILE|-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "csv", "jsonl"]),
    default="auto",
    show_default=True,
    help="auto: JSON lines when the first character is '{', else CSV with a header.",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 100_000), default=IMPORT_BATCH_SIZE, show_default=True
)
def sent_import(file: IO[str], fmt: str, batch_size: int) -> None:
    """Record sends from a file: CSV with a header, or JSON lines.

    Fields: notification_id, message_id, recipient, sent_at (ISO-8601), and optionally
    notification_type. A message with several recipients is several rows. Recording a
    send twice is a no-op. Invalid rows are reported (line and reason) and skipped; the
    exit status is then 1.
    """
    from worker.handlers.sends import InvalidSendRecord, RecordResult, SendRecord

    app = _app()
    invalid = 0
    batch: list[SendRecord] = []
    # One batch is written (in a second thread) while the next one is read and validated:
    # the database's time and the parsing overlap. Batches still commit one at a time,
    # in file order.
    with _friendly_errors(), BatchWriter(app.record_sends) as writer:
        for line_number, row in _records(file, fmt):
            try:
                if isinstance(row, str):
                    raise InvalidSendRecord(row)
                batch.append(SendRecord.from_mapping(row))
            except InvalidSendRecord as exc:
                invalid += 1
                # The operator's own file: its values are shown unmasked.
                click.echo(f"line {line_number}: {terminal_text(exc.for_operator)}", err=True)
                continue
            if len(batch) >= batch_size:
                writer.submit(batch)
                batch = []
        if batch:
            writer.submit(batch)
        total = sum(writer.finish(), RecordResult())
        if total.created >= ANALYZE_AFTER_SENDS:
            # A large load leaves the planner with the empty tables' statistics until
            # autovacuum gets to them: the sweep that follows would plan for a few rows.
            app.refresh_statistics()
    click.echo(
        f"created {total.created}, already recorded {total.unchanged}, replaced "
        f"{total.replaced}, conflicting ids {total.conflicting}, invalid {invalid}; "
        f"parked events applied {total.attached_events}"
    )
    if invalid:
        sys.exit(EXIT_INVALID_RECORDS)


def _records(file: IO[str], fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row mapping or an error text), streamed."""
    first = file.readline()
    lines: Iterable[str] = itertools.chain([first], file)
    if fmt == "auto":
        fmt = "jsonl" if first.lstrip().startswith("{") else "csv"
    if fmt == "jsonl":
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"not JSON ({exc.msg})"
                continue
            yield number, value if isinstance(value, dict) else "not a JSON object"
        return
    # csv.reader and one dict(zip()) per row: what DictReader does, without its
    # per-row Python overhead (a short row lacks its last fields, extra cells are
    # dropped, blank lines are skipped).
    reader = csv.reader(lines)
    header = next(reader, [])
    missing = {"notification_id", "message_id", "recipient", "sent_at"} - set(header)
    if missing:
        raise click.UsageError(f"the CSV header lacks {', '.join(sorted(missing))}")
    for cells in reader:
        if cells:
            yield reader.line_num, dict(zip(header, cells, strict=False))
