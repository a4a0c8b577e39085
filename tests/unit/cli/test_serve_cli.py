"""``inboxgap serve`` wiring: the cookie is Secure unless local http is asked for, and
uvicorn leaves logging (access log included) to the shared JSON set-up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from config.settings import Settings, get_settings
from worker.api.wiring import build_support_services
from worker.cli import main


class _Services:
    api_tokens = ("t",)
    secure_cookies = True


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    import uvicorn

    import worker.api.app
    import worker.cli.support

    # The services are faked; the CLI group still checks the database exists.
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", "sqlite://")
    get_settings.cache_clear()
    seen: dict[str, Any] = {}
    services = _Services()
    monkeypatch.setattr(worker.cli.support, "_services", lambda: services)
    monkeypatch.setattr(worker.api.app, "create_app", lambda s: ("app", s))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    seen["services"] = services
    yield seen
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "secure"),
    [([], True), (["--insecure-cookie"], False), (["--secure-cookies"], True)],
)
def test_the_cookie_is_secure_unless_asked(
    served: dict[str, Any], args: list[str], secure: bool
) -> None:
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 0, result.output
    assert served["services"].secure_cookies is secure
    assert served["log_config"] is None and served["access_log"] is True


def test_contradicting_cookie_flags_are_a_usage_error(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["serve", "--insecure-cookie", "--secure-cookies"])
    assert result.exit_code == 2 and "contradict" in result.output


@pytest.mark.parametrize(("value", "secure"), [(None, True), ("1", False), ("false", True)])
def test_the_setting_decides_for_the_wired_services(
    monkeypatch: pytest.MonkeyPatch, value: str | None, secure: bool
) -> None:
    monkeypatch.setenv("INBOXGAP_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("INBOXGAP_SESSION_SECRET", "kept secret")
    if value is None:
        monkeypatch.delenv("INBOXGAP_WEB_INSECURE_COOKIE", raising=False)
    else:
        monkeypatch.setenv("INBOXGAP_WEB_INSECURE_COOKIE", value)
    settings = Settings()
    services = build_support_services(settings)
    assert services.secure_cookies is secure
    assert services.session_secret == "kept secret"
    assert "kept secret" not in repr(settings)
