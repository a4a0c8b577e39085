"""Benchmark: parse and classify a realistic mixed SES corpus on one core.

Prints one JSON object: bodies/s, events/s and classified recipients/s per CPU second
of the process (a shared machine's other load does not skew them; the wall-clock rate is
printed too), plus where the time goes (standard-library JSON decoding and the typed
decoders alone, for comparison; parsing; classification) measured on the same corpus.

    python bench/classify.py [--events 200000] [--seed 1] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime

from worker.domain.classifier import classify_event
from worker.domain.events import FeedbackEvent
from worker.domain.parser import parse_body
from worker.simulation import generate_traffic


def build_corpus(events: int, seed: int) -> list[str]:
    bodies: list[str] = []
    round_seed = seed
    while len(bodies) < events:
        traffic = generate_traffic(
            notifications=max(1000, events // 3),
            seed=round_seed,
            start=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
            malformed=0,
        )
        bodies.extend(traffic.bodies)
        round_seed += 1
    return bodies[:events]


def _typed_decode_seconds(bodies: list[str]) -> float | None:
    """CPU seconds of the typed decoders alone (None before they existed)."""
    try:
        from worker.domain.decoding import DecodeFailed, body_decoder, document_decoder
    except ImportError:
        return None
    started = time.process_time()
    for body in bodies:
        try:
            decoded = body_decoder.decode(body)
            if isinstance(decoded.message, str):
                document_decoder.decode(decoded.message)
        except DecodeFailed:
            pass
    return time.process_time() - started


def measure(bodies: list[str]) -> dict[str, float | None]:
    """One pass. Rates are per CPU second of this process (``time.process_time``), so
    other load on a shared machine does not skew them; ``wall_*`` are per elapsed second."""
    started = time.process_time()
    for body in bodies:
        json.loads(body)
    json_seconds = time.process_time() - started

    wall = time.perf_counter()
    started = time.process_time()
    parsed = [parse_body(body) for body in bodies]
    parse_seconds = time.process_time() - started
    events = [result for result in parsed if isinstance(result, FeedbackEvent)]

    started = time.process_time()
    recipients = 0
    for event in events:
        recipients += len(classify_event(event))
    classify_seconds = time.process_time() - started
    wall_seconds = time.perf_counter() - wall

    total = parse_seconds + classify_seconds
    return {
        "bodies": len(bodies),
        "events": len(events),
        "recipients": recipients,
        "seconds": total,
        "bodies_per_s": len(bodies) / total,
        "events_per_s": len(events) / total,
        "recipients_per_s": recipients / total,
        "wall_recipients_per_s": recipients / wall_seconds,
        "parse_us_per_body": parse_seconds / len(bodies) * 1e6,
        "json_decode_seconds": json_seconds,
        "typed_decode_seconds": _typed_decode_seconds(bodies),
        "parse_seconds": parse_seconds,
        "classify_seconds": classify_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="bodies in the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    args = parser.parse_args(argv)

    if not args.json:
        print(f"building a corpus of {args.events:,} bodies...", file=sys.stderr)
    bodies = build_corpus(args.events, args.seed)
    runs = [measure(bodies) for _ in range(max(1, args.repeat))]
    best = max(runs, key=lambda run: run["recipients_per_s"] or 0.0)
    result = {"benchmark": "classify", "python": sys.version.split()[0], **best}
    if not args.json:
        print(
            f"{best['recipients_per_s']:,.0f} classified recipients per CPU second "
            f"({best['events_per_s']:,.0f} events/s) on one core; "
            f"JSON decode alone {best['json_decode_seconds']:.2f}s, "
            f"parse {best['parse_seconds']:.2f}s, classify {best['classify_seconds']:.2f}s",
            file=sys.stderr,
        )
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
