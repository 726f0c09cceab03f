"""sentence_deviation: one defendant's term against what the legal factors alone predict for legally
similar cases (the per-peer-group Huber regression of fit.py), Benjamini–Hochberg across defendants.

Method: 量刑指导意见 (法发〔2021〕21号) as a log-additive model; Huber M-estimation (Huber 1964,
statsmodels RLM); leverage-corrected residuals over their MAD; Benjamini & Hochberg (1995).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..base import DETECTOR_COLUMNS, DetectContext, Detection, Detector, level_for
from ..stats import benjamini_hochberg, score_from_q
from . import text
from .fit import SentencingSettings, fit_model
from .similar import flag_context


class SentenceDeviation(Detector):
    name = "sentence_deviation"
    category = "sentencing"
    subject_type = "defendant"
    needs = ("cases", "defendants")
    shared_model = "sentencing"  # fit.fit_model
    incremental = "scope"
    title_zh = "个案量刑偏离"
    title_en = "Sentence far from legally similar cases"
    method = text.METHOD_SENTENCE
    legal_basis = text.BASIS_SENTENCE
    false_alarm_control = ("Benjamini–Hochberg at [stats] false_discovery_rate over every defendant tested; the residual "
                           "spread is estimated per peer group by the MAD, so outliers do not widen it and the "
                           "false-flag rate stays bounded at any noise level.")
    limitations = ("Only custodial terms (拘役/有期徒刑). At realistic noise (0.35 in log units) a single sentence ×4 "
                   "its expected value is found about one time in four and smaller deviations almost never; at noise "
                   "0.2, ×4 is found every time and ×3 about seven times in ten (docs/quality.md, which also shows "
                   "why: recall 0.9 at realistic noise needs about ×8, outside almost every statutory frame). "
                   "Deviations below that show up only in a judge's or court's caseload. Factors not in the export (e.g. flight) look like deviations. Peer "
                   "groups under [stats] sentencing_min_peer_group abstain; multi-charge sentences whose record "
                   "cannot hold every offence's severity are not tested one by one.")

    def detect(self, ctx: DetectContext) -> Detection:
        settings = SentencingSettings.from_config(ctx.config)
        fdr = settings.false_discovery_rate
        model = fit_model(ctx)
        rows = model.rows
        note = model.skip_note()
        if rows.empty:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), model.rows_skipped,
                             note or "no custodial sentence could be scored")
        # pooled rare charges were counted as abstaining (thin peer groups) by the model already
        high_leverage = int(rows["high_leverage"].astype(bool).sum())
        untestable = int((~rows["testable"] & ~rows["pooled"].astype(bool)).sum())
        if untestable - high_leverage:
            note = (f"{untestable - high_leverage} multi-charge defendant(s) not tested case by case: two offences "
                    f"share one severity column, so the export cannot record both; " + note)
        if high_leverage:
            note = (f"{high_leverage} defendant(s) not tested case by case: recorded facts far from every peer's "
                    f"(leverage above {settings.sentencing_max_leverage:g}), so no expectation to compare with; " + note)
        rows = rows[rows["testable"]]
        # One Benjamini–Hochberg family over every defendant tested. In an incremental run that is the
        # reference period's (in-sample) p-values plus the new cases' (out of sample) — where the model scores
        # against the last full run's fits, the p-values of the peer groups it did not read come from that run
        # (family_p_elsewhere) — so a night's few new cases meet the same bar as in a full run; only the new
        # cases' rejections are flagged.
        family = np.concatenate([rows["p"].to_numpy(dtype=float), model.family_p_elsewhere])
        reject, q = benjamini_hochberg(family, fdr)
        reject, q = reject[:len(rows)], q[:len(rows)]
        if ctx.scope is not None:
            reject &= ctx.in_scope(rows["case_id"])
            note = "new or changed cases scored against the reference period's model; " + note
        flagged = rows.loc[reject].assign(q=q[reject]).sort_values("defendant_id").reset_index(drop=True)
        if flagged.empty:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), model.rows_skipped + untestable,
                             f"{len(family)} defendants tested, none significant; " + note)
        ids = flagged["defendant_id"].tolist()
        context = flag_context(ctx, model, ids, int(settings.sentencing_similar_cases))
        records = []
        for r in flagged.to_dict("records"):
            fit = model.groups[r["peer_group"]]
            expected = math.exp(r["fitted_log"])
            low, high = (math.exp(r["fitted_log"] + s * 1.96 * r["scale"]) for s in (-1, 1))
            ratio = r["term_months"] / expected
            score = float(score_from_q([r["q"]])[0])
            explanation, explanation_en = text.sentence_deviation_text(r, expected, low, high, ratio, fdr)
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "observed_term_months": r["term_months"],
                "sentence_kind": r["sentence_kind"],
                "charge": r["charge"],
                "expected_term_months": round(expected, 1),
                "expected_range_95_months": [round(low, 1), round(high, 1)],
                "ratio_to_expected": round(ratio, 3),
                "log_residual": round(r["resid"], 4),
                "z": round(r["z"], 3), "p": r["p"], "q": r["q"],
                "false_discovery_rate": fdr,
                "defendants_tested": int(len(family)),
                "factors": {k: v for k, v in context.get(r["defendant_id"], {}).items() if k != "similar_cases"},
                "peer_comparison": {
                    "peer_group": r["peer_group"],
                    "peer_group_zh": text.peer_group_zh(r["peer_group"]),
                    "n": fit.n_scored,
                    "residual_spread_log": round(fit.scale, 4),
                    "typical_ratio_range_95": [round(math.exp(-1.96 * fit.scale), 2),
                                               round(math.exp(1.96 * fit.scale), 2)],
                    "model": fit.summary(),
                },
                "similar_cases": context.get(r["defendant_id"], {}).get("similar_cases", []),
                "notice": text.notice(),
            }
            records.append({"subject_type": "defendant", "subject_id": r["defendant_id"], "case_id": r["case_id"],
                            "judge_id": r["judge_id"], "court_id": r["court_id"], "score": score,
                            "level": level_for(score), "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), model.rows_skipped + untestable,
                         f"{len(family)} defendants tested, {len(records)} flagged; " + note)
