"""The support reads (SQL): lookups with their timeline, recipient health, the gap report.

One query layer for the CLI (``inboxgap status/recipient/report``) and the support API and
web page: neither contains SQL or business rules of its own. Everything here only reads.

What support is told (pure, no I/O) is :mod:`worker.queries.support_views`; this module
holds only the reads: :class:`SupportQueries`, SQLAlchemy Core over
:mod:`worker.adapters.database`, PostgreSQL and SQLite alike, returning those views'
result types.

Speed on a 10M-row log, and why:

* Lookups (by address, SES message id or notification id) are index lookups
  (``ix_notifications_recipient_sent_at``, ``uq_notifications_ses_message_id_recipient``, the
  unique ``notification_id``) followed by one ``IN`` query on ``ix_events_notification_pk``:
  two statements whatever the log size.
* The gap report reads the **pre-aggregated** ``daily_status_counts`` (maintained by the
  ingest handlers in the same transaction as every status change) for every whole UTC day
  of the window, and the log itself only for the partial days at the window's edges,
  through ``ix_notifications_sent_at`` (migration 0003). For a partial day it scans the
  smaller side: the part inside the window, or the day's aggregate minus the part outside
  it. So ``--since 24h`` scans at most half a day of rows (and usually nothing at the
  "now" end, where no rows exist yet), independently of the log size. Indexes alone would
  make a 24 h report scan (and a 30-day report aggregate) millions of rows; a
  pre-aggregation alone would only have whole-day resolution.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Subquery

from worker.adapters.database import (
    daily_status_counts,
    events,
    notifications,
    read_connection,
    utc_text_prefix,
)
from worker.domain.addresses import normalise_address
from worker.domain.deliverability import Outcome
from worker.domain.events import EventType
from worker.domain.outcomes import Status
from worker.domain.timestamps import format_timestamp
from worker.queries.support_views import (
    ADDRESS_FAILURE_REASONS,
    REPORT_DIMENSIONS,
    BreakdownRow,
    DomainRate,
    FailureEvent,
    GapReport,
    LookupPage,
    NotificationRecord,
    ReasonCount,
    RecipientHealth,
    SearchResult,
    SeriesPoint,
    StatusCounts,
    TimelineEvent,
)

# ======================================================================================
# The reads
# ======================================================================================


#: Built once: the deliverability answer runs it per request, and building costs more
#: than running it on a warm database.
_OUTCOMES = (
    select(notifications.c.reason, notifications.c.status_at)
    .where(notifications.c.recipient == bindparam("address"))
    .order_by(notifications.c.sent_at.desc())
    .limit(bindparam("recent"))
)


def _delivered_opened(conn: Connection, since: datetime, until: datetime) -> int | None:
    """Delivered notifications sent in ``[since, until)`` with an Open event, or None
    when none sent then has one: "open tracking is on" is read from the data (a
    configuration set without open tracking never produces Open events), not configured.
    Through ``ix_notifications_sent_at`` and one ``ix_events_notification_pk`` probe per
    notification in the window."""
    n, e = notifications.c, events.c
    opened = (
        select(events.c.notification_pk)
        .where(e.notification_pk == n.id, e.event_type == EventType.OPEN.value)
        .exists()
    )
    row = conn.execute(
        select(
            func.count().label("opened"),
            func.sum(case((n.status == Status.DELIVERED.value, 1), else_=0)).label("delivered"),
        ).where(n.sent_at >= since, n.sent_at < until, opened)
    ).one()
    return int(row.delivered or 0) if row.opened else None


#: Columns the IT-admin block reads from the ledger when the schema has them.
_EXTRA_EVENT_COLUMNS = (
    "reporting_mta",
    "remote_mta_ip",
    "from_header",
    "subject",
    "sending_domain",
)
_DAY = timedelta(days=1)
_STATUSES = tuple(s.value for s in Status)


def _ts(moment: datetime) -> str:
    return format_timestamp(moment)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SupportQueries:
    """The support reads over one engine. Every method opens its own read-only connection."""

    def __init__(self, engine: Engine, *, max_results: int = 50) -> None:
        self.engine = engine
        self.max_results = max_results
        self._statements: dict[tuple[str, bool, bool], Select[Any]] = {}
        self._extra_columns = [events.c[name] for name in _EXTRA_EVENT_COLUMNS if name in events.c]

    # --- plumbing -------------------------------------------------------------------
    def _connect(self) -> Connection:
        """Every read here is one statement or a report whose statements need no common
        snapshot: :func:`~worker.adapters.database.read_connection`."""
        return read_connection(self.engine)

    def ping(self) -> None:
        """Raises when the database cannot be reached or the log's tables are missing."""
        with self._connect() as conn:
            conn.execute(select(notifications.c.id).limit(1)).all()

    # --- lookups --------------------------------------------------------------------
    def lookup(
        self,
        *,
        email: str | None = None,
        message_id: str | None = None,
        notification_id: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[NotificationRecord]:
        """Notifications matching exactly one key, newest first, with their events."""
        page = self.lookup_page(
            email=email,
            message_id=message_id,
            notification_id=notification_id,
            since=since,
            limit=limit,
        )
        return list(page.records)

    def lookup_page(
        self,
        *,
        email: str | None = None,
        message_id: str | None = None,
        notification_id: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
        after: tuple[str, int] | None = None,
    ) -> LookupPage:
        """One page of :meth:`lookup`: at most ``limit`` notifications older than
        ``after`` (a previous page's :attr:`~LookupPage.after`) in the stable order
        ``(sent_at, id)`` descending, and whether more are left (one row more is read)."""
        given = [v for v in (email, message_id, notification_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, message_id, notification_id")
        if email is not None:
            key, value = "recipient", normalise_address(email)
        elif message_id is not None:
            # The Message-ID header form <id@region.amazonses.com> is accepted too.
            key, value = "ses_message_id", message_id.strip().strip("<>").split("@")[0]
        else:
            key, value = "notification_id", (notification_id or "").strip()
        size = limit or self.max_results
        with self._connect() as conn:
            keyed = self._keyed_records(conn, key, value, since=since, limit=size + 1, after=after)
        if len(keyed) <= size:
            return LookupPage(tuple(record for _, record in keyed))
        keyed = keyed[:size]
        last_pk, last = keyed[-1]
        return LookupPage(tuple(record for _, record in keyed), after=(last.sent_at, last_pk))

    def search(self, query: str, *, since: datetime | None = None) -> SearchResult:
        """The web page's one search box: an address, an SES message id (or the
        ``Message-ID`` header) or a notification id."""
        text_ = query.strip()
        if "@" in text_ and not text_.startswith("<"):
            by_email = self.lookup(email=text_, since=since)
            # Ids made from a Send event contain the address ("ses:<id>:<address>").
            by_id = [] if by_email else self.lookup(notification_id=text_, since=since)
            if by_id:
                return SearchResult(text_, "notification_id", tuple(by_id))
            return SearchResult(text_, "email", tuple(by_email))
        by_message = self.lookup(message_id=text_, since=since)
        if by_message:
            return SearchResult(text_, "message_id", tuple(by_message))
        by_id = self.lookup(notification_id=text_, since=since)
        return SearchResult(text_, "notification_id", tuple(by_id))

    def _lookup_statement(self, key: str, with_since: bool, with_after: bool) -> Select[Any]:
        """Built once per (key column, with or without ``since``, with or without a page
        start) and reused: building a statement costs more than running this one on a
        warm database."""
        cached = self._statements.get((key, with_since, with_after))
        if cached is not None:
            return cached
        n, e = notifications.c, events.c
        inner = select(
            n.id,
            n.notification_id,
            n.ses_message_id,
            n.recipient,
            n.notification_type,
            n.sent_at,
            n.status,
            n.reason,
            n.status_at,
            n.recipient_domain,
        ).where(n[key] == bindparam("value"))
        if with_since:
            inner = inner.where(n.sent_at >= bindparam("since"))
        if with_after:  # keyset paging: strictly after the previous page's last row
            inner = inner.where(
                or_(
                    n.sent_at < bindparam("after_sent_at"),
                    and_(n.sent_at == bindparam("after_sent_at"), n.id < bindparam("after_id")),
                )
            )
        found = (
            inner.order_by(n.sent_at.desc(), n.id.desc())
            .limit(bindparam("limit"))
            .subquery("found")
        )
        f = found.c
        stmt = (
            select(
                *found.c,
                e.event_type,
                e.occurred_at,
                e.status.label("event_status"),
                e.reason.label("event_reason"),
                e.smtp_status,
                e.diagnostic,
                e.provider,
                e.help_url,
                *self._extra_columns,
            )
            .select_from(found.outerjoin(events, e.notification_pk == f.id))
            .order_by(f.sent_at.desc(), f.id.desc(), e.occurred_at, e.identity)
        )
        self._statements[(key, with_since, with_after)] = stmt
        return stmt

    def _records(
        self,
        conn: Connection,
        key: str,
        value: str,
        *,
        since: datetime | None,
        limit: int,
    ) -> list[NotificationRecord]:
        """The newest ``limit`` notifications whose ``key`` column equals ``value``."""
        keyed = self._keyed_records(conn, key, value, since=since, limit=limit)
        return [record for _, record in keyed]

    def _keyed_records(
        self,
        conn: Connection,
        key: str,
        value: str,
        *,
        since: datetime | None,
        limit: int,
        after: tuple[str, int] | None = None,
    ) -> list[tuple[int, NotificationRecord]]:
        """One statement: the newest ``limit`` notifications whose ``key`` column equals
        ``value`` (older than ``after``), joined to their events (one round trip, whatever
        the number of events); each with its row id, the paging key's tie-breaker."""
        params: dict[str, Any] = {"value": value, "limit": limit}
        if since is not None:
            params["since"] = _aware(since)
        if after is not None:
            params["after_sent_at"], params["after_id"] = after
        stmt = self._lookup_statement(key, since is not None, after is not None)
        heads: dict[int, Any] = {}
        timeline: dict[int, list[TimelineEvent]] = defaultdict(list)
        extra = [column.name for column in self._extra_columns]
        for row in conn.execute(stmt, params):
            heads.setdefault(row.id, row)
            if row.event_type is not None:
                timeline[row.id].append(
                    TimelineEvent(
                        event_type=row.event_type,
                        occurred_at=row.occurred_at,
                        status=row.event_status,
                        reason=row.event_reason,
                        smtp_status=row.smtp_status,
                        diagnostic=row.diagnostic,
                        provider=row.provider,
                        help_url=row.help_url,
                        **{name: getattr(row, name) for name in extra},
                    )
                )
        return [
            (
                pk,
                notification_record(
                    row, events=tuple(timeline.get(pk, ())), recipient_domain=row.recipient_domain
                ),
            )
            for pk, row in heads.items()
        ]

    # --- recipient health -----------------------------------------------------------
    def recipient_health(
        self, email: str, *, since: datetime | None = None, recent: int = 20
    ) -> RecipientHealth:
        """Recent notifications (in ``since``), counts per status and the hard-bounce and
        complaint history over everything the log still holds for the address."""
        address = normalise_address(email)
        n, e = notifications.c, events.c
        with self._connect() as conn:
            records = self._records(conn, "recipient", address, since=since, limit=recent)
            counts_rows = conn.execute(
                select(
                    n.status,
                    func.count().label("n"),
                    func.min(n.sent_at).label("first"),
                    func.max(n.sent_at).label("last"),
                )
                .where(n.recipient == address)
                .group_by(n.status)
            ).all()
            failures = conn.execute(
                select(
                    n.notification_id,
                    n.ses_message_id,
                    e.event_type,
                    e.occurred_at,
                    e.status,
                    e.reason,
                    e.smtp_status,
                    e.diagnostic,
                    e.provider,
                )
                .select_from(notifications.join(events, events.c.notification_pk == n.id))
                .where(
                    n.recipient == address,
                    or_(
                        e.reason.in_(sorted(ADDRESS_FAILURE_REASONS)),
                        e.event_type == "Complaint",
                    ),
                )
                .order_by(e.occurred_at.desc())
                .limit(100)
            ).all()
        status_counts = {row.status: int(row.n) for row in counts_rows}
        firsts = [row.first for row in counts_rows if row.first]
        lasts = [row.last for row in counts_rows if row.last]
        return RecipientHealth(
            recipient=address,
            recent=tuple(records),
            status_counts=status_counts,
            total=sum(status_counts.values()),
            failures=tuple(
                FailureEvent(
                    notification_id=row.notification_id,
                    message_id=row.ses_message_id,
                    event_type=row.event_type,
                    occurred_at=row.occurred_at,
                    status=row.status,
                    reason=row.reason,
                    smtp_status=row.smtp_status,
                    diagnostic=row.diagnostic,
                    provider=row.provider,
                )
                for row in failures
            ),
            first_sent_at=min(firsts) if firsts else None,
            last_sent_at=max(lasts) if lasts else None,
        )

    # --- the gap report -------------------------------------------------------------
    def recipient_outcomes(self, email: str, *, recent: int = 20) -> list[Outcome]:
        """The reason and time of the newest ``recent`` notifications to ``email``: all
        the deliverability answer reads (two columns, through the recipient index)."""
        params = {"address": normalise_address(email), "recent": recent}
        with self._connect() as conn:
            return [Outcome(row.reason, row.status_at) for row in conn.execute(_OUTCOMES, params)]

    def gap_report(
        self,
        *,
        since: datetime,
        until: datetime,
        by: str | None = None,
        top: int = 10,
        min_domain_volume: int = 20,
        breakdown_limit: int = 100,
        with_opens: bool = True,
    ) -> GapReport:
        """Outcomes of the notifications *sent* in ``[since, until)``.

        ``with_opens=False`` leaves ``delivered_opened`` out (None): it probes the ledger
        once per notification in the window (most of a 7-day report's time), and the
        support page's overview does not show it."""
        if by is not None and by not in REPORT_DIMENSIONS:
            raise ValueError(f"by must be one of {', '.join(REPORT_DIMENSIONS)}")
        since, until = _aware(since), _aware(until)
        if until <= since:
            raise ValueError("the report window is empty (until must be after since)")
        with self._connect() as conn:
            rows = conn.execute(
                _report_statement(since, until, by, min_domain_volume, breakdown_limit)
            ).all()
            delivered_opened = _delivered_opened(conn, since, until) if with_opens else None
        per_status: Counter[str] = Counter()
        reasons: list[tuple[str, str, int]] = []
        domains: list[tuple[str, int, int, int]] = []
        breakdown: list[BreakdownRow] = []
        for row in rows:
            if row.part == "reason":
                count = int(row.total or 0)
                if count:
                    per_status[row.key] += count
                    reasons.append((row.key, row.key2, count))
            elif row.part == "domain":
                domains.append(
                    (row.key, int(row.total), int(row.bounced or 0), int(row.quarantined or 0))
                )
            else:
                counts = {status: int(getattr(row, status) or 0) for status in _STATUSES}
                breakdown.append(BreakdownRow(str(row.key), StatusCounts.from_statuses(counts)))
        totals = StatusCounts.from_statuses(per_status)
        if by == "day":
            breakdown.sort(key=lambda r: r.key)
        else:
            breakdown.sort(key=lambda r: (-r.counts.sent, r.key))
        failing = {Status.BOUNCED.value, Status.QUARANTINED.value, Status.UNKNOWN.value}
        top_reasons = sorted(
            (r for r in reasons if r[0] in failing), key=lambda r: (-r[2], r[0], r[1])
        )[:top]

        def ranked(index: int) -> tuple[DomainRate, ...]:
            items = [
                DomainRate(d[0], d[1], failed, failed / d[1])
                for d in domains
                if (failed := int(d[index])) > 0
            ]
            items.sort(key=lambda d: (-d.rate, -d.sent, d.domain))
            return tuple(items[:top])

        return GapReport(
            since=_ts(since),
            until=_ts(until),
            totals=totals,
            top_reasons=tuple(
                ReasonCount(status, reason, count, totals.rate(count))
                for status, reason, count in top_reasons
            ),
            top_quarantine_domains=ranked(3),
            top_bounce_domains=ranked(2),
            by=by,
            breakdown=tuple(breakdown),
            min_domain_volume=min_domain_volume,
            delivered_opened=delivered_opened,
        )

    def outcome_series(
        self, *, since: datetime, until: datetime, hourly: bool | None = None
    ) -> list[SeriesPoint]:
        """Outcomes over time, by day of sending (from the aggregates), or by hour for
        windows of up to three days (from the log, through ``ix_notifications_sent_at``)."""
        since, until = _aware(since), _aware(until)
        if hourly is None:
            hourly = until - since <= timedelta(days=3)
        with self._connect() as conn:
            if hourly:
                n = notifications.c
                bucket = utc_text_prefix(n.sent_at, 13)
                rows = conn.execute(
                    select(bucket.label("bucket"), n.status, func.count().label("n"))
                    .where(n.sent_at >= since, n.sent_at < until)
                    .group_by(bucket, n.status)
                ).all()
                suffix = ":00:00.000Z"
            else:
                window = _window(since, until)
                rows = conn.execute(
                    select(
                        window.c.day.label("bucket"),
                        window.c.status,
                        func.sum(window.c.n).label("n"),
                    ).group_by(window.c.day, window.c.status)
                ).all()
                suffix = "T00:00:00.000Z"
        buckets: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            if int(row.n or 0):
                buckets[str(row.bucket)][row.status] += int(row.n)
        return [
            SeriesPoint(start + suffix, StatusCounts.from_statuses(counts))
            for start, counts in sorted(buckets.items())
        ]


# --------------------------------------------------------------------------------------
# The window: aggregates for whole days, the log for the edges
# --------------------------------------------------------------------------------------


def _aggregate_day_range(first: date, last_exclusive: date, sign: int = 1) -> Select[Any]:
    d = daily_status_counts.c
    return select(
        d.day.label("day"),
        d.recipient_domain.label("recipient_domain"),
        d.notification_type.label("notification_type"),
        d.status.label("status"),
        d.reason.label("reason"),
        (d.count * sign).label("n") if sign != 1 else d.count.label("n"),
    ).where(d.day >= first.isoformat(), d.day < last_exclusive.isoformat())


def _raw(day: date, start: datetime, end: datetime, sign: int = 1) -> Select[Any]:
    n = notifications.c
    count = func.count()
    return (
        select(
            literal(day.isoformat()).label("day"),
            n.recipient_domain.label("recipient_domain"),
            n.notification_type.label("notification_type"),
            n.status.label("status"),
            n.reason.label("reason"),
            (count * sign).label("n") if sign != 1 else count.label("n"),
        )
        .where(n.sent_at >= start, n.sent_at < end)
        .group_by(n.recipient_domain, n.notification_type, n.status, n.reason)
    )


def _partial_day(day: date, start: datetime, end: datetime) -> list[Select[Any]]:
    """Rows of one UTC day restricted to ``[start, end)``, reading the smaller side."""
    day_start, day_end = _midnight(day), _midnight(day) + _DAY
    inside = end - start
    if inside <= _DAY / 2:
        return [_raw(day, start, end)]
    parts: list[Select[Any]] = [_aggregate_day_range(day, day + _DAY)]
    if start > day_start:
        parts.append(_raw(day, day_start, start, sign=-1))
    if end < day_end:
        parts.append(_raw(day, end, day_end, sign=-1))
    return parts


def window_parts(since: datetime, until: datetime) -> list[Select[Any]]:
    """The selects whose UNION ALL gives (day, domain, type, status, reason, n) for the
    notifications sent in ``[since, until)``."""
    parts: list[Select[Any]] = []
    first_day, last_day = since.date(), until.date()
    if first_day == last_day:
        return _partial_day(first_day, since, until)
    # Start edge.
    if since == _midnight(first_day):
        full_from = first_day
    else:
        parts.extend(_partial_day(first_day, since, _midnight(first_day) + _DAY))
        full_from = first_day + _DAY
    # Whole days in between.
    if full_from < last_day:
        parts.append(_aggregate_day_range(full_from, last_day))
    # End edge.
    if until > _midnight(last_day):
        parts.extend(_partial_day(last_day, _midnight(last_day), until))
    return parts


def _window(since: datetime, until: datetime) -> Subquery:
    parts = window_parts(since, until)
    if len(parts) == 1:
        return parts[0].subquery("window")
    return union_all(*parts).subquery("window")


def _status_sum(window: Any, status: str) -> Any:
    return func.sum(case((window.c.status == status, window.c.n), else_=0))


def _report_statement(
    since: datetime, until: datetime, by: str | None, min_volume: int, limit: int
) -> Select[Any]:
    """Every figure of the gap report in one statement, so the window (and its edge scans
    of the log) is computed once: a CTE read by three grouped parts under UNION ALL, with
    the same columns (part, key, key2, total and one sum per status)."""
    window = union_all(*window_parts(since, until)).cte("window")
    w = window.c
    zero: Any = literal_column("0")
    empty: Any = literal_column("''")

    def row(part: str, key: Any, key2: Any, total: Any, sums: dict[str, Any]) -> list[Any]:
        return [
            literal_column(f"'{part}'").label("part"),
            key.label("key"),
            key2.label("key2"),
            total.label("total"),
            *((sums.get(status, zero)).label(status) for status in _STATUSES),
        ]

    by_reason = select(*row("reason", w.status, w.reason, func.sum(w.n), {})).group_by(
        w.status, w.reason
    )
    total = func.sum(w.n)
    bounced = _status_sum(window, Status.BOUNCED.value)
    quarantined = _status_sum(window, Status.QUARANTINED.value)
    by_domain = (
        select(
            *row(
                "domain",
                w.recipient_domain,
                empty,
                total,
                {Status.BOUNCED.value: bounced, Status.QUARANTINED.value: quarantined},
            )
        )
        .group_by(w.recipient_domain)
        .having(and_(total >= max(min_volume, 1), (bounced + quarantined) > 0))
    )
    parts: list[Select[Any]] = [by_reason, by_domain]
    if by is not None:
        key = {"domain": w.recipient_domain, "type": w.notification_type, "day": w.day}[by]
        sums = {status: _status_sum(window, status) for status in _STATUSES}
        breakdown = select(*row("breakdown", key, empty, total, sums)).group_by(key)
        if by != "day":  # days: all of them; domains and types: the biggest ``limit``
            breakdown = breakdown.order_by(total.desc(), key).limit(limit)
        inner = breakdown.subquery("breakdown")
        parts.append(select(*inner.c))
    return union_all(*parts)  # type: ignore[return-value]


def notification_record(row: Any, **more: Any) -> NotificationRecord:
    """A ``notifications`` row as a record; ``more``: its other fields (events...)."""
    return NotificationRecord(
        notification_id=row.notification_id,
        message_id=row.ses_message_id,
        recipient=row.recipient,
        notification_type=row.notification_type,
        sent_at=row.sent_at,
        status=row.status,
        reason=row.reason,
        status_at=row.status_at,
        **more,
    )
