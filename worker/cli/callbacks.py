"""``inboxgap callbacks deliver|list|replay``: the status-callback outbox (issue 14), thin
over :mod:`worker.handlers.callbacks` through :mod:`worker.bootstrap.callbacks`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from worker.cli import main
from worker.cli.errors import friendly_store_errors
from worker.cli.params import JSON_ALWAYS, JSON_OPTION, InvalidInput, echo_json_or_empty
from worker.cli.terminal_text import terminal_text
from worker.domain.timestamps import format_timestamp

if TYPE_CHECKING:
    from config.settings import Settings
    from worker.adapters.callback_outbox import SqlCallbackOutbox
    from worker.handlers.ports.callbacks import CallbackRow


def _settings_and_outbox() -> tuple[Settings, SqlCallbackOutbox]:
    from worker.bootstrap.callbacks import outbox_from_environment

    return outbox_from_environment()


@main.group("callbacks")
def callbacks_group() -> None:
    """Status callbacks: every status change POSTed, signed, to INBOXGAP_CALLBACK_URL."""


@callbacks_group.command("deliver")
@JSON_ALWAYS
def deliver_command(as_json: bool) -> None:
    """Deliver every callback due now (one pass), then exit. Prints a JSON summary."""
    from worker.bootstrap.callbacks import callbacks_enabled, run_delivery_pass, unsigned_warning

    with friendly_store_errors():
        settings, _ = _settings_and_outbox()
        if not callbacks_enabled(settings):
            # Configuration, not a run-time failure: exit status 2.
            raise InvalidInput(
                "callbacks are off: set INBOXGAP_CALLBACK_URL or INBOXGAP_CALLBACK_CELERY_TASK"
            )
        warning = unsigned_warning(settings)
        if warning is not None:  # stderr: stdout stays the JSON summary
            click.echo(f"warning: {warning}", err=True)
        publish = None
        if settings.callback_celery_task:
            from tasks.callbacks import celery_publisher  # the task layer owns Celery

            publish = celery_publisher(settings)
        result = run_delivery_pass(settings, publish=publish)
    click.echo(json.dumps(result.as_dict()))


@callbacks_group.command("list")
@click.option(
    "--state",
    type=click.Choice(["pending", "failed", "delivered"]),
    default=None,
    help="Only rows in this state.",
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_command(state: str | None, limit: int, as_json: bool) -> None:
    """Outbox rows, oldest first (ids, statuses and delivery state; no addresses)."""
    with friendly_store_errors():
        _, outbox = _settings_and_outbox()
        rows = outbox.list_rows(state, limit)
    if echo_json_or_empty(rows, as_json=as_json, as_dict=_row_json, empty="No callbacks."):
        return
    for r in rows:
        detail = r.cause or r.last_error or ""
        when = r.delivered_at or r.next_attempt_at or r.created_at
        click.echo(
            terminal_text(
                f"{r.id:>8}  {r.state:<9} {r.notification_id or '-'}  "
                f"{r.previous_status}/{r.previous_reason} -> {r.status}/{r.reason}  "
                f"attempts={r.attempts} {format_timestamp(when)} {detail}".rstrip()
            )
        )


@callbacks_group.command("replay")
@click.argument("ids", nargs=-1, type=int)
@click.option("--failed", "all_failed", is_flag=True, help="Replay every failed callback.")
@JSON_OPTION
def replay_command(ids: tuple[int, ...], all_failed: bool, as_json: bool) -> None:
    """Send callbacks again from their first attempt (same webhook-id): the given IDs,
    or every failed one with --failed. Exit status 1 when an ID is not in the outbox."""
    if bool(ids) == all_failed:
        raise click.UsageError("give callback IDs or --failed (not both)")
    from worker.handlers.callbacks import replay_callbacks

    with friendly_store_errors():
        _, outbox = _settings_and_outbox()
        count = replay_callbacks(outbox, None if all_failed else ids, now=datetime.now(UTC))
    if as_json:
        click.echo(json.dumps({"pending_again": count}))
    else:
        click.echo(f"{count} callback(s) pending again.")
    missing = len(set(ids)) - count
    if missing > 0:  # a mistyped ID must not look like a replay that happened
        raise click.ClickException(
            f"{missing} of the IDs given are not in the outbox (never existed, or purged "
            "with their notification): see `inboxgap callbacks list`"
        )


def _row_json(row: CallbackRow) -> dict[str, object]:
    """One ``callbacks list --json`` row: times as fixed-width UTC text."""
    from worker.domain.timestamps import format_timestamp

    def text(moment: datetime | None) -> str | None:
        return None if moment is None else format_timestamp(moment)

    return {
        "id": row.id,
        "webhook_id": row.webhook_id,
        "notification_id": row.notification_id,
        "previous_status": row.previous_status,
        "previous_reason": row.previous_reason,
        "status": row.status,
        "reason": row.reason,
        "state": row.state,
        "attempts": row.attempts,
        "created_at": format_timestamp(row.created_at),
        "next_attempt_at": text(row.next_attempt_at),
        "delivered_at": text(row.delivered_at),
        "cause": row.cause,
        "last_error": row.last_error,
    }
