"""One hostile body never holds a batch hostage, on real PostgreSQL (issue 16, items 1, 6, 7).

Hypothesis takes a realistic body (every envelope, events and control messages), injects
arbitrary text (lone surrogates, NUL, C0/C1 controls, escape sequences, huge strings) into
any one string field or object key, and applies it with good bodies in one batch through
``apply_batch`` on the PostgreSQL adapter. Whatever the text: nothing raises, the good
bodies are applied, and the poisoned body is either applied (as storable text) or a dead
letter, never lost.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from tests import bodies as tb
from tests.json_paths import close_message, open_message, string_places
from tests.support.ingest import NO_SLEEP, WINDOW, numbered_sends, record
from tests.unit.domain import ses_bodies as sb
from worker import migrations
from worker.adapters.database import (
    ALL_TABLES,
    control_messages,
    create_engine_from_url,
    dead_letters,
    events,
    notifications,
)
from worker.adapters.notification_log import SqlNotificationLog
from worker.domain.events import ControlMessage, FeedbackEvent, Rejection
from worker.domain.parser import parse_body
from worker.handlers.ingest import apply_batch, body_hash

NOW = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
GOOD = 3

#: Realistic bodies to poison: every event type in every envelope, control messages.
CORPUS = [
    *sb.real_bodies(),
    tb.send(
        "msg-p", ["p1@x.example", "p2@y.example"], notification_id="n-p", notification_type="t"
    ),
    tb.bounce("msg-p", "p1@x.example", feedback_id="fb-p"),
    tb.subscription_confirmation(),
]

hostile_char = st.one_of(
    st.characters(),  # any code point, surrogates included
    st.sampled_from(["\x00", "\ud83d", "\udfff", "\x1b", "\x85", "\x9b", "\x7f", "\r", "\n"]),
)


def noise(seed: int, size: int) -> str:
    """``size`` random code points (surrogates, NUL and controls included): text that does
    not compress, so an index entry holding it is as large as it looks."""
    rng = random.Random(seed)
    pool = [0, 0xD83D, 0xDFFF, 0x1B, 0x85, 0x7F]
    return "".join(
        chr(rng.choice(pool) if rng.random() < 0.05 else rng.randrange(0x20, 0x10FFFF))
        for _ in range(size)
    )


hostile_text = st.one_of(
    st.text(hostile_char, max_size=40),
    # Huge: refused by the parser's limits (too_large), cut by storage (diagnostics), or
    # too long for an index entry (a key over KEY_MAX bytes: too_large).
    st.builds(lambda c, n: c * n, hostile_char, st.sampled_from([1_500, 3_000, 60_000])),
    st.builds(noise, st.integers(0, 2**32), st.sampled_from([300, 700, 1_500, 5_000])),
)


@st.composite
def poisoned_bodies(draw: st.DrawFn) -> str:
    obj = open_message(json.loads(draw(st.sampled_from(CORPUS))))
    path, kind = draw(st.sampled_from(list(string_places(obj))))
    text = draw(hostile_text)
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if kind == "key":
        parent[str(last) + text] = parent.pop(last)
    else:
        value = parent[last]
        how = draw(st.sampled_from(["replace", "insert", "append"]))
        if how == "replace":
            parent[last] = text
        elif how == "insert":
            cut = draw(st.integers(0, len(value)))
            parent[last] = value[:cut] + text + value[cut:]
        else:
            parent[last] = value + text
    ensure_ascii = draw(st.booleans())
    return json.dumps(close_message(obj, ensure_ascii=ensure_ascii), ensure_ascii=ensure_ascii)


@pytest.fixture(scope="module")
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    from tests.pg_schemas import postgres_schema

    with postgres_schema(postgres_url) as url:
        engine = create_engine_from_url(url)
        migrations.upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(ALL_TABLES):
            conn.execute(delete(table))


def _good_batch(log: SqlNotificationLog) -> list[str]:
    record(
        log,
        numbered_sends(
            GOOD,
            notification_id="good-{i}",
            message_id="good-msg-{i}",
            recipient="g{i}@good.example",
            sent_at="2025-03-06T10:00:00Z",
            notification_type="magic_code",
        ),
        now=NOW,
    )
    return [
        tb.delivery(
            f"good-msg-{i}",
            [f"g{i}@good.example"],
            timestamp="2025-03-06T10:00:02.000Z",
            mail_timestamp="2025-03-06T10:00:00.000Z",
        )
        for i in range(GOOD)
    ]


def _random_cjk(seed: int, size: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(size))


#: Keys whose UTF-8 size, not character count, overflows a PostgreSQL btree entry.
OVERSIZED_KEYS = {
    "feedback id": tb.bounce("m1", "a@x.example", feedback_id=_random_cjk(1, 400)),
    "recipient": tb.bounce("m1", _random_cjk(2, 400) + "@x.example", feedback_id="fb-1"),
    "notification id tag": tb.send("m1", ["a@x.example"], notification_id=_random_cjk(3, 1000)),
    "notification type tag": tb.send("m2", ["a@x.example"], notification_type=_random_cjk(4, 1000)),
    "SNS MessageId": json.dumps(
        {**json.loads(tb.subscription_confirmation()), "MessageId": _random_cjk(5, 1000)}
    ),
    # 255 characters (the parser's limit is 256), 4 bytes each.
    "messageId": tb.delivery(
        "".join(chr(0x20000 + ord(c) - 0x4E00) for c in _random_cjk(6, 255)),
        ["a@x.example"],
    ),
}


@pytest.mark.parametrize("name", list(OVERSIZED_KEYS))
def test_keys_too_large_for_an_index_entry_are_dead_letters(pg_engine: Engine, name: str) -> None:
    _empty(pg_engine)
    log = SqlNotificationLog(pg_engine)
    batch = _good_batch(log)
    batch.insert(1, OVERSIZED_KEYS[name])
    result = apply_batch(batch, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    assert [(r.index, r.code) for r in result.rejections] == [(1, "too_large")]
    assert result.applied == GOOD


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(poison=poisoned_bodies(), position=st.integers(0, GOOD), as_bytes=st.booleans())
def test_one_poisoned_body_never_holds_the_batch_hostage(
    pg_engine: Engine, poison: str, position: int, as_bytes: bool
) -> None:
    _empty(pg_engine)
    log = SqlNotificationLog(pg_engine)
    batch: list[str | bytes] = list(_good_batch(log))
    body: str | bytes = poison
    if as_bytes:
        # What SQS would hand over as bytes: lone surrogates cannot be UTF-8 (bad_encoding).
        body = poison.encode("utf-8", "surrogatepass")
    batch.insert(position, body)

    result = apply_batch(batch, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)

    with pg_engine.connect() as conn:
        statuses = dict(
            conn.execute(
                select(notifications.c.notification_id, notifications.c.status).where(
                    notifications.c.notification_id.like("good-%")
                )
            ).all()
        )
        letters = dict(conn.execute(select(dead_letters.c.body_hash, dead_letters.c.code)).all())
        ledger = set(conn.execute(select(events.c.identity, events.c.recipient)).all())
        controls = {row[0] for row in conn.execute(select(control_messages.c.dedup_key)).all()}
    # The good bodies are applied.
    assert statuses == {f"good-{i}": "delivered" for i in range(GOOD)}
    # The poisoned body is accounted for: a dead letter, an event or a control message.
    rejected = [r for r in result.rejections if r.index == position]
    parsed = parse_body(body, received_at=NOW)
    if rejected:
        assert letters.get(body_hash(body)) == rejected[0].code
    else:
        assert not isinstance(parsed, Rejection)
        if isinstance(parsed, FeedbackEvent):
            assert {(r.identity, r.address) for r in parsed.recipients} <= ledger
        else:
            assert isinstance(parsed, ControlMessage)
            assert controls
    assert len(result.rejections) == (1 if rejected else 0)
