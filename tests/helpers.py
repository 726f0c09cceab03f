"""Small hand-written import folders for focused tests (the generator makes the big ones)."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from courtwatch.core.contract import TABLES

COURTS = [
    {"court_id": "浙", "name": "浙江省高级人民法院", "province": "浙江", "level": "high", "parent_id": ""},
    {"court_id": "浙01", "name": "杭州市中级人民法院", "province": "浙江", "level": "intermediate", "parent_id": "浙"},
    {"court_id": "浙0102", "name": "杭州市上城区人民法院", "province": "浙江", "level": "basic", "parent_id": "浙01"},
]
JUDGES = [
    {"judge_id": "J1", "court_id": "浙0102", "name": "张三", "role": "judge"},
    {"judge_id": "J2", "court_id": "浙0102", "name": "李四", "role": "enforcement_officer"},
]


def case(case_id: str, **values) -> dict:
    row = {c: "" for c in TABLES["cases"].column_names}
    row.update({"case_id": case_id, "court_id": "浙0102", "cause": "盗窃罪", "filed_on": "2023-01-05",
                "judge_id": "J1", "assignment": "random"})
    row.update(values)
    return row


def defendant(defendant_id: str, case_id: str, **values) -> dict:
    row = {c: "" for c in TABLES["defendants"].column_names}
    row.update({"defendant_id": defendant_id, "case_id": case_id, "charge": "盗窃罪", "amount_involved": "5000",
                "sentence_kind": "fixed_term", "term_months": "10", "probation": "false", "recidivist": "false"})
    row.update(values)
    return row


def write_table(folder: Path, table: str, rows: list[dict], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table}.csv"
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=TABLES[table].column_names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def small_import(folder: Path, cases: list[dict] | None = None, defendants: list[dict] | None = None,
                 encoding: str = "utf-8") -> Path:
    write_table(folder, "courts", COURTS, encoding)
    write_table(folder, "judges", JUDGES, encoding)
    write_table(folder, "cases", cases if cases is not None else [
        case("(2023)浙0102刑初1号", closed_on="2023-03-01", close_method="judgment"),
    ], encoding)
    if defendants is not None:
        write_table(folder, "defendants", defendants, encoding)
    return folder


def _same_figures(a, b, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    """Equal JSON values, floats up to rounding noise (DuckDB's parallel sums vary in the last digits)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_figures(a[k], b[k], rel, abs_) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_figures(x, y, rel, abs_) for x, y in zip(a, b))
    return a == b


def assert_same_flags(expected, actual) -> None:
    """Two flag frames name the same subjects with the same levels, texts and evidence.

    Scores and evidence figures may differ by floating-point noise only: a multi-threaded DuckDB
    aggregate sums in a varying order, so the last digits of a mean are not reproducible.
    """
    assert list(expected.columns) == list(actual.columns)
    assert len(expected) == len(actual), (len(expected), len(actual))
    exact = [c for c in expected.columns if c not in ("score", "evidence")]
    # missing values compare as equal (pandas' str dtype keeps NaN, and NaN != NaN)
    mismatch = (expected[exact].fillna("<NA>").astype(str).to_numpy()
                != actual[exact].fillna("<NA>").astype(str).to_numpy()).any(axis=1)
    assert not mismatch.any(), expected[exact][mismatch].head().to_string()
    for column in ("score", "evidence"):
        if column not in expected.columns:
            continue
        for i, (a, b) in enumerate(zip(expected[column], actual[column])):
            a_value = json.loads(a) if column == "evidence" else float(a)
            b_value = json.loads(b) if column == "evidence" else float(b)
            assert _same_figures(a_value, b_value, abs_=1e-4 if column == "score" else 1e-9), \
                f"row {i} {column}: {a} != {b}"
