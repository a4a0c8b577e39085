"""The notification-log commands as a user runs them (CliRunner, and real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from config.settings import get_settings
from tests import bodies as b
from tests.support.json_contract import EVENT_KEYS, STATUS_KEYS
from tests.support.processes import run_text
from worker.cli import main

SENDS_CSV = (
    "notification_id,message_id,recipient,sent_at,notification_type\n"
    "n1,m1,Jane <Jane@Acme.example>,2025-03-04T10:00:00Z,magic_code\n"
    "n2,m2,bob@acme.example,2025-03-04T10:00:00Z,receipt\n"
)
EVENTS = [
    b.delivery("m1", ["jane@acme.example"]),
    b.bounce("m2", "bob@acme.example", feedback_id="f1"),
    b.open_("m1", "jane@acme.example"),
    "garbage",
    b.delivery("m7", ["early@x.example"]),
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory with the default database (a SQLite file there)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INBOXGAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", f"sqlite:///{tmp_path / 'inboxgap.db'}")
    get_settings.cache_clear()
    (tmp_path / "sends.csv").write_text(SENDS_CSV)
    (tmp_path / "events.jsonl").write_text("\n".join(EVENTS) + "\n\n")
    yield tmp_path
    get_settings.cache_clear()


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_first_commands_just_work_on_the_default_database(workdir: Path) -> None:
    imported = invoke("sent", "import", "sends.csv")
    assert imported.exit_code == 0, imported.output
    assert "created 2" in imported.output
    ingested = invoke(
        "ingest",
        "events.jsonl",
        "--no-verify",
        "--batch-size",
        "2",
        "--now",
        "2025-03-04T12:00:00Z",
        "--json",
    )
    assert ingested.exit_code == 0, ingested.output
    summary = json.loads(ingested.stdout)
    assert summary["applied"] == 2
    assert summary["ignored"] == 1
    assert summary["parked"] == 1
    assert summary["dead_lettered"] == 1
    assert summary["rejections"] == {"not_json": 1}
    again = json.loads(invoke("ingest", "events.jsonl", "--no-verify", "--json").stdout)
    assert again["duplicate"] == 4 and again["applied"] == 0


def test_status_json_is_the_exact_interface(workdir: Path) -> None:
    invoke("sent", "import", "sends.csv")
    invoke("ingest", "events.jsonl", "--no-verify", "--now", "2025-03-04T12:00:00Z")
    result = invoke("status", "--email", "JANE@acme.example", "--json")
    assert result.exit_code == 0
    (record,) = json.loads(result.stdout)
    assert list(record) == list(STATUS_KEYS)  # engagement (issue 14): first open and first click
    assert (record["status"], record["reason"]) == ("delivered", "accepted")
    assert record["engagement"]["opened_at"] == record["events"][1]["occurred_at"]
    assert record["engagement"]["clicked_at"] is None
    assert [e["event_type"] for e in record["events"]] == ["Delivery", "Open"]
    assert list(record["events"][0]) == list(EVENT_KEYS)
    assert record["events"][1]["status"] is None
    nothing = invoke("status", "--notification-id", "nope", "--json")
    assert (nothing.exit_code, nothing.stdout.strip()) == (0, "[]")
    human = invoke("status", "--message-id", "m2")
    assert "bounced/mailbox_not_found" in human.output


def test_usage_errors_exit_2(workdir: Path) -> None:
    assert invoke("status").exit_code == 2
    assert invoke("status", "--email", "a@b", "--message-id", "m").exit_code == 2
    assert invoke("purge", "--older-than", "soon").exit_code == 2
    assert invoke("sweep", "--now", "yesterday").exit_code == 2
    assert invoke("export", "--format", "xml").exit_code == 2


def test_export_streams_jsonl_and_csv(workdir: Path) -> None:
    invoke("sent", "import", "sends.csv")
    lines = invoke("export").stdout.splitlines()
    assert [json.loads(line)["notification_id"] for line in lines] == ["n1", "n2"]
    assert "events" not in json.loads(lines[0])
    csv_out = invoke("export", "--format", "csv", "--since", "2025-03-05T00:00:00Z").stdout
    assert csv_out.splitlines() == [
        "notification_id,message_id,recipient,notification_type,sent_at,status,reason,status_at"
    ]


def test_deadletters_list_show_replay(workdir: Path) -> None:
    invoke("ingest", "events.jsonl", "--no-verify")
    listed = invoke("deadletters", "list", "--json")
    (letter,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert letter["code"] == "not_json"
    shown = invoke("deadletters", "show", str(letter["id"]), "--raw")
    assert shown.stdout == "garbage"
    replay = invoke("deadletters", "replay", str(letter["id"]), "--no-verify")
    assert "still rejected 1" in replay.output
    assert invoke("deadletters", "show", "999").exit_code == 1


def test_sent_import_jsonl_reports_invalid_lines(workdir: Path) -> None:
    good = {
        "notification_id": "j1",
        "message_id": "mj",
        "recipient": "a@x.example",
        "sent_at": "2025-03-04T10:00:00Z",
    }
    text = json.dumps(good) + "\n" + "{broken\n" + json.dumps({**good, "recipient": ""}) + "\n"
    result = CliRunner().invoke(main, ["sent", "import", "-"], input=text)
    assert result.exit_code == 1
    assert "created 1" in result.output and "invalid 2" in result.output
    assert "line 2" in result.output and "line 3" in result.output


def test_sweep_and_purge(workdir: Path) -> None:
    invoke("sent", "import", "sends.csv")  # sent in 2025: already past the window today
    assert "examined 0" in invoke("sweep", "--now", "2025-03-06T00:00:00Z").output
    assert "purged notifications 2" in invoke("purge", "--older-than", "1d").output
    record = json.loads(invoke("status", "--notification-id", "n1", "--json").stdout)[0]
    assert record["recipient"] is None and record["status"] == "unknown"


def test_other_databases_say_run_db_upgrade(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", postgres_schema_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["status", "--email", "a@b.example"])
        assert result.exit_code == 1
        assert "run `inboxgap db upgrade`" in result.output
        assert invoke("db", "upgrade").exit_code == 0
        assert invoke("status", "--email", "a@b.example", "--json").stdout.strip() == "[]"
    finally:
        get_settings.cache_clear()


def test_a_real_subprocess(tmp_path: Path) -> None:
    (tmp_path / "sends.csv").write_text(SENDS_CSV)
    (tmp_path / "events.jsonl").write_text("\n".join(EVENTS) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    exe = Path(sys.executable).with_name("inboxgap")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "worker.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_text([*command, *args], cwd=tmp_path, env=env)

    assert run("sent", "import", "sends.csv").returncode == 0
    ingest = run("ingest", "--no-verify", "events.jsonl")
    assert ingest.returncode == 0, ingest.stderr
    assert "applied 2" in ingest.stdout
    status = run("status", "--message-id", "m2", "--json")
    assert json.loads(status.stdout)[0]["reason"] == "mailbox_not_found"
    assert (tmp_path / "inboxgap.db").exists()


def test_commands_log_json_on_stderr_with_masked_addresses_and_print_no_escapes(
    tmp_path: Path,
) -> None:
    """Real processes: stderr is JSON log lines (addresses masked), stdout the result; a
    bounce whose server reply is full of terminal escapes prints none of them."""
    hostile = b.bounce(
        "m2",
        "bob@acme.example",
        feedback_id="f-hostile",
        diagnostic="smtp; 550 \x1b[2J\x1b]0;owned\x07gone\r\x1b[Kdelivered OK \x9b31m[bold]x[/]",
    )
    (tmp_path / "sends.csv").write_text(SENDS_CSV)
    # The hostile bounce replaces m2's ordinary one (EVENTS[1]), so it is the reply shown.
    events_file = "\n".join([EVENTS[0], *EVENTS[2:], hostile]) + "\n"
    (tmp_path / "events.jsonl").write_text(events_file)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    env["INBOXGAP_LOG_LEVEL"] = "INFO"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_text(
            [sys.executable, "-c", "from worker.cli import main; main()", *args],
            cwd=tmp_path,
            env=env,
        )

    assert run("sent", "import", "sends.csv").returncode == 0
    ingest = run("ingest", "--no-verify", "--json", "events.jsonl")
    status = run("status", "--email", "Bob@Acme.example")
    assert ingest.returncode == 0 and status.returncode == 0, ingest.stderr + status.stderr
    assert json.loads(ingest.stdout)["applied"] >= 2
    events: dict[str, dict[str, object]] = {}
    for stream in (ingest.stderr, status.stderr):
        for line in stream.splitlines():
            entry = json.loads(line)  # every stderr line is one JSON object
            assert {"event", "level", "timestamp"} <= set(entry), entry
            events[str(entry["event"])] = entry
    assert events["ingest finished"]["dead_lettered"] == 1
    assert events["status lookup"]["email"] == "B***@Acme.example"  # as typed, masked
    assert "bob@acme.example" not in ingest.stderr + status.stderr
    assert "Bob@Acme.example" not in status.stderr
    shown = status.stdout
    assert "bounced / mailbox_not_found" in shown
    for byte in ("\x1b", "\x07", "\r", "\x9b"):
        assert byte not in shown, repr(byte)
    assert "\\x1b[2J\\x1b]0;owned\\x07gone\\r\\x1b[Kdelivered OK" in shown


# --------------------------------------------------------------------------- poison

POISON_MARK = "mailbox on fire"
GOOD_AND_POISON = [
    b.send("pm1", ["ann@acme.example"], notification_id="pn1"),
    b.delivery("pm1", ["ann@acme.example"]),
    b.bounce("pm2", "bea@acme.example", feedback_id="pf2", diagnostic=f"smtp; 550 {POISON_MARK}"),
    b.bounce("pm3", "cy@acme.example", feedback_id="pf3"),
]


def _inject_nul(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make PostgreSQL itself refuse the poison body: a NUL is put into its prepared
    ledger row (the parser's output, not the parser, which may clean text itself)."""

    from worker.handlers import ingest

    real = ingest.prepare_batch

    def prepare(bodies: object, **kwargs: object) -> object:
        batch = real(bodies, **kwargs)  # type: ignore[arg-type]
        batch.ledger = [
            msgspec.structs.replace(row, diagnostic=row.diagnostic + "\x00")
            if row.diagnostic and POISON_MARK in row.diagnostic
            else row
            for row in batch.ledger
        ]
        return batch

    monkeypatch.setattr(ingest, "prepare_batch", prepare)


def test_ingest_isolates_a_body_postgresql_refuses(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", postgres_schema_url)
    get_settings.cache_clear()
    (tmp_path / "feedback.jsonl").write_text("\n".join(GOOD_AND_POISON) + "\n")
    try:
        assert invoke("db", "upgrade").exit_code == 0
        _inject_nul(monkeypatch)
        ingested = invoke("ingest", str(tmp_path / "feedback.jsonl"), "--no-verify", "--json")
        assert ingested.exit_code == 0, ingested.output
        summary = json.loads(ingested.stdout)
        assert summary["rejections"] == {"storage_rejected": 1}
        assert (summary["applied"], summary["parked"], summary["dead_lettered"]) == (2, 1, 1)
        status = json.loads(invoke("status", "--notification-id", "pn1", "--json").stdout)
        assert status[0]["status"] == "delivered"
        (letter,) = [
            json.loads(line)
            for line in invoke("deadletters", "list", "--json").stdout.split("\n")
            if line
        ]
        assert letter["code"] == "storage_rejected" and "NUL" in letter["message"]
        shown = invoke("deadletters", "show", str(letter["id"]), "--raw")
        assert shown.stdout == GOOD_AND_POISON[2]  # the exact body, replayable

        # Replay goes through the same isolation: still refused, kept, not counted again.
        replay = invoke("deadletters", "replay", "--no-verify")
        assert replay.exit_code == 0 and "still rejected 1" in replay.output
        # After the fix (here: the injection removed) the replay applies it.
        monkeypatch.undo()
        monkeypatch.setenv("INBOXGAP_DATABASE_URL", postgres_schema_url)
        get_settings.cache_clear()
        replay = invoke("deadletters", "replay", "--no-verify")
        assert "resolved 1" in replay.output, replay.output
    finally:
        get_settings.cache_clear()


def test_ingest_subprocess_with_a_hostile_body_exits_0_and_loses_nothing(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    """As reported: a JSON lone surrogate in a diagnostic made `inboxgap ingest` exit 1
    with UnicodeEncodeError and the three good bodies beside it were not applied."""
    hostile = b.bounce(
        "pm9", "dee@acme.example", feedback_id="pf9", diagnostic="smtp; 550 bad \ud83d mailbox"
    )
    lines = [*GOOD_AND_POISON[:2], GOOD_AND_POISON[3], hostile]
    (tmp_path / "feedback.jsonl").write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    env["INBOXGAP_DATABASE_URL"] = postgres_schema_url
    exe = Path(sys.executable).with_name("inboxgap")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "worker.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_text([*command, *args], cwd=tmp_path, env=env)

    assert run("db", "upgrade").returncode == 0
    ingest = run("ingest", "--no-verify", "--json", "feedback.jsonl")
    assert ingest.returncode == 0, ingest.stderr
    summary = json.loads(ingest.stdout)
    assert summary["applied"] == 2 and summary["parked"] >= 1
    # Dead-lettered (the database refused it) or applied (its text made storable).
    assert summary["rejections"] in ({"storage_rejected": 1}, {})
    assert summary["dead_lettered"] + summary["parked"] == 2
    status = json.loads(run("status", "--notification-id", "pn1", "--json").stdout)
    assert status[0]["status"] == "delivered"
    assert "Traceback" not in ingest.stderr
