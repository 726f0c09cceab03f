"""Import: read a court's export folder, validate it against the contract, load it into DuckDB.

Every row read is either loaded or quarantined with file, row, column, value
and reason; nothing is dropped or altered silently. Problems with a whole file
(missing cases file, unreadable file, wrong columns) stop the import with a
UserError before anything is published (the load works on a private copy, which is
discarded), so the published database is unchanged.
Row numbers count the header as row 1, as a spreadsheet shows them.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import duckdb
import numpy as np
import pandas as pd

from courtwatch.core.contract import (
    BOOL_VALUES,
    CASE_KIND_BY_PREFIX,
    CHARACTER_NAMES,
    ID_FORMULA_STARTS,
    ID_NON_PRINTABLE_RE2,
    LOAD_ORDER,
    TABLES,
    TEXT_FORBIDDEN_RE2,
    Column,
    Table,
)
from courtwatch.core.errors import UserError
from courtwatch.storage import store

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("csv", "parquet", "xlsx")
EARLIEST_DATE = pd.Timestamp("1950-01-01")  # before the PRC's courts kept these records
MAX_MONEY = 1e13        # yuan; larger is an export error, not a claim
MAX_INT = 1_000_000
MAX_TEXT = 4000         # characters in one cell



@dataclass
class TableResult:
    table: str
    file: str = ""
    encoding: str = ""
    sha256: str = ""
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    # column → {"rows": n, "values": first few}: values outside a Column.unrecognised_as enumeration
    unknown_values: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    import_id: str
    export_date: dt.date
    tables: dict[str, TableResult] = field(default_factory=dict)
    problems: pd.DataFrame | None = None

    def summary(self) -> dict:
        return {"tables": {name: {"read": r.read, "loaded": r.loaded, "quarantined": r.quarantined,
                                  **({"unknown_values": r.unknown_values} if r.unknown_values else {})}
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
    _refuse_other_encodings(data, path)
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
    if bom and utf8_ok * 2 < len(non_ascii) and _valid(data, "gb18030"):
        # The byte order mark says UTF-8 but the text is GB18030: which one is wrong cannot be told
        # row by row, and quarantining every row as damaged would hide the real problem.
        raise UserError(f"{path}: starts with a UTF-8 byte order mark, but {len(non_ascii) - utf8_ok} of its "
                        f"{len(non_ascii)} lines with Chinese text are GB18030, not UTF-8; re-export the file in "
                        "one encoding (UTF-8, or GB18030 without a byte order mark)")
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


# Byte order marks of encodings the contract does not allow (longest first: UTF-32LE starts like UTF-16LE).
OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
              (b"\xfe\xff", "UTF-16"))


def _refuse_other_encodings(data: bytes, path: Path) -> None:
    """UTF-16 and UTF-32 (Excel's "Unicode text") would decode as GB18030 garbage: say what the file is."""
    for bom, name in OTHER_BOMS:
        if data.startswith(bom):
            raise UserError(f"{path}: is {name} (byte order mark {bom.hex(' ').upper()}); re-export the file as "
                            "UTF-8 or GB18030 (in Excel: CSV UTF-8)")
    if b"\x00" in data[: data.find(b"\n") if b"\n" in data else len(data)]:
        raise UserError(f"{path}: the header row holds NUL bytes, as UTF-16 or UTF-32 text does; re-export the "
                        "file as UTF-8 or GB18030 (in Excel: CSV UTF-8)")


def _valid(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


@dataclass
class RawTable:
    """A file's rows as text: `frame` has `_row` plus the contract columns
    (an Arrow table from the fast CSV path, else a pandas frame)."""

    frame: "pd.DataFrame | pa.Table"
    encoding: str
    bad_rows: pd.DataFrame  # _row, reason, raw: rows that could not be split into columns
    sha256: str = ""  # of the file's bytes, set by read_file
    trimmed: "pa.Table | None" = None  # an Arrow frame's text trimmed (`_trimmed_arrow`), set by read_file
    # Of the trimmed frame, set by `_read_and_scan`: the text columns `_characters_clean` finds clean, and
    # the columns `_clean_columns` proves to have no problem of their own.
    characters_clean: frozenset[str] | None = None
    clean: frozenset[str] | None = None


def _shown(name: str) -> str:
    """A header name as a one-line message can show it: control and invisible characters escaped."""
    name = name if len(name) <= 60 else name[:60] + "…"
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)


def _check_header(path: Path, header: list[str], table: Table) -> None:
    expected = table.column_names
    duplicated = sorted({_shown(h) for h in header if header.count(h) > 1})
    missing = [c.name for c in table.columns if c.name not in header and not c.optional]
    unknown = [_shown(h) for h in header if h not in expected]
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
    frame = arrow.select(table.columns_in(arrow.column_names)).to_pandas(types_mapper=pd.ArrowDtype)
    frame.insert(0, "_row", np.arange(2, arrow.num_rows + 2, dtype=np.int64))
    return frame


def _read_utf8_csv(table: Table, data: bytes) -> RawTable | None:
    """Fastest path: a well-formed UTF-8 file goes from its bytes straight to an Arrow table.

    Arrow validates UTF-8 as it parses (strictly: no surrogates or overlong forms),
    so a file it accepts is one `_decode` would return unchanged as UTF-8 with no
    damaged lines; anything else (GB18030, damaged bytes, CR line ends, an
    unexpected header, quoted line breaks) returns None and takes the path below,
    which gives the same result and the same messages it always did. This skips
    decoding the file into a Python string and encoding it back.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a BOM is skipped without copying the file
    if data.find(b"\r", start) >= 0:
        return None
    try:
        # Blocks of 4 MB rather than Arrow's 1 MB: fewer, larger chunks, which DuckDB scans in parallel.
        arrow = pacsv.read_csv(pa.BufferReader(pa.py_buffer(data)[start:]),
                               read_options=pacsv.ReadOptions(autogenerate_column_names=False, block_size=4 << 20),
                               parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
                               convert_options=pacsv.ConvertOptions(
                                   column_types={c: pa.string() for c in table.column_names},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    names = arrow.column_names
    if len(names) != len(set(names)) or set(names) != set(table.columns_in(names)) \
            or set(table.column_names) - set(names) - table.optional_names:
        return None  # the careful path checks the header and says what is wrong
    lines = data.count(b"\n", start) + (0 if data.endswith(b"\n") else 1)
    if arrow.num_rows != lines - 1:
        return None  # a quoted line break: row numbers would not match lines
    frame = arrow.select(table.columns_in(names))
    # `_row` chunked like the columns: DuckDB scans an Arrow table in parallel only when they line up.
    starts = np.cumsum([0] + [len(chunk) for chunk in frame.column(0).chunks]) + 2
    rows = pa.chunked_array([pa.array(np.arange(a, b, dtype=np.int64)) for a, b in zip(starts[:-1], starts[1:])],
                            type=pa.int64())
    frame = frame.add_column(0, "_row", rows)
    return RawTable(frame, "utf-8-sig" if start else "utf-8", pd.DataFrame(columns=["_row", "reason", "raw"]))


def read_csv(path: Path, table: Table, data: bytes) -> RawTable:
    fast = _read_utf8_csv(table, data)
    if fast is not None:
        return fast
    text, encoding, bad_lines = _decode(data, path)
    if not bad_lines and "\r" not in text:
        header_line = text.split("\n", 1)[0]
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([header_line]), [])]
        if header:
            _check_header(path, header, table)
            fast = _read_clean_csv(text, table)
            if fast is not None:
                return RawTable(fast, encoding, pd.DataFrame(columns=["_row", "reason", "raw"]))
    # A cell may be larger than the csv module's default limit (128 KiB): read it whole, so that the
    # length check names its column, instead of losing the row as unsplittable.
    previous_limit = csv.field_size_limit(max(len(text), 131072))
    try:
        return _read_careful_csv(path, table, data, text, encoding, bad_lines)
    finally:
        csv.field_size_limit(previous_limit)


def _read_careful_csv(path: Path, table: Table, data: bytes, text: str, encoding: str, bad_lines: set[int]) -> RawTable:
    """Record by record with the csv module: quoted line breaks, CR line ends, damaged lines, ragged rows."""
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
    frame = frame[table.columns_in(header)]
    frame.insert(0, "_row", np.array(numbers, dtype=np.int64))
    return RawTable(frame, encoding, pd.DataFrame(bad, columns=["_row", "reason", "raw"]))


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
    if path.suffix == ".xlsx":
        return _read_xlsx(path, table, data)
    try:
        import pyarrow.parquet as pq
        source = pq.read_table(io.BytesIO(data)).to_pandas()
    except Exception as exc:  # any parser failure means the file is unreadable
        raise UserError(f"{path}: cannot be read as {path.suffix[1:]} ({type(exc).__name__}: {_one_line(exc)})") from None
    header = [str(c).strip() for c in source.columns]
    source.columns = header
    _check_header(path, header, table)
    frame = source[table.columns_in(header)].map(_cell_text).astype(object)
    frame.insert(0, "_row", np.arange(2, len(frame) + 2, dtype=np.int64))
    return RawTable(frame.reset_index(drop=True), path.suffix[1:], pd.DataFrame(columns=["_row", "reason", "raw"]))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _read_xlsx(path: Path, table: Table, data: bytes) -> RawTable:
    """The first sheet, cell by cell (openpyxl, read-only): the header as written, so a repeated column is
    named as such; a fully blank row is not a row, as a blank line in a CSV is not; and a formula is never
    read in place of a value — its row is quarantined naming the cell (the export must hold values)."""
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # any parser failure means the file is unreadable
        raise UserError(f"{path}: cannot be read as xlsx ({type(exc).__name__}: {_one_line(exc)})") from None
    try:
        if not workbook.worksheets:
            raise UserError(f"{path}: cannot be read as xlsx (the workbook has no sheet)")
        rows = workbook.worksheets[0].iter_rows()
        first = next(rows, None)
        if first is None:
            raise UserError(f"{path}: the first sheet is empty; it needs at least a header row")
        header = [("" if c.value is None else str(c.value)).strip() for c in first]
        while header and header[-1] == "":  # cells formatted but empty beyond the last column
            header.pop()
        _check_header(path, header, table)
        width = len(header)
        records, numbers, bad = [], [], []
        for number, cells in enumerate(rows, start=2):
            cells = list(cells)[:width]
            values = [c.value for c in cells] + [None] * (width - len(cells))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue  # a blank row is not a row
            formulas = [header[j] for j, c in enumerate(cells) if c.data_type == "f"]
            if formulas:
                raw = {h: (None if v is None else str(v)) for h, v in zip(header, values)}
                bad.append((number, f"{formulas[0]} holds a spreadsheet formula, not a value"
                            + (f" ({len(formulas)} formula cells)" if len(formulas) > 1 else "")
                            + "; export the values", str(raw[formulas[0]]), formulas[0],
                            json.dumps({k: _capped(v) for k, v in raw.items()}, ensure_ascii=False)))
                continue
            records.append([_cell_text(v) for v in values])
            numbers.append(number)
    except UserError:
        raise
    except Exception as exc:  # a damaged sheet part fails while its rows are read
        raise UserError(f"{path}: cannot be read as xlsx ({type(exc).__name__}: {_one_line(exc)})") from None
    finally:
        workbook.close()
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    frame = frame[table.columns_in(header)].astype(object)
    frame.insert(0, "_row", np.array(numbers, dtype=np.int64))
    return RawTable(frame, "xlsx", pd.DataFrame(bad, columns=["_row", "reason", "raw", "column_name", "raw_row"]))


def _capped(value: str | None) -> str | None:
    """A raw cell as the quarantine keeps it: whole up to the longest valid text, else its start and length."""
    if value is None or len(value) <= MAX_TEXT:
        return value
    return f"{value[:MAX_TEXT]}…({len(value)} characters)"


def read_file(path: Path, table: Table) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror}); check the path and permissions") from None
    # The file's SHA-256 in a second thread while its rows are parsed: hashlib releases the GIL, and on a
    # province-sized export the hash (≈ 0.7 GB/s) is otherwise a serial second or two per large file.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-sha256") as hasher:
        digest = hasher.submit(lambda: hashlib.sha256(data).hexdigest())
        raw = read_csv(path, table, data) if path.suffix == ".csv" else read_table_file(path, table, data)
        raw.sha256 = digest.result()
    raw = _with_optional_columns(raw, table)
    if not isinstance(raw.frame, pd.DataFrame):  # an Arrow table: trimmed here, in the reading thread
        raw.trimmed = _trimmed_arrow(raw.frame)
    return raw


def _read_and_scan(path: Path, table: Table, export_date: dt.date) -> RawTable:
    """`read_file`, then an Arrow frame's column scans (`_characters_clean`, `_clean_columns`), in the
    reading thread on a DuckDB of its own: they run while the main connection loads the file before."""
    raw = read_file(path, table)
    if raw.trimmed is None:
        return raw
    # The 案号's parts (read by several checks and the load of cases: computed once, here) in a thread of
    # their own beside the scans: the first large file's reading is waited for before anything is loaded.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-parts") as parts:
        case_parts = parts.submit(_case_parts_arrow, raw.trimmed.column("case_id")) if table.name == "cases" else None
        con = duckdb.connect(config=store.DUCKDB_CONFIG)
        try:
            raw.characters_clean = frozenset(_characters_clean(con, raw.trimmed, table))
            raw.clean = frozenset(_clean_columns(con, raw.trimmed, table, export_date, raw.characters_clean))
        finally:
            con.close()
        if case_parts is not None:
            raw.trimmed = raw.trimmed.append_column("_cn", case_parts.result())
    return raw


def _with_optional_columns(raw: RawTable, table: Table) -> RawTable:
    """An optional column (a contract extension) that the file leaves out is added, every cell unknown."""
    import pyarrow as pa
    frame = raw.frame
    names = frame.column_names if isinstance(frame, pa.Table) else list(frame.columns)
    for position, name in enumerate(table.column_names, start=1):  # position 0 is `_row`
        if name in names:
            continue
        if isinstance(frame, pa.Table):  # chunked like `_row`, so DuckDB still scans it in parallel
            nulls = pa.chunked_array([pa.nulls(len(c), pa.string()) for c in frame.column(0).chunks], type=pa.string())
            frame = frame.add_column(position, name, nulls)
        else:
            frame.insert(position, name, pd.Series([None] * len(frame), index=frame.index,
                                                   dtype=pd.ArrowDtype(pa.string())))
        names.insert(position, name)
    raw.frame = frame
    return raw


# ---------------------------------------------------------------- validating

def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_checks(column: Column, export_date: dt.date, characters_clean: bool = False) -> tuple[str, str]:
    """(parsed value over v_<name>, problem over v_<name> and p_<name>) SQL for one contract column.

    `v_<name>` is the trimmed text (NULL when empty = unknown) and `p_<name>` the
    parsed value; the problem is computed from both, the first that applies.
    The checks run inside DuckDB so that a province-sized export validates in seconds.
    `characters_clean` says no value of this text column holds a character its character check
    rejects (`_characters_clean`), so that check, which could never apply, is left out.
    """
    v, p = f"v_{column.name}", f"p_{column.name}"
    export = f"DATE {_literal(export_date.isoformat())}"
    missing = f"WHEN {v} IS NULL THEN NULL" if not column.required else f"WHEN {v} IS NULL THEN 'required value missing'"
    if column.kind in ("str", "text"):
        limit = 200 if column.kind == "str" else MAX_TEXT
        problem = f"CASE {missing} WHEN length({v}) > {limit} THEN 'longer than {limit} characters' "
        if column.kind == "str":
            problem += _identifier_checks(v, characters_clean)
        elif not characters_clean:
            problem += (f"WHEN regexp_matches({v}, {_literal(TEXT_FORBIDDEN_RE2)}) "
                        f"THEN 'contains a control character (U+' "
                        f"|| printf('%04X', unicode(regexp_extract({v}, {_literal(TEXT_FORBIDDEN_RE2)}))) "
                        f"|| ') that documents cannot hold' ")
        return v, problem + "END"
    if column.kind in ("enum", "bool"):
        mapping = column.enum if column.kind == "enum" else BOOL_VALUES
        target = (lambda code: _literal(code)) if column.kind == "enum" else (lambda flag: "TRUE" if flag else "FALSE")
        exact = " ".join(f"WHEN {_literal(k)} THEN {target(c)}" for k, c in mapping.items())
        folded = " ".join(f"WHEN {_literal(k.lower())} THEN {target(c)}" for k, c in mapping.items())
        if column.kind == "bool":
            reason = "not a boolean (true/false, 1/0, 是/否)"
        else:
            reason = f"not one of {', '.join(sorted(set(mapping.values())))} (or their Chinese terms)"
        if column.unrecognised_as:  # loaded as that code and counted (_unknown_values), the row kept
            return (f"(CASE WHEN {v} IS NULL THEN NULL ELSE coalesce({_enum_match(column, v)}, "
                    f"{_literal(column.unrecognised_as)}) END)", "CAST(NULL AS VARCHAR)")
        return (f"(CASE {v} {exact} ELSE CASE lower({v}) {folded} END END)",
                f"CASE {missing} WHEN {p} IS NULL THEN {_literal(reason)} END")
    if column.kind == "date":
        parsed = (f"try_strptime(replace(regexp_extract({v}, '^(\\d{{4}}[-/]\\d{{1,2}}[-/]\\d{{1,2}})([ T]00:00(:00(\\.0+)?)?)?$', 1), "
                  f"'/', '-'), '%Y-%m-%d')::DATE")
        # Most dates are written exactly as DuckDB writes them (YYYY-MM-DD, ten characters): such a text is
        # one the pattern above reads as the same date, so it is cast directly and only the others take
        # the regular expression.
        parsed = (f"(CASE WHEN length({v}) = 10 AND try_cast({v} AS DATE)::VARCHAR = {v} THEN try_cast({v} AS DATE) "
                  f"ELSE {parsed} END)")
        return parsed, (f"CASE {missing} WHEN {p} IS NULL THEN 'not a date (expected YYYY-MM-DD)' "
                        f"WHEN {p} < DATE '1950-01-01' THEN 'implausible date (before 1950)' "
                        f"WHEN {p} > {export} THEN {_literal('after the export date ' + export_date.isoformat())} END")
    if column.kind == "timestamp":
        # replace() copies every value; most timestamps have no '/' to replace and are read as they are.
        text = f"(CASE WHEN contains({v}, '/') THEN replace({v}, '/', '-') ELSE {v} END)"
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
    if column.maximum:
        most, why = column.maximum
        problem += f"WHEN {p} > {most} THEN {_literal(f'implausibly large (over {most:g} months: {why})')} "
    return parsed, problem + "END"


def _re2_class_member(char: str) -> str:
    return {"\t": r"\t", "\r": r"\r"}.get(char, "\\" + char if char in "\\]^-[" else char)


# An identifier's first character must not start a formula (contract.ID_FORMULA_STARTS).
ID_FORMULA_START_RE2 = "^[" + "".join(_re2_class_member(c) for c in ID_FORMULA_STARTS) + "]"


def _identifier_checks(v: str, characters_clean: bool = False) -> str:
    """WHEN clauses for the identifier rules (courtwatch/core/contract.py), the reasons of
    contract.identifier_problem word for word; without the non-printable check when the column is
    known to hold no such character."""
    first = f"left({v}, 1)"
    named = " ".join(f"WHEN chr({ord(c)}) THEN {_literal(name)}" for c, name in CHARACTER_NAMES.items())
    shown = f"CASE {first} {named} ELSE chr(39) || {first} || chr(39) END"
    checks = (f"WHEN regexp_matches({v}, {_literal(ID_FORMULA_START_RE2)}) "
              f"THEN 'identifier starts with ' || {shown} || ' (a spreadsheet would read it as a formula)' ")
    if characters_clean:
        return checks
    return checks + (f"WHEN regexp_matches({v}, {_literal(ID_NON_PRINTABLE_RE2)}) "
                     f"THEN 'identifier contains a non-printable character (U+' "
                     f"|| printf('%04X', unicode(regexp_extract({v}, {_literal(ID_NON_PRINTABLE_RE2)}))) || ')' ")


# Each character check is one character class: a value holds such a character exactly when the
# concatenation of all values does, which `_characters_clean` tests in one regular-expression scan.
CHARACTER_CHECKS = {"str": ID_NON_PRINTABLE_RE2, "text": TEXT_FORBIDDEN_RE2}
assert all(p.startswith("[") and p.endswith("]") and "]" not in p[1:-1].replace("\\]", "") for p in CHARACTER_CHECKS.values())


def _characters_clean(con, frame: "pa.Table", table: Table) -> set[str]:
    """The text columns of an Arrow frame in which no value holds a character its character check
    (CHARACTER_CHECKS) rejects. Tested per chunk on all its values' bytes end to end, one string
    that is the chunk's own data buffer (no copy), with the same pattern in DuckDB: one scan of
    the bytes instead of one call per value. A column with nulls or of another layout is not tested."""
    import pyarrow as pa
    clean = set()
    for column in table.columns:
        pattern = CHARACTER_CHECKS.get(column.kind)
        if pattern is None:
            continue
        spans = _value_spans(frame.column(column.name))
        if spans is None:
            continue
        con.register("value_spans", pa.table({"s": spans}))
        try:
            found = con.execute(f"SELECT bool_or(regexp_matches(s, {_literal(pattern)})) FROM value_spans").fetchall()[0][0]
        finally:
            con.unregister("value_spans")
        if not found:
            clean.add(column.name)
    return clean


# The first byte of every character an identifier must not start with (contract.ID_FORMULA_STARTS).
FORMULA_FIRST_BYTES = np.array(sorted({c.encode("utf-8")[0] for c in ID_FORMULA_STARTS}), dtype=np.uint8)
# A column with more distinct values than this share of its first chunk's rows is checked row by row:
# listing its distinct values would cost more than the checks they would save.
DISTINCT_SHARE = 0.1


def _clean_columns(con, frame: "pa.Table", table: Table, export_date: dt.date, characters_clean: frozenset[str]) -> set[str]:
    """The columns of a trimmed Arrow frame in which no value has a problem of its own (`_column_checks`),
    proven without a pass of SQL over every row; a column not proven clean is checked row by row as before.

    A column's problem depends on its value alone, so a column of few distinct values is clean when
    the same SQL finds no problem among them. Identifier and text columns (whose values are mostly
    distinct) are proven clean from their offsets instead: no value missing where one is required,
    none longer in bytes than the limit in characters, no identifier starting with a byte a formula
    character starts with, and no forbidden character (`characters_clean`). Timestamps are left to SQL.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    clean = set()
    for column in table.columns:
        values = frame.column(column.name)
        if column.kind in ("str", "text"):
            limit = 200 if column.kind == "str" else MAX_TEXT
            if column.name in characters_clean and _texts_clean(values, limit, column.required, column.kind == "str"):
                clean.add(column.name)
            continue
        if column.kind == "timestamp":
            continue
        if values.num_chunks and len(pc.unique(values.chunk(0))) > DISTINCT_SHARE * len(values.chunk(0)):
            continue
        distinct = pc.unique(values)
        if len(distinct) > DISTINCT_SHARE * len(values):
            continue
        parsed, problem = _column_checks(column, export_date)
        v, p = f"v_{column.name}", f"p_{column.name}"
        con.register("distinct_values", pa.table({"value": distinct}))
        try:
            found = con.execute(f"SELECT count(*) FROM (SELECT *, {parsed} AS {p} FROM "
                                f"(SELECT nullif(value, '') AS {v} FROM distinct_values)) "
                                f"WHERE ({problem}) IS NOT NULL").fetchall()[0][0]
        finally:
            con.unregister("distinct_values")
        if not found:
            clean.add(column.name)
    return clean


def _texts_clean(column, limit: int, required: bool, identifier: bool) -> bool:
    """No value of an Arrow string column is empty (when `required`), longer than `limit` bytes
    (so not longer than `limit` characters) or, for an identifier, starting with a formula's first
    byte: read from each chunk's offsets and first bytes. False when not shown (other layout, nulls)."""
    import pyarrow as pa
    for chunk in column.chunks:
        if chunk.type != pa.string() or (chunk.null_count and required):
            return False
        if chunk.null_count == len(chunk):  # an empty chunk (a column with nulls is not proven clean here at all)
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
        lengths = np.diff(offsets)
        if (required and not lengths.all()) or lengths.max() > limit:
            return False
        if identifier:
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
            if np.isin(data[offsets[:-1][lengths > 0]], FORMULA_FIRST_BYTES).any():
                return False
    return True


def _value_spans(column) -> "pa.ChunkedArray | None":
    """One string per chunk of an Arrow string column: the bytes of all the chunk's values end to end,
    read from its data buffer in place. None for a chunk with nulls or not of Arrow's string type."""
    import pyarrow as pa
    pieces = []
    for chunk in column.chunks:
        if chunk.type != pa.string() or chunk.null_count:
            return None
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
        first, last = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        if last > first:
            pieces.append(pa.StringArray.from_buffers(1, pa.py_buffer(np.array([first, last], dtype=np.int32)),
                                                      chunk.buffers()[2]))
    return pa.chunked_array(pieces, type=pa.string())


# The 案号 pattern in RE2 syntax (DuckDB and Arrow): year, court code, case-type code, sequence.
CASE_NUMBER_PARTS = ("year", "court", "ctype", "seq")
CASE_NUMBER_NAMED_RE2 = (r"^[(（](?P<year>\d{4})[)）](?P<court>最高法|[\x{4e00}-\x{9fff}]\d*)"
                         r"(?P<ctype>[\x{4e00}-\x{9fff}]{1,4}?)(?P<seq>\d+)号$")
CASE_NUMBER_RE2 = re.sub(r"\?P<\w+>", "", CASE_NUMBER_NAMED_RE2)


def _case_parts(column: str) -> str:
    return f"regexp_extract({column}, '{CASE_NUMBER_RE2}', {list(CASE_NUMBER_PARTS)})"


def _case_parts_arrow(case_ids: "pa.ChunkedArray") -> "pa.ChunkedArray":
    """`_case_parts` of the trimmed ids as Arrow computes it with the same RE2 pattern, in the reading
    thread: NULL for an empty id (its `v_case_id` is NULL), every part '' for an id that does not match
    (as regexp_extract gives), chunked like the ids so that DuckDB still scans the frame in parallel."""
    import pyarrow as pa
    import pyarrow.compute as pc
    chunks = []
    for chunk in case_ids.chunks:
        parts = pc.extract_regex(chunk, CASE_NUMBER_NAMED_RE2)
        empty = pc.fill_null(pc.or_kleene(pc.is_null(chunk), pc.equal(chunk, "")), True)
        chunks.append(pa.StructArray.from_arrays([pc.fill_null(pc.struct_field(parts, name), "") for name in CASE_NUMBER_PARTS],
                                                 names=list(CASE_NUMBER_PARTS), mask=empty))
    return pa.chunked_array(chunks, type=pa.struct([(name, pa.string()) for name in CASE_NUMBER_PARTS]))


def _case_kind(case_type: str) -> str:
    return "CASE " + " ".join(f"WHEN left({case_type}, 1) = '{k}' THEN '{v}'" for k, v in CASE_KIND_BY_PREFIX.items()) \
        + f" WHEN {case_type} <> '' THEN 'other' END"


def parse_case_numbers(case_ids: pd.Series) -> pd.DataFrame:
    """案号 → year, court code, case-type code, sequence, kind (NaN where malformed); the import's own parser."""
    con = duckdb.connect(config=store.DUCKDB_CONFIG)
    try:
        con.register("ids", pd.DataFrame({"case_id": case_ids.astype(object)}))
        parts = con.execute(f"SELECT cn.year AS case_year, cn.court AS court_code, cn.ctype AS case_type, cn.seq AS case_seq, "
                            f"{_case_kind('cn.ctype')} AS case_kind "
                            f"FROM (SELECT {_case_parts('case_id')} AS cn FROM ids)").df()
    finally:
        con.close()
    return parts.replace("", np.nan)


# What DuckDB's trim() removes: the Unicode space separators (category Zs), nothing else
# (checked against trim() for every code point). Arrow trims a whole column with the same set.
SPACE_SEPARATORS = " \u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u202f\u205f\u3000"


def _trimmed_arrow(frame) -> "pa.Table":
    """`_row` and each contract column trimmed as `trim()` would, vectorised in Arrow (several times
    faster than trim() in SQL); a column that needs no trimming is passed on as it is, not copied."""
    import pyarrow as pa
    import pyarrow.compute as pc
    columns = {"_row": frame.column("_row")}
    for name in frame.column_names[1:]:
        column = frame.column(name)
        trimmed = pc.utf8_trim(column, characters=SPACE_SEPARATORS)
        # Trimming only removes characters, so equal total lengths mean nothing was trimmed.
        columns[name] = column if _text_bytes(trimmed) == _text_bytes(column) else trimmed
    return pa.table(columns)


def _text_bytes(column) -> int:
    """The bytes of all values of an Arrow string column: from each chunk's first and last offset,
    without a pass over the values (a chunk with nulls is summed value by value)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    total = 0
    for chunk in column.chunks:
        if chunk.null_count or chunk.type != pa.string():
            total += pc.sum(pc.binary_length(chunk)).as_py() or 0
        elif len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
            total += int(offsets[chunk.offset + len(chunk)]) - int(offsets[chunk.offset])
    return total


def _stage_checked(con, table: Table, export_date: dt.date, source: str, trimmed: bool = False,
                   characters_clean: frozenset[str] = frozenset(), clean: frozenset[str] = frozenset(),
                   case_parts: str | None = None) -> None:
    """source (text as read) → `checked`: v_ trimmed text, p_ parsed value, e_ problem of each column
    (and, for cases, `cn`: the parts of the 案号). `trimmed` says the source's text is already
    trimmed (see `_trimmed_arrow`). Then every problem of a single row, by column (`_column_checks`)
    and across columns (`_row_checks`), goes into `problems`.

    `checked` is a view: each later check computes only the columns it reads, and no copy of the
    file is kept. One scan finds the rows with any problem; only those few are parsed again into a
    table (`column_problems`) from which each problem is listed. A column in `clean` is known to
    have no problem of its own in any row (`_clean_columns`): its problem is NULL, not computed, and
    when every column is clean and the table has no check across columns there is no scan at all.
    `case_parts` names a column of the source that holds the 案号's parts already (`_case_parts_arrow`).
    """
    checks = [(expr, "CAST(NULL AS VARCHAR)") if c.name in clean else (expr, problem)
              for c, (expr, problem) in ((c, _column_checks(c, export_date, c.name in characters_clean))
                                         for c in table.columns)]
    if trimmed:
        texts = ", ".join(f"nullif({_ident(c.name)}, '') AS v_{c.name}" for c in table.columns)
    else:
        texts = ", ".join(f"nullif(trim({_ident(c.name)}::VARCHAR), '') AS v_{c.name}" for c in table.columns)
    # Text columns' parsed value is their trimmed text: named twice, stored once.
    parsed = ", ".join([f"{expr} AS p_{c.name}" for c, (expr, _) in zip(table.columns, checks) if c.kind not in ("str", "text")]
                       + ([f"{_ident(case_parts) if case_parts else _case_parts('v_case_id')} AS cn"]
                          if table.name == "cases" else []))
    same = ", ".join(f"v_{c.name} AS p_{c.name}" for c in table.columns if c.kind in ("str", "text"))
    problem = ", ".join(f"{expr} AS e_{c.name}" for c, (_, expr) in zip(table.columns, checks))

    parsed, same = (", " + parsed if parsed else ""), (", " + same if same else "")

    given = f", {_ident(case_parts)}" if case_parts else ""

    def rows(of: str) -> str:
        return f"SELECT *{parsed} FROM (SELECT _row, {texts}{given} FROM {of})"

    con.execute(f"CREATE TEMP VIEW checked_rows AS {rows(source)}")
    con.execute(f"CREATE TEMP VIEW checked AS SELECT *, {problem} FROM (SELECT *{same} FROM checked_rows)")
    # Most rows have no problem: find the few that do in one scan, then list their problems column by column.
    row_checks = _row_checks(table, export_date)
    any_problem = " OR ".join([f"e_{c.name} IS NOT NULL" for c in table.columns if c.name not in clean]
                              + [f"({w})" for w, *_ in row_checks])
    if not any_problem:
        return
    con.execute(f"CREATE TEMP TABLE suspect_rows AS SELECT _row FROM checked WHERE {any_problem}")
    if con.execute("SELECT count(*) FROM suspect_rows").fetchall()[0][0] == 0:
        return
    only_suspects = f"(SELECT * FROM {source} WHERE _row IN (SELECT _row FROM suspect_rows))"
    con.execute(f"CREATE TEMP TABLE column_problems AS SELECT *, {problem} FROM (SELECT *{same} FROM ({rows(only_suspects)}))")
    for c in table.columns:
        con.execute(f"INSERT INTO problems SELECT _row, {_literal(c.name)}, left(v_{c.name}, 200), e_{c.name}, NULL "
                    f"FROM column_problems WHERE e_{c.name} IS NOT NULL")
    if row_checks:
        con.execute("INSERT INTO problems " + " UNION ALL ".join(
            f"SELECT _row, {_literal(column)}, {value}, {reason}, NULL FROM column_problems WHERE {where}"
            for where, column, value, reason in row_checks))


def _drop_checked(con) -> None:
    """Free the working tables and views of one file before the next."""
    con.execute("DROP VIEW IF EXISTS checked")
    con.execute("DROP VIEW IF EXISTS checked_rows")
    for name in ("suspect_rows", "column_problems", "repeated_keys", "problem_rows"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _row_checks(table: Table, export_date: dt.date) -> list[tuple[str, str, str, str]]:
    """Checks that need several columns of one row: (condition, column, value, reason) SQL over the
    columns of `checked`. Part of the scan that finds the rows with a problem, then listed from those rows."""
    if table.name == "cases":
        # `cn` is NULL where case_id is empty (that row is already quarantined as missing a value); its
        # year is four digits or '' (try_cast: a filter may evaluate a condition's terms in any order).
        year = "try_cast(cn.year AS INT)"
        return [
            ("cn.year = ''", "case_id", "p_case_id", "'malformed case number (expected e.g. (2023)浙0102刑初123号)'"),
            ("cn.year <> '' AND p_court_id <> cn.court", "court_id", "p_court_id",
             "'court_id does not match the court code in case_id (' || cn.court || ')'"),
            (f"cn.year <> '' AND ({year} < 1950 OR {year} > {export_date.year})", "case_id", "p_case_id",
             "'year in the case number is impossible'"),
            ("p_closed_on < p_filed_on", "closed_on", "p_closed_on::VARCHAR",
             "'closed before it was filed (filed_on ' || p_filed_on || ')'"),
            # the year of a case number is its filing year (案号规定 art. 4): another year means a mis-keyed case
            (f"cn.year <> '' AND {year} BETWEEN 1950 AND {export_date.year} AND year(p_filed_on) <> {year}",
             "filed_on", "p_filed_on::VARCHAR", "'filing year differs from the year in the case number'"),
        ]
    if table.name == "defendants":
        return [("p_sentence_kind IN ('exempt', 'fine_only', 'life', 'death') AND p_term_months > 0", "term_months",
                 "v_term_months", "'a term is given for a sentence kind that has none (' || p_sentence_kind || ')'")]
    return []


def _duplicate_checks(con, table: Table) -> None:
    """Within one file a key may appear once. Exact copies are quarantined after the first;
    conflicting rows for one key are all quarantined, since none can be trusted over the others.

    Only rows valid by themselves take part: a row already quarantined for its own problem (a
    value, a row or a reference check) is neither a copy nor a conflicting version, so it never
    withholds the valid row of its key, and it keeps its own reason, not a duplicate one.
    """
    if not table.key:
        return
    key = f"p_{table.key}"
    if con.execute("SELECT count(*) FROM problems").fetchall()[0][0] == 0:
        valid = "checked"
    else:
        valid = "(SELECT * FROM checked ANTI JOIN (SELECT DISTINCT _row FROM problems) USING (_row))"
    # Find repeated keys first (one GROUP BY over the key column); the content hash is computed only for their rows.
    con.execute("DROP TABLE IF EXISTS repeated_keys")
    con.execute(f"CREATE TEMP TABLE repeated_keys AS SELECT {key} AS key FROM {valid} "
                f"WHERE {key} IS NOT NULL GROUP BY {key} HAVING count(*) > 1")
    if con.execute("SELECT count(*) FROM repeated_keys").fetchall()[0][0] == 0:
        return
    content = "md5(concat_ws(chr(31), " + ", ".join(f"coalesce(v_{c.name}, '')" for c in table.columns) + "))"
    con.execute(f"""INSERT INTO problems
        WITH keyed AS (SELECT _row, {key} AS key, {content} AS content
                       FROM {valid} WHERE {key} IN (SELECT key FROM repeated_keys)),
        repeated AS (SELECT key, count(DISTINCT content) AS versions, min(_row) AS first_row,
                            string_agg(_row::VARCHAR, ', ' ORDER BY _row) AS all_rows
                     FROM keyed GROUP BY key HAVING count(*) > 1)
        SELECT k._row, {_literal(table.key)}, k.key,
               CASE WHEN r.versions = 1 THEN 'exact copy of row ' || r.first_row || '; the first copy is loaded'
                    ELSE 'key appears in rows ' || r.all_rows || ' with different content; none loaded' END, NULL
        FROM keyed k JOIN repeated r USING (key)
        WHERE r.versions > 1 OR k._row <> r.first_row""")


def _reference_checks(con, table: Table, provided: set[str]) -> None:
    """References must resolve to rows loaded now or before; a table never provided is not checked."""
    for column in table.columns:
        if not column.references:
            continue
        ref_table, ref_column = column.references.split(".")
        if ref_table not in provided and con.execute(f"SELECT count(*) FROM {ref_table}").fetchall()[0][0] == 0:
            continue
        noun = ref_table[:-1] if ref_table.endswith("s") else ref_table
        con.execute(f"""INSERT INTO problems
            SELECT _row, {_literal(column.name)}, p_{column.name},
                   {_literal(f'refers to a {noun} that is not loaded ({ref_table}.{ref_column})')}, NULL
            FROM checked c
            WHERE p_{column.name} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {ref_table} r WHERE r.{ref_column} = c.p_{column.name})""")
    if table.case_kind:
        con.execute(f"""INSERT INTO problems
            SELECT c._row, 'case_id', c.p_case_id,
                   'not a {table.case_kind} case (the case number''s type is ' || k.case_kind || ')', NULL
            FROM checked c JOIN cases k ON k.case_id = c.p_case_id
            WHERE k.case_kind IS DISTINCT FROM {_literal(table.case_kind)}""")


def _enum_match(column: Column, v: str) -> str:
    """The code of the enumeration's spelling in `v` (exact, then case-folded), NULL when none matches."""
    mapping = column.enum or {}
    exact = " ".join(f"WHEN {_literal(k)} THEN {_literal(c)}" for k, c in mapping.items())
    folded = " ".join(f"WHEN {_literal(k.lower())} THEN {_literal(c)}" for k, c in mapping.items())
    return f"(CASE {v} {exact} ELSE CASE lower({v}) {folded} END END)"


def _unknown_values(con, table: Table) -> dict:
    """Per Column.unrecognised_as: how many rows carry a value outside the enumeration (loaded as that code)
    and the first few such values, for the import's summary."""
    out = {}
    for column in table.columns:
        if not column.unrecognised_as:
            continue
        where = f"v_{column.name} IS NOT NULL AND {_enum_match(column, f'v_{column.name}')} IS NULL"
        n = con.execute(f"SELECT count(*) FROM checked WHERE {where}").fetchall()[0][0]
        if n:
            values = [r[0] for r in con.execute(f"SELECT DISTINCT left(v_{column.name}, 50) FROM checked "
                                                f"WHERE {where} ORDER BY 1 LIMIT 5").fetchall()]
            out[column.name] = {"rows": int(n), "values": values}
    return out


def _load_unique_rows(con, table: Table) -> int:
    """The duplicate check (last: it compares only the rows valid by themselves), then the load.

    Into an empty table whose primary key is the contract's key, the rows are loaded first: the key
    refuses a repeated one as they go in, and a refused statement leaves the table as it was, so
    only a file that repeats a key is checked for repeats (and its rows loaded again) — the GROUP
    BY over every key is spared for the others, with the same result.
    """
    if table.key and _key_refuses_repeats(con, table) and \
            not con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]:
        try:
            return _load_good_rows(con, table)
        except duckdb.ConstraintException:
            pass
    _duplicate_checks(con, table)
    return _load_good_rows(con, table)


def _key_refuses_repeats(con, table: Table) -> bool:
    """The table's primary key (or a unique constraint) is exactly the contract's key (queries/schema.sql)."""
    return con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = ? AND constraint_type IN "
                       "('PRIMARY KEY', 'UNIQUE') AND constraint_column_names = [?]", [table.name, table.key]).fetchall()[0][0] > 0


def _load_good_rows(con, table: Table) -> int:
    """Upsert by key, or replace a keyless table's rows case by case (a newer export wins)."""
    # Rows without a problem. Usually all of them: then `checked` itself is the source, with no anti-join.
    if con.execute("SELECT count(*) FROM problems").fetchall()[0][0] == 0:
        good = "checked"
    else:
        con.execute("DROP TABLE IF EXISTS problem_rows")
        con.execute("CREATE TEMP TABLE problem_rows AS SELECT DISTINCT _row FROM problems")
        good = "(SELECT * FROM checked ANTI JOIN problem_rows USING (_row))"
    replace = table.key or table.replace_by
    if con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]:  # nothing to replace in an empty table
        con.execute(f"DELETE FROM {table.name} WHERE {replace} IN (SELECT p_{replace} FROM {good})")
    columns = [c.name for c in table.columns]
    values = [f"p_{c}" for c in columns]
    if table.name == "cases":
        columns += ["case_year", "case_type", "case_seq", "case_kind"]
        values += ["cn.year::INT", "cn.ctype", "cn.seq::BIGINT", _case_kind("cn.ctype")]
    # Rows keep the file's order. `checked` already has it (DuckDB preserves insertion order), so only
    # the anti-join needs sorting back.
    order = "" if good == "checked" else " ORDER BY _row"
    return con.execute(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                       f"SELECT {', '.join(values)} FROM {good}{order}").fetchall()[0][0]


def _load_table(con, table: Table, raw: RawTable, path: Path, export_date: dt.date, provided: set[str],
                import_id: str) -> tuple[TableResult, pd.DataFrame]:
    con.execute("DROP TABLE IF EXISTS raw")
    arrow = not isinstance(raw.frame, pd.DataFrame)
    if arrow:  # an Arrow table (fast CSV path) is scanned in place, not copied
        con.register("raw", raw.frame)
    else:
        con.register("raw_frame", raw.frame)
        con.execute("CREATE TEMP TABLE raw AS SELECT * FROM raw_frame")
        con.unregister("raw_frame")
    con.execute("DROP TABLE IF EXISTS problems")
    con.execute("CREATE TEMP TABLE problems (_row BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR, raw_row VARCHAR)")
    if not raw.bad_rows.empty:
        bad = raw.bad_rows
        if "raw_row" not in bad:
            bad = bad.assign(column_name=None, raw_row=[json.dumps({"raw": _capped(r)}, ensure_ascii=False)
                                                        for r in bad["raw"]])
        con.register("bad_frame", bad.astype({"column_name": object}))
        con.execute("INSERT INTO problems SELECT _row, column_name, left(raw, 200), reason, raw_row FROM bad_frame")
        con.unregister("bad_frame")
    if arrow:
        trimmed_frame = raw.trimmed if raw.trimmed is not None else _trimmed_arrow(raw.frame)
        con.register("raw_trimmed", trimmed_frame)
        characters_clean = raw.characters_clean if raw.characters_clean is not None else \
            frozenset(_characters_clean(con, trimmed_frame, table))
        clean = raw.clean if raw.clean is not None else \
            frozenset(_clean_columns(con, trimmed_frame, table, export_date, characters_clean))
        _stage_checked(con, table, export_date, "raw_trimmed", trimmed=True, characters_clean=characters_clean,
                       clean=clean, case_parts="_cn" if "_cn" in trimmed_frame.column_names else None)
    else:
        _stage_checked(con, table, export_date, "raw")
    _reference_checks(con, table, provided)
    unknown = _unknown_values(con, table)
    loaded = _load_unique_rows(con, table)
    # The raw row as the quarantine keeps it: a cell longer than any valid text is cut (see `_capped`).
    raw_json = "to_json(struct_pack(" + ", ".join(
        f"{_ident(c)} := CASE WHEN length({_ident(c)}) > {MAX_TEXT} THEN left({_ident(c)}, {MAX_TEXT}) || "
        f"'…(' || length({_ident(c)}) || ' characters)' ELSE {_ident(c)} END" for c in table.column_names) + "))"
    # With no problem the result is empty either way; joining an empty copy of raw skips a scan of the file.
    raw_rows = "raw" if con.execute("SELECT count(*) FROM problems").fetchall()[0][0] else "(SELECT * FROM raw LIMIT 0)"
    found = con.execute(f"""
        SELECT p._row, p.column_name, left(p.value, 200) AS value, p.reason, coalesce(p.raw_row, {raw_json}::VARCHAR) AS raw_row
        FROM problems p LEFT JOIN {raw_rows} r USING (_row) ORDER BY p._row, p.column_name""").df()
    _drop_checked(con)
    if arrow:
        con.unregister("raw_trimmed")
        con.unregister("raw")
    found = found.assign(import_id=import_id, table_name=table.name, file=str(path), file_sha256=raw.sha256)
    read = len(raw.frame) + len(raw.bad_rows)
    quarantined = found["_row"].nunique()
    result = TableResult(table.name, str(path), raw.encoding, raw.sha256, read, loaded, quarantined, unknown)
    if result.loaded + result.quarantined != result.read:  # the promise that nothing is lost, checked every time
        raise AssertionError(f"{path}: read {result.read} ≠ loaded {result.loaded} + quarantined {result.quarantined}")
    return result, found


# ---------------------------------------------------------------- the import

def ingest(folder: str | Path, db: str | Path | None = None, export_date: dt.date | None = None,
           progress: Callable[[str], None] = lambda message: None) -> ImportResult:
    """Validate and load one import folder; publish the database atomically."""
    folder = Path(folder)
    files = find_files(folder)
    export_date = export_date or dt.date.today()
    # Files are read (parsed, hashed, trimmed, their columns scanned) in a background thread while DuckDB
    # validates and loads the ones already read: parsing is Arrow's, hashing hashlib's and the scans a
    # DuckDB of the thread's own, all release the GIL, so the two overlap on a second core. The reader stays at most READ_AHEAD files ahead, so that only a few files'
    # rows are held in memory at once. A file that cannot be read still stops the import with its
    # UserError before anything is published: the error leaves `open_for_write`, which discards its
    # private copy, and since the files are taken in load order it is the same first error a sequential
    # read would give.
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read")
    try:
        return _load_all(folder, db, export_date, files, reader, progress)
    finally:
        reader.shutdown(wait=True, cancel_futures=True)


READ_AHEAD = 2  # files read beyond the one being loaded


def _load_all(folder: Path, db: str | Path | None, export_date: dt.date, files: dict[str, Path],
              reader: ThreadPoolExecutor, progress: Callable[[str], None]) -> ImportResult:
    order = [t for t in LOAD_ORDER if t in files]
    pending: dict[str, Future[RawTable]] = {}  # submitted and not yet taken

    def read_ahead(position: int) -> None:
        for table_name in order[position + len(pending):position + READ_AHEAD + 1]:
            progress(f"reading {files[table_name].name}")
            pending[table_name] = reader.submit(_read_and_scan, files[table_name], TABLES[table_name], export_date)

    read_ahead(0)
    result = ImportResult(import_id=f"I{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}", export_date=export_date)
    found_parts = []
    with store.open_for_write(db) as con:
        # A bound on DuckDB's own memory (it spills to disk beyond it): the import shares the machine.
        con.execute(f"SET memory_limit = '{_memory_limit_mb()}MB'")
        for position, table_name in enumerate(order):
            read_ahead(position)
            raw, path = pending.pop(table_name).result(), files[table_name]  # its read's UserError, if any
            progress(f"validating {path.name} ({len(raw.frame) + len(raw.bad_rows)} rows)")
            table_result, found = _load_table(con, TABLES[table_name], raw, path, export_date, set(files),
                                              result.import_id)
            del raw  # this file's rows are in the database now; free them before the next file
            result.tables[table_name] = table_result
            found_parts.append(found)
            progress(f"{table_name}: read {table_result.read}, loaded {table_result.loaded}, "
                     f"quarantined {table_result.quarantined}")
            for column, seen in table_result.unknown_values.items():
                loaded_as = next(c.unrecognised_as for c in TABLES[table_name].columns if c.name == column)
                progress(f"{table_name}.{column}: {seen['rows']} rows with an unrecognised value "
                         f"({', '.join(seen['values'])}) loaded as {loaded_as}")
        quarantine = pd.concat(found_parts, ignore_index=True) if found_parts else pd.DataFrame()
        _record_import(con, folder, result, quarantine)
        result.problems = quarantine
    return result


def _memory_limit_mb() -> int:
    """DuckDB's memory limit for an import: half the machine's memory, at most 4 GB (its default is 80 %)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        return 4096
    return max(512, min(4096, total // 2))


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
