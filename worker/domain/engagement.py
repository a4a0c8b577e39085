"""Engagement: the first open and first click of a notification, the nearest thing to
"received" that SES reports.

An open or click is not a delivery event in the outcome contract: it never changes a
status or reason. It is shown beside them (``status``, the API, the gap report). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from worker.domain.events import EventType

_OPEN = EventType.OPEN.value
_CLICK = EventType.CLICK.value


@dataclass(frozen=True, slots=True)
class Engagement:
    """First open and first click (fixed-width UTC text), None when there was none."""

    opened_at: str | None = None
    clicked_at: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"opened_at": self.opened_at, "clicked_at": self.clicked_at}


def engagement_of(events: Iterable[tuple[str, str]]) -> Engagement:
    """From (event type, occurred at) pairs in any order: the earliest of each kind."""
    first: dict[str, str] = {}
    for kind, at in events:
        if kind in (_OPEN, _CLICK) and (kind not in first or at < first[kind]):
            first[kind] = at
    # A click without an open is kept as such: the open pixel may be blocked while links
    # are followed, and inventing an open time would be a guess.
    return Engagement(first.get(_OPEN), first.get(_CLICK))


def opened_phrase(opened_at: str, *, sent_at: str) -> str:
    """The human ``status`` line: "they opened it at 10:32 UTC", with the date when it
    was opened on another day than it was sent."""
    phrase = f"they opened it at {opened_at[11:16]} UTC"
    if opened_at[:10] != sent_at[:10]:
        phrase += f" on {opened_at[:10]}"
    return phrase
