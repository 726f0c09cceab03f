"""The legally most similar other cases behind a sentencing warning (and the review list's top entries).

Reads the fitted model (fit.py) and its design (design.py); the factors are worded by text.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from courtwatch.detectors import law

from ..base import DetectContext
from .design import CIRCUMSTANCES, POOLED_GROUP, build_design, is_na
from .fit import SentencingModel, SentencingSettings, peer_group_features, staged_features
from .text import factors_zh, sentence_zh

# Relative slack on a k-d tree radius: the tree's distances and ours are the same sums of squares in
# a different order, so they may differ in the last bits; the slack only widens the candidate set.
_RADIUS_SLACK = 1e-9


def flag_context(ctx: DetectContext, model: SentencingModel, defendant_ids: list[str], k: int) -> dict[str, dict]:
    """For each flagged defendant: its legal factors and the k legally most similar peers (other cases).

    Similarity is measured where it matters to the sentence: the distance between two defendants
    is the distance between their factor vectors weighted by the model's coefficients, i.e. how
    differently the legal factors alone would sentence them; ties go to the smaller defendant id.
    The peers are the group's rows as the model was fitted on them (the design it keeps,
    fit.GroupFit.design), and all of a group's flags are answered in one batched pass
    (`nearest_peers`), so the cost grows with flags × k, not flags × peers.
    """
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    out: dict[str, dict] = {}
    for group, targets in wanted.groupby("peer_group"):
        if group == POOLED_GROUP:  # never tested one by one, so never behind a warning
            continue
        fit = model.groups[group]
        if fit.design is None:  # a model assembled without its designs (tests): read and build it again
            rows, X, names, measures = _design_again(ctx, model, group)
        else:
            rows, X, measures, names = fit.design.rows, fit.design.X, fit.design.measures, fit.columns
        if names != fit.columns:  # the data changed under us: give the factors without peers
            X = None
        ids = rows["defendant_id"].to_numpy()
        cases = rows["case_id"].to_numpy()
        position = {d: i for i, d in enumerate(ids)}
        found = [(d, position[d]) for d in targets["defendant_id"] if d in position]
        if not found:
            continue
        target_rows = np.array([i for _, i in found], dtype=np.int64)
        if X is not None:
            fitted = X @ fit.params
            peers, distances = nearest_peers(X * fit.params, ids, cases, target_rows, k)
        else:
            fitted, peers, distances = None, [[] for _ in found], [[] for _ in found]
        # records only for the rows a warning shows (the targets and their peers), not the whole group
        shown = np.unique(np.concatenate([target_rows] + [np.asarray(p, dtype=np.int64) for p in peers]))
        records = dict(zip(shown.tolist(), rows.iloc[shown].to_dict("records")))
        for (defendant, i), peer_rows, peer_distances in zip(found, peers, distances):
            record = records[i]
            entry = {
                "factors_zh": factors_zh(record, measures),
                "severity": {m: record.get(m) for m in measures},
                "tier": None if is_na(record.get("tier")) else int(record["tier"]),
                "circumstances": {c: (None if is_na(record.get(c)) else bool(record.get(c))) for c in CIRCUMSTANCES},
                "similar_cases": [],
            }
            for j, distance in zip(peer_rows, peer_distances):
                peer = records[j]
                entry["similar_cases"].append({
                    "case_id": peer["case_id"],
                    "defendant_id": peer["defendant_id"],
                    "court_id": peer["court_id"],
                    "sentence": sentence_zh(peer["sentence_kind"], peer["term_months"]),
                    "term_months": float(peer["term_months"]),
                    "expected_months": round(float(np.exp(fitted[j])), 1),
                    "factors": factors_zh(peer, measures),
                    "factor_distance": round(float(distance), 3),
                })
            out[defendant] = entry
    return out


def _design_again(ctx: DetectContext, model: SentencingModel, group: str):
    settings = SentencingSettings.from_config(ctx.config)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)  # charge → measure only
    with staged_features(ctx):
        features = peer_group_features(ctx, group)
    rows, X, names, measures, _ = build_design(group, features, frames, settings.sentencing_min_not_recorded,
                                               model.charge_measures)
    return rows, X, names, measures


def _distinct_rows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, first row of each code): rows equal byte for byte share a code.

    A hash of each row's bytes (pandas' factorize), where np.unique(axis=0) sorts the rows: 0.3 s
    against 2–5 s for a peer cell of 200,000 rows.
    """
    rows = np.ascontiguousarray(values)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    codes, _ = pd.factorize(pd.Series(keys.tolist(), dtype=object))
    first = np.full(int(codes.max()) + 1 if len(codes) else 0, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return codes.astype(np.int64), first


def nearest_peers(weighted: np.ndarray, ids: np.ndarray, cases: np.ndarray, targets: np.ndarray,
                  k: int) -> tuple[list[list[int]], list[list[float]]]:
    """For each target row: the k rows of other cases nearest in `weighted` (Euclidean), nearest first,
    ties by id; and their distances.

    Exactly what one full scan per target gives (distance to every row, own case excluded, sorted by
    (distance, id)), found through a k-d tree over the distinct vectors: a peer cell holds few distinct
    factor combinations compared with its rows. For each target the tree bounds a radius that holds at
    least k rows of other cases (the k + c nearest distinct vectors, c = the largest case, since only
    the own case's rows are excluded); every distinct vector within it contributes its first k + c rows
    by id, and only those candidates are measured exactly and sorted. Cost: O((n + t·(k + c)) log n).
    """
    n = len(weighted)
    if n == 0 or k <= 0 or len(targets) == 0:
        return [[] for _ in targets], [[] for _ in targets]
    # rows in id order (the query returns them so; sort if not), then grouped by distinct vector
    by_id = np.arange(n)
    if not all(a <= b for a, b in zip(ids[:-1], ids[1:])):
        by_id = np.argsort(ids, kind="stable")
    inverse, first = _distinct_rows(weighted[by_id])
    distinct = weighted[by_id][first]
    members_order = by_id[np.argsort(inverse, kind="stable")]  # rows of vector 0 by id, then of vector 1, …
    starts = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(distinct)))])
    largest_case = int(pd.Series(cases).value_counts().max())
    per_vector = k + largest_case  # enough rows of one vector to leave k after removing the own case
    m = min(k + largest_case, len(distinct))
    tree = cKDTree(distinct)
    _, nearest = tree.query(weighted[targets], k=m) if m > 1 else (None, None)
    # radius from our own exact distances to the m-th nearest vector, so that the slack covers the tree's rounding
    if m > 1:
        reach = np.sqrt(((distinct[nearest[:, -1]] - weighted[targets]) ** 2).sum(axis=1))
    else:
        reach = np.full(len(targets), np.inf) if len(distinct) > 1 else np.zeros(len(targets))
    radii = np.where(np.isfinite(reach), reach * (1 + _RADIUS_SLACK) + 1e-12, np.inf)
    peers, distances = [], []
    for t, i in enumerate(targets):
        if np.isfinite(radii[t]):
            vectors = tree.query_ball_point(weighted[i], radii[t])
        else:
            vectors = range(len(distinct))
        candidates = np.concatenate([members_order[starts[v]:min(starts[v] + per_vector, starts[v + 1])]
                                     for v in vectors]) if len(vectors) else np.zeros(0, dtype=np.int64)
        candidates = candidates[cases[candidates] != cases[i]]  # co-defendants are not 'other similar cases'
        distance = np.sqrt(((weighted[candidates] - weighted[i]) ** 2).sum(axis=1))
        order = np.lexsort((ids[candidates], distance))[:k]
        peers.append(candidates[order].tolist())
        distances.append(distance[order].tolist())
    return peers, distances
