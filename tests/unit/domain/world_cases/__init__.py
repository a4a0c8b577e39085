"""All real-world bounce diagnostics the classifier is measured on, in one tuple.

``ALL_CASES`` joins the original table (real_world_diagnostics.CASES), the collected
tables of this package (MTAs and gateways; mailbox providers) and the classifier's own
cases for misleading pairs. Pure data: the bench imports it too.
"""

from __future__ import annotations

from tests.unit.domain.real_world_diagnostics import CASES as BASE_CASES
from tests.unit.domain.real_world_diagnostics import DiagnosticCase
from tests.unit.domain.world_cases.mailbox_providers import CASES as MAILBOX_PROVIDER_CASES
from tests.unit.domain.world_cases.misleading_pairs import CASES as MISLEADING_PAIR_CASES
from tests.unit.domain.world_cases.mtas_gateways import CASES as MTA_GATEWAY_CASES

ALL_CASES: tuple[DiagnosticCase, ...] = (
    BASE_CASES + MTA_GATEWAY_CASES + MAILBOX_PROVIDER_CASES + MISLEADING_PAIR_CASES
)

__all__ = ["ALL_CASES", "DiagnosticCase"]
