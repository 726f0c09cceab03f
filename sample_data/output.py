"""Writing the import folder: the contract's text forms, with the variety real exports show.

About 5% of enumerated values are written as the contract's Chinese term, 5%
of booleans as 是/否 or 1/0 and 3% of dates as YYYY/MM/DD, so the importer's
normalisation is exercised; everything else in the canonical form.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .common import MISSING

ENUM_LOCAL_SHARE = 0.05
BOOL_LOCAL_SHARE = 0.05
DATE_SLASH_SHARE = 0.03


class Formatter:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def date(self, days: np.ndarray) -> pa.Array:
        days = np.asarray(days, dtype=np.int64)
        missing = days == MISSING
        arr = pa.array(days.astype(np.int32), mask=missing).cast(pa.date32()).cast(pa.string())
        slash = self.rng.random(len(days)) < DATE_SLASH_SHARE
        return pc.if_else(pa.array(slash), pc.replace_substring(arr, "-", "/"), arr)

    def timestamp(self, seconds: np.ndarray) -> pa.Array:
        arr = pa.array(np.asarray(seconds, dtype=np.int64)).cast(pa.timestamp("s")).cast(pa.string())
        return pc.replace_substring(arr, " ", "T")

    def enum(self, codes: np.ndarray, table: list[tuple[str, str | None]]) -> pa.Array:
        codes = np.asarray(codes, dtype=np.int64)
        labels = [c for c, _ in table] + [z if z is not None else c for c, z in table]
        local = self.rng.random(len(codes)) < ENUM_LOCAL_SHARE
        idx = np.where(local, codes + len(table), codes)
        return pa.array(labels).take(pa.array(idx, mask=codes == MISSING))

    def boolean(self, values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
        values = np.asarray(values).astype(bool)
        u = self.rng.random(len(values))
        style = np.where(u < BOOL_LOCAL_SHARE / 2, 1, np.where(u < BOOL_LOCAL_SHARE, 2, 0))
        idx = style * 2 + (~values).astype(np.int64)
        labels = pa.array(["true", "false", "是", "否", "1", "0"])
        return labels.take(pa.array(idx, mask=missing))

    @staticmethod
    def integer(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
        values = np.asarray(values, dtype=np.int64)
        return pa.array(values, mask=missing)

    @staticmethod
    def number(values: np.ndarray, digits: int = 2) -> pa.Array:
        values = np.round(np.asarray(values, dtype=np.float64), digits)
        return pa.array(values, mask=np.isnan(values))

    @staticmethod
    def labels(codes: np.ndarray, labels, missing: np.ndarray | None = None) -> pa.Array:
        codes = np.asarray(codes, dtype=np.int64)
        if missing is None:
            missing = codes < 0
        return pa.array(list(labels), pa.string()).take(pa.array(codes, mask=missing))

    @staticmethod
    def text(values) -> pa.Array:
        return pa.array(values, pa.string())


def write_csv(path: Path, columns: dict[str, pa.Array]) -> int:
    """UTF-8 CSV with a header, nothing quoted (no value contains a comma, quote or newline)."""
    table = pa.table(columns)
    with open(path, "wb") as f:
        f.write((",".join(columns) + "\n").encode("utf-8"))
        if table.num_rows:
            pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return table.num_rows
