"""Small hand-written import folders for focused tests (the generator makes the big ones)."""
from __future__ import annotations

import csv
from pathlib import Path

from courtwatch.contract import TABLES

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
