"""Statistical 终本 and integrity detectors (issue 3): the list the registry reads.

Enforcement (pattern_enforcement): termination_rate (officers' 终本 share
against a case-mix expectation), termination_procedure_outlier (ECOD over how
each 终本 case was handled). Integrity (pattern_integrity):
judge_lawyer_affinity, judge_rate_outlier, judge_profile_outlier. Their SQL is
queries/pattern_*.sql; their thresholds are the `[patterns]` table of
config.toml; each keeps the false-discovery rate at [stats] false_discovery_rate.
"""
from __future__ import annotations

from .pattern_enforcement import DETECTORS as ENFORCEMENT
from .pattern_integrity import DETECTORS as INTEGRITY

DETECTORS: list = [*ENFORCEMENT, *INTEGRITY]
