"""Property-based import tests: random corruption never crashes the importer, loses a row or alters one.

Each example builds a small valid export, corrupts random cells, lines and
bytes, imports it and checks the promises: either a one-line UserError
(file-level problems) or every row read is loaded or quarantined with a
reason, and what is loaded equals what was in the file. Bounded in CI by
the `ci` profile; `make fuzz` runs the long profile (docs/reliability.md).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from helpers import COURTS, JUDGES, case, defendant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courtwatch.core.contract import TABLES
from courtwatch.core.errors import UserError
from courtwatch.pipeline.ingest import ingest

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("COURTWATCH_FUZZ_PROFILE", "ci"))

EXPORT = dt.date(2024, 12, 31)
NASTY = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "@HYPERLINK(\"http://x\")", "<script>alert(1)</script>",
         "<img src=x onerror=alert(1)>", "9" * 40, "-1", "1e309", "NaN", "2023-13-45", "45123", "０１２",
         "是否", "  ", "\u200b", "“引号”", "line\nbreak", "comma,inside", "\"quote", "x" * 5000, "(2023)浙0102刑初号"]


def base_rows() -> dict[str, list[dict]]:
    cases = [case(f"(2023)浙0102刑初{n}号", closed_on="2023-06-01", close_method="judgment") for n in range(1, 7)]
    cases += [case(f"(2023)浙0102执{n}号", cause="民间借贷纠纷", judge_id="J2", claim_amount="50000",
                   closed_on="2023-09-01", close_method="terminated_this_round") for n in range(1, 4)]
    defendants = [defendant(f"D{n}", f"(2023)浙0102刑初{n}号") for n in range(1, 7)]
    events = [{"case_id": f"(2023)浙0102执{n}号", "event": "funds_received", "occurred_at": "2023-07-01T10:00:00",
               "actor_id": "J2", "amount": "1000", "note": "到账"} for n in range(1, 4)]
    return {"courts": [dict(r) for r in COURTS], "judges": [dict(r) for r in JUDGES], "cases": cases,
            "defendants": defendants, "events": events}


corruption = st.tuples(
    st.sampled_from(["cases", "defendants", "events", "judges"]),
    st.integers(min_value=0, max_value=8),        # row
    st.integers(min_value=0, max_value=27),       # column
    st.sampled_from(NASTY + ["", "duplicate", "orphan", "truncate", "extra_field", "bad_bytes"]),
)


def write(folder: Path, rows: dict[str, list[dict]], edits) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    raw_lines: dict[str, list[str]] = {}
    for table, records in rows.items():
        records = [dict(r) for r in records]
        columns = TABLES[table].column_names
        for target, row, col, value in edits:
            if target != table or not records:
                continue
            record = records[row % len(records)]
            name = columns[col % len(columns)]
            if value == "duplicate":
                records.append(dict(record, **{name: record[name] + "x"}) if name != columns[0] else dict(record))
            elif value == "orphan":
                record[columns[0] if table in ("defendants", "events") else "court_id"] = "(2023)浙0102刑初999号" \
                    if table in ("defendants", "events") else "浙9999"
            elif value not in ("truncate", "extra_field", "bad_bytes"):
                record[name] = value
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        raw_lines[table] = buffer.getvalue().split("\n")
    files = {}
    for table, lines in raw_lines.items():
        for target, row, _col, value in edits:
            index = 1 + row % max(len(lines) - 2, 1)
            if target == table and index < len(lines) - 1:
                if value == "truncate":
                    lines[index] = lines[index][: len(lines[index]) // 2]
                elif value == "extra_field":
                    lines[index] = lines[index] + ",extra"
        data = "\n".join(lines).encode("utf-8")
        if any(t == table and v == "bad_bytes" for t, _r, _c, v in edits):
            data = data.replace("盗窃".encode(), b"\xff\xfe", 1)
        (folder / f"{table}.csv").write_bytes(data)
        files[table] = data
    return files


@given(edits=st.lists(corruption, min_size=1, max_size=6))
def test_corrupted_imports_never_lose_or_alter_a_row(edits):
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "import", Path(tmp) / "cw.duckdb"
        write(folder, base_rows(), edits)
        try:
            result = ingest(folder, db=db, export_date=EXPORT)
        except UserError as error:
            assert "\n" not in str(error) and str(error)
            assert not db.exists()  # nothing written
            return
        for name, counts in result.summary()["tables"].items():
            assert counts["read"] == counts["loaded"] + counts["quarantined"], name
        problems = result.problems
        assert problems["reason"].notna().all() and (problems["reason"].str.len() > 0).all()
        con = duckdb.connect(str(db), read_only=True)
        try:
            loaded_cases = con.execute("SELECT case_id, cause FROM cases").df()
            quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        finally:
            con.close()
        assert quarantined == len(problems)
        source = pd.read_csv(folder / "cases.csv", dtype=str, keep_default_na=False, on_bad_lines="skip",
                             encoding_errors="replace")
        originals = dict(zip(source["case_id"].str.strip(), source["cause"].str.strip()))
        for case_id, cause in zip(loaded_cases["case_id"], loaded_cases["cause"]):
            assert originals.get(case_id) == cause  # loaded text is exactly what the file said
