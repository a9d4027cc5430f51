"""A test double of the handful of xlwings calls crm_xl/book/excel.py makes, recording each round trip.

It behaves like Excel where that matters to the adapter: numbers come back as floats, text that looks
like a number/date/formula is converted unless it starts with an apostrophe, `=…` is a formula (a
HYPERLINK shows its friendly name), the used range spans the used cells, tables resize, deleting the
last sheet fails. Every property read/write and method call that would cross to Excel appends to
`calls` (a list shared by the whole workbook), so tests can count round trips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from crm_xl.book.ops import parse_ref
from crm_xl.model.frame import col_letter

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


class Recorder:
    def __init__(self, calls: list[tuple[str, ...]]) -> None:
        self._calls = calls

    def log(self, *what: Any) -> None:
        self._calls.append(tuple(str(w) for w in what))


class FakeFont(Recorder):
    def __init__(self, calls: list, rng: FakeRange) -> None:
        super().__init__(calls)
        self._rng = rng

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        self.log("font." + name, self._rng._addr(), value)
        for cell in self._rng.cells():
            self._rng.sheet.fonts.setdefault(cell, {})[name] = value


class FakeRange(Recorder):
    def __init__(self, sheet: FakeSheet, areas: list[tuple[int, int, int, int]]) -> None:
        super().__init__(sheet.calls)
        self.sheet = sheet
        self.areas = areas
        self._opts: dict[str, Any] = {}

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
        out = FakeRange(self.sheet, self.areas)
        out._opts = kw
        return out

    @property
    def value(self) -> Any:
        self.log("range.value.get", self._addr())
        (r1, c1, r2, c2), = self.areas
        grid = [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._opts.get("ndim") == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        self.log("range.value.set", self._addr())
        (r1, c1, r2, c2), = self.areas
        rows = data if isinstance(data, list) else [[data]]
        rows = [r if isinstance(r, list) else [r] for r in rows]
        for i, line in enumerate(rows):
            for j, v in enumerate(line):
                stored, formula = excel_input(v)
                key = (r1 + i, c1 + j)
                if stored is None and formula is None:
                    self.sheet.cells.pop(key, None)
                else:
                    self.sheet.cells[key] = stored
                if formula:
                    self.sheet.formulas[key] = formula
                else:
                    self.sheet.formulas.pop(key, None)

    @property
    def font(self) -> FakeFont:
        return FakeFont(self._calls, self)

    def _set_each(self, store: dict, what: str, value: Any) -> None:
        self.log(what, self._addr(), value)
        for cell in self.cells():
            store[cell] = value

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "number_format":
            self._set_each(self.sheet.number_formats, "number_format", value)
        elif name == "color":
            self._set_each(self.sheet.fills, "color", value)
        elif name == "column_width":
            self.log("column_width", self._addr(), value)
            for _r1, c1, _r2, c2 in self.areas:
                for c in range(c1, c2 + 1):
                    self.sheet.widths[c] = value
        elif name == "value":
            FakeRange.value.fset(self, value)
        else:
            object.__setattr__(self, name, value)

    def end(self, direction: str) -> FakeRange:
        """Ctrl+Up from the first cell: the last used cell above it (or row 1)."""
        self.log("range.end", direction)
        assert direction == "up"
        r, c = self.areas[0][0], self.areas[0][1]
        used = [row for (row, col) in self.sheet.cells if col == c and row <= r]
        top = max(used, default=1)
        return FakeRange(self.sheet, [(top, c, top, c)])

    @property
    def row(self) -> int:
        self.log("range.row")
        return self.areas[0][0]

    def merge(self) -> None:
        self.log("merge", self._addr())

    @property
    def left(self) -> float:
        self.log("range.left")
        return 48.0 * (self.areas[0][1] - 1)

    @property
    def top(self) -> float:
        self.log("range.top")
        return 15.0 * (self.areas[0][0] - 1)


class FakeTable(Recorder):
    def __init__(self, sheet: FakeSheet, name: str, ref: str) -> None:
        super().__init__(sheet.calls)
        self.sheet = sheet
        self._name = name
        self.ref = ref

    @property
    def name(self) -> str:
        self.log("table.name")
        return self._name

    @property
    def range(self) -> FakeRange:
        return FakeRange(self.sheet, [parse_ref(self.ref)])

    def resize(self, rng: FakeRange) -> None:
        self.log("table.resize", rng._addr())
        self.ref = rng._addr().replace("$", "")


class FakeTables(Recorder):
    def __init__(self, sheet: FakeSheet) -> None:
        super().__init__(sheet.calls)
        self.items: list[FakeTable] = []

    def __iter__(self) -> Iterator[FakeTable]:
        self.log("tables.count")
        return iter(list(self.items))

    def __getitem__(self, name: str) -> FakeTable:
        self.log("tables.item", name)
        return next(t for t in self.items if t._name == name)


class FakeSeries(Recorder):
    def __init__(self, calls: list) -> None:
        super().__init__(calls)
        self._name = None

    @property
    def name(self) -> Any:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.log("series.name", value)
        self._name = value


class FakeChart(Recorder):
    def __init__(self, calls: list, kwargs: dict[str, Any]) -> None:
        super().__init__(calls)
        self.kwargs = kwargs
        count = len(kwargs["source"].areas) if kwargs.get("source") is not None else 0
        self._series = [FakeSeries(calls) for _ in range(count)]
        self.x_values: str | None = None
        self._title = None

    def set_x_axis_values(self, rng: FakeRange) -> None:
        self.log("chart.set_x_axis_values")
        self.x_values = rng._addr()

    @property
    def series(self) -> list[FakeSeries]:
        self.log("chart.series")
        return self._series

    @property
    def title(self) -> Any:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self.log("chart.title", value)
        self._title = value


class FakeCharts(Recorder):
    def __init__(self, calls: list) -> None:
        super().__init__(calls)
        self.items: list[FakeChart] = []

    def add(self, **kwargs: Any) -> FakeChart:
        self.log("charts.add")
        chart = FakeChart(self._calls, kwargs)
        self.items.append(chart)
        return chart


class FakeFreeze(Recorder):
    def __init__(self, sheet: FakeSheet) -> None:
        super().__init__(sheet.calls)
        self.sheet = sheet

    def freeze_at(self, where: str) -> None:
        self.log("freeze_at", where)
        self.sheet.frozen = where


class FakeSheet(Recorder):
    def __init__(self, book: FakeBook, name: str) -> None:
        super().__init__(book.calls)
        self.book = book
        self.calls = book.calls
        self._name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.number_formats: dict[tuple[int, int], str] = {}
        self.fills: dict[tuple[int, int], Any] = {}
        self.fonts: dict[tuple[int, int], dict[str, Any]] = {}
        self.widths: dict[int, float] = {}
        self.tables = FakeTables(self)
        self.charts = FakeCharts(book.calls)
        self.freeze_panes = FakeFreeze(self)
        self.frozen: str | None = None
        self._visible = True
        self.formatted_to = 0

    @property
    def name(self) -> str:
        self.log("sheet.name")
        return self._name

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self.log("sheet.visible", value)
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
        self.log("sheet.delete", self._name)
        if len(self.book.sheets.items) == 1:
            raise RuntimeError("a workbook must keep at least one sheet")
        self.book.sheets.items.remove(self)

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


class FakeSheets(Recorder):
    def __init__(self, book: FakeBook) -> None:
        super().__init__(book.calls)
        self.book = book
        self.items: list[FakeSheet] = []

    def __iter__(self) -> Iterator[FakeSheet]:
        self.log("sheets.count")
        for s in list(self.items):
            self.log("sheets.item")
            yield s

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: str | int) -> FakeSheet:
        self.log("sheets.item", key)
        if isinstance(key, int):
            return self.items[key]
        return next(s for s in self.items if s._name == key)

    def add(self, name: str | None = None, before: FakeSheet | None = None,
            after: FakeSheet | None = None) -> FakeSheet:
        self.log("sheets.add", name)
        if any(s._name == name for s in self.items):
            raise RuntimeError(f"a sheet named {name!r} exists")
        sheet = FakeSheet(self.book, name or f"Sheet{len(self.items) + 1}")
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
    def __init__(self, calls: list) -> None:
        super().__init__(calls)
        self.state: dict[str, Any] = {"screen_updating": True, "calculation": "automatic", "enable_events": True}
        self.during: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self._status: Any = False

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
    """A workbook 'open in Excel'. Build it with `FakeBook.from_grids({...}, tables=[...])`."""

    def __init__(self, fullname: str | None = "/tmp/crm.xlsm") -> None:
        self.calls: list[tuple[str, ...]] = []
        super().__init__(self.calls)
        self.sheets = FakeSheets(self)
        self.app = FakeApp(self.calls)
        self.fullname = fullname
        self.saved: list[str | None] = []

    @classmethod
    def from_grids(cls, grids: dict[str, list[list[Any]]], tables: list[Any] = ()) -> FakeBook:
        book = cls()
        for name, grid in grids.items():
            sheet = book.sheets.add(name, after=book.sheets.items[-1] if book.sheets.items else None)
            for r, line in enumerate(grid, start=1):
                for c, v in enumerate(line, start=1):
                    if v is not None:
                        sheet.cells[(r, c)] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for t in tables:
            book.sheet(t.sheet).add_table(t.name, t.ref)
        book.calls.clear()
        return book

    def save(self, path: str | None = None) -> None:
        self.log("book.save", path)
        self.saved.append(path)

    def sheet(self, name: str) -> FakeSheet:
        return next(s for s in self.sheets.items if s._name == name)


def comparable(grid: list[list]) -> list[list]:
    """Cell values as the Excel and memory adapters should agree on them: dates as datetimes, numbers as
    Excel returns them, no trailing blanks."""
    from crm_xl.book.excel import from_excel

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
