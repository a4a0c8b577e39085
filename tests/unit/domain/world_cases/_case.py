"""How the collected tables write a case: one remote reply as SES reports it.

Each table passes its own way of reading the enhanced status code out of a reply
(``code``), and what SES names as the reporting MTA; the rest is shared.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.unit.domain.real_world_diagnostics import DiagnosticCase

#: The words of SES's expiry diagnostic (a 4xx reply that outlasted its retries).
EXPIRED = "Message expired: unable to deliver"


def expired(inner: str, minutes: int = 840) -> str:
    """SES's expiry diagnostic wrapping the last remote reply."""
    return f"smtp; 554 4.4.7 {EXPIRED} in {minutes} minutes.<{inner}>"


def world_case(
    case_id: str,
    mta: str,
    diagnostic: str,
    reason: str,
    source: str,
    *,
    code: re.Pattern[str],
    reporting_mta: Callable[[str], str | None],
    bounce_type: str = "Permanent",
    subtype: str = "General",
    status: str | None = None,
    remote_mta: str | None = None,
) -> DiagnosticCase:
    """One case; ``status`` defaults to what SES puts there: 4.4.7 for an expiry, else the
    reply's enhanced code (``code``'s first group), else 5.0.0 / 4.0.0 by bounce type.
    ``reporting_mta`` is told the bounce type."""
    if status is None:
        found = code.search(diagnostic)
        fallback = "5.0.0" if bounce_type == "Permanent" else "4.0.0"
        status = found.group(1) if found else fallback
        if EXPIRED in diagnostic:
            status = "4.4.7"
    return DiagnosticCase(
        case_id=case_id,
        bounce_type=bounce_type,
        bounce_subtype=subtype,
        status=status,
        diagnostic=diagnostic,
        reporting_mta=reporting_mta(bounce_type),
        remote_mta=remote_mta,
        expected_reason=reason,
        source=source,
        mta=mta,
    )
