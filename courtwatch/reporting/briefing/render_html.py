"""A briefing as one self-contained HTML file — and the page the PDF is printed from.

Self-contained: charts are inlined as data: URIs, the CSS is inline, no font, script or link is fetched
(a Content-Security-Policy forbids it, in case a viewer would try). Every string from the data is
escaped: case data may hold `<script>` or `=cmd|…`. Fonts are the local Noto CJK families (what the PDF
embeds), then the Song/Hei faces Windows PCs in courts have.
"""
from __future__ import annotations

import base64
from html import escape

from .cells import fmt, kind_of
from .content import Brief, Chart, Notes, Paragraph, Table
from .labels import t

SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "宋体", "Songti SC", serif'
SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "黑体", sans-serif'

CSS = """
@page {
  size: A4; margin: 22mm 17mm 20mm 17mm;
  font-family: %(sans)s;
  @top-left { content: string(court); font-family: %(sans)s; font-size: 8.5pt; color: #555; }
  @top-right { content: string(period); font-family: %(sans)s; font-size: 8.5pt; color: #555; }
  @bottom-center { content: "%(page_label)s"; font-family: %(sans)s; font-size: 8.5pt; color: #555; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } @bottom-center { content: none; } }
html { font-family: %(serif)s; font-size: 10.5pt; line-height: 1.6; color: #111; }
body { margin: 0 auto; max-width: 1040px; padding: 0 12px; }
h1, h2, h3, th, .cover, figcaption, .meta, table { font-family: %(sans)s; }
.cover { min-height: 240mm; page-break-after: always; break-after: page; text-align: center; padding-top: 30mm; }
.cover .doc-title { font-size: 26pt; font-weight: bold; color: #9c2a2a; letter-spacing: 0.12em; margin: 0 0 8mm; }
.cover .court { font-size: 17pt; margin: 0 0 4mm; string-set: court content(); }
.cover .period { font-size: 14pt; margin: 0 0 14mm; string-set: period content(); }
.cover .rule { border-top: 2px solid #9c2a2a; margin: 0 10mm 10mm; }
.cover table.meta { margin: 0 auto 14mm; border: none; width: auto; font-size: 10.5pt; }
.cover table.meta td { border: none; padding: 1.2mm 4mm; text-align: left; }
.cover table.meta td.k { color: #555; text-align: right; white-space: nowrap; }
.notice { border: 1.5px solid #9c2a2a; color: #7a1f1f; padding: 3mm 5mm; font-family: %(sans)s;
          font-weight: bold; margin: 6mm 0; text-align: center; }
h2 { font-size: 14pt; color: #1f4e79; border-bottom: 1px solid #1f4e79; margin: 9mm 0 3mm;
     page-break-after: avoid; break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; page-break-after: avoid; break-after: avoid; }
p { margin: 0 0 2.5mm; text-align: justify; }
p.note, p.tnote { color: #555; font-size: 9pt; }
table { border-collapse: collapse; width: 100%%; margin: 1mm 0 4mm; font-size: 8.8pt; line-height: 1.4;
        table-layout: fixed; }
.cover table.meta { table-layout: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th { background: #e8eef5; font-weight: bold; text-align: left; }
th, td { border: 0.6pt solid #b7c3d0; padding: 1.2mm 1.6mm; vertical-align: top; word-break: break-word; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
th { hyphens: auto; font-size: 8.3pt; }
td.code { white-space: nowrap; word-break: keep-all; }
.cover p { text-align: center; }
figure { margin: 2mm 0 5mm; page-break-inside: avoid; break-inside: avoid; text-align: center; }
figure img { width: 100%%; max-width: 170mm; }
figcaption { font-size: 9.5pt; color: #333; margin-bottom: 1mm; font-weight: bold; }
.nodata { color: #777; font-size: 9pt; }
dl.method { margin: 0 0 4mm; page-break-inside: avoid; break-inside: avoid; font-size: 9pt; }
dl.method dt { font-family: %(sans)s; font-weight: bold; margin-top: 3mm; }
dl.method dd { margin: 0 0 0 6mm; }
dl.method span.k { color: #555; font-family: %(sans)s; }
"""

NUMERIC = {"int", "float", "score", "pct", "change", "pp_change"}


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _table(table: Table, lang: str, documents: bool = True) -> str:
    frame = table.document_frame() if documents else table.frame
    columns = table.document_columns() if documents else table.columns
    head = "".join(f'<th class="num">{_e(c.label)}</th>' if c.kind in NUMERIC else f"<th>{_e(c.label)}</th>"
                   for c in columns)
    rows = []
    for row in frame.to_dict("records"):
        cells = []
        for c in columns:
            kind = kind_of(c.kind, row)
            cls = ' class="num"' if kind in NUMERIC else (' class="code"' if c.nowrap else "")
            cells.append(f"<td{cls}>{_e(fmt(row.get(c.key), kind, lang))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    total = sum(c.width for c in columns) or 1
    cols = "".join(f'<col style="width:{100 * c.width / total:.1f}%">' for c in columns)
    note = f'<p class="tnote">{_e(table.note)}</p>' if table.note else ""
    return (f'<table data-table="{_e(table.key)}"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{note}')


def _chart(chart: Chart, lang: str) -> str:
    caption = f"<figcaption>{_e(chart.title)}</figcaption>"
    if chart.png is None:
        return f'<figure data-chart="{_e(chart.key)}">{caption}<p class="nodata">{_e(t("ch_none", lang))}</p></figure>'
    data = base64.b64encode(chart.png).decode("ascii")
    return (f'<figure data-chart="{_e(chart.key)}">{caption}'
            f'<img alt="{_e(chart.title)}" src="data:image/png;base64,{data}"></figure>')


def _notes(notes: Notes, lang: str) -> str:
    colon = "：" if lang == "zh" else ": "
    parts = []
    for title, pairs in notes.items:
        body = "".join(f'<dd><span class="k">{_e(k)}{colon}</span>{_e(v)}</dd>' if k else f"<dd>{_e(v)}</dd>"
                       for k, v in pairs)
        parts.append(f'<dl class="method"><dt>{_e(title)}</dt>{body}</dl>')
    return "".join(parts)


def render(brief: Brief) -> str:
    lang = brief.lang
    page_label = "第 \" counter(page) \" 页，共 \" counter(pages) \" 页" if lang == "zh" \
        else "Page \" counter(page) \" of \" counter(pages) \""
    css = CSS % {"serif": SERIF, "sans": SANS, "page_label": page_label}
    cover_rows = "".join(f'<tr><td class="k">{_e(k)}</td><td>{_e(v)}</td></tr>' for k, v in brief.cover if k)
    scope_lines = "".join(f"<p>{_e(v)}</p>" for k, v in brief.cover if not k)
    body = [
        '<section class="cover">',
        f'<p class="doc-title">{_e(brief.title)}</p>',
        f'<p class="court">{_e(brief.court_name)}</p>',
        f'<p class="period">{_e(brief.period_label)}</p>',
        '<div class="rule"></div>',
        f'<table class="meta">{cover_rows}</table>',
        scope_lines,
        f'<p class="notice">{_e(brief.notice)}</p>',
        "</section>",
    ]
    for section in brief.sections:
        body.append(f'<section data-section="{_e(section.key)}"><h2>{_e(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                cls = {"note": "note", "notice": "notice"}.get(block.style, "")
                body.append(f'<p class="{cls}">{_e(block.text)}</p>' if cls else f"<p>{_e(block.text)}</p>")
            elif isinstance(block, Table):
                if not block.in_documents:
                    continue
                if block.title != section.title:
                    body.append(f"<h3>{_e(block.title)}</h3>")
                body.append(_table(block, lang) if len(block.frame) else f'<p class="note">{_e(t("empty_table", lang))}</p>')
            elif isinstance(block, Chart):
                body.append(_chart(block, lang))
            elif isinstance(block, Notes):
                body.append(_notes(block, lang))
        body.append("</section>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    title = f"{brief.title} — {brief.court_name} — {brief.period_label}"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
            'style-src \'unsafe-inline\'">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="courtwatch"><meta name="dcterms.created" content="{brief.generated_at:%Y-%m-%dT%H:%M}">'
            f"<title>{_e(title)}</title><style>{css}</style></head>"
            f'<body>{"".join(body)}</body></html>\n')
