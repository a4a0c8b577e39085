"""``inboxgap alerts check`` and ``inboxgap alerts list``: thin over
:mod:`worker.handlers.alerts` through :func:`worker.bootstrap.alerts.build_alerting`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from worker.cli import main
from worker.cli.errors import friendly_store_errors
from worker.cli.params import echo_json_or_empty, since_option, since_start
from worker.cli.terminal_text import terminal_lines, terminal_text
from worker.domain.timestamps import format_timestamp

if TYPE_CHECKING:
    from worker.bootstrap.alerts import Alerting
    from worker.handlers.ports.alerts import HistoryEntry


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    from worker.domain.timestamps import parse_timestamp

    parsed = parse_timestamp(value)
    if parsed is None:
        raise click.BadParameter(
            "not an ISO-8601 time (e.g. 2025-03-04T10:15:00Z)", param_hint="--now"
        )
    return parsed


def _alerting() -> Alerting:
    from worker.bootstrap.alerts import alerting_from_environment
    from worker.bootstrap.environment import configure_logging

    configure_logging()
    return alerting_from_environment()


@main.group("alerts")
def alerts_group() -> None:
    """On-call alerts: bounce, complaint and quarantine spikes, reputation, silence."""


@alerts_group.command("check")
@click.option("--now", "now_text", default=None, help="Evaluate at this ISO-8601 UTC time.")
@click.option("--json", "as_json", is_flag=True, help="Print the active alerts as JSON.")
@click.option("--dry-run", is_flag=True, help="Evaluate only: record and notify nothing.")
def check_command(now_text: str | None, as_json: bool, dry_run: bool) -> None:
    """Evaluate every alert rule now, record state changes and notify the sinks.

    Prints the active alerts (firing, and those this evaluation resolved); with --json
    a list of {"rule", "scope", "key", "severity", "value", "threshold", "window",
    "state"}.
    """
    now = _parse_now(now_text)
    with friendly_store_errors():
        alerting = _alerting()
        views = alerting.check(now or datetime.now(UTC), dry_run=dry_run)
    if echo_json_or_empty(
        views, as_json=as_json, as_dict=lambda view: view.as_dict(), empty="No active alerts."
    ):
        return
    from worker.domain.alert_rules import Condition, Rule, Scope, Severity, describe

    for view in views:
        condition = Condition(
            Rule(view.rule),
            Scope(view.scope),
            view.key,
            Severity(view.severity),
            view.value,
            view.threshold,
            view.window,
        )
        head = "[RESOLVED]" if view.state == "resolved" else None
        # Keys may be a recipient domain or a provider named by a stranger's server.
        click.echo(terminal_lines(describe(condition, head=head)))


@alerts_group.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@since_option("Only notifications this recent (24h, 7d) or since an ISO-8601 time.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_command(limit: int, since: timedelta | datetime | None, as_json: bool) -> None:
    """Alert history: every notification (fired, escalated, renotified, resolved),
    newest first, with the state of its deliveries per sink."""
    start = since_start(since, datetime.now(UTC)) if since is not None else None
    with friendly_store_errors():
        entries = _alerting().history(limit=limit, since=start)
    if echo_json_or_empty(entries, as_json=as_json, as_dict=_history_json, empty="No alerts yet."):
        return
    for e in entries:
        sinks = ", ".join(f"{sink}:{status}" for sink, status in e.deliveries.items()) or "-"
        click.echo(
            terminal_text(
                f"{format_timestamp(e.at)}  {e.kind:<10} {e.severity:<8} {e.rule} "
                f"{e.scope}={e.key} "
                f"value={e.value:.6g} threshold={e.threshold:.6g} window={e.window}  [{sinks}]"
            )
        )
    sys.stdout.flush()


def _history_json(entry: HistoryEntry) -> dict[str, Any]:
    """One ``alerts list --json`` entry: times as fixed-width UTC text, values rounded as
    the alert lines show them."""
    from worker.domain.alert_lifecycle import VALUE_DIGITS

    return {
        "at": format_timestamp(entry.at),
        "kind": entry.kind,
        "rule": entry.rule,
        "scope": entry.scope,
        "key": entry.key,
        "severity": entry.severity,
        "value": round(entry.value, VALUE_DIGITS),
        "threshold": round(entry.threshold, VALUE_DIGITS),
        "window": entry.window,
        "state": entry.state,
        "deliveries": entry.deliveries,
    }
