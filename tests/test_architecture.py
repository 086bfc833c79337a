"""Layers of the code: no import cycle between apps; domain apps never import the apps that
react to them (messaging, UI, API, integrations); ``common`` imports no app (DESIGN.md §4)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "motcua"
DOMAIN = {
    "common", "organizations", "accounts", "worktime", "catalog", "authority", "dossiers", "bundles",
    "feedback",
}  # fmt: skip
REACTING = {
    "notifications", "portal", "ratings", "web", "api", "integrations", "supervision", "sync",
    "payments",
}  # fmt: skip


def app_imports() -> dict[str, set[str]]:
    """app → apps it imports (module level or inside functions), migrations excluded."""
    apps = {
        path.name for path in ROOT.iterdir() if path.is_dir() and (path / "__init__.py").exists()
    }
    edges: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                pieces = name.split(".")
                inside = pieces[0] == "motcua" and len(pieces) > 1 and pieces[1] in apps
                if inside and pieces[1] != parts[0]:
                    edges[parts[0]].add(pieces[1])
    return edges


def cycle_in(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, node])):
                return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def test_no_import_cycle_between_apps() -> None:
    assert cycle_in(app_imports()) is None


def test_domain_apps_never_import_the_apps_that_react_to_them() -> None:
    edges = app_imports()
    for app in DOMAIN:
        assert not edges.get(app, set()) & REACTING, (app, edges.get(app))


def test_common_imports_no_app() -> None:
    assert not app_imports().get("common")


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
