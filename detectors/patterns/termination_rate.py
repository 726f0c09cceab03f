"""termination_rate: enforcement officers whose 终本 share is far above peers with the same case mix.

Indirect standardisation, an over-dispersed funnel plot (Spiegelhalter, Stat Med 2005), one-sided
p-values and Benjamini–Hochberg across officers; the legal rules (detectors/rules/) catch the 终本
cases that break 法〔2016〕373号, this catches an officer's pattern.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from courtwatch import queries

from ..base import DetectContext, Detection, Detector
from . import text
from .common import LEVEL_SET_BY_TRIAGE, PatternSettings, bh_select, flag_scores, flags_frame, r4, standardised_funnel


class TerminationRate(Detector):
    """执行员终本率偏高 — each officer's 终本 share against a case-mix expectation, funnel limits, BH.

    Method: indirect standardisation. Each of an officer's closed enforcement
    cases gets the 终本 rate of its stratum (court × claim-amount band ×
    respondent kind) among the other officers' cases, shrunk toward the
    province rate of the band × respondent kind; the sum is the officer's
    expected 终本 count. The observed count is compared on a funnel plot with
    multiplicative over-dispersion (Spiegelhalter, Stat Med 2005) estimated from
    all officers; the one-sided p-value (a high share is the warning sign) is the
    larger of the over-dispersed normal and the exact binomial tail; Benjamini–
    Hochberg across officers at [stats] false_discovery_rate.
    """

    name = "termination_rate"
    category = "enforcement"
    subject_type = "judge"
    needs = ("cases", "enforcement")
    title_zh = "执行员终本率显著偏高"
    title_en = "Enforcement officer terminates for now (终本) far more often than peers"
    method = ("Indirect standardisation (court × claim band × respondent kind, leave-one-out, shrunk to province) → "
              "over-dispersed funnel plot, one-sided p-values → Benjamini–Hochberg across officers.")
    legal_basis = f"{text.ZB_BASIS}第一条（终本须同时满足全部条件，财产调查须穷尽）"
    false_alarm_control = ("BH at [stats] false_discovery_rate across all officers with at least "
                           "[patterns] termination_min_cases closed cases; over-dispersion φ widens the limits "
                           "when officers differ more than chance allows, so court-wide practice is not flagged.")
    limitations = ("Case mix is adjusted only for claim band, respondent kind and court; officers who are given the "
                   "hardest cases (e.g. a team for debtors known to be insolvent) look high. A high share is a reason "
                   "to review a sample of the officer's 终本 files, not a finding.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_config(ctx.config)
        rows = queries.run(ctx.con, "pattern_termination_by_officer", as_of=ctx.as_of,
                           band_edges=[float(e) for e in s.termination_band_edges],
                           prior_cases=float(s.standardisation_prior_cases))
        skipped = int(rows["skipped"].sum()) if not rows.empty else 0
        if rows.empty or rows["n"].sum() == 0:
            return Detection(flags_frame([]), skipped, "no closed enforcement case with a known claim amount and "
                                                       "respondent kind; nothing to compare", status="ok")
        tested = rows[rows["n"] >= s.termination_min_cases].reset_index(drop=True)
        abstained = int(((rows["n"] > 0) & (rows["n"] < s.termination_min_cases)).sum())
        note = (f"{len(tested)} officer(s) tested; {abstained} with fewer than {s.termination_min_cases} closed "
                f"cases abstain") + (f"; {skipped} case(s) skipped: claim amount or respondent kind unknown" if skipped else "")
        if tested.empty:
            return Detection(flags_frame([]), skipped, note)
        fun = standardised_funnel(tested["terminated"], tested["n"], tested["expected"])
        reject, q = bh_select(fun.p, s)
        scores = flag_scores(q)
        out = []
        for i in np.flatnonzero(reject):
            r = tested.iloc[i]
            obs, exp_, ratio = fun.observed_rate[i], fun.expected_rate[i], fun.ratio[i]
            up998, up95 = fun.upper998[i], fun.upper95[i]
            zh, en = text.termination_rate_text(r.judge_id, int(r.n), int(r.terminated), obs, exp_, ratio,
                                                up95, up998)
            court_rate = r.court_terminated / r.court_n if r.court_n else None
            court_expected = r.court_expected / r.court_n if r.court_n else None
            out.append({
                "subject_type": "judge", "subject_id": str(r.judge_id), "case_id": None,
                "judge_id": str(r.judge_id), "court_id": str(r.court_id),
                "score": float(scores[i]), "level": LEVEL_SET_BY_TRIAGE, "explanation": zh,
                "evidence": {
                    "explanation_en": en,
                    "legal_basis": self.legal_basis,
                    "method": self.method,
                    "peer_comparison": text.TERMINATION_PEERS,
                    "closed_cases": int(r.n), "terminated_cases": int(r.terminated),
                    "observed_rate": r4(obs), "expected_rate": r4(exp_), "expected_terminated": r4(r.expected),
                    "ratio": r4(ratio), "upper_limit_95": r4(up95), "upper_limit_998": r4(up998),
                    "overdispersion_phi": r4(fun.phi), "z": r4(fun.z[i]), "p_value": float(fun.p[i]),
                    "q_value": float(q[i]), "officers_tested": int(len(tested)),
                    "court_context": {"court_id": str(r.court_id), "court_rate": r4(court_rate),
                                      "court_expected_rate_from_province": r4(court_expected),
                                      "court_closed_cases": None if pd.isna(r.court_n) else int(r.court_n)},
                    "cases_skipped_unknown_fields": int(r.skipped),
                    "notice": text.NOTICE,
                },
            })
        flags = flags_frame(out)
        if not flags.empty:  # an officer listed at two courts: keep the stronger warning
            flags = flags.sort_values("score", ascending=False).drop_duplicates("subject_id").reset_index(drop=True)
        return Detection(flags, skipped, note)
