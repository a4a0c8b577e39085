"""Phrase matching for the classifier's word tables: regexes behind literal needles, the
needle index that finds which needles a reply holds in one pass, and the shape of a word
rule. The tables themselves are :mod:`worker.domain.diagnostic_rules` and
:mod:`worker.domain.word_rules`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, pairwise

from worker.domain.outcomes import Reason

_I = re.IGNORECASE


_GROUP = re.compile(r"\((?:[^()\\]|\\.)*\)[?*]?")


_CLASS = re.compile(r"\[(?:[^\]\\]|\\.)*\][?*+]?|\{\d*,?\d*\}")


_ESCAPED_CLASS = re.compile(r"\\[a-zA-Z]")


_OPTIONAL_CHAR = re.compile(r"(?:\\.|.)[?*]")


#: A character repeated {0,n} times may be absent: "de.{0,40}" must not need "de.".
_OPTIONAL_REPEAT = re.compile(r"(?:\\.|[^\])])\{0,\d*\}")


#: An unescaped "." matches any character: it is no part of the literal text.
_ANY_CHAR = re.compile(r"(?<!\\)\.[+]?")


_ESCAPED_LITERAL = re.compile(r"\\(.)")


_SEPARATOR = "\x00"


def literal_needle(pattern: str) -> str:
    """The longest piece of text every match of ``pattern`` must contain, lower-cased.

    Used as a cheap ``in`` test before running the regex: most replies contain none of
    a rule's words, and a substring test costs a fraction of a case-insensitive search.
    Groups, classes, escapes like ``\\b`` and optional characters break the text.
    """
    text = _GROUP.sub(_SEPARATOR, pattern)
    text = _OPTIONAL_REPEAT.sub(_SEPARATOR, text)
    text = _CLASS.sub(_SEPARATOR, text)
    text = _OPTIONAL_CHAR.sub(_SEPARATOR, text)
    text = _ESCAPED_CLASS.sub(_SEPARATOR, text)
    text = _ANY_CHAR.sub(_SEPARATOR, text)
    text = _ESCAPED_LITERAL.sub(r"\1", text)
    text = re.sub(r"[+^$|]", _SEPARATOR, text)
    return max(text.split(_SEPARATOR), key=len).lower()


#: Every literal needle of every phrase list, so that a reply is scanned for all of them
#: once (:func:`needles_in`) and each list then only checks the needles it found.
ALL_NEEDLES: set[str] = set()


@dataclass(frozen=True, slots=True)
class Phrases:
    """Alternative phrases (regexes, case-insensitive), each behind its literal needle."""

    items: tuple[tuple[str, re.Pattern[str]], ...]
    needles: frozenset[str] = frozenset()
    by_needle: dict[str, tuple[re.Pattern[str], ...]] | None = None

    def search(
        self, text: str, lowered: str | None = None, present: frozenset[str] | None = None
    ) -> bool:
        """Whether any phrase appears. ``present`` (the needles found in the text, from
        :meth:`NeedleIndex.present`) limits the regexes run to those whose needle is
        there: most lists find none at all."""
        if present is not None and self.by_needle is not None:
            if self.needles.isdisjoint(present):
                return False
            by_needle = self.by_needle
            return any(
                pattern.search(text)
                for needle in self.needles.intersection(present)
                for pattern in by_needle[needle]
            )
        low = text.lower() if lowered is None else lowered
        return any(needle in low and pattern.search(text) for needle, pattern in self.items)


def words(*patterns: str) -> Phrases:
    items = tuple((literal_needle(p), re.compile(p, _I)) for p in patterns)
    needles = frozenset(needle for needle, _ in items)
    by_needle: dict[str, list[re.Pattern[str]]] = {}
    for needle, pattern in items:
        by_needle.setdefault(needle, []).append(pattern)
    ALL_NEEDLES.update(needles)
    return Phrases(items, needles, {key: tuple(found) for key, found in by_needle.items()})


#: The 400 pairs of adjacent characters found in the most replies (document frequency
#: over the real-world table and bench/classify.py's simulated bounces, most common first;
#: regenerate when the word lists change a lot). A needle is filed under its pair that
#: ranks lowest here, so that most replies contain few of the keys.
_COMMON_PAIRS_TEXT = (
    "tpp;mtsm 555; reedercoe omt d es0 se5.s mar  men.c raiin50lete dil sec t"
    "or aouli.1unssdent hton ono st. is umeot eas ioopl fro1 ctblttexamveloht"
    "//:/e..7eltithsaatnoust.ieces. om/heut pacy po nsiges:: fopsag.2n.ne lio"
    "pi-  -7.abup g4 doipad bnditnasu [tal emciur45dd2.icngm 54ha/smpdreaivmi"
    "pp1.g 01d. yspca23preearoc.0an crtbo, ccryyo12ck-1go3 .gso3634hitrmopa ("
    "irogidlal/gl/mgsdialriofjeej4.d:33quxavike5643olp=ni/?67va.41achdcrr1b73"
    "4494d9i1b5hoa76slncbb3a65fosf13c1d3ac07p6-fr2 nsopf eo0.1992.epebe?pueim"
    "rm3.odaura'seta u .ooex oxoknu7 nfavui40k.ov] .p < vdm 4l.tl52xp.m84.< 8"
    "m]<4rnnnp -5) e@dutyowr.-e.nh s/lbrvgu20tm[10]cseq/de-cyeprg0- wrs.5ll13"
    ".aubt'ki10w y.p:.3ftnvnc-cucxip-ts30evptwexccllyeuuo(s03hur0t0@e>:35m>fi"
    "[ao.t/n'3f5e.h#5m517.srcya<sypk 06mlrdah21n: 1-sif@ize.yzo=nc ulpunk/lt,"
    "izxs'tak"
)


_PAIR_RANK: dict[str, int] = {
    _COMMON_PAIRS_TEXT[i : i + 2]: 400 - i // 2 for i in range(0, len(_COMMON_PAIRS_TEXT), 2)
}


def _rarity_key(needle: str) -> tuple[str, str]:
    """The needle's two adjacent characters least likely to occur in a reply."""
    pairs = list(pairwise(needle))
    return min(pairs, key=lambda pair: _PAIR_RANK.get(pair[0] + pair[1], 0))


class NeedleIndex:
    """Finds which of many literal needles occur in a text without testing each one.

    Each needle is filed under its rarest pair of adjacent characters; a text's pairs are
    collected in one C-level pass (``itertools.pairwise``) and only needles filed
    under a pair the text contains are tested with ``in``. With hundreds of needles this
    keeps a reply's scan to a few dozen substring tests.
    """

    __slots__ = ("_buckets", "_keys", "_short")

    def __init__(self, needles: frozenset[str] | set[str]) -> None:
        buckets: dict[tuple[str, str], list[str]] = {}
        short: list[str] = []
        for needle in sorted(needles):
            if len(needle) < 2:
                short.append(needle)
                continue
            buckets.setdefault(_rarity_key(needle), []).append(needle)
        self._buckets = {key: tuple(found) for key, found in buckets.items()}
        self._keys = frozenset(self._buckets)
        self._short = tuple(short)

    def present(self, lowered: str) -> frozenset[str]:
        """The needles that occur in ``lowered``."""
        # All C-level: the text's pairs, the keys among them, their needles, the tests.
        hit = self._keys.intersection(pairwise(lowered))
        candidates = chain(self._short, chain.from_iterable(map(self._buckets.__getitem__, hit)))
        return frozenset(filter(lowered.__contains__, candidates))


def codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


@dataclass(frozen=True, slots=True)
class WordRule:
    """One row of step 4: the reason, its phrases, the enhanced codes that count as its
    words, and optionally a pair of patterns that must both appear (SPF + "failed")."""

    reason: Reason
    phrases: Phrases | None
    codes: frozenset[str] = frozenset()
    together: tuple[Phrases, Phrases] | None = None
