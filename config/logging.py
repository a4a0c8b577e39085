"""Logging: one JSON object per line on stderr, from structlog and from the standard library.

* Context bound with :mod:`structlog.contextvars` (the Celery wiring binds ``task_id`` and
  ``task_name``; the drain binds ``batch_id``) is merged into every line, including lines
  logged through :mod:`logging` by libraries and by code that uses ``logging.getLogger``.
* At info level and above, email addresses in any string value are masked
  (``jane@acme.example`` → ``j***@acme.example``) and values under keys that hold raw SQS
  bodies are dropped; at debug level both are kept (debug is for local investigation).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from worker.domain.addresses import mask_address

__all__ = ["RAW_BODY_KEYS", "configure_logging", "mask_emails", "redact_personal_data"]

#: Keys whose values are raw message bodies: never logged at info level and above.
RAW_BODY_KEYS = frozenset({"body", "bodies", "raw", "raw_body", "message_body"})

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_LEVELS = {"debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40, "critical": 50}


def mask_emails(text: str) -> str:
    """Every address in ``text`` masked: ``j***@acme.example``."""
    if "@" not in text:
        return text
    return _EMAIL.sub(lambda match: mask_address(match.group(0)), text)


def _mask(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return mask_emails(value)
    if depth > 4:
        return value
    if isinstance(value, Mapping):
        return {key: _mask(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(item, depth + 1) for item in value]
    if isinstance(value, BaseException):
        return mask_emails(f"{type(value).__name__}: {value}")
    return value


def redact_personal_data(
    _logger: WrappedLogger, method_name: str, event_dict: EventDict
) -> EventDict:
    """structlog processor: mask addresses and drop raw bodies at info level and above."""
    level = _LEVELS.get(str(event_dict.get("level", method_name)).lower(), 20)
    if level < logging.INFO:
        return event_dict
    for key in list(event_dict):
        if key in RAW_BODY_KEYS:
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _mask(event_dict[key])
    return event_dict


def _drop_color_message(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # uvicorn adds a duplicate ANSI-coloured copy of its message.
    event_dict.pop("color_message", None)
    return event_dict


def configure_logging(level: str | int = "INFO", *, json: bool = True) -> None:
    """Route structlog and the standard library through one JSON renderer on stderr."""
    numeric = level if isinstance(level, int) else logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_color_message,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_personal_data,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_inboxgap", False):
            root.removeHandler(existing)
    handler._inboxgap = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(numeric)
    # Chatty libraries: their debug output may contain request bodies.
    for name in ("botocore", "boto3", "urllib3", "s3transfer", "werkzeug"):
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
