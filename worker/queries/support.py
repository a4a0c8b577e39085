"""Read-only support queries: one import path for the views and their reads.

The pure views (what support is told) are :mod:`worker.queries.support_views`; the SQL
that reads them is :mod:`worker.queries.support_sql`. This module re-exports both so
callers keep importing ``worker.queries.support``.
"""

from __future__ import annotations

from worker.queries.support_sql import SupportQueries, window_parts
from worker.queries.support_views import (
    ADDRESS_FAILURE_REASONS,
    BADGES,
    REPORT_DIMENSIONS,
    BreakdownRow,
    DomainRate,
    EventLike,
    FailureEvent,
    GapReport,
    ItAdminBlock,
    NotificationLike,
    NotificationRecord,
    NotificationView,
    OutcomeKind,
    ReasonCount,
    RecipientHealth,
    SearchResult,
    SeriesPoint,
    StatusCounts,
    TimelineEvent,
    deciding_event,
    describe,
    display_time,
    explain_record,
    header_message_id,
    it_admin_block,
    never_sent_view,
    outcome_kind,
)

__all__ = [
    "ADDRESS_FAILURE_REASONS",
    "BADGES",
    "REPORT_DIMENSIONS",
    "BreakdownRow",
    "DomainRate",
    "EventLike",
    "FailureEvent",
    "GapReport",
    "ItAdminBlock",
    "NotificationLike",
    "NotificationRecord",
    "NotificationView",
    "OutcomeKind",
    "ReasonCount",
    "RecipientHealth",
    "SearchResult",
    "SeriesPoint",
    "StatusCounts",
    "SupportQueries",
    "TimelineEvent",
    "deciding_event",
    "describe",
    "display_time",
    "explain_record",
    "header_message_id",
    "it_admin_block",
    "never_sent_view",
    "outcome_kind",
    "window_parts",
]
