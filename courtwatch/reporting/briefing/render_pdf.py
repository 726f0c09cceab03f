"""A briefing as PDF: WeasyPrint prints the same HTML as the HTML briefing (render_html), so both agree.

Fonts: the CSS names Noto Sans/Serif CJK SC for the body and in @page (margin boxes take the page's font,
not the body's); WeasyPrint embeds subsets of them, so the PDF shows Chinese on any PC. Charts are JPEG
(charts.render), which WeasyPrint embeds as they are. Nothing is fetched while printing — no network, no file:
the only URLs the page holds are `chart:<n>`, each answered from the briefing's own chart images in memory
(rather than data: URLs, which cost a base64 round trip and parsing 1.2 MB of HTML at scale 100), and any
other URL is refused.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .charts import IMAGE_TYPES
from .content import Brief, Chart
from .render_html import render as render_html

SCHEME = "chart"
CHART_IMAGE = "jpeg"  # embedded as it is (charts.render)
# WeasyPrint's user-agent style sheet styles six pseudo-elements of *every* element (::marker, and the calls
# and markers of footnotes and notes), each computed on its own: 13,350 of the 13,883 styles of a scale-100
# briefing, 0.2-0.4 s of its 2.3-2.5 s. A briefing has list markers only on <li> and neither footnotes nor
# notes, so it is printed with those rules narrowed to the elements that can show them (the same pages,
# pixel for pixel); a WeasyPrint whose sheet lacks one of the rules prints with its own sheet.
NARROWED_UA_RULES = (("\n::marker {", "\nli::marker, summary::marker {"),
                     ("\n::footnote-call {", "\n.courtwatch-none::footnote-call {"),
                     ("\n::footnote-marker {", "\n.courtwatch-none::footnote-marker {"),
                     ("\n::note-call {", "\n.courtwatch-none::note-call {"),
                     ("\n::note-marker {", "\n.courtwatch-none::note-marker {"),
                     ("\n::note-callback {", "\n.courtwatch-none::note-callback {"))


def render(brief: Brief, out: Path) -> Path:
    images: list[bytes] = []

    def image_url(chart: Chart) -> str | None:
        image = chart.image(CHART_IMAGE)
        if image is None:
            return None
        images.append(image)
        return f"{SCHEME}:{len(images) - 1}"

    html = render_html(brief, image_url)
    html_class()(string=html, base_url=None, url_fetcher=_fetcher(images)).write_pdf(out)
    return out


@lru_cache(maxsize=1)
def html_class():
    """weasyprint.HTML printing with the narrowed user-agent sheet (NARROWED_UA_RULES), or HTML itself
    (write_brief's preload thread makes it, 0.03 s)."""
    from weasyprint import CSS, HTML
    from weasyprint.html import UA, UA_COUNTER_STYLE

    text = UA
    for rule, narrowed in NARROWED_UA_RULES:
        if text.count(rule) != 1:
            return HTML
        text = text.replace(rule, narrowed)
    sheet = CSS(string=text, counter_style=UA_COUNTER_STYLE)

    class BriefingHTML(HTML):
        def _ua_stylesheets(self, forms=False):  # the hook WeasyPrint's own tests replace the sheet by
            return super()._ua_stylesheets(forms) if forms else [sheet]

    return BriefingHTML


def _fetcher(images: list[bytes]):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ChartFetcher(URLFetcher):
        """Answers `chart:<n>` from memory; refuses every other URL (the base class is never asked)."""

        def fetch(self, url, headers=None):
            scheme, _, index = url.partition(":")
            if scheme != SCHEME or not index.isdigit() or int(index) >= len(images):
                raise ValueError(f"a briefing fetches nothing: {url[:60]!r} refused")
            return URLFetcherResponse(url, images[int(index)], headers={"Content-Type": IMAGE_TYPES[CHART_IMAGE]})

    return ChartFetcher()
