"""The support API's shape (issue 12, item 8; item 7's /readyz): every error is an RFC 9457
``application/problem+json`` object with a stable ``code``; the notifications lookup pages
with ``has_more`` and an opaque ``next`` cursor; the OpenAPI document says both; and
``/readyz`` is 200 only on a reachable database whose migrations are at head. On SQLite
and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, NoReturn

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support.support_seed import NOW, support_services, ts
from worker import migrations
from worker.adapters.database import create_engine_from_url
from worker.api.app import create_app
from worker.api.wiring import SupportServices
from worker.handlers.ports import SchemaNotReadyError, TransientStoreError

TOKEN = "shape-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def _services(engine: Engine) -> SupportServices:
    return support_services(engine, TOKEN)


@pytest.fixture
def services(engine: Engine) -> SupportServices:
    return _services(engine)


@pytest.fixture
def client(services: SupportServices) -> Iterator[TestClient]:
    with TestClient(create_app(services), base_url="https://testserver") as test_client:
        yield test_client


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:inboxgap:problem:{code}"
    assert body["title"] and body["detail"]
    return body


def _send(number: int, recipient: str, *, sent_at: str | None = None) -> dict[str, str]:
    return {
        "notification_id": f"n-{recipient}-{number}",
        "message_id": f"m-{recipient.partition('@')[0]}-{number}",
        "recipient": recipient,
        "sent_at": sent_at or ts(NOW - timedelta(hours=number)),
        "notification_type": "invoice",
    }


def _record(client: TestClient, *sends: dict[str, str]) -> None:
    response = client.post("/api/v1/notifications", json={"sends": list(sends)}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(sends)


# --------------------------------------------------------------------------- problems


def test_a_missing_token_is_an_unauthorized_problem(client: TestClient) -> None:
    response = client.get("/api/v1/notifications", params={"email": "a@b.example"})
    _problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/notifications", {"email": "not-an-email"}),
        ("/api/v1/notifications", {"email": "jane@acme.example."}),
        ("/api/v1/notifications", {"email": "jane doe@acme.example"}),
        ("/api/v1/recipients/not-an-email", {}),
        ("/api/v1/recipients/jane@acme/deliverability", {}),
    ],
)
def test_an_invalid_address_is_the_same_problem_in_query_and_path(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    body = _problem(client.get(path, params=params, headers=AUTH), 422, "invalid_address")
    assert "is not an email address" in body["detail"]


def test_an_invalid_address_in_a_body_names_it_unmasked(client: TestClient) -> None:
    bad = _send(1, "jane.doe@acme.example.")
    response = client.post("/api/v1/notifications", json={"sends": [bad]}, headers=AUTH)
    body = _problem(response, 422, "invalid_address")
    assert body["detail"].startswith("sends.0: recipient 'jane.doe@acme.example.'")


def test_an_unsuppress_of_an_invalid_address_is_the_same_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recipients/jane@acme.example./unsuppress",
        json={"reason": "the customer fixed their mailbox"},
        headers=AUTH,
    )
    _problem(response, 422, "invalid_address")


def test_request_validation_is_a_problem_with_one_entry_per_field(client: TestClient) -> None:
    response = client.get(
        "/api/v1/notifications", params={"email": "a@b.example", "limit": 0}, headers=AUTH
    )
    body = _problem(response, 422, "validation_error")
    assert body["errors"] == [
        {"field": "query.limit", "message": "Input should be greater than or equal to 1"}
    ]
    assert body["detail"] == "query.limit: Input should be greater than or equal to 1"
    missing = client.post("/api/v1/notifications", json={"sends": [{}]}, headers=AUTH)
    fields = {entry["field"] for entry in _problem(missing, 422, "validation_error")["errors"]}
    assert "body.sends.0.recipient" in fields


@pytest.mark.parametrize(
    ("request_args", "status", "code"),
    [
        (("GET", "/api/v1/nothing-here"), 404, "not_found"),
        (("DELETE", "/api/v1/report"), 405, "method_not_allowed"),
        (("GET", "/api/v1/report?since=banana"), 422, "invalid_since"),
        (("GET", "/api/v1/notifications?email=a@b.example&since=-1d"), 422, "invalid_since"),
        (("GET", "/api/v1/notifications?message_id=a%00b"), 422, "invalid_input"),
        (("GET", "/api/v1/report?by=colour"), 422, "validation_error"),
    ],
)
def test_router_and_route_errors_are_problems(
    client: TestClient, request_args: tuple[str, str], status: int, code: str
) -> None:
    method, url = request_args
    _problem(client.request(method, url, headers=AUTH), status, code)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TransientStoreError("connection refused"), "database_unavailable"),
        (SchemaNotReadyError("tables missing"), "schema_not_ready"),
    ],
)
def test_storage_errors_of_the_taxonomy_are_503_problems(
    services: SupportServices, error: Exception, code: str
) -> None:
    def failing(*_: object, **__: object) -> NoReturn:
        raise error

    services.queries.lookup_page = failing  # type: ignore[method-assign]
    with TestClient(create_app(services), base_url="https://testserver") as client:
        response = client.get("/api/v1/notifications", params={"message_id": "m"}, headers=AUTH)
    body = _problem(response, 503, code)
    assert "connection refused" not in body["detail"] and "tables" not in body["detail"]


# --------------------------------------------------------------------------- paging


def _all_pages(client: TestClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    pages = []
    cursor = None
    while True:
        page = client.get(
            "/api/v1/notifications",
            params={**params, **({"cursor": cursor} if cursor else {})},
            headers=AUTH,
        )
        assert page.status_code == 200, page.text
        pages.append(page.json())
        cursor = page.json()["next"]
        if cursor is None:
            return pages
        assert len(pages) < 20, "the cursor does not advance"


def test_a_lookup_with_limit_1_pages_through_all_four_exactly_once(client: TestClient) -> None:
    recipient = "pager@acme.example"
    _record(client, *(_send(n, recipient) for n in range(1, 5)))
    first = client.get(
        "/api/v1/notifications", params={"email": recipient, "limit": 1}, headers=AUTH
    ).json()
    assert first["count"] == 1 and first["has_more"] is True and first["next"]
    pages = _all_pages(client, {"email": recipient, "limit": 1})
    assert [page["count"] for page in pages] == [1, 1, 1, 1]
    assert [page["has_more"] for page in pages] == [True, True, True, False]
    ids = [n["notification_id"] for page in pages for n in page["notifications"]]
    # Newest first, each exactly once.
    assert ids == [f"n-{recipient}-{n}" for n in range(1, 5)]
    whole = client.get(
        "/api/v1/notifications", params={"email": recipient, "limit": 10}, headers=AUTH
    ).json()
    assert whole["count"] == 4 and whole["has_more"] is False and whole["next"] is None
    assert [n["notification_id"] for n in whole["notifications"]] == ids


def test_paging_is_stable_when_notifications_share_a_send_time(client: TestClient) -> None:
    recipient = "same-second@acme.example"
    at = ts(NOW - timedelta(hours=2))
    _record(client, *(_send(n, recipient, sent_at=at) for n in range(1, 6)))
    for size in (1, 2, 3):
        pages = _all_pages(client, {"email": recipient, "limit": size})
        ids = [n["notification_id"] for page in pages for n in page["notifications"]]
        assert sorted(ids) == sorted(f"n-{recipient}-{n}" for n in range(1, 6)), size
        assert len(ids) == len(set(ids)) == 5


def test_paging_keeps_since_and_works_for_a_message_id(client: TestClient) -> None:
    recipient = "since@acme.example"
    _record(client, *(_send(n, recipient) for n in (1, 2, 30, 40)))
    pages = _all_pages(client, {"email": recipient, "limit": 1, "since": "24h"})
    ids = [n["notification_id"] for page in pages for n in page["notifications"]]
    assert ids == [f"n-{recipient}-1", f"n-{recipient}-2"]
    by_message = _all_pages(client, {"message_id": "m-since-30", "limit": 1})
    assert [page["count"] for page in by_message] == [1]


def test_a_cursor_from_another_search_or_garbage_is_an_invalid_cursor_problem(
    client: TestClient,
) -> None:
    _record(client, *(_send(n, "one@acme.example") for n in (1, 2)))
    first = client.get(
        "/api/v1/notifications", params={"email": "one@acme.example", "limit": 1}, headers=AUTH
    ).json()
    for email, cursor in (
        ("two@acme.example", first["next"]),
        ("one@acme.example", "not-a-cursor"),
        ("one@acme.example", "x" * 600),
    ):
        response = client.get(
            "/api/v1/notifications", params={"email": email, "cursor": cursor}, headers=AUTH
        )
        _problem(response, 422, "invalid_cursor")


def test_an_empty_address_lookup_keeps_its_never_sent_answer(client: TestClient) -> None:
    body = client.get(
        "/api/v1/notifications", params={"email": "nobody@acme.example"}, headers=AUTH
    ).json()
    assert body["count"] == 0 and body["has_more"] is False and body["next"] is None
    assert body["kind"] == "never_sent" and body["explanation"]["headline"]


# --------------------------------------------------------------------------- OpenAPI


def test_the_openapi_document_describes_problems_and_the_cursor(client: TestClient) -> None:
    spec = client.get("/openapi.json", headers=AUTH).json()
    schemas = spec["components"]["schemas"]
    assert {"type", "title", "status", "detail", "code"} <= set(schemas["ProblemOut"]["properties"])
    assert "HTTPValidationError" not in schemas
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status[0] in "45" and path not in ("/healthz",):
                    assert list(response["content"]) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )
    lookup = spec["paths"]["/api/v1/notifications"]["get"]
    assert "cursor" in {p["name"] for p in lookup["parameters"]}
    page_fields = schemas["LookupOut"]["properties"]
    assert {"count", "has_more", "next", "notifications"} <= set(page_fields)
    assert "503" in spec["paths"]["/readyz"]["get"]["responses"]


# --------------------------------------------------------------------------- /readyz


def test_readyz_is_200_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "reachable", "migrations": "current"}


def test_readyz_is_503_on_an_unmigrated_database(database_url: str) -> None:
    engine = create_engine_from_url(database_url)
    try:
        with engine.connect():  # the database exists (an SQLite file too), without tables
            pass
        with TestClient(create_app(_services(engine))) as client:
            body = _problem(client.get("/readyz"), 503, "schema_not_ready")
            assert body["migrations"] == "missing" and "inboxgap db upgrade" in body["detail"]
            # Liveness stays separate.
            assert client.get("/healthz").status_code in (200, 503)
            migrations.upgrade(engine, "0002")
            outdated = _problem(client.get("/readyz"), 503, "schema_not_ready")
            assert outdated["migrations"] == "outdated"
            migrations.upgrade(engine)
            assert client.get("/readyz").status_code == 200
    finally:
        engine.dispose()


def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path: Any) -> None:
    missing = create_engine_from_url(f"sqlite:///{tmp_path / 'nowhere.db'}")
    with TestClient(create_app(_services(missing))) as client:
        body = _problem(client.get("/readyz"), 503, "database_unavailable")
    assert body["database"] == "missing"
    assert not (tmp_path / "nowhere.db").exists()
    unreachable = create_engine_from_url("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(_services(unreachable))) as client:
        body = _problem(client.get("/readyz"), 503, "database_unavailable")
    assert body["database"] == "unreachable"
