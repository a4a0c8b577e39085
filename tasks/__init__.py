"""Celery tasks: thin entry points with stable names (decode arguments, call one handler).

The Celery app (:mod:`config.celery_app`) autodiscovers this package; importing it
imports every task module here, so a new ``tasks/<name>.py`` is registered without
touching the app.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
