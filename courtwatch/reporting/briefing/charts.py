"""Briefing charts: drawn with matplotlib's Agg renderer in this process, no browser, to PNG (HTML, DOCX) or
JPEG (PDF; render).

Why matplotlib rather than plotly + kaleido (what the briefing used until issue 16): kaleido prints each
chart in a headless Chromium, and starting it cost 2–5 s before the first image (5.1 s measured at scale 100
under load, then 0.4–0.8 s an image) — more than the whole briefing may take. Agg draws the five charts of
a briefing in about a second of this process's CPU and fetches nothing. The charts keep the look they had:
plotly's simple_white layout (axis lines, no grid), the same colours, sizes in the same pixels (a figure
W × H "px" at 100 dpi, saved at SCALE × for print), type in the same sizes (px × 0.72 = pt).
Text uses Noto Sans CJK SC (its file found through fontconfig, as WeasyPrint finds it), so the charts show
Chinese on any machine where the PDF does; without a CJK font a chart would print boxes, so it stops instead.
"""
from __future__ import annotations

import io
import subprocess
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd

from courtwatch.core.errors import UserError

from .labels import t

FONT_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
CURRENT, PREVIOUS, ACCENT, GRID = "#1f4e79", "#a6b8cc", "#9c2a2a", "#d9d9d9"
TEXT = "#222222"
WIDTH, SCALE = 900, 2
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}  # what render writes, and its media type
PX = 0.72  # points per "px" of a figure at 100 dpi (plotly's unit), so type keeps its size

_lock = threading.RLock()  # rcParams are global: one chart is styled and drawn at a time


def _fontconfig_file(family: str) -> tuple[str, str] | None:
    """(file, family) of a font fontconfig has for `family` (None when it only offers a substitute)."""
    try:
        found = subprocess.run(["fc-match", "--format=%{file}\n%{family}", family], capture_output=True,
                               text=True, timeout=10, check=False).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) < 2 or family not in found[1].split(","):
        return None
    return found[0], family


def font_family() -> tuple[str, ...]:
    """The CJK families matplotlib can draw with, registered from their files (its font cache may predate
    the fonts' installation). Raises UserError when there is none."""
    with _lock:  # write_brief's preload thread may be registering them
        return _font_family()


@lru_cache(maxsize=1)
def _font_family() -> tuple[str, ...]:
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    families = []
    for family in FONT_FAMILIES:
        if family not in known:
            found = _fontconfig_file(family)
            if found is None:
                continue
            font_manager.fontManager.addfont(found[0])  # a .ttc registers each of its faces by name
            known = {f.name for f in font_manager.fontManager.ttflist}
        if family in known:
            families.append(family)
    if not families:  # no fontconfig answer: look through the system's font files themselves (slow, rare)
        for path in font_manager.findSystemFonts():
            if any(part in Path(path).name for part in ("CJK", "SourceHanSans", "wqy-zenhei")):
                font_manager.fontManager.addfont(path)
        known = {f.name for f in font_manager.fontManager.ttflist}
        families = [f for f in FONT_FAMILIES if f in known]
    if not families:
        raise UserError("charts need a Chinese font (Noto Sans CJK SC); install it with "
                        "`apt-get install fonts-noto-cjk`")
    return tuple(families)


def preload() -> None:
    """Import what drawing needs and find the fonts (write_brief calls it on a helper thread)."""
    import matplotlib.figure  # noqa: F401
    import matplotlib.patches  # noqa: F401
    from matplotlib.backends import backend_agg  # noqa: F401
    from PIL import Image  # noqa: F401

    font_family()


def _style() -> dict:
    return {"font.family": [*font_family(), "DejaVu Sans"], "font.size": 15 * PX, "text.color": TEXT,
            "axes.labelcolor": TEXT, "xtick.color": TEXT, "ytick.color": TEXT, "axes.edgecolor": "#000000",
            "axes.linewidth": 0.8, "xtick.major.size": 5 * PX, "ytick.major.size": 5 * PX,
            "xtick.major.width": 0.8, "ytick.major.width": 0.8, "axes.unicode_minus": False,
            "svg.fonttype": "none", "figure.facecolor": "white", "axes.facecolor": "white"}


class Drawing:
    """A matplotlib figure being drawn for one chart (content.Chart holds it and its images), styled like
    plotly's simple_white."""

    def __init__(self, height: int, width: int = WIDTH, font_px: float = 15):
        from matplotlib.figure import Figure

        self.font = font_px * PX
        self.figure = Figure(figsize=(width / 100, height / 100), dpi=100)
        self.ax = self.figure.add_subplot()
        ax = self.ax
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=self.font, direction="out")
        ax.margins(x=0, y=0)

    def legend(self, handles_labels: list[tuple], columns: int | None = None) -> None:
        from matplotlib.patches import Patch

        handles = [Patch(facecolor=colour, edgecolor="none", alpha=alpha) for colour, _, alpha in handles_labels]
        self.ax.legend(handles, [label for _, label, _ in handles_labels], loc="lower left",
                       bbox_to_anchor=(0, 1.0), ncols=columns or len(handles), frameon=False, fontsize=self.font,
                       handlelength=0.8, handleheight=0.8, handletextpad=0.5, columnspacing=1.6, borderaxespad=0.2,
                       borderpad=0)

    def labels(self, bars, texts) -> None:
        self.ax.bar_label(bars, labels=[str(x) for x in texts], padding=3, fontsize=self.font, color=TEXT,
                          clip_on=False)


def _fit(chart: Drawing, renderer, pad_inches: float = 0.04) -> None:
    """Place the axes so that they and everything around them (tick labels, titles, the legend above) fill
    the figure less a pad — what matplotlib's constrained layout does for one axes (the same pixels on the
    briefing's five charts), measured once instead of in its two passes (0.15 s of the five)."""
    figure, ax = chart.figure, chart.ax
    width, height, pad = figure.bbox.width, figure.bbox.height, pad_inches * figure.dpi
    outer, inner = ax.get_tightbbox(renderer), ax.get_window_extent(renderer)
    left, right = inner.x0 - outer.x0, outer.x1 - inner.x1
    bottom, top = inner.y0 - outer.y0, outer.y1 - inner.y1
    ax.set_position([(left + pad) / width, (bottom + pad) / height,
                     (width - left - right - 2 * pad) / width, (height - bottom - top - 2 * pad) / height])


def render(chart: Drawing | None, kind: str = "png") -> bytes | None:
    """The chart as PNG or JPEG bytes (IMAGE_TYPES; None stays None: the renderers print 'no data').

    JPEG is what the PDF prints: WeasyPrint embeds a JPEG as it is, but decodes every other image and
    compresses it again (the five PNGs of a scale-100 briefing: 0.19 s encoding here, then 0.3 s decoding
    and re-encoding there; the JPEGs 0.05 s). Quality 92 without chroma subsampling: at SCALE × (270 dpi
    across the page) the text and edges of a chart look as in the PNG, which the HTML and DOCX keep.
    """
    if chart is None:
        return None
    if kind not in IMAGE_TYPES:
        raise ValueError(f"a chart is drawn as {' or '.join(IMAGE_TYPES)}, not {kind!r}")
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    with _lock, mpl.rc_context(_style()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the first family falls back to the next
        chart.figure.set_dpi(100 * SCALE)
        canvas = FigureCanvasAgg(chart.figure)
        _fit(chart, canvas.get_renderer())
        canvas.draw()
        pixels = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    # RGB, not RGBA: the background is white, and an alpha channel makes WeasyPrint split every chart into
    # an image and a mask, each re-encoded (0.4 s of a scale-100 briefing)
    buffer = io.BytesIO()
    if kind == "jpeg":
        pixels.convert("RGB").save(buffer, format="JPEG", quality=92, subsampling=0)
    else:
        pixels.convert("RGB").save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _percent_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))


# ----------------------------------------------------------------------------------------------- builders

def category_bars(headline: pd.DataFrame, current_label: str, previous_label: str, lang: str = "zh") -> Drawing | None:
    """Warnings per category, this period beside the previous one."""
    if not (headline["current"].fillna(0).astype(float).any() or headline["previous"].fillna(0).astype(float).any()):
        return None
    import matplotlib as mpl
    categories = [i.removeprefix("flags_") for i in headline["indicator"]]
    names = [t(c, lang) for c in categories]
    previous = headline["previous"].fillna(0).astype(int).tolist()
    current = headline["current"].fillna(0).astype(int).tolist()
    with _lock, mpl.rc_context(_style()):
        chart = Drawing(380)
        ax, width = chart.ax, 0.75 / 2
        x = list(range(len(names)))
        low = ax.bar([i - width / 2 for i in x], previous, width, color=PREVIOUS, edgecolor="white", linewidth=0.5)
        high = ax.bar([i + width / 2 for i in x], current, width, color=CURRENT, edgecolor="white", linewidth=0.5)
        chart.labels(low, previous)
        chart.labels(high, current)
        ax.set_xticks(x, names)
        ax.set_xlim(-0.5, len(names) - 0.5)
        top = max([1, *current, *previous])
        ax.set_ylim(0, top * 1.18)
        ax.set_ylabel(t("c_flags", lang), fontsize=chart.font)
        chart.legend([(PREVIOUS, previous_label, 1.0), (CURRENT, current_label, 1.0)])
    return chart


def termination_by_court(frame: pd.DataFrame, lang: str = "zh") -> Drawing | None:
    """终本 share per court (horizontal bars, highest first)."""
    if frame.empty:
        return None
    import matplotlib as mpl
    frame = frame.iloc[::-1]
    labels = [n if isinstance(n, str) and n else str(c) for c, n in zip(frame["court_id"], frame["name"])]
    text = [f"{100 * s:.1f}%（{int(k)}/{int(n)}）" if lang == "zh" else f"{100 * s:.1f}% ({int(k)}/{int(n)})"
            for s, k, n in zip(frame["terminated_share"], frame["terminated_this_round"], frame["closed_cases"])]
    with _lock, mpl.rc_context(_style()):
        chart = Drawing(90 + 26 * len(frame))
        ax = chart.ax
        y = list(range(len(labels)))
        bars = ax.barh(y, [100 * float(s) for s in frame["terminated_share"]], 0.75, color=CURRENT)
        chart.labels(bars, text)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.5, len(labels) - 0.5)
        ax.set_xlim(0, 118)
        ax.set_xticks(range(0, 101, 20))
        _percent_axis(ax.xaxis)
        ax.set_xlabel(t("c_terminated_share", lang), fontsize=chart.font * 1.1)
    return chart


def termination_by_month(frame: pd.DataFrame, lang: str = "zh") -> Drawing | None:
    """终本 share per month (line), the period's months marked."""
    if frame.empty or frame["closed_cases"].sum() == 0:
        return None
    import matplotlib as mpl
    import matplotlib.dates as mdates
    share = [float("nan") if v is None or pd.isna(v) else 100 * float(v) for v in frame["terminated_share"]]
    months = pd.to_datetime(frame["month"])
    colours = [ACCENT if p else CURRENT for p in frame["in_period"]]
    with _lock, mpl.rc_context(_style()):
        chart = Drawing(360)
        ax = chart.ax
        in_period = months[frame["in_period"].to_numpy()]
        if 0 < len(in_period) < len(frame):  # mark the period's months within the longer trend
            ax.axvspan(in_period.min() - pd.Timedelta(days=14), in_period.max() + pd.Timedelta(days=14),
                       color=ACCENT, alpha=0.07, linewidth=0, zorder=0)
        ax.plot(months, share, color=CURRENT, linewidth=2 * PX, zorder=2)
        ax.scatter(months, share, c=colours, s=(9 * PX) ** 2, zorder=3, linewidths=0)
        top = max([v for v in share if v == v] or [10])
        ax.set_ylim(0, min(100, top * 1.25 + 2))
        _percent_axis(ax.yaxis)
        ax.set_ylabel(t("c_terminated_share", lang), fontsize=chart.font * 1.1)
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=1 if len(frame) <= 13 else 3))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.set_xlim(months.min() - pd.Timedelta(days=22), months.max() + pd.Timedelta(days=22))
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    return chart


def charge_bars(frame: pd.DataFrame, lang: str = "zh") -> Drawing | None:
    """Sentencing warnings per charge (horizontal bars), high-strength part shaded."""
    if frame.empty:
        return None
    import matplotlib as mpl
    frame = frame.iloc[::-1]
    high = frame["high"].astype(int).tolist()
    other = (frame["flags"] - frame["high"]).astype(int).tolist()
    with _lock, mpl.rc_context(_style()):
        chart = Drawing(110 + 30 * len(frame))
        ax = chart.ax
        y = list(range(len(frame)))
        ax.barh(y, high, 0.75, color=ACCENT, edgecolor="white", linewidth=0.5)
        rest = ax.barh(y, other, 0.75, left=high, color=CURRENT, edgecolor="white", linewidth=0.5)
        chart.labels(rest, frame["flags"].astype(int).tolist())
        ax.set_yticks(y, frame["charge"].tolist())
        ax.set_ylim(-0.5, len(frame) - 0.5)
        ax.set_xlim(0, max(1, int(frame["flags"].max())) * 1.15)
        ax.set_xlabel(t("c_flags", lang), fontsize=chart.font * 1.1)
        chart.legend([(CURRENT, f"{t('c_medium', lang)}/{t('c_low', lang)}", 1.0), (ACCENT, t("c_high", lang), 1.0)])
    return chart


def trend_bars(trend: pd.DataFrame, lang: str = "zh") -> Drawing | None:
    """Warnings per quarter (the first page's trend): high-strength part in red, the rest blue, totals on top.

    Drawn narrow and with large type, since it sits beside the trend table at a third of the page's width.
    """
    if not trend["flags"].astype(int).any():
        return None
    import matplotlib as mpl
    labels = [f"{q[:4]}年\n{'一二三四'[int(q[-1]) - 1]}季度" if lang == "zh" else f"Q{q[-1]}\n{q[:4]}"
              for q in trend["quarter"]]
    high = trend["high"].astype(int).tolist()
    other = (trend["flags"].astype(int) - trend["high"].astype(int)).tolist()
    opacity = [1.0 if p else 0.55 for p in trend["in_period"]]
    with _lock, mpl.rc_context(_style()):
        chart = Drawing(245, width=460, font_px=24)
        ax = chart.ax
        x = list(range(len(labels)))
        low = ax.bar(x, high, 0.7, color=ACCENT, edgecolor="white", linewidth=0.5)
        rest = ax.bar(x, other, 0.7, bottom=high, color=CURRENT, edgecolor="white", linewidth=0.5)
        for bar_set in (low, rest):
            for patch, alpha in zip(bar_set, opacity):
                patch.set_alpha(alpha)
        chart.labels(rest, trend["flags"].astype(int).tolist())
        ax.set_xticks(x, labels)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylim(0, max(1, int(trend["flags"].max())) * 1.3)
        from matplotlib.ticker import MaxNLocator
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        chart.legend([(CURRENT, f"{t('c_medium', lang)}/{t('c_low', lang)}", 1.0), (ACCENT, t("c_high", lang), 1.0)])
    return chart
