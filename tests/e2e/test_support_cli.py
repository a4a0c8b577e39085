"""``inboxgap status``, ``recipient`` and ``report`` as a support agent runs them: real
subprocesses on a seeded log, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.pg_schemas import drop_postgres_schema, fresh_postgres_schema_url
from tests.support.processes import run_text
from tests.support.support_seed import SEEDED, add_engagement, seed
from worker.adapters.database import create_engine_from_url

INBOXGAP = [sys.executable, "-c", "from worker.cli import main; main()"]


@pytest.fixture(params=["sqlite", "postgres"])
def seeded_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A log seeded as of the real clock (the commands use it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'log.db'}"
        schema = None
    else:
        url, schema = fresh_postgres_schema_url(request.getfixturevalue("postgres_url"))
    engine = create_engine_from_url(url)
    seed(engine, now=datetime.now(UTC))
    engine.dispose()
    try:
        yield url
    finally:
        if schema is not None:
            drop_postgres_schema(request.getfixturevalue("postgres_url"), schema)


def run(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "INBOXGAP_DATABASE_URL": url,
        "INBOXGAP_AWS_REGION": "eu-west-1",
        # Nothing listens there: suppression look-ups fail at once, as when SES is down.
        "INBOXGAP_SESV2_ENDPOINT_URL": "http://127.0.0.1:9",
        "COLUMNS": "120",
    }
    return run_text([*INBOXGAP, *args], env=env, stdin=stdin)


def test_status_json_and_human(seeded_url: str) -> None:
    result = run(seeded_url, "status", "--email", SEEDED.bounced, "--json")
    assert result.returncode == 0, result.stderr
    (notification,) = json.loads(result.stdout)
    assert (notification["status"], notification["reason"]) == ("bounced", "mailbox_not_found")
    human = run(seeded_url, "status", "--email", SEEDED.quarantined)
    assert human.returncode == 0, human.stderr
    assert "quarantined" in human.stdout.lower() and "security_gateway" in human.stdout
    nothing = run(seeded_url, "status", "--email", SEEDED.never, "--json")
    assert (nothing.returncode, json.loads(nothing.stdout)) == (0, [])


def test_status_and_report_show_engagement(seeded_url: str) -> None:
    engine = create_engine_from_url(seeded_url)
    first_open, click = add_engagement(engine, now=datetime.now(UTC))
    engine.dispose()
    result = run(seeded_url, "status", "--email", SEEDED.delivered, "--json")
    assert result.returncode == 0, result.stderr
    newest, older = json.loads(result.stdout)
    assert newest["engagement"] == {"opened_at": first_open, "clicked_at": click}
    assert older["engagement"] == {"opened_at": None, "clicked_at": None}
    assert newest["status"] == "delivered"
    human = run(seeded_url, "status", "--email", SEEDED.delivered)
    assert human.returncode == 0, human.stderr
    assert f"they opened it at {first_open[11:16]} UTC" in human.stdout
    assert human.stdout.count("they opened it") == 1
    # bob's open is shown nowhere as "opened": his email bounced.
    bob = run(seeded_url, "status", "--email", SEEDED.bounced)
    assert "they opened it" not in bob.stdout
    report = json.loads(run(seeded_url, "report", "--since", "24h", "--json").stdout)
    assert report["delivered_opened"] == 1
    text = run(seeded_url, "report", "--since", "24h").stdout
    assert "Delivered and opened" in text


def test_recipient_shows_history_and_says_when_ses_cannot_be_asked(seeded_url: str) -> None:
    result = run(seeded_url, "recipient", "Bob <BOB@gmail.com>")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Address: bob@gmail.com" in out
    assert "Hard bounces: 1" in out and "mailbox_not_found" in out
    assert "On the SES suppression list: unknown: cannot reach SES" in out
    as_json = json.loads(run(seeded_url, "recipient", SEEDED.complaint, "--json").stdout)
    assert len(as_json["complaints"]) == 1 and as_json["suppression"]["listed"] is None
    # The list cannot be asked: the answer comes from the log alone.
    assert (as_json["state"], as_json["reason"], as_json["actions"]) == ("ok", "complaint", [])
    bob = json.loads(run(seeded_url, "recipient", SEEDED.bounced, "--json").stdout)
    assert (bob["state"], bob["reason"], bob["actions"]) == (
        "suspended",
        "mailbox_not_found",
        ["verify_address"],
    )
    assert bob["since"] == bob["recent"][0]["status_at"]
    assert "spelled right" in bob["user_message"]


def test_unsuppress_needs_a_reason_and_reports_failure(seeded_url: str) -> None:
    no_reason = run(seeded_url, "recipient", SEEDED.bounced, "--unsuppress", "--yes")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    unreachable = run(
        seeded_url, "recipient", SEEDED.complaint, "--unsuppress", "--reason", "typo", "--yes"
    )
    assert unreachable.returncode == 1
    assert "nothing changed: cannot reach SES" in unreachable.stderr
    # bob's last email bounced with mailbox_not_found: refused before SES is asked.
    refused = run(
        seeded_url, "recipient", SEEDED.bounced, "--unsuppress", "--reason", "typo", "--yes"
    )
    assert refused.returncode == 1
    assert "refused" in refused.stderr and "mailbox_not_found" in refused.stderr
    assert "cannot reach SES" not in refused.stderr
    bad = run(seeded_url, "recipient", "not-an-address")
    assert bad.returncode == 2 and "not an email address" in bad.stderr


def test_report_text_json_and_chart(seeded_url: str, tmp_path: Path) -> None:
    chart = tmp_path / "outcomes.png"
    result = run(seeded_url, "report", "--since", "24h", "--by", "domain", "--chart", str(chart))
    assert result.returncode == 0, result.stderr
    assert "Outcomes of notifications sent" in result.stdout
    assert "mailbox_not_found" in result.stdout and "By domain:" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(run(seeded_url, "report", "--since", "7d", "--json").stdout)
    assert data["totals"]["sent"] == 7
    assert data["totals"]["quarantined"] == 2 and data["totals"]["unknown"] == 1
    bad = run(seeded_url, "report", "--since", "soon")
    assert bad.returncode == 2 and "neither a duration" in bad.stderr


def test_serve_logs_json_with_a_masked_access_log(tmp_path: Path) -> None:
    """``inboxgap serve`` as shipped: uvicorn's own lines and its access log are JSON on
    stderr through the same set-up, and an address in a query or path is masked."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    engine = create_engine_from_url(url)
    seed(engine, now=datetime.now(UTC))
    engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {
        **os.environ,
        "INBOXGAP_DATABASE_URL": url,
        "INBOXGAP_API_TOKENS": "serve-token",
        "INBOXGAP_SESV2_ENDPOINT_URL": "http://127.0.0.1:9",
        "INBOXGAP_LOG_LEVEL": "INFO",
    }
    stderr_path = tmp_path / "serve.err"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [*INBOXGAP, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": "Bearer serve-token"}
        try:
            for _ in range(300):  # until it listens (or gives up)
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None:
                        break
                    time.sleep(0.2)
            lookup = urllib.request.Request(
                f"{base}/api/v1/notifications?email={SEEDED.bounced.replace('@', '%40')}",
                headers=auth,
            )
            with urllib.request.urlopen(lookup, timeout=10) as response:
                assert response.status == 200
                assert response.headers["cache-control"] == "no-store"
            recipient = urllib.request.Request(
                f"{base}/api/v1/recipients/{SEEDED.bounced}", headers=auth
            )
            with urllib.request.urlopen(recipient, timeout=10) as response:
                assert response.status == 200
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    lines = [json.loads(line) for line in stderr_path.read_text().splitlines() if line]
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers, loggers
    access = [line["event"] for line in lines if line["logger"] == "uvicorn.access"]
    local, _, domain = SEEDED.bounced.partition("@")
    assert any(f"email={local[0]}***%40{domain}" in line for line in access), access
    assert any(f"/api/v1/recipients/{local[0]}***@{domain}" in line for line in access), access
    assert local not in stderr_path.read_text()
