"""The lean install as a new user gets it: the runtime carries no demo or chart tooling,
and a command that needs a missing extra names the pip command and exits 2.

Two ways of "missing": a subprocess of this interpreter whose imports of ``moto`` /
``matplotlib`` are refused (a ``sitecustomize`` on ``PYTHONPATH`` installing a meta-path
finder), and - the slow one - the real wheel installed without extras into a clean venv
(no system site-packages; pip resolves the runtime dependencies from the index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import run_text

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]

#: Refuses the modules named in INBOXGAP_TEST_BLOCK_MODULES (and their submodules), as if
#: they were not installed.
BLOCKER = """
import os
import sys


class _NotInstalled:
    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled(set(os.environ["INBOXGAP_TEST_BLOCK_MODULES"].split(","))))
"""

CLI = "import sys; from worker.cli import main; sys.exit(main(prog_name='inboxgap'))"


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without InboxGap/AWS settings (HOME: no AWS profile)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INBOXGAP_", "AWS_"))}
    env.update({"HOME": str(tmp_path), "COLUMNS": "120"})
    return env


def _without(modules: str, tmp_path: Path) -> dict[str, str]:
    """An environment whose Python cannot import ``modules`` (comma-separated)."""
    site = tmp_path / "blocker"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = _clean_env(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    env["INBOXGAP_TEST_BLOCK_MODULES"] = modules
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_text(args, env=env, cwd=cwd)


def test_the_blocker_really_hides_the_module(tmp_path: Path) -> None:
    # Guards the two tests below: without it they could pass with moto importable.
    env = _without("moto", tmp_path)
    done = _run([sys.executable, "-c", "import moto.server"], env, tmp_path)
    assert done.returncode == 1
    assert "No module named 'moto" in done.stderr
    assert _run([sys.executable, "-c", "import json"], env, tmp_path).returncode == 0


def test_demo_without_moto_exits_2_with_the_pip_hint(tmp_path: Path) -> None:
    env = _without("moto", tmp_path)
    workdir = tmp_path / "demo"
    done = _run(
        [sys.executable, "-c", CLI, "demo", "--events", "5", "--workdir", str(workdir)],
        env,
        tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pip install 'inboxgap[demo]'" in done.stderr
    assert "Traceback" not in done.stderr
    # Refused before any work: no demo folder, no database.
    assert not workdir.exists()
    assert not list(tmp_path.glob("*.db"))


def test_report_chart_without_matplotlib_exits_2_with_the_pip_hint(tmp_path: Path) -> None:
    env = _without("matplotlib", tmp_path)
    env["INBOXGAP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'log.db'}"
    upgraded = _run([sys.executable, "-c", CLI, "db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    chart = tmp_path / "gap.png"
    done = _run(
        [sys.executable, "-c", CLI, "report", "--since", "7d", "--chart", str(chart)],
        env,
        tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pip install 'inboxgap[chart]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not chart.exists()
    # Without --chart the same report works: only the chart needs the extra.
    plain = _run([sys.executable, "-c", CLI, "report", "--since", "7d"], env, tmp_path)
    assert plain.returncode == 0, plain.stdout + plain.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_wheel_without_extras_installs_no_demo_or_chart_tooling(tmp_path: Path) -> None:
    """``pip install inboxgap`` in a clean venv: the CLI works, moto and matplotlib are
    absent, and the demo says which extra to install."""
    # Build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("worker", "tasks", "config"):
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    env = _clean_env(tmp_path)
    env.pop("PYTHONPATH", None)  # the venv must see only what was installed into it
    # pip keeps the user's HOME (its wheel cache); the installed CLI runs with an empty one.
    pip_env = {**env, "HOME": os.environ.get("HOME", str(tmp_path))}
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."],
        pip_env,
        source,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("inboxgap-*.whl")

    venv = tmp_path / "venv"
    # No pip inside the venv (ensurepip alone takes seconds): this interpreter's pip
    # installs into it with --python; --no-compile skips byte-compiling 190 MB.
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    bin_dir = venv / "bin"
    # A clean venv: this interpreter's site-packages (moto, matplotlib, pytest) are invisible.
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    bare = _run([str(bin_dir / "python"), "-c", "import pytest"], env, tmp_path)
    assert bare.returncode == 1 and "No module named 'pytest'" in bare.stderr
    into_venv = [sys.executable, "-m", "pip", "--python", str(bin_dir / "python")]
    installed = run_text(
        [*into_venv, "install", "-q", "--no-compile", str(wheel)],
        env=pip_env,
        cwd=tmp_path,
        timeout=540,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    probe = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "import importlib.util as u; "
            "print([m for m in ('moto', 'matplotlib', 'pytest', 'flask') if u.find_spec(m)]); "
            "print(bool(u.find_spec('celery')), bool(u.find_spec('worker.cli')))",
        ],
        env,
        tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split("\n")[:2] == ["[]", "True True"], probe.stdout

    inboxgap = str(bin_dir / "inboxgap")
    help_text = _run([inboxgap, "status", "--help"], env, tmp_path)
    assert help_text.returncode == 0, help_text.stdout + help_text.stderr
    assert "--email" in help_text.stdout

    # Package data: the provider-code table is a TOML file beside its module.
    table = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "from worker.domain.provider_codes import PROVIDER_CODES; print(len(PROVIDER_CODES))",
        ],
        env,
        tmp_path,
    )
    assert table.returncode == 0, table.stderr
    assert int(table.stdout) > 0, table.stdout

    demo = _run([inboxgap, "demo", "--events", "5"], env, tmp_path)
    assert demo.returncode == 2, demo.stdout + demo.stderr
    assert "pip install 'inboxgap[demo]'" in demo.stderr

    # The uvicorn log config the deploy guide names ships beside config/logging.py.
    log_config = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "import config, json, pathlib; "
            "p = pathlib.Path(config.__file__).with_name('uvicorn_logging.json'); "
            "print(json.loads(p.read_text())['formatters']['inboxgap']['()'])",
        ],
        env,
        tmp_path,
    )
    assert log_config.returncode == 0, log_config.stderr
    assert log_config.stdout.strip() == "config.logging.log_formatter"
