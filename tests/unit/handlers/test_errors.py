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
