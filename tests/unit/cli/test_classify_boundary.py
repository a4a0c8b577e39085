"""``inboxgap classify`` with the boundary checks of issue 16: the receive time is the time
the line is read, a recipient no SES could deliver to is refused, and an EventBridge event
is classified by its document whatever its ``detail-type``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from tests.unit.domain import ses_bodies as b
from worker.cli import main
from worker.domain.timestamps import format_timestamp


def classify(*bodies: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        main, ["classify", "-"], input="\n".join(bodies) + "\n", catch_exceptions=False
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_event_from_the_future_is_implausible_and_from_today_is_not() -> None:
    tomorrow_and_more = format_timestamp(datetime.now(UTC) + timedelta(days=2))
    soon = format_timestamp(datetime.now(UTC) + timedelta(hours=1))
    future, fine = classify(
        b.raw(b.bounce_doc(timestamp=tomorrow_and_more)), b.raw(b.bounce_doc(timestamp=soon))
    )
    assert future["kind"] == "invalid"
    assert future["error"]["code"] == "implausible_timestamp"  # type: ignore[index]
    assert fine["kind"] == "event"


def test_recipient_with_a_control_character_is_bad_recipient() -> None:
    (record,) = classify(b.raw(b.send_doc(["jane\ud800@acme.example"])))
    assert record["kind"] == "invalid"
    assert record["error"]["code"] == "bad_recipient"  # type: ignore[index]


def test_relabelled_eventbridge_bounce_is_classified_as_the_bounce() -> None:
    (record,) = classify(b.eventbridge(b.bounce_doc(), detail_type="SES Email Event"))
    assert record["kind"] == "event"
    assert record["event_type"] == "Bounce"
    assert record["outcomes"][0]["status"] == "bounced"  # type: ignore[index]
