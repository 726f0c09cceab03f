"""Import: read a court's export folder, validate it against the contract, load it into DuckDB.

Every row read is either loaded or quarantined with file, row, column, value
and reason; nothing is dropped or altered silently. Problems with a whole file
(missing cases file, unreadable file, wrong columns) stop the import with a
UserError before anything is written, so the published database is unchanged.
Row numbers count the header as row 1, as a spreadsheet shows them.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from . import store
from .contract import BOOL_VALUES, CASE_KIND_BY_PREFIX, LOAD_ORDER, TABLES, Column, Table
from .errors import UserError

FORMATS = ("csv", "parquet", "xlsx")
EARLIEST_DATE = pd.Timestamp("1950-01-01")  # before the PRC's courts kept these records
MAX_MONEY = 1e13        # yuan; larger is an export error, not a claim
MAX_INT = 1_000_000
MAX_TEXT = 4000         # characters in one cell

CASE_NUMBER = re.compile(r"^[(（](\d{4})[)）](最高法|[\u4e00-\u9fff]\d*)([\u4e00-\u9fff]{1,4}?)(\d+)号$")
DATE_TEXT = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
GROUPED_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass
class TableResult:
    table: str
    file: str = ""
    encoding: str = ""
    sha256: str = ""
    read: int = 0
    loaded: int = 0
    quarantined: int = 0


@dataclass
class ImportResult:
    import_id: str
    export_date: dt.date
    tables: dict[str, TableResult] = field(default_factory=dict)
    problems: pd.DataFrame | None = None

    def summary(self) -> dict:
        return {"tables": {name: {"read": r.read, "loaded": r.loaded, "quarantined": r.quarantined}
                           for name, r in self.tables.items()}}


# ---------------------------------------------------------------- reading files

def find_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder; give the folder that holds cases.csv (or .parquet/.xlsx)")
    found: dict[str, Path] = {}
    for table in LOAD_ORDER:
        candidates = [folder / f"{table}.{ext}" for ext in FORMATS if (folder / f"{table}.{ext}").exists()]
        if len(candidates) > 1:
            raise UserError(f"{folder}: both {candidates[0].name} and {candidates[1].name}; keep one file per table")
        if candidates:
            found[table] = candidates[0]
    if "cases" not in found:
        raise UserError(f"{folder}: no cases.csv, cases.parquet or cases.xlsx; the cases table is required")
    return found


def _decode(data: bytes, path: Path) -> tuple[str, str, set[int]]:
    """Decode a CSV's bytes as UTF-8 (with or without BOM) or GB18030.

    Returns (text, encoding, physical line numbers whose bytes are invalid in it).
    The encoding is chosen from the lines that contain non-ASCII bytes: GB18030
    Chinese text practically never forms valid UTF-8, so a file where most such
    lines are valid UTF-8 is UTF-8 with damaged lines, not GB18030.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8", set()
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    non_ascii = [ln for ln in lines if any(b > 0x7F for b in ln)]
    utf8_ok = sum(1 for ln in non_ascii if _valid(ln, "utf-8"))
    encoding = "utf-8" if bom or utf8_ok * 2 >= len(non_ascii) else "gb18030"
    if encoding == "gb18030":
        try:
            return data.decode("gb18030"), "gb18030", set()
        except UnicodeDecodeError:
            pass
    bad: set[int] = set()
    decoded = []
    for number, line in enumerate(lines, start=1):
        try:
            decoded.append(line.decode(encoding))
        except UnicodeDecodeError:
            bad.add(number)
            decoded.append(line.decode(encoding, errors="replace"))
    if len(bad) > max(10, len(lines) // 2):
        raise UserError(f"{path}: not readable as UTF-8 or GB18030 ({len(bad)} damaged lines); re-export the file as UTF-8 or GB18030")
    return "\n".join(decoded), encoding, bad


def _valid(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


@dataclass
class RawTable:
    """A file's rows as text: `frame` has the contract columns plus `_row`."""

    frame: pd.DataFrame
    encoding: str
    sha256: str
    bad_rows: pd.DataFrame  # _row, reason, raw: rows that could not be split into columns


def _check_header(path: Path, header: list[str], table: Table) -> None:
    expected = table.column_names
    duplicated = sorted({h for h in header if header.count(h) > 1})
    missing = [c for c in expected if c not in header]
    unknown = [h for h in header if h not in expected]
    if duplicated:
        raise UserError(f"{path}: column(s) {', '.join(duplicated)} appear twice in the header; fix the export")
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise UserError(f"{path}: wrong columns: {'; '.join(parts)}; the {table.name} table needs exactly: {', '.join(expected)}")


def _read_clean_csv(text: str, table: Table) -> pd.DataFrame | None:
    """Fast path for a well-formed file (no damaged bytes, every record on one line):
    Arrow's multi-threaded reader. None when the file needs the careful path below."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    body = text.encode("utf-8")
    try:
        arrow = pacsv.read_csv(pa.BufferReader(body),
                               read_options=pacsv.ReadOptions(autogenerate_column_names=False),
                               parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
                               convert_options=pacsv.ConvertOptions(
                                   column_types={c: pa.string() for c in table.column_names},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError):
        return None
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if arrow.num_rows != lines - 1 or [n.strip().lstrip("\ufeff") for n in arrow.column_names] != arrow.column_names:
        return None  # a quoted line break or odd header: row numbers would not match lines
    frame = arrow.select(table.column_names).to_pandas(types_mapper=pd.ArrowDtype)
    frame.insert(0, "_row", np.arange(2, arrow.num_rows + 2, dtype=np.int64))
    return frame


def read_csv(path: Path, table: Table, data: bytes) -> RawTable:
    text, encoding, bad_lines = _decode(data, path)
    if not bad_lines and "\r" not in text:
        header_line = text.split("\n", 1)[0]
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([header_line]), [])]
        if header:
            _check_header(path, header, table)
            fast = _read_clean_csv(text, table)
            if fast is not None:
                return RawTable(fast, encoding, hashlib.sha256(data).hexdigest(),
                                pd.DataFrame(columns=["_row", "reason", "raw"]))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(f"{path}: the file is empty; it needs at least a header row") from None
    except csv.Error as exc:
        raise UserError(f"{path}: the header row cannot be read ({exc})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    _check_header(path, header, table)
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    bad: list[tuple[int, str, str]] = []
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad.append((start, f"the row cannot be split into columns ({exc})", ""))
            start = reader.line_num + 1
            continue
        end = reader.line_num
        raw = ",".join(record)
        if not record or (len(record) == 1 and record[0].strip() == ""):
            pass  # a blank line is not a row
        elif any(n in bad_lines for n in range(start, end + 1)):
            bad.append((start, f"bytes not valid in the file's encoding ({encoding}); characters shown as \ufffd", raw))
        elif len(record) != width:
            bad.append((start, f"has {len(record)} fields but the header has {width}", raw))
        else:
            rows.append(record)
            numbers.append(start)
        start = end + 1
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    frame = frame[table.column_names]
    frame.insert(0, "_row", np.array(numbers, dtype=np.int64))
    return RawTable(frame, encoding, hashlib.sha256(data).hexdigest(),
                    pd.DataFrame(bad, columns=["_row", "reason", "raw"]))


def _cell_text(value) -> str | None:
    """A spreadsheet/Parquet cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if value.hour == value.minute == value.second == 0 and value.microsecond == 0:
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def read_table_file(path: Path, table: Table, data: bytes) -> RawTable:
    """Rows of a .parquet or .xlsx file as text, typed cells turned into their contract spelling."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq
            source = pq.read_table(io.BytesIO(data)).to_pandas()
        else:
            source = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
    except Exception as exc:  # any parser failure means the file is unreadable
        raise UserError(f"{path}: cannot be read as {path.suffix[1:]} ({type(exc).__name__}: {exc})") from None
    header = [str(c).strip() for c in source.columns]
    source.columns = header
    _check_header(path, header, table)
    frame = source[table.column_names].map(_cell_text).astype(object)
    frame.insert(0, "_row", np.arange(2, len(frame) + 2, dtype=np.int64))
    return RawTable(frame.reset_index(drop=True), path.suffix[1:], hashlib.sha256(data).hexdigest(),
                    pd.DataFrame(columns=["_row", "reason", "raw"]))


def read_file(path: Path, table: Table) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror}); check the path and permissions") from None
    if path.suffix == ".csv":
        return read_csv(path, table, data)
    return read_table_file(path, table, data)


# ---------------------------------------------------------------- validating

class Problems:
    """Collects (row, column, value, reason) for one file."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, rows: pd.Series, column: str | None, values: pd.Series | None, reason: str | pd.Series) -> None:
        if len(rows) == 0:
            return
        part = pd.DataFrame({"_row": rows.to_numpy(),
                             "column_name": column,
                             "value": values.to_numpy() if values is not None else None,
                             "reason": reason.to_numpy() if isinstance(reason, pd.Series) else reason})
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=["_row", "column_name", "value", "reason"])
        return pd.concat(self.parts, ignore_index=True)

    def rows(self) -> set[int]:
        return set(self.frame()["_row"].tolist())


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_checks(column: Column, export_date: dt.date) -> tuple[str, str]:
    """(parsed value over v_<name>, problem over v_<name> and p_<name>) SQL for one contract column.

    `v_<name>` is the trimmed text (NULL when empty = unknown) and `p_<name>` the
    parsed value; the problem is computed from both, the first that applies.
    The checks run inside DuckDB so that a province-sized export validates in seconds.
    """
    v, p = f"v_{column.name}", f"p_{column.name}"
    export = f"DATE {_literal(export_date.isoformat())}"
    missing = f"WHEN {v} IS NULL THEN NULL" if not column.required else f"WHEN {v} IS NULL THEN 'required value missing'"
    if column.kind in ("str", "text"):
        limit = 200 if column.kind == "str" else MAX_TEXT
        return v, f"CASE {missing} WHEN length({v}) > {limit} THEN 'longer than {limit} characters' END"
    if column.kind in ("enum", "bool"):
        mapping = column.enum if column.kind == "enum" else BOOL_VALUES
        target = (lambda code: _literal(code)) if column.kind == "enum" else (lambda flag: "TRUE" if flag else "FALSE")
        exact = " ".join(f"WHEN {_literal(k)} THEN {target(c)}" for k, c in mapping.items())
        folded = " ".join(f"WHEN {_literal(k.lower())} THEN {target(c)}" for k, c in mapping.items())
        if column.kind == "bool":
            reason = "not a boolean (true/false, 1/0, 是/否)"
        else:
            reason = f"not one of {', '.join(sorted(set(mapping.values())))} (or their Chinese terms)"
        return (f"(CASE {v} {exact} ELSE CASE lower({v}) {folded} END END)",
                f"CASE {missing} WHEN {p} IS NULL THEN {_literal(reason)} END")
    if column.kind == "date":
        parsed = (f"try_strptime(replace(regexp_extract({v}, '^(\\d{{4}}[-/]\\d{{1,2}}[-/]\\d{{1,2}})([ T]00:00(:00(\\.0+)?)?)?$', 1), "
                  f"'/', '-'), '%Y-%m-%d')::DATE")
        return parsed, (f"CASE {missing} WHEN {p} IS NULL THEN 'not a date (expected YYYY-MM-DD)' "
                        f"WHEN {p} < DATE '1950-01-01' THEN 'implausible date (before 1950)' "
                        f"WHEN {p} > {export} THEN {_literal('after the export date ' + export_date.isoformat())} END")
    if column.kind == "timestamp":
        text = f"replace({v}, '/', '-')"
        parsed = f"coalesce(try_cast({text} AS TIMESTAMP), timezone('Asia/Shanghai', try_cast({text} AS TIMESTAMPTZ)))"
        return parsed, (f"CASE {missing} WHEN {p} IS NULL THEN 'not a timestamp (expected ISO 8601, e.g. 2024-03-05T10:20:00)' "
                        f"WHEN {p} < TIMESTAMP '1950-01-01' THEN 'implausible date (before 1950)' "
                        f"WHEN {p} >= {export} + INTERVAL 1 DAY THEN {_literal('after the export date ' + export_date.isoformat())} END")
    # decimal / int: plain or thousands-grouped numbers; NaN and infinity are not numbers
    parsed = (f"(CASE WHEN regexp_full_match({v}, '[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?') THEN try_cast({v} AS DOUBLE) "
              f"WHEN regexp_full_match({v}, '-?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') THEN try_cast(replace({v}, ',', '') AS DOUBLE) END)")
    limit = MAX_MONEY if column.kind == "decimal" else MAX_INT
    problem = (f"CASE {missing} WHEN {p} IS NULL OR NOT isfinite({p}) THEN 'not a number' "
               f"WHEN {p} < 0 THEN 'negative; amounts, counts and terms cannot be' "
               f"WHEN abs({p}) > {limit:.0f} THEN 'implausibly large (over {limit:g})' ")
    if column.kind == "int":
        problem += f"WHEN {p} <> round({p}) THEN 'not a whole number' "
    return parsed, problem + "END"


def validate_columns(raw: pd.DataFrame, table: Table, export_date: dt.date, problems: Problems) -> pd.DataFrame:
    """Typed values of each column; problems recorded for values that are not of the column's type."""
    con = duckdb.connect(config=store.DUCKDB_CONFIG)
    try:
        con.register("raw_rows", raw)
        checks = [_column_checks(c, export_date) for c in table.columns]
        trimmed = ", ".join(f"nullif(trim({_ident(c.name)}::VARCHAR), '') AS v_{c.name}" for c in table.columns)
        parsed = ", ".join(f"{expr} AS p_{c.name}" for c, (expr, _) in zip(table.columns, checks))
        checked = ", ".join(f"{problem} AS e_{c.name}" for c, (_, problem) in zip(table.columns, checks))
        con.execute(f"CREATE TEMP TABLE checked AS SELECT *, {checked} FROM "
                    f"(SELECT *, {parsed} FROM (SELECT _row, {trimmed} FROM raw_rows))")
        cast = {"int": "BIGINT", "decimal": "DOUBLE"}
        typed = con.execute("SELECT _row, " + ", ".join(
            f"CASE WHEN e_{c.name} IS NULL THEN p_{c.name} END::{cast[c.kind]} AS {_ident(c.name)}" if c.kind in cast
            else f"p_{c.name} AS {_ident(c.name)}" for c in table.columns) + " FROM checked ORDER BY _row").df()
        found = con.execute(" UNION ALL ".join(
            f"SELECT _row, {_literal(c.name)} AS column_name, left(v_{c.name}, 200) AS value, e_{c.name} AS reason "
            f"FROM checked WHERE e_{c.name} IS NOT NULL" for c in table.columns)).df()
    finally:
        con.close()
    if not found.empty:
        problems.parts.append(found.astype({"value": object, "column_name": object, "reason": object}))
    for column in table.columns:
        if column.kind in ("str", "text", "enum"):
            typed[column.name] = typed[column.name].astype(object).where(typed[column.name].notna(), None)
        elif column.kind == "bool":
            typed[column.name] = typed[column.name].astype("boolean")
        elif column.kind == "int":
            typed[column.name] = typed[column.name].astype("Int64")
        elif column.kind == "decimal":
            typed[column.name] = typed[column.name].astype("Float64")
    return typed


def parse_case_numbers(case_ids: pd.Series) -> pd.DataFrame:
    """案号 → year, court code, case-type code, sequence, kind (NaN where malformed)."""
    parts = case_ids.astype("string").str.extract(CASE_NUMBER)
    parts.columns = ["case_year", "court_code", "case_type", "case_seq"]
    parts["case_kind"] = parts["case_type"].str.slice(0, 1).map(CASE_KIND_BY_PREFIX).where(parts["case_type"].notna())
    parts.loc[parts["case_type"].notna() & parts["case_kind"].isna(), "case_kind"] = "other"
    return parts


def validate_rows(typed: pd.DataFrame, table: Table, export_date: dt.date, problems: Problems) -> pd.DataFrame:
    """Checks within one row that need several columns; adds derived columns."""
    rows = typed["_row"]
    if table.name == "cases":
        parts = parse_case_numbers(typed["case_id"])
        malformed = typed["case_id"].notna() & parts["case_year"].isna()
        problems.add(rows[malformed], "case_id", typed["case_id"][malformed],
                     "malformed case number (expected e.g. (2023)浙0102刑初123号)")
        mismatch = ~malformed & typed["court_id"].notna() & typed["case_id"].notna() & (parts["court_code"] != typed["court_id"])
        problems.add(rows[mismatch], "court_id", typed["court_id"][mismatch],
                     "court_id does not match the court code in case_id (" + parts["court_code"][mismatch].astype(str) + ")")
        year = pd.to_numeric(parts["case_year"], errors="coerce")
        bad_year = ~malformed & ((year < 1950) | (year > export_date.year))
        problems.add(rows[bad_year], "case_id", typed["case_id"][bad_year], "year in the case number is impossible")
        filed = pd.to_datetime(typed["filed_on"])
        closed = pd.to_datetime(typed["closed_on"])
        before = filed.notna() & closed.notna() & (closed < filed)
        problems.add(rows[before], "closed_on", typed["closed_on"][before].astype(str),
                     "closed before it was filed (filed_on " + typed["filed_on"][before].astype(str) + ")")
        filed_year_mismatch = ~malformed & filed.notna() & year.notna() & (filed.dt.year != year) & ~bad_year
        # A case number's year is the filing year (案号规定 art. 4); a case filed in another year is mis-keyed.
        problems.add(rows[filed_year_mismatch], "filed_on", typed["filed_on"][filed_year_mismatch].astype(str),
                     "filing year differs from the year in the case number")
        typed = typed.assign(case_year=year.astype("Int64"), case_type=parts["case_type"],
                             case_seq=pd.to_numeric(parts["case_seq"], errors="coerce").astype("Int64"),
                             case_kind=parts["case_kind"])
    if table.name == "defendants":
        kind = typed["sentence_kind"]
        no_term = kind.isin(["exempt", "fine_only", "life", "death"]) & typed["term_months"].notna() & (typed["term_months"] > 0)
        problems.add(rows[no_term], "term_months", typed["term_months"][no_term].astype(str),
                     "a term is given for a sentence kind that has none (" + kind[no_term].astype(str) + ")")
    return typed


def _duplicates(typed: pd.DataFrame, raw: pd.DataFrame, table: Table, problems: Problems) -> None:
    """Within one file a key may appear once. Exact copies are quarantined after the first;
    conflicting rows for one key are all quarantined, since none can be trusted over the others."""
    if not table.key:
        return
    keys = typed[table.key]
    dup_mask = keys.notna() & keys.duplicated(keep=False)
    if not dup_mask.any():
        return
    content = raw[table.column_names].astype(str).agg("\x1f".join, axis=1)
    sub = pd.DataFrame({"key": keys[dup_mask], "content": content[dup_mask], "_row": typed["_row"][dup_mask]})
    first_row = sub.groupby("key")["_row"].transform("min")
    distinct = sub.groupby("key")["content"].transform("nunique")
    exact = (distinct == 1) & (sub["_row"] != first_row)
    problems.add(sub["_row"][exact], table.key, sub["key"][exact],
                 "exact copy of row " + first_row[exact].astype(str) + "; the first copy is loaded")
    conflict = distinct > 1
    rows_of_key = sub.groupby("key")["_row"].transform(lambda s: ", ".join(map(str, sorted(s))))
    problems.add(sub["_row"][conflict], table.key, sub["key"][conflict],
                 "key appears in rows " + rows_of_key[conflict] + " with different content; none loaded")


# ---------------------------------------------------------------- the import

def _existing_keys(con, table: str, column: str) -> set:
    return set(con.execute(f"SELECT {column} FROM {table}").df()[column].tolist())


def ingest(folder: str | Path, db: str | Path | None = None, export_date: dt.date | None = None,
           progress: Callable[[str], None] = lambda message: None) -> ImportResult:
    """Validate and load one import folder; publish the database atomically."""
    folder = Path(folder)
    files = find_files(folder)
    export_date = export_date or dt.date.today()
    raws: dict[str, RawTable] = {}
    for table_name, path in files.items():  # read everything first: a bad file stops before any write
        progress(f"reading {path.name}")
        raws[table_name] = read_file(path, TABLES[table_name])

    result = ImportResult(import_id=f"I{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}", export_date=export_date)
    quarantine_parts = []
    with store.open_for_write(db) as con:
        loaded_keys: dict[str, set] = {}
        case_kinds: dict[str, str] = dict(con.execute("SELECT case_id, case_kind FROM cases").fetchall())
        for table_name in LOAD_ORDER:
            if table_name not in raws:
                continue
            table = TABLES[table_name]
            raw = raws[table_name]
            path = files[table_name]
            progress(f"validating {path.name} ({len(raw.frame) + len(raw.bad_rows)} rows)")
            problems = Problems()
            problems.add(raw.bad_rows["_row"], None, raw.bad_rows["raw"], raw.bad_rows["reason"])
            typed = validate_columns(raw.frame, table, export_date, problems)
            typed = validate_rows(typed, table, export_date, problems)
            _duplicates(typed, raw.frame, table, problems)
            for column in table.columns:
                if not column.references:
                    continue
                ref_table, ref_column = column.references.split(".")
                known = loaded_keys.get(ref_table, set()) | _existing_keys(con, ref_table, ref_column)
                if not known and ref_table not in raws:
                    continue  # that table was never provided: nothing to check against
                values = typed[column.name]
                orphan = values.notna() & ~values.isin(known)
                problems.add(typed["_row"][orphan], column.name, values[orphan],
                             f"refers to a {ref_table[:-1] if ref_table.endswith('s') else ref_table} that is not loaded ({ref_table}.{ref_column})")
            if table.case_kind:
                kinds = typed["case_id"].map(case_kinds).astype(object)
                wrong_kind = kinds.notna() & (kinds != table.case_kind)
                problems.add(typed["_row"][wrong_kind], "case_id", typed["case_id"][wrong_kind],
                             pd.Series([f"not a {table.case_kind} case (the case number's type is {k})"
                                        for k in kinds[wrong_kind]], dtype=object))
            bad_rows = problems.rows()
            good = typed[~typed["_row"].isin(bad_rows)]
            _load(con, table, good)
            if table.key:
                loaded_keys[table_name] = set(good[table.key].tolist())
            if table_name == "cases":
                case_kinds.update(dict(zip(good["case_id"], good["case_kind"])))
            found = problems.frame()
            raw_by_row = _raw_json(raw, found["_row"].unique())
            found = found.assign(import_id=result.import_id, table_name=table_name, file=str(path),
                                 file_sha256=raw.sha256, raw_row=found["_row"].map(raw_by_row))
            quarantine_parts.append(found)
            read = len(raw.frame) + len(raw.bad_rows)
            tr = TableResult(table_name, str(path), raw.encoding, raw.sha256, read, len(good), len(bad_rows))
            if tr.loaded + tr.quarantined != tr.read:  # the promise that nothing is lost, checked every time
                raise AssertionError(f"{path}: read {tr.read} ≠ loaded {tr.loaded} + quarantined {tr.quarantined}")
            result.tables[table_name] = tr
            progress(f"{table_name}: read {tr.read}, loaded {tr.loaded}, quarantined {tr.quarantined}")
        quarantine = pd.concat(quarantine_parts, ignore_index=True) if quarantine_parts else pd.DataFrame()
        _record_import(con, folder, result, quarantine)
        result.problems = quarantine
    return result


def _raw_json(raw: RawTable, rows) -> dict[int, str]:
    wanted = set(int(r) for r in rows)
    out: dict[int, str] = {}
    if not wanted:
        return out
    frame = raw.frame[raw.frame["_row"].isin(wanted)]
    for record in frame.to_dict("records"):
        row = int(record.pop("_row"))
        out[row] = json.dumps(record, ensure_ascii=False, default=str)
    for record in raw.bad_rows[raw.bad_rows["_row"].isin(wanted)].to_dict("records"):
        out[int(record["_row"])] = json.dumps({"raw": record["raw"]}, ensure_ascii=False)
    return out


def _load(con, table: Table, good: pd.DataFrame) -> None:
    """Upsert by key, or replace a keyless table's rows case by case (a newer export wins)."""
    frame = good.drop(columns=["_row"])
    con.register("incoming", frame)
    try:
        if table.key:
            con.execute(f"DELETE FROM {table.name} WHERE {table.key} IN (SELECT {table.key} FROM incoming)")
        else:
            con.execute(f"DELETE FROM {table.name} WHERE {table.replace_by} IN (SELECT {table.replace_by} FROM incoming)")
        con.execute(f"INSERT INTO {table.name} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def _record_import(con, folder: Path, result: ImportResult, quarantine: pd.DataFrame) -> None:
    con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?)",
                [result.import_id, dt.datetime.now(), str(folder.resolve()), result.export_date,
                 json.dumps(result.summary(), ensure_ascii=False)])
    for tr in result.tables.values():
        con.execute("INSERT INTO import_files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [result.import_id, tr.table, tr.file, tr.sha256, tr.encoding, tr.read, tr.loaded, tr.quarantined])
    if quarantine.empty:
        return
    # Re-importing the same file replaces its earlier quarantine entries: same content, same database.
    frame = quarantine[["import_id", "table_name", "file", "file_sha256", "_row", "column_name", "value", "reason", "raw_row"]]
    frame = frame.rename(columns={"_row": "row_number"}).astype({"value": "string", "column_name": "string"})
    con.register("incoming_q", frame)
    try:
        con.execute("DELETE FROM quarantine WHERE file_sha256 IN (SELECT DISTINCT file_sha256 FROM incoming_q)")
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_q")
    finally:
        con.unregister("incoming_q")
