"""A test double of xlwings' remote engine as an xlwings Lite script sees it, and of Excel applying what the
script queued.

Two sides, as in Lite:
- `Excel`: the workbook itself (sheets in order, cell values and formulas, formats, widths in points, tables,
  charts, frozen panes, visibility). It changes only by `apply`ing an action, the way the add-in applies
  the queue it is handed, and refuses what Excel would (a second sheet of the same name regardless of
  letter case, deleting the last sheet, an action it does not know).
- `FakeBook`: what the script is handed (`book: xw.Book`): a snapshot of the workbook made when the script
  starts (values as the add-in sends them: blanks as "", dates as ISO text, whole numbers as int) and a
  queue. Reads come from the snapshot only, so they never see the script's own writes; every change is
  appended to `queue` as `_xlremote.py` queues it (the same action names and arguments, sheets addressed by
  their position when queued); sheet adds, renames and deletions show in the snapshot at once, as
  `_xlremote.py` keeps its own copy of the structure up to date, cell values and table sizes do not.
  `run_script(excel, script)` runs a script the way the add-in does: the queue is applied (`finish`) when
  the script returns and dropped (`discard`) when it raises. `fail_at=n` makes the n-th queued action raise.

It offers no more than the remote engine: every member crm_xl code touches is recorded in TOUCHED as
(xlwings class, member, get|set) and checked against `xlwings/pro/_xlremote.py` through `xlwings/main.py`'s
wrappers (read with ast, `remote_missing`): a member the engine lacks, one that raises NotImplementedError
(at once, conditionally or through a helper), one that is async (an async read flushes the queue) raises
NotImplementedError here; one xlwings has not at all raises AttributeError. The fake implements only what
crm-xl's Lite adapter needs of what the engine has.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from xlfake import XLWINGS, _defs, _instance_attributes, _mro, _raises, excel_input, impl_calls

from crm_xl.book.ops import TableInfo, parse_ref
from crm_xl.model.frame import col_letter

REMOTE = "pro/_xlremote"

# --- what the remote engine implements, read from its source with ast -------------------------------------


def _body(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    return [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]


def _refuses(fn: ast.FunctionDef | ast.AsyncFunctionDef, cls: ast.ClassDef, seen: frozenset[str] = frozenset()) -> bool:
    """Does the method raise at once, or NotImplementedError behind its first `if` (counted as lacking even
    when the condition depends on the arguments), or through the helper its first statement calls
    (`return self._helper()`, `count = self._helper()`)?"""
    body = _body(fn)
    if not body:
        return False
    first = body[0]
    if _raises(fn) or (isinstance(first, ast.If) and _not_implemented(first.body[0])):
        return True
    call = first.value if isinstance(first, ast.Return | ast.Assign | ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
            and call.func.value.id == "self" and call.func.attr not in seen:
        helper = _defs(cls).get((call.func.attr, "get"))
        return helper is not None and _refuses(helper, cls, seen | {call.func.attr})
    return False


def _not_implemented(stmt: ast.stmt) -> bool:
    """`raise NotImplementedError(...)`"""
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _init_attributes(cls: ast.ClassDef) -> set[str]:
    """Attributes the engine class sets on its instances in `__init__` (`self.sheet = sheet`)."""
    init = _defs(cls).get(("__init__", "get"))
    return _instance_attributes(ast.ClassDef(name=cls.name, bases=[], keywords=[], body=[init],
                                             decorator_list=[])) if init is not None else set()


def _class_values(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """Members assigned in the class body (`status_bar = _unsupported(...)`, `_attr = "tables"`)."""
    return {t.id: n.value for n in cls.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}


def remote_status(cls: str, member: str, mode: str) -> str:
    """'ok', or why the remote engine lacks `cls.member` (get: read or call; set: property setter)."""
    chain = _mro(REMOTE, cls)
    if not chain:
        return f"no class {cls}"
    for module, node in chain:
        if module != "base_classes":
            assigned = _class_values(node).get(member)
            if assigned is not None:
                unsupported = isinstance(assigned, ast.Call) and isinstance(assigned.func, ast.Name) \
                    and assigned.func.id == "_unsupported"
                return f"_xlremote.{node.name}.{member} raises (unsupported)" if unsupported else "ok"
        fn = _defs(node).get((member, mode))
        if fn is None:
            if module != "base_classes" and member in _init_attributes(node):
                return "ok"
            continue
        where = f"{'base_classes' if module == 'base_classes' else '_xlremote'}.{node.name}.{member}"
        if module == "base_classes":
            return f"falls through to {where}" + (" (raises)" if _raises(fn) else "")
        if isinstance(fn, ast.AsyncFunctionDef):
            return f"{where} is async (it flushes the queued writes to Excel)"
        return f"{where} raises" if _refuses(fn, node) else "ok"
    return f"no {cls}.{member}" + (" setter" if mode == "set" else "")


def _main_def(cls: str, member: str, mode: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for _, node in _mro("main", cls):
        fn = _defs(node).get((member, mode))
        if fn is not None:
            return fn
    return None


@functools.cache
def remote_missing(cls: str, member: str, mode: str) -> tuple[str, ...]:
    """What the remote engine lacks for main.py's `cls.member` (() when it implements all of it)."""
    calls = impl_calls(cls, member, mode)
    if calls is None:
        return (f"xlwings.{cls} has no {member}" + (" setter" if mode == "set" else ""),)
    main_fn = _main_def(cls, member, mode)
    if isinstance(main_fn, ast.AsyncFunctionDef):
        return (f"xlwings.{cls}.{member} is async (it flushes the queued writes to Excel)",)
    return tuple(f"{c}.{m}{' (set)' if md == 'set' else ''}: {s}" for c, m, md in sorted(calls)
                 if (s := remote_status(c, m, md)) != "ok")


@functools.cache
def chart_types() -> frozenset[str]:
    """The chart types the remote engine knows (`_CHART_TYPE_PY2JS`)."""
    tree = ast.parse((XLWINGS / f"{REMOTE}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_CHART_TYPE_PY2JS"
                                                for t in node.targets):
            return frozenset(ast.literal_eval(node.value))
    raise AssertionError("_CHART_TYPE_PY2JS not found in _xlremote.py")


# --- recording what crm_xl code touches ---------------------------------------------------------------------

TOUCHED: set[tuple[str, str, str]] = set()  # (xlwings class, member, get|set) touched by crm_xl code


def _from_crm_xl() -> bool:
    return sys._getframe(2).f_globals.get("__name__", "").startswith("crm_xl.")


@functools.cache
def lacking(cls: str, member: str, mode: str) -> tuple[type[Exception], str] | None:
    """Why xlwings Lite cannot do `cls.member`, or None."""
    if impl_calls(cls, member, mode) is None:
        return AttributeError, f"xlwings {cls} has no {member}"
    why = remote_missing(cls, member, mode)
    if why:
        return NotImplementedError, (f"xlwings {cls}.{member}{' (set)' if mode == 'set' else ''} on xlwings Lite: "
                                     + "; ".join(why))
    return None


def _touch(obj: Recorder, name: str, mode: str) -> None:
    cls = type(obj).XW
    TOUCHED.add((cls, name, mode))
    why = lacking(cls, name, mode)
    if why is not None:
        raise why[0](why[1])


class Recorder:
    XW = ""  # the xlwings class this fake stands for

    def __getattribute__(self, name: str) -> Any:
        if name[0] != "_" and _from_crm_xl():
            _touch(self, name, "get")
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name[0] != "_" and _from_crm_xl():
            _touch(self, name, "set")
        object.__setattr__(self, name, value)


def dunder(obj: Recorder, name: str) -> None:
    """Record an implicit call (iteration, indexing, len) made by crm_xl code."""
    if sys._getframe(2).f_globals.get("__name__", "").startswith("crm_xl."):
        _touch(obj, name, "get")


# --- values on the wire ----------------------------------------------------------------------------------

ISO = re.compile(r"^(-?(?:[1-9][0-9]*)?[0-9]{4})-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12][0-9])T(2[0-3]|[01][0-9])"
                 r":([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|[+-](?:2[0-3]|[01][0-9]):[0-5][0-9])?$")
ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!")


def to_wire(value: Any) -> Any:
    """A value written through `Range.value` as the remote engine sends it (`Engine.prepare_xl_data_element`):
    blanks as "", dates as ISO text (the date alone at midnight), numbers as Python numbers."""
    import numpy as np
    import pandas as pd

    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, float | np.floating) and value != value:
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat(sep=" ").split(".")[0]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.number):
        return float(value)
    if isinstance(value, int | float):
        return value
    raise TypeError(f"the add-in cannot take a {type(value).__name__}: {value!r}")


def from_wire(value: Any, err_to_str: bool) -> Any:
    """A snapshot value as `Range.value` gives it (`_clean_value_data_element`)."""
    if value == "":
        return None
    if isinstance(value, str):
        if ISO.match(value):
            return dt.datetime.fromisoformat(value[:-1] if value.endswith("Z") else value)
        if not err_to_str and value in ERRORS:
            return None
    return value


def _snapshot_value(value: Any) -> Any:
    """A cell's value as the add-in sends it to Python: "" for blanks, dates as ISO text (JavaScript's
    toISOString), whole numbers as int (Pyodide's conversion of a JavaScript number)."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, int | float):
        return value
    raise NotImplementedError(f"the fake does not model a {type(value).__name__} cell")


def _address(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"${col_letter(c1)}${r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:${col_letter(c2)}${r2}"


# --- Excel: the workbook, changed only by the actions the add-in applies ------------------------------------

HYPERLINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')


class ExcelSheet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.visible = True
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.number_formats: dict[tuple[int, int], str] = {}
        self.fills: dict[tuple[int, int], str] = {}
        self.fonts: dict[tuple[int, int], dict[str, Any]] = {}
        self.widths: dict[int, float] = {}  # column → points
        self.merged: list[str] = []
        self.tables: list[list[str]] = []  # [name, ref]
        self.charts: list[dict[str, Any]] = []
        self.freeze: str | None = None

    def grid(self) -> list[list[Any]]:
        if not self.cells:
            return []
        height = max(r for r, _ in self.cells)
        width = max(c for _, c in self.cells)
        return [[self.cells.get((r, c)) for c in range(1, width + 1)] for r in range(1, height + 1)]

    def state(self) -> tuple:
        return (self.name, self.visible, dict(self.cells), dict(self.formulas), dict(self.number_formats),
                dict(self.fills), {k: dict(v) for k, v in self.fonts.items()}, dict(self.widths), list(self.merged),
                [list(t) for t in self.tables], copy.deepcopy(self.charts), self.freeze)


class Excel:
    """The workbook in Excel. Build it with `Excel.from_grids({...}, tables=[...])`."""

    def __init__(self, name: str = "crm.xlsx") -> None:
        self.name = name
        self.sheets: list[ExcelSheet] = []
        self.applied: list[dict[str, Any]] = []  # every action applied, in order
        self.saves = 0

    @classmethod
    def from_grids(cls, grids: dict[str, list[list[Any]]], tables: list[TableInfo] = ()) -> Excel:
        excel = cls()
        for name, grid in grids.items():
            sheet = ExcelSheet(name)
            for r, line in enumerate(grid, start=1):
                for c, v in enumerate(line, start=1):
                    if v is None or v == "":
                        continue
                    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                        v = dt.datetime(v.year, v.month, v.day)
                    sheet.cells[(r, c)] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v
            excel.sheets.append(sheet)
        for t in tables:
            excel.sheet(t.sheet).tables.append([t.name, t.ref])
        return excel

    def sheet(self, name: str) -> ExcelSheet:
        return next(s for s in self.sheets if s.name == name)

    def names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def snapshot(self) -> list[tuple]:
        """The whole workbook's state, sheet by sheet in order (compare two snapshots with ==)."""
        return [s.state() for s in self.sheets]

    def payload(self) -> dict[str, Any]:
        """What the add-in sends to Python when a script starts."""
        sheets = []
        for s in self.sheets:
            grid = s.grid()
            width = max((len(r) for r in grid), default=0)
            values = [[_snapshot_value(v) for v in line] + [""] * (width - len(line)) for line in grid] or [[]]
            used = None
            if s.cells:
                rows = [r for r, _ in s.cells]
                cols = [c for _, c in s.cells]
                used = _address(min(rows), min(cols), max(rows), max(cols)).replace("$", "")
            sheets.append({"name": s.name, "values": values, "used_range_address": used,
                           "visibility": "Visible" if s.visible else "Hidden",
                           "tables": [{"name": n, "range_address": ref, "show_totals": False} for n, ref in s.tables],
                           "charts": [{"name": c["name"]} for c in s.charts]})
        return {"book": {"name": self.name}, "sheets": sheets}

    # --- applying the queue ---

    def apply(self, action: dict[str, Any]) -> None:
        func, args = action["func"], action["args"]
        handler = getattr(self, "_" + func, None)
        if handler is None:
            raise NotImplementedError(f"the fake Excel does not model the action {func}")
        handler(action, *args)
        self.applied.append(action)

    def _at(self, action: dict[str, Any]) -> ExcelSheet:
        return self.sheets[action["sheet_position"]]

    def _cells(self, action: dict[str, Any]) -> Iterator[tuple[int, int]]:
        r0, c0 = action["start_row"] + 1, action["start_column"] + 1
        for r in range(r0, r0 + action["row_count"]):
            for c in range(c0, c0 + action["column_count"]):
                yield r, c

    def _check_name(self, name: str, but: ExcelSheet | None = None) -> None:
        if any(s.name.casefold() == name.casefold() for s in self.sheets if s is not but):
            raise RuntimeError(f"Excel: a sheet named {name!r} exists")
        if not name or len(name) > 31 or any(ch in "[]:*?/\\" for ch in name):
            raise RuntimeError(f"Excel: {name!r} is not a sheet name")

    def _setValues(self, action: dict[str, Any], *_: Any) -> None:  # noqa: N802 — the action's name
        sheet = self._at(action)
        r0, c0 = action["start_row"] + 1, action["start_column"] + 1
        for i, line in enumerate(action["values"]):
            for j, v in enumerate(line):
                key = (r0 + i, c0 + j)
                stored, formula = (None, None) if v == "" else excel_input(v)
                if stored is None and formula is None:
                    sheet.cells.pop(key, None)
                else:
                    sheet.cells[key] = stored
                if formula:
                    sheet.formulas[key] = formula
                else:
                    sheet.formulas.pop(key, None)

    def _setNumberFormat(self, action: dict[str, Any], fmt: str) -> None:  # noqa: N802
        for cell in self._cells(action):
            self._at(action).number_formats[cell] = fmt

    def _setRangeColor(self, action: dict[str, Any], color: str) -> None:  # noqa: N802
        for cell in self._cells(action):
            self._at(action).fills[cell] = color

    def _setFontProperty(self, action: dict[str, Any], attribute: str, value: Any) -> None:  # noqa: N802
        for cell in self._cells(action):
            self._at(action).fonts.setdefault(cell, {})[attribute] = value

    def _setColumnWidth(self, action: dict[str, Any], points: float) -> None:  # noqa: N802
        c0 = action["start_column"] + 1
        for c in range(c0, c0 + action["column_count"]):
            self._at(action).widths[c] = points

    def _rangeMerge(self, action: dict[str, Any], across: bool) -> None:  # noqa: N802
        r0, c0 = action["start_row"] + 1, action["start_column"] + 1
        address = _address(r0, c0, r0 + action["row_count"] - 1, c0 + action["column_count"] - 1)
        self._at(action).merged.append(address.replace("$", ""))

    def _addSheet(self, action: dict[str, Any], position: int, name: str) -> None:  # noqa: N802
        self._check_name(name)
        self.sheets.insert(position, ExcelSheet(name))

    def _setSheetName(self, action: dict[str, Any], name: str) -> None:  # noqa: N802
        sheet = self._at(action)
        self._check_name(name, but=sheet)
        sheet.name = name

    def _sheetDelete(self, action: dict[str, Any], *_: Any) -> None:  # noqa: N802
        if len(self.sheets) == 1:
            raise RuntimeError("Excel: a workbook must keep at least one sheet")
        del self.sheets[action["sheet_position"]]

    def _setSheetVisibility(self, action: dict[str, Any], visibility: str) -> None:  # noqa: N802
        self._at(action).visible = visibility == "Visible"

    def _resizeTable(self, action: dict[str, Any], index: int, address: str) -> None:  # noqa: N802
        self._at(action).tables[index][1] = address.replace("$", "")

    def _freezePaneAtRange(self, action: dict[str, Any], frozen: str) -> None:  # noqa: N802
        self._at(action).freeze = frozen

    def _addChart(self, action: dict[str, Any], name: str, chart_type: str, sheet: str, source: str,  # noqa: N802
                  left: Any, top: Any, width: float, height: float, plot_by: str | None, anchor: str | None,
                  style: Any) -> None:
        self._at(action).charts.append({"name": name, "type": chart_type, "source": f"{sheet}!{source}",
                                        "anchor": anchor, "left": left, "top": top, "width": width,
                                        "height": height, "plot_by": plot_by, "title": None, "categories": None})

    def _setChartTitle(self, action: dict[str, Any], index: int, title: str) -> None:  # noqa: N802
        self._at(action).charts[index]["title"] = title

    def _setChartXAxisValues(self, action: dict[str, Any], index: int, sheet: str, address: str) -> None:  # noqa: N802
        self._at(action).charts[index]["categories"] = f"{sheet}!{address}"

    def _save(self, action: dict[str, Any], *_: Any) -> None:
        self.saves += 1


def run_script(excel: Excel, script: Callable[[FakeBook], Any], fail_at: int | None = None) -> Any:
    """Run `script` as xlwings Lite runs a `@script`: handed a book made from the workbook as it is now; what
    it queued is applied when it returns and dropped when it raises."""
    book = FakeBook(excel, fail_at=fail_at)
    try:
        result = script(book)
    except BaseException:
        book.discard()
        raise
    book.finish()
    return result


# --- what the script is handed ----------------------------------------------------------------------------


class FakeBook(Recorder):
    XW = "Book"

    def __init__(self, excel: Excel, fail_at: int | None = None) -> None:
        self._excel = excel
        self._api = excel.payload()
        self.queue: list[dict[str, Any]] = []
        self.fail_at = fail_at
        self._done = False

    def _queue(self, func: str, args: Any = None, **where: Any) -> None:
        """`_xlremote.Book.append_json_action`."""
        if self._done:
            raise RuntimeError("this book's script has ended")
        if self.fail_at is not None and len(self.queue) + 1 == self.fail_at:
            raise RuntimeError(f"injected failure at queued action {self.fail_at} ({func})")
        self.queue.append({"func": func, "args": args if isinstance(args, list) else [args], **where})

    def finish(self) -> None:
        """The script returned: Excel applies the queue."""
        queue, self.queue, self._done = self.queue, [], True
        for action in queue:
            self._excel.apply(action)

    def discard(self) -> None:
        """The script raised: nothing reaches Excel."""
        self.queue, self._done = [], True

    @property
    def name(self) -> str:
        return self._api["book"]["name"]

    @property
    def fullname(self) -> str:
        return self.name

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    @property
    def app(self) -> FakeApp:
        return FakeApp()

    def save(self) -> None:
        self._queue("save", [])


class FakeApp(Recorder):
    """The remote App: nothing crm-xl's Lite adapter may use (status bar, properties … raise: see TOUCHED)."""

    XW = "App"


class FakeSheets(Recorder):
    XW = "Sheets"

    def __init__(self, book: FakeBook) -> None:
        self._book = book

    def _wrap(self, api: dict[str, Any]) -> FakeSheet:
        return FakeSheet(self._book, api)

    def __iter__(self) -> Iterator[FakeSheet]:
        dunder(self, "__iter__")
        return iter([self._wrap(api) for api in self._book._api["sheets"]])

    def __len__(self) -> int:
        dunder(self, "__len__")
        return len(self._book._api["sheets"])

    def __getitem__(self, key: int | str) -> FakeSheet:
        dunder(self, "__getitem__")
        apis = self._book._api["sheets"]
        if isinstance(key, int):
            return self._wrap(apis[key])
        for api in apis:  # `_xlremote.Sheets.__call__`: names compared casefolded
            if api["name"].casefold() == key.casefold():
                return self._wrap(api)
        raise ValueError(f"Sheet '{key}' doesn't exist!")

    def add(self, name: str | None = None, before: FakeSheet | None = None,
            after: FakeSheet | None = None) -> FakeSheet:
        apis = self._book._api["sheets"]
        if name is not None and name.lower() in (a["name"].lower() for a in apis):  # xlwings.main.Sheets.add
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        if name is None:
            number = 1
            while f"Sheet{number}" in [a["name"] for a in apis]:
                number += 1
            name = f"Sheet{number}"
        if before is not None:  # `_xlremote.Sheets.add`, as it is
            ix = 1 if before.index == 1 else before.index - 1
        elif after is not None:
            ix = after.index + 1
        else:
            ix = len(apis) + 1
        api = {"name": name, "values": [[]], "used_range_address": None, "visibility": "Visible", "tables": [],
               "charts": []}
        self._book._queue("addSheet", [ix - 1, name])
        apis.insert(ix - 1, api)
        return self._wrap(api)


class FakeSheet(Recorder):
    XW = "Sheet"

    def __init__(self, book: FakeBook, api: dict[str, Any]) -> None:
        self._book = book
        self._api = api
        self._index = 0
        _ = self.index

    @property
    def book(self) -> FakeBook:
        return self._book

    @property
    def index(self) -> int:
        """Its position now (a deleted sheet keeps its last one), as `_xlremote.Sheet.index`."""
        for i, api in enumerate(self._book._api["sheets"]):
            if api is self._api:
                self._index = i + 1
                break
        return self._index

    def _queue(self, func: str, args: Any = None) -> None:
        self._book._queue(func, args, sheet_position=self.index - 1)

    @property
    def name(self) -> str:
        return self._api["name"]

    @name.setter
    def name(self, value: str) -> None:
        self._queue("setSheetName", value)
        self._api["name"] = value

    @property
    def visible(self) -> bool:
        return self._api["visibility"] == "Visible"

    @visible.setter
    def visible(self, value: bool) -> None:
        self._queue("setSheetVisibility", "Visible" if value else "Hidden")
        self._api["visibility"] = "Visible" if value else "Hidden"

    def delete(self) -> None:
        ix = self.index - 1
        del self._book._api["sheets"][ix]
        self._book._queue("sheetDelete", None, sheet_position=ix)

    @property
    def used_range(self) -> FakeRange:
        address = self._api.get("used_range_address")
        if address:
            r1, c1, r2, c2 = parse_ref(address)
            return FakeRange(self, (r1, c1), (r2, c2))
        return FakeRange(self, (1, 1), None)

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, str):
            if ":" in first and all(part.strip("$").isalpha() for part in first.split(":")):  # whole columns
                c1 = parse_ref(first.split(":")[0].strip("$") + "1")[1]
                c2 = parse_ref(first.split(":")[1].strip("$") + "1")[1]
                return FakeRange(self, (1, c1), (1_048_576, c2))
            r1, c1, r2, c2 = parse_ref(first)
            return FakeRange(self, (r1, c1), (r2, c2) if (r1, c1) != (r2, c2) else None)
        return FakeRange(self, tuple(first), tuple(last) if last is not None else None)

    @property
    def tables(self) -> FakeTables:
        return FakeTables(self)

    @property
    def charts(self) -> FakeCharts:
        return FakeCharts(self)

    @property
    def freeze_panes(self) -> FakeFreezePanes:
        return FakeFreezePanes(self)


class FakeRange(Recorder):
    XW = "Range"

    def __init__(self, sheet: FakeSheet, arg1: tuple[int, int], arg2: tuple[int, int] | None,
                 options: dict[str, Any] | None = None) -> None:
        self._sheet = sheet
        self._arg1 = arg1
        self._arg2 = arg2 if arg2 is not None and arg2 != arg1 else None
        self._options = options or {}

    @property
    def sheet(self) -> FakeSheet:
        return self._sheet

    @property
    def row(self) -> int:
        return self._arg1[0]

    @property
    def column(self) -> int:
        return self._arg1[1]

    @property
    def shape(self) -> tuple[int, int]:
        if self._arg2 is None:
            return 1, 1
        return self._arg2[0] - self._arg1[0] + 1, self._arg2[1] - self._arg1[1] + 1

    @property
    def address(self) -> str:
        rows, cols = self.shape
        return _address(self.row, self.column, self.row + rows - 1, self.column + cols - 1)

    def options(self, **options: Any) -> FakeRange:
        return FakeRange(self._sheet, self._arg1, self._arg2, options)

    def _queue(self, func: str, args: Any = None, **extra: Any) -> None:
        rows, cols = self.shape
        self._sheet._book._queue(func, args, sheet_position=self._sheet.index - 1, start_row=self.row - 1,
                                 start_column=self.column - 1, row_count=rows, column_count=cols, **extra)

    @property
    def value(self) -> Any:
        """From the snapshot the script was handed (never its own writes)."""
        values = self._sheet._api["values"]
        rows, cols = self.shape
        err_to_str = self._options.get("err_to_str", False)
        grid = []
        for r in range(self.row, self.row + rows):
            line = values[r - 1] if r - 1 < len(values) else []
            grid.append([from_wire(line[c - 1], err_to_str) if c - 1 < len(line) else None
                         for c in range(self.column, self.column + cols)])
        if self._options.get("ndim") == 2:
            return grid
        if rows == 1 and cols == 1:
            return grid[0][0]
        if rows == 1:
            return grid[0]
        return [line[0] for line in grid] if cols == 1 else grid

    @value.setter
    def value(self, data: Any) -> None:
        rows, cols = self.shape
        if not isinstance(data, list | tuple):
            data = [[data] * cols] * rows
        data = [list(line) if isinstance(line, list | tuple) else [line] for line in data]
        wired = [[to_wire(v) for v in line] for line in data]
        self._sheet._book._queue("setValues", None, sheet_position=self._sheet.index - 1, start_row=self.row - 1,
                                 start_column=self.column - 1, row_count=len(wired),
                                 column_count=max((len(line) for line in wired), default=0), values=wired)

    @property
    def number_format(self) -> str:
        raise NotImplementedError("_xlremote: reading the number format needs an async read")

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._queue("setNumberFormat", value)

    @property
    def color(self) -> Any:
        raise NotImplementedError("_xlremote: reading the fill needs an async read")

    @color.setter
    def color(self, value: tuple[int, int, int]) -> None:
        red, green, blue = value
        self._queue("setRangeColor", f"#{red:02x}{green:02x}{blue:02x}")

    @property
    def column_width(self) -> float:
        raise NotImplementedError("_xlremote: reading the column width needs an async read")

    @column_width.setter
    def column_width(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError("column_width must be a number, not negative")
        self._queue("setColumnWidth", value)

    @property
    def font(self) -> FakeFont:
        return FakeFont(self)

    def merge(self, across: bool = False) -> None:
        self._queue("rangeMerge", bool(across))


class FakeFont(Recorder):
    XW = "Font"

    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if _from_crm_xl():
            _touch(self, name, "set")
        if name not in ("bold", "italic", "size", "color", "name"):
            raise AttributeError(name)
        if name == "color":
            red, green, blue = value
            value = f"#{red:02x}{green:02x}{blue:02x}"
        self._rng._queue("setFontProperty", [name, value])


class FakeTables(Recorder):
    XW = "Tables"

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def __iter__(self) -> Iterator[FakeTable]:
        dunder(self, "__iter__")
        return iter([FakeTable(self._sheet, i) for i in range(len(self._sheet._api["tables"]))])

    def __getitem__(self, key: str) -> FakeTable:
        dunder(self, "__getitem__")
        for i, api in enumerate(self._sheet._api["tables"]):
            if api["name"] == key:
                return FakeTable(self._sheet, i)
        raise KeyError(key)


class FakeTable(Recorder):
    XW = "Table"

    def __init__(self, sheet: FakeSheet, index: int) -> None:
        self._sheet = sheet
        self._index = index
        self._api = sheet._api["tables"][index]

    @property
    def name(self) -> str:
        return self._api["name"]

    @property
    def show_totals(self) -> bool:
        return self._api["show_totals"]

    @property
    def range(self) -> FakeRange:
        r1, c1, r2, c2 = parse_ref(self._api["range_address"])
        return FakeRange(self._sheet, (r1, c1), (r2, c2))

    def resize(self, rng: FakeRange) -> None:
        """Queued; the snapshot keeps the old size (as `_xlremote.Table.resize`)."""
        self._sheet._book._queue("resizeTable", [self._index, rng.address], sheet_position=self._sheet.index - 1)


class FakeFreezePanes(Recorder):
    XW = "FreezePanes"

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def freeze_at(self, frozen: str | FakeRange) -> None:
        address = frozen.address if isinstance(frozen, FakeRange) else frozen
        self._sheet._book._queue("freezePaneAtRange", [address], sheet_position=self._sheet.index - 1)


class FakeCharts(Recorder):
    XW = "Charts"

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211,
            chart_type: str | None = None, source: FakeRange | None = None, plot_by: str | None = None,
            name: str | None = None, anchor: FakeRange | None = None, style: int | None = 227) -> FakeChart:
        if anchor and (top or left):  # xlwings.main.Charts.add
            raise ValueError("You must either provide 'anchor' or 'top'/'left', but not both.")
        chart_type = chart_type or "column_clustered"
        if chart_type not in chart_types():
            raise ValueError(f"Invalid chart type: {chart_type!r}")
        if source is None:
            raise NotImplementedError("the fake does not model a chart added without its source data")
        charts = self._sheet._api["charts"]
        taken = {c["name"].casefold() for c in charts}
        if name is None:
            name, suffix = "Chart", 2
            while name.casefold() in taken:
                name, suffix = f"Chart {suffix}", suffix + 1
        elif name.casefold() in taken:
            raise ValueError(f"'{name}' is already present on {self._sheet.name}.")
        self._sheet._book._queue(
            "addChart", [name, chart_type, source._sheet.name, source.address, None if anchor else left,
                         None if anchor else top, width, height, plot_by, anchor.address if anchor else None, style],
            sheet_position=self._sheet.index - 1)
        charts.append({"name": name})
        return FakeChart(self._sheet, len(charts) - 1)


class FakeChart(Recorder):
    XW = "Chart"

    def __init__(self, sheet: FakeSheet, index: int) -> None:
        self._sheet = sheet
        self._index = index
        self._title: str | None = None

    @property
    def name(self) -> str:
        return self._sheet._api["charts"][self._index]["name"]

    @property
    def title(self) -> str:
        if self._title is None:
            raise NotImplementedError("_xlremote: a chart's title is read only after it is set in the script")
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._sheet._book._queue("setChartTitle", [self._index, value], sheet_position=self._sheet.index - 1)
        self._title = value

    def set_x_axis_values(self, rng: FakeRange) -> None:
        self._sheet._book._queue("setChartXAxisValues", [self._index, rng._sheet.name, rng.address],
                                 sheet_position=self._sheet.index - 1)

    @property
    def series(self) -> FakeSeriesCollection:
        return FakeSeriesCollection()


class FakeSeriesCollection(Recorder):
    """`_xlremote.ChartSeriesCollection` without a count: it cannot be indexed, counted or iterated."""

    XW = "ChartSeriesCollection"

    def __len__(self) -> int:
        dunder(self, "__len__")
        raise NotImplementedError("_xlremote: counting a chart's series needs 'await chart.get_series()'")

    def __getitem__(self, key: int) -> Any:
        dunder(self, "__getitem__")
        raise NotImplementedError("_xlremote: a chart's series need 'await chart.get_series()'")


def read_back(excel: Excel) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, by name."""
    return {s.name: s.grid() for s in excel.sheets}


__all__ = ["Excel", "FakeBook", "TOUCHED", "remote_missing", "remote_status", "run_script", "read_back"]
