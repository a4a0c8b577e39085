"""Opaque page cursors of the support API's list answers.

A cursor is where the next page starts: the ``(sent_at, id)`` of the previous page's last
notification (keyset paging over the stable order ``sent_at, id`` descending, so a row
recorded meanwhile neither repeats nor hides one), bound to the search it came from by a
short digest of it. It is URL-safe base64 of a small JSON array: opaque to callers, who
pass back the ``next`` they were given; nothing secret is in it (the caller asked for
these rows).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from worker.api.deps import unprocessable
from worker.domain.timestamps import canonical_timestamp

__all__ = ["decode_cursor", "encode_cursor"]

#: Longest cursor accepted (a real one is well under 200 characters).
MAX_CURSOR_CHARS = 512


def _binding(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]


def encode_cursor(after: tuple[str, int], *, scope: str) -> str:
    """The ``next`` cursor after ``after``, for the search named by ``scope``."""
    raw = json.dumps([after[0], after[1], _binding(scope)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, scope: str) -> tuple[str, int]:
    """Where the page after ``cursor`` starts, or 422 ``invalid_cursor`` when the cursor
    was not made by :func:`encode_cursor` for this very search."""
    invalid = unprocessable(
        "cursor is not one this search returned as `next`; start again without it",
        "invalid_cursor",
    )
    if len(cursor) > MAX_CURSOR_CHARS:
        raise invalid
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        sent_at, pk, binding = json.loads(text)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    if not (isinstance(sent_at, str) and isinstance(pk, int) and binding == _binding(scope)):
        raise invalid
    if canonical_timestamp(sent_at) != sent_at:  # a send time is what the log stores
        raise invalid
    return sent_at, pk
