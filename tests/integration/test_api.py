"""The support API and page (FastAPI TestClient) on real PostgreSQL and SQLite: tokens,
every route, 422s with clear messages, the login cookie, the OpenAPI document."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, NoReturn, cast

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support.fake_suppression import FakeSuppressionList
from tests.support.support_seed import (
    NOW,
    SEEDED,
    add_engagement,
    record_and_bounce,
    seed,
    support_services,
)
from worker.adapters.database import create_engine_from_url
from worker.api.app import COOKIE_NAME, create_app
from worker.api.wiring import SupportServices

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def unsuppress(client: TestClient, address: str, **body: str) -> httpx.Response:
    """``POST /api/v1/recipients/{address}/unsuppress`` with ``body`` as JSON."""
    response = client.post(f"/api/v1/recipients/{address}/unsuppress", json=body, headers=AUTH)
    # An httpx.Response: TestClient is httpx's client at run time (httpx2 is not installed),
    # but its annotations name httpx2's, so mypy sees Any.
    return cast(httpx.Response, response)


@pytest.fixture
def suppression() -> FakeSuppressionList:
    fake = FakeSuppressionList()
    fake.add(SEEDED.bounced, "BOUNCE")
    fake.add(SEEDED.complaint, "COMPLAINT")
    return fake


@pytest.fixture
def services(engine: Engine, suppression: FakeSuppressionList) -> SupportServices:
    seed(engine, migrate=False)
    return support_services(engine, "other-token", TOKEN, suppression=suppression)


@pytest.fixture
def client(services: SupportServices) -> Iterator[TestClient]:
    # https: the login cookie is Secure, and a client keeps Secure cookies for https only.
    with TestClient(create_app(services), base_url="https://testserver") as test_client:
        yield test_client


PROTECTED = [
    ("GET", "/api/v1/notifications?email=alice@acme.example"),
    ("POST", "/api/v1/notifications"),
    ("GET", "/api/v1/recipients/alice@acme.example"),
    ("POST", "/api/v1/recipients/alice@acme.example/unsuppress"),
    ("GET", "/api/v1/recipients/alice@acme.example/deliverability"),
    ("GET", "/api/v1/report"),
    ("GET", "/"),
]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["none", "wrong", "not-bearer"],
)
def test_every_api_and_page_route_wants_a_valid_token(
    client: TestClient, headers: dict[str, str]
) -> None:
    for method, path in PROTECTED:
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 401, (method, path)
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_no_configured_token_means_everything_is_closed(services: SupportServices) -> None:
    services.api_tokens = ()
    with TestClient(create_app(services)) as bare:
        assert bare.get("/api/v1/report", headers={"Authorization": "Bearer "}).status_code == 401
        assert bare.get("/").status_code == 401


def test_lookup_by_email_explains_each_notification(client: TestClient) -> None:
    body = client.get("/api/v1/notifications", params={"email": "Bob@Gmail.com"}, headers=AUTH)
    assert body.status_code == 200
    data = body.json()
    assert data["count"] == 1 and data["kind"] is None
    notification = data["notifications"][0]
    assert (notification["status"], notification["reason"]) == ("bounced", "mailbox_not_found")
    assert notification["kind"] == "bounced"
    assert notification["explanation"]["headline"].startswith("Not delivered")
    assert notification["message_id_header"] == (
        f"<{SEEDED.bounced_message_id}@eu-west-1.amazonses.com>"
    )
    assert "Server response" in notification["it_admin_text"]
    assert notification["events"][0]["provider"] == "Gmail"


def test_lookup_by_ids_and_never_sent(client: TestClient) -> None:
    by_message = client.get(
        "/api/v1/notifications", params={"message_id": SEEDED.bounced_message_id}, headers=AUTH
    ).json()
    assert by_message["notifications"][0]["recipient"] == SEEDED.bounced
    by_id = client.get(
        "/api/v1/notifications", params={"notification_id": "n-dave-1"}, headers=AUTH
    ).json()
    assert by_id["notifications"][0]["kind"] == "sent_no_feedback_yet"
    never = client.get(
        "/api/v1/notifications", params={"email": SEEDED.never, "since": "7d"}, headers=AUTH
    ).json()
    assert (never["count"], never["kind"]) == (0, "never_sent")
    assert "no record" in never["explanation"]["headline"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "exactly one of email, message_id or notification_id"),
        ({"email": "a@b.example", "message_id": "x"}, "exactly one"),
        ({"email": "not-an-address"}, "not an email address"),
        ({"email": "a@b.example", "since": "yesterday-ish"}, "neither a period"),
        ({"notification_id": "  "}, "notification_id is empty"),
    ],
)
def test_bad_lookups_are_422_with_a_clear_message(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/api/v1/notifications", params=params, headers=AUTH)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_recipient_and_unsuppress_with_audit(
    client: TestClient, suppression: FakeSuppressionList
) -> None:
    data = client.get(f"/api/v1/recipients/{SEEDED.bounced}", headers=AUTH).json()
    assert data["suppression"]["listed"] is True and data["suppression"]["reason"] == "BOUNCE"
    assert [f["reason"] for f in data["hard_bounces"]] == ["mailbox_not_found"]
    assert data["total"] == 1 and data["recent"][0]["kind"] == "bounced"

    short = unsuppress(client, SEEDED.complaint, reason="x")
    assert short.status_code == 422 and "reason" in short.json()["detail"]

    # bob's last outcome says the mailbox does not exist: unsuppressing would bounce again.
    refused = unsuppress(client, SEEDED.bounced, reason="customer insists")
    assert refused.status_code == 409
    assert "mailbox_not_found" in refused.json()["detail"]
    assert SEEDED.bounced in suppression.entries

    done = unsuppress(
        client, SEEDED.complaint, reason="complained by mistake", requested_by="ticket 123"
    )
    assert done.status_code == 200, done.text
    result = done.json()
    assert (result["action"], result["removed"], result["previous_reason"]) == (
        "removed",
        True,
        "COMPLAINT",
    )
    assert result["audited_as"].startswith("ticket 123 via token:")
    assert TOKEN not in result["audited_as"]
    assert SEEDED.complaint not in suppression.entries

    again = client.get(f"/api/v1/recipients/{SEEDED.complaint}", headers=AUTH).json()
    assert again["suppression"]["listed"] is False
    assert [c["action"] for c in again["suppression_changes"]] == ["removed"]
    assert again["suppression_changes"][0]["why"] == "complained by mistake"
    assert (
        client.get(f"/api/v1/recipients/{SEEDED.bounced}", headers=AUTH).json()[
            "suppression_changes"
        ]
        == []
    )


def test_deliverability_answers_for_the_apps_ui(
    client: TestClient, suppression: FakeSuppressionList
) -> None:
    def answer(address: str) -> dict[str, Any]:
        response = client.get(f"/api/v1/recipients/{address}/deliverability", headers=AUTH)
        assert response.status_code == 200, response.text
        return dict(response.json())

    bob = answer(SEEDED.bounced)
    listed_since = suppression.entries[SEEDED.bounced].last_update_time
    assert (bob["state"], bob["since"], bob["reason"], bob["actions"]) == (
        "suspended",
        listed_since,
        "mailbox_not_found",
        ["verify_address"],
    )
    assert "spelled right" in bob["user_message"]
    # The same fields in the recipient overview, from the same decision.
    overview = client.get(f"/api/v1/recipients/{SEEDED.bounced}", headers=AUTH).json()
    assert {k: overview[k] for k in ("state", "since", "reason", "actions")} == {
        k: bob[k] for k in ("state", "since", "reason", "actions")
    }

    frank = answer(SEEDED.complaint)
    assert (frank["state"], frank["reason"], frank["actions"]) == (
        "suspended",
        "suppressed",
        ["verify_address", "unsuppress"],
    )
    alice = answer(SEEDED.delivered)
    assert (alice["state"], alice["reason"], alice["actions"]) == ("ok", "accepted", [])
    assert answer(SEEDED.never)["state"] == "unknown"
    assert answer(SEEDED.awaiting)["state"] == "unknown"

    suppression.unavailable = "cannot reach SES: timeout"
    frank_unlisted = answer(SEEDED.complaint)
    assert frank_unlisted["state"] == "ok"
    assert frank_unlisted["suppression_error"] == "cannot reach SES: timeout"
    bad = client.get("/api/v1/recipients/not-an-address/deliverability", headers=AUTH)
    assert bad.status_code == 422


def test_after_an_unsuppress_the_next_send_tells(
    client: TestClient, services: SupportServices, suppression: FakeSuppressionList
) -> None:
    """A hard bounce (mailbox disabled) put the address on the list; once it is removed,
    the answer is no longer "suspended" but "unknown" from the removal, until a send."""
    address = "grace@acme.example"
    record_and_bounce(services, address)
    suppression.add(address, "BOUNCE", "2026-12-08T09:00:00.000Z")

    def answer() -> dict[str, Any]:
        response = client.get(f"/api/v1/recipients/{address}/deliverability", headers=AUTH)
        assert response.status_code == 200, response.text
        return dict(response.json())

    listed = answer()
    assert (listed["state"], listed["reason"], listed["actions"]) == (
        "suspended",
        "mailbox_disabled",
        ["verify_address", "unsuppress"],
    )
    assert unsuppress(client, address, reason="IT re-enabled the mailbox").status_code == 200
    cleared = answer()
    overview = client.get(f"/api/v1/recipients/{address}", headers=AUTH).json()
    removed_at = overview["suppression_changes"][0]["created_at"]
    assert (cleared["state"], cleared["since"], cleared["reason"], cleared["actions"]) == (
        "unknown",
        removed_at,
        None,
        [],
    )
    assert {k: overview[k] for k in ("state", "since", "reason", "actions")} == {
        k: cleared[k] for k in ("state", "since", "reason", "actions")
    }


def test_unsuppress_when_ses_cannot_be_reached(
    client: TestClient, suppression: FakeSuppressionList
) -> None:
    suppression.unavailable = "cannot reach SES: timeout"
    response = unsuppress(client, SEEDED.complaint, reason="customer asked")
    assert response.status_code == 503
    assert "cannot reach SES" in response.json()["detail"]
    listed = client.get(f"/api/v1/recipients/{SEEDED.complaint}", headers=AUTH).json()
    assert listed["suppression"] == {
        "listed": None,
        "reason": None,
        "last_update_time": None,
        "message_id": None,
        "feedback_id": None,
        "error": "cannot reach SES: timeout",
    }
    assert listed["suppression_changes"] == []


def test_report(client: TestClient) -> None:
    data = client.get("/api/v1/report", params={"since": "7d", "by": "day"}, headers=AUTH).json()
    assert data["totals"]["sent"] == 7
    assert data["totals"]["bounced"] == 1 and data["totals"]["quarantined"] == 2
    assert data["totals"]["rates"]["bounced"] == pytest.approx(1 / 7, abs=1e-6)
    assert {r["reason"] for r in data["top_reasons"]} >= {"mailbox_not_found", "complaint"}
    assert [row["key"] for row in data["breakdown"]] == ["2025-03-02", "2025-03-05"]
    bad = client.get("/api/v1/report", params={"by": "colour"}, headers=AUTH)
    assert bad.status_code == 422 and "by must be one of" in bad.json()["detail"]
    bad = client.get("/api/v1/report", params={"top": 0}, headers=AUTH)
    assert bad.status_code == 422 and "top" in bad.json()["detail"]


def test_engagement_in_notifications_and_the_report(client: TestClient, engine: Engine) -> None:
    def report() -> dict[str, Any]:
        return dict(client.get("/api/v1/report", params={"since": "24h"}, headers=AUTH).json())

    assert report()["delivered_opened"] is None
    first_open, click = add_engagement(engine)
    found = client.get(
        "/api/v1/notifications", params={"email": SEEDED.delivered}, headers=AUTH
    ).json()["notifications"]
    assert [n["engagement"] for n in found] == [
        {"opened_at": first_open, "clicked_at": click},
        {"opened_at": None, "clicked_at": None},
    ]
    assert (found[0]["status"], found[0]["reason"]) == ("delivered", "accepted")
    after = report()
    assert after["delivered_opened"] == 1 and after["totals"]["delivered"] == 1


def test_record_sends_over_http(client: TestClient) -> None:
    send = {
        "notification_id": "n-http-1",
        "message_id": "0100018f-http-000000",
        "recipient": "Grace <Grace@Example.org>",
        "sent_at": "2025-03-05T08:59:00Z",
        "notification_type": "magic_code",
    }
    first = client.post("/api/v1/notifications", json={"sends": [send]}, headers=AUTH)
    assert first.status_code == 200 and first.json()["created"] == 1
    second = client.post("/api/v1/notifications", json={"sends": [send]}, headers=AUTH)
    assert second.json()["created"] == 0 and second.json()["unchanged"] == 1
    found = client.get(
        "/api/v1/notifications", params={"email": "grace@example.org"}, headers=AUTH
    ).json()
    assert found["notifications"][0]["kind"] == "sent_no_feedback_yet"

    bad = client.post(
        "/api/v1/notifications",
        json={"sends": [{**send, "notification_id": "n-2", "sent_at": "last tuesday"}]},
        headers=AUTH,
    )
    assert bad.status_code == 422 and "sends.0: sent_at" in bad.json()["detail"]
    missing = client.post("/api/v1/notifications", json={"sends": [{"x": 1}]}, headers=AUTH)
    assert missing.status_code == 422 and "notification_id" in missing.json()["detail"]
    empty = client.post("/api/v1/notifications", json={"sends": []}, headers=AUTH)
    assert empty.status_code == 422


def test_health_and_metrics(client: TestClient, tmp_path: object) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "reachable"}
    client.get("/api/v1/report", headers=AUTH)
    metrics = client.get("/metrics")
    assert "inboxgap_api_requests_total" in metrics.text
    assert metrics.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("url", "database"),
    [
        # Nothing listens on port 1: refused at once.
        ("postgresql://inboxgap@127.0.0.1:1/inboxgap", "unreachable"),
        # A missing SQLite file is said so, not created empty by the check.
        ("sqlite:////nonexistent-dir/inboxgap.db", "missing"),
    ],
)
def test_health_says_when_the_database_is_unreachable(url: str, database: str) -> None:
    engine = create_engine_from_url(url)
    with TestClient(create_app(support_services(engine, TOKEN))) as bare:
        response = bare.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == database


def test_page_login_cookie_and_search(client: TestClient) -> None:
    login = client.get("/")
    assert login.status_code == 401 and 'name="token"' in login.text
    wrong = client.post("/login", data={"token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 401 and "not valid" in wrong.text
    ok = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert f"{COOKIE_NAME}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/", params={"q": SEEDED.quarantined})
    assert page.status_code == 200
    assert "Quarantined" in page.text and "For your IT administrator" in page.text
    assert "Mimecast" in page.text and "Copy for IT" in page.text
    never = client.get("/", params={"q": SEEDED.never})
    assert "Never sent to this address" in never.text
    client.post("/logout", follow_redirects=False)
    client.cookies.clear()
    assert client.get("/").status_code == 401
    # A bearer header works for the page too; the API never takes the cookie.
    assert client.get("/", headers=AUTH).status_code == 200
    client.cookies.set(COOKIE_NAME, TOKEN)
    assert client.get("/api/v1/report").status_code == 401


def test_page_escapes_what_it_shows(client: TestClient) -> None:
    page = client.get("/", params={"q": "<script>alert(1)</script>"}, headers=AUTH)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text


def test_openapi_documents_every_route_with_response_models(client: TestClient) -> None:
    spec = client.get("/openapi.json", headers=AUTH).json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/notifications", "get"),
        ("/api/v1/notifications", "post"),
        ("/api/v1/recipients/{email}", "get"),
        ("/api/v1/recipients/{email}/unsuppress", "post"),
        ("/api/v1/report", "get"),
        ("/healthz", "get"),
    ]:
        operation = paths[path][method]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (path, method)
    assert "401" in paths["/api/v1/report"]["get"]["responses"]
    assert "422" in paths["/api/v1/report"]["get"]["responses"]
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
    assert "/" not in paths and "/login" not in paths


# --------------------------------------------------------------------------------------
# what browsers are told, the docs, the session cookie, hostile input
# --------------------------------------------------------------------------------------


def _assert_security_headers(response: httpx.Response, *, cached: bool = False) -> None:
    csp = response.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    if cached:
        assert "no-store" not in response.headers.get("cache-control", "")
    else:
        assert response.headers["cache-control"] == "no-store"


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    responses = {
        "login page": client.get("/"),
        "page": client.get("/", params={"q": SEEDED.quarantined}, headers=AUTH),
        "api": client.get("/api/v1/notifications", params={"email": SEEDED.bounced}, headers=AUTH),
        "api 401": client.get("/api/v1/report"),
        "api 422": client.get("/api/v1/report", params={"by": "colour"}, headers=AUTH),
        "guard 422": client.get("/api/v1/notifications?email=a%00@b.example", headers=AUTH),
        "404": client.get("/nowhere"),
        "login 303": client.post("/login", data={"token": TOKEN}, follow_redirects=False),
        "healthz": client.get("/healthz"),
    }
    assert [r.status_code for r in responses.values()] == [
        401,
        200,
        200,
        401,
        422,
        422,
        404,
        303,
        200,
    ]
    for name, response in responses.items():
        try:
            _assert_security_headers(response)
        except (AssertionError, KeyError) as exc:
            raise AssertionError(f"{name}: {exc!r}") from exc
    static = client.get("/static/app.js")
    assert static.status_code == 200
    _assert_security_headers(static, cached=True)


def test_an_unexpected_error_is_a_bare_500_with_the_headers(services: SupportServices) -> None:
    def broken(*_: object, **__: object) -> NoReturn:
        raise RuntimeError("secret internals /etc/passwd")

    services.queries.lookup_page = broken  # type: ignore[method-assign]
    with TestClient(
        create_app(services), base_url="https://testserver", raise_server_exceptions=False
    ) as bare:
        response = bare.get("/api/v1/notifications", params={"message_id": "m"}, headers=AUTH)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:inboxgap:problem:internal_error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "internal error",
        "code": "internal_error",
    }
    assert "secret internals" not in response.text and "Traceback" not in response.text
    _assert_security_headers(response)


def test_the_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    for response in (
        client.get("/"),
        client.get("/", params={"q": SEEDED.quarantined}, headers=AUTH),
    ):
        html = response.text
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "inline <script>"
        assert "<style" not in html and " style=" not in html
        assert re.search(r"\son[a-z]+\s*=", html) is None, "inline event handler"
        assert "javascript:" not in html


def test_api_docs_are_off_and_the_schema_needs_a_token(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(path, headers=AUTH).status_code == 404, path
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/openapi.json", headers={"Authorization": "Bearer wrong"}).status_code == 401
    spec = client.get("/openapi.json", headers=AUTH)
    assert spec.status_code == 200 and spec.json()["info"]["title"] == "InboxGap support API"
    assert spec.headers["cache-control"] == "no-store"
    assert "cdn" not in spec.text.lower()


def _login(client: TestClient) -> httpx.Response:
    response = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    return cast(httpx.Response, response)  # as in unsuppress


def test_the_login_cookie_is_secure_signed_and_holds_no_token(client: TestClient) -> None:
    set_cookie = _login(client).headers["set-cookie"]
    attributes = [part.strip().lower() for part in set_cookie.split(";")]
    assert "secure" in attributes and "httponly" in attributes
    assert "samesite=strict" in attributes and "max-age=43200" in attributes
    value = client.cookies[COOKIE_NAME]
    assert TOKEN not in value and TOKEN not in set_cookie
    assert value.startswith("v1.") and len(value.split(".")) == 4
    assert client.get("/").status_code == 200  # the session works for the page...
    assert client.get("/api/v1/report").status_code == 401  # ...never for the API


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-2] + ("AA" if not v.endswith("AA") else "BB"),  # MAC changed
        lambda v: ".".join([*v.split(".")[:2], str(int(v.split(".")[2]) + 3600), v.split(".")[3]]),
        lambda v: "v1.0000." + ".".join(v.split(".")[2:]),  # another token id
        lambda v: TOKEN,  # the raw token no longer works as a cookie
        lambda v: "garbage",
    ],
    ids=["mac", "expiry-extended", "token-id", "raw-token", "garbage"],
)
def test_a_tampered_cookie_is_refused(client: TestClient, tamper: Any) -> None:
    _login(client)
    value = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, tamper(value))
    assert client.get("/").status_code == 401


def test_an_expired_session_or_a_removed_token_is_refused(services: SupportServices) -> None:
    moments = [NOW]
    services.clock = lambda: moments[0]
    with TestClient(create_app(services), base_url="https://testserver") as browser:
        _login(browser)
        moments[0] = NOW + timedelta(hours=11, minutes=59)
        assert browser.get("/").status_code == 200
        moments[0] = NOW + timedelta(hours=12, seconds=1)
        assert browser.get("/").status_code == 401
        moments[0] = NOW
        cookie = browser.cookies[COOKIE_NAME]
    services.api_tokens = (TOKEN, "another-token")  # the key is derived from the tokens
    with TestClient(create_app(services), base_url="https://testserver") as rotated:
        rotated.cookies.set(COOKIE_NAME, cookie)
        assert rotated.get("/").status_code == 401
    services.api_tokens = ("other-token", TOKEN)
    services.session_secret = "a fixed secret"
    with TestClient(create_app(services), base_url="https://testserver") as first:
        _login(first)
        kept = first.cookies[COOKIE_NAME]
    services.api_tokens = ("other-token",)  # this session's token was removed
    with TestClient(create_app(services), base_url="https://testserver") as second:
        second.cookies.set(COOKIE_NAME, kept)
        assert second.get("/").status_code == 401
    services.api_tokens = ("other-token", TOKEN, "new-token")  # same secret, token kept
    with TestClient(create_app(services), base_url="https://testserver") as third:
        third.cookies.set(COOKIE_NAME, kept)
        assert third.get("/").status_code == 200


def test_local_http_needs_the_insecure_cookie_switch(services: SupportServices) -> None:
    services.secure_cookies = False
    with TestClient(create_app(services)) as local:
        set_cookie = _login(local).headers["set-cookie"]
        assert "secure" not in [p.strip().lower() for p in set_cookie.split(";")]
        assert local.get("/").status_code == 200


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/api/v1/notifications?email=jane%00@acme.example", "control character (U+0000)"),
        ("/api/v1/notifications?message_id=%00", "control character (U+0000)"),
        ("/api/v1/notifications?notification_id=n%1b%5b2J", "control character (U+001B)"),
        ("/api/v1/notifications?email=%ED%A0%BD@acme.example", "not valid UTF-8"),
        ("/api/v1/notifications?email=" + "a" * 5000 + "@acme.example", "longer than 2048"),
        ("/api/v1/notifications?email=" + "a" * 400 + "@acme.example", "not an email address"),
        ("/api/v1/recipients/jane%00@acme.example", "the path contains a control character"),
        ("/api/v1/report?since=24h%C2%85", "control character (U+0085)"),
        ("/?q=jane%00@acme.example", "control character (U+0000)"),
    ],
)
def test_bad_query_input_is_a_422_never_a_500(
    client: TestClient, target: str, message: str
) -> None:
    response = client.get(target, headers=AUTH)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "field", ["notification_id", "message_id", "recipient", "notification_type", "sent_at"]
)
@pytest.mark.parametrize("poison", ["\x00", "\ud83d", "\x1b[2J"], ids=["nul", "surrogate", "esc"])
def test_bad_text_in_a_json_body_is_a_422(client: TestClient, field: str, poison: str) -> None:
    send = {
        "notification_id": "n-poison",
        "message_id": "0100018f-poison-000000",
        "recipient": "grace@example.org",
        "sent_at": "2025-03-05T08:59:00Z",
        "notification_type": "magic_code",
    }
    send[field] = send[field][:3] + poison + send[field][3:]
    body = json.dumps({"sends": [send]})  # ensure_ascii: a lone surrogate as \ud83d
    response = client.post(
        "/api/v1/notifications",
        content=body,
        headers={**AUTH, "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert f"sends.0.{field}" in response.json()["detail"]
    unsuppress = client.post(
        f"/api/v1/recipients/{SEEDED.bounced}/unsuppress",
        content=json.dumps({"reason": "customer" + poison + " asked"}),
        headers={**AUTH, "content-type": "application/json"},
    )
    assert unsuppress.status_code == 422 and "reason" in unsuppress.json()["detail"]
