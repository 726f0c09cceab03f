"""Statistical 终本 and integrity detectors (issue 3): the list the registry reads.

Enforcement: termination_rate (officers' 终本 share against a case-mix expectation),
termination_procedure_outlier (ECOD over how each 终本 case was handled). Integrity:
judge_lawyer_affinity, judge_rate_outlier, judge_profile_outlier. One file each; their shared
statistics are common.py, their wording text.py. Their SQL is queries/pattern_*.sql; their
thresholds are the `[patterns]` table of config.toml (PatternSettings); each keeps the
false-discovery rate at [stats] false_discovery_rate.
"""
from __future__ import annotations

from ..base import Detector
from .extension_approval_concentration import ExtensionApprovalConcentration
from .judge_lawyer_affinity import JudgeLawyerAffinity
from .judge_profile_outlier import JudgeProfileOutlier
from .judge_rate_outlier import JudgeRateOutlier
from .termination_procedure_outlier import TerminationProcedureOutlier
from .termination_rate import TerminationRate

DETECTORS: list[Detector] = [TerminationRate(), TerminationProcedureOutlier(), JudgeLawyerAffinity(),
                             JudgeRateOutlier(), JudgeProfileOutlier(), ExtensionApprovalConcentration()]

__all__ = ["DETECTORS", "JudgeLawyerAffinity", "JudgeProfileOutlier", "JudgeRateOutlier",
           "TerminationProcedureOutlier", "TerminationRate"]
