"""Parser stub while the implementation lands."""

from __future__ import annotations

from worker.domain.events import ParseResult


def parse_body(body: str | bytes) -> ParseResult:
    raise NotImplementedError
