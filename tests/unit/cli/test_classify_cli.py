"""``inboxgap classify`` (issue 3, §6): an exact interface others script against.

Through click's CliRunner for the details, and through real subprocesses (the installed
``inboxgap`` console script) for a file argument and for standard input.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.unit.domain import ses_bodies as b
from worker.cli import main

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "worker" / "samples" / "ses-feedback-sample.jsonl"
RECORD_KEYS = ["line", "kind", "event_type", "message_id", "outcomes", "error"]
OUTCOME_KEYS = ["recipient", "status", "reason", "smtp_status", "provider", "help_url"]
KINDS = {"event", "control", "ignored", "invalid"}


def invoke(args: list[str], stdin: bytes | str | None = None) -> Result:
    return CliRunner().invoke(main, ["classify", *args], input=stdin, catch_exceptions=False)


def records(stdout: str) -> list[dict[str, Any]]:
    lines = stdout.splitlines()
    parsed = [json.loads(line) for line in lines]
    for number, record in enumerate(parsed, start=1):
        assert list(record) == RECORD_KEYS, record
        assert record["line"] == number
        assert record["kind"] in KINDS
        for outcome in record["outcomes"]:
            assert list(outcome) == OUTCOME_KEYS, outcome
        if record["kind"] == "invalid":
            assert list(record["error"]) == ["code", "message"]
            assert record["error"]["message"]
        else:
            assert record["error"] is None
        if record["kind"] in ("ignored", "invalid", "control"):
            assert record["outcomes"] == []
        if record["kind"] == "event":
            assert record["outcomes"]
        if record["kind"] in ("control", "invalid"):
            assert record["event_type"] is None
            assert record["message_id"] is None
    return parsed


def write_lines(path: Path, lines: Sequence[str | bytes], newline: bytes = b"\n") -> Path:
    data = newline.join(line if isinstance(line, bytes) else line.encode() for line in lines)
    path.write_bytes(data + newline)
    return path


# The expected output for example A (reference 1.2), field by field.
EXAMPLE_A_RECORD = {
    "line": 1,
    "kind": "event",
    "event_type": "Bounce",
    "message_id": b.MESSAGE_ID,
    "outcomes": [
        {
            "recipient": "jane@acme.example",
            "status": "bounced",
            "reason": "mailbox_not_found",
            "smtp_status": "5.1.1",
            "provider": None,
            "help_url": None,
        }
    ],
    "error": None,
}

MIXED = [
    b.EXAMPLE_A_BODY,  # 1 event
    b.raw(b.open_doc()),  # 2 ignored
    b.sns_control(),  # 3 control
    "this is not json",  # 4 invalid
    b.EXAMPLE_C_BODY,  # 5 event
]


def test_file_argument_exact_records(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bodies.jsonl", MIXED)
    result = invoke([str(path)])
    assert result.exit_code == 1
    out = records(result.stdout)
    assert len(out) == 5
    assert out[0] == EXAMPLE_A_RECORD
    assert out[1] == {
        "line": 2,
        "kind": "ignored",
        "event_type": "Open",
        "message_id": b.MESSAGE_ID,
        "outcomes": [],
        "error": None,
    }
    assert out[2] == {
        "line": 3,
        "kind": "control",
        "event_type": None,
        "message_id": None,
        "outcomes": [],
        "error": None,
    }
    assert out[3]["kind"] == "invalid"
    assert out[3]["error"]["code"] == "not_json"
    assert {k: v for k, v in out[3].items() if k != "error"} == {
        "line": 4,
        "kind": "invalid",
        "event_type": None,
        "message_id": None,
        "outcomes": [],
    }
    assert out[4] == {
        "line": 5,
        "kind": "event",
        "event_type": "Complaint",
        "message_id": b.MESSAGE_ID_COMPLAINT,
        "outcomes": [
            {
                "recipient": "li@fabrikam.example",
                "status": "quarantined",
                "reason": "complaint",
                "smtp_status": None,
                "provider": None,
                "help_url": None,
            }
        ],
        "error": None,
    }
    assert "1 invalid" in result.stderr
    assert "1 invalid" not in result.stdout


def test_one_output_line_per_input_line_each_a_single_json_object(tmp_path: Path) -> None:
    bodies = b.real_bodies()
    path = write_lines(tmp_path / "all.jsonl", bodies)
    result = invoke([str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("\n")
    out = records(result.stdout)
    assert len(out) == len(bodies)
    assert [r["line"] for r in out] == list(range(1, len(bodies) + 1))


@pytest.mark.parametrize(
    ("body", "kind", "event_type", "expected"),
    [
        (
            b.raw(b.send_doc()),
            "event",
            "Send",
            [("jane@acme.example", "sent", "awaiting_feedback")],
        ),
        (
            b.raw(b.delay_doc()),
            "event",
            "DeliveryDelay",
            [("jane@acme.example", "sent", "delivery_delayed")],
        ),
        (
            b.eventbridge(b.delivery_doc()),
            "event",
            "Delivery",
            [("omar@contoso.example", "delivered", "accepted")],
        ),
        (b.raw(b.reject_doc()), "event", "Reject", [("jane@acme.example", "bounced", "rejected")]),
        (
            b.raw(b.rendering_failure_doc()),
            "event",
            "Rendering Failure",
            [("jane@acme.example", "bounced", "rendering_failure")],
        ),
        (
            b.raw(b.complaint_doc(subtype="OnAccountSuppressionList", feedback_type=None)),
            "event",
            "Complaint",
            [("li@fabrikam.example", "bounced", "suppressed")],
        ),
        (b.raw(b.open_doc()), "ignored", "Open", []),
        (b.raw(b.click_doc()), "ignored", "Click", []),
        (b.raw(b.subscription_doc()), "ignored", "Subscription", []),
        (b.raw(b.complaint_doc(feedback_type="not-spam")), "ignored", "Complaint", []),
        (
            b.raw(
                b.bounce_doc(
                    [b.bounce_entry(action=None, status=None, diagnostic=None)],
                    bounce_type="Transient",
                    subtype="General",
                )
            ),
            "ignored",
            "Bounce",
            [],
        ),
        (
            b.raw(b.bounce_doc([b.bounce_entry(action="delayed")], subtype="General")),
            "ignored",
            "Bounce",
            [],
        ),
        (b.sns_control("UnsubscribeConfirmation"), "control", None, []),
        (b.TOPIC_VALIDATED_BODY, "control", None, []),
        (b.sns(b.SUBSCRIPTION_SUCCEEDED_DOC), "control", None, []),
        (b.eventbridge_service_event(), "control", None, []),
    ],
    ids=[
        "send",
        "delay",
        "delivery",
        "reject",
        "rendering-failure",
        "complaint-suppressed",
        "open",
        "click",
        "subscription",
        "not-spam",
        "auto-reply",
        "delayed-entry",
        "unsubscribe-confirmation",
        "topic-validated",
        "subscription-succeeded",
        "service-event",
    ],
)
def test_kinds_and_outcomes(
    body: str, kind: str, event_type: str | None, expected: list[tuple[str, str, str]]
) -> None:
    result = invoke([], stdin=body + "\n")
    assert result.exit_code == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["kind"] == kind
    assert record["event_type"] == event_type
    assert [(o["recipient"], o["status"], o["reason"]) for o in record["outcomes"]] == expected


def test_only_the_deciding_recipients_are_listed() -> None:
    doc = b.bounce_doc(
        [
            b.bounce_entry("jane@acme.example"),
            b.bounce_entry("omar@contoso.example", action="delayed"),
        ],
        subtype="General",
    )
    (record,) = records(invoke(["-"], stdin=b.raw(doc)).stdout)
    assert record["kind"] == "event"
    assert [o["recipient"] for o in record["outcomes"]] == ["jane@acme.example"]


def test_recipients_are_shown_normalised() -> None:
    body = b.raw(b.send_doc(['"Jane" <Jane@Acme.example>', "  OMAR@contoso.EXAMPLE "]))
    (record,) = records(invoke(["-"], stdin=body).stdout)
    assert [o["recipient"] for o in record["outcomes"]] == [
        "jane@acme.example",
        "omar@contoso.example",
    ]


def test_provider_smtp_status_and_help_url_are_reported() -> None:
    diagnostic = (
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
        "more at https://support.google.com/mail/?p=NoSuchUser a1si123456wmq.99 - gsmtp"
    )
    doc = b.bounce_doc([b.bounce_entry(status="5.1.1", diagnostic=diagnostic)], subtype="General")
    (record,) = records(invoke(["-"], stdin=b.raw(doc)).stdout)
    assert record["outcomes"] == [
        {
            "recipient": "jane@acme.example",
            "status": "bounced",
            "reason": "mailbox_not_found",
            "smtp_status": "5.1.1",
            "provider": "Gmail",
            "help_url": "https://support.google.com/mail/?p=NoSuchUser",
        }
    ]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"{not json", "not_json"),
        (b'{"eventType": "Send", "x": "\xff"}', "bad_encoding"),
        (b"[1, 2, 3]", "bad_envelope"),
        (b.raw({"eventType": "Teleport", "mail": b.mail()}).encode(), "unknown_event_type"),
        (b.raw(b.RECEIVED_DOC).encode(), "inbound_mail"),
        (("{" + '"a": ' + "[" * 200 + "]" * 200 + "}").encode(), "too_deep"),
        (b"{" + b" " * (300 * 1024) + b"}", "too_large"),
    ],
)
def test_invalid_lines_carry_the_rejection_code(line: bytes, code: str) -> None:
    result = invoke([], stdin=line + b"\n")
    assert result.exit_code == 1
    (record,) = records(result.stdout)
    assert record["kind"] == "invalid"
    assert record["error"]["code"] == code


def test_exit_code_0_when_no_line_is_invalid(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "ok.jsonl", [b.EXAMPLE_A_BODY, b.raw(b.open_doc())])
    result = invoke([str(path)])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_exit_code_1_when_any_line_is_invalid_and_all_lines_are_still_written(
    tmp_path: Path,
) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", ["nope", b.EXAMPLE_A_BODY, "{}"])
    result = invoke([str(path)])
    assert result.exit_code == 1
    assert [r["kind"] for r in records(result.stdout)] == ["invalid", "event", "invalid"]
    assert "2 invalid" in result.stderr


def test_empty_input_writes_nothing_and_exits_0() -> None:
    result = invoke(["-"], stdin=b"")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "crlf.jsonl", [b.EXAMPLE_A_BODY, b.EXAMPLE_C_BODY], b"\r\n")
    result = invoke([str(path)])
    assert result.exit_code == 0
    assert [r["kind"] for r in records(result.stdout)] == ["event", "event"]


def test_stdin_dash_and_no_argument_are_the_same(tmp_path: Path) -> None:
    data = "\n".join(MIXED) + "\n"
    path = write_lines(tmp_path / "same.jsonl", list(MIXED))
    from_file = invoke([str(path)])
    assert invoke(["-"], stdin=data).stdout == from_file.stdout
    assert invoke([], stdin=data).stdout == from_file.stdout


def test_non_ascii_recipient_round_trips() -> None:
    body = b.raw(b.send_doc(["José <José@Acme.example>"]))
    (record,) = records(invoke(["-"], stdin=body.encode("utf-8")).stdout)
    assert record["outcomes"][0]["recipient"] == "josé@acme.example"


def test_lone_surrogate_in_a_recipient_does_not_crash_the_output() -> None:
    # Valid JSON ("\\ud800" escape) that is not valid Unicode: the line must still be
    # written (and the following lines too), never a UnicodeEncodeError.
    body = b.raw(b.send_doc(["jane\ud800@acme.example"]))
    assert "\\ud800" in body
    result = invoke(["-"], stdin=body + "\n" + b.EXAMPLE_A_BODY + "\n")
    assert result.exit_code in (0, 1)
    out = records(result.stdout)
    assert len(out) == 2
    assert out[1] == {**EXAMPLE_A_RECORD, "line": 2}


@pytest.mark.parametrize(
    "args",
    [["/nonexistent/dir/bodies.jsonl"], ["--no-such-option"], ["a.jsonl", "b.jsonl"]],
    ids=["missing file", "unknown option", "two files"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_help_explains_kinds_fields_and_exit_codes() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for kind in KINDS:
        assert kind in text
    for key in [*RECORD_KEYS, *OUTCOME_KEYS]:
        assert key in text
    for code in ("0", "1", "2"):
        assert f"{code} " in text or f"{code}," in text
    assert "Exit status" in text or "exit" in text.lower()
    assert "FILE" in text and "-" in text
    for code in ("not_json", "too_large", "too_deep", "wrong_type", "bad_envelope"):
        assert code in text


def test_classify_is_listed_in_the_main_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "classify" in result.stdout


# --- real subprocesses -----------------------------------------------------------------


def _inboxgap() -> list[str]:
    script = shutil.which("inboxgap")
    if script is not None:
        return [script]
    return [sys.executable, "-c", "from worker.cli import main; main()"]


def _run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run(
        [*_inboxgap(), "classify", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=REPO,
        env=env,
        check=False,
    )


def test_subprocess_with_a_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bodies.jsonl", MIXED)
    proc = _run([str(path)])
    assert proc.returncode == 1, proc.stderr
    out = records(proc.stdout.decode("utf-8"))
    assert [r["kind"] for r in out] == ["event", "ignored", "control", "invalid", "event"]
    assert out[0] == EXAMPLE_A_RECORD
    # Same bytes as in-process.
    assert proc.stdout.decode("utf-8") == invoke([str(path)]).stdout


def test_subprocess_with_stdin() -> None:
    data = (b.EXAMPLE_A_BODY + "\n" + b.raw(b.send_doc()) + "\n").encode()
    proc = _run(["-"], stdin=data)
    assert proc.returncode == 0, proc.stderr
    out = records(proc.stdout.decode("utf-8"))
    assert [(r["kind"], r["event_type"]) for r in out] == [("event", "Bounce"), ("event", "Send")]
    assert out[0] == EXAMPLE_A_RECORD


def test_subprocess_usage_error_exits_2(tmp_path: Path) -> None:
    proc = _run([str(tmp_path / "missing.jsonl")])
    assert proc.returncode == 2
    assert proc.stdout == b""


# --- the shipped sample ----------------------------------------------------------------


def test_every_line_of_the_shipped_sample_classifies() -> None:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE.relative_to(REPO)} not generated yet")
    lines = SAMPLE.read_bytes().splitlines()
    assert lines, "the sample is empty"
    result = invoke([str(SAMPLE)])
    out = records(result.stdout)
    assert len(out) == len(lines)
    invalid = [r for r in out if r["kind"] == "invalid"]
    assert not invalid, invalid
    assert result.exit_code == 0
    kinds = {r["kind"] for r in out}
    assert "event" in kinds
