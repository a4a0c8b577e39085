"""Start and stop real ``celery worker`` / ``celery beat`` processes for end-to-end tests."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from worker.demo import die_with_parent, stop_worker


def worker_env(**settings: str) -> dict[str, str]:
    """The test process's environment without any INBOXGAP_* setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(settings)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def start(
    args: list[str], env: Mapping[str, str], log_path: Path, *, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """``python -m celery -A config.celery_app <args>`` in its own process group."""
    command = [sys.executable, "-m", "celery", "-A", "config.celery_app", *args]
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )


def start_worker(
    env: Mapping[str, str], log_path: Path, *, pool: str = "prefork", concurrency: int = 2
) -> subprocess.Popen[bytes]:
    return start(
        [
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        log_path,
    )


def start_beat(env: Mapping[str, str], log_path: Path, schedule: Path) -> subprocess.Popen[bytes]:
    return start(["beat", "--loglevel", "INFO", "--schedule", str(schedule)], env, log_path)


def stop(process: subprocess.Popen[bytes], *, timeout: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL if it does not exit (as the demo stops its
    worker), and reap it."""
    stop_worker(process, timeout)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process (not its group) if it still runs; SIGKILL after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def kill(process: subprocess.Popen[bytes]) -> None:
    """``kill -9`` the whole process group (the worker and its pool children)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def run_text(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` to the end and capture its output as text; a failure is the caller's to
    assert (no ``check``)."""
    return subprocess.run(
        list(args),
        env=None if env is None else dict(env),
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
