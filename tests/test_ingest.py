"""Import: encodings, validation, quarantine, idempotence, and refusing unusable folders."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from helpers import case, defendant, small_import, write_table

from courtwatch.core.contract import TABLES
from courtwatch.core.errors import UserError
from courtwatch.pipeline.ingest import ingest, parse_case_numbers
from courtwatch.storage import store

EXPORT = dt.date(2024, 12, 31)


def table(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_case_numbers_are_parsed_into_their_parts():
    parts = parse_case_numbers(pd.Series(["(2023)浙0102刑初123号", "（2024）浙01民终7号", "(2022)浙执恢3号",
                                          "(2023)最高法刑核1号", "2023浙0102刑初1号", "(2023)浙0102刑初号"]))
    assert parts.loc[0, ["case_year", "court_code", "case_type", "case_seq", "case_kind"]].tolist() == \
        ["2023", "浙0102", "刑初", "123", "criminal"]
    assert parts.loc[1, "court_code"] == "浙01" and parts.loc[1, "case_kind"] == "civil"
    assert parts.loc[2, "court_code"] == "浙" and parts.loc[2, "case_type"] == "执恢"
    assert parts.loc[3, "court_code"] == "最高法"
    assert parts.loc[4:5, "case_year"].isna().all()  # malformed: no brackets / no sequence


def test_gb18030_import_quarantines_exactly_the_bad_rows(tmp_path):
    folder = tmp_path / "import"
    good_cases = [
        case("(2023)浙0102刑初1号", closed_on="2023-03-01", close_method="判决"),     # Chinese enum term
        case("(2023)浙0102刑初2号", filed_on="2023/02/01", closed_on="2023/04/01"),  # slashed dates
        case("(2023)浙0102执1号", cause="民间借贷纠纷", judge_id="J2", claim_amount="1,250,000.50",
             close_method="终结本次执行程序"),
    ]
    bad_cases = [
        case("浙0102刑初9号"),                                     # row 5: malformed case number
        case("(2023)浙0101刑初3号"),                               # row 6: court code ≠ court_id
        case("(2023)浙0102刑初4号", filed_on="2023-05-01", closed_on="2023-04-01"),   # row 7: closed < filed
        case("(2023)浙0102刑初5号", closed_on="2031-01-01"),       # row 8: after the export date
        case("(2023)浙0102刑初6号", filed_on="2023-02-30"),        # row 9: impossible date
        case("(2023)浙0102执2号", cause="买卖合同纠纷", claim_amount="十万"),  # row 10: non-numeric
        case("(2023)浙0102刑初7号", judge_id="J404"),              # row 11: orphan judge
    ]
    small_import(folder, cases=good_cases + bad_cases, encoding="gb18030",
                 defendants=[defendant("D1", "(2023)浙0102刑初1号", recidivist="是"),
                             defendant("D2", "(2023)浙0102刑初99号"),           # orphan case
                             defendant("D3", "(2023)浙0102执1号"),              # not a criminal case
                             defendant("D4", "(2023)浙0102刑初2号", term_months="abc")])
    result = ingest(folder, db=tmp_path / "cw.duckdb", export_date=EXPORT)

    for name, counts in result.summary()["tables"].items():
        assert counts["read"] == counts["loaded"] + counts["quarantined"], name
    assert result.tables["cases"].encoding == "gb18030"
    assert result.summary()["tables"]["cases"] == {"read": 10, "loaded": 3, "quarantined": 7}
    assert result.summary()["tables"]["defendants"] == {"read": 4, "loaded": 1, "quarantined": 3}

    q = table(tmp_path / "cw.duckdb", "SELECT table_name, row_number, column_name, value, reason FROM quarantine")
    cases_q = q[q.table_name == "cases"].set_index("row_number")
    assert sorted(cases_q.index) == [5, 6, 7, 8, 9, 10, 11]
    assert "malformed case number" in cases_q.loc[5, "reason"]
    assert "does not match the court code" in cases_q.loc[6, "reason"]
    assert "closed before it was filed" in cases_q.loc[7, "reason"]
    assert "after the export date" in cases_q.loc[8, "reason"]
    assert cases_q.loc[9, "reason"].startswith("not a date") and cases_q.loc[9, "value"] == "2023-02-30"
    assert cases_q.loc[10, "reason"] == "not a number" and cases_q.loc[10, "column_name"] == "claim_amount"
    assert "judge" in cases_q.loc[11, "reason"] and cases_q.loc[11, "value"] == "J404"
    defendants_q = q[q.table_name == "defendants"].set_index("row_number")
    assert sorted(defendants_q.index) == [3, 4, 5]
    assert "not a criminal case" in defendants_q.loc[4, "reason"]

    loaded = table(tmp_path / "cw.duckdb", "SELECT * FROM cases ORDER BY case_id")
    assert sorted(loaded["case_id"]) == sorted(["(2023)浙0102执1号", "(2023)浙0102刑初1号", "(2023)浙0102刑初2号"])
    enforcement_case = loaded.set_index("case_id").loc["(2023)浙0102执1号"]
    assert enforcement_case["claim_amount"] == 1250000.50
    assert enforcement_case["close_method"] == "terminated_this_round"
    assert enforcement_case["case_kind"] == "enforcement"
    d1 = table(tmp_path / "cw.duckdb", "SELECT recidivist, probation, gender FROM defendants").iloc[0]
    assert bool(d1["recidivist"]) is True and bool(d1["probation"]) is False
    assert pd.isna(d1["gender"])  # empty = unknown, never a default


def test_every_check_across_columns_names_its_row_column_value_and_reason(tmp_path):
    """The checks that need several columns of a row run in the scan that finds the rows with a problem;
    each entry is exact, a row with a column problem as well gets both, and valid rows load."""
    folder = small_import(tmp_path / "i", cases=[
        case("(2023)浙0102刑初1号", closed_on="2023-03-01"),                     # row 2: valid
        case("浙0102刑初9号"),                                                   # row 3: malformed case number
        case("(2023)浙0101刑初3号"),                                             # row 4: court code ≠ court_id
        case("(2099)浙0102刑初4号", filed_on="2023-01-05"),                      # row 5: impossible year, filed 2023
        case("(2023)浙0102刑初5号", filed_on="2023-05-01", closed_on="2023-04-01"),  # row 6: closed < filed
        case("(2022)浙0102刑初6号", filed_on="2023-01-05"),                      # row 7: filing year ≠ 2022
        case("(1949)浙0102刑初7号", filed_on="1949-12-01"),                      # row 8: both before 1950
        case("(2023)浙0102刑初8号", filed_on="2023-01-05", closed_on="2023-01-04", claim_amount="x"),  # row 9
    ], defendants=[defendant("D1", "(2023)浙0102刑初1号"),                        # row 2: valid
                   defendant("D2", "(2023)浙0102刑初1号", sentence_kind="exempt", term_months="6"),  # row 3
                   defendant("D3", "(2023)浙0102刑初1号", sentence_kind="exempt", term_months="0")])  # row 4: valid
    result = ingest(folder, db=tmp_path / "cw.duckdb", export_date=EXPORT)
    q = result.problems
    entries = sorted(zip(q["table_name"], q["_row"], q["column_name"], q["value"], q["reason"]))
    assert entries == sorted([
        ("cases", 3, "case_id", "浙0102刑初9号", "malformed case number (expected e.g. (2023)浙0102刑初123号)"),
        ("cases", 4, "court_id", "浙0102", "court_id does not match the court code in case_id (浙0101)"),
        ("cases", 5, "case_id", "(2099)浙0102刑初4号", "year in the case number is impossible"),
        ("cases", 6, "closed_on", "2023-04-01", "closed before it was filed (filed_on 2023-05-01)"),
        ("cases", 7, "filed_on", "2023-01-05", "filing year differs from the year in the case number"),
        ("cases", 8, "case_id", "(1949)浙0102刑初7号", "year in the case number is impossible"),
        ("cases", 8, "filed_on", "1949-12-01", "implausible date (before 1950)"),
        ("cases", 9, "claim_amount", "x", "not a number"),
        ("cases", 9, "closed_on", "2023-01-04", "closed before it was filed (filed_on 2023-01-05)"),
        ("defendants", 3, "term_months", "6", "a term is given for a sentence kind that has none (exempt)"),
    ])
    assert result.summary()["tables"]["cases"] == {"read": 8, "loaded": 1, "quarantined": 7}
    assert result.summary()["tables"]["defendants"] == {"read": 3, "loaded": 2, "quarantined": 1}


def test_utf8_with_bom_and_damaged_lines_are_quarantined_not_lost(tmp_path):
    folder = small_import(tmp_path / "import")
    path = folder / "cases.csv"
    text = path.read_text(encoding="utf-8")
    extra = case("(2023)浙0102刑初8号", cause="诈骗罪")
    line = ",".join(extra[c] for c in extra) + "\n"
    data = b"\xef\xbb\xbf" + text.encode("utf-8") + line.encode("utf-8").replace("诈骗".encode(), b"\xff\xfe") \
        + "(2023)浙0102刑初9号,浙0102,盗窃罪\n".encode("utf-8")
    path.write_bytes(data)
    result = ingest(folder, db=tmp_path / "cw.duckdb", export_date=EXPORT)
    counts = result.summary()["tables"]["cases"]
    assert counts == {"read": 3, "loaded": 1, "quarantined": 2}
    reasons = set(result.problems["reason"])
    assert any("not valid in the file's encoding" in r for r in reasons)
    width = len(TABLES["cases"].column_names)  # the helper writes every contract column, optional ones too
    assert any(f"has 3 fields but the header has {width}" in r for r in reasons)


def test_reimport_is_idempotent_and_newer_rows_replace_older(tmp_path):
    db = tmp_path / "cw.duckdb"
    folder = small_import(tmp_path / "a", cases=[case("(2023)浙0102刑初1号", closed_on="2023-03-01")],
                          defendants=[defendant("D1", "(2023)浙0102刑初1号", term_months="10")])
    write_table(folder, "events", [{"case_id": "(2023)浙0102刑初1号", "event": "extension",
                                    "occurred_at": "2023-02-01T09:00:00", "actor_id": "J1", "amount": "", "note": ""}])
    ingest(folder, db=db, export_date=EXPORT)
    snapshot = [table(db, f"SELECT * FROM {t} ORDER BY ALL") for t in ("cases", "defendants", "events", "quarantine")]
    ingest(folder, db=db, export_date=EXPORT)
    again = [table(db, f"SELECT * FROM {t} ORDER BY ALL") for t in ("cases", "defendants", "events", "quarantine")]
    for before, after in zip(snapshot, again):
        pd.testing.assert_frame_equal(before, after)

    newer = small_import(tmp_path / "b", cases=[case("(2023)浙0102刑初1号", closed_on="2023-03-09")],
                         defendants=[defendant("D1", "(2023)浙0102刑初1号", term_months="14")])
    ingest(newer, db=db, export_date=EXPORT)
    assert str(table(db, "SELECT closed_on FROM cases").iloc[0, 0])[:10] == "2023-03-09"
    assert table(db, "SELECT term_months FROM defendants").iloc[0, 0] == 14
    assert len(table(db, "SELECT * FROM events")) == 1  # not in the newer export: kept


def test_duplicate_keys(tmp_path):
    rows = [case("(2023)浙0102刑初1号"), case("(2023)浙0102刑初1号"),               # exact copy
            case("(2023)浙0102刑初2号"), case("(2023)浙0102刑初2号", cause="诈骗罪")]  # conflict
    result = ingest(small_import(tmp_path / "i", cases=rows), db=tmp_path / "cw.duckdb", export_date=EXPORT)
    assert result.summary()["tables"]["cases"] == {"read": 4, "loaded": 1, "quarantined": 3}
    reasons = result.problems.set_index("_row")["reason"]
    assert reasons[3].startswith("exact copy of row 2")
    assert "with different content" in reasons[4] and "with different content" in reasons[5]


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "cases.csv").unlink(), "the cases table is required"),
    (lambda f: (f / "cases.csv").write_text("case_id,court_id\n(2023)浙0102刑初1号,浙0102\n", encoding="utf-8"),
     "wrong columns: missing column(s) cause"),
    (lambda f: (f / "judges.xlsx").write_bytes(b"not a spreadsheet"), "cannot be read as xlsx"),
    (lambda f: (f / "cases.parquet").write_bytes(b"PAR1"), "keep one file per table"),
])
def test_unusable_imports_stop_and_leave_the_database_as_it_was(tmp_path, damage, message):
    db = tmp_path / "cw.duckdb"
    ingest(small_import(tmp_path / "first"), db=db, export_date=EXPORT)
    before = db.read_bytes()
    folder = small_import(tmp_path / "second", cases=[case("(2023)浙0102刑初5号")])
    if "judges.xlsx" in message or "xlsx" in message:
        (folder / "judges.csv").unlink()
    damage(folder)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest(folder, db=db, export_date=EXPORT)
    assert db.read_bytes() == before


def test_a_bad_file_late_in_the_load_order_stops_the_import_after_the_earlier_files_were_loaded(tmp_path):
    """Files are read in a background thread while earlier ones load into the private copy: a file that
    cannot be read still stops the import with its own message, the first bad file in load order is the
    one named, and the published database is the one before."""
    db = tmp_path / "cw.duckdb"
    ingest(small_import(tmp_path / "first"), db=db, export_date=EXPORT)
    before = db.read_bytes()
    folder = small_import(tmp_path / "second", cases=[case("(2023)浙0102刑初5号")],
                          defendants=[defendant("D1", "(2023)浙0102刑初5号")])
    (folder / "events.csv").write_text("case_id,event\n(2023)浙0102刑初5号,filed\n", encoding="utf-8")
    (folder / "representations.csv").write_bytes(b"\xff\xfecase_id")
    progress: list[str] = []
    with pytest.raises(UserError, match=r"events.csv: wrong columns: missing column\(s\) occurred_at"):
        ingest(folder, db=db, export_date=EXPORT, progress=progress.append)
    assert "defendants: read 1, loaded 1, quarantined 0" in progress  # loaded before events.csv was taken
    assert db.read_bytes() == before
    (folder / "events.csv").unlink()
    with pytest.raises(UserError, match="representations.csv: is UTF-16"):
        ingest(folder, db=db, export_date=EXPORT)
    assert db.read_bytes() == before


def test_xlsx_and_parquet_read_like_csv(tmp_path):
    folder = small_import(tmp_path / "i", cases=[case("(2023)浙0102刑初1号", closed_on="2023-03-01")],
                          defendants=[defendant("D1", "(2023)浙0102刑初1号")])
    cases = pd.read_csv(folder / "cases.csv", dtype=str, keep_default_na=False)
    cases["filed_on"] = pd.to_datetime(cases["filed_on"])  # a real date cell, as Excel stores it
    (folder / "cases.csv").unlink()
    cases.to_excel(folder / "cases.xlsx", index=False)
    defendants = pd.read_csv(folder / "defendants.csv", dtype=str, keep_default_na=False)
    (folder / "defendants.csv").unlink()
    defendants.to_parquet(folder / "defendants.parquet")
    result = ingest(folder, db=tmp_path / "cw.duckdb", export_date=EXPORT)
    assert result.summary()["tables"]["cases"] == {"read": 1, "loaded": 1, "quarantined": 0}
    assert result.summary()["tables"]["defendants"] == {"read": 1, "loaded": 1, "quarantined": 0}
    assert str(table(tmp_path / "cw.duckdb", "SELECT filed_on FROM cases").iloc[0, 0])[:10] == "2023-01-05"


def test_cli_ingest_json_and_one_line_errors(tmp_path):
    folder = small_import(tmp_path / "i")
    db = tmp_path / "cw.duckdb"
    done = subprocess.run([sys.executable, "-m", "courtwatch.cli", "ingest", str(folder), "--db", str(db), "--json",
                           "--export-date", "2024-12-31"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tables"]["cases"] == {"read": 1, "loaded": 1, "quarantined": 0}
    missing = subprocess.run([sys.executable, "-m", "courtwatch.cli", "ingest", str(tmp_path / "nowhere"), "--db", str(db)],
                             capture_output=True, text=True)
    assert missing.returncode == 2
    assert len(missing.stderr.strip().splitlines()) == 1 and "is not a folder" in missing.stderr


def test_a_reader_keeps_working_while_a_new_database_is_published(tmp_path):
    db = tmp_path / "cw.duckdb"
    ingest(small_import(tmp_path / "a"), db=db, export_date=EXPORT)
    reader = store.open_for_read(db)
    ingest(small_import(tmp_path / "b", cases=[case("(2023)浙0102刑初1号"), case("(2023)浙0102刑初2号")]),
           db=db, export_date=EXPORT)
    assert reader.execute("SELECT count(*) FROM cases").fetchone()[0] == 1  # still the snapshot it opened
    reader.close()
    fresh = store.open_for_read(db)
    assert fresh.execute("SELECT count(*) FROM cases").fetchone()[0] == 2
    fresh.close()


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    db = tmp_path / "cw.duckdb"
    with store.writer_lock(db):
        with pytest.raises(UserError, match="being updated by another ingest or detect"):
            ingest(small_import(tmp_path / "a"), db=db, export_date=EXPORT)


@pytest.mark.parametrize("bad", [{"claim_amount": "many"}, {"filed_on": "2023-02-30"}, {"extensions": "1.5"}])
def test_an_invalid_row_is_quarantined_for_its_own_reason_and_never_withholds_a_valid_row_with_its_key(tmp_path, bad):
    key = "(2023)浙0102执1号"
    good = case(key, cause="民间借贷纠纷", claim_amount="5000", close_method="fully_enforced", closed_on="2023-03-01")
    for rows, invalid_row in (([good, {**good, **bad}], 3), ([{**good, **bad}, good], 2)):  # either order
        folder = small_import(tmp_path / f"i{invalid_row}", cases=rows)
        result = ingest(folder, db=tmp_path / f"cw{invalid_row}.duckdb", export_date=EXPORT)
        assert result.summary()["tables"]["cases"] == {"read": 2, "loaded": 1, "quarantined": 1}
        problems = result.problems[result.problems.table_name == "cases"]
        column = next(iter(bad))
        assert problems[["_row", "column_name", "value"]].values.tolist() == [[invalid_row, column, bad[column]]]
        assert not problems.reason.str.contains("key appears|exact copy").any()
        assert problems.file.iloc[0].endswith("cases.csv")
        loaded = table(tmp_path / f"cw{invalid_row}.duckdb", "SELECT case_id, claim_amount FROM cases")
        assert loaded.values.tolist() == [[key, 5000]]


def test_invalid_rows_do_not_count_as_copies_or_conflicts_of_the_valid_rows_of_their_key(tmp_path):
    key = "(2023)浙0102刑初1号"
    rows = [case(key, extensions="many"),                 # row 2: invalid by itself
            case(key), case(key),                         # rows 3-4: valid exact copies: 3 loads
            case("(2023)浙0102刑初2号"), case("(2023)浙0102刑初2号", cause="诈骗罪"),  # rows 5-6: a real conflict
            case("(2023)浙0102刑初2号", filed_on="yesterday")]                        # row 7: invalid
    result = ingest(small_import(tmp_path / "i", cases=rows), db=tmp_path / "cw.duckdb", export_date=EXPORT)
    assert result.summary()["tables"]["cases"] == {"read": 6, "loaded": 1, "quarantined": 5}
    reasons = result.problems.set_index("_row")["reason"]
    assert reasons[2] == "not a number"
    assert reasons[4] == "exact copy of row 3; the first copy is loaded"
    assert reasons[5] == reasons[6] == "key appears in rows 5, 6 with different content; none loaded"
    assert reasons[7].startswith("not a date")
    assert table(tmp_path / "cw.duckdb", "SELECT case_id FROM cases").case_id.tolist() == [key]


def test_a_newer_export_replaces_the_older_row_with_its_valid_row_and_never_with_an_invalid_one(tmp_path):
    db = tmp_path / "cw.duckdb"
    key = "(2023)浙0102执1号"
    older = case(key, cause="民间借贷纠纷", claim_amount="5000")
    ingest(small_import(tmp_path / "a", cases=[older]), db=db, export_date=EXPORT)
    # The newer export holds the case twice: a valid new version and an invalid one.
    newer = [case(key, cause="民间借贷纠纷", claim_amount="many"), case(key, cause="民间借贷纠纷", claim_amount="8000")]
    result = ingest(small_import(tmp_path / "b", cases=newer), db=db, export_date=EXPORT)
    assert result.summary()["tables"]["cases"] == {"read": 2, "loaded": 1, "quarantined": 1}
    assert table(db, "SELECT claim_amount FROM cases").claim_amount.tolist() == [8000]
    # A newer export whose only row of the case is invalid quarantines it and keeps the loaded version.
    result = ingest(small_import(tmp_path / "c", cases=[case(key, cause="民间借贷纠纷", claim_amount="lots")]),
                    db=db, export_date=EXPORT)
    assert result.summary()["tables"]["cases"] == {"read": 1, "loaded": 0, "quarantined": 1}
    assert table(db, "SELECT claim_amount FROM cases").claim_amount.tolist() == [8000]
    q = table(db, "SELECT row_number, column_name, value, reason FROM quarantine WHERE value = 'lots'")
    assert q.values.tolist() == [[2, "claim_amount", "lots", "not a number"]]


def test_dates_cast_directly_read_as_the_date_pattern_reads_them():
    """A date written as DuckDB writes it is cast without the regular expression; every other text takes
    the pattern. Both paths give the same value on texts near that form."""
    from courtwatch.pipeline.ingest import _column_checks
    column = next(c for c in TABLES["cases"].columns if c.name == "filed_on")
    fast, _ = _column_checks(column, EXPORT)
    pattern = fast.split(" ELSE ", 1)[1].rsplit(" END)", 1)[0]
    assert "regexp_extract" in pattern and "regexp_extract" not in fast.split(" ELSE ", 1)[0]
    texts = ["2024-01-05", "2024-1-5", "2024/01/05", "0999-01-01", "10000-01-01", "2024-02-30", "2023-02-29",
             "2024-02-29", "2024-01-05 00:00:00", "2024-01-05T00:00", " 2024-01-05", "+024-01-05", "-024-01-05",
             "2024-13-01", "0000-01-01", "0001-01-01", "9999-12-31", "20240105", "2024-01-05x", "٢٠٢٤-٠١-٠٥", None]
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (v_filed_on VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?)", [[t] for t in texts])
        rows = con.execute(f"SELECT v_filed_on, {fast}::VARCHAR, {pattern}::VARCHAR FROM t").fetchall()
    finally:
        con.close()
    assert [(text, a) for text, a, b in rows if a != b] == []
    assert dict((text, a) for text, a, _ in rows)["2024-01-05"] == "2024-01-05"


def test_a_column_is_character_clean_exactly_when_no_value_fails_its_character_check():
    """The one-scan test over each chunk's bytes (`_characters_clean`) agrees with the per-value check,
    on several chunks, a sliced chunk and values whose forbidden character is first, last or alone."""
    import random

    import pyarrow as pa

    from courtwatch.core.contract import ID_NON_PRINTABLE_RE2, TEXT_FORBIDDEN_RE2
    from courtwatch.pipeline.ingest import _characters_clean

    alphabet = ["a", "7", "浙", "(", "（", " ", "\u00a0", "\u200b", "\u3000", "\x01", "\x0b", "\t", "\ufeff", "\uffff",
                "\ue000", "😀"]
    rng = random.Random(7)
    con = duckdb.connect()
    try:
        for _ in range(150):
            chunks = [["".join(rng.choice(alphabet[:5]) for _ in range(rng.randint(0, 3))) for _ in range(rng.randint(1, 4))]
                      for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.6:  # one bad character somewhere
                chunk = rng.choice(chunks)
                chunk[rng.randrange(len(chunk))] += rng.choice(alphabet)
            arrays = [pa.array(["x"] + c + ["\x01"], pa.string()).slice(1, len(c)) for c in chunks]
            column = pa.chunked_array(arrays, type=pa.string())
            frame = pa.table({name: column for name in TABLES["events"].column_names})
            clean = _characters_clean(con, frame, TABLES["events"])
            values = [v for c in chunks for v in c]
            for name, pattern in (("case_id", ID_NON_PRINTABLE_RE2), ("note", TEXT_FORBIDDEN_RE2)):
                bad = con.execute("SELECT bool_or(regexp_matches(v, ?)) FROM unnest(?::VARCHAR[]) t(v)",
                                  [pattern, values]).fetchall()[0][0]
                assert (name in clean) == (not bad), (name, values)
    finally:
        con.close()
