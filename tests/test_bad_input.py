"""Bad input: each hostile or broken export loads or quarantines with a one-line reason, or stops cleanly.

For every table read = loaded + quarantined; when an import stops (a file-level problem), the message is
one line and the published database is byte for byte what it was.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import duckdb
import pandas as pd
import pytest
from helpers import COURTS, JUDGES, case, defendant, small_import, write_table

from courtwatch.core.contract import TABLES
from courtwatch.core.errors import UserError
from courtwatch.pipeline.ingest import ingest

EXPORT = dt.date(2024, 12, 31)


def rows_of(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def quarantine(db, table: str) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for row, column, reason in rows_of(db, f"SELECT row_number, column_name, reason FROM quarantine "
                                           f"WHERE table_name = '{table}' ORDER BY row_number, column_name"):
        found.setdefault(row, []).append((column, reason))
    return found


def load(folder, db):
    result = ingest(folder, db=db, export_date=EXPORT)
    for name, counts in result.summary()["tables"].items():
        assert counts["read"] == counts["loaded"] + counts["quarantined"], name
    problems = result.problems
    if problems is not None and not problems.empty:
        assert problems["reason"].map(lambda r: isinstance(r, str) and r and "\n" not in r).all()
    return result


@pytest.fixture
def published(tmp_path):
    """A database published from a good import; `unchanged()` says whether its file is as it was."""
    db = tmp_path / "cw.duckdb"
    ingest(small_import(tmp_path / "good"), db=db, export_date=EXPORT)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    return {"db": db, "unchanged": lambda: hashlib.sha256(db.read_bytes()).hexdigest() == digest}


def stops(folder, published, match: str) -> str:
    with pytest.raises(UserError, match=match) as stopped:
        ingest(folder, db=published["db"], export_date=EXPORT)
    message = str(stopped.value)
    assert "\n" not in message and "\r" not in message and "\x00" not in message
    assert published["unchanged"](), "a stopped import must leave the published database as it was"
    return message


# ---------------------------------------------------------------- NUL and other control characters

def test_nul_bytes_in_text_and_identifiers_are_quarantined(tmp_path):
    cases = [case("(2023)浙0102刑初1号"),
             case("(2023)浙0102刑初2号", cause="盗窃\x00罪"),                 # row 3: NUL in free text
             case("(2023)浙0102刑初3号", cause="盗窃\x0b罪"),                 # row 4: vertical tab (not XML)
             case("(2023)浙0102刑初4号", cause="盗窃罪\t（多次）")]            # row 5: a tab in text is fine
    defendants = [defendant("D1", "(2023)浙0102刑初1号"), defendant("D\x002", "(2023)浙0102刑初1号")]
    folder = small_import(tmp_path / "import", cases=cases, defendants=defendants)
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["cases"] == {"read": 4, "loaded": 2, "quarantined": 2}
    q = quarantine(db, "cases")
    assert q[3] == [("cause", "contains a control character (U+0000) that documents cannot hold")]
    assert q[4] == [("cause", "contains a control character (U+000B) that documents cannot hold")]
    assert rows_of(db, "SELECT cause FROM cases WHERE case_id = '(2023)浙0102刑初4号'") == [("盗窃罪\t（多次）",)]
    assert quarantine(db, "defendants")[3][0][1] == "identifier contains a non-printable character (U+0000)"


def test_a_nul_byte_in_a_raw_line_of_a_gb18030_file(tmp_path):
    folder = small_import(tmp_path / "import", cases=[case("(2023)浙0102刑初1号"), case("(2023)浙0102刑初2号")],
                          encoding="gb18030")
    data = (folder / "cases.csv").read_bytes().replace("刑初2号".encode("gb18030"), "刑初2号".encode("gb18030") + b"\x00")
    (folder / "cases.csv").write_bytes(data)
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["cases"] == {"read": 2, "loaded": 1, "quarantined": 1}
    assert any("U+0000" in reason for _c, reason in quarantine(db, "cases")[3])


# ---------------------------------------------------------------- huge fields

def test_a_10_mb_field_is_quarantined_and_the_rows_after_it_keep_their_numbers(tmp_path):
    huge = "盗" * (10 * 2**20 // 3)  # 10 MB of UTF-8
    cases = [case("(2023)浙0102刑初1号"), case("(2023)浙0102刑初2号", cause=huge),
             case("(2023)浙0102刑初3号"), case("(2023)浙0102刑初4号", judge_id="J" * (10 * 2**20)),
             case("(2023)浙0102刑初5号")]
    folder = small_import(tmp_path / "import", cases=cases)
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["cases"] == {"read": 5, "loaded": 3, "quarantined": 2}
    q = quarantine(db, "cases")
    assert q[3] == [("cause", "longer than 4000 characters")]
    assert ("judge_id", "longer than 200 characters") in q[5]  # (and so no judge it could refer to)
    loaded = {r[0] for r in rows_of(db, "SELECT case_id FROM cases")}
    assert loaded == {"(2023)浙0102刑初1号", "(2023)浙0102刑初3号", "(2023)浙0102刑初5号"}
    stored = rows_of(db, "SELECT max(length(value)), max(length(raw_row)) FROM quarantine")[0]
    assert stored[0] <= 200 and stored[1] <= 10_000, "the quarantine keeps a bounded excerpt, not 10 MB"


# ---------------------------------------------------------------- encodings

def test_a_utf8_byte_order_mark_on_a_gb18030_file_stops_the_import(tmp_path, published):
    folder = small_import(tmp_path / "import", cases=[case(f"(2023)浙0102刑初{n}号") for n in range(1, 6)],
                          encoding="gb18030")
    (folder / "cases.csv").write_bytes(b"\xef\xbb\xbf" + (folder / "cases.csv").read_bytes())
    message = stops(folder, published, "byte order mark")
    assert "GB18030" in message and "cases.csv" in message


@pytest.mark.parametrize("encoding, bom", [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_utf16_and_utf32_files_stop_the_import_naming_the_encoding(tmp_path, published, encoding, bom):
    folder = small_import(tmp_path / "import")
    text = (folder / "cases.csv").read_text(encoding="utf-8")
    (folder / "cases.csv").write_bytes(text.encode(encoding))
    message = stops(folder, published, bom)
    assert "re-export" in message


def test_a_gb18030_file_with_a_few_utf8_lines_quarantines_those_lines(tmp_path):
    cases = [case(f"(2023)浙0102刑初{n}号", cause="盗窃罪") for n in range(1, 8)]
    folder = small_import(tmp_path / "import", cases=cases, encoding="gb18030")
    lines = (folder / "cases.csv").read_bytes().split(b"\n")
    lines[3] = lines[3].decode("gb18030").encode("utf-8")  # row 4 written by another program
    (folder / "cases.csv").write_bytes(b"\n".join(lines))
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.tables["cases"].encoding == "gb18030"
    assert result.summary()["tables"]["cases"]["loaded"] == 6
    assert 4 in quarantine(db, "cases")


# ---------------------------------------------------------------- XLSX

def _xlsx(path, header, rows):
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_malformed_xlsx_files_stop_the_import(tmp_path, published):
    folder = small_import(tmp_path / "import")
    (folder / "cases.csv").unlink()
    (folder / "cases.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    stops(folder, published, "cases.xlsx: cannot be read as xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "a zip, but not a workbook")
    (folder / "cases.xlsx").write_bytes(buffer.getvalue())
    stops(folder, published, "cases.xlsx: cannot be read as xlsx")
    (folder / "cases.xlsx").write_bytes(b"")
    stops(folder, published, "cases.xlsx: cannot be read as xlsx")


def test_an_xlsx_with_a_repeated_header_stops_naming_the_column(tmp_path, published):
    folder = small_import(tmp_path / "import")
    (folder / "cases.csv").unlink()
    header = TABLES["cases"].column_names + ["judge_id"]
    row = case("(2023)浙0102刑初1号")
    _xlsx(folder / "cases.xlsx", header, [[row[c] for c in TABLES["cases"].column_names] + ["J1"]])
    stops(folder, published, "column\\(s\\) judge_id appear twice in the header")


def test_xlsx_blank_rows_formulas_and_odd_cells_load_or_quarantine(tmp_path):
    folder = small_import(tmp_path / "import")
    (folder / "cases.csv").unlink()
    columns = TABLES["cases"].column_names
    good = case("(2023)浙0102刑初1号")
    formula = case("(2023)浙0102刑初2号", judge_id='=HYPERLINK("http://x")')
    _xlsx(folder / "cases.xlsx", columns, [[good[c] for c in columns], [None] * len(columns),
                                           [formula[c] for c in columns]])
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["cases"] == {"read": 2, "loaded": 1, "quarantined": 1}  # a blank row is no row
    assert quarantine(db, "cases")[4] == [("judge_id", "judge_id holds a spreadsheet formula, not a value; "
                                                       "export the values")]
    assert rows_of(db, "SELECT value FROM quarantine") == [('=HYPERLINK("http://x")',)]
    assert rows_of(db, "SELECT count(*) FROM cases WHERE judge_id LIKE '=%'") == [(0,)]


# ---------------------------------------------------------------- CSV structure

def test_a_csv_with_a_repeated_header_stops_the_import(tmp_path, published):
    folder = small_import(tmp_path / "import")
    text = (folder / "cases.csv").read_text(encoding="utf-8").split("\n", 1)
    (folder / "cases.csv").write_text(text[0] + ",cause\n" + text[1].replace("\n", ",x\n"), encoding="utf-8")
    stops(folder, published, "column\\(s\\) cause appear twice in the header")


def test_crlf_line_ends_and_quoted_line_breaks(tmp_path):
    cases = [case("(2023)浙0102刑初1号", cause="盗窃罪"),
             case("(2023)浙0102刑初2号", cause="盗窃罪\r\n（第二行）"),     # a quoted line break in free text
             case("(2023)浙0102刑初3号", judge_id="J\n1"),                   # … in an identifier
             case("(2023)浙0102刑初4号", cause="诈骗罪")]
    folder = tmp_path / "import"
    small_import(folder, cases=cases)
    for table in ("courts", "judges", "cases"):  # Windows line ends throughout
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["courts"] == {"read": 3, "loaded": 3, "quarantined": 0}
    assert result.summary()["tables"]["cases"] == {"read": 4, "loaded": 3, "quarantined": 1}
    causes = dict(rows_of(db, "SELECT case_id, cause FROM cases"))
    assert causes["(2023)浙0102刑初2号"] == "盗窃罪\r\n（第二行）"  # stored exactly as exported
    assert causes["(2023)浙0102刑初4号"] == "诈骗罪"
    (row,) = quarantine(db, "cases").values()
    assert ("judge_id", "identifier contains a non-printable character (U+000D)") in row  # the CR of its CRLF


# ---------------------------------------------------------------- values

def test_impossible_dates_are_quarantined(tmp_path):
    dates = ["0000-00-00", "2023-00-10", "2023-02-29", "0001-01-01", "9999-12-31", "2023-1-5"]
    cases = [case(f"(2023)浙0102刑初{n}号", filed_on=d) for n, d in enumerate(dates, start=1)]
    folder = small_import(tmp_path / "import", cases=cases)
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["cases"] == {"read": 6, "loaded": 1, "quarantined": 5}
    q = quarantine(db, "cases")
    assert [c for c, _r in q[2]] == ["filed_on"] and q[2][0][1].startswith("not a date")
    assert q[3][0][1].startswith("not a date") and q[4][0][1].startswith("not a date")
    assert ("filed_on", "implausible date (before 1950)") in q[5]
    assert ("filed_on", "after the export date 2024-12-31") in q[6]


def test_terms_beyond_any_sentence_are_quarantined(tmp_path):
    defendants = [defendant("D1", "(2023)浙0102刑初1号", term_months="300"),        # 25 years: the longest term
                  defendant("D2", "(2023)浙0102刑初1号", term_months="99999"),      # row 3
                  defendant("D3", "(2023)浙0102刑初1号", term_months="301"),        # row 4
                  defendant("D4", "(2023)浙0102刑初1号", term_months="24", probation="true",
                            probation_months="61"),                                   # row 5
                  defendant("D5", "(2023)浙0102刑初1号", recommended_months="99999")]  # row 6
    folder = small_import(tmp_path / "import", defendants=defendants)
    db = tmp_path / "cw.duckdb"
    result = load(folder, db)
    assert result.summary()["tables"]["defendants"] == {"read": 5, "loaded": 1, "quarantined": 4}
    q = quarantine(db, "defendants")
    assert q[3] == [("term_months", "implausibly large (over 300 months: 刑法 art. 69 caps even a combined "
                                    "fixed term at 25 years)")]
    assert q[4][0][0] == "term_months"
    assert q[5] == [("probation_months", "implausibly large (over 60 months: 刑法 art. 73 caps probation at "
                                         "5 years)")]
    assert q[6][0][0] == "recommended_months"


def test_negative_amounts_are_quarantined(tmp_path):
    cases = [case("(2023)浙0102刑初1号"),
             case("(2023)浙0102执1号", cause="民间借贷纠纷", judge_id="J2", claim_amount="-5000"),
             case("(2023)浙0102执2号", cause="民间借贷纠纷", judge_id="J2", claim_amount="−5000")]  # U+2212
    defendants = [defendant("D1", "(2023)浙0102刑初1号", fine_yuan="-1"),
                  defendant("D2", "(2023)浙0102刑初1号", amount_involved="-0.01")]
    folder = small_import(tmp_path / "import", cases=cases, defendants=defendants)
    db = tmp_path / "cw.duckdb"
    load(folder, db)
    assert quarantine(db, "cases")[3] == [("claim_amount", "negative; amounts, counts and terms cannot be")]
    assert quarantine(db, "cases")[4] == [("claim_amount", "not a number")]
    d = quarantine(db, "defendants")
    assert d[2] == [("fine_yuan", "negative; amounts, counts and terms cannot be")]
    assert d[3] == [("amount_involved", "negative; amounts, counts and terms cannot be")]


def test_every_stopped_import_leaves_no_building_file_behind(tmp_path, published):
    folder = small_import(tmp_path / "import")
    (folder / "cases.csv").write_bytes("case_id,case_id\n".encode())
    stops(folder, published, "appear twice")
    assert sorted(p.name for p in published["db"].parent.iterdir() if p.name.startswith(".")) == []
    assert pd.read_csv(folder / "courts.csv").shape[0] == len(COURTS) and len(JUDGES) == 2  # inputs untouched
    write_table(folder, "cases", [case("(2023)浙0102刑初1号")])
    load(folder, published["db"])  # and the next good import still works
