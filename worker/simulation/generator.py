"""The engine of :func:`~worker.simulation.traffic.generate_traffic`: a seeded generator
that plays one notification at a time (sends, feedback events in every envelope, the
expected outcome) and keeps the bodies, records and decisions."""

from __future__ import annotations

import random
import re
from bisect import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import TypeVar

from worker.domain.addresses import normalise_address
from worker.domain.outcomes import Reason, rank_of
from worker.simulation.documents import (
    _SES_HOSTS,
    ACCOUNT_ID,
    IDENTITY_NOTIFICATION_TYPES,
    REGION,
    RETRY_WINDOW,
    SES_EVENT_SUBJECT,
    SES_SUPPRESSION_MTA,
    SUB_OBJECT_KEYS,
    Doc,
    RecipientDomain,
    Signer,
    _identity_mail,
    _utc_text,
    _uuid_text,
    bounce_event,
    bounced_recipient,
    click_event,
    complaint_event,
    delivery_delay_event,
    delivery_event,
    feedback_id,
    mail_object,
    message_id,
    open_event,
    reject_event,
    rendering_failure_event,
    send_event,
    smtp_response_for,
)
from worker.simulation.envelopes import (
    _dumps,
    _event_timestamp,
    _eventbridge_body,
    _sns_body,
)
from worker.simulation.mix import (
    _COMPANY_DOMAINS,
    _DELIVERING,
    _DOMAIN_TABLES,
    _ENVELOPE_KEYS,
    _EVENT_KEYS,
    _FBL_AGENTS,
    _FIRST,
    _KINDS,
    _LAST,
    _MESSAGE_KINDS,
    _MESSAGE_LEVEL,
    _NOTIFICATION_TYPES,
    _OPEN_AGENTS,
    _POOLS,
    SentRecord,
    _eligible,
    _generated_mail_json,
    _NotificationType,
)
from worker.simulation.scenarios import (
    _DELAY_REPLIES,
    FailureScenario,
    scenario_bounce,
)


def _ms(delta_ms: int) -> timedelta:
    return timedelta(milliseconds=delta_ms)


_T = TypeVar("_T")


class _Rng(random.Random):
    """``random.Random`` plus cheaper draws for the generator's hot path (the floor of
    ``random() * n``: uniform enough for a simulation, and still fixed by the seed)."""

    def below(self, n: int) -> int:
        """An int in ``[0, n)``."""
        return int(self.random() * n)

    def pick(self, seq: Sequence[_T]) -> _T:
        """One element of ``seq``, uniformly."""
        return seq[int(self.random() * len(seq))]

    def weighted(self, seq: Sequence[_T], cumulative: Sequence[float]) -> _T:
        """One element of ``seq``, by cumulative weights."""
        return seq[bisect(cumulative, self.random() * cumulative[-1])]


class _Generator:
    """State of one :func:`generate_traffic` run (rng, outputs, the expected ledger)."""

    def __init__(
        self,
        *,
        seed: int,
        start: datetime,
        duplicate_rate: float,
        envelopes: Sequence[str],
        topic_arn: str,
        signer: Signer | None,
        early_rate: float,
    ) -> None:
        unknown = set(envelopes) - {"sns", "raw", "eventbridge"}
        if unknown or not envelopes:
            raise ValueError(f"envelopes must be some of sns, raw, eventbridge; got {envelopes!r}")
        self.rng = _Rng(seed)
        self.seed = seed
        self.start = start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC)
        self.duplicate_rate = duplicate_rate
        self.early_rate = early_rate
        self.envelopes = tuple(dict.fromkeys(envelopes))
        weights = {"sns": 3.0, "raw": 1.0, "eventbridge": 1.0}
        self.envelope_weights = list(accumulate(weights[e] for e in self.envelopes))
        self.identity_paths = tuple(e for e in self.envelopes if e != "eventbridge")
        self.topic_arn = topic_arn
        self.signer = signer
        # Bodies in emission order, and their publication times (for the unshuffled order).
        self.bodies: list[str] = []
        self.keys: list[str] = []
        self.sends: list[SentRecord] = []
        self.early: set[str] = set()
        # notification id -> best (rank, timestamp, identity, reason)
        self.ledger: dict[str, tuple[int, str, str, Reason]] = {}
        self.decisions: dict[str, list[tuple[int, str, str, Reason]]] = {}
        self.counts: dict[str, int] = {}
        self.delivery_docs: list[Doc] = []
        self._mail: Doc | None = None
        self._mail_text = ""
        self._identity_text: str | None = None

    # -- output --------------------------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    # Serialising ``mail`` (about 1 KB) dominates the cost of a body, and every event of a
    # message carries the same one: serialise it once per message and splice the text.
    # The result is byte-for-byte what as_raw/as_sns/as_eventbridge produce (tested).

    def _mail_json(self, mail: Doc, *, identity_form: bool) -> str:
        if self._mail is not mail:
            self._mail = mail
            self._mail_text = _generated_mail_json(mail)
            self._identity_text = None
        if not identity_form:
            return self._mail_text
        if self._identity_text is None:
            self._identity_text = _dumps(_identity_mail(mail))
        return self._identity_text

    def document_text(self, doc: Doc, *, identity_form: bool) -> str:
        """``as_raw(doc)`` (or of its identity-notification form), with the cached mail."""
        event_type = doc["eventType"]
        key = SUB_OBJECT_KEYS[event_type]
        mail = self._mail_json(doc["mail"], identity_form=identity_form)
        sub = _dumps(doc[key])
        if identity_form:
            return f'{{"notificationType":"{event_type}","{key}":{sub},"mail":{mail}}}'
        return f'{{"eventType":"{event_type}","mail":{mail},"{key}":{sub}}}'

    def _uuid(self) -> str:
        return _uuid_text(self.rng.getrandbits(128))

    def _wrap(self, doc: Doc, envelope: str, published: str, *, identity_form: bool) -> str:
        text = self.document_text(doc, identity_form=identity_form)
        if envelope == "raw":
            return text
        if envelope == "sns":
            return _sns_body(
                "Notification",
                text,
                topic_arn=self.topic_arn,
                timestamp=published,
                message_id=self._uuid(),
                subject=None if identity_form else SES_EVENT_SUBJECT,
                signer=self.signer,
            )
        return _eventbridge_body(text, doc["eventType"], published, ACCOUNT_ID, self._uuid())

    def _push(self, key: str, body: str, envelope: str) -> None:
        self.bodies.append(body)
        self.keys.append(key)
        self._count(_ENVELOPE_KEYS[envelope])
        if self.rng.random() < self.duplicate_rate:
            # SQS at-least-once / SNS retry: the very same body again, a little later.
            self.bodies.append(body)
            self.keys.append(key + "~")
            self._count("duplicates")

    def emit(self, doc: Doc) -> None:
        """Wrap one event in a random envelope (sometimes two: a cross-path twin)."""
        rng = self.rng
        event_type = doc["eventType"]
        self._count(_EVENT_KEYS[event_type])
        # SNS publishes within a second or so; the event's own time is close enough and
        # is also the arrival order when the traffic is not shuffled.
        published = _event_timestamp(doc)
        identity_ok = self.identity_paths and event_type in IDENTITY_NOTIFICATION_TYPES
        if identity_ok and rng.random() < 0.25:
            envelope = rng.pick(self.identity_paths)
            body = self._wrap(doc, envelope, published, identity_form=True)
            self._push(published, body, envelope)
            if "eventbridge" in self.envelopes and rng.random() < 0.08:
                # Same event via a second path: the event-publishing copy on EventBridge.
                body = self._wrap(doc, "eventbridge", published, identity_form=False)
                self._push(published, body, "eventbridge")
                self._count("twins")
            return
        envelope = rng.weighted(self.envelopes, self.envelope_weights)
        self._push(published, self._wrap(doc, envelope, published, identity_form=False), envelope)
        if identity_ok and rng.random() < 0.02:
            twin = rng.pick(self.identity_paths)
            self._push(published, self._wrap(doc, twin, published, identity_form=True), twin)
            self._count("twins")

    # -- expected ------------------------------------------------------------------

    def decide(self, notification_id: str, reason: Reason, stamp: str, identity: str) -> None:
        entry = (rank_of(reason), stamp, identity, reason)
        self.decisions.setdefault(notification_id, []).append(entry)
        best = self.ledger.get(notification_id)
        if best is None or entry[:3] > best[:3]:
            self.ledger[notification_id] = entry

    # -- one message ---------------------------------------------------------------

    def _address(self, domain: RecipientDomain) -> str:
        rng = self.rng
        first, last = rng.pick(_FIRST), rng.pick(_LAST)
        if domain.company:
            local = f"{first}.{last}"
            if rng.random() < 0.03:
                local = f"{first.capitalize()}.{last.capitalize()}"
        else:
            local = (
                f"{first}{last}{10 + rng.below(89)}" if rng.random() < 0.6 else f"{first}.{last}"
            )
        return f"{local}@{domain.name}"

    def _pick_kind(self, forced: str | None) -> str:
        if forced is not None and forced not in _MESSAGE_LEVEL:
            return forced
        return self.rng.weighted(_KIND_NAMES, _KIND_WEIGHTS)

    def message(self, index: int, at: datetime, forced: str | None, room: int) -> int:
        """Send one message (at most ``room`` recipients) and plan its events; returns
        the number of notifications it made."""
        rng = self.rng
        ntype = rng.weighted(_NOTIFICATION_TYPES, _NTYPE_WEIGHTS)
        message_level = self._message_level(forced)
        recipients = self._recipients(forced, ntype, room)

        mid = message_id(rng, at)
        tag = f"n-{self.seed}-{index:06d}"
        subject = ntype.subject.replace("{n}", str(1000 + rng.below(9000)))
        destination = [
            f"{a.split('@')[0].replace('.', ' ').title()} <{a}>"
            if d.company and rng.random() < 0.05
            else a
            for a, _, d in recipients
        ]
        mail = mail_object(
            mid,
            destination,
            timestamp=at,
            tags={"notification_id": tag, "notification_type": ntype.name},
            subject=subject,
        )
        mail_ts = mail["timestamp"]
        ids = [tag if len(recipients) == 1 else f"{tag}/{a}" for a, _, _ in recipients]
        for nid, (address, _, _) in zip(ids, recipients, strict=True):
            self.sends.append(SentRecord(nid, mid, address, at, ntype.name))
        if rng.random() < self.early_rate:
            self.early.update(ids)

        def whole_message(doc: Doc, reason: Reason) -> None:
            # Send, Reject, Rendering Failure: every destination, at mail.timestamp.
            self.emit(doc)
            for nid, (address, _, _) in zip(ids, recipients, strict=True):
                identity = f"{doc['eventType']}|{mid}|{address.lower()}|{mail_ts}"
                self.decide(nid, reason, mail_ts, identity)

        if message_level is not None:
            self._count(f"plan:{message_level}", len(ids))
        if message_level == "no_feedback":
            return len(ids)
        if message_level == "rendering_failure":
            failure = rendering_failure_event(mail, template_name=ntype.template)
            whole_message(failure, Reason.RENDERING_FAILURE)
            return len(ids)
        whole_message(send_event(mail), Reason.AWAITING_FEEDBACK)
        if message_level == "reject":
            whole_message(reject_event(mail), Reason.REJECTED)
            return len(ids)

        delivered_at = self._deliveries(mail, recipients, ids, at)

        for i, (address, kind, domain) in enumerate(recipients):
            self._count(f"plan:{kind}")
            self._after(mail, ids[i], address, kind, domain, at, delivered_at.get(i))

        if delivered_at and rng.random() < 0.3:
            self._engagement(mail, ntype, max(delivered_at.values()))
        return len(ids)

    def _message_level(self, forced: str | None) -> str | None:
        """The whole-message outcome (no feedback, reject...), or None: per recipient."""
        if forced in _MESSAGE_LEVEL:
            return forced
        u = self.rng.random()
        for name, weight in _MESSAGE_KINDS:
            if u < weight:
                return name
            u -= weight
        return None

    def _recipients(
        self, forced: str | None, ntype: _NotificationType, room: int
    ) -> list[tuple[str, str, RecipientDomain]]:
        """Recipients as (address, kind, domain): one, or a few at one company."""
        rng = self.rng
        multi = forced is None and rng.random() < ntype.multi_rate
        recipients: list[tuple[str, str, RecipientDomain]] = []
        if multi:
            company = rng.weighted(_COMPANY_DOMAINS, _COMPANY_WEIGHTS)
            for _ in range(min(room, rng.pick((2, 2, 3)))):
                kind = self._pick_kind(None)
                if not _eligible(kind, company):
                    kind = "delivered"
                address = self._address(company)
                if any(address == r[0] for r in recipients):
                    continue
                recipients.append((address, kind, company))
        else:
            kind = self._pick_kind(forced)
            domains, weights = _DOMAIN_TABLES[kind]
            domain = rng.weighted(domains, weights)
            recipients.append((self._address(domain), kind, domain))
        return recipients

    def _deliveries(
        self,
        mail: Doc,
        recipients: list[tuple[str, str, RecipientDomain]],
        ids: list[str],
        at: datetime,
    ) -> dict[int, datetime]:
        """Deliver to the recipients that get one; when each was delivered."""
        rng = self.rng
        # Deliveries to several recipients of one message are often reported together.
        delivering = [i for i, r in enumerate(recipients) if r[1] in _DELIVERING]
        delivered_at: dict[int, datetime] = {}
        if len(delivering) > 1 and rng.random() < 0.5:
            offset = 400 + rng.below(4000)
            self._deliver(
                mail,
                [recipients[i][0] for i in delivering],
                [ids[i] for i in delivering],
                at,
                offset,
            )
            delivered_at.update(dict.fromkeys(delivering, at + _ms(offset)))
        else:
            for i in delivering:
                offset = 400 + rng.below(4000)
                self._deliver(mail, [recipients[i][0]], [ids[i]], at, offset)
                delivered_at[i] = at + _ms(offset)
        return delivered_at

    def _engagement(self, mail: Doc, ntype: _NotificationType, delivered: datetime) -> None:
        """An open after the last delivery, sometimes a click after it."""
        rng = self.rng
        opened = delivered + _ms(60_000 + rng.below(6 * 3_600_000))
        self.emit(open_event(mail, timestamp=opened, user_agent=rng.pick(_OPEN_AGENTS)))
        if rng.random() < 0.35:
            clicked = opened + _ms(2_000 + rng.below(120_000))
            self.emit(
                click_event(
                    mail,
                    timestamp=clicked,
                    link=ntype.link,
                    link_tags={"campaign": [ntype.name]},
                )
            )

    def _deliver(
        self, mail: Doc, addresses: list[str], ids: list[str], at: datetime, offset: int
    ) -> None:
        rng = self.rng
        when = at + _ms(offset)
        stamp = _utc_text(when)
        doc = delivery_event(
            mail,
            addresses,
            timestamp=stamp,
            smtp_response=smtp_response_for(addresses[0], mail["messageId"], int(when.timestamp())),
            processing_time_millis=offset,
            reporting_mta=f"{rng.pick(_SES_HOSTS)}.smtp-out.{REGION}.amazonses.com",
        )
        self.emit(doc)
        if len(self.delivery_docs) < 8:
            self.delivery_docs.append(doc)
        mid = mail["messageId"]
        for nid, address in zip(ids, addresses, strict=True):
            self.decide(nid, Reason.ACCEPTED, stamp, f"Delivery|{mid}|{address.lower()}|{stamp}")

    def _bounce(
        self,
        mail: Doc,
        nid: str,
        address: str,
        scenario: FailureScenario,
        when: datetime,
        domain: RecipientDomain,
    ) -> None:
        stamp = _utc_text(when)
        fid = feedback_id(self.rng, when)
        reported = None
        if scenario.expected_reason is Reason.SUPPRESSED:
            # Suppression bounces echo the destination as given, display name included.
            wanted = normalise_address(address)
            reported = next(
                (d for d in mail["destination"] if normalise_address(d) == wanted), None
            )
        contacted = scenario.reporting_mta not in (None, SES_SUPPRESSION_MTA)
        doc = scenario_bounce(
            mail,
            address,
            scenario,
            feedback_id=fid,
            timestamp=stamp,
            remote_mta_ip=domain.remote_ip if contacted and domain.remote_ip else None,
            reported_address=reported,
        )
        self.emit(doc)
        self.decide(nid, scenario.expected_reason, stamp, fid)
        self._count(f"scenario:{scenario.name}")

    def _complaint(
        self,
        mail: Doc,
        nid: str,
        address: str,
        when: datetime,
        *,
        feedback_type: str | None,
        user_agent: str | None = None,
        sub_type: str | None = None,
    ) -> None:
        stamp = _utc_text(when)
        fid = feedback_id(self.rng, when)
        doc = complaint_event(
            mail,
            [address],
            feedback_id=fid,
            timestamp=stamp,
            feedback_type=feedback_type,
            sub_type=sub_type,
            user_agent=user_agent,
            arrival_date=when - _ms(self.rng.below(60_000)),
        )
        self.emit(doc)
        if sub_type == "OnAccountSuppressionList":
            self.decide(nid, Reason.SUPPRESSED, stamp, fid)
        elif feedback_type != "not-spam":  # a "not-spam" report corrects, never decides
            self.decide(nid, Reason.COMPLAINT, stamp, fid)

    def _delay(
        self,
        mail: Doc,
        nid: str,
        address: str,
        at: datetime,
        when: datetime,
        reply: tuple[str, str, str],
    ) -> None:
        delay_type, status, text = reply
        stamp = _utc_text(when)
        entry = {"emailAddress": address, "status": status, "diagnosticCode": f"smtp; {text}"}
        doc = delivery_delay_event(
            mail,
            [entry],
            timestamp=stamp,
            delay_type=delay_type,
            expiration_time=_utc_text(at + RETRY_WINDOW),
        )
        self.emit(doc)
        ident = f"DeliveryDelay|{mail['messageId']}|{address.lower()}|{stamp}"
        self.decide(nid, Reason.DELIVERY_DELAYED, stamp, ident)

    def _after(
        self,
        mail: Doc,
        nid: str,
        address: str,
        kind: str,
        domain: RecipientDomain,
        at: datetime,
        delivered: datetime | None,
    ) -> None:
        """Events after the Send (and the delivery, if any) for one recipient."""
        rng = self.rng
        if kind == "suppressed" and rng.random() < 0.3:
            # Listed for a complaint: SES reports it as a complaint with this subtype.
            when = at + _ms(50 + rng.below(400))
            self._complaint(
                mail, nid, address, when, feedback_type=None, sub_type="OnAccountSuppressionList"
            )
        elif kind in ("bounced", "quarantined", "suppressed", "undetermined"):
            scenario = rng.pick(_POOLS[(kind, domain.name)])
            # SES answers for suppressed addresses at once; remote servers take seconds.
            wait = 50 + rng.below(400) if kind == "suppressed" else 500 + rng.below(8000)
            self._bounce(mail, nid, address, scenario, at + _ms(wait), domain)
        elif kind == "delivered_then_bounce" and delivered is not None:
            scenario = rng.pick(_POOLS[(kind, domain.name)])
            when = delivered + _ms(60_000 + rng.below(1_800_000))
            self._bounce(mail, nid, address, scenario, when, domain)
        elif kind == "delivered_autoreply" and delivered is not None:
            when = delivered + _ms(1_000 + rng.below(120_000))
            doc = bounce_event(
                mail,
                [bounced_recipient(address, action=None)],
                "Transient",
                "General",
                feedback_id=feedback_id(rng, when),
                timestamp=when,
            )
            self.emit(doc)  # an out-of-office reply: changes nothing
        elif kind in ("complaint", "delivered_not_spam") and delivered is not None:
            agent = _FBL_AGENTS.get(domain.name, "ExampleISP Feedback Loop")
            when = delivered + _ms(3_600_000 + rng.below(72 * 3_600_000))
            if kind == "complaint":
                self._complaint(mail, nid, address, when, feedback_type="abuse", user_agent=agent)
                if rng.random() >= 0.15:
                    return
                when += _ms(3_600_000 + rng.below(24 * 3_600_000))
            # The recipient (or their provider) takes it back: a correction.
            self._complaint(mail, nid, address, when, feedback_type="not-spam", user_agent=agent)
        elif kind in ("delay_delivered", "delay_pending"):
            replies = _DELAY_REPLIES.get(domain.provider, _DELAY_REPLIES[""])
            delay_type, status, text = rng.pick(replies)
            reply = (delay_type, status, text.replace(f"someone@{domain.name}", address))
            self._delay(mail, nid, address, at, at + _ms(300_000 + rng.below(2_100_000)), reply)
            if kind == "delay_delivered":
                offset = 2_700_000 + rng.below(21_600_000)
                self._deliver(mail, [address], [nid], at, offset)
        elif kind == "delay_expired":
            scenario = rng.pick(_POOLS[(kind, domain.name)])
            inner = scenario.inner_reply or ""
            reply = (scenario.delay_type or "General", _first_code(inner) or "4.0.0", inner)
            first = at + _ms(300_000 + rng.below(2_100_000))
            self._delay(mail, nid, address, at, first, reply)
            if rng.random() < 0.5:
                second = first + _ms(3_600_000 + rng.below(14_400_000))
                self._delay(mail, nid, address, at, second, reply)
            when = at + RETRY_WINDOW + _ms(rng.below(90_000))
            self._bounce(mail, nid, address, scenario, when, domain)
        # delivered, send_only: nothing more


_KIND_NAMES = [name for name, _ in _KINDS]
# Cumulative weights, for _Rng.weighted.
_KIND_WEIGHTS = list(accumulate(weight for _, weight in _KINDS))
_NTYPE_WEIGHTS = list(accumulate(t.weight for t in _NOTIFICATION_TYPES))
_COMPANY_WEIGHTS = list(accumulate(d.weight for d in _COMPANY_DOMAINS))
_CODE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")


def _first_code(text: str) -> str | None:
    found = _CODE.search(text)
    return found.group(1) if found else None
