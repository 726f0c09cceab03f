"""The layers of docs/architecture.md, enforced: imports run downward only, and no package imports itself
back through another.

Read from the source with `ast` (every import, also those inside functions), so a lazy import that
climbs a layer is caught too.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Installed module prefix → source folder (pyproject.toml's package-dir).
SOURCES = {"courtwatch": ROOT / "courtwatch", "courtwatch.detectors": ROOT / "detectors",
           "courtwatch.queries": ROOT / "queries", "courtwatch.dashboard": ROOT / "dashboard",
           "courtwatch.sample_data": ROOT / "sample_data"}
# Lowest first. A module may import its own package, any package of a lower layer, and nothing else.
LAYERS = [
    ["courtwatch.core", "courtwatch"],               # config, errors, contract, vocabulary (+ __version__)
    ["courtwatch.queries", "courtwatch.storage"],    # the SQL files and the two stores
    ["courtwatch.detectors"],                        # the detector contract, the detectors, the law
    ["courtwatch.pipeline", "courtwatch.access"],    # ingest and runs; accounts and sign-in
    ["courtwatch.reporting"],                        # figures, briefings, model cards
    ["courtwatch.dashboard", "courtwatch.sample_data"],
    ["courtwatch.cli", "courtwatch.devtools"],       # entry points; devtools is never imported at run time
]
# Within the storage layer the query runner is below the stores (store.py runs queries, never the reverse).
SAME_LAYER_ALLOWED = {("courtwatch.storage", "courtwatch.queries")}


def package_of(module: str) -> str:
    """The package of LAYERS a module belongs to (longest prefix)."""
    names = [p for layer in LAYERS for p in layer]
    matches = [p for p in names if module == p or module.startswith(p + ".")]
    return max(matches, key=len)


def layer_of(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def modules() -> dict[str, Path]:
    found = {}
    for prefix, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            found[".".join([prefix, *parts])] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("courtwatch")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("courtwatch"):
                # `from courtwatch import queries` imports the queries package, not courtwatch itself
                out |= {f"{target}.{a.name}" if target == "courtwatch" else target for a in node.names}
    return out


def edges() -> set[tuple[str, str, str]]:
    """(importing module, its package, imported package)."""
    found = set()
    for name, path in modules().items():
        mine = package_of(name)
        for target in imports_of(name, path):
            theirs = package_of(target)
            if theirs != mine:
                found.add((name, mine, theirs))
    return found


def test_every_source_module_is_in_a_layer():
    for name in modules():
        assert package_of(name), name


def test_imports_run_downward_only():
    upward = sorted(f"{name} ({mine}) imports {theirs}" for name, mine, theirs in edges()
                    if layer_of(theirs) > layer_of(mine)
                    or (layer_of(theirs) == layer_of(mine) and (mine, theirs) not in SAME_LAYER_ALLOWED
                        and theirs != "courtwatch"))
    assert not upward, "\n".join(upward)


def test_no_import_circle_between_packages():
    graph: dict[str, set[str]] = {}
    for _, mine, theirs in edges():
        graph.setdefault(mine, set()).add(theirs)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(p for p in graph if reaches(p, p, {p}))
    assert not circles, circles


def test_devtools_are_never_imported_at_run_time():
    users = sorted(name for name, mine, theirs in edges() if theirs == "courtwatch.devtools")
    assert not users, users


def test_the_check_sees_a_violation(tmp_path):
    """A lower layer importing an upper one is reported (otherwise the checks above could not fail)."""
    module = tmp_path / "fake.py"
    module.write_text("def f():\n    from courtwatch.dashboard import data\n", encoding="utf-8")
    targets = imports_of("courtwatch.core.fake", module)
    assert targets == {"courtwatch.dashboard"}
    assert layer_of(package_of("courtwatch.dashboard")) > layer_of(package_of("courtwatch.core.fake"))
