"""The fast reading of send times (``canonical_timestamp``) gives what the general reader
and the formatter give together, for every text, including the ones it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.domain.timestamps import canonical_timestamp, format_timestamp, parse_timestamp


def _slow(text: str) -> str | None:
    moment = parse_timestamp(text)
    return None if moment is None else format_timestamp(moment)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-07T12:00:00Z", "2026-12-07T12:00:00.000Z"),
        ("2026-12-07T12:00:00.1Z", "2026-12-07T12:00:00.100Z"),
        ("2026-12-07T12:00:00.123987Z", "2026-12-07T12:00:00.123Z"),
        ("2026-12-07T12:00:00.1234567Z", "2026-12-07T12:00:00.123Z"),
        ("2026-12-07T12:00:00+01:00", "2026-12-07T11:00:00.000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
        ("2026-13-07T12:00:00Z", None),
        ("2026-06-31T12:00:00Z", None),
        ("2026-12-07T24:00:00Z", None),
        ("0000-01-01T00:00:00Z", None),
        ("٢٠٢٦-12-07T12:00:00Z", None),
        ("yesterday", None),
    ],
)
def test_canonical_timestamp_examples(text: str, expected: str | None) -> None:
    assert canonical_timestamp(text) == expected
    assert _slow(text) == expected


_FIELDS = st.tuples(
    st.integers(0, 10_000),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 60),
    st.integers(0, 61),
    st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,8}", fullmatch=True)),
    st.sampled_from(["Z", "z", "+00:00", "-05:00", " +0000", ""]),
)


@settings(max_examples=500)
@given(_FIELDS)
def test_canonical_timestamp_agrees_on_near_timestamps(
    fields: tuple[int, int, int, int, int, int, str, str],
) -> None:
    year, month, day, hour, minute, second, fraction, zone = fields
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"
    assert canonical_timestamp(text) == _slow(text)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_canonical_timestamp_agrees_on_any_text(text: str) -> None:
    assert canonical_timestamp(text) == _slow(text)


@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_canonical_timestamp_of_a_formatted_time(moment: dt.datetime) -> None:
    text = (
        f"{moment.year:04d}-"
        + moment.strftime("%m-%dT%H:%M:%S")
        + (f".{moment.microsecond:06d}Z" if moment.microsecond else "Z")
    )
    assert canonical_timestamp(text) == format_timestamp(moment)
