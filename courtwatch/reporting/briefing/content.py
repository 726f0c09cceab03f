"""What a briefing says, independent of its file format: a first page, then the appendix's sections of
paragraphs, tables and charts.

Flow: courtwatch.reporting.figures.Figures (every number) and summary.first_page (the first page's counts and
rules) → `build(...)` → Brief → the renderers (render_html / render_pdf / render_docx / render_xlsx).
Renderers only lay out what is here, so every format carries the same figures. Tables keep typed values
(ints, floats, dates); renderers format them. Documents leave out all-zero rows (`Table.hide_zero_rows`);
the XLSX keeps every row.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from courtwatch.core.vocabulary import CATEGORIES, LEVELS_STRONGEST_FIRST
from courtwatch.reporting import detector_info
from courtwatch.reporting.figures import Figures, explanation

from . import method_notes
from . import summary as summary_module
from .cells import fmt, is_missing, kind_of
from .labels import notice, t
from .quality_reasons import reason_zh

if TYPE_CHECKING:
    from .charts import Drawing

DOCUMENT_TOP_FLAGS = 15
DOCUMENT_MAX_ROWS = 20
CHART_MAX_BARS = 40


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | float | score | pct | date | datetime | change | pp_change
    width: float = 1.0  # relative width in documents
    nowrap: bool = False  # codes and short labels: never broken across lines in documents
    optional: bool = False  # left out of documents when every shown row has 0 here (a category with no warning)


NUMERIC_KINDS = {"int", "float", "score", "pct", "change", "pp_change"}


def _zero(value) -> bool:
    return is_missing(value) or (not isinstance(value, str) and value == 0)


def is_zero_row(row: dict, columns: list[Column]) -> bool:
    """True when a row has numbers and every one of them is 0 or missing (nothing to read in it)."""
    numbers = [row.get(c.key) for c in columns if kind_of(c.kind, row) in NUMERIC_KINDS]
    return bool(numbers) and all(_zero(v) for v in numbers)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    frame: pd.DataFrame
    sheet: str | None = None  # XLSX sheet name; default: the title
    note: str | None = None
    document_rows: int | None = DOCUMENT_MAX_ROWS  # rows shown in PDF/DOCX/HTML (XLSX: every row)
    in_documents: bool = True
    document_keys: list[str] | None = None  # columns shown in PDF/DOCX/HTML (XLSX: every column)
    in_xlsx: bool = True  # False for tables the XLSX holds elsewhere (headline → summary sheet)
    hide_zero_rows: bool = False  # documents leave out rows whose figures are all zero (the XLSX keeps them)

    def _shown_columns(self) -> list[Column]:
        if self.document_keys is None:
            return self.columns
        return [c for c in self.columns if c.key in self.document_keys]

    def hidden_rows(self) -> int:
        """How many rows documents leave out for being all zero."""
        return len(self.frame) - len(self._nonzero_frame())

    def _nonzero_frame(self) -> pd.DataFrame:
        if not self.hide_zero_rows or self.frame.empty:
            return self.frame
        columns = self._shown_columns()
        keep = [not is_zero_row(row, columns) for row in self.frame.to_dict("records")]
        return self.frame[keep].reset_index(drop=True)

    def document_frame(self) -> pd.DataFrame:
        frame = self._nonzero_frame()
        return frame if self.document_rows is None else frame.head(self.document_rows)

    def document_columns(self) -> list[Column]:
        columns = self._shown_columns()
        frame = self.document_frame()
        if frame.empty:
            return columns
        return [c for c in columns if not c.optional or not frame[c.key].map(_zero).all()]


@dataclass
class Chart:
    key: str
    title: str
    drawing: Drawing | None  # None: nothing to draw (the renderers print "no data")
    width_cm: float = 16.0
    _images: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def image(self, kind: str = "png") -> bytes | None:
        """The chart as `kind` (charts.IMAGE_TYPES: PNG for HTML and DOCX, SVG for the PDF), drawn when a
        renderer first asks for it: a format draws only the kind it prints, once."""
        if self.drawing is None:
            return None
        if kind not in self._images:
            from .charts import render
            self._images[kind] = render(self.drawing, kind)
        return self._images[kind]


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | note | notice


@dataclass
class Points:
    """A numbered list of sentences under a short title (the first page's problems and suggestions)."""

    title: str
    items: list[str]
    dense: bool = False  # set a size smaller, so that a long list still leaves the page room


@dataclass
class Row:
    """Blocks printed side by side where the format allows (HTML, PDF); one after another in DOCX."""

    blocks: list
    widths: tuple[float, ...] = ()  # relative widths


@dataclass
class Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Brief:
    lang: str
    title: str
    court_id: str | None
    court_name: str
    period_code: str
    period_label: str
    cover: list[tuple[str, str]]
    notice: str
    sections: list[Section]  # the appendix (一、… 九、), after the first page
    summary: Table  # the cover facts and headline figures, first sheet of the XLSX
    run_id: str
    generated_at: dt.datetime
    front: list[Section] = field(default_factory=list)  # the first page: 主要问题和建议, trend, backlog
    masthead: str = ""  # the first page's line under the title: data date, run, generation time
    appendix_title: str = ""

    def tables(self) -> list[Table]:
        out = [self.summary]
        for section in [*self.front, *self.sections]:
            for block in section.blocks:
                inner = block.blocks if isinstance(block, Row) else [block]
                out.extend(b for b in inner if isinstance(b, Table))
        return out

    def sheets(self) -> list[Table]:
        return [table for table in self.tables() if table.in_xlsx]


# ----------------------------------------------------------------------------------------------- scope guard

class Redactor:
    """Defence in depth for one-court briefings: replaces any other court's name, code or case number
    that a free-text field (an explanation, a cause) might carry. Figures are already scoped in SQL."""

    def __init__(self, in_scope: dict[str, str], every_court: dict[str, str], lang: str):
        out_ids = [c for c in every_court if c not in in_scope]
        self.active = bool(out_ids)
        if not self.active:
            return
        self.court_text, self.case_text = t("redacted_court", lang), t("redacted_case", lang)
        keep_names = [n for n in in_scope.values() if n]
        drop_names = [every_court[c] for c in out_ids if every_court[c] and every_court[c] not in keep_names]
        self.drop_names = set(drop_names)
        self.out_ids = set(out_ids)

        def alternation(values):
            return "|".join(re.escape(v) for v in sorted(set(values), key=len, reverse=True))

        every_id = list(in_scope) + out_ids
        ids = alternation(every_id)
        parts = []
        if keep_names or drop_names:
            parts.append(f"(?P<name>{alternation(keep_names + drop_names)})")
        # a case number: (2023)浙0102刑初123号 — the court code sits between the year and the case type
        parts.append(rf"(?P<case>[(（]\d{{4}}[)）]\s*(?P<case_court>{ids})(?=[刑民执行])[^\s,，;；。、)）]*?号)")
        # a bare code: 浙01 may be followed by Chinese text, but not by more digits (浙0102 is another court);
        # a code ending in a non-digit (the high court's 浙) only when no word character follows (not 浙江)
        digit_ids = [c for c in every_id if c[-1:].isdigit()]
        other_ids = [c for c in every_id if not c[-1:].isdigit()]
        if digit_ids:
            parts.append(rf"(?<![0-9A-Za-z])(?P<id>{alternation(digit_ids)})(?![0-9A-Za-z])")
        if other_ids:
            parts.append(rf"(?<![0-9A-Za-z])(?P<id2>{alternation(other_ids)})(?!\w)")
        self.pattern = re.compile("|".join(parts))

    def _replace(self, match: re.Match) -> str:
        if match.group("case") is not None:
            return self.case_text if match.group("case_court") in self.out_ids else match.group(0)
        if "name" in self.pattern.groupindex and match.group("name") is not None:
            return self.court_text if match.group("name") in self.drop_names else match.group(0)
        code = match.group("id") if "id" in self.pattern.groupindex and match.group("id") is not None \
            else match.group("id2")
        return self.court_text if code in self.out_ids else match.group(0)

    def text(self, value):
        if not self.active or not isinstance(value, str) or not value:
            return value
        return self.pattern.sub(self._replace, value)

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not self.active:
            return frame
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                frame[column] = frame[column].map(self.text).astype(object)
        return frame


# ----------------------------------------------------------------------------------------------- building

def _pct(value, lang: str = "zh") -> str:
    return fmt(value, "pct", lang)


def _detector_titles(lang: str) -> dict[str, str]:
    return {d.name: (d.title_zh if lang == "zh" else d.title_en) or d.name for d in detector_info.detectors()}


def _subject(row: dict, lang: str, names: dict[str, str]) -> str:
    kind = row.get("subject_type")
    label = t(kind, lang) if kind else ""
    subject = str(row.get("subject_id") or "")
    if kind == "court":
        return f"{label} {subject} {names.get(subject, '')}".strip()
    if kind == "judge_lawyer" and "|" in subject:
        judge, lawyer = subject.split("|", 1)
        return f"{label} {judge} — {lawyer}" if lang == "en" else f"{label} {judge}—{lawyer}"
    if kind in ("case", "defendant") and row.get("case_id"):
        # a case is named with its cause (案由); a defendant with his pseudonymous id (the charge is in the text)
        cause = row.get("cause")
        detail = (cause if isinstance(cause, str) and cause else None) if kind == "case" \
            else f"{t('defendant', lang)} {subject}"
        if detail is None:
            return str(row["case_id"])
        return f"{row['case_id']}（{detail}）" if lang == "zh" else f"{row['case_id']} ({detail})"
    return f"{label} {subject}".strip()


def _flag_rows(flags: pd.DataFrame, lang: str, titles: dict[str, str], names: dict[str, str]) -> pd.DataFrame:
    """Flags as printed: labelled, with the explanation in the briefing's language."""
    records = flags.to_dict("records")
    return pd.DataFrame({
        "rank": range(1, len(flags) + 1),
        "flag_id": flags["flag_id"].to_numpy(),
        "category": [t(c, lang) for c in flags["category"]],
        "detector": [titles.get(d, d) for d in flags["detector"]],
        "level": [t(v, lang) for v in flags["level"]],
        "score": flags["score"].astype(float).to_numpy(),
        "subject": [_subject(r, lang, names) for r in records],
        "case_id": flags["case_id"].astype(object).to_numpy(),
        "cause": flags["cause"].astype(object).to_numpy(),
        "court_id": flags["court_id"].astype(object).to_numpy(),
        "court": [names.get(c, "") for c in flags["court_id"]],
        "judge_id": flags["judge_id"].astype(object).to_numpy(),
        "filed_on": flags["filed_on"].to_numpy(),
        "closed_on": flags["closed_on"].to_numpy(),
        "flag_date": flags["flag_date"].to_numpy(),
        "explanation": [explanation(r, lang) for r in records],
        "status": [t(f"d_{d}", lang) for d in flags["decision"]],
        "decided_at": flags["decided_at"].to_numpy(),
    })


def _period_flags_table(figures: Figures, lang: str, titles: dict[str, str], names: dict[str, str], table, T) -> Table:
    """Every period flag, labelled and explained (the XLSX's sheet; documents print the strongest)."""
    return table("period_flags", T("sh_flags"), [
        Column("rank", T("c_rank"), "int"), Column("flag_id", T("c_flag_id")), Column("category", T("c_category")),
        Column("detector", T("c_detector")), Column("level", T("c_level")), Column("score", T("c_score"), "score"),
        Column("case_id", T("c_case_id")), Column("subject", T("c_subject")), Column("cause", T("c_cause")),
        Column("court_id", T("c_court_id"), "text", 1.0, nowrap=True), Column("court", T("c_court")),
        Column("judge_id", T("c_judge_id"), "text", 1.0, nowrap=True),
        Column("filed_on", T("c_filed_on"), "date"), Column("closed_on", T("c_closed_on"), "date"),
        Column("flag_date", T("c_flag_date"), "date"), Column("explanation", T("c_explanation")),
        Column("status", T("c_status")), Column("decided_at", T("c_decided_at"), "datetime")],
        _flag_rows(figures.period_flags(), lang, titles, names), in_documents=False, sheet=T("sh_flags"))


def build(figures: Figures, lang: str = "zh", charts: bool = True, every_court: dict[str, str] | None = None,
          generated_at: dt.datetime | None = None, full_lists: bool = True) -> Brief:
    """The content of one briefing from one Figures object (`full_lists=False`: without the XLSX's list of
    every period flag, for documents, which do not print it)."""
    from . import charts as chart_module

    lang = "en" if lang == "en" else "zh"
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    # the first page first: it reads the run's flags and when each was first seen, the two long queries, and
    # DuckDB releases the interpreter while it works, so write_brief's preload thread imports WeasyPrint and
    # matplotlib and reads the detector catalog beside them (after the Python work below, they had to share it)
    page = summary_module.first_page(figures, generated_at.date())
    scope, period, run = figures.scope, figures.period, figures.run
    names = scope.names
    redactor = Redactor(names, every_court or names, lang)
    titles = _detector_titles(lang)
    court_name = scope.name or t("whole_db", lang)
    single = len(scope.court_ids) == 1
    previous = period.previous()

    def T(key, **values):
        return t(key, lang, **values)

    def table(key, title, columns, frame, **kwargs) -> Table:
        return Table(key, title, columns, redactor.frame(frame.reset_index(drop=True)), **kwargs)

    def render_chart(key, title, builder, *args) -> Chart:
        return Chart(key, title, builder(*args, lang=lang) if charts else None)

    # ---------------------------------------------------------------- cover
    if scope.all_courts:
        scope_line = T("scope_line_all", n=len(scope.court_ids))
        scope_word = T("scope_all")
    elif single:
        scope_line = T("scope_line_single", court=court_name)
        scope_word = T("scope_self_single")
    else:
        scope_line = T("scope_line", court=court_name, n=len(scope.court_ids))
        scope_word = T("scope_self")
    cover = [
        (T("period"), f"{period.label(lang)}（{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}）" if lang == "zh"
         else f"{period.label(lang)} ({period.start:%Y-%m-%d} – {period.end:%Y-%m-%d})"),
        (T("previous"), previous.label(lang)),
        (T("as_of"), f"{run['as_of']:%Y-%m-%d}"),
        (T("export_date"), f"{pd.Timestamp(run['export_date']):%Y-%m-%d}" if run.get("export_date") else T("unknown")),
        (T("run_id"), str(run["run_id"])),
        (T("code_version"), str(run.get("code_version") or T("unknown"))),
        (T("generated"), f"{generated_at:%Y-%m-%d %H:%M}"),
    ]

    sections: list[Section] = [Section("facts", T("facts"), [
        table("facts", T("facts"), [Column("k", T("c_indicator"), "text", 1.0), Column("v", T("c_value"), "text", 3.0)],
              pd.DataFrame({"k": [k for k, _ in cover] + [T("c_scope")],
                            "v": [v for _, v in cover] + [scope_line.split("：" if lang == "zh" else ": ", 1)[-1]]}),
              document_rows=None, in_xlsx=False)])]

    # ---------------------------------------------------------------- first page
    front, backlog_all = _front_sections(figures, page, lang, titles, table, render_chart)
    masthead = T("masthead_meta", as_of=f"{run['as_of']:%Y-%m-%d}", run=str(run["run_id"]),
                 generated=f"{generated_at:%Y-%m-%d %H:%M}")

    # ---------------------------------------------------------------- 1. headline
    head = figures.headline()
    h = {r["indicator"]: r for r in head.to_dict("records")}
    headline_frame = pd.DataFrame({
        "indicator": [T(f"i_{i}") for i in head["indicator"]],
        "current": head["current"].astype(object).to_numpy(),
        "previous": head["previous"].astype(object).to_numpy(),
        "change": head["change"].astype(object).to_numpy(),
        "_kind": ["pct" if i == "reviewed_share" else "int" for i in head["indicator"]],
    })
    headline = table("headline", T("s_headline"), [
        Column("indicator", T("h_indicator"), "text", 2.2), Column("current", T("h_current"), "auto"),
        Column("previous", T("h_previous"), "auto"), Column("change", T("h_change"), "auto_change")],
        headline_frame, document_rows=None, in_xlsx=False, hide_zero_rows=True)
    summary_text = T("headline_text", period=period.label(lang), scope=scope_word, flags=h["flags"]["current"],
                     prev=h["flags"]["previous"], cases=h["cases"]["current"], high=h["flags_high"]["current"],
                     reviewed=h["reviewed"]["current"], share=_pct(h["reviewed_share"]["current"], lang),
                     standing=h["standing"]["current"])
    category_chart_data = head[head["indicator"].isin([f"flags_{c}" for c in CATEGORIES])]
    sections.append(Section("headline", T("s_headline"), [
        Paragraph(summary_text), headline,
        render_chart("category", T("ch_category"), chart_module.category_bars, category_chart_data,
                     period.label(lang), previous.label(lang)),
    ]))

    # ---------------------------------------------------------------- 2. distribution
    level_cols = [Column("category", T("c_category"), "text", 1.6)] + \
        [Column(lv, T(f"c_{lv}"), "int") for lv in LEVELS_STRONGEST_FIRST] + [Column("total", T("c_total"), "int")]
    by_cl = figures.by_category_level()
    by_cl["category"] = [T(c) for c in by_cl["category"]]
    by_det = figures.by_detector()
    by_det_frame = pd.DataFrame({"category": [T(c) for c in by_det["category"]],
                                 "detector": [titles.get(d, d) for d in by_det["detector"]],
                                 "flags": by_det["flags"], "high": by_det["high"], "cases": by_det["cases"]})
    by_court = figures.by_court()
    by_court_frame = by_court.assign(level=[T(f"lv_{v}") if isinstance(v, str) else "" for v in by_court["level"]])
    by_judge = figures.by_judge()
    judge_note = T("t_judge_note", n=len(by_judge), k=DOCUMENT_MAX_ROWS) if len(by_judge) > DOCUMENT_MAX_ROWS \
        else T("t_judge_note_all")
    category_cols = [Column(c, T(f"short_{c}"), "int", 0.85, optional=True) for c in CATEGORIES]
    blocks = [
        table("by_category_level", T("t_category_level"), level_cols, by_cl, document_rows=None, hide_zero_rows=True),
        table("by_detector", T("t_detector"), [
            Column("category", T("c_category"), "text", 1.4), Column("detector", T("c_detector"), "text", 3.5),
            Column("flags", T("c_flags"), "int"), Column("high", T("c_high"), "int"),
            Column("cases", T("c_cases"), "int")], by_det_frame, document_rows=None),
    ]
    court_counts = ["flags", *CATEGORIES, "high", "cases", "reviewed", "standing"]
    active_courts = int((by_court_frame[court_counts] != 0).any(axis=1).sum())  # the rows documents show
    if not single:
        blocks.append(table("by_court", T("t_court"), [
            Column("court_id", T("c_court_id"), "text", 1.25, nowrap=True), Column("name", T("c_court"), "text", 3.5),
            Column("level", T("c_level_court"), "text", 1.0), Column("flags", T("c_flags"), "int", 0.95),
            *category_cols, Column("high", T("c_high"), "int", 0.85), Column("cases", T("c_cases"), "int", 0.95),
            Column("reviewed", T("c_reviewed"), "int", 0.95), Column("standing", T("c_standing"), "int", 0.95)],
            by_court_frame, document_rows=None if active_courts <= 2 * DOCUMENT_MAX_ROWS else DOCUMENT_MAX_ROWS,
            document_keys=["court_id", "name", "flags", *CATEGORIES, "high", "cases", "reviewed", "standing"],
            hide_zero_rows=True,
            note=None if active_courts <= 2 * DOCUMENT_MAX_ROWS else
            ("列出预警最多的20个法院；完整名单见XLSX版本。" if lang == "zh" else
             "The 20 courts with most warnings; the XLSX version lists all.")))
    blocks.append(table("by_judge", T("t_judge"), [
        Column("judge_id", T("c_judge_id"), "text", 1.3, nowrap=True), Column("court_id", T("c_court_id"), "text", 1.0, nowrap=True),
        Column("flags", T("c_flags"), "int"), *category_cols, Column("high", T("c_high"), "int"),
        Column("cases", T("c_cases"), "int"), Column("standing", T("c_standing"), "int")],
        by_judge if full_lists else by_judge.head(DOCUMENT_MAX_ROWS), note=judge_note))
    month = figures.by_month()
    if len(month) > 1:
        blocks.append(table("by_month", T("t_month"), [Column("month", T("c_month"), "month"),
                                                       Column("flags", T("c_flags"), "int"), *category_cols],
                            month, document_rows=None, hide_zero_rows=True))
    sections.append(Section("distribution", T("s_distribution"), blocks))

    # ---------------------------------------------------------------- 3. top flags, and the full list for XLSX
    top = figures.top_flags(DOCUMENT_TOP_FLAGS)
    flag_columns_doc = [
        Column("rank", T("c_rank"), "int", 0.65), Column("subject", T("c_subject"), "text", 2.4),
        Column("detector", T("c_detector"), "text", 2.0), Column("level", T("c_level"), "text", 0.95, nowrap=True),
        Column("score", T("c_score"), "score", 0.95), Column("explanation", T("c_explanation"), "text", 4.6),
        Column("status", T("c_status"), "text", 1.45)]
    if not single:
        flag_columns_doc.insert(2, Column("court", T("c_court"), "text", 1.6))
    top_rows = _flag_rows(top, lang, titles, names)
    blocks = [Paragraph(T("top_intro", n=len(top)) if len(top) else T("top_none"))]
    if len(top):
        blocks.append(table("top_flags", T("s_top"), flag_columns_doc, top_rows, document_rows=None, in_xlsx=False))
    if full_lists:
        blocks.append(_period_flags_table(figures, lang, titles, names, table, T))
    sections.append(Section("top", T("s_top"), blocks))

    # ---------------------------------------------------------------- 4. standing warnings
    standing = figures.standing_flags()
    rank = standing["level"].map({"high": 0, "medium": 1, "low": 2}).fillna(3)
    standing = standing.assign(_r=rank).sort_values(["_r", "score", "detector", "subject_id"],
                                                    ascending=[True, False, True, True]).drop(columns="_r")
    # documents print the first DOCUMENT_MAX_ROWS (the note counts them all); only the XLSX needs every row
    standing_rows = _flag_rows(standing if full_lists else standing.head(DOCUMENT_MAX_ROWS), lang, titles, names)
    blocks = [Paragraph(T("standing_intro") if len(standing) else T("standing_none"))]
    if len(standing):
        blocks.append(table("standing", T("sh_standing"), [
            Column("rank", T("c_rank"), "int", 0.65), Column("subject", T("c_subject"), "text", 2.2),
            Column("detector", T("c_detector"), "text", 2.0), Column("level", T("c_level"), "text", 0.95, nowrap=True),
            Column("score", T("c_score"), "score", 0.95), Column("explanation", T("c_explanation"), "text", 4.6),
            Column("status", T("c_status"), "text", 1.45), Column("flag_id", T("c_flag_id"), "text", 1.2),
            Column("judge_id", T("c_judge_id"), "text", 1.0, nowrap=True), Column("court_id", T("c_court_id"), "text", 1.0, nowrap=True)],
            standing_rows, sheet=T("sh_standing"),
            document_keys=["rank", "subject", "detector", "level", "score", "explanation", "status"],
            note=T("standing_more", n=len(standing) - DOCUMENT_MAX_ROWS) if len(standing) > DOCUMENT_MAX_ROWS else None))
    sections.append(Section("standing", T("s_standing"), blocks))

    # ---------------------------------------------------------------- 5. review
    review = figures.review()
    review_frame = review.assign(decision=[T(f"d_{d}") for d in review["decision"]])
    sections.append(Section("review", T("s_review"), [
        Paragraph(T("review_intro"), "note"),
        table("review", T("s_review"), [
            Column("decision", T("c_decision"), "text", 1.6), Column("flags", T("h_current"), "int"),
            Column("share", T("c_share"), "pct"), Column("previous", T("h_previous"), "int"),
            Column("standing", T("c_standing"), "int")], review_frame, document_rows=None, hide_zero_rows=True),
        *([backlog_all] if backlog_all is not None else []),
    ]))

    # ---------------------------------------------------------------- 6. 终本 and sentencing
    term_total = figures.termination_share_total()
    term_court = figures.termination_share_by_court()
    term_month = figures.termination_share_by_month()
    charge = figures.sentencing_by_charge()
    blocks = [Paragraph(T("termination_text", closed=term_total["closed_cases"],
                          terminated=term_total["terminated_this_round"], share=_pct(term_total["terminated_share"], lang)))]
    if not single:
        title = T("ch_termination_court") + (T("chart_cut", k=CHART_MAX_BARS) if len(term_court) > CHART_MAX_BARS else "")
        blocks.append(render_chart("termination_court", title, chart_module.termination_by_court,
                                   term_court.head(CHART_MAX_BARS)))
    blocks.append(table("termination_by_court", T("ch_termination_court"), [
        Column("court_id", T("c_court_id"), "text", 1.0, nowrap=True), Column("name", T("c_court"), "text", 2.6),
        Column("closed_cases", T("c_closed_cases"), "int", 1.4), Column("terminated_this_round", T("c_terminated"), "int"),
        Column("terminated_share", T("c_terminated_share"), "pct")], term_court,
        in_documents=single and not term_court.empty, document_rows=None))  # the chart carries the figures
    blocks.append(render_chart("termination_month", T("ch_termination_month"), chart_module.termination_by_month,
                               term_month))
    blocks.append(table("termination_by_month", T("ch_termination_month"), [
        Column("month", T("c_month"), "month"), Column("closed_cases", T("c_closed_cases"), "int", 1.4),
        Column("terminated_this_round", T("c_terminated"), "int"),
        Column("terminated_share", T("c_terminated_share"), "pct")], term_month.drop(columns="in_period"),
        in_documents=False))
    blocks.append(render_chart("charge", T("ch_charge") + (T("chart_cut", k=CHART_MAX_BARS)
                                                          if len(charge) > CHART_MAX_BARS else ""),
                               chart_module.charge_bars, charge.head(CHART_MAX_BARS)))
    blocks.append(table("sentencing_by_charge", T("ch_charge"), [
        Column("charge", T("c_charge"), "text", 2.5), Column("flags", T("c_flags"), "int"),
        Column("high", T("c_high"), "int")], charge, in_documents=False))  # documents: the chart, with counts
    sections.append(Section("charts", T("s_charts"), blocks))

    # ---------------------------------------------------------------- 7. disparity audit
    audit = figures.disparity_audit()
    status = audit["status"]
    blocks = []
    if status == "flags":
        blocks.append(Paragraph(T("disp_flags")))
        audit_rows = _flag_rows(audit["flags"], lang, titles, names)
        blocks.append(table("disparity", T("s_disparity"), [
            Column("subject", T("c_subject"), "text", 2.0), Column("level", T("c_level"), "text", 0.95, nowrap=True),
            Column("score", T("c_score"), "score", 0.95), Column("explanation", T("c_explanation"), "text", 6.0),
            Column("status", T("c_status"), "text", 1.45)], audit_rows, document_rows=None))
    elif status == "none_found":
        blocks.append(Paragraph(T("disp_none")))
        blocks.append(Paragraph(T("disp_caveat"), "note"))
    elif status in ("skipped", "failed"):
        blocks.append(Paragraph(T(f"disp_{status}", note=audit["note"] or T("unknown"))))
    else:
        blocks.append(Paragraph(T(f"disp_{status}")))
    if audit["note"] and status in ("flags", "none_found"):
        note = audit["note"] if lang == "en" else audit_note_zh(audit["note"])
        blocks.append(Paragraph(T("disp_note", note=note), "note"))
    sections.append(Section("disparity", T("s_disparity"), blocks))

    # ---------------------------------------------------------------- 8. data quality
    quality = figures.data_quality()
    quality_frame = quality.assign(
        table_name=[T(f"t_{v}") for v in quality["table_name"]],
        column_name=[v if isinstance(v, str) and v else T("whole_row") for v in quality["column_name"]])
    if lang == "zh":  # the import words its reasons in English: the Chinese briefing prints them in Chinese
        quality_frame = quality_frame.assign(reason_original=quality_frame["reason"],
                                             reason=[reason_zh(r) for r in quality_frame["reason"]])
    blocks = [Paragraph(T("quality_intro"), "note")]
    if not scope.all_courts:
        blocks.append(Paragraph(T("quality_scope"), "note"))
    if quality.empty:
        blocks.append(Paragraph(T("quality_none")))
    blocks.append(table("data_quality", T("s_quality"), [
        Column("table_name", T("c_table"), "text", 1.5), Column("column_name", T("c_column"), "text", 1.3),
        Column("reason", T("c_reason"), "text", 4.0), Column("rows", T("c_rows"), "int"),
        Column("problems", T("c_problems"), "int"),
        *([Column("reason_original", T("c_reason_original"))] if lang == "zh" else [])],
        quality_frame, in_documents=not quality.empty,
        document_keys=["table_name", "column_name", "reason", "rows", "problems"],
        document_rows=DOCUMENT_MAX_ROWS,
        note=T("rows_cut", n=len(quality_frame), k=DOCUMENT_MAX_ROWS) if len(quality_frame) > DOCUMENT_MAX_ROWS else None))
    sections.append(Section("quality", T("s_quality"), blocks))

    # ---------------------------------------------------------------- 9. method
    sections.append(Section("method", T("s_method"), _method_blocks(figures, lang, court_name, titles, table)))

    # ---------------------------------------------------------------- summary sheet
    summary = table("summary", T("sh_summary"), [Column("indicator", T("c_indicator"), "text", 2.0),
                                                 Column("current", T("h_current"), "auto"),
                                                 Column("previous", T("h_previous"), "auto"),
                                                 Column("change", T("h_change"), "auto_change")],
                    pd.concat([pd.DataFrame({"indicator": [T("c_court"), *[k for k, _ in cover], T("c_scope")],
                                             "current": [court_name, *[v for _, v in cover], scope_line],
                                             "previous": None, "change": None, "_kind": "text"}),
                               headline_frame], ignore_index=True), document_rows=None)

    for section in sections:  # say so where documents leave all-zero rows out
        for block in section.blocks:
            if isinstance(block, Table) and block.hide_zero_rows and block.hidden_rows():
                block.note = f"{block.note} {T('zero_rows_hidden')}" if block.note else T("zero_rows_hidden")

    return Brief(lang=lang, title=T("title"), court_id=scope.court_id, court_name=redactor.text(court_name),
                 period_code=period.code, period_label=period.label(lang), cover=cover + [("", scope_line)],
                 notice=notice(lang), sections=sections, summary=summary, run_id=str(run["run_id"]),
                 generated_at=generated_at, front=[_redacted(s, redactor) for s in front], masthead=masthead,
                 appendix_title=T("appendix"))


_AUDIT_NOTE = re.compile(r"^(?P<tests>\d+) court × attribute tests in (?P<courts>\d+) courts, (?P<flagged>\d+) "
                         r"court\(s\) flagged; (?P<skipped>\d+) defendant\(s\) with an attribute unknown not used;\s*"
                         r"(?:province-wide: (?P<province>.*))?$")
_AUDIT_EFFECT = re.compile(r"(?P<attribute>[a-z_]+) (?P<effect>[+-]\d+(?:\.\d+)?)% \(p=(?P<p>[0-9.e+-]+)\)")
_AUDIT_ATTRIBUTES = {"female": "女性", "minority": "少数民族", "non_local": "非本地户籍"}


def audit_note_zh(note: str) -> str:
    """The disparity audit's run note (its detector writes English) in Chinese; a note of another form is not
    printed in English in a Chinese briefing: it is referred to the model cards."""
    match = _AUDIT_NOTE.match(note.strip())
    if not match:
        return t("disp_note_elsewhere", "zh")
    text = t("disp_note_zh", "zh", tests=match["tests"], courts=match["courts"], flagged=match["flagged"],
             skipped=match["skipped"])
    effects = [f"{_AUDIT_ATTRIBUTES.get(e['attribute'], e['attribute'])} {e['effect']}%（p={e['p']}）"
               for e in _AUDIT_EFFECT.finditer(match["province"] or "")]
    if effects and all(e["attribute"] in _AUDIT_ATTRIBUTES for e in _AUDIT_EFFECT.finditer(match["province"])):
        text += t("disp_note_province", "zh", effects="、".join(effects))
    return text


def _redacted(section: Section, redactor: Redactor) -> Section:
    """The first page's sentences through the redactor too (their tables already went through `table`)."""
    blocks = [Points(b.title, [redactor.text(x) for x in b.items], b.dense) if isinstance(b, Points) else b
              for b in section.blocks]
    return Section(section.key, section.title, blocks)


def _method_blocks(figures: Figures, lang: str, court_name: str, titles: dict[str, str], table) -> list:
    def T(key, **values):
        return t(key, lang, **values)

    period, run, previous = figures.period, figures.run, figures.period.previous()
    blocks = [
        Paragraph(T("method_period", run=run["run_id"], as_of=f"{run['as_of']:%Y-%m-%d}",
                    start=f"{period.start:%Y-%m-%d}", end=f"{period.end:%Y-%m-%d}", prev=previous.label(lang))),
        Paragraph(T("method_scope_all") if figures.scope.all_courts else
                  T("method_scope_single" if len(figures.scope.court_ids) == 1 else "method_scope", court=court_name)),
        Paragraph(T("method_termination")),
        Paragraph(T("method_review")),
        Paragraph(_front_rules(lang)),
        Paragraph(T("method_registry_note"), "note"),
    ]
    status = figures.detector_status().set_index("detector")
    rows = []
    for detector in detector_info.detectors():
        st = status.loc[detector.name] if detector.name in status.index else None
        run_status = T(f"status_{st['status']}") if st is not None and f"status_{st['status']}" in _STATUS_KEYS \
            else (str(st["status"]) if st is not None else T("status_absent"))
        rows.append({
            "detector": detector.name, "title": titles.get(detector.name, detector.name),
            "category": T(detector.category), "status": run_status,
            "ran": st is not None and st["status"] in ("ok", "incremental", "carried"),
            "full_run": st is not None and st["status"] == "ok",
            "kind": detector.kind,
            "period_flags": int(st["period_flags"]) if st is not None else 0,
            "standing_flags": int(st["standing_flags"]) if st is not None else 0,
            "legal_basis": detector.legal_basis or "—"})
    blocks += _method_notes(rows, lang, table)
    blocks.append(Paragraph(notice(lang), "notice"))
    return blocks


def _method_notes(rows: list[dict], lang: str, table) -> list:
    """The briefing's notes on the detectors: what each kind of warning means, then one line of method and one of
    limits per detector (method_notes.py), not the registry's model-card text (the dashboard's model cards)."""
    def T(key, **values):
        return t(key, lang, **values)

    kind_notes = method_notes.kind_notes(lang)
    kinds = [k for k in kind_notes if any(r["kind"] == k for r in rows)]
    kind_frame = pd.DataFrame({"kind": [kind_notes[k][0] for k in kinds], "text": [kind_notes[k][1] for k in kinds]})
    entries = []
    for r in rows:
        found = method_notes.note(r["detector"], lang)
        method, limits = found if found else (method_notes.missing(lang), "—")
        # a detector that did not run in full says what it did (skipped, failed, carried, incremental): the
        # reader of a briefing after a nightly incremental run must see which warnings are the last full run's
        title = r["title"] if r["full_run"] else (f"{r['title']}（{r['status']}）" if lang == "zh"
                                                   else f"{r['title']} ({r['status']})")
        kind = kind_notes.get(r["kind"], (r["kind"], ""))[0]
        # the kind leads the method text: a column of its own would cost the notes a third of their width
        entries.append({"detector": r["detector"], "title": title, "category": r["category"], "kind": kind,
                        "status": r["status"], "period_flags": r["period_flags"],
                        "standing_flags": r["standing_flags"], "method": method, "limitations": limits,
                        "document_method": f"【{kind}】{method}" if lang == "zh" else f"[{kind}] {method}",
                        "legal_basis": r["legal_basis"]})
    frame = pd.DataFrame(entries)
    return [
        table("method_kinds", T("method_kinds"), [Column("kind", T("c_kind"), "text", 1.0, nowrap=lang == "zh"),
                                                  Column("text", T("c_text"), "text", 7.0)],
              kind_frame, document_rows=None, in_xlsx=False),
        # documents: title, method, limits (the counts per detector are in 二、预警分布); the XLSX: everything
        table("method", T("method_list"), [
            Column("title", T("c_detector"), "text", 2.0),
            Column("document_method", T("c_method_basis"), "text", 4.0),
            Column("limitations", T("c_limits_main"), "text", 4.0),
            Column("detector", "detector"), Column("category", T("c_category")),
            Column("kind", T("c_kind")), Column("status", T("c_run_status")),
            Column("period_flags", T("c_period_flags"), "int"),
            Column("standing_flags", T("c_standing_flags"), "int"),
            Column("method", T("c_method")), Column("legal_basis", T("c_legal_basis"))],
            frame, document_rows=None, sheet=T("s_method"),
            document_keys=["title", "document_method", "limitations"]),
    ]


_STATUS_KEYS = {"status_ok", "status_skipped", "status_failed", "status_incremental", "status_carried"}


# ----------------------------------------------------------------------------------------------- the first page

def _courts_text(courts: list[dict], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(t("court_count", lang, name=c["name"], n=fmt(c["n"], "int", lang)) for c in courts)


def _category_word(category: str, lang: str) -> str:
    word = t(category, lang)
    return word if lang == "zh" else word.lower()


def point_text(point: summary_module.Point, lang: str, titles: dict[str, str]) -> str:
    """One problem of the first page in words, with the figures it rests on."""
    v, rule = point.values, point.rule

    def n(x):
        return fmt(x, "int", lang)

    def pct(x):
        return fmt(x, "pct", lang)

    if rule == "volume":
        if not v["flags"]:
            return t("p_volume_none", lang, previous=n(v["previous"]))
        change = v["change"]
        word = t("change_up", lang, n=n(change)) if change > 0 else \
            t("change_down", lang, n=n(-change)) if change < 0 else t("change_same", lang)
        return t("p_volume", lang, flags=n(v["flags"]), previous=n(v["previous"]), change=word, high=n(v["high"]),
                 high_share=pct(v["high_share"]))
    if rule == "rise":
        category = _category_word(v.get("category", ""), lang) if v.get("category") else ""
        if not v["previous"]:
            return t("p_rise_from_none", lang, flags=n(v["flags"]), category=category,
                     category_flags=n(v.get("category_flags", 0)))
        return t("p_rise", lang, share=pct(v["share"]), previous=n(v["previous"]), flags=n(v["flags"]),
                 category=category, category_previous=n(v.get("category_previous", 0)),
                 category_flags=n(v.get("category_flags", 0)))
    if rule == "category_rise":
        category = _category_word(v["category"], lang)
        if lang == "en":
            category = category[:1].upper() + category[1:]
        if not v["previous"]:
            return t("p_category_rise_from_none", lang, category=category, flags=n(v["flags"]))
        return t("p_category_rise", lang, category=category, share=pct(v["share"]), previous=n(v["previous"]),
                 flags=n(v["flags"]))
    if rule == "high_category":
        return t("p_high_category", lang, high=n(v["high"]), category=_category_word(v["category"], lang),
                 n=n(v["n"]), share=pct(v["share"]), detector=titles.get(v["detector"], v["detector"]),
                 detector_n=n(v["detector_n"]))
    if rule == "high_courts":
        return t("p_high_courts", lang, courts=_courts_text(v["courts"], lang))
    if rule == "review_share":
        return t("p_review_share", lang, reviewed=n(v["reviewed"]), share=pct(v["share"]),
                 previous_share=pct(v["previous_share"]), target=fmt(v["target"], "pct0", lang))
    if rule == "overdue":
        courts = t("p_overdue_courts", lang, courts=_courts_text(v["courts"], lang)) if v["courts"] else ""
        return t("p_overdue", lang, days=n(v["days"]), total=n(v["total"]), period=n(v["period"]),
                 standing=n(v["standing"]), high=n(v["high"]), courts=courts)
    if rule == "standing":
        if v["unreviewed"] == v["standing"]:
            return t("p_standing_all", lang, standing=n(v["standing"]))
        return t("p_standing", lang, standing=n(v["standing"]), unreviewed=n(v["unreviewed"]))
    if rule == "quiet":
        return t("p_quiet", lang, target=fmt(v["target"], "pct0", lang), days=n(v["days"]))
    raise ValueError(f"no words for rule {rule!r}")


def action_text(action: summary_module.Point, lang: str) -> str:
    """One suggestion of the first page: a step for people to take, never a finding."""
    v, rule = action.values, action.rule
    sep = "、" if lang == "zh" else ", "
    if rule == "overdue":
        courts = sep.join(c["name"] for c in v.get("courts") or []) or t("a_overdue_scope", lang)
        return t("a_overdue", lang, courts=courts, days=fmt(v["days"], "int", lang), total=fmt(v["total"], "int", lang))
    if rule == "high_category":
        return t("a_high_category", lang, category=_category_word(v["category"], lang), n=fmt(v["n"], "int", lang))
    if rule in ("rise", "category_rise"):
        if v.get("category"):
            return t("a_rise", lang, category=_category_word(v["category"], lang))
        return t("a_rise_any", lang)
    if rule == "review_share":
        return t("a_review_share", lang, target=fmt(v["target"], "pct0", lang))
    if rule == "standing":
        return t("a_standing", lang, unreviewed=fmt(v["unreviewed"], "int", lang))
    if rule in ("quiet", "caution"):
        return t(f"a_{rule}", lang)
    raise ValueError(f"no words for suggestion {rule!r}")


# What the first page holds besides the fixed parts (masthead, headings, trend, notes): printed lines of
# problems and suggestions plus rows of the by-court table — measured on the A4 PDF (10 pt, 169 mm lines).
FIRST_PAGE_LINES = {"zh": 20, "en": 22}
_LINE_CHARACTERS = {"zh": 45, "en": 88}


def _lines(texts: list[str], lang: str) -> int:
    width = _LINE_CHARACTERS.get(lang, 45)
    return sum(-(-len(text) // width) for text in texts)


def _quarter_label(row: dict, lang: str, as_of: dt.date) -> str:
    year, quarter = int(row["quarter"][:4]), int(row["quarter"][-1])
    label = f"{year}年{'一二三四'[quarter - 1]}季度" if lang == "zh" else f"Q{quarter} {year}"  # short: a narrow column
    if row["partial"]:  # the period's own quarter is printed in bold (trend_note says so)
        label += t("trend_partial", lang, as_of=f"{as_of:%Y-%m-%d}")
    return label


def _front_sections(figures: Figures, page: summary_module.FirstPage, lang: str, titles: dict[str, str],
                    table, chart) -> tuple[list[Section], Table | None]:
    """The first page's sections, and the full by-court table for the appendix when the page shows a part."""
    from . import charts as chart_module

    def T(key, **values):
        return t(key, lang, **values)

    today, days = f"{page.today:%Y-%m-%d}", page.settings.review_deadline_days
    problems = [point_text(p, lang, titles) for p in page.points]
    actions = [action_text(a, lang) for a in page.actions]
    # the page must hold: every printed line of problems and suggestions costs the by-court table a court;
    # when they leave fewer than four courts, they are set a size smaller (dense), which gives back a sixth
    lines = _lines(problems + actions, lang)
    dense = FIRST_PAGE_LINES[lang] - lines < 4
    if dense:
        lines = -(-lines * 5 // 6)
    points_frame = pd.DataFrame({
        "rank": [*range(1, len(problems) + 1), *range(1, len(actions) + 1)],
        "kind": [T("kind_problem")] * len(problems) + [T("kind_action")] * len(actions),
        "text": problems + actions,
        "rule": [p.rule for p in page.points] + [a.rule for a in page.actions]})
    sections = [Section("points", T("s_points"), [
        Points(T("points_problems"), problems, dense), Points(T("points_actions"), actions, dense),
        Paragraph(T("points_note"), "note"),
        table("points", T("sh_points"), [Column("kind", T("c_kind")), Column("rank", T("c_rank"), "int"),
                                         Column("text", T("c_text")), Column("rule", T("c_rule"))],
              points_frame, in_documents=False, sheet=T("sh_points")),
    ])]

    trend = page.trend
    trend_frame = trend.assign(label=[_quarter_label(r, lang, figures.run["as_of"]) for r in trend.to_dict("records")],
                               _emph=trend["in_period"].to_numpy())
    trend_table = table("trend", T("s_trend"), [
        Column("label", T("c_quarter"), "text", 1.7), Column("flags", T("c_flags"), "int", 1.2),
        Column("high", T("c_of_high"), "int", 1.1), Column("reviewed", T("c_reviewed"), "int", 1.0),
        Column("reviewed_share", T("c_reviewed_share"), "pct", 1.0), Column("unreviewed", T("c_unreviewed"), "int", 1.0),
        Column("overdue", T("c_overdue"), "int", 1.0)], trend_frame, document_rows=None,
        document_keys=["label", "flags", "high", "reviewed_share", "unreviewed", "overdue"])
    trend_chart = chart("trend", T("ch_trend"), chart_module.trend_bars, trend_frame)
    trend_chart.width_cm = 7.5
    sections.append(Section("trend", T("s_trend"), [
        Row([trend_table, trend_chart], (2.0, 1.0)),
        Paragraph(T("trend_note", today=today, days=days), "note")]))

    backlog = page.backlog
    columns = [Column("name", T("c_court"), "text", 2.8), Column("flags", T("c_period_flags_short"), "int", 1.1),
               Column("unreviewed", T("c_unreviewed_period"), "int", 1.1),
               Column("overdue", T("c_overdue_period"), "int", 1.0),
               Column("standing_unreviewed", T("c_standing_unreviewed"), "int", 1.1),
               Column("standing_overdue", T("c_standing_overdue"), "int", 1.0)]
    xlsx_columns = [Column("court_id", T("c_court_id"), "text", 1.0, nowrap=True), *columns[:1],
                    Column("flags", T("c_period_flags_short"), "int"), Column("high", T("c_of_high"), "int"),
                    Column("reviewed", T("c_reviewed"), "int"), *columns[2:4],
                    Column("standing", T("c_standing"), "int"), *columns[4:]]
    several = len(figures.scope.court_ids) > 1
    total = pd.DataFrame([{"court_id": None, "name": T("backlog_total"), **page.backlog_total, "_emph": True}])
    frame = pd.concat([total, backlog.assign(_emph=False)], ignore_index=True) if several and len(backlog) > 1 \
        else backlog.assign(_emph=False)
    k = max(2, min(summary_module.FIRST_PAGE_COURTS, FIRST_PAGE_LINES[lang] - lines))
    has_total = len(frame) > len(backlog)
    shown = k + has_total if len(backlog) > k + 1 else None  # cutting one court would save nothing
    notes = [T("backlog_note", days=days, today=today)]
    if shown:
        notes.insert(0, T("backlog_cut", k=k, n=len(backlog)))
    blocks = [Paragraph(T("backlog_none"))] if backlog.empty else []
    blocks.append(table("backlog", T("s_backlog"), xlsx_columns, frame, document_rows=shown,
                        document_keys=[c.key for c in columns], in_documents=not backlog.empty,
                        note=" ".join(notes) if not backlog.empty else None, sheet=T("s_backlog")))
    if backlog.empty:
        blocks.append(Paragraph(T("backlog_note", days=days, today=today), "note"))
    sections.append(Section("backlog", T("s_backlog"), blocks))
    appendix_copy = table("backlog_all", T("t_backlog_all"), xlsx_columns, frame, document_rows=None,
                          document_keys=[c.key for c in columns], in_xlsx=False) if shown else None
    return sections, appendix_copy


def _front_rules(lang: str) -> str:
    settings = summary_module.BriefingSettings.load()
    return t("method_front", lang, rise_min=settings.rise_min, rise_share=fmt(settings.rise_share, "pct0", lang),
             target=fmt(settings.review_share_target, "pct0", lang), days=settings.review_deadline_days)
