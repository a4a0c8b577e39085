"""Recipient addresses: normalisation for matching, the check that an address is one SES
could have delivered to, and masking for logs."""

from __future__ import annotations

import re

#: Characters no address SES delivered to can hold: C0 controls (NUL included), DEL, C1
#: controls, lone surrogates, and U+FFFD (what the parser makes of NUL and surrogates).
_NOT_IN_AN_ADDRESS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")


def normalise_address(raw: str) -> str:
    """The bare address, trimmed and lower-cased: ``"Jane" <Jane@Acme.example>`` →
    ``jane@acme.example`` (outcomes.md, "How one event is classified")."""
    text = raw.strip()
    start = text.rfind("<")
    if start != -1:
        end = text.find(">", start)
        if end != -1:
            text = text[start + 1 : end]
    return text.strip().strip("<>").strip().lower()


def is_deliverable_address(address: str) -> bool:
    """False when the bare (normalised) address holds a character no address SES could
    deliver to: a control character, a lone surrogate or a replacement character."""
    if address.isascii() and address.isprintable():  # the usual case: no regex
        return True
    return _NOT_IN_AN_ADDRESS.search(address) is None


def domain_of(address: str) -> str:
    """Domain part of a normalised address ("" when there is none)."""
    _, at, domain = address.rpartition("@")
    return domain if at else ""


def mask_address(address: str) -> str:
    """``jane@acme.example`` → ``j***@acme.example``: safe for info-level logs."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
