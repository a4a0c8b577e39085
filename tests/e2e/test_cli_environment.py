"""The CLI in a wrong environment, as a user meets it: real processes in a fresh
directory with a missing database, a misspelt or invalid variable, an unsupported
database URL, no queue URL. Each asserts the exit status and the line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.processes import run_text

INBOXGAP = [sys.executable, "-c", "from worker.cli import main; main()"]


def run(
    cwd: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    return run_text([*INBOXGAP, *args], cwd=cwd, env={**clean, **env}, stdin=stdin)


def _errors(stderr: str) -> list[str]:
    """stderr without the JSON log lines."""
    return [line for line in stderr.splitlines() if not line.startswith("{")]


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--email", "a@b.example"),
        ("report",),
        ("recipient", "a@b.example"),
        ("export",),
        ("db", "status"),
        ("deadletters", "list"),
        ("alerts", "list"),
        ("sweep",),
    ],
)
def test_a_read_command_in_an_empty_folder_creates_nothing_and_says_so(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    (line,) = _errors(result.stderr)
    assert "INBOXGAP_DATABASE_URL" in line and "inboxgap db upgrade" in line
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("status", "--email", "a@b.example"), ("report",)])
def test_an_empty_database_file_is_no_log_either(tmp_path: Path, args: tuple[str, ...]) -> None:
    """An empty inboxgap.db (a stray connection created it): the read command neither
    creates the tables in it nor answers "never sent" from it."""
    (tmp_path / "inboxgap.db").write_bytes(b"")
    result = run(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "Error: no notification log at inboxgap.db: set INBOXGAP_DATABASE_URL to yours, "
        "or create this one with `inboxgap db upgrade`"
    ]
    assert result.stdout == ""
    assert (tmp_path / "inboxgap.db").stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inboxgap.db"]
    # db upgrade makes it a log; then the same command answers.
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, *args).returncode == 0


def test_the_commands_that_may_create_the_database_do(tmp_path: Path) -> None:
    upgrade = run(tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "inboxgap.db").exists()
    # Alembic's INFO lines no longer open every command.
    assert "alembic" not in upgrade.stderr
    status = run(tmp_path, "status", "--email", "a@b.example", "--json")
    assert status.returncode == 0, status.stderr
    other = tmp_path / "other"
    other.mkdir()
    ingest = run(other, "ingest", "--no-verify", stdin="")
    assert ingest.returncode == 0, ingest.stderr
    assert (other / "inboxgap.db").exists()


def test_help_needs_no_database(tmp_path: Path) -> None:
    result = run(tmp_path, "status", "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_misspelt_variable_warns_with_the_setting_it_resembles(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "upgrade", INBOXGAP_DATABSE_URL="sqlite:///elsewhere.db")
    assert result.returncode == 0, result.stderr
    assert (
        "warning: INBOXGAP_DATABSE_URL is not an InboxGap setting, ignored; "
        "did you mean INBOXGAP_DATABASE_URL?"
    ) in _errors(result.stderr)


def test_test_variables_do_not_warn(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "classify",
        stdin="",
        INBOXGAP_TEST_REDIS_URL="redis://x",
        INBOXGAP_TEST_POSTGRES_URL="postgresql://x",
        INBOXGAP_FAULT_INJECT="",
        INBOXGAP_DEBUG="0",
    )
    assert "warning" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "INBOXGAP_FEEDBACK_WINDOW",
            "banana",
            "Error: INBOXGAP_FEEDBACK_WINDOW='banana' is invalid",
        ),
        ("INBOXGAP_SQS_BATCH_SIZE", "0", "Error: INBOXGAP_SQS_BATCH_SIZE='0' is invalid"),
        ("INBOXGAP_DATABASE_URL", "mysql://u@h/db", "Error: INBOXGAP_DATABASE_URL uses 'mysql'"),
        ("INBOXGAP_DATABASE_URL", "banana", "Error: INBOXGAP_DATABASE_URL is not a database URL"),
        (
            "INBOXGAP_DATABASE_URL",
            "postgresql+nosuchdriver://u@h/db",
            "Error: INBOXGAP_DATABASE_URL names the driver 'nosuchdriver', which is not installed",
        ),
    ],
)
def test_a_bad_setting_is_three_lines_at_most_naming_the_variable(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    result = run(tmp_path, "report", **{variable: value})
    assert result.returncode == 2
    lines = _errors(result.stderr)
    assert 1 <= len(lines) <= 3
    assert lines[0].startswith(expected)
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    """A run-time failure: one line by default, the traceback with --debug."""
    (tmp_path / "inboxgap.db").write_text("not a database")
    quiet = run(tmp_path, "db", "status")
    assert quiet.returncode == 1
    assert "Traceback" not in quiet.stderr
    assert len(_errors(quiet.stderr)) <= 3
    loud = run(tmp_path, "--debug", "db", "status")
    assert loud.returncode == 1
    assert "Traceback" in loud.stderr
    also = run(tmp_path, "db", "status", INBOXGAP_DEBUG="1")
    assert "Traceback" in also.stderr


def test_drain_without_a_queue_url_names_the_variable(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, "drain", "--once")
    assert result.returncode == 2
    (line,) = _errors(result.stderr)
    assert line.startswith("Error: INBOXGAP_SQS_QUEUE_URL is not set")
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- one CLI


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("status", "--email", "not-an-email"),
            "Error: --email: 'not-an-email' is not an email address: "
            "an email address must have an @-sign",
        ),
        (
            ("recipient", "not-an-email"),
            "Error: ADDRESS: 'not-an-email' is not an email address: "
            "an email address must have an @-sign",
        ),
        (
            ("status", "--email", "jane.doe@acme.example."),
            "Error: --email: 'jane.doe@acme.example.' is not an email address: "
            "an email address cannot end with a period",
        ),
        (
            ("recipient", "jane doe@acme.example"),
            "Error: ADDRESS: 'jane doe@acme.example' is not an email address: "
            "the email address contains invalid characters before the @-sign: SPACE",
        ),
    ],
)
def test_status_refuses_what_is_not_an_address_like_recipient(
    tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    """The one address rule: exit 2 and one line naming the operator's input, unmasked
    (never "never sent to this address")."""
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def test_status_matches_an_address_as_before(tmp_path: Path) -> None:
    """A valid address in another case or with a display name finds the same sends."""
    assert run(tmp_path, "db", "upgrade").returncode == 0
    rows = (
        "notification_id,message_id,recipient,sent_at\n"
        "n-1,m-1,Jane.Doe@Acme.example,2025-03-04T10:00:00Z\n"
    )
    assert run(tmp_path, "sent", "import", "-", stdin=rows).returncode == 0
    for given in ("jane.doe@acme.example", "JANE.DOE@ACME.EXAMPLE", "Jane <Jane.Doe@acme.example>"):
        result = run(tmp_path, "status", "--email", given, "--json")
        assert result.returncode == 0, result.stderr
        assert [n["notification_id"] for n in json.loads(result.stdout)] == ["n-1"], given


def test_sent_import_names_a_bad_recipient_unmasked(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    rows = (
        "notification_id,message_id,recipient,sent_at\n"
        "n-1,m-1,jane.doe@acme.example.,2025-03-04T10:00:00Z\n"
        "n-2,m-2,ok@acme.example,2025-03-04T10:00:00Z\n"
    )
    result = run(tmp_path, "sent", "import", "-", stdin=rows)
    assert result.returncode == 1
    assert (
        "line 2: recipient 'jane.doe@acme.example.' is not an email address: "
        "an email address cannot end with a period"
    ) in _errors(result.stderr)
    assert "created 1," in result.stdout and "invalid 1" in result.stdout


def test_since_takes_a_duration_or_an_iso_time_everywhere(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    for command in (("export",), ("report",), ("alerts", "list"), ("status", "--email", "a@b.x")):
        for since in ("7d", "2025-03-04T10:00:00Z"):
            result = run(tmp_path, *command, "--since", since)
            assert result.returncode == 0, (command, since, result.stderr)
        bad = run(tmp_path, *command, "--since", "soon")
        assert bad.returncode == 2, command
        assert "neither a duration" in bad.stderr


def test_sweep_and_purge_print_json(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    sweep = run(tmp_path, "sweep", "--json")
    assert sweep.returncode == 0, sweep.stderr
    assert json.loads(sweep.stdout) == {"batches": 0, "changed": 0, "examined": 0, "reattached": 0}
    purge = run(tmp_path, "purge", "--json")
    assert purge.returncode == 0, purge.stderr
    assert set(json.loads(purge.stdout)) == {
        "notifications",
        "events",
        "parked_events",
        "dead_letters",
        "callbacks",
    }


def test_a_closed_pipe_ends_quietly_with_exit_0(tmp_path: Path) -> None:
    """`inboxgap classify bodies | head -1`: the reader leaves long before the end."""
    bodies = tmp_path / "bodies.jsonl"
    line = json.dumps({"eventType": "Delivery", "mail": {"messageId": "m"}})
    bodies.write_text((line + "\n") * 50_000)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    process = subprocess.Popen(
        [*INBOXGAP, "classify", str(bodies)],
        cwd=tmp_path,
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # output started; far more is still to come
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "Error" not in stderr


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--email", "jane@acme.example"),
        ("status", "--email", "jane@acme.example", "--json"),
        ("recipient", "jane@acme.example"),
        ("report",),
        ("report", "--json"),
        ("export",),
        ("export", "--format", "csv"),
        ("alerts", "list"),
    ],
)
def test_every_command_into_a_pipe_nobody_reads_ends_with_exit_0(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """`inboxgap status ... | head -1` where head has already gone: the very first write
    fails. Rich's console would exit 1 ("a run-time failure") on its own."""
    assert run(tmp_path, "db", "upgrade").returncode == 0
    rows = "notification_id,message_id,recipient,sent_at\nn-1,m-1,jane@acme.example,{now}\n"
    sent_at = datetime.now(UTC).isoformat()
    assert run(tmp_path, "sent", "import", "-", stdin=rows.format(now=sent_at)).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes anything
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_")}
    try:
        result = subprocess.run(
            [*INBOXGAP, *args],
            cwd=tmp_path,
            env=clean,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert _errors(result.stderr) == []


def test_ingest_without_the_certificate_host_is_a_short_error(tmp_path: Path) -> None:
    """Signed SNS envelopes, verification on, the certificate host unreachable (nothing
    listens on port 9): exit 1 and at most three lines on stderr in all, the schema's
    log line of this first run included, naming the settings to check."""
    sample = Path(__file__).parents[2] / "worker" / "samples" / "ses-feedback-sample.jsonl"
    result = run(
        tmp_path,
        "ingest",
        str(sample),
        INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL="http://127.0.0.1:9",
    )
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.splitlines()) <= 3, result.stderr
    first, *rest = _errors(result.stderr)
    assert first.startswith("Error: cannot fetch the SNS signing certificate"), first
    assert "INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL" in rest[0] and "--no-verify" in rest[0]
    assert "Traceback" not in result.stderr
