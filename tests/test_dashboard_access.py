"""Sign-in, roles and scopes in the dashboard, driven as a person would through AppTest.

Accounts are real (Argon2 hashes in a SQLite operational store); each test signs in through the form,
then checks what that role may see. Out-of-scope court ids must appear nowhere on any page.
"""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from test_dashboard import APP, PAGES, TIMEOUT, no_exception, page_path, province, texts, use_db  # noqa: F401 (fixtures)

from courtwatch.access import auth
from courtwatch.dashboard.i18n import t

PASSWORD = "correct horse battery staple"


def sign_in(username: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.text_input(key="sign_in_user").input(username)
    at.text_input(key="sign_in_password").input(password)
    [b for b in at.button if b.label == t("sign_in", "zh")][0].click().run()
    return at


def everything_shown(at: AppTest) -> str:
    """Text plus every table's cells, so a court id in a table counts as shown."""
    tables = " ".join(df.value.astype(str).to_string() for df in at.dataframe)
    return texts(at) + " " + tables


@pytest.fixture
def accounts(province, use_db):
    ops = use_db(province["db"])
    con = duckdb.connect(str(province["db"]), read_only=True)
    basics = [r[0] for r in con.execute(
        "SELECT court_id FROM flags WHERE court_id LIKE '浙____' GROUP BY court_id ORDER BY count(*) DESC LIMIT 2").fetchall()]
    intermediate = con.execute("SELECT parent_id FROM courts WHERE court_id = ?", [basics[0]]).fetchone()[0]
    subtree = {r[0] for r in con.execute("SELECT court_id FROM courts WHERE court_id = ? OR parent_id = ?",
                                         [intermediate, intermediate]).fetchall()}
    all_courts = {r[0] for r in con.execute("SELECT court_id FROM courts").fetchall()}
    names = dict(con.execute("SELECT court_id, name FROM courts").fetchall())
    con.close()
    auth.add_user(ops, "li", "李检查", "inspector", [basics[0]], PASSWORD)
    auth.add_user(ops, "wang", "王院长", "president", [intermediate], PASSWORD)
    auth.add_user(ops, "zhao", "赵分析", "analyst", [], PASSWORD)
    return {"ops": ops, "inspector_court": basics[0], "president_courts": subtree, "all": all_courts, "names": names}


def test_an_anonymous_visitor_sees_only_the_sign_in_form(accounts):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert at.title[0].value == t("sign_in_title", "zh")
    assert not at.dataframe and not at.metric
    shown = everything_shown(at)
    assert not any(court in shown for court in accounts["all"])


def test_a_wrong_password_is_refused_and_audited(accounts):
    at = sign_in("li", "not the password")
    assert t("sign_in_failed", "zh") in [e.value for e in at.error]
    assert at.title[0].value == t("sign_in_title", "zh")
    assert accounts["ops"].audit_rows(limit=1)[0]["action"] == "sign_in_failed"


def test_an_inspector_sees_only_the_assigned_court_on_every_page(accounts, province):
    at = sign_in("li")
    no_exception(at)
    own = accounts["inspector_court"]
    other_names = {accounts["names"][c] for c in accounts["all"] - {own}}
    for page in PAGES:
        at.switch_page(page_path(page)).run()
        no_exception(at)
        # a flag citing a provincial amount standard names its issuer (浙江省高级人民法院…): a citation, not a court's data
        shown = re.sub(r"按.{2,3}省标准（(?:[^（）]|（[^（）]*）)*）", " ", everything_shown(at))
        leaked = sorted(name for name in other_names if name in shown)
        assert not leaked, f"{page} shows other courts: {leaked[:5]}"
    at.switch_page(page_path("flags")).run()
    shown_ids = set(at.dataframe[0].value["flag_id"])
    flags = province["flags"]
    assert shown_ids and shown_ids <= set(flags.loc[flags["court_id"] == own, "flag_id"])


def test_a_president_sees_the_court_and_the_courts_under_it(accounts, province):
    at = sign_in("wang")
    at.switch_page(page_path("flags")).run()
    no_exception(at)
    shown_ids = set(at.dataframe[0].value["flag_id"])
    flags = province["flags"]
    allowed = set(flags.loc[flags["court_id"].isin(accounts["president_courts"]), "flag_id"])
    assert shown_ids and shown_ids == allowed


def test_an_analyst_never_sees_a_case(accounts):
    at = sign_in("zhao")
    no_exception(at)
    for page in ("flags", "flag_detail", "judge"):
        at.switch_page(page_path(page)).run()
        no_exception(at)
        assert t("analyst_only_aggregates", "zh") in texts(at)
        assert not at.dataframe
    at.switch_page("pages/data_quality.py").run()
    assert t("analyst_only_aggregates", "zh") in texts(at)
    at.switch_page(page_path("overview")).run()
    no_exception(at)
    assert at.metric  # aggregates are shown


def test_a_flag_link_from_another_court_is_refused(accounts, province):
    """A flag opens by its id in the URL (the flags list, briefings, e-mails); an inspector given another
    court's flag id learns nothing of it and no view is logged, while the own court's flag opens and is."""
    flags = province["flags"]
    own = accounts["inspector_court"]
    foreign = flags[flags["court_id"] != own].iloc[0]
    mine = flags[flags["court_id"] == own].iloc[0]
    for flag, opens in ((foreign, False), (mine, True)):
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.query_params["flag"] = flag["flag_id"]
        at.run()
        at.text_input(key="sign_in_user").input("li")
        at.text_input(key="sign_in_password").input(PASSWORD)
        [b for b in at.button if b.label == t("sign_in", "zh")][0].click().run()
        no_exception(at)
        assert at.title[0].value == t("page_flag", "zh")
        shown = everything_shown(at)
        views = [r for r in accounts["ops"].audit_rows() if r["action"] == "view_flag" and r["target"] == flag["flag_id"]]
        if opens:
            assert flag["explanation"] in shown and len(views) == 1
        else:
            assert t("flag_not_found", "zh", flag_id=flag["flag_id"]) in shown
            assert flag["explanation"] not in shown and accounts["names"][flag["court_id"]] not in shown
            assert views == []


def test_revealing_a_name_is_deliberate_and_audited(accounts, province):
    flag = province["flags"].dropna(subset=["judge_id"])
    flag = flag[flag["court_id"] == accounts["inspector_court"]].iloc[0]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["flag"] = flag["flag_id"]
    at.run()
    at.text_input(key="sign_in_user").input("li")
    at.text_input(key="sign_in_password").input(PASSWORD)
    [b for b in at.button if b.label == t("sign_in", "zh")][0].click().run()
    at.switch_page("pages/flag_detail.py").run()
    no_exception(at)
    con = duckdb.connect(str(province["db"]), read_only=True)
    name = con.execute("SELECT name FROM judges WHERE judge_id = ?", [flag["judge_id"]]).fetchone()[0]
    con.close()
    assert name not in texts(at)  # masked until asked
    at.button(key="reveal_name").click().run()
    assert name in texts(at)
    last = accounts["ops"].audit_rows(limit=1)[0]
    assert (last["actor"], last["action"], last["target"]) == ("li", "reveal_name", flag["judge_id"])


def test_an_idle_session_must_sign_in_again(accounts):
    """A session whose last interaction was two hours ago (timeout 30 minutes) is signed out."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["signed_in"] = {"username": "li", "display_name": "李检查", "role": "inspector",
                                     "scope": [accounts["inspector_court"]]}
    at.session_state["last_seen"] = dt.datetime.now() - dt.timedelta(hours=2)
    at.run()
    no_exception(at)
    assert at.title[0].value == t("sign_in_title", "zh")
    assert t("session_expired", "zh") in [w.value for w in at.warning]
    assert "signed_in" not in at.session_state
    assert accounts["ops"].audit_rows(limit=1)[0]["action"] == "session_expired"


def test_the_briefing_download_is_offered_within_scope_and_never_to_analysts(accounts):
    at = sign_in("li")
    no_exception(at)
    courts = at.selectbox(key="brief_court_zh").options
    assert courts == [accounts["inspector_court"]]
    assert at.get("download_button")
    analyst = sign_in("zhao")
    no_exception(analyst)
    assert not analyst.get("download_button")


# ---------------------------------------------------------------- live sessions follow account changes (issue 17)


def test_a_disabled_account_is_signed_out_at_its_next_click(accounts):
    at = sign_in("li")
    no_exception(at)
    assert at.title[0].value != t("sign_in_title", "zh")
    auth.set_disabled(accounts["ops"], "li", actor="admin")
    at.run()  # the next click
    no_exception(at)
    assert at.title[0].value == t("sign_in_title", "zh")
    assert "signed_in" not in at.session_state
    assert t("account_changed", "zh") in [w.value for w in at.warning]
    assert not at.dataframe and not at.metric
    last = accounts["ops"].audit_rows(limit=1)[0]
    assert (last["actor"], last["action"]) == ("li", "signed_out_account_disabled")


def _set_account(ops, username: str, **values) -> None:
    """What an administrator's change does to the account (auth.py has no setter for courts or role)."""
    import json

    import sqlalchemy as sa
    if "court_ids" in values:
        values["court_ids"] = json.dumps(sorted(values["court_ids"]))
    with ops.engine.begin() as conn:
        conn.execute(sa.update(auth.users).where(auth.users.c.username == username).values(**values))


def test_a_change_of_courts_or_role_takes_effect_at_the_next_click(accounts, province):
    flags = province["flags"]
    own = accounts["inspector_court"]
    other = next(c for c in flags["court_id"].value_counts().index if c != own and len(c) == len(own))
    at = sign_in("li")
    at.switch_page(page_path("flags")).run()
    no_exception(at)
    assert set(at.dataframe[0].value["flag_id"]) <= set(flags.loc[flags["court_id"] == own, "flag_id"])
    _set_account(accounts["ops"], "li", court_ids=[other])
    at.run()
    no_exception(at)
    shown = set(at.dataframe[0].value["flag_id"])
    assert shown and shown <= set(flags.loc[flags["court_id"] == other, "flag_id"]), "the new court, not the old"
    assert at.session_state["signed_in"]["scope"] == [other]
    _set_account(accounts["ops"], "li", role="analyst", court_ids=[])
    at.run()
    no_exception(at)
    assert t("analyst_only_aggregates", "zh") in texts(at)
    assert not at.dataframe


# ---------------------------------------------------------------- one court against its peers (issue 18 item 3)


def chart_specs(at: AppTest) -> str:
    return " ".join(chart.proto.spec for chart in at.get("plotly_chart"))


def values(array) -> list:
    """A plotly trace's array as values (plotly sends numeric arrays base64-packed: {"dtype", "bdata"})."""
    import base64

    import numpy as np
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def test_a_one_court_inspector_sees_the_court_against_anonymised_peers(accounts, province):
    import json
    at = sign_in("li")
    no_exception(at)
    own = accounts["inspector_court"]
    shown = texts(at)
    for key in ("chart_court_vs_peers", "chart_sentencing_vs_peers", "chart_funnel"):
        assert t(key, "zh") in shown, key
    for key in ("chart_by_court", "chart_heatmap"):  # a one-bar chart and a one-column heat map are gone
        assert t(key, "zh") not in shown, key
    assert "同级法院中位数" in shown, "the court's rank among its peers is said in words"
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    ranking = next(s for s in specs if any(t("peer_court", "zh", n=1) in str(trace.get("text")) for trace in s["data"]))
    bars = ranking["data"][0]
    assert len(values(bars["y"])) == len(bars["text"]) > 10, "the court among many courts of its level, not one bar"
    assert sum(label == accounts["names"][own] for label in bars["text"]) == 1
    # nothing names another court: no id, no name, in any chart or text
    everything = everything_shown(at) + chart_specs(at)
    others = accounts["all"] - {own}
    assert not [c for c in others if c in everything.replace(own, "")]
    assert not [accounts["names"][c] for c in others if accounts["names"][c] in everything]
    # the funnel's limits rest on the province's officers: the others are drawn, without an id
    funnel = next(s for s in specs if any(trace.get("name") == t("other_officers", "zh") for trace in s["data"]))
    anonymous = next(trace for trace in funnel["data"] if trace.get("name") == t("other_officers", "zh"))
    assert len(values(anonymous["x"])) > 20 and "customdata" not in anonymous and "text" not in anonymous


def test_peer_queries_return_no_identifier(province):
    """What the unscoped peer queries hand the dashboard: numbers and the user's own rows only."""
    import duckdb as _duckdb

    from courtwatch import queries
    con = _duckdb.connect(str(province["db"]), read_only=True)
    run_id = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    court = con.execute("SELECT court_id FROM flags GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    start, end = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    rates = queries.run(con, "peer_court_flag_rates", run_id=run_id, court_id=court, start=start, end=end)
    sentencing = queries.run(con, "peer_court_sentencing_by_charge", run_id=run_id, court_id=court, start=start, end=end,
                             separator="；")
    officers = queries.run(con, "peer_officer_termination", start=start, end=end, scope_courts=[court])
    con.close()
    assert list(rates.columns) == ["is_this", "flags", "high", "closed_cases"] and rates["is_this"].sum() == 1
    assert list(sentencing.columns) == ["is_this", "charge", "defendants", "flagged"]
    assert officers.loc[~officers["in_scope"], ["judge_id", "court_id"]].isna().all().all()
    assert set(officers.loc[officers["in_scope"], "court_id"]) == {court}
