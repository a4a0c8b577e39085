"""A small notification log with one notification per outcome a support agent must tell
apart, built through the real handlers (record sends, apply SES bodies). Used by the
support query, API, CLI and browser tests on PostgreSQL and SQLite alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from tests import bodies
from tests.support.fake_suppression import FakeSuppressionList
from tests.support.ingest import WINDOW, send_record
from worker.adapters.notification_log import SqlNotificationLog
from worker.adapters.suppression import SqlSuppressionAudit
from worker.api.wiring import SupportServices
from worker.handlers.ingest import apply_batch
from worker.handlers.ports.suppression import SuppressionList
from worker.handlers.sends import record_sends
from worker.migrations import upgrade
from worker.queries.support import SupportQueries

#: The clock of the seeded log: every test that reads it passes this ``now``.
NOW = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


def support_services(
    engine: Engine,
    *tokens: str,
    suppression: SuppressionList | None = None,
    now: datetime = NOW,
) -> SupportServices:
    """The support services over the SQL log on ``engine`` as the API tests use them: a fake
    SES suppression list (unless given), ``tokens``, eu-west-1, the 24-hour window and a
    clock stopped at ``now``."""
    return SupportServices(
        queries=SupportQueries(engine),
        log=SqlNotificationLog(engine),
        suppression=FakeSuppressionList() if suppression is None else suppression,
        audit=SqlSuppressionAudit(engine),
        api_tokens=tokens,
        region="eu-west-1",
        feedback_window=WINDOW,
        clock=lambda: now,
    )


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Seeded:
    """Addresses and ids of the seeded notifications."""

    delivered: str = "alice@acme.example"
    bounced: str = "bob@gmail.com"
    quarantined: str = "carol@corp.example"
    awaiting: str = "dave@acme.example"
    unknown: str = "erin@acme.example"
    complaint: str = "frank@yahoo.com"
    never: str = "nobody@acme.example"
    bounced_message_id: str = "0100018f-bob-0000-0000-000000000002-000000"
    delivered_notification_id: str = "n-alice-1"


SEEDED = Seeded()


def _mimecast_bounce(message_id: str, recipient: str, at: str) -> str:
    body = json.loads(
        bodies.bounce(
            message_id,
            recipient,
            feedback_id=f"fb-{message_id}",
            timestamp=at,
            subtype="General",
            status="5.0.0",
            diagnostic=(
                "smtp; 550 Rejected by header based Anti-Spoofing policy - "
                "https://community.mimecast.com/docs/DOC-1369#550 "
                "[AbCdEf.us123]"
            ),
        )
    )
    body["bounce"]["reportingMTA"] = "dns; us-smtp-inbound-1.mimecast.com"
    body["bounce"]["remoteMtaIp"] = "205.139.110.1"
    body["mail"]["commonHeaders"] = {
        "from": ["Acme Billing <billing@notify.acme-app.example>"],
        "to": [recipient],
        "subject": "Your sign-in code",
        "messageId": f"<{message_id}@email.amazonses.com>",
    }
    return json.dumps(body)


def seed(engine: Engine, *, migrate: bool = True, now: datetime = NOW) -> Seeded:
    """Migrate and fill the log as of ``now``. Idempotent (recording or applying twice is
    a no-op)."""
    if migrate:
        upgrade(engine)
    log = SqlNotificationLog(engine)
    s = SEEDED
    recent = now - timedelta(hours=2)
    old = now - timedelta(days=3)
    plan = [
        # (notification id, message id, address, sent at, type)
        (s.delivered_notification_id, "0100018f-alice-000000000001-000000", s.delivered, recent),
        ("n-bob-1", s.bounced_message_id, s.bounced, recent),
        ("n-carol-1", "0100018f-carol-00000000003-000000", s.quarantined, recent),
        ("n-dave-1", "0100018f-dave-000000000004-000000", s.awaiting, now - timedelta(minutes=12)),
        ("n-erin-1", "0100018f-erin-000000000005-000000", s.unknown, old),
        ("n-frank-1", "0100018f-frank-00000000006-000000", s.complaint, recent),
        # An older, earlier notification to alice (delivered too) for the history.
        ("n-alice-0", "0100018f-alice-000000000000-000000", s.delivered, old),
    ]
    records = [
        send_record(nid, mid, addr, "magic_code" if nid.endswith("1") else "receipt", sent_at=when)
        for nid, mid, addr, when in plan
    ]
    record_sends(records, log=log, now=now, feedback_window=WINDOW)
    at = ts(recent + timedelta(seconds=3))
    mail_ts = ts(recent)
    batch = [
        bodies.delivery(plan[0][1], [s.delivered], timestamp=at, mail_timestamp=mail_ts),
        bodies.delivery(plan[6][1], [s.delivered], timestamp=ts(old), mail_timestamp=ts(old)),
        bodies.bounce(
            s.bounced_message_id,
            s.bounced,
            feedback_id="fb-bob-1",
            timestamp=at,
            mail_timestamp=mail_ts,
            diagnostic=(
                "smtp; 550-5.1.1 The email account that you tried to reach does not exist. "
                "Please try double-checking the recipient's email address for typos or "
                "unnecessary spaces. For more information, go to "
                "https://support.google.com/mail/?p=NoSuchUser - gsmtp"
            ),
        ),
        _mimecast_bounce(plan[2][1], s.quarantined, at),
        bodies.complaint(
            plan[5][1], s.complaint, feedback_id="fb-frank-1", timestamp=at, mail_timestamp=mail_ts
        ),
        bodies.delay(
            plan[4][1], s.unknown, timestamp=ts(old + timedelta(minutes=5)), mail_timestamp=ts(old)
        ),
    ]
    apply_batch(batch, log=log, now=now, feedback_window=WINDOW)
    return s


def record_and_bounce(services: SupportServices, address: str, *, now: datetime = NOW) -> None:
    """A send to ``address`` an hour before ``now``, hard bounced: the mailbox is disabled
    (what SES puts an address on the suppression list for, and support may clear)."""
    sent = now - timedelta(hours=1)
    message_id = f"0100018f-{address.split('@')[0]}-hard-000000"
    record_sends(
        [send_record(f"n-{message_id}", message_id, address, sent_at=sent)],
        log=services.log,
        now=now,
        feedback_window=WINDOW,
    )
    bounce = bodies.bounce(
        message_id,
        address,
        feedback_id=f"fb-{message_id}",
        timestamp=ts(sent + timedelta(seconds=3)),
        mail_timestamp=ts(sent),
        status="5.2.1",
        diagnostic="smtp; 550 5.2.1 The email account that you tried to reach is disabled.",
    )
    apply_batch([bounce], log=services.log, now=now, feedback_window=WINDOW)


ALICE_MESSAGE_ID = "0100018f-alice-000000000001-000000"


def add_engagement(engine: Engine, *, now: datetime = NOW) -> tuple[str, str]:
    """Two opens and a click on alice's newest (delivered) notification, an open on bob's
    (bounced) one. Returns alice's first open and first click times."""
    from worker.simulation.documents import click_event

    log = SqlNotificationLog(engine)
    sent = now - timedelta(hours=2)
    first_open, later_open = ts(sent + timedelta(minutes=10)), ts(sent + timedelta(minutes=40))
    click = ts(sent + timedelta(minutes=41))
    mail = json.loads(bodies.open_(ALICE_MESSAGE_ID, SEEDED.delivered, mail_timestamp=ts(sent)))
    batch = [
        # Out of order on purpose: the first open is the earliest, not the first applied.
        bodies.open_(
            ALICE_MESSAGE_ID, SEEDED.delivered, timestamp=later_open, mail_timestamp=ts(sent)
        ),
        bodies.open_(
            ALICE_MESSAGE_ID, SEEDED.delivered, timestamp=first_open, mail_timestamp=ts(sent)
        ),
        json.dumps(click_event(mail["mail"], timestamp=click, link="https://app.example/x")),
        bodies.open_(
            SEEDED.bounced_message_id, SEEDED.bounced, timestamp=first_open, mail_timestamp=ts(sent)
        ),
    ]
    apply_batch(batch, log=log, now=now, feedback_window=WINDOW)
    return first_open, click
