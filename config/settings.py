"""Every InboxGap setting, read from the environment in one place (``INBOXGAP_*``).

The README lists each one; keep the two in step.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from worker.durations import parse_duration


class Settings(BaseSettings):
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

    # --- Celery ---------------------------------------------------------------------------
    broker_url: str = Field(default="redis://127.0.0.1:6379/0", description="Celery broker.")

    # --- support API --------------------------------------------------------------------
    api_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated bearer tokens for the support API."
    )

    # --- logging / metrics ----------------------------------------------------------------
    log_level: str = Field(default="INFO", description="Log level of the JSON logs.")

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
