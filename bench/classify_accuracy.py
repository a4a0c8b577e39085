"""Accuracy of the bounce classifier on the real-world table (tests/unit/domain/world_cases).

Prints overall accuracy (right status: bounced vs quarantined; exact status and reason),
the same by MTA/provider and by expected reason, and the commonest confusion pairs, so the
next person sees where the classifier is weak.

    python3 bench/classify_accuracy.py [--misses] [--json] [--top 15]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

# Run as `python bench/<script>.py` from anywhere: the project root is importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.domain.world_cases import ALL_CASES, DiagnosticCase
from worker.domain.classifier import classify_bounce_entry
from worker.domain.outcomes import STATUS_OF_REASON, Reason


@dataclass(frozen=True, slots=True)
class Result:
    case: DiagnosticCase
    got: str
    group: str

    @property
    def status_ok(self) -> bool:
        expected = STATUS_OF_REASON[Reason(self.case.expected_reason)]
        return STATUS_OF_REASON[Reason(self.got)] is expected

    @property
    def exact_ok(self) -> bool:
        return self.got == self.case.expected_reason


#: Case-id prefixes of the original table, for cases that carry no ``mta`` label.
_PREFIX_GROUPS = {
    "gmail": "Gmail",
    "ms": "Microsoft",
    "outlook": "Microsoft",
    "yahoo": "Yahoo",
    "aol": "Yahoo",
    "icloud": "Apple",
    "apple": "Apple",
    "ses": "Amazon SES",
    "expired": "(SES expiry)",
}


def _group(case: DiagnosticCase, provider: str | None) -> str:
    """Which MTA/provider the case is from: its ``mta`` label, else what answered, else
    its case-id prefix (names compared without case)."""
    if case.mta:
        return case.mta
    if provider:
        return provider
    prefix = case.case_id.split("-", 1)[0].lower()
    return _PREFIX_GROUPS.get(prefix, prefix.capitalize())


def run() -> list[Result]:
    results: list[Result] = []
    for case in ALL_CASES:
        verdict = classify_bounce_entry(
            bounce_type=case.bounce_type,
            bounce_subtype=case.bounce_subtype,
            action="failed",
            status=case.status,
            diagnostic=case.diagnostic,
            reporting_mta=case.reporting_mta,
            remote_mta=case.remote_mta,
        )
        got = str(verdict.reason) if verdict is not None else "none"
        provider = verdict.provider if verdict is not None else None
        results.append(
            Result(case, got if got != "none" else "undetermined", _group(case, provider))
        )
    return results


def _rate(part: list[Result]) -> tuple[float, float]:
    n = len(part) or 1
    return (
        100.0 * sum(r.status_ok for r in part) / n,
        100.0 * sum(r.exact_ok for r in part) / n,
    )


def _rates(part: list[Result]) -> dict[str, float]:
    status, exact = _rate(part)
    return {"status": round(status, 1), "exact": round(exact, 1)}


def summary(results: list[Result], top: int) -> dict[str, object]:
    status, exact = _rate(results)
    by_group: dict[str, list[Result]] = defaultdict(list)
    by_reason: dict[str, list[Result]] = defaultdict(list)
    names: dict[str, str] = {}
    for result in results:
        name = names.setdefault(result.group.lower(), result.group)
        by_group[name].append(result)
        by_reason[result.case.expected_reason].append(result)
    confusions = Counter(
        (r.case.expected_reason, r.got) for r in results if not r.exact_ok
    ).most_common(top)
    return {
        "cases": len(results),
        "groups": len(by_group),
        "status_accuracy": round(status, 1),
        "exact_accuracy": round(exact, 1),
        "by_group": {
            name: {
                "cases": len(part),
                **_rates(part),
            }
            for name, part in sorted(by_group.items(), key=lambda item: (-len(item[1]), item[0]))
        },
        "by_reason": {
            name: {
                "cases": len(part),
                **_rates(part),
            }
            for name, part in sorted(by_reason.items())
        },
        "confusions": [
            {"expected": expected, "got": got, "count": count}
            for (expected, got), count in confusions
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--top", type=int, default=15, help="confusion pairs shown")
    args = parser.parse_args(argv)

    results = run()
    report = summary(results, args.top)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['cases']} cases from {report['groups']} MTAs/providers: "
        f"status {report['status_accuracy']}%, status+reason {report['exact_accuracy']}%"
    )
    print("\nby MTA/provider (cases, status %, exact %):")
    for name, row in report["by_group"].items():  # type: ignore[attr-defined]
        print(f"  {name:<28} {row['cases']:>4} {row['status']:>6.1f} {row['exact']:>6.1f}")
    print("\nby expected reason (cases, status %, exact %):")
    for name, row in report["by_reason"].items():  # type: ignore[attr-defined]
        print(f"  {name:<22} {row['cases']:>4} {row['status']:>6.1f} {row['exact']:>6.1f}")
    print("\ntop confusions (expected -> got):")
    for row in report["confusions"]:  # type: ignore[attr-defined]
        print(f"  {row['count']:>3}  {row['expected']} -> {row['got']}")
    if args.misses:
        print("\nmisses:")
        for r in results:
            if not r.exact_ok:
                text = (r.case.diagnostic or "")[:160]
                expected = r.case.expected_reason
                print(f"  [{r.case.case_id}] {expected} -> {r.got} | {r.case.status} | {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
