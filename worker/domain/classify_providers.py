"""Who answered or judged a reply: the blocklist, mail-security product or mailbox
provider its text names (:mod:`worker.domain.diagnostic_rules` holds their markers).

Split from :mod:`worker.domain.classifier`, which re-exports :func:`provider_of`.
"""

from __future__ import annotations

from worker.domain.diagnostic_rules import BLOCKLIST_PROVIDERS, MAILBOX_PROVIDERS, SECURITY_PRODUCTS
from worker.domain.phrases import Phrases

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

#: Which providers each needle may reveal: a text is only tested for the few whose
#: needles it holds.
_PROVIDERS_OF_NEEDLE: dict[str, tuple[int, ...]] = {
    needle: tuple(
        rank for rank, (_, markers) in enumerate(_PROVIDER_ORDER) if needle in markers.needles
    )
    for needle in PROVIDER_NEEDLES
}
#: Markers without a needle index are tried whatever the text holds.
_ALWAYS_TRIED = frozenset(
    rank for rank, (_, markers) in enumerate(_PROVIDER_ORDER) if markers.by_needle is None
)


def provider_of(*texts: str | None) -> str | None:
    """Who answered or judged: a blocklist or security product named in the texts wins
    over the mailbox provider that quoted it."""
    if len(texts) == 1:
        haystack = texts[0][:MAX_DIAGNOSTIC_CHARS] if texts[0] else ""
    else:
        haystack = " ".join(text[:MAX_DIAGNOSTIC_CHARS] for text in texts if text)
    if not haystack:
        return None
    present = frozenset(filter(haystack.lower().__contains__, PROVIDER_NEEDLES))
    return provider_in(haystack, present)


def provider_in(haystack: str, present: frozenset[str]) -> str | None:
    """The first provider (blocklists, then security products, then mailbox providers,
    each in table order) whose markers ``haystack`` holds; ``present``: the needles
    known to occur in it. A marker list none of whose needles is present cannot match,
    so only the lists of the present needles are tried, in the same order."""
    ranks = set(_ALWAYS_TRIED)
    for needle in PROVIDER_NEEDLE_SET.intersection(present):
        ranks.update(_PROVIDERS_OF_NEEDLE[needle])
    for rank in sorted(ranks):
        name, markers = _PROVIDER_ORDER[rank]
        if markers.search(haystack, present=present):
            return name
    return None
