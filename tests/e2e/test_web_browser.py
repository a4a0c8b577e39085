"""The support page in a real browser: Debian's chromium driven by Playwright against
``inboxgap serve`` on 127.0.0.1. Signs in, searches an address, reads the result and
keeps screenshots in ``artifacts/`` (desktop and a narrow phone-sized screen); then the
home page's gap overview (figures and the inline SVG chart), the links, the ``<h1>`` and
the viewer's local time next to each UTC time (and the UTC time alone without script). The
server runs with its production defaults (strict CSP, Secure session cookie): the page
must work under them with no CSP violation.

chromium missing: skipped locally, a failure in CI (``.ci/run`` installs it)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import in_ci
from tests.support.processes import terminate
from tests.support.support_seed import SEEDED, seed
from worker.adapters.database import create_engine_from_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
TOKEN = "browser-test-token"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``inboxgap serve`` on a seeded SQLite log; yields its base URL."""
    _need_chromium()
    url = f"sqlite:///{tmp_path / 'log.db'}"
    engine = create_engine_from_url(url)
    seed(engine, now=datetime.now(UTC))
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "INBOXGAP_DATABASE_URL": url,
        "INBOXGAP_API_TOKENS": TOKEN,
        "INBOXGAP_SESV2_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from worker.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "inboxgap serve did not start:\n"
                    + (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
                )
            time.sleep(0.2)
        yield base
    finally:
        terminate(proc)
        log.close()


#: Records every CSP violation the page reports (runs before the page's own scripts).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_search_an_address_and_read_the_result(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            console_errors = _watched(page)
            first = page.goto(server + "/")
            assert first is not None and first.status == 401
            headers = first.headers
            assert "default-src 'self'" in headers["content-security-policy"]
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["cache-control"] == "no-store"
            page.fill("#token", "wrong")
            page.click("button[type=submit]")
            expect(page.locator(".error")).to_contain_text("not valid")
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            expect(page.locator("form.search")).to_be_visible()
            (session,) = [c for c in page.context.cookies() if c["name"] == "inboxgap_token"]
            assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Strict"
            assert TOKEN not in session["value"]

            page.fill("#q", SEEDED.quarantined)
            page.click("form.search button[type=submit]")
            result = page.locator("section.result").first
            expect(result.locator(".badge")).to_have_text("Quarantined")
            expect(result.locator(".headline")).to_contain_text("mail security system")
            admin = result.locator("details.itadmin")
            expect(admin).to_have_attribute("open", "")
            expect(admin).to_contain_text("Message-ID header")
            expect(admin).to_contain_text("Mimecast")
            expect(result.locator(".timeline")).to_contain_text("Bounce")
            page.context.grant_permissions(["clipboard-read", "clipboard-write"])
            page.click("[data-copy]")
            expect(admin.locator(".copied")).to_have_text("Copied")  # app.js ran under CSP
            copied = page.evaluate("navigator.clipboard.readText()")
            assert "Message-ID header" in copied and "Mimecast" in copied
            page.screenshot(path=str(ARTIFACTS / "support-page.png"), full_page=True)

            page.fill("#q", SEEDED.never)
            page.click("form.search button[type=submit]")
            expect(page.locator(".badge")).to_have_text("Never sent to this address")

            phone = browser.new_page(viewport={"width": 375, "height": 800})
            # Playwright's own round trip; its stubs type a Cookie's keys as non-optional
            # and SetCookieParam's as Optional, and TypedDict keys are invariant.
            phone.context.add_cookies(page.context.cookies())  # type: ignore[arg-type]
            phone.goto(f"{server}/?q={SEEDED.delivered}")
            badges = phone.locator("section.result .badge")
            expect(badges.first).to_have_text("Delivered (accepted by their server)")
            assert badges.count() == 2
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
            phone.screenshot(path=str(ARTIFACTS / "support-page-phone.png"), full_page=True)

            assert page.evaluate("window.__cspViolations") == []
            assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
            # The policy is in force (and the watcher sees it): a third-party image and an
            # inline handler injected into the page are both refused.
            page.evaluate(
                """document.body.insertAdjacentHTML('beforeend',
                '<img src="https://cdn.example/x.png" onerror="window.__ran = 1">')"""
            )
            page.wait_for_function("window.__cspViolations.length >= 2")
            violations = " ".join(page.evaluate("window.__cspViolations"))
            assert "img-src" in violations and "script-src" in violations, violations
            assert page.evaluate("window.__ran") is None
        finally:
            browser.close()


#: A viewer's time zone with no daylight saving time, so the expected text is fixed.
VIEWER_ZONE = "Asia/Kolkata"
VIEWER_OFFSET = timedelta(hours=5, minutes=30)


def _watched(page: Any) -> list[str]:
    """Record the page's CSP violations (:data:`WATCH_CSP`); the list its console errors go to."""
    page.add_init_script(WATCH_CSP)
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    return console_errors


def _sign_in(page: Any, server: str) -> None:
    from playwright.sync_api import expect

    page.goto(server + "/")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    expect(page.locator("form.search")).to_be_visible()


def test_overview_chart_links_heading_and_local_times(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, timezone_id=VIEWER_ZONE
            )
            page = context.new_page()
            console_errors = _watched(page)
            _sign_in(page, server)

            # The home page: the gap overview, from the seeded log (sent within 24 h: alice,
            # bob, carol, dave, frank; within 7 days also erin and alice's older one).
            expect(page.locator("h1")).to_have_text("Gap overview")
            day = page.locator("tr[data-period='24h']")
            week = page.locator("tr[data-period='7d']")
            expected = {
                day: {"sent": 5, "delivered": 1, "bounced": 1, "quarantined": 2, "unknown": 0},
                week: {"sent": 7, "delivered": 2, "bounced": 1, "quarantined": 2, "unknown": 1},
            }
            for row, figures in expected.items():
                for status, count in figures.items():
                    cell = row.locator(f"td[data-status='{status}'] .figure")
                    expect(cell).to_have_text(str(count))
            expect(day.locator("td[data-status='quarantined'] .rate")).to_have_text("40.0%")

            # The chart is inline SVG, drawn under the CSP: seven days, every send counted.
            chart = page.locator("svg.rate-chart")
            expect(chart).to_be_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100
            days = chart.locator("g.day")
            expect(days).to_have_count(7)
            sent = [int(days.nth(i).get_attribute("data-sent") or -1) for i in range(7)]
            assert sum(sent) == 7, sent
            drawn = page.evaluate(
                """Array.from(document.querySelectorAll("svg.rate-chart rect.bar"))
                   .filter((r) => r.getBBox().height > 0).length"""
            )
            assert drawn >= 3, "the chart's bars have no height"
            page.screenshot(path=str(ARTIFACTS / "support-overview.png"), full_page=True)

            # A result: the heading names the search, help URLs are safe links, and the
            # times show UTC and the viewer's own time (localtime.js, under the CSP).
            page.fill("#q", SEEDED.quarantined)
            page.click("form.search button[type=submit]")
            expect(page.locator("h1")).to_contain_text(SEEDED.quarantined)
            result = page.locator("section.result").first
            link = result.locator(".steps a").first
            expect(link).to_have_attribute("href", re.compile(r"^https://community\.mimecast"))
            expect(link).to_have_attribute("rel", "noopener noreferrer")
            expect(link).to_have_attribute("target", "_blank")
            help_link = result.locator("details.itadmin dd a")
            expect(help_link).to_have_attribute("rel", "noopener noreferrer")
            stamp = result.locator(".timeline time[datetime]").first
            machine = stamp.get_attribute("datetime") or ""
            utc = datetime.fromisoformat(machine.replace("Z", "+00:00"))
            expect(stamp).to_have_text(f"{utc:%Y-%m-%d %H:%M:%S} UTC")
            local = result.locator(".timeline .local-time").first
            expect(local).to_have_attribute(
                "data-local", f"{utc + VIEWER_OFFSET:%Y-%m-%d %H:%M:%S}"
            )
            expect(local).to_contain_text("your time")
            page.screenshot(path=str(ARTIFACTS / "support-result-local-time.png"), full_page=True)

            assert page.evaluate("window.__cspViolations") == []
            assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
        finally:
            browser.close()


def test_without_script_the_utc_time_stays(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(java_script_enabled=False, timezone_id=VIEWER_ZONE)
            page = context.new_page()
            _sign_in(page, server)
            expect(page.locator("svg.rate-chart g.day")).to_have_count(7)  # no script needed
            page.goto(f"{server}/?q={SEEDED.quarantined}")
            stamp = page.locator("section.result .timeline time[datetime]").first
            expect(stamp).to_contain_text(" UTC")
            expect(page.locator(".local-time")).to_have_count(0)
        finally:
            browser.close()
