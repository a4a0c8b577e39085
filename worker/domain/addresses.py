"""Recipient addresses: normalisation for matching, the one check of an address an
operator or an application *gives* us (CLI and API alike), the check that an address is
one SES could have delivered to, and masking for logs."""

from __future__ import annotations

import functools
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


#: An RFC 5322 dot-atom local part in ASCII: what nearly every address given to us is, and
#: a form ``email-validator`` accepts as it stands (tests/unit/domain/test_addresses.py
#: checks the two agree), so only its domain needs the full check.
_PLAIN_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_MAX_LOCAL_PART = 64
_MAX_ADDRESS = 254


class InvalidAddress(ValueError):
    """What was given is not an email address; ``reason`` says why, in words."""

    def __init__(self, given: str, reason: str) -> None:
        shown = given if len(given) <= 80 else given[:77] + "..."
        super().__init__(f"{shown!r} is not an email address: {reason}")
        self.given = given
        self.reason = reason


def check_address(raw: str) -> str:
    """The address to match in the log (:func:`normalise_address`) when ``raw`` is an
    email address by its syntax; raises :class:`InvalidAddress` otherwise.

    The one rule for every address a person or an application gives us: ``inboxgap
    status --email``, ``recipient``, ``sent import``, the ``record_sent`` task and the
    support API. Syntax only (``email-validator``, no DNS: a lookup must work offline and
    for a domain that has since expired). What matches in the log is unchanged: the
    normalised text, never the validator's own normal form (which would fold Unicode).
    Addresses read from SES events are not checked here: SES delivered to them
    (:func:`is_deliverable_address`).
    """
    address = normalise_address(raw)
    if not address:
        raise InvalidAddress(raw, "it is empty")
    if _plain_address_passes(address):
        return address
    # Imported here: the ingest path (the parser imports this module) never needs it,
    # and it costs each process ~16 ms of start-up. Not above the fast path: an import
    # statement run per record costs ~1 µs even once the module is loaded.
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        raise InvalidAddress(raw.strip(), reason[:1].lower() + reason[1:]) from None
    return address


def _plain_address_passes(address: str) -> bool:
    """True when ``address`` has a plain local part and a domain the full rule accepts.

    ``sent import`` and ``record_sent`` check every record, and the full check costs
    ~40 µs, mostly the domain's (IDNA) rules; a domain repeats across records, so its
    verdict is cached. Anything else (or a refusal, for its reason) takes the full check."""
    local, at, domain = address.rpartition("@")
    return (
        bool(at)
        and len(local) <= _MAX_LOCAL_PART
        and len(address) <= _MAX_ADDRESS
        and _PLAIN_LOCAL_PART.match(local) is not None
        and _domain_accepted(domain)
    )


@functools.lru_cache(maxsize=4096)
def _domain_accepted(domain: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


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
