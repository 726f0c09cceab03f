"""Detection quality on real published judgments, beside a plain baseline (docs/quality-real.md).

Our own generator cannot tell us whether a detector works on records nobody here
generated. The shared real set (`shared/realdata/`: 2,030 published criminal
judgments, factors read from the fact text, cases spread over 48 judges of 16
basic courts of 皖 at random) is converted per seed with its own converter, which
plants two judges (every custodial term ×1.6 / ×0.6) and 100 single sentences
(×2.5 / ×0.35). Each seed's folder is imported and detected exactly as a court's
export would be, and the shared baseline (`baseline.py`: per-charge Huber
regression, |robust z| > Z, judges by a Bonferroni z) is run on the same folder.
Both are scored with the same definitions:

- planted judges found / unplanted judges flagged (ours: judge_sentencing_deviation);
- planted sentences found (ours: sentence_deviation) and the false-flag rate: the
  share of *untouched* custodial sentences (neither planted nor of a planted judge)
  flagged by any defendant-level warning;
- the same recall at the baseline's false-flag rate (our sentences ranked by p),
  so that a method is not made to look better by flagging more;
- legality warnings (term_above_statutory_max …) on untouched real sentences: real
  courts almost never sentence unlawfully, so each one is presumed false.

    python -m courtwatch.devtools.evaluate_real --seeds 20261124 1 2 3 4 5 6 7 8 9 --out docs/quality-real.md
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DEFAULT_SEEDS = (20261124, 1, 2, 3, 4, 5, 6, 7, 8, 9)
BASELINE_Z = (2.5, 3.0)
CUSTODIAL = ("detention", "fixed_term")
# Defendant-level detectors whose flags on an untouched real sentence count as false.
LEGALITY_DETECTORS = ("term_above_statutory_max", "detention_out_of_range", "probation_for_recidivist",
                      "probation_term_over_3_years", "probation_period_out_of_range", "fixed_term_below_6_months",
                      "control_out_of_range", "combined_sentence_over_cap", "missing_mandatory_fine")
DEFENDANT_DETECTORS = ("sentence_deviation", *LEGALITY_DETECTORS)
# The choice models (issue 15): probation abstains here (the converter leaves probation blank); the penalty-kind
# judges are scored like judge_sentencing_deviation's (a planted judge's terms ×1.6 / ×0.6 cross the kinds' lines).
CHOICE_DETECTORS = ("judge_probation_deviation", "court_probation_deviation", "judge_penalty_kind_deviation",
                    "court_penalty_kind_deviation")


def realdata_dir(explicit: str | Path | None = None) -> Path | None:
    """The shared real-judgment folder: --realdata, $COURTWATCH_REALDATA, else ../shared/realdata."""
    # the first one named is the one meant: a wrong --realdata must not fall through to another set
    candidate = explicit or os.environ.get("COURTWATCH_REALDATA") \
        or Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
    return Path(candidate) if (Path(candidate) / "convert.py").exists() else None


@dataclass
class RealSeed:
    """One seed's folder, truth, our flags and the baseline's flags."""

    seed: int
    defendants: pd.DataFrame          # defendant_id, judge_id, custodial, planted, of_planted_judge
    planted_judges: set[str]
    judges: int
    flags: pd.DataFrame
    sentence_p: pd.Series             # our model's p per scored defendant (for the matched-rate point)
    baseline: dict[float, dict]       # Z -> {case_flags: set, judge_flags: set, modelled: int}
    seconds: dict[str, float] = field(default_factory=dict)
    review: pd.DataFrame | None = None
    # detector → (status, note) of the run's report
    reports: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def untouched(self) -> pd.Series:
        d = self.defendants
        return d["custodial"] & ~d["planted"] & ~d["of_planted_judge"]

    def ours(self) -> dict:
        d, f = self.defendants, self.flags
        planted = set(d.loc[d["planted"], "defendant_id"])
        untouched = set(d.loc[self.untouched, "defendant_id"])
        case_flagged = set(f.loc[f["detector"] == "sentence_deviation", "subject_id"])
        defendant_flagged = set(f.loc[f["detector"].isin(DEFENDANT_DETECTORS), "subject_id"])
        judge_flagged = set(f.loc[f["detector"] == "judge_sentencing_deviation", "subject_id"])
        legality = f[f["detector"].isin(LEGALITY_DETECTORS) & f["subject_id"].isin(untouched)]
        return {
            "planted_sentences": len(planted), "sentences_found": len(planted & case_flagged),
            "untouched": len(untouched), "untouched_flagged": len(untouched & defendant_flagged),
            "planted_judges": len(self.planted_judges), "judges_found": len(self.planted_judges & judge_flagged),
            "unplanted_judges_flagged": len(judge_flagged - self.planted_judges),
            "court_flags": int((f["detector"] == "court_sentencing_deviation").sum()),
            "legality_on_untouched": {k: int(v) for k, v in legality["detector"].value_counts().items()},
            "data_quality_flags": int((f["category"] == "data_quality").sum()) if "category" in f else 0,
            "data_quality_by_detector": ({k: int(v) for k, v in f.loc[f["category"] == "data_quality", "detector"]
                                          .value_counts().items()} if "category" in f else {}),
            "choice": self.choice(),
        }

    def choice(self) -> dict:
        """The choice models: each detector's flags (judges: planted found / unplanted flagged) and run status."""
        f, out = self.flags, {}
        for name in CHOICE_DETECTORS:
            subjects = set(f.loc[f["detector"] == name, "subject_id"])
            status, note = self.reports.get(name, ("", ""))
            entry = {"flags": len(subjects), "status": status, "note": note}
            if name.startswith("judge_"):
                entry.update(planted_found=len(subjects & self.planted_judges),
                             unplanted_flagged=len(subjects - self.planted_judges))
            out[name] = entry
        return out

    def baseline_figures(self, z: float) -> dict:
        d, b = self.defendants, self.baseline[z]
        planted = set(d.loc[d["planted"], "defendant_id"])
        untouched = set(d.loc[self.untouched, "defendant_id"])
        return {
            "planted_sentences": len(planted), "sentences_found": len(planted & b["case_flags"]),
            "untouched": len(untouched), "untouched_flagged": len(untouched & b["case_flags"]),
            "planted_judges": len(self.planted_judges), "judges_found": len(self.planted_judges & b["judge_flags"]),
            "unplanted_judges_flagged": len(b["judge_flags"] - self.planted_judges),
        }

    def ours_at_rate(self, false_flags: int) -> int:
        """Planted sentences among our most deviant sentences when as many untouched ones are taken as `false_flags`."""
        d = self.defendants.set_index("defendant_id")
        ranked = self.sentence_p.sort_values(kind="stable")
        planted, untouched = d["planted"], self.untouched.set_axis(d.index)
        found = false = 0
        for defendant in ranked.index:
            if untouched.get(defendant, False):
                if false == false_flags:
                    break
                false += 1
            elif planted.get(defendant, False):
                found += 1
        return found


def _run_baseline(script: Path, folder: Path, z: float) -> dict:
    """The shared baseline, run as written, its flagged sets read from the script's own variables."""
    argv = sys.argv
    sys.argv = [str(script), str(folder), str(z)]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            scope = runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    return {"case_flags": set(scope["fl"]["defendant_id"]), "judge_flags": set(scope["fj"]),
            "modelled": int(len(scope["R"]))}


def evaluate_seed(seed: int, realdata: Path, workdir: Path, config=None) -> RealSeed:
    from courtwatch.core.config import load_config
    from courtwatch.detectors.base import DetectContext
    from courtwatch.detectors.sentencing.fit import fit_model
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.storage import store

    folder, db = workdir / f"s{seed}", workdir / f"s{seed}.duckdb"
    seconds = {}
    began = time.perf_counter()
    subprocess.run([sys.executable, str(realdata / "convert.py"), str(folder), "--seed", str(seed)],
                   check=True, capture_output=True, text=True)
    seconds["convert"] = round(time.perf_counter() - began, 2)
    began = time.perf_counter()
    ingest(folder, db=db)
    seconds["ingest"] = round(time.perf_counter() - began, 2)
    began = time.perf_counter()
    result = detect(db, config=config)
    seconds["detect"] = round(time.perf_counter() - began, 2)
    meta = json.loads((workdir / f"s{seed}.meta.json").read_text(encoding="utf-8"))
    encoding = meta.get("encoding", "utf-8")
    truth = pd.read_csv(workdir / f"s{seed}.truth.csv", dtype=str, keep_default_na=False)
    defendants = pd.read_csv(folder / "defendants.csv", dtype=str, keep_default_na=False, encoding=encoding)
    cases = pd.read_csv(folder / "cases.csv", dtype=str, keep_default_na=False, encoding=encoding)
    defendants = defendants.merge(cases[["case_id", "judge_id"]], on="case_id", how="left")
    planted_judges = set(truth.loc[truth["subject_type"] == "judge", "subject_id"])
    planted_sentences = set(truth.loc[truth["subject_type"] == "defendant", "subject_id"])
    frame = pd.DataFrame({
        "defendant_id": defendants["defendant_id"], "judge_id": defendants["judge_id"],
        "custodial": defendants["sentence_kind"].isin(CUSTODIAL),
        "planted": defendants["defendant_id"].isin(planted_sentences),
        "of_planted_judge": defendants["judge_id"].isin(planted_judges),
    })
    # our model's p-values, from the published database as the run saw it
    con = store.open_for_read(db)
    try:
        model = fit_model(DetectContext(con, result.as_of, config or load_config()))
        tested = model.rows[model.rows["testable"]]
        sentence_p = pd.Series(tested["p"].to_numpy(), index=tested["defendant_id"].to_numpy())
        review = None
        with contextlib.suppress(Exception):  # the review list table exists from this version on
            review = con.execute("SELECT * FROM sentencing_review").df()
    finally:
        con.close()
    baseline = {z: _run_baseline(realdata / "baseline.py", folder, z) for z in BASELINE_Z}
    reports = ({d: (str(st), str(n)) for d, st, n in zip(result.detectors["detector"], result.detectors["status"],
                                                       result.detectors["note"])}
               if {"detector", "status", "note"} <= set(result.detectors.columns) else {})
    return RealSeed(seed, frame, planted_judges, int(cases["judge_id"].nunique()), result.flags.copy(),
                    sentence_p, baseline, seconds, review, reports)


# ----------------------------------------------------------------------------------------------


def _sum(rows: list[dict], key: str) -> int:
    return int(sum(r[key] for r in rows))


def _rate(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.1%})" if b else f"{a}/0"


def summarise(results: list[RealSeed]) -> dict:
    per_seed = []
    for r in results:
        ours = r.ours()
        entry = {"seed": r.seed, "judges": r.judges, "ours": ours, "seconds": r.seconds,
                 "baseline": {str(z): r.baseline_figures(z) for z in BASELINE_Z}}
        entry["ours_at_baseline_rate"] = {str(z): r.ours_at_rate(entry["baseline"][str(z)]["untouched_flagged"])
                                          for z in BASELINE_Z}
        if r.review is not None and len(r.review):
            entry["review"] = review_precision(r)
        per_seed.append(entry)
    return {"seeds": per_seed}


def review_precision(r: RealSeed) -> dict:
    """Precision of the ranked review list (detectors.sentencing.review.precision_at_k) against the planted sentences."""
    from courtwatch.detectors.sentencing.review import precision_at_k

    planted = set(r.defendants.loc[r.defendants["planted"], "defendant_id"])
    out = {}
    for key, k, by in (("court_period_top1", 1, ("court_id", "period")), ("court_period_top3", 3, ("court_id", "period")),
                       ("court_period_top5", 5, ("court_id", "period")), ("province_top20", 20, ()),
                       ("province_top50", 50, ())):
        result = precision_at_k(r.review, planted, k, by)
        out[key] = [result["hits"], result["selected"]]
        out["scored"], out["planted_in_list"] = result["listed"], result["planted_listed"]
    return out


def render(report: dict) -> str:
    seeds = report["seeds"]
    ours = [s["ours"] for s in seeds]
    lines = [
        "# Detection quality on real judgments",
        "",
        f"Generated by `{report['meta']['command']}` on {report['meta']['generated_at']} "
        f"(Python {report['meta']['python']}); do not edit by hand — `make eval-real` rewrites it.",
        "",
        "Data: `shared/realdata` — published single-charge criminal judgments (CAIL2018), legal factors read "
        "from the fact text with plain patterns (as incomplete and noisy as a real export), cases assigned to "
        "48 judges of 16 basic courts **at random**; per seed the converter plants two judges (every custodial "
        "term ×1.6 and ×0.6) and 100 single sentences (×2.5 or ×0.35). Every seed plants other judges and "
        "sentences. The baseline is `shared/realdata/baseline.py` run unchanged on the same folder; both are "
        "scored with the definitions in `courtwatch/devtools/evaluate_real.py`.",
        "",
        "An *untouched* sentence is a custodial sentence neither planted nor of a planted judge; the "
        "false-flag rate is the share of them flagged by any defendant-level warning (ours: "
        + ", ".join(f"`{d}`" for d in DEFENDANT_DETECTORS) + "; the baseline: its case flags).",
        "",
        "## Pooled over the seeds",
        "",
        "| method | planted judges found | unplanted judges flagged | planted sentences found | untouched sentences flagged (false-flag rate) |",
        "|---|---|---|---|---|",
        f"| courtwatch | {_sum(ours, 'judges_found')}/{_sum(ours, 'planted_judges')} | "
        f"{_sum(ours, 'unplanted_judges_flagged')} | {_sum(ours, 'sentences_found')}/{_sum(ours, 'planted_sentences')} | "
        f"{_rate(_sum(ours, 'untouched_flagged'), _sum(ours, 'untouched'))} |",
    ]
    for z in BASELINE_Z:
        b = [s["baseline"][str(z)] for s in seeds]
        lines.append(f"| baseline, Z = {z:g} | {_sum(b, 'judges_found')}/{_sum(b, 'planted_judges')} | "
                     f"{_sum(b, 'unplanted_judges_flagged')} | {_sum(b, 'sentences_found')}/{_sum(b, 'planted_sentences')} | "
                     f"{_rate(_sum(b, 'untouched_flagged'), _sum(b, 'untouched'))} |")
    lines += ["", "At the baseline's own false-flag rate (our scored sentences ranked by p, taking as many untouched "
              "ones as the baseline flagged, seed by seed):", ""]
    for z in BASELINE_Z:
        found = sum(s["ours_at_baseline_rate"][str(z)] for s in seeds)
        b = [s["baseline"][str(z)] for s in seeds]
        lines.append(f"- rate of the baseline at Z = {z:g} ({_rate(_sum(b, 'untouched_flagged'), _sum(b, 'untouched'))}): "
                     f"courtwatch finds {found}/{_sum(b, 'planted_sentences')} planted sentences, the baseline "
                     f"{_sum(b, 'sentences_found')}/{_sum(b, 'planted_sentences')}.")
    legality: dict[str, int] = {}
    for o in ours:
        for k, v in o["legality_on_untouched"].items():
            legality[k] = legality.get(k, 0) + v
    untouched_total = _sum(ours, "untouched")
    lines += ["", "## Legality warnings on untouched real sentences", "",
              "Real courts almost never pass an unlawful sentence, so every legality warning on an untouched "
              "sentence is presumed false (a wrong record is reported in the `data_quality` category instead).", ""]
    if legality:
        lines += [f"- `{k}`: {v} of {untouched_total} untouched sentences" for k, v in sorted(legality.items())]
    else:
        lines.append(f"- none on {untouched_total} untouched sentences")
    quality: dict[str, int] = {}
    for o in ours:
        for k, v in o.get("data_quality_by_detector", {}).items():
            quality[k] = quality.get(k, 0) + v
    lines.append(f"- `data_quality` warnings (the record, not the decision, is what to check): "
                 f"{_sum(ours, 'data_quality_flags')} over the seeds"
                 + (" — " + ", ".join(f"`{k}` {v}" for k, v in sorted(quality.items())) if quality else ""))
    lines.append("- the frame rules (`term_above_statutory_max`, `record_facts_inconsistent`, the 6–12-month part of "
                 "`detention_out_of_range`) abstain here: the converted judgments do not carry "
                 "`combined_term_months` (contract extension E2), so a term may be a 决定执行刑 (docs/import.md)")
    choice = [s["ours"].get("choice", {}) for s in seeds]
    if any(choice):
        lines += ["", "## Choice models (probation, penalty kind)", "",
                  "Judge-level flags scored like `judge_sentencing_deviation`'s: a planted judge's terms (×1.6 / ×0.6) "
                  "also move its sentences across the 拘役 / 有期徒刑 line, so finding it is right; any other judge "
                  "flagged is a false flag. The converted judgments carry no probation (`convert.py` leaves it "
                  "blank): the probation detectors must abstain.", "",
                  "| detector | flags | planted judges found | unplanted judges flagged | status (seeds) |",
                  "|---|---|---|---|---|"]
        for name in CHOICE_DETECTORS:
            rows = [c[name] for c in choice if name in c]
            if not rows:
                continue
            statuses = pd.Series([r["status"] or "?" for r in rows]).value_counts()
            judge = name.startswith("judge_")
            lines.append(f"| `{name}` | {sum(r['flags'] for r in rows)} | "
                         + (f"{sum(r['planted_found'] for r in rows)}/{_sum(ours, 'planted_judges')} | "
                            f"{sum(r['unplanted_flagged'] for r in rows)} | " if judge else "– | – | ")
                         + ", ".join(f"{k} {v}" for k, v in statuses.items()) + " |")
        notes = {c[name]["note"] for c in choice for name in ("judge_probation_deviation",) if name in c}
        if notes:
            lines.append("")
            lines.append("`judge_probation_deviation` says: " + "; ".join(sorted(n for n in notes if n))[:400])
    reviews = [s["review"] for s in seeds if "review" in s]
    if reviews:
        lines += ["", "## The ranked review list (not warnings)", "",
                  "Precision = share of the listed sentences that are planted single sentences (×2.5 / ×0.35; a planted "
                  "judge's sentences do not count); base rate = planted share of everything the list ranks, i.e. "
                  "what a random pick of the same size finds.", "",
                  "| list | precision |", "|---|---|"]
        scored, planted_in = sum(r["scored"] for r in reviews), sum(r["planted_in_list"] for r in reviews)
        lines.append(f"| base rate (everything ranked) | {_rate(planted_in, scored)} |")
        for key, label in (("court_period_top1", "top 1 per court and year"), ("court_period_top3", "top 3 per court and year"),
                           ("court_period_top5", "top 5 per court and year"), ("province_top20", "top 20 of the province"),
                           ("province_top50", "top 50 of the province")):
            hit, n = sum(r[key][0] for r in reviews), sum(r[key][1] for r in reviews)
            lines.append(f"| {label} | {_rate(hit, n)} |")
    lines += ["", "## Seed by seed", "",
              "| seed | judges found (ours / baseline Z=2.5) | unplanted judges flagged | sentences found | untouched flagged | court flags | seconds (ingest + detect) |",
              "|---|---|---|---|---|---|---|"]
    for s in seeds:
        o, b = s["ours"], s["baseline"]["2.5"]
        lines.append(f"| {s['seed']} | {o['judges_found']}/{o['planted_judges']} / {b['judges_found']}/{b['planted_judges']} | "
                     f"{o['unplanted_judges_flagged']} / {b['unplanted_judges_flagged']} | "
                     f"{o['sentences_found']} / {b['sentences_found']} | {o['untouched_flagged']} / {b['untouched_flagged']} | "
                     f"{o['court_flags']} | {s['seconds'].get('ingest', 0) + s['seconds'].get('detect', 0):.1f} |")
    lines += ["", "The set is small and noisy on purpose (≈30 sentences a judge, factors from text patterns): "
              "a method that only works on the sample generator shows it here. A larger real set that is not in "
              "this repository is used to check the project.", ""]
    return "\n".join(lines)


def run(seeds, realdata: Path, out: str | Path | None = None, progress=lambda m: None, command: str | None = None,
        config=None) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="cw-real-"))
    try:
        results = []
        for seed in seeds:
            began = time.perf_counter()
            results.append(evaluate_seed(int(seed), realdata, workdir, config))
            progress(f"seed {seed}: {len(results[-1].flags)} flags in {time.perf_counter() - began:.1f}s")
        report = summarise(results)
        report["meta"] = {"generated_at": dt.datetime.now().isoformat(timespec="seconds"),
                          "command": command or "python -m courtwatch.devtools.evaluate_real --seeds " + " ".join(map(str, seeds)),
                          "python": platform.python_version(), "seeds": [int(s) for s in seeds]}
        if out:
            out = Path(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render(report), encoding="utf-8")
            out.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str),
                                                encoding="utf-8")
        return report
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m courtwatch.devtools.evaluate_real", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--realdata", help="folder with convert.py, baseline.py and the judgments (default ../shared/realdata)")
    parser.add_argument("--out", default="docs/quality-real.md")
    args = parser.parse_args(argv)
    realdata = realdata_dir(args.realdata)
    if realdata is None:
        raise SystemExit("evaluate_real: no real-judgment folder found; pass --realdata or set COURTWATCH_REALDATA")
    command = "python -m courtwatch.devtools.evaluate_real " + " ".join(sys.argv[1:] if argv is None else argv)
    run(args.seeds, realdata, args.out, progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True), command=command)
    print(f"evaluate_real: wrote {args.out} and {Path(args.out).with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
