"""judge_probation_deviation: a judge's probations (缓刑) among the sentences §72 leaves it open for, against what the
legal factors predict for those cases and against the level of the judge's own court (probation.py: a ridge-penalised
logistic model, observed vs expected counts, an intersection–union test, Benjamini–Hochberg across judges).
"""
from __future__ import annotations

from . import text
from .probation import ProbationDeviation


class JudgeProbationDeviation(ProbationDeviation):
    name = "judge_probation_deviation"
    subject_type = "judge"
    title_zh = "法官缓刑适用偏离"
    title_en = "A judge grants probation unlike legally similar cases"
    unit, unit_zh, min_key, reference = "judge_id", "法官承办的", "probation_min_judge_cases", "court_id"
    method = (text.METHOD_PROBATION + " Each judge is tested against the province and against the level of his or "
              "her court, estimated from its other judges and shrunk toward the province (nested empirical Bayes): "
              "the larger p-value counts (intersection–union test), so a court that grants probation freely as a "
              "whole is not charged to its judges.")
    false_alarm_control = ("Benjamini–Hochberg at [stats] false_discovery_rate across all judges tested; judges with "
                           "fewer than [stats] probation_min_judge_cases eligible sentences are not tested; over-"
                           "dispersion between judges (φ ≥ 1) widens every test; a flag needs the observed rate at "
                           "least [stats] probation_min_effect from the expected one, against the province and the "
                           "court. No single case is flagged: one binary outcome is not unusual on its own.")
    limitations = ("Needs the export's probation column: where it is blank (e.g. the real judgments, whose converter "
                   "leaves it empty) the detector abstains and says so. §72's conditions (情节较轻, 悔罪表现, 再犯罪危险, "
                   "社区影响评估), §74's 犯罪集团首要分子, and §72 ¶1's 应当宣告缓刑 for pregnant women and those aged 75 "
                   "or more are not in the export (minors, for whom it is also 应当, are a factor of the model): a judge "
                   "whose docket has more (or "
                   "fewer) of them differs for that reason. Conditional on the term: a favour that lowers the term "
                   "first is seen by judge_sentencing_deviation. Assumes cases reach a court's judges comparably.")
