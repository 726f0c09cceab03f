"""The batched similar-case search (detectors/sentencing/similar.py) gives exactly what the
straightforward per-flag scan gives: the slow reference lives here, not in the product (issue 16).

The reference is a full scan per flagged defendant of the rule similar.py states (类案检索 guidance,
法发〔2020〕24号 item 4): the distance to every row of its peer group (factor vectors weighted by the
model's coefficients), the flagged judge's own cases (its own case where no judge is recorded) and
deviant peers excluded; reach = max(TOLERANCE, k-th smallest distance); the rows within reach sorted by
(precedence of their court, last three years first, distance, defendant id), the first k kept; the deviant
cases of other judges within reach counted. Court, province, level and judgment year are read here by their own SQL.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json

import duckdb
import numpy as np
import pytest

from courtwatch.core.config import load_config
from courtwatch.detectors import law
from courtwatch.detectors.base import DetectContext
from courtwatch.detectors.sentencing import similar, similar_text
from courtwatch.detectors.sentencing.design import CIRCUMSTANCES, POOLED_GROUP, build_design, is_na
from courtwatch.detectors.sentencing.fit import (
    SentencingSettings,
    fit_model,
    peer_group_features,
    stage_features,
)
from courtwatch.detectors.sentencing.similar import (
    RECENT_YEARS,
    TOLERANCE,
    deviant_defendants,
    flag_context,
    nearest_peers,
)
from courtwatch.detectors.sentencing.text import factors_zh, sentence_zh

AS_OF = dt.date(2024, 12, 31)
K = 5
PRECEDENCE = list(similar_text.PRECEDENCE)


def _scope(con):
    """case_id → (court, judgment year, province, level, parent), straight from the tables."""
    rows = con.execute("SELECT c.case_id, c.court_id, coalesce(year(c.closed_on), c.case_year), "
                       "coalesce(co.province, ''), coalesce(co.level, ''), coalesce(co.parent_id, '') "
                       "FROM cases c LEFT JOIN courts co USING (court_id)").fetchall()
    return {r[0]: r[1:] for r in rows}


def _precedence(peer, target) -> int:
    """Class of a peer for a target: 2 × (0 SPC, 1 the province's high court, 2 superior or own court,
    3 the province's other courts, 4 elsewhere) + (0 last three years, 1 otherwise)."""
    court, year, province, level, _ = peer
    t_court, t_year, t_province, _, t_parent = target
    if level == "supreme":
        ring = 0
    elif level == "high" and t_province and province == t_province:
        ring = 1
    elif court in {t_court, t_parent}:
        ring = 2
    elif t_province and province == t_province:
        ring = 3
    else:
        ring = 4
    recent = year is not None and t_year is not None and t_year - RECENT_YEARS < year <= t_year
    return 2 * ring + (0 if recent else 1)


def reference_flag_context(ctx, model, defendant_ids, k):
    """The per-flag full scan: O(flags × peers), kept only as the test's oracle."""
    settings = SentencingSettings.from_config(ctx.config)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    deviant = deviant_defendants(ctx, model)
    scope = _scope(ctx.con)
    judge_of = dict(ctx.con.execute("SELECT d.defendant_id, c.judge_id FROM defendants d JOIN cases c USING (case_id)")
                    .fetchall())
    fdr = settings.false_discovery_rate
    rule = {"similar_rule": similar_text.rule_zh(TOLERANCE, model.clip_z, fdr),
            "similar_rule_en": similar_text.rule_en(TOLERANCE, model.clip_z, fdr)}
    out = {}
    stage_features(ctx)
    for group, targets in wanted.groupby("peer_group"):
        if group == POOLED_GROUP:
            continue
        fit = model.groups[group]
        rows, X, names, measures, _ = build_design(group, peer_group_features(ctx, group), frames,
                                                   settings.sentencing_min_not_recorded, model.charge_measures)
        if names != fit.columns:
            X = None
        records = rows.to_dict("records")
        ids = rows["defendant_id"].to_numpy()
        cases = rows["case_id"].to_numpy()
        where = [scope[c] for c in cases]
        excluded = rows["defendant_id"].isin(deviant).to_numpy()
        judges = [None if is_na(j) or j == "" else j for j in rows["defendant_id"].map(judge_of)]
        # the rows a flagged row never takes: its judge's, or its own case's where no judge is recorded
        own_of = np.array([f"j{j}" if j is not None else f"c{c}" for j, c in zip(judges, cases)], dtype=object)
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
                "circumstances": {c: (None if is_na(record.get(c)) else bool(record.get(c)))
                                  for c in CIRCUMSTANCES},
                "similar_cases": [],
            }
            if weighted is not None:
                raw = np.sqrt(((weighted - weighted[i]) ** 2).sum(axis=1))
                distance = raw.copy()
                distance[(own_of == own_of[i]) | excluded] = np.inf
                finite = np.sort(distance[np.isfinite(distance)])
                reach = max(TOLERANCE, finite[k - 1]) if len(finite) >= k else np.inf
                left_out = len(set(cases[excluded & (own_of != own_of[i]) & (raw <= reach)]))
                within = np.flatnonzero(np.isfinite(distance) & (distance <= reach))
                classes = np.array([_precedence(where[j], where[i]) for j in within], dtype=np.int64)
                order = np.lexsort((ids[within], distance[within], classes))[:k]
                for j, cls in zip(within[order], classes[order]):
                    peer = records[j]
                    entry["similar_cases"].append({
                        "case_id": peer["case_id"], "defendant_id": peer["defendant_id"],
                        "court_id": peer["court_id"],
                        "sentence": sentence_zh(peer["sentence_kind"], peer["term_months"]),
                        "term_months": float(peer["term_months"]),
                        "expected_months": round(float(np.exp(fitted[j])), 1),
                        "factors": factors_zh(peer, measures),
                        "factor_distance": round(float(distance[j]), 3),
                        "judgment_year": int(where[j][1]),
                        "precedence": PRECEDENCE[cls // 2],
                        "precedence_zh": similar_text.PRECEDENCE[PRECEDENCE[cls // 2]][0],
                        "recent": bool(cls % 2 == 0),
                    })
            terms = sorted(p["term_months"] for p in entry["similar_cases"])
            spread = None if not terms else {
                "n": len(terms), "min_months": round(terms[0], 1),
                "q25_months": round(float(np.quantile(terms, 0.25)), 1),
                "median_months": round(float(np.median(terms)), 1),
                "q75_months": round(float(np.quantile(terms, 0.75)), 1), "max_months": round(terms[-1], 1)}
            entry.update({"similar_spread": spread, "similar_spread_zh": similar_text.spread_zh(spread),
                          "similar_spread_en": similar_text.spread_en(spread),
                          "similar_deviant_left_out": left_out if weighted is not None else None, **rule})
            out[defendant] = entry
    return out


def as_json(context: dict) -> dict:
    # NaN != NaN: compare the JSON the evidence is stored as
    return {d: json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str) for d, entry in context.items()}


@pytest.fixture(scope="module")
def low_noise(tmp_path_factory):
    """A small province at low sentencing noise (many warnings, many near-ties), imported once."""
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.sample_data import generate
    root = tmp_path_factory.mktemp("perf_equivalence")
    generate(root / "import", scale=0.5, seed=1616, noise=0.1)
    ingest(root / "import", db=root / "cw.duckdb", export_date=AS_OF)
    con = duckdb.connect(str(root / "cw.duckdb"), read_only=True)
    yield DetectContext(con=con, as_of=AS_OF, config=load_config())
    con.close()


def test_batched_similar_cases_equal_the_per_flag_scan(low_noise):
    model = fit_model(low_noise)
    testable = model.rows[model.rows["testable"].astype(bool)]
    assert testable["peer_group"].nunique() >= 5
    # every testable defendant, so every group, duplicate vectors and co-defendants are exercised
    ids = list(testable["defendant_id"])
    batched = flag_context(low_noise, model, ids, K)
    reference = reference_flag_context(low_noise, model, ids, K)
    assert len(batched) == len(reference) == len(ids)
    assert sum(len(e["similar_cases"]) for e in batched.values()) == K * len(ids)
    # the test means something only if the rule is exercised: deviant peers exist, and the order is not
    # simply the nearest first (a same-court or recent case ahead of a nearer other one)
    deviant = deviant_defendants(low_noise, model)
    assert deviant and not {p["defendant_id"] for e in batched.values() for p in e["similar_cases"]} & deviant
    assert any(e["similar_deviant_left_out"] for e in batched.values())
    # never the flagged defendant's own judge's cases (the judge of each row as the model holds it)
    judge = dict(zip(model.rows["defendant_id"], model.rows["judge_id"]))
    assert all(judge[p["defendant_id"]] != judge[d] for d, e in batched.items() for p in e["similar_cases"])
    classes = [[p["precedence"] for p in e["similar_cases"]] for e in batched.values()]
    assert all(c == sorted(c, key=PRECEDENCE.index) for c in classes)
    assert any(len(set(c)) > 1 for c in classes)
    assert any([p["factor_distance"] for p in e["similar_cases"]] != sorted(p["factor_distance"] for p in e["similar_cases"])
               for e in batched.values())
    batched_json = as_json(batched)
    differ = [d for d, text in as_json(reference).items() if batched_json.get(d) != text]
    assert not differ, differ[:5]


def test_nearest_peers_exact_with_ties_duplicates_and_codefendants():
    rng = np.random.default_rng(7)
    for trial in range(30):
        n = int(rng.integers(1, 400))
        p = int(rng.integers(1, 6))
        # few distinct values: many exact duplicates and equal distances (the hard case for an index)
        weighted = rng.integers(0, 3, size=(n, p)).astype(float) * rng.choice([0.5, 1.0, -0.25], size=p)
        if trial % 3 == 0:
            weighted[:, 0] += rng.normal(0, 1e-3, size=n)  # a continuous measure beside them
        ids = np.array([f"D{j:06d}" for j in rng.permutation(n)], dtype=object)
        if trial % 2:
            order = np.argsort(ids)
            ids, weighted = ids[order], weighted[order]
        cases = np.array([f"C{c}" for c in rng.integers(0, max(1, n // 2), size=n)], dtype=object)
        targets = rng.choice(n, size=min(n, 25), replace=False)
        k = int(rng.integers(1, 8))
        peers, distances = nearest_peers(weighted, ids, cases, targets, k)
        for t, i in enumerate(targets):
            distance = np.sqrt(((weighted - weighted[i]) ** 2).sum(axis=1))
            distance[cases == cases[i]] = np.inf
            expected = [j for j in np.lexsort((ids, distance))[:k] if np.isfinite(distance[j])]
            assert peers[t] == expected, (trial, i)
            assert distances[t] == [float(distance[j]) for j in expected]


def test_similar_cases_need_no_pass_over_the_group_per_flag(low_noise, monkeypatch):
    """The peers come from the design the model kept when it was fitted: flag_context runs one query per
    call that meets groups not asked before (where and when the candidate cases were decided), not one per
    group or flag, and none once the model's index holds the groups (similar.model_index)."""
    from courtwatch import queries
    model = dataclasses.replace(fit_model(low_noise))  # the same fit, a model object with no index yet
    ids = list(model.rows.loc[model.rows["testable"].astype(bool), "defendant_id"][:50])
    calls = []
    original = queries.run
    monkeypatch.setattr(queries, "run", lambda con, name, **params: calls.append(name) or original(con, name, **params))
    context = flag_context(low_noise, model, ids, K)
    assert len(context) == len(ids) and calls == ["similar_case_scope"]
    again = flag_context(low_noise, model, ids[::-1], K)
    assert calls == ["similar_case_scope"] and as_json(again) == as_json(context)


def test_calls_on_one_model_give_exactly_what_one_call_gives(low_noise):
    """The index kept with the model changes no answer: the targets asked in two calls (the second repeating
    some of the first), then again with another k, get exactly the entries one call on a fresh model gives."""
    model = fit_model(low_noise)
    ids = list(model.rows.loc[model.rows["testable"].astype(bool), "defendant_id"])
    one = flag_context(low_noise, dataclasses.replace(model), ids, K)
    split = dataclasses.replace(model)
    rng = np.random.default_rng(16)
    first = [ids[i] for i in np.sort(rng.choice(len(ids), len(ids) // 3, replace=False))]
    second = [d for d in ids if d not in set(first)] + first[:40]
    before = flag_context(low_noise, split, first, K)
    index = similar.model_index(low_noise, split)
    built = {g: id(x) for g, x in index.groups.items()}
    after = flag_context(low_noise, split, second, K)
    assert all(id(index.groups[g]) == x for g, x in built.items())  # the first call's groups were reused
    assert len(before) == len(first) and len(after) == len(second)
    assert as_json({**before, **after}) == as_json(one)
    assert as_json(after) == {d: t for d, t in as_json(one).items() if d in set(second)}
    # another k on the same index (the cells' caches do not depend on it)
    few = ids[::7]
    assert as_json(flag_context(low_noise, split, few, 3)) == as_json(flag_context(low_noise, dataclasses.replace(model),
                                                                                   few, 3))


def test_the_index_leaves_with_its_model(low_noise):
    """The index lives as long as its model, never into another model or run."""
    model = dataclasses.replace(fit_model(low_noise))
    ids = list(model.rows.loc[model.rows["testable"].astype(bool), "defendant_id"][:10])
    flag_context(low_noise, model, ids, K)
    key = id(model)
    assert similar.model_index(low_noise, model).groups and key in similar._INDEXES
    del model
    gc.collect()
    assert key not in similar._INDEXES
