"""Shared page furniture: sidebar switches, the warning notice, the freshness line, the court/period picker,
remembered choices, the flag table and the charts. Pages call these; nothing here runs SQL (data.py does).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from . import data
from .i18n import t

PAGES_DIR = Path(__file__).parent / "pages"
FLAGS_PAGE = PAGES_DIR / "flags.py"
FLAG_PAGE = PAGES_DIR / "flag_detail.py"
JUDGE_PAGE = PAGES_DIR / "judge.py"
COURT_PAGE = PAGES_DIR / "court.py"

# Evidence entries that are prose or bookkeeping, not figures to tabulate.
EVIDENCE_TEXT_KEYS = {"explanation_en", "legal_basis", "method", "notice", "rule", "rule_title", "rule_title_en",
                      "peer_comparison"}
LEVEL_COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#f1c40f"}
CATEGORY_COLOURS = {"sentencing": "#2e86c1", "enforcement": "#8e44ad", "integrity": "#16a085",
                    "data_quality": "#7f8c8d"}
CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


# ---------------------------------------------------------------- the user's switches

def lang() -> str:
    return "en" if remembered("language", "中文") == "English" else "zh"


def tr(key: str, **values) -> str:
    """A catalog string in the user's language."""
    return t(key, lang(), **values)


def sidebar_settings() -> None:
    """Language and AI assistance: rendered on every page (from app.py), before and after sign-in."""
    st.sidebar.radio(tr("language"), ["中文", "English"], horizontal=True,
                     **bound("language", remembered("language", "中文")))
    st.sidebar.toggle(tr("assistance"), help=tr("assistance_help"), **bound("assistance", assistance_on()))


def assistance_on() -> bool:
    return bool(remembered("assistance", True))


# ---------------------------------------------------------------- who is signed in

def current_user() -> dict | None:
    """The signed-in user: username, display_name, role, scope (court ids, or None = every court)."""
    return st.session_state.get("signed_in")


def reviewer() -> str:
    """Who decides: the signed-in account (dispositions and the audit trail record it)."""
    user = current_user()
    return user["username"] if user else ""


def sees_cases() -> bool:
    user = current_user()
    return bool(user) and user["role"] != "analyst"


def aggregates_only_stop() -> None:
    """Analysts see figures, never a case, a defendant or a named subject."""
    if not sees_cases():
        st.info(tr("analyst_only_aggregates"), icon=":material/lock:")
        st.stop()


def session_user() -> dict | None:
    """The signed-in user of this session, or None; an idle session is signed out here.

    No page renders data unless this returns a user (app.py shows the sign-in page otherwise).
    """
    import datetime as dt

    from courtwatch.access import signin
    settings = signin.settings()
    now = dt.datetime.now()
    user = current_user()
    if user and signin.expired(st.session_state.get("last_seen"), now, settings.idle_timeout):
        data.audit(user["username"], "session_expired", user["username"])
        st.session_state.pop("signed_in", None)
        st.session_state["expired_notice"] = True
        return None
    if user:
        st.session_state["last_seen"] = now
    return user


def sign_in_page() -> None:
    """The only page a visitor who has not signed in can reach."""
    from courtwatch.access import auth, signin
    settings = signin.settings()
    account = _identify(settings, auth)
    if account is None:
        return
    import datetime as dt
    st.session_state["signed_in"] = {"username": account.username, "display_name": account.display_name,
                                     "role": account.role, "scope": auth.court_scope(account)}
    st.session_state["last_seen"] = dt.datetime.now()
    st.session_state.pop("expired_notice", None)
    st.rerun()


def signed_in_sidebar(user: dict) -> None:
    st.sidebar.caption(tr("signed_in_as", name=user["display_name"], role=tr(f"role_{user['role']}")))
    if st.sidebar.button(tr("sign_out"), key="sign_out"):
        data.audit(user["username"], "sign_out", user["username"])
        st.session_state.pop("signed_in", None)
        st.rerun()


def _identify(settings, auth):
    """Ask who this is, by the configured mode; an account or None (the form is on screen)."""
    if settings.mode == "header":
        name = st.context.headers.get(settings.header_name)
        account = auth.user_by_name(data.ops(), name) if name else None
        if account is None:
            st.error(tr("header_unknown_user"))
        else:
            data.audit(account.username, "sign_in", account.username, {"mode": "header"})
        return account
    if settings.mode == "oidc":
        if not getattr(st.user, "is_logged_in", False):
            st.title(tr("sign_in_title"))
            if st.button(tr("sign_in_sso")):
                st.login()
            return None
        account = auth.user_by_name(data.ops(), st.user.get("email") or st.user.get("sub"))
        if account is None:
            st.error(tr("sso_unknown_user"))
        return account
    st.title(tr("sign_in_title"))
    if st.session_state.get("expired_notice"):
        st.warning(tr("session_expired"))
    with st.form("sign_in"):
        username = st.text_input(tr("username"), key="sign_in_user")
        password = st.text_input(tr("password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(tr("sign_in"))
    if not submitted:
        return None
    account = auth.authenticate(data.ops(), username.strip(), password)
    if account is None:
        st.error(tr("sign_in_failed"))
    return account


def compact_layout() -> None:
    """Less empty space above the title, so a page's substance shows without scrolling."""
    st.markdown("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>", unsafe_allow_html=True)


def notice() -> None:
    st.info(tr("notice"), icon=":material/warning:")


def assistance_off_note() -> None:
    st.info(tr("assistance_off"), icon=":material/notifications_off:")


def page_header(title_key: str) -> dict | None:
    """Title and data freshness. Returns the freshness record; None when there is no database."""
    st.title(tr(title_key))
    info = data.freshness()
    if info is None:
        st.warning(tr("no_db"))
        return None
    if not info.get("run_id"):
        st.caption(tr("freshness_no_run", imported=short(info.get("imported_at")),
                      quarantined=int(info.get("quarantined_rows") or 0)))
    else:
        st.caption(tr("freshness", as_of=short(info.get("as_of")), run_id=info["run_id"],
                      finished=short(info.get("run_finished_at"), 16),
                      quarantined=int(info.get("quarantined_rows") or 0)))
    return info


def need_run(info: dict | None) -> bool:
    """True when flags can be shown; otherwise says why (no database / no run) and returns False."""
    if info is None:
        return False
    if not info.get("run_id"):
        st.warning(tr("no_run"))
        return False
    return True


def flag_page_header(title_key: str) -> dict:
    """The header of a page that shows flags on cases: title and freshness, then stops the page for an
    analyst (aggregates only), without a database, with assistance switched off, or before any run;
    otherwise shows the warning notice and returns the freshness record."""
    info = page_header(title_key)
    aggregates_only_stop()  # analysts never see a case or a named subject
    if info is None:
        st.stop()
    if not assistance_on():
        assistance_off_note()
        st.stop()
    notice()
    if not need_run(info):
        st.stop()
    return info


def short(value, length: int = 10) -> str:
    return "—" if value is None else str(value)[:length]


# ---------------------------------------------------------------- remembered choices
# A widget's own state is dropped when its page is left, so each choice lives under "choice_<key>"
# and is copied into the widget before every render and back from it on change (the pattern the
# Streamlit docs give for keeping widget values across pages).

def remembered(key: str, default):
    """The user's last choice for `key`, kept across pages."""
    return st.session_state.get(f"choice_{key}", default)


def remember(key: str, value) -> None:
    st.session_state[f"choice_{key}"] = value


def set_choice(key: str, value) -> None:
    """Set a choice from elsewhere (a chart click, a link): the widget showing it will start from it."""
    if key == "period":  # shown as two pickers
        remember("period_from", value[0])
        remember("period_to", value[1])
        return
    remember(key, value)


def _store(key: str) -> None:
    remember(key, st.session_state[f"w_{key}"])


def bound(key: str, value) -> dict:
    """Keyword arguments that bind a widget to the remembered choice `key` (seeded with `value`)."""
    st.session_state[f"w_{key}"] = value
    return {"key": f"w_{key}", "on_change": _store, "args": (key,)}


def multiselect(label: str, options: list, key: str, format_func=str, container=st, **kwargs) -> list:
    kwargs.setdefault("placeholder", tr("all"))
    current = [v for v in remembered(key, []) if v in options]
    value = container.multiselect(label, options, format_func=format_func, **bound(key, current), **kwargs)
    remember(key, value)
    return value


def selectbox(label: str, options: list, key: str, format_func=str, container=st, default=None, **kwargs):
    current = remembered(key, None)
    if current not in options:
        current = default if default in options else (options[0] if options else None)
    value = container.selectbox(label, options, format_func=format_func, **bound(key, current), **kwargs)
    remember(key, value)
    return value


def text_input(label: str, key: str, container=st, **kwargs) -> str:
    value = container.text_input(label, **bound(key, remembered(key, "")), **kwargs)
    remember(key, value)
    return value


def scope_picker(container=None) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """Courts (a court includes the courts under it) and a period of months; both remembered across pages."""
    container = container or st.sidebar
    table = data.courts()
    labels = dict(zip(table["court_id"], table["label"]))
    chosen = multiselect(tr("courts"), list(table["court_id"]), "courts", format_func=lambda c: labels.get(c, c),
                         container=container, help=tr("courts_help"), placeholder=tr("all_courts"))
    months = data.months()
    period = None
    if months:
        left, right = container.columns(2)
        first = selectbox(tr("period_from"), months, "period_from", container=left, help=tr("period_help"), default=months[0])
        last = selectbox(tr("period_to"), months, "period_to", container=right, default=months[-1])
        period = (min(first, last), max(first, last))
    return tuple(chosen), period


# ---------------------------------------------------------------- labels

def category_label(code: str, language: str | None = None) -> str:
    return t(f"cat_{code}", language or lang()) if code else "—"


def level_label(code: str, language: str | None = None) -> str:
    return t(f"level_{code}", language or lang()) if code else "—"


def review_label(code: str, language: str | None = None) -> str:
    return t(f"review_{code}", language or lang()) if code else "—"


def detector_title(name: str, language: str | None = None) -> str:
    from courtwatch.detectors.registry import by_name
    detector = by_name().get(name)
    if detector is None:
        return name
    return (detector.title_zh if (language or lang()) == "zh" else detector.title_en) or name


def fixed(label_fn):
    """A label function for `format_func`, with the current language fixed: Streamlit may call a
    format_func outside the script run, where the user's choices cannot be read."""
    return functools.partial(label_fn, language=lang())


def explanation(record) -> str:
    """The flag's plain sentence in the user's language (English from the evidence)."""
    if lang() == "en":
        return record.get("explanation_en") or record.get("explanation") or ""
    return record.get("explanation") or ""


# ---------------------------------------------------------------- navigation

def go_to_flag(flag_id: str) -> None:
    st.switch_page(FLAG_PAGE, query_params={"flag": flag_id})


def go_to_judge(judge_id: str) -> None:
    st.switch_page(JUDGE_PAGE, query_params={"judge": judge_id})


FLAG_FILTERS = {"categories": [], "detectors": [], "levels": [], "judges": [], "review": [], "text": ""}


def go_to_flags(**choices) -> None:
    """Open the flags list filtered to what was clicked; the list's other filters start cleared."""
    for key, value in {**FLAG_FILTERS, **choices}.items():
        set_choice(key, value)
    st.switch_page(FLAGS_PAGE)


def digest(*values) -> str:
    """A short stable key for a combination of choices (for widget keys that must change with them)."""
    import hashlib
    return hashlib.sha1(json.dumps(values, default=str, ensure_ascii=False).encode()).hexdigest()[:10]


def selected_point(event) -> dict | None:
    """The first point a user clicked in a plotly chart (with its customdata), or None."""
    try:
        points = event.selection.points if event and event.selection else []
    except AttributeError:
        return None
    return points[0] if points else None


def clicked(event, key: str) -> dict | None:
    """A point newly clicked in chart `key`; a selection kept from before (on returning to the page) is not new."""
    point = selected_point(event)
    memory = f"choice_clicked_{key}"
    if not point:
        st.session_state.pop(memory, None)
        return None
    signature = digest(point.get("customdata"), point.get("x"), point.get("y"))
    if st.session_state.get(memory) == signature:
        return None
    st.session_state[memory] = signature
    return point


def custom(point: dict, index: int = 0):
    value = point.get("customdata")
    if isinstance(value, (list, tuple)):
        return value[index] if len(value) > index else None
    return value if index == 0 else None


# ---------------------------------------------------------------- the flag table

def flag_table(flags: pd.DataFrame, key: str, height: int | None = None) -> str | None:
    """A sortable table of flags; returns the flag_id of the row the user clicked."""
    def labelled(column: str, label_fn) -> pd.Series:
        # one label per distinct code, not per row: the list can hold tens of thousands of flags
        return flags[column].map({code: label_fn(code) for code in flags[column].dropna().unique()})

    if lang() == "en" and "explanation_en" in flags:
        english = flags["explanation_en"].fillna("")
        sentences = english.where(english != "", flags["explanation"].fillna(""))
    else:
        sentences = flags["explanation"].fillna("")
    table = pd.DataFrame({
        "flag_id": flags["flag_id"],
        tr("col_level"): labelled("level", level_label),
        tr("col_score"): flags["score"].astype(float),
        tr("col_category"): labelled("category", category_label),
        tr("col_detector"): labelled("detector", detector_title),
        tr("col_court"): flags["court_name"].fillna(flags["court_id"]) if "court_name" in flags else flags["court_id"],
        tr("col_judge"): flags["judge_label"] if "judge_label" in flags else flags["judge_id"],
        tr("col_subject"): flags["subject_id"],
        tr("col_month"): flags["month"] if "month" in flags else None,
        tr("col_review"): labelled("review", review_label) if "review" in flags else None,
        tr("col_explanation"): sentences,
    })
    event = st.dataframe(
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key,
        height=height or "auto",
        column_config={
            "flag_id": None,
            tr("col_level"): st.column_config.TextColumn(tr("col_level"), width="small"),
            tr("col_score"): st.column_config.ProgressColumn(tr("col_score"), min_value=0.0, max_value=1.0, format="%.2f",
                                                              width="small"),
            tr("col_category"): st.column_config.TextColumn(tr("col_category"), width="medium"),
            tr("col_month"): st.column_config.TextColumn(tr("col_month"), width="small"),
            tr("col_review"): st.column_config.TextColumn(tr("col_review"), width="small"),
            tr("col_explanation"): st.column_config.TextColumn(tr("col_explanation"), width="large"),
        })
    rows = event.selection.rows if event and event.selection else []
    return str(table["flag_id"].iloc[rows[0]]) if rows and rows[0] < len(table) else None


# ---------------------------------------------------------------- charts

def _layout(fig: go.Figure, height: int = 320, **kwargs) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(family=CJK_FONT),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), **kwargs)
    return fig


def chart(fig: go.Figure, key: str, clickable: bool = True) -> dict | None:
    """Draw a plotly figure under its title; a clickable chart returns the point just clicked (or None)."""
    title = fig.layout.title.text
    if title:
        st.markdown(f"**{title}**")
        fig.update_layout(title=None)
    if clickable:
        event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch",
                                config={"displayModeBar": False})
        return clicked(event, key)
    st.plotly_chart(fig, key=key, width="stretch", config={"displayModeBar": False})
    return None


def category_level_figure(counts: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for level in data.LEVEL_ORDER:
        part = counts.loc[counts["level"] == level, ["category", "n"]].set_index("category") \
            .reindex(list(data.CATEGORY_ORDER)).fillna({"n": 0})
        fig.add_bar(name=level_label(level), x=[category_label(c) for c in part.index], y=part["n"],
                    marker_color=LEVEL_COLOURS[level], customdata=[[c, level] for c in part.index],
                    hovertemplate="%{x} · " + level_label(level) + ": %{y}<extra></extra>")
    return _layout(fig, barmode="stack", title=tr("chart_by_category"))


def month_figure(counts: pd.DataFrame, title_key: str = "chart_by_month") -> go.Figure:
    fig = go.Figure()
    for category in data.CATEGORY_ORDER:
        part = counts[counts["category"] == category]
        if part.empty:
            continue
        fig.add_bar(name=category_label(category), x=part["month"], y=part["n"],
                    marker_color=CATEGORY_COLOURS[category], customdata=[[category, m] for m in part["month"]])
    return _layout(fig, barmode="stack", title=tr(title_key),
                   xaxis=dict(type="category", categoryorder="category ascending"))


def ranking_figure(frame: pd.DataFrame, label: str, key_column: str, title: str) -> go.Figure:
    frame = frame.iloc[::-1]
    fig = go.Figure(go.Bar(x=frame["n"], y=frame[label], orientation="h", marker_color="#5d6d7e",
                           customdata=frame[[key_column]].to_numpy(), text=frame["n"], textposition="auto",
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    return _layout(fig, height=max(260, 24 * len(frame) + 80), title=title, yaxis=dict(type="category"))


def outcomes_figure(outcomes: pd.DataFrame) -> go.Figure:
    colours = {"unreviewed": "#bdc3c7", "confirm_concern": "#c0392b", "dismiss": "#27ae60", "escalate": "#8e44ad",
               "needs_information": "#f39c12"}
    shown = outcomes[outcomes["n"] > 0]
    fig = go.Figure(go.Pie(labels=[review_label(r) for r in shown["review"]], values=shown["n"], hole=0.5,
                           marker_colors=[colours[r] for r in shown["review"]], customdata=shown["review"],
                           sort=False))
    return _layout(fig, title=tr("chart_outcomes"))


def funnel_figure(officers: pd.DataFrame, summary: dict, title: str | None = None) -> go.Figure:
    """Officers' 终本 share against closed cases; limits from detectors.stats.funnel, sorted by size."""
    fig = go.Figure()
    for column, dash, name in (("upper998", "dot", tr("limit_998")), ("upper95", "dash", tr("limit_95")),
                               ("lower95", "dash", None), ("lower998", "dot", None)):
        fig.add_scatter(x=officers["closed"], y=officers[column].clip(0, 1), mode="lines", line=dict(color="#7f8c8d", dash=dash, width=1),
                        name=name or column, showlegend=name is not None, hoverinfo="skip")
    fig.add_hline(y=summary.get("target", 0), line=dict(color="#34495e", width=1),
                  annotation_text=tr("funnel_target", target=f"{summary.get('target', 0):.1%}"))
    shown = officers[officers["in_scope"]]
    colours = shown["position"].map({"above_998": "#c0392b", "above_95": "#e67e22", "below_998": "#2471a3",
                                     "below_95": "#5dade2", "within": "#95a5a6"})
    fig.add_scatter(x=shown["closed"], y=shown["share"], mode="markers", name=tr("officers"),
                    marker=dict(color=colours, size=8, line=dict(width=0)),
                    customdata=shown[["judge_id", "court_id", "terminated"]].to_numpy(),
                    text=shown["judge_label"],
                    hovertemplate="%{text} · %{customdata[1]}<br>" + tr("funnel_hover") + "<extra></extra>")
    mark = officers[officers["highlight"]]
    if not mark.empty:
        fig.add_scatter(x=mark["closed"], y=mark["share"], mode="markers+text", name=tr("this_judge"),
                        text=mark["judge_label"], textposition="top center",
                        marker=dict(color="#c0392b", size=16, symbol="star", line=dict(color="black", width=1)))
    return _layout(fig, height=380, title=title or tr("chart_funnel"), xaxis_title=tr("axis_closed_enforcement"),
                   yaxis_title=tr("axis_zb_share"), yaxis=dict(tickformat=".0%"))


def heatmap_figure(frame: pd.DataFrame) -> go.Figure:
    grid = frame.pivot_table(index="charge", columns="court_name", values="per_100", aggfunc="sum")
    counts = frame.pivot_table(index="charge", columns="court_name", values="defendants", aggfunc="sum").reindex_like(grid)
    flagged = frame.pivot_table(index="charge", columns="court_name", values="flagged", aggfunc="sum").reindex_like(grid)
    ids = frame.drop_duplicates("court_name").set_index("court_name")["court_id"]
    custom = [[[ids.get(col), charge] for col in grid.columns] for charge in grid.index]
    text = [[("" if pd.isna(counts.loc[r, c]) else f"{int(flagged.loc[r, c])}/{int(counts.loc[r, c])}")
             for c in grid.columns] for r in grid.index]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index), colorscale="OrRd",
                               customdata=custom, text=text, zmin=0,
                               hovertemplate="%{y} · %{x}<br>" + tr("heat_hover") + "<extra></extra>",
                               colorbar=dict(title=tr("heat_colour"))))
    return _layout(fig, height=max(300, 34 * len(grid.index) + 140), title=tr("chart_heatmap"),
                   xaxis=dict(tickangle=-45, type="category"), yaxis=dict(type="category"))


def caseload_figure(frame: pd.DataFrame, title: str) -> go.Figure:
    g = frame.groupby("month")[["filed", "closed"]].sum().reset_index()
    fig = go.Figure()
    fig.add_bar(name=tr("filed"), x=g["month"], y=g["filed"], marker_color="#85c1e9")
    fig.add_scatter(name=tr("closed"), x=g["month"], y=g["closed"], mode="lines+markers", line=dict(color="#1f618d"))
    return _layout(fig, title=title, xaxis=dict(type="category", categoryorder="category ascending"))


def similar_cases_figure(peers: pd.DataFrame, evidence: dict) -> go.Figure:
    """The flagged sentence against the legally similar cases the evidence names, with the expected range."""
    others = peers[~peers["is_this"]]
    this = peers[peers["is_this"]]
    fig = go.Figure()
    low_high = evidence.get("expected_range_95_months")
    if isinstance(low_high, list) and len(low_high) == 2 and None not in low_high:
        fig.add_vrect(x0=low_high[0], x1=low_high[1], fillcolor="#d5f5e3", opacity=0.6, line_width=0,
                      annotation_text=tr("expected_range"), annotation_position="top left")
    if evidence.get("expected_term_months"):
        fig.add_vline(x=evidence["expected_term_months"], line=dict(color="#27ae60", dash="dash"),
                      annotation_text=tr("expected_term", months=evidence["expected_term_months"]),
                      annotation_position="bottom right")
    fig.add_scatter(x=others["term_months"], y=[tr("similar_cases")] * len(others), mode="markers",
                    name=tr("similar_cases"), marker=dict(size=12, color="#5d6d7e", opacity=0.8),
                    text=others["case_id"], hovertemplate="%{text}: %{x} " + tr("months") + "<extra></extra>")
    fig.add_scatter(x=this["term_months"], y=[tr("this_case")] * len(this), mode="markers+text", name=tr("this_case"),
                    marker=dict(size=18, color="#c0392b", symbol="diamond"), text=this["case_id"],
                    textposition="top center", hovertemplate="%{text}: %{x} " + tr("months") + "<extra></extra>")
    upper = max([float(v) for v in peers["term_months"]] + [float(low_high[1]) if isinstance(low_high, list) and len(low_high) == 2 and low_high[1] else 0])
    return _layout(fig, height=280, title=tr("chart_similar"),
                   xaxis=dict(title=tr("term_months_axis"), range=[0, upper * 1.1], rangemode="tozero"),
                   yaxis=dict(type="category", range=[-0.6, 1.8]))


def pair_figure(comparison: pd.DataFrame) -> go.Figure:
    names = {"pair": tr("pair_cases"), "others": tr("judge_other_cases")}
    fig = go.Figure()
    fig.add_bar(name=tr("side_won_share"), x=[names[g] for g in comparison["group"]],
                y=comparison["side_won_share"], marker_color="#8e44ad",
                text=[f"{v:.0%}" if v is not None and not pd.isna(v) else "—" for v in comparison["side_won_share"]])
    fig.add_bar(name=tr("designated_share"), x=[names[g] for g in comparison["group"]],
                y=comparison["designated_share"], marker_color="#f39c12",
                text=[f"{v:.0%}" if v is not None and not pd.isna(v) else "—" for v in comparison["designated_share"]])
    return _layout(fig, height=300, title=tr("chart_pair"), barmode="group", yaxis=dict(tickformat=".0%", range=[0, 1]))


def timeline_figure(timeline: pd.DataFrame) -> go.Figure:
    frame = timeline.dropna(subset=["occurred_at"])
    labels = [event_label(e) for e in frame["event"]]
    colours = frame["source"].map({"case": "#1f618d", "enforcement": "#8e44ad", "events": "#e67e22"})
    fig = go.Figure(go.Scatter(x=frame["occurred_at"], y=labels, mode="markers", marker=dict(size=11, color=colours),
                               text=frame["note"].fillna(""), hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>"))
    return _layout(fig, height=max(200, 30 * len(set(labels)) + 80), yaxis=dict(type="category"),
                   xaxis=dict(tickformat="%Y-%m-%d"))


def timeline_table(timeline: pd.DataFrame) -> pd.DataFrame:
    def note(event, text):
        if event == "closed" and isinstance(text, str):
            label = tr(f"close_{text}")
            return text if label == f"close_{text}" else label
        return text
    return pd.DataFrame({
        tr("col_when"): pd.to_datetime(timeline["occurred_at"]).dt.strftime("%Y-%m-%d %H:%M").str.replace(" 00:00", "", regex=False),
        tr("col_event"): timeline["event"].map(event_label),
        tr("col_source"): timeline["source"].map(lambda s: tr(f"src_{s}")),
        tr("col_actor"): timeline["actor_id"],
        tr("col_amount"): timeline["amount"],
        tr("col_note"): [note(e, n) for e, n in zip(timeline["event"], timeline["note"])],
    })


def plain_value(value) -> str:
    """A figure from the evidence as a reader expects it: 358,194 rather than 358194.0; — for unknown."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
    if isinstance(value, list):
        return "、".join(plain_value(v) for v in value)
    return str(value)


def setting_label(name: str) -> str:
    """A configuration key in words (the key itself when the catalog lacks it)."""
    text = tr(f"setting_{name}")
    return name if text == f"setting_{name}" else text


def field_label(name: str) -> str:
    """A column name from a flag's evidence, in words (the raw name when the catalog lacks it)."""
    text = tr(f"field_{name}")
    return name if text == f"field_{name}" else text


def event_label(code: str) -> str:
    key = f"ev_{code}"
    text = tr(key)
    return code if text == key else text


def rates_table(rates: pd.DataFrame) -> pd.DataFrame:
    """A unit's rates against peers, in words and percentages."""
    def fmt(metric, v):
        if v is None or pd.isna(v):
            return "—"
        if metric in ("closed",):
            return f"{v:,.0f}"
        if metric == "days_to_close":
            return f"{v:,.0f} {tr('days')}"
        return f"{v:.1%}"
    return pd.DataFrame({
        tr("col_metric"): [tr(f"metric_{m}") for m in rates["metric"]],
        tr("col_value"): [fmt(m, v) for m, v in zip(rates["metric"], rates["value"])],
        tr("col_denominator"): rates["n"].astype(int),
        tr("col_peer_median"): [fmt(m, v) for m, v in zip(rates["metric"], rates["peer_median"])],
        tr("col_peer_range"): [f"{fmt(m, a)} – {fmt(m, b)}" for m, a, b in zip(rates["metric"], rates["peer_p10"], rates["peer_p90"])],
        tr("col_percentile"): [f"{p:.0%}" if not pd.isna(p) else "—" for p in rates["percentile"]],
        tr("col_peers"): rates["peers"].astype(int),
    })


def json_block(value) -> None:
    st.json(value if isinstance(value, (dict, list)) else json.loads(value or "{}"), expanded=False)


# ---------------------------------------------------------------- the briefing download

def briefing_download() -> None:
    """Choose period, court and format; the file is generated only when the button is clicked."""
    if not sees_cases():
        return  # a briefing lists flagged cases: not for aggregate-only accounts
    from courtwatch.reporting.briefing import file_name
    months = data.months()
    if not months:
        return
    with st.expander(tr("brief_download"), icon=":material/download:"):
        cols = st.columns(4)
        language = lang()  # labels change with the language, so each language keeps its own widgets
        kinds = {tr("brief_month"): "month", tr("brief_quarter"): "quarter", tr("brief_year"): "year"}
        kind = kinds[cols[0].selectbox(tr("brief_period_kind"), list(kinds), key=f"brief_kind_{language}")]
        last = months[-1]
        choices = {"month": sorted(months, reverse=True),
                   "quarter": sorted({f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True),
                   "year": sorted({m[:4] for m in months}, reverse=True)}[kind]
        period = cols[1].selectbox(tr("brief_period"), choices, key=f"brief_period_{kind}")
        labels = {tr("brief_all_courts") if c is None else c: c for c in data.briefing_courts()}
        court = labels[cols[2].selectbox(tr("court"), list(labels), key=f"brief_court_{language}")]
        fmt = cols[3].selectbox(tr("brief_format"), ["pdf", "docx", "xlsx", "html"], key="brief_format")
        st.download_button(tr("brief_generate"), icon=":material/description:",
                           data=lambda: data.briefing_file(period, court, fmt, language, reviewer()),
                           file_name=file_name(period, court, fmt), key="brief_button", on_click="ignore")
        st.caption(tr("brief_note", last=last))


# ---------------------------------------------------------------- judge and court profiles

def profile_caseload_and_rates(caseload: pd.DataFrame, rates: pd.DataFrame, note_key: str, chart_key: str) -> None:
    """The plain case data of a profile: monthly caseload and rates against peers (shown even with AI off)."""
    if caseload.empty:
        st.info(tr("no_cases"))
    else:
        chart(caseload_figure(caseload, tr("chart_caseload")), chart_key, clickable=False)
    st.markdown(f"#### {tr('rates_vs_peers')}")
    if rates.empty:
        st.info(tr("no_rates"))
    else:
        st.dataframe(rates_table(rates), hide_index=True, width="stretch")
        st.caption(tr(note_key))


def profile_flags_header(info: dict | None) -> None:
    """Heading of a profile's flags; stops the page when AI assistance is off or there is no run."""
    if not assistance_on():
        assistance_off_note()
        st.stop()
    st.markdown(f"#### {tr('flags_over_time')}")
    notice()
    if not need_run(info):
        st.stop()
