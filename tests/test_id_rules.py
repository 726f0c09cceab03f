"""Identifiers are printable and never start like a spreadsheet formula (contract extension, docs/import.md).

A row whose identifier breaks the rule is quarantined with a one-line reason naming the file, row and
column; every other row loads, and read = loaded + quarantined in every table.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import unicodedata

import duckdb
from helpers import COURTS, JUDGES, case, defendant, small_import, write_table

from courtwatch.pipeline.ingest import ingest

EXPORT = dt.date(2024, 12, 31)
HYPERLINK = '=HYPERLINK("http://x")'


def quarantine(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT table_name, row_number, column_name, value, reason FROM quarantine").fetchall()
    finally:
        con.close()
    return {(t, r): (c, v, reason) for t, r, c, v, reason in rows}


def test_identifiers_that_start_like_a_formula_or_hold_control_characters_are_quarantined(tmp_path):
    folder = tmp_path / "import"
    judges = JUDGES + [{"judge_id": HYPERLINK, "court_id": "浙0102", "name": "王五", "role": "judge"},
                       {"judge_id": "J\u200b3", "court_id": "浙0102", "name": "赵六", "role": "judge"}]
    cases = [case("(2023)浙0102刑初1号", closed_on="2023-03-01", close_method="judgment"),
             case("(2023)浙0102刑初2号", judge_id=HYPERLINK),                 # row 3
             case("(2023)浙0102刑初3号", cause="=cmd|' /C calc'!A0")]         # free text: kept, guarded on export
    defendants = [defendant("D1", "(2023)浙0102刑初1号"),
                  defendant("+D2", "(2023)浙0102刑初1号"),                     # row 3
                  defendant("-D3", "(2023)浙0102刑初1号"),                     # row 4
                  defendant("@D4", "(2023)浙0102刑初1号"),                     # row 5
                  defendant("\tD5", "(2023)浙0102刑初1号"),                    # row 6
                  defendant("D\x016", "(2023)浙0102刑初1号"),                  # row 7
                  defendant("＝D7", "(2023)浙0102刑初1号")]                    # row 8
    small_import(folder, cases=cases, defendants=defendants)
    write_table(folder, "courts", COURTS)
    write_table(folder, "judges", judges)
    db = tmp_path / "cw.duckdb"
    result = ingest(folder, db=db, export_date=EXPORT)
    for name, counts in result.summary()["tables"].items():
        assert counts["read"] == counts["loaded"] + counts["quarantined"], name
    assert result.summary()["tables"]["judges"] == {"read": 4, "loaded": 2, "quarantined": 2}
    assert result.summary()["tables"]["cases"] == {"read": 3, "loaded": 2, "quarantined": 1}
    assert result.summary()["tables"]["defendants"] == {"read": 7, "loaded": 1, "quarantined": 6}
    q = quarantine(db)
    assert q[("judges", 4)][0] == "judge_id" and "starts with '='" in q[("judges", 4)][2]
    assert "formula" in q[("judges", 4)][2]
    assert q[("judges", 5)][0] == "judge_id" and "non-printable character (U+200B)" in q[("judges", 5)][2]
    assert q[("cases", 3)][:2] == ("judge_id", HYPERLINK) and "starts with '='" in q[("cases", 3)][2]
    assert [q[("defendants", r)][0] for r in range(3, 9)] == ["defendant_id"] * 6
    assert "starts with '+'" in q[("defendants", 3)][2] and "starts with '-'" in q[("defendants", 4)][2]
    assert "starts with '@'" in q[("defendants", 5)][2] and "starts with a tab" in q[("defendants", 6)][2]
    assert "non-printable character (U+0001)" in q[("defendants", 7)][2]
    assert "starts with '＝'" in q[("defendants", 8)][2]
    assert all("\n" not in reason for _c, _v, reason in q.values())


def test_the_cli_names_file_row_and_column_of_a_refused_identifier(tmp_path):
    folder = small_import(tmp_path / "import", cases=[case("(2023)浙0102刑初1号", judge_id=HYPERLINK)])
    done = subprocess.run([sys.executable, "-m", "courtwatch.cli", "ingest", str(folder), "--db", str(tmp_path / "cw.duckdb"),
                           "--export-date", "2024-12-31"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = [ln for ln in done.stdout.splitlines() if "cases.csv row 2, judge_id" in ln]
    assert any("starts with '='" in ln for ln in lines), done.stdout


def test_the_sql_check_and_the_contract_agree_on_every_character():
    """The importer's RE2 pattern and the contract's Python rule name the same characters."""
    from courtwatch.core import contract
    con = duckdb.connect()
    try:
        flagged = {c for (c,) in con.execute(
            f"SELECT i FROM range(1, 196608) t(i) WHERE (i < 55296 OR i > 57343) "
            f"AND regexp_matches(chr(i::INT), '{contract.ID_NON_PRINTABLE_RE2}')").fetchall()}
    finally:
        con.close()
    # compared on the characters Python's Unicode database assigns (RE2's tables may be a version newer)
    assigned = {i for i in range(1, 196608) if not 0xD800 <= i <= 0xDFFF and unicodedata.category(chr(i)) != "Cn"}
    assert flagged & assigned == {i for i in assigned if contract.non_printable(chr(i))}
    assert contract.identifier_problem("J1") is None
    assert contract.identifier_problem(HYPERLINK).startswith("identifier starts with '='")
    assert contract.identifier_problem("J\x00") == "identifier contains a non-printable character (U+0000)"
