"""judge_profile_outlier: a judge high on several case-handling indicators at once, unlike peers.

Per judge, a profile of funnel normal scores (common.judge_metric_tests) and a days-to-close z; PyOD
ECOD (Li et al., IEEE TKDE 2022) per group, right-tail score, conformal p-values with an
empirical-null tail (common.conformal_p), Benjamini–Hochberg across profiles.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from courtwatch import queries

from ..base import DetectContext, Detection, Detector
from . import text
from .common import (
    PatternSettings,
    bh_select,
    conformal_p,
    ecod_fit,
    flags_frame,
    judge_metric_tests,
    r4,
    score_and_level,
)
from .judge_rate_outlier import judge_rates

# profile features per group: metric z-scores (one-sided: only "higher than peers" counts) + days to close
PROFILE_METRICS = {
    "trial": ("extension", "designated", "reversal", "post_close_edit", "interference"),
    "enforcement": ("zb", "designated", "post_close_edit", "interference"),
}


class JudgeProfileOutlier(Detector):
    """办案画像异常 — one-sided ECOD over each judge's profile of standardised rates, conformal p-values, BH.

    Method: for each judge with at least [patterns] profile_min_cases closed
    cases, the profile holds, per rate (trial judges: extension, designation,
    reversal, post-closing edit, recorded interference; enforcement officers:
    终本 share, designation, post-closing edit, interference), the one-sided
    p-value of the case-mix standardised funnel turned into a normal score
    z = Φ⁻¹(1 − p) (so a judge with no events ties at the bottom instead of
    being ordered by caseload), plus a z-score of days to close (log-days
    residual against court level × case type, scaled by its spread across
    judges). A rate on which the judge has too few cases is 0 (no evidence);
    a rate tested for fewer than half the group's judges is left out. ECOD is
    fitted per group; the profile score is the sum of its right-tail terms
    (PyOD's `U_r`, copied after fit), so only "higher than peers" counts.
    p-values: conformal against the group's own scores with an empirical-null
    tail (common.conformal_p); Benjamini–Hochberg over all profiles.
    It looks for judges high on several indicators at once, which the
    one-metric funnels can miss; it is expected to flag few judges or none.
    """

    name = "judge_profile_outlier"
    category = "integrity"
    subject_type = "judge"
    needs = ("cases",)
    title_zh = "法官办案画像整体异常"
    title_en = "Judge's overall case-handling profile unlike peers"
    method = ("Per-judge profile of funnel normal scores (rates) and days-to-close z → PyOD ECOD per group (trial "
              "judges, enforcement officers), right-tail score → conformal p-values with empirical-null tail → "
              "Benjamini–Hochberg.")
    legal_basis = text.SUPERVISION_BASIS + "；" + text.INTEGRITY_BASIS
    false_alarm_control = ("BH at [stats] false_discovery_rate over all judges profiled: with no real deviation, "
                           "about one run in twenty raises any flag, and of the flags raised at most that share is "
                           "expected to be false. Groups with fewer than [patterns] profile_min_judges judges abstain.")
    limitations = ("A profile outlier says 'unlike peers on several indicators together', nothing more; ECOD adds "
                   "per-feature tail scores, so it assumes the indicators are roughly independent, and with a few "
                   "hundred judges one indicator can add at most ln(judges) to the score, so a judge is flagged only "
                   "when several indicators are high at once.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_config(ctx.config)
        rates = judge_rates(ctx, s)
        days = queries.run(ctx.con, "pattern_judge_days_to_close", as_of=ctx.as_of)
        if rates.empty or days.empty:
            return Detection(flags_frame([]), 0, "no closed cases with a known judge (abstained)")
        profiles, notes = [], []
        for group, metrics in PROFILE_METRICS.items():
            prof, used, note = self._profiles(rates, days, group, metrics, s)
            if note:
                notes.append(note)
            if prof is None:
                continue
            features = [f"z_{m}" for m in used] + ["z_days"]
            fit = ecod_fit(prof, features)
            prof["profile_score"] = fit.right_tail.sum(axis=1)
            prof["p_value"] = conformal_p(prof["profile_score"].to_numpy(), prof["profile_score"].to_numpy())
            prof["_terms"] = list(fit.right_tail)
            prof["_features"] = [features] * len(prof)
            prof["group"] = group
            prof["group_size"] = len(prof)
            profiles.append(prof)
        if not profiles:
            return Detection(flags_frame([]), 0, "; ".join(notes))
        data = pd.concat(profiles, ignore_index=True)
        reject, q = bh_select(data["p_value"].to_numpy(), s)
        scores, levels = score_and_level(q)
        out = [self._flag(data.iloc[i], float(q[i]), float(scores[i]), levels[i], s.explain_top_features)
               for i in np.flatnonzero(reject)]
        flags = flags_frame(out)
        if not flags.empty:
            flags = flags.sort_values("score", ascending=False).drop_duplicates("subject_id").reset_index(drop=True)
        note = f"{len(data)} judge profile(s) scored" + (("; " + "; ".join(notes)) if notes else "")
        return Detection(flags, 0, note)

    @staticmethod
    def _profiles(rates, days, group, metrics, s):
        d = days[(days["grp"] == group) & (days["n"] >= s.profile_min_cases)].copy()
        if len(d) < s.profile_min_judges:
            return None, [], (f"{group}: {len(d)} judge(s) with at least {s.profile_min_cases} closed cases, fewer "
                              f"than {s.profile_min_judges} (abstained)")
        # days to close: mean log-days residual over its standard error, scaled robustly across judges
        pooled_var = float(np.average(d["var_residual"], weights=np.maximum(d["n"] - 1, 1)))
        z_days = d["mean_residual"] / np.sqrt(max(pooled_var, 1e-9) / d["n"])
        med = float(np.median(z_days))
        d["z_days"] = (z_days - med) / max(1.0, float(1.4826 * np.median(np.abs(z_days - med))))
        prof = d[["judge_id", "court_id", "n", "median_days", "peer_median_days", "z_days"]].reset_index(drop=True)
        tests = judge_metric_tests(rates, metrics, s, group)
        used, dropped = [], []
        for metric in metrics:
            t = tests[tests["metric"] == metric] if not tests.empty else pd.DataFrame()
            if not t.empty:
                t = t.drop_duplicates(["judge_id", "court_id"])[["judge_id", "court_id", "p", "observed_rate",
                                                                  "expected_rate", "n"]]
                prof = prof.merge(t.rename(columns={"p": f"p_{metric}", "observed_rate": f"obs_{metric}",
                                                    "expected_rate": f"exp_{metric}", "n": f"n_{metric}"}),
                                  on=["judge_id", "court_id"], how="left")
            if t.empty or prof[f"p_{metric}"].notna().mean() < 0.5:
                dropped.append(metric)
                continue
            # normal score of the one-sided p-value; too few cases for this rate → 0 (no evidence)
            prof[f"z_{metric}"] = np.clip(sps.norm.isf(prof[f"p_{metric}"].to_numpy(dtype=float)), -4.0, 8.0)
            prof[f"z_{metric}"] = prof[f"z_{metric}"].fillna(0.0)
            used.append(metric)
        note = f"{group}: rate(s) {', '.join(dropped)} tested for under half the judges, left out" if dropped else ""
        return prof, used, note

    def _flag(self, r, q_value, score, level, top_k) -> dict:
        parts_zh, parts_en, drivers = [], [], []
        features = r["_features"]
        order = np.argsort(-np.asarray(r["_terms"]))
        for j in order:
            col = features[j]
            z = float(r[col])
            # name only indicators clearly above peers (z ≥ 1), and at least the strongest one
            if len(parts_zh) >= top_k or (z < 1.0 and (parts_zh or z <= 0)):
                continue
            if col == "z_days":
                phrase_zh, phrase_en = text.profile_days_phrase(r.median_days, r.peer_median_days)
                parts_zh.append(phrase_zh)
                parts_en.append(phrase_en)
                drivers.append({"feature": "days_to_close", "median_days": r4(r.median_days),
                                "peer_median_days": r4(r.peer_median_days), "z": r4(z), "ecod_term": r4(r["_terms"][j])})
            else:
                metric = col[2:]
                phrase_zh, phrase_en = text.profile_rate_phrase(metric, r[f"obs_{metric}"], r[f"exp_{metric}"])
                parts_zh.append(phrase_zh)
                parts_en.append(phrase_en)
                drivers.append({"feature": metric, "observed_rate": r4(r[f"obs_{metric}"]),
                                "expected_rate": r4(r[f"exp_{metric}"]), "n": r4(r[f"n_{metric}"]),
                                "p_value": r4(r[f"p_{metric}"]), "z": r4(z), "ecod_term": r4(r["_terms"][j])})
        zh, en = text.profile_text(r.group, r.judge_id, int(r.group_size), parts_zh, parts_en)
        return {
            "subject_type": "judge", "subject_id": str(r.judge_id), "case_id": None, "judge_id": str(r.judge_id),
            "court_id": str(r.court_id), "score": score, "level": level, "explanation": zh,
            "evidence": {
                "explanation_en": en,
                "legal_basis": self.legal_basis,
                "method": self.method,
                "peer_comparison": text.profile_peers(r.group, int(r.group_size)),
                "profile_z": {c: r4(r[c]) for c in features},
                "drivers": drivers,
                "closed_cases": int(r.n), "profile_score": r4(r.profile_score), "p_value": float(r.p_value),
                "q_value": q_value,
                "notice": text.NOTICE,
            },
        }
