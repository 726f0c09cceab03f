"""Briefings (通报): every format read back against courtwatch.reporting.figures and direct SQL, scope, safety.

One small province (generator, scale 0.3, seed 55) is generated, imported and detected once for the
module. Before import, two planted 终本 cases of one basic court get hostile causes — a spreadsheet
formula (`=cmd|' /C calc'!A0`) and an HTML script tag — so the XLSX and HTML escaping are tested on data
that really reaches a briefing. Briefings are written for the year 2024 of that court's intermediate
court (PDF, DOCX, XLSX, HTML), for the basic court alone (HTML) and in English (HTML).
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from courtwatch.core.errors import UserError
from courtwatch.storage import store

PERIOD = "2024"
FORMULA = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert('cw')</script>"
SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "briefing-samples"
SAMPLE_PAGES = 6


def _rewrite_causes(folder: Path) -> dict:
    """Give two planted 终本 cases of one basic court hostile causes; return that court and the cases."""
    cases = pd.read_csv(folder / "cases.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(folder / "ground_truth.csv", dtype=str, keep_default_na=False)
    courts = pd.read_csv(folder / "courts.csv", dtype=str, keep_default_na=False)
    planted = truth[truth["detector"].str.startswith("zb_")].merge(cases[["case_id", "closed_on"]], on="case_id")
    planted = planted[planted["closed_on"].str.startswith(PERIOD)]
    counts = planted.groupby("court_id")["case_id"].nunique().sort_values(ascending=False, kind="stable")
    basic = counts.index[0]
    chosen = sorted(planted.loc[planted["court_id"] == basic, "case_id"].unique())
    assert len(chosen) >= 2, "the sample should plant two 终本 cases closed in 2024 in one court"
    hostile = {chosen[0]: FORMULA, chosen[1]: SCRIPT}
    cases["cause"] = [hostile.get(c, cause) for c, cause in zip(cases["case_id"], cases["cause"])]
    parent = courts.loc[courts["court_id"] == basic, "parent_id"].iloc[0]
    # rows the import must quarantine: two of this court (a bad date; a defendant of a case not in the
    # import) and one of a court outside the intermediate court's scope
    outside = courts[(courts["level"] == "basic") & (courts["parent_id"] != parent)]["court_id"].iloc[0]
    bad_cases = cases.iloc[[0, 0]].copy()
    bad_cases["case_id"] = [f"(2024){basic}民初99901号", f"(2024){outside}民初99902号"]
    bad_cases["court_id"] = [basic, outside]
    bad_cases["filed_on"] = "2024-13-45"
    bad_cases["closed_on"] = ""
    _write(folder / "cases.csv", pd.concat([cases, bad_cases], ignore_index=True))
    defendants = pd.read_csv(folder / "defendants.csv", dtype=str, keep_default_na=False)
    orphan = defendants.iloc[[0]].copy()
    orphan["defendant_id"], orphan["case_id"] = "D-ORPHAN-1", f"(2024){basic}刑初99903号"
    _write(folder / "defendants.csv", pd.concat([defendants, orphan], ignore_index=True))
    return {"basic": basic, "intermediate": parent, "formula_case": chosen[0], "script_case": chosen[1],
            "outside": outside}


def _write(path: Path, frame: pd.DataFrame) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(frame.columns)
        writer.writerows(frame.itertuples(index=False))


@pytest.fixture(scope="module")
def brief_env(tmp_path_factory):
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.reporting.briefing import write_brief
    from courtwatch.sample_data import generate
    from courtwatch.storage.opsstore import OpsStore

    root = tmp_path_factory.mktemp("briefing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURTWATCH_OPS_URL", f"sqlite:///{root / 'ops.sqlite'}")
        mp.setenv("COURTWATCH_USER", "test-briefing")
        generate(root / "import", scale=0.3, seed=55)
        picked = _rewrite_causes(root / "import")
        db = root / "cw.duckdb"
        ingest(root / "import", db=db, export_date=dt.date(2024, 12, 31))
        run = detect(db)
        ops = OpsStore.open()
        # two reviewed flags in the intermediate court's scope, so review figures are not all zero
        inter_flags = _direct_period_flags(db, run.run_id, picked["intermediate"])
        decided = inter_flags["flag_id"].tolist()[:2]
        for flag_id, decision in zip(decided, ("dismiss", "confirm_concern")):
            ops.record_disposition(flag_id, decision, "核查后记录", "reviewer-1", run_id=run.run_id)
        out = root / "out"
        files = {}
        for fmt in ("pdf", "docx", "xlsx", "html"):
            files[fmt] = write_brief(db, PERIOD, picked["intermediate"], fmt, out / f"inter.{fmt}")[0]
        files["basic_html"] = write_brief(db, PERIOD, picked["basic"], "html", out / "basic.html")[0]
        files["basic_xlsx"] = write_brief(db, PERIOD, picked["basic"], "xlsx", out / "basic.xlsx")[0]
        files["en_html"] = write_brief(db, PERIOD, picked["intermediate"], "html", out / "en.html", lang="en")[0]
        yield {"root": root, "db": db, "run": run, "files": files, "decided": decided, "ops": ops, **picked}


# ----------------------------------------------------------------------------------------------- helpers

SUBTREE = """
WITH RECURSIVE tree(court_id) AS (
    SELECT court_id FROM courts WHERE court_id = ?
    UNION SELECT c.court_id FROM courts c JOIN tree t ON c.parent_id = t.court_id)
"""


def _direct_period_flags(db, run_id: str, court_id: str, year: int = 2024) -> pd.DataFrame:
    """The period's flags by hand-written SQL (independent of queries/brief_*.sql)."""
    con = store.open_for_read(db)
    try:
        return con.execute(SUBTREE + """
            SELECT f.flag_id, f.category, f.level, f.case_id
            FROM flags f JOIN cases c ON c.case_id = f.case_id
            WHERE f.run_id = ? AND f.court_id IN (SELECT court_id FROM tree)
              AND f.subject_type NOT IN ('judge', 'court', 'judge_lawyer')
              AND year(coalesce(c.closed_on, c.filed_on)) = ?
            ORDER BY f.score DESC, f.flag_id""", [court_id, run_id, year]).df()
    finally:
        con.close()


def _figures(env, court_id, period=PERIOD):
    from courtwatch.reporting.figures import Figures
    con = store.open_for_read(env["db"])
    figures = Figures(con, period, court_id, dispositions=env["ops"].current())
    figures._scoped_flags  # load while the connection is open
    figures._termination_months
    return figures, con


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _docx_text(path: Path) -> str:
    import docx
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def _xlsx_cells(path: Path) -> list:
    import openpyxl
    workbook = openpyxl.load_workbook(str(path))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _xlsx_text(path: Path) -> str:
    return "\n".join(str(c.value) for c in _xlsx_cells(path) if c.value is not None)


def _html_text(path: Path) -> str:
    import html
    return html.unescape(re.sub(r"<[^>]+>", "\n", path.read_text(encoding="utf-8")))


def _out_of_scope(db, court_id):
    con = store.open_for_read(db)
    try:
        inside = set(con.execute(SUBTREE + "SELECT court_id FROM tree", [court_id]).df()["court_id"])
        courts = con.execute("SELECT court_id, name FROM courts").df()
        judges = con.execute("SELECT judge_id, court_id FROM judges").df()
    finally:
        con.close()
    outside = courts[~courts["court_id"].isin(inside)]
    return inside, outside, judges[~judges["court_id"].isin(inside)]["judge_id"].tolist()


def _assert_no_other_court(text: str, outside: pd.DataFrame, other_judges: list[str], where: str) -> None:
    flat = re.sub(r"\s+", "", text)  # PDF text breaks lines inside table cells
    for court_id, name in zip(outside["court_id"], outside["name"]):
        assert name not in flat, f"{where}: another court's name {name}"
        if len(court_id) > 1:  # the high court's code 浙 is also the province's first character
            assert not re.search(rf"(?<![\d]){re.escape(court_id)}(?!\d)", flat), f"{where}: another court's code {court_id}"
        else:
            assert not re.search(rf"[)）]{re.escape(court_id)}[刑民执行]", flat), f"{where}: a case of court {court_id}"
    for judge_id in other_judges:
        assert not re.search(rf"(?<![\w]){re.escape(judge_id)}(?!\w)", text), f"{where}: another court's judge {judge_id}"


# ----------------------------------------------------------------------------------------------- tests

def test_periods_parse_and_step_back():
    from courtwatch.reporting.figures import Period
    june, q2, year = Period.parse("2024-06"), Period.parse("2024-Q2"), Period.parse("2024")
    assert (june.start, june.end) == (dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    assert (q2.start, q2.end) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert (year.start, year.end) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert Period.parse("2024-01").previous().code == "2023-12"
    assert Period.parse("2024-Q1").previous().code == "2023-Q4"
    assert year.previous().code == "2023"
    assert Period.parse("2024-02").end == dt.date(2024, 2, 29)
    assert [p.label("zh") for p in (june, q2, year)] == ["2024年6月", "2024年第二季度", "2024年"]
    assert [p.label("en") for p in (june, q2, year)] == ["June 2024", "Q2 2024", "2024"]
    assert Period.parse("2024-12").label("zh") == "2024年12月"
    for bad in ("2024-13", "2024-Q5", "24", "2024-6-1", "last month"):
        with pytest.raises(UserError):
            Period.parse(bad)


def test_figures_equal_direct_sql(brief_env):
    figures, con = _figures(brief_env, brief_env["intermediate"])
    try:
        direct = _direct_period_flags(brief_env["db"], brief_env["run"].run_id, brief_env["intermediate"])
        previous = _direct_period_flags(brief_env["db"], brief_env["run"].run_id, brief_env["intermediate"], 2023)
        head = figures.headline_dict()
        assert len(direct) > 0
        assert head["flags"]["current"] == len(direct)
        assert head["flags"]["previous"] == len(previous)
        assert set(figures.period_flags()["flag_id"]) == set(direct["flag_id"])
        for category in ("sentencing", "enforcement", "integrity"):
            assert head[f"flags_{category}"]["current"] == int((direct["category"] == category).sum())
        assert head["flags_high"]["current"] == int((direct["level"] == "high").sum())
        assert head["cases"]["current"] == direct["case_id"].nunique()
        assert head["reviewed"]["current"] == 2
        assert head["reviewed_share"]["current"] == pytest.approx(2 / len(direct))
        review = figures.review().set_index("decision")
        assert review.loc["dismiss", "flags"] == 1 and review.loc["confirm_concern", "flags"] == 1
        assert review["flags"].sum() == len(direct)
        # 终本 share by hand
        closed, terminated = con.execute(SUBTREE + """
            SELECT count(*), count(*) FILTER (WHERE close_method = 'terminated_this_round') FROM cases
            WHERE court_id IN (SELECT court_id FROM tree) AND case_type IN ('执', '执恢')
              AND year(closed_on) = 2024""", [brief_env["intermediate"]]).fetchone()
        total = figures.termination_share_total()
        assert (total["closed_cases"], total["terminated_this_round"]) == (closed, terminated)
        by_court = figures.by_court()
        assert by_court["flags"].sum() == len(direct)
        assert set(by_court["court_id"]) <= set(_out_of_scope(brief_env["db"], brief_env["intermediate"])[0])
    finally:
        con.close()
    with pytest.raises(UserError):
        _figures(brief_env, brief_env["intermediate"], "2025-03")
    with pytest.raises(UserError):
        _figures(brief_env, "no-such-court")


def test_xlsx_figures_types_and_layout(brief_env):
    import openpyxl
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    workbook = openpyxl.load_workbook(str(brief_env["files"]["xlsx"]))
    summary = workbook.worksheets[0]
    values = {row[0]: row[1:] for row in summary.iter_rows(min_row=2, values_only=True) if row[0]}
    head = figures.headline_dict()
    assert values["预警总数"][:2] == (head["flags"]["current"], head["flags"]["previous"])
    assert values["涉及案件数"][0] == head["cases"]["current"]
    assert values["审查率"][0] == pytest.approx(head["reviewed_share"]["current"])
    assert values["法院"][0] == figures.scope.name
    flags_sheet = workbook["本期预警明细"]
    header = [c.value for c in flags_sheet[1]]
    rows = list(flags_sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == head["flags"]["current"]
    ids = {r[header.index("预警编号")] for r in rows}
    assert ids == set(figures.period_flags()["flag_id"])
    first = rows[0]
    assert isinstance(first[header.index("评分")], (int, float))
    assert isinstance(first[header.index("计入日期")], dt.datetime)
    assert flags_sheet.cell(row=2, column=header.index("计入日期") + 1).number_format == "yyyy-mm-dd"
    termination = workbook[[n for n in workbook.sheetnames if n.startswith("各法院终本率")][0]]
    shares = [r[4] for r in termination.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(s, float) for s in shares)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert len(sheet.title) <= 31


def test_xlsx_formula_injection_comes_out_as_text(brief_env):
    for path in (brief_env["files"]["xlsx"], brief_env["files"]["basic_xlsx"]):
        cells = _xlsx_cells(path)
        assert not [c for c in cells if c.data_type == "f"], "no cell may be a formula"
        causes = [c for c in cells if c.value == "'" + FORMULA]
        assert causes, "the hostile cause must reach the briefing, neutralised"
        assert all(c.data_type == "s" for c in causes)
        assert not [c for c in cells if isinstance(c.value, str) and c.value[:1] in ("=", "+", "@", "-")]
    # and the raw file holds no <f> element at all
    import zipfile
    with zipfile.ZipFile(brief_env["files"]["xlsx"]) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_docx_figures_and_fonts(brief_env):
    import docx
    from docx.oxml.ns import qn
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    document = docx.Document(str(brief_env["files"]["docx"]))
    headline = next(t for t in document.tables if t.rows[0].cells[0].text == "指标")
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in headline.rows[1:]}
    head = figures.headline_dict()
    assert rows["预警总数"][:2] == [str(head["flags"]["current"]), str(head["flags"]["previous"])]
    assert rows["涉及案件数"][0] == str(head["cases"]["current"])
    assert rows["已审查预警"][0] == "2"
    text = _docx_text(brief_env["files"]["docx"])
    assert "本通报所列均为供人工审查的预警，不构成任何认定" in text
    assert figures.scope.name in text
    for style, east_asian in (("Normal", "宋体"), ("Heading 1", "黑体"), ("BriefTable", "宋体")):
        fonts = document.styles[style].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == east_asian, style
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None
    assert len(document.inline_shapes) >= 2  # charts


def test_pdf_is_chinese_with_embedded_noto_cjk(brief_env):
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    pdf = brief_env["files"]["pdf"]
    text = _pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)
    head = figures.headline_dict()
    assert "司法监督预警通报" in flat and figures.scope.name in flat
    assert f"共产生预警{head['flags']['current']}条（上期{head['flags']['previous']}条），涉及案件{head['cases']['current']}件" in flat
    assert "本通报所列均为供人工审查的预警，不构成任何认定" in flat
    assert "\ufffd" not in text and "□" not in text
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    assert han > 1000, "the PDF's text is Chinese"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "Noto" in line and "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), "Noto CJK must be embedded:\n" + fonts


@pytest.fixture(scope="module")
def sample_province(tmp_path_factory):
    """The province of docs/briefing-samples/: generated at scale 1 (seed 55), imported, detected; then an
    earlier run 45 days before is simulated (the flags of cases counted before 2024-11-01, and the standing
    ones, copied under an older run id), so warnings first seen then are overdue, and a few dispositions are
    recorded. Its 2024-Q4 briefing for every court is written in Chinese and English as PDF."""
    from courtwatch.pipeline.ingest import ingest
    from courtwatch.pipeline.runs import detect
    from courtwatch.reporting.briefing import write_brief
    from courtwatch.sample_data import generate
    from courtwatch.storage.opsstore import OpsStore

    root = tmp_path_factory.mktemp("samples")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURTWATCH_OPS_URL", f"sqlite:///{root / 'ops.sqlite'}")
        generate(root / "import", scale=1, seed=55)
        db = root / "cw.duckdb"
        ingest(root / "import", db=db, export_date=dt.date(2024, 12, 31))
        run = detect(db)
        with store.open_for_write(db) as con:
            con.execute("""INSERT INTO runs SELECT * REPLACE (run_id || '-earlier' AS run_id,
                               started_at - INTERVAL 45 DAY AS started_at, finished_at - INTERVAL 45 DAY AS finished_at)
                           FROM runs WHERE run_id = ?""", [run.run_id])
            con.execute("""INSERT INTO flags SELECT * REPLACE (run_id || '-earlier' AS run_id) FROM flags
                           WHERE run_id = ? AND flag_id IN (
                               SELECT f.flag_id FROM flags f LEFT JOIN cases c ON c.case_id = f.case_id
                               WHERE f.run_id = ? AND (c.case_id IS NULL OR f.subject_type IN ('judge', 'court', 'judge_lawyer')
                                                       OR coalesce(c.closed_on, c.filed_on) < DATE '2024-11-01'))""",
                        [run.run_id, run.run_id])
            reviewed = con.execute("""SELECT f.flag_id FROM flags f JOIN cases c ON c.case_id = f.case_id
                                      WHERE f.run_id = ? AND coalesce(c.closed_on, c.filed_on) >= DATE '2024-07-01'
                                      ORDER BY f.flag_id""", [run.run_id]).df()["flag_id"].tolist()[::3]
        ops = OpsStore.open()
        for n, flag_id in enumerate(reviewed):
            ops.record_disposition(flag_id, ("dismiss", "needs_information", "confirm_concern")[n % 3], "核查后记录",
                                   "reviewer-1", run_id=run.run_id)
        files = {lang: write_brief(db, "2024-Q4", None, "pdf", root / f"province-{lang}.pdf", lang=lang)[0]
                 for lang in ("zh", "en")}
        yield {"db": db, "files": files, "run": run}


def test_render_pdf_pages_for_people(sample_province):
    """Renders the sample province's 2024-Q4 briefing (every court) to docs/briefing-samples/: the Chinese
    pages 1–6 and the English pages 1–2. What was seen is in docs/briefings.md ("Sample pages")."""
    SAMPLES.mkdir(parents=True, exist_ok=True)
    for lang, pages in (("zh", SAMPLE_PAGES), ("en", 2)):
        for old in SAMPLES.glob(f"briefing-{lang}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", str(pages), str(sample_province["files"][lang]),
                        str(SAMPLES / f"briefing-{lang}")], check=True)
        written = sorted(SAMPLES.glob(f"briefing-{lang}-*.png"))
        assert len(written) == pages
        assert all(p.stat().st_size > 20_000 for p in written)
    # the Chinese method notes (the last pages, from the heading of 九、方法说明与局限): seen like the first pages
    zh = sample_province["files"]["zh"]
    total = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(zh)], capture_output=True, text=True,
                                                                check=True).stdout)[1])
    method_page = next(p for p in range(2, total + 1) if "九、方法说明与局限\n" in _pdf_page_text(zh, p))
    assert total - method_page + 1 <= 3, f"the method notes take {total - method_page + 1} pages"
    for old in SAMPLES.glob("briefing-zh-method-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", str(method_page), "-l", str(total), str(zh),
                    str(SAMPLES / "briefing-zh-method")], check=True)
    assert len(list(SAMPLES.glob("briefing-zh-method-*.png"))) == total - method_page + 1
    first = re.sub(r"\s+", "", _pdf_page_text(sample_province["files"]["zh"], 1))
    assert "超过30天仍未审查的预警" in first  # the simulated earlier run makes warnings overdue
    assert "主要问题和建议" not in _pdf_page_text(sample_province["files"]["zh"], 2)
    english = _pdf_page_text(sample_province["files"]["en"], 1)
    assert "Main problems and suggestions" in english and "waiting more than 30 days for review" in english


def test_one_court_briefing_holds_no_other_court(brief_env):
    for key, court in (("basic_html", brief_env["basic"]), ("basic_xlsx", brief_env["basic"]),
                       ("pdf", brief_env["intermediate"]), ("docx", brief_env["intermediate"]),
                       ("xlsx", brief_env["intermediate"]), ("html", brief_env["intermediate"])):
        path = brief_env["files"][key]
        text = {"pdf": _pdf_text, "docx": _docx_text, "xlsx": _xlsx_text}.get(path.suffix[1:], _html_text)(path)
        inside, outside, other_judges = _out_of_scope(brief_env["db"], court)
        assert len(outside) > 0
        _assert_no_other_court(text, outside, other_judges, f"{key} ({court})")
    basic_text = _html_text(brief_env["files"]["basic_html"])
    assert brief_env["formula_case"] in basic_text  # the court's own cases are there


def test_data_quality_is_scoped(brief_env):
    import openpyxl
    inter, con = _figures(brief_env, brief_env["intermediate"])
    quality = inter.data_quality()
    con.close()
    assert quality["rows"].sum() == 2, quality  # the two bad rows of the basic court, not the outside one
    assert set(quality["table_name"]) == {"cases", "defendants"}
    assert not quality["reason"].str.contains(brief_env["outside"], regex=False).any()
    from courtwatch.reporting.figures import Figures
    con = store.open_for_read(brief_env["db"])
    try:
        everything = Figures(con, PERIOD, None).data_quality()
    finally:
        con.close()
    assert everything["rows"].sum() == quality["rows"].sum() + 1
    sheet = openpyxl.load_workbook(str(brief_env["files"]["xlsx"]))["八、数据质量"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sum(r[3] for r in rows) == 2 and all(isinstance(r[3], int) for r in rows)


def test_charts_are_drawn_in_process_at_their_layout_size_with_a_chinese_font():
    """Charts come from matplotlib in this process (no browser): RGB PNGs (an alpha channel makes WeasyPrint
    split each into image and mask) at SCALE times their layout size, drawn with a CJK family."""
    import io

    from PIL import Image

    from courtwatch.reporting.briefing import charts
    assert any("CJK" in f or "Hei" in f or "Han" in f for f in charts.font_family())
    headline = pd.DataFrame({"indicator": ["flags_sentencing", "flags_enforcement"], "current": [3, 0],
                             "previous": [2, 5]})
    image = Image.open(io.BytesIO(charts.render(charts.category_bars(headline, "本期", "上期"))))
    assert image.mode == "RGB" and image.size == (charts.WIDTH * charts.SCALE, 380 * charts.SCALE)
    assert charts.category_bars(headline.assign(current=0, previous=0), "本期", "上期") is None


def test_redactor_removes_other_courts_from_free_text():
    from courtwatch.reporting.briefing.content import Redactor
    every = {"浙": "浙江省高级人民法院", "浙01": "杭州市中级人民法院", "浙0102": "杭州市上城区人民法院",
             "浙0105": "杭州市拱墅区人民法院"}
    redactor = Redactor({"浙0102": "杭州市上城区人民法院"}, every, "zh")
    text = redactor.text("与杭州市拱墅区人民法院(2023)浙0105执3号及浙01相比，(2023)浙0102执4号在浙江省属正常")
    assert "拱墅" not in text and "浙0105" not in text and "浙01相比" not in text
    assert "(2023)浙0102执4号" in text and "浙江省" in text


def test_pdf_embeds_its_charts_as_jpeg_and_lists_keep_their_markers(brief_env, tmp_path):
    """The PDF's charts are JPEGs (WeasyPrint embeds them as they are; a PNG it decodes and re-encodes), the
    HTML's PNGs (test_html_is_self_contained_and_escaped). The PDF is printed with WeasyPrint's user-agent
    sheet narrowed to the pseudo-elements a briefing shows (render_pdf.NARROWED_UA_RULES): list markers stay."""
    from weasyprint import HTML

    from courtwatch.reporting.briefing.render_pdf import html_class
    listing = subprocess.run(["pdfimages", "-list", str(brief_env["files"]["pdf"])], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing and all(line.split()[8] == "jpeg" for line in listing), listing
    assert html_class() is not HTML, "WeasyPrint's user-agent sheet changed: NARROWED_UA_RULES no longer apply"
    page = "<ol><li>甲项</li><li>乙项</li></ol><table><tr><td>丙项</td></tr></table>"
    texts = []
    for kind in (HTML, html_class()):
        kind(string=page).write_pdf(tmp_path / "list.pdf")
        texts.append(_pdf_text(tmp_path / "list.pdf"))
    assert texts[0] == texts[1] and "1." in texts[1] and "2." in texts[1]


def test_html_is_self_contained_and_escaped(brief_env):
    basic = brief_env["files"]["basic_html"].read_text(encoding="utf-8")
    assert "<script" not in basic.lower()
    assert "&lt;script&gt;" in basic  # the hostile cause is shown, as text
    raw = brief_env["files"]["html"].read_text(encoding="utf-8")
    assert "<script" not in raw.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", raw, re.I)
    assert "@import" not in raw and "url(http" not in raw and "@font-face" not in raw
    images = re.findall(r'<img[^>]+src="([^"]+)"', raw)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert "Content-Security-Policy" in raw
    assert "本通报所列均为供人工审查的预警，不构成任何认定" in raw


def test_english_briefing(brief_env):
    text = _html_text(brief_env["files"]["en_html"])
    assert "Judicial supervision briefing" in text
    assert "warning for human review; none of it is a finding" in text
    assert "一、总体情况" not in text
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    assert f"had {figures.headline_dict()['flags']['current']} warnings" in text


# Latin words a Chinese briefing may print: the names of methods and settings, and the XLSX version it refers to
LATIN_ALLOWED = {"XLSX", "ECOD", "Huber", "M", "Benjamini", "Hochberg", "stats", "false_discovery_rate", "briefing",
                 "review_deadline_days", "p"}


def _english_words(text: str, data: tuple[str, ...] = ()) -> set[str]:
    """Latin words outside ids (a run id, a judge's pseudonymous id, a case number hold digits), the import
    contract's table and column names (the data-quality section names the field) and the words of the given
    data values (the hostile causes)."""
    from courtwatch.core.contract import TABLES
    # the words of data values (a PDF's text interleaves table cells, so a value is not found whole)
    from_data = {w for value in data for w in re.findall(r"[A-Za-z_]+", value)}
    names = set(TABLES) | {c.name for table in TABLES.values() for c in table.columns}
    tokens = re.findall(r"[A-Za-z0-9_.\-]+", text)
    words = {w for tok in tokens if not re.search(r"\d", tok) for w in re.split(r"[.\-]", tok) if w}
    return {w for w in words if re.search("[A-Za-z]", w)} - LATIN_ALLOWED - names - from_data


def test_chinese_briefing_has_no_english_outside_names(brief_env):
    """Issue 18: a Chinese briefing is Chinese throughout — the method notes come from method_notes.py, not the
    registry's English, and the disparity audit's run note is put into Chinese."""
    for key in ("pdf", "docx", "html"):
        path = brief_env["files"][key]
        if key == "html":  # what a reader sees: the body, not the style sheet in the head
            import html
            body = re.sub(r"(?s)<head>.*?</head>", "", path.read_text(encoding="utf-8"))
            text = html.unescape(re.sub(r"<[^>]+>", "\n", body))
        else:
            text = {"pdf": _pdf_text, "docx": _docx_text}[key](path)
        words = _english_words(re.sub(r"\s+", " ", text), data=(FORMULA, SCRIPT))
        assert not words, f"{key}: English in the Chinese briefing: {sorted(words)[:30]}"
    text = _pdf_text(brief_env["files"]["pdf"])
    assert "各检测规则/模型" in text and "主要局限" in text
    assert "Deterministic rule" not in text and "Benjamini–Hochberg across" not in text


def test_missing_method_note_falls_back_to_the_chinese_title(brief_env, monkeypatch):
    """A detector registered without a Chinese note (a new one) is printed with its Chinese title and a pointer
    to the model cards — not its English text, and without failing the briefing."""
    from courtwatch.detectors.registry import DETECTORS
    from courtwatch.reporting.briefing import build_brief, method_notes
    dropped = DETECTORS[0]
    monkeypatch.setattr(method_notes, "NOTES", {k: v for k, v in method_notes.NOTES.items() if k != dropped.name})
    con = store.open_for_read(brief_env["db"])
    try:
        brief = build_brief(con, PERIOD, brief_env["intermediate"], "zh", dispositions=brief_env["ops"].current(),
                            charts=False)
    finally:
        con.close()
    method = next(t for t in brief.tables() if t.key == "method")
    row = method.frame[method.frame["detector"] == dropped.name].iloc[0]
    assert row["title"].startswith(dropped.title_zh)
    assert row["document_method"].endswith(method_notes.MISSING) and row["limitations"] == "—"
    others = method.frame[method.frame["detector"] != dropped.name]
    assert not others["document_method"].str.contains(method_notes.MISSING, regex=False).any()
    assert len(method.frame) == len(DETECTORS)


def test_disparity_audit_note_in_chinese():
    from courtwatch.reporting.briefing.content import audit_note_zh
    note = ("49 court × attribute tests in 37 courts, 1 court(s) flagged; 1512 defendant(s) with an attribute "
            "unknown not used; province-wide: female +1.0% (p=0.464), minority +2.6% (p=0.103), non_local +1.6% (p=0.0955)")
    zh = audit_note_zh(note)
    assert zh.startswith("共49项检验（37个法院 × 属性），1个法院被提示；1512名被告人")
    assert "女性 +1.0%（p=0.464）、少数民族 +2.6%（p=0.103）、非本地户籍 +1.6%（p=0.0955）" in zh
    assert audit_note_zh("a note of another form") == "本次运行说明见系统“模型说明”页。"


def test_disparity_audit_absent_is_said_so(brief_env, monkeypatch):
    from courtwatch.reporting import detector_info
    from courtwatch.reporting.briefing.content import Paragraph, build
    from courtwatch.reporting.figures import Figures
    con = store.open_for_read(brief_env["db"])
    try:
        figures = Figures(con, PERIOD, brief_env["intermediate"])
        status = figures._detector_status
        figures.__dict__["_detector_status"] = status[status["detector"] != "sentencing_disparity_audit"]
        monkeypatch.setattr(detector_info, "names", lambda: set())
        assert figures.disparity_audit()["status"] == "not_registered"
        brief = build(figures, charts=False)
    finally:
        con.close()
    section = next(s for s in brief.sections if s.key == "disparity")
    assert any(isinstance(b, Paragraph) and "尚未启用" in b.text for b in section.blocks)


def test_every_export_is_audited(brief_env, monkeypatch):
    from courtwatch.reporting.briefing import brief_bytes
    monkeypatch.setenv("COURTWATCH_OPS_URL", f"sqlite:///{brief_env['root'] / 'ops.sqlite'}")
    data, name = brief_bytes(brief_env["db"], PERIOD, brief_env["basic"], "html", actor="test-briefing")
    assert name == f"brief_{PERIOD}_{brief_env['basic']}.html" and data.startswith(b"<!DOCTYPE html>")
    rows = brief_env["ops"].audit_rows()
    assert any(r["target"] == f"download:{name}" for r in rows)
    exported = {r["target"] for r in rows if r["action"] == "export"}
    assert {str(p) for p in brief_env["files"].values()} <= exported
    assert all(r["actor"] == "test-briefing" for r in rows if r["action"] == "export")
    ok, message = brief_env["ops"].verify_audit()
    assert ok, message


def test_all_courts_writes_one_file_per_court(brief_env, tmp_path, monkeypatch):
    from courtwatch.reporting.briefing import write_brief
    monkeypatch.setenv("COURTWATCH_OPS_URL", f"sqlite:///{brief_env['root'] / 'ops.sqlite'}")
    paths = write_brief(brief_env["db"], "2024-06", brief_env["intermediate"], "xlsx", tmp_path / "all",
                        all_courts=True)
    inside, _, _ = _out_of_scope(brief_env["db"], brief_env["intermediate"])
    assert {p.name for p in paths} == {f"brief_2024-06_{c}.xlsx" for c in inside}
    assert all(p.parent == tmp_path / "all" and p.stat().st_size > 0 for p in paths)
    with pytest.raises(UserError):
        write_brief(brief_env["db"], "2024-Q2", None, "odt", tmp_path / "x.odt")


# ----------------------------------------------------------------------------------------------- the first page

def _pdf_page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def _html_part(path: Path, part: str) -> str:
    """The text of the first page (`front`) or of the appendix of an HTML briefing."""
    import html
    raw = path.read_text(encoding="utf-8")
    start = raw.index(f'<section class="{part}"')
    end = raw.index('<section class="appendix"') if part == "front" else len(raw)
    return html.unescape(re.sub(r"<[^>]+>", "\n", raw[start:end]))


def test_first_page_holds_problems_trend_and_backlog(brief_env):
    from courtwatch.reporting.briefing.summary import trend_quarters
    from courtwatch.reporting.figures import Period
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    first = re.sub(r"\s+", "", _pdf_page_text(brief_env["files"]["pdf"], 1))
    for heading in ("司法监督预警通报", "主要问题和建议", "主要问题", "建议", "季度趋势", "未审查和超期预警（按责任法院）",
                    "本通报所列均为供人工审查的预警，不构成任何认定"):
        assert heading in first, heading
    head = figures.headline_dict()
    assert f"本期共产生预警{head['flags']['current']}条，上期{head['flags']['previous']}条" in first
    assert f"审查率{head['reviewed_share']['current'] * 100:.1f}%" in first  # the two fixture dispositions
    assert "预警只是供人工审查的提示" in first  # the closing caution is always the last suggestion
    for quarter in trend_quarters(Period.parse(PERIOD)):
        assert f"{quarter.year}年{'一二三四'[quarter.number - 1]}季度" in first
    by_court = figures.by_court()
    busiest = by_court[by_court["flags"] > 0]["name"].iloc[0]
    assert busiest in first  # the court with most warnings is on the by-court table of page 1
    second = re.sub(r"\s+", "", _pdf_page_text(brief_env["files"]["pdf"], 2))
    assert "附录" in second and "详细数据" in second and "主要问题和建议" not in second  # the first page is one page
    # the same first page in Word and HTML
    docx_text = _docx_text(brief_env["files"]["docx"])
    assert docx_text.index("主要问题和建议") < docx_text.index("季度趋势") < docx_text.index("未审查和超期预警") \
        < docx_text.index("附录　详细数据") < docx_text.index("一、总体情况")
    front = re.sub(r"\s+", "", _html_part(brief_env["files"]["html"], "front"))
    assert "主要问题和建议" in front and "季度趋势" in front and "一、总体情况" not in front


def test_first_page_rules_name_their_figures(brief_env):
    """Each problem sentence carries the figure it rests on; suggestions are steps for people."""
    from courtwatch.reporting.briefing.content import action_text, point_text
    from courtwatch.reporting.briefing.summary import BriefingSettings, Point, actions_for
    settings = BriefingSettings.load()
    assert settings.review_deadline_days == 30
    points = [Point("volume", {"flags": 40, "previous": 20, "change": 20, "high": 6, "high_share": 0.15}),
              Point("rise", {"flags": 40, "previous": 20, "change": 20, "share": 1.0, "category": "enforcement",
                             "category_flags": 30, "category_previous": 12}),
              Point("high_category", {"high": 6, "category": "sentencing", "n": 4, "share": 4 / 6,
                                      "detector": "sentence_deviation", "detector_n": 3}),
              Point("review_share", {"reviewed": 8, "flags": 40, "share": 0.2, "target": 0.8, "previous_share": 0.5}),
              Point("overdue", {"total": 9, "period": 7, "standing": 2, "high": 1, "days": 30,
                                "courts": [{"court_id": "浙0102", "name": "甲法院", "n": 5}]})]
    zh = [point_text(p, "zh", {}) for p in points]
    assert zh[0] == "本期共产生预警40条，上期20条，增加20条；其中高强度预警6条，占15.0%。"
    assert "上升100.0%（20条→40条）" in zh[1] and "执行（终本）类（12条→30条）" in zh[1]
    assert "量刑类4条，占66.7%" in zh[2]
    assert "审查率20.0%（上期50.0%），低于80%" in zh[3]
    assert "超过30天仍未审查的预警9条（本期7条，常设预警2条），其中高强度1条；较多的是甲法院5条" in zh[4]
    actions = actions_for(points)
    assert [a.rule for a in actions] == ["overdue", "high_category", "rise", "review_share", "caution"]
    for lang in ("zh", "en"):
        words = [action_text(a, lang) for a in actions]
        assert "甲法院" in words[0]
        for text in words:  # actions for people, never a finding
            assert not re.search(r"存在问题|违法|违纪|确认|is a finding|found that|violat", text), text
    en = [point_text(p, "en", {}) for p in points]
    assert en[0] == "40 warnings this period (previous period: 20, 20 more); 6 high-strength (15.0%)."
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(en[:4]))


HAND_TODAY = dt.datetime(2025, 2, 20, 9, 0)
HOSTILE_COURT = "<script>alert('court')</script>中级人民法院"
FORMULA_COURT = "=cmd|' /C calc'!A0乙法院"


@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    """A database written by hand: three runs, five flags whose review state is known.

    R0 finished 2025-01-05 (46 days before HAND_TODAY), R1 2025-01-21 (exactly 30 days before), R2 2025-02-19
    (the run reported). fA (R0, R2, no disposition) is overdue; fB (R0, R2) has a disposition, so it is not;
    fC appears first in R2 (unreviewed, not overdue); fD first in R1 (deadline today: not yet overdue);
    fJ is a standing warning on a judge of 浙9902 since R0, with no disposition: overdue.
    """
    db = tmp_path_factory.mktemp("handmade") / "hand.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURTWATCH_OPS_URL", f"sqlite:///{db.parent / 'ops.sqlite'}")
        with store.open_for_write(db) as con:
            con.executemany("INSERT INTO courts (court_id, name, province, level, parent_id) VALUES (?, ?, '浙江', ?, ?)", [
                ("浙99", HOSTILE_COURT, "intermediate", None), ("浙9901", "甲法院", "basic", "浙99"),
                ("浙9902", FORMULA_COURT, "basic", "浙99")])
            con.executemany("INSERT INTO cases (case_id, court_id, cause, filed_on, closed_on, case_type, case_kind) "
                            "VALUES (?, ?, '借款合同纠纷', DATE '2024-09-01', DATE '2024-11-15', '执', 'enforcement')", [
                                ("(2024)浙9901执1号", "浙9901"), ("(2024)浙9901执2号", "浙9901"),
                                ("(2024)浙9901执3号", "浙9901"), ("(2024)浙9902执1号", "浙9902")])
            for run_id, finished in (("R0", "2025-01-05 10:00"), ("R1", "2025-01-21 10:00"), ("R2", "2025-02-19 10:00")):
                con.execute("INSERT INTO runs (run_id, started_at, finished_at, as_of, code_version, config, "
                            "data_fingerprint, flag_count, mode) VALUES (?, CAST(? AS TIMESTAMP) - INTERVAL 1 HOUR, "
                            "CAST(? AS TIMESTAMP), DATE '2024-12-31', 'test', '{}', 'x', 0, 'full')",
                            [run_id, finished, finished])
            flags = {"fA": ("case", "(2024)浙9901执1号", "浙9901", "high", ("R0", "R2")),
                     "fB": ("case", "(2024)浙9901执2号", "浙9901", "medium", ("R0", "R2")),
                     "fC": ("case", "(2024)浙9901执3号", "浙9901", "low", ("R2",)),
                     "fD": ("case", "(2024)浙9902执1号", "浙9902", "medium", ("R1", "R2")),
                     "fJ": ("judge", None, "浙9902", "medium", ("R0", "R1", "R2"))}
            for flag_id, (subject_type, case_id, court_id, level, runs) in flags.items():
                for run_id in runs:
                    con.execute("INSERT INTO flags VALUES (?, ?, 'enforcement', 'zb_no_inquiry', ?, ?, ?, ?, ?, 0.9, ?, "
                                "'终本前未查询财产', '{}')",
                                [flag_id, run_id, subject_type, case_id or "J-1", case_id,
                                 "J-1" if subject_type == "judge" else None, court_id, level])
        dispositions = {"fB": {"flag_id": "fB", "decision": "dismiss", "decided_at": dt.datetime(2025, 2, 1)}}
        yield {"db": db, "dispositions": dispositions}


def _hand_brief(handmade, lang="zh", court_id="浙99"):
    from courtwatch.reporting.briefing import build_brief
    con = store.open_for_read(handmade["db"])
    try:
        return build_brief(con, "2024-Q4", court_id, lang, dispositions=handmade["dispositions"], charts=False,
                           generated_at=HAND_TODAY)
    finally:
        con.close()


def test_overdue_counted_on_a_hand_made_case(handmade):
    from courtwatch.reporting.briefing.summary import first_page, first_seen
    from courtwatch.reporting.figures import Figures
    con = store.open_for_read(handmade["db"])
    try:
        figures = Figures(con, "2024-Q4", "浙99", dispositions=handmade["dispositions"])
        seen = first_seen(figures)
        page = first_page(figures, HAND_TODAY.date())
    finally:
        con.close()
    assert figures.run["run_id"] == "R2"
    assert seen["fA"] == pd.Timestamp("2025-01-05 10:00") and seen["fC"] == pd.Timestamp("2025-02-19 10:00")
    assert seen["fD"] == pd.Timestamp("2025-01-21 10:00")
    backlog = page.backlog.set_index("court_id")
    # 甲法院: fA overdue (46 days, no disposition); fB older still but reviewed; fC new
    assert backlog.loc["浙9901", ["flags", "reviewed", "unreviewed", "overdue"]].tolist() == [3, 1, 2, 1]
    # the other court: fD first seen exactly 30 days ago (due today, not overdue); fJ standing since R0: overdue
    assert backlog.loc["浙9902", ["flags", "unreviewed", "overdue", "standing_unreviewed", "standing_overdue"]].tolist() \
        == [1, 1, 0, 1, 1]
    assert page.backlog_total["overdue"] == 1 and page.backlog_total["standing_overdue"] == 1
    overdue = next(p for p in page.points if p.rule == "overdue")
    assert (overdue.values["total"], overdue.values["period"], overdue.values["standing"], overdue.values["high"]) \
        == (2, 1, 1, 1)
    trend = page.trend.set_index("quarter")
    assert trend.loc["2024-Q4", ["flags", "unreviewed", "overdue"]].tolist() == [4, 3, 1]
    assert trend.index.tolist() == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    # a day later fD is overdue too
    con = store.open_for_read(handmade["db"])
    try:
        later = first_page(Figures(con, "2024-Q4", "浙99", dispositions=handmade["dispositions"]),
                           HAND_TODAY.date() + dt.timedelta(days=1))
    finally:
        con.close()
    assert later.backlog.set_index("court_id").loc["浙9902", "overdue"] == 1


def test_html_escapes_a_court_named_script(handmade):
    from courtwatch.reporting.briefing.render_html import render
    brief = _hand_brief(handmade)
    html = render(brief)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(" in html  # printed as text: masthead, title, running header
    text = _html_part_from_string(html, "front")
    assert HOSTILE_COURT in text and "甲法院" in text


def _html_part_from_string(raw: str, part: str) -> str:
    import html
    start = raw.index(f'<section class="{part}"')
    end = raw.index('<section class="appendix"') if part == "front" else len(raw)
    return html.unescape(re.sub(r"<[^>]+>", " ", raw[start:end]))


def test_first_page_sheets_pass_the_formula_guard(handmade, tmp_path):
    import openpyxl

    from courtwatch.reporting.briefing import render
    path = render(_hand_brief(handmade), "xlsx", tmp_path / "hand.xlsx")
    workbook = openpyxl.load_workbook(str(path))
    assert workbook.sheetnames[:4] == ["概要", "主要问题和建议", "季度趋势", "未审查和超期预警（按责任法院）"]
    backlog = workbook["未审查和超期预警（按责任法院）"]
    names = [r[1] for r in backlog.iter_rows(min_row=2, values_only=True)]
    assert "'" + FORMULA_COURT in names and FORMULA_COURT not in names
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c for c in cells if isinstance(c.value, str) and c.value[:1] in ("=", "+", "@", "-")]
    points = list(workbook["主要问题和建议"].iter_rows(min_row=2, values_only=True))
    assert {"overdue", "caution"} <= {r[3] for r in points}


def test_appendix_has_no_all_zero_row(brief_env, handmade):
    """No table of the appendix prints a row whose figures are all zero, and the by-court table lists only
    courts with a warning; the XLSX keeps every court."""
    import openpyxl
    zero = {"0", "—", "0.0%", "0.00", "0.0个百分点", "0.0 pp"}
    for raw in (brief_env["files"]["html"].read_text(encoding="utf-8"), brief_env["files"]["en_html"].read_text(encoding="utf-8"),
                __import__("courtwatch.reporting.briefing.render_html", fromlist=["render"]).render(_hand_brief(handmade))):
        appendix = raw[raw.index('<section class="appendix"'):]
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", appendix, re.S)
        checked = 0
        for row in rows:
            numbers = re.findall(r'<td class="num">([^<]*)</td>', row)
            if numbers:
                checked += 1
                assert set(numbers) - zero, f"an all-zero row: {re.sub(r'<[^>]+>', ' ', row)}"
        assert checked > 5
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    by_court = figures.by_court()
    active = by_court[(by_court["flags"] > 0) | (by_court["standing"] > 0)]
    html = brief_env["files"]["html"].read_text(encoding="utf-8")
    table = re.search(r'<table data-table="by_court">.*?</table>', html, re.S).group(0)
    shown = re.findall(r'<td class="code">([^<]+)</td>', table)
    assert set(shown) == set(active["court_id"]) and len(active) < len(by_court)
    sheet = openpyxl.load_workbook(str(brief_env["files"]["xlsx"]))["按法院"]
    assert sheet.max_row - 1 == len(by_court)  # the spreadsheet keeps every court


def test_english_first_page(brief_env, handmade):
    figures, con = _figures(brief_env, brief_env["intermediate"])
    con.close()
    text = _html_part(brief_env["files"]["en_html"], "front")
    for heading in ("Main problems and suggestions", "Main problems", "Suggestions", "Quarterly trend",
                    "Unreviewed and overdue warnings by responsible court", "Q1 2024", "Q4 2024", "Bold: this period"):
        assert heading in text, heading
    for name in figures.scope.names.values():  # names are data; everything else is English
        text = text.replace(name, "")
    assert not re.findall(r"[\u4e00-\u9fff]+", text)
    brief = _hand_brief(handmade, "en")
    front = " ".join(" ".join(b.items) for s in brief.front for b in s.blocks if hasattr(b, "items"))
    assert "waiting more than 30 days for review" in front
    assert not re.findall(r"[\u4e00-\u9fff]+", front.replace(HOSTILE_COURT, "").replace("甲法院", "")
                          .replace(FORMULA_COURT, ""))
