"""The one contract every detector fits, and the flags frame it returns.

A detector is a small object with a stable `name`, its `category`, the tables
it `needs`, its method and legal basis, its false-alarm control and its limits
(shown on the model cards), and one method: `detect(ctx) -> Detection`.
The registry validates the flags once and gives them stable ids; a detector
only says what it found and why.
"""
from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import hashlib
import io
import json
import threading
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from courtwatch import queries
from courtwatch.core.config import Config
from courtwatch.core.errors import UserError
from courtwatch.core.vocabulary import CATEGORIES, SUBJECT_TYPES  # noqa: F401 (CATEGORIES re-exported)

from .triage import statistical_level, triage_level

# The flags export, in order (shared interfaces.md).
FLAG_COLUMNS = ["flag_id", "run_id", "category", "detector", "subject_type", "subject_id", "case_id",
                "judge_id", "court_id", "score", "level", "explanation", "evidence"]
# What a detector fills in; the registry adds flag_id, run_id, category and detector.
DETECTOR_COLUMNS = ["subject_type", "subject_id", "case_id", "judge_id", "court_id", "score", "level",
                    "explanation", "evidence"]

# the two lanes of a run keep states at the same time (keep_state)
_KEEP_LOCK = threading.Lock()

NOTICE_ZH = "本提示仅供人工审查参考，不构成任何认定。"
NOTICE_EN = "This is a warning for human review, not a finding."


def _members(case_ids, wanted: frozenset) -> np.ndarray:
    """Which ids are in `wanted`, by set lookups: Series.isin copies the whole set into a new hash table
    on every call (millions of reference ids at scale 100, once per group or partition). The ids are made
    Python objects in one conversion first: iterating an Arrow-backed Series converts them one by one (two
    thirds of plea_recommendation_deviation in an incremental run at scale 100)."""
    values = case_ids.to_numpy(dtype=object) if isinstance(case_ids, (pd.Series, pd.Index)) else case_ids
    return np.fromiter((i in wanted for i in values), dtype=bool, count=len(case_ids))


@dataclass(frozen=True)
class DetectContext:
    """What a detector may read: the database, the as-of date and the configuration.

    `scope` is set only in an incremental run (`courtwatch detect --since`): the ids of the new or
    changed cases. A detector with `incremental = "scope"` then flags only those cases, judged
    against the last full run's kept model (`stored_states`) or, where none was kept, a model fitted on
    the reference period, the cases unchanged since the last full run (`in_reference`); see
    Detector.incremental.
    """

    con: duckdb.DuckDBPyConnection
    as_of: dt.date
    config: Config
    scope: frozenset[str] | None = None
    # incremental runs: the loaded cases outside the reference period — new or changed since the last full run
    # (every other case is unchanged since then: the cases a case-level model is fitted on, `in_reference`)
    outside_reference: frozenset[str] | None = None
    # incremental runs: how many of the scope's cases were closed by the as-of date (the case-by-case models
    # score judgments and terminations only, so with none there is nothing to score)
    scope_closed: int | None = None
    # incremental runs: the full run whose kept model states the case-level models score against (None: none
    # kept, e.g. after a Spark-engine run or by an older version; they then refit on `reference`)
    state_run: str | None = None
    # what several detectors of one run read alike (see `shared`); the data do not change during a run. A copy
    # of the context with another connection (a run's second lane) shares it: key what depends on the connection
    # by the connection (as fit.stage_features does)
    _shared: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)
    # a full run: the model states its detectors kept (keep_state, keep_case_values), shared by its lanes' copies
    _kept: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def shared(self, key: tuple, make: Callable[[], Any]) -> Any:
        """`make()`, computed once for this context: a value several detectors of one run need alike (a data
        fingerprint, a query's rows), so that the second asks for it without reading the data again. The
        caller must not change what it gets (copy a frame before changing it)."""
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]

    def keep_state(self, model: str, part: str, arrays: dict[str, np.ndarray], meta: dict) -> None:
        """In a full run: keep one part of a model's fitted state (numpy arrays, no objects, and JSON figures)
        for the incremental runs after it, which score new cases against it (`stored_states`). The run writes
        what was kept once its detectors are done (courtwatch/pipeline/runs.py); an incremental run keeps none."""
        if self.scope is None:
            buffer = io.BytesIO()
            np.savez(buffer, **arrays)
            with _KEEP_LOCK:
                self._kept.setdefault("states", []).append((model, part, buffer.getvalue(), json.dumps(meta)))

    def keep_case_values(self, model: str, part: str, case_ids, values) -> None:
        """In a full run: keep one figure per case of a model (e.g. each tested sentence's p-value) for the
        incremental runs after it (`stored_case_values`)."""
        if self.scope is None:
            # as Arrow, not pandas objects: a million ids at scale 100 (1.9 s through pandas, measured)
            ids = pa.Array.from_pandas(case_ids) if isinstance(case_ids, pd.Series) else pa.array(case_ids)
            table = pa.table({"model": pa.repeat(model, len(ids)).cast(pa.string()),
                              "part": pa.repeat(part, len(ids)).cast(pa.string()),
                              "case_id": ids.cast(pa.string()), "value": pa.array(np.asarray(values, dtype=float))})
            with _KEEP_LOCK:
                self._kept.setdefault("case_values", []).append(table)

    def kept(self) -> tuple[pd.DataFrame, pa.Table]:
        """What this run's detectors kept: (states: model, part, arrays, meta; case values: model, part,
        case_id, value)."""
        states = pd.DataFrame(self._kept.get("states", []), columns=["model", "part", "arrays", "meta"])
        values = self._kept.get("case_values", [])
        empty = pa.table({"model": pa.array([], pa.string()), "part": pa.array([], pa.string()),
                          "case_id": pa.array([], pa.string()), "value": pa.array([], pa.float64())})
        return states, pa.concat_tables(values) if values else empty

    def stored_states(self, model: str) -> dict[str, tuple[dict[str, np.ndarray], dict]]:
        """In an incremental run: the state `model` kept in the last full run, by part ({} if none was kept)."""
        if self.state_run is None:
            return {}
        rows = queries.run(self.con, "model_states_of_run", run_id=self.state_run, model=model)
        out = {}
        for part, blob, meta in zip(rows["part"], rows["arrays"], rows["meta"]):
            with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as arrays:
                out[part] = ({name: arrays[name] for name in arrays.files}, json.loads(meta))
        return out

    def stored_case_values(self, model: str, except_parts: tuple[str, ...] = (),
                           with_case_ids: bool = True) -> pd.DataFrame:
        """In an incremental run: the per-case figures `model` kept in the last full run (part, case_id, value;
        no rows if none were kept), of the cases outside this run's scope (theirs are stale) and of the parts
        not in `except_parts`; part and case_id are left blank unless `with_case_ids`."""
        if self.state_run is None:
            return pd.DataFrame(columns=["part", "case_id", "value"])
        self.con.register("scope_cases", pa.table({"case_id": pa.array(sorted(self.scope or ()), pa.string())}))
        try:
            return queries.run(self.con, "model_case_values_of_run", run_id=self.state_run, model=model,
                               except_parts=list(except_parts), with_case_ids=with_case_ids)
        finally:
            self.con.unregister("scope_cases")

    def in_scope(self, case_ids) -> np.ndarray:
        """Which of these cases this run scores (all of them in a full run)."""
        if self.scope is None:
            return np.ones(len(case_ids), dtype=bool)
        return _members(case_ids, self.scope)

    def in_reference(self, case_ids) -> np.ndarray:
        """Which of these cases a model is fitted on: all in a full run; in an incremental run the cases
        unchanged since the last full run and not being scored (cases scored by an earlier incremental
        run are in neither: their flags are carried)."""
        if self.scope is None:
            return np.ones(len(case_ids), dtype=bool)
        return ~_members(case_ids, self.outside_reference or frozenset()) & ~_members(case_ids, self.scope)


class Settings:
    """Base of a detector family's settings: a frozen dataclass whose fields are configuration keys.

    `from_config` reads every field from the family's table (`section`; a field may name another
    with metadata={"section": ...}). The values come from courtwatch/core/config.toml, merged with a
    court's own file; no field has a default in code, so a key missing from the configuration is an
    error naming it, never a silent second default.
    """

    section: ClassVar[str]

    @classmethod
    def from_config(cls, config: Config):
        tables: dict[str, dict] = {}
        values: dict[str, Any] = {}
        missing: list[str] = []
        for f in dataclasses.fields(cls):
            section = f.metadata.get("section", cls.section)
            table = tables.setdefault(section, config.section(section))
            if f.name not in table:
                missing.append(f"[{section}] {f.name}")
                continue
            value = table[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
        if missing:
            raise UserError(f"the configuration ({config.source}) has no {', '.join(missing)}; every key of "
                            "courtwatch/core/config.toml is needed: restore it there")
        return cls(**values)


@dataclass
class Detection:
    """A detector's output: flags plus how many rows it had to skip for unknown fields."""

    flags: pd.DataFrame
    rows_skipped: int = 0
    note: str = ""
    status: str = "ok"


class Detector(abc.ABC):
    """The contract: class attributes that describe the detector, and `detect`.

    Everything below is read by the model cards (docs/detectors.md, the dashboard's model-card page)
    and by the runs; a detector is registered in detectors/registry.py.
    """

    #: Stable id: the flags' `detector` column, the run report's row, the config section's key.
    name: ClassVar[str]
    #: One of core.vocabulary.CATEGORIES.
    category: ClassVar[str]
    #: What one flag is raised on: one of core.vocabulary.SUBJECT_TYPES.
    subject_type: ClassVar[str]
    #: Contract tables it reads; when one is empty the run skips the detector and says so.
    needs: ClassVar[tuple[str, ...]] = ("cases",)
    #: Title on the model card and in warnings, in Chinese and English.
    title_zh: ClassVar[str] = ""
    title_en: ClassVar[str] = ""
    #: How it decides, in a sentence a court president can follow.
    method: ClassVar[str] = ""
    #: The statute, interpretation or guideline the warning rests on.
    legal_basis: ClassVar[str] = ""
    #: How its false alarms are held down (FDR level, control limit, contamination…).
    false_alarm_control: ClassVar[str] = ""
    #: What it cannot see or get right.
    limitations: ClassVar[str] = ""
    #: What an incremental run (`detect --since`) does with it (pipeline/runner.py):
    #:   "carry" — compares whole caseloads (judges, courts, pairs): its flags are carried forward
    #:             unchanged until the next full run refits it;
    #:   "scope" — judges cases one by one against a fitted model: the new or changed cases are
    #:             scored against the model the last full run kept (ctx.stored_states), or where it
    #:             kept none, one fitted on the cases unchanged since then (ctx.scope / ctx.in_reference);
    #:   "all"   — a written rule, needing no model: it re-checks the scope where its verdicts on the
    #:             other cases cannot have changed, else every case (pipeline/runner.py).
    incremental: ClassVar[str] = "carry"
    #: The run-wide fitted model it reads, fitted by the first detector that asks and cached for the others
    #: (None: it reads its own inputs only). A run gives the detectors of one model to one thread and one
    #: connection, one after another (courtwatch/pipeline/runs.py), so that each model is fitted once.
    shared_model: ClassVar[str | None] = None
    #: How an engine runs it:
    #:   "python" — code over one province's tables; the Spark engine runs it on an executor, once
    #:              per province partition, exactly as the DuckDB engine does;
    #:   "sql"    — one query (queries/<name>.sql) whose rows `flags_from_rows` turns into flags
    #:              (see SqlDetector); the Spark engine runs that query as Spark SQL over all provinces.
    engine_path: ClassVar[str] = "python"
    #: What kind of warning it raises, which sets its level (detectors/triage.py): "statistical" for a
    #: model; a written rule says "statute", "heuristic" or "data_quality" (detectors/rules/common.py).
    kind: ClassVar[str] = "statistical"

    @abc.abstractmethod
    def detect(self, ctx: DetectContext) -> Detection:
        """Flags (DETECTOR_COLUMNS) of what this detector finds as of ctx.as_of."""


class SqlDetector(Detector):
    """A detector that is one query plus a pure function of its rows, so any SQL engine can run it."""

    engine_path = "sql"

    @abc.abstractmethod
    def query_inputs(self, ctx: DetectContext) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        """The frames the query reads as views (from configuration, e.g. the statutory frames) and its
        bound parameters; they may read only ctx.as_of and ctx.config (Spark has no DuckDB connection)."""

    @abc.abstractmethod
    def flags_from_rows(self, rows: pd.DataFrame) -> Detection:
        """Flags from the query's rows, whichever engine ran it."""

    def query(self, ctx: DetectContext) -> pd.DataFrame:
        """The query's rows on the DuckDB database."""
        views, params = self.query_inputs(ctx)
        for view, frame in views.items():
            ctx.con.register(view, frame)
        try:
            return queries.run(ctx.con, self.name, **params)
        finally:
            for view in views:
                ctx.con.unregister(view)

    def detect(self, ctx: DetectContext) -> Detection:
        return self.flags_from_rows(self.query(ctx))


def level_for(score: float) -> str:
    """A statistical score's strength level (detectors/triage.py). A detector may fill its flags' `level`
    with it, but finish_flags sets every flag's level by the one mapping in detectors/triage.py."""
    return statistical_level(score)


def stable_flag_id(detector: str, subject_type: str, subject_id: str) -> str:
    """The same finding on the same subject keeps its id across runs and re-imports."""
    digest = hashlib.sha1(f"{detector}|{subject_type}|{subject_id}".encode("utf-8")).hexdigest()
    return "F" + digest[:15]


def _json_default(value: Any):
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if not np.isfinite(value) else round(float(value), 6)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def clean_value(value: Any) -> Any:
    """A figure as it should appear in evidence JSON (NaN/NA → None, numpy → Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (np.floating, float)):
        return round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if value.hour == value.minute == value.second == 0 and value.microsecond == 0:
            return value.strftime("%Y-%m-%d")  # a DATE column read back through pandas
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _without_nan(value: Any) -> Any:
    """NaN and infinity become null: the flags export is standard JSON, which has no NaN."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nan(v) for v in value]
    return value


def evidence_json(evidence: dict) -> str:
    """The evidence as standard JSON (NaN and infinity as null). Most evidence holds no such float, and json refuses
    one (allow_nan=False) before writing anything: only then is the copy without them made (a walk of every value
    of every flag's evidence: 30% of recording 50,000 flags at scale 100)."""
    try:
        return json.dumps(evidence, ensure_ascii=False, sort_keys=True, default=_json_default, allow_nan=False)
    except ValueError:
        return json.dumps(_without_nan(evidence), ensure_ascii=False, sort_keys=True, default=_json_default,
                          allow_nan=False)


def finish_flags(detector: Detector, flags: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """Validate a detector's flags and complete them into export rows (done once, at the registry)."""
    missing = [c for c in DETECTOR_COLUMNS if c not in flags.columns]
    if missing:
        raise ValueError(f"detector {detector.name} returned flags without {missing}")
    flags = flags[DETECTOR_COLUMNS].copy()
    if flags.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    bad_subject = ~flags["subject_type"].isin(SUBJECT_TYPES)
    scores = pd.to_numeric(flags["score"], errors="coerce")
    bad_score = scores.isna() | (scores < 0) | (scores > 1)
    if bad_subject.any() or bad_score.any():
        raise ValueError(f"detector {detector.name} returned invalid flags "
                         f"(subject_type {bad_subject.sum()}, score {bad_score.sum()})")
    # the level is a reading order set in one place for every detector (detectors/triage.py)
    flag_kinds = [e.get("rule_kind") if isinstance(e, dict) else None for e in flags["evidence"]]
    flags["level"] = [triage_level(detector, s, k) for s, k in zip(scores, flag_kinds)]
    if flags["subject_id"].isna().any() or (flags["explanation"].fillna("") == "").any():
        raise ValueError(f"detector {detector.name} returned a flag without subject or explanation")
    if flags["subject_id"].duplicated().any():
        raise ValueError(f"detector {detector.name} flagged one subject twice; merge them into one flag")
    flags["score"] = scores.round(4)
    flags["evidence"] = flags["evidence"].map(lambda e: e if isinstance(e, str) else evidence_json(e))
    flags.insert(0, "detector", detector.name)
    flags.insert(0, "category", detector.category)
    flags.insert(0, "run_id", run_id)
    flags.insert(0, "flag_id", [stable_flag_id(detector.name, t, s)
                                for t, s in zip(flags["subject_type"], flags["subject_id"])])
    for column in ("case_id", "judge_id", "court_id"):
        flags[column] = flags[column].astype(object).where(flags[column].notna(), None)
    return flags[FLAG_COLUMNS]
