"""The alert rules as pure functions: table tests per rule, plus properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from worker.bootstrap.alerts import default_thresholds
from worker.domain.alert_rules import (
    ACCOUNT_KEY,
    AlertSnapshot,
    BacklogSample,
    Condition,
    OutcomeCounts,
    ReputationSample,
    Rule,
    Scope,
    Severity,
    SpikeSample,
    backlog_conditions,
    describe,
    evaluate,
    format_window,
    reputation_conditions,
    spike_conditions,
    spike_threshold,
    strongest,
    tally,
)

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
T = default_thresholds()
M15 = timedelta(minutes=15)
H1 = timedelta(hours=1)


def counts(**kw: int) -> OutcomeCounts:
    return OutcomeCounts(**kw)


# --------------------------------------------------------------------------- tally


def test_tally_sorts_reasons_into_outcome_classes() -> None:
    got = tally(
        [
            ("delivered", "accepted", 100),
            ("bounced", "mailbox_not_found", 5),
            ("bounced", "domain_not_found", 1),
            ("bounced", "mailbox_disabled", 1),
            ("bounced", "hard_bounce", 1),
            ("bounced", "soft_bounce", 3),
            ("bounced", "mailbox_full", 2),
            ("bounced", "suppressed", 7),
            ("bounced", "rejected", 1),
            ("bounced", "rendering_failure", 1),
            ("quarantined", "security_gateway", 4),
            ("quarantined", "complaint", 2),
            ("sent", "awaiting_feedback", 10),
            ("unknown", "no_feedback", 1),
            ("future", "new_reason", 1),
        ]
    )
    assert got == OutcomeCounts(
        sent=140,
        delivered=100,
        bounced=22,
        hard_bounced=8,
        not_attempted=9,
        quarantined=4,
        complaints=2,
    )
    assert got.eligible == 131
    assert got.delivered_or_complained == 102


# --------------------------------------------------------------------------- reputation


@pytest.mark.parametrize(
    ("eligible", "hard", "expected"),
    [
        (10_000, 499, None),  # 4.99 %: healthy
        (10_000, 500, (Severity.WARNING, 0.05)),  # exactly 5 %: under review
        (10_000, 999, (Severity.WARNING, 0.05)),
        (10_000, 1_000, (Severity.CRITICAL, 0.10)),  # exactly 10 %: may be paused
        (999, 500, None),  # below the minimum volume: never
        (1_000, 100, (Severity.CRITICAL, 0.10)),  # exactly the minimum volume
    ],
)
def test_bounce_rate_thresholds(
    eligible: int, hard: int, expected: tuple[Severity, float] | None
) -> None:
    sample = ReputationSample(
        counts(sent=eligible, hard_bounced=hard, bounced=hard, delivered=eligible - hard),
        timedelta(days=3),
    )
    found = [c for c in reputation_conditions(sample, T) if c.rule is Rule.BOUNCE_RATE]
    if expected is None:
        assert found == []
    else:
        (c,) = found
        assert (c.severity, c.threshold) == expected
        assert c.value == pytest.approx(hard / eligible)
        assert (c.scope, c.key, c.window) == (Scope.ACCOUNT, ACCOUNT_KEY, "3d")


def test_bounce_rate_counts_hard_bounces_over_attempted_sends_only() -> None:
    # 2,000 sends: 1,000 never attempted (suppressed), 60 hard bounces, 500 soft bounces.
    sample = ReputationSample(
        counts(sent=2_000, not_attempted=1_000, hard_bounced=60, bounced=1_560, delivered=440),
        timedelta(days=1),
    )
    (c,) = [c for c in reputation_conditions(sample, T) if c.rule is Rule.BOUNCE_RATE]
    assert c.value == pytest.approx(60 / 1_000)
    assert c.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("delivered", "complaints", "expected"),
    [
        (10_000, 9, None),
        (9_990, 10, (Severity.WARNING, 0.001)),  # 10 / 10,000 = 0.1 %
        (9_950, 50, (Severity.CRITICAL, 0.005)),  # 0.5 %
        (900, 50, None),  # under the minimum delivered volume
    ],
)
def test_complaint_rate_is_over_delivered_mail(
    delivered: int, complaints: int, expected: tuple[Severity, float] | None
) -> None:
    sample = ReputationSample(
        counts(sent=50_000, delivered=delivered, complaints=complaints), timedelta(days=7)
    )
    found = [c for c in reputation_conditions(sample, T) if c.rule is Rule.COMPLAINT_RATE]
    if expected is None:
        assert found == []
    else:
        (c,) = found
        assert (c.severity, c.threshold) == expected
        assert c.value == pytest.approx(complaints / (delivered + complaints))


# --------------------------------------------------------------------------- spikes


def spike(
    current: OutcomeCounts,
    baseline: OutcomeCounts = OutcomeCounts(),
    *,
    scope: Scope = Scope.DOMAIN,
    key: str = "acme-corp.example",
    window: timedelta = M15,
) -> SpikeSample:
    return SpikeSample(scope, key, window, current, baseline)


def test_gateway_quarantining_everything_fires_critical() -> None:
    sample = spike(
        counts(sent=40, quarantined=40),
        counts(sent=5_000, delivered=4_990, quarantined=10),
    )
    (c,) = spike_conditions([sample], T)
    assert (c.rule, c.scope, c.key, c.window) == (
        Rule.QUARANTINE_SPIKE,
        Scope.DOMAIN,
        "acme-corp.example",
        "15m",
    )
    assert c.severity is Severity.CRITICAL
    assert c.value == 1.0
    assert c.threshold == pytest.approx(0.002 + 0.05)


def test_one_bounce_at_a_small_domain_does_not_fire() -> None:
    assert spike_conditions([spike(counts(sent=1, bounced=1))], T) == []


def test_below_minimum_count_does_not_fire_even_at_100_percent() -> None:
    assert spike_conditions([spike(counts(sent=9, quarantined=9))], T) == []


def test_rate_must_be_a_multiple_of_the_baseline() -> None:
    # A domain that always bounces 40 %: 45 % now is not a spike (needs 3x = 120 %).
    baseline = counts(sent=10_000, bounced=4_000, delivered=6_000)
    assert spike_conditions([spike(counts(sent=100, bounced=45), baseline)], T) == []


def test_rate_must_be_an_absolute_delta_above_the_baseline() -> None:
    # 0.1 % baseline, 4 % now: 40x, but only 3.9 points above: no.
    baseline = counts(sent=100_000, bounced=100)
    assert spike_conditions([spike(counts(sent=1_000, bounced=40), baseline)], T) == []
    (c,) = spike_conditions([spike(counts(sent=1_000, bounced=60), baseline)], T)
    assert c.severity is Severity.WARNING


def test_new_key_without_baseline_can_fire() -> None:
    (c,) = spike_conditions([spike(counts(sent=20, bounced=12), scope=Scope.TYPE, key="x")], T)
    assert (c.rule, c.scope, c.key) == (Rule.BOUNCE_SPIKE, Scope.TYPE, "x")


def test_complaint_spike() -> None:
    (c,) = spike_conditions([spike(counts(sent=200, complaints=15, delivered=185))], T)
    assert c.rule is Rule.COMPLAINT_SPIKE


@given(
    sent=st.integers(1, 10_000),
    failed_share=st.floats(0, 1),
    base_sent=st.integers(0, 100_000),
    base_share=st.floats(0, 1),
)
def test_spike_fires_iff_all_three_conditions(
    sent: int, failed_share: float, base_sent: int, base_share: float
) -> None:
    failed = int(sent * failed_share)
    base_failed = int(base_sent * base_share)
    sample = spike(counts(sent=sent, bounced=failed), counts(sent=base_sent, bounced=base_failed))
    fired = bool(spike_conditions([sample], T))
    rate = failed / sent
    base_rate = base_failed / base_sent if base_sent else 0.0
    # Away from the float boundary, where "a - b >= d" and "a >= b + d" may disagree.
    assume(abs(rate - base_rate * T.spike_ratio) > 1e-9)
    assume(abs(rate - base_rate - T.spike_min_delta) > 1e-9)
    expected = (
        failed >= T.spike_min_count
        and rate >= base_rate * T.spike_ratio
        and rate - base_rate >= T.spike_min_delta
    )
    assert fired == expected
    assert spike_threshold(base_rate, T) >= base_rate


# --------------------------------------------------------------------------- backlog


def test_silence_after_n_minutes_with_recent_sends() -> None:
    sample = BacklogSample(recent_sends=50, last_feedback_at=NOW - timedelta(minutes=31))
    (c,) = backlog_conditions(sample, T, NOW)
    assert (c.rule, c.severity, c.value, c.threshold, c.window) == (
        Rule.FEEDBACK_SILENCE,
        Severity.WARNING,
        31.0,
        30.0,
        "30m",
    )


@pytest.mark.parametrize(
    ("sends", "quiet", "expected"),
    [
        (50, timedelta(minutes=29), None),
        (9, timedelta(hours=5), None),  # too few sends to tell
        (50, timedelta(minutes=60), Severity.CRITICAL),
        (50, None, Severity.CRITICAL),  # no feedback ever applied
    ],
)
def test_silence_table(sends: int, quiet: timedelta | None, expected: Severity | None) -> None:
    last = NOW - quiet if quiet is not None else None
    found = backlog_conditions(BacklogSample(recent_sends=sends, last_feedback_at=last), T, NOW)
    assert [c.severity for c in found] == ([expected] if expected else [])


def test_silence_value_is_capped_when_no_feedback_was_ever_applied() -> None:
    (c,) = backlog_conditions(BacklogSample(recent_sends=50), T, NOW)
    assert c.value == 24 * 60


@pytest.mark.parametrize(
    ("sample", "rule", "severity"),
    [
        (BacklogSample(dead_letters=10), Rule.DEAD_LETTERS, Severity.WARNING),
        (BacklogSample(dead_letters=40), Rule.DEAD_LETTERS, Severity.CRITICAL),
        (BacklogSample(parked_events=100), Rule.PARKED_EVENTS, Severity.WARNING),
        (
            BacklogSample(queue_oldest_age=timedelta(minutes=16)),
            Rule.QUEUE_AGE,
            Severity.WARNING,
        ),
        (BacklogSample(queue_oldest_age=timedelta(hours=1)), Rule.QUEUE_AGE, Severity.CRITICAL),
    ],
)
def test_backlog_rules(sample: BacklogSample, rule: Rule, severity: Severity) -> None:
    (c,) = backlog_conditions(sample, T, NOW)
    assert (c.rule, c.severity, c.scope) == (rule, severity, Scope.ACCOUNT)


def test_healthy_backlog_is_quiet() -> None:
    sample = BacklogSample(
        recent_sends=500,
        last_feedback_at=NOW - timedelta(seconds=5),
        dead_letters=9,
        parked_events=99,
        queue_oldest_age=timedelta(seconds=3),
    )
    assert backlog_conditions(sample, T, NOW) == []


# --------------------------------------------------------------------------- all rules


def test_one_condition_per_identity_the_strongest_window_wins() -> None:
    snapshot = AlertSnapshot(
        spikes=[
            spike(counts(sent=40, quarantined=40), window=M15),
            spike(counts(sent=100, quarantined=45), window=H1),
        ]
    )
    (c,) = evaluate(snapshot, T, NOW)
    assert c.window == "15m"
    assert c.value == 1.0


def test_strongest_prefers_severity() -> None:
    warning = Condition(Rule.BOUNCE_SPIKE, Scope.DOMAIN, "d", Severity.WARNING, 0.9, 0.1, "1h")
    critical = Condition(Rule.BOUNCE_SPIKE, Scope.DOMAIN, "d", Severity.CRITICAL, 0.6, 0.1, "15m")
    assert strongest([warning, critical]) == [critical]


def test_format_window() -> None:
    assert [format_window(timedelta(seconds=s)) for s in (900, 3600, 604800, 90, 0)] == [
        "15m",
        "1h",
        "7d",
        "90s",
        "0s",
    ]


def test_describe_names_rule_key_value_and_threshold() -> None:
    c = Condition(
        Rule.QUARANTINE_SPIKE,
        Scope.DOMAIN,
        "acme-corp.example",
        Severity.CRITICAL,
        1.0,
        0.052,
        "15m",
    )
    text = describe(c)
    assert text.startswith("[CRITICAL]")
    assert "acme-corp.example" in text and "100%" in text and "5.2%" in text and "15m" in text
    for rule in Rule:
        assert describe(
            Condition(rule, Scope.ACCOUNT, ACCOUNT_KEY, Severity.WARNING, 1, 1, "1h")
        ).startswith("[WARNING]")
