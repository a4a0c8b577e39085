"""The one error mapping: every adapter error is one of the two kinds, and the kind
decides retry, exit status and HTTP status."""

from __future__ import annotations

import pytest

from worker.adapters.sns_signature import CertificateFetchError, CertificateUnusableError
from worker.adapters.sqs import SqsRefusedError, SqsUnavailableError
from worker.handlers.errors import (
    EXIT_BAD_INPUT,
    EXIT_RUNTIME,
    RETRYABLE,
    exit_code,
    http_problem,
    http_status,
    is_bad_input,
    is_transient,
)
from worker.handlers.ports import (
    BadInput,
    Retryable,
    SchemaNotReadyError,
    StorageRejectedError,
    TransientStoreError,
)
from worker.handlers.ports.alerts import SinkError, SinkRefused, SinkUnavailable
from worker.handlers.ports.suppression import SuppressionRefused, SuppressionUnavailable
from worker.handlers.sends import InvalidSendRecord
from worker.handlers.unsuppress import InvalidUnsuppressRequest

# (error, transient, exit status, HTTP status)
CASES = [
    (TransientStoreError("connection reset"), True, EXIT_RUNTIME, 503),
    (SqsUnavailableError("throttled"), True, EXIT_RUNTIME, 503),
    (CertificateFetchError("timeout"), True, EXIT_RUNTIME, 503),
    (SuppressionUnavailable("no credentials"), True, EXIT_RUNTIME, 503),
    (SinkError("webhook: HTTP 503", retryable=True), True, EXIT_RUNTIME, 503),
    (SchemaNotReadyError("run `inboxgap db upgrade`"), False, EXIT_RUNTIME, 503),
    (StorageRejectedError("NUL in text"), False, EXIT_RUNTIME, 503),
    (SqsRefusedError("INBOXGAP_SQS_QUEUE_URL is not set"), False, EXIT_BAD_INPUT, 502),
    (CertificateUnusableError("HTTP 404"), False, EXIT_BAD_INPUT, 502),
    (SuppressionRefused("bad address"), False, EXIT_BAD_INPUT, 502),
    (SinkError("webhook: HTTP 400", retryable=False), False, EXIT_BAD_INPUT, 502),
    (InvalidSendRecord("recipient: missing"), False, EXIT_BAD_INPUT, 502),
    (InvalidUnsuppressRequest("reason too short"), False, EXIT_BAD_INPUT, 502),
    (RuntimeError("a bug"), False, EXIT_RUNTIME, 500),
]


@pytest.mark.parametrize(("error", "transient", "exit_status", "http"), CASES)
def test_the_kind_decides_what_an_entry_point_does(
    error: Exception, transient: bool, exit_status: int, http: int
) -> None:
    assert is_transient(error) is transient
    assert isinstance(error, RETRYABLE) is transient
    assert exit_code(error) == exit_status
    assert http_status(error) == http


@pytest.mark.parametrize(("error", "transient", "exit_status", "http"), CASES[:-1])
def test_every_adapter_error_is_exactly_one_kind(
    error: Exception, transient: bool, exit_status: int, http: int
) -> None:
    assert isinstance(error, Retryable) != isinstance(error, BadInput)
    assert is_bad_input(error) is not transient


def test_a_sink_error_is_built_as_its_kind_and_keeps_its_flag() -> None:
    retry = SinkError("x", retryable=True)
    refused = SinkError("y", retryable=False)
    assert type(retry) is SinkUnavailable and retry.retryable and str(retry) == "x"
    assert type(refused) is SinkRefused and not refused.retryable
    assert isinstance(retry, SinkError) and isinstance(refused, SinkError)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (TransientStoreError("connection reset"), 503, "database_unavailable"),
        (SchemaNotReadyError("run `inboxgap db upgrade`"), 503, "schema_not_ready"),
        (StorageRejectedError("NUL in text"), 503, "database_error"),
        (SuppressionUnavailable("no credentials"), 503, "dependency_unavailable"),
        (SuppressionRefused("bad address"), 502, "dependency_refused"),
        (RuntimeError("a bug"), 500, "internal_error"),
    ],
)
def test_the_api_problem_code_follows_the_kind(error: Exception, status: int, code: str) -> None:
    assert http_problem(error) == (status, code)
    assert http_problem(error)[0] == http_status(error)


def test_a_bad_recipient_is_masked_for_logs_and_whole_for_its_sender() -> None:
    from worker.handlers.sends import SendRecord

    with pytest.raises(InvalidSendRecord) as caught:
        SendRecord.from_mapping(
            {
                "notification_id": "n",
                "message_id": "m",
                "recipient": "jane.doe@acme.example.",
                "sent_at": "2025-03-04T10:00:00Z",
            }
        )
    assert caught.value.code == "invalid_address"
    assert "jane.doe" not in str(caught.value) and "j***@" in str(caught.value)
    assert caught.value.for_operator.startswith("recipient 'jane.doe@acme.example.' is not")
