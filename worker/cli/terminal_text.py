"""Remote text made safe for a terminal: one pure function every CLI path uses.

Text the CLI prints may come from a stranger: a receiving server's diagnostic, a Subject
or From header, a host name, a help URL, a tag value, a dead letter's body. Printed as
it is, an ``ESC`` starts a CSI/OSC sequence the terminal obeys (clear the screen, set the
window title, add a hyperlink), ``\\r`` plus ``ESC[K`` overwrites a line with fake text
("delivered OK"), and bidi overrides reorder what the reader sees. So
:func:`terminal_text` shows every such character as a visible escape (``\\x1b``,
``\\r``, ``\\u202e``) instead of sending it: nothing is interpreted and nothing is
silently lost, so an IT administrator still sees that the server sent it.

Rich markup is a second interpreter: strings handed to Rich tables and panels are parsed
for ``[bold red]``-style tags. :mod:`worker.cli.render` wraps remote text in
:class:`rich.text.Text` (never parsed) after passing it through here.
"""

from __future__ import annotations

import re

__all__ = ["terminal_lines", "terminal_text"]

#: Characters a terminal (or a bidi-aware renderer) would act on rather than draw:
#: C0 controls and DEL, C1 controls (U+0080-U+009F; U+009B is a one-byte CSI on some
#: terminals), line/paragraph separators, the bidi embeddings/overrides/isolates and
#: marks, and lone surrogates (which cannot even be encoded for output).
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(value: object) -> str:
    """``value`` as text that draws exactly as shown and never acts on the terminal.

    Tabs become one space (harmless, but they break column layouts); every other
    control, C1, separator, bidi and surrogate character is replaced by its visible
    escape: ``"\\x1b[2J"`` → ``"\\\\x1b[2J"``. ``None`` is ``""``.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to do
    return _UNSAFE.sub(_visible, text.replace("\t", " "))


def terminal_lines(text: str) -> str:
    """Our own multi-line text that quotes remote text: each ``\\n``-separated line
    made safe by :func:`terminal_text`, the line breaks kept (only ``\\n``: a ``\\r``
    is still shown, never obeyed)."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))
