"""The page's text helpers: help URLs become safe links, UTC times become <time> tags."""

from __future__ import annotations

import pytest

from worker.api.page_text import linkify, percent, time_tag

LINK = '<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>'


def test_a_url_in_a_step_becomes_a_link_that_opens_safely() -> None:
    step = "Follow the link in the error text: https://support.google.com/mail/?p=NoSuchUser"
    expected_url = "https://support.google.com/mail/?p=NoSuchUser"
    assert str(linkify(step)) == ("Follow the link in the error text: " + LINK.format(expected_url))


@pytest.mark.parametrize(
    ("text", "url", "after"),
    [
        ("see https://x.example/a.", "https://x.example/a", "."),
        ("(https://x.example/a)", "https://x.example/a", ")"),
        ("https://x.example/a?b=1&c=2 next", "https://x.example/a?b=1&amp;c=2", " next"),
    ],
)
def test_trailing_punctuation_stays_outside_and_ampersands_are_escaped(
    text: str, url: str, after: str
) -> None:
    html = str(linkify(text))
    assert LINK.format(url) in html
    assert html.endswith(after)


def test_what_a_stranger_wrote_is_escaped_and_only_http_links() -> None:
    html = str(linkify('<b>hi</b> javascript:alert(1) https://a.example/"><script>x</script>'))
    assert "<b>" not in html and "<script>" not in html
    assert 'href="javascript' not in html
    assert html.count("<a ") == 1 and 'href="https://a.example/"' in html
    assert str(linkify("no link here")) == "no link here"
    assert str(linkify(None)) == ""


def test_time_tag_keeps_utc_text_and_a_machine_readable_time() -> None:
    assert str(time_tag("2025-03-04T10:15:01.123Z")) == (
        '<time datetime="2025-03-04T10:15:01Z">2025-03-04 10:15:01 UTC</time>'
    )
    assert str(time_tag("2025-03-04T11:15:01+01:00")) == (
        '<time datetime="2025-03-04T10:15:01Z">2025-03-04 10:15:01 UTC</time>'
    )
    assert str(time_tag("not a time <x>")) == "not a time &lt;x&gt;"
    assert str(time_tag(None)) == ""


def test_percent() -> None:
    assert percent(0.0213) == "2.1%"
    assert percent(0.0) == "0.0%"
    assert percent(1.0) == "100.0%"
