"""The support API's errors as RFC 9457 problem details (``application/problem+json``).

Every error the API answers, whatever raised it (a route's :class:`Problem`, FastAPI's
``HTTPException`` and request validation, the router's 404/405, the input guard, a storage
or dependency error of the service's taxonomy, an unexpected exception) is one JSON object:

``type``    ``urn:inboxgap:problem:<code>`` (stable; the README lists the codes)
``title``   the status's short phrase (``Unprocessable Content``)
``status``  the HTTP status, repeated
``detail``  what was wrong, in words a person can act on (the field scripts read before)
``code``    a stable machine name: ``invalid_address``, ``not_found``, ``unauthorized``...

Validation errors add ``errors``: one ``{"field", "message"}`` per problem. Which status
and code a service error gets is decided by :func:`worker.handlers.errors.http_problem`
(the one error mapping); this module only shapes the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemOut",
    "code_for_status",
    "problem_body",
    "problem_response",
    "problem_type",
]

PROBLEM_JSON = "application/problem+json"

#: The code of an error raised without one, by status.
_CODES_BY_STATUS: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    502: "dependency_refused",
    503: "unavailable",
}


def code_for_status(status: int) -> str:
    return _CODES_BY_STATUS.get(status, "error" if status < 500 else "internal_error")


def problem_type(code: str) -> str:
    """The ``type`` URI of a code: a URN, stable and distinct per code (no host to run)."""
    return f"urn:inboxgap:problem:{code}"


class FieldError(BaseModel):
    field: str = Field(description="Where: query.limit, path.email, body.sends.0.recipient.")
    message: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem details object (``application/problem+json``)."""

    type: str = Field(description="urn:inboxgap:problem:<code>.", examples=[problem_type("x")])
    title: str = Field(description="Short summary of the status.", examples=["Not Found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(description="What was wrong, in words a person can act on.")
    code: str = Field(
        description="Stable machine-readable error code (see the README's API errors table).",
        examples=["invalid_address", "not_found", "unauthorized", "validation_error"],
    )
    errors: list[FieldError] | None = Field(
        default=None, description="validation_error only: one entry per invalid field."
    )


class Problem(HTTPException):
    """An error a route raises on purpose, with its stable ``code``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, detail=detail, headers=dict(headers) if headers else None)
        self.code = code or code_for_status(status)


#: RFC 9110's names where Python's ``HTTPStatus`` phrase differs by version.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def _title(status: int) -> str:
    if status in _TITLES:
        return _TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    status: int, detail: str, *, code: str | None = None, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    code = code or code_for_status(status)
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, code=code, errors=errors),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers) if headers else None,
    )


def describe_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Post-process the OpenAPI document: every 4xx/5xx answer is ``ProblemOut`` served
    as ``application/problem+json`` (FastAPI's own ``HTTPValidationError`` included)."""
    ref = {"$ref": "#/components/schemas/ProblemOut"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if str(status)[:1] not in ("4", "5"):
                    continue
                current = response.get("content", {}).get("application/json", {})
                model = str(current.get("schema", {}).get("$ref", ""))
                # An answer with its own body (/healthz's 503) keeps it.
                if not model or model.endswith(("/ProblemOut", "/HTTPValidationError")):
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
    schemas = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return schema
