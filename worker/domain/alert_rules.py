"""The alert rules: conditions as pure functions of aggregated counts, thresholds and ``now``.

No clock, no I/O. The read side (:mod:`worker.queries.alert_counts`) turns the log into the
samples below; :func:`evaluate` turns samples into :class:`Condition` objects, at most one
per (rule, scope, key). The lifecycle (:mod:`worker.domain.alert_lifecycle`) decides what
to notify.

Rules and units of ``value`` / ``threshold``:

``bounce_rate`` / ``complaint_rate`` (scope ``account``, key ``*``)
    Account reputation as AWS computes it (ses-events.md section 10): hard bounces over
    the eligible sends of a representative recent volume; complaints over delivered mail.
    Fractions (0.05 = 5 %). No condition below the minimum volume.
``bounce_spike`` / ``quarantine_spike`` / ``complaint_spike`` (scope ``domain`` or ``type``)
    The rate in a short window (15 min, 1 h) against the same key's own baseline (the
    previous 7 days). Fires only when the count reaches a minimum, the rate is at least
    ``ratio`` times the baseline *and* at least ``min_delta`` above it. Fractions.
``feedback_silence`` (account)
    Sends are being recorded but no feedback was applied for N minutes. Minutes.
``dead_letters_growing`` / ``parked_events_growing`` (account)
    Bodies dead-lettered, or events still waiting for their send record, within the
    backlog window. Counts.
``queue_oldest_message_age`` (account)
    Age of the oldest message in the SQS queue. Seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from worker.domain.fieldwise import add_fieldwise
from worker.domain.outcomes import Reason, Status, reasons_where


class Scope(StrEnum):
    ACCOUNT = "account"
    DOMAIN = "domain"
    TYPE = "type"


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_RANK = {Severity.WARNING: 1, Severity.CRITICAL: 2}


class Rule(StrEnum):
    BOUNCE_RATE = "bounce_rate"
    COMPLAINT_RATE = "complaint_rate"
    BOUNCE_SPIKE = "bounce_spike"
    QUARANTINE_SPIKE = "quarantine_spike"
    COMPLAINT_SPIKE = "complaint_spike"
    FEEDBACK_SILENCE = "feedback_silence"
    DEAD_LETTERS = "dead_letters_growing"
    PARKED_EVENTS = "parked_events_growing"
    QUEUE_AGE = "queue_oldest_message_age"
    CALLBACK_BACKLOG = "callback_backlog"  # issue 14: worker.domain.callbacks


#: Key of account-wide conditions.
ACCOUNT_KEY = "*"

#: Reasons AWS counts in the reputation bounce rate: permanent failures of the address or
#: domain. Not counted: soft bounces (``soft_bounce``, ``mailbox_full``,
#: ``message_too_large`` are Transient in SES), ``undetermined``, filtering verdicts
#: (quarantined), and ``suppressed``, which is mostly ``OnAccountSuppressionList`` (the log
#: keeps no bounce subtype, so the rarer global-list ``Suppressed`` is left out too).
HARD_BOUNCE_REASONS = reasons_where(lambda spec: spec.counts_in_bounce_rate)

#: SES never attempted these sends: they are not part of the eligible volume.
NOT_ATTEMPTED_REASONS = reasons_where(lambda spec: not spec.delivery_attempted)


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """Notifications of one window and key, by outcome class.

    ``sent`` counts every notification; the others are subsets of it by current status.
    """

    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    hard_bounced: int = 0
    not_attempted: int = 0
    quarantined: int = 0
    complaints: int = 0

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return add_fieldwise(self, other)

    @property
    def eligible(self) -> int:
        """Sends SES attempted: the denominator of the reputation bounce rate."""
        return self.sent - self.not_attempted

    @property
    def delivered_or_complained(self) -> int:
        """Mail that reached the recipient: a complaint overrides ``delivered`` in the log
        but its notification was delivered first."""
        return self.delivered + self.complaints


def tally(rows: Iterable[tuple[str, str, int]]) -> OutcomeCounts:
    """Sum ``(status, reason, count)`` rows into outcome classes. Unknown words count as
    sends only, so a new reason never breaks evaluation."""
    sent = delivered = bounced = hard = not_attempted = quarantined = complaints = 0
    for status, reason, count in rows:
        sent += count
        if status == Status.DELIVERED:
            delivered += count
        elif status == Status.BOUNCED:
            bounced += count
            if reason in HARD_BOUNCE_REASONS:
                hard += count
            elif reason in NOT_ATTEMPTED_REASONS:
                not_attempted += count
        elif status == Status.QUARANTINED:
            if reason == Reason.COMPLAINT:
                complaints += count
            else:
                quarantined += count
    return OutcomeCounts(sent, delivered, bounced, hard, not_attempted, quarantined, complaints)


@dataclass(frozen=True, slots=True)
class ReputationSample:
    """Account-wide counts over the representative volume, and the span it covered."""

    counts: OutcomeCounts
    span: timedelta


@dataclass(frozen=True, slots=True)
class SpikeSample:
    """One key's counts in a short window, and over its baseline period."""

    scope: Scope
    key: str
    window: timedelta
    current: OutcomeCounts
    baseline: OutcomeCounts


@dataclass(frozen=True, slots=True)
class BacklogSample:
    """Pipeline health. ``recent_sends``: notifications sent in the silence window and at
    least half of it ago (time enough for a Delivery). ``queue_oldest_age``: None when
    unknown (no queue configured or the metric could not be read)."""

    recent_sends: int = 0
    last_feedback_at: datetime | None = None
    dead_letters: int = 0
    parked_events: int = 0
    queue_oldest_age: timedelta | None = None


@dataclass(frozen=True, slots=True)
class AlertSnapshot:
    """Everything the rules read, gathered at one ``now``."""

    reputation: ReputationSample | None = None
    spikes: Sequence[SpikeSample] = ()
    backlog: BacklogSample | None = None


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """Thresholds of every rule. Built by the composition root from the alert settings
    (:class:`config.settings.AlertSettings`, where the defaults are), so the domain
    keeps no copy of them."""

    bounce_warning: float
    bounce_critical: float
    complaint_warning: float
    complaint_critical: float
    min_volume: int
    #: Representative volume: whole days are read back from today until this many
    #: eligible sends, spanning at most ``reputation_max_window``.
    reputation_volume: int
    reputation_max_window: timedelta
    spike_windows: tuple[timedelta, ...]
    spike_baseline: timedelta
    spike_ratio: float
    spike_min_delta: float
    spike_critical_delta: float
    spike_min_count: int
    silence: timedelta
    silence_min_sends: int
    #: Dead letters and parked events are counted over this window.
    backlog_window: timedelta
    dead_letters_min: int
    parked_min: int
    queue_age_limit: timedelta
    #: Backlog rules are critical at this multiple of their threshold.
    backlog_critical_factor: float
    #: Silence is measured back at most this far (the value is capped at it; no setting).
    silence_cap: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule that holds now. ``window`` is a duration text (``15m``, ``1h``, ``7d``)."""

    rule: Rule
    scope: Scope
    key: str
    severity: Severity
    value: float
    threshold: float
    window: str

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.rule.value, self.scope.value, self.key)


def format_window(span: timedelta) -> str:
    """``15m``, ``1h``, ``7d``, ``90s``: the largest unit that divides the span."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole > 0 else 0.0


def _graded(value: float, warning: float, critical: float) -> tuple[Severity, float] | None:
    if value >= critical:
        return Severity.CRITICAL, critical
    if value >= warning:
        return Severity.WARNING, warning
    return None


# --------------------------------------------------------------------------- reputation


def reputation_conditions(sample: ReputationSample, t: AlertThresholds) -> list[Condition]:
    """Bounce rate (hard bounces / eligible sends) and complaint rate (complaints /
    delivered), each only when its denominator reaches ``min_volume``."""
    window = format_window(sample.span)
    counts = sample.counts
    found: list[Condition] = []
    if counts.eligible >= t.min_volume:
        rate = _ratio(counts.hard_bounced, counts.eligible)
        graded = _graded(rate, t.bounce_warning, t.bounce_critical)
        if graded:
            found.append(
                Condition(
                    Rule.BOUNCE_RATE, Scope.ACCOUNT, ACCOUNT_KEY, graded[0], rate, graded[1], window
                )
            )
    if counts.delivered_or_complained >= t.min_volume:
        rate = _ratio(counts.complaints, counts.delivered_or_complained)
        graded = _graded(rate, t.complaint_warning, t.complaint_critical)
        if graded:
            found.append(
                Condition(
                    Rule.COMPLAINT_RATE,
                    Scope.ACCOUNT,
                    ACCOUNT_KEY,
                    graded[0],
                    rate,
                    graded[1],
                    window,
                )
            )
    return found


# --------------------------------------------------------------------------- spikes

_SPIKE_METRICS: tuple[tuple[Rule, str], ...] = (
    (Rule.BOUNCE_SPIKE, "bounced"),
    (Rule.QUARANTINE_SPIKE, "quarantined"),
    (Rule.COMPLAINT_SPIKE, "complaints"),
)


def spike_threshold(baseline_rate: float, t: AlertThresholds) -> float:
    """The rate a window must reach: ``ratio`` x baseline and ``min_delta`` above it."""
    return max(baseline_rate * t.spike_ratio, baseline_rate + t.spike_min_delta)


def spike_conditions(samples: Iterable[SpikeSample], t: AlertThresholds) -> list[Condition]:
    """Bounce, quarantine and complaint spikes per key and window."""
    found: list[Condition] = []
    for sample in samples:
        for rule, attribute in _SPIKE_METRICS:
            count: int = getattr(sample.current, attribute)
            if count < t.spike_min_count or count <= 0:
                continue
            rate = _ratio(count, sample.current.sent)
            baseline_rate = _ratio(getattr(sample.baseline, attribute), sample.baseline.sent)
            threshold = spike_threshold(baseline_rate, t)
            if rate < threshold:
                continue
            severity = (
                Severity.CRITICAL
                if rate - baseline_rate >= t.spike_critical_delta
                else Severity.WARNING
            )
            found.append(
                Condition(
                    rule,
                    sample.scope,
                    sample.key,
                    severity,
                    rate,
                    threshold,
                    format_window(sample.window),
                )
            )
    return found


# --------------------------------------------------------------------------- backlog


def _backlog(
    rule: Rule, value: float, limit: float, factor: float, window: str
) -> Condition | None:
    if limit <= 0 or value < limit:
        return None
    if value >= limit * factor:
        return Condition(
            rule, Scope.ACCOUNT, ACCOUNT_KEY, Severity.CRITICAL, value, limit * factor, window
        )
    return Condition(rule, Scope.ACCOUNT, ACCOUNT_KEY, Severity.WARNING, value, limit, window)


def backlog_conditions(sample: BacklogSample, t: AlertThresholds, now: datetime) -> list[Condition]:
    """Feedback silence, dead letters, parked events and SQS queue age."""
    found: list[Condition | None] = []
    silence_minutes = t.silence.total_seconds() / 60
    if sample.recent_sends >= t.silence_min_sends and silence_minutes > 0:
        quiet = t.silence_cap
        if sample.last_feedback_at is not None:
            quiet = min(max(now - sample.last_feedback_at, timedelta(0)), t.silence_cap)
        # Silence is critical at twice its threshold (and whenever it reached the cap).
        found.append(
            _backlog(
                Rule.FEEDBACK_SILENCE,
                round(quiet.total_seconds() / 60, 1),
                silence_minutes,
                2.0,
                format_window(t.silence),
            )
        )
    window = format_window(t.backlog_window)
    factor = t.backlog_critical_factor
    found.append(
        _backlog(Rule.DEAD_LETTERS, sample.dead_letters, t.dead_letters_min, factor, window)
    )
    found.append(_backlog(Rule.PARKED_EVENTS, sample.parked_events, t.parked_min, factor, window))
    if sample.queue_oldest_age is not None:
        found.append(
            _backlog(
                Rule.QUEUE_AGE,
                sample.queue_oldest_age.total_seconds(),
                t.queue_age_limit.total_seconds(),
                factor,
                "now",
            )
        )
    return [condition for condition in found if condition is not None]


# --------------------------------------------------------------------------- all rules


def _strength(condition: Condition) -> tuple[int, float]:
    excess = condition.value / condition.threshold if condition.threshold > 0 else condition.value
    return (SEVERITY_RANK[condition.severity], excess)


def strongest(conditions: Iterable[Condition]) -> list[Condition]:
    """One condition per (rule, scope, key): the most severe, then the furthest over its
    threshold (so a spike seen in both the 15 min and 1 h windows is one alert). Sorted by
    identity."""
    best: dict[tuple[str, str, str], Condition] = {}
    for condition in conditions:
        current = best.get(condition.identity)
        if current is None or _strength(condition) > _strength(current):
            best[condition.identity] = condition
    return [best[identity] for identity in sorted(best)]


def evaluate(
    snapshot: AlertSnapshot, thresholds: AlertThresholds, now: datetime
) -> list[Condition]:
    """Every condition that holds at ``now``, one per (rule, scope, key)."""
    found: list[Condition] = []
    if snapshot.reputation is not None:
        found += reputation_conditions(snapshot.reputation, thresholds)
    found += spike_conditions(snapshot.spikes, thresholds)
    if snapshot.backlog is not None:
        found += backlog_conditions(snapshot.backlog, thresholds, now)
    return strongest(found)


def _percent(value: float) -> str:
    return f"{value * 100:.3g}%"


def _plain(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


_SPIKE_NOUNS = {
    Rule.BOUNCE_SPIKE: "Bounce rate",
    Rule.QUARANTINE_SPIKE: "Quarantine rate",
    Rule.COMPLAINT_SPIKE: "Complaint rate",
}
_SCOPE_WORDS = {Scope.DOMAIN: "at domain", Scope.TYPE: "for notification type"}


def describe(condition: Condition, *, head: str | None = None) -> str:
    """One line for people: what holds, where, over which window, against which limit.
    Starts with ``[WARNING]``/``[CRITICAL]`` unless ``head`` is given."""
    c = condition
    head = head if head is not None else f"[{c.severity.value.upper()}]"
    value, threshold = _plain(c.value), _plain(c.threshold)
    if c.rule is Rule.BOUNCE_RATE:
        text = (
            f"account hard-bounce rate {_percent(c.value)} over the last {c.window} "
            f"(AWS reviews at 5%, may pause at 10%; threshold {_percent(c.threshold)})"
        )
    elif c.rule is Rule.COMPLAINT_RATE:
        text = (
            f"account complaint rate {_percent(c.value)} over the last {c.window} "
            f"(AWS reviews at 0.1%, may pause at 0.5%; threshold {_percent(c.threshold)})"
        )
    elif c.rule in _SPIKE_NOUNS:
        where = _SCOPE_WORDS.get(c.scope, c.scope.value)
        text = (
            f"{_SPIKE_NOUNS[c.rule].lower()} {where} {c.key} is {_percent(c.value)} "
            f"over the last {c.window} (threshold {_percent(c.threshold)} from its baseline)"
        )
    elif c.rule is Rule.FEEDBACK_SILENCE:
        text = (
            f"sends are being recorded but no SES feedback was applied for {value} min "
            f"(threshold {threshold} min)"
        )
    elif c.rule is Rule.DEAD_LETTERS:
        text = f"{value} bodies dead-lettered in the last {c.window} (threshold {threshold})"
    elif c.rule is Rule.PARKED_EVENTS:
        text = (
            f"{value} events received in the last {c.window} still wait for their send "
            f"record (threshold {threshold})"
        )
    elif c.rule is Rule.QUEUE_AGE:
        text = f"oldest SQS message is {value} s old (threshold {threshold} s)"
    elif c.rule is Rule.CALLBACK_BACKLOG:
        text = f"oldest pending status callback is {value} s old (threshold {threshold} s)"
    else:  # pragma: no cover - every rule is listed above
        text = f"{c.rule.value} {c.scope.value} {c.key}: {value} (threshold {threshold})"
    return f"{head} {text}"


__all__ = [
    "ACCOUNT_KEY",
    "HARD_BOUNCE_REASONS",
    "NOT_ATTEMPTED_REASONS",
    "AlertSnapshot",
    "AlertThresholds",
    "BacklogSample",
    "Condition",
    "OutcomeCounts",
    "ReputationSample",
    "Rule",
    "Scope",
    "Severity",
    "SpikeSample",
    "backlog_conditions",
    "describe",
    "evaluate",
    "format_window",
    "reputation_conditions",
    "spike_conditions",
    "spike_threshold",
    "strongest",
    "tally",
]
