"""The words of receiving servers, as data: which reason each phrase, code or product
marker signals, in the order of outcomes.md ("Bounces", step 4), plus the step-5 status
code table and the provider markers.

Everything here is a table; :mod:`worker.domain.classifier` walks it in order. To teach the
classifier a new phrase, add it to the right row (and a real-world case to the tests).
A phrase may only be added where it plainly means what its reason means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.domain.outcomes import Reason

_I = re.IGNORECASE


_GROUP = re.compile(r"\((?:[^()\\]|\\.)*\)[?*]?")
_CLASS = re.compile(r"\[(?:[^\]\\]|\\.)*\][?*+]?|\{\d*,?\d*\}")
_ESCAPED_CLASS = re.compile(r"\\[a-zA-Z]")
_OPTIONAL_CHAR = re.compile(r"(?:\\.|.)[?*]")
_ESCAPED_LITERAL = re.compile(r"\\(.)")
_SEPARATOR = "\x00"


def literal_needle(pattern: str) -> str:
    """The longest piece of text every match of ``pattern`` must contain, lower-cased.

    Used as a cheap ``in`` test before running the regex: most replies contain none of
    a rule's words, and a substring test costs a fraction of a case-insensitive search.
    Groups, classes, escapes like ``\\b`` and optional characters break the text.
    """
    text = _GROUP.sub(_SEPARATOR, pattern)
    text = _CLASS.sub(_SEPARATOR, text)
    text = _OPTIONAL_CHAR.sub(_SEPARATOR, text)
    text = _ESCAPED_CLASS.sub(_SEPARATOR, text)
    text = _ESCAPED_LITERAL.sub(r"\1", text)
    text = re.sub(r"[+^$|]", _SEPARATOR, text)
    return max(text.split(_SEPARATOR), key=len).lower()


@dataclass(frozen=True, slots=True)
class Phrases:
    """Alternative phrases (regexes, case-insensitive), each behind its literal needle."""

    items: tuple[tuple[str, re.Pattern[str]], ...]

    def search(self, text: str, lowered: str | None = None) -> bool:
        low = text.lower() if lowered is None else lowered
        return any(needle in low and pattern.search(text) for needle, pattern in self.items)


def _words(*patterns: str) -> Phrases:
    return Phrases(tuple((literal_needle(p), re.compile(p, _I)) for p in patterns))


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


@dataclass(frozen=True, slots=True)
class WordRule:
    """One row of step 4: the reason, its phrases, the enhanced codes that count as its
    words, and optionally a pair of patterns that must both appear (SPF + "failed")."""

    reason: Reason
    phrases: Phrases | None
    codes: frozenset[str] = frozenset()
    together: tuple[Phrases, Phrases] | None = None


# Only the short tokens (SPF, DKIM...) need whole words; "failedCONTINUE" still fails.
_FAILURE_WORDS = _words(
    r"fail",
    r"(?:not|n't) pass",
    r"invalid",
    r"(?:not|n't) aligned",
)

_EXTENSION_WORDS = _words(r"\bnot allowed\b", r"\bblocked\b", r"\bunacceptable\b", r"\bbanned\b")

#: Microsoft's banned-sending-IP range, 5.7.606 to 5.7.649.
MICROSOFT_BLOCKLIST_CODES = frozenset(f"5.7.{n}" for n in range(606, 650))

# 5.7.515: Microsoft's "does not meet the required authentication level" (SPF/DKIM/DMARC).
AUTH_CODES = _codes("5.7.26", "5.7.27", "5.7.23", "5.7.509", "5.7.515")
BLOCKLIST_CODES = MICROSOFT_BLOCKLIST_CODES | _codes("5.7.511", "5.7.513", "4.7.650", "4.7.651")
#: Authentication *required* (not failed) and reverse-DNS refusals are policy.
POLICY_CODES = _codes("5.7.133", "5.7.134", "5.7.25")

#: Step 4, in order; the first row whose words appear wins. security_gateway (step 10)
#: is special: see :data:`QUARANTINE_WORDS` and :data:`SECURITY_PRODUCTS`.
WORD_RULES: tuple[WordRule, ...] = (
    WordRule(
        Reason.AUTH_FAILED,
        _words(
            r"\bdmarc\b",
            r"authentication checks",
            r"unauthenticated e-?mail",
            r"sender is unauthenticated",
            r"required authentication level",
        ),
        AUTH_CODES,
        together=(_words(r"\bspf\b", r"\bdkim\b"), _FAILURE_WORDS),
    ),
    WordRule(
        Reason.ATTACHMENT_REJECTED,
        _words(r"attachment", r"file ?type", r"virus", r"malware"),
        together=(_words(r"\bextension"), _EXTENSION_WORDS),
    ),
    WordRule(
        Reason.SENDER_BLOCKLISTED,
        _words(
            r"block ?list",
            r"black ?list",
            r"blocklisted",
            r"\blisted (?:at|on|in)\b",
            r"blocked using",
            r"\brbl\b",
            r"\bdnsbl\b",
            r"spamhaus",
            r"spamcop",
            r"\bsorbs\b",
            r"barracuda (?:brbl|reputation)",
            r"\bbrbl\b",
            r"ipcheck\.proofpoint\.com",
            r"reputation",
            # Trend Micro Email Reputation Services: ERS-QIL, ERS-RBL, ERS-DUL, and the
            # admin's own IP list, ERS-Customized-Block.
            r"\bers-[a-z]",
        ),
        BLOCKLIST_CODES,
    ),
    WordRule(
        Reason.SPAM_FILTERED,
        _words(
            r"spam",
            r"unsolicited",
            r"\bbulk\b",
            r"content rejected",
            r"message content",
            r"suspicious",
        ),
    ),
    WordRule(
        Reason.DOMAIN_NOT_FOUND,
        _words(
            r"host not found",
            r"domain not found",
            r"no such domain",
            r"\bdns domain",
            r"nxdomain",
            r"\bno mx\b",
            r"\bnull ?mx\b",
            r"unable to lookup dns",
            r"unrouteable mail domain",
            r"nonexistentdomain",
            r"\bdomain (?:\S+ )?does not exist",
        ),
    ),
    WordRule(
        Reason.MAILBOX_NOT_FOUND,
        _words(
            r"user unknown",
            r"unknown user",
            r"no such user",
            r"does not exist",
            r"doesn'?t have an? (?:[\w.-]+ ){0,3}account",
            r"does not have an? (?:[\w.-]+ ){0,3}account",
            r"invalid[ -]recipient",
            r"addressee unknown",
            r"recipient not found",
            r"recipientnotfound",
            r"\bcuda_nsu\b",
            r"\bxgemail_0011\b",
            # Microsoft 365 directory-based edge blocking: the address is not in the tenant.
            r"5\.4\.1 (?:\[[^\]]*\]:? )?recipient address rejected: access denied",
            r"mailbox not found",
            r"no such mailbox",
            r"user not found",
            r"unknown recipient",
            r"recipient unknown",
            r"no mailbox here by that name",
        ),
    ),
    WordRule(
        Reason.MAILBOX_DISABLED,
        _words(r"disabled", r"inactive", r"suspended", r"deactivated", r"no longer active"),
    ),
    WordRule(
        Reason.MAILBOX_FULL,
        _words(
            r"mailbox (?:is )?full",
            r"inbox (?:is )?full",
            r"quota",
            r"out of storage",
            r"over ?quota",
        ),
    ),
    WordRule(
        Reason.MESSAGE_TOO_LARGE,
        _words(r"too large", r"too big", r"size exceeds", r"message size"),
    ),
)

QUARANTINE_WORDS = _words(r"quarantin")

#: Step 11 (after the security-gateway check).
POLICY_RULE = WordRule(
    Reason.POLICY_BLOCKED,
    _words(
        r"access denied",
        r"not authori[sz]ed",
        r"not authenticated",
        r"unauthenticated senders",
        r"authentication required",
        r"authenticated senders",
        r"authrequired",
        r"\brelay",
        r"sender denied",
        r"transport rule",
        r"restricted",
        r"policy",
        r"policies",
        r"\bptr\b",
    ),
    POLICY_CODES,
)

#: Mail-security products, recognised by name or marker as whole tokens, in the reply or
#: the reporting/remote MTA host.
SECURITY_PRODUCTS: tuple[tuple[str, Phrases], ...] = (
    ("Mimecast", _words(r"\bmimecast\b")),
    ("Proofpoint", _words(r"\bproofpoint\b", r"\bpphosted\b", r"\bppops\b")),
    (
        "Barracuda",
        _words(
            r"\bbarracuda\b", r"\bbarracudanetworks\b", r"\bbarracudacentral\b", r"\bcuda_nsu\b"
        ),
    ),
    ("Cisco", _words(r"\bironport\b", r"\biphmx\b", r"\bcisco\b")),
    ("Sophos", _words(r"\bsophos\b", r"\bxgemail\b", r"\bhydra\.sophos\b")),
    ("Trend Micro", _words(r"\btrend ?micro\b", r"\btrendmicro\b", r"\bers-")),
    (
        "Symantec",
        _words(
            r"\bsymantec\b",
            r"\bmessagelabs\b",
            r"\bsymanteccloud\b",
            r"knowledge\.broadcom\.com",
        ),
    ),
    ("Forcepoint", _words(r"\bforcepoint\b", r"\bmailcontrol\b")),
    ("Hornetsecurity", _words(r"\bhornetsecurity\b")),
)

#: Blocklists and reputation services: named before the mailbox provider that quoted them.
BLOCKLIST_PROVIDERS: tuple[tuple[str, Phrases], ...] = (
    ("Spamhaus", _words(r"spamhaus")),
    ("SpamCop", _words(r"spamcop")),
    ("SORBS", _words(r"\bsorbs\b")),
    ("Cloudmark", _words(r"cloudmark")),
)

MAILBOX_PROVIDERS: tuple[tuple[str, Phrases], ...] = (
    ("Gmail", _words(r"\bgsmtp\b", r"support\.google\.com", r"\bgoogle\.com\b", r"\bgmail\b")),
    (
        "Microsoft",
        _words(
            r"outlook\.com",
            r"\bresolver\.",
            r"\bstoredrv\b",
            r"\bAS\(\d+\)",
            r"sender\.office\.com",
            r"postmaster\.live\.com",
            r"mail\.live\.com",
            r"\bhotmail\b",
            r"\bmicrosoft\b",
            r"\bfwlink\b",
        ),
    ),
    (
        "Yahoo",
        _words(
            r"\byahoo",
            r"yahoodns\.net",
            r"postmaster\.yahooinc\.com",
            r"\[(?:tss|ph|bl)\d\d\]",
            r"\baol\.com\b",
        ),
    ),
    ("Apple", _words(r"\bicloud\b", r"support\.apple\.com", r"\[cs\d\d\]", r"\bapple\b")),
)

#: Step 5: the enhanced status code decides when no words matched.
STATUS_CODE_REASONS: dict[str, Reason] = {
    "5.1.1": Reason.MAILBOX_NOT_FOUND,
    "5.1.10": Reason.MAILBOX_NOT_FOUND,
    "5.1.2": Reason.DOMAIN_NOT_FOUND,
    "5.4.4": Reason.DOMAIN_NOT_FOUND,
    "5.2.1": Reason.MAILBOX_DISABLED,
    "5.2.2": Reason.MAILBOX_FULL,
    "4.2.2": Reason.MAILBOX_FULL,
    "5.3.4": Reason.MESSAGE_TOO_LARGE,
    "5.2.3": Reason.MESSAGE_TOO_LARGE,
    **dict.fromkeys(AUTH_CODES, Reason.AUTH_FAILED),
    **dict.fromkeys(BLOCKLIST_CODES, Reason.SENDER_BLOCKLISTED),
    **dict.fromkeys(POLICY_CODES, Reason.POLICY_BLOCKED),
}
#: Any other 5.7.x is a policy refusal.
POLICY_CODE_CLASS = "5.7."

#: Step 3: bounce subtypes that decide by themselves.
SUBTYPE_REASONS: dict[str, Reason] = {
    "noemail": Reason.MAILBOX_NOT_FOUND,
    "mailboxfull": Reason.MAILBOX_FULL,
    "messagetoolarge": Reason.MESSAGE_TOO_LARGE,
    "attachmentrejected": Reason.ATTACHMENT_REJECTED,
}
#: ContentRejected: the first of these whose words appear, else spam_filtered.
CONTENT_REJECTED_CANDIDATES = (
    Reason.AUTH_FAILED,
    Reason.ATTACHMENT_REJECTED,
    Reason.SENDER_BLOCKLISTED,
    Reason.SECURITY_GATEWAY,
)

#: Step 6: when nothing decides.
FALLBACK_REASONS: dict[str, Reason] = {
    "permanent": Reason.HARD_BOUNCE,
    "transient": Reason.SOFT_BOUNCE,
    "undetermined": Reason.UNDETERMINED,
}
