"""An in-memory Book, for tests and for building workbooks from DataFrames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..model.i18n import Lang
from ..model.layout import Rendered
from ..model.schema import SETTINGS_SHEET, SHEETS
from ..model.settings import Settings, settings_rows
from .ops import AppendRows, DropSheet, InstallLite, Op, PutSheet, SetCells, TableInfo, WriteColumn, parse_ref
from .port import Book


class MemoryBook(Book):
    """Sheets are lists of rows; tables are TableInfo; generated sheets keep their rendered form."""

    def __init__(self, sheets: dict[str, list[list[Any]]] | None = None, tables: list[TableInfo] | None = None):
        super().__init__()
        self.sheets: dict[str, list[list[Any]]] = dict(sheets or {})
        self.tables: list[TableInfo] = list(tables or [])
        self.rendered: dict[str, Rendered] = {}
        self.hidden: dict[str, bool] = {}  # sheet → hidden, as set by SetCells
        self.lite: list[InstallLite] = []  # the Lite installs applied (a memory book has no add-in parts)
        self.saves = 0

    @classmethod
    def from_frames(
        cls,
        data: dict[str, pd.DataFrame | list[dict[str, Any]]],
        lang: Lang = "zh-Hans",
        settings: Settings | dict[str, Any] | None = None,
        as_tables: bool = True,
    ) -> MemoryBook:
        """A book whose data sheets hold `data` (sheet key → rows with canonical column keys), headed in
        `lang`; `settings` (a Settings or a dict of overrides) adds a Settings sheet."""
        book = cls()
        for key, rows in data.items():
            sheet = SHEETS[key]
            # the cells as given (object: pandas 3 would infer `str`, and with pyarrow a NoValue became '')
            df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, dtype=object)
            keys = [c.key for c in sheet.input_columns if c.key in df.columns or c.key_column]
            keys += [k for k in df.columns if k not in keys and k in sheet.keys]
            grid: list[list[Any]] = [[sheet.column(k).header(lang) for k in keys]]
            for record in df.reindex(columns=keys).itertuples(index=False, name=None):
                grid.append([None if _na(v) else v for v in record])
            name = sheet.name(lang)
            book.sheets[name] = grid
            if as_tables:
                book.tables.append(TableInfo(sheet.table, name, _ref(len(grid), len(keys))))
        if settings is not None:
            model = settings if isinstance(settings, Settings) else Settings.defaults(lang).model_copy(
                update=settings)
            book.sheets[SETTINGS_SHEET.name(lang)] = settings_grid(model, lang)
        return book

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def table_infos(self) -> list[TableInfo]:
        return list(self.tables)

    def grid(self, sheet: str) -> list[list[Any]]:
        return self.sheets[sheet]

    def _apply(self, ops: list[Op]) -> None:
        for op in ops:
            if isinstance(op, WriteColumn):
                grid = self.sheets[op.sheet]
                if op.header is not None:
                    _set(grid, op.header_row, op.col, op.header)
                for row, value in op.values.items():
                    _set(grid, row, op.col, value)
                self._grow_table(op.sheet, op.table, None, op.col)
            elif isinstance(op, AppendRows):
                grid = self.sheets[op.sheet]
                for i, record in enumerate(op.rows):
                    for col, value in record.items():
                        _set(grid, op.first_row + i, col, value)
                self._grow_table(op.sheet, op.table, op.first_row + len(op.rows) - 1, None)
            elif isinstance(op, PutSheet):
                for alias in (op.layout.name, *op.layout.aliases):
                    self.sheets.pop(alias, None)
                    self.rendered.pop(alias, None)
                grid: list[list[Any]] = []
                for cell in op.rendered.cells:
                    _set(grid, cell.row, cell.col, cell.value)
                self.sheets[op.layout.name] = grid
                self.rendered[op.layout.name] = op.rendered
            elif isinstance(op, DropSheet):
                self.sheets.pop(op.name, None)
                self.rendered.pop(op.name, None)
            elif isinstance(op, SetCells):
                grid = self.sheets.setdefault(op.sheet, [])
                for (row, col), value in op.values.items():
                    _set(grid, row, col, value)
                if op.hidden is not None:
                    self.hidden[op.sheet] = op.hidden
            elif isinstance(op, InstallLite):
                self.lite.append(op)

    def _grow_table(self, sheet: str, table: str | None, last_row: int | None, last_col: int | None) -> None:
        for i, t in enumerate(self.tables):
            if t.name == table and t.sheet == sheet:
                r1, c1, r2, c2 = parse_ref(t.ref)
                r2 = max(r2, last_row or 0)
                c2 = max(c2, last_col or 0)
                self.tables[i] = TableInfo(t.name, t.sheet, f"{_a1(r1, c1)}:{_a1(r2, c2)}")

    def _persist(self, out: Path | None) -> None:
        self.saves += 1
        self.forget_frames()  # later reads see the saved state


def settings_grid(settings: Settings, lang: Lang) -> list[list[Any]]:
    """The Settings sheet as rows: A:C settings, E… lists."""
    from ..model.settings import LISTS

    head = {"zh-Hans": ["设置项", "值", "说明"], "zh-Hant": ["設定項", "值", "說明"],
            "en": ["Setting", "Value", "Explanation"]}[lang]
    rows: list[list[Any]] = [[*head, None]]
    rows += [[label, value, help_, None] for label, value, help_ in settings_rows(settings, lang)]
    for j, (key, meta) in enumerate(LISTS.items()):
        col = 4 + j
        _set(rows, 1, col + 1, meta.label(lang))
        for i, item in enumerate(getattr(settings, key)):
            _set(rows, 2 + i, col + 1, item)
    return rows


def _na(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _set(grid: list[list[Any]], row: int, col: int, value: Any) -> None:
    while len(grid) < row:
        grid.append([])
    line = grid[row - 1]
    while len(line) < col:
        line.append(None)
    line[col - 1] = value


def _a1(row: int, col: int) -> str:
    from ..model.frame import col_letter

    return f"{col_letter(col)}{row}"


def _ref(rows: int, cols: int) -> str:
    return f"A1:{_a1(max(rows, 2), cols)}"
