"""What support is told (outcomes.md, "What support is told"): every reason has a headline
and next steps for both kinds of mailbox, in plain words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worker.domain.explanations import (
    ADVICE,
    NEVER_SENT,
    Explanation,
    MailboxKind,
    explain,
    mailbox_kind,
    never_sent,
    sent_no_feedback_yet,
)
from worker.domain.outcomes import Reason

KINDS = {MailboxKind.COMPANY: "acme.example", MailboxKind.CONSUMER: "gmail.com"}
SPEC = Path(__file__).resolve().parents[3] / "docs" / "spec" / "outcomes.md"
SHARED_SPEC = Path("/work/shared/spec/outcomes.md")


def _all_texts(explanation: Explanation) -> list[str]:
    return [explanation.headline, *explanation.next_steps]


def _every_explanation() -> list[Explanation]:
    out: list[Explanation] = []
    for reason in Reason:
        for domain in KINDS.values():
            for occurred_at in (None, "2025-03-04T10:15:01.123Z"):
                out.append(explain(reason, recipient_domain=domain, occurred_at=occurred_at))
    out += [NEVER_SENT, sent_no_feedback_yet(None), sent_no_feedback_yet(0.2)]
    out += [sent_no_feedback_yet(5), sent_no_feedback_yet(300, recipient_domain="gmail.com")]
    return out


# --- completeness ------------------------------------------------------------------------


def test_every_reason_has_advice() -> None:
    assert set(ADVICE) == set(Reason)


def test_every_reason_in_the_contract_has_advice() -> None:
    """The reasons listed in the contract's table, read from the document itself."""
    spec = next((p for p in (SPEC, SHARED_SPEC) if p.exists()), None)
    if spec is None:
        pytest.skip("outcomes.md not found")
    table = spec.read_text(encoding="utf-8").split("## Reasons", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"^\| \w+ \| `(\w+)` \|", table, flags=re.MULTILINE))
    assert len(names) == len(Reason)
    for name in names:
        assert Reason(name) in ADVICE


@pytest.mark.parametrize("reason", list(Reason))
@pytest.mark.parametrize("kind", list(MailboxKind))
def test_headline_and_steps_for_both_kinds(reason: Reason, kind: MailboxKind) -> None:
    explanation = explain(reason, recipient_domain=KINDS[kind])
    assert explanation.audience is kind
    assert explanation.headline.strip()
    assert len(explanation.next_steps) >= 1
    assert all(step.strip() for step in explanation.next_steps)
    assert len(explanation.next_steps) <= 6, "keep the list short"


def test_no_raw_identifiers_placeholders_or_markers() -> None:
    identifiers = {reason.value for reason in Reason if "_" in reason.value}
    for explanation in _every_explanation():
        for text in _all_texts(explanation):
            assert "{" not in text and "}" not in text, text
            assert "\x00" not in text, text
            assert "_" not in text, text  # no snake_case identifier leaks to a customer
            assert not any(identifier in text for identifier in identifiers), text
            assert text == text.strip() and "  " not in text, text


def test_plain_words_no_unglossed_jargon() -> None:
    """Jargon appears only next to its explanation, in at least one text of the reason."""
    for reason in Reason:
        for kind in MailboxKind:
            explanation = explain(reason, recipient_domain=KINDS[kind])
            text = " ".join(_all_texts(explanation))
            if "SPF" in text and reason in (Reason.AUTH_FAILED, Reason.SENDER_BLOCKLISTED):
                assert "comes from us" in text
            if "allowlist" in text:
                assert "mark as trusted" in text
            if "suppression list" in text and reason is Reason.SUPPRESSED:
                assert "do-not-send" in text
            assert "MTA" not in text and "DSN" not in text and "SMTP" not in text


# --- who runs the mailbox ------------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "GMAIL.COM",
        " gmail.com. ",
        "jane@gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.com.br",
        "ymail.com",
        "rocketmail.com",
        "aol.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.fr",
        "live.co.uk",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "fastmail.com",
        "comcast.net",
    ],
)
def test_consumer_domains(domain: str) -> None:
    assert mailbox_kind(domain) is MailboxKind.CONSUMER


@pytest.mark.parametrize(
    "domain",
    ["acme.example", "live.acme.com", "yahoo.example", "gmail.com.evil.example", "", None],
)
def test_other_domains_are_companies(domain: str | None) -> None:
    assert mailbox_kind(domain) is MailboxKind.COMPANY


@pytest.mark.parametrize(
    "provider",
    ["Mimecast", "Proofpoint", "Barracuda", "Cisco", "Sophos", "Trend Micro", "Symantec",
     "Forcepoint", "Hornetsecurity", "trendmicro", "MIMECAST"],
)  # fmt: skip
def test_a_security_gateway_means_a_company_even_with_a_consumer_domain(provider: str) -> None:
    # Decided: what the server said beats what the address looks like. Only organisations
    # run gateways, so a gateway answering for a gmail.com address means the mail went
    # through some organisation's system (alias, forwarding) whose IT can find it.
    assert mailbox_kind("gmail.com", provider) is MailboxKind.COMPANY
    assert mailbox_kind(None, provider) is MailboxKind.COMPANY


def test_google_and_microsoft_host_companies_too_so_the_domain_decides() -> None:
    assert mailbox_kind("acme.example", "Gmail") is MailboxKind.COMPANY
    assert mailbox_kind("gmail.com", "Gmail") is MailboxKind.CONSUMER
    assert mailbox_kind("acme.example", "Microsoft") is MailboxKind.COMPANY
    assert mailbox_kind("outlook.com", "Microsoft") is MailboxKind.CONSUMER


def test_yahoo_and_apple_host_personal_mailboxes() -> None:
    assert mailbox_kind(None, "Yahoo") is MailboxKind.CONSUMER
    assert mailbox_kind("family.example", "Apple") is MailboxKind.CONSUMER


def test_blocklists_say_nothing_about_the_mailbox() -> None:
    for blocklist in ("Spamhaus", "SpamCop", "SORBS", "Cloudmark"):
        assert mailbox_kind("acme.example", blocklist) is MailboxKind.COMPANY
        assert mailbox_kind("gmail.com", blocklist) is MailboxKind.CONSUMER


# --- specific advice -------------------------------------------------------------------


def test_accepted_advice_per_kind() -> None:
    consumer = explain(Reason.ACCEPTED, recipient_domain="gmail.com")
    company = explain(Reason.ACCEPTED, recipient_domain="acme.example")
    consumer_text = " ".join(consumer.next_steps).lower()
    company_text = " ".join(company.next_steps)
    assert "spam" in consumer_text and "junk" in consumer_text
    assert "contacts" in consumer_text and "safe senders" in consumer_text
    assert "all mail" in consumer_text
    assert "IT team" not in " ".join(consumer.next_steps), "no IT team behind a consumer box"
    assert "IT team" in company_text and "amazonses.com" in company_text
    assert "quarantine" in company_text and "forwarding" in company_text


def test_accepted_headline_gives_the_time_and_says_what_is_on_their_side() -> None:
    timed = explain(Reason.ACCEPTED, occurred_at="2025-03-04T10:15:01.123Z")
    assert "2025-03-04 10:15 UTC" in timed.headline
    assert "spam filters" in timed.headline and "forwarding" in timed.headline
    untimed = explain(Reason.ACCEPTED)
    assert "accepted it." in untimed.headline


def test_time_in_other_offsets_and_free_text() -> None:
    assert (
        "2025-03-04 10:15 UTC"
        in explain(Reason.ACCEPTED, occurred_at="2025-03-04T11:15:00+01:00").headline
    )
    assert "yesterday 9am" in explain(Reason.ACCEPTED, occurred_at="yesterday 9am").headline
    assert explain(Reason.ACCEPTED, occurred_at="  ").headline == explain(Reason.ACCEPTED).headline


def test_suppressed_says_how_it_is_lifted() -> None:
    for domain in KINDS.values():
        text = " ".join(explain(Reason.SUPPRESSED, recipient_domain=domain).next_steps)
        assert "--unsuppress" in text
        assert "Amazon SES console" in text
        assert "14 days" in text
        assert "wants our email" in text


def test_complaint_says_the_address_may_be_blocked_and_how_to_lift_it() -> None:
    text = " ".join(explain(Reason.COMPLAINT, recipient_domain="gmail.com").next_steps)
    assert "--unsuppress" in text and "not spam" in text


def test_blocklisted_explains_shared_servers() -> None:
    company = explain(Reason.SENDER_BLOCKLISTED, recipient_domain="acme.example")
    assert "shared" in company.headline and "SPF" in company.headline
    assert "not a sign" in company.headline
    steps = " ".join(company.next_steps)
    assert "amazonses.com" in steps and "dedicated" in steps


def test_mailbox_not_found_mentions_spelling_and_group_addresses() -> None:
    text = " ".join(explain(Reason.MAILBOX_NOT_FOUND, recipient_domain="acme.example").next_steps)
    assert "typos" in text and "distribution list" in text and "another address" in text


def test_mailbox_full_asks_to_free_space() -> None:
    text = " ".join(explain(Reason.MAILBOX_FULL, recipient_domain="gmail.com").next_steps)
    assert "delete old mail" in text


def test_help_url_adds_a_step() -> None:
    url = "https://support.google.com/mail/?p=NoSuchUser"
    for reason in Reason:
        for domain in KINDS.values():
            steps = explain(reason, recipient_domain=domain, help_url=url).next_steps
            assert steps.count(f"Follow the link in the error text: {url}") == 1, reason


def test_help_url_replaces_the_generic_link_hint() -> None:
    url = "https://www.spamhaus.org/query/ip/192.0.2.80"
    without = explain(Reason.SENDER_BLOCKLISTED).next_steps
    with_url = explain(Reason.SENDER_BLOCKLISTED, help_url=url).next_steps
    assert any("If the error text has a link" in step for step in without)
    assert not any("If the error text has a link" in step for step in with_url)
    assert with_url[0] == f"Follow the link in the error text: {url}"


@pytest.mark.parametrize("bad", ["", "   ", "javascript:alert(1)", "not a url", "https://a b"])
def test_help_url_that_is_not_a_web_link_is_ignored(bad: str) -> None:
    steps = explain(Reason.HARD_BOUNCE, help_url=bad).next_steps
    assert not any(step.startswith("Follow the link") for step in steps)


def test_a_named_gateway_is_mentioned_for_quarantines_only() -> None:
    held = explain(Reason.SECURITY_GATEWAY, recipient_domain="acme.example", provider="Mimecast")
    assert held.audience is MailboxKind.COMPANY
    assert any("Mimecast" in step for step in held.next_steps)
    full = explain(Reason.MAILBOX_FULL, recipient_domain="acme.example", provider="Mimecast")
    assert not any("Mimecast" in step for step in full.next_steps)


def test_explain_accepts_the_string_value() -> None:
    assert explain(Reason("accepted")) == explain(Reason.ACCEPTED)


# --- lookups that are not a reason --------------------------------------------------------


def test_never_sent() -> None:
    assert "no record of sending" in NEVER_SENT.headline
    text = " ".join(NEVER_SENT.next_steps)
    assert "address" in text and "period" in text and "app really sent" in text
    assert never_sent("gmail.com").audience is MailboxKind.CONSUMER


@pytest.mark.parametrize(
    ("minutes", "phrase"),
    [
        (0.3, "Sent less than a minute ago"),
        (1, "Sent 1 minute ago"),
        (12, "Sent 12 minutes ago"),
        (119, "Sent 119 minutes ago"),
        (150, "Sent about 2 hours ago"),
    ],
)
def test_sent_no_feedback_yet(minutes: float, phrase: str) -> None:
    explanation = sent_no_feedback_yet(minutes)
    assert explanation.headline.startswith(phrase)
    assert "no answer yet" in explanation.headline and "seconds" in explanation.headline
    assert explanation.next_steps


def test_sent_long_ago_adds_advice() -> None:
    assert len(sent_no_feedback_yet(90).next_steps) > len(sent_no_feedback_yet(5).next_steps)


def test_as_text() -> None:
    text = explain(Reason.MAILBOX_FULL).as_text()
    lines = text.splitlines()
    assert lines[0].startswith("Not delivered")
    assert all(line.startswith("- ") for line in lines[1:])
