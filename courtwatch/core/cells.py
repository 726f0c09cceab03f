"""The one guard against formula injection: a text cell a spreadsheet may open never starts a formula.

Excel, WPS and LibreOffice read a cell that starts with = + - @ (or a tab or carriage return, which
they strip first) as a formula, so an imported identifier such as `=HYPERLINK("http://x")` would run
when a CSV is opened (CSV / DDE injection, OWASP). Every export a spreadsheet may open — the flags CSV,
the audit CSV, the briefings' XLSX — passes its text cells through `neutralise_formula`; the import
contract refuses such identifiers at the door too (courtwatch/core/contract.py). docs/security.md
lists where each export applies it.
"""
from __future__ import annotations

import pandas as pd

# OWASP's list, plus the full-width forms a Chinese input method types (a precaution: some
# spreadsheet builds turn a typed ＝ into =).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet will never evaluate: one that starts like a formula gets a ' in front.

    The ' is what a person types in a spreadsheet to enter text; the sheet shows the rest as it was.
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def guard_cell(value):
    """A cell as it may be written to a sheet: text guarded, numbers, dates and missing values as they are."""
    return neutralise_formula(value) if isinstance(value, str) else value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell guarded (its header too); numeric columns untouched."""
    guarded = frame.copy()
    for column in guarded.columns:
        if not (pd.api.types.is_numeric_dtype(guarded[column]) or pd.api.types.is_datetime64_any_dtype(guarded[column])):
            guarded[column] = guarded[column].map(guard_cell, na_action="ignore")
    guarded.columns = [guard_cell(c) for c in guarded.columns]
    return guarded
