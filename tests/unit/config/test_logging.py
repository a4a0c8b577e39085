"""Address masking for logs: every form an address takes in practice, a property that
the local part never survives, the access-log target mask, and the stderr handler."""

from __future__ import annotations

import json
import logging
import sys
from io import StringIO

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from config.logging import configure_logging, mask_emails, mask_url


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("rejected jane@acme.example.", "rejected j***@acme.example."),
        ("To: Jane <Jane.Doe+tag@Acme.Example>", "To: Jane <J***@Acme.Example>"),
        ('"john smith"@acme.example', '"j***"@acme.example'),
        ('to "john \\"js\\" smith"@acme.example now', 'to "j***"@acme.example now'),
        ("user%40acme.example", "u***%40acme.example"),
        ("jane%2Btag%40acme.example", "j***%40acme.example"),
        ("jane@[192.0.2.1]", "j***@[192.0.2.1]"),
        ("jane@[IPv6:2001:db8::1]", "j***@[IPv6:2001:db8::1]"),
        ("jörg@bücher.example", "j***@bücher.example"),
        ("用户@例子.广告", "用***@例子.广告"),
        ("δοκιμή@παράδειγμα.δοκιμή", "δ***@παράδειγμα.δοκιμή"),
        ("x@xn--bcher-kva.example", "x***@xn--bcher-kva.example"),
        ("mailto:jane@acme.example", "mailto:j***@acme.example"),
        ("o'brien@acme.example", "o***@acme.example"),
        ("jane\uff20acme.example", "j***\uff20acme.example"),
        ("550 5.1.1 <bob@gmail.com>: user unknown", "550 5.1.1 <b***@gmail.com>: user unknown"),
        ("a@b and c@d.example", "a***@b and c***@d.example"),
        ("no address here, 100% sure", "no address here, 100% sure"),
        ("@handle and trailing@", "@handle and trailing@"),
    ],
)
def test_addresses_are_masked_in_every_form(text: str, masked: str) -> None:
    assert mask_emails(text) == masked


@pytest.mark.parametrize(
    ("target", "masked"),
    [
        (
            "/api/v1/notifications?email=jane%40acme.example&since=24h",
            "/api/v1/notifications?email=j***%40acme.example&since=24h",
        ),
        ("/api/v1/recipients/jane@acme.example", "/api/v1/recipients/j***@acme.example"),
        ("/?q=%22john%20smith%22%40acme.example", "/?q=%***%40acme.example"),
        ("/healthz", "/healthz"),
    ],
)
def test_request_targets_keep_route_and_names(target: str, masked: str) -> None:
    assert mask_url(target) == masked


# --- property: whatever the address, its local part does not survive -------------------

_ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&'*+-/=?^_`{|}~"
_letters = st.characters(categories=("Ll", "Lu", "Lo", "Nd"))
_atom = st.text(st.sampled_from(_ATEXT) | _letters, min_size=1, max_size=20)
_dot_atom = st.lists(_atom, min_size=1, max_size=3).map(".".join)
_quoted = st.text(
    st.characters(exclude_characters='"\\\r\n', exclude_categories=["Cs"]), min_size=1, max_size=30
).map(lambda inner: f'"{inner}"')
_label = st.text(_letters, min_size=1, max_size=12)
_domain_name = st.lists(_label, min_size=1, max_size=4).map(".".join)
_domain_literal = st.ip_addresses(v=4).map(lambda ip: f"[{ip}]")


@given(
    local=_dot_atom | _quoted,
    at=st.sampled_from(["@", "%40"]),
    domain=_domain_name | _domain_literal,
    before=st.sampled_from(["", " ", "to <", "(", "rcpt:", ", ", '"x" ']),
    after=st.sampled_from(["", " ", ">", ".", ", bounced", ")"]),
)
def test_masking_never_leaves_the_local_part(
    local: str, at: str, domain: str, before: str, after: str
) -> None:
    # A local part ending in *** reads as already masked and is left alone: it shows no
    # more than its own mask would.
    assume(not local.rstrip('"').endswith("***"))
    # A local part made only of asterisks is indistinguishable from its own mask.
    assume(local.strip('"*') != "")
    text = f"{before}{local}{at}{domain}{after}"
    masked = mask_emails(text)
    assert f"{local}{at}" not in masked
    if local.startswith('"'):
        expected = f'"{local[1]}***"{at}{domain}'
    else:
        expected = f"{local[0]}***{at}{domain}"
    assert expected in masked, (text, masked)
    if len(local) > 1:
        assert local not in masked.replace(domain, "")


@given(st.text(max_size=300))
def test_masking_is_total_and_idempotent(text: str) -> None:
    once = mask_emails(text)
    assert mask_emails(once) == once


# --- the set-up ------------------------------------------------------------------------


def test_the_handler_follows_stderr_and_masks_the_access_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_logging("INFO")
    try:
        first, second = StringIO(), StringIO()
        monkeypatch.setattr(sys, "stderr", first)
        logging.getLogger("inboxgap.test").info("to %s", "jane@acme.example")
        monkeypatch.setattr(sys, "stderr", second)  # e.g. click's runner swapped it
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/api/v1/notifications?email=jane%40acme.example&since=7d",
            "1.1",
            200,
        )
    finally:
        logging.getLogger().handlers = [
            h for h in logging.getLogger().handlers if not getattr(h, "_inboxgap", False)
        ]
    (line,) = [json.loads(x) for x in first.getvalue().splitlines()]
    assert line["event"] == "to j***@acme.example"
    (access,) = [json.loads(x) for x in second.getvalue().splitlines()]
    assert access["logger"] == "uvicorn.access"
    assert "/api/v1/notifications?email=j***%40acme.example&since=7d" in access["event"]
    assert "jane" not in second.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "GET /api/v1/notifications?email=j***%40acme.example&since=7d HTTP/1.1",
        '"j***"@acme.example',
        "x***@acme.example",
    ],
)
def test_masked_text_is_left_as_it_is(text: str) -> None:
    assert mask_emails(text) == text
