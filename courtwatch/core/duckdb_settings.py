"""How every DuckDB connection of courtwatch is opened.

Nothing may be fetched at run time (shared/stack-notes.md): extensions are neither installed nor loaded
on demand, so a query that would need one fails here instead of downloading it.
"""
from __future__ import annotations

DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
