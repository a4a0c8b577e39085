"""What mailbox providers and mail-security gateways mean by their own codes, as data.

Many receivers name a block by a code rather than by words: Outlook.com's ``SC-001`` or
``S3150``, Cox's ``AUP#CXBL``, Yahoo's ``[TSS04]``, Orange's ``OFR_416``. Each entry below
says which provider uses the code, what it means in the contract's vocabulary
(docs/spec/outcomes.md), *whose* problem it describes, and where the provider documents
it. When a code matches, it decides the reason (outcomes.md, Bounces step 4, "provider
codes"), and the documentation page becomes the help link support is shown when the
reply carries no link of its own.

The table is data, ``provider_codes.toml`` beside this module, read once at import.
Patterns are case-insensitive regexes, matched behind a literal needle like the word
rules. Only codes a provider documents (or that are unambiguous in its replies) belong
here; a code's meaning is the provider's, not a guess from the surrounding words.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from worker.domain.diagnostic_rules import Party
from worker.domain.outcomes import Reason
from worker.domain.phrases import literal_needle

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class ProviderCode:
    """One provider code: who uses it, what it means, whose problem, where documented."""

    provider: str
    pattern: str
    reason: Reason
    party: Party
    doc_url: str | None
    meaning: str


@dataclass(frozen=True, slots=True)
class CompiledCode:
    needle: str
    regex: re.Pattern[str]
    code: ProviderCode


def _top_level_alternatives(pattern: str) -> list[str]:
    """``a|b`` as ``[a, b]`` (only bars outside groups and classes): each alternative gets
    its own literal needle, since no single needle is common to all of them."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _load(name: str) -> tuple[ProviderCode, ...]:
    """The table in ``name`` beside this module (package data, so the wheel carries it)."""
    data = tomllib.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))
    docs: dict[str, str] = data["docs"]
    return tuple(
        ProviderCode(
            provider=entry["provider"],
            pattern=entry["pattern"],
            reason=Reason(entry["reason"]),
            party=Party(entry["party"]),
            doc_url=docs[entry["doc"]] if "doc" in entry else None,
            meaning=entry["meaning"],
        )
        for entry in data["code"]
    )


#: In order: the first code found in a reply decides.
PROVIDER_CODES: tuple[ProviderCode, ...] = _load("provider_codes.toml")

_COMPILED: tuple[CompiledCode, ...] = tuple(
    CompiledCode(literal_needle(alternative), re.compile(alternative, _I), code)
    for code in PROVIDER_CODES
    for alternative in _top_level_alternatives(code.pattern)
)


#: Every needle of the table, for the classifier's one-pass needle scan.
CODE_NEEDLES: frozenset[str] = frozenset(compiled.needle for compiled in _COMPILED)


def provider_code_in(
    text: str, lowered: str, present: frozenset[str] | None = None
) -> ProviderCode | None:
    """The first provider code found in a reply, or None. ``present``: the needles known
    to occur in ``lowered`` (most replies contain none of the table's)."""
    if present is not None:
        if CODE_NEEDLES.isdisjoint(present):
            return None
        for compiled in _COMPILED:
            if compiled.needle in present and compiled.regex.search(text):
                return compiled.code
        return None
    for compiled in _COMPILED:
        if compiled.needle in lowered and compiled.regex.search(text):
            return compiled.code
    return None
