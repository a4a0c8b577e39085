"""Placeholder: real-world cases collected with provenance (overwritten by the collector)."""

from __future__ import annotations

from tests.unit.domain.real_world_diagnostics import DiagnosticCase

CASES: tuple[DiagnosticCase, ...] = ()
