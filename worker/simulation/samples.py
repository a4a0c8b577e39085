"""The sample file (``worker/samples/ses-feedback-sample.jsonl``): hand-picked bodies for
the cases the generator rarely draws, then a small generated day."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from worker.simulation.documents import (
    REGION,
    Doc,
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
    subscription_event,
)
from worker.simulation.envelopes import (
    as_eventbridge,
    as_raw,
    as_sns,
    service_event,
    setup_notice,
    subscription_confirmation,
)
from worker.simulation.scenarios import (
    _DELAY_REPLIES,
    SCENARIOS_BY_NAME,
    scenario_bounce,
)
from worker.simulation.traffic import (
    generate_traffic,
)

# --- sample file -----------------------------------------------------------------------

SAMPLE_START: Final = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
SAMPLE_PATH: Final = Path(__file__).parent.parent / "samples" / "ses-feedback-sample.jsonl"


def write_sample(path: str | Path, bodies: Iterable[str]) -> int:
    """Write one body per line (UTF-8); returns the number of lines. Bodies must be
    single-line text (JSON from this module always is)."""
    lines = []
    for body in bodies:
        if "\n" in body or "\r" in body:
            raise ValueError("a body spans several lines; SQS sample files hold one per line")
        lines.append(body)
    Path(path).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)


class _Picker:
    """Fixed ids and times for the hand-picked bodies (one seeded generator, in order)."""

    def __init__(self) -> None:
        self.rng = random.Random(7)
        self.at = datetime(2025, 3, 4, 8, 30, tzinfo=UTC)

    def mail_for(self, address: str, ntype: str, subject: str, n: int) -> Doc:
        return mail_object(
            message_id(self.rng, self.at + timedelta(minutes=n)),
            [address],
            timestamp=self.at + timedelta(minutes=n),
            tags={"notification_id": f"n-sample-{n:03d}", "notification_type": ntype},
            subject=subject,
        )

    def later(self, n: int, seconds: float) -> datetime:
        return self.at + timedelta(minutes=n, seconds=seconds)


def _outcome_bodies(p: _Picker) -> list[str]:
    """Send, Delivery, Bounce, Complaint and DeliveryDelay in each envelope."""
    bodies = []
    m1 = p.mail_for("jane.doe@acme.example", "magic_code", "Your sign-in code", 1)
    bodies.append(as_raw(send_event(m1)))
    bodies.append(as_sns(delivery_event(m1, ["jane.doe@acme.example"], timestamp=p.later(1, 1.6))))
    m2 = p.mail_for("omardoe84@gmail.com", "password_reset", "Reset your password", 2)
    bounce = scenario_bounce(
        m2,
        "omardoe84@gmail.com",
        SCENARIOS_BY_NAME["gmail_no_such_user"],
        feedback_id=feedback_id(p.rng, p.later(2, 1)),
        timestamp=p.later(2, 1),
        remote_mta_ip="198.51.100.26",
        form="notification",
    )
    bodies.append(as_sns(bounce))
    m3 = p.mail_for("li.wei@yahoo.com", "weekly_digest", "Your weekly digest", 3)
    complaint = complaint_event(
        m3,
        ["li.wei@yahoo.com"],
        feedback_id=feedback_id(p.rng, p.later(3, 7200)),
        timestamp=p.later(3, 7200),
        form="notification",
    )
    bodies.append(as_raw(complaint))
    m4 = p.mail_for("maria.garcia@globex.example", "approval_request", "Approval needed", 4)
    mimecast = scenario_bounce(
        m4,
        "maria.garcia@globex.example",
        SCENARIOS_BY_NAME["mimecast_security_policies"],
        feedback_id=feedback_id(p.rng, p.later(4, 2)),
        timestamp=p.later(4, 2),
        remote_mta_ip="198.51.100.80",
    )
    bodies.append(as_eventbridge(mimecast))
    m5 = p.mail_for("kenji.tanaka@outlook.com", "alert", "[Alert] Disk usage above 90% on db-1", 5)
    delay_reply = _DELAY_REPLIES["microsoft"][0]
    bodies.append(
        as_eventbridge(
            delivery_delay_event(
                m5,
                [
                    {
                        "emailAddress": "kenji.tanaka@outlook.com",
                        "status": delay_reply[1],
                        "diagnosticCode": f"smtp; {delay_reply[2]}",
                    }
                ],
                timestamp=p.later(5, 900),
                delay_type=delay_reply[0],
            )
        )
    )
    return bodies


def _other_bodies(p: _Picker) -> list[str]:
    """Reject, Rendering Failure, engagement events, the simulator and control messages."""
    bodies = []
    m6 = p.mail_for("amara.okafor@contoso.example", "weekly_digest", "Your weekly digest", 6)
    bodies.append(as_sns(reject_event(m6)))
    m7 = p.mail_for("lucas.martin@fabrikam.example", "approval_request", "Approval needed", 7)
    bodies.append(as_raw(rendering_failure_event(m7, template_name="approval-request-v1")))
    m8 = p.mail_for("priya.sharma@gmail.com", "weekly_digest", "Your weekly digest", 8)
    bodies.append(as_eventbridge(open_event(m8, timestamp=p.later(8, 600))))
    bodies.append(
        as_sns(
            click_event(
                m8,
                timestamp=p.later(8, 640),
                link="https://app.example.com/digest",
                link_tags={"campaign": ["weekly_digest"]},
            )
        )
    )
    bodies.append(as_raw(subscription_event(m8, timestamp=p.later(8, 700))))
    m9 = p.mail_for("success@simulator.amazonses.com", "magic_code", "Your sign-in code", 9)
    bodies.append(
        as_raw(delivery_event(m9, ["success@simulator.amazonses.com"], timestamp=p.later(9, 0.9)))
    )
    bodies.append(
        subscription_confirmation(
            topic_arn=f"arn:aws:sns:{REGION}:444455556666:partner-ses-feedback"
        )
    )
    bodies.append(setup_notice("event_publishing"))
    bodies.append(setup_notice("identity"))
    bodies.append(service_event("Sending Status Disabled"))
    return bodies


def hand_picked_bodies() -> list[str]:
    """One body per event type and envelope, plus the control messages, with fixed ids."""
    picker = _Picker()
    return _outcome_bodies(picker) + _other_bodies(picker)


def sample_bodies() -> list[str]:
    """The sample file's lines: the hand-picked bodies, then generated traffic (seed 7).

    No malformed bodies: the README's first command classifies this file and should
    exit 0 (malformed input is shown by the tests and the demo instead)."""
    traffic = generate_traffic(notifications=20, seed=7, start=SAMPLE_START, malformed=0)
    return hand_picked_bodies() + traffic.bodies
