"""Storable text (worker.domain.text) and deliverable addresses (worker.domain.addresses):
table tests and hypothesis properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.domain.addresses import is_deliverable_address
from worker.domain.text import (
    REPLACEMENT,
    is_storable,
    json_may_hold_unstorable,
    storable_json,
    storable_text,
)

LONE_HIGH = "\ud83d"
LONE_LOW = "\ude00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("jane@acme.example", "jane@acme.example"),
        ("a\x00b", f"a{REPLACEMENT}b"),
        ("\x00\x00", REPLACEMENT * 2),
        (f"x{LONE_HIGH}y", f"x{REPLACEMENT}y"),
        (f"x{LONE_LOW}", f"x{REPLACEMENT}"),
        (f"{LONE_HIGH}{LONE_LOW}", REPLACEMENT * 2),  # two code points, not a pair, in a str
        ("é\x00", f"é{REPLACEMENT}"),
        ("Votre code — 確認 😀", "Votre code — 確認 😀"),
        # Other control characters are kept: storable, and filtered where shown.
        ("\x01\x1b[31m\x7f\x85\u2028", "\x01\x1b[31m\x7f\x85\u2028"),
        (REPLACEMENT, REPLACEMENT),
    ],
)
def test_storable_text_table(text: str, expected: str) -> None:
    assert storable_text(text) == expected
    assert is_storable(text) is (text == expected)


def test_clean_text_is_returned_as_is_not_copied() -> None:
    for text in ("plain ascii", "Votre code — 確認", ""):
        assert storable_text(text) is text


#: Text biased towards what breaks storage: surrogates, NUL, C0/C1 controls.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(),  # includes surrogates (category Cs)
        st.sampled_from(["\x00", LONE_HIGH, LONE_LOW, "\x1b", "\x85", "\x7f", "é", "😀"]),
    )
)


@given(hostile_text)
def test_storable_text_properties(text: str) -> None:
    out = storable_text(text)
    out.encode("utf-8")  # strict: raises on any surrogate
    assert "\x00" not in out
    assert storable_text(out) == out  # idempotent
    assert len(out) == len(text)  # one replacement per bad code point, nothing else
    for before, after in zip(text, out, strict=True):
        if before == "\x00" or "\ud800" <= before <= "\udfff":
            assert after == REPLACEMENT
        else:
            assert after == before
    assert is_storable(out)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")))
def test_storable_text_leaves_clean_text_unchanged(text: str) -> None:
    assert storable_text(text) == text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | hostile_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=20,
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@settings(max_examples=200)
@given(json_values, st.booleans())
def test_json_check_never_misses_an_unstorable_string(value: Any, ensure_ascii: bool) -> None:
    """False from json_may_hold_unstorable is certain: the decoded value is then clean."""
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    decoded = json.loads(text)
    if not json_may_hold_unstorable(text):
        assert all(is_storable(s) for s in _strings(decoded))
    cleaned = storable_json(decoded)
    assert all(is_storable(s) for s in _strings(cleaned))
    assert storable_json(cleaned) == cleaned


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ('{"a": "plain"}', False),
        ('{"a": "caf\\u00e9"}', False),
        ('{"a": "\\u0000"}', True),
        ('{"a": "\\ud83d"}', True),
        ('{"a": "\\uDE00"}', True),
        ('{"a": "\\ud83d\\ude00"}', True),  # a valid pair: a false alarm, harmless
        ('{"a": "é"}', False),
        ('{"a": "\ud83d"}', True),  # a raw surrogate in a str body
    ],
)
def test_json_check_table(text: str, flagged: bool) -> None:
    assert json_may_hold_unstorable(text) is flagged


def test_storable_json_cleans_keys_and_does_not_mutate_its_input() -> None:
    value = {"tags": {f"k{LONE_HIGH}": ["v\x00", 1, None]}, "n": 2}
    before = json.loads(json.dumps(value))
    expected = {"tags": {f"k{REPLACEMENT}": [f"v{REPLACEMENT}", 1, None]}, "n": 2}
    assert storable_json(value) == expected
    assert value == before


@pytest.mark.parametrize(
    ("address", "deliverable"),
    [
        ("jane@acme.example", True),
        ("jane.o'neil+tag@acme.example", True),
        ("josé@acme.example", True),  # SMTPUTF8 addresses exist
        ("用户@例子.example", True),
        ("jane doe@acme.example", True),  # odd, but no control character
        ("ja\x00ne@acme.example", False),
        (f"ja{LONE_HIGH}ne@acme.example", False),
        (f"ja{REPLACEMENT}ne@acme.example", False),
        ("ja\tne@acme.example", False),
        ("ja\x1bne@acme.example", False),
        ("jane@acme.example\r\nbcc:x@evil.example", False),
        ("ja\x7fne@acme.example", False),
        ("ja\x85ne@acme.example", False),
        ("ja\x9fne@acme.example", False),
    ],
)
def test_deliverable_address_table(address: str, deliverable: bool) -> None:
    assert is_deliverable_address(address) is deliverable
