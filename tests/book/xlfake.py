"""A test double of the handful of xlwings calls crm_xl/book/excel.py makes, recording each round trip.

It behaves like Excel where that matters to the adapter: numbers come back as floats, text that looks
like a number/date/formula is converted unless it starts with an apostrophe, `=…` is a formula (a
HYPERLINK shows its friendly name), the used range spans the used cells, tables resize, deleting the
last sheet fails. Every property read/write and method call that would cross to Excel appends to
`calls` (a list shared by the whole workbook), so tests can count round trips.

It offers no more than xlwings' desktop engines do: every member crm_xl code touches on a fake object is
recorded in TOUCHED as (xlwings class, member, get|set) and checked against what `xlwings/_xlwindows.py`
and `xlwings/_xlmac.py` implement (read with ast below; `FakeBook(engine=...)` picks one or both):
what they lack raises NotImplementedError, what xlwings has not at all raises AttributeError. The native
objects (`Book.api`, `Sheet.api`: COM or appscript) are not modelled: any use of them raises
NotImplementedError. `engine="mac"` also reproduces `_xlmac.Sheet.range` on a multi-area address (only
the first cell is kept). `fail_at=n` makes the n-th write (any call that changes the workbook) raise,
and `snapshot()` gives the whole workbook's state to compare.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import functools
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crm_xl.book.ops import parse_ref
from crm_xl.model.frame import col_letter

# --- xlwings' real desktop surface, read from its installed sources with ast ------------------------
XLWINGS = Path(importlib.util.find_spec("xlwings").origin).parent
ENGINES = ("_xlwindows", "_xlmac")
# xlwings.conversion reads and writes Range.value through Range.raw_value (outside main.py's classes)
# Wrappers that reach the engine outside what ast can follow in main.py: xlwings.conversion reads and
# writes Range.value through Range.raw_value and Range.formula through the engine's formula;
# App.properties gets and sets the App properties named by its keywords (those crm-xl passes).
INDIRECT: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {
    ("Range", "value", "get"): [("self", "raw_value", "get")],
    ("Range", "value", "set"): [("self", "raw_value", "set")],
    ("Range", "formula", "set"): [("impl", "formula", "set")],
    ("App", "properties", "get"): [("self", p, m) for p in ("screen_updating", "calculation", "enable_events")
                                   for m in ("get", "set")],
}


@functools.cache
def classes(module: str) -> dict[str, ast.ClassDef]:
    tree = ast.parse((XLWINGS / f"{module}.py").read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def _defs(cls: ast.ClassDef) -> dict[tuple[str, str], ast.FunctionDef | ast.AsyncFunctionDef]:
    out = {}
    for n in cls.body:
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
            setter = any(isinstance(d, ast.Attribute) and d.attr == "setter" for d in n.decorator_list)
            out[(n.name, "set" if setter else "get")] = n
    return out


def _mro(module: str, name: str) -> list[tuple[str, ast.ClassDef]]:
    """(module, class) from `name` up through its bases in the module and in base_classes."""
    cls = classes(module).get(name)
    if cls is None:
        return []
    out = [(module, cls)]
    for base in cls.bases:
        if isinstance(base, ast.Name):
            out += _mro(module, base.id)
        elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) and base.value.id == "base_classes":
            out += _mro("base_classes", base.attr)
        elif isinstance(base, ast.Subscript) and isinstance(base.value, ast.Name):  # Collection[...]
            out += _mro(module, base.value.id)
    return out


def _instance_attributes(cls: ast.ClassDef) -> set[str]:
    """Attributes an engine class sets on its instances (`self.sheet = sheet` in __init__)."""
    return {t.attr for n in ast.walk(cls) if isinstance(n, ast.Assign) for t in n.targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"}


def _raises(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return bool(body) and isinstance(body[0], ast.Raise)


def engine_status(engine: str, cls: str, member: str, mode: str) -> str:
    """'ok', or why the engine lacks `cls.member` (get: read or call; set: property setter)."""
    chain = _mro(engine, cls)
    if not chain:
        return f"no class {cls}"
    for module, node in chain:
        if module != "base_classes" and member in _instance_attributes(node):
            return "ok"
        fn = _defs(node).get((member, mode))
        if fn is None:
            continue
        if module == "base_classes":
            return f"falls through to base_classes.{node.name}.{member}" + (" (raises)" if _raises(fn) else "")
        return f"{module}.{node.name}.{member} raises" if _raises(fn) else "ok"
    return f"no {cls}.{member}" + (" setter" if mode == "set" else "")


def _self_uses(fn: ast.AST) -> list[tuple[str, str, str]]:
    """('impl'|'self', member, mode) used in a main.py method body."""
    out = []
    for n in ast.walk(fn):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Attribute) and n.value.attr == "impl" \
                and isinstance(n.value.value, ast.Name) and n.value.value.id == "self":
            out.append(("impl", n.attr, "set" if isinstance(n.ctx, ast.Store) else "get"))
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self" \
                and n.attr != "impl":
            out.append(("self", n.attr, "set" if isinstance(n.ctx, ast.Store) else "get"))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "impl" \
                and isinstance(n.func.value, ast.Name) and n.func.value.id == "self":
            out.append(("impl", "__call__", "get"))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "len" and n.args \
                and isinstance(n.args[0], ast.Attribute) and n.args[0].attr == "impl":
            out.append(("impl", "__len__", "get"))
        elif isinstance(n, ast.For | ast.comprehension) and isinstance(n.iter, ast.Attribute) \
                and n.iter.attr == "impl":
            out.append(("impl", "__iter__", "get"))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "self":
            out.append(("self", "__call__", "get"))
    return out


def impl_calls(cls: str, member: str, mode: str) -> set[tuple[str, str, str]] | None:
    """The engine members (class, member, mode) that main.py's `cls.member` reaches, following the
    wrapper's own helpers; None when main.py has no such member."""
    found: set[tuple[str, str, str]] = set()
    seen: set[tuple[str, str]] = set()

    def visit(m: str, md: str) -> bool:
        if (m, md) in seen:
            return True
        seen.add((m, md))
        for _, node in _mro("main", cls):
            fn = _defs(node).get((m, md))
            if fn is not None:
                break
        else:
            return False
        for kind, name, how in [*_self_uses(fn), *INDIRECT.get((cls, m, md), [])]:
            if name.startswith("__") and name not in ("__call__", "__len__", "__iter__"):
                continue
            if kind == "impl":
                found.add((cls, name, how))
            else:
                visit(name, how)
        return True

    return found if visit(member, mode) else None


def missing(cls: str, member: str, mode: str) -> dict[str, list[str]]:
    """Engine → what it lacks for main.py's `cls.member` ({} when both engines implement it)."""
    calls = impl_calls(cls, member, mode)
    if calls is None:
        return {e: [f"xlwings.{cls} has no {member}" + (" setter" if mode == "set" else "")] for e in ENGINES}
    out: dict[str, list[str]] = {}
    for engine in ENGINES:
        bad = [f"{c}.{m}{' (set)' if md == 'set' else ''}: {s}" for c, m, md in sorted(calls)
               if (s := engine_status(engine, c, m, md)) != "ok"]
        if bad:
            out[engine] = bad
    return out


# --- the fake ----------------------------------------------------------------------------------------

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
HYPERLINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')


def _address(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"${col_letter(c1)}${r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:${col_letter(c2)}${r2}"


def excel_input(value: Any) -> tuple[Any, str | None]:
    """What Excel stores for a value assigned through Range.value: (value, formula)."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:], None
        if value.startswith("="):
            m = HYPERLINK.match(value)
            return (m.group(2).replace('""', '"') if m else None), value
        if NUMBER.fullmatch(value.strip()):
            return float(value), None
        if value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE", None
        try:
            return dt.datetime.fromisoformat(value.strip()), None
        except ValueError:
            return value, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int):
        return float(value), None
    if isinstance(value, dt.datetime | float) or value is None:
        return value, None
    raise TypeError(f"Excel cannot take a {type(value).__name__}: {value!r}")


TOUCHED: set[tuple[str, str, str]] = set()  # (xlwings class, member, get|set) touched by crm_xl code


@functools.cache
def lacking(engine: str, cls: str, member: str, mode: str) -> tuple[type[Exception], str] | None:
    """Why `engine` ("windows", "mac" or "both") cannot do xlwings' `cls.member`, or None."""
    why = missing(cls, member, mode)
    if impl_calls(cls, member, mode) is None:
        return AttributeError, why["_xlwindows"][0]
    engines = ENGINES if engine == "both" else ("_xl" + engine,)
    for e in engines:
        if e in why:
            return NotImplementedError, f"{e}: " + "; ".join(why[e])
    return None


class Calls(list):
    """The round trips of one workbook, with its engine, its write counter and an injected failure."""

    def __init__(self, engine: str = "both") -> None:
        super().__init__()
        self.engine = engine
        self.writes = 0
        self.fail_at: int | None = None

    def write(self, what: str) -> None:
        self.writes += 1
        if self.writes == self.fail_at:
            raise RuntimeError(f"injected failure at write {self.writes} ({what})")


def _from_crm_xl() -> bool:
    return sys._getframe(2).f_globals.get("__name__", "").startswith("crm_xl.")


class Recorder:
    XW = ""  # the xlwings class this fake stands for

    def __init__(self, calls: Calls) -> None:
        object.__setattr__(self, "_calls", calls)

    def __getattribute__(self, name: str) -> Any:
        if name[0] != "_" and _from_crm_xl():
            _touch(self, name, "get")
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name[0] != "_" and _from_crm_xl():
            _touch(self, name, "set")
        object.__setattr__(self, name, value)

    def log(self, *what: Any) -> None:
        self._calls.append(tuple(str(w) for w in what))

    def write(self, *what: Any) -> None:
        """Log a call that changes the workbook (and fail it when it is the injected failure)."""
        self.log(*what)
        self._calls.write(str(what[0]))


def _touch(obj: Recorder, name: str, mode: str) -> None:
    cls = type(obj).XW
    TOUCHED.add((cls, name, mode))
    why = lacking(object.__getattribute__(obj, "_calls").engine, cls, name, mode)
    if why is not None:
        raise why[0](f"xlwings {cls}.{name}{' (set)' if mode == 'set' else ''}: {why[1]}")


def dunder(obj: Recorder, name: str) -> None:
    """Record an implicit call (iteration, indexing) made by crm_xl code."""
    if sys._getframe(2).f_globals.get("__name__", "").startswith("crm_xl."):
        _touch(obj, name, "get")


class Native:
    """A native object (COM / appscript): not modelled."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"the fake does not model Excel's native {self._what} object ({name})")


FONT_DEFAULTS: dict[str, Any] = {"bold": False, "italic": False, "size": 11.0, "color": (0, 0, 0)}
DEFAULT_WIDTH = 8.43


class FakeFont(Recorder):
    XW = "Font"

    def __init__(self, calls: Calls, rng: FakeRange) -> None:
        super().__init__(calls)
        self._rng = rng

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if _from_crm_xl():
            _touch(self, name, "set")
        self.write("font." + name, self._rng._addr(), value)
        fonts = self._rng._sheet.fonts
        for cell in self._rng.cells():
            font = fonts.setdefault(cell, {})
            if value == FONT_DEFAULTS[name]:  # Excel's default: stored as no direct formatting
                font.pop(name, None)
            else:
                font[name] = value
            if not font:
                del fonts[cell]

    def __getattr__(self, name: str) -> Any:
        if name not in ("bold", "italic", "size", "color"):
            raise AttributeError(name)
        self.log("font." + name + ".get", self._rng._addr())
        default = FONT_DEFAULTS[name]
        fonts = self._rng._sheet.fonts
        values = {fonts.get(cell, {}).get(name, default) for cell in self._rng.cells()}
        return values.pop() if len(values) == 1 else None


class FakeRange(Recorder):
    XW = "Range"

    def __init__(self, sheet: FakeSheet, areas: list[tuple[int, int, int, int]]) -> None:
        super().__init__(sheet._calls)
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "areas", areas)
        object.__setattr__(self, "_opts", {})

    @property
    def sheet(self) -> FakeSheet:
        return self._sheet

    @property
    def address(self) -> str:
        self.log("range.address")
        return self._addr()

    def _addr(self) -> str:
        return ",".join(_address(*a) for a in self.areas)

    def cells(self) -> Iterator[tuple[int, int]]:
        for r1, c1, r2, c2 in self.areas:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    yield r, c

    def options(self, **kw: Any) -> FakeRange:
        out = FakeRange(self._sheet, self.areas)
        object.__setattr__(out, "_opts", kw)
        return out

    def _grid(self, store: dict) -> Any:
        (r1, c1, r2, c2), = self.areas
        grid = [[store.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._opts.get("ndim") == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid

    @property
    def value(self) -> Any:
        self.log("range.value.get", self._addr())
        return self._grid(self._sheet.cells)

    @value.setter
    def value(self, data: Any) -> None:
        self.write("range.value.set", self._addr())
        self._put(data, formulas_as_text=False)

    @property
    def formula(self) -> Any:
        """What Excel shows in the formula bar: the formula, or the constant (numbers as text)."""
        self.log("range.formula.get", self._addr())
        sheet = self._sheet
        (r1, c1, r2, c2), = self.areas
        grid = [[sheet.formulas.get((r, c), _constant_text(sheet.cells.get((r, c))))
                 for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        return grid if len(grid) > 1 or len(grid[0]) > 1 else grid[0][0]

    @formula.setter
    def formula(self, data: Any) -> None:
        self.write("range.formula.set", self._addr())
        self._put(data, formulas_as_text=True)

    def _put(self, data: Any, formulas_as_text: bool) -> None:
        (r1, c1, r2, c2), = self.areas
        rows = data if isinstance(data, list | tuple) else [[data] * (c2 - c1 + 1)] * (r2 - r1 + 1)
        rows = [list(r) if isinstance(r, list | tuple) else [r] for r in rows]
        cells, formulas = self._sheet.cells, self._sheet.formulas
        for i, line in enumerate(rows):
            for j, v in enumerate(line):
                if formulas_as_text and v == "":
                    v = None
                stored, formula = excel_input(v)
                key = (r1 + i, c1 + j)
                if stored is None and formula is None:
                    cells.pop(key, None)
                else:
                    cells[key] = stored
                if formula:
                    formulas[key] = formula
                else:
                    formulas.pop(key, None)

    def clear_contents(self) -> None:
        self.write("range.clear_contents", self._addr())
        sheet = self._sheet
        for cell in self.cells():
            sheet.cells.pop(cell, None)
            sheet.formulas.pop(cell, None)

    @property
    def font(self) -> FakeFont:
        return FakeFont(self._calls, self)

    def _set_each(self, store: dict, what: str, value: Any) -> None:
        self.write(what, self._addr(), value)
        for cell in self.cells():
            if value is None:
                store.pop(cell, None)
            else:
                store[cell] = value

    def _uniform(self, store: dict, what: str, default: Any) -> Any:
        self.log(what + ".get", self._addr())
        values = {store.get(cell, default) for cell in self.cells()}
        return values.pop() if len(values) == 1 else None

    @property
    def number_format(self) -> Any:
        return self._uniform(self._sheet.number_formats, "number_format", "General")

    @property
    def color(self) -> Any:
        return self._uniform(self._sheet.fills, "color", None)

    @property
    def column_width(self) -> Any:
        self.log("column_width.get", self._addr())
        widths = {self._sheet.widths.get(c, DEFAULT_WIDTH) for _r1, c1, _r2, c2 in self.areas for c in range(c1, c2 + 1)}
        return widths.pop() if len(widths) == 1 else None

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and _from_crm_xl():
            _touch(self, name, "set")
        if name == "number_format":
            self._set_each(self._sheet.number_formats, "number_format", None if value == "General" else value)
        elif name == "color":
            self._set_each(self._sheet.fills, "color", value)
        elif name == "column_width":
            self.write("column_width", self._addr(), value)
            for _r1, c1, _r2, c2 in self.areas:
                for c in range(c1, c2 + 1):
                    if value == DEFAULT_WIDTH:
                        self._sheet.widths.pop(c, None)
                    else:
                        self._sheet.widths[c] = value
        elif name in ("value", "formula"):
            getattr(FakeRange, name).fset(self, value)
        else:
            object.__setattr__(self, name, value)

    def end(self, direction: str) -> FakeRange:
        """Ctrl+Up from the first cell: the last used cell above it (or row 1)."""
        self.log("range.end", direction)
        assert direction == "up"
        r, c = self.areas[0][0], self.areas[0][1]
        used = [row for (row, col) in self._sheet.cells if col == c and row <= r]
        top = max(used, default=1)
        return FakeRange(self._sheet, [(top, c, top, c)])

    @property
    def row(self) -> int:
        self.log("range.row")
        return self.areas[0][0]

    def merge(self) -> None:
        self.write("merge", self._addr())
        self._sheet.merged.append(self._addr())

    @property
    def left(self) -> float:
        self.log("range.left")
        return 48.0 * (self.areas[0][1] - 1)

    @property
    def top(self) -> float:
        self.log("range.top")
        return 15.0 * (self.areas[0][0] - 1)


def _constant_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value) if isinstance(value, float) or not _looks_converted(str(value)) else "'" + str(value)


def _looks_converted(text: str) -> bool:
    """Would Excel turn this text into something else when typed (so the formula bar shows a ')?"""
    stored, formula = excel_input(text)
    return formula is not None or stored != text


class FakeTable(Recorder):
    XW = "Table"

    def __init__(self, sheet: FakeSheet, name: str, ref: str) -> None:
        super().__init__(sheet._calls)
        self._sheet = sheet
        self._name = name
        self.ref = ref

    @property
    def name(self) -> str:
        self.log("table.name")
        return self._name

    @property
    def show_totals(self) -> bool:
        self.log("table.show_totals")
        return False

    @property
    def range(self) -> FakeRange:
        return FakeRange(self._sheet, [parse_ref(self.ref)])

    def resize(self, rng: FakeRange) -> None:
        self.write("table.resize", rng._addr())
        self.ref = rng._addr().replace("$", "")


class FakeTables(Recorder):
    XW = "Tables"

    def __init__(self, sheet: FakeSheet) -> None:
        super().__init__(sheet._calls)
        self.items: list[FakeTable] = []

    def __iter__(self) -> Iterator[FakeTable]:
        dunder(self, "__iter__")
        self.log("tables.count")
        return iter(list(self.items))

    def __getitem__(self, name: str) -> FakeTable:
        dunder(self, "__getitem__")
        self.log("tables.item", name)
        return next(t for t in self.items if t._name == name)


class FakeSeries(Recorder):
    XW = "ChartSeries"

    def __init__(self, calls: Calls) -> None:
        super().__init__(calls)
        self._name = None

    @property
    def name(self) -> Any:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.write("series.name", value)
        self._name = value


class FakeSeriesCollection(Recorder):
    XW = "ChartSeriesCollection"

    def __init__(self, calls: Calls, items: list[FakeSeries]) -> None:
        super().__init__(calls)
        self._items = items

    def __getitem__(self, i: int) -> FakeSeries:
        dunder(self, "__getitem__")
        self.log("series.item", i)
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)


class FakeChart(Recorder):
    XW = "Chart"

    def __init__(self, calls: Calls, kwargs: dict[str, Any]) -> None:
        super().__init__(calls)
        self.kwargs = kwargs
        source = kwargs.get("source")
        count = len(source.areas[0]) and (source.areas[0][3] - source.areas[0][1] + 1) if source is not None else 0
        self._series = [FakeSeries(calls) for _ in range(count)]
        self.x_values: str | None = None
        self._title = None

    def set_x_axis_values(self, rng: FakeRange) -> None:
        self.write("chart.set_x_axis_values")
        self.x_values = rng._addr()

    @property
    def series(self) -> FakeSeriesCollection:
        self.log("chart.series")
        return FakeSeriesCollection(self._calls, self._series)

    @property
    def title(self) -> Any:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self.write("chart.title", value)
        self._title = value


class FakeCharts(Recorder):
    XW = "Charts"

    def __init__(self, calls: Calls) -> None:
        super().__init__(calls)
        self.items: list[FakeChart] = []

    def add(self, **kwargs: Any) -> FakeChart:
        self.write("charts.add")
        chart = FakeChart(self._calls, kwargs)
        self.items.append(chart)
        return chart


class FakeSheet(Recorder):
    XW = "Sheet"

    def __init__(self, book: FakeBook, name: str) -> None:
        super().__init__(book._calls)
        self._book = book
        self._name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.number_formats: dict[tuple[int, int], str] = {}
        self.fills: dict[tuple[int, int], Any] = {}
        self.fonts: dict[tuple[int, int], dict[str, Any]] = {}
        self.widths: dict[int, float] = {}
        self.merged: list[str] = []
        self.tables = FakeTables(self)
        self.charts = FakeCharts(book._calls)
        self._visible = True
        self.formatted_to = 0

    @property
    def calls(self) -> Calls:
        return self._calls

    @property
    def book(self) -> FakeBook:
        return self._book

    @property
    def api(self) -> Native:
        return Native("Worksheet")

    @property
    def name(self) -> str:
        self.log("sheet.name")
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.write("sheet.name.set", self._name, value)
        if any(s._name.lower() == value.lower() for s in self._book.sheets.items if s is not self):
            raise RuntimeError(f"a sheet named {value!r} exists")
        self._name = value

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self.write("sheet.visible", value)
        self._visible = value

    @property
    def used_range(self) -> FakeRange:
        self.log("sheet.used_range")
        if self.formatted_to:  # cells formatted down to this row, as Excel counts them in the used range
            width = max((c for _, c in self.cells), default=1)
            return FakeRange(self, [(1, 1, self.formatted_to, width)])
        if not self.cells:
            return FakeRange(self, [(1, 1, 1, 1)])
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, [(min(rows), min(cols), max(rows), max(cols))])

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if last is not None:
            (r1, c1), (r2, c2) = first, last
            return FakeRange(self, [(r1, c1, r2, c2)])
        if isinstance(first, tuple):
            r, c = first
            return FakeRange(self, [(r, c, r, c)])
        if "," in first and self._calls.engine == "mac":  # _xlmac.Sheet.range: "A5:A9,C5:C9" → A5
            parts = first.split(":")
            if len(parts) == 2:
                raise NotImplementedError(f"_xlmac.Sheet.range({first!r}): what appscript makes of it is not modelled")
            first = parts[0].split(",")[0]
        areas = []
        for part in first.split(","):
            m = re.fullmatch(r"\$?([A-Z]+):\$?([A-Z]+)", part)
            if m:  # whole columns
                c1 = parse_ref(f"{m.group(1)}1")[1]
                c2 = parse_ref(f"{m.group(2)}1")[1]
                areas.append((1, c1, 1_048_576, c2))
            else:
                areas.append(parse_ref(part))
        return FakeRange(self, areas)

    def delete(self) -> None:
        self.write("sheet.delete", self._name)
        if len(self._book.sheets.items) == 1:
            raise RuntimeError("a workbook must keep at least one sheet")
        self._book.sheets.items.remove(self)

    # --- helpers for tests (not xlwings) ---

    def grid(self) -> list[list[Any]]:
        if not self.cells:
            return []
        height = max(r for r, _ in self.cells)
        width = max(c for _, c in self.cells)
        return [[self.cells.get((r, c)) for c in range(1, width + 1)] for r in range(1, height + 1)]

    def add_table(self, name: str, ref: str) -> FakeTable:
        table = FakeTable(self, name, ref)
        self.tables.items.append(table)
        return table

    def state(self) -> tuple:
        """Everything about the sheet that a run may change."""
        return (self._name, self._visible, dict(self.cells), dict(self.formulas), dict(self.number_formats),
                dict(self.fills), {k: dict(v) for k, v in self.fonts.items()}, dict(self.widths), list(self.merged),
                [(t._name, t.ref) for t in self.tables.items], [(c.kwargs.get("chart_type"), c._title)
                                                                for c in self.charts.items])


class FakeSheets(Recorder):
    XW = "Sheets"

    def __init__(self, book: FakeBook) -> None:
        super().__init__(book._calls)
        self._book = book
        self.items: list[FakeSheet] = []

    def __iter__(self) -> Iterator[FakeSheet]:
        dunder(self, "__iter__")
        self.log("sheets.count")
        for s in list(self.items):
            self.log("sheets.item")
            yield s

    def __len__(self) -> int:
        dunder(self, "__len__")
        return len(self.items)

    def __getitem__(self, key: str | int) -> FakeSheet:
        dunder(self, "__getitem__")
        self.log("sheets.item", key)
        if isinstance(key, int):
            return self.items[key]
        return next(s for s in self.items if s._name == key)

    def add(self, name: str | None = None, before: FakeSheet | None = None,
            after: FakeSheet | None = None) -> FakeSheet:
        self.write("sheets.add", name)
        if any(s._name.lower() == (name or "").lower() for s in self.items):
            raise RuntimeError(f"a sheet named {name!r} exists")
        sheet = FakeSheet(self._book, name or f"Sheet{len(self.items) + 1}")
        if before is not None:
            self.items.insert(self.items.index(before), sheet)
        elif after is not None:
            self.items.insert(self.items.index(after) + 1, sheet)
        else:
            self.items.insert(0, sheet)
        return sheet

    def names(self) -> list[str]:
        return [s._name for s in self.items]


class FakeApp(Recorder):
    XW = "App"

    def __init__(self, calls: Calls) -> None:
        super().__init__(calls)
        self.state: dict[str, Any] = {"screen_updating": True, "calculation": "automatic", "enable_events": True}
        self.during: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self._status: Any = False

    @property
    def api(self) -> Native:
        return Native("Application")

    @contextlib.contextmanager
    def properties(self, **kw: Any) -> Iterator[FakeApp]:
        self.log("app.properties", sorted(kw.items()))
        before = {k: self.state.get(k) for k in kw}
        self.state.update(kw)
        self.during.append(dict(self.state))
        try:
            yield self
        finally:
            self.state.update(before)

    @property
    def status_bar(self) -> Any:
        return self._status

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self.log("app.status_bar", value)
        self._status = value

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self.log("app.alert")
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode})
        return "ok"


class FakeBook(Recorder):
    """A workbook 'open in Excel'. Build it with `FakeBook.from_grids({...}, tables=[...])`; `engine` is
    "windows", "mac" or "both" (only what both engines implement)."""

    XW = "Book"

    def __init__(self, fullname: str | None = "/tmp/crm.xlsm", engine: str = "both") -> None:
        calls = Calls(engine)
        super().__init__(calls)
        self.calls = calls
        self.sheets = FakeSheets(self)
        self.app = FakeApp(calls)
        self.fullname = fullname
        self.saved: list[str | None] = []

    @classmethod
    def from_grids(cls, grids: dict[str, list[list[Any]]], tables: list[Any] = (), engine: str = "both") -> FakeBook:
        book = cls(engine=engine)
        for name, grid in grids.items():
            sheet = book.sheets.add(name, after=book.sheets.items[-1] if book.sheets.items else None)
            for r, line in enumerate(grid, start=1):
                for c, v in enumerate(line, start=1):
                    if v is not None:
                        sheet.cells[(r, c)] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for t in tables:
            book.sheet(t.sheet).add_table(t.name, t.ref)
        book.calls.clear()
        book.calls.writes = 0
        return book

    @property
    def api(self) -> Native:
        return Native("Workbook")

    def save(self, path: str | None = None) -> None:
        self.log("book.save", path)
        self.saved.append(path)

    def sheet(self, name: str) -> FakeSheet:
        return next(s for s in self.sheets.items if s._name == name)

    @property
    def fail_at(self) -> int | None:
        return self.calls.fail_at

    @fail_at.setter
    def fail_at(self, n: int | None) -> None:
        self.calls.fail_at = n
        self.calls.writes = 0

    def snapshot(self) -> list[tuple]:
        """The whole workbook's state, sheet by sheet in order (compare two snapshots with ==)."""
        return [s.state() for s in self.sheets.items]


def comparable(grid: list[list]) -> list[list]:
    """Cell values as the Excel and memory adapters should agree on them: dates as datetimes, numbers as
    Excel returns them, no trailing blanks."""
    from crm_xl.book.excel_values import from_excel

    out = []
    for line in grid:
        line = [dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                else from_excel(v) for v in line]
        while line and line[-1] is None:
            line.pop()
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def members() -> dict[str, list[str]]:
    """Member name → the xlwings.main classes that have it."""
    out: dict[str, list[str]] = {}
    for cls, node in classes("main").items():
        for member, _ in _defs(node):
            out.setdefault(member, []).append(cls)
    return out
