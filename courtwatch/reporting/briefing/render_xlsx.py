"""A briefing as XLSX (xlsxwriter): one sheet per table, typed cells, nothing a spreadsheet would execute.

Numbers are numbers, dates are dates (formatted), shares are numbers with a percent format; every text
cell is written with write_string — never as a formula — and one starting with = + - @ (or tab / CR) is
prefixed with ' so it stays inert if someone re-types or exports it (formula / DDE injection). Each sheet
has a frozen header row and an autofilter. The first sheet holds the cover facts and headline figures.
"""
from __future__ import annotations

import re
from pathlib import Path

from .cells import as_datetime, as_number, is_missing, kind_of, neutralise_formula
from .content import Brief, Table
from .labels import notice

_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def render(brief: Brief, out: Path) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(out), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "default_date_format": "yyyy-mm-dd", "remove_timezone": True})
    font = "SimSun" if brief.lang == "zh" else "Calibri"
    base = {"font_name": font, "font_size": 10, "valign": "top"}
    formats = {
        "header": workbook.add_format({**base, "bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True}),
        "text": workbook.add_format({**base, "text_wrap": False}),
        "wrap": workbook.add_format({**base, "text_wrap": True}),
        "int": workbook.add_format({**base, "num_format": "0"}),
        "float": workbook.add_format({**base, "num_format": "0.00"}),
        "score": workbook.add_format({**base, "num_format": "0.00"}),
        "pct": workbook.add_format({**base, "num_format": "0.0%"}),
        "change": workbook.add_format({**base, "num_format": "+0;-0;0"}),
        "pp_change": workbook.add_format({**base, "num_format": "+0.0%;-0.0%;0.0%"}),
        "date": workbook.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "month": workbook.add_format({**base, "num_format": "yyyy-mm"}),
        "datetime": workbook.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"}),
        "notice": workbook.add_format({**base, "bold": True, "font_color": "#9C2A2A"}),
    }
    workbook.set_properties({"title": f"{brief.title} {brief.court_name} {brief.period_label}",
                             "comments": notice(brief.lang), "author": "courtwatch"})
    used: set[str] = set()
    for table in brief.sheets():
        _sheet(workbook, table, formats, used, brief)
    workbook.close()
    return out


def _sheet(workbook, table: Table, formats: dict, used: set[str], brief: Brief) -> None:
    sheet = workbook.add_worksheet(_sheet_name(table.sheet or table.title, used))
    columns = table.columns
    for j, column in enumerate(columns):
        sheet.write_string(0, j, neutralise_formula(column.label), formats["header"])
    widths = [max(8, min(60, 2 * len(c.label) + 2)) for c in columns]
    for i, row in enumerate(table.frame.to_dict("records"), start=1):
        for j, column in enumerate(columns):
            value = row.get(column.key)
            kind = kind_of(column.kind, row)
            if kind in ("int", "float", "score", "pct", "change", "pp_change"):
                number = as_number(value)
                if number is not None:
                    sheet.write_number(i, j, number, formats[kind])
                elif isinstance(value, str):
                    sheet.write_string(i, j, neutralise_formula(value), formats["text"])
                else:
                    sheet.write_blank(i, j, None, formats[kind])
            elif kind in ("date", "month", "datetime"):
                when = as_datetime(value)
                if when is not None:
                    sheet.write_datetime(i, j, when, formats[kind])
                else:
                    sheet.write_blank(i, j, None, formats[kind])
            else:
                if is_missing(value):
                    sheet.write_blank(i, j, None, formats["text"])
                    continue
                text = neutralise_formula(str(value))
                long = len(text) > 60
                sheet.write_string(i, j, text, formats["wrap" if long else "text"])
                widths[j] = max(widths[j], min(60, int(1.6 * len(text)) + 2))
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(table.frame), 1), len(columns) - 1)
    if table.key == "summary":
        sheet.write_string(len(table.frame) + 2, 0, neutralise_formula(brief.notice), formats["notice"])
