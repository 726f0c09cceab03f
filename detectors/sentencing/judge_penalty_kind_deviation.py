"""judge_penalty_kind_deviation: a judge's penalties lighter than 有期徒刑 (拘役, 管制, 单处罚金, 免予刑事处罚) where the
statutory tier allows both 拘役 and 有期徒刑, against what the legal factors predict and against the own court's level
(penalty_kind.py; the caseload test of probation.py; Benjamini–Hochberg across judges).
"""
from __future__ import annotations

from . import text
from .penalty_kind import PenaltyKindDeviation


class JudgePenaltyKindDeviation(PenaltyKindDeviation):
    name = "judge_penalty_kind_deviation"
    subject_type = "judge"
    title_zh = "法官刑种选择偏离"
    title_en = "A judge chooses lighter penalty kinds than legally similar cases receive"
    unit, unit_zh, min_key, reference = "judge_id", "法官承办的", "penalty_kind_min_judge_cases", "court_id"
    method = (text.METHOD_PENALTY_KIND + " Each judge is tested against the province and against the level of his or "
              "her court, estimated from its other judges and shrunk toward the province (nested empirical Bayes): "
              "the larger p-value counts (intersection–union test).")
    false_alarm_control = ("Benjamini–Hochberg at [stats] false_discovery_rate across all judges tested; judges with "
                           "fewer than [stats] penalty_kind_min_judge_cases such sentences are not tested; over-"
                           "dispersion between judges (φ ≥ 1); a flag needs the observed share at least [stats] "
                           "penalty_kind_min_effect from the expected one, against the province and the court. No "
                           "single case is flagged: one choice of kind is not unusual on its own.")
    limitations = ("Single charges only (a 数罪并罚 kind follows §69's combination). Which lighter kinds a charge's frame "
                   "lists (管制 and 单处罚金 are not in every frame) is not modelled apart: the outcome is any kind "
                   "lighter than 有期徒刑. 情节轻微 (§37) and the facts behind the severity are as recorded. A judge "
                   "who shortens every term also crosses the 6-month line more often; judge_sentencing_deviation "
                   "reports the terms.")
