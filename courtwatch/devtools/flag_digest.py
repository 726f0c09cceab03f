"""A digest of what a detection run found: one line per flag and per review-list entry, to compare runs of two
versions of the code (issue 16: performance work must leave the results as they were).

`python -m courtwatch.devtools.flag_digest DB OUT.csv` writes the latest run of DB; tests/test_results_unchanged.py
compares a fresh run with the committed digest of the same province. A flag's line holds its detector, subject,
ids, score and level, and a hash of its explanation and of its evidence; the evidence is hashed with every number
rounded to 9 significant digits, because p-values of 1e-30 differ in their 15th digit between BLAS thread counts
and memory alignments while every figure a reader sees stays the same. A review-list entry is the sentence's
rank in its court and year, its peer group, its z rounded the same way and a hash of its similar cases,
hashed together per court and year (one line per cell).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import duckdb
import pandas as pd

COLUMNS = ["kind", "detector", "subject_type", "subject_id", "case_id", "judge_id", "court_id", "score", "level",
           "explanation_sha", "evidence_sha"]


def _rounded(value):
    if isinstance(value, float):
        return value if not math.isfinite(value) or value == 0 else float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _sha(text) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:16]


def _json_sha(text) -> str:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _sha(json.dumps(_rounded(json.loads(text)), ensure_ascii=False, sort_keys=True))


def digest(db: str | Path, run_id: str | None = None) -> pd.DataFrame:
    """A run's (the latest's) flags and review list as digest lines (COLUMNS), in a stable order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        run = run_id or con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchall()[0][0]
        flags = con.execute("SELECT detector, subject_type, subject_id, case_id, judge_id, court_id, score, level, "
                            "explanation, evidence::VARCHAR AS evidence FROM flags WHERE run_id = ?", [run]).df()
        # an incremental run shows the review list of the run it builds on (runs.review_run; older databases have
        # no such column, and every run's list there is under its own id)
        columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'runs'").fetchall()}
        listed = con.execute("SELECT coalesce(review_run, run_id) FROM runs WHERE run_id = ?", [run]).fetchall()[0][0] \
            if "review_run" in columns else run
        review = con.execute("SELECT defendant_id, case_id, court_id, judge_id, period, rank_in_court_period, "
                             "peer_group, z, similar_cases FROM sentencing_review WHERE run_id = ? "
                             "AND case_id IN (SELECT case_id FROM cases)", [listed]).df()
    finally:
        con.close()
    lines = pd.DataFrame({
        "kind": "flag", "detector": flags["detector"], "subject_type": flags["subject_type"],
        "subject_id": flags["subject_id"], "case_id": flags["case_id"], "judge_id": flags["judge_id"],
        "court_id": flags["court_id"], "score": flags["score"].map(lambda s: f"{s:.4f}"), "level": flags["level"],
        "explanation_sha": flags["explanation"].map(_sha), "evidence_sha": flags["evidence"].map(_json_sha)})
    review = review.assign(z9=review["z"].map(lambda z: "" if pd.isna(z) else f"{float(z):.9g}"),
                           similar=review["similar_cases"].map(_json_sha)).sort_values(
        ["court_id", "period", "rank_in_court_period", "defendant_id"], na_position="last")
    cells = []
    for (court, period), cell in review.groupby(["court_id", "period"], dropna=False, sort=True):
        entries = "|".join(f"{d},{r},{g},{z},{s}" for d, r, g, z, s in zip(
            cell["defendant_id"], cell["rank_in_court_period"], cell["peer_group"], cell["z9"], cell["similar"]))
        cells.append({"kind": "review", "detector": "sentencing_review", "subject_type": "court_period",
                      "subject_id": f"{court}/{'' if pd.isna(period) else int(period)}", "case_id": "",
                      "judge_id": "", "court_id": court, "score": str(len(cell)), "level": "",
                      "explanation_sha": "", "evidence_sha": _sha(entries)})
    listed = pd.DataFrame(cells, columns=COLUMNS)
    out = pd.concat([lines, listed], ignore_index=True)[COLUMNS].astype(object)
    out = out.where(out.notna(), "").astype(str)
    return out.sort_values(["kind", "detector", "subject_id"], kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    digest(args.db).to_csv(args.out, index=False)
    print(f"flag_digest: wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
