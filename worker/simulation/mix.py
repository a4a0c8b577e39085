"""What a simulated day is made of: the sent records and traffic the generator returns,
and the weighted tables (notification types, outcome kinds, recipient domains) it draws
from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate

from worker.domain.events import FeedbackEvent
from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status
from worker.domain.parser import MAX_FUTURE_SKEW, parse_body
from worker.domain.timestamps import format_timestamp
from worker.simulation.documents import (
    ACCOUNT_ID,
    CALLER_IDENTITY,
    CONFIGURATION_SET,
    DEFAULT_SOURCE,
    DOMAINS,
    FROM_DOMAIN,
    REGION,
    SOURCE_IP,
    SUB_OBJECT_KEYS,
    Doc,
    RecipientDomain,
)
from worker.simulation.envelopes import (
    _escape_json_string,
)
from worker.simulation.scenarios import (
    FAILURE_SCENARIOS,
    FailureScenario,
)


@dataclass(slots=True)
class SentRecord:
    """One row of the notification log: a notification handed to SES for one recipient."""

    notification_id: str
    message_id: str
    recipient: str
    sent_at: datetime
    notification_type: str


@dataclass(slots=True)
class Traffic:
    """What :func:`generate_traffic` produced.

    ``sends``: the notification log, in send order. ``bodies``: SQS message bodies in
    arrival order, malformed ones included. ``expected``: the contract's final
    ``(status, reason)`` for every notification id, as if the feedback window had not
    passed (no ``unknown``). ``early``: notification ids whose sent record should be
    written only after the bodies were ingested (their events "arrive before the send").
    ``malformed``: the bodies that are not usable SES events (also in ``bodies``).
    ``counts``: event types, envelopes, duplicates... for benchmarks and sanity checks.
    """

    sends: list[SentRecord]
    bodies: list[str]
    expected: dict[str, tuple[Status, Reason]]
    early: set[str] = field(default_factory=set)
    malformed: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: Per notification id, every ``(rank, timestamp, identity, reason)`` its events
    #: decide (``expected`` is the greatest): lets :meth:`received_at` re-decide.
    decisions: dict[str, list[tuple[int, str, str, Reason]]] = field(
        default_factory=dict, repr=False
    )

    def initial_sends(self) -> list[SentRecord]:
        """Sent records to write before the bodies are ingested."""
        return [s for s in self.sends if s.notification_id not in self.early]

    def late_sends(self) -> list[SentRecord]:
        """Sent records to write after the bodies (their events arrived first)."""
        return [s for s in self.sends if s.notification_id in self.early]

    def received_at(self, moment: datetime) -> Traffic:
        """This traffic as a queue can hold it at ``moment``: without the events dated
        more than a day after ``moment``, and ``expected`` decided by the events left.
        Traffic generated from a recent ``start`` holds feedback that has not happened yet
        (complaints come hours to days after delivery), and the parser refuses an event
        from the future as ``implausible_timestamp``. Malformed bodies stay (they are dead
        letters either way); ``counts`` describe what was generated."""
        limit = moment + MAX_FUTURE_SKEW
        bodies = [
            body
            for body in self.bodies
            if not (isinstance(p := parse_body(body), FeedbackEvent) and p.occurred_at > limit)
        ]
        if len(bodies) == len(self.bodies):
            return self
        limit_text = format_timestamp(limit)
        expected: dict[str, tuple[Status, Reason]] = {}
        for record in self.sends:
            decided = [
                d for d in self.decisions.get(record.notification_id, ()) if d[1] <= limit_text
            ]
            # The first of equal entries wins, as in _Generator.decide.
            best = max(decided, key=lambda d: d[:3], default=None)
            reason = best[3] if best is not None else Reason.AWAITING_FEEDBACK
            expected[record.notification_id] = (STATUS_OF_REASON[reason], reason)
        return Traffic(
            sends=self.sends,
            bodies=bodies,
            expected=expected,
            early=self.early,
            malformed=self.malformed,
            counts=self.counts,
            decisions=self.decisions,
        )


@dataclass(frozen=True, slots=True)
class _NotificationType:
    name: str
    weight: float
    multi_rate: float
    subject: str
    template: str
    link: str


_NOTIFICATION_TYPES = (
    _NotificationType(
        "magic_code", 35, 0.0, "Your sign-in code", "magic-code-v3", "https://app.example.com/login"
    ),
    _NotificationType(
        "password_reset",
        10,
        0.0,
        "Reset your password",
        "password-reset-v2",
        "https://app.example.com/reset",
    ),
    _NotificationType(
        "approval_request",
        15,
        0.4,
        "Approval needed: purchase order PO-{n}",
        "approval-request-v1",
        "https://app.example.com/approvals",
    ),
    _NotificationType(
        "alert",
        15,
        0.3,
        "[Alert] Disk usage above 90% on db-{n}",
        "alert-v4",
        "https://status.example.com/incidents",
    ),
    _NotificationType(
        "weekly_digest",
        25,
        0.0,
        "Your weekly digest",
        "weekly-digest-v7",
        "https://app.example.com/digest",
    ),
)

_FIRST = (
    "jane", "omar", "li", "maria", "kenji", "amara", "lucas", "priya", "noah", "sofia",
    "ahmed", "chloe", "mateo", "yuki", "elena", "david", "fatima", "tom", "ines", "raj",
)  # fmt: skip
_LAST = (
    "doe", "haddad", "wei", "garcia", "tanaka", "okafor", "martin", "sharma", "smith",
    "rossi", "khan", "dubois", "lopez", "sato", "novak", "cohen", "ali", "berg", "silva",
)  # fmt: skip

#: Recipient-level outcome plans and their base weights (per notification).
_KINDS: tuple[tuple[str, float], ...] = (
    ("delivered", 0.800),
    ("delivered_autoreply", 0.010),
    ("delivered_then_bounce", 0.005),
    ("delivered_not_spam", 0.002),
    ("complaint", 0.010),
    ("bounced", 0.040),
    ("quarantined", 0.030),
    ("suppressed", 0.010),
    ("delay_delivered", 0.020),
    ("delay_expired", 0.006),
    ("delay_pending", 0.002),
    ("send_only", 0.005),
    ("undetermined", 0.001),
)
#: Message-level plans (all recipients of the message), drawn before the recipient plans.
_MESSAGE_KINDS: tuple[tuple[str, float], ...] = (
    ("no_feedback", 0.008),
    ("reject", 0.002),
    ("rendering_failure", 0.002),
)
#: Plans forced onto a few messages so that small traffic still shows every case.
_FORCED = (
    "bounced",
    "quarantined",
    "delay_expired",
    "reject",
    "rendering_failure",
    "delivered_autoreply",
    "delivered_not_spam",
    "complaint",
    "suppressed",
    "delivered_then_bounce",
    "delay_delivered",
    "no_feedback",
    "delay_pending",
    "undetermined",
)
_MESSAGE_LEVEL = frozenset(name for name, _ in _MESSAGE_KINDS)
_DELIVERING = frozenset(
    {"delivered", "delivered_autoreply", "delivered_then_bounce", "delivered_not_spam", "complaint"}
)


def _scenario_pool(kind: str) -> list[FailureScenario]:
    out = []
    for s in FAILURE_SCENARIOS:
        if kind == "bounced":
            ok = (
                s.expected_status is Status.BOUNCED
                and not s.is_expiry
                and not s.after_delivery
                and s.expected_reason not in (Reason.SUPPRESSED, Reason.UNDETERMINED)
            )
        elif kind == "quarantined":
            ok = (
                s.expected_status is Status.QUARANTINED and not s.is_expiry and not s.after_delivery
            )
        elif kind == "delay_expired":
            ok = s.is_expiry
        elif kind == "delivered_then_bounce":
            ok = s.after_delivery
        elif kind == "suppressed":
            ok = s.expected_reason is Reason.SUPPRESSED
        elif kind == "undetermined":
            ok = s.expected_reason is Reason.UNDETERMINED
        else:
            ok = False
        if ok:
            out.append(s)
    return out


_SCENARIO_KINDS = (
    "bounced",
    "quarantined",
    "delay_expired",
    "delivered_then_bounce",
    "suppressed",
    "undetermined",
)
_ORDINARY_DOMAINS = tuple(d for d in DOMAINS if d.weight > 0)
_COMPANY_DOMAINS = tuple(d for d in _ORDINARY_DOMAINS if d.company)


def _pools() -> dict[tuple[str, str], list[FailureScenario]]:
    pools: dict[tuple[str, str], list[FailureScenario]] = {}
    for kind in _SCENARIO_KINDS:
        for s in _scenario_pool(kind):
            names = [s.domain] if s.domain is not None else [d.name for d in _ORDINARY_DOMAINS]
            for name in names:
                pools.setdefault((kind, name), []).append(s)
    return pools


_POOLS = _pools()


def _eligible(kind: str, domain: RecipientDomain) -> bool:
    if kind in _SCENARIO_KINDS:
        return (kind, domain.name) in _POOLS
    if kind in ("complaint", "delivered_not_spam"):
        return domain.complaints
    return domain.weight > 0


def _domain_table(kind: str) -> tuple[list[RecipientDomain], list[float]]:
    domains: list[RecipientDomain] = []
    weights: list[float] = []
    for d in DOMAINS:
        if not _eligible(kind, d):
            continue
        weight = d.weight if d.weight > 0 else 2.0  # the typo domain, only where eligible
        if kind == "quarantined":
            weight *= d.quarantine_factor
        domains.append(d)
        weights.append(weight)
    return domains, list(accumulate(weights))


_DOMAIN_TABLES = {name: _domain_table(name) for name, _ in _KINDS}

_OPEN_AGENTS = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
)
_FBL_AGENTS = {"yahoo.com": "Yahoo!-Mail-Feedback/2.0", "outlook.com": "Microsoft JMRP"}


_SOURCE_JSON = json.dumps(DEFAULT_SOURCE)
_MAIL_HEAD = (
    f',"source":{_SOURCE_JSON},"sourceArn":'
    f'"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{FROM_DOMAIN}",'
    f'"sendingAccountId":"{ACCOUNT_ID}","messageId":'
)
_AUTO_TAGS_JSON = (
    f'"ses:operation":["SendEmail"],"ses:configuration-set":["{CONFIGURATION_SET}"],'
    f'"ses:source-ip":["{SOURCE_IP}"],"ses:from-domain":["{FROM_DOMAIN}"],'
    f'"ses:caller-identity":["{CALLER_IDENTITY}"]'
)


def _generated_mail_json(mail: Doc) -> str:
    """``_dumps(mail)`` for a mail the generator made with :func:`mail_object` (default
    source, a subject, tags ``notification_id`` and ``notification_type``), from a
    template: about five times faster. The tests check it against ``_dumps``."""
    esc = _escape_json_string
    message_id = esc(mail["messageId"])
    destination = "[" + ",".join(map(esc, mail["destination"])) + "]"
    headers = mail["headers"]
    common = mail["commonHeaders"]
    subject = esc(common["subject"])
    tags = mail["tags"]
    return (
        f'{{"timestamp":{esc(mail["timestamp"])}{_MAIL_HEAD}{message_id},'
        f'"destination":{destination},"headersTruncated":false,"headers":['
        f'{{"name":"From","value":{_SOURCE_JSON}}},'
        f'{{"name":"To","value":{esc(headers[1]["value"])}}},'
        f'{{"name":"Subject","value":{subject}}},'
        f'{{"name":"MIME-Version","value":"1.0"}},'
        f'{{"name":"Content-Type","value":{esc(headers[4]["value"])}}}],'
        f'"commonHeaders":{{"from":[{_SOURCE_JSON}],"to":{destination},'
        f'"messageId":{message_id},"date":{esc(common["date"])},"subject":{subject}}},'
        f'"tags":{{{_AUTO_TAGS_JSON},"notification_id":[{esc(tags["notification_id"][0])}],'
        f'"notification_type":[{esc(tags["notification_type"][0])}]}}}}'
    )


_EVENT_KEYS = {name: f"event:{name}" for name in SUB_OBJECT_KEYS}
_ENVELOPE_KEYS = {name: f"envelope:{name}" for name in ("sns", "raw", "eventbridge")}
