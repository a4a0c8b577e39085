"""The README and .env.example document every setting: a variable added to
config/settings.py without a README row or an .env.example line fails here (docs that
match the code), and .env.example's values are the real defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
ENV_EXAMPLE = ROOT / ".env.example"

#: ``NAME=value`` or, for a setting unset by default, ``# NAME=example``.
ASSIGNMENT = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


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


def env_example_assignments() -> list[tuple[str, str, bool]]:
    """(name, value, commented out) for every assignment line of .env.example."""
    found = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match:
            found.append((match["name"], match["value"], bool(match["commented"])))
    return found


@pytest.mark.parametrize("variable", environment_names())
def test_every_setting_is_in_env_example_once(variable: str) -> None:
    lines = [entry for entry in env_example_assignments() if entry[0] == variable]
    assert len(lines) == 1, (
        f"{variable} is a setting: .env.example must list it exactly once "
        f"(`{variable}=default`, or `# {variable}=example` when unset by default)"
    )


def test_env_example_names_only_settings() -> None:
    unknown = {name for name, _, _ in env_example_assignments()} - set(environment_names())
    assert not unknown, f".env.example lists variables that are not settings: {unknown}"


def test_env_example_values_are_the_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Loading .env.example as it stands gives exactly the default settings: every active
    line holds its default, and only settings unset (or empty) by default are commented."""
    for name in list(os.environ):
        if name.startswith("INBOXGAP_") or name in {"AWS_REGION", "AWS_DEFAULT_REGION"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    defaults = Settings().model_dump()
    for name, _, commented in env_example_assignments():
        if commented:
            field = "aws_region" if name == "AWS_REGION" else name.removeprefix("INBOXGAP_").lower()
            assert defaults[field] in (None, []), (
                f".env.example comments out {name}, but its default is {defaults[field]!r}: "
                "write it as an active line with that default"
            )
    from_file = Settings(_env_file=ENV_EXAMPLE).model_dump()  # type: ignore[call-arg]
    differing = {
        key: (from_file[key], value) for key, value in defaults.items() if from_file[key] != value
    }
    assert not differing, f".env.example values differ from the defaults: {differing}"


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
