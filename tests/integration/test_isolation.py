"""Poison isolation on the real databases: the database itself refuses one body's values
(PostgreSQL: a NUL in text, a bigint out of range; SQLite: a lone surrogate), the rest of
the batch commits and that body is a ``storage_rejected`` dead letter.

Independent of the parser: the values are injected into the *prepared* batch (what the
transaction writes), so these tests keep proving the mechanism once the parser makes such
text storable at the boundary.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from tests import bodies as b
from tests.support.ingest import NO_SLEEP, NOW, WINDOW
from worker.adapters.database import ALL_TABLES, dead_letters, events
from worker.adapters.notification_log import SqlNotificationLog
from worker.handlers import ingest
from worker.handlers.ingest import PreparedBatch, apply_batch, body_bytes, body_hash
from worker.handlers.isolation import STORAGE_REJECTED

MARK = "POISON"


def _bodies(size: int, poisoned: set[int]) -> list[str]:
    return [
        b.bounce(
            f"msg-{i}",
            f"user{i}@acme.example",
            feedback_id=f"fb-{i}",
            diagnostic=f"smtp; 550 5.1.1 {MARK if i in poisoned else 'unknown user'}",
        )
        for i in range(size)
    ]


def _inject(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    """Every prepared ledger row whose diagnostic holds MARK gets ``bad`` appended: the
    parser's output is replaced, not the parser."""
    real = ingest.prepare_batch

    def prepare(bodies: Sequence[str | bytes], **kwargs: Any) -> PreparedBatch:
        batch = real(bodies, **kwargs)
        batch.ledger = [
            msgspec.structs.replace(row, diagnostic=row.diagnostic + bad)
            if row.diagnostic and MARK in row.diagnostic
            else row
            for row in batch.ledger
        ]
        return batch

    monkeypatch.setattr(ingest, "prepare_batch", prepare)


def _ledger(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(events.c.message_id)))


def _letters(engine: Engine) -> dict[str, tuple[str, bytes, str, int]]:
    d = dead_letters.c
    with engine.connect() as conn:
        rows = conn.execute(select(d.body_hash, d.code, d.body, d.message, d.count))
        # ``r.count`` is the tuple method to mypy: the column is read through _mapping.
        return {r.body_hash: (r.code, bytes(r.body), r.message, r._mapping["count"]) for r in rows}


def test_the_database_refuses_one_body_and_the_rest_commits(
    engine: Engine, sql_log: SqlNotificationLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg = engine.dialect.name == "postgresql"
    # PostgreSQL refuses NUL in text (psycopg DataError); SQLite's driver cannot encode
    # a lone surrogate (UnicodeEncodeError). Both are the database's own refusal.
    _inject(monkeypatch, "\x00" if pg else "\ud83d")
    bodies = _bodies(9, {2, 7})
    result = apply_batch(bodies, log=sql_log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)

    assert _ledger(engine) == {f"msg-{i}" for i in range(9) if i not in (2, 7)}
    letters = _letters(engine)
    assert set(letters) == {body_hash(bodies[2]), body_hash(bodies[7])}
    for index in (2, 7):
        code, body, message, count = letters[body_hash(bodies[index])]
        assert code == STORAGE_REJECTED and body == body_bytes(bodies[index]) and count == 1
        assert ("NUL" in message) if pg else ("UnicodeEncodeError" in message)
    assert sorted((r.index, r.code) for r in result.rejections) == [
        (2, STORAGE_REJECTED),
        (7, STORAGE_REJECTED),
    ]
    assert result.parked == 7 and result.isolations == 1 and result.unsettled == ()


def test_a_value_out_of_range_in_a_dead_letter_is_isolated(
    engine: Engine, sql_log: SqlNotificationLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poison can be any row a body produces, a dead letter included: PostgreSQL
    refuses a count beyond bigint (DataError), SQLite's driver an int beyond 64 bits."""
    real = ingest.prepare_batch

    def prepare(bodies: Sequence[str | bytes], **kwargs: Any) -> PreparedBatch:
        batch = real(bodies, **kwargs)
        batch.dead_letters = [dataclasses.replace(row, count=2**70) for row in batch.dead_letters]
        return batch

    monkeypatch.setattr(ingest, "prepare_batch", prepare)
    bodies = [*_bodies(4, set()), "this is not json"]
    result = apply_batch(bodies, log=sql_log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    assert _ledger(engine) == {f"msg-{i}" for i in range(4)}
    code, body, _message, count = _letters(engine)[body_hash(bodies[4])]
    assert (code, body, count) == (STORAGE_REJECTED, b"this is not json", 1)
    assert [(r.index, r.code) for r in result.rejections] == [(4, STORAGE_REJECTED)]


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(ALL_TABLES):
            conn.execute(delete(table))


def _templates() -> list[str]:
    """Realistic bodies of every shape (ids ``h-...``, apart from the good ones)."""
    delivery = b.delivery("h-del", ["hd@acme.example"])
    send = json.loads(b.send("h-send", ["hs@acme.example"], notification_id="hn"))
    send["mail"]["headers"] = [{"name": "Subject", "value": "Your code"}]
    send["mail"]["commonHeaders"] = {"from": ["Shop <no-reply@sender.example>"], "subject": "Hi"}
    complaint = json.loads(b.complaint("h-cpl", "hc@acme.example", feedback_id="h-fc"))
    complaint["complaint"]["userAgent"] = "Yahoo!-Mail-Feedback/2.0"
    eventbridge = {
        "version": "0",
        "id": "h-eb-1",
        "detail-type": "Email Delivered",
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2025-03-04T10:15:03Z",
        "region": "us-east-1",
        "resources": [],
        "detail": json.loads(b.delivery("h-eb", ["he@acme.example"])),
    }
    return [
        b.bounce("h-bnc", "hb@acme.example", feedback_id="h-fb"),
        delivery,
        json.dumps(send),
        json.dumps(complaint),
        b.open_("h-open", "ho@acme.example"),
        json.dumps(eventbridge),
        b.subscription_confirmation("h-sub"),
        b.sns_wrap(delivery, sns_message_id="h-sns"),
    ]


_TEMPLATES = _templates()


def _string_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The path of every string value of a JSON document."""
    if isinstance(node, str):
        return [path]
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    return [p for key, child in items for p in _string_paths(child, (*path, key))]


_HOSTILE_TEXT = st.one_of(
    # Every code point, surrogates (category Cs) and C0/C1 controls included.
    st.text(alphabet=st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(["\x00", "\ud83d", "a\udfffb", "\x1b]0;x\x07", "\u0085\u009b", "\x00" * 3]),
    st.builds(lambda n: "x" * n, st.integers(2000, 20_000)),
)


def _set(document: Any, path: tuple[str | int, ...], value: str) -> None:
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@st.composite
def _hostile_body(draw: st.DrawFn) -> str:
    document = json.loads(draw(st.sampled_from(_TEMPLATES)))
    path = draw(st.sampled_from(_string_paths(document)))
    _set(document, path, draw(_HOSTILE_TEXT))
    return json.dumps(document)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hostile=_hostile_body(), position=st.integers(0, 5))
def test_hostile_text_in_any_field_of_one_body_never_holds_the_batch(
    engine: Engine, sql_log: SqlNotificationLog, hostile: str, position: int
) -> None:
    """Arbitrary text (surrogates, NUL, C0/C1 controls, huge) in any one string field of
    one realistic body (event publishing, EventBridge, SNS): the good bodies beside it are
    applied, nothing raises, and that body is applied or a dead letter, never lost."""
    _empty(engine)
    bodies: list[str] = _bodies(5, set())
    bodies.insert(position, hostile)
    result = apply_batch(bodies, log=sql_log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    assert result.unsettled == ()
    assert {f"msg-{i}" for i in range(5)} <= _ledger(engine)
    rejected = {r.index for r in result.rejections}
    assert rejected <= {position}
    if rejected:  # else it was written with the others (events, a send or a control)
        assert body_hash(hostile) in _letters(engine)
