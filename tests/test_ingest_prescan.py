"""Import's shortcuts agree with the checks they stand in for: the columns proven clean before the
row-by-row scan (`_clean_columns`) and the 案号's parts computed by Arrow (`_case_parts_arrow`)."""
from __future__ import annotations

import datetime as dt
import random

import duckdb
import pyarrow as pa

from courtwatch.core.contract import TABLES
from courtwatch.pipeline import ingest
from courtwatch.pipeline.ingest import (
    _case_parts,
    _case_parts_arrow,
    _characters_clean,
    _clean_columns,
    _column_checks,
)

EXPORT = dt.date(2024, 12, 31)
# Per kind: values that pass its checks, then values that fail them (or may, for a required column).
VALID = {"str": ["J000015", "浙0102", "(2023)浙0102刑初1号", "a-b"], "text": ["盗窃罪", "到账 已登记", "x"],
         "date": ["2024-01-05", "2023/2/3", "2024-01-05 00:00:00", ""], "timestamp": ["2024-03-05T10:20:00", ""],
         "decimal": ["12.5", "0", "7", ""], "int": ["0", "3", "12", ""],
         "bool": ["true", "否", "1", ""], "enum": []}
INVALID = {"str": ["=cmd", "＝1", "-1", "x" * 201, "a\u200bb", "\ttab", ""], "text": ["y" * 4001, "a\x07b", ""],
           "date": ["2023-13-45", "1949-12-31", "2025-01-01", "20240105"], "timestamp": ["notatime", "2025-01-02T00:00:00"],
           "decimal": ["NaN", "-3", "1e309", "99999999999999"], "int": ["1.5", "1000001", "-1"],
           "bool": ["maybe", "2"], "enum": ["nonsense", "JUDGMENTS"]}


def _pool(column, valid: bool) -> list[str]:
    if column.kind == "enum":
        values = (list(column.enum) + [""]) if valid else INVALID["enum"]
    else:
        values = VALID[column.kind] if valid else INVALID[column.kind]
    return [v for v in values if v or not column.required] if valid else values


def _chunked(values: list[str], rng: random.Random) -> pa.ChunkedArray:
    """The values in one to three chunks, each a slice of a longer array (offsets not starting at 0)."""
    cuts = sorted(rng.sample(range(1, len(values)), min(2, len(values) - 1))) if len(values) > 1 else []
    parts = [values[a:b] for a, b in zip([0] + cuts, cuts + [len(values)])]
    return pa.chunked_array([pa.array(["\x01"] + p + ["=x"], pa.string()).slice(1, len(p)) for p in parts],
                            type=pa.string())


def test_a_column_proven_clean_has_no_row_with_a_problem_and_a_valid_column_is_proven_clean(monkeypatch):
    # Every column's distinct values are listed, however many there are (in a file, only where they are few).
    monkeypatch.setattr(ingest, "DISTINCT_SHARE", 1.0)
    rng = random.Random(16)
    con = duckdb.connect()
    try:
        for name in ("cases", "defendants", "enforcement", "events", "representations"):
            table = TABLES[name]
            for attempt in range(12):
                rows = rng.randint(2, 40)
                spoiled = {c.name for c in table.columns if attempt and rng.random() < 0.3}
                values = {}
                for c in table.columns:
                    pool = _pool(c, True)
                    values[c.name] = [rng.choice(pool) for _ in range(rows)]
                    if c.name in spoiled:
                        values[c.name][rng.randrange(rows)] = rng.choice(_pool(c, False))
                frame = pa.table({"_row": pa.array(range(2, rows + 2), pa.int64()),
                                  **{n: _chunked(v, rng) for n, v in values.items()}})
                clean = _clean_columns(con, frame, table, EXPORT, frozenset(_characters_clean(con, frame, table)))
                for c in table.columns:
                    parsed, problem = _column_checks(c, EXPORT)
                    found = con.execute(f"SELECT count(*) FROM (SELECT *, {parsed} AS p_{c.name} FROM "
                                        f"(SELECT nullif(v, '') AS v_{c.name} FROM unnest(?::VARCHAR[]) t(v))) "
                                        f"WHERE ({problem}) IS NOT NULL", [values[c.name]]).fetchall()[0][0]
                    if c.name in clean:
                        assert found == 0, (name, c.name, values[c.name])
                    elif c.name not in spoiled and c.kind != "timestamp":
                        raise AssertionError(f"{name}.{c.name} holds only valid values but was not proven clean")
    finally:
        con.close()


def test_case_number_parts_from_arrow_equal_those_from_duckdb():
    ids = ["(2023)浙0102刑初1号", "（2023）浙0102刑初7号", "(2023)最高法刑初1号", "(2023)浙刑初1号", "(2023)浙0102执恢12号",
           "(2023)浙0102刑初再审再1号", "(2023)浙0102刑初再审再审1号", "(20231)浙0102刑初1号", "(2023)浙0102刑初号",
           "(2023)浙0102刑初1号\n", "(2023)浙0102民初０1号", "(2023)浙0102執1号", "2023浙0102刑初1号", "", "号"]
    column = pa.chunked_array([pa.array(ids[:6]), pa.array(["x"] + ids[6:]).slice(1)], type=pa.string())
    expected = _case_parts("nullif(id, '')")
    con = duckdb.connect()
    try:
        con.register("ids", pa.table({"id": column, "cn": _case_parts_arrow(column)}))
        differ = con.execute(f"SELECT id, cn, {expected} AS expected FROM ids WHERE cn IS DISTINCT FROM expected").fetchall()
        assert con.execute("SELECT count(*) FROM ids WHERE cn IS NULL").fetchall()[0][0] == 1  # the empty id
    finally:
        con.close()
    assert differ == []
