"""The worker's wiring without services: Celery configuration and task names, logging
redaction, metrics (also in multiprocess mode), the local certificate fetcher, and the
deployment files (docker-compose.yml, Procfile)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from pydantic import SecretStr
from structlog.typing import EventDict

from config.settings import Settings
from tests.support.ingest import send_record
from tests.support.processes import run_text
from tests.support.sns_signing import sns_envelope_from_body

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- Celery


def test_celery_app_is_json_only_with_limits_routes_and_beat() -> None:
    import tasks  # noqa: F401  (registers the tasks)
    from config import celery_app as wiring

    conf = wiring.app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.worker_hijack_root_logger is False
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit <= 600
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_routes["inboxgap.drain"] == {"queue": "inboxgap.drain"}
    assert conf.task_routes["inboxgap.record_sent"] == {"queue": "inboxgap"}
    assert {q.name for q in conf.task_queues} == {"inboxgap.drain", "inboxgap"}
    entry = conf.beat_schedule["drain-ses-feedback"]
    assert entry["task"] == "inboxgap.drain"
    assert entry["options"]["expires"] == entry["schedule"]
    assert {"inboxgap.drain", "inboxgap.record_sent"} <= set(wiring.app.tasks)


def test_beat_interval_and_run_time_come_from_settings() -> None:
    from config.celery_app import beat_schedule

    schedule = beat_schedule(Settings(drain_interval=3))
    assert schedule["drain-ses-feedback"]["schedule"] == 3
    assert schedule["drain-ses-feedback"]["options"]["expires"] == 3


def test_the_application_package_never_imports_celery() -> None:
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import worker
        for module in pkgutil.walk_packages(worker.__path__, "worker."):
            if module.name.startswith("worker.migrations."):
                continue  # Alembic scripts run only inside Alembic
            importlib.import_module(module.name)
        leaked = sorted(m for m in sys.modules if m == "celery" or m.startswith("celery."))
        print(leaked)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_record_sent_task_records_and_rejects_invalid(tmp_path: Path, monkeypatch: Any) -> None:
    from tasks import sends
    from worker.bootstrap.process import process_app

    monkeypatch.setenv("INBOXGAP_DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    from config.settings import get_settings

    get_settings.cache_clear()
    process_app.cache_clear()
    try:
        from worker.bootstrap import build_app, ensure_schema

        app = build_app(get_settings())
        ensure_schema(app.require_engine(), auto_upgrade=True)
        record = {
            "notification_id": "n-1",
            "message_id": "m-1",
            "recipient": "Jane <Jane@Acme.example>",
            "sent_at": "2025-03-04T10:00:00Z",
        }
        result = sends.record_sent.apply(kwargs={"records": [record, {"recipient": "x"}]}).get()
        assert result["created"] == 1 and result["invalid"] == 1
        again = sends.record_sent.apply(kwargs=record).get()
        assert again["created"] == 0 and again["unchanged"] == 1
    finally:
        get_settings.cache_clear()
        process_app.cache_clear()


# --------------------------------------------------------------------------- logging


def _render(level: str, method: str, **event: Any) -> EventDict:
    from config.logging import redact_personal_data

    return redact_personal_data(None, method, {"level": level, **event})


def test_addresses_are_masked_and_bodies_dropped_at_info() -> None:
    out = _render(
        "info",
        "info",
        event="rejected jane@acme.example",
        recipients=["omar@contoso.example", {"to": "li@fabrikam.example"}],
        body='{"mail": {"destination": ["jane@acme.example"]}}',
    )
    assert out["event"] == "rejected j***@acme.example"
    assert out["recipients"] == ["o***@contoso.example", {"to": "l***@fabrikam.example"}]
    assert out["body"] == "[redacted]"
    assert "jane@acme.example" not in json.dumps(out)


def test_debug_keeps_everything() -> None:
    out = _render("debug", "debug", recipient="jane@acme.example", body="raw")
    assert out == {"level": "debug", "recipient": "jane@acme.example", "body": "raw"}


def test_configured_logging_writes_json_with_bound_context(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import structlog

    from config.logging import configure_logging

    configure_logging("INFO")
    try:
        with structlog.contextvars.bound_contextvars(task_id="t-1", batch_id="b-1"):
            structlog.get_logger("drill").info("applied", recipient="jane@acme.example")
            logging.getLogger("stdlib").warning("bounce for %s", "omar@contoso.example")
    finally:
        logging.getLogger().handlers = [
            h for h in logging.getLogger().handlers if not getattr(h, "_inboxgap", False)
        ]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert lines[0]["event"] == "applied" and lines[0]["recipient"] == "j***@acme.example"
    assert lines[0]["task_id"] == "t-1" and lines[0]["batch_id"] == "b-1"
    assert lines[1]["event"] == "bounce for o***@contoso.example"
    assert lines[1]["batch_id"] == "b-1" and lines[1]["level"] == "warning"


# --------------------------------------------------------------------------- metrics


def test_observer_counts_outcomes_types_and_dead_letters() -> None:
    from prometheus_client import generate_latest

    from worker.handlers.ingest import BodyRejection, IngestResult
    from worker.metrics import PrometheusDrainObserver, event_type_of, metrics_registry

    registry = metrics_registry()
    before = generate_latest(registry).decode()
    observer = PrometheusDrainObserver()
    bodies = [
        '{"eventType":"Bounce"}',
        json.dumps(
            {"Type": "Notification", "Message": json.dumps({"notificationType": "Delivery"})}
        ),
        "junk",
    ]
    result = IngestResult(
        applied=2, duplicate=1, dead_lettered=1, rejections=(BodyRejection(2, "not_json"),)
    )
    observer.applied(bodies, result, 0.02)
    after = generate_latest(registry).decode()

    def value(text: str, sample: str) -> float:
        match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
        return float(match.group(1)) if match else 0.0

    for sample, delta in [
        ('inboxgap_events_total{outcome="applied"}', 2),
        ('inboxgap_events_total{outcome="duplicate"}', 1),
        ('inboxgap_dead_letters_total{code="not_json"}', 1),
        ('inboxgap_bodies_received_total{event_type="Bounce"}', 1),
        ('inboxgap_bodies_received_total{event_type="Delivery"}', 1),
        ('inboxgap_bodies_received_total{event_type="none"}', 1),
        ("inboxgap_batch_size_bodies_count", 1),
    ]:
        assert value(after, sample) - value(before, sample) == delta, sample
    assert "inboxgap_last_event_applied_timestamp_seconds " in after
    assert "inboxgap_seconds_since_last_event_applied" not in after
    assert "_created" not in after  # disable_created_metrics()
    assert event_type_of('{"eventType": "Rendering Failure"}') == "Rendering Failure"
    assert event_type_of('{"eventType": "Nonsense"}') == "other"


def test_observer_counts_poison_isolations_and_unsettled_bodies() -> None:
    from prometheus_client import generate_latest

    from worker.handlers.ingest import BodyRejection, IngestResult
    from worker.metrics import PrometheusDrainObserver, metrics_registry

    registry = metrics_registry()

    def value(sample: str) -> float:
        text = generate_latest(registry).decode()
        match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
        return float(match.group(1)) if match else 0.0

    samples = (
        "inboxgap_poison_isolations_total",
        "inboxgap_bodies_unsettled_total",
        'inboxgap_dead_letters_total{code="storage_rejected"}',
    )
    before = [value(s) for s in samples]
    result = IngestResult(
        applied=5,
        dead_lettered=2,
        rejections=(BodyRejection(1, "storage_rejected"), BodyRejection(4, "storage_rejected")),
        isolations=1,
        unsettled=(6,),
    )
    PrometheusDrainObserver().applied(["{}"] * 8, result, 0.1)
    after = [value(s) for s in samples]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 2]


def test_multiprocess_mode_aggregates_processes(tmp_path: Path) -> None:
    directory = tmp_path / "prom"
    directory.mkdir()
    child = textwrap.dedent(
        """
        from worker.handlers.ingest import IngestResult
        from worker.metrics import PrometheusDrainObserver
        bodies = ['{"eventType":"Delivery"}']
        PrometheusDrainObserver().applied(bodies, IngestResult(applied=3), 0.1)
        """
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", child], env=env, cwd=ROOT, check=True)
    reader = textwrap.dedent(
        """
        from prometheus_client import generate_latest
        from worker.metrics import metrics_registry
        print(generate_latest(metrics_registry()).decode())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", reader],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert 'inboxgap_events_total{outcome="applied"} 6.0' in out
    assert "inboxgap_last_event_applied_timestamp_seconds " in out
    assert "_created" not in out


# --------------------------------------------------------------------------- certificates


def test_local_certificate_endpoint_serves_the_demo_signature() -> None:
    from worker.adapters.sns_signature import SnsSignatureVerifier, certificate_fetcher
    from worker.demo import DemoSnsSigner

    signer = DemoSnsSigner()
    fields = {
        "Type": "Notification",
        "MessageId": "6f1c2a9e-3b4d-5e6f-8a7b-9c0d1e2f3a4b",
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:inboxgap-ses-feedback",
        "Message": '{"eventType":"Delivery"}',
        "Timestamp": "2025-03-04T10:15:03.412Z",
    }
    envelope = sns_envelope_from_body(json.dumps({**fields, **signer(fields)}))
    with signer.serve() as url:
        fetch = certificate_fetcher(url)
        verifier = SnsSignatureVerifier(fetch)
        assert verifier.verify(envelope) is None
        forged = msgspec.structs.replace(envelope, message='{"eventType":"Bounce"}')
        rejection = verifier.verify(forged)
        assert rejection is not None and rejection.code.value == "bad_signature"


# --------------------------------------------------------------------------- deployment


def test_docker_compose_file_is_complete() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "moto", "sqs-init", "migrate", "worker", "beat", "web"} <= set(
        services
    )
    assert services["worker"]["command"][:4] == ["celery", "-A", "config.celery_app", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config.celery_app", "beat"]
    # The web service runs the module-level ASGI app under uvicorn with several workers.
    web = " ".join(services["web"]["command"])
    assert "exec uvicorn worker.api.asgi:app" in web and "--workers" in web
    assert "readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert services["worker"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    known = {f"INBOXGAP_{name.upper()}" for name in Settings.model_fields}
    for name, service in services.items():
        for variable in service.get("environment") or {}:
            if variable.startswith("INBOXGAP_"):
                assert variable in known, f"{name}: {variable} is not a setting"
    init = "\n".join(services["sqs-init"]["command"])
    assert "RedrivePolicy" in init and "inboxgap-ses-feedback-dlq" in init
    queue_url = services["worker"]["environment"]["INBOXGAP_SQS_QUEUE_URL"]
    assert queue_url.endswith("/inboxgap-ses-feedback")


def test_docker_compose_config_accepts_the_file() -> None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = run_text([*command, "version"])
        if probe.returncode != 0:
            continue
        done = run_text(
            [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"], cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        return
    pytest.skip("no docker compose client here; test_docker_compose_file_is_complete ran")


def test_procfile_has_worker_beat_and_web() -> None:
    entries = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert entries["worker"].strip().startswith("celery -A config.celery_app worker")
    assert entries["beat"].strip().startswith("celery -A config.celery_app beat")
    assert entries["web"].strip().startswith("uvicorn worker.api.asgi:app ")


def test_beat_also_runs_alerts_every_minute_and_the_sweep() -> None:
    from config.celery_app import TASK_ROUTES, beat_schedule

    schedule = beat_schedule(Settings())
    alerts = schedule["check-alerts"]
    assert alerts["task"] == "inboxgap.check_alerts"
    assert alerts["schedule"] == 60.0
    assert alerts["options"]["expires"] < alerts["schedule"]
    sweep = schedule["sweep-feedback-window"]
    assert sweep["task"] == "inboxgap.sweep"
    # Neither may sit in the drain queue behind ingestion.
    assert TASK_ROUTES["inboxgap.check_alerts"]["queue"] != TASK_ROUTES["inboxgap.drain"]["queue"]
    assert TASK_ROUTES["inboxgap.sweep"]["queue"] != TASK_ROUTES["inboxgap.drain"]["queue"]


def test_sweep_task_turns_overdue_sends_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from config.settings import get_settings
    from tasks.sweep import sweep_feedback_window
    from worker.bootstrap import build_app, ensure_schema

    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        app = build_app(get_settings())
        ensure_schema(app.require_engine(), auto_upgrade=True)
        app.record_sends(
            [
                send_record(
                    "n-old", "m-old", "old@acme.example", sent_at=datetime(2020, 1, 1, tzinfo=UTC)
                )
            ],
            now=datetime(2020, 1, 1, 0, 5, tzinfo=UTC),  # recorded within the window
        )
        assert sweep_feedback_window.run() == {"examined": 1, "changed": 1}
    finally:
        get_settings.cache_clear()


def test_callbacks_are_kicked_by_beat_only_when_configured_on_the_default_queue() -> None:
    from config.celery_app import QUEUE_DEFAULT, TASK_ROUTES, beat_schedule

    assert "deliver-status-callbacks" not in beat_schedule(Settings())
    for settings in (
        Settings(callback_url="https://app.example/hooks"),
        Settings(callback_celery_task="app.tasks.on_status"),
    ):
        entry = beat_schedule(settings)["deliver-status-callbacks"]
        assert entry["task"] == "inboxgap.deliver_callbacks"
        assert entry["options"]["queue"] == QUEUE_DEFAULT
    assert TASK_ROUTES["inboxgap.deliver_callbacks"]["queue"] == QUEUE_DEFAULT
    assert TASK_ROUTES["inboxgap.drain"]["queue"] != QUEUE_DEFAULT


def test_celery_callback_task_gets_the_payload_once_the_post_succeeded() -> None:
    from tasks.callbacks import CeleryTaskPublisher
    from worker.bootstrap.callbacks import ThenPublish
    from worker.handlers.ports.callbacks import OutgoingCallback, SendOutcome

    class FakeCelery:
        def __init__(self) -> None:
            self.sent: list[tuple[str, Any, Any, str]] = []

        def send_task(self, name: str, args: Any, kwargs: Any, queue: str) -> None:
            self.sent.append((name, args, kwargs, queue))

    class Http:
        def send_all(self, requests: Any) -> list[SendOutcome]:
            return [SendOutcome(r.id, 200 if r.id == 1 else 503) for r in requests]

    celery = FakeCelery()
    sender = ThenPublish(Http(), CeleryTaskPublisher(celery, "app.tasks.on_status"))
    requests = [
        OutgoingCallback(i, b'{"type": "notification.status_changed"}', {"webhook-id": f"msg_{i}"})
        for i in (1, 2)
    ]
    outcomes = sender.send_all(requests)
    assert [(o.id, o.status_code) for o in outcomes] == [(1, 200), (2, 503)]
    assert celery.sent == [
        (
            "app.tasks.on_status",
            [{"type": "notification.status_changed"}],
            {"webhook_id": "msg_1"},
            "celery",
        )
    ]
    only_task = ThenPublish(None, CeleryTaskPublisher(celery, "app.tasks.on_status"))
    assert [o.status_code for o in only_task.send_all(requests)] == [200, 200]


def test_the_deliverer_warns_once_when_callbacks_would_go_out_unsigned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from structlog.testing import capture_logs

    import config.settings
    import tasks.callbacks
    import worker.bootstrap.callbacks
    from worker.handlers.callbacks import DeliveryResult

    def warnings_over_three_passes(settings: Settings) -> list[str]:
        monkeypatch.setattr(config.settings, "get_settings", lambda: settings)
        monkeypatch.setattr(tasks.callbacks, "_unsigned_warned", False)  # a new process
        with capture_logs() as logs:
            for _ in range(3):  # beat kicks every few seconds: said once per process
                assert tasks.callbacks.deliver_callbacks.run()["delivered"] == 0
        return [log["event"] for log in logs if log["log_level"] == "warning"]

    monkeypatch.setattr(
        worker.bootstrap.callbacks, "run_delivery_pass", lambda *_a, **_k: DeliveryResult()
    )
    url = "https://app.example/hooks"
    warned = warnings_over_three_passes(Settings(callback_url=url, callback_secret=None))
    assert len(warned) == 1 and "INBOXGAP_CALLBACK_SECRET" in warned[0]
    signed = Settings(callback_url=url, callback_secret=SecretStr("whsec_" + "A" * 32))
    assert warnings_over_three_passes(signed) == []
    # The Celery task message carries no signature either way: nothing to warn of.
    only_task = Settings(callback_celery_task="app.tasks.on_status", callback_secret=None)
    assert warnings_over_three_passes(only_task) == []
