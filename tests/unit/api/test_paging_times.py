"""A cursor's send time is bound to a time column (timestamptz on PostgreSQL since
migration 0007): one that is not the log's fixed-width text is refused as invalid (422),
not sent to the database."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from worker.api.paging import decode_cursor, encode_cursor


def test_a_cursor_holding_a_time_round_trips() -> None:
    cursor = encode_cursor(("2025-03-04T10:15:01.123Z", 7), scope="s")
    assert decode_cursor(cursor, scope="s") == ("2025-03-04T10:15:01.123Z", 7)


@pytest.mark.parametrize("sent_at", ["x", "2025-03-04", "2025-13-04T10:15:01.123Z"])
def test_a_cursor_whose_time_is_not_a_stored_time_is_invalid(sent_at: str) -> None:
    with pytest.raises(HTTPException):
        decode_cursor(encode_cursor((sent_at, 7), scope="s"), scope="s")
