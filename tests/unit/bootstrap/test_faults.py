"""The crash drill's hook is read from the environment once, by bootstrap."""

from __future__ import annotations

import signal

import pytest

from worker.bootstrap.faults import FAULT_ENV, FaultInjector, fault_hook_from_env


def test_no_hook_without_the_variable() -> None:
    assert fault_hook_from_env({}) is None
    assert fault_hook_from_env({FAULT_ENV: ""}) is None


def test_the_spec_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    kills: list[int] = []
    monkeypatch.setattr("worker.bootstrap.faults.os.kill", lambda _pid, sig: kills.append(sig))
    monkeypatch.setattr("worker.bootstrap.faults.time.sleep", lambda _s: None)
    hook = fault_hook_from_env({FAULT_ENV: "crash_after_commit:1"})
    assert isinstance(hook, FaultInjector)
    monkeypatch.setenv(FAULT_ENV, "crash_after_commit:0")  # too late: already read
    hook("crash_before_commit")
    assert kills == []
    hook("crash_after_commit")
    assert kills == [getattr(signal, "SIGKILL", signal.SIGTERM)]


def test_a_bad_probability_never_fires(monkeypatch: pytest.MonkeyPatch) -> None:
    kills: list[int] = []
    monkeypatch.setattr("worker.bootstrap.faults.os.kill", lambda _pid, sig: kills.append(sig))
    FaultInjector("crash_after_commit:often")("crash_after_commit")
    assert kills == []
