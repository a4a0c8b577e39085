"""Human durations used by settings and CLI flags: ``90d``, ``24h``, ``15m``, ``30s``,
plain seconds, or ISO-8601 (``PT24H``)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIMPLE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_ISO = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def parse_duration(text: str) -> timedelta:
    """Parse a duration; raises ValueError with a readable message when it is not one."""
    simple = _SIMPLE.match(text)
    if simple:
        amount, unit = simple.groups()
        return timedelta(seconds=float(amount) * _UNITS[(unit or "s").lower()])
    iso = _ISO.match(text.strip())
    if iso and any(iso.groupdict().values()):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        return timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    raise ValueError(f"not a duration: {text!r} (use e.g. 90d, 24h, 15m, 30s or PT24H)")
