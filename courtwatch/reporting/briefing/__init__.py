"""Periodic briefings (通报): one period, one court and the courts under it, as PDF, DOCX, XLSX or HTML.

Flow: published database + operational store (dispositions) → courtwatch.reporting.figures.Figures (every number)
→ content.build (sections, tables, charts) → render_html / render_pdf / render_docx / render_xlsx.
Every file written is recorded in the audit trail (action "export"). docs/briefings.md says which flags
belong to a period, what the scope is, and how to schedule briefings (cron, systemd timer).
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import importlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Callable

from courtwatch import queries
from courtwatch.core.errors import UserError
from courtwatch.reporting import detector_info
from courtwatch.reporting.figures import Figures, parse_period
from courtwatch.storage import store

from .content import Brief, build

FORMATS = ("pdf", "docx", "xlsx", "html")
BRIEFED_LEVELS = ("basic", "intermediate")  # all_courts=True: one file per court of these levels

__all__ = ["FORMATS", "write_brief", "brief_bytes", "build_brief", "render", "file_name", "Brief"]


def build_brief(con, period: str, court_id: str | None = None, lang: str = "zh", *, run_id: str | None = None,
                dispositions: dict | None = None, charts: bool = True, every_court: dict[str, str] | None = None,
                generated_at: dt.datetime | None = None, full_lists: bool = True) -> Brief:
    """The content of one briefing (no file written): for the dashboard's preview and for tests.

    `full_lists=False` prepares only what documents print: not the list of every period flag (the XLSX's;
    documents print the strongest 15), and of the standing warnings and the judges the first 20 (their notes
    still count them all). Labelling and explaining 30,000 flags of a scale-100 quarter for a PDF was 0.5 s.
    """
    figures = Figures(con, period, court_id, run_id=run_id, dispositions=dispositions)
    if every_court is None:
        every_court = _every_court(con)
    return build(figures, lang=lang, charts=charts, every_court=every_court, generated_at=generated_at,
                 full_lists=full_lists)


def render(brief: Brief, fmt: str, out: Path) -> Path:
    """Write one briefing in one format to `out` (atomically: a reader never sees half a file)."""
    fmt = _check_format(fmt)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(handle)
    temp = Path(temp)
    try:
        if fmt == "html":
            from .render_html import render as render_html
            temp.write_text(render_html(brief), encoding="utf-8")
        elif fmt == "pdf":
            from .render_pdf import render as render_pdf
            render_pdf(brief, temp)
        elif fmt == "docx":
            from .render_docx import render as render_docx
            render_docx(brief, temp)
        else:
            from .render_xlsx import render as render_xlsx
            render_xlsx(brief, temp)
        os.chmod(temp, 0o640)
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return out


def file_name(period: str, court_id: str | None, fmt: str) -> str:
    """brief_<period>_<court_id>.<fmt> (court_id 'all' for a whole-database briefing)."""
    return f"brief_{parse_period(period).code}_{court_id or 'all'}.{_check_format(fmt)}"


def write_brief(db, period: str, court_id: str | None, fmt: str, out: Path, lang: str = "zh",
                all_courts: bool = False, *, run_id: str | None = None, actor: str | None = None,
                charts: bool = True, progress: Callable[[str], None] = lambda message: None) -> list[Path]:
    """Write briefing file(s); return their paths.

    One briefing: `out` is the file (or an existing directory, which gets `file_name(...)`).
    `all_courts=True`: `out` is a directory and gets one file per basic and intermediate court —
    of the whole database, or under `court_id` when one is given.
    Scope: `court_id` and every court under it (None = every court). Each file is audited ("export").
    """
    from courtwatch.storage.opsstore import OpsStore

    fmt = _check_format(fmt)
    lang = _check_lang(lang)
    parse_period(period)  # a malformed period fails before anything is opened
    out = Path(out)
    actor = actor or os.environ.get("COURTWATCH_USER") or _login_name()
    charts = charts and fmt != "xlsx"  # the XLSX holds the tables behind the charts, not pictures
    _preload(fmt, charts)
    con = store.open_for_read(db)
    try:
        every_court = _every_court(con)
        if court_id is not None and court_id not in every_court:
            raise UserError(f"no court {court_id!r} in the database; give a court_id from the courts table")
        ops = OpsStore.open(db=db)
        dispositions = ops.current()
        if all_courts:
            if out.exists() and not out.is_dir():
                raise UserError(f"{out} is a file; with all courts, --out must be a directory")
            targets = [c for c in queries.run(con, "brief_scope_courts", court_id=court_id).to_dict("records")
                       if c["level"] in BRIEFED_LEVELS]
            if not targets:
                raise UserError("no basic or intermediate court in scope; nothing to write")
            jobs = [(c["court_id"], out / file_name(period, c["court_id"], fmt)) for c in targets]
        else:
            path = out / file_name(period, court_id, fmt) if out.is_dir() else out
            jobs = [(court_id, path)]
        written = []
        for n, (target_court, path) in enumerate(jobs, start=1):
            brief = build_brief(con, period, target_court, lang, run_id=run_id, dispositions=dispositions,
                                charts=charts, every_court=every_court, full_lists=fmt == "xlsx")
            render(brief, fmt, path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            ops.audit(actor, "export", str(path), {
                "kind": "briefing", "period": brief.period_code, "court_id": target_court, "format": fmt,
                "lang": lang, "run_id": brief.run_id, "sha256": digest, "bytes": path.stat().st_size})
            written.append(path)
            progress(f"[{n}/{len(jobs)}] {path}")
        return written
    finally:
        con.close()


def brief_bytes(db, period: str, court_id: str | None, fmt: str, lang: str = "zh", *, actor: str,
                run_id: str | None = None) -> tuple[bytes, str]:
    """One briefing as bytes and its file name, for a download button (audited like a written file)."""
    from courtwatch.storage.opsstore import OpsStore

    fmt, lang, name = _check_format(fmt), _check_lang(lang), file_name(period, court_id, fmt)
    con = store.open_for_read(db)
    try:
        ops = OpsStore.open(db=db)
        brief = build_brief(con, period, court_id, lang, run_id=run_id, dispositions=ops.current(),
                            charts=fmt != "xlsx", full_lists=fmt == "xlsx")
    finally:
        con.close()
    with tempfile.TemporaryDirectory(prefix="courtwatch-brief-") as folder:
        data = render(brief, fmt, Path(folder) / name).read_bytes()
    ops.audit(actor, "export", f"download:{name}", {
        "kind": "briefing", "period": brief.period_code, "court_id": court_id, "format": fmt, "lang": lang,
        "run_id": brief.run_id, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    return data, name


def _preload(fmt: str, charts: bool) -> threading.Thread:
    """Import the renderer (WeasyPrint, python-docx, xlsxwriter), the chart library and the detectors' titles
    on another thread while this one reads the database: DuckDB releases the interpreter while it works, and
    on two cores the imports (about 1 s of CPU for a PDF) then cost little wall time. Nothing is rendered
    there; an import that fails here fails again, with its message, where the module is used."""
    def load() -> None:
        try:
            detector_info.detectors()  # the catalog; the registry itself when the catalog is out of date
            if charts:
                from . import charts as chart_module
                chart_module.preload()
            importlib.import_module({"pdf": "weasyprint", "docx": "docx", "xlsx": "xlsxwriter",
                                     "html": "jinja2"}[fmt])
            if fmt == "pdf":
                from .render_pdf import html_class
                html_class()
        except Exception:  # noqa: BLE001 - reported by the real import, on the main thread
            pass

    thread = threading.Thread(target=load, name="courtwatch-brief-preload", daemon=True)
    thread.start()
    return thread


def _every_court(con) -> dict[str, str]:
    courts = queries.run(con, "brief_scope_courts", court_id=None)
    return dict(zip(courts["court_id"], courts["name"].fillna("")))


def _check_format(fmt: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise UserError(f"language {lang!r} is not zh or en")
    return lang


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some service environments
        return "courtwatch"
