"""court_penalty_kind_deviation: a court's penalties lighter than 有期徒刑 where the frame allows both 拘役 and 有期徒刑,
against the province, leaving out the judges flagged by judge_penalty_kind_deviation (penalty_kind.py).
"""
from __future__ import annotations

from . import text
from .penalty_kind import PenaltyKindDeviation
from .probation import ProbationModel, ProbationSettings


class CourtPenaltyKindDeviation(PenaltyKindDeviation):
    name = "court_penalty_kind_deviation"
    subject_type = "court"
    title_zh = "法院刑种选择整体偏离"
    title_en = "A court chooses lighter penalty kinds than legally similar cases receive"
    unit, unit_zh, min_key, reference = "court_id", "法院", "penalty_kind_min_court_cases", None
    method = (text.METHOD_PENALTY_KIND + " Courts are tested against the province, leaving out the cases of judges "
              "flagged by judge_penalty_kind_deviation.")
    false_alarm_control = ("Benjamini–Hochberg at [stats] false_discovery_rate across courts with at least [stats] "
                           "penalty_kind_min_court_cases such sentences; over-dispersion between courts (φ ≥ 1); a "
                           "minimum effect ([stats] penalty_kind_min_effect).")
    limitations = ("Single charges only. A province's implementing rules or a court's docket (factors not in the "
                   "export) look like a court level.")

    def excluded(self, model: ProbationModel, settings: ProbationSettings) -> dict[str, set]:
        """Cases of the judges flagged by judge_penalty_kind_deviation: their court is tested without them."""
        return self.flagged_judges(model, settings)
