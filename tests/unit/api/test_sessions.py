"""The page's session cookie value: signed, expiring, tied to a configured token, and
never containing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.api.sessions import SESSION_LIFETIME, session_key, sign_session, verify_session

NOW = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
TOKENS = ("alpha-token-1234", "beta-token-5678")
KEY = session_key(TOKENS)


def test_a_fresh_session_names_its_token_until_it_expires() -> None:
    value = sign_session(TOKENS[1], key=KEY, now=NOW)
    assert verify_session(value, key=KEY, tokens=TOKENS, now=NOW) == TOKENS[1]
    almost = NOW + SESSION_LIFETIME - timedelta(seconds=1)
    assert verify_session(value, key=KEY, tokens=TOKENS, now=almost) == TOKENS[1]
    assert verify_session(value, key=KEY, tokens=TOKENS, now=NOW + SESSION_LIFETIME) is None


@pytest.mark.parametrize(
    ("key", "tokens"),
    [
        (session_key(("alpha-token-1234", "gamma")), TOKENS),  # the tokens changed
        (session_key(TOKENS, "a secret"), TOKENS),  # a secret was set
        (KEY, ("alpha-token-1234",)),  # its token was removed
        (KEY, ()),  # no token configured at all
    ],
    ids=["tokens-changed", "secret-set", "token-removed", "no-tokens"],
)
def test_a_session_is_refused_when_its_key_or_token_is_gone(
    key: bytes, tokens: tuple[str, ...]
) -> None:
    value = sign_session(TOKENS[1], key=KEY, now=NOW)
    assert verify_session(value, key=key, tokens=tokens, now=NOW) is None


def test_a_secret_keeps_sessions_across_token_changes() -> None:
    key = session_key(TOKENS, "a secret")
    value = sign_session(TOKENS[0], key=key, now=NOW)
    again = session_key((*TOKENS, "new"), "a secret")
    assert verify_session(value, key=again, tokens=(*TOKENS, "new"), now=NOW) == TOKENS[0]


@pytest.mark.parametrize(
    "value",
    [None, "", "v1", "v1.a.b.c", "v2.x.1.y", "v1.x.-5.y", "v1.x.1.y.z", "v1." + "a" * 300],
)
def test_malformed_values_are_refused(value: str | None) -> None:
    assert verify_session(value, key=KEY, tokens=TOKENS, now=NOW) is None


@given(st.integers(min_value=0, max_value=200), st.characters(codec="ascii"))
def test_any_changed_character_is_refused(position: int, char: str) -> None:
    value = sign_session(TOKENS[0], key=KEY, now=NOW)
    index = position % len(value)
    changed = value[:index] + char + value[index + 1 :]
    if changed != value:
        assert verify_session(changed, key=KEY, tokens=TOKENS, now=NOW) is None


@given(st.text(min_size=8, max_size=80))
def test_the_value_never_holds_the_token(token: str) -> None:
    key = session_key((token,))
    value = sign_session(token, key=key, now=NOW)
    assert token not in value
    assert value.isascii() and ";" not in value and " " not in value
    assert verify_session(value, key=key, tokens=(token,), now=NOW) == token
