"""Imports between the project's modules flow one way: no cycles, and nothing imports the pages.

The graph counts every import, at module level or inside a function: a function-level import
that closes a loop is still a loop (it only hides it from Python's import machinery).
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "metrology_tracker",
    "provinces",
    "targets",
    "tasks",
    "dashboards",
    "reporting",
    "rounds",
    "assessments",
    "onboarding",
)
# None allowed: targets.services enqueues targets.jobs by its registered name (issue 11).
KNOWN_CYCLES: set[frozenset[str]] = set()
# Who may import the read side: the URL configuration and the settings (by dotted string).
MAY_IMPORT_DASHBOARDS = {"metrology_tracker.urls"}
# The assessment report words its frozen figures exactly as the pages do: it may read the
# read side's vocabulary (labels, number and target formatting), never a page builder's data.
SHARED_WORDING = {"dashboards.labels", "dashboards.tables", "dashboards.pages.common"}
MAY_USE_WORDING = {"assessments.report_data", "assessments.services"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Project modules ``path`` imports (``from pkg import mod`` counts as importing pkg.mod)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            # The deepest project module the name reaches: targets.models.Target → targets.models.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    names = set(modules)
    return {name: imports_of(path, names) - {name} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_imports_it_checks():
    graph = import_graph()
    assert "targets.selectors" in graph["dashboards.pages.common"]
    assert "dashboards.pages.departments" in graph["dashboards.pages.province"]
    # A package import of a submodule (from targets import progress) is an edge to it.
    assert "targets.progress" in graph["dashboards.pages.common"]
    # A function-level import counts.
    assert "targets.selectors" in graph["dashboards.context_processors"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycle_between_project_modules():
    found = [frozenset(c) for c in cycles(import_graph())]
    assert [sorted(c) for c in found if c not in KNOWN_CYCLES] == []


def test_only_the_url_configuration_imports_the_read_side():
    graph = import_graph()
    offenders = {
        name: sorted(
            m
            for m in imported
            if m.split(".")[0] == "dashboards"
            and not (name in MAY_USE_WORDING and m in SHARED_WORDING)
        )
        for name, imported in graph.items()
        if name.split(".")[0] != "dashboards" and name not in MAY_IMPORT_DASHBOARDS
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_chart_module_stays_pure():
    """Frames in, figures out: testable on hand-built frames, no Django, no database."""
    path = ROOT / "dashboards" / "charts.py"
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert not {name for name in imported if name and name.split(".")[0] == "django"}
    assert import_graph()["dashboards.charts"] == {"targets.progress"}
