"""The SES account-level suppression list (SESv2) and the audit trail of removals.

:class:`SuppressionList` is the small interface the support use cases need: look an
address up (``GetSuppressedDestination``) and remove it (``DeleteSuppressedDestination``).
:class:`SesSuppressionList` implements it with a boto3 ``sesv2`` client; tests use
botocore's Stubber against the real service model (moto implements none of these calls).

:data:`suppression_audit` records who removed which address, when and why. It lives on
the notification log's MetaData (migration ``0003_support``), together with
``ix_notifications_sent_at``, the index the gap report reads the edges of its window
through (see :mod:`worker.queries.support`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.types import TypeEngine

from worker.adapters.database import (
    UtcTime,
    code_point_text,
    metadata,
    notifications,
    read_connection,
    to_stored_time,
)
from worker.domain.addresses import mask_address, normalise_address
from worker.domain.timestamps import format_timestamp
from worker.handlers.ports.suppression import (
    REMOVED,
    AuditEntry,
    SuppressedDestination,
    SuppressionAudit,
    SuppressionError,
    SuppressionList,
    SuppressionRefused,
    SuppressionUnavailable,
)

__all__ = [
    "AuditEntry",
    "SesSuppressionList",
    "SqlSuppressionAudit",
    "SuppressedDestination",
    "SuppressionAudit",
    "SuppressionError",
    "SuppressionList",
    "SuppressionUnavailable",
    "suppression_audit",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# Schema (migration 0003_support)
# --------------------------------------------------------------------------------------


def _audit_pk() -> TypeEngine[int]:
    # INTEGER PRIMARY KEY is SQLite's rowid alias; BIGSERIAL on PostgreSQL.
    return BigInteger().with_variant(Integer(), "sqlite")


suppression_audit = Table(
    "suppression_audit",
    metadata,
    Column("id", _audit_pk(), primary_key=True, autoincrement=True),
    # Normalised address (personal data, like the log's).
    Column("recipient", code_point_text(), nullable=False),
    # "removed", or "not_listed" (someone asked; SES had nothing to remove).
    Column("action", code_point_text(), nullable=False),
    # Why it was on the list (BOUNCE / COMPLAINT) and since when, as SES said.
    Column("ses_reason", code_point_text(), nullable=True),
    Column("listed_since", code_point_text(), nullable=True),
    Column("actor", code_point_text(), nullable=False),
    Column("why", Text(), nullable=False),
    Column("created_at", UtcTime(), nullable=False),
)
Index("ix_suppression_audit_recipient", suppression_audit.c.recipient)

#: The gap report reads the partial days at the edges of its window through this index.
ix_notifications_sent_at = Index("ix_notifications_sent_at", notifications.c.sent_at)


# --------------------------------------------------------------------------------------
# The suppression list
# --------------------------------------------------------------------------------------


def _time_text(value: Any) -> str:
    if isinstance(value, datetime):
        return format_timestamp(value if value.tzinfo else value.replace(tzinfo=UTC))
    return str(value or "")


class SesSuppressionList:
    """:class:`SuppressionList` over a boto3 ``sesv2`` client."""

    def __init__(self, client: Any = None, *, connect: Callable[[], Any] | None = None) -> None:
        """``client``, or ``connect`` to make one on first use: most support commands never
        ask SES, and importing boto3 and loading the sesv2 model costs ~0.3 s."""
        if (client is None) == (connect is None):
            raise ValueError("give either client or connect")
        self._client = client
        self._connect = connect
        self._connecting = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._connecting:
                if self._client is None:
                    assert self._connect is not None
                    self._client = self._connect()
        return self._client

    @classmethod
    def for_region(cls, region: str, *, endpoint_url: str | None = None) -> SesSuppressionList:
        def connect() -> Any:
            import boto3
            from botocore.config import Config

            config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5)
            return boto3.session.Session().client(
                "sesv2", region_name=region, endpoint_url=endpoint_url, config=config
            )

        return cls(connect=connect)

    def _call(self, operation: str, email: str) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            result: dict[str, Any] = getattr(self.client, operation)(EmailAddress=email)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "NotFoundException":
                return None
            message = exc.response.get("Error", {}).get("Message", "") or code
            if code in ("TooManyRequestsException", "Throttling", "ThrottlingException"):
                raise SuppressionUnavailable(f"SES is throttling requests: {message}") from exc
            if code in ("BadRequestException",):
                raise SuppressionRefused(f"SES refused the request: {message}") from exc
            raise SuppressionUnavailable(f"SES error {code}: {message}") from exc
        except BotoCoreError as exc:
            raise SuppressionUnavailable(f"cannot reach SES: {exc}") from exc
        return result

    def get(self, email: str) -> SuppressedDestination | None:
        address = normalise_address(email)
        result = self._call("get_suppressed_destination", address)
        if result is None:
            return None
        entry = result.get("SuppressedDestination", {})
        attributes = entry.get("Attributes") or {}
        return SuppressedDestination(
            email=normalise_address(entry.get("EmailAddress") or address),
            reason=str(entry.get("Reason", "")),
            last_update_time=_time_text(entry.get("LastUpdateTime")),
            message_id=attributes.get("MessageId"),
            feedback_id=attributes.get("FeedbackId"),
        )

    def remove(self, email: str) -> bool:
        address = normalise_address(email)
        removed = self._call("delete_suppressed_destination", address) is not None
        logger.info(
            "suppression list: %s %s",
            "removed" if removed else "not listed",
            mask_address(address),
        )
        return removed


class UnconfiguredSuppressionList:
    """Used when SES is not reachable by configuration: every call says so."""

    def __init__(self, why: str) -> None:
        self.why = why

    def get(self, email: str) -> SuppressedDestination | None:
        raise SuppressionUnavailable(self.why)

    def remove(self, email: str) -> bool:
        raise SuppressionUnavailable(self.why)


# --------------------------------------------------------------------------------------
# The audit trail
# --------------------------------------------------------------------------------------


_LAST_REMOVAL = select(func.max(suppression_audit.c.created_at)).where(
    suppression_audit.c.recipient == bindparam("recipient"),
    suppression_audit.c.action == bindparam("action"),
)


class SqlSuppressionAudit:
    """:class:`SuppressionAudit` in the ``suppression_audit`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, entry: AuditEntry) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(suppression_audit).values(
                    recipient=normalise_address(entry.recipient),
                    action=entry.action,
                    ses_reason=entry.ses_reason,
                    listed_since=entry.listed_since,
                    actor=entry.actor,
                    why=entry.why,
                    created_at=entry.created_at,
                )
            )

    def last_removal(self, email: str) -> datetime | None:
        with read_connection(self.engine) as conn:
            value = conn.execute(
                _LAST_REMOVAL, {"recipient": normalise_address(email), "action": REMOVED}
            ).scalar()
        return to_stored_time(value) if value is not None else None

    def history(self, email: str, limit: int = 20) -> list[AuditEntry]:
        a = suppression_audit.c
        with self.engine.connect() as conn:
            conn.execution_options(readonly=True)
            rows = conn.execute(
                select(
                    a.recipient,
                    a.action,
                    a.actor,
                    a.why,
                    a.created_at,
                    a.ses_reason,
                    a.listed_since,
                )
                .where(a.recipient == normalise_address(email))
                .order_by(a.created_at.desc(), a.id.desc())
                .limit(limit)
            ).all()
        return [
            AuditEntry(
                recipient=row.recipient,
                action=row.action,
                actor=row.actor,
                why=row.why,
                created_at=to_stored_time(row.created_at),
                ses_reason=row.ses_reason,
                listed_since=row.listed_since,
            )
            for row in rows
        ]
