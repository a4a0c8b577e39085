"""Logging: one JSON object per line on stderr, from structlog and from the standard library.

* Context bound with :mod:`structlog.contextvars` (the Celery wiring binds ``task_id`` and
  ``task_name``; the drain binds ``batch_id``) is merged into every line, including lines
  logged through :mod:`logging` by libraries and by code that uses ``logging.getLogger``.
* At info level and above, email addresses in any string value are masked
  (``jane@acme.example`` → ``j***@acme.example``; quoted, URL-encoded, domain-literal and
  internationalised forms too, see :func:`mask_emails`; Celery node names such as
  ``celery@vm`` stay) and values under keys that hold
  raw SQS bodies are dropped; at debug level both are kept (debug is for local
  investigation).
* Every entry point uses :func:`configure_logging`: the Celery worker and beat (the
  ``setup_logging`` signal), every ``inboxgap`` command (the CLI group), and ``inboxgap
  serve``, whose uvicorn loggers propagate here; uvicorn's access-log line has its
  request target masked piece by piece (:func:`mask_url`) before it is formatted.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

__all__ = [
    "RAW_BODY_KEYS",
    "AccessLogMask",
    "configure_logging",
    "log_formatter",
    "mask_emails",
    "mask_url",
    "redact_personal_data",
]

#: Keys whose values are raw message bodies: never logged at info level and above.
RAW_BODY_KEYS = frozenset({"body", "bodies", "raw", "raw_body", "message_body"})

# An address as it appears in log text, in every form we have met: plain, quoted local
# parts (``"john smith"@acme.example``), URL-encoded (``user%40acme.example`` in an access
# log's query string), domain literals (``jane@[192.0.2.1]``) and internationalised
# addresses (RFC 6531: ``jörg@bücher.example``, ``用户@例子.广告``, punycode). The classes
# are deliberately broad: masking a little too much in a log is harmless, leaking an
# address is not. Quantifiers are bounded (RFC 5321: local part 64, domain 255) so that a
# long run of text without an address costs linear time, not quadratic. RFC 5322 allows
# ``= / ? &`` in a local part, so in a URL the mask swallows the route before an
# address: :func:`mask_url` masks a request target piece by piece instead.
_LOCAL_QUOTED = r'"(?:[^"\\\r\n]|\\.){1,64}"'
_LOCAL_ATOM = r'[^\s@"<>()\[\]\\,;:]{1,64}'
_AT = r"(?:@|%40|\uff20)"  # @, URL-encoded, fullwidth
_DOMAIN_LITERAL = r"\[[^\]\s]{1,64}\]"
_DOMAIN_NAME = r"[^\W_](?:[\w.\-\u3002\uff0e\uff61]{0,253}[^\W_])?"  # IDN dots too
_EMAIL = re.compile(
    rf"(?P<local>{_LOCAL_QUOTED}|{_LOCAL_ATOM})(?P<at>{_AT})"
    rf"(?P<domain>{_DOMAIN_LITERAL}|{_DOMAIN_NAME})",
    re.IGNORECASE,
)
_LEVELS = {"debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40, "critical": 50}


#: Local parts that name a process, not a person: Celery's node names (``celery@vm
#: ready.``) are how an operator tells workers apart.
_NOT_PEOPLE = frozenset({"celery"})


def _masked(match: re.Match[str]) -> str:
    local = match.group("local")
    if local in _NOT_PEOPLE:
        return match.group(0)
    if local.endswith("***") or local.endswith('***"'):
        # Already masked (mask_url ran first, or the text went through twice): masking
        # again would swallow the route before it, and shows nothing more.
        return match.group(0)
    if local.startswith('"'):
        return f'"{local[1:2]}***"{match.group("at")}{match.group("domain")}'
    return f"{local[:1]}***{match.group('at')}{match.group('domain')}"


def mask_emails(text: str) -> str:
    """Every address in ``text`` masked to its first character and domain:
    ``jane@acme.example`` → ``j***@acme.example``, ``"john smith"@acme.example`` →
    ``"j***"@acme.example``, ``user%40acme.example`` → ``u***%40acme.example``."""
    if "@" not in text and "%40" not in text and "\uff20" not in text:
        return text
    return _EMAIL.sub(_masked, text)


def mask_url(target: str) -> str:
    """A request target (``/path?query``) with addresses masked piece by piece: path
    segments and query values separately, so the route and parameter names stay."""
    path, question, query = target.partition("?")
    masked_path = "/".join(mask_emails(segment) for segment in path.split("/"))
    if not question:
        return masked_path
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        pairs.append(f"{mask_emails(name)}{equals}{mask_emails(value)}")
    return f"{masked_path}?{'&'.join(pairs)}"


class AccessLogMask(logging.Filter):
    """uvicorn's access log line names the full request target: mask it before it is
    formatted (the generic mask would swallow the route into the local part)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            args = list(record.args)
            if len(args) >= 3 and isinstance(args[2], str):
                args[2] = mask_url(args[2])
                record.args = tuple(args)
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is at the time of the log call, not at set-up
    (click's test runner and pytest swap it; a stale stream would be closed)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


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


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_color_message,
    ]


def log_formatter(*, json: bool = True) -> logging.Formatter:
    """The one formatter of every InboxGap log line: standard-library records (uvicorn,
    Celery, Alembic) and structlog events alike, masked, as JSON (or coloured text).

    Also what ``config/uvicorn_logging.json`` names, so ``uvicorn --workers N
    --log-config config/uvicorn_logging.json`` prints its supervisor's lines (before any
    app is imported) as the same JSON."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_personal_data,
            renderer,
        ],
    )


def configure_logging(level: str | int = "INFO", *, json: bool = True) -> None:
    """Route structlog and the standard library through one JSON renderer on stderr."""
    numeric = level if isinstance(level, int) else logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared = _shared_processors()
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
    handler = _StderrHandler()
    handler.setFormatter(log_formatter(json=json))
    handler.addFilter(AccessLogMask())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_inboxgap", False):
            root.removeHandler(existing)
    handler._inboxgap = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(numeric)
    # Chatty libraries: their debug output may contain request bodies.
    for name in (
        "botocore",
        "boto3",
        "urllib3",
        "s3transfer",
        "werkzeug",
        "alembic.runtime.plugins",
    ):
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    # Alembic announces its context on every schema check (each command, each Celery
    # child): WARNING unless the operator asked for debug.
    logging.getLogger("alembic").setLevel(
        numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    )
