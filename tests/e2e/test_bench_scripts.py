"""The benchmarks as their docstrings and ``make bench`` run them: ``python bench/X.py``,
from any directory, with nothing on ``PYTHONPATH``. Each must at least import and answer
``--help`` (a benchmark is run rarely, so an import that only works from one directory
would otherwise go unnoticed until someone needs its figures)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.support.processes import run_text

pytestmark = [pytest.mark.e2e]

BENCH = Path(__file__).resolve().parents[2] / "bench"
#: What ``make bench`` runs: every script but the ``_`` helpers.
SCRIPTS = sorted(path for path in BENCH.glob("*.py") if not path.name.startswith("_"))


def test_the_benchmarks_are_found() -> None:
    names = {path.name for path in SCRIPTS}
    assert {"classify.py", "classify_accuracy.py", "ingest.py", "sweep.py", "sends.py"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_benchmark_answers_help_from_another_directory(script: Path, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = run_text([sys.executable, str(script), "--help"], env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage:"), done.stdout[:500]
    assert script.name in done.stdout.splitlines()[0]
