"""The settings the environment gives this process, and logging configured from them."""

from __future__ import annotations

from config.logging import configure_logging as _configure_logging
from config.settings import Settings, get_settings

__all__ = ["configure_logging", "settings"]


def settings() -> Settings:
    """The ``INBOXGAP_*`` settings (read once per process; raises on invalid values)."""
    return get_settings()


def configure_logging(*, tolerate_invalid: bool = False) -> Settings | None:
    """JSON logs at the configured level. With ``tolerate_invalid``, invalid settings log
    at INFO and return None (the command itself reports them)."""
    try:
        current = get_settings()
    except Exception:
        if not tolerate_invalid:
            raise
        _configure_logging("INFO")
        return None
    _configure_logging(current.log_level)
    return current
