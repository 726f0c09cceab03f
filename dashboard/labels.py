"""Words and numbers as the user reads them: catalog strings in the chosen language (`tr`), labels of the
vocabulary's codes, detector titles, evidence values, and the profile tables in words.
"""
from __future__ import annotations

import functools

import pandas as pd

from .i18n import t
from .state import lang

EVIDENCE_TEXT_KEYS = {"explanation_en", "legal_basis", "method", "notice", "rule", "rule_title", "rule_title_en",
                      "peer_comparison"}


def tr(key: str, **values) -> str:
    """A catalog string in the user's language."""
    return t(key, lang(), **values)


def short(value, length: int = 10) -> str:
    return "—" if value is None else str(value)[:length]


# ---------------------------------------------------------------- codes

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


# ---------------------------------------------------------------- evidence and tables

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
