"""Dead letters, read-only (``inboxgap deadletters list|show``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from worker.adapters.database import dead_letters

_D = dead_letters.c


@dataclass(frozen=True, slots=True)
class DeadLetterSummary:
    id: int
    code: str
    message: str
    count: int
    first_seen: str
    last_seen: str
    resolved_at: str | None
    size: int | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    summary: DeadLetterSummary
    body_hash: str
    #: The exact bytes received; None once purged.
    body: bytes | None


_SUMMARY = (
    _D.id,
    _D.code,
    _D.message,
    _D.count,
    _D.first_seen,
    _D.last_seen,
    _D.resolved_at,
    func.length(_D.body).label("size"),
)


def _summary(row: Any) -> DeadLetterSummary:
    return DeadLetterSummary(
        id=int(row.id),
        code=row.code,
        message=row.message,
        count=int(row.count),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        resolved_at=row.resolved_at,
        size=row.size,
    )


def list_dead_letters(
    engine: Engine, *, include_resolved: bool = False, limit: int = 100
) -> list[DeadLetterSummary]:
    """Newest first (last seen)."""
    query = select(*_SUMMARY).order_by(_D.last_seen.desc(), _D.id.desc()).limit(limit)
    if not include_resolved:
        query = query.where(_D.resolved_at.is_(None))
    with engine.connect().execution_options(readonly=True) as conn:
        return [_summary(row) for row in conn.execute(query)]


def get_dead_letter(engine: Engine, dead_letter_id: int) -> DeadLetter | None:
    query = select(*_SUMMARY, _D.body_hash, _D.body).where(_D.id == dead_letter_id)
    with engine.connect().execution_options(readonly=True) as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return DeadLetter(_summary(row), row.body_hash, row.body)
