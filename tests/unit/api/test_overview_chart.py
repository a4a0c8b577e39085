"""The overview chart's SVG builder (pure): bars proportional to the rates, every day
present, text escaped, and nothing the page's CSP would refuse (no style attribute,
no <style>, no script)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise

import pytest

from worker.api.overview_chart import BOTTOM_PANEL, TOP_PANEL, failure_scale, rate_chart_svg
from worker.queries.rate_series import DayRates
from worker.queries.support_views import StatusCounts

SVG = "{http://www.w3.org/2000/svg}"
FIRST = date(2025, 3, 1)


def week(*counts: StatusCounts) -> list[DayRates]:
    return [DayRates(FIRST + timedelta(days=i), c) for i, c in enumerate(counts)]


def bars(svg: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(svg)
    return {
        (rect.get("data-day", ""), rect.get("data-series", "")): rect
        for rect in root.iter(f"{SVG}rect")
        if rect.get("class") == "bar"
    }


def height(rect: ET.Element) -> float:
    return float(rect.get("height", "nan"))


EMPTY = StatusCounts()
DAYS = week(
    StatusCounts(200, 180, 4, 10, 6, 0),  # 90 % delivered; 2 %, 5 %, 3 %
    EMPTY,
    StatusCounts(100, 50, 1, 0, 0, 49),  # 50 % delivered, 1 % bounced
    EMPTY,
)


def test_every_day_has_its_group_and_bars_empty_days_included() -> None:
    svg = rate_chart_svg(DAYS)
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "day"]
    assert [g.get("data-day") for g in groups] == [
        "2025-03-01",
        "2025-03-02",
        "2025-03-03",
        "2025-03-04",
    ]
    assert [g.get("data-sent") for g in groups] == ["200", "0", "100", "0"]
    found = bars(svg)
    assert len(found) == 4 * 4  # delivered, bounced, quarantined, unknown for each day
    for day in ("2025-03-02", "2025-03-04"):
        assert all(height(found[(day, s)]) == 0 for s in ("delivered", "bounced", "unknown"))
    assert "0 sent" in svg
    # Slots go left to right, one per day, evenly.
    xs = [float(found[(d.label, "delivered")].get("x", "nan")) for d in DAYS]
    steps = {round(b - a, 2) for a, b in pairwise(xs)}
    assert len(steps) == 1 and steps.pop() > 0


def test_delivered_bars_are_proportional_to_the_rate_on_a_0_to_100_scale() -> None:
    found = bars(rate_chart_svg(DAYS))
    full = TOP_PANEL[1]
    assert height(found[("2025-03-01", "delivered")]) == pytest.approx(0.9 * full, abs=0.01)
    assert height(found[("2025-03-03", "delivered")]) == pytest.approx(0.5 * full, abs=0.01)
    # Bars stand on the panel's base line.
    rect = found[("2025-03-01", "delivered")]
    base = float(rect.get("y", "nan")) + height(rect)
    assert base == pytest.approx(TOP_PANEL[0] + TOP_PANEL[1], abs=0.01)


def test_failure_bars_are_proportional_on_their_own_scale() -> None:
    assert failure_scale(DAYS) == 5.0  # the worst day quarantined 5 %
    found = bars(rate_chart_svg(DAYS))
    full = BOTTOM_PANEL[1]
    expected = {"bounced": 2.0, "quarantined": 5.0, "unknown": 3.0}
    for series, percent in expected.items():
        rect = found[("2025-03-01", series)]
        assert height(rect) == pytest.approx(full * percent / 5.0, abs=0.01), series
        assert float(rect.get("data-rate", "nan")) == pytest.approx(percent)
    assert height(found[("2025-03-03", "bounced")]) == pytest.approx(full * 1 / 5.0, abs=0.01)
    # Twice the rate, twice the height.
    assert height(found[("2025-03-01", "bounced")]) == pytest.approx(
        2 * height(found[("2025-03-03", "bounced")])
    )


@pytest.mark.parametrize(
    ("worst", "scale"),
    [(0.0, 1.0), (0.4, 1.0), (1.0, 1.0), (1.5, 2.0), (7.0, 10.0), (60.0, 100.0), (100.0, 100.0)],
)
def test_the_failure_scale_is_the_smallest_that_fits(worst: float, scale: float) -> None:
    bounced = round(worst * 10)
    days = week(StatusCounts(1000, 1000 - bounced, bounced, 0, 0, 0))
    assert failure_scale(days) == scale
    svg = rate_chart_svg(days)
    assert f"scale 0-{scale:g}%" in svg


def test_tooltips_name_the_day_the_rate_and_the_counts() -> None:
    found = bars(rate_chart_svg(DAYS))
    title = found[("2025-03-01", "bounced")].find(f"{SVG}title")
    assert title is not None and title.text == "2025-03-01 bounced 2.0 % (4 of 200)"


def test_no_markup_the_csp_refuses_and_the_title_is_escaped() -> None:
    svg = rate_chart_svg(DAYS, title='<script>alert("x")</script>')
    assert " style=" not in svg and "<style" not in svg
    assert re.search(r"<script", svg) is None
    assert re.search(r"\son[a-z]+\s*=", svg) is None
    ET.fromstring(svg)  # well-formed


def test_no_days_still_draws_the_axes() -> None:
    svg = rate_chart_svg([])
    ET.fromstring(svg)
    assert bars(svg) == {}
