"""``inboxgap report --chart``: the per-day rates and axis it prepares, and the PNG."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from worker.cli.chart import build_figure, chart_data, write_chart
from worker.queries.rate_series import daily_rates
from worker.queries.support_views import SeriesPoint, StatusCounts

pytest.importorskip("matplotlib")  # the chart extra (part of dev)

PNG = b"\x89PNG\r\n\x1a\n"
SINCE = datetime(2025, 3, 1, tzinfo=UTC)
UNTIL = datetime(2025, 3, 8, tzinfo=UTC)
SERIES = [
    SeriesPoint("2025-03-01T00:00:00.000Z", StatusCounts(200, 180, 4, 10, 6, 0)),
    SeriesPoint("2025-03-04T00:00:00.000Z", StatusCounts(100, 97, 1, 1, 1, 0)),
    SeriesPoint("2025-03-07T00:00:00.000Z", StatusCounts(50, 40, 5, 5, 0, 0)),
]


def test_one_entry_per_day_with_empty_days_as_zero_rates() -> None:
    data = chart_data(daily_rates(SERIES, since=SINCE, until=UNTIL))
    assert data.days == tuple(date(2025, 3, d) for d in range(1, 8))
    assert data.ticks == tuple(range(7))
    assert data.sent == (200, 0, 0, 100, 0, 0, 50)
    assert data.rates["delivered"] == pytest.approx((90.0, 0, 0, 97.0, 0, 0, 80.0))
    assert data.rates["bounced"] == pytest.approx((2.0, 0, 0, 1.0, 0, 0, 10.0))
    assert data.rates["quarantined"] == pytest.approx((5.0, 0, 0, 1.0, 0, 0, 10.0))
    assert data.rates["unknown"] == pytest.approx((3.0, 0, 0, 1.0, 0, 0, 0.0))


def test_tick_labels_never_repeat_and_name_the_year_where_it_changes() -> None:
    since = datetime(2024, 12, 30, 12, tzinfo=UTC)
    data = chart_data(daily_rates([], since=since, until=since + timedelta(days=3)))
    assert data.labels == ("12-30\n2024", "12-31", "01-01\n2025", "01-02")
    month = chart_data(daily_rates([], since=SINCE, until=SINCE + timedelta(days=31)))
    assert len(month.labels) == len(set(month.labels)) == 31


def test_the_figure_has_one_tick_per_day_rates_and_the_legend_outside_the_plots() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    data = chart_data(daily_rates(SERIES, since=SINCE, until=UNTIL))
    fig = build_figure(data, title="test")
    try:
        top, bottom = fig.axes
        assert list(bottom.get_xticks()) == list(range(7))
        assert [t.get_text() for t in bottom.get_xticklabels()] == list(data.labels)
        assert top.get_ylim() == (0, 100)
        # The failures get their own scale: the worst day's 10 % fills most of it.
        assert 10 <= bottom.get_ylim()[1] <= 12
        bars = [p for p in bottom.patches if isinstance(p, Rectangle)]
        assert len(bars) == len(bottom.patches)  # every patch is a bar
        heights = sorted(round(p.get_height(), 3) for p in bars)
        # Four empty days (three failure bars each) and no unknown on the 7th.
        assert heights.count(0.0) == 4 * 3 + 1
        assert 10.0 in heights
        texts = [t.get_text() for t in bottom.texts]
        assert texts.count("no sends") == 4
        (legend,) = fig.legends
        assert [t.get_text() for t in legend.get_texts()] == [
            "delivered",
            "bounced",
            "quarantined",
            "unknown",
        ]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        box = legend.get_window_extent(renderer)
        for ax in (top, bottom):
            assert not box.overlaps(ax.get_window_extent(renderer)), "legend over the bars"
    finally:
        plt.close(fig)


def test_write_chart_writes_a_png_of_every_day(tmp_path: Path) -> None:
    path = tmp_path / "gap.png"
    data = write_chart(SERIES, path, since=SINCE, until=UNTIL)
    assert path.read_bytes()[:8] == PNG
    assert len(data.days) == 7
    # Hourly buckets and a 24 h window: the two UTC days it touches.
    hourly = [
        SeriesPoint(f"2025-03-04T{h:02d}:00:00.000Z", StatusCounts(10, 8, 1, 1, 0, 0))
        for h in range(9, 20)
    ]
    start = datetime(2025, 3, 4, 9, tzinfo=UTC)
    day = write_chart(hourly, tmp_path / "day.png", since=start, until=start + timedelta(hours=24))
    assert day.sent == (110, 0)
    assert day.rates["delivered"] == pytest.approx((80.0, 0.0))
    empty = tmp_path / "empty.png"
    nothing = write_chart([], empty, since=SINCE, until=UNTIL)
    assert empty.read_bytes()[:8] == PNG and nothing.sent == (0,) * 7
