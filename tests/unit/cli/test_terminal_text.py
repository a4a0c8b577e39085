"""Remote text on a terminal: escape sequences and controls are shown, never obeyed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.cli.terminal_text import terminal_lines, terminal_text


@pytest.mark.parametrize(
    ("remote", "shown"),
    [
        ("plain text 550 5.1.1", "plain text 550 5.1.1"),
        ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),  # clear screen, cursor home
        ("\x1b]0;pwned\x07title", "\\x1b]0;pwned\\x07title"),  # OSC 0: window title, BEL
        (
            "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
            "\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
        ),
        ("550 rejected\r\x1b[Kdelivered OK", "550 rejected\\r\\x1b[Kdelivered OK"),
        ("bad\x08\x08\x08ok", "bad\\x08\\x08\\x08ok"),  # backspaces over the text
        ("line one\nline two", "line one\\nline two"),
        ("\x9b2J C1 CSI", "\\x9b2J C1 CSI"),
        ("\x85next line \x7f", "\\x85next line \\x7f"),
        ("user\u202egnp.exe", "user\\u202egnp.exe"),  # right-to-left override
        ("\u2066isolate\u2069 \u200fmark", "\\u2066isolate\\u2069 \\u200fmark"),
        ("sep\u2028arator", "sep\\u2028arator"),
        ("lone \ud83d surrogate", "lone \\ud83d surrogate"),
        ("a\tb", "a b"),
        ("[bold red]delivered[/]", "[bold red]delivered[/]"),  # markup is Rich's concern
        ("jörg@bücher.example 用户 ✓", "jörg@bücher.example 用户 ✓"),
        (None, ""),
        (550, "550"),
    ],
)
def test_escapes_are_made_visible(remote: object, shown: str) -> None:
    assert terminal_text(remote) == shown


def test_lines_keep_our_line_breaks_only() -> None:
    assert terminal_lines("head\nserver said \x1b[31m\rok") == "head\nserver said \\x1b[31m\\rok"


@given(st.text())
def test_nothing_a_terminal_acts_on_survives(text: str) -> None:
    shown = terminal_text(text)
    shown.encode("utf-8")  # no lone surrogate left: printable on any UTF-8 terminal
    for char in shown:
        code = ord(char)
        assert code >= 0x20 and not 0x7F <= code <= 0x9F, repr(char)
        assert char not in "\u061c\u200e\u200f\u2028\u2029"
        assert not 0x202A <= code <= 0x202E and not 0x2066 <= code <= 0x2069


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf"))))
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert terminal_text(text) == text
