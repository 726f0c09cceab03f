"""Briefing charts: plotly figures rendered offline to PNG by kaleido and the system Chromium.

Why plotly + kaleido rather than matplotlib: the dashboard draws with plotly, so a chart in a briefing
looks like the one on screen and the builders here can be reused there (`fig` in, `st.plotly_chart`).
Kaleido starts Chromium once per process (`kaleido.start_sync_server`, ~2–5 s), then ~0.4 s an image.
MathJax is switched off (kaleido would otherwise fetch it from a CDN) and plotly.js comes from the
plotly package, so nothing is fetched. Text uses Noto Sans CJK SC, which Chromium finds through fontconfig.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd
import plotly.graph_objects as go

from courtwatch.core.errors import UserError

from .labels import t

FONT = "Noto Sans CJK SC, Noto Sans CJK, WenQuanYi Zen Hei, sans-serif"
CURRENT, PREVIOUS, ACCENT, GRID = "#1f4e79", "#a6b8cc", "#9c2a2a", "#d9d9d9"
WIDTH, SCALE = 900, 2

_lock = threading.Lock()
_started = False
_cache: "OrderedDict[str, bytes]" = OrderedDict()
_CACHE_SIZE = 32


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(template="simple_white", width=WIDTH, height=height, font=dict(family=FONT, size=15, color="#222"),
                      margin=dict(l=10, r=30, t=20, b=10), legend=dict(orientation="h", y=1.08, x=0),
                      bargap=0.25)
    fig.update_xaxes(gridcolor=GRID, automargin=True)
    fig.update_yaxes(gridcolor=GRID, automargin=True)
    return fig


def start() -> None:
    """Start kaleido's Chromium once for this process (later calls are free)."""
    global _started
    if _started:
        return
    import kaleido
    try:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    except Exception as exc:  # noqa: BLE001 - any failure to start the browser is a setup problem
        raise UserError(f"charts need Chromium for kaleido ({exc.__class__.__name__}: {exc}); "
                        "install it with `apt-get install chromium`") from None
    _started = True


def render(fig: go.Figure | None) -> bytes | None:
    """PNG bytes of a figure (None stays None: the renderers print 'no data').

    The same figure drawn again in this process (the PDF, DOCX and HTML of one briefing) comes from a
    small cache keyed by the figure's full JSON, so it is drawn once.
    """
    if fig is None:
        return None
    import hashlib
    import warnings
    key = hashlib.sha256(fig.to_json().encode("utf-8")).hexdigest()
    with _lock:  # kaleido's sync server is one queue: one caller at a time
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "kopts ignored if using a server": we set them at start
            try:
                png = fig.to_image(format="png", width=fig.layout.width or WIDTH,
                                   height=fig.layout.height or 400, scale=SCALE)
            except Exception as exc:  # noqa: BLE001
                raise UserError(f"a chart could not be drawn ({exc.__class__.__name__}: {exc}); check that "
                                "/usr/bin/chromium runs") from None
        _cache[key] = png
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return png


# ----------------------------------------------------------------------------------------------- builders

def category_bars(headline: pd.DataFrame, current_label: str, previous_label: str, lang: str = "zh") -> go.Figure:
    """Warnings per category, this period beside the previous one."""
    if not (headline["current"].fillna(0).astype(float).any() or headline["previous"].fillna(0).astype(float).any()):
        return None
    categories = [i.removeprefix("flags_") for i in headline["indicator"]]
    names = [t(c, lang) for c in categories]
    fig = go.Figure([
        go.Bar(name=previous_label, x=names, y=headline["previous"], marker_color=PREVIOUS,
               text=headline["previous"], textposition="outside"),
        go.Bar(name=current_label, x=names, y=headline["current"], marker_color=CURRENT,
               text=headline["current"], textposition="outside"),
    ])
    top = max([1, *headline["current"].fillna(0), *headline["previous"].fillna(0)])
    fig.update_yaxes(range=[0, top * 1.18], title=t("c_flags", lang))
    return _layout(fig, 380)


def termination_by_court(frame: pd.DataFrame, lang: str = "zh") -> go.Figure | None:
    """终本 share per court (horizontal bars, highest first)."""
    if frame.empty:
        return None
    frame = frame.iloc[::-1]
    labels = [n if isinstance(n, str) and n else str(c) for c, n in zip(frame["court_id"], frame["name"])]
    text = [f"{100 * s:.1f}%（{int(k)}/{int(n)}）" if lang == "zh" else f"{100 * s:.1f}% ({int(k)}/{int(n)})"
            for s, k, n in zip(frame["terminated_share"], frame["terminated_this_round"], frame["closed_cases"])]
    fig = go.Figure(go.Bar(x=100 * frame["terminated_share"], y=labels, orientation="h", marker_color=CURRENT,
                           text=text, textposition="outside", cliponaxis=False))
    fig.update_xaxes(range=[0, 118], ticksuffix="%", title=t("c_terminated_share", lang))
    return _layout(fig, 90 + 26 * len(frame))


def termination_by_month(frame: pd.DataFrame, lang: str = "zh") -> go.Figure | None:
    """终本 share per month (line), the period's months marked."""
    if frame.empty or frame["closed_cases"].sum() == 0:
        return None
    share = [None if v is None or pd.isna(v) else 100 * v for v in frame["terminated_share"]]
    colours = [ACCENT if p else CURRENT for p in frame["in_period"]]
    fig = go.Figure(go.Scatter(x=frame["month"], y=share, mode="lines+markers", line=dict(color=CURRENT, width=2),
                               marker=dict(color=colours, size=9), connectgaps=False,
                               name=t("c_terminated_share", lang)))
    in_period = frame[frame["in_period"]]
    if 0 < len(in_period) < len(frame):  # mark the period's months within the longer trend
        fig.add_vrect(x0=in_period["month"].min() - pd.Timedelta(days=14), x1=in_period["month"].max() + pd.Timedelta(days=14),
                      fillcolor=ACCENT, opacity=0.07, line_width=0)
    top = max([v for v in share if v is not None] or [10])
    fig.update_yaxes(range=[0, min(100, top * 1.25 + 2)], ticksuffix="%", title=t("c_terminated_share", lang))
    fig.update_xaxes(tickformat="%Y-%m", dtick="M1" if len(frame) <= 13 else "M3", tickangle=-45)
    fig.update_layout(showlegend=False)
    return _layout(fig, 360)


def charge_bars(frame: pd.DataFrame, lang: str = "zh") -> go.Figure | None:
    """Sentencing warnings per charge (horizontal bars), high-strength part shaded."""
    if frame.empty:
        return None
    frame = frame.iloc[::-1]
    other = frame["flags"] - frame["high"]
    fig = go.Figure([
        go.Bar(name=t("c_high", lang), x=frame["high"], y=frame["charge"], orientation="h", marker_color=ACCENT),
        go.Bar(name=f"{t('c_medium', lang)}/{t('c_low', lang)}", x=other, y=frame["charge"], orientation="h",
               marker_color=CURRENT, text=frame["flags"], textposition="outside", cliponaxis=False),
    ])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("c_flags", lang), range=[0, max(1, frame["flags"].max()) * 1.15])
    return _layout(fig, 110 + 30 * len(frame))


def trend_bars(trend: pd.DataFrame, lang: str = "zh") -> go.Figure | None:
    """Warnings per quarter (the first page's trend): high-strength part in red, the rest blue, totals on top.

    Drawn narrow and with large type, since it sits beside the trend table at a third of the page's width.
    """
    if not trend["flags"].astype(int).any():
        return None
    labels = [f"{q[:4]}年<br>{'一二三四'[int(q[-1]) - 1]}季度" if lang == "zh" else f"Q{q[-1]}<br>{q[:4]}"
              for q in trend["quarter"]]
    high = trend["high"].astype(int)
    other = trend["flags"].astype(int) - high
    opacity = [1.0 if p else 0.55 for p in trend["in_period"]]
    fig = go.Figure([
        go.Bar(name=t("c_high", lang), x=labels, y=high, marker=dict(color=ACCENT, opacity=opacity)),
        go.Bar(name=f"{t('c_medium', lang)}/{t('c_low', lang)}", x=labels, y=other,
               marker=dict(color=CURRENT, opacity=opacity), text=trend["flags"].astype(int), textposition="outside",
               cliponaxis=False),
    ])
    fig.update_layout(barmode="stack")
    fig.update_yaxes(range=[0, max(1, int(trend["flags"].max())) * 1.3], title=None, nticks=4)
    fig = _layout(fig, 245)
    fig.update_layout(width=460, font=dict(family=FONT, size=24, color="#222"), margin=dict(l=8, r=8, t=54, b=8),
                      legend=dict(orientation="h", y=1.08, yanchor="bottom", x=0), bargap=0.3)
    fig.update_xaxes(tickangle=0)
    return fig
