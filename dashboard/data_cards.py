"""The model-card page's data: every registered detector's card, the thresholds the latest run used, what it
did in that run, and its quality on planted cases (docs/quality.md and docs/quality.json, when present).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import streamlit as st

from .data import db_version, latest_run_id, load

REPO_DOCS = Path(__file__).resolve().parent.parent / "docs"


def _cards_from_registry() -> list[dict]:
    try:
        from courtwatch.reporting.modelcards import cards
        return cards()
    except ImportError:  # the generator of docs/detectors.md; the registry says the same
        from courtwatch.detectors.registry import DETECTORS
        return [{"name": d.name, "category": d.category, "subject_type": d.subject_type, "title_zh": d.title_zh,
                 "title_en": d.title_en, "needs": ", ".join(d.needs), "method": d.method,
                 "legal_basis": d.legal_basis, "false_alarm_control": d.false_alarm_control,
                 "limitations": d.limitations} for d in DETECTORS]


def settings_classes(detector) -> list[type]:
    """The typed settings (detectors/base.py Settings subclasses) a detector's code uses: those its class, and
    the classes it inherits from, have in their modules' namespace (e.g. PatternSettings, SentencingSettings)."""
    from courtwatch.detectors.base import Settings
    found: list[type] = []
    for cls in type(detector).__mro__:
        module = inspect.getmodule(cls)
        for value in vars(module).values() if module is not None else ():
            if isinstance(value, type) and issubclass(value, Settings) and value is not Settings \
                    and dataclasses.is_dataclass(value) and value not in found:
                found.append(value)
    return found


def _source(cls) -> str:
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        return ""


def detector_thresholds(detector, config) -> dict:
    """The configuration values a detector reads, as the run used them.

    A rule's own parameters are asked from the rule. A statistical detector's are the fields of its typed
    settings (settings_classes) that its class names in its source (or, failing that, its module), plus the
    false-discovery target every statistical detector shares; each read from its section of the run's
    configuration as Settings.from_config reads it. A key that configuration lacks (a run stored before the
    key existed) is shown as None, not filled from today's file: the card states what the run used.
    """
    rule = getattr(detector, "rule", None)
    if rule is not None:
        try:
            params = rule.params(SimpleNamespace(config=config, as_of=dt.date.today(), con=None))
        except Exception:  # a rule whose parameters need more than config: show none rather than fail the page
            params = {}
        return {k: v for k, v in params.items() if isinstance(v, (int, float)) and k != "as_of"}
    values: dict = {}
    for settings in settings_classes(detector):
        for f in dataclasses.fields(settings):
            table = config.section(f.metadata.get("section", settings.section))
            values.setdefault(f.name, table.get(f.name))
    classes = [c for c in type(detector).__mro__ if c.__module__.startswith(("courtwatch.detectors", "detectors"))]
    source = "\n".join(_source(c) for c in classes)
    named = {k: v for k, v in values.items() if re.search(rf"\b{re.escape(k)}\b", source)}
    if not set(named) - {"false_discovery_rate"}:
        module_source = "\n".join(_source(inspect.getmodule(c)) for c in classes)
        named.update({k: v for k, v in values.items() if re.search(rf"\b{re.escape(k)}\b", module_source)})
    if "false_discovery_rate" in values:
        named.setdefault("false_discovery_rate", values["false_discovery_rate"])
    return named


def quality_section(name: str) -> str | None:
    """The part of docs/quality.md about one detector (its headed sections naming it), if the file exists."""
    path = REPO_DOCS / "quality.md"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    sections = re.split(r"(?m)^(?=#{1,4} )", text)
    hits = [s.strip() for s in sections if re.search(rf"\b{re.escape(name)}\b", s)]
    return "\n\n".join(hits) if hits else None


def quality_json(name: str) -> object | None:
    """The entry for one detector in docs/quality.json, if that file exists and has one."""
    path = REPO_DOCS / "quality.json"
    if not path.exists():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if isinstance(content, dict):
        if name in content:
            return content[name]
        detectors = content.get("detectors")
        if isinstance(detectors, dict):
            return detectors.get(name)
        content = detectors if isinstance(detectors, list) else []
    if isinstance(content, list):
        hits = [e for e in content if isinstance(e, dict) and e.get("detector") == name]
        return hits or None
    return None


def model_cards() -> list[dict]:
    """Per registered detector: its card, the thresholds the latest run used, what it did in that run, quality."""
    stamps = tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (REPO_DOCS / "quality.md", REPO_DOCS / "quality.json"))
    return _model_cards(db_version(), stamps)


@st.cache_data(max_entries=4, show_spinner=False)
def _model_cards(version, quality_stamps) -> list[dict]:
    from courtwatch.core.config import Config, load_config
    from courtwatch.detectors.registry import DETECTORS

    run_id = latest_run_id() if db_version() is not None else None
    report = load("dash_run_detectors", run_id=run_id) if run_id else pd.DataFrame()
    config = load_config()
    if not report.empty and report["config"].iloc[0]:
        try:
            config = Config(json.loads(report["config"].iloc[0]), source=f"run {run_id}")
        except ValueError:
            pass
    by_name = {d.name: d for d in DETECTORS}
    runs = {r["detector"]: r for r in report.drop(columns=["config"], errors="ignore").to_dict("records")} if not report.empty else {}
    cards = []
    for card in _cards_from_registry():
        detector = by_name.get(card["name"])
        cards.append({**card,
                      "kind": "rule" if getattr(detector, "rule", None) is not None else "statistical",
                      "thresholds": detector_thresholds(detector, config) if detector is not None else {},
                      "config_source": config.source,
                      "run": runs.get(card["name"]),
                      "quality_md": quality_section(card["name"]),
                      "quality_json": quality_json(card["name"])})
    return cards
