"""The feedback-window sweep on PostgreSQL: one chunk is one statement (plus one to drop
count rows that reached zero).

Why this shape. The sweep used to read due primary keys with a join of
``pending_notifications`` and ``notifications`` filtered on ``status = 'sent'``, then lock,
read the ledger and write back row by row in the handler. Right after a bulk ``sent
import`` (no statistics yet) the planner took ``status = 'sent'`` for a handful of rows
and seq-scanned ``notifications`` for every batch. Here nothing depends on a row
estimate: the statement is driven by the ``sent_at`` index of ``pending_notifications``
(``ORDER BY sent_at LIMIT n``), and every other table is reached by primary key or by the
``notification_pk`` index of ``events``, one probe per due row.

Concurrency. Due notifications are taken ``FOR NO KEY UPDATE SKIP LOCKED`` straight
from the ``sent_at`` order of their pending rows (``LockRows`` under the ``LIMIT``, so a
row another transaction holds is skipped and the next one taken): two sweepers take
disjoint chunks, and a notification that an ingest transaction holds is left for the next
chunk or run (the sweep never waits on a notification lock, so it cannot deadlock with a
writer that locks notifications, then their pending row). The pending rows themselves are
not locked (that was one WAL record per row, written again by the delete): every writer
of a pending row holds its notification first, so once the sweep holds the notification
its pending row is its own. Status and reason are read from the locked row version (a
writer that committed after the statement began is seen), so a notification that left
``sent`` meanwhile is not swept (its pending row, if still there, is removed, and counted
as cleared either way: someone is making progress); the ledger check only routes a
notification with a conclusive event still ``sent`` (not expected) to the handler's
recompute.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from worker.adapters.database import to_stored_time
from worker.handlers.ports import SweepChunk

_COUNT_KEY = "day, recipient_domain, notification_type, status, reason"
# One chunk. Every table is reached through an index whatever the statistics say: the
# pending rows by ``sent_at`` (ORDER BY ... LIMIT) with one primary-key probe of the
# notification each (a nested loop: a hash join would scan a table, switched off below),
# the rows written by primary key through ``= ANY(ARRAY(subquery))`` (an array the
# planner takes for a few elements, so it never prefers a hash join over a scan of the
# whole table), the ledger by its ``notification_pk`` index. Not by ``ctid``: a row
# version committed after the statement's snapshot (a send re-recorded meanwhile) is what
# ``FOR ... UPDATE`` locks and returns, but a TID scan under that snapshot does not see
# it; the primary key finds the visible version, and the write follows it to the locked
# one.
# ``ledger``: 2 when the ledger holds a reason the rule does not decide (recompute), 1
# when it holds a delay, else 0. A due row is swept when its notification is still
# ``sent``, unpurged and past the window by its own send time; a pending row whose
# notification is no longer ``sent`` (or purged) is stale and removed.
_SWEEP = """
WITH due AS MATERIALIZED (
    SELECT n.id, n.recipient_domain, n.notification_type, n.sent_at, n.status, n.reason,
        (n.status = 'sent' AND n.purged_at IS NULL) AS live
    FROM pending_notifications AS p
    JOIN notifications AS n ON n.id = p.notification_pk
    WHERE p.sent_at < %(cutoff)s
    ORDER BY p.sent_at
    LIMIT %(limit)s
    FOR NO KEY UPDATE OF n SKIP LOCKED
), decided AS MATERIALIZED (
    SELECT l.*, l.live AND coalesce(l.ledger, 0) < 2 AND l.sent_at < %(cutoff)s AS sweepable
    FROM (
        SELECT due.*,
            (SELECT max(CASE WHEN e.reason = ANY(%(overriding)s::text[]) THEN 2
                             WHEN e.reason = ANY(%(delaying)s::text[]) THEN 1 ELSE 0 END)
             FROM events AS e
             WHERE e.notification_pk = due.id AND e.reason IS NOT NULL) AS ledger
        FROM due
        OFFSET 0  -- the ledger probe once per row (not once per use of ``ledger``)
    ) AS l
), swept AS (
    UPDATE notifications AS n SET
        status = %(status)s,
        reason = CASE WHEN d.ledger = 1 OR d.reason = ANY(%(delaying)s::text[])
                      THEN %(delayed_reason)s ELSE %(reason)s END,
        status_at = date_trunc('milliseconds',
            d.sent_at + %(window_us)s * interval '1 microsecond', 'UTC'),
        updated_at = %(now)s
    FROM decided AS d
    WHERE n.id = ANY(ARRAY(SELECT s.id FROM decided AS s WHERE s.sweepable)) AND n.id = d.id
    RETURNING n.id, d.sent_at, d.recipient_domain, d.notification_type,
        d.status AS old_status, d.reason AS old_reason, n.status, n.reason, n.status_at
), cleared AS (
    DELETE FROM pending_notifications AS p
    WHERE p.notification_pk = ANY(ARRAY(
        SELECT d.id FROM decided AS d WHERE d.sweepable OR NOT d.live))
    RETURNING p.notification_pk
), moves AS (
    -- The swept rows grouped once by (old key, new key): each group moves its count
    -- from its old key to its new one; the moves are then summed per key.
    SELECT to_char(g.utc_day, 'YYYY-MM-DD') AS day, g.recipient_domain,
        g.notification_type, m.status, m.reason, sum(m.delta)::bigint AS delta
    FROM (
        SELECT {utc_day} AS utc_day, recipient_domain, notification_type, old_status,
            old_reason, status, reason, count(*) AS moved
        FROM swept GROUP BY 1, 2, 3, 4, 5, 6, 7
    ) AS g
    CROSS JOIN LATERAL (VALUES (g.old_status, g.old_reason, -g.moved),
        (g.status, g.reason, g.moved)) AS m (status, reason, delta)
    GROUP BY g.utc_day, g.recipient_domain, g.notification_type, m.status, m.reason
    HAVING sum(m.delta) <> 0
), counted AS (
    INSERT INTO daily_status_counts ({key}, count)
    SELECT {key}, delta FROM moves ORDER BY {key}
    ON CONFLICT ({key}) DO UPDATE SET count = daily_status_counts.count + excluded.count
){outbox}
SELECT
    (SELECT count(*) FROM due),
    (SELECT count(*) FROM swept),
    (SELECT count(*) FROM decided WHERE NOT live),
    (SELECT coalesce(array_agg(id ORDER BY id), '{{}}') FROM decided
     WHERE live AND NOT sweepable),
    (SELECT coalesce(json_agg(json_build_array({key})), '[]') FROM moves WHERE delta < 0)
"""
# Status callbacks (issue 14): one outbox row per swept notification, in this statement
# (so in the transaction that changes the status). The webhook id has the shape of
# ``callback_outbox.new_webhook_id``. The row's own times are ``announced_at`` (the real
# clock): ``now`` may be a pretended ``sweep --now``, and a row created in the future
# would wait until then, one in the past would trip the backlog alert at once.
_OUTBOX = """, announced AS (
    INSERT INTO status_callbacks (webhook_id, notification_pk, previous_status,
        previous_reason, status, reason, status_at, state, attempts, created_at,
        next_attempt_at, updated_at)
    SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), id, old_status, old_reason,
        status, reason, status_at, 'pending', 0, %(announced_at)s, %(announced_at)s,
        %(announced_at)s
    FROM swept
    WHERE (old_status, old_reason) IS DISTINCT FROM (status, reason)
    ORDER BY id
)"""
# Run first in the chunk's transaction (SET LOCAL: until its commit). With statistics
# that say few rows are due (stale, or taken before a bulk load of old sends), the
# planner would read every due row through a bitmap and sort them for each chunk, or
# scan whole tables: these leave it the index paths above only. A path switched off is
# priced out (not forbidden), and that price would make PostgreSQL JIT-compile the
# statement (~1 s) for every chunk: JIT goes off too.
PLANNER_SQL = "; ".join(
    f"SET LOCAL {name} = off"
    for name in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "jit")
)
# The UTC day of the send time: grouped as a date, then written as ``daily_status_counts``
# holds it (``YYYY-MM-DD``), so ``to_char`` runs once per bucket instead of once per row.
_UTC_DAY = "(sent_at AT TIME ZONE 'UTC')::date"
SWEEP_SQL = _SWEEP.format(key=_COUNT_KEY, outbox="", utc_day=_UTC_DAY)
SWEEP_WITH_OUTBOX_SQL = _SWEEP.format(key=_COUNT_KEY, outbox=_OUTBOX, utc_day=_UTC_DAY)
# Count rows the chunk decremented to zero go, as in ``add_counts``.
DROP_EMPTY_COUNTS_SQL = f"""
    DELETE FROM daily_status_counts AS d
    USING unnest(%(days)s::text[], %(domains)s::text[], %(types)s::text[],
        %(statuses)s::text[], %(reasons)s::text[]) AS k({_COUNT_KEY})
    WHERE d.count = 0 AND d.day = k.day AND d.recipient_domain = k.recipient_domain
        AND d.notification_type = k.notification_type AND d.status = k.status
        AND d.reason = k.reason
"""


def sweep_params(chunk: SweepChunk) -> dict[str, Any]:
    """The parameters of :data:`SWEEP_SQL` (reason sets as array literals, times to the
    millisecond as the columns hold them)."""
    rule = chunk.rule
    return {
        "cutoff": to_stored_time(chunk.sent_before),
        "limit": chunk.limit,
        "now": to_stored_time(chunk.now),
        "announced_at": to_stored_time(chunk.announced_at),
        "window_us": chunk.feedback_window // timedelta(microseconds=1),
        "status": rule.status,
        "reason": rule.reason,
        "delayed_reason": rule.delayed_reason,
        "delaying": _array(sorted(rule.delaying)),
        "overriding": _array(sorted(rule.overriding)),
    }


def drop_params(keys: Sequence[Sequence[str]]) -> dict[str, str]:
    """The parameters of :data:`DROP_EMPTY_COUNTS_SQL` for these count keys."""
    names = ("days", "domains", "types", "statuses", "reasons")
    return {name: _array([key[i] for key in keys]) for i, name in enumerate(names)}


def _array(values: Sequence[str]) -> str:
    """A text[] literal of ``values`` in order, every element quoted."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"
