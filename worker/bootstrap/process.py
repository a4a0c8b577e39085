"""What the Celery tasks ask for: the app and the drainer, built once per process from
the environment's settings.

Built on first use in each (forked) process, never in the parent: database pools and
HTTP connections must not cross a fork. The lock keeps threads of a thread pool from
building the drainer twice. ``cache_clear()`` on either forgets it (tests).
"""

from __future__ import annotations

import threading
from functools import lru_cache

from config.settings import get_settings
from worker.bootstrap.alerts import Alerting, build_alerting
from worker.bootstrap.app import App, build_app
from worker.bootstrap.drain import Drainer, build_drainer

__all__ = ["alerting", "current_app", "drainer", "process_app", "process_drainer"]

_lock = threading.Lock()


@lru_cache(maxsize=1)
def process_app() -> App:
    """The app of this process (shares the engine cache of :func:`engine_for`)."""
    return build_app(get_settings())


@lru_cache(maxsize=1)
def process_drainer() -> Drainer:
    return build_drainer(get_settings())


def drainer() -> Drainer:
    """This process's drainer, built under a lock on first use."""
    with _lock:
        return process_drainer()


def current_app() -> App:
    """The app as configured now (cheap: the engine is cached per URL)."""
    return build_app(get_settings())


def alerting() -> Alerting:
    """Alert checking as configured now (cheap: the engine is cached per URL)."""
    return build_alerting(get_settings())
