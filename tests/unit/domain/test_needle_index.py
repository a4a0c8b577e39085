"""The needle index finds exactly the needles a plain ``in`` scan finds, and the provider
lookup built on it names the provider the plain table walk names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.domain.world_cases import ALL_CASES
from worker.domain.classifier import _REPLY_NEEDLES, read_reply
from worker.domain.classify_providers import (
    _PROVIDER_ORDER,
    PROVIDER_INDEX,
    PROVIDER_NEEDLES,
    provider_in,
    provider_of,
)
from worker.domain.phrases import ALL_NEEDLES, NeedleIndex
from worker.domain.provider_codes import CODE_NEEDLES

_REPLY_NEEDLE_LIST = tuple(sorted(ALL_NEEDLES | CODE_NEEDLES))


def _plain(needles: tuple[str, ...] | frozenset[str], lowered: str) -> frozenset[str]:
    return frozenset(needle for needle in needles if needle in lowered)


def _plain_provider(*texts: str | None) -> str | None:
    """The table walk without any index: every marker list tested in order."""
    haystack = " ".join(text[:8192] for text in texts if text)
    if not haystack:
        return None
    lowered = haystack.lower()
    for name, markers in _PROVIDER_ORDER:
        if markers.search(haystack, lowered):
            return name
    return None


def test_overlapping_needles_are_all_found() -> None:
    index = NeedleIndex({"abc", "cde", "bcdx", "b", "de", "abcdef"})
    assert index.present("xabcdey") == {"abc", "cde", "b", "de"}
    assert index.present("abcdef") == {"abc", "cde", "b", "de", "abcdef"}
    assert index.present("abcdx") == {"abc", "bcdx", "b"}
    assert index.present("") == frozenset()
    assert index.present("zzz") == frozenset()


def test_an_empty_needle_occurs_in_every_text() -> None:
    index = NeedleIndex({"", "ab"})
    assert index.present("") == {""}
    assert index.present("xaby") == {"", "ab"}


def test_every_real_reply_holds_what_a_plain_scan_finds() -> None:
    for case in ALL_CASES:
        for text in (case.diagnostic, case.reporting_mta, case.remote_mta):
            lowered = (text or "").lower()
            assert _REPLY_NEEDLES.present(lowered) == _plain(_REPLY_NEEDLE_LIST, lowered)
            assert PROVIDER_INDEX.present(lowered) == _plain(PROVIDER_NEEDLES, lowered)
        assert provider_of(case.diagnostic) == _plain_provider(case.diagnostic), case.case_id
        assert provider_of(case.diagnostic, case.reporting_mta, case.remote_mta) == _plain_provider(
            case.diagnostic, case.reporting_mta, case.remote_mta
        ), case.case_id


#: Text made of pieces of needles, so that needles overlap, nest and run into each other.
_PIECES = st.sampled_from(
    [
        needle[start:end]
        for needle in _REPLY_NEEDLE_LIST
        for start, end in ((0, None), (1, None), (0, -1))
    ]
    + [" ", "-", ".", "x", "5.7.1", "[", "\u017f", "\u0130"]
)


@settings(max_examples=300)
@given(st.lists(_PIECES, max_size=12).map("".join), st.text(max_size=40))
def test_any_text_holds_what_a_plain_scan_finds(pieces: str, noise: str) -> None:
    for text in (pieces, noise + pieces, pieces + noise):
        lowered = text.lower()
        assert _REPLY_NEEDLES.present(lowered) == _plain(_REPLY_NEEDLE_LIST, lowered)
        assert PROVIDER_INDEX.present(lowered) == _plain(PROVIDER_NEEDLES, lowered)
        assert provider_of(text) == _plain_provider(text)
        reply = read_reply(text)
        assert provider_in(reply.words, reply.present) == _plain_provider(reply.words)


#: The reply-code patterns as the contract reads them (look-behind first), against the
#: classifier's (look-behind after the first character, so the engine can skip ahead).
_LOOK_BEHIND_FIRST = {
    "_ENHANCED_CODE": r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)",
    "_ANY_REPLY_CODE": r"(?<![\d.#])([245]\d\d)(?=[\s-])",
    "_CONTINUATION": r"(?<=\s)[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\s+",
}


@settings(max_examples=300)
@given(st.text(alphabet="245019.-# \t\nx", max_size=40) | st.text(max_size=40))
def test_reply_code_patterns_match_where_their_look_behind_first_forms_do(text: str) -> None:
    import re

    from worker.domain import classifier

    for name, reference in _LOOK_BEHIND_FIRST.items():
        ours = getattr(classifier, name)
        expected = [(m.span(), m.groups()) for m in re.finditer(reference, text)]
        assert [(m.span(), m.groups()) for m in ours.finditer(text)] == expected, name
