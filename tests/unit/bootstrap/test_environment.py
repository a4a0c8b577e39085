"""What a command says when the environment is wrong: unknown names, invalid values,
an unsupported or missing database (:mod:`worker.bootstrap.environment`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs

from config.settings import Settings
from worker.bootstrap.environment import (
    ConfigurationError,
    check_database_url,
    debug_requested,
    log_unknown_variables,
    missing_database_file,
    setting_names,
    settings_error_lines,
    unknown_variable_warnings,
)


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("INBOXGAP_DATABSE_URL", "INBOXGAP_DATABASE_URL"),
        ("INBOXGAP_FEEDBACK_WINDOWS", "INBOXGAP_FEEDBACK_WINDOW"),
        ("INBOXGAP_ALERT_BOUNCE_WARN", "INBOXGAP_ALERT_BOUNCE_WARNING"),
        ("INBOXGAP_SQS_QUEUE", "INBOXGAP_SQS_QUEUE_URL"),
    ],
)
def test_a_misspelt_setting_warns_with_the_closest_name(name: str, closest: str) -> None:
    (warning,) = unknown_variable_warnings({name: "x"})
    assert warning.startswith(f"warning: {name} is not an InboxGap setting")
    assert warning.endswith(f"did you mean {closest}?")


def test_a_name_like_no_setting_warns_without_a_suggestion() -> None:
    (warning,) = unknown_variable_warnings({"INBOXGAP_ZZZZ": "1"})
    assert "INBOXGAP_ZZZZ" in warning
    assert "did you mean" not in warning


@pytest.mark.parametrize(
    "name",
    [
        "INBOXGAP_DATABASE_URL",
        "INBOXGAP_AWS_REGION",  # an alias, not the field's own name
        "INBOXGAP_ALERT_SPIKE_WINDOWS",  # a flat alert setting
        "INBOXGAP_DEBUG",
        "INBOXGAP_FAULT_INJECT",  # read directly by the crash drill
        "INBOXGAP_TEST_POSTGRES_URL",
        "INBOXGAP_TEST_REDIS_URL",
        "INBOXGAP_TEST_BLOCK_MODULES",
        "AWS_REGION",
        "PATH",
    ],
)
def test_settings_and_names_the_code_reads_do_not_warn(name: str) -> None:
    assert unknown_variable_warnings({name: "x"}) == []


def test_every_setting_field_has_its_environment_name() -> None:
    names = setting_names()
    for field in Settings.model_fields:
        assert f"INBOXGAP_{field.upper()}" in names


def _error(**values: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Settings(**values)  # type: ignore[arg-type]
    return caught.value


def test_an_invalid_setting_names_the_variable_and_what_is_allowed() -> None:
    (line,) = settings_error_lines(_error(feedback_window="banana"))
    assert line.startswith("INBOXGAP_FEEDBACK_WINDOW='banana' is invalid")
    assert "24h" in line  # what is allowed


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"callback_secret": "whsec_not base64!! s3cr3t"}, "INBOXGAP_CALLBACK_SECRET"),
        ({"callback_bearer_token": ["s3cr3t"]}, "INBOXGAP_CALLBACK_BEARER_TOKEN"),
        ({"session_secret": 12345}, "INBOXGAP_SESSION_SECRET"),
    ],
)
def test_an_invalid_secret_is_named_but_never_echoed(
    values: dict[str, object], variable: str
) -> None:
    (line,) = settings_error_lines(_error(**values))
    assert line.startswith(f"{variable}=(hidden) is invalid")
    assert "s3cr3t" not in line and "12345" not in line


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/x", "hooks.example.com/x", "http://"])
def test_a_callback_url_that_is_not_http_stops_at_start_up(url: str) -> None:
    (line,) = settings_error_lines(_error(callback_url=url))
    assert line.startswith("INBOXGAP_CALLBACK_URL=") and "http:// or https://" in line


def test_an_empty_callback_url_means_callbacks_off() -> None:
    assert Settings(callback_url="").callback_url is None
    assert Settings(callback_url="https://app.example/hooks").callback_url == (
        "https://app.example/hooks"
    )


def test_many_invalid_settings_fit_in_three_lines() -> None:
    lines = settings_error_lines(
        _error(feedback_window="x", retention="y", sqs_batch_size=0, metrics_port=-1)
    )
    assert len(lines) == 3
    assert lines[0].startswith("INBOXGAP_")
    assert lines[-1] == "...and 2 more invalid INBOXGAP_* settings"  # 4 = 2 shown + 2


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "mssql+pyodbc://h/db", "not a url", ""],
)
def test_unsupported_database_urls_name_the_variable(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_database_url(url)
    message = str(caught.value)
    assert message.startswith("INBOXGAP_DATABASE_URL ")
    assert "postgresql://" in message and "sqlite://" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h/db",
        "postgresql+psycopg://u@h/db",
        "postgres://u@h/db",  # Heroku's form: the adapter reads it as psycopg 3
        "sqlite:///x.db",
        "sqlite+pysqlite:///x.db",
        "sqlite://",
    ],
)
def test_supported_database_urls_pass(url: str) -> None:
    check_database_url(url)


def test_a_driver_that_is_not_installed_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_database_url("postgresql+nosuchdriver://u@h/db")
    assert str(caught.value) == (
        "INBOXGAP_DATABASE_URL names the driver 'nosuchdriver', which is not installed; "
        "use postgresql://user@host/db or sqlite:///path/inboxgap.db (psycopg 3 and sqlite3 are)"
    )


def test_missing_database_file(tmp_path: Path) -> None:
    there = tmp_path / "there.db"
    there.write_bytes(b"")
    absent = tmp_path / "absent.db"
    assert missing_database_file(f"sqlite:///{absent}") == absent
    assert missing_database_file(f"sqlite:///{there}") is None
    assert missing_database_file("sqlite://") is None
    assert missing_database_file("sqlite:///:memory:") is None
    assert missing_database_file("postgresql://u@h/db") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("", False), ("no", False)],
)
def test_debug_requested(value: str, expected: bool) -> None:
    assert debug_requested({"INBOXGAP_DEBUG": value}) is expected
    assert debug_requested({}) is False


def test_processes_without_a_command_line_log_the_misspelt_name() -> None:
    """The Celery worker and beat, and the ASGI server, log what the CLI prints."""
    with capture_logs() as logs:
        count = log_unknown_variables({"INBOXGAP_DATABSE_URL": "x", "INBOXGAP_LOG_LEVEL": "INFO"})
    assert count == 1
    assert [(log["log_level"], log["event"]) for log in logs] == [
        (
            "warning",
            "INBOXGAP_DATABSE_URL is not an InboxGap setting, ignored; "
            "did you mean INBOXGAP_DATABASE_URL?",
        )
    ]


@pytest.mark.parametrize("signal_name", ["worker_init", "beat_init"])
def test_celery_worker_and_beat_name_a_misspelt_variable_at_start(
    signal_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from celery import signals

    import config.celery_app  # noqa: F401  (connects the signals)

    monkeypatch.setenv("INBOXGAP_SQS_QUEUE", "https://sqs.example/q")
    receivers = [
        receiver
        for receiver in getattr(signals, signal_name).receivers
        if getattr(receiver[1], "__name__", "") == "_warn_unknown_variables"
    ]
    assert len(receivers) == 1
    with capture_logs() as logs:
        receivers[0][1](sender=None)
    assert [log["event"] for log in logs] == [
        "INBOXGAP_SQS_QUEUE is not an InboxGap setting, ignored; "
        "did you mean INBOXGAP_SQS_QUEUE_URL?"
    ]


def test_the_asgi_server_names_a_misspelt_variable_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import os

    from config.settings import get_settings
    from worker.bootstrap.support import support_services_for_server

    for name in [n for n in os.environ if n.startswith("INBOXGAP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", f"sqlite:///{tmp_path / 'log.db'}")
    monkeypatch.setenv("INBOXGAP_API_TOKENS", "t")
    monkeypatch.setenv("INBOXGAP_API_TOKEN", "t")
    get_settings.cache_clear()  # the process-wide settings, read again from this environment
    try:
        support_services_for_server()
    finally:
        get_settings.cache_clear()
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["level"], r["event"]) for r in records if r["level"] != "info"] == [
        (
            "warning",
            "INBOXGAP_API_TOKEN is not an InboxGap setting, ignored; "
            "did you mean INBOXGAP_API_TOKENS?",
        )
    ]
