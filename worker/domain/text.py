"""Storable text: what every string taken from an SQS body is turned into before any other
layer sees it.

JSON can spell characters no database column can hold: a lone surrogate (``"\\ud83d"``,
legal in a JSON escape, not encodable as UTF-8) and NUL (``"\\u0000"``, refused by
PostgreSQL ``text``). One such character in any field used to fail the write of a whole
batch. The parser applies :func:`storable_text` (through :func:`storable_json`) to every
string it hands on, so storage, logs and the CLI never meet one. Everything else (other
control characters included) is kept as is: what is *shown* is filtered where it is shown,
and what is *matched* (recipient addresses) is checked by the parser.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"

#: Lone surrogates (a Python ``str`` decoded from JSON holds no valid pairs: json.loads
#: combines them into one astral character) and NUL.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: A JSON escape that may decode to NUL or a surrogate. Over-matches on purpose (a valid
#: surrogate pair, an escaped backslash followed by ``u0000``): a false alarm only costs a
#: walk over the decoded value.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def storable_text(text: str) -> str:
    """``text`` with every lone surrogate and NUL replaced by U+FFFD, everything else kept.

    The clean case (nearly every string) costs an O(1) ASCII test and a NUL scan, or one
    strict UTF-8 encode for non-ASCII text. Idempotent; the result always encodes to UTF-8.
    """
    if text.isascii():
        # ASCII holds no surrogate; NUL is the only unstorable ASCII character.
        return text.replace("\x00", REPLACEMENT) if "\x00" in text else text
    if "\x00" not in text:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            pass
        else:
            return text
    return _UNSTORABLE.sub(REPLACEMENT, text)


def is_storable(text: str) -> bool:
    """True when :func:`storable_text` would return ``text`` unchanged."""
    return _UNSTORABLE.search(text) is None


def json_may_hold_unstorable(text: str, *, encodable: bool = False) -> bool:
    """Whether ``json.loads(text)`` may yield a string (or key) that :func:`storable_text`
    would change. False is certain; True may be a false alarm.

    Decoded JSON strings get NUL or a surrogate only from a ``\\u`` escape (the decoder
    refuses raw control characters in strings) or from a raw surrogate already in ``text``
    (impossible when ``text`` is known to be ``encodable``: decoded from UTF-8 bytes, or
    itself a string taken from an already storable document).
    """
    # One regex scan (about 1 ns a character): faster than a ``"\\u" in text`` pre-check,
    # which SNS bodies (full of ``\\"``) make slow.
    if _UNSTORABLE_ESCAPE.search(text) is not None:
        return True
    if encodable or text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def storable_json(value: Any) -> Any:
    """A decoded JSON value with :func:`storable_text` applied to every string in it, object
    keys included (``mail.tags`` names are keys). Returns new containers; the input is not
    changed. Two keys that become equal keep the later value, as ``json.loads`` does for a
    repeated key. Depth is bounded by the parser before this is called."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(key): storable_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable_json(item) for item in value]
    return value
