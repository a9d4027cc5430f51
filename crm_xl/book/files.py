"""Book over an .xlsx / .xlsm file on disk: the fast, lossless batch engine.

Reading: cell values come from python-calamine (dates as date/datetime, blanks as None, error cells as
their text such as `#N/A`); sheets, tables and relationships straight from the zip (package.py).
Writing (writer.py): only the parts a run owns are rebuilt — the rows of a data sheet that get computed
cells or appended records, the tables that grow, generated sheets, new cell formats — by streaming
their XML; every other zip entry (VBA project, charts, images, comments, validations, cached formula
values …) is copied byte for byte. Saving is atomic (safety.py) and refuses to overwrite a file that
changed on disk since it was read.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import replace
from itertools import chain, islice
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
from python_calamine import CalamineError

from ..model.errors import WorkbookFileError
from ..model.frame import Frames
from ..model.schema import DATA_SHEETS, NoValue, sheets_read
from ..runtime import paused_gc, quick, trim, trim_after
from .ops import Op, TableInfo, WriteColumn
from .port import Book
from .xlsx.cells import normalize, serial
from .xlsx.loader import SheetLoader, adopt
from .xlsx.package import Package
from .xlsx.safety import Stamp, atomic_write, check_readable, check_writable
from .xlsx.verify import verify_package
from .xlsx.webext import read_lite
from .xlsx.writer import PackageWriter

_BAD = (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError, CalamineError, IndexError)


class FileBook(Book):
    """A workbook file. `save()` writes in place (or to `out`) atomically and refuses to overwrite a
    file that changed on disk since it was read."""

    def __init__(self, path: str | Path, *, backup: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        check_readable(self.path)
        self.backup = backup
        self.stamp = Stamp.of(self.path)
        self.source = self.path  # the file holding the current state (`out` after save(out))
        self._grids: dict[str, list[list[Any]]] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._formulas: dict[str, set[tuple[int, int]]] = {}  # sheet → formula and error cells
        self._queued: list[Op] = []
        self.pkg = self._open(self.source)
        self._loader: SheetLoader | None = adopt(self.path) or self._start_loader()

    def _open(self, source: Path) -> Package:
        try:
            pkg = Package(source)
            _ = pkg.workbook.sheets, pkg.tables
        except _BAD as exc:
            raise WorkbookFileError(f"{self.path}: is corrupt or not an Excel workbook ({exc})") from exc
        return pkg

    def _start_loader(self) -> SheetLoader:
        try:
            return SheetLoader(self.source, self.pkg, self._needed())
        except _BAD as exc:
            raise WorkbookFileError(f"{self.path}: is corrupt or not an Excel workbook ({exc})") from exc

    def _sheet_loader(self) -> SheetLoader:
        if self._loader is None:
            self._loader = self._start_loader()
        return self._loader

    def _needed(self) -> list[str]:
        """The sheets a run reads: the data sheets, Settings and the review history."""
        return sheets_read(self.sheet_names(), [(t.name, t.sheet) for t in self.table_infos()])

    # --- reading ---------------------------------------------------------------------------------

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.pkg.workbook.sheets]

    def table_infos(self) -> list[TableInfo]:
        return [TableInfo(t.name, t.sheet, t.ref, t.totals) for t in self.pkg.tables]

    def lite_properties(self) -> dict[str, str] | None:
        """The properties of the workbook's xlwings Lite add-in (name → text: main.py, requirements.txt …), or
        None when it has none."""
        try:
            return read_lite(self.pkg)
        except _BAD as exc:
            raise WorkbookFileError(f"{self.path}: its xlwings Lite parts cannot be read ({exc})") from exc

    def frames(self) -> Frames:
        with quick():  # the loader's thread hands its sheets and scans over without waiting for the GIL
            if self._loader is not None:  # in the order that keeps both cores busy (see SheetLoader.order)
                where = {s.key: w[0] for s in DATA_SHEETS if (w := self.locate(s)) is not None}
                rank = {name: k for k, name in enumerate(self._loader.order(where.values()))}
                for key in sorted(where, key=lambda k: rank[where[k]]):
                    try:
                        self.find(key)
                    except Exception:  # noqa: BLE001 - reported below, in the sheets' own order, whatever came first
                        continue
            return super().frames()

    def grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            self._grids[sheet] = self.array(sheet).tolist()
        return self._grids[sheet]

    def array(self, sheet: str) -> np.ndarray:
        """The sheet's cells as a 2-D object array from A1 (what `grid` returns, as rows)."""
        if sheet not in self._arrays:
            entry = self.pkg.sheet(sheet)
            if entry is None:
                raise KeyError(f"Worksheet {sheet} does not exist.")
            self._arrays[sheet] = (self._read_array(entry.name, entry.part) if entry.kind == "worksheet"
                                   else np.empty((0, 0), dtype=object))
        return self._arrays[sheet]

    def _read_array(self, name: str, part: str | None) -> np.ndarray:
        try:
            with paused_gc():  # millions of new objects, no cycles: the cyclic GC would only rescan them
                loaded = self._sheet_loader().get(name)
                arr = _sheet_array(loaded.sheet)  # while the other thread may still scan the sheet's cells
                loaded.sheet = None  # calamine's copy of the cells goes before the wait
                cells, formulas, unsaved = loaded.errors, loaded.formulas, loaded.unsaved
                del loaded
        except _BAD as exc:
            raise WorkbookFileError(self._unreadable(name, exc)) from exc
        trim_after(arr.size)  # the row chunks are freed: give their pages back before the next sheet or job
        self._formulas[name] = formulas | {(r, c) for r, c, _ in cells}  # cells that are not plain values
        # a formula with no saved value reads as a blank that validation can tell apart (schema.NoValue)
        cells = [*cells, *((r, c, NoValue(formula)) for (r, c), formula in unsaved.items())]
        if cells:
            height, width = arr.shape
            grow_r, grow_c = max(r for r, _, _ in cells), max(c for _, c, _ in cells)
            if grow_r > height or grow_c > width:
                bigger = np.empty((max(height, grow_r), max(width, grow_c)), dtype=object)
                bigger[:height, :width] = arr
                arr = bigger
            for r, c, text in cells:
                if arr[r - 1, c - 1] is None:
                    arr[r - 1, c - 1] = text
        return arr

    def _unreadable(self, name: str, exc: BaseException) -> str:
        """Why a sheet could not be read, naming the sheet that is really at fault: the cell reader
        (python-calamine) opens no workbook holding a sheet kind it does not know, such as an Excel 4.0
        macro sheet."""
        culprit = next((s for s in self.pkg.workbook.sheets if s.part and s.part in str(exc)), None)
        if culprit is not None and culprit.name != name:
            what = {"macrosheet": "an Excel 4.0 macro sheet", "dialogsheet": "an Excel 5.0 dialog sheet"}.get(
                culprit.kind, f"a {culprit.kind} sheet")
            return (f"{self.path}: the sheet {culprit.name!r} is {what}, which crm-xl's cell reader cannot open, "
                    f"so no sheet of this workbook can be read; move {culprit.name!r} to another workbook "
                    "(right-click its tab ▸ Move or Copy) and run again — nothing was written")
        return f"{self.path}: sheet {name!r} cannot be read ({exc})"

    # --- writing ---------------------------------------------------------------------------------

    def _apply(self, ops: list[Op]) -> None:
        self._queued.extend(ops)

    def _changes(self, op: Op) -> Op | None:
        """A column write without the cells that already hold the value (None when nothing changes), so a
        re-run that changes little rewrites little — and a sheet with no change is copied as it is."""
        if not isinstance(op, WriteColumn) or op.header is not None or op.sheet not in self._arrays:
            return op
        arr = self._arrays[op.sheet]
        column = arr[:, op.col - 1].tolist() if op.col <= arr.shape[1] else []
        height = len(column)
        special = self._formulas.get(op.sheet, set())
        col = op.col
        if not special and column.count(None) == height:  # a first run: every value lands in an empty cell
            if set(map(type, op.values.values())) <= _NEVER_BLANK:
                return op if op.values else None  # no value is blank: all of them are written
            values = {row: value for row, value in op.values.items()
                      if value is not None and (value.__class__ in _NEVER_BLANK or not _same(None, value))}
            if not values:
                return None
            return replace(op, values=values) if len(values) < len(op.values) else op
        values = {}
        for row, value in op.values.items():
            old = column[row - 1] if row <= height else None
            if old is value or (old.__class__ is value.__class__ and old.__class__ in _EQUAL_IS_SAME and old == value):
                same = True  # the common cases, without normalising (a date read back equal to the one written)
            elif old is None and value.__class__ in _NEVER_BLANK:
                same = False  # a first run: an empty cell gets a value
            else:
                same = _same(old, value)
            if not same or (special and (row, col) in special):
                values[row] = value
        if not values:
            return None
        return replace(op, values=values) if len(values) < len(op.values) else op

    def _cell(self, sheet: str, row: int, col: int) -> Any:
        arr = self.array(sheet)
        return arr[row - 1, col - 1] if row <= arr.shape[0] and col <= arr.shape[1] else None

    def _persist(self, out: Path | None) -> None:
        target = out or self.path
        check_writable(self.path, out)
        self.cache.release()  # the jobs' memos are caches: the save needs the room more
        trim()
        ops = [kept for op in _coalesce(self._queued) if (kept := self._changes(op)) is not None]

        def write(tmp: Path) -> None:
            with paused_gc():  # the writer's objects are short-lived and acyclic
                writer = PackageWriter(self.pkg, self._cell, between=trim)
                writer.apply(ops)
                writer.write(tmp)
                verify_package(tmp, self.pkg, writer.written)  # before it may replace anything
                self.protected, self.structure_locked = writer.protected, writer.structure_locked
            self._release()  # Windows cannot replace a file this process still has open

        try:
            with quick():  # the inflating and deflating threads get the GIL back at once
                atomic_write(target, write, original=self.path, stamp=self.stamp, backup=self.backup)
        except BaseException:
            if self.pkg.closed:  # released for the rename that did not happen
                self.pkg = self._open(self.source)
            raise
        self._queued.clear()
        if out is None:
            self.stamp = Stamp.of(self.path)
        self._reopen(target)

    def _release(self) -> None:
        """Close every handle on the source file (zip and calamine readers)."""
        self.pkg.close()
        if self._loader is not None:
            self._loader.close()
            self._loader = None

    def _reopen(self, source: Path) -> None:
        self._release()
        self.source = source
        self.pkg = self._open(source)
        self._grids.clear()
        self._arrays.clear()
        self._formulas.clear()
        self.forget_frames()

    def close(self) -> None:
        super().close()
        self._release()


def _coalesce(ops: list[Op]) -> list[Op]:
    """The ops with the column writes of one sheet column made one (at the first one's place; a later value
    for a row wins), so that a cell written twice in a run — a merged row, then its check — is compared with the
    file once, for its last value."""
    first: dict[tuple[str, int], int] = {}
    out: list[Op] = []
    for op in ops:
        if not isinstance(op, WriteColumn):
            out.append(op)
            continue
        at = first.get((op.sheet, op.col))
        if at is None:
            first[(op.sheet, op.col)] = len(out)
            out.append(op)
            continue
        was = out[at]
        assert isinstance(was, WriteColumn)
        out[at] = replace(was, header=was.header if was.header is not None else op.header,
                          computed=was.computed or op.computed, values={**was.values, **op.values})
    return out


def _sheet_array(sheet: Any, chunk: int = 8192) -> np.ndarray:
    """A calamine sheet → a 2-D object array from A1: '' → None, whole floats → int (as Excel shows
    them), equal values of the sheet shared as one object (a column repeats its owners, methods, names,
    dates and amounts: memory stays near the distinct values). Rows are converted a chunk at a time, so
    the peak is the array plus one chunk, not the whole sheet twice."""
    start, end = sheet.start, sheet.end
    if end is None:
        return np.empty((0, 0), dtype=object)
    arr = np.empty((end[0] + 1, end[1] + 1), dtype=object)
    flat = arr.reshape(-1)  # a view (a new array is contiguous)
    memo: dict[Any, Any] = {"": None}
    it = sheet.iter_rows()
    r = 0
    c0: int | None = None
    while rows := list(islice(it, chunk)):
        lengths = set(map(len, rows))
        width = max(lengths)
        if c0 is None:
            c0 = end[1] + 1 - width  # the reader starts rows at the used range's first column (or A)
            if c0 not in (0, start[1]):
                raise ValueError(f"unexpected row width {width} for the range {start}–{end}")
        n = len(rows)
        if r + n > len(arr):
            raise ValueError(f"more rows than the range {start}–{end}")
        if len(lengths) != 1:
            rows = [row + [""] * (width - len(row)) for row in rows]
        values = _values(list(chain.from_iterable(rows)), memo)
        del rows
        if c0 == 0 and width == arr.shape[1]:  # rows as wide as the array: straight into its memory
            flat[r * width:(r + n) * width] = values
        else:
            block = np.empty(n * width, dtype=object)
            block[:] = values
            arr[r:r + n, c0:c0 + width] = block.reshape(n, width)
        r += n
    if r != len(arr):  # the reader started at the used range's first row, not at row 1
        if r != end[0] + 1 - start[0]:
            raise ValueError(f"{r} rows for the range {start}–{end}")
        arr[start[0]:] = arr[:r].copy()
        arr[:start[0]] = None
    return arr


_NEVER_BLANK = {str, int, bool, dt.date, dt.datetime}


def _values(values: list[Any], memo: dict[Any, Any]) -> list[Any]:
    """Cell values converted: '' → None, whole floats → int; equal values become one object (`memo`
    holds the sheet's distinct values so far, each mapped to what it reads as). Done by C loops over the
    list (`map`), per distinct value in Python."""
    types = set(map(type, values))
    if bool in types:  # True == 1 == 1.0: booleans stay out of a memo that holds numbers
        return _values_one_by_one(values, memo)
    before = len(memo)
    out = list(map(memo.setdefault, values, values))
    if float in types:  # whole floats read as ints (as Excel shows them), decided once per distinct value
        whole = {k: int(k) for k in islice(memo, before, None)
                 if k.__class__ is float and k.is_integer() and abs(k) < 2 ** 53}
        if whole:
            memo.update(whole)
            out = list(map(memo.get, out, out))
    return out


def _values_one_by_one(values: list[Any], memo: dict[Any, Any]) -> list[Any]:
    """`_values` for a chunk holding booleans: they are kept as they are, out of the memo."""
    get = memo.get
    out: list[Any] = []
    append = out.append
    for v in values:
        cls = v.__class__
        if cls is float:
            append(int(v) if v.is_integer() and abs(v) < 2 ** 53 else v)
        elif cls is bool:
            append(v)
        else:  # str, int, date, datetime, time, None
            shared = get(v, memo)
            if shared is memo:
                memo[v] = shared = v
            append(shared)
    return out


_EQUAL_IS_SAME = {str, int, bool, dt.date, dt.datetime}  # two values of one of these classes, equal: the same cell


def _same(old: Any, new: Any) -> bool:
    """Whether writing `new` over a cell that reads `old` would change nothing."""
    new = normalize(new)
    if new is None or (new.__class__ is float and new != new):
        return old is None
    if old is None:
        return False
    cls, old_cls = new.__class__, old.__class__
    if cls is str or old_cls is str:
        return cls is old_cls and old == new
    if cls is bool or old_cls is bool:
        return cls is old_cls and old == new
    if cls in (int, float):
        return old_cls in (int, float) and old == new
    if isinstance(new, dt.date | dt.time) and isinstance(old, dt.date | dt.time):
        return isinstance(new, dt.time) == isinstance(old, dt.time) and serial(new) == serial(old)
    return False


def open_workbook(path: str | Path, *, backup: bool = False) -> FileBook:
    """Open a workbook file as a Book (use as a context manager)."""
    return FileBook(path, backup=backup)


__all__ = ["FileBook", "open_workbook", "check_readable", "check_writable"]  # the file checks, for jobs
