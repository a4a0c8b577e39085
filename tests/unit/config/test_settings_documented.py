"""The README documents every setting: a variable added to config/settings.py without a
README row fails here (docs that match the code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings

README = Path(__file__).resolve().parents[3] / "README.md"


def environment_names() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        if field.validation_alias is not None:
            names.append("AWS_REGION")
        else:
            names.append(f"INBOXGAP_{name.upper()}")
    return names


@pytest.mark.parametrize("variable", environment_names())
def test_every_setting_is_in_the_readme(variable: str) -> None:
    assert f"`{variable}`" in README.read_text(encoding="utf-8"), (
        f"{variable} is a setting but the README's settings table does not list it"
    )


def test_durations_accept_human_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOXGAP_FEEDBACK_WINDOW", "36h")
    monkeypatch.setenv("INBOXGAP_RETENTION", "P30D")
    monkeypatch.setenv("INBOXGAP_API_TOKENS", "alpha, beta")
    settings = Settings()
    assert settings.feedback_window.total_seconds() == 36 * 3600
    assert settings.retention.days == 30
    assert settings.api_tokens == ["alpha", "beta"]


def test_a_bad_duration_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOXGAP_FEEDBACK_WINDOW", "a while")
    with pytest.raises(ValueError, match="not a duration"):
        Settings()
