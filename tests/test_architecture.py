"""The shape of the code, checked: the tree reads as the pipeline, and stays that way.

- no cycle among nncheck's modules (imports at module level; those inside functions and under
  `TYPE_CHECKING` are how a cycle is broken on purpose, so they do not count);
- no source file over 600 lines, but the expression language;
- typer only in the command line (`cli/`), rich only there and in its own renderer;
- the disk touched only by `io/` and the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "nncheck"
MODULES = sorted(PACKAGE.rglob("*.py"))
LONGEST = 600
ALLOWED_LONG = {"nncheck/expr.py"}  # one parser and evaluator: cohesive; split, it reads worse


def name_of(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def top_level_imports(path: Path) -> set[str]:
    """The nncheck modules a module imports when it is itself imported."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    package = name_of(path) if path.name == "__init__.py" else name_of(path).rpartition(".")[0]

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("nncheck"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                if base.startswith("nncheck"):
                    for alias in node.names:
                        full = f"{base}.{alias.name}"
                        found.add(full if full in NAMES else base)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, block, [])
                    visit([s for h in inner for s in h.body] if block == "handlers" else inner)

    visit(tree.body)
    return found - {name_of(path)}


NAMES = {name_of(p) for p in MODULES}
CLI = {n for n in NAMES if n == "nncheck.cli" or n.startswith("nncheck.cli.")}


def import_graph() -> dict[str, set[str]]:
    """Module -> the nncheck modules it imports at load time (a package's parents included)."""
    graph = {name_of(p): top_level_imports(p) & NAMES for p in MODULES}
    # Importing `a.b` runs `a/__init__.py` first; a package that imports its own module is
    # the usual shape of a package (the module must then not import the package back).
    for name in list(graph):
        parent = name.rpartition(".")[0]
        while parent:
            if parent in graph and name not in graph[parent]:
                graph[name] = graph[name] | {parent}
            parent = parent.rpartition(".")[0]
    return graph


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every cycle a depth-first walk meets, as `a -> b -> a`."""
    found: list[str] = []
    state: dict[str, int] = {}

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                walk(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_the_pipeline() -> None:
    graph = import_graph()
    assert "nncheck.io.yaml" in graph["nncheck.io.problems"]
    assert "nncheck.io" in graph["nncheck.io.yaml"]  # the package runs first


def test_no_module_imports_itself_back() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_source_file_is_longer_than_the_house_allows(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    if str(path.relative_to(SRC)) not in ALLOWED_LONG:
        assert lines <= LONGEST


def imported_roots(path: Path) -> set[str]:
    """Every top-level package a module imports, wherever the import stands."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_typer_only_in_the_command_line_and_rich_only_where_it_draws() -> None:
    users = {name_of(p): imported_roots(p) & {"typer", "rich"} for p in MODULES}
    assert {n for n, roots in users.items() if "typer" in roots} <= CLI
    assert {n for n, roots in users.items() if "rich" in roots} <= CLI | {"nncheck.render.rich"}
    assert "nncheck.cli" in {n for n, roots in users.items() if "typer" in roots}


DISK_CALLS = {
    "os": {"open", "unlink", "remove", "rename", "replace", "scandir", "listdir", "stat", "lstat",
           "mkdir", "makedirs", "rmdir", "walk", "chmod", "fdopen"},
    "Path": {"read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink", "rmdir",
             "iterdir", "rglob", "touch", "is_file", "is_dir"},
}
DISK_MODULES = {"tempfile", "shutil", "glob"}
MAY_TOUCH_DISK = ("nncheck.io", "nncheck.cli")


def disk_uses(path: Path) -> list[str]:
    """The places where a module reads or writes files itself (line: what)."""
    tree = ast.parse(path.read_text("utf-8"))
    found = [f"{n.lineno}: import {r}" for n in ast.walk(tree)
             for r in (imported_roots_of(n) & DISK_MODULES)]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append(f"{node.lineno}: open()")
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id == "os" and func.attr in DISK_CALLS["os"]:
                found.append(f"{node.lineno}: os.{func.attr}()")
            elif func.attr in DISK_CALLS["Path"]:
                found.append(f"{node.lineno}: .{func.attr}()")
    return found


def imported_roots_of(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return {node.module.split(".")[0]}
    return set()


def test_only_io_and_the_command_line_touch_the_disk() -> None:
    found = {name_of(p): disk_uses(p) for p in MODULES
             if not name_of(p).startswith(MAY_TOUCH_DISK)}
    assert {name: uses for name, uses in found.items() if uses} == {}
