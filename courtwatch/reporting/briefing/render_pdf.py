"""A briefing as PDF: WeasyPrint prints the same HTML as the HTML briefing (render_html), so both agree.

Fonts: the CSS names Noto Sans/Serif CJK SC for the body and in @page (margin boxes take the page's font,
not the body's); WeasyPrint embeds subsets of them, so the PDF shows Chinese on any PC. Nothing is fetched
while printing — no network, no file: the only URLs the page holds are `chart:<n>`, each answered from the
briefing's own chart images in memory (rather than data: URLs, which cost a base64 round trip and parsing
1.2 MB of HTML at scale 100), and any other URL is refused.
"""
from __future__ import annotations

from pathlib import Path

from .content import Brief
from .render_html import render as render_html

SCHEME = "chart"


def render(brief: Brief, out: Path) -> Path:
    from weasyprint import HTML

    images: list[bytes] = []

    def image_url(png: bytes) -> str:
        images.append(png)
        return f"{SCHEME}:{len(images) - 1}"

    html = render_html(brief, image_url)
    HTML(string=html, base_url=None, url_fetcher=_fetcher(images)).write_pdf(out)
    return out


def _fetcher(images: list[bytes]):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ChartFetcher(URLFetcher):
        """Answers `chart:<n>` from memory; refuses every other URL (the base class is never asked)."""

        def fetch(self, url, headers=None):
            scheme, _, index = url.partition(":")
            if scheme != SCHEME or not index.isdigit() or int(index) >= len(images):
                raise ValueError(f"a briefing fetches nothing: {url[:60]!r} refused")
            return URLFetcherResponse(url, images[int(index)], headers={"Content-Type": "image/png"})

    return ChartFetcher()
