"""The SES traffic generator (``worker.simulation``): realistic shapes, real-looking ids,
determinism, and an ``expected`` that agrees with the outcome contract.

The end-to-end check at the bottom runs every generated body through the production
parser, classifier and status rules and compares with ``expected``: the generator and
the domain code were written independently from the same contract.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from worker import simulation as sim
from worker.domain.addresses import normalise_address
from worker.domain.events import FeedbackEvent
from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status
from worker.domain.parser import parse_body

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
SES_ID = re.compile(
    r"^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$"
)
SNS_KEYS = [
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
]
EVENTBRIDGE_KEYS = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
]


@pytest.fixture(scope="module")
def traffic() -> sim.Traffic:
    return sim.generate_traffic(notifications=3000, seed=11, start=START)


def envelope_of(body: dict[str, Any]) -> str:
    if "Type" in body:
        return "sns"
    if body.get("source") == "aws.ses":
        return "eventbridge"
    return "raw"


def inner_document(body: dict[str, Any]) -> dict[str, Any]:
    kind = envelope_of(body)
    if kind == "sns":
        document: dict[str, Any] = json.loads(body["Message"])
        return document
    if kind == "eventbridge":
        detail: dict[str, Any] = body["detail"]
        return detail
    return body


def good_pairs(traffic: sim.Traffic) -> list[tuple[str, dict[str, Any]]]:
    """(text, decoded) for every body that is not one of the malformed ones."""
    malformed = set(traffic.malformed)
    return [(body, json.loads(body)) for body in traffic.bodies if body not in malformed]


def good_bodies(traffic: sim.Traffic) -> list[dict[str, Any]]:
    return [body for _, body in good_pairs(traffic)]


# --- bodies and envelopes -------------------------------------------------------------


def test_bodies_are_single_line_json_except_the_malformed_ones(traffic: sim.Traffic) -> None:
    malformed = set(traffic.malformed)
    assert len(traffic.malformed) == 3
    assert malformed <= set(traffic.bodies)
    for body in traffic.bodies:
        assert "\n" not in body and "\r" not in body
        if body not in malformed:
            assert isinstance(json.loads(body), dict)


def test_malformed_bodies_cover_every_kind_and_oversize_is_opt_in() -> None:
    traffic = sim.generate_traffic(notifications=200, seed=3, start=START, malformed=4, oversize=1)
    assert len(traffic.malformed) == 5
    not_json = wrong_type = unknown_type = oversize = 0
    for body in traffic.malformed:
        try:
            document = json.loads(body)
        except json.JSONDecodeError:
            not_json += 1  # plain text and truncated JSON
            continue
        if len(body.encode()) > 256 * 1024:
            oversize += 1
        elif document.get("eventType") not in sim.SUB_OBJECT_KEYS:
            unknown_type += 1
        elif isinstance(document.get("delivery", {}).get("recipients"), str):
            wrong_type += 1
    assert (not_json, wrong_type, unknown_type, oversize) == (2, 1, 1, 1)
    default = sim.generate_traffic(notifications=200, seed=3, start=START)
    assert max(len(body) for body in default.bodies) < 256 * 1024


def test_every_envelope_has_its_real_shape(traffic: sim.Traffic) -> None:
    seen: Counter[str] = Counter()
    for body in good_bodies(traffic):
        kind = envelope_of(body)
        document = inner_document(body)
        if kind == "sns":
            assert list(body) == [k for k in SNS_KEYS if k in body]
            assert set(SNS_KEYS) - set(body) <= {"Subject"}
            assert body["Type"] == "Notification"
            assert body["TopicArn"] == sim.DEFAULT_TOPIC_ARN
            assert isinstance(body["Message"], str)
            assert body["SigningCertURL"].startswith("https://sns.eu-west-1.amazonaws.com/")
            if "eventType" in document:
                assert body["Subject"] == "Amazon SES Email Event Notification"
            else:
                assert "Subject" not in body
        elif kind == "eventbridge":
            assert list(body) == EVENTBRIDGE_KEYS
            assert body["source"] == "aws.ses"
            assert "notificationType" not in document
            assert body["detail-type"] == sim.DETAIL_TYPES[document["eventType"]]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["time"])
        else:
            assert "Type" not in body and "source" not in body
        if "notificationType" in document:
            form = "identity"
            event_type = document["notificationType"]
            assert event_type in sim.IDENTITY_NOTIFICATION_TYPES
            assert "tags" not in document["mail"] and "sourceIp" in document["mail"]
        else:
            form = "event"
            event_type = document["eventType"]
            tags = document["mail"]["tags"]
            assert len(tags["notification_id"]) == 1 and len(tags["notification_type"]) == 1
        assert sim.SUB_OBJECT_KEYS[event_type] in document
        seen[f"{kind}/{form}"] += 1
    assert set(seen) == {
        "sns/event",
        "sns/identity",
        "raw/event",
        "raw/identity",
        "eventbridge/event",
    }


def test_the_fast_serialisation_matches_the_public_wrappers(traffic: sim.Traffic) -> None:
    """The generator splices cached JSON; the result must be what the wrappers write."""
    for text, body in good_pairs(traffic):
        kind = envelope_of(body)
        if kind == "sns":
            document = json.loads(body["Message"])
            rebuilt = sim.as_sns(
                document, timestamp=body["Timestamp"], message_id=body["MessageId"]
            )
        elif kind == "eventbridge":
            rebuilt = sim.as_eventbridge(body["detail"], event_id=body["id"])
        else:
            rebuilt = sim.as_raw(body)
        assert rebuilt == text
        # ... and what json.dumps writes (the wrappers use templates on their hot paths).
        assert json.dumps(body, separators=(",", ":")) == text
        if kind == "sns":
            assert (
                json.dumps(json.loads(body["Message"]), separators=(",", ":")) == (body["Message"])
            )
        mail = inner_document(body)["mail"]
        if "tags" in mail:  # the templated mail JSON is mail_object's, key order included
            made = sim.mail_object(
                mail["messageId"],
                mail["destination"],
                timestamp=mail["timestamp"],
                tags={k: v for k, v in mail["tags"].items() if not k.startswith("ses:")},
                subject=mail["commonHeaders"]["subject"],
            )
            assert json.dumps(mail) == json.dumps(made)


def test_envelopes_can_be_restricted() -> None:
    only_raw = sim.generate_traffic(notifications=300, seed=5, start=START, malformed=0)
    assert {envelope_of(json.loads(b)) for b in only_raw.bodies} == {"sns", "raw", "eventbridge"}
    raw = sim.generate_traffic(
        notifications=300, seed=5, start=START, malformed=0, envelopes=("raw",)
    )
    assert {envelope_of(json.loads(b)) for b in raw.bodies} == {"raw"}
    bridge = sim.generate_traffic(
        notifications=300, seed=5, start=START, malformed=0, envelopes=("eventbridge",)
    )
    bodies = [json.loads(b) for b in bridge.bodies]
    assert {envelope_of(b) for b in bodies} == {"eventbridge"}
    with pytest.raises(ValueError):
        sim.generate_traffic(notifications=1, seed=1, start=START, envelopes=("smtp",))


# --- ids ------------------------------------------------------------------------------


def test_ids_have_the_real_shape(traffic: sim.Traffic) -> None:
    rng = random.Random(1)
    at = datetime(2025, 3, 4, 10, 18, 32, 593000, tzinfo=UTC)
    made = sim.message_id(rng, at)
    assert len(made) == 60 and SES_ID.match(made)
    assert made.startswith("0102019560aa0f11-")  # the reference's example time
    assert SES_ID.match(sim.feedback_id(rng)) and sim.is_ses_id(sim.feedback_id(rng))
    for body in good_bodies(traffic):
        document = inner_document(body)
        assert SES_ID.match(document["mail"]["messageId"])
        for key in ("bounce", "complaint"):
            if key in document:
                assert SES_ID.match(document[key]["feedbackId"])
    assert all(SES_ID.match(s.message_id) for s in traffic.sends)


# --- determinism ----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_traffic() -> None:
    def make(seed: int) -> sim.Traffic:
        return sim.generate_traffic(notifications=400, seed=seed, start=START)

    first, second, other = make(21), make(21), make(22)
    assert first.bodies == second.bodies
    assert first.expected == second.expected
    assert first.sends == second.sends
    assert first.early == second.early
    assert first.bodies != other.bodies
    assert not {s.notification_id for s in first.sends} & {s.notification_id for s in other.sends}


# --- expected outcomes ----------------------------------------------------------------


def test_expected_covers_every_notification(traffic: sim.Traffic) -> None:
    ids = [s.notification_id for s in traffic.sends]
    assert len(ids) == 3000 == len(set(ids))
    assert set(traffic.expected) == set(ids)
    for status, reason in traffic.expected.values():
        assert STATUS_OF_REASON[reason] is status
        assert status is not Status.UNKNOWN  # as if the feedback window had not passed
    assert set(traffic.early) <= set(ids)
    assert len(traffic.initial_sends()) + len(traffic.late_sends()) == len(ids)
    assert traffic.late_sends(), "about 2% of messages arrive before their sent record"


def test_multi_recipient_messages_share_a_message_id_and_suffix_the_tag(
    traffic: sim.Traffic,
) -> None:
    by_message: defaultdict[str, list[sim.SentRecord]] = defaultdict(list)
    for record in traffic.sends:
        by_message[record.message_id].append(record)
    multi = [records for records in by_message.values() if len(records) > 1]
    assert multi
    for records in multi:
        assert 2 <= len(records) <= 3
        tag = records[0].notification_id.split("/", 1)[0]
        for record in records:
            assert record.notification_id == f"{tag}/{record.recipient}"
            assert record.sent_at == records[0].sent_at
    tag_of = {
        record.message_id: (record.notification_id.split("/")[0], record.notification_type)
        for record in traffic.sends
    }
    for body in good_bodies(traffic):
        mail = inner_document(body)["mail"]
        if "tags" in mail:  # event publishing (identity notifications carry no tags)
            tag, notification_type = tag_of[mail["messageId"]]
            assert mail["tags"]["notification_id"] == [tag]
            assert mail["tags"]["notification_type"] == [notification_type]


def test_the_outcome_mix_is_realistic() -> None:
    traffic = sim.generate_traffic(notifications=6000, seed=4, start=START)
    statuses = Counter(status for status, _ in traffic.expected.values())
    reasons = Counter(reason for _, reason in traffic.expected.values())
    share = {status: count / 6000 for status, count in statuses.items()}
    assert 0.80 <= share[Status.DELIVERED] <= 0.91
    assert 0.04 <= share[Status.BOUNCED] <= 0.09
    assert 0.025 <= share[Status.QUARANTINED] <= 0.07
    assert 0.01 <= share[Status.SENT] <= 0.04
    must_appear = {
        Reason.ACCEPTED,
        Reason.AWAITING_FEEDBACK,
        Reason.DELIVERY_DELAYED,
        Reason.MAILBOX_NOT_FOUND,
        Reason.MAILBOX_DISABLED,
        Reason.MAILBOX_FULL,
        Reason.SUPPRESSED,
        Reason.REJECTED,
        Reason.RENDERING_FAILURE,
        Reason.SOFT_BOUNCE,
        Reason.HARD_BOUNCE,
        Reason.AUTH_FAILED,
        Reason.SENDER_BLOCKLISTED,
        Reason.SPAM_FILTERED,
        Reason.SECURITY_GATEWAY,
        Reason.POLICY_BLOCKED,
        Reason.COMPLAINT,
    }
    assert must_appear <= set(reasons), must_appear - set(reasons)
    # The company behind Mimecast quarantines (bounces, not complaints) more than the rest.
    quarantined_at: Counter[bool] = Counter()
    sent_to: Counter[bool] = Counter()
    for record in traffic.sends:
        globex = record.recipient.lower().endswith("@globex.example")
        sent_to[globex] += 1
        status, reason = traffic.expected[record.notification_id]
        if status is Status.QUARANTINED and reason is not Reason.COMPLAINT:
            quarantined_at[globex] += 1
    rate = {key: quarantined_at[key] / sent_to[key] for key in (True, False)}
    assert rate[True] > 2 * rate[False], rate


def test_small_traffic_still_shows_the_rare_cases() -> None:
    traffic = sim.generate_traffic(notifications=40, seed=9, start=START)
    reasons = {reason for _, reason in traffic.expected.values()}
    assert {Reason.REJECTED, Reason.RENDERING_FAILURE, Reason.COMPLAINT} <= reasons
    types = {
        inner_document(json.loads(b)).get("eventType")
        or inner_document(json.loads(b)).get("notificationType")
        for b in traffic.bodies
        if b not in traffic.malformed
    }
    assert {"Send", "Delivery", "Bounce", "Complaint", "DeliveryDelay", "Reject"} <= types
    assert "Rendering Failure" in types


def test_duplicates_appear_at_roughly_the_requested_rate() -> None:
    traffic = sim.generate_traffic(
        notifications=4000, seed=8, start=START, duplicate_rate=0.1, malformed=0
    )
    repeats = len(traffic.bodies) - len(set(traffic.bodies))
    assert repeats == traffic.counts["duplicates"]
    assert 0.08 <= repeats / len(set(traffic.bodies)) <= 0.12
    none = sim.generate_traffic(
        notifications=500, seed=8, start=START, duplicate_rate=0.0, malformed=0
    )
    assert len(none.bodies) == len(set(none.bodies))


def test_the_same_event_sometimes_arrives_through_two_envelopes(traffic: sim.Traffic) -> None:
    """Cross-path twins: different bodies, one event (same feedbackId / delivery time)."""
    keys: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
    for text, body in good_pairs(traffic):
        document = inner_document(body)
        event_type = document.get("eventType") or document.get("notificationType")
        if event_type in ("Bounce", "Complaint", "Delivery"):
            sub = document[sim.SUB_OBJECT_KEYS[event_type]]
            key = sub.get("feedbackId") or sub["timestamp"]
            keys[(event_type, document["mail"]["messageId"], key)].add(text)
    assert sum(1 for texts in keys.values() if len(texts) > 1) >= 10
    assert traffic.counts["twins"] >= 10


def test_unshuffled_traffic_arrives_in_publication_order() -> None:
    traffic = sim.generate_traffic(
        notifications=500, seed=6, start=START, out_of_order=False, malformed=0
    )
    stamps = [sim._event_timestamp(inner_document(json.loads(body))) for body in traffic.bodies]
    assert stamps == sorted(stamps)


def test_expected_agrees_with_the_production_rules() -> None:
    """Parser + classifier + status rules over every body == the generator's expected."""
    traffic = sim.generate_traffic(notifications=2500, seed=13, start=START, oversize=1)
    _assert_expected_agrees_with_the_production_rules(traffic)


def _assert_expected_agrees_with_the_production_rules(
    traffic: sim.Traffic, received_at: datetime | None = None
) -> None:
    from worker.domain.classifier import classify_event
    from worker.domain.events import Rejection
    from worker.domain.status import DecidingEvent, decide_status

    malformed = set(traffic.malformed)
    deciding: defaultdict[tuple[str, str], dict[str, DecidingEvent]] = defaultdict(dict)
    for body in traffic.bodies:
        result = parse_body(body, received_at=received_at)
        if body in malformed:
            assert isinstance(result, Rejection), body[:200]
            continue
        assert isinstance(result, FeedbackEvent), (result, body[:200])
        for outcome in classify_event(result):
            if outcome.verdict is not None:
                deciding[(result.message_id, outcome.address)][outcome.identity] = DecidingEvent(
                    outcome.identity, outcome.occurred_at, outcome.verdict.reason
                )
    for record in traffic.sends:
        events = deciding[(record.message_id, normalise_address(record.recipient))].values()
        decision = decide_status(
            events, sent_at=record.sent_at, now=record.sent_at, feedback_window=timedelta(days=1)
        )
        assert (decision.status, decision.reason) == traffic.expected[record.notification_id], (
            record
        )


# --- the scenario catalogue -----------------------------------------------------------


def test_the_catalogue_is_broad_and_consistent() -> None:
    scenarios = sim.FAILURE_SCENARIOS
    assert len(scenarios) >= 25
    assert len({s.name for s in scenarios}) == len(scenarios)
    domains = {d.name for d in sim.DOMAINS}
    for s in scenarios:
        assert s.domain is None or s.domain in domains
        assert s.expected_status is STATUS_OF_REASON[s.expected_reason]
        if s.is_expiry:
            assert s.diagnostic and "unable to deliver in 840 minutes" in s.diagnostic
            assert s.inner_reply and s.delay_type
    text = " ".join(f"{s.name} {s.diagnostic} {s.reporting_mta}" for s in scenarios).lower()
    for marker in (
        "gsmtp",
        "outlook.com",
        "yahoo",
        "icloud",
        "mimecast",
        "proofpoint",
        "barracuda",
        "trend micro",
        "symanteccloud",
        "spamhaus",
        "suppression list for your account",
        "840 minutes",
    ):
        assert marker in text, marker
    yahoo = sim.SCENARIOS_BY_NAME["yahoo_no_account"]
    assert "jo@yahoo.com" in (yahoo.diagnostic_for("jo@yahoo.com") or "")


@pytest.mark.parametrize("scenario", sim.FAILURE_SCENARIOS, ids=lambda s: s.name)
def test_each_scenario_classifies_as_expected(scenario: sim.FailureScenario) -> None:
    from worker.domain.classifier import classify_bounce_entry

    verdict = classify_bounce_entry(
        bounce_type=scenario.bounce_type,
        bounce_subtype=scenario.bounce_subtype,
        action="failed" if scenario.status else None,
        status=scenario.status,
        diagnostic=scenario.diagnostic,
        reporting_mta=scenario.reporting_mta,
    )
    assert verdict is not None
    assert verdict.reason is scenario.expected_reason


# --- builders and control bodies ------------------------------------------------------


def _mail() -> dict[str, Any]:
    rng = random.Random(2)
    return sim.mail_object(
        sim.message_id(rng, START),
        ["Jane <jane@acme.example>"],
        timestamp=START,
        tags={"notification_id": "n-1", "notification_type": "alert"},
        subject="Hi",
    )


def test_document_builders() -> None:
    mail = _mail()
    assert mail["tags"]["notification_id"] == ["n-1"]
    assert mail["tags"]["ses:configuration-set"] == [sim.CONFIGURATION_SET]
    assert mail["commonHeaders"]["date"] == "Tue, 04 Mar 2025 09:00:00 +0000"

    failure = sim.rendering_failure_event(mail, template_name="alert-v4")
    assert failure["eventType"] == "Rendering Failure" and "failure" in failure
    assert json.loads(sim.as_eventbridge(failure))["detail-type"] == "Email Rendering Failed"

    delivery = sim.delivery_event(
        mail, ["jane@acme.example"], timestamp=START + timedelta(seconds=2)
    )
    assert delivery["delivery"]["processingTimeMillis"] == 2000
    assert delivery["delivery"]["smtpResponse"].startswith("250 2.0.0 ")  # Proofpoint

    identity = sim.to_identity_notification(delivery)
    assert identity["notificationType"] == "Delivery"
    assert "tags" not in identity["mail"] and identity["mail"]["sourceIp"] == sim.SOURCE_IP
    assert sim.to_event_publishing(identity)["eventType"] == "Delivery"
    bridged = json.loads(sim.as_eventbridge(identity))
    assert bridged["detail"]["eventType"] == "Delivery"
    with pytest.raises(ValueError):
        sim.to_identity_notification(sim.send_event(mail))

    complaint = sim.complaint_event(
        mail,
        ["jane@acme.example"],
        feedback_id="x",
        timestamp=START,
        feedback_type=None,
        sub_type="OnAccountSuppressionList",
    )["complaint"]
    assert complaint["complaintSubType"] == "OnAccountSuppressionList"
    assert "complaintFeedbackType" not in complaint

    bounce = sim.bounce_event(
        mail,
        [sim.bounced_recipient("jane@acme.example", action=None)],
        "Transient",
        "General",
        feedback_id="y",
        timestamp=START,
    )["bounce"]
    assert bounce["bouncedRecipients"] == [{"emailAddress": "jane@acme.example"}]
    assert "reportingMTA" not in bounce


def test_signer_callback_signs_sns_envelopes() -> None:
    from tests.support.sns_signing import SnsSigner
    from worker.adapters.sns_signature import SnsSignatureVerifier
    from worker.domain.events import FeedbackEvent
    from worker.domain.parser import parse_body

    # SNS signs with the certificate of the topic's own region (the verifier checks it).
    signer = SnsSigner(
        cert_url=f"https://sns.{sim.REGION}.amazonaws.com/"
        "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
    )
    received: list[dict[str, str]] = []

    def sign(fields: dict[str, str]) -> dict[str, str]:
        received.append(fields)
        return {
            "SignatureVersion": "2",
            "Signature": signer.signature(fields),
            "SigningCertURL": signer.cert_url,
        }

    body = sim.as_sns(sim.send_event(_mail()), signer=sign)
    assert "Signature" not in received[0] and received[0]["Type"] == "Notification"
    event = parse_body(body)
    assert isinstance(event, FeedbackEvent) and event.sns is not None
    assert SnsSignatureVerifier(signer.fetch_certificate).verify(event.sns) is None

    traffic = sim.generate_traffic(notifications=30, seed=1, start=START, signer=sign)
    sns = [json.loads(b) for b in traffic.bodies if b not in traffic.malformed]
    assert all(b["Signature"] != sim.PLACEHOLDER_SIGNATURE for b in sns if "Type" in b)


def test_control_bodies() -> None:
    confirmation = json.loads(sim.subscription_confirmation())
    assert confirmation["Type"] == "SubscriptionConfirmation"
    assert confirmation["Token"] in confirmation["SubscribeURL"]
    assert "UnsubscribeURL" not in confirmation
    assert json.loads(sim.subscription_confirmation(unsubscribe=True))["Type"] == (
        "UnsubscribeConfirmation"
    )
    notice = json.loads(sim.setup_notice())
    assert notice["Message"] == sim.EVENT_PUBLISHING_SETUP_MESSAGE
    identity = json.loads(json.loads(sim.setup_notice("identity"))["Message"])
    assert identity["notificationType"] == "AmazonSnsSubscriptionSucceeded"
    service = json.loads(sim.service_event())
    assert service["source"] == "aws.ses" and "mail" not in service["detail"]


# --- sample file ----------------------------------------------------------------------


def test_write_sample_writes_one_body_per_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    assert sim.write_sample(path, ['{"a":1}', '{"b":2}']) == 2
    assert path.read_text().splitlines() == ['{"a":1}', '{"b":2}']
    with pytest.raises(ValueError):
        sim.write_sample(path, ['{"a":\n1}'])


def test_the_shipped_sample_is_current_and_covers_everything() -> None:
    lines = sim.SAMPLE_PATH.read_text(encoding="utf-8").splitlines()
    assert lines == sim.sample_bodies(), "regenerate: python -m worker.simulation"
    assert 50 <= len(lines) <= 80
    types: set[str] = set()
    shapes: set[str] = set()
    for line in lines:
        body = json.loads(line)
        kind = envelope_of(body)
        if kind == "sns" and body["Type"] != "Notification":
            shapes.add(body["Type"])
            continue
        try:
            document = inner_document(body)
        except json.JSONDecodeError:  # the plain-text set-up notice
            shapes.add("setup")
            continue
        if "mail" not in document:
            shapes.add("control")
            continue
        form = "identity" if "notificationType" in document else "event"
        types.add(document.get("eventType") or document["notificationType"])
        shapes.add(f"{kind}/{form}")
    assert types == set(sim.SUB_OBJECT_KEYS)
    assert {"sns/event", "sns/identity", "raw/event", "raw/identity", "eventbridge/event"} <= shapes
    assert {"SubscriptionConfirmation", "setup", "control"} <= shapes


def test_traffic_received_at_leaves_out_feedback_from_the_future() -> None:
    traffic = sim.generate_traffic(notifications=1500, seed=3, start=START, malformed=2)
    moment = START + timedelta(hours=2)
    now_seen = traffic.received_at(moment)
    limit = moment + timedelta(days=1)
    times = [p.occurred_at for p in map(parse_body, traffic.bodies) if isinstance(p, FeedbackEvent)]
    late = sum(1 for t in times if t > limit)
    assert late, "complaints come hours to days after delivery: some feedback is late"
    assert len(now_seen.bodies) == len(traffic.bodies) - late
    assert now_seen.sends == traffic.sends  # every notification stays
    changed = {n for n in traffic.expected if traffic.expected[n] != now_seen.expected[n]}
    assert changed, "a complaint that has not happened yet does not decide"
    assert {now_seen.expected[n][1] for n in changed} <= {Reason.ACCEPTED, Reason.COMPLAINT}
    # What is left is exactly what the production rules make of the bodies left.
    _assert_expected_agrees_with_the_production_rules(now_seen, received_at=moment)
    # Far enough in the future, nothing is left out.
    assert traffic.received_at(START + timedelta(days=30)) is traffic
