"""Benchmark: parse and classify a realistic mixed SES corpus on one core.

Prints one JSON object: bodies/s, events/s and classified recipients/s per CPU second
of the process (a shared machine's other load does not skew them; the wall-clock rate is
printed too), plus where the time goes per body: the typed decoders alone (``decode``),
the whole parse (which includes that decoding) and classification, and standard-library
JSON decoding for comparison, all measured on the same corpus.

The corpus is processed in batches of ``--batch`` bodies (the worker's default
``sqs_batch_size``): each batch is parsed, then classified, then dropped, as the worker
does. ``--batch 0`` parses the whole corpus before classifying it (every event alive at
once: the garbage collector then walks a heap no worker ever holds).

    python bench/classify.py [--events 200000] [--seed 1] [--repeat 3] [--batch 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# Run as `python bench/<script>.py` from anywhere: the project root is importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.domain.classifier import classify_event
from worker.domain.events import FeedbackEvent
from worker.domain.parser import parse_body
from worker.simulation import generate_traffic

#: The worker's default ``sqs_batch_size`` (config/settings.py).
DEFAULT_BATCH = 500


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


def _batches(bodies: list[str], size: int) -> list[list[str]]:
    if size <= 0:
        return [bodies]
    return [bodies[start : start + size] for start in range(0, len(bodies), size)]


def _clear_caches() -> None:
    """Empty every ``functools`` cache of the domain (addresses, timestamps, verdicts):
    each run starts cold, so a repeat does not find the previous run's texts cached."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("worker.domain"):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def measure(bodies: list[str], batch: int = DEFAULT_BATCH) -> dict[str, float | None]:
    """One pass, from cold caches. Rates are per CPU second of this process
    (``time.process_time``), so other load on a shared machine does not skew them;
    ``wall_*`` are per elapsed second."""
    _clear_caches()
    started = time.process_time()
    for body in bodies:
        json.loads(body)
    json_seconds = time.process_time() - started
    typed_seconds = _typed_decode_seconds(bodies)

    parse_seconds = classify_seconds = 0.0
    events = recipients = 0
    wall = time.perf_counter()
    for part in _batches(bodies, batch):
        started = time.process_time()
        parsed = [parse_body(body) for body in part]
        parse_seconds += time.process_time() - started
        batch_events = [result for result in parsed if isinstance(result, FeedbackEvent)]
        events += len(batch_events)
        started = time.process_time()
        for event in batch_events:
            recipients += len(classify_event(event))
        classify_seconds += time.process_time() - started
        del parsed, batch_events
    wall_seconds = time.perf_counter() - wall

    total = parse_seconds + classify_seconds
    per_body = 1e6 / len(bodies)
    return {
        "bodies": len(bodies),
        "events": events,
        "recipients": recipients,
        "batch": batch,
        "seconds": total,
        "bodies_per_s": len(bodies) / total,
        "events_per_s": events / total,
        "recipients_per_s": recipients / total,
        "wall_recipients_per_s": recipients / wall_seconds,
        "json_decode_us_per_body": json_seconds * per_body,
        "decode_us_per_body": None if typed_seconds is None else typed_seconds * per_body,
        "parse_us_per_body": parse_seconds * per_body,
        "classify_us_per_body": classify_seconds * per_body,
        "total_us_per_body": total * per_body,
        "json_decode_seconds": json_seconds,
        "typed_decode_seconds": typed_seconds,
        "parse_seconds": parse_seconds,
        "classify_seconds": classify_seconds,
    }


def _summary(best: dict[str, float | None]) -> str:
    decode = best["decode_us_per_body"]
    shown = "n/a" if decode is None else f"{decode:.1f}"
    return (
        f"{best['recipients_per_s']:,.0f} classified recipients per CPU second "
        f"({best['events_per_s']:,.0f} events/s) on one core, batches of {best['batch']}\n"
        f"per body: decode {shown} µs (typed decoders alone, part of parse), "
        f"parse {best['parse_us_per_body']:.1f} µs, "
        f"classify {best['classify_us_per_body']:.1f} µs, "
        f"total {best['total_us_per_body']:.1f} µs; "
        f"stdlib json.loads alone {best['json_decode_us_per_body']:.1f} µs"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="bodies in the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument(
        "--batch",
        type=int,
        default=DEFAULT_BATCH,
        help="bodies parsed and classified together (0: the whole corpus at once)",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    args = parser.parse_args(argv)

    if not args.json:
        print(f"building a corpus of {args.events:,} bodies...", file=sys.stderr)
    bodies = build_corpus(args.events, args.seed)
    runs = [measure(bodies, args.batch) for _ in range(max(1, args.repeat))]
    best = max(runs, key=lambda run: run["recipients_per_s"] or 0.0)
    result = {"benchmark": "classify", "python": sys.version.split()[0], **best}
    if not args.json:
        print(_summary(best), file=sys.stderr)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
