"""The legally most similar other cases behind a sentencing warning (and the review list's top entries),
chosen in the order the 2020 类案检索 guidance gives.

Reads the fitted model (fit.py) and its design (design.py); the factors are worded by text.py, the ordering
rule and the spread of the chosen cases by similar_text.py.

Which cases (similar_text.rule_zh says it in one line on every warning). 《最高人民法院关于统一法律适用加强类案
检索的指导意见（试行）》(法发〔2020〕24号) item 4 orders the search: (二) cases of the Supreme People's Court,
(三) of the province's high court, (四) of the superior court and the same court, and, except for guiding cases
(an export holds none), the last three years first. So, for a flagged defendant:
1. the candidates are the other cases of its peer group that do not themselves deviate: not rejected by
   Benjamini–Hochberg at [stats] false_discovery_rate over the model's testable sentences (sentence_deviation's
   family) and |z| not above [stats] sentencing_clip_z (2.5: the bound at which the model winsorises residuals
   for the judge and court caseload means; the Huber fit itself down-weights residuals beyond t = 1.345 scales,
   so 2.5 is the stricter line of "an outlier, no precedent"). How many cases within reach (step 2) were left
   out so is counted (`similar_deviant_left_out`) and the flag page says it. Never the cases of the flagged
   defendant's own judge (which hold its own case, the co-defendants; its case where no judge is recorded):
   the same court ranks before the province's other courts, so a judge whose sentences all lean one way would
   otherwise supply his own precedents first, and the comparison would measure him against himself. Leaving
   them out, rather than ranking them last, is the honest precedent choice; the rule line says it;
2. of those, the legally similar ones: factor distance (the factor vectors weighted by the model's
   coefficients: the Euclidean norm of the factors' differences in their contributions to the log sentence)
   at most `TOLERANCE` (one factor differing by 0.10 ≈ 10% of the expected sentence; several differing
   factors add up under the norm), or up to the k-th nearest when fewer are that close;
3. they are taken in the guidance's order — SPC, the province's high court, the superior court and the same
   court, then the province's other courts and other provinces (beyond the guidance's list, so last) —
   within each the last three years (judgment year Y−2 … Y of the flagged judgment) before the others, then
   by distance, then by defendant id; the first k are shown.
The judgment year is cases.closed_on's year (the case number's where none is recorded): a year, not a day,
so a case decided later in the flagged judgment's own year counts as recent too.

Cost. The candidates are indexed per (court, judgment year) and per (province, judgment year), one k-d tree
over the distinct factor vectors of each (`nearest_rows`, `Cell`). Every flag asks each province cell for its
2k nearest (their k-th nearest overall is its reach; a province cell's rows of the earlier scopes are skipped,
and fewer than k of them lie within reach whenever that scope matters), and the court cells of its scopes for
their k nearest, class by class (scope, then recent before older), stopping after the class that completes
k cases within reach: its first k sort before anything a later class holds. So the cost grows with
flags × cells × k log n, never with flags × cases. What no flag changes — the deviant set, each group's candidates and exclusion codes, each
cell's distinct vectors and tree — is built once per model, for the groups and cells some call asks for, and
kept with the model while it lives (`model_index`): the review list, asked after sentence_deviation on the
same model, pays only its own queries. A call that meets groups not asked before runs one query for them
(where and when their cases were decided, queries/similar_case_scope.sql); a later call, none. The index
holds each asked cell's distinct vectors, tree and row orders (int32) and each group's exclusion codes,
judgment years and courts, never a weighted copy of the design (its rows are weighted as they are read):
about 0.5 GB more resident after sentence_deviation at scale 100 (870,000 sentences), released with the model.
"""
from __future__ import annotations

import itertools
import weakref
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.spatial import cKDTree

from courtwatch import queries
from courtwatch.detectors import law

from ..base import DetectContext
from ..stats import benjamini_hochberg
from . import similar_text
from .design import CIRCUMSTANCES, POOLED_GROUP, build_design, is_na
from .fit import SentencingModel, SentencingSettings, peer_group_features, stage_features
from .text import factors_zh, sentence_zh

# Relative slack on a k-d tree radius: the tree's distances and ours are the same sums of squares in
# a different order, so they may differ in the last bits; the slack only widens the candidate set.
_RADIUS_SLACK = 1e-9
# Legally similar: coefficient-weighted factor distance at most this (log units: one factor's difference of
# 0.10 moves the expected sentence by about 10%); with fewer than k that close, the k nearest are the similar ones.
TOLERANCE = 0.10
# judgment years counted as 近三年: the flagged judgment's year and the two before it
RECENT_YEARS = 3
PRECEDENCE = list(similar_text.PRECEDENCE)


def deviant_defendants(ctx: DetectContext, model: SentencingModel) -> set:
    """Defendants whose own sentence deviates, left out as precedents: rejected by Benjamini–Hochberg over
    the model's testable sentences (the family sentence_deviation tests) or |z| above [stats]
    sentencing_clip_z (the caseload means' winsorisation bound, not the Huber fit's t = 1.345)."""
    settings = SentencingSettings.from_config(ctx.config)
    rows = model.rows
    if rows.empty:
        return set()
    out: set = set()
    ids = rows["defendant_id"].to_numpy()
    # the two columns needed, not a copy of the testable rows (870,000 rows × 19 columns at scale 100)
    testable = rows["testable"].astype(bool).to_numpy() if "testable" in rows else np.ones(len(rows), dtype=bool)
    if testable.any() and "p" in rows:
        reject, _ = benjamini_hochberg(rows["p"].to_numpy(dtype=float)[testable], settings.false_discovery_rate)
        out |= set(ids[testable][reject])
    if "z" in rows:
        z = pd.to_numeric(rows["z"], errors="coerce").to_numpy(dtype=float)
        out |= set(ids[np.abs(np.nan_to_num(z)) > float(model.clip_z)])
    return out


def case_scope(ctx: DetectContext, case_ids) -> pd.DataFrame:
    """case_id → court_id, judgment_year, province, level, parent_id (one query for every case asked)."""
    values = case_ids.to_numpy(dtype=object) if isinstance(case_ids, pd.Series) else list(case_ids)
    wanted = pd.DataFrame({"case_id": pd.unique(pd.Series(values, dtype=object))})
    ctx.con.register("similar_scope_cases", wanted)
    try:
        return queries.run(ctx.con, "similar_case_scope").set_index("case_id")
    finally:
        ctx.con.unregister("similar_scope_cases")


def flag_context(ctx: DetectContext, model: SentencingModel, defendant_ids: list[str], k: int) -> dict[str, dict]:
    """For each flagged defendant: its legal factors, the k similar peers (other cases, other judges) in the
    guidance's order (module docstring), the spread of their sentences, how many cases within reach were
    left out as deviant, and the rule that chose them.

    The peers are the group's rows as the model was fitted on them (the design it keeps,
    fit.GroupFit.design), and all of a group's flags are answered in one batched pass. What does not depend
    on the flags (each group's candidates, cells and trees) is built the first time a group is asked and
    kept with the model (`model_index`), so a later call on the same model (the review list after
    sentence_deviation) pays only its own queries.
    """
    settings = SentencingSettings.from_config(ctx.config)
    wanted = model.rows[model.rows["defendant_id"].isin(defendant_ids)]
    wanted = wanted[wanted["peer_group"] != POOLED_GROUP]  # never tested one by one, so never behind a warning
    out: dict[str, dict] = {}
    if wanted.empty:
        return out
    index = model_index(ctx, model)
    groups = index.groups_for(ctx, model, list(wanted["peer_group"].unique()))
    rule = {"similar_rule": similar_text.rule_zh(TOLERANCE, float(model.clip_z), settings.false_discovery_rate),
            "similar_rule_en": similar_text.rule_en(TOLERANCE, float(model.clip_z), settings.false_discovery_rate)}
    for group, targets in wanted.groupby("peer_group"):
        g = groups[group]
        found = g.positions(targets["defendant_id"].to_numpy(dtype=object))
        if not found:
            continue
        target_rows = np.array([i for _, i in found], dtype=np.int64)
        if g.peers is not None:
            peers, distances, classes, left_out = g.peers.query(target_rows, k)
        else:
            peers, distances, classes = [[] for _ in found], [[] for _ in found], [[] for _ in found]
            left_out = [None for _ in found]
        rows, measures, fitted, years = g.rows, g.measures, g.fitted, g.years
        # records only for the rows a warning shows (the targets and their peers), not the whole group
        shown = np.unique(np.concatenate([target_rows] + [np.asarray(p, dtype=np.int64) for p in peers]))
        records = dict(zip(shown.tolist(), rows.iloc[shown].to_dict("records")))
        for (defendant, i), peer_rows, peer_distances, peer_classes, deviant_near in zip(
                found, peers, distances, classes, left_out):
            record = records[i]
            entry: dict[str, Any] = {
                "factors_zh": factors_zh(record, measures),
                "severity": {m: record.get(m) for m in measures},
                "tier": None if is_na(record.get("tier")) else int(record["tier"]),
                "circumstances": {c: (None if is_na(record.get(c)) else bool(record.get(c))) for c in CIRCUMSTANCES},
                "similar_cases": [],
            }
            for j, distance, cls in zip(peer_rows, peer_distances, peer_classes):
                peer = records[j]
                precedence = PRECEDENCE[cls // 2]
                entry["similar_cases"].append({
                    "case_id": peer["case_id"],
                    "defendant_id": peer["defendant_id"],
                    "court_id": peer["court_id"],
                    "sentence": sentence_zh(peer["sentence_kind"], peer["term_months"]),
                    "term_months": float(peer["term_months"]),
                    "expected_months": round(float(np.exp(fitted[j])), 1),
                    "factors": factors_zh(peer, measures),
                    "factor_distance": round(float(distance), 3),
                    "judgment_year": None if years[j] < 0 else int(years[j]),
                    "precedence": precedence,
                    "precedence_zh": similar_text.PRECEDENCE[precedence][0],
                    "recent": cls % 2 == 0,
                })
            spread = similar_text.spread([p["term_months"] for p in entry["similar_cases"]])
            entry.update({"similar_spread": spread, "similar_spread_zh": similar_text.spread_zh(spread),
                          "similar_spread_en": similar_text.spread_en(spread),
                          "similar_deviant_left_out": deviant_near, **rule})
            out[defendant] = entry
    return out


class GroupIndex:
    """One peer group as flag_context reads it: its rows (the design's, not copied), each row's judgment
    year, the fitted log terms and, where the design matches the fit, the peer search over its candidates
    (`PeerIndex`, which reads the design matrix X itself: the weighted vectors are X·params row by row)."""

    def __init__(self, rows: pd.DataFrame, X: np.ndarray | None, measures: list[str], params: np.ndarray,
                 where: dict[str, np.ndarray], eligible: np.ndarray, judges: np.ndarray):
        self.rows, self.measures, self.years = rows, measures, where["year"]
        self.index = pd.Index(rows["defendant_id"])
        self.fitted: np.ndarray | None = None
        self.peers: PeerIndex | None = None
        if X is not None:
            self.fitted = X @ params
            ids = rows["defendant_id"].to_numpy(dtype=object)
            self.peers = PeerIndex(X, ids, rows["case_id"].to_numpy(), where, eligible, judges, params)

    def positions(self, defendant_ids: np.ndarray) -> list[tuple[Any, int]]:
        """(defendant, row) for the asked defendants the group holds, in the order asked."""
        if self.index.is_unique:
            at = self.index.get_indexer(defendant_ids)
        else:  # a defendant's last row, as a dict of the rows would give
            last = {d: i for i, d in enumerate(self.index)}
            at = np.array([last.get(d, -1) for d in defendant_ids], dtype=np.int64)
        return [(d, int(i)) for d, i in zip(defendant_ids, at) if i >= 0]


class ModelIndex:
    """What flag_context needs of one fitted model that no flag changes: the deviant defendants, each row's
    judge and, per peer group asked so far, its `GroupIndex`. Kept with the model (`model_index`) and only
    for the groups some call asked for, so its size is bounded by the model's own designs."""

    def __init__(self, key: tuple):
        self.key = key
        self.groups: dict[str, GroupIndex] = {}
        self._deviant: set | None = None

    def groups_for(self, ctx: DetectContext, model: SentencingModel, wanted: list[str]) -> dict[str, GroupIndex]:
        """The wanted groups' indexes: those not yet built are built in one pass (one scope query for all of
        them); a group whose model was assembled without its design (tests) is read again and not kept."""
        out = {g: self.groups[g] for g in wanted if g in self.groups}
        pending = [g for g in wanted if g not in out]
        if not pending:
            return out
        if self._deviant is None:
            self._deviant = deviant_defendants(ctx, model)
        designs = {}
        for group in pending:
            fit = model.groups[group]
            if fit.design is None:  # a model assembled without its designs (tests): read and build it again
                designs[group] = _design_again(ctx, model, group)
            else:
                designs[group] = (fit.design.rows, fit.design.X, fit.columns, fit.design.measures)
        # Per row of every pending group, looked up once for all of them (one hash table each, not one a group): its
        # case's place in the scope, its defendant's first row in the model (whose judge it takes: the designs keep
        # only the model's columns) and whether the defendant deviates.
        cases = pd.concat([d[0]["case_id"] for d in designs.values()], ignore_index=True)
        defendants = pd.concat([d[0]["defendant_id"] for d in designs.values()], ignore_index=True)
        scope = _scope_columns(case_scope(ctx, cases))
        bounds = np.cumsum([len(d[0]) for d in designs.values()])[:-1]
        case_at = np.split(positions_in(cases, scope[0]), bounds)
        judge_at = np.split(positions_in(defendants, model.rows["defendant_id"]), bounds)
        deviant = np.split(positions_in(defendants, pd.Series(sorted(self._deviant), dtype=object)) >= 0, bounds)
        model_judges = model.rows["judge_id"].to_numpy(dtype=object)
        for i, group in enumerate(pending):
            fit = model.groups[group]
            rows, X, names, measures = designs[group]
            if names != fit.columns:  # the data changed under us: give the factors without peers
                X = None
            judges = np.empty(len(rows), dtype=object)
            judges[:] = None
            found = judge_at[i] >= 0
            judges[found] = model_judges[judge_at[i][found]]
            out[group] = GroupIndex(rows, X, measures, fit.params, _where(rows, scope[1], case_at[i]), ~deviant[i],
                                    judges)
            if fit.design is not None:
                self.groups[group] = out[group]
        return out


# id(model) → (weak reference to the model, its index); an entry leaves with its model (weakref.finalize)
_INDEXES: dict[int, tuple[weakref.ref, ModelIndex]] = {}


def model_index(ctx: DetectContext, model: SentencingModel) -> ModelIndex:
    """The model's similar-case index for this connection and false-discovery rate (which decide the scope
    and the deviant set), made empty on first use. It lives as long as the model (fit.fit_model keeps one
    model, so one index), never longer: a new model, connection or rate starts a new one."""
    settings = SentencingSettings.from_config(ctx.config)
    key = (id(ctx.con), settings.false_discovery_rate)
    held = _INDEXES.get(id(model))
    if held is not None and held[0]() is model and held[1].key == key:
        return held[1]
    index = ModelIndex(key)
    if held is None or held[0]() is not model:
        weakref.finalize(model, _INDEXES.pop, id(model), None)
    _INDEXES[id(model)] = (weakref.ref(model), index)
    return index


def _design_again(ctx: DetectContext, model: SentencingModel, group: str):
    settings = SentencingSettings.from_config(ctx.config)
    frames = law.frames(law.province_thresholds(ctx.config), ctx.config.province)  # charge → measure only
    stage_features(ctx, (group,))
    features = peer_group_features(ctx, group)
    rows, X, names, measures, _ = build_design(group, features, frames, settings.sentencing_min_not_recorded,
                                               model.charge_measures)
    return rows, X, names, measures


def _scope_columns(scope: pd.DataFrame) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """case_scope's answer as arrays, once per call: the cases, and per position the judgment
    year (−1 unknown), province, level and supervising court ('' unknown)."""
    def text(column: str) -> np.ndarray:
        values = scope[column].astype(object)
        return values.where(values.notna(), "").astype(str).to_numpy(dtype=object)

    cases = pd.Series(scope.index.to_numpy(dtype=object), dtype=object)
    year = pd.to_numeric(scope["judgment_year"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    return cases, {"year": year, "province": text("province"), "level": text("level"), "parent": text("parent_id")}


def positions_in(values: pd.Series, table: pd.Series) -> np.ndarray:
    """Each value's position in `table` (its first), −1 where absent: one Arrow hash lookup over strings, where a
    Python dict or set lookup per row cost 0.2–0.5 s for each of the 870,000 sentences of a scale-100 province."""
    def strings(series: pd.Series):
        array = pa.array(series.to_numpy(dtype=object) if series.dtype == object else series, from_pandas=True)
        return array.cast(pa.large_string()) if array.type != pa.large_string() else array
    at = pc.index_in(strings(values), value_set=strings(table)).fill_null(-1)
    return np.asarray(at, dtype=np.int64)


def _where(rows: pd.DataFrame, columns: dict[str, np.ndarray], at: np.ndarray) -> dict[str, np.ndarray]:
    """Per row: court, judgment year (−1 unknown), province, level and supervising court ('' unknown);
    `columns`: `_scope_columns`' per-case arrays, `at`: each row's case's position in them (−1: none)."""
    missing = at < 0
    out = {"court": pd.Series(rows["court_id"].astype(object).to_numpy(), dtype=object).astype(str).to_numpy(dtype=object)}
    for name, values in columns.items():
        taken = values[at]
        if missing.any():
            taken[missing] = -1 if name == "year" else ""
        out[name] = taken
    return out


def _rings(court: str, courts: dict) -> tuple[list[list[str]], str]:
    """The flagged court's scopes 0–2 (lists of courts, each court in its first scope) and its province.

    `courts`: court → (province, level, supervising court), '' where unknown."""
    province, _, parent = courts.get(court, ("", "", ""))
    supreme = sorted(c for c, (_, level, _) in courts.items() if level == "supreme")
    high = sorted(c for c, (p, level, _) in courts.items() if level == "high" and province and p == province
                  and c not in supreme)
    own = [c for c in dict.fromkeys([parent, court]) if c and c not in supreme and c not in high]
    return [supreme, high, own], province


def exclusion_groups(cases: np.ndarray, judges: np.ndarray | None) -> np.ndarray:
    """Per row, integer codes of the rows a flagged row never takes as similar cases: its judge's (which
    holds its own case, the co-defendants), or its own case's where no judge is recorded."""
    case_codes = pd.factorize(pd.Series(cases, dtype=object))[0]
    if judges is None:
        return case_codes
    judge = pd.Series(judges, dtype=object)
    unrecorded = judge.isna().to_numpy(copy=True)
    unrecorded[~unrecorded] = judge[~unrecorded].to_numpy() == ""  # (pd.NA compared with "" is neither)
    judge_codes = pd.factorize(judge.where(~unrecorded, None))[0]
    # one integer per exclusion group (a judge's: even, a judgeless case's: odd), numbered in order of first row
    return pd.factorize(np.where(unrecorded, 2 * case_codes + 1, 2 * judge_codes))[0]


def ordered_peers(weighted: np.ndarray, ids: np.ndarray, cases: np.ndarray, where: dict, eligible: np.ndarray,
                  targets: np.ndarray, k: int, judges: np.ndarray | None = None
                  ) -> tuple[list[list[int]], list[list[float]], list[list[int]], list[int]]:
    """For each target row: up to k candidate rows in the guidance's order (module docstring), their
    distances, their class (2·precedence + 0 for the last three years, + 1 otherwise), and the number of
    cases within reach left out because they deviate themselves (not `eligible`).

    The order is exactly what one full scan per target gives (tests/test_perf_equivalence.py): distances to
    every eligible row of another case and, with `judges`, of another judge; reach = max(TOLERANCE, the k-th
    smallest distance); rows within reach sorted by (class, distance, id); the first k. The deviant count is
    of the not-eligible rows of another case (another judge) within reach, counted by case.
    (`PeerIndex(...).query`, the index built for this one call.)
    """
    if k <= 0 or len(targets) == 0:
        return [[] for _ in targets], [[] for _ in targets], [[] for _ in targets], [0 for _ in targets]
    return PeerIndex(weighted, ids, cases, where, eligible, judges).query(np.asarray(targets, dtype=np.int64), k)


class PeerIndex:
    """`ordered_peers` over one peer group, split into what no target changes — built here, or on first
    use: the exclusion codes, the candidate pool's (court, year) and (province, year) cells each with its
    `Cell`, the deviant rows' k-d tree — and the per-target search (`query`).

    The weighted factor vectors are `X` row by row times `params` (flag_context: the design and the fitted
    coefficients, so the group's weighted matrix is never held; ordered_peers: the weighted rows, times 1),
    the same products, bit for bit, as X * params."""

    def __init__(self, X: np.ndarray, ids: np.ndarray, cases: np.ndarray, where: dict,
                 eligible: np.ndarray, judges: np.ndarray | None = None, params: np.ndarray | None = None):
        self.X = X
        self.params = np.ones(X.shape[1]) if params is None else params
        self.ranks = _id_ranks(ids).astype(np.int32)
        self.case_codes = pd.factorize(pd.Series(cases, dtype=object))[0].astype(np.int32)
        self.groups = exclusion_groups(cases, judges).astype(np.int32)  # integer codes: cheaper to count and compare
        self.eligible = np.asarray(eligible, dtype=bool)
        pool = np.flatnonzero(self.eligible).astype(np.int32)
        self.n_pool = len(pool)
        province = where["province"]
        court_codes, court_names = pd.factorize(pd.Series(where["court"], dtype=object))
        self.court = np.asarray(court_names, dtype=object)[court_codes]  # one string object per court
        self.year = np.asarray(where["year"], dtype=np.int64)
        self.courts: dict[str, tuple[str, str, str]] = {}
        for c, p, lv, up in zip(self.court, province, where["level"], where["parent"]):
            self.courts.setdefault(c, (p, lv, up))
        # cells of candidates: (court, year) and (province, year)
        self.cell_rows: dict[tuple, np.ndarray] = {}
        frame = pd.DataFrame({"row": pool, "court": self.court[pool], "province": province[pool],
                              "year": self.year[pool]})
        if len(pool):
            for key, index in frame.groupby(["court", "year"]).indices.items():
                self.cell_rows[("court", tuple(key))] = pool[index]
            for key, index in frame.groupby(["province", "year"]).indices.items():
                self.cell_rows[("province", tuple(key))] = pool[index]
        self.court_years: dict[str, list[int]] = defaultdict(list)
        province_years: dict[str, list[int]] = defaultdict(list)
        for kind, (place, y) in self.cell_rows:
            (self.court_years if kind == "court" else province_years)[place].append(y)
        self.province_years = dict(province_years)
        self.provinces = sorted(self.province_years)
        self._cells: dict[tuple, Cell] = {}
        self._rings: dict[str, tuple[list[list[str]], str]] = {}
        self._deviant: tuple[np.ndarray, np.ndarray, cKDTree | None] | None = None

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The weighted factor vectors of these rows."""
        return self.X[rows] * self.params

    def cell(self, key: tuple) -> Cell:
        """The nearest-row index of one cell, built on first use."""
        if key not in self._cells:
            rows = self.cell_rows[key]
            self._cells[key] = Cell(self.vectors(rows), self.ranks, self.groups, rows)
        return self._cells[key]

    def rings(self, court: str) -> tuple[list[list[str]], str]:
        if court not in self._rings:
            self._rings[court] = _rings(court, self.courts)
        return self._rings[court]

    def query(self, targets: np.ndarray, k: int) -> tuple[list[list[int]], list[list[float]], list[list[int]], list[int]]:
        """`ordered_peers` for these target rows."""
        empty: tuple[list[list[int]], list[list[float]], list[list[int]], list[int]] = (
            [[] for _ in targets], [[] for _ in targets], [[] for _ in targets], [0 for _ in targets])
        if k <= 0 or len(targets) == 0:
            return empty
        queries_ = self.vectors(targets)
        if self.n_pool == 0:
            return empty[0], empty[1], empty[2], self.deviant_within(targets, queries_, np.full(len(targets), np.inf))
        ranks, court, year = self.ranks, self.court, self.year
        target_cases = self.groups[targets]
        # every candidate lies in one (province, year) cell: each target's 2k nearest in each give its reach
        # (the k-th nearest eligible row of another case: the k-th of the cells' first k, at least TOLERANCE)
        # and, below, its candidates of the province scopes
        near = {key: self.cell(key).nearest(queries_, target_cases, 2 * k)
                for p in self.provinces for key in [("province", (p, y)) for y in self.province_years[p]]}
        kth = [sorted(d for _, dists in near.values() for d in dists[t][:k]) for t in range(len(targets))]
        reach = np.array([max(TOLERANCE, d[k - 1]) if len(d) >= k else np.inf for d in kth])
        limit = reach * (1 + _RADIUS_SLACK) + 1e-12  # the tree's rounding; the exact test below decides
        # what each target asks, by class: (cell kind, key) → list of (target, fetch, excluded courts)
        asks: list[dict[tuple, list]] = [defaultdict(list) for _ in range(2 * len(PRECEDENCE))]
        for t, i in enumerate(targets):
            rings, home = self.rings(court[i])
            y0 = int(year[i])
            earlier: set = set()
            for r, members in enumerate(rings):
                for c in members:
                    for y in self.court_years.get(c, []):
                        asks[2 * r + (0 if _recent(y, y0) else 1)][("court", (c, y))].append((t, k, None))
                earlier |= set(members)
            for p in self.provinces:
                r = 3 if (home and p == home) else 4
                for y in self.province_years[p]:
                    asks[2 * r + (0 if _recent(y, y0) else 1)][("province", (p, y))].append((t, 2 * k, earlier))
        # the classes in order; a target with k rows within reach in the classes asked so far asks no later
        # class (its first k sort before anything a later class holds)
        found: list[list[tuple]] = [[] for _ in targets]  # (class, distance, id rank, row)
        within = np.zeros(len(targets), dtype=np.int64)
        for cls, by_cell in enumerate(asks):
            done = within >= k
            for key, wants in by_cell.items():
                wants = [w for w in wants if not done[w[0]]]
                if not wants:
                    continue
                cell = self.cell(key)
                if key in near:  # a province cell: asked above
                    rows_, dists = [near[key][0][w[0]] for w in wants], [near[key][1][w[0]] for w in wants]
                else:
                    ts = np.array([w[0] for w in wants], dtype=np.int64)
                    rows_, dists = cell.nearest(queries_[ts], target_cases[ts], max(w[1] for w in wants))
                for (t, n, excluded), local, dist in zip(wants, rows_, dists):
                    for j, d in zip(local[:n], dist[:n]):
                        if d > limit[t]:
                            break
                        row = int(cell.rows[j])
                        if excluded and court[row] in excluded:
                            continue
                        found[t].append((cls, d, ranks[row], row))
                        within[t] += d <= reach[t]
        peers, distances, classes = [], [], []
        for t in range(len(targets)):
            chosen = sorted(found[t], key=lambda x: (x[0], x[1], x[2]))
            # the exact distance decides what is within reach (the tree's was only the candidate bound)
            chosen = [c for c in chosen if c[1] <= reach[t]][:k]
            peers.append([c[3] for c in chosen])
            distances.append([c[1] for c in chosen])
            classes.append([c[0] for c in chosen])
        return peers, distances, classes, self.deviant_within(targets, queries_, reach)

    def deviant_within(self, targets: np.ndarray, queries_: np.ndarray, reach: np.ndarray) -> list[int]:
        """Per target (its vector in `queries_`): the cases of other exclusion groups with a deviant (not
        eligible) row within `reach` (one k-d tree over the deviant rows, few by construction, built on first
        use; the exact distance decides)."""
        if self._deviant is None:
            rows = np.flatnonzero(~self.eligible)
            vectors = self.vectors(rows)
            self._deviant = (rows, vectors, cKDTree(vectors) if len(rows) else None)
        rows, vectors, tree = self._deviant
        out = [0] * len(targets)
        if tree is None:
            return out
        groups = self.groups
        finite = np.isfinite(reach)
        balls: list = [range(len(rows))] * len(targets)
        if finite.any():
            limit = reach[finite] * (1 + _RADIUS_SLACK) + 1e-12
            for t, ball in zip(np.flatnonzero(finite), tree.query_ball_point(queries_[finite], limit)):
                balls[t] = ball
        for t, i in enumerate(targets):
            near = np.asarray(balls[t], dtype=np.int64)
            near = near[groups[rows[near]] != groups[i]]
            near = near[np.sqrt(((vectors[near] - queries_[t]) ** 2).sum(axis=1)) <= reach[t]]
            out[t] = int(len(np.unique(self.case_codes[rows[near]])))
        return out


def _recent(year: int, flagged_year: int) -> bool:
    return flagged_year >= 0 and year >= 0 and flagged_year - RECENT_YEARS < year <= flagged_year


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
    ties by id; and their distances (`nearest_rows` with the targets' own vectors as queries)."""
    if len(targets) == 0:
        return [], []
    targets = np.asarray(targets, dtype=np.int64)
    return nearest_rows(weighted, ids, cases, weighted[targets], cases[targets], k)


def nearest_rows(weighted: np.ndarray, ids: np.ndarray, groups: np.ndarray, queries_: np.ndarray,
                 query_groups: np.ndarray, k: int) -> tuple[list[list[int]], list[list[float]]]:
    """For each query vector: the k rows of `weighted` of another exclusion group than its own, nearest first,
    ties by id; and their distances. A group is the rows a query never takes: its own case's (co-defendants)
    or, in flag_context, its judge's (`exclusion_groups`).

    Exactly what one full scan per query gives (distance to every row, own group excluded, sorted by
    (distance, id)), found through a k-d tree over the distinct vectors: a peer cell holds few distinct
    factor combinations compared with its rows. For each query the tree bounds a radius that holds at
    least k rows of other groups: the k + g nearest distinct vectors, g = the number of distinct vectors
    among its own group's rows (at most g of them hold nothing but the own group's rows); every distinct
    vector within it contributes its first k + (own group's rows in it) rows by id, and only those
    candidates are measured exactly and sorted. Cost: O(n log n) to build the index (`Cell`, once per cell
    in flag_context), O(t·(k + g) log n) for the queries.
    """
    if len(weighted) == 0 or k <= 0 or len(queries_) == 0:
        return [[] for _ in queries_], [[] for _ in queries_]
    codes = pd.factorize(pd.Series(np.concatenate([np.asarray(groups, dtype=object),
                                                   np.asarray(query_groups, dtype=object)]), dtype=object))[0]
    return Cell(np.asarray(weighted), _id_ranks(ids), codes[:len(weighted)]).nearest(queries_, codes[len(weighted):], k)


def _id_ranks(ids: np.ndarray) -> np.ndarray:
    """Dense ranks of the ids (equal ids, equal ranks): integers that sort as the ids do, cheaper to sort. By
    Arrow (strings compared by their UTF-8 bytes: Python's order of code points, as np.unique sorts them, which
    took 0.5–1 s a group for the 870,000 defendant ids of a scale-100 province)."""
    values = np.asarray(ids)
    array = pa.array(values.astype(object) if values.dtype.kind in "OU" else values, from_pandas=True)
    return np.asarray(pc.rank(array, sort_keys="ascending", tiebreaker="dense"), dtype=np.int64) - 1


class Cell:
    """`nearest_rows`' index over some rows of a group (`rows`, positions in the group; all of them by
    default; `values`: their vectors): their distinct vectors and k-d tree, the rows of each vector in id
    order, the rows of each exclusion group. Built once; each `nearest` call pays only its queries.
    `ranks`: the group's ids' dense ranks (`_id_ranks`); `groups`: its integer exclusion codes. Row numbers
    in and out are positions in `rows`; a row's vector is its distinct vector (equal byte for byte)."""

    def __init__(self, values: np.ndarray, ranks: np.ndarray, groups: np.ndarray, rows: np.ndarray | None = None):
        n = len(values)
        self.rows = np.arange(n, dtype=np.int32) if rows is None else np.asarray(rows, dtype=np.int32)
        self.ranks = np.asarray(ranks[self.rows], dtype=np.int32)
        # rows in id order (the query returns them so; sort if not), then grouped by distinct vector
        by_id = np.arange(n, dtype=np.int32)
        if n and not (self.ranks[:-1] <= self.ranks[1:]).all():
            by_id = np.argsort(self.ranks, kind="stable").astype(np.int32)
        inverse, first = _distinct_rows(values[by_id]) if n else (np.zeros(0, dtype=np.int64),
                                                                 np.zeros(0, dtype=np.int64))
        self.distinct = np.ascontiguousarray(values[by_id[first]])
        self.members_order = by_id[np.argsort(inverse, kind="stable")]  # rows of vector 0 by id, then of vector 1, …
        self.starts = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(self.distinct)))])
        self.vector_of = np.empty(n, dtype=np.int32)
        self.vector_of[by_id] = inverse
        self.codes = np.asarray(groups[self.rows], dtype=np.int32)
        self.by_group = np.argsort(self.codes, kind="stable").astype(np.int32)
        self.sorted_codes = self.codes[self.by_group]
        self.tree = cKDTree(self.distinct) if len(self.distinct) else None
        self._own: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # group → (its vectors, its rows in each)

    def own(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """The distinct vectors holding rows of exclusion group g (sorted) and how many of its rows each holds."""
        if g not in self._own:
            lo, hi = np.searchsorted(self.sorted_codes, [g, g + 1])
            vectors, counts = np.unique(self.vector_of[self.by_group[lo:hi]], return_counts=True)
            self._own[g] = (vectors, counts)
        return self._own[g]

    def nearest(self, queries_: np.ndarray, query_groups: np.ndarray, k: int
                ) -> tuple[list[list[int]], list[list[float]]]:
        """`nearest_rows` for these query vectors and their exclusion groups."""
        if len(self.rows) == 0 or k <= 0 or len(queries_) == 0:
            return [[] for _ in queries_], [[] for _ in queries_]
        distinct, members_order, starts, codes = self.distinct, self.members_order, self.starts, self.codes
        query_codes = np.asarray(query_groups, dtype=np.int64)
        own = {g: self.own(g) for g in set(query_codes.tolist())}
        wanted = np.array([min(k + len(own[g][0]), len(distinct)) for g in query_codes.tolist()], dtype=np.int64)
        # radius from our own exact distances to the wanted-th nearest vector, so that the slack covers the tree's
        # rounding; with a single vector, every query takes it
        radii = np.full(len(queries_), np.inf)
        if len(distinct) > 1:
            assert self.tree is not None
            # the wanted-th nearest of each query, asked with k rounded up to a power of two (a judge with many
            # distinct vectors in the cell wants many more than the others, who then do not pay for them)
            farthest = np.empty(len(queries_), dtype=np.int64)
            asked = np.minimum(2 ** np.ceil(np.log2(wanted)).astype(np.int64), len(distinct))
            for n_asked in np.unique(asked).tolist():
                these = np.flatnonzero(asked == n_asked)
                _, nearest = self.tree.query(queries_[these], k=n_asked)
                farthest[these] = np.asarray(nearest).reshape(len(these), -1)[np.arange(len(these)), wanted[these] - 1]
            far = distinct[farthest]
            radii = np.sqrt(((far - queries_) ** 2).sum(axis=1)) * (1 + _RADIUS_SLACK) + 1e-12
        finite = np.isfinite(radii)
        balls = [None] * len(queries_)
        if finite.any():  # one call for every query with a finite radius
            assert self.tree is not None
            for t, found in zip(np.flatnonzero(finite), self.tree.query_ball_point(queries_[finite], radii[finite])):
                balls[t] = found
        # Every query's candidates at once, flat: the vectors within its radius (all of them where the radius is
        # infinite), each vector's first k (+ the own group's rows in it) rows by id, vector after vector, then the
        # rows of the own case / judge left out; the same candidates, in the same order, as one query at a time.
        n_queries = len(queries_)
        vectors_of_query = [balls[t] if finite[t] else range(len(distinct)) for t in range(n_queries)]
        per_query = np.fromiter(map(len, vectors_of_query), dtype=np.int64, count=n_queries)
        vectors = np.fromiter(itertools.chain.from_iterable(vectors_of_query), dtype=np.int64, count=int(per_query.sum()))
        pair_query = np.repeat(np.arange(n_queries), per_query)
        lo = starts[vectors]
        extra = self._own_rows_in(query_codes, own, pair_query, vectors, len(distinct))
        lengths = np.minimum(lo + k + extra, starts[vectors + 1]) - lo
        offsets = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
        candidates = members_order[offsets + np.arange(len(offsets))]
        candidate_query = np.repeat(pair_query, lengths)
        keep = codes[candidates] != query_codes[candidate_query]  # never the own case's / judge's rows
        candidates, candidate_query = candidates[keep], candidate_query[keep]
        distance = np.sqrt(((distinct[self.vector_of[candidates]] - queries_[candidate_query]) ** 2).sum(axis=1))
        # per query, nearest first, ties by id (a stable sort: candidates of one query keep their order), the first k
        order = np.lexsort((self.ranks[candidates], distance, candidate_query))
        first = np.searchsorted(candidate_query[order], np.arange(n_queries + 1))
        taken = np.arange(len(order)) - np.repeat(first[:-1], np.diff(first)) < k
        order = order[taken]
        bounds = np.cumsum(np.minimum(np.diff(first), k))[:-1]
        peers = [part.tolist() for part in np.split(candidates[order], bounds)]
        distances = [part.tolist() for part in np.split(distance[order], bounds)]
        return peers, distances

    @staticmethod
    def _own_rows_in(query_codes: np.ndarray, own: dict, pair_query: np.ndarray, vectors: np.ndarray,
                     n_vectors: int) -> np.ndarray:
        """Per (query, vector) pair: how many rows of the query's own exclusion group the vector holds (`own`:
        group → (its vectors, sorted, and its rows in each), as `own()` gives; vectors are below `n_vectors`)."""
        extra = np.zeros(len(vectors), dtype=np.int64)
        groups = sorted(own)
        if not len(vectors) or not groups:
            return extra
        width = n_vectors  # (group, vector) as one sorted integer key
        keys = np.concatenate([g * width + own[g][0].astype(np.int64) for g in groups])
        counts = np.concatenate([own[g][1] for g in groups])
        if not len(keys):
            return extra
        wanted = query_codes[pair_query] * width + vectors
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = keys[at] == wanted
        extra[hit] = counts[at[hit]]
        return extra
