"""Whose problem a reply describes (outcomes.md, Bounces step 4), the provider code table,
the bounded diagnostic prefix and help links, and the classifier's totality on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.domain.classifier import (
    MAX_DIAGNOSTIC_CHARS,
    classify_bounce_entry,
    help_url_of,
    party_of,
    read_reply,
)
from worker.domain.diagnostic_rules import Party
from worker.domain.explanations import explain
from worker.domain.outcomes import STATUS_OF_REASON, Reason
from worker.domain.phrases import literal_needle
from worker.domain.provider_codes import PROVIDER_CODES, provider_code_in


def _bounce(diagnostic: str | None, status: str | None = "5.0.0", kind: str = "Permanent"):  # type: ignore[no-untyped-def]
    return classify_bounce_entry(
        bounce_type=kind,
        bounce_subtype="General",
        action="failed",
        status=status,
        diagnostic=diagnostic,
    )


# --- who refused what -------------------------------------------------------------------

#: (reply, reason, party): each pair shares its misleading words.
PAIRS = [
    (
        "550 5.1.8 <b@ex.com>: Sender address rejected: Domain not found",
        Reason.POLICY_BLOCKED,
        Party.SENDER,
    ),
    (
        "550 5.1.2 <u@ex.net>: Recipient address rejected: Domain not found",
        Reason.DOMAIN_NOT_FOUND,
        Party.RECIPIENT_DOMAIN,
    ),
    (
        "553 5.1.8 <b@ex.com>... Domain of sender address b@ex.com does not exist",
        Reason.POLICY_BLOCKED,
        Party.SENDER,
    ),
    ("550 5.1.1 <u@ex.net>... User unknown", Reason.MAILBOX_NOT_FOUND, Party.RECIPIENT),
    (
        "450 4.7.1 <h.ex.com>: Helo command rejected: Host not found",
        Reason.POLICY_BLOCKED,
        Party.SENDER,
    ),
    (
        "550 5.1.2 <u@ex.invalid>... Host unknown (Name server: ex.invalid: host not found)",
        Reason.DOMAIN_NOT_FOUND,
        Party.RECIPIENT_DOMAIN,
    ),
    ("550 Post by non-member to a members-only list", Reason.POLICY_BLOCKED, Party.SENDER),
    (
        "550 User u (u@ex.net) not listed in Domino Directory",
        Reason.MAILBOX_NOT_FOUND,
        Party.RECIPIENT,
    ),
    (
        "554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org",
        Reason.SENDER_BLOCKLISTED,
        Party.SENDER,
    ),
    ("550 5.7.1 Blacklisted URL in message", Reason.SPAM_FILTERED, Party.CONTENT),
    (
        "550 5.7.27 <b@ex.com>: Sender address rejected: Domain ex.com does not accept mail "
        "(nullMX)",
        Reason.POLICY_BLOCKED,
        Party.SENDER,
    ),
    (
        "556 5.1.10 <u@ex.net>: Recipient address rejected: Domain ex.net does not accept mail "
        "(nullMX)",
        Reason.DOMAIN_NOT_FOUND,
        Party.RECIPIENT_DOMAIN,
    ),
]


@pytest.mark.parametrize(("reply", "reason", "party"), PAIRS)
def test_whose_problem_decides_before_the_words(reply: str, reason: Reason, party: Party) -> None:
    verdict = _bounce(f"smtp; {reply}")
    assert verdict is not None
    assert (verdict.reason, verdict.party) == (reason, party)
    assert party_of(f"smtp; {reply}", None, verdict.reason) == party


def test_sender_codes_without_words_are_policy() -> None:
    for code in ("5.1.7", "5.1.8"):
        verdict = _bounce(f"smtp; 550 {code} rejected", status=code)
        assert verdict is not None and verdict.reason is Reason.POLICY_BLOCKED
        assert verdict.party is Party.SENDER


def test_a_sender_refusal_overrides_the_noemail_subtype() -> None:
    text = (
        "smtp; 550-5.1.1 The group you tried to contact (team) may not exist, or you may not "
        "have permission to post messages to the group."
    )
    refused = classify_bounce_entry(
        bounce_type="Permanent",
        bounce_subtype="NoEmail",
        action="failed",
        status="5.1.1",
        diagnostic=text,
    )
    missing = classify_bounce_entry(
        bounce_type="Permanent",
        bounce_subtype="NoEmail",
        action="failed",
        status="5.1.1",
        diagnostic="smtp; 550 5.1.1 <u@ex.net>: Recipient address rejected: User unknown",
    )
    assert refused is not None and refused.reason is Reason.POLICY_BLOCKED
    assert missing is not None and missing.reason is Reason.MAILBOX_NOT_FOUND


def test_5_7_27_alone_is_not_an_authentication_failure() -> None:
    verdict = _bounce("smtp; 550 5.7.27 see RFC 7505", status="5.7.27")
    assert verdict is not None and verdict.reason is Reason.POLICY_BLOCKED


def test_postfix_queue_suspension_is_not_a_suspended_mailbox() -> None:
    text = (
        "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<delivery "
        "temporarily suspended: connect to mx.ex.net[192.0.2.2]:25: Connection timed out>"
    )
    verdict = _bounce(text, status="4.4.7", kind="Transient")
    assert verdict is not None and verdict.reason is Reason.SOFT_BOUNCE


# --- provider codes ------------------------------------------------------------------------


def test_a_provider_code_decides_and_lends_its_documentation_link() -> None:
    verdict = _bounce("smtp; 554 5.7.1 cox.net rejected AUP#CXBL")
    assert verdict is not None
    assert verdict.reason is Reason.SENDER_BLOCKLISTED
    assert verdict.help_url is not None and "cox.com" in verdict.help_url


def test_a_link_in_the_reply_wins_over_the_documentation_link() -> None:
    verdict = _bounce(
        "smtp; 421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred; see "
        "https://postmaster.example.org/codes"
    )
    assert verdict is not None and verdict.help_url == "https://postmaster.example.org/codes"


def test_every_provider_code_is_well_formed() -> None:
    for code in PROVIDER_CODES:
        assert code.provider and code.meaning, code
        assert STATUS_OF_REASON[code.reason] is not None
        assert code.doc_url is None or code.doc_url.startswith(("https://", "http://"))


@pytest.mark.parametrize(
    ("text", "provider", "reason"),
    [
        (
            "550 SC-001 (BAY0-MC1) Unfortunately, messages from 192.0.2.1 weren't sent.",
            "Microsoft",
            Reason.SENDER_BLOCKLISTED,
        ),
        (
            "550 5.1.1 Adresse d au moins un destinataire invalide. OFR_416 [416]",
            "Orange",
            Reason.MAILBOX_NOT_FOUND,
        ),
        (
            "554 DT:SPM 163 smtp10,please see http://mail.163.com/help/help_spam_16.htm",
            "NetEase",
            Reason.SPAM_FILTERED,
        ),
    ],
)
def test_provider_code_table(text: str, provider: str, reason: Reason) -> None:
    found = provider_code_in(text, text.lower())
    assert found is not None and (found.provider, found.reason) == (provider, reason)


def test_literal_needles_are_in_every_match() -> None:
    assert literal_needle(r"rx\.t-online\.de.{0,40}\(BL\)") == "rx.t-online.de"
    assert literal_needle(r"\bLPN[0-9A-Z]*_(?:416)\b") == "lpn"
    assert literal_needle(r"foo.+bar baz") == "bar baz"


# --- bounded reading and links ------------------------------------------------------------


def test_only_a_bounded_prefix_is_read() -> None:
    tail = " user unknown" * 2
    text = "smtp; 550 " + "x" * (MAX_DIAGNOSTIC_CHARS + 10) + tail
    verdict = _bounce(text)
    assert verdict is not None and verdict.reason is Reason.HARD_BOUNCE
    assert len(read_reply(text).text) <= MAX_DIAGNOSTIC_CHARS


def test_words_after_the_prefix_of_a_huge_diagnostic_are_ignored() -> None:
    # A 250 KiB reply (a server quoting the message back): the spam word at its end lies
    # beyond the prefix, so the opening words decide.
    text = "smtp; 550 5.1.1 user unknown " + "x " * 125_000 + "spam"
    verdict = _bounce(text)
    assert verdict is not None and verdict.reason is Reason.MAILBOX_NOT_FOUND


@pytest.mark.parametrize("control", ["\x1b", "\x00", "\x07", "\x7f"])
def test_help_link_stops_at_a_control_character(control: str) -> None:
    text = f"550 see https://ex.org/help{control}[0m more"
    assert help_url_of(text) == "https://ex.org/help"


# --- explanations follow the split --------------------------------------------------------


def test_our_side_advice_for_a_refused_sender() -> None:
    ours = explain(Reason.POLICY_BLOCKED, recipient_domain="acme.example", party=Party.SENDER)
    theirs = explain(Reason.POLICY_BLOCKED, recipient_domain="acme.example")
    assert "our side" in ours.as_text()
    assert "not their address" in ours.headline
    assert not any("Ask their IT team" in step for step in ours.next_steps)
    assert any("Ask their IT team" in step for step in theirs.next_steps)


def test_party_only_changes_reasons_that_assume_their_side() -> None:
    for reason in (Reason.MAILBOX_NOT_FOUND, Reason.AUTH_FAILED, Reason.ACCEPTED):
        assert explain(reason, party="sender") == explain(reason)


# --- totality -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    diagnostic=st.one_of(st.none(), st.text(max_size=400)),
    status=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["5.1.1", "4.4.7"])),
    kind=st.sampled_from(["Permanent", "Transient", "Undetermined", "", "weird"]),
    subtype=st.sampled_from(["General", "NoEmail", "ContentRejected", "Suppressed", "x"]),
)
def test_never_raises_on_arbitrary_text(
    diagnostic: str | None, status: str | None, kind: str, subtype: str
) -> None:
    verdict = classify_bounce_entry(
        bounce_type=kind,
        bounce_subtype=subtype,
        action="failed",
        status=status,
        diagnostic=diagnostic,
        reporting_mta=diagnostic,
        remote_mta=status,
    )
    if verdict is not None:
        assert verdict.status is STATUS_OF_REASON[verdict.reason]
    party_of(diagnostic, status)


# --- the needle index finds what a plain scan finds ------------------------------------------


def test_needle_index_agrees_with_a_plain_scan_on_every_real_reply() -> None:
    from tests.unit.domain.world_cases import ALL_CASES
    from worker.domain.diagnostic_rules import DECISIVE_PHRASES, SENDER_PHRASES
    from worker.domain.word_rules import POLICY_RULE, WORD_RULES

    lists = [SENDER_PHRASES, *(p for _, _, p in DECISIVE_PHRASES)]
    lists += [rule.phrases for rule in (*WORD_RULES, POLICY_RULE) if rule.phrases is not None]
    for case in ALL_CASES:
        reply = read_reply(case.diagnostic)
        for phrases in lists:
            indexed = phrases.search(reply.words, present=reply.present)
            assert indexed == phrases.search(reply.words, reply.lowered), case.case_id


@given(st.text(max_size=200))
def test_needle_index_agrees_with_a_plain_scan_on_any_text(text: str) -> None:
    from worker.domain.diagnostic_rules import SENDER_PHRASES
    from worker.domain.word_rules import WORD_RULES

    reply = read_reply(text)
    for phrases in (SENDER_PHRASES, *(rule.phrases for rule in WORD_RULES if rule.phrases)):
        assert phrases.search(reply.words, present=reply.present) == phrases.search(
            reply.words, reply.lowered
        )
