"""Phrase lists match the words as written and, since SMTP replies are ASCII (RFC 5321,
section 2.4), without the accents of their Latin letters."""

from __future__ import annotations

import pytest

from worker.domain.classifier import classify_bounce_entry
from worker.domain.outcomes import Reason
from worker.domain.phrases import ascii_folded, words


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("buzón (?:está )?lleno", "buzon (?:esta )?lleno"),
        ("não existe", "nao existe"),
        ("boîte (?:aux lettres )?pleine", "boite (?:aux lettres )?pleine"),
        ("endereço não encontrado", "endereco nao encontrado"),
        ("désactivé", "desactive"),
        ("mailbox full", "mailbox full"),
        # Not accents on Latin letters: kept as they are.
        ("zu groß", "zu groß"),
        ("пользователь не найден", "пользователь не найден"),  # й is и + a breve
        ("ユーザー不明", "ユーザー不明"),  # ザ is サ + a voicing mark: another word without it
        ("用户不存在", "用户不存在"),
    ],
)
def test_ascii_folded_drops_only_the_accents_of_latin_letters(written: str, folded: str) -> None:
    assert ascii_folded(written) == folded


def test_a_phrase_matches_with_and_without_its_accents() -> None:
    full = words(r"buzón (?:está )?lleno")
    assert full.search("452 4.2.2 Buzón lleno")
    assert full.search("452 4.2.2 Buzon lleno")
    assert full.search("452 4.2.2 BUZON ESTA LLENO")
    assert not full.search("452 4.2.2 Buzo lleno")


def test_a_phrase_without_accents_is_listed_once() -> None:
    assert len(words("mailbox full", "mailbox full").items) == 1
    assert len(words("buzón lleno").items) == 2
    assert len(words("buzón lleno", "buzòn lleno").items) == 3  # one "buzon lleno"


@pytest.mark.parametrize(
    ("bounce_type", "status", "diagnostic", "reason"),
    [
        # No enhanced code that decides: the words do, written without their accents.
        ("Transient", "4.0.0", "smtp; 452 Buzon lleno", Reason.MAILBOX_FULL),
        ("Transient", "4.0.0", "smtp; 452 Boite aux lettres pleine", Reason.MAILBOX_FULL),
        ("Transient", "4.0.0", "smtp; 452 Caixa postal esta cheia", Reason.MAILBOX_FULL),
        ("Permanent", "5.0.0", "smtp; 550 Direccion no encontrada", Reason.MAILBOX_NOT_FOUND),
        ("Permanent", "5.0.0", "smtp; 550 Endereco nao encontrado", Reason.MAILBOX_NOT_FOUND),
        # And with them, as before.
        ("Transient", "4.0.0", "smtp; 452 Buzón lleno", Reason.MAILBOX_FULL),
    ],
)
def test_the_classifier_reads_replies_written_without_accents(
    bounce_type: str, status: str, diagnostic: str, reason: Reason
) -> None:
    verdict = classify_bounce_entry(
        bounce_type=bounce_type,
        bounce_subtype="General",
        action="failed",
        status=status,
        diagnostic=diagnostic,
        reporting_mta=None,
        remote_mta=None,
    )
    assert verdict is not None
    assert verdict.reason is reason
