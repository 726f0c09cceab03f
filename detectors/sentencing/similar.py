"""The legally most similar other cases behind a sentencing warning (and the review list's top entries).

Reads the fitted model (fit.py) and its design (design.py); the factors are worded by text.py.
"""
from __future__ import annotations

import numpy as np

from courtwatch.detectors import law

from ..base import DetectContext
from .design import CIRCUMSTANCES, POOLED_GROUP, build_design, is_na
from .fit import SentencingModel, SentencingSettings, peer_group_features
from .text import factors_zh, sentence_zh


def flag_context(ctx: DetectContext, model: SentencingModel, defendant_ids: list[str], k: int) -> dict[str, dict]:
    """For each flagged defendant: its legal factors and the k legally most similar peers (other cases).

    Similarity is measured where it matters to the sentence: the distance between two defendants
    is the distance between their factor vectors weighted by the model's coefficients, i.e. how
    differently the legal factors alone would sentence them. Only the groups holding a warning are
    read again (one query each), so memory stays per partition.
    """
    settings = SentencingSettings.from_config(ctx.config)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)  # charge → measure only
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    out: dict[str, dict] = {}
    for group, targets in wanted.groupby("peer_group"):
        if group == POOLED_GROUP:  # never tested one by one, so never behind a warning
            continue
        fit = model.groups[group]
        rows, X, names, measures, _ = build_design(group, peer_group_features(ctx, group), frames,
                                                   settings.sentencing_min_not_recorded, model.charge_measures)
        if names != fit.columns:  # the data changed under us: give the factors without peers
            X = None
        records = rows.to_dict("records")
        ids = rows["defendant_id"].to_numpy()
        cases = rows["case_id"].to_numpy()
        position = {d: i for i, d in enumerate(ids)}
        weighted = X * fit.params if X is not None else None
        fitted = X @ fit.params if X is not None else None
        for defendant in targets["defendant_id"]:
            i = position.get(defendant)
            if i is None:
                continue
            record = records[i]
            entry = {
                "factors_zh": factors_zh(record, measures),
                "severity": {m: record.get(m) for m in measures},
                "tier": None if is_na(record.get("tier")) else int(record["tier"]),
                "circumstances": {c: (None if is_na(record.get(c)) else bool(record.get(c))) for c in CIRCUMSTANCES},
                "similar_cases": [],
            }
            if weighted is not None:
                distance = np.sqrt(((weighted - weighted[i]) ** 2).sum(axis=1))
                distance[cases == cases[i]] = np.inf  # co-defendants are not 'other similar cases'
                order = np.lexsort((ids, distance))[:k]
                for j in order:
                    if not np.isfinite(distance[j]):
                        continue
                    peer = records[j]
                    entry["similar_cases"].append({
                        "case_id": peer["case_id"],
                        "defendant_id": peer["defendant_id"],
                        "court_id": peer["court_id"],
                        "sentence": sentence_zh(peer["sentence_kind"], peer["term_months"]),
                        "term_months": float(peer["term_months"]),
                        "expected_months": round(float(np.exp(fitted[j])), 1),
                        "factors": factors_zh(peer, measures),
                        "factor_distance": round(float(distance[j]), 3),
                    })
            out[defendant] = entry
    return out
