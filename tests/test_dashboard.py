"""The dashboard driven through Streamlit's AppTest: every page, its main interactions and its empty states.

A small province (scale 0.3, seed 77) is generated, imported and detected once for the module; each test
points COURTWATCH_DB at it and COURTWATCH_OPS_URL at its own SQLite operational store, so dispositions
recorded by one test are not seen by another.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import shared_province
from streamlit.testing.v1 import AppTest

from courtwatch.dashboard.i18n import CATALOG, t
from courtwatch.detectors.registry import DETECTORS
from courtwatch.storage.opsstore import OpsStore

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
EXPORT = dt.date(2024, 12, 31)
# The signed-in session most tests use: an administrator who sees every court (tests/test_dashboard_access.py
# signs in through the form and checks the other roles and scopes).
ADMIN = {"username": "admin.test", "display_name": "测试管理员", "role": "admin", "court_ids": [], "scope": None}
PAGES = ["overview", "flags", "flag_detail", "judge", "court", "data_quality", "model_cards", "review_list"]
# A page by its url path → its file under dashboard/pages/ (app.py keeps the two different on purpose).
PAGE_FILES = {"overview": "supervision_overview", "flags": "flag_list", "judge": "judge_profile", "court": "court_profile"}


def page_path(page: str) -> str:
    """What AppTest.switch_page takes for a page named by PAGES."""
    return f"pages/{PAGE_FILES.get(page, page)}.py"
TIMEOUT = 60


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from courtwatch.pipeline.runs import load_flags

    db = shared_province(tmp_path_factory)
    con = duckdb.connect(str(db), read_only=True)
    names = [n for (n,) in con.execute("SELECT name FROM judges WHERE name IS NOT NULL AND length(name) >= 2").fetchall()]
    con.close()
    return {"db": db, "flags": load_flags(db), "names": names}


@pytest.fixture(scope="module")
def imported_only(tmp_path_factory):
    """A database with an import (one bad row quarantined) and no detection run."""
    from helpers import case, small_import

    from courtwatch.pipeline.ingest import ingest

    root = tmp_path_factory.mktemp("dash_no_run")
    small_import(root / "import", cases=[
        case("(2023)浙0102刑初1号", closed_on="2023-03-01", close_method="judgment"),
        case("(2023)浙0102刑初2号", filed_on="2023-02-30"),  # no such date: quarantined
    ])
    db = root / "cw.duckdb"
    ingest(root / "import", db=db, export_date=EXPORT)
    return db


@pytest.fixture
def use_db(monkeypatch, tmp_path):
    """Point the dashboard at a database (and a fresh operational store); returns the store."""
    def point(db) -> OpsStore:
        from courtwatch.access import auth
        url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
        monkeypatch.setenv("COURTWATCH_DB", str(db))
        monkeypatch.setenv("COURTWATCH_OPS_URL", url)
        ops = OpsStore.open(url=url)
        # every rerun re-reads the signed-in account, so the session the tests start with needs one
        auth.add_user(ops, ADMIN["username"], ADMIN["display_name"], ADMIN["role"], [], None)
        return ops
    return point


def new_app(user: dict | None = ADMIN) -> AppTest:
    """An AppTest session, signed in as `user` (None: an anonymous visitor)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["signed_in"] = dict(user)
        at.session_state["last_seen"] = dt.datetime.now()
    return at


def open_page(page: str | None = None, user: dict | None = ADMIN, **query) -> AppTest:
    at = new_app(user)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page and page != "overview":
        at.switch_page(page_path(page)).run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, alerts, titles, metric labels and values)."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def flags_total(at: AppTest) -> int:
    return int({m.label: m.value for m in at.metric}[t("flags_total", "zh")].replace(",", ""))


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def some_flag(province, detector: str | None = None) -> dict:
    flags = province["flags"]
    if detector:
        flags = flags[flags["detector"] == detector]
    return flags.iloc[0].to_dict()


# ---------------------------------------------------------------- every page


def walk(at: AppTest):
    """Visit every page in one session (the overview has just run); yields (page, at) after each page runs."""
    for page in PAGES:
        if page != "overview":
            at.switch_page(page_path(page)).run()
        yield page, at


def test_every_page_renders_without_error(province, use_db):
    use_db(province["db"])
    for page, at in walk(open_page()):
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.title, f"{page} has a title"
        if page in ("overview", "flags", "flag_detail", "model_cards"):
            assert t("notice", "zh") in texts(at), f"{page} shows flags, so it carries the warning notice"


def test_overview_shows_counts_charts_and_freshness(province, use_db):
    use_db(province["db"])
    at = open_page("overview")
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("flags_total", "zh")] == f"{len(province['flags']):,}"
    assert metrics[t("as_of", "zh")] == "2024-12-31"
    assert metrics[t("share_reviewed", "zh")] == "0%"
    shown = texts(at)
    for key in ("chart_by_category", "chart_by_month", "chart_by_court", "chart_outcomes", "chart_funnel", "chart_heatmap"):
        assert t(key, "zh") in shown, key
    assert t("month_rule", "zh") in shown, "the overview states how flags are dated"


def test_overview_says_when_the_last_run_was_incremental(province, use_db, tmp_path):
    from courtwatch.pipeline.runs import detect

    db = tmp_path / "cw.duckdb"
    shutil.copy(province["db"], db)
    run = detect(db, since=dt.date(2024, 12, 1))
    use_db(db)
    at = open_page("overview")
    no_exception(at)
    shown = texts(at)
    assert "增量检测" in shown and "2024-12-01" in shown, "a president sees that judge-level warnings date from the full run"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("flags_total", "zh")] == f"{len(run.flags):,}"
    cards = open_page("model_cards")
    no_exception(cards)
    shown = texts(cards)
    assert t("status_carried", "zh") in shown and t("status_incremental", "zh") in shown


def test_overview_court_choice_includes_subordinate_courts(province, use_db):
    use_db(province["db"])
    at = open_page("overview")
    total = flags_total(at)
    at.multiselect(key="w_courts").select("浙01").run()
    no_exception(at)
    flags = province["flags"]
    in_hangzhou = flags["court_id"].fillna("").str.match(r"^浙01").sum()
    assert flags_total(at) == in_hangzhou < total, "浙01 means the intermediate court and every basic court under it"


def test_overview_period_choice_narrows_the_flags(province, use_db):
    use_db(province["db"])
    at = open_page("overview")
    at.selectbox(key="w_period_from").set_value("2024-12")
    at.run()
    no_exception(at)
    flags = province["flags"]
    assert 0 < flags_total(at) < len(flags)


# ---------------------------------------------------------------- flags list


def test_flags_table_filters_by_category_and_level(province, use_db):
    use_db(province["db"])
    at = open_page("flags")
    table = at.dataframe[0].value
    assert len(table) == len(province["flags"])
    at.multiselect(key="w_categories").select("enforcement").run()
    at.multiselect(key="w_levels").select("high").run()
    no_exception(at)
    table = at.dataframe[0].value
    expected = province["flags"].query("category == 'enforcement' and level == 'high'")
    assert len(table) == len(expected) > 0
    assert set(table[t("col_level", "zh")]) == {t("level_high", "zh")}
    assert set(table["flag_id"]) == set(expected["flag_id"])


def test_flags_list_opens_sorted_by_priority(province, use_db):
    """Level first (detectors/triage.py), then statistical strength: a president reads from the top."""
    use_db(province["db"])
    at = open_page("flags")
    table = at.dataframe[0].value
    order = {t(f"level_{lv}", "zh"): i for i, lv in enumerate(("high", "medium", "low"))}
    ranks = table[t("col_level", "zh")].map(order).tolist()
    assert ranks == sorted(ranks) and ranks[0] == 0
    score = dict(zip(province["flags"]["flag_id"], province["flags"]["score"]))
    first_high = table[table[t("col_level", "zh")] == t("level_high", "zh")]["flag_id"].map(score).tolist()
    assert first_high == sorted(first_high, reverse=True)


def test_flag_detail_says_what_the_score_means(province, use_db):
    use_db(province["db"])
    model = some_flag(province, "sentence_deviation")
    at = open_page(flag=model["flag_id"])
    assert "统计强度" in texts(at)
    rule = some_flag(province, "zb_no_online_inquiry")
    at = open_page(flag=rule["flag_id"])
    assert "分数不表示程度" in texts(at)


def test_flags_free_text_finds_a_case_and_no_match_says_so(province, use_db):
    use_db(province["db"])
    flag = some_flag(province, "zb_no_online_inquiry")
    at = open_page("flags")
    at.text_input(key="w_text").input(flag["case_id"]).run()
    no_exception(at)
    assert flag["flag_id"] in set(at.dataframe[0].value["flag_id"])
    at.text_input(key="w_text").input("不存在的案号zzz").run()
    no_exception(at)
    assert not at.dataframe
    assert t("no_match", "zh") in texts(at)


def click_cell(at: AppTest, table, row: int, column: str) -> None:
    """What a click on one cell of a single-cell-selection table sends."""
    at.session_state[table.key] = {"selection": {"rows": [], "columns": [], "cells": [[row, column]]}}


def test_clicking_a_cell_opens_its_flag(province, use_db):
    """No checkbox column (it suggested a multi-select): a click on any cell of a row opens that row's flag,
    whose URL names it; back on the list, the same flag opens again with another click."""
    ops = use_db(province["db"])
    at = open_page("flags")
    table = at.dataframe[0]
    assert list(table.proto.selection_mode) == [table.proto.SelectionMode.SINGLE_CELL]
    clicked = table.value["flag_id"].iloc[2]
    click_cell(at, table, 2, t("col_court", "zh"))
    at.run()
    no_exception(at)
    assert at.title[0].value == t("page_flag", "zh")
    assert at.query_params["flag"] == clicked, "the detail page's URL names the flag, so a reload comes back to it"
    assert [r["target"] for r in ops.audit_rows() if r["action"] == "view_flag"] == [clicked]
    del at.query_params["flag"]  # the page's link back to the list opens /flags (AppTest keeps the old query)
    at.switch_page(page_path("flags")).run()
    no_exception(at)
    assert at.title[0].value == t("page_flags", "zh"), "the kept selection does not bounce back to the flag"
    click_cell(at, at.dataframe[0], 2, t("col_explanation", "zh"))
    at.run()
    assert at.title[0].value == t("page_flag", "zh") and at.query_params["flag"] == clicked


def test_flags_table_fits_beside_the_sidebar_at_1400_px(province, use_db):
    """Every shown column has a width, together no wider than the main area at 1400 px (≈ 920 px), rows tall
    enough to wrap; the explanation is cut, in full on the flag page."""
    import json

    from courtwatch.dashboard import labels, widgets
    use_db(province["db"])
    at = open_page("flags")
    table = at.dataframe[0]
    config = json.loads(table.proto.columns)
    shown = [c for c in table.value.columns if c != "flag_id"]
    assert config["flag_id"]["hidden"] is True
    widths = {c: config[c]["width"] for c in shown}
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= 920, widths
    assert table.proto.row_height > 64, "Streamlit wraps cell text only in rows taller than 4rem"
    limit = labels.EXPLANATION_CHARS["zh"]
    assert all(len(text) <= limit for text in table.value[t("col_explanation", "zh")])
    long = next(f for f in province["flags"].to_dict("records") if len(f["explanation"]) > 60)
    row = table.value.index[table.value["flag_id"] == long["flag_id"]][0]
    cut = table.value[t("col_explanation", "zh")].iloc[row]
    assert cut.endswith("…") and long["explanation"].startswith(cut[:-1]) and len(cut) <= limit
    for key in widgets.FLAG_TABLE_WIDTHS:
        assert key in CATALOG
    assert "col_case_or_subject_help" in CATALOG and "col_explanation_help" in CATALOG


def test_flags_page_takes_filters_chosen_elsewhere(province, use_db):
    """A click on an overview chart stores the choice; the flags page opens with it."""
    use_db(province["db"])
    at = new_app()
    at.session_state["choice_categories"] = ["integrity"]
    at.run()
    at.switch_page(page_path("flags")).run()
    no_exception(at)
    assert at.multiselect(key="w_categories").value == ["integrity"]
    assert set(at.dataframe[0].value["flag_id"]) == set(province["flags"].query("category == 'integrity'")["flag_id"])


def test_flags_review_filter_uses_dispositions(province, use_db):
    ops = use_db(province["db"])
    flag = some_flag(province)
    ops.record_disposition(flag["flag_id"], "dismiss", "record corrected", "审查员甲")
    at = open_page("flags")
    at.multiselect(key="w_review").select("dismiss").run()
    no_exception(at)
    assert list(at.dataframe[0].value["flag_id"]) == [flag["flag_id"]]


# ---------------------------------------------------------------- flag detail and dispositions


def test_flag_detail_by_url_explains_and_records_the_view(province, use_db):
    ops = use_db(province["db"])
    flag = some_flag(province, "sentence_deviation")
    at = open_page(flag=flag["flag_id"])
    no_exception(at)
    shown = texts(at)
    assert flag["explanation"] in shown
    assert t("legal_basis", "zh") in shown
    assert t("chart_similar", "zh") in shown, "a sentencing flag with peers shows the sentence among them"
    assert t("notice", "zh") in shown
    views = [r for r in ops.audit_rows() if r["action"] == "view_flag" and r["target"] == flag["flag_id"]]
    assert len(views) == 1
    at.run()  # a rerun of the same page is not a second view
    assert len([r for r in ops.audit_rows() if r["action"] == "view_flag"]) == 1


@pytest.mark.parametrize("detector,marker", [
    ("termination_rate", "chart_funnel_judge"),
    ("judge_lawyer_affinity", "chart_pair"),
    ("zb_no_online_inquiry", "rule_no_peers"),
])
def test_flag_detail_draws_the_comparison_that_fits(province, use_db, detector, marker):
    if detector not in set(province["flags"]["detector"]):
        pytest.skip(f"the sample raised no {detector} flag")
    use_db(province["db"])
    at = open_page(flag=some_flag(province, detector)["flag_id"])
    no_exception(at)
    assert t(marker, "zh") in texts(at)


def test_flag_detail_shows_timeline_and_related_flags(province, use_db):
    use_db(province["db"])
    flags = province["flags"]
    shared = flags.dropna(subset=["case_id"]).groupby("judge_id").filter(lambda g: len(g) > 1)
    flag = shared.iloc[0].to_dict()
    at = open_page(flag=flag["flag_id"])
    no_exception(at)
    shown = texts(at)
    assert t("timeline", "zh") in shown
    assert t("no_related", "zh") not in shown
    related = [df.value for df in at.dataframe if t("col_relation", "zh") in df.value.columns]
    assert related and t("rel_judge", "zh") in set(related[0][t("col_relation", "zh")])


def test_a_related_flag_opens_by_a_click_on_its_row(province, use_db):
    """The flag page's other flags on the same case, judge or lawyer: no checkbox column, widths that fit at
    1400 px, and a click on a cell opens that flag."""
    import json
    ops = use_db(province["db"])
    flags = province["flags"]
    shared = flags.dropna(subset=["case_id"]).groupby("judge_id").filter(lambda g: len(g) > 1)
    flag = shared.iloc[0].to_dict()
    at = open_page(flag=flag["flag_id"])
    table = next(df for df in at.dataframe if t("col_relation", "zh") in df.value.columns)
    assert list(table.proto.selection_mode) == [table.proto.SelectionMode.SINGLE_CELL]
    config = json.loads(table.proto.columns)
    assert sum(config[c]["width"] for c in table.value.columns if c != "flag_id") <= 920
    other = table.value["flag_id"].iloc[0]
    assert other != flag["flag_id"]
    click_cell(at, table, 0, t("col_detector", "zh"))
    at.run()
    no_exception(at)
    assert at.query_params["flag"] == other and at.title[0].value == t("page_flag", "zh")
    assert other in texts(at)  # the page now shows the related flag (its id in the ids line)
    views = [r["target"] for r in ops.audit_rows() if r["action"] == "view_flag"]  # newest first
    assert views == [other, flag["flag_id"]]


def test_unknown_flag_says_so(province, use_db):
    use_db(province["db"])
    at = open_page(flag="Fnosuchflag00000")
    no_exception(at)
    assert t("flag_not_found", "zh", flag_id="Fnosuchflag00000") in texts(at)


def test_disposition_needs_a_decision_and_a_reason_and_records_the_signed_in_reviewer(province, use_db):
    ops = use_db(province["db"])
    flag = some_flag(province, "zb_no_restriction_order")
    at = open_page(flag=flag["flag_id"])
    no_exception(at)
    assert at.radio(key="decision").value is None, "no decision is chosen for the reviewer"
    # a reason but no decision: refused
    at.text_area(key="reason").input("卷宗中无限制消费令。")
    _submit(at)
    assert t("need_decision", "zh") in [e.value for e in at.error]
    # a decision but an empty reason: refused
    at.radio(key="decision").set_value("escalate")
    at.text_area(key="reason").input("   ")
    _submit(at)
    assert t("need_reason", "zh") in [e.value for e in at.error]
    assert ops.history(flag["flag_id"]) == []
    # both: recorded under the signed-in account, shown in the history with the person's name
    at.radio(key="decision").set_value("escalate")
    at.text_area(key="reason").input("卷宗中无限制消费令，已报执行局复核。")
    _submit(at)
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    history = ops.history(flag["flag_id"])
    assert [(h["decision"], h["decided_by"]) for h in history] == [("escalate", ADMIN["username"])]
    table = [df.value for df in at.dataframe if t("col_who", "zh") in df.value.columns][0]
    assert list(table[t("col_who", "zh")]) == [ADMIN["display_name"]], "the name, not the login"
    assert list(table[t("col_decision", "zh")]) == [t("review_escalate", "zh")]
    ok, _ = ops.verify_audit()
    assert ok


def test_a_second_identical_submission_in_the_same_view_is_refused(province, use_db):
    ops = use_db(province["db"])
    flag = some_flag(province, "zb_no_online_inquiry")
    at = open_page(flag=flag["flag_id"])

    def send(decision: str, reason: str) -> None:
        at.radio(key="decision").set_value(decision)
        at.text_area(key="reason").input(reason)
        _submit(at)
        no_exception(at)

    send("confirm_concern", "查控记录缺失属实。")
    assert t("recorded", "zh", decision=t("review_confirm_concern", "zh")) in [m.value for m in at.success]
    send("confirm_concern", "查控记录缺失属实。")  # the same form sent again (a double click, a script)
    assert t("already_recorded", "zh") in [e.value for e in at.error]
    assert len(ops.history(flag["flag_id"])) == 1
    at.run()  # a rerun of the page is still the same view
    send("confirm_concern", "查控记录缺失属实。")
    assert len(ops.history(flag["flag_id"])) == 1
    # a further disposition is a deliberate act: a new view
    at.button(key="record_another").click().run()
    send("needs_information", "需调取查控回执。")
    assert [h["decision"] for h in ops.history(flag["flag_id"])] == ["confirm_concern", "needs_information"]
    # leaving the flag and coming back is a new view too
    del at.query_params["flag"]  # a link to the list carries no flag
    at.switch_page(page_path("flags")).run()
    assert at.title[0].value == t("page_flags", "zh")
    at.query_params["flag"] = flag["flag_id"]
    at.switch_page("pages/flag_detail.py").run()
    assert at.radio(key="decision").value is None
    send("dismiss", "已补录查控回执，排除。")
    assert [h["decision"] for h in ops.history(flag["flag_id"])][-1] == "dismiss"


def _submit(at: AppTest) -> None:
    submit = [b for b in at.button if b.label == t("record", "zh")]
    assert submit, "the disposition form has its submit button"
    submit[0].click().run()


def test_disposition_follows_the_flag_into_a_later_run(province, use_db, tmp_path):
    from courtwatch.pipeline.runs import detect

    db = tmp_path / "rerun.duckdb"
    shutil.copyfile(province["db"], db)
    ops = use_db(db)
    flag = some_flag(province, "zb_no_online_inquiry")
    ops.record_disposition(flag["flag_id"], "confirm_concern", "查控记录缺失属实", "审查员丙")
    detect(db)  # a new run: same finding, same flag id
    at = open_page("flags")
    at.multiselect(key="w_review").select("confirm_concern").run()
    no_exception(at)
    assert list(at.dataframe[0].value["flag_id"]) == [flag["flag_id"]]


# ---------------------------------------------------------------- switches


def test_ai_assistance_off_hides_flags_everywhere(province, use_db):
    use_db(province["db"])
    flag = some_flag(province, "sentence_deviation")
    at = open_page()
    at.toggle(key="w_assistance").set_value(False).run()
    off = t("assistance_off", "zh")
    assert off in texts(at) and t("flags_total", "zh") not in texts(at)
    for page in ("flags", "flag_detail"):
        at.switch_page(page_path(page)).run()
        no_exception(at)
        assert off in texts(at)
        assert not at.dataframe and flag["explanation"] not in texts(at)
    at.query_params["judge"] = flag["judge_id"]
    at.switch_page(page_path("judge")).run()
    no_exception(at)
    assert off in texts(at)
    assert t("rates_vs_peers", "zh") in texts(at), "plain case data stays browsable"
    assert all("flag_id" not in df.value.columns for df in at.dataframe), "no flag table on the profile"
    at.switch_page("pages/data_quality.py").run()
    no_exception(at)
    assert at.dataframe, "import records stay browsable"


def test_language_switch_to_english(province, use_db):
    use_db(province["db"])
    flag = some_flag(province, "zb_no_online_inquiry")
    at = open_page()
    at.radio(key="w_language").set_value("English").run()
    no_exception(at)
    assert at.title[0].value == "Overview"
    assert t("notice", "en") in texts(at)
    at.query_params["flag"] = flag["flag_id"]
    at.switch_page("pages/flag_detail.py").run()
    no_exception(at)
    shown = texts(at)
    assert "Flag detail" in shown and "No online property inquiry" in shown
    assert t("legal_basis", "en") in shown


def test_names_are_masked_on_every_page(province, use_db):
    use_db(province["db"])
    names = province["names"]
    flag = some_flag(province, "termination_rate") if "termination_rate" in set(province["flags"]["detector"]) \
        else some_flag(province)
    at = open_page(flag=flag["flag_id"])
    seen = [texts(at)]
    for page in ("overview", "flags", "judge", "court"):
        if page == "judge":
            at.query_params["judge"] = flag["judge_id"]
        at.switch_page(page_path(page)).run()
        no_exception(at)
        seen.append(texts(at))
        seen += [df.value.to_csv() for df in at.dataframe]
        seen += [s.value or "" for s in at.selectbox]
    page_text = "\n".join(seen)
    assert "**" in page_text, "masked names (张**) are shown"
    leaked = [n for n in names if n in page_text]
    assert not leaked, f"unmasked judge names shown: {leaked[:3]}"


# ---------------------------------------------------------------- profiles, data quality, model cards


def test_judge_profile_by_url_shows_caseload_rates_and_flags(province, use_db):
    use_db(province["db"])
    flag = some_flag(province, "zb_no_online_inquiry")
    at = open_page("judge", judge=flag["judge_id"])
    no_exception(at)
    assert at.selectbox(key="w_judge").value == flag["judge_id"]
    rates = at.dataframe[0].value
    assert t("metric_zb_share", "zh") in set(rates[t("col_metric", "zh")])
    assert any(flag["flag_id"] in set(df.value.get("flag_id", [])) for df in at.dataframe)


def test_court_profile_by_url(province, use_db):
    use_db(province["db"])
    flag = some_flag(province)
    at = open_page("court", court=flag["court_id"])
    no_exception(at)
    assert at.selectbox(key="w_court").value == flag["court_id"]
    assert t("rates_vs_peers", "zh") in texts(at)
    assert at.dataframe


def test_model_cards_cover_every_registered_detector(province, use_db):
    use_db(province["db"])
    at = open_page("model_cards")
    no_exception(at)
    labels = " ".join(e.label for e in at.expander)
    for detector in DETECTORS:
        assert f"`{detector.name}`" in labels
    assert t("card_thresholds", "zh") in texts(at)


def test_model_card_thresholds_are_the_typed_settings_the_run_used():
    """A statistical card lists fields of the Settings dataclasses its detector's code uses, with the values of
    the run's configuration; a key that configuration lacks (a run stored before the key existed) is shown
    as unknown, neither dropped nor filled from today's config.toml."""
    import copy
    import dataclasses

    from courtwatch.core.config import Config, load_config
    from courtwatch.dashboard.data_cards import detector_thresholds, settings_classes

    config = load_config()
    statistical = [d for d in DETECTORS if getattr(d, "rule", None) is None]
    assert statistical
    for detector in statistical:
        classes = settings_classes(detector)
        assert classes, f"{detector.name}: no typed settings found"
        expected = {}
        for cls in classes:
            expected.update(dataclasses.asdict(cls.from_config(config)))
        shown = detector_thresholds(detector, config)
        assert len(shown) >= 2 and "false_discovery_rate" in shown, (detector.name, shown)
        for key, value in shown.items():
            assert key in expected, (detector.name, key)
            assert value == (list(expected[key]) if isinstance(expected[key], tuple) else expected[key]), (detector.name, key)
    sentencing = next(d for d in statistical if d.name == "sentence_deviation")
    older = copy.deepcopy(config.values)
    older["stats"]["sentencing_similar_cases"] = 9  # what this run used, not today's 5
    del older["stats"]["sentencing_max_leverage"]  # a run stored before the key existed
    shown = detector_thresholds(sentencing, Config(older, source="run R1"))
    assert shown["sentencing_similar_cases"] == 9
    assert "sentencing_max_leverage" in shown and shown["sentencing_max_leverage"] is None


# ---------------------------------------------------------------- empty states


def test_no_database_shows_a_message_not_a_traceback(use_db, tmp_path):
    use_db(tmp_path / "missing" / "cw.duckdb")
    for page, at in walk(open_page()):
        assert not at.exception, (page, [e.value for e in at.exception])
        if page != "model_cards":  # the cards describe the registered detectors, database or not
            assert t("no_db", "zh") in texts(at), page


def test_database_without_a_run(imported_only, use_db):
    use_db(imported_only)
    for page, at in walk(open_page()):
        assert not at.exception, (page, [e.value for e in at.exception])
        if page in ("overview", "flags", "flag_detail"):
            assert t("no_run", "zh") in texts(at), page


def test_data_quality_lists_quarantined_rows(imported_only, use_db):
    use_db(imported_only)
    at = open_page("data_quality")
    no_exception(at)
    files, held = at.dataframe[0].value, at.dataframe[1].value
    assert files[t("col_quarantined", "zh")].sum() == 1
    assert list(held[t("col_column", "zh")]) == ["filed_on"]
    assert held[t("col_row", "zh")].iloc[0] == 3


def test_filters_that_match_nothing_show_a_message(province, use_db):
    use_db(province["db"])
    at = new_app()
    at.session_state["choice_period_from"] = "2022-01"
    at.session_state["choice_period_to"] = "2022-01"
    at.session_state["choice_courts"] = ["浙1121"]
    at.run()
    no_exception(at)
    assert t("no_match", "zh") in texts(at)
    for page in ("flags", "judge", "court"):
        at.switch_page(page_path(page)).run()
        no_exception(at)


# ---------------------------------------------------------------- the catalog


def test_every_string_key_the_dashboard_uses_is_in_the_catalog():
    root = APP.parent
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r"""\btr?\(\s*["']([a-z0-9_]+)["']\s*[,)]""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in CATALOG)
    assert not missing, missing
    for prefix, codes in {"cat_": ("sentencing", "enforcement", "integrity"), "level_": ("low", "medium", "high"),
                          "review_": ("unreviewed", "confirm_concern", "dismiss", "escalate", "needs_information"),
                          "subject_": ("defendant", "case", "judge", "court", "judge_lawyer"),
                          "status_": ("ok", "skipped", "failed"), "card_kind_": ("rule", "statistical"),
                          "role_": ("judge", "assistant", "enforcement_officer"),
                          "courtlevel_": ("basic", "intermediate", "high", "supreme"),
                          "rel_": ("case", "judge", "lawyer"), "src_": ("case", "enforcement", "events"),
                          "metric_": ("closed", "days_to_close", "extension_rate", "reversal_rate", "zb_share",
                                      "designated_share")}.items():
        assert all(prefix + c in CATALOG for c in codes), prefix
    assert all(zh and en for zh, en in CATALOG.values())


def test_no_page_url_names_a_file_under_pages():
    """A url path equal to a file's name under pages/ makes Streamlit run that file without app.py (the
    legacy pages/ folder), so a rerun would skip the sign-in and account checks (see app.py)."""
    import ast
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    specs = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                 if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PAGE_SPECS")
    stems = {p.stem for p in (APP.parent / "pages").glob("*.py")}
    assert {file for _, file, *_ in specs} <= {f"{s}.py" for s in stems}
    assert not {url for *_, url in specs} & stems


# ---------------------------------------------------------------- English without Chinese (issue 18 item 4)

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\U00020000-\U0002ffff]")
CASE_NUMBER = re.compile(r"[(（]\d{4}[)）][\u4e00-\u9fff]\d{0,4}[\u4e00-\u9fff]{1,3}\d+号")
MASKED_NAME = re.compile(r"[\u4e00-\u9fff]{1,2}\*\*")
LANGUAGE_SWITCH_ZH = "中文"  # the language switch names Chinese in Chinese, as language pickers do


@pytest.fixture(scope="module")
def recorded_words(province):
    """What an English page may show in Chinese because the record says it: court ids and names, charges
    and causes, and the courts' own notes in the event log (by case)."""
    con = duckdb.connect(str(province["db"]), read_only=True)
    words = {w for (w,) in con.execute(
        "SELECT court_id FROM courts UNION SELECT name FROM courts UNION SELECT charge FROM defendants "
        "UNION SELECT cause FROM cases").fetchall() if w}
    notes = {}
    for case_id, note in con.execute("SELECT case_id, note FROM events WHERE note IS NOT NULL").fetchall():
        notes.setdefault(case_id, set()).add(note)
    con.close()
    return {"words": words, "notes": notes}


def shown_everywhere(at: AppTest) -> str:
    """Every string a page puts before the reader: texts, tables (headers and cells), widget labels and
    options, expander labels, and the charts' titles, axes, legends, labels and hover texts."""
    import json
    parts = [texts(at)]
    for df in at.dataframe:
        parts += [str(c) for c in df.value.columns] + [df.value.astype(str).to_string()]
    for kind in ("button", "radio", "text_area", "text_input", "selectbox", "multiselect", "toggle", "expander",
                 "number_input"):
        for widget in getattr(at, kind):
            parts.append(str(getattr(widget, "label", "")))
            parts += [str(o) for o in getattr(widget, "options", []) or []]
    for chart in at.get("plotly_chart"):
        def strings(value):
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict):
                for key, item in value.items():
                    if key not in ("customdata", "family"):
                        yield from strings(item)
            elif isinstance(value, list):
                for item in value:
                    yield from strings(item)
        parts += list(strings(json.loads(chart.proto.spec)))
    return "\n".join(parts)


def chinese_left(text: str, allowed: set[str]) -> list[str]:
    """The Chinese an English page shows beyond names, case numbers, court names and ids, charges and causes,
    and notes quoted from the record."""
    text = CASE_NUMBER.sub(" ", text)
    text = MASKED_NAME.sub(" ", text)
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, " ")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


def english_page(**query) -> AppTest:
    at = new_app()
    at.session_state["choice_language"] = "English"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def test_english_flag_pages_hold_no_chinese_outside_names_and_case_numbers(province, use_db, recorded_words):
    """One flag of every detector the sample raised, its detail page in English; and the flag list."""
    use_db(province["db"])
    flags = province["flags"]
    leaks = {}
    for _, flag in flags.drop_duplicates("detector").iterrows():
        at = english_page(flag=flag["flag_id"])
        no_exception(at)
        assert at.title[0].value == "Flag detail"
        allowed = recorded_words["words"] | recorded_words["notes"].get(flag["case_id"], set()) | {ADMIN["display_name"],
                                                                                              LANGUAGE_SWITCH_ZH}
        left = chinese_left(shown_everywhere(at), allowed)
        if left:
            leaks[flag["detector"]] = left[:5]
    assert not leaks, "\n".join(f"{d}: {v}" for d, v in leaks.items())
    at = english_page()
    at.switch_page(page_path("flags")).run()
    no_exception(at)
    assert at.title[0].value == "Flags"
    left = chinese_left(shown_everywhere(at), recorded_words["words"] | {ADMIN["display_name"], LANGUAGE_SWITCH_ZH})
    assert not left, left[:10]


def test_every_detector_legal_basis_and_title_has_an_english_rendering():
    """A detector whose legal basis gains a citation not rendered in dashboard/labels.py fails here, rather than
    showing half-Chinese English."""
    from courtwatch.dashboard import labels
    for detector in DETECTORS:
        assert labels.legal_basis_en(detector.legal_basis), detector.name
        assert not CJK.search(labels.legal_basis_en(detector.legal_basis)), detector.name
        assert not CJK.search(labels.english(detector.title_en or "")), detector.name


# ---------------------------------------------------------------- pages that hold at one-court scope (issue 18 item 3)


def test_peer_figures_number_the_others_by_rank_and_show_only_their_rates():
    import pandas as pd

    from courtwatch.reporting import figures
    rows = pd.DataFrame({"is_this": [False, True, False, False, False], "flags": [9, 4, 4, 1, 3],
                         "high": [3, 1, 0, 0, 0], "closed_cases": [100, 100, 50, 100, 0]})
    peers, summary = figures.peer_courts(rows)
    assert list(peers["per_100"]) == [9.0, 8.0, 4.0, 1.0]  # a court that closed nothing is left out
    assert list(peers["peer_number"].astype("object").where(peers["peer_number"].notna(), None)) == [1, 2, None, 3]
    assert summary == {"rank": 3, "courts": 4, "per_100": 4.0, "peer_median": 8.0, "without_cases": 1}
    cells = pd.DataFrame({"is_this": [True, False, False, False, True], "charge": ["盗窃罪"] * 4 + ["诈骗罪"],
                          "defendants": [20, 10, 4, 30, 5], "flagged": [2, 3, 1, 0, 0]})
    out = figures.peer_sentencing_by_charge(cells, min_defendants=5)
    theft = out[out["charge"] == "盗窃罪"]
    assert list(theft["per_100"]) == [30.0, 10.0, 0.0] and list(theft["peers"]) == [2, 2, 2]
    assert theft.loc[~theft["is_this"], ["defendants", "flagged"]].isna().all().all(), "another court's counts stay hidden"
    assert list(out.loc[out["is_this"], "defendants"]) == [20, 5]


def test_month_axes_are_readable(province, use_db):
    """No upright category ticks: a date axis labelled 2024-03, horizontal, at most about eight ticks."""
    import pandas as pd

    from courtwatch.dashboard import charts
    months = [p.strftime("%Y-%m") for p in pd.period_range("2022-01", "2024-12", freq="M")]
    counts = pd.DataFrame({"month": months, "category": "enforcement", "n": 1})
    axis = charts.month_figure(counts).layout.xaxis
    assert axis.type == "date" and axis.tickformat == "%Y-%m" and axis.tickangle == 0
    assert 36 / int(axis.dtick[1:]) <= 8
    caseload = pd.DataFrame({"month": months, "filed": 2, "closed": 1})
    assert charts.caseload_figure(caseload, "x").layout.xaxis.tickformat == "%Y-%m"


def test_flag_pages_show_no_none_or_nan_cells(province, use_db):
    use_db(province["db"])
    for _, flag in province["flags"].drop_duplicates("detector").iterrows():
        at = open_page(flag=flag["flag_id"])
        no_exception(at)
        for df in at.dataframe:
            cells = df.value.astype(str)
            bad = cells.isin(["None", "nan", "NaN", "<NA>", "NaT"]).to_numpy().any()
            assert not bad, (flag["detector"], df.value.head().to_string())
        assert "None" not in texts(at), flag["detector"]


def test_overview_labels_the_data_date_and_the_run_date(province, use_db):
    use_db(province["db"])
    at = open_page("overview")
    metrics = {m.label: m for m in at.metric}
    assert metrics[t("as_of", "zh")].value == "2024-12-31"
    assert "数据" in t("as_of", "zh") and "运行" in t("last_run", "zh") and "Run date" == t("last_run", "en")
    run = metrics[t("last_run", "zh")]
    assert run.value != metrics[t("as_of", "zh")].value
    assert "2024-12-31" in run.help, "the run date's help says what data it ran over"
