"""court_probation_deviation: a court's probations (缓刑) against what the legal factors predict province-wide,
leaving out the judges flagged by judge_probation_deviation (probation.py; Benjamini–Hochberg across courts).
"""
from __future__ import annotations

from . import text
from .probation import ProbationDeviation, ProbationModel, ProbationSettings


class CourtProbationDeviation(ProbationDeviation):
    name = "court_probation_deviation"
    subject_type = "court"
    title_zh = "法院缓刑适用整体偏离"
    title_en = "A court grants probation unlike legally similar cases"
    unit, unit_zh, min_key, reference = "court_id", "法院", "probation_min_court_cases", None
    method = (text.METHOD_PROBATION + " Courts are tested against the province, leaving out the cases of judges "
              "flagged by judge_probation_deviation (a court whose deviation is one judge's is reported through "
              "that judge).")
    false_alarm_control = ("Benjamini–Hochberg at [stats] false_discovery_rate across courts with at least [stats] "
                           "probation_min_court_cases eligible sentences; over-dispersion between courts (φ ≥ 1); "
                           "a minimum effect ([stats] probation_min_effect).")
    limitations = ("Needs the export's probation column (abstains where it is blank, as on the real judgments). A "
                   "province's own implementing rules or a court's community-correction capacity (社区矫正评估) "
                   "are not in the export and look like a court level.")

    def excluded(self, model: ProbationModel, settings: ProbationSettings) -> dict[str, set]:
        """Cases of the judges flagged by judge_probation_deviation: their court is tested without them."""
        return self.flagged_judges(model, settings)
