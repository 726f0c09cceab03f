"""How one table cell is printed in a document, and how a text cell is made safe for a spreadsheet.

Shared by the renderers so that PDF, DOCX and HTML print a figure identically (tests compare them with
courtwatch.reporting.figures by these same rules).
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

# The one formula guard (courtwatch/core/cells.py), re-exported for the renderers.
from courtwatch.core.cells import FORMULA_PREFIXES, neutralise_formula

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "is_missing", "kind_of", "fmt", "as_number", "as_datetime"]


def is_missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def kind_of(column_kind: str, row: dict) -> str:
    """Resolve the per-row kinds of mixed columns (the headline: counts and shares in one column)."""
    if column_kind == "auto":
        return row.get("_kind") or "int"
    if column_kind == "auto_change":
        kind = row.get("_kind") or "int"
        return {"pct": "pp_change", "int": "change"}.get(kind, kind)
    return column_kind


def fmt(value, kind: str, lang: str = "zh") -> str:
    """A cell as text: counts plain, shares as percentages, changes signed, dates ISO."""
    if is_missing(value):
        return "—"
    if kind == "int":
        return str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    if kind == "float":
        return f"{float(value):.2f}"
    if kind == "score":
        return f"{float(value):.2f}"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"
    if kind == "change":
        value = int(value)
        return f"+{value}" if value > 0 else ("0" if value == 0 else f"−{abs(value)}")
    if kind == "pp_change":
        points = 100 * float(value)
        unit = "个百分点" if lang == "zh" else " pp"
        sign = "+" if points > 0 else ("−" if points < 0 else "")
        return f"{sign}{abs(points):.1f}{unit}"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "month":
        return pd.Timestamp(value).strftime("%Y-%m")
    if kind == "datetime":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def as_number(value) -> float | None:
    if is_missing(value) or isinstance(value, str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def as_datetime(value) -> dt.datetime | None:
    if is_missing(value):
        return None
    try:
        return pd.Timestamp(value).to_pydatetime()
    except (TypeError, ValueError):
        return None
