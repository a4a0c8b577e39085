"""Records of counts add field by field (worker.domain.fieldwise)."""

from __future__ import annotations

from dataclasses import dataclass, field

from worker.domain.alert_rules import OutcomeCounts
from worker.domain.fieldwise import add_fieldwise
from worker.handlers.ingest import BodyRejection, IngestResult


@dataclass(frozen=True, slots=True)
class _Mixed:
    count: int = 0
    rate: float = 0.0
    items: tuple[str, ...] = ()
    keys: frozenset[str] = field(default=frozenset())


def test_numbers_add_tuples_concatenate_sets_unite() -> None:
    left = _Mixed(1, 0.5, ("a",), frozenset({"x"}))
    right = _Mixed(2, 0.25, ("b", "c"), frozenset({"x", "y"}))
    assert add_fieldwise(left, right) == _Mixed(3, 0.75, ("a", "b", "c"), frozenset({"x", "y"}))
    assert add_fieldwise(left, _Mixed()) == left


def test_every_field_of_a_batch_result_is_added() -> None:
    left = IngestResult(
        applied=1,
        duplicate=2,
        parked=3,
        ignored=4,
        dead_lettered=5,
        control=6,
        unparked=7,
        notifications_created=8,
        status_changes=9,
        rejections=(BodyRejection(0, "not_json"),),
        race_keys=frozenset({("m1", "a@x.example")}),
        isolations=1,
        unsettled=(4,),
    )
    right = IngestResult(
        applied=10,
        duplicate=20,
        parked=30,
        ignored=40,
        dead_lettered=50,
        control=60,
        unparked=70,
        notifications_created=80,
        status_changes=90,
        rejections=(BodyRejection(1, "bad_envelope"),),
        race_keys=frozenset({("m2", "b@y.example")}),
        isolations=2,
        unsettled=(7,),
    )
    total = left + right
    assert total.summary() == {
        "applied": 11,
        "duplicate": 22,
        "parked": 33,
        "ignored": 44,
        "dead_lettered": 55,
        "control": 66,
        "unparked": 77,
        "notifications_created": 88,
        "status_changes": 99,
    }
    assert total.rejections == (BodyRejection(0, "not_json"), BodyRejection(1, "bad_envelope"))
    assert total.race_keys == frozenset({("m1", "a@x.example"), ("m2", "b@y.example")})
    assert (total.isolations, total.unsettled) == (3, (4, 7))


def test_outcome_counts_add() -> None:
    total = OutcomeCounts(10, 8, 2, 1, 1, 0, 1) + OutcomeCounts(5, 5, 0, 0, 0, 1, 0)
    assert total == OutcomeCounts(15, 13, 2, 1, 1, 1, 1)
