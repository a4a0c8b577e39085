"""Outcome rates per UTC day of sending: the one series both charts draw.

``inboxgap report --chart`` (matplotlib) and the support page's overview chart (inline
SVG) plot the same thing: for every UTC day the window touches, the delivered, bounced,
quarantined and unknown notifications as a percentage of those sent that day. Pure: it
takes the :class:`~worker.queries.support_views.SeriesPoint` buckets that
``SupportQueries.outcome_series`` read (by day or by hour) and fills the days that had no
sends with zeros, so a quiet day is drawn as a quiet day instead of vanishing from the
axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from worker.domain.timestamps import parse_timestamp
from worker.queries.support_views import SeriesPoint, StatusCounts

#: The rates drawn, in drawing order (``pending`` is left out: it is not an outcome yet).
RATE_SERIES = ("delivered", "bounced", "quarantined", "unknown")
#: The failures, drawn on their own scale so a 2 % bounce rate is not a sliver under 95 %.
FAILURE_SERIES = ("bounced", "quarantined", "unknown")
#: The web page's badge colours, shared by both charts.
SERIES_COLOURS = {
    "delivered": "#1e7b34",
    "bounced": "#b42318",
    "quarantined": "#b54708",
    "unknown": "#6941c6",
}
#: Longest series a chart draws (one tick per day: past this the labels are unreadable).
MAX_CHART_DAYS = 400

_FIELDS = ("delivered", "bounced", "quarantined", "unknown", "pending")


@dataclass(frozen=True, slots=True)
class DayRates:
    """One UTC day of sending: its counts, and each outcome as a percentage of sent."""

    day: date
    counts: StatusCounts

    def percent(self, name: str) -> float:
        """``name``'s share of the day's sends in percent; 0 on a day with no sends."""
        sent = self.counts.sent
        return 100.0 * getattr(self.counts, name) / sent if sent else 0.0

    @property
    def label(self) -> str:
        return self.day.isoformat()


def chart_days(since: datetime, until: datetime) -> list[date]:
    """Every UTC day that ``[since, until)`` touches, oldest first (at least one)."""
    first = _utc(since).date()
    # ``until`` is exclusive: a window ending exactly at midnight does not touch that day.
    last = (_utc(until) - timedelta(microseconds=1)).date()
    last = max(last, first)
    count = min((last - first).days + 1, MAX_CHART_DAYS)
    start = last - timedelta(days=count - 1)
    return [start + timedelta(days=i) for i in range(count)]


def daily_rates(
    series: Sequence[SeriesPoint], *, since: datetime, until: datetime
) -> list[DayRates]:
    """One :class:`DayRates` per day of the window, empty days included (all zeros).

    Hourly points are added up into their day; points outside the window's days are
    ignored.
    """
    days = chart_days(since, until)
    totals: dict[date, dict[str, int]] = {day: dict.fromkeys(_FIELDS, 0) for day in days}
    sent: dict[date, int] = dict.fromkeys(days, 0)
    for point in series:
        moment = parse_timestamp(point.start)
        if moment is None:
            continue
        day = moment.astimezone(UTC).date()
        if day not in totals:
            continue
        sent[day] += point.counts.sent
        for name in _FIELDS:
            totals[day][name] += getattr(point.counts, name)
    return [DayRates(day, StatusCounts(sent=sent[day], **totals[day])) for day in days]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
