"""The Book port: how a job reads and writes a workbook, whatever holds it.

An adapter supplies a few primitives (sheet names, tables, a sheet's cell values, apply changes, persist).
Everything else — finding sheets in any language, matching headers, building Frames, reading Settings,
placing computed columns and appended rows — lives here once, so every adapter behaves the same.
Reads are cached and changes are applied to the cached Frames at once (a later job in the same run sees
them, and the run's parse-once cache `cache` forgets what it derived from them) and to the workbook on
`save()`: one read, one save.
"""

from __future__ import annotations

import abc
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.kernel.memo import RunCache
from ..model.errors import SchemaError
from ..model.frame import Frame, Frames, col_letter, quote_sheet
from ..model.headers import accepted_headers, header_label, match_columns
from ..model.i18n import Lang, detect_lang, pick
from ..model.layout import SheetLayout, render
from ..model.parse import is_blank
from ..model.result import JobResult
from ..model.schema import (
    DATA_SHEETS,
    SETTINGS_SHEET,
    SHEETS,
    Kind,
    SheetDef,
    header_key,
    locate,
)
from ..model.settings import Settings, read_settings
from .ops import AppendRows, DropSheet, InstallLite, Op, PutSheet, SetCells, TableInfo, WriteColumn, parse_ref
from .placement import filled, two_row_header, used_columns


class Book(abc.ABC):
    """A workbook opened for a run. Subclasses implement the five primitives below."""

    path: Path | None = None

    def __init__(self) -> None:
        self._frames: dict[str, Frame | None] = {}
        self.cache = RunCache()  # what the jobs of a run parse once (jobs.make_context hands it on)
        self._ops: list[Op] = []
        self._settings: Settings | None = None
        self._lang: Lang | None = None
        # what the last save did to the workbook's protection (adapters that write protected parts set these)
        self.protected: list[str] = []  # protected sheets written into (their protection kept)
        self.structure_locked = False  # sheets added or replaced in a structure-locked workbook

    # --- primitives -----------------------------------------------------------------------------

    @abc.abstractmethod
    def sheet_names(self) -> list[str]:
        """Names of all sheets, in workbook order."""

    @abc.abstractmethod
    def table_infos(self) -> list[TableInfo]:
        """All Excel Tables of the workbook."""

    @abc.abstractmethod
    def grid(self, sheet: str) -> list[list[Any]]:
        """Cell values of a sheet as rows starting at A1 (ragged rows allowed; [] for an empty sheet)."""

    @abc.abstractmethod
    def _apply(self, ops: list[Op]) -> None:
        """Carry out the recorded changes."""

    @abc.abstractmethod
    def _persist(self, out: Path | None) -> None:
        """Make the changes durable (write the file, or nothing for live Excel)."""

    # --- locating and reading -------------------------------------------------------------------

    def locate(self, sheet: SheetDef) -> tuple[str, TableInfo | None] | None:
        """(sheet name, table) of a data sheet: by table name first, then by any of its sheet names."""
        tables = self.table_infos()
        where = locate(sheet, self.sheet_names(), [(t.name, t.sheet) for t in tables])
        if where is None:
            return None
        name, table = where
        return name, next((t for t in tables if t.name == table and t.sheet == name), None)

    def find(self, key: str) -> Frame | None:
        """The Frame of a data sheet, or None when the workbook has no such sheet."""
        if key not in self._frames:
            sheet = SHEETS[key]
            where = self.locate(sheet)
            self._frames[key] = None if where is None else self._build_frame(sheet, *where)
        return self._frames[key]

    def read(self, key: str) -> Frame:
        """The Frame of a data sheet; SchemaError when the workbook has none."""
        frame = self.find(key)
        if frame is None:
            sheet = SHEETS[key]
            raise SchemaError(
                f"no sheet {sheet.hans} / {sheet.hant} / {sheet.en} (or table {sheet.table}) in the workbook; "
                f"sheets found: {', '.join(self.sheet_names()) or 'none'}",
                sheet=key,
            )
        return frame

    def frames(self) -> Frames:
        """All data sheets; SchemaError when none of them is present."""
        found = Frames(**{s.key: self.find(s.key) for s in DATA_SHEETS})
        for frame in found.present():
            frame.lang = self.lang
        if not found.present():
            names = "; ".join(f"{s.hans} / {s.hant} / {s.en}" for s in DATA_SHEETS)
            raise SchemaError(
                f"none of the crm-xl sheets is in the workbook (looked for {names}); "
                f"sheets found: {', '.join(self.sheet_names()) or 'none'}"
            )
        return found

    @property
    def lang(self) -> Lang:
        """The workbook language: the Settings value, else the script of the headers."""
        if self._lang is None:
            settings = self.settings()
            self._lang = settings.language or self._header_lang()
        return self._lang

    def settings(self) -> Settings:
        """The Settings sheet's values over SPEC.md's defaults (defaults alone when there is no sheet)."""
        if self._settings is None:
            name = self.settings_sheet()
            fallback = self._header_lang()
            if name is None:
                self._settings = Settings.defaults(fallback)
            else:
                self._settings = read_settings(self.grid(name), name, fallback)
        return self._settings

    def settings_sheet(self) -> str | None:
        return SETTINGS_SHEET.find(self.sheet_names())

    def _header_lang(self) -> Lang:
        texts: list[str] = []
        for s in DATA_SHEETS:
            frame = self.find(s.key)
            if frame is not None:
                texts.append(frame.sheet_name)
                texts.extend(frame.headers.values())
        return detect_lang(texts)

    def array(self, sheet: str) -> np.ndarray:
        """The sheet's cells as a rectangular 2-D object array from A1 (short rows padded with None).
        Adapters that hold cells as an array already override this."""
        return grid_array(self.grid(sheet))

    def blank_rows(self, key: str) -> list[int]:
        """The rows among a data sheet's records (below its header, above its last record) that hold no cell
        value in any column: rows left blank, e.g. emptied by an earlier merge."""
        frame = self.read(key)
        last = max(frame.rows, default=0)
        if last <= frame.header_row + 1:
            return []
        arr = self.array(frame.sheet_name)[frame.header_row:last]
        empty = np.ones(len(arr), dtype=bool) if not arr.shape[1] else (arr == None).all(axis=1)  # noqa: E711
        records = set(frame.rows)
        return [int(r) for r in np.flatnonzero(empty) + frame.header_row + 1 if r not in records]

    def _build_frame(self, sheet: SheetDef, sheet_name: str, table: TableInfo | None) -> Frame:
        return build_frame(sheet, sheet_name, table, self.array(sheet_name))

    # --- changing -------------------------------------------------------------------------------

    def apply(self, result: JobResult) -> None:
        """Record a job's changes and reflect them in the cached Frames."""
        lang = self.lang
        for key, columns in result.columns.items():
            frame = self.read(key)
            frame.lang = lang
            for col_key, series in columns.items():
                self._record_column(frame, col_key, series, lang)
        for key, rows in result.appends.items():
            if len(rows):
                self._record_append(self.read(key), rows)
        for name in result.drop_sheets:
            self._ops.append(DropSheet(name))
        for layout in result.sheets:
            self.put_sheet(layout)

    def put_sheet(self, layout: SheetLayout) -> None:
        """Record (re)building a generated sheet."""
        self._ops.append(PutSheet(layout, render(layout)))

    def _record_column(self, frame: Frame, key: str, series: pd.Series, lang: Lang) -> None:
        column = frame.sheet.column(key)
        new = key not in frame.cols
        if new:  # never over a column of the team's, headed or not: past the last used one instead
            frame.last_col += 1
            if frame.last_col in frame.used:
                frame.last_col = max(frame.used) + 1
                frame.detached = True
            frame.cols[key] = frame.last_col
        values = series.reindex(frame.data.index).astype(object)
        values = values.where(values.notna(), None)
        frame.data[key] = values
        self.cache.invalidate(frame, key)
        self._ops.append(WriteColumn(
            frame.sheet_name, None if new and frame.detached else frame.table, frame.cols[key], frame.header_row,
            column.header(lang) if new else None, column.kind, column.computed,
            dict(zip(frame.rows, values.tolist(), strict=True)),
        ))

    def _record_append(self, frame: Frame, rows: pd.DataFrame) -> None:
        self._refuse_totals(frame, len(rows))
        first = max(frame.rows, default=frame.header_row) + 1
        known = [k for k in rows.columns if k in frame.cols]
        records: list[dict[int, Any]] = []
        for record in rows[known].itertuples(index=False, name=None):
            records.append({frame.cols[k]: (None if is_blank(v) else v) for k, v in zip(known, record, strict=True)})
        kinds = {frame.cols[k]: frame.sheet.column(k).kind for k in known}
        self._ops.append(AppendRows(frame.sheet_name, frame.table, first, kinds, records))
        new_index = pd.Index(range(first, first + len(rows)), name="row")
        added = pd.DataFrame({k: (rows[k].tolist() if k in rows.columns else [None] * len(rows))
                              for k in frame.sheet.keys}, index=new_index, dtype=object)
        frame.data = pd.concat([frame.data, added]) if len(frame.data) else added
        self.cache.invalidate(frame)

    def _refuse_totals(self, frame: Frame, n: int) -> None:
        """SchemaError when `n` new rows must go below a table with a total row (nothing is recorded)."""
        table = next((t for t in self.table_infos() if t.name == frame.table), None) if frame.table else None
        if table is not None and table.totals and n:
            total_row = parse_ref(table.ref)[2]
            raise SchemaError(
                f"{quote_sheet(frame.sheet_name)}!{total_row}:{total_row}" + pick(
                    frame.lang,
                    f"：表格 {table.name} 有汇总行，{n} 条新记录须写在最后一条记录之下——请先关闭汇总行"
                    "（表设计 ▸ 汇总行），再运行，然后重新打开；未写入任何内容",
                    f": the table {table.name} has a total row, and {n} new rows must go below its last "
                    "record — turn the total row off (Table Design ▸ Total Row), run again, then turn it back on; "
                    "nothing was written",
                    f"：表格 {table.name} 有合計列，{n} 筆新記錄須寫在最後一筆記錄之下——請先關閉合計列"
                    "（表格設計 ▸ 合計列），再執行，然後重新開啟；未寫入任何內容"),
                lang=frame.lang,
                sheet=frame.sheet_name,
            )

    # --- merge: whole records into given rows (crm-xl merge) ------------------------------------

    def record_rows(self, key: str, writes: dict[int, dict[str, Any]], appends: list[dict[str, Any]],
                    extra: list[str]) -> None:
        """Record writing whole records on a data sheet: `writes` (row → record) replace every crm-xl and team
        column of existing rows (a value a record lacks is cleared), `appends` go below the last record. A
        record maps schema keys and header texts of `extra` (the team's own columns, matched by header) to
        values; a column the sheet lacks is added past its last used column. (`record_columns`, row-wise.)"""
        records = [*writes.values(), *appends]
        names = dict.fromkeys(n for record in records for n in record)
        columns = {n: [record.get(n, ABSENT) for record in records] for n in names}
        self.record_columns(key, columns, len(records), list(writes), extra)

    def record_columns(self, key: str, columns: dict[str, list[Any]], count: int, rows: list[int],
                       extra: list[str], clear: list[int] | tuple[()] = ()) -> None:
        """`record_rows` of `count` records given as columns (field → one value per record, `ABSENT` where a
        record lacks the field): the first len(`rows`) records replace `rows`, the rest go below the last
        record, and the `clear` rows are emptied (a record with no field: no record any more)."""
        frame, lang = self.read(key), self.lang
        written = [*rows[:count], *clear]
        n_rows, n_appends = min(len(rows), count), max(0, count - len(rows))
        if not written and not n_appends:
            return
        self._refuse_totals(frame, n_appends)
        place: dict[str, int] = {}  # record field → sheet column
        headers: dict[int, tuple[str, Any, bool]] = {}  # new column → (header, kind, computed)
        own = {header_key(h): c for h, c in frame.extra.items()}
        for name in dict.fromkeys([*frame.cols, *extra, *columns]):
            if name in frame.sheet.keys:
                col, column = frame.cols.get(name), frame.sheet.column(name)
                label, kind, computed = column.header(lang), column.kind, column.computed
            else:
                col, label, kind, computed = own.get(header_key(name)), name, Kind.TEXT, False
            if col is None:
                frame.last_col += 1
                if frame.last_col in frame.used:
                    frame.last_col, frame.detached = max(frame.used) + 1, True
                col = frame.last_col
                headers[col] = (label, kind, computed)
                if name in frame.sheet.keys:
                    frame.cols[name] = col
                else:
                    frame.extra[label] = own[header_key(name)] = col
            place[name] = col
        kinds = {c: (frame.sheet.column(n).kind if n in frame.sheet.keys else Kind.TEXT) for n, c in place.items()}
        fields: dict[int, list[str]] = {}  # sheet column → the fields the records give it, in order
        for name, col in place.items():
            fields.setdefault(col, [])
            if name in columns:
                fields[col].append(name)
        cleared = [None] * len(clear)
        plain: dict[tuple[str, bool], list[Any]] = {}  # (field, appended) → its values, blanks as None

        def cells(name: str, appended: bool) -> list[Any]:
            if (name, appended) not in plain:
                part = columns[name][n_rows:count] if appended else columns[name][:n_rows]
                plain[name, appended] = plain_cells(part)
            return plain[name, appended]

        def column(got: list[str], appended: bool) -> list[Any]:
            """A sheet column's values on the rows written (or appended): its one field's, or each record's first
            field naming the column that has a value (None when none has)."""
            if len(got) == 1:
                return cells(got[0], appended)
            return [next((v for v in vs if v is not None), None)
                    for vs in zip(*(cells(n, appended) for n in got), strict=True)]

        for col in dict.fromkeys([*place.values(), *own.values()]):
            got = fields.get(col, [])
            values = column(got, False) + cleared if got else [None] * len(written)
            label, kind, computed = headers.get(col, (None, kinds.get(col, Kind.TEXT), False))
            if written or label is not None:
                self._ops.append(WriteColumn(frame.sheet_name, None if label and frame.detached else frame.table, col,
                                             frame.header_row, label, kind, computed,
                                             dict(zip(written, values, strict=True))))
        first = max(frame.rows, default=frame.header_row) + 1
        if n_appends:
            cols, values_of = [], []
            for col, got in fields.items():
                if got:
                    cols.append(col)
                    values_of.append(column(got, True))
            records = _records(cols, values_of, n_appends)
            self._ops.append(AppendRows(frame.sheet_name, frame.table, first, kinds, records))
        keys = [k for k in frame.sheet.keys if k in place]
        if written:
            if blank := [r for r in written if r not in frame.data.index]:  # blank rows among the records, refilled
                filled = pd.DataFrame(None, index=pd.Index(blank, name="row"), columns=frame.data.columns, dtype=object)
                frame.data = pd.concat([frame.data, filled]).sort_index()
            block = pd.DataFrame({k: cells(k, False) + cleared if k in columns else [None] * len(written)
                                  for k in keys}, index=written, columns=keys, dtype=object)
            frame.data.loc[written, keys] = block
            frame.data.loc[written, [k for k in frame.sheet.keys if k not in place]] = None
            if clear:
                frame.data = frame.data.drop(index=list(clear))  # no record any more: the jobs leave these rows alone
        if n_appends:
            block = np.full((n_appends, len(frame.sheet.keys)), None, dtype=object)
            for j, k in enumerate(frame.sheet.keys):
                if k in columns:
                    block[:, j] = cells(k, True)
            added = pd.DataFrame(block, index=pd.Index(range(first, first + n_appends), name="row"),
                                 columns=list(frame.sheet.keys), dtype=object)
            frame.data = pd.concat([frame.data, added]) if len(frame.data) else added
        self.cache.invalidate(frame)

    def set_cells(self, sheet: str, values: dict[tuple[int, int], Any], hidden: bool | None = None) -> None:
        """Record setting a few cells of `sheet` (created when missing), as an op applied on save."""
        self._ops.append(SetCells(sheet, dict(values), hidden))

    def install_lite(self, op: InstallLite) -> None:
        """Record giving the workbook the xlwings Lite add-in's parts and sheet buttons, applied on save (files
        only: a workbook open in Excel cannot be given add-in parts)."""
        self._ops.append(op)

    def save(self, out: Path | str | None = None) -> None:
        """Apply every recorded change and persist (atomically, for files)."""
        ops, self._ops = self._ops, []
        self._apply(ops)
        self._persist(Path(out) if out is not None else None)

    @property
    def pending(self) -> list[Op]:
        return list(self._ops)

    def close(self) -> None:
        """Release resources (adapters that hold files open extend this)."""
        self.forget_frames()

    def forget_frames(self) -> None:
        """Drop the Frames read (and what the run's cache derived from them): later reads see the workbook."""
        self._frames.clear()
        self.cache.clear()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Absent:
    """The value of a field a record lacks (`Book.record_columns`)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def plain_cells(values: list[Any]) -> list[Any]:
    """The values with blanks (and `ABSENT`) as None, the others as they are."""
    types = set(map(type, values))
    if types <= _KEPT:
        return list(values)
    if types <= _TEXTS and "" not in values and all(map(str.strip, filter(None, values))):
        return list(values)  # no whitespace-only text (the common case, without a loop in Python)
    return [None if v is ABSENT or is_blank(v) else v for v in values]


def _records(cols: list[int], values_of: list[list[Any]], n: int) -> list[dict[int, Any]]:
    """`n` rows given as columns (`values_of`, one list per sheet column of `cols`) as records: sheet column →
    value, without the Nones."""
    if not cols:
        return [{} for _ in range(n)]
    return [{c: v for c, v in zip(cols, values, strict=True) if v is not None}
            for values in zip(*values_of, strict=True)]


def grid_array(rows: list[list[Any]]) -> np.ndarray:
    """Rows (possibly ragged) → a rectangular object array, short rows padded with None."""
    width = max((len(r) for r in rows), default=0)
    arr = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        arr[i, :len(r)] = r
    return arr


def build_frame(sheet: SheetDef, sheet_name: str, table: TableInfo | None, arr: np.ndarray) -> Frame:
    """The Frame of a data sheet from its cells: header row (the table's first row, else the first row
    naming a key column), columns matched by header, records = rows with a value in a crm-xl column
    (gathered column by column: fast on a million rows)."""
    height, width = arr.shape
    if table is not None:
        header_row, first_col, last_row, last_col = parse_ref(table.ref)
        last_row -= table.totals  # the total row is not a record
    else:
        header_row = _find_header_row(sheet, arr[:30].tolist())
        first_col, last_col, last_row = 1, width, height
    header = arr[header_row - 1].tolist() if header_row <= height else []
    if table is None and (joined := two_row_header(sheet, header, arr, header_row)) is not None:
        header, header_row = joined, header_row + 1
    named = [(c, str(header[c - 1])) for c in range(first_col, min(last_col, len(header)) + 1)
             if not is_blank(header[c - 1])]
    cols, ignored = match_columns(sheet, named, lambda c: filled(arr, c, header_row + 1, last_row))
    headers = {key: header_label(header[c - 1]) for key, c in cols.items()}
    used = set(cols.values())
    extra = {text: c for c, text in named if c not in used}  # the team's own columns, and ignored ones
    if table is None:
        last_col = max([*cols.values(), *extra.values(), 0])
    missing = [c for c in sheet.columns if c.key_column and c.key not in cols]
    if missing:
        lines = "; ".join(accepted_headers(c) for c in missing)
        lang = sheet.lang_of(sheet_name)
        raise SchemaError(
            f"{quote_sheet(sheet_name)}!{header_row}:{header_row}" + pick(
                lang, f"：缺少必需的列——请添加表头 {lines}",
                f": required column missing — add a header named {lines}",
                f"：缺少必要的欄——請新增標題 {lines}"),
            lang=lang,
            sheet=sheet_name,
            missing=[c.key for c in missing],
        )
    body = arr[header_row:last_row]
    keep = np.zeros(len(body), dtype=bool)
    for c in cols.values():  # a record has a non-blank value in one of the crm-xl columns
        todo = np.flatnonzero(~keep)
        if not len(todo):
            break
        found = [not _blank(v) for v in body[todo, c - 1].tolist()]
        keep[todo[np.array(found, dtype=bool)]] = True
    index = np.flatnonzero(keep)
    block = np.empty((len(index), len(sheet.keys)), dtype=object)
    for k, key in enumerate(sheet.keys):
        if key in cols:
            block[:, k] = body[index, cols[key] - 1]
    data = pd.DataFrame(block, index=pd.Index((index + header_row + 1).tolist(), name="row"),
                        columns=list(sheet.keys), dtype=object)
    frame = Frame(sheet, sheet_name, data, header_row, cols, table.name if table else None, extra,
                  "zh-Hans", last_col, headers=headers,
                  ignored=ignored)  # ignored: two cells naming one column: validation warns (duplicate_column)
    frame.used = used_columns(arr, 1 if table is None else header_row, frame.last_col)
    return frame


_NEVER_BLANK = {int, bool, dt.date, dt.datetime, dt.time, dt.timedelta}
_KEPT = {*_NEVER_BLANK, type(None)}  # the types of values plain_cells keeps as they are
_TEXTS = {str, type(None)}


def _blank(value: Any) -> bool:
    """is_blank, with the common cases first (called once per cell of a key column)."""
    if value is None:
        return True
    if value.__class__ is str:
        return not value.strip()
    return value.__class__ not in _NEVER_BLANK and is_blank(value)



def _find_header_row(sheet: SheetDef, grid: list[list[Any]]) -> int:
    """The header of a plain range: the first row (of the first 30) naming a key column, else the first
    non-empty row."""
    first_nonempty = None
    for r, line in enumerate(grid[:30], start=1):
        if not any(not is_blank(v) for v in line):
            continue
        first_nonempty = first_nonempty or r
        matched = {sheet.match_header(v).key for v in line if not is_blank(v) and sheet.match_header(v)}
        if any(c.key_column and c.key in matched for c in sheet.columns) and len(matched) >= 2:
            return r
    return first_nonempty or 1


def header_cell(frame: Frame, key: str) -> str:
    """`客户信息表!E1` — where a column's header is."""
    return f"{quote_sheet(frame.sheet_name)}!{col_letter(frame.cols[key])}{frame.header_row}"


__all__ = ["ABSENT", "Book", "build_frame", "grid_array",
           "header_cell"]
