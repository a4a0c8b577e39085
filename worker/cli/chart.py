"""``inboxgap report --chart FILE.png``: outcome rates per day, drawn with matplotlib.

Needs the ``chart`` extra (the command checks for it before any work). What is drawn is
prepared first, without matplotlib (:func:`chart_data`), so the axis can be tested as
data:

* one slot and one tick per UTC day of the window, a day without sends included (its
  bars are zero and it is labelled "no sends");
* rates, not counts: delivered, bounced, quarantined and unknown as a percentage of the
  day's sends (:mod:`worker.queries.rate_series`, the series the support page draws);
* two panels sharing the days: the delivered rate on 0-100 %, the failures side by side
  on their own scale, so a 2 % bounce rate is a bar rather than a sliver on top of 95 %;
* the legend outside the plot area (to the right), never over a bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worker.queries.rate_series import FAILURE_SERIES, SERIES_COLOURS, DayRates, daily_rates
from worker.queries.support_views import SeriesPoint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ChartData", "build_figure", "chart_data", "write_chart"]

#: Inches per day, and the figure's narrowest and widest (one tick per day stays legible).
_INCHES_PER_DAY = 0.32
_MIN_WIDTH, _MAX_WIDTH = 9.0, 40.0


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chart draws: one entry per day in every list, oldest day first."""

    days: tuple[date, ...]
    labels: tuple[str, ...]
    sent: tuple[int, ...]
    #: Percent of sent, per series name (``delivered`` and each of FAILURE_SERIES).
    rates: dict[str, tuple[float, ...]]

    @property
    def ticks(self) -> tuple[int, ...]:
        """The x position of each day's tick (its slot's centre)."""
        return tuple(range(len(self.days)))


def chart_data(days: Sequence[DayRates]) -> ChartData:
    """The per-day rates and tick labels (``03-04``; the year under it on the first day
    and where the year changes, so a label never repeats and stays one day wide)."""
    labels: list[str] = []
    for index, day in enumerate(days):
        first = index == 0 or days[index - 1].day.year != day.day.year
        labels.append(f"{day.day:%m-%d}\n{day.day:%Y}" if first else f"{day.day:%m-%d}")
    return ChartData(
        days=tuple(d.day for d in days),
        labels=tuple(labels),
        sent=tuple(d.counts.sent for d in days),
        rates={
            name: tuple(d.percent(name) for d in days) for name in ("delivered", *FAILURE_SERIES)
        },
    )


def build_figure(data: ChartData, *, title: str) -> Figure:
    """The two-panel figure (Agg backend; the caller closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = max(len(data.days), 1)
    width = min(max(_MIN_WIDTH, 3 + _INCHES_PER_DAY * count), _MAX_WIDTH)
    fig, (top, bottom) = plt.subplots(
        2, 1, sharex=True, figsize=(width, 6), dpi=100, height_ratios=(1, 1.3)
    )
    x = list(data.ticks)
    top.bar(x, data.rates["delivered"], width=0.6, color=SERIES_COLOURS["delivered"])
    top.set_ylim(0, 100)
    top.set_ylabel("delivered, % of sent")
    bar_width = 0.8 / len(FAILURE_SERIES)
    for i, name in enumerate(FAILURE_SERIES):
        offset = (i - (len(FAILURE_SERIES) - 1) / 2) * bar_width
        bottom.bar(
            [p + offset for p in x],
            data.rates[name],
            width=bar_width,
            color=SERIES_COLOURS[name],
        )
    worst = max((v for name in FAILURE_SERIES for v in data.rates[name]), default=0.0)
    bottom.set_ylim(0, max(worst * 1.15, 1.0))
    bottom.set_ylabel("not delivered, % of sent")
    _label_empty_days(bottom, data)
    for ax in (top, bottom):
        ax.grid(axis="y", alpha=0.3)
        ax.set_xlim(-0.6, count - 0.4)
    bottom.set_xticks(x, data.labels, rotation=90 if count > 14 else 0, fontsize="small")
    bottom.set_xlabel("day sent (UTC); one tick per day")
    top.set_title(title)
    _legend_outside(fig, top)
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    return fig


def _label_empty_days(ax: Any, data: ChartData) -> None:
    for position, sent in zip(data.ticks, data.sent, strict=True):
        if sent == 0:
            ax.text(
                position,
                0.02,
                "no sends",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize="x-small",
                color="#5b6475",
                transform=ax.get_xaxis_transform(),
            )


def _legend_outside(fig: Any, top: Any) -> None:
    """One legend for both panels, in the figure margin right of the plots."""
    from matplotlib.patches import Patch

    handles = [
        Patch(color=SERIES_COLOURS[name], label=name) for name in ("delivered", *FAILURE_SERIES)
    ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.87, 0.95),
        fontsize="small",
        frameon=False,
        title="% of sent",
    )


def write_chart(
    series: Sequence[SeriesPoint], path: Path, *, since: datetime, until: datetime
) -> ChartData:
    """One PNG of the outcome rates per day of ``[since, until)``; returns what it drew."""
    data = chart_data(daily_rates(series, since=since, until=until))
    title = (
        f"Outcome rates of notifications sent {since:%Y-%m-%d %H:%M} → {until:%Y-%m-%d %H:%M} UTC"
    )
    fig = build_figure(data, title=title)  # selects the Agg backend before pyplot is used
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return data
