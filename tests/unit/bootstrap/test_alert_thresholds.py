"""Alert thresholds are written once: the alert settings' defaults. The domain's
thresholds are built from them, and the environment's names are unchanged."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from config.settings import AlertSettings, Settings
from worker.bootstrap.alerts import default_thresholds, thresholds_from, thresholds_from_settings
from worker.domain.alert_rules import AlertThresholds


def test_the_domain_keeps_no_copy_of_the_defaults() -> None:
    with_defaults = {
        f.name
        for f in dataclasses.fields(AlertThresholds)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    assert with_defaults == {"silence_cap"}  # no setting: the domain's own constant
    with pytest.raises(TypeError):
        AlertThresholds()  # type: ignore[call-arg]


def test_every_threshold_comes_from_a_setting() -> None:
    settings = set(AlertSettings.model_fields)
    derived = {"silence": "silence_minutes"}
    for f in dataclasses.fields(AlertThresholds):
        if f.name == "silence_cap":
            continue
        assert derived.get(f.name, f.name) in settings, f"{f.name} has no alert setting"


def test_defaults_flow_from_the_settings() -> None:
    alerts = AlertSettings()
    thresholds = thresholds_from(alerts)
    assert thresholds.bounce_warning == alerts.bounce_warning
    assert thresholds.silence == timedelta(minutes=alerts.silence_minutes)
    assert thresholds.spike_windows == tuple(sorted(alerts.spike_windows))
    assert default_thresholds() == thresholds
    assert default_thresholds(min_volume=7).min_volume == 7


def test_flat_environment_names_set_the_nested_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOXGAP_ALERT_BOUNCE_WARNING", "0.03")
    monkeypatch.setenv("INBOXGAP_ALERT_SILENCE_MINUTES", "45")
    monkeypatch.setenv("INBOXGAP_ALERT_SPIKE_WINDOWS", "1h,5m")
    settings = Settings()
    assert settings.alerts.bounce_warning == 0.03
    thresholds = thresholds_from_settings(settings)
    assert thresholds.bounce_warning == 0.03
    assert thresholds.silence == timedelta(minutes=45)
    assert thresholds.spike_windows == (timedelta(minutes=5), timedelta(hours=1))


def test_the_flat_fields_keep_the_nested_constraints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOXGAP_ALERT_BOUNCE_WARNING", "2")  # a rate is at most 1
    with pytest.raises(ValueError, match="alert_bounce_warning"):
        Settings()
