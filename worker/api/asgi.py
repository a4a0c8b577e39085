"""The support API as a module-level ASGI app: ``worker.api.asgi:app``.

What a process manager imports by name, so several worker processes can serve the API::

    uvicorn worker.api.asgi:app --host 0.0.0.0 --port 8000 --workers 4 \
        --log-config config/uvicorn_logging.json
    gunicorn -k uvicorn_worker.UvicornWorker -w 4 -b 0.0.0.0:8000 worker.api.asgi:app

Built at import from the ``INBOXGAP_*`` settings through the composition root
(:func:`worker.bootstrap.support.support_services_for_server`): each worker process
builds its own engine and pool. An invalid setting stops the import with a line naming
the variable. The database need not be migrated to start; ``/readyz`` says 503 until it
is (``/healthz`` is liveness).

uvicorn's own loggers (server and access log) are routed through the same structlog JSON
handler as every other InboxGap log (addresses in request targets masked): their own
handlers are removed and they propagate to the root handler, as ``inboxgap serve`` does
with ``log_config=None``. The supervisor of ``--workers N`` never imports this module:
``config/uvicorn_logging.json`` gives its lines the same JSON formatter.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from worker.api.app import create_app
from worker.bootstrap.environment import ConfigurationError
from worker.bootstrap.support import support_services_for_server

__all__ = ["app", "build_asgi_app"]

#: uvicorn's loggers, configured by its command line before this module is imported.
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def _route_server_logs() -> None:
    for name in _SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        for handler in list(server_logger.handlers):
            server_logger.removeHandler(handler)
        server_logger.propagate = True


def build_asgi_app() -> FastAPI:
    """The app from the environment (what ``app`` is; tests call it again)."""
    try:
        services = support_services_for_server()
    except ConfigurationError as exc:
        # A process manager shows this line instead of a settings traceback.
        raise SystemExit(f"Error: {exc}") from None
    _route_server_logs()
    return create_app(services)


app = build_asgi_app()
