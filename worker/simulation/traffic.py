"""The traffic generator (:func:`generate_traffic`): a day of transactional mail, the
events SES would publish for it (with duplicates, cross-envelope twins, out-of-order
arrival and a few malformed bodies) and the outcome the contract says each notification
must end up with."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status
from worker.simulation.documents import (
    DEFAULT_TOPIC_ARN,
    Signer,
)
from worker.simulation.envelopes import (
    as_raw,
    as_sns,
)
from worker.simulation.generator import _Generator, _ms
from worker.simulation.mix import (
    _FORCED,
    Traffic,
)


def _malformed_bodies(gen: _Generator, count: int) -> list[str]:
    """Bodies that are not usable SES events. Each is a broken copy of a real event (or not
    JSON at all), so whatever a consumer does with it cannot change ``expected``."""
    rng = gen.rng
    out: list[str] = []
    bases = gen.delivery_docs
    for i in range(count):
        kind = ("not_json", "truncated", "wrong_type", "unknown_event_type")[i % 4]
        base = bases[i % len(bases)] if bases else None
        if kind == "not_json" or base is None:
            out.append(
                rng.pick(
                    (
                        "Test message sent from the SQS console",
                        "<html><body><h1>502 Bad Gateway</h1></body></html>",
                        "ping",
                    )
                )
            )
        elif kind == "truncated":
            text = as_sns(base, topic_arn=gen.topic_arn, signer=gen.signer)
            out.append(text[: len(text) // 2])
        elif kind == "wrong_type":
            delivery = dict(base["delivery"])
            delivery["recipients"] = delivery["recipients"][0]  # a string, not a list
            out.append(as_raw({**base, "delivery": delivery}))
        else:
            broken = {"eventType": "InboxPlacement", "mail": base["mail"], "inboxPlacement": {}}
            out.append(as_raw(broken))
    return out


def _oversize_bodies(gen: _Generator, count: int) -> list[str]:
    """Valid JSON over 256 KiB (not from SES): a real delivery with padded headers."""
    out: list[str] = []
    for i in range(count):
        base = gen.delivery_docs[i % len(gen.delivery_docs)] if gen.delivery_docs else None
        if base is None:
            break
        mail = dict(base["mail"])
        mail["headers"] = [*mail["headers"], {"name": "X-Padding", "value": "x" * 270_000}]
        out.append(as_raw({**base, "mail": mail}))
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: generation allocates millions of small acyclic
    objects, and full collections over a growing heap cost ~15% of the run for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _play_messages(gen: _Generator, notifications: int, mean_interval_seconds: float) -> None:
    """Send messages until ``notifications`` notifications exist."""
    rng = gen.rng
    # Messages average ~1.1 recipients; force the rare cases onto some of the first ones.
    estimate = max(1, int(notifications * 0.85))
    forced_count = min(len(_FORCED), estimate // 2)
    forced_at = dict(
        zip(rng.sample(range(estimate), forced_count), _FORCED[:forced_count], strict=True)
    )
    at = gen.start
    produced = 0
    index = 0
    with _gc_paused():
        while produced < notifications:
            produced += gen.message(index, at, forced_at.get(index), notifications - produced)
            index += 1
            at = at + _ms(int(rng.expovariate(1.0 / max(mean_interval_seconds, 0.001)) * 1000) + 1)


def _expected_outcomes(gen: _Generator) -> dict[str, tuple[Status, Reason]]:
    """What "Which event wins" makes of each notification's generated events."""
    expected: dict[str, tuple[Status, Reason]] = {}
    for record in gen.sends:
        best = gen.ledger.get(record.notification_id)
        reason = best[3] if best is not None else Reason.AWAITING_FEEDBACK
        expected[record.notification_id] = (STATUS_OF_REASON[reason], reason)
    return expected


def _arrange_bodies(
    gen: _Generator, malformed: int, oversize: int, *, out_of_order: bool
) -> tuple[list[str], list[str]]:
    """The bodies in arrival order with the broken ones inserted; and the broken ones."""
    rng = gen.rng
    extras = _malformed_bodies(gen, malformed) + _oversize_bodies(gen, oversize)
    gen.counts["malformed"] = malformed
    gen.counts["oversize"] = len(extras) - malformed
    bodies: list[str]
    if out_of_order:
        bodies = gen.bodies
        rng.shuffle(bodies)
    else:
        order = sorted(range(len(gen.keys)), key=gen.keys.__getitem__)  # stable
        bodies = [gen.bodies[i] for i in order]
    for body in extras:
        bodies.insert(rng.below(len(bodies) + 1), body)
    return bodies, extras


def generate_traffic(
    *,
    notifications: int,
    seed: int,
    start: datetime,
    duplicate_rate: float = 0.05,
    out_of_order: bool = True,
    early_rate: float = 0.02,
    malformed: int = 3,
    oversize: int = 0,
    envelopes: Sequence[str] = ("sns", "raw", "eventbridge"),
    topic_arn: str = DEFAULT_TOPIC_ARN,
    signer: Signer | None = None,
    mean_interval_seconds: float = 1.0,
) -> Traffic:
    """Simulate ``notifications`` notifications sent from ``start`` and their SES feedback.

    Messages leave about every ``mean_interval_seconds``; about a third of approval
    requests and alerts go to 2-3 people at one company (one notification per recipient,
    sharing the SES messageId). ``mail.tags`` carry ``notification_id`` (one value per
    message) and ``notification_type``; for a multi-recipient message the notification id
    of each recipient is ``<tag>/<recipient address as logged>``.

    Outcome plans (per notification): 80% plainly delivered, and about 1% each delivered
    then complained about, delivered with an out-of-office auto-reply, delayed then
    delivered (2%), suppressed; 4% bounced and 3% quarantined with a reply from
    :data:`FAILURE_SCENARIOS` (the company behind Mimecast is six times as likely to
    quarantine); under 1% each delay-then-expiry, delivered-then-bounced, delayed with no
    outcome yet, Send only, no feedback at all, "not-spam" report, Reject, Rendering
    Failure and Undetermined. Final statuses come out near 88% delivered, 6% bounced, 4%
    quarantined, 2% sent. About 30% of delivered messages get opens, some clicks. Small
    traffic is given each rare plan at least once (up to half of its messages).

    Each event is wrapped in one of ``envelopes`` (identity notifications, a quarter of
    Bounce/Complaint/Delivery events, only via SNS or raw); about 3% of those events
    arrive twice via two paths (same identity, different body); ``duplicate_rate`` of
    bodies are repeated verbatim; the list is shuffled when ``out_of_order``, else in
    publication order. ``malformed`` broken bodies (cycling: not JSON, truncated JSON,
    ``delivery.recipients`` as a string, an unknown eventType) and ``oversize`` bodies over
    256 KiB are inserted at random; both are copies of real events, so whatever a consumer
    does with them, ``expected`` holds. ``early_rate`` of messages are listed in
    :attr:`Traffic.early`. ``signer`` signs every SNS envelope (see :func:`as_sns`).

    ``expected`` follows "Which event wins" over the distinct events generated, as if the
    feedback window had not passed: ``unknown`` never appears (no feedback stays
    ``sent``/``awaiting_feedback``, a pending delay ``sent``/``delivery_delayed``).
    """
    if notifications < 0:
        raise ValueError("notifications must be >= 0")
    gen = _Generator(
        seed=seed,
        start=start,
        duplicate_rate=duplicate_rate,
        envelopes=envelopes,
        topic_arn=topic_arn,
        signer=signer,
        early_rate=early_rate,
    )
    _play_messages(gen, notifications, mean_interval_seconds)
    bodies, extras = _arrange_bodies(gen, malformed, oversize, out_of_order=out_of_order)
    expected = _expected_outcomes(gen)
    gen.counts["bodies"] = len(bodies)
    gen.counts["notifications"] = len(gen.sends)
    return Traffic(
        sends=gen.sends,
        bodies=bodies,
        expected=expected,
        early={nid for nid in gen.early if nid in expected},
        malformed=extras,
        counts=dict(sorted(gen.counts.items())),
        decisions=gen.decisions,
    )
