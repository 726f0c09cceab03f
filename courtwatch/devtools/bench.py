"""`make bench`: time every stage on this machine and write docs/benchmarks.md.

For each scale (default 1, 10 and 100; `--quick`: 1 only) and each province (the
generator's default one and a high-flag one at low sentencing noise, PROVINCES) the stages run
one after another, each in its own process so that its wall time, CPU time and
peak memory are its own: `sample` (the generator), `ingest`, `load_floor`,
`detect` (with each detector's time from the run record), `model_floors`,
`incremental`, `floor`, `dashboard` (every page through Streamlit's AppTest,
cold and after warm-up) and `briefing` (a quarterly PDF).

Floors, measured in the same run on the same data, so that a figure says how far a stage is from
what its library alone needs: `load_floor` is DuckDB's own `CREATE TABLE AS SELECT * FROM
read_csv(…)` of the same import files (ingest's floor); `model_floors` times the bare library call
of each model stage on the same design (statsmodels RLM per peer group for sentence_deviation, PyOD
ECOD per partition for termination_procedure_outlier and per group for judge_profile_outlier,
statsmodels OLS with HC3 per court for sentencing_disparity_audit); `floor` is a plain DuckDB
scan-and-aggregate of the loaded tables, the unit in which stages of different machines compare.
The machine's load is recorded with every stage, because these machines are shared.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable

EXPORT_DATE = dt.date(2024, 12, 31)
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def _pages() -> dict[str, str]:
    """url path → page file name, read from dashboard/app.py's PAGE_SPECS (the one list of pages)."""
    import ast
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGE_SPECS" for t in node.targets):
            return {spec[4]: Path(spec[1]).stem for spec in ast.literal_eval(node.value)}
    raise RuntimeError(f"no PAGE_SPECS in {APP}")


STAGES = ("sample", "ingest", "load_floor", "detect", "model_floors", "incremental", "floor", "dashboard", "briefing")
# name → the generator's sentencing noise. The high-flag province (issue 16): at low noise many more
# sentences are significant, so every per-flag cost shows; its dashboard and briefing are not timed.
PROVINCES = {"default": 0.35, "high-flag": 0.1}
PROVINCE_STAGES = {"default": STAGES,
                   "high-flag": ("sample", "ingest", "load_floor", "detect", "model_floors", "incremental")}
# stages that measure the generator or the libraries, not the product (left out of the memory target)
MEASUREMENT_STAGES = ("sample", "load_floor", "model_floors", "floor")
# the detectors whose model has a library floor (model_floors), and the call it times
MODEL_FLOORS = {"sentence_deviation": "statsmodels RLM (HuberT) per peer group",
                "termination_procedure_outlier": "PyOD ECOD per partition",
                "judge_profile_outlier": "PyOD ECOD per judge group",
                "sentencing_disparity_audit": "statsmodels OLS, HC3, per court and province-wide"}
# The incremental stage re-scores the cases filed in the last INCREMENTAL_DAYS days (a week's intake).
INCREMENTAL_DAYS = 7
# Issue 16's targets, checked at scale 100 (both provinces where both ran).
TARGET_SCALE = 100
TARGET_DETECT_S = 60
TARGET_MODEL_RATIO = 5.0     # each model stage ÷ its library floor
TARGET_INGEST_RATIO = 3.0    # ingest ÷ DuckDB's plain CREATE TABLE AS read_csv
TARGET_INCREMENTAL_S = 15
TARGET_PAGE_S = 0.5
TARGET_BRIEFING_S = 5
TARGET_PEAK_MB = 4 * 1024
BRIEFING_PERIOD = "2024-Q4"  # a quarterly briefing
GENERATED_END = "<!-- end of generated figures: text below this line is kept when the figures are regenerated -->"
BENCH_USER = {"username": "bench", "display_name": "bench", "role": "admin", "court_ids": [], "scope": None}


# ---------------------------------------------------------------- stages (each runs in its own process)

def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    """Wall and CPU seconds (all threads of this process) of the work inside a stage."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), _cpu_self()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu_self() - self.cpu


def _paths(work: Path, scale: float, province: str = "default") -> tuple[Path, Path]:
    return work / f"import-{scale:g}-{province}", work / f"bench-{scale:g}-{province}.duckdb"


def _timed_store_copy() -> dict:
    """Measure (not change) the building-copy step of store.open_for_write: the copy of the published file."""
    from courtwatch.storage import store
    spent = {"copy_s": 0.0, "copied_mb": 0.0}
    copy = store.shutil.copyfile

    def timed(src, dst, *args, **kwargs):
        began = time.perf_counter()
        result = copy(src, dst, *args, **kwargs)
        spent["copy_s"] += time.perf_counter() - began
        spent["copied_mb"] += os.path.getsize(src) / 2**20
        return result

    class ShutilWithTiming:
        copyfile = staticmethod(timed)

        def __getattr__(self, name):
            return getattr(shutil, name)

    store.shutil = ShutilWithTiming()
    return spent


def stage_sample(scale: float, seed: int, work: Path, province: str) -> dict:
    from courtwatch.sample_data import generate
    folder, _ = _paths(work, scale, province)
    shutil.rmtree(folder, ignore_errors=True)
    with _Clock() as clock:
        summary = generate(folder, scale=scale, seed=seed, noise=PROVINCES[province])
    rows = summary.get("rows", summary)
    return {"wall": clock.wall, "cpu": clock.cpu,
            "rows": sum(v for v in rows.values() if isinstance(v, int)),
            "csv_mb": sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20}


def stage_ingest(scale: float, seed: int, work: Path, province: str) -> dict:
    from courtwatch.pipeline.ingest import ingest
    folder, db = _paths(work, scale, province)
    copy = _timed_store_copy()
    with _Clock() as clock:
        result = ingest(folder, db=db, export_date=EXPORT_DATE)
    read = sum(t.read for t in result.tables.values())
    return {"wall": clock.wall, "cpu": clock.cpu, "rows": read,
            "loaded": sum(t.loaded for t in result.tables.values()),
            "tables": {name: t.read for name, t in result.tables.items()},
            "rows_per_s": read / clock.wall, "db_mb": db.stat().st_size / 2**20, **copy}


def stage_detect(scale: float, seed: int, work: Path, province: str) -> dict:
    from courtwatch.pipeline.runs import detect
    _, db = _paths(work, scale, province)
    copy = _timed_store_copy()
    with _Clock() as clock:
        run = detect(db)
    detectors = run.detectors[["detector", "category", "status", "flag_count", "rows_skipped", "seconds"]]
    return {"wall": clock.wall, "cpu": clock.cpu, "flags": len(run.flags),
            "detectors": detectors.to_dict("records"), "db_mb": db.stat().st_size / 2**20, **copy}


def stage_incremental(scale: float, seed: int, work: Path, province: str) -> dict:
    """`detect --since` over a week's intake, after the full run: what a nightly job costs."""
    import datetime as dt

    from courtwatch.pipeline.runs import detect
    _, db = _paths(work, scale, province)
    copy = _timed_store_copy()
    with _Clock() as clock:
        run = detect(db, since=EXPORT_DATE - dt.timedelta(days=INCREMENTAL_DAYS))
    from courtwatch.detectors.registry import by_name
    detectors = by_name()
    case_models = run.flags["detector"].map(lambda d: detectors[d].incremental == "scope")
    return {"wall": clock.wall, "cpu": clock.cpu, "flags": len(run.flags), "scored_cases": len(run.scope),
            "new_flags": int((case_models & run.flags["case_id"].isin(run.scope)).sum()),
            "detectors": run.detectors[["detector", "status", "flag_count", "seconds"]].to_dict("records"), **copy}


def stage_floor(scale: float, seed: int, work: Path, province: str) -> dict:
    """A plain scan-and-aggregate of every loaded table: the cheapest useful pass over the data.
    Best of three, with DuckDB's default threads and with one thread (their ratio shows how much
    of a second core the machine actually gave)."""
    import duckdb

    from courtwatch.core.contract import LOAD_ORDER
    from courtwatch.storage import store
    _, db = _paths(work, scale, province)
    con = duckdb.connect(str(db), read_only=True, config=store.DUCKDB_CONFIG)
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in LOAD_ORDER}

    def best_of_three() -> tuple[float, float]:
        best = (float("inf"), 0.0)
        for _ in range(3):
            with _Clock() as clock:
                for table in LOAD_ORDER:
                    con.execute(f"SELECT count(*), sum(hash(t)) FROM {table} t").fetchall()
            best = min(best, (clock.wall, clock.cpu))
        return best

    try:
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        wall, cpu = best_of_three()
        con.execute("SET threads = 1")
        one_thread, _ = best_of_three()
    finally:
        con.close()
    return {"wall": wall, "cpu": cpu, "rows": sum(rows.values()), "threads": threads,
            "one_thread_s": one_thread, "parallel_speedup": one_thread / wall if wall else None}


def stage_dashboard(scale: float, seed: int, work: Path, province: str) -> dict:
    """Every page through AppTest: first render (cold caches) and the slower of two renders after it."""
    import duckdb
    from streamlit.testing.v1 import AppTest
    _, db = _paths(work, scale, province)
    os.environ["COURTWATCH_DB"] = str(db)
    os.environ["COURTWATCH_OPS_URL"] = f"sqlite:///{work / f'ops-{scale:g}.sqlite'}"
    from courtwatch.access import auth
    from courtwatch.storage.opsstore import OpsStore
    ops = OpsStore.open(url=os.environ["COURTWATCH_OPS_URL"])
    if auth.user_by_name(ops, BENCH_USER["username"]) is None:  # every rerun re-reads the signed-in account
        auth.add_user(ops, BENCH_USER["username"], BENCH_USER["display_name"], BENCH_USER["role"], [], None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        latest = con.execute("SELECT flag_id FROM flags WHERE run_id = (SELECT max_by(run_id, started_at) FROM runs) "
                             "ORDER BY flag_id LIMIT 1").fetchall()
    finally:
        con.close()
    pages = {}
    with _Clock() as clock:
        for url, name in _pages().items():
            pages[url] = _render_page(AppTest, url, name, latest[0][0] if latest else None)
    return {"wall": clock.wall, "cpu": clock.cpu, "pages": pages}


def _render_page(AppTest, url: str, name: str, flag_id: str | None) -> dict:
    if not (APP.parent / "pages" / f"{name}.py").exists():
        return {"error": f"dashboard/pages/{name}.py not found"}
    try:
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.session_state["signed_in"] = dict(BENCH_USER)
        at.session_state["last_seen"] = dt.datetime.now()
        if url == "flag":
            if flag_id is None:
                return {"error": "no flag in the latest run to open"}
            at.query_params["flag"] = flag_id  # the app opens the flag page for ?flag=
        began = time.perf_counter()
        at.run()
        if url not in ("overview", "flag"):
            began = time.perf_counter()
            at.switch_page(f"pages/{name}.py").run()
        cold = time.perf_counter() - began
        warm = []
        for _ in range(2):
            began = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - began)
        errors = [str(e.value).splitlines()[0] for e in at.exception]
        result = {"cold_s": cold, "warm_s": max(warm), "title": [str(e.value) for e in at.title][:1]}
        if errors:
            result["error"] = errors[0]
        return result
    except Exception as exc:  # a page that cannot render is recorded, not fatal
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}


def stage_briefing(scale: float, seed: int, work: Path, province: str) -> dict:
    try:
        from courtwatch.reporting.briefing import write_brief
    except ImportError as exc:
        return {"wall": None, "cpu": None, "error": f"not available ({exc})"}
    _, db = _paths(work, scale, province)
    os.environ["COURTWATCH_OPS_URL"] = f"sqlite:///{work / f'ops-{scale:g}.sqlite'}"
    os.environ.setdefault("COURTWATCH_USER", "bench")
    out = work / f"brief-{scale:g}.pdf"
    with _Clock() as clock:
        try:
            write_brief(db, BRIEFING_PERIOD, None, "pdf", out)
            error = None
        except Exception as exc:
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return {"wall": clock.wall, "cpu": clock.cpu, "error": error, "period": BRIEFING_PERIOD,
            "pdf_kb": out.stat().st_size / 1024 if out.exists() else None}


def stage_load_floor(scale: float, seed: int, work: Path, province: str) -> dict:
    """Ingest's floor: DuckDB alone loading the same import files (`CREATE TABLE AS SELECT * FROM read_csv`,
    types sniffed, no validation, no quarantine) into a new database file, checkpointed, as ingest publishes."""
    import duckdb

    from courtwatch.core.contract import LOAD_ORDER
    folder, _ = _paths(work, scale, province)
    target = work / f"plain-{scale:g}-{province}.duckdb"
    best = None
    for _ in range(2):  # best of two: one load at scale 100 varied by 15% between runs (10.1 and 11.9 s)
        target.unlink(missing_ok=True)
        con = duckdb.connect(str(target))
        try:
            with _Clock() as clock:
                for table in LOAD_ORDER:
                    path = folder / f"{table}.csv"
                    if path.exists():
                        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?)", [str(path)])
                con.execute("CHECKPOINT")
            rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in LOAD_ORDER
                       if (folder / f"{t}.csv").exists())
        finally:
            con.close()
        if best is None or clock.wall < best[0]:
            best = (clock.wall, clock.cpu)
    target.unlink(missing_ok=True)
    return {"wall": best[0], "cpu": best[1], "rows": rows}


def stage_model_floors(scale: float, seed: int, work: Path, province: str) -> dict:
    """The bare library call of each model stage on the same design as the run's (MODEL_FLOORS).

    The designs are built with the detectors' own code (not timed); only the library calls are
    timed, one after another, BLAS on one thread (for these shapes faster than on two: the
    detectors do the same). Nothing is written.
    """
    import warnings

    import duckdb
    import numpy as np
    import statsmodels.api as sm
    from pyod.models.ecod import ECOD
    from threadpoolctl import threadpool_limits

    from courtwatch import queries
    from courtwatch.core.config import load_config
    from courtwatch.detectors import law
    from courtwatch.detectors.base import DetectContext
    from courtwatch.detectors.patterns.common import PatternSettings
    from courtwatch.detectors.patterns.judge_profile_outlier import PROFILE_METRICS, JudgeProfileOutlier
    from courtwatch.detectors.patterns.termination_procedure_outlier import FEATURES, _partitions
    from courtwatch.detectors.sentencing.fit import (
        SentencingSettings,
        fit_model,
        fit_sample,
        peer_group_features,
        stage_features,
    )
    from courtwatch.detectors.sentencing.sentencing_disparity_audit import ATTRIBUTES
    from courtwatch.pipeline.runs import default_as_of
    _, db = _paths(work, scale, province)
    con = duckdb.connect(str(db), read_only=True)
    config = load_config()
    ctx = DetectContext(con=con, as_of=default_as_of(con), config=config)
    floors: dict[str, dict] = {}

    def timed(name: str, calls: list, what: str, read: Callable[[], object] | None = None) -> None:
        """Time the library calls; `read` (timed apart, as `read_wall`) reads the same data the detector reads
        (its queries, on a fresh context), the floor of a stage whose design is small next to its reading."""
        wall = cpu = 0.0
        with threadpool_limits(1, user_api="blas"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for call in calls:
                with _Clock() as clock:
                    call()
                wall, cpu = wall + clock.wall, cpu + clock.cpu
        floors[name] = {"wall": wall, "cpu": cpu, "calls": len(calls), "what": what}
        if read is not None:
            with _Clock() as clock:
                read()
            floors[name].update(read_wall=clock.wall, read_cpu=clock.cpu)

    def fresh() -> DetectContext:  # a context whose run-scoped values (DetectContext.shared) are not read yet
        return DetectContext(con=con, as_of=ctx.as_of, config=config)

    def read_sentencing_features() -> None:
        reading = fresh()
        groups = queries.run(con, "sentencing_peer_groups", as_of=ctx.as_of, separator=law.MULTI_CHARGE_SEPARATOR)
        stage_features(reading)
        for group in groups["peer_group"]:
            peer_group_features(reading, group)

    try:
        settings = SentencingSettings.from_config(config)
        model = fit_model(ctx)
        fits = []
        for group, fit in model.groups.items():
            if fit.status != "fitted" or fit.design is None:
                continue
            X = fit.design.X
            y = np.log(fit.design.rows["term_months"].astype(float).to_numpy())
            idx = fit_sample(group, np.arange(len(y)), settings)
            norm = sm.robust.norms.HuberT(t=settings.sentencing_huber_t)
            fits.append(lambda y=y[idx], X=X[idx], norm=norm:
                        sm.RLM(y, X, M=norm).fit(maxiter=100, tol=1e-8, scale_est="mad"))
        timed("sentence_deviation", fits, f"{len(fits)} RLM fits", read_sentencing_features)

        s = PatternSettings.from_config(config)
        courts = queries.run(con, "pattern_termination_procedure_courts", as_of=ctx.as_of)
        ecods = []
        for court_ids in _partitions(courts, s.procedure_partition_max_cases, s.procedure_min_cases):
            frame = queries.run(con, "pattern_termination_procedure", as_of=ctx.as_of, court_ids=court_ids)
            X = frame[FEATURES].dropna().to_numpy(dtype=float)
            if len(X) >= s.procedure_min_cases:
                ecods.append(lambda X=X: ECOD(contamination=0.01).fit(X))
        timed("termination_procedure_outlier", ecods, f"{len(ecods)} ECOD fits",
              lambda: [queries.run(con, "pattern_termination_procedure", as_of=ctx.as_of, court_ids=court_ids)
                       for court_ids in _partitions(queries.run(con, "pattern_termination_procedure_courts",
                                                                as_of=ctx.as_of),
                                                    s.procedure_partition_max_cases, s.procedure_min_cases)])

        detector = JudgeProfileOutlier()
        rates = queries.run(con, "pattern_judge_rates", as_of=ctx.as_of, prior_cases=float(s.standardisation_prior_cases))
        days = queries.run(con, "pattern_judge_days_to_close", as_of=ctx.as_of)
        profiles = []
        for group, metrics in PROFILE_METRICS.items():
            prof, used, _ = detector._profiles(rates, days, group, metrics, s)
            if prof is not None:
                X = prof[[f"z_{m}" for m in used] + ["z_days"]].to_numpy(dtype=float)
                profiles.append(lambda X=X: ECOD(contamination=0.01).fit(X))
        timed("judge_profile_outlier", profiles, f"{len(profiles)} ECOD fits",
              lambda: (queries.run(con, "pattern_judge_rates", as_of=ctx.as_of,
                                   prior_cases=float(s.standardisation_prior_cases)),
                       queries.run(con, "pattern_judge_days_to_close", as_of=ctx.as_of)))

        attrs = queries.run(con, "sentencing_audit_attributes", as_of=ctx.as_of)
        rows = model.rows[["defendant_id", "court_id", "resid_clipped"]].merge(
            attrs.drop(columns=["court_id"]), on="defendant_id", how="inner")
        names = list(ATTRIBUTES)
        rows = rows[rows[names].notna().all(axis=1)]
        rows = rows.assign(**{a: rows[a].astype(bool) for a in names})
        min_n, min_group = int(settings.disparity_min_court_cases), int(settings.disparity_min_group)
        ols = []
        for _, g in [*rows.groupby("court_id", sort=True), ("province", rows)]:
            usable = [a for a in names if min(int(g[a].sum()), int((~g[a]).sum())) >= min_group]
            if len(g) >= min_n and usable:
                X = sm.add_constant(g[usable].astype(float).to_numpy(), has_constant="add")
                ols.append(lambda y=g["resid_clipped"].to_numpy(), X=X: sm.OLS(y, X).fit(cov_type="HC3"))
        timed("sentencing_disparity_audit", ols, f"{len(ols)} OLS fits",
              lambda: queries.run(con, "sentencing_audit_attributes", as_of=ctx.as_of))
    finally:
        con.close()
    return {"wall": sum(f["wall"] for f in floors.values()), "cpu": sum(f["cpu"] for f in floors.values()),
            "floors": floors}


def _stage_main(name: str, scale: float, seed: int, work: Path, result: Path, province: str) -> None:
    try:
        data = globals()[f"stage_{name}"](scale, seed, work, province)
    except Exception as exc:
        data = {"wall": None, "cpu": None, "error": f"{type(exc).__name__}: {exc}".splitlines()[0],
                "traceback": traceback.format_exc()}
    result.write_text(json.dumps(data, default=str), encoding="utf-8")


# ---------------------------------------------------------------- the driver

def _load() -> float:
    return os.getloadavg()[0]


def run_stage(name: str, scale: float, seed: int, work: Path, province: str = "default") -> dict:
    """One stage in a child process; its rusage (wait4) gives the process's own CPU time and peak memory."""
    result = work / f"{name}-{scale:g}-{province}.json"
    log = work / f"{name}-{scale:g}-{province}.log"
    result.unlink(missing_ok=True)
    load_before = _load()
    began = time.perf_counter()
    with open(log, "w") as err:
        child = subprocess.Popen([sys.executable, "-m", "courtwatch.devtools.bench", "--stage", name, "--scale", str(scale),
                                  "--seed", str(seed), "--work", str(work), "--result", str(result),
                                  "--province", province],
                                 stdout=err, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    data = json.loads(result.read_text(encoding="utf-8")) if result.exists() else \
        {"wall": None, "cpu": None, "error": f"stage process exited with {child.returncode}; see {log.name}"}
    data.update(stage=name, scale=scale, province=province, process_wall=time.perf_counter() - began,
                process_cpu=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024,
                load=(load_before + _load()) / 2)
    shown = f"{data['wall']:.1f}s" if data.get("wall") is not None else "-"
    print(f"  scale {scale:g} {province:<9} {name:<12} {shown:>8}  cpu {data['process_cpu']:.1f}s  peak {data['peak_mb']:,.0f} MB"
          f"  load {data['load']:.1f}" + (f"  ERROR {data['error']}" if data.get("error") else ""), flush=True)
    return data


def bench(scales: list[float], seed: int, work: Path, provinces: list[str]) -> tuple[dict, float]:
    """results[(scale, province)][stage]"""
    results: dict[tuple[float, str], dict[str, dict]] = {}
    began = time.perf_counter()
    for scale in scales:
        for province in provinces:
            stages = results[(scale, province)] = {}
            for name in PROVINCE_STAGES[province]:
                stages[name] = run_stage(name, scale, seed, work, province)
                if name in ("sample", "ingest") and stages[name].get("error"):
                    break  # nothing to measure after a failed sample or import
            for path in _paths(work, scale, province):  # keep the disk free for the next one
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    return results, time.perf_counter() - began


# ---------------------------------------------------------------- the report

def _s(value, digits=1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ratio(value, floor) -> str:
    return "—" if value is None or not floor else f"{value / floor:,.0f}×"


def _label(scale: float, province: str) -> str:
    return f"{scale:g}" if province == "default" else f"{scale:g} ({province})"


def report(results: dict, total_s: float, scales: list[float], started: dt.datetime, load_start: float,
           load_end: float) -> list[str]:
    import duckdb
    import pyarrow
    cores = os.cpu_count()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Benchmarks",
        "",
        f"Regenerated by `make bench` (`python -m courtwatch.devtools.bench {' '.join(f'{s:g}' for s in scales)} --out …`) "
        f"on {started:%Y-%m-%d %H:%M}: {cores} cores, {mem_gb:.0f} GB, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pyarrow {pyarrow.__version__}. The whole command took "
        f"**{total_s / 60:.1f} min**. Load average (1 min) {load_start:.1f} at the start, {load_end:.1f} at the end: "
        "the machine is shared, so wall times include waiting for a core; CPU seconds are this program's own.",
        "",
        "Each stage runs in its own process. *wall* and *CPU* are the stage's work (CPU: all its threads); "
        "*peak* is the process's peak resident memory; *load* the 1-minute load average around the stage. "
        "Two provinces per scale: the generator's default one (sentencing noise 0.35) and a *high-flag* one "
        f"(noise {PROVINCES['high-flag']:g}: many more sentences are significant, so every cost per flag shows). "
        "Floors, measured in the same run on the same files and designs: *load_floor* is DuckDB alone loading "
        "the import files (`CREATE TABLE AS SELECT * FROM read_csv`, then CHECKPOINT; best of two); *model_floors* the bare "
        "library call of each model stage (see the detectors' tables), and apart from it the detector's own queries "
        "reading the same data (where a model is small, as ECOD over a few thousand judges, the reading is most "
        "of what any implementation must do, so the targets give the ratio to both); *floor* a plain DuckDB "
        "`count(*), sum(hash(row))` over every loaded table, best of three (*÷ scan* divides by it). "
        "*parallel* is that scan's one-thread time over its default-thread time: 2.0 means both cores were ours, "
        "1.0 means one.",
        "",
    ]
    lines += _targets(results, total_s, scales)
    lines += ["## Stages", "",
              "| scale | stage | wall (s) | CPU (s) | peak (MB) | load | ÷ scan | figure |",
              "|---|---|---|---|---|---|---|---|"]
    for (scale, province), stages in results.items():
        floor = stages.get("floor", {}).get("wall") or results.get((scale, "default"), {}).get("floor", {}).get("wall")
        for name, r in stages.items():
            lines.append(f"| {_label(scale, province)} | {name} | {_s(r.get('wall'), 2)} | {_s(r.get('cpu'), 2)} | "
                         f"{_s(r.get('peak_mb'), 0)} | {_s(r.get('load'))} | {_ratio(r.get('wall'), floor)} | "
                         f"{_figure(name, r, stages)} |")
    lines.append("")
    for (scale, province), stages in results.items():
        ingest = stages.get("ingest", {})
        if ingest.get("tables"):
            plain = stages.get("load_floor", {}).get("wall")
            lines += [f"## Ingest at scale {_label(scale, province)}", "",
                      f"{ingest['rows']:,} rows read, {ingest.get('loaded', 0):,} loaded in {ingest['wall']:.1f} s: "
                      f"**{ingest['rows_per_s']:,.0f} rows/s** ({ingest['rows'] / ingest['cpu']:,.0f} rows per CPU second)"
                      + (f", {ingest['wall'] / plain:.1f}× DuckDB's plain load of the same files ({plain:.1f} s)"
                         if plain else "") + ". "
                      f"Database file {ingest.get('db_mb', 0):,.0f} MB. Rows per file: "
                      + ", ".join(f"{t} {n:,}" for t, n in ingest["tables"].items()) + ".", ""]
    for (scale, province), stages in results.items():
        detect = stages.get("detect", {})
        if detect.get("detectors"):
            floors = stages.get("model_floors", {}).get("floors") or {}
            lines += [f"## Detectors at scale {_label(scale, province)}", "",
                      f"{detect['flags']:,} flags in {detect['wall']:.1f} s; before the detectors run, the "
                      f"published file ({detect.get('copied_mb', 0):,.0f} MB) is copied to the building file in "
                      f"{detect.get('copy_s', 0):.1f} s (courtwatch/storage/store.py). The detectors' seconds add up to "
                      f"{sum(d['seconds'] or 0 for d in detect['detectors']):.1f} s; the rest of the run is the "
                      "fingerprints, the review list and recording the flags. *library floor*: the bare library "
                      "call on the same design, in the `model_floors` stage.", "",
                      "| detector | category | status | flags | rows skipped | seconds | library floor (s) | ÷ floor |",
                      "|---|---|---|---|---|---|---|---|"]
            for d in sorted(detect["detectors"], key=lambda d: -(d["seconds"] or 0)):
                f = floors.get(d["detector"])
                floor_cell = (f"{f['wall']:.2f} ({f['what']}, {f['calls']} calls)"
                              + (f"; its queries {f['read_wall']:.2f}" if f.get("read_wall") is not None else "")
                              if f else "—")
                lines.append(f"| {d['detector']} | {d['category']} | {d['status']} | {d['flag_count']:,} | "
                             f"{d['rows_skipped']:,} | {d['seconds']:.2f} | {floor_cell} | "
                             f"{_times(d['seconds'], f['wall']) if f else '—'} |")
            lines.append("")
    for (scale, province), stages in results.items():
        pages = stages.get("dashboard", {}).get("pages")
        if pages:
            lines += [f"## Dashboard pages at scale {_label(scale, province)}", "",
                      "AppTest, signed in as an administrator (every court). *first* is the first render in a "
                      "new session (cold caches); *after warm-up* the slower of the next two renders.", "",
                      "| page | first (s) | after warm-up (s) | result |", "|---|---|---|---|"]
            for url, p in pages.items():
                lines.append(f"| {url} | {_s(p.get('cold_s'), 2)} | {_s(p.get('warm_s'), 2)} | "
                             f"{'failed: ' + _cell(p['error']) if p.get('error') else 'ok'} |")
            lines.append("")
    return lines


def _times(value, floor) -> str:
    return "—" if value is None or not floor else f"{value / floor:,.1f}×"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:200]


def _figure(name: str, r: dict, stages: dict) -> str:
    if r.get("error"):
        return "failed: " + _cell(r["error"])
    if name == "sample":
        return f"{r['rows']:,} rows, {r['csv_mb']:,.0f} MB of CSV"
    if name == "ingest":
        plain = stages.get("load_floor", {}).get("wall")
        return f"**{r['rows_per_s']:,.0f} rows/s** ({r['rows']:,} rows)" + (
            f"; {r['wall'] / plain:.1f}× the plain load" if plain else "")
    if name == "load_floor":
        return f"DuckDB `CREATE TABLE AS read_csv`, {r['rows']:,} rows"
    if name == "detect":
        return f"{r['flags']:,} flags, {len(r['detectors'])} detectors"
    if name == "model_floors":
        return "; ".join(f"{d} {f['wall']:.2f} s" for d, f in r.get("floors", {}).items())
    if name == "incremental":
        return (f"{r['scored_cases']:,} cases filed in the last {INCREMENTAL_DAYS} days scored, "
                f"{r['new_flags']:,} new flags from the case-level models, {r['flags']:,} in the run")
    if name == "floor":
        return f"{r['rows']:,} rows; parallel {r['parallel_speedup']:.2f} ({r['threads']} threads)"
    if name == "dashboard":
        pages = r["pages"]
        ok = [p for p in pages.values() if not p.get("error")]
        worst = max(ok, key=lambda p: p["warm_s"], default=None)
        return (f"{len(ok)}/{len(pages)} pages render; slowest after warm-up "
                f"{worst['warm_s']:.2f} s" if worst else f"0/{len(pages)} pages render")
    if name == "briefing":
        return f"PDF of {r.get('period', '')}, {r['pdf_kb']:,.0f} KB" if r.get("pdf_kb") else ""
    return ""


def _targets(results: dict, total_s: float, scales: list[float]) -> list[str]:
    """Issue 16's targets at scale 100: which hold, and by how much the others miss."""
    runs = {p: st for (scale, p), st in results.items() if scale == float(TARGET_SCALE)}
    if not runs:
        return ["## Targets (issue 16)", "",
                f"Not checked: scale {TARGET_SCALE} was not run (scales {', '.join(f'{s:g}' for s in scales)}).", ""]
    rows = []

    def add(name, measured, target, holds, miss, evidence=""):
        verdict = "holds" if holds else f"**misses** by {miss}"
        rows.append(f"| {name} | {measured} | {target} | {verdict} | {evidence} |")

    for province, stages in runs.items():
        where = "" if province == "default" else f" ({province})"
        detect = stages.get("detect", {})
        if detect.get("wall") is not None and not detect.get("error"):
            slowest = sorted(detect["detectors"], key=lambda d: -(d["seconds"] or 0))[:3]
            add(f"full detection{where}", f"{detect['wall']:.0f} s", f"≤ {TARGET_DETECT_S} s",
                detect["wall"] <= TARGET_DETECT_S, f"{detect['wall'] - TARGET_DETECT_S:.0f} s",
                f"{detect['flags']:,} flags; slowest: " + ", ".join(f"{d['detector']} {d['seconds']:.0f} s" for d in slowest)
                + f"; CPU {detect['cpu']:.0f} s; load {detect['load']:.1f}")
        else:
            add(f"full detection{where}", "failed", f"≤ {TARGET_DETECT_S} s", False, "—", _cell(detect.get("error", "")))
        floors = stages.get("model_floors", {}).get("floors") or {}
        seconds = {d["detector"]: d["seconds"] for d in detect.get("detectors") or []}
        for name, f in floors.items():
            if name in seconds and f["wall"]:
                ratio = seconds[name] / f["wall"]
                add(f"{name}{where} ÷ library floor", f"{ratio:.1f}× ({seconds[name]:.1f} s ÷ {f['wall']:.1f} s)",
                    f"≤ {TARGET_MODEL_RATIO:g}×", ratio <= TARGET_MODEL_RATIO,
                    f"{ratio - TARGET_MODEL_RATIO:.1f}×", f"{f['what']} ({f['calls']} calls)")
            if name in seconds and f.get("read_wall") is not None and f["wall"] + f["read_wall"] > 0:
                floor = f["wall"] + f["read_wall"]
                ratio = seconds[name] / floor
                add(f"{name}{where} ÷ (reading + library floor)",
                    f"{ratio:.1f}× ({seconds[name]:.1f} s ÷ {floor:.1f} s)", f"≤ {TARGET_MODEL_RATIO:g}×",
                    ratio <= TARGET_MODEL_RATIO, f"{ratio - TARGET_MODEL_RATIO:.1f}×",
                    f"its queries {f['read_wall']:.1f} s + {f['what']} {f['wall']:.1f} s")
        ingest, plain = stages.get("ingest", {}), stages.get("load_floor", {})
        if ingest.get("wall") and plain.get("wall"):
            ratio = ingest["wall"] / plain["wall"]
            add(f"ingest{where} ÷ plain load", f"{ratio:.1f}× ({ingest['wall']:.0f} s ÷ {plain['wall']:.0f} s)",
                f"≤ {TARGET_INGEST_RATIO:g}×", ratio <= TARGET_INGEST_RATIO, f"{ratio - TARGET_INGEST_RATIO:.1f}×",
                f"CPU {ingest['cpu']:.0f} s vs {plain['cpu']:.0f} s; load {ingest['load']:.1f}")
        incremental = stages.get("incremental", {})
        if incremental.get("wall") is not None and not incremental.get("error"):
            add(f"incremental run{where}", f"{incremental['wall']:.1f} s", f"≤ {TARGET_INCREMENTAL_S} s",
                incremental["wall"] <= TARGET_INCREMENTAL_S, f"{incremental['wall'] - TARGET_INCREMENTAL_S:.1f} s",
                f"{incremental['scored_cases']:,} cases of the last {INCREMENTAL_DAYS} days; "
                f"CPU {incremental['cpu']:.0f} s; load {incremental['load']:.1f}")
        pages = stages.get("dashboard", {}).get("pages")
        if pages:
            failed = [u for u, p in pages.items() if p.get("error")]
            ok = {u: p["warm_s"] for u, p in pages.items() if not p.get("error")}
            worst = max(ok, key=ok.get, default=None)
            slow = {u: v for u, v in ok.items() if v > TARGET_PAGE_S}
            add(f"slowest page after warm-up{where}", f"{ok[worst]:.2f} s ({worst})" if worst else "no page rendered",
                f"≤ {TARGET_PAGE_S:g} s", not failed and not slow,
                ", ".join([f"{u} +{v - TARGET_PAGE_S:.2f} s" for u, v in slow.items()] + [f"{u} failed" for u in failed])
                or "—")
        briefing = stages.get("briefing", {})
        if briefing:
            if briefing.get("wall") is not None and not briefing.get("error"):
                add(f"quarterly briefing PDF{where}", f"{briefing['wall']:.1f} s", f"≤ {TARGET_BRIEFING_S} s",
                    briefing["wall"] <= TARGET_BRIEFING_S, f"{briefing['wall'] - TARGET_BRIEFING_S:.1f} s",
                    f"{briefing.get('period')}, every court; CPU {briefing['cpu']:.1f} s")
            else:
                add(f"quarterly briefing PDF{where}", "failed", f"≤ {TARGET_BRIEFING_S} s", False, "—",
                    _cell(briefing.get("error", "")))
        # the product's stages: the generator and the floors (measurements of the libraries) are not
        peaks = {name: r.get("peak_mb") or 0 for name, r in stages.items() if name not in MEASUREMENT_STAGES}
        worst = max(peaks, key=peaks.get)
        add(f"peak memory{where}", f"{peaks[worst]:,.0f} MB ({worst})", f"≤ {TARGET_PEAK_MB:,} MB",
            peaks[worst] <= TARGET_PEAK_MB, f"{peaks[worst] - TARGET_PEAK_MB:,.0f} MB",
            ", ".join(f"{n} {v:,.0f}" for n, v in peaks.items())
            + "; not product stages: " + ", ".join(f"{n} {stages[n].get('peak_mb') or 0:,.0f}"
                                                     for n in MEASUREMENT_STAGES if n in stages))
    return [f"## Targets (issue 16), at scale {TARGET_SCALE}", "",
            "Why a target is missed, where one is, is analysed in the notes at the end (written by hand, dated).", "",
            "| target | measured | required | verdict | evidence |", "|---|---|---|---|---|", *rows, ""]


def write_report(lines: list[str], out: Path) -> None:
    """Replace the generated figures in `out`, keeping any text written below the end marker."""
    kept = ""
    if out.exists():
        old = out.read_text(encoding="utf-8")
        if GENERATED_END in old:
            kept = old.split(GENERATED_END, 1)[1]
    out.write_text("\n".join(lines) + "\n" + GENERATED_END + (kept or "\n"), encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", type=float, nargs="*", help="sample scales (default 1 10 100)")
    parser.add_argument("--scales", dest="scales_option", type=float, nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="scale 1 only, a fast check (no file unless --out)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", help="Markdown report (default: docs/benchmarks.md; with --quick: none)")
    parser.add_argument("--work", help="working folder (default: a new temporary folder, removed afterwards)")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--province", choices=PROVINCES, help=argparse.SUPPRESS)
    parser.add_argument("--report-only", metavar="RESULTS_JSON",
                        help="write the report from a kept run's results.json (its --work folder) without measuring")
    parser.add_argument("--provinces", nargs="+", choices=PROVINCES, default=list(PROVINCES),
                        help="provinces to run at each scale (default: all: " + ", ".join(PROVINCES) + ")")
    args = parser.parse_args(argv)
    if args.stage:  # a child process: one stage
        _stage_main(args.stage, args.scale, args.seed, Path(args.work), Path(args.result), args.province or "default")
        return
    if args.report_only:
        kept = json.loads(Path(args.report_only).read_text(encoding="utf-8"))
        results = {(float(k.split("/")[0]), k.split("/")[1]): v for k, v in kept["results"].items()}
        lines = report(results, kept["total_s"], kept["scales"], dt.datetime.fromisoformat(kept["started"]),
                       kept["load_start"], kept["load_end"])
        write_report(lines, Path(args.out or "docs/benchmarks.md"))
        print(f"bench: wrote {args.out or 'docs/benchmarks.md'} from {args.report_only}")
        return
    scales = [1.0] if args.quick else (args.scales or args.scales_option or [1.0, 10.0, 100.0])
    out = Path(args.out) if args.out else (None if args.quick else Path("docs/benchmarks.md"))
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="courtwatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started, load_start = dt.datetime.now(), _load()
    print(f"bench: scales {', '.join(f'{s:g}' for s in scales)} in {work} (load {load_start:.1f})", flush=True)
    try:
        results, total_s = bench(scales, args.seed, work, args.provinces)
        load_end = _load()
        lines = report(results, total_s, scales, started, load_start, load_end)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.work:
        (work / "results.json").write_text(json.dumps(
            {"results": {f"{k:g}/{p}": v for (k, p), v in results.items()}, "total_s": total_s, "scales": scales,
             "started": started.isoformat(), "load_start": load_start, "load_end": load_end}, default=str, indent=1))
    if out:
        write_report(lines, out)
        print(f"bench: wrote {out}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
