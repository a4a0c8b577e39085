"""``inboxgap callbacks deliver|list|replay`` as an operator runs them: real subprocesses
on a SQLite log with the outbox filled by real ingestion, against a real local receiver."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from standardwebhooks import Webhook

from tests.integration.test_callbacks import seed
from tests.support.callback_receiver import CallbackReceiver
from tests.support.processes import run_text
from worker import migrations
from worker.adapters.database import create_engine_from_url

ROOT = Path(__file__).resolve().parents[2]
INBOXGAP = [sys.executable, "-c", "from worker.cli import main; main()"]
SECRET = "whsec_" + base64.b64encode(b"e2e-secret-of-thirty-two-bytes!!").decode()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_text([*INBOXGAP, *args], env=env)


def cli_env(url: str, **settings: str) -> dict[str, str]:
    """This environment without its callback settings, the log at ``url``, and ``settings``."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("INBOXGAP_CALLBACK")},
        "PYTHONPATH": str(ROOT),
        "INBOXGAP_DATABASE_URL": url,
        **settings,
    }


def seeded_log(tmp_path: Path, count: int) -> str:
    """A SQLite log whose ``count`` notifications were delivered (callbacks pending); its URL."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    engine = create_engine_from_url(url)
    migrations.upgrade(engine)
    seed(engine, count)
    engine.dispose()
    return url


def test_deliver_list_and_replay(tmp_path: Path) -> None:
    url = seeded_log(tmp_path, 3)
    with CallbackReceiver() as receiver:
        receiver.codes = [200, 404, 200]  # the second row is refused for good
        env = cli_env(
            url,
            INBOXGAP_CALLBACK_URL=receiver.url,
            INBOXGAP_CALLBACK_SECRET=SECRET,
            INBOXGAP_LOG_LEVEL="WARNING",
        )
        pending = run(env, "callbacks", "list", "--state", "pending", "--json")
        assert pending.returncode == 0, pending.stderr
        assert len(json.loads(pending.stdout)) == 3

        delivered = run(env, "callbacks", "deliver")
        assert delivered.returncode == 0, delivered.stderr
        assert "INBOXGAP_CALLBACK_SECRET" not in delivered.stderr  # signed: no warning
        assert json.loads(delivered.stdout)["delivered"] == 2
        for received in receiver.received:
            assert (
                Webhook(SECRET).verify(received.body, received.headers)["data"]["status"]
                == "delivered"
            )

        failed = json.loads(run(env, "callbacks", "list", "--state", "failed", "--json").stdout)
        assert [(row["cause"], row["last_error"]) for row in failed] == [("rejected", "HTTP 404")]
        text = run(env, "callbacks", "list").stdout
        assert "failed" in text and "delivered" in text and "@" not in text

        assert run(env, "callbacks", "replay").returncode != 0  # IDs or --failed
        replayed = run(env, "callbacks", "replay", "--failed")
        assert replayed.stdout.strip() == "1 callback(s) pending again."
        unknown = run(env, "callbacks", "replay", "999")  # a mistyped ID is not a replay
        assert unknown.returncode == 1 and "not in the outbox" in unknown.stderr
        assert unknown.stdout.strip() == "0 callback(s) pending again."
        again = run(env, "callbacks", "deliver")
        assert json.loads(again.stdout)["delivered"] == 1
    ids = receiver.webhook_ids()
    assert len(ids) == 4 and ids[3] == failed[0]["webhook_id"]  # same webhook-id replayed
    assert run(env, "callbacks", "list", "--state", "delivered", "--json").stdout.count('"id"') == 3
    # Retention: the delivered rows go with their notifications, and the summary says so.
    purged = run(env, "purge", "--older-than", "1d", "--json")
    assert purged.returncode == 0, purged.stderr
    assert json.loads(purged.stdout) == {
        "notifications": 3,
        "events": json.loads(purged.stdout)["events"],
        "parked_events": 0,
        "dead_letters": 0,
        "callbacks": 3,
    }
    assert run(env, "callbacks", "list", "--json").stdout.strip() == "[]"


def test_purge_text_counts_the_callbacks_it_removed(tmp_path: Path) -> None:
    url = seeded_log(tmp_path, 2)
    with CallbackReceiver() as receiver:
        env = cli_env(url, INBOXGAP_CALLBACK_URL=receiver.url, INBOXGAP_CALLBACK_SECRET=SECRET)
        assert json.loads(run(env, "callbacks", "deliver").stdout)["delivered"] == 2
    purged = run(env, "purge", "--older-than", "1d")
    assert purged.returncode == 0, purged.stderr
    assert "purged notifications 2" in purged.stdout
    assert "delivered status callbacks 2" in purged.stdout


def test_deliver_warns_on_stderr_when_callbacks_go_out_unsigned(tmp_path: Path) -> None:
    url = seeded_log(tmp_path, 1)
    with CallbackReceiver() as receiver:
        env = cli_env(url, INBOXGAP_CALLBACK_URL=receiver.url)
        result = run(env, "callbacks", "deliver")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["delivered"] == 1  # sent all the same
    assert result.stderr.count("INBOXGAP_CALLBACK_SECRET") == 1
    assert "webhook-signature" not in receiver.received[0].headers


def test_deliver_says_when_callbacks_are_off(tmp_path: Path) -> None:
    env = cli_env(f"sqlite:///{tmp_path / 'log.db'}")
    assert run(env, "db", "upgrade").returncode == 0
    result = run(env, "callbacks", "deliver")
    assert result.returncode != 0 and "INBOXGAP_CALLBACK_URL" in result.stderr


def test_ingest_and_sweep_now_do_not_date_the_outbox_rows(tmp_path: Path) -> None:
    """A pretended ``--now`` decides statuses; the rows are created and due now."""
    from datetime import UTC, datetime, timedelta

    from tests import bodies as b
    from worker.domain.timestamps import format_timestamp

    sent = datetime.now(UTC) - timedelta(hours=1)  # inside the window: still ``sent``
    (tmp_path / "sends.csv").write_text(
        "notification_id,message_id,recipient,sent_at,notification_type\n"
        f"n1,m1,jane@acme.example,{format_timestamp(sent)},magic_code\n"
        f"n2,m2,bob@acme.example,{format_timestamp(sent)},receipt\n"
    )
    delivered = format_timestamp(sent + timedelta(seconds=2))
    (tmp_path / "events.jsonl").write_text(
        b.delivery(
            "m1",
            ["jane@acme.example"],
            timestamp=delivered,
            mail_timestamp=format_timestamp(sent),
        )
        + "\n"
    )
    future = format_timestamp(datetime.now(UTC) + timedelta(days=3))
    env = cli_env(
        f"sqlite:///{tmp_path / 'log.db'}",
        INBOXGAP_CALLBACK_URL="http://127.0.0.1:9/hooks",
        INBOXGAP_CALLBACK_SECRET=SECRET,
    )
    before = format_timestamp(datetime.now(UTC))
    for command in (
        ("db", "upgrade"),
        ("sent", "import", str(tmp_path / "sends.csv")),
        ("ingest", str(tmp_path / "events.jsonl"), "--no-verify", "--now", future),
        ("sweep", "--now", future),  # n2's window has passed by then
    ):
        result = run(env, *command)
        assert result.returncode == 0, (command, result.stderr)
    after = format_timestamp(datetime.now(UTC))
    rows = json.loads(run(env, "callbacks", "list", "--json").stdout)
    assert sorted((r["notification_id"], r["status"]) for r in rows) == [
        ("n1", "delivered"),
        ("n2", "unknown"),
    ]
    assert json.loads(run(env, "status", "--notification-id", "n1", "--json").stdout)[0][
        "status_at"
    ].startswith(delivered[:19])  # the status keeps the event's time
    for row in rows:
        assert before <= row["created_at"] == row["next_attempt_at"] <= after
