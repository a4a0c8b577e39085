"""The shape of the code, checked: no import cycles in ``worker/``, ``tasks/`` and
``config/``; handlers speak ports and the domain, never an adapter; only the composition
root reads settings and builds adapters.

The import graph is read with :mod:`ast` (module-level imports and imports inside
functions alike: a cycle through a lazy import is still a cycle of meaning). ``if
TYPE_CHECKING:`` imports are left out: they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("worker", "tasks", "config")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and path.parent.name == "versions":
                continue  # Alembic scripts run only inside Alembic
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str) -> str | None:
    """The module of ours that ``name`` (a module or a module's attribute) is."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    # Only explicit imports: a package's __init__ re-exporting its submodules is no cycle
    # (importing a submodule runs the __init__ first, but the __init__ then finds it).
    return {module: imports_of(module) for module in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a path that returns to its start), or None."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = grey
        path.append(node)
        for target in sorted(graph[node]):
            if colour[target] == grey:
                return [*path[path.index(target) :], target]
            if colour[target] == white:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        colour[node] = black
        return None

    for node in sorted(graph):
        if colour[node] == white:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_import_reader_sees_relative_lazy_and_skips_type_checking() -> None:
    assert "worker.bootstrap.app" in imports_of("worker.bootstrap.process")  # module level
    assert "worker.bootstrap.app" in imports_of("worker.cli.log")  # inside a function
    # bootstrap/__init__ imports its submodules only for the type checker
    assert not {m for m in imports_of("worker.bootstrap") if m.startswith("worker.bootstrap.")}


def test_no_import_cycles() -> None:
    cycle = find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


HANDLERS = sorted(m for m in MODULES if m.startswith("worker.handlers"))


@pytest.mark.parametrize("module", HANDLERS)
def test_handlers_import_ports_and_the_domain_never_an_adapter(module: str) -> None:
    forbidden = ("worker.adapters", "worker.bootstrap", "worker.queries", "config")
    bad = sorted(m for m in imports_of(module) if m.startswith(forbidden))
    assert not bad, f"{module} imports {bad}: handlers speak ports (worker.handlers.ports)"


#: The composition root, and what may read the environment's settings besides it:
#: config/ itself (the Celery app reads its broker and schedule) and the Alembic
#: environment (``alembic upgrade`` runs it without any entry point of ours).
SETTINGS_READERS = ("worker.bootstrap", "config", "worker.migrations.env")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_composition_root_reads_settings(module: str) -> None:
    if module.startswith(SETTINGS_READERS):
        return
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    readers = {
        alias.name
        for node in _import_nodes(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "config.settings"
        for alias in node.names
    }
    assert "get_settings" not in readers, f"{module} reads settings: ask worker.bootstrap"
