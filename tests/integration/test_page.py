"""The support page's HTML on real PostgreSQL and SQLite (FastAPI TestClient): the gap
overview on the home page, the results page's heading, links and times. The browser
test (tests/e2e/test_web_browser.py) checks the same under the CSP in chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support.support_seed import NOW, SEEDED, add_engagement, seed, support_services
from worker.api.app import create_app
from worker.queries.support import SupportQueries

TOKEN = "page-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _client(engine: Engine, now: datetime) -> TestClient:
    services = support_services(engine, TOKEN, now=now)
    return TestClient(create_app(services), base_url="https://testserver")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    seed(engine, migrate=False)
    with _client(engine, NOW) as test_client:
        yield test_client


def _cell(html: str, period: str, status: str) -> str:
    row = re.search(rf'<tr data-period="{period}">(.*?)</tr>', html, re.S)
    assert row, period
    cell = re.search(rf'<td data-status="{status}"><span class="figure">(\d+)</span>', row[1])
    assert cell, (period, status)
    return cell[1]


def test_home_page_shows_the_gap_overview_of_24_hours_and_7_days(client: TestClient) -> None:
    page = client.get("/", headers=AUTH)
    assert page.status_code == 200
    html = page.text
    assert "<h1" in html and "Gap overview" in html
    day = {"sent": "5", "delivered": "1", "bounced": "1", "quarantined": "2", "unknown": "0"}
    week = {"sent": "7", "delivered": "2", "bounced": "1", "quarantined": "2", "unknown": "1"}
    for status, count in day.items():
        assert _cell(html, "24h", status) == count, status
    for status, count in week.items():
        assert _cell(html, "7d", status) == count, status
    # The same figures as the API's report over the same periods.
    report = client.get("/api/v1/report", params={"since": "7d"}, headers=AUTH).json()
    assert str(report["totals"]["sent"]) == week["sent"]
    assert str(report["totals"]["unknown"]) == week["unknown"]


def test_home_page_chart_is_inline_svg_of_the_last_seven_days(client: TestClient) -> None:
    html = client.get("/", headers=AUTH).text
    match = re.search(r"<svg .*?</svg>", html, re.S)
    assert match, "no inline SVG"
    root = ET.fromstring(match[0])
    ns = "{http://www.w3.org/2000/svg}"
    days = [g for g in root.iter(f"{ns}g") if g.get("class") == "day"]
    expected = [(NOW.date() - timedelta(days=6 - i)).isoformat() for i in range(7)]
    assert [g.get("data-day") for g in days] == expected
    sent = {g.get("data-day"): int(g.get("data-sent", "-1")) for g in days}
    # Seeded: five sends two hours before NOW (5 March), two three days before (2 March).
    assert sent["2025-03-05"] == 5 and sent["2025-03-02"] == 2
    assert sum(sent.values()) == 7
    assert " style=" not in html and "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_a_quiet_log_shows_zeros_and_every_day(engine: Engine) -> None:
    with _client(engine, NOW) as empty:
        html = empty.get("/", headers=AUTH).text
    assert _cell(html, "24h", "sent") == "0" and _cell(html, "7d", "bounced") == "0"
    assert html.count('class="day"') == 7 and html.count("0 sent") == 7


def test_results_page_has_a_heading_links_and_machine_readable_times(
    client: TestClient,
) -> None:
    html = client.get("/", params={"q": SEEDED.bounced}, headers=AUTH).text
    assert re.search(r"<h1[^>]*>Results for .*bob@gmail\.com", html)
    links = re.findall(r"<a href=\"(https://[^\"]+)\" ([^>]*)>", html)
    assert links, "no help link"
    for url, attributes in links:
        assert url.startswith("https://support.google.com/mail/")
        assert 'rel="noopener noreferrer"' in attributes
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert times
    for machine, shown in times:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", machine)
        assert shown == machine.replace("T", " ").replace("Z", " UTC")
    assert '<script src="/static/localtime.js" defer></script>' in html
    script = client.get("/static/localtime.js")
    assert script.status_code == 200 and "time[datetime]" in script.text
    # The overview is for the home page only.
    assert 'data-period="24h"' not in html


def test_the_overview_reads_no_opens_but_the_report_still_does(engine: Engine) -> None:
    seed(engine, migrate=False)
    add_engagement(engine)
    queries = SupportQueries(engine)
    since = NOW - timedelta(days=7)
    full = queries.gap_report(since=since, until=NOW)
    lean = queries.gap_report(since=since, until=NOW, with_opens=False)
    assert full.delivered_opened == 1 and lean.delivered_opened is None
    assert lean.totals == full.totals and lean.top_reasons == full.top_reasons
