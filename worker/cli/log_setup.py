"""Setting up the notification log: ``inboxgap db upgrade|status`` (the schema) and
``inboxgap sent import`` (sends recorded from a file).

Thin like :mod:`worker.cli.log`, whose composition-root helpers they share; every command
prints one line of text, or one JSON object with ``--json``.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Hashable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

import click

from worker.cli import main
from worker.cli.batches import BatchWriter
from worker.cli.log import _app, _friendly_errors, workers_option
from worker.cli.params import JSON_OPTION
from worker.cli.terminal_text import terminal_text

if TYPE_CHECKING:
    from worker.handlers.sends import SendRecord

EXIT_INVALID_RECORDS = 1


# --------------------------------------------------------------------------- db


@main.group("db")
def db_group() -> None:
    """The notification log's schema (Alembic migrations shipped with InboxGap)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@JSON_OPTION
def db_upgrade(revision: str, as_json: bool) -> None:
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
    current = migrations.current_revision(engine)
    if as_json:
        click.echo(json.dumps({"database": where, "revision": current}))
        return
    click.echo(f"{where} is at revision {current}")


@db_group.command("status")
@JSON_OPTION
def db_status(as_json: bool) -> None:
    """Whether the schema is missing, behind or current."""
    from worker import migrations

    app = _app(schema=False)
    engine = app.require_engine()
    state = migrations.schema_state(engine)
    current, head = migrations.current_revision(engine), migrations.head_revision()
    if as_json:
        click.echo(json.dumps({"state": state.value, "revision": current, "head": head}))
        return
    click.echo(f"{state.value}: revision {current}, newest {head}")


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
@workers_option("Batches written at once (a transaction each)")
@JSON_OPTION
def sent_import(file: IO[str], fmt: str, batch_size: int, workers: int, as_json: bool) -> None:
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
    # Batches are written (in other threads, ``workers`` at a time) while the next one is
    # read and validated: the database's time and the parsing overlap. Batches that share
    # a send or an id are written one after the other in file order, so the outcome is
    # the one of writing every batch in file order (see BatchWriter).
    writer_of = BatchWriter(
        app.record_sends,
        # One writer where the store has one at a time (SQLite).
        workers=workers if app.log.concurrent_writers else 1,
        keys=_batch_keys,
    )
    with _friendly_errors(), writer_of as writer:
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
    if as_json:
        click.echo(json.dumps({**total.summary(), "invalid": invalid}, sort_keys=True))
    else:
        click.echo(
            f"created {total.created}, already recorded {total.unchanged}, replaced "
            f"{total.replaced}, conflicting ids {total.conflicting}, invalid {invalid}; "
            f"parked events applied {total.attached_events}"
        )
    if invalid:
        sys.exit(EXIT_INVALID_RECORDS)


def _batch_keys(batch: list[SendRecord]) -> Iterable[Hashable]:
    """What a batch of sends may touch: its (message, recipient) pairs and its ids."""
    for record in batch:
        yield (record.message_id, record.recipient)
        yield record.notification_id


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
