"""extension_approval_concentration: deadline extensions (审限延长) concentrated on one judge of a court, or
one approver's approvals concentrated on one judge (issue 15, 不规范司法行为巡查).

Two families of one-sided tests, Benjamini–Hochberg across both at [stats] false_discovery_rate:
- judge: a judge's cases with an approved extension against the court's extended cases of the same case
  types spread over its judges' cases at random — the exact conditional (hypergeometric) test and an
  over-dispersed normal one (φ across the province's judges, as the funnel of Spiegelhalter, Stat Med 2005),
  the larger p-value;
- approver: whether one approver (events.approver_id, contract extension E6) approves a larger share of
  one judge's extensions than it usually does for the court's other judges of the same case kind: the
  larger p of a beta-binomial test (the spread of the other judges' shares sets the over-dispersion) and
  Fisher's exact test (which carries how few approvals the baseline rests on); a judge found concentrated
  on one approver leaves the other approvers' baselines (a second pass).
BH and the score come from detectors/stats.py. Extensions need 特殊情况 and the president's (or the court above's) approval (法释〔2000〕29号); a judge who
needs them far more often than colleagues, or a judge whose extensions one leader always signs, is a
pattern for the court's supervision of adjudicative power (法发〔2015〕13号) to look at, not a breach.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from courtwatch import queries

from ..base import DETECTOR_COLUMNS, NOTICE_EN, NOTICE_ZH, DetectContext, Detection, Detector, Settings
from ..stats import benjamini_hochberg, score_from_q
from .common import LEVEL_SET_BY_TRIAGE

BASIS = ("最高人民法院关于严格执行案件审理期限制度的若干规定（法释〔2000〕29号）：有特殊情况需要延长审理、执行期限的，经本院院长"
         "（或上级人民法院）批准；最高人民法院关于完善人民法院司法责任制的若干意见（法发〔2015〕13号）：审判权力运行监督管理（审限延长）")
NOTICE = f"{NOTICE_ZH} {NOTICE_EN}"
KIND_ZH = {"criminal": "刑事", "civil": "民事", "administrative": "行政", "enforcement": "执行"}
KIND_EN = {"criminal": "criminal", "civil": "civil", "administrative": "administrative", "enforcement": "enforcement"}


@dataclass(frozen=True)
class ExtensionSettings(Settings):
    """The keys of `[patterns]` (and the `[stats]` false-discovery target) this detector reads."""

    section = "patterns"

    false_discovery_rate: float = field(metadata={"section": "stats"})
    standardisation_prior_cases: float
    extension_min_cases: int
    extension_min_pair_approvals: int
    extension_min_ratio: float
    extension_min_pair_share: float


# ----------------------------------------------------------------------------------------------
# statistics


def _hypergeometric_modes(parts) -> np.ndarray:
    """Each part's (x, N, K, n) pmf value at the mode `_hypergeometric_pmf` starts from, in one scipy call (scipy
    computes it element by element: the values of one call per part, without a call's overhead per part)."""
    total, extended, drawn = (np.array([part[i] for part in parts], dtype=np.int64) for i in (1, 2, 3))
    hi = np.minimum(drawn, extended)
    lo = np.maximum(0, drawn + extended - total)
    mode = np.minimum(hi, np.maximum(lo, (drawn + 1) * (extended + 1) // (total + 2)))
    return sps.hypergeom.pmf(mode, total, extended, drawn)


def _hypergeometric_pmf(total: int, extended: int, drawn: int, at_mode: float | None = None) -> np.ndarray:
    """The hypergeometric pmf over 0..min(drawn, extended) (zero below the support's lower end): scipy's (Boost's)
    exact value at the mode and the ratio recurrence f(k+1)/f(k) = (K−k)(n−k) / ((k+1)(N−K−n+k+1)) either side.

    Boost's pmf costs time proportional to N for every value of the support, which made this detector grow as
    cases × court size (190 s at scale 100); the recurrence is O(support), its relative error ~ support × 1e-16,
    and a value below ~1e-308 underflows to 0 as it did there. `at_mode`: the pmf at the mode, when known
    (`_hypergeometric_modes`)."""
    hi = min(drawn, extended)
    lo = max(0, drawn + extended - total)
    pmf = np.zeros(hi + 1)
    if hi < lo:
        return pmf
    mode = min(hi, max(lo, (drawn + 1) * (extended + 1) // (total + 2)))
    pmf[mode] = float(sps.hypergeom.pmf(mode, total, extended, drawn)) if at_mode is None else float(at_mode)
    if mode < hi:
        k = np.arange(mode, hi, dtype=float)
        up = (extended - k) * (drawn - k) / ((k + 1) * (total - extended - drawn + k + 1))
        pmf[mode + 1:] = pmf[mode] * np.cumprod(up)
    if mode > lo:
        k = np.arange(mode, lo, -1, dtype=float)
        down = k * (total - extended - drawn + k) / ((extended - k + 1) * (drawn - k + 1))
        pmf[lo:mode] = (pmf[mode] * np.cumprod(down))[::-1]
    return pmf


def _sum_of_hypergeometric_sf(parts, at_modes=None) -> float:
    """P(S ≥ x) for S a sum of independent hypergeometric counts, parts = [(x, N, K, n), ...] per stratum
    (N cases of which K extended, n of them the judge's; x the judge's extended): the exact conditional test.
    `at_modes`: each part's pmf at its mode, when known (`_hypergeometric_modes`)."""
    pmf = np.ones(1)
    observed = 0
    for i, (x, total, extended, drawn) in enumerate(parts):
        pmf = np.convolve(pmf, _hypergeometric_pmf(int(total), int(extended), int(drawn),
                                                   None if at_modes is None else at_modes[i]))
        observed += x
    return float(min(1.0, pmf[observed:].sum())) if observed < len(pmf) else 0.0


def judge_tests(rows: pd.DataFrame, s: ExtensionSettings) -> pd.DataFrame:
    """One row per tested judge: cases, extended cases, the count expected were the court's extended cases of
    each case type spread over its judges' cases at random, and the one-sided p-value — the larger of the
    exact conditional (hypergeometric) test and the over-dispersed normal one (φ across the province's judges).

    Conditioning on the court's own extensions of each type is what "concentrated on one judge" means, and it
    carries the uncertainty of a small court's peer rate; a case type only this judge hears in the court
    tells nothing and is left out."""
    if rows.empty:
        return pd.DataFrame()
    rows = rows.copy()
    stratum = rows.groupby(["court_id", "case_type"])[["n", "extended"]].transform("sum")
    rows["stratum_n"], rows["stratum_extended"] = stratum["n"], stratum["extended"]
    rows["peer_n"] = rows["stratum_n"] - rows["n"]
    rows["peer_extended"] = rows["stratum_extended"] - rows["extended"]
    rows = rows[(rows["peer_n"] > 0) & (rows["n"] > 0)].copy()
    share = rows["n"] / rows["stratum_n"]
    rows["expected"] = rows["stratum_extended"] * share
    # hypergeometric variance: K (n/N) (1 − n/N) (N − K)/(N − 1)
    rows["variance"] = (rows["stratum_extended"] * share * (1 - share)
                        * (rows["stratum_n"] - rows["stratum_extended"]) / (rows["stratum_n"] - 1).clip(lower=1))
    rows["peer_rate"] = rows["peer_extended"] / rows["peer_n"]
    judges = rows.groupby(["court_id", "judge_id"], sort=True).agg(
        n=("n", "sum"), extended=("extended", "sum"), expected=("expected", "sum"), variance=("variance", "sum"),
        peer_n=("peer_n", "sum"), peer_extended=("peer_extended", "sum")).reset_index()
    judges = judges[(judges["n"] >= int(s.extension_min_cases)) & (judges["variance"] > 0)].reset_index(drop=True)
    if judges.empty:
        return judges
    z = ((judges["extended"] - judges["expected"]) / np.sqrt(judges["variance"])).to_numpy()
    # over-dispersion: mean of winsorised z², never below 1 (Spiegelhalter, Stat Med 2005), as stats.funnel
    if len(z) >= 10:
        lo, hi = np.quantile(z, [0.1, 0.9])
        phi = max(1.0, float(np.mean(np.clip(z, lo, hi) ** 2)))
    else:
        phi = 1.0
    # per judge, its rows' positions (in row order); columns read once as lists, not per group through pandas
    where = rows.groupby(["court_id", "judge_id"], sort=False).indices
    col = {c: rows[c].tolist() for c in ("case_type", "n", "extended", "stratum_n", "stratum_extended", "peer_n",
                                         "peer_extended", "peer_rate")}
    parts = {key: [(col["extended"][i], col["stratum_n"][i], col["stratum_extended"][i], col["n"][i]) for i in at]
             for key, at in where.items()}
    tested = list(zip(judges["court_id"], judges["judge_id"]))
    at_mode = _hypergeometric_modes([part for key in tested for part in parts[key]])
    starts = np.cumsum([0] + [len(parts[key]) for key in tested])
    exact = np.array([_sum_of_hypergeometric_sf(parts[key], at_mode[start:])
                      for key, start in zip(tested, starts)])
    peer_rate = judges["peer_extended"] / judges["peer_n"]
    judges = judges.assign(observed_rate=judges["extended"] / judges["n"], peer_rate=peer_rate,
                           expected_rate=judges["expected"] / judges["n"],
                           ratio=np.where(judges["expected"] > 0, judges["extended"] / judges["expected"].clip(lower=1e-9),
                                          np.inf),
                           z=z / np.sqrt(phi), phi=phi, p_exact=exact,
                           p=np.maximum(exact, sps.norm.sf(z / np.sqrt(phi))))
    judges["by_case_type"] = [
        [{"case_type": str(col["case_type"][i]), "cases": int(col["n"][i]), "extended": int(col["extended"][i]),
          "peer_cases": int(col["peer_n"][i]), "peer_extended": int(col["peer_extended"][i]),
          "peer_rate": _r4(col["peer_rate"][i])}
         for i in where[(c, j)]] for c, j in zip(judges["court_id"], judges["judge_id"])]
    return judges


def _usual_shares(approvals: np.ndarray, totals: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Each approver's usual share of a judge's extensions from the other judges' (approvals: one row per approver,
    their approvals of each other judge's extensions; totals: those judges' extensions): the pooled share, and the
    beta-binomial over-dispersion ρ of the judges' shares around it by the method of moments (Kleinman, JASA 1973).
    ρ carries what varies between judges — divisions, and any other concentrated pair in the court — into the
    test, so that one concentrated pair does not make others look so. One row at a time, each sum along the row
    (the values of one approver's computation alone), for all of a judge's approvers in one pass."""
    n = totals.astype(float)
    m = np.clip(approvals.sum(axis=1) / n.sum(), floor, 1 - 1e-6)
    shares = approvals / n
    spread = np.sum(n * (shares - m[:, None]) ** 2, axis=1) / n.sum()
    k_over_n = len(n) / n.sum()
    rho = (spread / (m * (1 - m)) - k_over_n) / (1 - k_over_n) if k_over_n < 1 else np.zeros(len(m))
    return m, np.clip(rho, 0.0, 0.99)


def _usual_share(approvals: np.ndarray, totals: np.ndarray, floor: float) -> tuple[float, float]:
    """One approver's `_usual_shares`: (usual share, ρ)."""
    m, rho = _usual_shares(np.asarray(approvals)[None, :], np.asarray(totals), floor)
    return float(m[0]), float(rho[0])


def _pair_tails(x, n, usual, rho, others_x, others_n) -> np.ndarray:
    """The p of each pair (arrays: x of the judge's n extensions approved by the approver, its usual share and ρ,
    its approvals of the other judges' extensions and those extensions): each scipy tail in one vectorised call
    (scipy computes them element by element, so the values are those of one call per pair)."""
    p = np.zeros(len(x))
    over = rho > 1e-6
    if over.any():
        a, b = usual[over] * (1 / rho[over] - 1), (1 - usual[over]) * (1 / rho[over] - 1)
        p[over] = sps.betabinom.sf(x[over] - 1, n[over], a, b)
    if (~over).any():
        p[~over] = sps.binom.sf(x[~over] - 1, n[~over], usual[~over])
    # and Fisher's exact test against the others' approvals, which carries how few they are: its one-sided
    # 'greater' p of [[x, n − x], [others_x, others_n − others_x]] as scipy.stats.fisher_exact computes it
    # (1 where a row or column of the table is empty, else the hypergeometric cdf of the second column)
    second = (n - x) + (others_n - others_x)
    empty = (n == 0) | (others_n == 0) | (x + others_x == 0) | (second == 0)
    fisher = np.ones(len(x))
    if (~empty).any():
        fisher[~empty] = np.minimum(sps.hypergeom.cdf(
            (n - x)[~empty], (n + others_n)[~empty], n[~empty], second[~empty]), 1.0)
    return np.maximum(p, fisher)


def pair_tests(rows: pd.DataFrame, s: ExtensionSettings) -> pd.DataFrame:
    """One row per tested (approver, judge) pair of a court and case kind with at least two approvers: is the
    approver's share of the judge's extensions above its usual share of the court's other judges' extensions of
    that kind? The larger one-sided p of two exact tests: beta-binomial around the usual share (binomial where the
    other judges' shares vary no more than chance), and Fisher's against the other judges' approvals (which
    carries how few they are).

    The baseline needs at least two other judges. A judge who is an approver in the stratum is neither tested
    nor a baseline (nobody approves their own extensions, so the others' shares of theirs are higher by rule),
    and nor is, in a second pass, a judge whose extensions one approver was found to sign (Benjamini–Hochberg
    over the first pass): one concentrated pair would otherwise lower that approver's colleagues' usual share
    and make their pairs look concentrated."""
    rows = rows[rows["approver_id"].notna()]
    strata = []
    for (court, kind), grp in rows.groupby(["court_id", "case_kind"], sort=True):
        approvers = sorted(set(grp["approver_id"]))
        if len(approvers) < 2:
            continue
        # the judge × approver table of approvals (judges and approvers in sorted order), built with NumPy: a
        # pandas pivot_table per court and case kind took about a third of the detector's time at scale 100
        judge_ids, judge_at = np.unique(grp["judge_id"].to_numpy(dtype=object), return_inverse=True)
        column = {a: i for i, a in enumerate(approvers)}
        table = np.zeros((len(judge_ids), len(approvers)), dtype=np.int64)
        np.add.at(table, (judge_at, [column[a] for a in grp["approver_id"]]), grp["approvals"].to_numpy(dtype=np.int64))
        totals = table.sum(axis=1)
        tested = ~np.isin(judge_ids, np.array(approvers, dtype=object)) & (totals > 0)
        if tested.sum() >= 3:  # the judge and at least two others to set the baseline
            strata.append((court, kind, approvers, table[tested], totals[tested], [str(j) for j in judge_ids[tested]]))

    def run(excluded: set, previous: dict | None = None) -> list[dict]:
        """The tests with `excluded` judges out of the baselines; a stratum none of them is in keeps `previous`'s."""
        out: list[dict] = []
        tests = []
        for court, kind, approvers, counts, ns, judge_ids in strata:
            gone = {j for c, k, j in excluded if (c, k) == (court, kind)}
            if previous is not None and not gone:
                out.extend(previous[(court, kind)])
                continue
            floor = 1.0 / (2 * len(approvers))
            columns = approvers
            kept = ~np.isin(np.array(judge_ids, dtype=object), np.array(sorted(gone), dtype=object)) if gone \
                else np.ones(len(judge_ids), dtype=bool)
            by_approver = counts.sum(axis=0)
            by_row = np.ascontiguousarray(counts.T)  # one row per approver: its approvals of each judge
            for i, judge in enumerate(judge_ids):
                n = int(ns[i])
                if n < int(s.extension_min_pair_approvals):
                    continue
                others = kept.copy()
                others[i] = False
                if others.sum() < 2:
                    continue
                base_n = ns[others]
                tested = [a for a in range(len(columns)) if counts[i, a] >= int(s.extension_min_pair_approvals)]
                if not tested:
                    continue
                base_x = by_row[np.ix_(tested, np.flatnonzero(others))]
                usual, rho = _usual_shares(base_x, base_n, floor)
                others_n = int(base_n.sum())
                for k, a in enumerate(tested):
                    approver, x = columns[a], int(counts[i, a])
                    tests.append((x, n, usual[k], rho[k], int(base_x[k].sum()), others_n))
                    out.append({"court_id": court, "case_kind": kind, "approver_id": approver, "judge_id": judge,
                                "approvals": x, "by_judge": n, "by_approver": int(by_approver[a]),
                                "total": int(ns.sum()), "approvers": len(approvers),
                                "other_judges": int(others.sum())})
        if tests:
            x, n, usual, rho, others_x, others_n = (np.array(column) for column in zip(*tests))
            p = _pair_tails(x, n, usual, rho, others_x, others_n)
            fresh = [r for r in out if "p" not in r]
            for r, pi, ui, ri in zip(fresh, p, usual, rho):
                r.update(share=r["approvals"] / r["by_judge"], usual_share=float(ui), rho=float(ri), p=float(pi))
        return out

    def by_stratum(found: list[dict]) -> dict:
        grouped: dict = {(court, kind): [] for court, kind, *_ in strata}
        for r in found:
            grouped[(r["court_id"], r["case_kind"])].append(r)
        return grouped

    first = run(set())
    if first:
        reject, _ = benjamini_hochberg([r["p"] for r in first], float(s.false_discovery_rate))
        concentrated = {(r["court_id"], r["case_kind"], r["judge_id"]) for r, hit in zip(first, reject) if hit}
        pairs = pd.DataFrame(run(concentrated, by_stratum(first)) if concentrated else first)
    else:
        pairs = pd.DataFrame()
    if not pairs.empty:
        pairs["ratio"] = pairs["share"] / pairs["usual_share"]
    return pairs


def _r4(x):
    if x is None:
        return None
    x = float(x)
    return None if not np.isfinite(x) else round(x, 4)


# ----------------------------------------------------------------------------------------------
# wording


def _pct(x) -> str:
    x = float(x)
    if not np.isfinite(x):
        return "?"
    return f"{100 * x:.1f}%" if abs(x) < 0.1 else f"{100 * x:.0f}%"


def judge_text(r) -> tuple[str, str]:
    zh = (f"法官{r.judge_id}承办的{int(r.n)}件案件中{int(r.extended)}件经批准延长审限（{_pct(r.observed_rate)}），"
          f"约为本院同类案件其他承办人比例（{_pct(r.expected_rate)}）的{r.ratio:.1f}倍，超出漏斗图控制限，"
          f"经多重比较校正后仍显著。")
    en = (f"Judge {r.judge_id} had an approved deadline extension on {int(r.extended)} of {int(r.n)} cases "
          f"({_pct(r.observed_rate)}), {r.ratio:.1f}× the share of the court's other judges on cases of the same types "
          f"({_pct(r.expected_rate)}); beyond the funnel plot's control limit and significant after multiple-testing "
          f"correction.")
    return zh, en


def pair_text(r) -> tuple[str, str]:
    kind_zh, kind_en = KIND_ZH.get(r.case_kind, r.case_kind), KIND_EN.get(r.case_kind, r.case_kind)
    zh = (f"法官{r.judge_id}的{int(r.by_judge)}次延长审限中{int(r.approvals)}次由{r.approver_id}批准（{_pct(r.share)}），"
          f"而{r.approver_id}在本院其他{int(r.other_judges)}名承办人{kind_zh}案件的延长中通常只批准{_pct(r.usual_share)}"
          f"，经多重比较校正后仍显著。")
    en = (f"{int(r.approvals)} of judge {r.judge_id}'s {int(r.by_judge)} deadline extensions were approved by "
          f"{r.approver_id} ({_pct(r.share)}), who usually approves {_pct(r.usual_share)} of the extensions of the "
          f"court's {int(r.other_judges)} other judges on {kind_en} cases; significant after "
          f"multiple-testing correction.")
    return zh, en


JUDGE_PEERS = ("同院同案件类型的其他承办人，样本少时向全省同类案件借力 (the court's other judges on cases of the same type, "
               "borrowing from the province where they are few)")
PAIR_PEERS = ("该批准人对同院同类案件其他承办人延长审限的批准比例 (the approver's usual share of the court's other "
              "judges' extensions of the same case kind)")


# ----------------------------------------------------------------------------------------------
# the detector


class ExtensionApprovalConcentration(Detector):
    """审限延长集中 — extensions concentrated on one judge, or one approver's approvals on one judge."""

    name = "extension_approval_concentration"
    category = "integrity"
    subject_type = "judge"
    needs = ("cases",)
    title_zh = "审限延长集中于个别法官或个别批准人"
    title_en = "Deadline extensions concentrated on one judge or one approver"
    method = ("Judges: cases with an approved extension against the court's extensions of the same case types spread "
              "over its judges at random (exact conditional hypergeometric test, and an over-dispersed normal one; "
              "the larger one-sided p). Approvers: the approver's share of one judge's extensions against its share "
              "of the court's other judges' of the same case kind (the larger p of an exact beta-binomial test, "
              "over-dispersion from the other judges, and Fisher's exact test; judges found concentrated on one "
              "approver leave the others' baselines). Benjamini–Hochberg across both families.")
    legal_basis = BASIS
    false_alarm_control = ("BH at [stats] false_discovery_rate across every judge and approver–judge test; "
                           "over-dispersion φ estimated across the province's judges; a flag also needs the rate "
                           "(or the approver's share) at least [patterns] extension_min_ratio × the peers', and an approver "
                           "to have signed at least extension_min_pair_share of the judge's extensions. Judges "
                           "with fewer than [patterns] extension_min_cases cases, and pairs with fewer than "
                           "extension_min_pair_approvals approvals, abstain; so do a court and case kind with one "
                           "approver or fewer than three judges with extensions, and a judge who is an approver there.")
    limitations = ("Case difficulty within a case type is not adjusted for: a judge given the hard cases by policy "
                   "needs more extensions. Approvals follow divisions (a vice-president signs for the divisions they "
                   "supervise), so an approver–judge concentration within one case kind can be the court's "
                   "organisation; the approver test needs events.approver_id (contract extension E6) and abstains "
                   "without it. cases.extensions counts approvals, not their length or lawfulness "
                   "(case_past_time_limit judges that).")

    def detect(self, ctx: DetectContext) -> Detection:
        s = ExtensionSettings.from_config(ctx.config)
        by_judge = queries.run(ctx.con, "pattern_extension_by_judge", as_of=ctx.as_of)
        by_approver = queries.run(ctx.con, "pattern_extension_by_approver", as_of=ctx.as_of)
        skipped = int(by_judge["unknown"].sum()) if not by_judge.empty else 0
        judges = judge_tests(by_judge, s)
        pairs = pair_tests(by_approver, s) if not by_approver.empty else pd.DataFrame()
        no_approver = int(by_approver.loc[by_approver["approver_id"].isna(), "approvals"].sum()) \
            if not by_approver.empty else 0
        p = np.concatenate([judges["p"].to_numpy() if not judges.empty else np.zeros(0),
                            pairs["p"].to_numpy() if not pairs.empty else np.zeros(0)])
        note = (f"{len(judges)} judge test(s), {len(pairs)} approver–judge test(s)"
                + (f"; {no_approver} extension(s) without a recorded approver" if no_approver else "")
                + (f"; {skipped} case(s) with an unknown extension count left out" if skipped else ""))
        if p.size == 0:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), skipped, note + " (abstained)")
        reject, q = benjamini_hochberg(p, float(s.false_discovery_rate))
        floor = float(s.extension_min_ratio)
        nj = len(judges)
        subjects: dict[str, dict] = {}
        if nj:
            judges = judges.assign(q=q[:nj], reject=reject[:nj])
            for r in judges[judges["reject"] & (judges["ratio"] >= floor)].itertuples():
                zh, en = judge_text(r)
                approvers = by_approver[(by_approver["judge_id"] == r.judge_id) & by_approver["approver_id"].notna()]
                subjects.setdefault(str(r.judge_id), {"court_id": str(r.court_id), "parts": []})["parts"].append({
                    "q": float(r.q), "zh": zh, "en": en, "peers": JUDGE_PEERS,
                    "evidence": {"test": "judge", "court_id": str(r.court_id), "cases": int(r.n),
                                 "extended": int(r.extended), "observed_rate": _r4(r.observed_rate),
                                 "expected_extended": _r4(r.expected), "expected_rate": _r4(r.expected_rate),
                                 "peer_cases": int(r.peer_n), "peer_extended": int(r.peer_extended),
                                 "peer_rate": _r4(r.peer_rate), "ratio": _r4(r.ratio),
                                 "overdispersion_phi": _r4(r.phi), "z": _r4(r.z), "p_exact": float(r.p_exact),
                                 "p_value": float(r.p),
                                 "q_value": float(r.q), "by_case_type": r.by_case_type,
                                 "approvers": {str(a): int(n) for a, n in approvers.groupby("approver_id")["approvals"]
                                               .sum().sort_values(ascending=False).items()}}})
        if len(pairs):
            pairs = pairs.assign(q=q[nj:], reject=reject[nj:])
            share_floor = float(s.extension_min_pair_share)
            for r in pairs[pairs["reject"] & (pairs["ratio"] >= floor) & (pairs["share"] >= share_floor)].itertuples():
                zh, en = pair_text(r)
                subjects.setdefault(str(r.approver_id), {"court_id": str(r.court_id), "parts": []})["parts"].append({
                    "q": float(r.q), "zh": zh, "en": en, "peers": PAIR_PEERS,
                    "evidence": {"test": "approver", "court_id": str(r.court_id), "case_kind": str(r.case_kind),
                                 "approver_id": str(r.approver_id), "judge_id": str(r.judge_id),
                                 "approvals_for_judge": int(r.approvals), "extensions_of_judge": int(r.by_judge),
                                 "approvals_by_approver": int(r.by_approver), "extensions_in_court_kind": int(r.total),
                                 "approvers_in_court_kind": int(r.approvers), "other_judges": int(r.other_judges),
                                 "share": _r4(r.share), "usual_share": _r4(r.usual_share), "ratio": _r4(r.ratio),
                                 "overdispersion_rho": _r4(r.rho),
                                 "p_value": float(r.p), "q_value": float(r.q)}})
        out = []
        for subject, found in sorted(subjects.items()):
            parts = sorted(found["parts"], key=lambda part: part["q"])
            qmin = parts[0]["q"]
            score = float(score_from_q([qmin])[0])
            out.append({
                "subject_type": "judge", "subject_id": subject, "case_id": None, "judge_id": subject,
                "court_id": found["court_id"], "score": score, "level": LEVEL_SET_BY_TRIAGE,
                "explanation": "".join(part["zh"] for part in parts),
                "evidence": {"explanation_en": " ".join(part["en"] for part in parts), "legal_basis": self.legal_basis,
                             "method": self.method, "peer_comparison": "；".join(dict.fromkeys(part["peers"] for part in parts)),
                             "tests": [part["evidence"] for part in parts], "q_value": qmin,
                             "tests_in_family": int(p.size), "notice": NOTICE},
            })
        flags = pd.DataFrame(out, columns=DETECTOR_COLUMNS) if out else pd.DataFrame(columns=DETECTOR_COLUMNS)
        return Detection(flags, skipped, note)
