"""A briefing as PDF: WeasyPrint prints the same HTML as the HTML briefing (render_html), so both agree.

Fonts: the CSS names Noto Sans/Serif CJK SC for the body and in @page (margin boxes take the page's font,
not the body's); WeasyPrint embeds subsets of them, so the PDF shows Chinese on any PC. Only data: URLs
may be fetched — a briefing never reaches the network or the file system while printing.
"""
from __future__ import annotations

from pathlib import Path

from .content import Brief
from .render_html import render as render_html


def render(brief: Brief, out: Path) -> Path:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(brief)
    fetcher = URLFetcher(allowed_protocols={"data"})
    HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(out)
    return out
