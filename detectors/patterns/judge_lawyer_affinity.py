"""judge_lawyer_affinity: a lawyer brought before one judge beyond chance, and faring better there.

Binomial tests of the cases together (against random assignment) and of designated assignment,
Fisher's exact or a binomial test of the lawyer's wins, an intersection–union test of the two, and
Benjamini–Hochberg across pairs; under the rules on judicial integrity (the 2015 "three rules").
"""
from __future__ import annotations

import numpy as np
from scipy import stats as sps

from courtwatch import queries

from ..base import DetectContext, Detection, Detector
from . import text
from .common import LEVEL_SET_BY_TRIAGE, PatternSettings, bh_select, flag_scores, flags_frame, r4


def _fisher_greater(a, b, c, d) -> np.ndarray:
    """scipy.stats.fisher_exact([[a, b], [c, d]], alternative="greater").pvalue over arrays of tables, as scipy
    computes it: 1 where a row or column of the table is empty, else the hypergeometric cdf of the second column."""
    p = np.ones(len(a))
    full = (a + b > 0) & (c + d > 0) & (a + c > 0) & (b + d > 0)
    if full.any():
        p[full] = np.minimum(sps.hypergeom.cdf(b[full], (a + b + c + d)[full], (a + b)[full], (b + d)[full]), 1.0)
    return p


class JudgeLawyerAffinity(Detector):
    """法官与律师关联异常 — a lawyer brought before one judge beyond chance, and faring better there.

    Method, per (judge, lawyer) pair in civil cases with at least [patterns]
    affinity_min_shared_cases cases together:
    (1) count: under random assignment each of the lawyer's cases at the court
        goes to this judge with probability = the judge's share of the court's
        civil cases → binomial upper tail of the cases together (uninformative,
        p = 1, where the judge hears all of the court's civil cases);
    (2) designation: designated (指定分案) share of the pair's cases vs the
        court's other civil cases → binomial upper tail;
    (3) outcome: the lawyer's side wins outright before this judge vs
        elsewhere — Fisher's exact test (one-sided) against the lawyer's own
        decided cases before other judges when there are at least
        [patterns] affinity_min_reference_cases of them, else a binomial test
        against what the same sides win before the court's other judges (the
        province's, when the court has too few).
    The pair's p-value is an intersection–union test,
    p = max(min(1, 2·min(p_count, p_designation)), p_outcome): small only when
    the pair was brought together beyond chance (by the count or by
    designation) AND the lawyer's side does better before this judge. A lawyer
    who simply practises in one judge's speciality, or the opposing counsel in a
    favoured lawyer's cases, is not flagged. Benjamini–Hochberg across pairs.
    """

    name = "judge_lawyer_affinity"
    category = "integrity"
    subject_type = "judge_lawyer"
    needs = ("cases", "representations")
    title_zh = "法官与律师关联异常"
    title_en = "Judge–lawyer pair meets far more often than random assignment allows, with better results"
    method = ("Per judge–lawyer pair: binomial tests of cases together (vs random assignment) and of designated "
              "assignment; Fisher exact / binomial test of the lawyer's wins; intersection–union "
              "(together-or-designated AND wins) → Benjamini–Hochberg.")
    legal_basis = text.INTEGRITY_BASIS + "；" + text.SUPERVISION_BASIS
    false_alarm_control = ("Intersection–union test ((count or designation) AND outcome) per pair, then BH at "
                           "[stats] false_discovery_rate across all pairs with at least "
                           "[patterns] affinity_min_shared_cases cases together.")
    limitations = ("Chambers specialise (e.g. financial loans to one panel), which concentrates lawyers lawfully; "
                   "the count test assumes random assignment within the whole court. Wins count only outright "
                   "wins (partial support counts as not won); mediated or withdrawn cases are left out of wins.")

    def detect(self, ctx: DetectContext) -> Detection:
        s = PatternSettings.from_config(ctx.config)
        rows = queries.run(ctx.con, "pattern_judge_lawyer_pairs", as_of=ctx.as_of,
                           min_shared=int(s.affinity_min_shared_cases),
                           min_reference=int(s.affinity_min_reference_cases))
        if rows.empty:
            return Detection(flags_frame([]), 0, f"no judge–lawyer pair with at least {s.affinity_min_shared_cases} "
                                                 "civil cases together (abstained)")
        considered = int(rows["pairs_considered"].iloc[0])
        n = rows["n_together"].to_numpy(dtype=np.int64)
        p_count = sps.binom.sf(n - 1, rows["lawyer_cases_court"].to_numpy(dtype=np.int64),
                               np.clip(rows["judge_share"].to_numpy(dtype=float), 1e-9, 1.0))
        # the lawyer's wins here: Fisher's exact test against the lawyer's results before other judges where they
        # are enough, else a binomial test against the sides' reference rate; each family's scipy tail in one
        # vectorised call (scipy computes them element by element: the values of one call per pair)
        decided = rows["decided_here"].to_numpy(dtype=np.int64)
        wins = rows["wins_here"].to_numpy(dtype=np.int64)
        decided_elsewhere = rows["decided_elsewhere"].to_numpy(dtype=np.int64)
        wins_elsewhere = rows["wins_elsewhere"].to_numpy(dtype=np.int64)
        fisher = (decided > 0) & (decided_elsewhere >= s.affinity_min_reference_cases)
        binomial = (decided > 0) & ~fisher
        win_test = np.where(fisher, "fisher_exact_vs_lawyer_elsewhere",
                            np.where(binomial, "binomial_vs_side_reference", "none")).tolist()
        side_ref = np.clip(rows["side_reference_rate"].to_numpy(dtype=float), 0.01, 0.99)
        p_win = np.ones(len(rows))
        p_win[fisher] = _fisher_greater(wins[fisher], (decided - wins)[fisher], wins_elsewhere[fisher],
                                        (decided_elsewhere - wins_elsewhere)[fisher])
        p_win[binomial] = sps.binom.sf(wins[binomial] - 1, decided[binomial], side_ref[binomial])
        win_ref = [float(w) / float(d) if t == "fisher_exact_vs_lawyer_elsewhere" else
                   float(r) if t == "binomial_vs_side_reference" else None
                   for t, w, d, r in zip(win_test, rows["wins_elsewhere"], rows["decided_elsewhere"], side_ref)]
        # the court's designation share among its other civil cases (half a pseudo-case keeps 0/n above zero)
        court_rate = ((rows["court_designated"] + 0.5) / (rows["court_assign_known"] + 1.0)).to_numpy(dtype=float)
        p_designated = sps.binom.sf(rows["designated_here"].to_numpy(dtype=np.int64) - 1,
                                    rows["assign_known_here"].to_numpy(dtype=np.int64), court_rate)
        p_designated = np.where(rows["assign_known_here"].to_numpy() > 0, p_designated, 1.0)
        p_together = np.minimum(1.0, 2.0 * np.minimum(p_count, p_designated))
        p = np.maximum(p_together, p_win)
        reject, q = bh_select(p, s)
        scores = flag_scores(q)
        out = []
        for i in np.flatnonzero(reject):
            r = rows.iloc[i]
            win_here = r.wins_here / r.decided_here if r.decided_here else None
            desig_here = r.designated_here / r.assign_known_here if r.assign_known_here else None
            zh, en = text.affinity_text(r, win_here, win_ref[i], desig_here, court_rate[i],
                                        against_lawyer=win_test[i] == "fisher_exact_vs_lawyer_elsewhere")
            out.append({
                "subject_type": "judge_lawyer", "subject_id": f"{r.judge_id}|{r.lawyer_id}", "case_id": None,
                "judge_id": str(r.judge_id), "court_id": str(r.court_id),
                "score": float(scores[i]), "level": LEVEL_SET_BY_TRIAGE, "explanation": zh,
                "evidence": {
                    "explanation_en": en,
                    "legal_basis": self.legal_basis,
                    "method": self.method,
                    "peer_comparison": text.AFFINITY_PEERS,
                    "lawyer_id": str(r.lawyer_id),
                    "cases_together": int(r.n_together), "expected_together": r4(r.expected_together),
                    "lawyer_cases_at_court": int(r.lawyer_cases_court), "judge_share_of_court": r4(r.judge_share),
                    "decided_here": int(r.decided_here), "wins_here": int(r.wins_here), "win_rate_here": r4(win_here),
                    "decided_elsewhere": int(r.decided_elsewhere), "win_rate_reference": r4(win_ref[i]),
                    "win_test": win_test[i],
                    "designated_here": int(r.designated_here), "designated_share_here": r4(desig_here),
                    "court_designated_share": r4(court_rate[i]),
                    "p_count": float(p_count[i]), "p_designated": float(p_designated[i]),
                    "p_brought_together": float(p_together[i]), "p_win": float(p_win[i]),
                    "p_value": float(p[i]), "q_value": float(q[i]), "pairs_tested": int(len(rows)),
                    "notice": text.NOTICE,
                },
            })
        note = (f"{len(rows)} pair(s) with at least {s.affinity_min_shared_cases} shared civil cases tested; "
                f"{considered - len(rows)} smaller pair(s) abstain")
        return Detection(flags_frame(out), 0, note)
