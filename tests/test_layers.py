"""The layers, kept by a test: every module's imports (module level and inside functions, read with ast)
obey the rules of docs/architecture.md, and the checker itself fails on a planted violation.

model ← core ← book ← jobs ← shells:
- model imports nothing of crm_xl outside model;
- core imports only model and core, and no I/O library;
- the xlsx engine (book/xlsx) is imported only by book/files.py, by runtime.py (the read-ahead starts
  before pandas loads) and within itself;
- runtime.py, the one tuning module, is imported only by jobs, merging, book/files and the shells;
- nothing imports a shell but the entry points (crm_xl/xl.py, the buttons' stable name; __main__);
- the xlwings Lite path — what importing shells/lite.py and the core modules jobs.py runs load
  (module-level imports, followed through the package) — loads no file engine (book/files, book/xlsx), no desktop shell or authoring, no I/O library and
  nothing that starts threads: it runs in Pyodide inside Excel (book/lite.py is in book, shells/lite.py in
  shells, and both keep the rules above);
- no import circles.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "crm_xl"
IO_LIBRARIES = {"openpyxl", "xlwings", "typer", "rich", "python_calamine", "xlsxwriter", "fastexcel", "zipfile"}
LITE_ENTRY = "shells.lite"
LITE_FORBIDDEN = ("book.files", "book.xlsx", "authoring", "shells.xl", "shells.cli", "shells.entry", "shells.info",
                  "xl", "__main__")
LITE_FORBIDDEN_LIBRARIES = IO_LIBRARIES - {"zipfile"} | {"threading", "_thread", "concurrent", "multiprocessing"}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package at `root`."""
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: set[str], top_level: bool = False) -> Iterator[str]:
    """Every module `name` imports (absolute names; a `from pkg import sub` names the submodule); with
    `top_level`, only what importing it runs (the module's own statements, not its functions')."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in (_module_statements(tree) if top_level else ast.walk(tree)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known]
            yield from subs or [target]


def _module_statements(tree: ast.Module) -> Iterator[ast.AST]:
    """The nodes that run when the module is imported: everything but function bodies (class bodies run)."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(n for n in ast.iter_child_nodes(node) if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def graph(root: Path, top_level: bool = False) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    return {name: set(imports(name, path, known, top_level)) for name, path in mods.items()}


def core_jobs(root: Path) -> list[str]:
    """The core modules jobs.py imports by name when a job runs (its CORE table)."""
    tree = ast.parse((root / "jobs.py").read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign | ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "CORE"
                         for t in (n.targets if isinstance(n, ast.Assign) else [n.target])))
    return [ast.literal_eval(v)[0] for v in table.values]


def loaded_by(g: dict[str, set[str]], start: str) -> set[str]:
    """The package's modules that importing `start` loads (its parent packages included)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in g:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += list(g[name])
    return seen


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path) -> list[str]:
    """The broken rules, one line each (empty when the tree keeps every rule)."""
    g = graph(root)
    pkg = root.name
    out = []
    for src, targets in sorted(g.items()):
        inner = {t for t in targets if _under(t, pkg)}
        top = {t.split(".")[0] for t in targets}
        if _under(src, f"{pkg}.model"):
            out += [f"{src} → {t}: model imports only model" for t in sorted(inner)
                    if not _under(t, f"{pkg}.model") and t != pkg]
        if _under(src, f"{pkg}.core"):
            out += [f"{src} → {t}: core imports only model and core" for t in sorted(inner)
                    if not (_under(t, f"{pkg}.model") or _under(t, f"{pkg}.core")) and t != pkg]
            out += [f"{src} → {t}: core uses no I/O library" for t in sorted(top & IO_LIBRARIES)]
        for t in sorted(inner):
            if _under(t, f"{pkg}.book.xlsx") and not (
                    _under(src, f"{pkg}.book.xlsx") or src in (f"{pkg}.book.files", f"{pkg}.runtime")):
                out.append(f"{src} → {t}: only book/files.py and runtime.py import the xlsx engine")
            if t == f"{pkg}.runtime" and not (
                    src in (f"{pkg}.jobs", f"{pkg}.merging", f"{pkg}.book.files") or _under(src, f"{pkg}.shells")):
                out.append(f"{src} → {t}: only jobs, merging, book/files and the shells import runtime")
            if _under(t, f"{pkg}.shells") and not (
                    _under(src, f"{pkg}.shells") or src in (f"{pkg}.xl", f"{pkg}.__main__")):
                out.append(f"{src} → {t}: nothing imports a shell")
    lite = f"{pkg}.{LITE_ENTRY}"
    if lite in g:
        top = graph(root, top_level=True)
        for src in sorted(set().union(*(loaded_by(top, m) for m in (lite, *core_jobs(root))))):
            for t in sorted(top[src]):
                if any(_under(t, f"{pkg}.{f}") for f in LITE_FORBIDDEN) or t.split(".")[0] in LITE_FORBIDDEN_LIBRARIES:
                    out.append(f"{src} → {t}: the Lite path (shells/lite.py) loads no file engine, desktop part, "
                               "I/O library or thread")
    out += [f"import circle: {' → '.join(c)}" for c in cycles(g, pkg)]
    return out


def cycles(g: dict[str, set[str]], pkg: str) -> list[list[str]]:
    """The import circles among the package's modules (a package's __init__ importing its own modules
    is not a circle: importing pkg.sub runs pkg first)."""
    edges = {s: {t for t in ts if t in g and t != s and not _under(s, t)} for s, ts in g.items()}
    found, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    return found


def test_the_package_keeps_its_layers() -> None:
    assert violations(ROOT) == []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    dest = tmp_path / "crm_xl"
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns("__pycache__", "*.bas"))
    return dest


PLANTED = {
    "model imports only model": ("model/i18n.py", "from ..jobs import run_all\n"),
    "core imports only model and core": ("core/context.py", "from ..book.port import Book\n"),
    "core uses no I/O library": ("core/kernel/cells.py", "import openpyxl\n"),
    "only book/files.py and runtime.py import the xlsx engine": ("book/port.py", "from .xlsx import zipio\n"),
    "only jobs, merging, book/files and the shells import runtime": ("core/kernel/memo.py", "from ...runtime import trim\n"),
    "nothing imports a shell": ("jobs.py", "def f():\n    from .shells import cli\n"),
    "import circle": ("model/i18n.py", "def f():\n    from .schema import SheetDef\n"),  # schema imports i18n
    "the Lite path (shells/lite.py) loads no file engine": ("book/excel_values.py", "import threading\n"),
}


@pytest.mark.parametrize("rule", list(PLANTED))
def test_a_planted_violation_is_found(tree: Path, rule: str) -> None:
    file, line = PLANTED[rule]
    path = tree / file
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    assert any(rule in v for v in violations(tree)), violations(tree)
