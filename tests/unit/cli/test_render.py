"""The support commands' layout: plain text when piped, rich on a terminal (the chart:
test_chart.py)."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console

from tests.unit.queries.test_support_views import GATEWAY_BOUNCE, NOW, record
from worker.adapters.suppression import AuditEntry, SuppressedDestination
from worker.cli.render import render_recipient, render_report, render_status
from worker.queries.support import (
    DomainRate,
    FailureEvent,
    GapReport,
    ReasonCount,
    RecipientHealth,
    StatusCounts,
    TimelineEvent,
)


def console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=120, color_system=None), out


def rendered(records: list[Any], *, terminal: bool = False, **kwargs: Any) -> str:
    """What ``render_status`` prints for ``records`` at ``NOW`` (plain, or to a terminal)."""
    con, out = console(terminal)
    render_status(records, console=con, now=NOW, **kwargs)
    return out.getvalue()


def test_plain_status_has_every_part_and_no_markup() -> None:
    text = rendered(
        [record("quarantined", "security_gateway", GATEWAY_BOUNCE)],
        it_admin=True,
        region="eu-west-1",
        email="jane@acme.example",
    )
    assert "1 notification(s) to jane@acme.example, newest first" in text
    assert "[Quarantined] quarantined / security_gateway" in text
    assert "Next steps:" in text and "Mimecast" in text
    assert "Status code: 5.0.0" in text
    assert "Their server said: smtp; 550 Rejected by policy" in text
    assert "Timeline (UTC):" in text and "Sent" in text and "Bounce" in text
    assert "For your IT administrator:" in text
    assert "<0100018f-abc-000000@eu-west-1.amazonses.com>" in text
    assert "\x1b[" not in text and "╭" not in text


def test_without_it_admin_the_block_is_left_out() -> None:
    delivered = TimelineEvent("Delivery", "2025-03-05T08:00:02.000Z", "delivered", "accepted")
    text = rendered([record("delivered", "accepted", delivered)], it_admin=False)
    assert "[Delivered (accepted by their server)]" in text
    assert "IT administrator" not in text
    assert "Their server said" not in text  # only for failures and delays


def test_rich_status_draws_panels() -> None:
    text = rendered(
        [record("quarantined", "security_gateway", GATEWAY_BOUNCE)], terminal=True, it_admin=True
    )
    assert "╭" in text and "for your IT administrator" in text and "Quarantined" in text


def test_never_sent_and_unknown_id() -> None:
    since = NOW - timedelta(days=7)
    never = rendered([], it_admin=False, email="jo@gmail.com", since=since)
    assert "[Never sent to this address] jo@gmail.com since 2025-02-26 09:00 UTC" in never
    assert "No notification has this id" in rendered([], it_admin=False)
    never_rich = rendered([], terminal=True, it_admin=False, email="jo@gmail.com")
    assert "Never sent to this address" in never_rich


def _health() -> RecipientHealth:
    failure = FailureEvent(
        "n-1",
        "m-1",
        "Bounce",
        "2025-03-05T08:00:03.000Z",
        "bounced",
        "mailbox_not_found",
        "5.1.1",
        "550 5.1.1 user unknown",
        "Gmail",
    )
    return RecipientHealth(
        recipient="jo@gmail.com",
        recent=(record("bounced", "mailbox_not_found"),),
        status_counts={"bounced": 1},
        total=1,
        failures=(failure,),
        first_sent_at="2025-03-05T08:00:00.000Z",
        last_sent_at="2025-03-05T08:00:00.000Z",
    )


def test_recipient_plain_and_rich() -> None:
    listed = SuppressedDestination("jo@gmail.com", "BOUNCE", "2025-03-05T08:00:04.000Z")
    at = datetime(2025, 3, 5, 9, tzinfo=UTC)
    audit = [AuditEntry("jo@gmail.com", "removed", "cli:amy", "typo", at)]
    for terminal in (False, True):
        con, out = console(terminal)
        render_recipient(
            _health(), suppressed=listed, suppression_error=None, audit=audit, console=con, now=NOW
        )
        text = out.getvalue()
        assert "YES, reason BOUNCE since 2025-03-05 08:00:04 UTC" in text
        assert "mailbox_not_found" in text and "removed by cli:amy: typo" in text
    con, out = console(False)
    render_recipient(
        _health(),
        suppressed=None,
        suppression_error="cannot reach SES",
        audit=[],
        console=con,
        now=NOW,
    )
    assert "On the SES suppression list: unknown: cannot reach SES" in out.getvalue()


def _report() -> GapReport:
    totals = StatusCounts(sent=100, delivered=90, bounced=5, quarantined=3, unknown=1, pending=1)
    return GapReport(
        since="2025-03-04T09:00:00.000Z",
        until="2025-03-05T09:00:00.000Z",
        totals=totals,
        top_reasons=(ReasonCount("bounced", "mailbox_not_found", 5, 0.05),),
        top_quarantine_domains=(DomainRate("corp.example", 20, 3, 0.15),),
        top_bounce_domains=(),
        by="type",
        breakdown=(),
    )


def test_report_plain_and_rich() -> None:
    con, out = console(False)
    render_report(_report(), console=con)
    text = out.getvalue()
    assert "90 (90.0%)" in text and "mailbox_not_found" in text and "15.0%" in text
    assert "Top domains by bounce rate (≥ 1 sent):\n" in text and "  none" in text
    con, out = console(True)
    render_report(_report(), console=con)
    assert "corp.example" in out.getvalue()


# --------------------------------------------------------------------------------------
# hostile remote text: nothing a stranger's server wrote acts on the terminal
# --------------------------------------------------------------------------------------

HOSTILE = TimelineEvent(
    event_type="Bounce",
    occurred_at="2025-03-05T08:00:03.000Z",
    status="bounced",
    reason="mailbox_not_found",
    smtp_status="5.1.1",
    diagnostic=(
        "smtp; 550 no\x1b[2J\x1b]0;owned\x07 [bold red]FAKE[/] \x1b]8;;https://evil.example"
        "\x1b\\link\x1b]8;;\x1b\\\r\x1b[Kdelivered OK \u202eevil\x9b31m"
    ),
    provider="[blink]Gmail\x1b[5m",
    help_url="https://evil.example/\x1b[8m",
    reporting_mta="dns; mx\x1b[1A.example",
    remote_mta_ip="192.0.2.1",
    from_header="\x1b[2JAcme <no-reply@notify.acme.example>",
    subject="Your code\x07\x08",
)


@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "rich"])
def test_a_hostile_status_prints_no_escape_byte(terminal: bool) -> None:
    out = io.StringIO()
    # A colour console: the only ESC bytes allowed are Rich's own styling, so count them
    # against the same render with the hostile text removed.
    con = Console(file=out, force_terminal=terminal, width=200, color_system=None)
    render_status(
        [record("bounced", "mailbox_not_found", HOSTILE, recipient="x\x1b[2J@acme.example")],
        console=con,
        it_admin=True,
        now=NOW,
        email="x\x1b[2J@acme.example",
    )
    text = out.getvalue()
    for byte in ("\x1b", "\x07", "\x08", "\r", "\x9b", "\u202e"):
        assert byte not in text, repr(byte)
    assert "\\x1b[2J" in text and "\\x1b]0;owned\\x07" in text
    assert "\\r\\x1b[Kdelivered OK" in text and "\\u202eevil" in text
    assert "[bold red]FAKE[/]" in text  # shown literally, not parsed as Rich markup
    assert "[blink]Gmail" in text


def test_rich_markup_in_remote_text_is_not_interpreted_even_with_colour() -> None:
    out = io.StringIO()
    con = Console(file=out, force_terminal=True, width=200, color_system="truecolor")
    delivered = TimelineEvent(
        "Bounce",
        "2025-03-05T08:00:03.000Z",
        "bounced",
        "mailbox_not_found",
        "5.1.1",
        "[on green]delivered OK[/]",
        "[link=https://evil.example]Gmail[/link]",
    )
    render_status(
        [record("bounced", "mailbox_not_found", delivered)], console=con, it_admin=True, now=NOW
    )
    text = out.getvalue()
    assert "[on green]delivered OK[/]" in text
    assert "[link=https://evil.example]Gmail[/link]" in text
    assert "\x1b]8;" not in text  # no hyperlink was made


def test_hostile_recipient_and_report_cells() -> None:
    health = _health()
    for terminal in (False, True):
        con, out = console(terminal)
        render_recipient(
            health,
            suppressed=None,
            suppression_error="SES said \x1b]0;x\x07[red]no",
            audit=[AuditEntry("jo@gmail.com", "removed", "[b]amy\x1b[2J", "why\r", NOW)],
            console=con,
            now=NOW,
        )
        text = out.getvalue()
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text
        assert "[red]no" in text and "[b]amy\\x1b[2J" in text
    report = _report()
    hostile = dataclasses.replace(
        report, top_quarantine_domains=(DomainRate("[red]x\x1b[2J.example", 20, 3, 0.15),)
    )
    for terminal in (False, True):
        con, out = console(terminal)
        render_report(hostile, console=con)
        text = out.getvalue()
        assert "\x1b" not in text and "[red]x\\x1b[2J.example" in text
