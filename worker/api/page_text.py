"""How the support page writes text that needs markup: links and times (Jinja helpers).

Both return :class:`markupsafe.Markup` built from escaped pieces, so the templates can
print them without ``|safe`` on anything a stranger wrote.

* :func:`linkify` turns the http(s) URLs in a line (the "Follow the link in the error
  text" step, the IT block's help link) into links that open in a new tab with
  ``rel="noopener noreferrer"``: the receiver's page gets neither a handle on ours
  (``window.opener``) nor the page's address (which holds the searched address).
* :func:`time_tag` writes a UTC time as ``<time datetime="...Z">2025-03-04 10:15:01
  UTC</time>``; ``/static/localtime.js`` adds the viewer's local time next to it, and
  without script the UTC time is what shows.
"""

from __future__ import annotations

import re
from datetime import UTC

from markupsafe import Markup, escape

from worker.domain.timestamps import parse_timestamp
from worker.queries.support_views import display_time

#: An http(s) URL up to the first space, quote or angle bracket (control characters end
#: it too).
_URL = re.compile(r"""https?://[^\s<>"'`\x00-\x1f\x7f]+""", re.IGNORECASE)
#: Sentence punctuation that ends a line's URL more often than it belongs to it.
_TRAILING = ".,;:!?)]}"


def link(url: str) -> Markup:
    """One external link (the URL is its own text)."""
    return Markup('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>').format(url)


def linkify(text: str | None) -> Markup:
    """``text`` escaped, with every http(s) URL in it made a link."""
    if not text:
        return Markup("")
    out: list[Markup] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        trimmed = url.rstrip(_TRAILING)
        if "://" not in trimmed or trimmed.endswith("://"):
            continue
        out.append(escape(text[position : match.start()]))
        out.append(link(trimmed))
        position = match.start() + len(trimmed)
    out.append(escape(text[position:]))
    return Markup("").join(out)


def time_tag(stamp: str | None) -> Markup:
    """A UTC time as a ``<time>`` element the local-time script can read; other text
    escaped as it is."""
    if not stamp:
        return Markup("")
    moment = parse_timestamp(stamp)
    if moment is None:
        return escape(stamp)
    machine = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup('<time datetime="{0}">{1}</time>').format(machine, display_time(stamp))


def percent(rate: float) -> str:
    """A share (0.0-1.0) as the page writes it: ``0.0213`` → ``2.1%``."""
    return f"{100 * rate:.1f}%"
