"""``inboxgap demo`` as a newcomer runs it: a subprocess, nothing but Python (SQLite, an
in-process moto, the Celery worker with a filesystem broker). The printed gap adds up."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import run_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(240)]

COLUMNS = ("sent", "delivered", "bounced", "quarantined", "unknown", "pending")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _gap(output: str) -> dict[str, int]:
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.split() == list(COLUMNS):
            values = re.findall(r"(\d[\d,]*)(?:\s+\([\d.]+%\))?", lines[index + 1])
            return dict(zip(COLUMNS, (_number(v) for v in values), strict=True))
    raise AssertionError(f"no gap table in the output:\n{output}")


def test_demo_prints_a_gap_that_adds_up(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INBOXGAP_", "AWS_"))}
    env.update({"COLUMNS": "120", "HOME": str(tmp_path)})  # no AWS profile, no settings
    # The installed console script, as the README runs it.
    script = shutil.which("inboxgap") or str(Path(sys.executable).parent / "inboxgap")
    command = [script, "demo", "--events", "150", "--seed", "7"]
    command += ["--workdir", str(tmp_path / "demo")]
    done = run_text(command, env=env, timeout=200, cwd=tmp_path)
    output = done.stdout
    assert done.returncode == 0, output + done.stderr

    gap = _gap(output)
    assert gap["sent"] == 150
    parts = gap["delivered"] + gap["bounced"] + gap["quarantined"] + gap["unknown"]
    assert parts + gap["pending"] == gap["sent"]
    assert gap["delivered"] > gap["bounced"] > 0
    assert "150/150 notifications have exactly the outcome the simulation expected" in output
    assert "Top reasons" in output and "Top domains by bounce rate" in output
    drained = re.search(r"Drained ([\d,]+) SQS bodies \((\d+) exact duplicates", output)
    assert drained and _number(drained.group(1)) > 300 and int(drained.group(2)) > 0
    assert "malformed" in output and "dead letters: " in output
    # The worker ran the real Celery drain task and verified the signed SNS envelopes.
    log = (tmp_path / "demo" / "worker.log").read_text()
    assert "inboxgap.drain" in log and "bad_signature" not in log


def test_demo_json_is_one_document_and_the_progress_goes_to_stderr(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INBOXGAP_", "AWS_"))}
    env.update({"HOME": str(tmp_path)})
    script = shutil.which("inboxgap") or str(Path(sys.executable).parent / "inboxgap")
    command = [script, "demo", "--events", "40", "--seed", "3", "--json"]
    command += ["--workdir", str(tmp_path / "demo")]
    done = run_text(command, env=env, timeout=200, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)  # one document: nothing else on stdout
    assert result["report"]["totals"]["sent"] == 40
    assert result["matched"] == result["expected"] == 40 and result["mismatches"] == []
    assert result["bodies"] > 80 and result["ledger_rows"] > 0
    assert "InboxGap demo" in done.stderr


_PARENT = """
import functools, os, subprocess, sys, time
from worker.demo import die_with_parent
guard = functools.partial(die_with_parent, os.getpid()) if sys.argv[1] == "guarded" else None
child = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(60)"],
    start_new_session=True,
    preexec_fn=guard,
)
print(child.pid, flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie (PID 1 in a container may never reap an orphan)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "zombie" not in state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize(("mode", "survives"), [("guarded", False), ("unguarded", True)])
def test_a_child_started_with_die_with_parent_ends_when_its_parent_is_killed(
    mode: str, survives: bool
) -> None:
    # The worker the demo starts sits in its own session: a SIGKILLed demo (or test run)
    # used to leave it draining; the unguarded case shows that this is what would happen.
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, mode], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert _running(child)
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _running(child) and time.monotonic() < deadline and not survives:
            time.sleep(0.05)
        if survives:
            time.sleep(0.5)
        assert _running(child) is survives
    finally:
        if _running(child):
            os.kill(child, signal.SIGKILL)
