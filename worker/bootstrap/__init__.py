"""The one composition root: the only code that reads settings and builds adapters.

One function per entry point; CLI commands, the support API and the Celery tasks ask
these for what they need, and tests pass fakes in their place:

- :func:`build_app` (:mod:`.app`): the notification log, the SNS verifier, the clock and
  the handlers bound to them (``inboxgap`` log commands, ``record_sent``, ``sweep``);
- :func:`build_drainer` (:mod:`.drain`): the app plus the SQS queue, metrics and the
  crash drill's fault hook (``inboxgap drain``, ``inboxgap.drain``);
- :func:`build_alerting` (:mod:`.alerts`): counts, store, sinks, queue-age probe and
  the thresholds (``inboxgap alerts``, ``inboxgap.check_alerts``);
- :func:`build_support_services` (:mod:`.support`): the support API and commands;
- :func:`build_demo` (:mod:`.demo`): ``inboxgap demo``;
- :mod:`.process`: the per-process app and drainer the Celery tasks share;
- :mod:`.engines`: one engine per database URL, schema checks;
- :mod:`.faults`: the crash drill's hook from ``INBOXGAP_FAULT_INJECT``.

Names are loaded on first use (``from worker.bootstrap import build_drainer`` does not
import boto3 for a command that never drains).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from worker.bootstrap.alerts import (
        Alerting,
        alerting_from_environment,
        build_alerting,
        thresholds_from_settings,
    )
    from worker.bootstrap.app import App, app_from_environment, build_app, build_verifier
    from worker.bootstrap.demo import DemoWiring, build_demo
    from worker.bootstrap.drain import (
        Drainer,
        build_drainer,
        drainer_from_environment,
        limits_from_settings,
    )
    from worker.bootstrap.engines import (
        DEFAULT_DATABASE_URL,
        auto_upgrades,
        dispose_engines,
        engine_for,
        ensure_schema,
    )
    from worker.bootstrap.support import (
        SupportServices,
        build_support_services,
        support_services_from_environment,
    )

_WHERE = {
    "Alerting": "alerts",
    "build_alerting": "alerts",
    "alerting_from_environment": "alerts",
    "thresholds_from_settings": "alerts",
    "App": "app",
    "build_app": "app",
    "app_from_environment": "app",
    "build_verifier": "app",
    "DemoWiring": "demo",
    "build_demo": "demo",
    "Drainer": "drain",
    "build_drainer": "drain",
    "drainer_from_environment": "drain",
    "limits_from_settings": "drain",
    "DEFAULT_DATABASE_URL": "engines",
    "auto_upgrades": "engines",
    "dispose_engines": "engines",
    "engine_for": "engines",
    "ensure_schema": "engines",
    "SupportServices": "support",
    "build_support_services": "support",
    "support_services_from_environment": "support",
}

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Alerting",
    "App",
    "DemoWiring",
    "Drainer",
    "SupportServices",
    "alerting_from_environment",
    "app_from_environment",
    "auto_upgrades",
    "build_alerting",
    "build_app",
    "build_demo",
    "build_drainer",
    "build_support_services",
    "build_verifier",
    "dispose_engines",
    "drainer_from_environment",
    "engine_for",
    "ensure_schema",
    "limits_from_settings",
    "support_services_from_environment",
    "thresholds_from_settings",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
