"""boto3 clients for the short calls the alert path makes (SNS publish, CloudWatch
metrics): short connect and read timeouts and two attempts at most, so a slow AWS
endpoint delays an alert check by seconds, not minutes."""

from __future__ import annotations

from typing import Any


def short_call_client(
    service: str, region: str | None, *, endpoint_url: str | None = None, timeout: float = 5.0
) -> Any:
    """A boto3 client for ``service`` in ``region`` (None: the usual AWS chain decides)."""
    # Imported here: boto3 is slow to import and most entry points never need it.
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )
