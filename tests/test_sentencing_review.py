"""The sentencing review list: stored per run, ranked per court and year, calibrated, scoped; its page.

Runs on the session's shared sample province (tests/conftest.py shared_province: scale 0.3, seed 77),
which the dashboard tests use too.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import shared_province
from test_dashboard import ADMIN, no_exception, open_page, texts, use_db  # noqa: F401 (fixture)

from courtwatch import queries
from courtwatch.core.config import load_config
from courtwatch.dashboard.i18n import t
from courtwatch.detectors.base import DetectContext
from courtwatch.detectors.sentencing.fit import fit_model
from courtwatch.detectors.sentencing.review import calibrated_p, precision_at_k, review_list
from courtwatch.storage import store


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db = shared_province(tmp_path_factory)
    con = duckdb.connect(str(db), read_only=True)
    run_id, as_of = con.execute("SELECT run_id, as_of FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    review = con.execute("SELECT * FROM sentencing_review WHERE run_id = ?", [run_id]).df()
    con.close()
    return {"db": db, "run_id": run_id, "as_of": as_of, "review": review}


def _model_and_list(db, as_of, **stats):
    config = load_config()
    config.values["stats"].update(stats)
    con = duckdb.connect(str(db), read_only=True)
    try:
        ctx = DetectContext(con=con, as_of=as_of, config=config)
        model = fit_model(ctx)
        return model, review_list(ctx, model)
    finally:
        con.close()


def test_the_run_stores_a_review_list(sample):
    review = sample["review"]
    assert len(review) > 100
    assert review["defendant_id"].is_unique
    assert review["period"].notna().all()
    assert review["court_id"].nunique() > 3


def test_ranks_are_1_to_k_within_each_court_and_year(sample):
    for _, cell in sample["review"].groupby(["court_id", "period"]):
        assert sorted(cell["rank_in_court_period"]) == list(range(1, len(cell) + 1))
        ordered = cell.sort_values("rank_in_court_period")
        assert ordered["p_calibrated"].is_monotonic_increasing


def test_calibrated_p_is_in_0_1_and_falls_as_the_deviation_grows_within_a_cell(sample):
    review = sample["review"]
    assert ((review["p_calibrated"] > 0) & (review["p_calibrated"] <= 1)).all()
    for group, cell in review.groupby("peer_group"):
        ordered = cell.assign(a=cell["z"].abs()).sort_values(["a", "p_calibrated"], ascending=[True, False])
        assert ordered["p_calibrated"].is_monotonic_decreasing, group
        assert cell["p_calibrated"].min() == pytest.approx(1 / cell["peer_n"].iloc[0]), "the most deviant: 1/N"


def test_calibrated_p_counts_the_peers_at_least_as_deviant():
    z = np.array([0.0, -3.0, 1.0, 1.0, 2.5])
    # |z| = 0, 3, 1, 1, 2.5 → peers (itself included) at least as far: 5, 1, 4, 4, 2 of N = 5
    assert calibrated_p(z).tolist() == pytest.approx([1.0, 0.2, 0.8, 0.8, 0.4])


def test_cells_under_the_minimum_are_not_listed(sample):
    review = sample["review"]
    assert (review["peer_n"] >= 30).all()
    sizes = review.groupby("peer_group")["peer_n"].first().sort_values()
    assert len(sizes) >= 2
    cut = int(sizes.iloc[len(sizes) // 2])  # at least half of the cells fall under this minimum
    model, stricter = _model_and_list(sample["db"], sample["as_of"], review_min_cell=cut + 1)
    assert set(stricter["peer_group"]) == set(sizes[sizes > cut].index)
    assert (stricter["peer_n"] > cut).all()
    # a listed cell's N is its testable sentences, the reference of its p-values
    testable = model.rows[model.rows["testable"].astype(bool)].groupby("peer_group").size()
    assert (sizes == testable.reindex(sizes.index)).all()


def test_the_top_of_each_court_and_year_carries_similar_cases(sample):
    review = sample["review"]
    top = review[review["rank_in_court_period"] <= 20]
    rest = review[review["rank_in_court_period"] > 20]
    assert top["similar_cases"].notna().mean() > 0.9 and top["factors"].notna().all()
    assert rest["similar_cases"].isna().all()
    peers = json.loads(top["similar_cases"].dropna().iloc[0])
    assert peers and {"case_id", "court_id", "term_months", "expected_months", "factors"} <= set(peers[0])
    row = top.dropna(subset=["similar_cases"]).iloc[0]
    assert all(p["case_id"] != row["case_id"] for p in json.loads(row["similar_cases"])), "other cases only"


def test_a_one_court_user_sees_only_that_court_and_other_courts_cases_anonymised(sample):
    review = sample["review"]
    court = review["court_id"].value_counts().index[0]
    con = store.open_for_read(sample["db"], court_ids=[court])
    try:
        scoped = queries.run(con, "sentencing_review_of_run", run_id=sample["run_id"])
        raw = con.execute("SELECT court_id, similar_cases::VARCHAR AS s FROM sentencing_review").df()
    finally:
        con.close()
    assert len(scoped) == (review["court_id"] == court).sum()
    assert set(scoped["court_id"]) == {court} and set(raw["court_id"]) == {court}
    own = unscoped_other = 0
    unscoped = review.set_index("defendant_id")["similar_cases"]
    for defendant, text in zip(scoped["defendant_id"], scoped["similar_cases"]):
        if not isinstance(text, str):
            continue
        full = json.loads(unscoped[defendant])
        shown = json.loads(text)
        assert len(shown) == len(full)
        for before, after in zip(full, shown):
            if before["court_id"] == court:
                own += 1
                assert after == before
            else:
                unscoped_other += 1
                assert after.get("other_court") is True
                assert "case_id" not in after and "court_id" not in after and "defendant_id" not in after
                assert after["term_months"] == before["term_months"] and after["factors"] == before["factors"]
    assert unscoped_other > 0, "the sample must hold similar cases of other courts, or the test proves nothing"
    # nothing of another court reaches the scoped text, not even in the raw table
    other_cases = {p["case_id"] for s in review["similar_cases"].dropna() for p in json.loads(s)
                   if p["court_id"] != court}
    text = " ".join(raw["s"].dropna())
    assert not any(c in text for c in other_cases)


def test_an_incremental_run_carries_the_list(sample, tmp_path, monkeypatch):
    from courtwatch.core.config import Config
    from courtwatch.pipeline import runs

    db = tmp_path / "cw.duckdb"
    shutil.copyfile(sample["db"], db)
    con = duckdb.connect(str(db), read_only=True)
    config, version = con.execute("SELECT config::VARCHAR, code_version FROM runs WHERE run_id = ?",
                                  [sample["run_id"]]).fetchone()
    con.close()
    # the run it builds on was made earlier in this session: same code and configuration, even if the
    # checkout moved on since (an incremental run refuses otherwise)
    monkeypatch.setattr(runs, "code_version", lambda: version)
    result = runs.detect(db, since=dt.date(2024, 12, 1), config=Config(json.loads(config)))
    con = duckdb.connect(str(db), read_only=True)
    carried = queries.run(con, "sentencing_review_of_run", run_id=result.run_id)
    copies = con.execute("SELECT count(*) FROM sentencing_review WHERE run_id = ?", [result.run_id]).fetchall()[0][0]
    con.close()
    assert len(carried) == len(sample["review"])
    assert set(carried["defendant_id"]) == set(sample["review"]["defendant_id"])
    assert copies == 0, "the list is shown by reference to the full run's, not copied"


def test_precision_at_k_pools_the_top_of_each_court_and_year():
    review = pd.DataFrame({
        "defendant_id": ["a1", "a2", "a3", "b1", "b2"],
        "court_id": ["A", "A", "A", "B", "B"],
        "period": [2023] * 5,
        "p_calibrated": [0.1, 0.2, 0.3, 0.05, 0.5],
        "z": [3.0, 2.0, 1.0, -3.0, 0.5],
    })
    at_1 = precision_at_k(review, {"a1", "b2"}, 1)
    assert (at_1["selected"], at_1["hits"], at_1["precision"], at_1["base_rate"]) == (2, 1, 0.5, 0.4)
    assert precision_at_k(review, {"a1", "b2"}, 2)["hits"] == 2  # a1, a2, b1, b2 selected
    province = precision_at_k(review, {"b1"}, 1, by=())
    assert (province["selected"], province["hits"]) == (1, 1)  # b1 has the smallest p of all


# ---------------------------------------------------------------- the page


def test_the_review_list_page_shows_the_list_and_the_similar_cases(sample, use_db):
    use_db(sample["db"])
    at = open_page("review_list")
    no_exception(at)
    shown = texts(at)
    assert at.title[0].value == t("page_review", "zh")
    assert t("review_label", "zh") in shown and t("notice", "zh") in shown
    table = at.dataframe[0]
    assert len(table.value) == (sample["review"]["rank_in_court_period"] <= 5).sum(), "top 5 per court and year"
    assert "**" in " ".join(table.value[t("col_judge", "zh")].dropna()), "judges are masked"
    assert list(table.proto.selection_mode) == [table.proto.SelectionMode.SINGLE_CELL], "no row checkboxes"
    at.session_state[table.key] = {"selection": {"rows": [], "columns": [], "cells": [[0, 2]]}}  # a click on a cell
    at.run()
    no_exception(at)
    case_id = table.value[t("col_case", "zh")].iloc[0]
    assert t("review_similar_title", "zh", case=case_id) in [s.value for s in at.subheader]
    assert len(at.dataframe) == 2 and len(at.dataframe[1].value) > 0


def test_the_review_list_is_hidden_when_assistance_is_off(sample, use_db):
    use_db(sample["db"])
    at = open_page()
    at.toggle(key="w_assistance").set_value(False).run()
    at.switch_page("pages/review_list.py").run()
    no_exception(at)
    assert t("assistance_off", "zh") in texts(at)
    assert not at.dataframe


def test_a_one_court_inspector_sees_only_that_courts_list(sample, use_db):
    ops = use_db(sample["db"])
    court = sample["review"]["court_id"].value_counts().index[0]
    user = {"username": "li.test", "display_name": "李", "role": "inspector", "scope": [court]}
    # every rerun re-reads the signed-in account, so the inspector needs one in the store
    from courtwatch.access import auth
    auth.add_user(ops, user["username"], user["display_name"], user["role"], [court], None)
    at = open_page("review_list", user=user)
    no_exception(at)
    con = duckdb.connect(str(sample["db"]), read_only=True)
    names = dict(con.execute("SELECT court_id, name FROM courts").fetchall())
    con.close()
    table = at.dataframe[0].value
    assert set(table[t("col_court", "zh")]) == {names[court]}
