"""Code shape: no function over 80 lines and no module over 700 in worker/, tasks/, config/.

Long code hides two things in one place (issue 11). There are no exemptions: long data
tables go to data files beside the code (``worker/domain/provider_codes.toml``) or to
modules by theme.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("worker", "tasks", "config")
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 700

#: Migrations are frozen history (they stay as they are), so they are not walked.
SKIPPED_DIRS = ("worker/migrations/",)


def _sources() -> list[Path]:
    found: list[Path] = []
    for package in PACKAGES:
        found.extend(sorted((ROOT / package).rglob("*.py")))
    return [p for p in found if not _relative(p).startswith(SKIPPED_DIRS)]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            # From ``def`` to the last line (decorators are declarations, not body).
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                long.append(f"{_relative(path)}:{node.lineno} {node.name} ({lines} lines)")
    return long


def test_the_walk_finds_the_packages() -> None:
    names = {_relative(p) for p in _sources()}
    assert "worker/domain/outcomes.py" in names
    assert any(name.startswith("tasks/") for name in names)
    assert any(name.startswith("config/") for name in names)


@pytest.mark.parametrize("path", _sources(), ids=_relative)
def test_no_function_over_80_lines(path: Path) -> None:
    assert _long_functions(path) == []


@pytest.mark.parametrize("path", _sources(), ids=_relative)
def test_no_module_over_700_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_relative(path)} has {lines} lines"
