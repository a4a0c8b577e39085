"""Recipient addresses: normalisation for matching, and masking for logs."""

from __future__ import annotations


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
