"""Statistical sentencing detectors: one sentence, one judge's or court's caseload, plea recommendations, disparity.

They sit between queries/ (features per peer group, read by fit.py) and the flags table. Every flag
compares a sentence, or a caseload, with what the legal factors alone predict for legally similar
cases, and is raised only when it survives Benjamini–Hochberg at `[stats] false_discovery_rate`
across all the subjects the detector tested.

Detectors (category `sentencing`), one file each:
- sentence_deviation — one defendant's term against a per-charge Huber regression on legal factors;
- judge_sentencing_deviation / court_sentencing_deviation — a judge's / court's mean residual,
  with empirical-Bayes shrinkage and a robustly estimated between-unit spread (caseload.py);
- plea_recommendation_deviation — a guilty-plea judgment against the prosecutor's recommendation;
- judge_probation_deviation / court_probation_deviation — a judge's / court's probations (缓刑) among the
  sentences §72 leaves it open for, against a logistic model of the legal factors (probation.py);
- judge_penalty_kind_deviation / court_penalty_kind_deviation — penalties lighter than 有期徒刑 where the
  frame allows both 拘役 and 有期徒刑 (penalty_kind.py, the same caseload test);
- sentencing_disparity_audit — within-court differences by gender, ethnicity and residence after
  legal factors. It is the ONLY reader of those three attributes (tests/test_fairness.py).

The statistics: design.py (the legal factors as columns), fit.py (the per-peer-group model and
SentencingSettings), caseload.py (caseload tests), similar.py (similar cases behind a warning);
their wording: text.py. review.py ranks the review list, which is not a detector.

Sources: 最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》(法发〔2021〕21号);
刑法 §61; 刑事诉讼法 §201; shared domain notes ("How noisy real sentences are").
"""
from __future__ import annotations

from ..base import Detector
from .court_penalty_kind_deviation import CourtPenaltyKindDeviation
from .court_probation_deviation import CourtProbationDeviation
from .court_sentencing_deviation import CourtSentencingDeviation
from .judge_penalty_kind_deviation import JudgePenaltyKindDeviation
from .judge_probation_deviation import JudgeProbationDeviation
from .judge_sentencing_deviation import JudgeSentencingDeviation
from .plea_recommendation_deviation import PleaRecommendationDeviation
from .sentence_deviation import SentenceDeviation
from .sentencing_disparity_audit import SentencingDisparityAudit

DETECTORS: list[Detector] = [SentenceDeviation(), JudgeSentencingDeviation(), CourtSentencingDeviation(),
                             PleaRecommendationDeviation(), JudgeProbationDeviation(), CourtProbationDeviation(),
                             JudgePenaltyKindDeviation(), CourtPenaltyKindDeviation(), SentencingDisparityAudit()]

__all__ = ["DETECTORS", "CourtPenaltyKindDeviation", "CourtProbationDeviation", "CourtSentencingDeviation", "JudgePenaltyKindDeviation",
           "JudgeProbationDeviation", "JudgeSentencingDeviation", "PleaRecommendationDeviation", "SentenceDeviation", "SentencingDisparityAudit"]
