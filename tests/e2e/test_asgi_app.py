"""``worker.api.asgi:app`` as a deployment runs it: ``uvicorn worker.api.asgi:app
--workers 2 --log-config config/uvicorn_logging.json`` in a subprocess on a free port,
against a temporary SQLite database. Ready (200) once migrated, 503 problem+json before;
errors are problem+json; every log line, the supervisor's and the worker processes', is
the JSON of every other InboxGap process, addresses masked."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import config
from tests.support.processes import run_text

INBOXGAP = [sys.executable, "-c", "from worker.cli import main; main()"]
TOKEN = "asgi-token"


#: What the Procfile and docker-compose.yml pass to uvicorn (``--log-config``).
LOG_CONFIG = Path(config.__file__).with_name("uvicorn_logging.json")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    return {
        **clean,
        "INBOXGAP_DATABASE_URL": url,
        "INBOXGAP_API_TOKENS": TOKEN,
        "INBOXGAP_SESV2_ENDPOINT_URL": "http://127.0.0.1:9",
        "INBOXGAP_LOG_LEVEL": "INFO",
    }


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["content-type"], json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], json.load(error)


@contextmanager
def _uvicorn(tmp_path: Path, url: str) -> Iterator[tuple[str, Path]]:
    """uvicorn serving the module-level app with two workers and the shipped log config,
    as the Procfile and docker-compose.yml run it; yields (base URL, stderr)."""
    port = _free_port()
    stderr_path = tmp_path / "uvicorn.err"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "worker.api.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--log-config",
                str(LOG_CONFIG),
            ],
            cwd=tmp_path,
            env=_env(url),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its worker processes go with it
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # until a worker listens (or the server gave up)
                try:
                    with urllib.request.urlopen(f"{base}/openapi.json", timeout=2):
                        pass
                except urllib.error.HTTPError:
                    break  # 401: a worker answers
                except OSError:
                    assert proc.poll() is None, stderr_path.read_text()
                    time.sleep(0.2)
            yield base, stderr_path
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def test_uvicorn_serves_the_asgi_app_and_readyz_says_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    upgrade = run_text([*INBOXGAP, "db", "upgrade"], cwd=tmp_path, env=_env(url))
    assert upgrade.returncode == 0, upgrade.stderr
    with _uvicorn(tmp_path, url) as (base, stderr_path):
        status, content_type, body = _get(f"{base}/readyz")
        assert (status, content_type) == (200, "application/json")
        assert body == {"status": "ready", "database": "reachable", "migrations": "current"}
        auth = {"Authorization": f"Bearer {TOKEN}"}
        status, content_type, body = _get(
            f"{base}/api/v1/notifications?email=jane.doe%40acme.example", auth
        )
        assert status == 200 and body["count"] == 0 and body["has_more"] is False
        status, content_type, body = _get(f"{base}/api/v1/notifications?email=not-an-email", auth)
        assert (status, content_type) == (422, "application/problem+json")
        assert body["code"] == "invalid_address"
    lines = stderr_path.read_text().splitlines()
    # Every line JSON, the supervisor's too (it logs before any app is imported).
    records = [json.loads(line) for line in lines]
    supervisor = [r["event"] for r in records if r["event"].startswith("Started parent process")]
    assert supervisor and records[0]["logger"] == "uvicorn.error", lines
    access = [r["event"] for r in records if r.get("logger") == "uvicorn.access"]
    assert any("/readyz" in line for line in access), lines
    assert any("email=j***%40acme.example" in line for line in access), access
    assert "jane.doe" not in stderr_path.read_text()


def test_readyz_is_503_until_the_database_is_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    with _uvicorn(tmp_path, url) as (base, _):
        status, content_type, body = _get(f"{base}/readyz")
        assert (status, content_type) == (503, "application/problem+json")
        assert body["code"] == "database_unavailable" and "inboxgap db upgrade" in body["detail"]
        # Liveness too says the file is missing, without creating it empty.
        status, _, body = _get(f"{base}/healthz")
        assert (status, body) == (503, {"status": "unavailable", "database": "missing"})
        # /readyz and /healthz created nothing: the operator's migration does.
        assert not (tmp_path / "log.db").exists()
        upgrade = subprocess.run(
            [*INBOXGAP, "db", "upgrade"],
            cwd=tmp_path,
            env=_env(url),
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert upgrade.returncode == 0
        # Ready without a restart.
        assert _get(f"{base}/readyz")[0] == 200


def test_an_invalid_setting_stops_the_server_with_a_line_naming_it(tmp_path: Path) -> None:
    env = {**_env(f"sqlite:///{tmp_path / 'log.db'}"), "INBOXGAP_FEEDBACK_WINDOW": "banana"}
    result = run_text(
        [sys.executable, "-m", "uvicorn", "worker.api.asgi:app", "--port", str(_free_port())],
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode != 0
    assert "INBOXGAP_FEEDBACK_WINDOW='banana' is invalid" in result.stderr
    assert "Traceback" not in result.stderr
