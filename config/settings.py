"""Every InboxGap setting, read from the environment in one place (``INBOXGAP_*``).

The README lists each one; keep the two in step.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    create_model,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from worker.durations import parse_duration


class AlertSettings(BaseModel):
    """Alert thresholds and sinks: ``INBOXGAP_ALERT_<NAME>`` sets ``<name>``. Rates are
    fractions (0.05 = 5 %). These defaults are the only copy: :class:`Settings` takes
    its ``alert_*`` fields from here, and the domain's
    :class:`~worker.domain.alert_rules.AlertThresholds` is built from these values."""

    model_config = ConfigDict(frozen=True)

    bounce_warning: float = Field(
        default=0.05, gt=0, le=1, description="Account hard-bounce rate that warns (AWS review)."
    )
    bounce_critical: float = Field(
        default=0.10, gt=0, le=1, description="Account hard-bounce rate that is critical (pause)."
    )
    complaint_warning: float = Field(
        default=0.001, gt=0, le=1, description="Account complaint rate that warns (AWS review)."
    )
    complaint_critical: float = Field(
        default=0.005, gt=0, le=1, description="Account complaint rate that is critical (pause)."
    )
    min_volume: int = Field(
        default=1_000,
        ge=1,
        description="No reputation alert below this many eligible sends (or delivered mails).",
    )
    reputation_volume: int = Field(
        default=10_000,
        ge=1,
        description="Representative volume: whole days are read back until this many sends.",
    )
    reputation_max_window: timedelta = Field(
        default=timedelta(days=90), description="The representative volume spans at most this."
    )
    spike_windows: Annotated[list[timedelta], NoDecode] = Field(
        default_factory=lambda: [timedelta(minutes=15), timedelta(hours=1)],
        description="Comma-separated short windows of the spike rule.",
    )
    spike_baseline: timedelta = Field(
        default=timedelta(days=7),
        description="Each key's baseline: this many whole days before today.",
    )
    spike_ratio: float = Field(
        default=3.0, ge=1, description="A spike is at least this many times the baseline rate."
    )
    spike_min_delta: float = Field(
        default=0.05, ge=0, le=1, description="...and at least this much above it (absolute)."
    )
    spike_critical_delta: float = Field(
        default=0.5, ge=0, le=1, description="A spike this far above the baseline is critical."
    )
    spike_min_count: int = Field(
        default=10, ge=1, description="A spike needs at least this many failures in the window."
    )
    silence_minutes: int = Field(
        default=30,
        ge=1,
        description="Sends recorded but no feedback applied for this long: silence alert.",
    )
    silence_min_sends: int = Field(
        default=10, ge=1, description="Silence needs at least this many sends in its window."
    )
    backlog_window: timedelta = Field(
        default=timedelta(minutes=15),
        description="Dead letters and parked events are counted over this window.",
    )
    dead_letters_min: int = Field(
        default=10, ge=1, description="Dead letters in the backlog window that warn."
    )
    parked_min: int = Field(
        default=100, ge=1, description="Events still parked from the backlog window that warn."
    )
    queue_age_limit: timedelta = Field(
        default=timedelta(minutes=15), description="Oldest SQS message older than this warns."
    )
    backlog_critical_factor: float = Field(
        default=4.0, ge=1, description="Backlog alerts are critical at this multiple."
    )
    renotify_interval: timedelta = Field(
        default=timedelta(hours=1),
        description="A firing alert notifies again this often (0: only fire and resolve).",
    )
    webhook_url: str | None = Field(
        default=None, description="Generic JSON webhook receiving every alert notification."
    )
    slack_webhook_url: str | None = Field(
        default=None, description="Slack-compatible incoming webhook (text messages)."
    )
    sns_topic_arn: str | None = Field(
        default=None, description="SNS topic receiving every alert notification (JSON)."
    )
    sink_timeout: float = Field(
        default=5.0, gt=0, le=60, description="Seconds per HTTP/SNS call of an alert sink."
    )


def _prefixed_fields(model: type[BaseModel], prefix: str) -> type[BaseModel]:
    """A model holding ``model``'s fields under ``prefix`` (same types, defaults,
    constraints and descriptions), so that flat environment names such as
    ``INBOXGAP_ALERT_BOUNCE_WARNING`` keep working without a second copy of them."""
    fields: dict[str, Any] = {
        f"{prefix}{name}": (info.annotation, info) for name, info in model.model_fields.items()
    }
    return create_model(f"_{model.__name__}Fields", **fields)


if TYPE_CHECKING:

    class _AlertFields(BaseModel):
        """What the type checker sees: read the alert settings through ``.alerts``."""

else:
    _AlertFields = _prefixed_fields(AlertSettings, "alert_")


class Settings(_AlertFields, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INBOXGAP_", extra="ignore")

    # --- notification log -------------------------------------------------------------
    database_url: str = Field(
        default="sqlite:///inboxgap.db",
        description="SQLAlchemy URL of the notification log (PostgreSQL in production).",
    )
    feedback_window: timedelta = Field(
        default=timedelta(hours=24),
        description="After this long with no conclusive feedback a notification is unknown.",
    )
    retention: timedelta = Field(
        default=timedelta(days=90),
        description="Personal data (addresses, diagnostics) older than this is purged.",
    )
    notification_id_tag: str = Field(
        default="notification_id", description="mail.tags name carrying our notification id."
    )
    notification_type_tag: str = Field(
        default="notification_type", description="mail.tags name carrying the notification type."
    )

    # --- SQS / SNS ----------------------------------------------------------------------
    sqs_queue_url: str | None = Field(default=None, description="SQS queue of SES feedback.")
    sqs_endpoint_url: str | None = Field(
        default=None, description="Override the SQS endpoint (moto or another local SQS)."
    )
    aws_region: str = Field(
        default="us-east-1",
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION", "INBOXGAP_AWS_REGION"),
        description="AWS region for SQS, SNS and SESv2.",
    )
    sqs_batch_size: int = Field(default=500, ge=1, le=10_000, description="Bodies per batch.")
    sqs_batch_wait: float = Field(
        default=2.0, ge=0, le=60, description="Seconds to gather a batch before applying it."
    )
    sqs_wait_time: int = Field(default=10, ge=0, le=20, description="Long-poll seconds.")
    sqs_concurrency: int = Field(
        default=32,
        ge=1,
        le=32,  # the SQS client keeps connections for 2x as many (worker.adapters.sqs)
        description="SQS calls in flight per drain: up to this many receives (growing from "
        "one with every full answer) and as many deletes; above 1 the next batches are "
        "gathered and prepared while the current one is applied.",
    )
    sqs_visibility_timeout: int = Field(
        default=120, ge=10, le=43_200, description="Seconds a received message stays hidden."
    )
    verify_sns_signatures: bool = Field(
        default=True, description="Verify SNS signatures (false only for unsigned local SNS)."
    )
    sns_topic_allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated SNS topic ARNs allowed to feed the queue (empty: any).",
    )
    sns_certificate_endpoint_url: str | None = Field(
        default=None,
        description=(
            "Local endpoints only (moto, the demo): fetch SNS signing certificates from this "
            "base URL instead of https://sns.<region>.amazonaws.com (signatures still checked)."
        ),
    )
    drain_interval: float = Field(
        default=5.0, gt=0, le=3600, description="Seconds between drain kicks from beat."
    )
    drain_max_run_time: float = Field(
        default=50.0,
        gt=0,
        le=3600,
        description="Seconds one drain task keeps starting new batches before it returns.",
    )

    # --- Celery ---------------------------------------------------------------------------
    broker_url: str = Field(default="redis://127.0.0.1:6379/0", description="Celery broker.")
    broker_data_folder: str | None = Field(
        default=None,
        description="Folder of the filesystem:// broker (the embedded demo; no Redis needed).",
    )

    # --- support API --------------------------------------------------------------------
    api_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated bearer tokens for the support API."
    )
    web_insecure_cookie: bool = Field(
        default=False,
        description=(
            "Send the support page's login cookie without Secure, for plain http on a local "
            "machine only (docker compose, a laptop); never behind HTTPS."
        ),
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Key signing the support page's session cookie (unset: derived from "
            "INBOXGAP_API_TOKENS, so changing the tokens ends every session)."
        ),
    )
    sesv2_endpoint_url: str | None = Field(
        default=None,
        description="Override the SESv2 endpoint (suppression list look-ups; local emulators).",
    )

    # --- status callbacks (issue 14) -----------------------------------------------------
    callback_url: str | None = Field(
        default=None,
        description="POST every status change here (signed JSON; unset with no task: off).",
    )
    callback_secret: SecretStr | None = Field(
        default=None,
        description="Standard Webhooks signing secret, whsec_<base64> (unset: unsigned).",
    )
    callback_bearer_token: SecretStr | None = Field(
        default=None, description="Sent as Authorization: Bearer <token> with each callback."
    )
    callback_max_attempts: int = Field(
        default=10, ge=1, le=30, description="Attempts per callback (over about a day)."
    )
    callback_celery_task: str | None = Field(
        default=None,
        description="Also send each callback as a Celery task of this name (same broker).",
    )

    @field_validator("callback_url", mode="after")
    @classmethod
    def _check_callback_url(cls, value: str | None) -> str | None:
        # Checked here so a wrong URL stops every entry point at start-up, naming the
        # variable (exit status 2), instead of failing each delivery pass.
        if value is None or not value.strip():
            return None  # unset or empty: callbacks off
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("callback_secret", mode="after")
    @classmethod
    def _check_callback_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from worker.domain.callbacks import secret_key

            secret_key(value.get_secret_value())  # ValueError names the expected form
        return value

    # --- logging / metrics ----------------------------------------------------------------
    log_level: str = Field(default="INFO", description="Log level of the JSON logs.")
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65_535,
        description="Serve Prometheus /metrics on this port from the Celery worker (unset: off).",
    )

    @property
    def alerts(self) -> AlertSettings:
        """The ``alert_*`` settings as one value."""
        return AlertSettings.model_validate(
            {name: getattr(self, f"alert_{name}") for name in AlertSettings.model_fields}
        )

    @field_validator("sns_topic_allowlist", "api_tokens", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("feedback_window", "retention", mode="before")
    @classmethod
    def _parse_duration(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_duration(value)
        return value

    @field_validator(
        "alert_reputation_max_window",
        "alert_spike_baseline",
        "alert_backlog_window",
        "alert_queue_age_limit",
        "alert_renotify_interval",
        mode="before",
    )
    @classmethod
    def _parse_alert_duration(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_duration(value)
        return value

    @field_validator("alert_spike_windows", mode="before")
    @classmethod
    def _parse_spike_windows(cls, value: object) -> object:
        if isinstance(value, str):
            return [parse_duration(part) for part in value.split(",") if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
