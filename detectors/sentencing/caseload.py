"""Caseload tests of the sentencing model: is a judge's or a court's mean deviation more than chance?

Each sentence's deleted residual (fit.py), clipped, weighted by what the fit did not absorb, averaged
per unit and tested against its peers with a robust between-unit variance and empirical-Bayes
shrinkage (detectors/stats.py). CaseloadDeviation is the body judge_sentencing_deviation.py and
court_sentencing_deviation.py share; their wording is text.py's.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..base import DETECTOR_COLUMNS, DetectContext, Detection, Detector, level_for
from ..stats import benjamini_hochberg, robust_scale, score_from_q, shrink_means, two_sided_p
from . import text
from .fit import SentencingModel, SentencingSettings, fit_model


def peer_distribution(values: np.ndarray) -> dict:
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return {}
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {f"p{int(k)}": round(float(math.exp(v) - 1) * 100, 1) for k, v in zip((5, 25, 50, 75, 95), q)}



def _unit_means(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Per unit: sentences n, the weighted mean of their clipped deleted residuals and its sampling variance."""
    g = rows.groupby(unit, sort=True).agg(n=("u_weighted", "size"), total=("u_weighted", "sum"),
                                          weight=("w_i", "sum"), var_total=("var_weighted", "sum")).reset_index()
    g["mean"] = g["total"] / g["weight"]
    g["sampling_var"] = g["var_total"] / g["weight"] ** 2
    return g


def caseload_rows(model: SentencingModel) -> pd.DataFrame:
    """The model rows with what a caseload mean needs: w_i, w_i·u_i and w_i²·Var(u_i).

    u_i is the sentence's deleted residual (fit.py: its distance from a fit that did not see
    it), clipped at ±clip_z of its own spread so that one extreme sentence (which sentence_deviation
    reports itself) cannot carry a caseload. The weight w_i = 1 − h_i (the share of the sentence the
    fit did not absorb) makes w_i·u_i the raw residual: a unit's mean is its residuals' sum over its
    effective count, and a sentence in a tiny peer group counts for what it can tell.
    """
    rows = model.rows
    factor = rows["deleted_var_factor"].astype(float)
    spread = rows["scale"].astype(float) * np.sqrt(factor)
    u = np.clip(rows["resid_deleted"].astype(float), -model.clip_z * spread, model.clip_z * spread)
    w = 1.0 / factor
    kappa = model.clipped_variance_factor()
    return rows.assign(w_i=w, u_weighted=w * u, var_weighted=w ** 2 * kappa * spread ** 2)


def _robust_tau2(means: np.ndarray, sampling_var: np.ndarray) -> float:
    """Between-unit variance from the MAD of unit means, so a few deviant units do not hide themselves."""
    if len(means) < 10:
        return 0.0
    return max(0.0, robust_scale(means) ** 2 - float(np.median(sampling_var)))


def caseload_test(model: SentencingModel, unit: str, min_cases: int, reference: str | None = None,
                  exclude_units: dict[str, set] | None = None) -> pd.DataFrame:
    """Each unit's (judge's or court's) mean Huber-clipped residual, shrunk, with a test against its peers.

    The residual of a sentence is clipped at ±clip_z·spread first, so one extreme sentence (which
    sentence_deviation reports itself) cannot make a caseload look deviant. Under 'no unit effect'
    the mean's variance is the sum of its cases' clipped-residual variances / n²; real units also
    differ a little among themselves, so the test adds the between-unit variance tau² estimated
    robustly (MAD of the unit means, so the few deviant units do not hide themselves) — the
    additive analogue of the funnel plot's over-dispersion (Spiegelhalter 2005).

    `reference` (court_id for judges): a judge is compared with the level of his or her court,
    estimated from the court's *other* judges and shrunk toward the province by how much courts
    really differ (nested empirical Bayes). Where courts differ, a court-wide level is not charged
    to its judges; where they do not, one deviant colleague in a small court does not make the
    others look deviant. `exclude_units` ({column: ids}) leaves out cases already explained
    elsewhere (e.g. the cases of flagged judges when testing courts).
    """
    rows = caseload_rows(model).dropna(subset=[unit])
    for column, ids in (exclude_units or {}).items():
        rows = rows[~rows[column].isin(ids)]
    if rows.empty:
        return pd.DataFrame()
    if reference:
        # a unit belongs to the reference group holding most of its cases (one row per unit, always)
        home = (rows.groupby([unit, reference]).size().reset_index(name="k")
                .sort_values([unit, "k", reference], ascending=[True, False, True]).drop_duplicates(unit))
        rows = rows.drop(columns=[reference]).merge(home[[unit, reference]], on=unit, how="left")
    g = _unit_means(rows, unit)
    if reference:
        g = g.merge(rows[[unit, reference]].drop_duplicates(unit), on=unit, how="left")
    tested = g[g["n"] >= min_cases].copy()
    if tested.empty:
        return tested
    if reference:
        ref = _unit_means(rows, reference).rename(columns={"n": "ref_n", "total": "ref_total", "var_total": "ref_var",
                                                           "weight": "ref_weight", "mean": "ref_mean",
                                                           "sampling_var": "ref_sv"})
        tau2_ref = _robust_tau2(ref.loc[ref["ref_n"] >= min_cases, "ref_mean"].to_numpy(),
                                ref.loc[ref["ref_n"] >= min_cases, "ref_sv"].to_numpy())
        tested = tested.merge(ref[[reference, "ref_n", "ref_total", "ref_var", "ref_weight"]], on=reference, how="left")
        other_n = (tested["ref_n"] - tested["n"]).to_numpy()
        other_w = np.maximum((tested["ref_weight"] - tested["weight"]).to_numpy(), 1e-9)
        loo_mean = np.where(other_n > 0, (tested["ref_total"] - tested["total"]).to_numpy() / other_w, 0.0)
        loo_var = np.where(other_n > 0, (tested["ref_var"] - tested["var_total"]).to_numpy() / other_w ** 2, 0.0)
        weight = (np.where(other_n > 0, tau2_ref / (tau2_ref + np.maximum(loo_var, 1e-12)), 0.0) if tau2_ref > 0
                  else np.zeros(len(tested)))
        tested["reference_mean"] = weight * loo_mean
        tested["reference_weight"] = weight
        tested["reference_n"] = other_n
        tested["own_sampling_var"] = tested["sampling_var"]
        tested["sampling_var"] = tested["sampling_var"] + weight ** 2 * loo_var
        tested["tau2_reference"] = tau2_ref
    else:
        tested["reference_mean"] = 0.0
        tested["reference_weight"] = 0.0
        tested["reference_n"] = len(rows)
        tested["tau2_reference"] = 0.0
    tested["deviation"] = tested["mean"] - tested["reference_mean"]
    dev = tested["deviation"].to_numpy()
    sv = tested["sampling_var"].to_numpy()
    tau2 = _robust_tau2(dev, sv)
    tested["tau2_robust"] = tau2
    tested["z"] = dev / np.sqrt(sv + tau2)
    tested["p"] = two_sided_p(tested["z"])
    if reference:
        # Deviant against the province AND against the own court (an intersection–union test: the
        # larger p-value is a valid one). A judge in a small court with one far deviant colleague
        # looks deviant against that court's level only; a judge of a court that sentences harshly
        # as a whole looks deviant against the province only — neither is flagged as a judge.
        mean = tested["mean"].to_numpy()
        own_sv = tested["own_sampling_var"].to_numpy()
        tau2_province = _robust_tau2(mean, own_sv)
        z_province = mean / np.sqrt(own_sv + tau2_province)
        tested["z_province"] = z_province
        tested["p_province"] = two_sided_p(z_province)
        weaker = tested["p_province"].to_numpy() > tested["p"].to_numpy()
        tested["z"] = np.where(weaker, z_province, tested["z"].to_numpy())
        tested["p"] = np.maximum(tested["p"].to_numpy(), tested["p_province"].to_numpy())
    # shrink_means takes one within-unit variance; pass each unit's own as 'effective counts'
    pooled = float(np.median(sv * tested["n"].to_numpy()))
    shrunk, se, tau2_mom = shrink_means(dev, counts=pooled / sv, within_var=pooled)
    tested["shrunk"] = shrunk
    tested["shrunk_se"] = se
    tested["tau2_mom"] = tau2_mom
    return tested


class CaseloadDeviation(Detector):
    """Shared body of the judge- and court-level detectors: `unit` is the column tested, `min_key` and
    `effect_key` the SentencingSettings fields for its minimum caseload and minimum effect."""

    unit: str
    unit_zh: str
    min_key: str
    effect_key: str
    reference: str | None = None
    shared_model = "sentencing"  # fit.fit_model

    def excluded_units(self, model: SentencingModel, settings: SentencingSettings) -> dict[str, set]:
        return {}

    def detect(self, ctx: DetectContext) -> Detection:
        settings = SentencingSettings.from_config(ctx.config)
        model = fit_model(ctx)
        min_cases = int(getattr(settings, self.min_key))
        excluded = self.excluded_units(model, settings)
        tested = caseload_test(model, self.unit, min_cases, self.reference, excluded)
        units_total = model.rows[self.unit].nunique() if not model.rows.empty else 0
        skipped_units = units_total - len(tested)
        note = (f"{len(tested)} {self.unit.split('_')[0]}s tested; {skipped_units} with fewer than {min_cases} "
                f"scored custodial sentences not tested")
        if tested.empty:
            return Detection(pd.DataFrame(columns=DETECTOR_COLUMNS), 0, note)
        fdr = settings.false_discovery_rate
        reject, q = benjamini_hochberg(tested["p"].to_numpy(), fdr)
        tested["q"] = q
        # significant AND large enough to matter: a caseload a few percent off is not worth a warning
        min_effect = float(getattr(settings, self.effect_key))
        large = np.abs(np.expm1(tested["deviation"].to_numpy())) >= min_effect
        flagged = tested.loc[reject & large].sort_values(self.unit)
        peer = peer_distribution(tested["deviation"].to_numpy())
        records = []
        for r in flagged.to_dict("records"):
            ratio = math.exp(r["deviation"])
            shrunk_ratio = math.exp(r["shrunk"])
            lo, hi = (math.exp(r["shrunk"] + s * 1.96 * r["shrunk_se"]) for s in (-1, 1))
            raw_lo, raw_hi = (math.exp(r["deviation"] + s * 1.96 * math.sqrt(r["sampling_var"] + r["tau2_robust"]))
                              for s in (-1, 1))
            score = float(score_from_q([r["q"]])[0])
            explanation, explanation_en = text.caseload_text(self.unit_zh, self.unit.split("_")[0], r["n"], ratio,
                                                             shrunk_ratio, raw_lo, raw_hi, fdr,
                                                             against_court=bool(self.reference))
            subject = r[self.unit]
            evidence = {
                "explanation_en": explanation_en,
                "legal_basis": text.BASIS_SENTENCE,
                "method": self.method,
                "n_sentences": int(r["n"]),
                "mean_deviation_pct": round((ratio - 1) * 100, 1),
                "mean_deviation_log": round(r["deviation"], 4),
                "interval_95_pct": [round((raw_lo - 1) * 100, 1), round((raw_hi - 1) * 100, 1)],
                "shrunken_deviation_pct": round((shrunk_ratio - 1) * 100, 1),
                "shrunken_interval_95_pct": [round((lo - 1) * 100, 1), round((hi - 1) * 100, 1)],
                "shrinkage_note": text.SHRINKAGE_NOTE,
                "z": round(r["z"], 3), "p": r["p"], "q": r["q"], "false_discovery_rate": fdr,
                "peer_comparison": {
                    "reference": text.REFERENCE_COURT_LEVEL if self.reference else text.REFERENCE_PROVINCE,
                    "reference_n_sentences": int(r["reference_n"]),
                    "reference_mean_deviation_pct": round((math.exp(r["reference_mean"]) - 1) * 100, 1),
                    "reference_weight": round(float(r["reference_weight"]), 3),
                    **({"against_province_z": round(float(r["z_province"]), 3),
                        "against_province_p": float(r["p_province"]),
                        "test": text.INTERSECTION_UNION} if self.reference else {}),
                    "units_tested": int(len(tested)),
                    "between_unit_spread_log": round(math.sqrt(r["tau2_robust"]), 4),
                    "unit_deviation_pct_quantiles": peer,
                },
                "charges": model.rows.loc[model.rows[self.unit] == subject, "peer_group"].value_counts().head(8).to_dict(),
                "notice": text.notice(),
            }
            judge_id = subject if self.unit == "judge_id" else None
            court_id = r.get("court_id") if self.unit == "judge_id" else subject
            records.append({"subject_type": self.subject_type, "subject_id": str(subject), "case_id": None,
                            "judge_id": judge_id, "court_id": court_id, "score": score, "level": level_for(score),
                            "explanation": explanation, "evidence": evidence})
        return Detection(pd.DataFrame(records, columns=DETECTOR_COLUMNS), 0,
                         note + f"; {len(records)} flagged")
