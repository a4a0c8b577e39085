"""Fixtures of the adapter unit tests: a local SNS signer (its own certificate, no
network) and a signature verifier that fetches certificates from it."""

from __future__ import annotations

import pytest

from tests.support.sns_signing import SnsSigner
from worker.adapters.sns_signature import SnsSignatureVerifier


@pytest.fixture
def signer() -> SnsSigner:
    return SnsSigner()


@pytest.fixture
def verifier(signer: SnsSigner) -> SnsSignatureVerifier:
    return SnsSignatureVerifier(signer.fetch_certificate)
