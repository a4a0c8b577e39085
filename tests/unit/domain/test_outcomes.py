"""The reason table: every reason has one entry and the derived sets follow the spec."""

from __future__ import annotations

import pytest

from worker.domain.alert_rules import HARD_BOUNCE_REASONS, NOT_ATTEMPTED_REASONS
from worker.domain.outcomes import (
    RANK_COMPLAINT,
    RANK_FAILED,
    REASONS,
    STATUS_OF_REASON,
    Reason,
    Status,
    rank_of,
    reasons_where,
)
from worker.queries.support import ADDRESS_FAILURE_REASONS


def test_every_reason_has_an_entry() -> None:
    assert set(REASONS) == set(Reason)
    assert {reason: spec.status for reason, spec in REASONS.items()} == STATUS_OF_REASON


def test_bounce_rate_reasons_are_the_permanent_address_failures() -> None:
    # outcomes.md: AWS counts permanent failures of the address or domain.
    assert {
        Reason.MAILBOX_NOT_FOUND,
        Reason.DOMAIN_NOT_FOUND,
        Reason.MAILBOX_DISABLED,
        Reason.HARD_BOUNCE,
    } == HARD_BOUNCE_REASONS


def test_not_attempted_reasons_are_the_sends_ses_refused() -> None:
    assert {Reason.SUPPRESSED, Reason.REJECTED, Reason.RENDERING_FAILURE} == NOT_ATTEMPTED_REASONS


def test_address_failures_are_hard_bounces_suppressions_and_complaints() -> None:
    assert HARD_BOUNCE_REASONS | {Reason.SUPPRESSED, Reason.COMPLAINT} == ADDRESS_FAILURE_REASONS


@pytest.mark.parametrize("reason", list(Reason))
def test_only_bounced_reasons_count_in_the_bounce_rate(reason: Reason) -> None:
    spec = REASONS[reason]
    if spec.counts_in_bounce_rate or not spec.delivery_attempted:
        assert spec.status is Status.BOUNCED


@pytest.mark.parametrize("reason", list(Reason))
def test_final_reasons_outrank_the_rest_and_complaint_wins(reason: Reason) -> None:
    status = REASONS[reason].status
    if reason is Reason.COMPLAINT:
        assert rank_of(reason) == RANK_COMPLAINT
    elif status in (Status.BOUNCED, Status.QUARANTINED):
        assert rank_of(reason) == RANK_FAILED
    else:
        assert rank_of(reason) < RANK_FAILED


def test_reasons_where_filters_by_spec() -> None:
    assert reasons_where(lambda spec: spec.status is Status.SENT) == {
        Reason.AWAITING_FEEDBACK,
        Reason.DELIVERY_DELAYED,
    }
