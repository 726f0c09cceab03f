"""A briefing as one self-contained HTML file — and the page the PDF is printed from.

Jinja2 lays it out (templates/briefing.html and briefing.css, package data) with autoescaping on, so every
string from the data is escaped: case data may hold `<script>` or `=cmd|…`. This module only turns the
Brief's blocks into plain values (cells formatted by cells.fmt); the style sheet's font lists and page
label are the only values marked safe, and they are constants here.

Self-contained: charts are inlined as data: URIs, the CSS is inline, no font, script or link is fetched
(a Content-Security-Policy forbids it, in case a viewer would try). Fonts are the local Noto CJK families
(what the PDF embeds), then the Song/Hei faces Windows PCs in courts have.
"""
from __future__ import annotations

import base64
from functools import lru_cache
from typing import Callable

from markupsafe import Markup

from .cells import fmt, kind_of
from .content import NUMERIC_KINDS, Brief, Chart, Paragraph, Points, Row, Section, Table
from .labels import t

SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "宋体", "Songti SC", serif'
SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "黑体", sans-serif'
PAGE_LABEL = {"zh": '"第 " counter(page) " 页，共 " counter(pages) " 页"',
              "en": '"Page " counter(page) " of " counter(pages)'}


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("courtwatch.reporting.briefing", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)


def _table(table: Table, lang: str, title: str | None) -> dict:
    frame, columns = table.document_frame(), table.document_columns()
    rows = []
    for row in frame.to_dict("records"):
        cells = []
        for c in columns:
            kind = kind_of(c.kind, row)
            cls = "num" if kind in NUMERIC_KINDS else ("code" if c.nowrap else "")
            cells.append({"text": fmt(row.get(c.key), kind, lang), "cls": cls})
        rows.append({"cells": cells, "emph": bool(row.get("_emph"))})
    total = sum(c.width for c in columns) or 1
    return {"kind": "table", "key": table.key, "subtitle": table.title if table.title != title else None,
            "head": [{"label": c.label, "num": c.kind in NUMERIC_KINDS or c.kind.startswith("auto")} for c in columns],
            "widths": [f"{100 * c.width / total:.1f}" for c in columns], "rows": rows, "note": table.note}


def _data_url(chart: Chart) -> str | None:
    png = chart.image("png")
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _block(block, lang: str, section_title: str | None, image_url=_data_url) -> dict | None:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text,
                "cls": {"note": "note", "notice": "notice"}.get(block.style, "")}
    if isinstance(block, Table):
        return _table(block, lang, section_title) if block.in_documents else None
    if isinstance(block, Chart):
        src = image_url(block)
        return {"kind": "chart", "key": block.key, "title": block.title, "src": src}
    if isinstance(block, Points):
        return {"kind": "points", "title": block.title, "entries": block.items, "dense": block.dense}
    if isinstance(block, Row):
        widths = block.widths or (1.0,) * len(block.blocks)
        parts = [(_block(b, lang, section_title, image_url), w) for b, w in zip(block.blocks, widths)]
        return {"kind": "row", "parts": [(b, w) for b, w in parts if b is not None]}
    raise TypeError(f"no HTML for {type(block).__name__}")


def _sections(sections: list[Section], lang: str, image_url) -> list[dict]:
    out = []
    for section in sections:
        blocks = [_block(b, lang, section.title, image_url) for b in section.blocks]
        out.append({"key": section.key, "title": section.title, "blocks": [b for b in blocks if b is not None]})
    return out


def render(brief: Brief, image_url: Callable[[Chart], str | None] = _data_url) -> str:
    """The briefing's HTML; `image_url` names a chart's image, None for a chart without data (default: its PNG
    itself, as a data: URL)."""
    lang = brief.lang
    return environment().get_template("briefing.html").render(
        brief=brief, front=_sections(brief.front, lang, image_url),
        appendix=_sections(brief.sections, lang, image_url),
        html_lang="zh-CN" if lang == "zh" else "en", created=f"{brief.generated_at:%Y-%m-%dT%H:%M}",
        title=f"{brief.title} — {brief.court_name} — {brief.period_label}",
        serif=Markup(SERIF), sans=Markup(SANS), page_label=Markup(PAGE_LABEL[lang]),
        labels={"empty_table": t("empty_table", lang), "ch_none": t("ch_none", lang)}) + "\n"
