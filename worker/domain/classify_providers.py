"""Who answered or judged a reply: the blocklist, mail-security product or mailbox
provider its text names (:mod:`worker.domain.diagnostic_rules` holds their markers).

Split from :mod:`worker.domain.classifier`, which re-exports :func:`provider_of`.
"""

from __future__ import annotations

import re

from worker.domain.diagnostic_rules import BLOCKLIST_PROVIDERS, MAILBOX_PROVIDERS, SECURITY_PRODUCTS
from worker.domain.phrases import NeedleIndex, Phrases

__all__ = [
    "MAX_DIAGNOSTIC_CHARS",
    "PROVIDER_NEEDLES",
    "PROVIDER_NEEDLE_SET",
    "SECURITY_NEEDLES",
    "provider_in",
    "provider_of",
]

#: Only this much of a diagnostic is read. Real replies are a few hundred characters;
#: a 250 KiB diagnostic (a server quoting a whole message back) costs 50-70 ms of regex
#: work, and the words that decide are always at the start.
MAX_DIAGNOSTIC_CHARS = 8 * 1024

#: Every provider and product in the order they are tried (a blocklist or security
#: product before the mailbox provider that quoted it).
_PROVIDER_ORDER: tuple[tuple[str, Phrases], ...] = (
    *BLOCKLIST_PROVIDERS,
    *SECURITY_PRODUCTS,
    *MAILBOX_PROVIDERS,
)

#: The needles of the provider and product markers, for :func:`provider_of` (few enough
#: to test each in one C-level pass).
PROVIDER_NEEDLES: tuple[str, ...] = tuple(
    sorted({needle for _, markers in _PROVIDER_ORDER for needle in markers.needles})
)
PROVIDER_NEEDLE_SET = frozenset(PROVIDER_NEEDLES)

SECURITY_NEEDLES: tuple[str, ...] = tuple(
    sorted({needle for _, markers in SECURITY_PRODUCTS for needle in markers.needles})
)

#: Finds the provider needles of a text in one C-level pass.
PROVIDER_INDEX = NeedleIndex(PROVIDER_NEEDLE_SET)
SECURITY_INDEX = NeedleIndex(frozenset(SECURITY_NEEDLES))

#: The patterns to try for a set of present needles: (provider, patterns) in table order,
#: each provider with the patterns of its needles that are present (none is tried
#: whose needle is absent: it cannot match).
_Plan = tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
_PLANS: dict[frozenset[str], _Plan] = {}
#: A bound on the plans remembered (the sets of needles seen are few).
_MAX_PLANS = 4096


def _plan(present: frozenset[str]) -> _Plan:
    plan = _PLANS.get(present)
    if plan is not None:
        return plan
    steps: list[tuple[str, tuple[re.Pattern[str], ...]]] = []
    for name, markers in _PROVIDER_ORDER:
        if markers.by_needle is None:
            steps.append((name, tuple(pattern for _, pattern in markers.items)))
            continue
        patterns = tuple(
            pattern
            for needle in sorted(markers.needles.intersection(present))
            for pattern in markers.by_needle[needle]
        )
        if patterns:
            steps.append((name, patterns))
    plan = tuple(steps)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[present] = plan
    return plan


def provider_of(*texts: str | None) -> str | None:
    """Who answered or judged: a blocklist or security product named in the texts wins
    over the mailbox provider that quoted it."""
    if len(texts) == 1:
        haystack = texts[0][:MAX_DIAGNOSTIC_CHARS] if texts[0] else ""
    else:
        haystack = " ".join(text[:MAX_DIAGNOSTIC_CHARS] for text in texts if text)
    if not haystack:
        return None
    return _first_provider(haystack, PROVIDER_INDEX.present(haystack.lower()))


def provider_in(haystack: str, present: frozenset[str]) -> str | None:
    """The first provider (blocklists, then security products, then mailbox providers,
    each in table order) whose markers ``haystack`` holds; ``present``: the needles
    known to occur in it. A marker list none of whose needles is present cannot match,
    so only the patterns of the present needles are tried, in the same order."""
    return _first_provider(haystack, PROVIDER_NEEDLE_SET.intersection(present))


def _first_provider(haystack: str, present: frozenset[str]) -> str | None:
    """:func:`provider_in` for ``present`` holding provider needles only."""
    for name, patterns in _plan(present):
        for pattern in patterns:
            if pattern.search(haystack):
                return name
    return None
