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

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from ..errors import WorkbookFileError
from ..frame import Frame, col_letter
from ..parse import is_blank
from ..schema import SheetDef
from .memory import MemoryBook
from .package import Package
from .port import Book, Op, TableInfo, _find_header_row, parse_ref
from .safety import Stamp, atomic_write, check_readable, check_writable
from .writer import PackageWriter

_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(?:(?!</(?:\w+:)?c>).)*?'
                         rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", re.S)
_ERROR_CELL_T_FIRST = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+)(\d+)"[^>]*>'
                                 rb"(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", re.S)
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
        self._queued: list[Op] = []
        self._calamine: CalamineWorkbook | None = None
        self.pkg = self._open(self.source)

    def _open(self, source: Path) -> Package:
        try:
            pkg = Package(source)
            _ = pkg.workbook.sheets, pkg.tables
        except _BAD as exc:
            raise WorkbookFileError(f"{self.path}: is corrupt or not an Excel workbook ({exc})") from exc
        return pkg

    def _values(self) -> CalamineWorkbook:
        if self._calamine is None:
            try:
                self._calamine = CalamineWorkbook.from_path(str(self.source))
            except _BAD as exc:
                raise WorkbookFileError(f"{self.path}: is corrupt or not an Excel workbook ({exc})") from exc
        return self._calamine

    # --- reading ---------------------------------------------------------------------------------

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.pkg.workbook.sheets]

    def table_infos(self) -> list[TableInfo]:
        return [TableInfo(t.name, t.sheet, t.ref) for t in self.pkg.tables]

    def grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            entry = self.pkg.sheet(sheet)
            if entry is None:
                raise KeyError(f"Worksheet {sheet} does not exist.")
            self._grids[sheet] = self._read_grid(entry.name, entry.part) if entry.kind == "worksheet" else []
        return self._grids[sheet]

    def _read_grid(self, name: str, part: str | None) -> list[list[Any]]:
        try:
            sheet = self._values().get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except _BAD as exc:
            raise WorkbookFileError(f"{self.path}: sheet {name!r} cannot be read ({exc})") from exc
        end = sheet.end
        if rows and end and len(rows) != end[0] + 1:  # skip_empty_area=False already starts at A1
            raise WorkbookFileError(f"{self.path}: sheet {name!r}: unexpected cell range from the reader")
        grid = [_clean(r) for r in rows]
        if part is not None:
            _patch_errors(grid, self.pkg, part)
        return grid

    # --- writing ---------------------------------------------------------------------------------

    def _apply(self, ops: list[Op]) -> None:
        self._queued.extend(ops)

    def _build_frame(self, sheet: SheetDef, sheet_name: str, table: TableInfo | None) -> Frame:
        """Book._build_frame, column by column (the same Frame, several times faster on big sheets)."""
        return build_frame(self, sheet, sheet_name, table)

    def _cell(self, sheet: str, row: int, col: int) -> Any:
        grid = self.grid(sheet)
        return grid[row - 1][col - 1] if row - 1 < len(grid) and col - 1 < len(grid[row - 1]) else None

    def _persist(self, out: Path | None) -> None:
        target = out or self.path
        check_writable(self.path, out)
        ops = list(self._queued)

        def write(tmp: Path) -> None:
            writer = PackageWriter(self.pkg, self._cell)
            writer.apply(ops)
            writer.write(tmp)

        atomic_write(target, write, original=self.path, stamp=self.stamp, backup=self.backup)
        self._queued.clear()
        if out is None:
            self.stamp = Stamp.of(self.path)
        self._reopen(target)

    def _reopen(self, source: Path) -> None:
        self.pkg.close()
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        self.source = source
        self.pkg = self._open(source)
        self._grids.clear()
        self._frames.clear()

    def close(self) -> None:
        super().close()
        self.pkg.close()
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None


def build_frame(book: Book, sheet: SheetDef, sheet_name: str, table: TableInfo | None) -> Frame:
    """What `Book._build_frame` builds (tests/book/test_frames.py checks they agree), with the record rows
    found row by row and the values gathered column by column."""
    grid = book.grid(sheet_name)
    # the header (columns, extra columns, missing-column errors): the port's own code, run on the sheet cut
    # just below its header row, so it finds no records
    if table is not None:
        header_row, c1, last_row, c2 = parse_ref(table.ref)
        cut: TableInfo | None = TableInfo(table.name, table.sheet, f"{col_letter(c1)}{header_row}:"
                                                                     f"{col_letter(c2)}{header_row}")
    else:
        header_row = _find_header_row(sheet, grid)
        last_row = len(grid)
        cut = None
    frame = Book._build_frame(MemoryBook({sheet_name: grid[:header_row]}), sheet, sheet_name, cut)
    frame.table = table.name if table is not None else None
    cols = frame.cols
    positions = list(cols.values())
    first = header_row + 1
    rows: list[int] = []
    kept: list[list[Any]] = []
    for i, line in enumerate(grid[header_row:last_row]):
        n = len(line)
        for c in positions:
            if c <= n:
                v = line[c - 1]
                if v is None:
                    continue
                if v.__class__ is str:
                    if not v.strip():
                        continue
                elif is_blank(v):
                    continue
                rows.append(first + i)
                kept.append(line)
                break
    values: dict[str, list[Any]] = {}
    for key in sheet.keys:
        c = cols.get(key)
        if c is None:
            values[key] = [None] * len(kept)
        else:
            j = c - 1
            values[key] = [line[j] if c <= len(line) else None for line in kept]
    data = pd.DataFrame(values, index=pd.Index(rows, name="row"), dtype=object)
    data.attrs["headers"] = frame.data.attrs["headers"]
    frame.data = data
    return frame


def _clean(row: list[Any]) -> list[Any]:
    """calamine's row → crm-xl's: '' → None, whole floats → int (as Excel shows them)."""
    return [None if v == "" else (int(v) if v.__class__ is float and v.is_integer() and abs(v) < 2 ** 53 else v)
            for v in row]


def _patch_errors(grid: list[list[Any]], pkg: Package, part: str) -> None:
    """calamine returns error cells as blanks; put their text (`#N/A`, `#DIV/0!` …) back."""
    tag = b""
    carry = b""
    for chunk in pkg.stream(part):
        buf = carry + chunk
        if not tag:
            m = re.search(rb"<(\w+:)?worksheet\b", buf)
            tag = b"<" + ((m.group(1) or b"") if m else b"") + b"c "
        cut = buf.rfind(tag)
        if cut <= 0:
            carry = buf
            continue
        text, carry = buf[:cut], buf[cut:]
        if b't="e"' in text:
            _apply_errors(grid, text)
    if b't="e"' in carry:
        _apply_errors(grid, carry)


def _apply_errors(grid: list[list[Any]], text: bytes) -> None:
    for pattern in (_ERROR_CELL, _ERROR_CELL_T_FIRST):
        for m in pattern.finditer(text):
            col = 0
            for ch in m.group(1):
                col = col * 26 + ch - 64
            row = int(m.group(2))
            while len(grid) < row:
                grid.append([])
            line = grid[row - 1]
            if len(line) < col:
                line.extend([None] * (col - len(line)))
            if line[col - 1] is None:
                line[col - 1] = m.group(3).decode("utf-8", "replace")


def open_workbook(path: str | Path, *, backup: bool = False) -> FileBook:
    """Open a workbook file as a Book (use as a context manager)."""
    return FileBook(path, backup=backup)
