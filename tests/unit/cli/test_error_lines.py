"""What the CLI prints for a run-time failure it does not handle itself: at most three
lines naming what to check, and the one error mapping's exit status."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from worker.adapters.sns_signature import CertificateFetchError
from worker.cli import _fail, _runtime_message
from worker.handlers.ports import SchemaNotReadyError, TransientStoreError


def test_an_unreachable_certificate_host_names_the_settings_to_check() -> None:
    lines = _runtime_message(CertificateFetchError("timed out")).splitlines()
    assert len(lines) <= 3
    assert "timed out" in lines[0]
    text = "\n".join(lines)
    assert "INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL" in text
    assert "INBOXGAP_VERIFY_SNS_SIGNATURES" in text


def test_a_missing_driver_names_the_database_variable() -> None:
    message = _runtime_message(ModuleNotFoundError("no MySQLdb", name="MySQLdb"))
    assert "'MySQLdb'" in message and "INBOXGAP_DATABASE_URL" in message


def test_other_errors_are_one_line_with_their_type() -> None:
    message = _runtime_message(RuntimeError("first line\nsecond line\nthird"))
    assert message == "RuntimeError: first line"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (TransientStoreError("the database is unreachable"), 1),
        (SchemaNotReadyError("run `inboxgap db upgrade`"), 1),
        (ValueError("x"), 1),
    ],
)
def test_fail_prints_one_line_and_exits_with_the_mapped_status(exc: Exception, code: int) -> None:
    def boom() -> None:
        _fail(exc)

    result = CliRunner().invoke(click.command()(boom), [])
    assert result.exit_code == code
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
