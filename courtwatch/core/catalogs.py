"""gettext catalogs (PO files read with Babel): one reader for the dashboard's and the briefing's strings.

Each user-facing part keeps its own domain beside its code (dashboard/locale/…/dashboard.po,
courtwatch/reporting/briefing/locale/…/briefing.po): msgid is the key the code looks up, msgstr the text.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# the interface languages and their gettext locales
LOCALES = {"zh": "zh_CN", "en": "en"}


@lru_cache(maxsize=None)
def read_messages(locale_dir: Path, domain: str, lang: str) -> dict[str, str]:
    """key → text of `domain`'s catalog in `lang` under `locale_dir` (read once per process)."""
    from babel.messages.pofile import read_po

    path = locale_dir / LOCALES[lang] / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang], domain=domain)
    # plural entries (tuples) are not used: every key is one string
    return {message.id: str(message.string) for message in catalog
            if message.id and isinstance(message.id, str) and isinstance(message.string, str)}
