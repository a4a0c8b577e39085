"""The one address rule (:func:`worker.domain.addresses.check_address`): what it accepts,
what it refuses and why, and that what it returns is exactly today's matching form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.domain.addresses import InvalidAddress, check_address, normalise_address

VALID = [
    # (given, what the log matches)
    ("jane@acme.example", "jane@acme.example"),
    ("Jane.Doe@Acme.Example", "jane.doe@acme.example"),
    ("  jane@acme.example\t", "jane@acme.example"),
    ('"Jane Doe" <Jane@Acme.example>', "jane@acme.example"),
    ("<jane@acme.example>", "jane@acme.example"),
    ("jane+invoices@acme.example", "jane+invoices@acme.example"),
    ("o'brien@acme.example", "o'brien@acme.example"),
    ("a@b.x", "a@b.x"),
    ("jane@mail.eu.acme.example", "jane@mail.eu.acme.example"),
    ("josé@bücher.example", "josé@bücher.example"),
    ("用户@例子.广告", "用户@例子.广告"),
    ("jane@xn--bcher-kva.example", "jane@xn--bcher-kva.example"),
    ("x@example.com", "x@example.com"),
]

INVALID = [
    # (given, words the reason holds)
    ("not-an-email", "@-sign"),
    ("", "empty"),
    ("   ", "empty"),
    ("<>", "empty"),
    ("jane@acme.example.", "end with a period"),
    ("jane.@acme.example", "period"),
    (".jane@acme.example", "start with a period"),
    ("ja..ne@acme.example", "two periods"),
    ("jane doe@acme.example", "SPACE"),
    ("jane@acme example", "invalid"),
    ("jane@@acme.example", "@"),
    ("a@b@acme.example", "@"),
    ("jane@", "@-sign"),
    ("@acme.example", "@-sign"),
    ("jane@localhost", "period"),
    ("jane@acme", "period"),
    ("jane@[192.0.2.1]", "bracketed"),
    ("jane@acme.test", "special-use"),
    ("jane@host.invalid", "special-use"),
    ('"jane doe"@acme.example', "quoting"),
    ("jane\x00@acme.example", "invalid"),
    ("jane\u200b@acme.example", "unsafe"),
    ("a" * 250 + "@acme.example", "too long"),
    ("jane@" + "a" * 250 + ".example", "too long"),
]


@pytest.mark.parametrize(("given", "matched"), VALID)
def test_an_address_is_accepted_and_matched_as_today(given: str, matched: str) -> None:
    assert check_address(given) == matched
    # Matching is unchanged: the rule returns today's normalisation, never its own form.
    assert check_address(given) == normalise_address(given)


@pytest.mark.parametrize(("given", "reason"), INVALID)
def test_what_is_not_an_address_is_refused_with_a_reason(given: str, reason: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        check_address(given)
    assert reason.lower() in caught.value.reason.lower()
    message = str(caught.value)
    assert "is not an email address" in message and "\n" not in message


def test_the_refusal_names_the_input_unmasked_and_short() -> None:
    with pytest.raises(InvalidAddress) as caught:
        check_address("jane.doe@acme.example.")
    assert str(caught.value).startswith("'jane.doe@acme.example.' is not an email address: ")
    assert caught.value.given == "jane.doe@acme.example."
    with pytest.raises(InvalidAddress) as long_one:
        check_address("x" * 500)
    assert len(str(long_one.value)) < 200


def test_the_rule_never_asks_dns() -> None:
    # A domain that does not exist (and never resolves) is fine: syntax only.
    assert check_address("jane@no-such-host.inboxgap-never-registered.example") == (
        "jane@no-such-host.inboxgap-never-registered.example"
    )


_ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-"
_DOMAINS = [
    "acme.example",
    "mail.eu.acme.example",
    "b.x",
    "acme",
    "acme.test",
    "host.invalid",
    "bücher.example",
    "xn--bcher-kva.example",
    "-acme.example",
    "acme-.example",
    "a_b.example",
    "acme..example",
    "123.example",
    "example.123",
    "a" * 64 + ".example",
    "a" * 63 + ".example",
    "x." + "a" * 250 + ".example",
]


@given(
    local=st.text(alphabet=_ATEXT + ".", min_size=1, max_size=70),
    domain=st.sampled_from(_DOMAINS),
)
@settings(max_examples=400, deadline=None)
def test_the_cached_plain_path_agrees_with_the_full_check(local: str, domain: str) -> None:
    # check_address skips email-validator's local-part rules for a plain dot-atom and
    # caches the domain's verdict: it must accept and refuse exactly what the full check
    # does, refusals keep the validator's reason.
    from email_validator import EmailNotValidError, validate_email

    address = f"{local}@{domain}"
    try:
        validate_email(address, check_deliverability=False)
        full_accepts = True
    except EmailNotValidError:
        full_accepts = False
    try:
        assert check_address(address) == address
        accepted = True
    except InvalidAddress:
        accepted = False
    assert accepted == full_accepts, address
