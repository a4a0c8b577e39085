"""The crash drill's fault hook, read from ``INBOXGAP_FAULT_INJECT`` once per process.

``point:probability[,point:probability]`` (e.g. ``crash_after_commit:0.3,
crash_before_commit:0.2``) kills the process with SIGKILL when the drain passes a named
point, with that probability. Unset, there is no hook (the drain's ``no_fault``).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Mapping

import structlog

from worker.handlers.drain import FaultHook

__all__ = ["FAULT_ENV", "FaultInjector", "fault_hook_from_env"]

logger = structlog.get_logger(__name__)

#: Fault-injection switch of the crash drill (``point:probability[,point:probability]``).
FAULT_ENV = "INBOXGAP_FAULT_INJECT"

_SIGKILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def _parse(spec: str) -> dict[str, float]:
    chances: dict[str, float] = {}
    for item in spec.split(","):
        name, _, probability = item.strip().partition(":")
        try:
            chance = float(probability) if probability else 1.0
        except ValueError:
            chance = 0.0
        chances.setdefault(name, chance)
    return chances


class FaultInjector:
    """A :data:`~worker.handlers.drain.FaultHook` that SIGKILLs this process at the
    configured points."""

    def __init__(self, spec: str) -> None:
        self.chances = _parse(spec)

    def __call__(self, point: str) -> None:
        chance = self.chances.get(point)
        if chance is None:
            return
        if random.random() < chance:
            logger.warning("fault injected: killing this process", point=point, pid=os.getpid())
            os.kill(os.getpid(), _SIGKILL)
            time.sleep(5)  # SIGKILL is asynchronous; never run past the fault point


def fault_hook_from_env(environ: Mapping[str, str] | None = None) -> FaultHook | None:
    """The crash drill's hook when ``INBOXGAP_FAULT_INJECT`` is set, else None."""
    spec = (os.environ if environ is None else environ).get(FAULT_ENV, "")
    return FaultInjector(spec) if spec else None
