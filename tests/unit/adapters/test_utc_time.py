"""Times at the storage boundary: kept to the millisecond, read back as the fixed-width
text the log always held (migration 0007)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import create_engine
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect

from worker.adapters.database import UtcTime, stored_time_text, to_stored_time, utc_text_prefix


def postgresql_dialect() -> Dialect:
    """PostgreSQL's (psycopg) dialect as an engine builds it, without connecting: what
    ``postgresql.dialect()`` builds, whose constructor SQLAlchemy leaves unannotated."""
    return create_engine("postgresql+psycopg://").dialect


def test_binds_keep_the_millisecond_and_utc() -> None:
    moment = datetime(2025, 3, 4, 10, 15, 1, 123999, tzinfo=UTC)
    assert to_stored_time(moment) == datetime(2025, 3, 4, 10, 15, 1, 123000, tzinfo=UTC)
    local = moment.astimezone(timezone(timedelta(hours=5, minutes=45)))
    assert to_stored_time(local) == to_stored_time(moment)
    assert to_stored_time(local).utcoffset() == timedelta(0)
    assert to_stored_time("2025-03-04T10:15:01.123Z") == to_stored_time(moment)
    pg, lite = postgresql_dialect(), sqlite.dialect()
    assert UtcTime().process_bind_param(moment, pg) == to_stored_time(moment)
    assert UtcTime().process_bind_param(moment, lite) == "2025-03-04T10:15:01.123Z"
    assert UtcTime().process_bind_param(None, pg) is None


def test_results_are_the_fixed_width_text_on_both_databases() -> None:
    local = datetime(999, 1, 2, 9, 0, 5, 6000, tzinfo=timezone(timedelta(hours=6)))
    assert stored_time_text(local) == "0999-01-02T03:00:05.006Z"
    assert stored_time_text("2025-03-04T10:15:01.123Z") == "2025-03-04T10:15:01.123Z"
    assert stored_time_text(None) is None
    whole = datetime(2025, 3, 4, 10, 15, 1, tzinfo=UTC)
    assert UtcTime().process_result_value(whole, postgresql_dialect()) == (
        "2025-03-04T10:15:01.000Z"
    )


def test_the_day_and_hour_prefix_in_sql() -> None:
    from worker.adapters.database import notifications

    hour = utc_text_prefix(notifications.c.sent_at, 13)
    assert str(hour.compile(dialect=sqlite.dialect())) == "substr(notifications.sent_at, 1, 13)"
    assert str(hour.compile(dialect=postgresql_dialect())) == (
        "to_char(notifications.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')"
    )
