"""A briefing as DOCX (python-docx), for courts that edit and forward it in Word / WPS.

Fonts are ones court PCs have: Chinese text in 宋体 (SimSun) — set as the East Asian font (w:eastAsia),
which is what Word uses for CJK characters, the Latin font alone would not do — headings in 黑体 (SimHei),
Latin text in Times New Roman. Heading styles' theme fonts are removed so these names win.
Tables repeat their header row on every page; charts are the same PNGs as in the PDF.
"""
from __future__ import annotations

import io
from pathlib import Path

from .cells import fmt, kind_of
from .content import NUMERIC_KINDS as NUMERIC
from .content import Brief, Chart, Paragraph, Points, Row, Table
from .labels import t

BODY_EA, HEAD_EA, LATIN = "宋体", "黑体", "Times New Roman"


def _fonts(style_or_run, east_asian: str, latin: str = LATIN) -> None:
    """Set the Latin and the East Asian font (w:eastAsia) and drop theme fonts that would override them."""
    from docx.oxml.ns import qn

    style_or_run.font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _setup(document, brief: Brief) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm, Pt, RGBColor

    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.0)
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_EA)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.3
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12)):
        style = styles[name]
        _fonts(style, HEAD_EA)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x9C, 0x2A, 0x2A) if name == "Title" else RGBColor(0x1F, 0x4E, 0x79)
    table_style = styles.add_style("BriefTable", WD_STYLE_TYPE.PARAGRAPH)
    table_style.base_style = normal
    _fonts(table_style, BODY_EA)
    table_style.font.size = Pt(8.5)
    table_style.paragraph_format.space_after = Pt(0)
    table_style.paragraph_format.line_spacing = 1.1
    note_style = styles.add_style("BriefNote", WD_STYLE_TYPE.PARAGRAPH)
    note_style.base_style = normal
    _fonts(note_style, BODY_EA)
    note_style.font.size = Pt(9)
    note_style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    notice_style = styles.add_style("BriefNotice", WD_STYLE_TYPE.PARAGRAPH)
    notice_style.base_style = normal
    _fonts(notice_style, HEAD_EA)
    notice_style.font.bold = True
    notice_style.font.color.rgb = RGBColor(0x7A, 0x1F, 0x1F)

    # running header (court, period) and page number in the footer
    header = section.header.paragraphs[0]
    header.text = f"{brief.court_name}  ·  {brief.period_label}"
    header.style = note_style
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.alignment = 1
    _page_field(footer, brief.lang)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): begin, instruction, separate, placeholder, end — one run each."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    for element in (char("begin"), instr, char("separate"), placeholder, char("end")):
        paragraph.add_run()._r.append(element)


def _page_field(paragraph, lang: str) -> None:
    words = ("第 ", " 页，共 ", " 页") if lang == "zh" else ("Page ", " of ", "")
    paragraph.add_run(words[0])
    _field(paragraph, "PAGE")
    paragraph.add_run(words[1])
    _field(paragraph, "NUMPAGES")
    if words[2]:
        paragraph.add_run(words[2])


def _repeat_header(row) -> None:
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    element = tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    tr_pr.append(element)


def _shade(cell, colour: str) -> None:
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shading = tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): colour})
    tc_pr.append(shading)


def _table(document, table: Table, lang: str, gap: bool = True) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    frame = table.document_frame()
    columns = table.document_columns()
    # the style id set directly: assigning paragraph.style makes python-docx scan every style per cell
    style_id = document.styles["BriefTable"].style_id
    grid = document.add_table(rows=len(frame) + 1, cols=len(columns))
    grid.style = "Table Grid"
    grid.autofit = False
    total = sum(c.width for c in columns) or 1
    widths = [Cm(17.0 * c.width / total) for c in columns]
    for column, width in zip(grid.columns, widths):
        column.width = width
    rows = grid.rows
    header = rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, columns, widths):
        cell.width = width
        paragraph = cell.paragraphs[0]
        paragraph._p.style = style_id
        run = paragraph.add_run(column.label)
        run.bold = True
        _shade(cell, "E8EEF5")
    for grid_row, row in zip(rows[1:], frame.to_dict("records")):
        for cell, column, width in zip(grid_row.cells, columns, widths):
            kind = kind_of(column.kind, row)
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id
            run = paragraph.add_run(fmt(row.get(column.key), kind, lang))
            if row.get("_emph"):
                run.bold = True
            if kind in NUMERIC:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.note:
        document.add_paragraph(table.note, style="BriefNote")
    elif gap:
        document.add_paragraph("", style="BriefNote")


def _blocks(document, section, lang: str, front: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    # the first page is set tighter (10 pt, single-and-a-bit spacing) so that it stays one page in Word too
    heading = document.add_heading(section.title, level=2 if front else 1)
    if front:
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.space_after = Pt(2)
    for block in section.blocks:
        inner = block.blocks if isinstance(block, Row) else [block]  # side by side on paper: one after another here
        for block in inner:
            if isinstance(block, Paragraph):
                style = {"note": "BriefNote", "notice": "BriefNotice"}.get(block.style)
                document.add_paragraph(block.text, style=style) if style else document.add_paragraph(block.text)
            elif isinstance(block, Points):
                title = document.add_paragraph()
                run = title.add_run(block.title)
                run.bold = True
                _fonts(run, HEAD_EA)
                title.paragraph_format.space_after = Cm(0.05)
                for n, item in enumerate(block.items, start=1):
                    line = document.add_paragraph()
                    run = line.add_run(f"{n}. {item}")
                    run.font.size = Pt(9.5 if block.dense else 10)
                    line.paragraph_format.left_indent = Cm(0.6)
                    line.paragraph_format.first_line_indent = Cm(-0.5)
                    line.paragraph_format.space_after = Pt(0)
                    line.paragraph_format.line_spacing = 1.1
            elif isinstance(block, Table):
                if not block.in_documents:
                    continue
                if block.title != section.title:
                    document.add_heading(block.title, level=2)
                if len(block.document_frame()):
                    _table(document, block, lang, gap=not front)
                else:
                    document.add_paragraph(t("empty_table", lang), style="BriefNote")
            elif isinstance(block, Chart):
                if not front:
                    document.add_heading(block.title, level=2)
                png = block.image("png")
                if png is None:
                    document.add_paragraph(t("ch_none", lang), style="BriefNote")
                else:
                    document.add_picture(io.BytesIO(png), width=Cm(6.0 if front else block.width_cm))
                    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def render(brief: Brief, out: Path) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    document = docx.Document()
    _setup(document, brief)
    core = document.core_properties
    core.title = f"{brief.title} {brief.court_name} {brief.period_label}"
    core.author = "courtwatch"
    core.comments = brief.notice

    # first page: masthead, notice, 主要问题和建议, trend, backlog
    title = document.add_paragraph(brief.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].font.size = Pt(20)
    title.paragraph_format.space_after = Pt(2)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(f"{brief.court_name}　{brief.period_label}" if brief.lang == "zh"
                            else f"{brief.court_name} — {brief.period_label}")
    run.font.size = Pt(13)
    _fonts(run, HEAD_EA)
    meta = document.add_paragraph(brief.masthead, style="BriefNote")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    notice = document.add_paragraph(brief.notice, style="BriefNotice")
    notice.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in brief.front:
        _blocks(document, section, brief.lang, front=True)
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)

    # appendix
    appendix = document.add_paragraph(brief.appendix_title, style="Title")
    appendix.runs[0].font.size = Pt(16)
    for section in brief.sections:
        _blocks(document, section, brief.lang)
    document.save(str(out))
    return out
