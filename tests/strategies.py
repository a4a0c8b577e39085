"""Hypothesis strategies: sends and SES events delivered in any order, any split, with
duplicates — and the machinery to play them and to play the clean one-batch run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from tests import bodies as b
from tests.support.ingest import NO_SLEEP, WINDOW, send_record
from worker.domain.timestamps import format_timestamp
from worker.handlers.ingest import apply_batch
from worker.handlers.ports import NotificationLog
from worker.handlers.sends import SendRecord, record_sends

NOW = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)

Item = SendRecord | str


@dataclass(frozen=True)
class Traffic:
    """Every distinct input, and one delivery of them: an order with duplicates, in chunks."""

    records: tuple[SendRecord, ...]
    bodies: tuple[str, ...]
    chunks: tuple[tuple[Item, ...], ...]


def _ts(moment: datetime) -> str:
    return format_timestamp(moment)


@st.composite
def traffic(draw: st.DrawFn, max_messages: int = 6) -> Traffic:
    records: list[SendRecord] = []
    bodies: list[str] = []
    for i in range(draw(st.integers(1, max_messages))):
        mid = f"msg-{i}"
        rcpts = [f"u{i}.{j}@d{j % 2}.example" for j in range(draw(st.integers(1, 3)))]
        # Some sends are still inside the window at NOW, some long past it.
        sent = NOW - timedelta(seconds=draw(st.sampled_from([600, 3 * 3600, 2 * 86400])))
        via = draw(st.sampled_from(["record", "send_event", "both", "none"]))
        if via in ("record", "both"):
            records.extend(
                send_record(
                    f"app-{i}-{j}",
                    mid,
                    r,
                    draw(st.sampled_from(["magic_code", "receipt"])),
                    sent_at=sent,
                )
                for j, r in enumerate(rcpts)
            )
        if via in ("send_event", "both"):
            tag = draw(st.sampled_from([None, f"tag-{i}"]))
            bodies.append(
                b.send(
                    mid, rcpts, timestamp=_ts(sent + timedelta(milliseconds=5)), notification_id=tag
                )
            )
        for j, rcpt in enumerate(rcpts):
            kinds = draw(
                st.lists(
                    st.sampled_from(["delivery", "bounce", "complaint", "delay", "open"]),
                    max_size=3,
                )
            )
            for k, kind in enumerate(kinds):
                at = _ts(sent + timedelta(seconds=draw(st.integers(1, 4000))))
                mail_ts = _ts(sent)
                if kind == "delivery":
                    bodies.append(b.delivery(mid, [rcpt], timestamp=at, mail_timestamp=mail_ts))
                elif kind == "bounce":
                    bodies.append(
                        b.bounce(
                            mid,
                            rcpt,
                            feedback_id=f"fb-{i}-{j}-{k}",
                            timestamp=at,
                            mail_timestamp=mail_ts,
                            **draw(
                                st.sampled_from(
                                    [
                                        {},
                                        {"status": "5.2.2", "diagnostic": "552 mailbox full"},
                                        {
                                            "bounce_type": "Transient",
                                            "status": "4.4.7",
                                            "diagnostic": "smtp; 554 4.4.7 Message expired",
                                        },
                                    ]
                                )
                            ),
                        )
                    )
                elif kind == "complaint":
                    bodies.append(
                        b.complaint(
                            mid,
                            rcpt,
                            feedback_id=f"fc-{i}-{j}-{k}",
                            timestamp=at,
                            mail_timestamp=mail_ts,
                        )
                    )
                elif kind == "delay":
                    bodies.append(b.delay(mid, rcpt, timestamp=at, mail_timestamp=mail_ts))
                else:
                    bodies.append(b.open_(mid, rcpt, timestamp=at, mail_timestamp=mail_ts))
    if draw(st.booleans()):
        bodies.append("this is not json")
    if draw(st.booleans()):
        bodies.append(b.subscription_confirmation())
    items: list[Item] = [*records, *bodies]
    duplicates = draw(st.lists(st.sampled_from(items), max_size=4)) if items else []
    order = draw(st.permutations([*items, *duplicates]))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=5)))
    chunks: list[tuple[Item, ...]] = []
    start = 0
    for cut in [*cuts, len(order)]:
        if cut > start:
            chunks.append(tuple(order[start:cut]))
            start = cut
    return Traffic(tuple(records), tuple(dict.fromkeys(bodies)), tuple(chunks))


def play_chunks(log: NotificationLog, plan: Traffic, records_first: bool = True) -> None:
    """Each chunk: its send records and its bodies (each a batch), in either order."""
    for chunk in plan.chunks:
        recs = [item for item in chunk if isinstance(item, SendRecord)]
        batch: list[str | bytes] = [item for item in chunk if isinstance(item, str)]
        steps = ["records", "bodies"] if records_first else ["bodies", "records"]
        for step in steps:
            if step == "records" and recs:
                record_sends(recs, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
            if step == "bodies" and batch:
                apply_batch(batch, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)


def play_clean(log: NotificationLog, plan: Traffic) -> None:
    """The reference: every record once, then every distinct body in one batch."""
    if plan.records:
        record_sends(plan.records, log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
    if plan.bodies:
        apply_batch(list(plan.bodies), log=log, now=NOW, feedback_window=WINDOW, retrying=NO_SLEEP)
