"""One JSON style across the CLI, as a script meets it: every command that prints a
result takes ``--json`` and then prints exactly one JSON document on stdout (JSON lines
only for the streaming ``classify``, ``export`` and ``deadletters list``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli_environment import run
from worker.migrations import head_revision

HEAD = head_revision()

SENDS = (
    "notification_id,message_id,recipient,sent_at\n"
    "n-1,m-1,jane@acme.example,2025-03-04T10:00:00Z\n"
    "n-2,m-2,not-an-address,2025-03-04T10:00:00Z\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A log with one send and one dead letter."""
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "sent", "import", "-", stdin=SENDS).returncode == 1  # one invalid
    junk = run(tmp_path, "ingest", "--no-verify", "-", stdin='{"junk": 1}\n')
    assert junk.returncode == 0, junk.stderr
    return tmp_path


def _one_document(stdout: str) -> object:
    """Exactly one JSON document (json.loads refuses a second one after the first)."""
    return json.loads(stdout)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("db", "upgrade"), {"database": "sqlite:///inboxgap.db", "revision": HEAD}),
        (("db", "status"), {"state": "current", "revision": HEAD, "head": HEAD}),
        (("deadletters", "replay", "--no-verify"), {"replayed": 1, "resolved": 0}),
        (("deadletters", "show", "1"), {"id": 1, "code": "bad_envelope", "body": '{"junk": 1}'}),
        (("callbacks", "replay", "--failed"), {"pending_again": 0}),
        (("sweep",), {"changed": 0, "reattached": 0}),  # the text run swept n-1 already
    ],
)
def test_json_is_one_document(
    folder: Path, args: tuple[str, ...], expected: dict[str, object]
) -> None:
    text = run(folder, *args)
    assert text.returncode == 0, text.stderr
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.stdout)  # without --json: text for people
    result = run(folder, *args, "--json")
    assert result.returncode == 0, result.stderr
    document = _one_document(result.stdout)
    assert isinstance(document, dict)
    assert {key: document.get(key) for key in expected} == expected


def test_sent_import_json_counts_the_invalid_rows(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, "sent", "import", "-", "--json", stdin=SENDS)
    assert result.returncode == 1  # a row was invalid, as without --json
    document = _one_document(result.stdout)
    assert isinstance(document, dict)
    assert (document["created"], document["invalid"]) == (1, 1)
    assert "line 3: recipient 'not-an-address' is not an email address" in result.stderr


def test_drain_and_callbacks_deliver_accept_json(folder: Path) -> None:
    """Their summary is JSON already; --json is accepted so a script can pass it to all."""
    drain = run(folder, "drain", "--once", "--json")
    assert drain.returncode == 2  # no queue URL here
    assert _one_document(drain.stdout) == {
        "error": "SqsRefusedError",
        "message": drain.stderr.splitlines()[-1].removeprefix("Error: "),
    }
    deliver = run(folder, "callbacks", "deliver", "--json")
    assert deliver.returncode == 2, deliver.stderr  # callbacks off: configuration
    assert deliver.stderr.splitlines() == [
        "Error: callbacks are off: set INBOXGAP_CALLBACK_URL or INBOXGAP_CALLBACK_CELERY_TASK"
    ]
