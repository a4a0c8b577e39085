"""The support page's overview chart: outcome rates per day as inline SVG, built here.

Pure Python (no matplotlib, no script): the page draws it with no request of its own and
nothing to run in the browser. It lives under the page's Content-Security-Policy
(``style-src 'self'``, no inline style): colours and sizes are SVG *presentation
attributes* (``fill=``, ``font-size=``), never ``style=`` attributes or a ``<style>``
element, which the policy would refuse.

Two panels over the same days, because a 2 % bounce rate drawn on the 0-100 % scale of
the delivered rate is a sliver nobody sees:

* top: the delivered rate, 0-100 %;
* bottom: bounced, quarantined and unknown side by side, on a scale that fits the worst
  day (1, 2, 5, 10, 20, 50 or 100 %), written on the panel.

Every day of the window has its slot, a day without sends included (its bars have no
height and its label says "0 sent"). Each bar carries ``data-series``, ``data-day`` and
``data-rate`` and a ``<title>`` (the browser's tooltip: "2025-03-04 bounced 2.0 % (3 of
150)").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from worker.queries.rate_series import FAILURE_SERIES, SERIES_COLOURS, DayRates

WIDTH = 720
LEFT, RIGHT = 52, 12
PLOT_WIDTH = WIDTH - LEFT - RIGHT
#: Top panel (delivered) and bottom panel (failures): top edge and height of each.
TOP_PANEL = (48, 84)
BOTTOM_PANEL = (164, 96)
HEIGHT = 304
#: Scales the failure panel may take, in percent: the smallest that fits the worst day.
FAILURE_SCALES = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
_MUTED = "#5b6475"
_GRID = "#dde2ea"


@dataclass(frozen=True, slots=True)
class _Panel:
    top: float
    height: float
    scale: float  # percent at the panel's top edge

    def bar(self, percent: float) -> tuple[float, float]:
        """``(y, height)`` of a bar for ``percent``: the height is proportional to it."""
        height = self.height * min(max(percent, 0.0), self.scale) / self.scale
        return self.top + self.height - height, height


def failure_scale(days: Sequence[DayRates]) -> float:
    """The smallest of :data:`FAILURE_SCALES` that holds every day's worst failure rate."""
    worst = max((day.percent(name) for day in days for name in FAILURE_SERIES), default=0.0)
    return next((scale for scale in FAILURE_SCALES if worst <= scale), FAILURE_SCALES[-1])


def rate_chart_svg(days: Sequence[DayRates], *, title: str = "Outcome rates per day") -> str:
    """The chart as one ``<svg>`` element (text escaped; safe to put in the page as is)."""
    top = _Panel(TOP_PANEL[0], TOP_PANEL[1], 100.0)
    bottom = _Panel(BOTTOM_PANEL[0], BOTTOM_PANEL[1], failure_scale(days))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rate-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="system-ui, sans-serif" aria-labelledby="rate-chart-title">',
        f'<title id="rate-chart-title">{escape(title)}: delivered, bounced, quarantined and '
        f"unknown as a percentage of the notifications sent each UTC day</title>",
        *_legend(),
        *_axis(top, "Delivered, % of sent"),
        *_axis(bottom, f"Not delivered, % of sent (scale 0-{_percent_text(bottom.scale)})"),
    ]
    slot = PLOT_WIDTH / max(len(days), 1)
    for index, day in enumerate(days):
        parts.extend(_day(day, LEFT + index * slot, slot, top, bottom))
    parts.append("</svg>")
    return "\n".join(parts)


def _legend() -> list[str]:
    """A row above both panels: outside the plot area, never over a bar."""
    out = ['<g class="legend">']
    x = LEFT
    for name in ("delivered", *FAILURE_SERIES):
        out.append(
            f'<rect x="{x}" y="8" width="12" height="12" fill="{SERIES_COLOURS[name]}"/>'
            f'<text x="{x + 17}" y="18" font-size="12" fill="#1d2330">{name}</text>'
        )
        x += 32 + 7 * len(name)
    out.append("</g>")
    return out


def _axis(panel: _Panel, label: str) -> list[str]:
    base = panel.top + panel.height
    right = LEFT + PLOT_WIDTH
    return [
        f'<text x="{LEFT}" y="{panel.top - 8:.1f}" font-size="12" fill="{_MUTED}">'
        f"{escape(label)}</text>",
        f'<line x1="{LEFT}" y1="{panel.top}" x2="{right}" y2="{panel.top}" stroke="{_GRID}"/>',
        f'<line x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}" stroke="{_MUTED}"/>',
        f'<text x="{LEFT - 6}" y="{panel.top + 4}" font-size="11" fill="{_MUTED}" '
        f'text-anchor="end">{_percent_text(panel.scale)}</text>',
        f'<text x="{LEFT - 6}" y="{base + 4}" font-size="11" fill="{_MUTED}" '
        f'text-anchor="end">0%</text>',
    ]


def _day(day: DayRates, x: float, slot: float, top: _Panel, bottom: _Panel) -> list[str]:
    centre = x + slot / 2
    sent = day.counts.sent
    out = [f'<g class="day" data-day="{day.label}" data-sent="{sent}">']
    out.append(_bar(day, "delivered", centre - slot * 0.2, slot * 0.4, top))
    width = slot * 0.22
    start = centre - width * len(FAILURE_SERIES) / 2
    for i, name in enumerate(FAILURE_SERIES):
        out.append(_bar(day, name, start + i * width, width, bottom))
    label_y = BOTTOM_PANEL[0] + BOTTOM_PANEL[1] + 16
    out.append(
        f'<text x="{centre:.1f}" y="{label_y}" font-size="11" fill="#1d2330" '
        f'text-anchor="middle">{day.day:%m-%d}</text>'
        f'<text x="{centre:.1f}" y="{label_y + 14}" font-size="10" fill="{_MUTED}" '
        f'text-anchor="middle">{sent} sent</text>'
    )
    out.append("</g>")
    return out


def _bar(day: DayRates, name: str, x: float, width: float, panel: _Panel) -> str:
    percent = day.percent(name)
    y, height = panel.bar(percent)
    count = getattr(day.counts, name)
    tip = f"{day.label} {name} {percent:.1f} % ({count} of {day.counts.sent})"
    return (
        f'<rect class="bar" data-series="{name}" data-day="{day.label}" '
        f'data-rate="{percent:.4f}" x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" '
        f'height="{height:.2f}" fill="{SERIES_COLOURS[name]}"><title>{escape(tip)}</title></rect>'
    )


def _percent_text(value: float) -> str:
    return f"{value:g}%"
