"""Compare whole notification-log databases: every table, surrogate keys replaced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select

from worker.adapters.database import (
    control_messages,
    daily_status_counts,
    dead_letters,
    events,
    notifications,
)


def snapshot(engine: Engine) -> dict[str, Any]:
    """Table contents in a canonical form: notification primary keys become notification
    ids, dead letters keep (hash, code) (their seen count counts deliveries)."""
    with engine.connect() as conn:
        n_rows = [dict(r._mapping) for r in conn.execute(select(notifications))]
        by_pk = {r["id"]: r["notification_id"] for r in n_rows}
        e_rows = [dict(r._mapping) for r in conn.execute(select(events))]
        counts = _daily_counts(conn)
        controls = sorted(
            (r.dedup_key, r.kind, r.received_at) for r in conn.execute(select(control_messages))
        )
        letters = sorted((r.body_hash, r.code) for r in conn.execute(select(dead_letters)))
    for row in e_rows:
        row["notification_pk"] = by_pk.get(row["notification_pk"])
    for row in n_rows:
        del row["id"]
    return {
        "notifications": sorted((tuple(sorted(r.items())) for r in n_rows), key=repr),
        "events": sorted((tuple(sorted(r.items())) for r in e_rows), key=repr),
        "counts": dict(sorted(counts.items())),
        "control_messages": controls,
        "dead_letters": letters,
    }


def status_counts_from_notifications(engine: Engine) -> dict[tuple[str, ...], int]:
    from collections import Counter

    with engine.connect() as conn:
        rows = conn.execute(
            select(
                notifications.c.sent_at,
                notifications.c.recipient_domain,
                notifications.c.notification_type,
                notifications.c.status,
                notifications.c.reason,
            )
        ).all()
    return dict(Counter((r[0][:10], r[1], r[2], r[3], r[4]) for r in rows))


def stored_counts(engine: Engine) -> dict[tuple[str, ...], int]:
    with engine.connect() as conn:
        return _daily_counts(conn)


def _daily_counts(conn: Connection) -> dict[tuple[str, ...], int]:
    """``daily_status_counts`` as {(day, domain, type, status, reason): count}, read as
    mappings: to mypy, ``row.count`` is the tuple method, not the column."""
    return {
        (m["day"], m["recipient_domain"], m["notification_type"], m["status"], m["reason"]): (
            m["count"]
        )
        for m in conn.execute(select(daily_status_counts)).mappings()
    }


def pending_is_exact(engine: Engine) -> bool:
    """``pending_notifications`` holds exactly the unpurged ``sent`` notifications, each
    with its send time (the sweep reads it instead of an index on status)."""
    from worker.adapters.database import pending_notifications

    n, p = notifications.c, pending_notifications.c
    with engine.connect() as conn:
        expected = set(
            conn.execute(
                select(n.id, n.sent_at).where(n.status == "sent", n.purged_at.is_(None))
            ).all()
        )
        stored = set(conn.execute(select(p.notification_pk, p.sent_at)).all())
    return {tuple(row) for row in stored} == {tuple(row) for row in expected}
