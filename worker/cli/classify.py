"""``inboxgap classify``: SQS bodies in, one JSON verdict per line out. An exact interface
that others script against: field names, kinds and exit codes are a contract."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

import click

from worker.cli import main
from worker.domain.classifier import classify_event
from worker.domain.events import ControlMessage, FeedbackEvent, Rejection
from worker.domain.parser import parse_body

EXIT_OK = 0
EXIT_INVALID_LINES = 1


def classify_line(
    line_number: int, body: bytes | str, *, received_at: datetime | None = None
) -> dict[str, Any]:
    """The JSON object ``inboxgap classify`` prints for one input line (``received_at``:
    the time the line is read, bounding its event's timestamp like ingestion does)."""
    result = parse_body(body, received_at=received_at)
    record: dict[str, Any] = {
        "line": line_number,
        "kind": "invalid",
        "event_type": None,
        "message_id": None,
        "outcomes": [],
        "error": None,
    }
    if isinstance(result, Rejection):
        record["error"] = {"code": str(result.code), "message": result.message}
        return record
    if isinstance(result, ControlMessage):
        record["kind"] = "control"
        return record
    assert isinstance(result, FeedbackEvent)
    record["event_type"] = str(result.event_type)
    record["message_id"] = result.message_id
    outcomes = [
        {
            "recipient": outcome.address,
            "status": str(outcome.verdict.status),
            "reason": str(outcome.verdict.reason),
            "smtp_status": outcome.verdict.smtp_status,
            "provider": outcome.verdict.provider,
            "help_url": outcome.verdict.help_url,
        }
        for outcome in classify_event(result)
        if outcome.verdict is not None
    ]
    record["outcomes"] = outcomes
    record["kind"] = "event" if outcomes else "ignored"
    return record


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    for raw in stream:
        yield raw.rstrip(b"\n").rstrip(b"\r")


@main.command("classify")
@click.argument("source", type=click.File("rb"), default="-", metavar="[FILE|-]")
def classify_command(source: IO[bytes]) -> None:
    """Classify SES feedback offline: one SQS message body per input line.

    Reads FILE (or standard input when FILE is - or omitted). Each line is the body
    text of one SQS message: an SNS envelope, a raw SES document or an EventBridge
    event, as one JSON document on one line. Nothing is stored and no signature is
    checked.

    Writes one JSON object per input line to standard output, in input order:

    \b
      {"line": 1,
       "kind": "event" | "control" | "ignored" | "invalid",
       "event_type": "Bounce" | ... | null,
       "message_id": "<SES messageId>" | null,
       "outcomes": [{"recipient": "jane@acme.example",
                     "status": "quarantined", "reason": "security_gateway",
                     "smtp_status": "5.7.1" | null, "provider": "Mimecast" | null,
                     "help_url": "https://..." | null}],
       "error": null | {"code": "not_json", "message": "..."}}

    \b
    kind:
      event    the event decides the status of the recipients in "outcomes"
      ignored  a valid event that decides nothing (Open, Click, Subscription,
               a not-spam complaint, an automatic reply); "outcomes" is []
      control  an SNS subscription handshake or an SES set-up/service notice
      invalid  not a usable SES event; "error" says why (codes: not_json,
               bad_encoding, bad_envelope, missing_message_id, no_recipients,
               unknown_event_type, wrong_type, bad_timestamp,
               implausible_timestamp, bad_recipient, too_large, too_deep,
               inbound_mail)

    A Send event gives sent/awaiting_feedback, a DeliveryDelay sent/delivery_delayed.
    Recipients are normalised (display name stripped, lower-cased). Statuses and
    reasons are those of the outcome contract (see the README).

    \b
    Exit status: 0 when no line was invalid, 1 when at least one was, 2 for usage
    errors (such as a file that cannot be read).
    """
    out = sys.stdout
    invalid = 0
    for number, body in enumerate(_lines(source), start=1):
        record = classify_line(number, body, received_at=datetime.now(UTC))
        if record["kind"] == "invalid":
            invalid += 1
        out.write(json.dumps(record))
        out.write("\n")
    out.flush()
    if invalid:
        click.echo(f"{invalid} invalid line(s)", err=True)
        sys.exit(EXIT_INVALID_LINES)
