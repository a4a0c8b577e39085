"""How the support commands show things to people: rich on a terminal, plain when piped.

No queries and no rules here: every function receives what :mod:`worker.queries.support`
computed (``describe`` gives the badge, explanation and IT-admin block) and lays it out.

* :func:`render_status` — ``inboxgap status`` (human form; ``--json`` is not drawn here).
* :func:`render_recipient` — ``inboxgap recipient``.
* :func:`render_report` — ``inboxgap report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from worker.adapters.suppression import AuditEntry, SuppressedDestination
from worker.cli.terminal_text import terminal_text
from worker.domain.engagement import opened_phrase
from worker.domain.explanations import Explanation
from worker.domain.outcomes import Status
from worker.domain.timestamps import format_timestamp
from worker.queries.support_views import (
    GapReport,
    NotificationLike,
    NotificationView,
    OutcomeKind,
    RecipientHealth,
    StatusCounts,
    describe,
    display_time,
    never_sent_view,
)

__all__ = ["render_recipient", "render_report", "render_status"]

#: Badge colours: green only for delivered; the "not arrived (yet)" cases all differ.
_STYLE = {
    OutcomeKind.NEVER_SENT: "bold white on grey30",
    OutcomeKind.AWAITING: "bold black on cyan",
    OutcomeKind.DELAYED: "bold black on yellow",
    OutcomeKind.DELIVERED: "bold white on green4",
    OutcomeKind.BOUNCED: "bold white on red3",
    OutcomeKind.QUARANTINED: "bold white on dark_orange3",
    OutcomeKind.UNKNOWN: "bold white on purple4",
}

_FAILED = (OutcomeKind.BOUNCED, OutcomeKind.QUARANTINED, OutcomeKind.UNKNOWN, OutcomeKind.DELAYED)


def _rich(console: Console) -> bool:
    return console.is_terminal


def _t(value: object, style: str = "") -> Text:
    """Remote (or any) text for Rich: controls made visible, and a :class:`Text` so that
    ``[bold red]`` in a server's reply is shown, never parsed as markup."""
    return Text(terminal_text(value), style=style)


def _plain(console: Console, lines: Sequence[str]) -> None:
    # Every plain line passes through terminal_text: lines mix our words with remote text.
    for line in lines:
        console.print(
            terminal_text(line), markup=False, highlight=False, emoji=False, soft_wrap=True
        )


# --------------------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------------------


def render_status(
    lookups: Sequence[NotificationLike],
    *,
    console: Console,
    it_admin: bool,
    now: datetime,
    region: str = "us-east-1",
    email: str | None = None,
    since: datetime | None = None,
) -> None:
    """Each notification, newest first: badge, explanation and next steps, the server's
    words for failures, the timeline, and (``it_admin``) the IT-administrator block.

    ``lookups`` are the status query's results (anything with the ``status --json``
    fields; extra event fields such as ``reporting_mta`` are used when present). When
    nothing matched, ``email`` and ``since`` say what was searched: for an address that
    is "never sent to this address in the period".
    """
    views = [describe(record, now=now, region=region) for record in lookups]
    period = f" since {since.strftime('%Y-%m-%d %H:%M UTC')}" if since is not None else ""
    if not views:
        badge, explanation = never_sent_view(email)
        if email is None:
            explanation = Explanation(
                headline="No notification has this id" + period + ".",
                next_steps=(
                    "Check the id (an SES message id looks like "
                    "0100018f...-000000; ours are set by the sending application).",
                ),
                audience=explanation.audience,
            )
        if _rich(console):
            body = Group(
                Text(f" {badge} ", style=_STYLE[OutcomeKind.NEVER_SENT]),
                _t(explanation.headline),
                _steps(explanation),
            )
            title = f"{email}{period}" if email else "lookup"
            console.print(Panel(body, title=_t(title), title_align="left", expand=True))
        else:
            _plain(console, [f"[{badge}] {(email or '') + period}".rstrip(), *_text(explanation)])
        return
    if email is not None:
        header = f"{len(views)} notification(s) to {email}{period}, newest first"
        if _rich(console):
            console.print(_t(header, "bold"))
        else:
            _plain(console, [header, ""])
    for index, view in enumerate(views):
        if _rich(console):
            console.print(_panel(view, it_admin=it_admin))
        else:
            if index:
                _plain(console, [""])
            _plain(console, _status_lines(view, it_admin=it_admin))


def _steps(explanation: Explanation) -> RenderableType:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    for step in explanation.next_steps:
        table.add_row("•", _t(step))
    return table


def _text(explanation: Explanation) -> list[str]:
    return [explanation.headline, "Next steps:", *(f"  - {s}" for s in explanation.next_steps)]


def _reply_rows(view: NotificationView) -> list[tuple[str, str]]:
    """Provider, enhanced code, the server's words and the link, for failures/delays."""
    if view.kind not in _FAILED:
        return []
    labels = ("Answered by", "Enhanced status code", "Server response", "Help link")
    keep = {
        "Answered by": "Answered by",
        "Enhanced status code": "Status code",
        "Server response": "Their server said",
        "Help link": "Help link",
    }
    return [(keep[label], value) for label, value in view.it_admin.lines if label in labels]


def _timeline_rows(view: NotificationView) -> list[tuple[str, str, str, str]]:
    record = view.record
    rows = [(display_time(record.sent_at), "Sent", "handed to Amazon SES", "")]
    for event in view.timeline:
        outcome = f"{event.status}/{event.reason}" if event.status else "-"
        detail = " ".join(part for part in (event.smtp_status or "", event.provider or "") if part)
        rows.append((display_time(event.occurred_at), event.event_type, outcome, detail))
    return rows


def _panel(view: NotificationView, *, it_admin: bool) -> Panel:
    record = view.record
    parts: list[RenderableType] = []
    head = Text()
    head.append(f" {view.badge} ", style=_STYLE[view.kind])
    head.append(terminal_text(f"  {record.status} / {record.reason}"), style="dim")
    parts += [head, _t(view.explanation.headline, "bold"), _steps(view.explanation)]
    opened = _opened_line(view)
    if opened:
        parts.append(_t(opened))
    replies = _reply_rows(view)
    if replies:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in replies:
            grid.add_row(_t(label), _t(value))
        parts += [Text(""), grid]
    timeline = Table(title=None, box=None, show_header=True, header_style="bold dim", expand=False)
    for name in ("time (UTC)", "event", "outcome", "detail"):
        timeline.add_column(name, overflow="fold")
    for row in _timeline_rows(view):
        timeline.add_row(*(_t(cell) for cell in row))
    parts += [Text(""), timeline]
    if it_admin:
        block = Table.grid(padding=(0, 2))
        block.add_column(style="bold", no_wrap=True)
        block.add_column(overflow="fold")
        for label, value in view.it_admin.lines:
            block.add_row(_t(label), _t(value))
        parts += [
            Text(""),
            Panel(block, title="for your IT administrator", title_align="left", style="dim"),
        ]
    title = (
        f"{record.notification_type} · sent {display_time(record.sent_at)} · "
        f"{record.notification_id}"
    )
    return Panel(Group(*parts), title=_t(title), title_align="left", expand=True)


def _opened_line(view: NotificationView) -> str | None:
    """ "Engagement: they opened it at 10:32 UTC" for a delivered notification with an Open
    event (an open of a failed one is not worth a line: the timeline has it)."""
    opened_at = view.engagement.opened_at
    if view.record.status != Status.DELIVERED or opened_at is None:
        return None
    return "Engagement: " + opened_phrase(opened_at, sent_at=view.record.sent_at)


def _status_lines(view: NotificationView, *, it_admin: bool) -> list[str]:
    record = view.record
    lines = [
        f"{record.notification_type}  sent {display_time(record.sent_at)}  "
        f"id {record.notification_id}",
        f"[{view.badge}] {record.status} / {record.reason}",
        *_text(view.explanation),
    ]
    opened = _opened_line(view)
    if opened:
        lines.append(opened)
    for label, value in _reply_rows(view):
        lines.append(f"{label}: {value}")
    lines.append("Timeline (UTC):")
    for when, event, outcome, detail in _timeline_rows(view):
        lines.append(f"  {when}  {event:<18} {outcome} {detail}".rstrip())
    if it_admin:
        lines.append("For your IT administrator:")
        lines += [f"  {line}" for line in view.it_admin.as_text().splitlines()]
    return lines


# --------------------------------------------------------------------------------------
# recipient
# --------------------------------------------------------------------------------------


def _recipient_summary(
    health: RecipientHealth,
    suppressed: SuppressedDestination | None,
    suppression_error: str | None,
) -> list[tuple[str, str]]:
    if suppression_error is not None:
        listed = f"unknown: {suppression_error}"
    elif suppressed is None:
        listed = "no"
    else:
        listed = (
            f"YES, reason {suppressed.reason} since {display_time(suppressed.last_update_time)}"
        )
    counts = ", ".join(f"{k} {v}" for k, v in sorted(health.status_counts.items())) or "none"
    return [
        ("Address", health.recipient),
        ("Notifications in the log", f"{health.total} ({counts})"),
        (
            "First / last sent",
            f"{display_time(health.first_sent_at) or '-'} / "
            f"{display_time(health.last_sent_at) or '-'}",
        ),
        ("Hard bounces", str(len(health.hard_bounces))),
        ("Complaints", str(len(health.complaints))),
        ("On the SES suppression list", listed),
    ]


def _audit_line(entry: AuditEntry) -> str:
    when = display_time(format_timestamp(entry.created_at))
    return f"{when}  {entry.action} by {entry.actor}: {entry.why}"


def _recipient_lines(
    summary: list[tuple[str, str]],
    views: list[NotificationView],
    failures: list[tuple[str, str, str, str]],
    audit: Sequence[AuditEntry],
) -> list[str]:
    lines = [f"{label}: {value}" for label, value in summary]
    lines.append("Recent notifications (newest first):")
    lines += [
        f"  {display_time(v.record.sent_at)}  {v.record.notification_type:<16} "
        f"[{v.badge}] {v.record.reason}"
        for v in views
    ] or ["  none"]
    lines.append("Hard-bounce and complaint history:")
    lines += [f"  {a}  {b}  {c}  {d}".rstrip() for a, b, c, d in failures] or ["  none"]
    if audit:
        lines.append("Suppression changes:")
        lines += [f"  {_audit_line(a)}" for a in audit]
    return lines


def _recipient_tables(
    views: list[NotificationView], failures: list[tuple[str, str, str, str]]
) -> tuple[Table, Table]:
    recent = Table(box=None, header_style="bold dim")
    for name in ("sent (UTC)", "type", "outcome", "reason"):
        recent.add_column(name, overflow="fold")
    for v in views:
        recent.add_row(
            _t(display_time(v.record.sent_at)),
            _t(v.record.notification_type),
            Text(f" {v.badge} ", style=_STYLE[v.kind]),
            _t(v.record.reason),
        )
    history = Table(box=None, header_style="bold dim")
    for name in ("when (UTC)", "event", "outcome", "details"):
        history.add_column(name, overflow="fold")
    for row in failures:
        history.add_row(*(_t(cell) for cell in row))
    return recent, history


def render_recipient(
    health: RecipientHealth,
    *,
    suppressed: SuppressedDestination | None,
    suppression_error: str | None,
    audit: Sequence[AuditEntry],
    console: Console,
    now: datetime,
    region: str = "us-east-1",
) -> None:
    """Recent notifications and outcomes, failure history, suppression-list state."""
    summary = _recipient_summary(health, suppressed, suppression_error)
    views = [describe(r, now=now, region=region) for r in health.recent]
    failures = [
        (
            display_time(f.occurred_at),
            f.event_type,
            f"{f.status}/{f.reason}",
            " ".join(x for x in (f.smtp_status, f.provider, f.diagnostic) if x),
        )
        for f in health.failures
    ]
    if not _rich(console):
        _plain(console, _recipient_lines(summary, views, failures, audit))
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in summary:
        style = "bold red" if label.startswith("On the SES") and suppressed else ""
        grid.add_row(label, _t(value, style))
    recent, history = _recipient_tables(views, failures)
    parts: list[RenderableType] = [grid, Text(""), Text("Recent notifications", style="bold")]
    parts.append(recent if views else Text("none", style="dim"))
    parts += [Text(""), Text("Hard-bounce and complaint history", style="bold")]
    parts.append(history if failures else Text("none", style="dim"))
    if audit:
        parts += [Text(""), Text("Suppression changes", style="bold")]
        parts += [_t(_audit_line(a)) for a in audit]
    console.print(Panel(Group(*parts), title=_t(health.recipient), title_align="left"))


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _count_cells(counts: StatusCounts) -> list[str]:
    return [
        f"{counts.sent:,}",
        *(
            f"{getattr(counts, name):,} ({_pct(counts.rate(getattr(counts, name)))})"
            for name in ("delivered", "bounced", "quarantined", "unknown", "pending")
        ),
    ]


_COUNT_HEADERS = ("sent", "delivered", "bounced", "quarantined", "unknown", "pending")


def _opened_section(report: GapReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """Delivered and opened, only when Open events exist in the window (tracking on)."""
    if report.delivered_opened is None:
        return []
    delivered = report.totals.delivered
    share = _pct(report.delivered_opened / delivered) if delivered else "-"
    return [
        (
            "Delivered and opened (Open events seen)",
            ["delivered", "opened", "share of delivered"],
            [[f"{delivered:,}", f"{report.delivered_opened:,}", share]],
        )
    ]


def render_report(report: GapReport, *, console: Console) -> None:
    """The gap report as tables (rich) or aligned text (plain)."""
    period = f"{display_time(report.since)} → {display_time(report.until)}"
    sections: list[tuple[str, list[str], list[list[str]]]] = [
        (
            "Outcomes of notifications sent " + period,
            list(_COUNT_HEADERS),
            [_count_cells(report.totals)],
        ),
        (
            "Top reasons",
            ["status", "reason", "count", "share of sent"],
            [[r.status, r.reason, f"{r.count:,}", _pct(r.rate)] for r in report.top_reasons],
        ),
        (
            f"Top domains by quarantine rate (≥ {report.min_domain_volume} sent)",
            ["domain", "sent", "quarantined", "rate"],
            [
                [d.domain, f"{d.sent:,}", f"{d.failed:,}", _pct(d.rate)]
                for d in report.top_quarantine_domains
            ],
        ),
        (
            f"Top domains by bounce rate (≥ {report.min_domain_volume} sent)",
            ["domain", "sent", "bounced", "rate"],
            [
                [d.domain, f"{d.sent:,}", f"{d.failed:,}", _pct(d.rate)]
                for d in report.top_bounce_domains
            ],
        ),
    ]
    sections[1:1] = _opened_section(report)
    if report.by is not None:
        sections.append(
            (
                f"By {report.by}",
                [report.by, *_COUNT_HEADERS],
                [[row.key, *_count_cells(row.counts)] for row in report.breakdown],
            )
        )
    for title, headers, rows in sections:
        if _rich(console):
            table = Table(title=title, title_justify="left", title_style="bold", expand=False)
            for index, header in enumerate(headers):
                justify: Any = (
                    "left"
                    if index == 0 and header in ("domain", "type", "day", "status")
                    else "right"
                )
                table.add_column(header, justify=justify, overflow="fold")
            for row in rows or [["none"] + [""] * (len(headers) - 1)]:
                table.add_row(*(_t(cell) for cell in row))
            console.print(table)
        else:
            _plain(console, [title + ":"])
            widths = [
                max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                for i, h in enumerate(headers)
            ]
            _plain(
                console,
                ["  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))],
            )
            for row in rows:
                _plain(
                    console,
                    ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))],
                )
            if not rows:
                _plain(console, ["  none"])
            _plain(console, [""])
