"""judge_sentencing_deviation: a judge's sentences, as a whole, against legally similar cases and against
the level of the judge's own court (caseload.py: deleted residuals, nested empirical Bayes, an
intersection–union test against court and province, Benjamini–Hochberg across judges).
"""
from __future__ import annotations

from . import text
from .caseload import CaseloadDeviation


class JudgeSentencingDeviation(CaseloadDeviation):
    name = "judge_sentencing_deviation"
    category = "sentencing"
    subject_type = "judge"
    needs = ("cases", "defendants")
    title_zh = "法官量刑整体偏离"
    title_en = "A judge's sentences deviate as a whole"
    unit, unit_zh, min_key, reference = "judge_id", "法官承办的", "sentencing_min_judge_cases", "court_id"
    effect_key = "sentencing_min_judge_effect"
    method = ("Mean of the judge's deleted residuals (each sentence against a fit that did not see it, so a small "
              "peer group does not absorb the judge's own deviation), Huber-clipped, from the sentence_deviation "
              "model; rare charges too thin for a model of their own enter through one pooled model (a charge "
              "intercept, shared circumstances). Tested against the level of the judge's court, estimated from its "
              "other judges and shrunk toward the province by the robust between-court variance (nested empirical "
              "Bayes), AND against the province: the larger p-value counts (intersection–union test), so a judge "
              "is not flagged for a deviant colleague or for a court that deviates as a whole. Variance from the "
              "per-charge residual spread plus a robust between-judge variance; empirical-Bayes shrinkage "
              "(detectors.stats.shrink_means) reported beside the mean; Benjamini–Hochberg across judges, and a "
              "minimum effect ([stats] sentencing_min_judge_effect).")
    legal_basis = text.BASIS_SENTENCE
    false_alarm_control = ("Benjamini–Hochberg across all judges tested; judges with fewer than "
                           "[stats] sentencing_min_judge_cases scored sentences are not tested; one extreme sentence "
                           "is clipped so it cannot carry a judge.")
    limitations = ("Assumes cases reach the judges of a court comparably (random assignment); a judge who takes a "
                   "specialised docket (e.g. juvenile cases) differs for that reason. A court-wide level is not "
                   "charged to its judges (see court_sentencing_deviation). Power: on the real judgments "
                   "(docs/quality-real.md, ≈25 scored sentences a judge, residual spread ≈0.6) a judge whose every "
                   "term is ×1.6 or ×0.6 is found about half the time; with twice the caseload, almost always.")
