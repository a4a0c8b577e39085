"""Phrase matching for the classifier's word tables: regexes behind literal needles, the
needle index that finds which needles a reply holds in one pass, and the shape of a word
rule. The tables themselves are :mod:`worker.domain.diagnostic_rules` and
:mod:`worker.domain.word_rules`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


def ascii_folded(pattern: str) -> str:
    """``pattern`` with the accents of its Latin letters dropped (``buzón`` → ``buzon``,
    ``não`` → ``nao``, ``boîte`` → ``boite``). Every other character is kept: a voiced
    kana such as ザ also decomposes into a base and a mark, but without the mark it is
    another word.

    SMTP replies are ASCII (RFC 5321, section 2.4), so a server answering in Spanish or
    Portuguese without SMTPUTF8 writes its words without accents: a word list written
    with them must also match them without."""
    folded = []
    for char in pattern:
        if not char.isascii():
            parts = unicodedata.normalize("NFD", char)
            if len(parts) > 1 and parts[0].isascii() and all(map(unicodedata.combining, parts[1:])):
                char = parts[0]
        folded.append(char)
    return "".join(folded)


def words(*patterns: str) -> Phrases:
    """The phrases of ``patterns``, each also without its accents (:func:`ascii_folded`)."""
    spelled = list(dict.fromkeys([*patterns, *map(ascii_folded, patterns)]))
    items = tuple((literal_needle(p), re.compile(p, _I)) for p in spelled)
    needles = frozenset(needle for needle, _ in items)
    by_needle: dict[str, list[re.Pattern[str]]] = {}
    for needle, pattern in items:
        by_needle.setdefault(needle, []).append(pattern)
    ALL_NEEDLES.update(needles)
    return Phrases(items, needles, {key: tuple(found) for key, found in by_needle.items()})


def _prefix_tree(needles: set[str]) -> str:
    """A regex matching any of ``needles`` (literal text), shaped as a prefix tree: at a
    branch each alternative starts with its own character, so the regex engine tests one
    character per alternative, and where a needle ends but a longer one goes on, the
    longer is tried first (the match at a position is the longest needle starting there).
    Chains without a branch stay plain literal text, so groups nest only at branches."""
    by_first: dict[str, set[str]] = {}
    for needle in needles:
        if needle:
            by_first.setdefault(needle[0], set()).add(needle[1:])
    branches = [re.escape(first) + _prefix_tree(rest) for first, rest in sorted(by_first.items())]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in needles else body


class NeedleIndex:
    """Finds which of many literal needles occur in a text in one C-level regex pass.

    The needles form one prefix-tree regex. Scanning left to right without overlap, it
    finds the longest needle starting at each place a needle starts; every needle inside
    a found one occurs too. A needle that starts inside a found one and runs past its end
    is what the scan steps over: it can only start at the few offsets of the found needle
    whose remaining text begins some longer needle, and there the same regex, anchored,
    finds the longest needle starting there. The result is exactly the needles that occur.
    """

    __slots__ = ("_always", "_finditer", "_inside", "_match", "_offsets")

    def __init__(self, needles: frozenset[str] | set[str]) -> None:
        texts = {needle for needle in needles if needle}
        #: An empty needle occurs in every text.
        self._always = frozenset(needles) - texts
        tree = re.compile(_prefix_tree(texts) if texts else r"(?!)")
        self._finditer = tree.finditer
        self._match = tree.match
        self._inside = {
            found: frozenset(filter(found.__contains__, texts)) | self._always for found in texts
        }
        #: The start of every needle, but the whole needle.
        starts = {needle[:end] for needle in texts for end in range(1, len(needle))}
        self._offsets = {
            found: tuple(at for at in range(1, len(found)) if found[at:] in starts)
            for found in texts
        }

    def present(self, lowered: str) -> frozenset[str]:
        """The needles that occur in ``lowered``."""
        result = set(self._always)
        inside = self._inside
        offsets = self._offsets
        match = self._match
        for found in self._finditer(lowered):
            text = found.group()
            result |= inside[text]
            for at in offsets[text]:
                longer = match(lowered, found.start() + at)
                if longer is not None:
                    result |= inside[longer.group()]
        return frozenset(result)


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
