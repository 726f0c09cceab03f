"""court_sentencing_deviation: a court's sentences, as a whole, against the province's legally similar cases,
leaving out the judges flagged by judge_sentencing_deviation (caseload.py: deleted residuals, a robust
between-court variance, Benjamini–Hochberg across courts).
"""
from __future__ import annotations

from ..stats import benjamini_hochberg
from . import text
from .caseload import CaseloadDeviation, caseload_test
from .fit import SentencingModel, SentencingSettings


class CourtSentencingDeviation(CaseloadDeviation):
    name = "court_sentencing_deviation"
    category = "sentencing"
    subject_type = "court"
    needs = ("cases", "defendants")
    title_zh = "法院量刑整体偏离"
    title_en = "A court's sentences deviate as a whole"
    unit, unit_zh, min_key, reference = "court_id", "法院", "sentencing_min_court_cases", None
    effect_key = "sentencing_min_court_effect"
    method = ("Mean of the court's Huber-clipped residuals from the sentence_deviation model against the province-wide "
              "prediction, leaving out the cases of judges who deviate significantly themselves (they are flagged "
              "by judge_sentencing_deviation); variance from the per-charge residual spread plus a robust "
              "between-court variance; Benjamini–Hochberg across courts and a minimum effect "
              "([stats] sentencing_min_court_effect).")
    legal_basis = text.BASIS_SENTENCE
    false_alarm_control = ("Benjamini–Hochberg across courts; the between-court spread is estimated robustly, so only a "
                           "court far outside the usual spread of courts is flagged.")
    limitations = ("Local sentencing practice set by a province's own implementing rules, or a case mix with factors "
                   "not in the export, looks like a deviation. A court whose deviation comes from one judge is "
                   "reported through that judge, not as a court.")

    def excluded_units(self, model: SentencingModel, settings: SentencingSettings) -> dict[str, set]:
        """Cases of judges who deviate significantly themselves: their court is tested without them."""
        judges = caseload_test(model, "judge_id", int(settings.sentencing_min_judge_cases), "court_id")
        if judges.empty:
            return {}
        reject, _ = benjamini_hochberg(judges["p"].to_numpy(), settings.false_discovery_rate)
        return {"judge_id": set(judges.loc[reject, "judge_id"])}
