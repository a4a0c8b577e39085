"""ISO-8601 timestamps as SES writes them, parsed to aware UTC datetimes and formatted as
fixed-width UTC text (``2025-03-04T10:15:01.123Z``) that sorts as a plain string."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# SES samples include "2018-10-08T14:05:45 +0000" and offsets such as "-05:00".
_SPACE_OFFSET = re.compile(r"\s+([+-]\d{2}):?(\d{2})$")
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_timestamp(text: str) -> datetime | None:
    """Parse any ISO-8601 variant SES emits; None when it is not a timestamp."""
    candidate = text.strip()
    if not candidate or len(candidate) > 64:
        return None
    if _is_canonical(candidate):
        # SES's usual form: fromisoformat reads it directly (Python ≥ 3.11).
        try:
            return datetime.fromisoformat(candidate).astimezone(UTC)
        except ValueError:
            return None
    candidate = _SPACE_OFFSET.sub(r"\1:\2", candidate)
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    elif "T" in candidate and _COMPACT_OFFSET.search(candidate[10:]):
        candidate = candidate[:-5] + candidate[-5:-2] + ":" + candidate[-2:]
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def format_timestamp(moment: datetime) -> str:
    """Fixed-width UTC text with milliseconds; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    # strftime("%Y") does not zero-pad years before 1000 on every platform.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}Z"
    )


# UTC with a ``Z`` and at most microseconds: what a sending application nearly always
# writes. ASCII digits only (``\d`` would take any script's digits).
_UTC_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.([0-9]{1,6}))?Z\Z")


def canonical_timestamp(text: str) -> str | None:
    """The fixed-width UTC text of the time ``text`` holds (as :func:`parse_timestamp`
    reads it, then :func:`format_timestamp`); None when it is not a timestamp.

    A ``...Z`` time is rewritten by slicing once its fields are checked (no datetime
    arithmetic, no formatting): ``sent import`` and ``record_sent`` do this per record."""
    match = _UTC_Z.match(text)
    if match is None:
        moment = parse_timestamp(text)
        return None if moment is None else format_timestamp(moment)
    try:
        datetime.fromisoformat(text[:19])  # the field ranges: month 13, day 31 of June...
    except ValueError:
        return None
    fraction = match.group(1) or ""
    return f"{text[:19]}.{(fraction + '000')[:3]}Z"


def _is_canonical(text: str) -> bool:
    return (
        len(text) == 24
        and text[-1] == "Z"
        and text[10] == "T"
        and text[19] == "."
        and text[:4].isdigit()
    )


def canonical_text(text: str, moment: datetime) -> str:
    """``text`` when it already is the fixed-width form of ``moment``, else the formatted
    ``moment`` (saves a format on the hot path; SES nearly always writes this form)."""
    if _is_canonical(text) and text[:4] != "0000":
        return text
    return format_timestamp(moment)


def moment_of(text: str) -> datetime:
    """The aware UTC datetime of fixed-width canonical text (``2025-03-04T10:15:01.123Z``):
    how a canonical time the domain computed crosses a port. Exact (milliseconds)."""
    return datetime.fromisoformat(text)


def utc_day(moment: datetime) -> str:
    """``YYYY-MM-DD``, the UTC day of ``moment`` (the day of ``daily_status_counts``): the
    first ten characters of its fixed-width text."""
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()
