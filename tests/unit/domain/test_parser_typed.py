"""The parser's two readers agree (issue 15, item 1).

:func:`parse_body` reads well-formed bodies through typed msgspec decoding and leaves
everything else to the dict-walking reference reader
(:func:`parse_body_reference`). Whatever a body holds, both give the same result: the
same event (identities, notes and envelope included), the same control message, the same
rejection code and message. Realistic bodies must actually take the typed path, or the
speed-up silently disappears.
"""

from __future__ import annotations

import copy
import gc
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import bodies as tb
from tests.unit.domain import ses_bodies as b
from worker.domain.events import ControlMessage, FeedbackEvent, Rejection
from worker.domain.parser import MAX_DEPTH, parse_body, parse_body_reference, parse_body_typed
from worker.simulation import generate_traffic

RECEIVED = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
RECEIVED_TIMES = [None, RECEIVED, datetime(2012, 1, 1, tzinfo=UTC), datetime.max]


def simulated_bodies(seed: int, malformed: int) -> list[str]:
    traffic = generate_traffic(
        notifications=400,
        seed=seed,
        start=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
        malformed=malformed,
    )
    return traffic.bodies


def assert_agree(body: str | bytes, received_at: datetime | None) -> None:
    typed = parse_body(body, received_at=received_at)
    reference = parse_body_reference(body, received_at=received_at)
    assert typed == reference, (body, received_at)


# --- realistic bodies ------------------------------------------------------------------


@pytest.mark.parametrize("received_at", RECEIVED_TIMES)
def test_realistic_corpus_agrees_in_every_envelope(received_at: datetime | None) -> None:
    for body in [*b.real_bodies(), *simulated_bodies(seed=3, malformed=60)]:
        assert_agree(body, received_at)
        assert_agree(body.encode("utf-8"), received_at)


def test_well_formed_events_take_the_typed_path() -> None:
    events = 0
    for body in [*b.real_bodies(), *simulated_bodies(seed=4, malformed=0)]:
        reference = parse_body_reference(body, received_at=RECEIVED)
        typed = parse_body_typed(body, received_at=RECEIVED)
        if isinstance(reference, FeedbackEvent):
            events += 1
            assert typed == reference
        else:  # rejections and control messages are the reference reader's alone
            assert typed is None
    assert events > 500


def test_malformed_bodies_are_left_to_the_reference_reader() -> None:
    bodies = simulated_bodies(seed=5, malformed=80)
    rejected = [body for body in bodies if isinstance(parse_body_reference(body), Rejection)]
    assert len(rejected) >= 40
    for body in rejected:
        assert parse_body_typed(body) is None
        assert parse_body(body) == parse_body_reference(body)


@pytest.mark.parametrize(
    "body",
    tb.one_of_each(),
)
def test_builder_bodies_agree(body: str) -> None:
    for received_at in RECEIVED_TIMES:
        assert_agree(body, received_at)


def test_nesting_past_the_limit_in_an_unread_field_is_still_too_deep() -> None:
    doc = b.delivery_doc()
    for depth in (MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 5):
        nested: Any = "x"
        for _ in range(depth):
            nested = [nested]
        deep = copy.deepcopy(doc)
        deep["mail"]["headers"] = nested  # a field the typed path skips
        for body in (b.raw(deep), b.sns_event_publishing(deep), b.eventbridge(deep)):
            assert_agree(body, RECEIVED)
            result = parse_body(body, received_at=RECEIVED)
            # mail is level 2 (3 inside an EventBridge detail); the lists go below it.
            assert isinstance(result, FeedbackEvent | Rejection)


def _with_headers(doc: dict[str, Any], count: int, value: str = "v [tag] {x}") -> Any:
    with_headers = copy.deepcopy(doc)
    with_headers["mail"]["headers"] = [
        {"name": f"X-Header-{index}", "value": value} for index in range(count)
    ]
    return with_headers


def test_documents_with_many_headers_take_the_typed_path() -> None:
    # Dozens of brackets, structural and in strings: settled without a scan.
    doc = _with_headers(b.delivery_doc(), 3 * MAX_DEPTH)
    for body in (b.raw(doc), b.sns_event_publishing(doc), b.eventbridge(doc)):
        assert isinstance(parse_body_typed(body, received_at=RECEIVED), FeedbackEvent)
        assert_agree(body, RECEIVED)


def test_nesting_past_the_limit_beside_many_headers_is_still_too_deep() -> None:
    for depth in (MAX_DEPTH - 4, MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH + 5):
        nested: Any = "x"
        for _ in range(depth):
            nested = [nested] if depth % 2 else {"k": nested}
        doc = _with_headers(b.delivery_doc(), MAX_DEPTH)
        doc["mail"]["unread"] = nested
        top = _with_headers(b.delivery_doc(), MAX_DEPTH)
        top["unread"] = nested
        for deep in (doc, top):
            for body in (b.raw(deep), b.sns_event_publishing(deep), b.eventbridge(deep)):
                assert_agree(body, RECEIVED)
        if depth > MAX_DEPTH:
            result = parse_body(b.sns_event_publishing(doc), received_at=RECEIVED)
            assert isinstance(result, Rejection) and result.code == "too_deep"


def test_nesting_past_the_limit_inside_a_header_is_still_too_deep() -> None:
    # The header brackets are not counted as levels; a key beside a header's name and
    # value could nest below them unread (a send event, which needs no sub-object, has
    # few other brackets: the count alone would let one level too many through).
    for depth in range(MAX_DEPTH - 6, MAX_DEPTH + 2):
        nested: Any = "x"
        for _ in range(depth):
            nested = [nested]
        doc = b.send_doc()
        doc["mail"].pop("commonHeaders", None)
        doc["mail"].pop("tags", None)
        doc.pop("send", None)
        doc["mail"]["headers"] = [{"name": "X-A", "value": "b", "unread": nested}]
        for body in (b.raw(doc), b.sns_event_publishing(doc), b.eventbridge(doc)):
            assert_agree(body, RECEIVED)


def test_escaped_brackets_are_counted_where_they_decode() -> None:
    # "\\u005b" in the text is "[" once decoded: structure inside an SNS Message, text
    # in a header value. Neither may make a too-deep body pass or a fine one fail.
    for depth in (MAX_DEPTH - 3, MAX_DEPTH + 2):
        nested: Any = "x"
        for _ in range(depth):
            nested = [nested]
        doc = _with_headers(b.delivery_doc(), MAX_DEPTH, value="LBR LBR")
        doc["mail"]["unread"] = nested
        sns_body = b.sns_event_publishing(doc)
        assert_agree(sns_body.replace("[[", "\\u005b["), RECEIVED)
        assert_agree(sns_body.replace("[[", "\\u005b\\u005b"), RECEIVED)
        for body in (b.raw(doc), sns_body, b.eventbridge(doc)):
            escaped = body.replace("LBR", "\\u005b")
            assert escaped != body
            assert_agree(escaped, RECEIVED)


def test_duplicate_keys_take_the_last_value_in_both_readers() -> None:
    body = b.raw(b.delivery_doc())
    assert_agree('{"eventType": "Bounce", "mail": 5, ' + body[1:], RECEIVED)
    assert_agree(body[:-1] + ', "eventType": "Open"}', RECEIVED)
    assert_agree(body[:-1] + ', "mail": null}', RECEIVED)


def test_keys_spelled_with_escapes_are_the_same_keys_in_both_readers() -> None:
    body = (
        b.raw(b.delivery_doc())
        .replace('"eventType"', '"event\\u0054ype"')
        .replace('"messageId"', '"message\\u0049d"')
    )
    assert '"event\\u0054ype"' in body
    assert isinstance(parse_body_typed(body, received_at=RECEIVED), FeedbackEvent)
    assert_agree(body, RECEIVED)


def test_a_control_message_with_an_event_inside_agrees() -> None:
    for sns_type in ("SubscriptionConfirmation", "Weird"):
        body = b.sns(b.delivery_doc(), sns_type=sns_type)
        assert_agree(body, RECEIVED)
        assert isinstance(parse_body(body, received_at=RECEIVED), FeedbackEvent)
    assert isinstance(parse_body(b.sns_control()), ControlMessage)


# --- generated bodies ------------------------------------------------------------------

POISONS = ["\x00", "\ud800", "\udc00", "\x07", "\u0085", "\ufffd", " ", "<", ">"]
TIMESTAMPS = [
    "2025-03-04T10:15:01.210Z",
    "2025-03-04T10:15:01+0000",
    "2025-03-04 10:15:01 +0000",
    "2025-03-04T10:15:01.210-05:00",
    "2010-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00.000Z",
    "not a time",
    "",
]
KEYS = [
    "eventType",
    "notificationType",
    "mail",
    "messageId",
    "timestamp",
    "destination",
    "tags",
    "commonHeaders",
    "from",
    "subject",
    "source",
    "delivery",
    "bounce",
    "complaint",
    "recipients",
    "bouncedRecipients",
    "complainedRecipients",
    "delayedRecipients",
    "emailAddress",
    "diagnosticCode",
    "feedbackId",
    "bounceType",
    "bounceSubType",
    "reportingMTA",
    "smtpResponse",
    "link",
    "failure",
    "renderingFailure",
    "Type",
    "Message",
    "MessageId",
    "SignatureVersion",
    "detail",
    "detail-type",
]
EVENT_TYPES = [
    "Send",
    "Delivery",
    "Bounce",
    "Complaint",
    "DeliveryDelay",
    "Delivery Delay",
    "delivery",
    "Reject",
    "Rendering Failure",
    "RenderingFailure",
    "Open",
    "Click",
    "Subscription",
    "Received",
    "AmazonSnsSubscriptionSucceeded",
    "Nonsense",
]
DETAIL_TYPES = [None, *b.DETAIL_TYPES.values(), "SES Email Event", "Email Sending Paused"]

strings = st.one_of(
    st.text(max_size=12),
    st.sampled_from(POISONS),
    st.sampled_from(TIMESTAMPS),
    st.sampled_from(EVENT_TYPES),
    st.sampled_from(["a@x.example", '"A" <A@X.example>', "aws.ses", "Notification"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | strings,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*path, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, node: Any) -> Any:
    """``node`` with a few random edits: a value replaced, a key deleted or added."""
    node = copy.deepcopy(node)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(node)))
        if not path:
            continue
        parent = node
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.sampled_from(KEYS))] = draw(json_values)
    return node


DOCS = [
    *b.every_event_doc().values(),
    b.bounce_doc(),
    b.complaint_doc(notification=True),
    b.delivery_doc(),
]


@st.composite
def bodies(draw: st.DrawFn) -> str | bytes:
    doc = draw(mutated(draw(st.sampled_from(DOCS))))
    envelope = draw(st.sampled_from(["raw", "sns", "eventbridge"]))
    outer: Any
    if envelope == "raw":
        outer = doc
    elif envelope == "sns":
        message = json.dumps(doc, ensure_ascii=draw(st.booleans()))
        outer = json.loads(
            b.sns(
                message,
                sns_type=draw(
                    st.sampled_from(["Notification"] * 4 + ["SubscriptionConfirmation", "Other"])
                ),
            )
        )
    else:
        outer = json.loads(b.eventbridge(doc, detail_type="Email Sent"))
        detail_type = draw(st.sampled_from(DETAIL_TYPES))
        if detail_type is None:
            del outer["detail-type"]
        else:
            outer["detail-type"] = detail_type
    outer = draw(mutated(outer)) if draw(st.booleans()) else outer
    try:
        text = json.dumps(outer, ensure_ascii=draw(st.booleans()))
    except (TypeError, ValueError):
        text = json.dumps(outer)
    if isinstance(outer, dict) and text.startswith("{") and draw(st.booleans()):
        # A repeated key: both readers keep the later value.
        key = draw(st.sampled_from(KEYS))
        text = "{" + json.dumps(key) + ": " + json.dumps(draw(json_values)) + ", " + text[1:]
    if draw(st.booleans()):
        encoded = text.encode("utf-8", "surrogatepass")
        return encoded if draw(st.booleans()) else b"\xef\xbb\xbf" + encoded
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies(), received_at=st.sampled_from(RECEIVED_TIMES))
def test_typed_and_reference_readers_agree_on_generated_bodies(
    body: str | bytes, received_at: datetime | None
) -> None:
    assert_agree(body, received_at)


@settings(max_examples=300, deadline=None)
@given(doc=st.sampled_from(DOCS), envelope=st.sampled_from(["raw", "sns", "eventbridge"]))
def test_unmutated_documents_take_the_typed_path(doc: Any, envelope: str) -> None:
    body = {"raw": b.raw, "sns": b.sns_event_publishing, "eventbridge": b.eventbridge}[envelope](
        doc
    )
    typed = parse_body_typed(body, received_at=RECEIVED)
    assert isinstance(typed, FeedbackEvent)
    assert typed == parse_body_reference(body, received_at=RECEIVED)


def test_events_are_frozen_structs_outside_the_garbage_collector() -> None:
    # One C call builds each (the hot path); nothing in one refers back to it, so none
    # is tracked by the collector. Same values, same equality as the reference's.
    body = b.sns_event_publishing(b.bounce_doc())
    event = parse_body(body, received_at=RECEIVED)
    assert isinstance(event, FeedbackEvent) and event.sns is not None
    for value in (event, event.sns, *event.recipients):
        assert isinstance(value, msgspec.Struct)
        assert not gc.is_tracked(value)
        with pytest.raises(AttributeError):
            setattr(value, msgspec.structs.fields(value)[0].name, "x")
    assert event == parse_body_reference(body, received_at=RECEIVED)
    noted = msgspec.structs.replace(event, label_mismatch="note")
    assert noted != event and noted.label_mismatch == "note"
    assert noted.tags == event.tags and noted.tag("ses:configuration-set") == event.tag(
        "ses:configuration-set"
    )
