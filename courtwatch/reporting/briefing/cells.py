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

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "is_missing", "kind_of", "fmt", "LOCALES", "as_number", "as_datetime"]


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


LOCALES = {"zh": "zh_CN", "en": "en"}
# CLDR patterns (Babel): grouped counts, one decimal in shares, signed changes with a real minus sign (U+2212).
_PATTERNS = {"int": "#,##0", "float": "#,##0.00", "score": "0.00", "change": "+#,##0;\u2212#,##0",
             "pct": "#,##0.0%", "pct0": "#,##0%", "pp": "+#,##0.0;\u2212#,##0.0"}


def fmt(value, kind: str, lang: str = "zh") -> str:
    """A cell as text: counts grouped, shares as percentages, changes signed, dates ISO (as courts write them).

    Numbers go through Babel with the briefing's locale (zh_CN or en), so a share reads 33.3% and a count
    12,345 in both, the way either language's readers expect.
    """
    from babel.numbers import format_decimal, format_percent

    if is_missing(value):
        return "—"
    locale = LOCALES.get(lang, "zh_CN")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        return format_decimal(int(value), _PATTERNS["int"], locale=locale)
    if kind in ("float", "score"):
        return format_decimal(float(value), _PATTERNS[kind], locale=locale)
    if kind in ("pct", "pct0"):  # pct0: a whole-number share, for targets (80%)
        return format_percent(float(value), _PATTERNS[kind], locale=locale)
    if kind == "change":
        value = int(value)
        return "0" if value == 0 else format_decimal(value, _PATTERNS["change"], locale=locale)
    if kind == "pp_change":
        points = round(100 * float(value), 1)
        unit = "个百分点" if lang == "zh" else " pp"
        return ("0.0" if points == 0 else format_decimal(points, _PATTERNS["pp"], locale=locale)) + unit
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
