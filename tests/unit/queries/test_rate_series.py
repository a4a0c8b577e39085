"""The per-day rate series both charts draw: every day of the window, empty ones as zero."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from worker.queries.rate_series import MAX_CHART_DAYS, DayRates, chart_days, daily_rates
from worker.queries.support_views import SeriesPoint, StatusCounts


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "first", "count"),
    [
        ("2025-03-01T00:00", "2025-03-08T00:00", date(2025, 3, 1), 7),  # until exclusive
        ("2025-03-01T09:30", "2025-03-08T09:30", date(2025, 3, 1), 8),  # both edges partial
        ("2025-03-04T09:00", "2025-03-05T09:00", date(2025, 3, 4), 2),  # 24 h: two days
        ("2025-03-04T09:00", "2025-03-04T10:00", date(2025, 3, 4), 1),
        ("2024-12-30T00:00", "2025-01-02T00:00", date(2024, 12, 30), 3),  # over new year
    ],
)
def test_chart_days_are_every_day_the_window_touches(
    since: str, until: str, first: date, count: int
) -> None:
    days = chart_days(at(since), at(until))
    assert days[0] == first
    assert len(days) == count
    assert days == [first + timedelta(days=i) for i in range(count)]


def test_a_very_long_window_keeps_its_latest_days() -> None:
    until = at("2025-03-08T00:00")
    days = chart_days(until - timedelta(days=3000), until)
    assert len(days) == MAX_CHART_DAYS
    assert days[-1] == date(2025, 3, 7)


def test_empty_days_are_filled_with_zeros_and_hours_add_up_into_days() -> None:
    series = [
        SeriesPoint("2025-03-02T00:00:00.000Z", StatusCounts(100, 90, 5, 3, 2, 0)),
        # Hourly points of the 4th add up into one day.
        SeriesPoint("2025-03-04T08:00:00.000Z", StatusCounts(10, 8, 1, 0, 0, 1)),
        SeriesPoint("2025-03-04T17:00:00.000Z", StatusCounts(30, 27, 0, 3, 0, 0)),
        # Outside the window's days: ignored.
        SeriesPoint("2025-02-20T00:00:00.000Z", StatusCounts(50, 50, 0, 0, 0, 0)),
    ]
    days = daily_rates(series, since=at("2025-03-01T00:00"), until=at("2025-03-06T00:00"))
    assert [d.day.day for d in days] == [1, 2, 3, 4, 5]
    empty = [d for d in days if d.day.day in (1, 3, 5)]
    assert all(d.counts == StatusCounts() for d in empty)
    assert all(d.percent(name) == 0.0 for d in empty for name in ("delivered", "bounced"))
    assert days[1].percent("delivered") == pytest.approx(90.0)
    assert days[1].percent("unknown") == pytest.approx(2.0)
    fourth = days[3]
    assert fourth.counts == StatusCounts(40, 35, 1, 3, 0, 1)
    assert fourth.percent("quarantined") == pytest.approx(7.5)
    assert fourth.percent("bounced") == pytest.approx(2.5)


def test_a_window_with_no_sends_still_has_its_days() -> None:
    days = daily_rates([], since=at("2025-03-01T12:00"), until=at("2025-03-03T12:00"))
    assert [d.label for d in days] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert {d.counts.sent for d in days} == {0}


def test_percent_is_of_the_days_sends() -> None:
    day = DayRates(date(2025, 3, 4), StatusCounts(200, 150, 20, 10, 4, 16))
    assert [day.percent(n) for n in ("delivered", "bounced", "quarantined", "unknown")] == [
        75.0,
        10.0,
        5.0,
        2.0,
    ]
