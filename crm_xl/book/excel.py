"""Book over a workbook open in Excel, through xlwings (the buttons' way in).

Every Excel call is a round trip (COM on Windows, AppleScript on macOS) costing from a fraction of a
millisecond to tens of milliseconds, so this adapter never works cell by cell:
- a sheet is read with one call for its used range (A1 to the last used cell), in row chunks of
  CHUNK_ROWS for very large sheets;
- a computed column is written with one call (a vertical 2-D list from its first to its last record;
  rows between records are blank rows, written blank), appended rows with one call per run of adjacent
  columns, a generated sheet with one call for all its values (links as HYPERLINK formulas) and one
  call per style property per rectangle of cells sharing a style (never a multi-area address: on macOS
  xlwings keeps only the first cell of one);
so the number of calls grows with columns, styles and sheets, not with rows.

All or nothing: before a cell range of an existing sheet is written, its values, formulas and the formats
about to change are read (a few calls per column); a replaced or dropped sheet is only renamed aside
while writing. If any write fails, every step already done is undone in reverse order (new sheets
deleted, ranges and formats put back, tables resized back, renamed sheets renamed back) and the error
is raised; `rolled_back` says whether the undo was complete. Only once everything is written are the
sheets set aside deleted (a failure there leaves such a sheet, named in `leftovers`).

Freezing panes: xlwings' desktop engines do not implement `Sheet.freeze_panes` (it raises
NotImplementedError), so `freeze()` goes through the native window (COM on Windows, appscript on
macOS) and gives up quietly (returns False) when that fails: a sheet without frozen panes is no reason
to stop a run.

Every change is converted first (values normalised: NaN/NaT/pd.NA → None, Timestamps → datetime, text
that Excel would turn into a number, date or formula kept as text) and only then written, inside
`app.properties(screen_updating=False, calculation="manual", enable_events=False)`.

Saving: a book opened by the buttons (`ExcelBook.caller()`) is not saved: the user sees the result and
saves in Excel (or closes without saving to discard it). A book opened from a file by a script
(`ExcelBook.open(path)`) is saved to that file by `save()`.

The calls that differ between Excel's engines are methods — `_extent` (how far to read), `_add_sheet`,
`_set_width`, `_freeze`, `_chart`, and the reads that make the undo (`_keep`, `_keep_format`,
`_keep_width`) — which `book/lite.py` overrides for xlwings Lite, whose remote engine queues every write.

xlwings is imported here and in crm_xl/shells/xl.py only. The adapter uses a small set of xlwings calls
that both desktop engines implement (tests/test_xlwings_contract.py checks them against xlwings' sources;
`tests/book/xlfake.py`, the test double, counts them and refuses anything else).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..model import theme
from ..model.errors import UsageError
from ..model.frame import col_letter
from ..model.schema import Kind
from .excel_values import (
    CHART_WIDTH,
    EXACT,
    STYLE_PROPS,
    ChartPlan,
    a1,
    as_rows,
    cell_areas,
    chart_plan,
    rendered_values,
    rgb,
    runs,
    sheet_title,
    to_excel,
    width_runs,
)
from .ops import AppendRows, DropSheet, InstallLite, Op, PutSheet, SetCells, TableInfo, WriteColumn, parse_ref
from .port import Book

CHUNK_ROWS = 100_000  # rows per read/write call on very large sheets
ASIDE = "~crm-xl "  # prefix of the temporary name of a sheet being replaced or dropped
INVALID_SHEET_CHARS = set("[]:*?/\\")
QUIET = {"screen_updating": False, "calculation": "manual", "enable_events": False}

Action = Callable[[], None]


# --- freezing panes through the native window ----------------------------------------------------------


def freeze(book_api: Any, sheet_api: Any, cell: str, platform: str = sys.platform) -> bool:
    """Freeze `sheet`'s panes above and left of `cell` (e.g. "A4"): the sheet is activated, its
    window's split set and frozen, then the sheet that was active is activated again (as xlwings does
    for window properties such as gridlines). `book_api`/`sheet_api`: the native Workbook and
    Worksheet (xlwings `Book.api`, `Sheet.api`). Returns False, changing nothing more, when Excel
    refuses (hidden sheet, no window …)."""
    r, c, _, _ = parse_ref(cell)
    try:
        if platform == "darwin":  # appscript
            window = book_api.windows[1]
            previous = book_api.active_sheet.name.get()
            sheet_api.activate_object()
            try:
                window.freeze_panes.set(False)
                window.scroll_row.set(1)
                window.scroll_column.set(1)
                window.split_row.set(r - 1)
                window.split_column.set(c - 1)
                window.freeze_panes.set(True)
            finally:
                book_api.sheets[previous].activate_object()
        else:  # COM
            window = book_api.Windows(1)
            previous = book_api.ActiveSheet
            sheet_api.Activate()
            try:
                window.FreezePanes = False
                window.ScrollRow = 1
                window.ScrollColumn = 1
                window.SplitRow = r - 1
                window.SplitColumn = c - 1
                window.FreezePanes = True
            finally:
                previous.Activate()
    except Exception:  # noqa: BLE001 — frozen panes are a convenience: never stop a run for them
        return False
    return True


# --- the adapter ---------------------------------------------------------------------------------------


class ExcelBook(Book):
    """A workbook open in Excel (an xlwings Book, or anything with the same handful of calls)."""

    chunk_rows = CHUNK_ROWS  # rows per read call

    def __init__(self, xl_book: Any, *, save: bool = False) -> None:
        super().__init__()
        self.xl = xl_book
        self.save_to_file = save
        full = getattr(xl_book, "fullname", None)
        self.path = Path(full) if full and "://" not in str(full) else None
        self._sheets: dict[str, Any] | None = None
        self._tables: list[TableInfo] | None = None
        self._grids: dict[str, list[list[Any]]] = {}
        self.writing_started = False  # set once the first change is written to Excel
        self.rolled_back = False  # a write failed and every change already made was undone
        self.leftovers: list[str] = []  # sheets set aside that could not be deleted after a run
        self._undo: list[Action] = []
        self._cleanup: list[tuple[str, Action]] = []

    @classmethod
    def caller(cls) -> ExcelBook:
        """The workbook whose button ran this Python (xlwings RunPython)."""
        import xlwings as xw

        return cls(xw.Book.caller())

    @classmethod
    def open(cls, path: str | Path) -> ExcelBook:
        """Open a file in Excel (or take it if already open); `save()` saves it."""
        import xlwings as xw

        return cls(xw.Book(str(path)), save=True)

    @property
    def app(self) -> Any:
        return self.xl.app

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """No screen updates, no recalculation, no events while crm-xl reads and writes."""
        with self.app.properties(**QUIET):
            yield

    # --- reading -----------------------------------------------------------------------------------

    def _sheet_map(self) -> dict[str, Any]:
        if self._sheets is None:
            self._sheets = {s.name: s for s in self.xl.sheets}
        return self._sheets

    def sheet_names(self) -> list[str]:
        return list(self._sheet_map())

    def table_infos(self) -> list[TableInfo]:
        if self._tables is None:
            self._tables = [TableInfo(t.name, name, t.range.address.replace("$", ""),
                                      1 if getattr(t, "show_totals", False) else 0)
                            for name, sheet in self._sheet_map().items() for t in sheet.tables]
        return list(self._tables)

    def grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            sht = self._sheet_map()[sheet]
            last_row, last_col = self._extent(sht)
            rows: list[list[Any]] = []
            for top in range(1, last_row + 1, self.chunk_rows):
                bottom = min(top + self.chunk_rows - 1, last_row)
                block = sht.range((top, 1), (bottom, last_col)).options(ndim=2, err_to_str=True).value
                rows.extend([int(v) if type(v) is float and v.is_integer() and -EXACT < v < EXACT else v
                             for v in line] for line in block or [])  # from_excel, inlined: millions of cells
            if last_row == 1 and last_col == 1 and (not rows or rows[0][0] is None):
                rows = []
            self._grids[sheet] = rows
        return self._grids[sheet]

    def _extent(self, sht: Any) -> tuple[int, int]:
        """(last row, last column) to read from A1: the used range, trimmed to the data when formatted but
        empty rows make it huge."""
        _, _, last_row, last_col = parse_ref(sht.used_range.address)
        if last_row > self.chunk_rows:
            last_row = max(sht.range((last_row, c)).end("up").row for c in range(1, last_col + 1))
        return last_row, last_col

    # --- writing -----------------------------------------------------------------------------------

    def _plan(self, ops: list[Op]) -> list[Action]:
        """The writes of `ops`, every value converted and every size worked out: nothing is written yet, so
        a bad value stops the run before anything is."""
        actions: list[Action] = []
        for op in ops:
            if isinstance(op, WriteColumn):
                actions += self._write_column(op)
            elif isinstance(op, AppendRows):
                actions += self._append(op)
            elif isinstance(op, PutSheet):
                actions += self._put_sheet(op)
            elif isinstance(op, DropSheet):
                actions.append(lambda name=op.name: self._drop(name))
            elif isinstance(op, SetCells):
                actions += self._set_cells(op)
            elif isinstance(op, InstallLite):
                raise UsageError(
                    "the xlwings Lite add-in cannot be added to a workbook open in Excel: close it and run "
                    "`crm-xl lite-setup` on the file — nothing was written")
        return actions

    def _apply(self, ops: list[Op]) -> None:
        actions = self._plan(ops)
        if not actions:
            return
        self._undo, self._cleanup = [], []
        with self.quiet():
            self.writing_started = True
            try:
                for action in actions:
                    action()
            except BaseException:
                self.rolled_back = self._roll_back()
                raise
            finally:
                self._forget_layout()
            for name, delete in self._cleanup:
                try:
                    delete()
                except Exception:  # noqa: BLE001 — the run is complete; the sheet set aside stays
                    self.leftovers.append(name)
            self._forget_layout()

    def _roll_back(self) -> bool:
        """Undo the steps done, last first. True when every one of them was undone."""
        complete = True
        for undo in reversed(self._undo):
            try:
                undo()
            except Exception:  # noqa: BLE001 — undo the rest all the same
                complete = False
        self._undo = []
        return complete

    def _forget_layout(self) -> None:
        self._sheets = None
        self._tables = None
        self._grids.clear()

    def _keep(self, rng: Any, height: int, width: int) -> None:
        """Read what `rng` holds (values and formulas) so a failure later can put it back."""
        values = as_rows(rng.options(ndim=2).value, height, width)
        formulas = as_rows(rng.formula, height, width)
        saved = [[f if isinstance(f, str) and f.startswith("=") else to_excel(v) for v, f in zip(vl, fl, strict=False)]
                 for vl, fl in zip(values, formulas, strict=False)]

        def undo() -> None:
            rng.value = saved

        self._undo.append(undo)

    def _keep_format(self, rng: Any, props: dict[str, Any]) -> None:
        """Read the formats `_style(rng, props)` is about to change, to put them back on failure."""
        saved: list[tuple[str, Any]] = []
        if props.get("number_format"):
            saved.append(("number_format", rng.number_format))
        if props.get("fill"):
            saved.append(("color", rng.color))
        font_keys = [k for k in ("bold", "italic", "size") if k in props] + (["color"] if props.get("font_color") else [])
        if font_keys:
            font = rng.font
            saved += [("font." + k, getattr(font, k)) for k in font_keys]

        def undo() -> None:
            mixed = False
            for key, value in saved:
                if value is None and key != "color":  # cells that differed: cannot be put back in one call
                    mixed = True
                elif key.startswith("font."):
                    setattr(rng.font, key[5:], value)
                else:
                    setattr(rng, key, value)
            if mixed:
                raise RuntimeError("formats that differed from cell to cell were not put back")

        self._undo.append(undo)

    def _keep_width(self, rng: Any) -> None:
        width = rng.column_width

        def undo() -> None:
            if width is not None:
                rng.column_width = width

        self._undo.append(undo)

    def _set_aside(self, name: str) -> Any:
        """Rename sheet `name` out of the way (undone on failure; deleted once the run is complete)."""
        sheets = self._sheet_map()
        sht = sheets.pop(name)
        taken = {n.lower() for n in sheets}
        aside = next(f"{ASIDE}{i}" for i in range(1, 10_000) if f"{ASIDE}{i}".lower() not in taken)
        sht.name = aside
        sheets[aside] = sht

        def undo() -> None:
            sht.name = name

        self._undo.append(undo)
        self._cleanup.append((name, sht.delete))
        return sht

    def _put_block(self, sheet: Any, top: int, left: int, block: list[list[Any]]) -> None:
        """Values of a rectangle starting at (top, left), in row chunks of CHUNK_ROWS."""
        width = max((len(r) for r in block), default=0)
        if not width:
            return
        for start in range(0, len(block), CHUNK_ROWS):
            part = block[start:start + CHUNK_ROWS]
            sheet.range((top + start, left), (top + start + len(part) - 1, left + width - 1)).value = part

    def _write_column(self, op: WriteColumn) -> list[Action]:
        rows = sorted(op.values)
        column = [[to_excel(op.values.get(r))] for r in range(rows[0], rows[-1] + 1)] if rows else []
        fmt = theme.kind_format(op.kind)
        header = to_excel(op.header) if op.header is not None else None
        last_row = rows[-1] if rows else op.header_row

        head_style = {"bold": True, "font_color": theme.HEADER_FONT, "fill": theme.COMPUTED_HEADER_FILL}
        body_style = {"number_format": fmt, "fill": theme.COMPUTED_FILL if op.computed else None}
        width = theme.new_column_width(op.kind, op.values.values(), header) if op.header is not None else None

        def run() -> None:
            sht = self._sheet_map()[op.sheet]
            top = op.header_row if op.header is not None else rows[0] if rows else None
            if top is not None:
                self._keep(sht.range((top, op.col), (last_row, op.col)), last_row - top + 1, 1)
            if op.header is not None:
                head = sht.range((op.header_row, op.col))
                self._keep_format(head, head_style)
                self._keep_width(head)
                head.value = header
                _style(head, head_style)
                self._set_width(head, width)
            if column:
                self._put_block(sht, rows[0], op.col, column)
                if op.header is not None:
                    body = sht.range((rows[0], op.col), (last_row, op.col))
                    self._keep_format(body, body_style)
                    _style(body, body_style)
            if op.table:
                self._grow_table(op.sheet, op.table, None, op.col)

        return [run]

    def _append(self, op: AppendRows) -> list[Action]:
        if not op.rows:
            return []
        cols = sorted({c for record in op.rows for c in record})
        blocks = [(c1, [[to_excel(record.get(c)) for c in range(c1, c2 + 1)] for record in op.rows])
                  for c1, c2 in runs(cols)]
        last = op.first_row + len(op.rows) - 1
        dated = [c for c in cols if theme.kind_format(op.cols.get(c, Kind.TEXT))
                 and op.cols.get(c) in (Kind.DATE, Kind.DATETIME)]

        def run() -> None:
            sht = self._sheet_map()[op.sheet]
            for c1, block in blocks:
                width = len(block[0])
                self._keep(sht.range((op.first_row, c1), (last, c1 + width - 1)), len(block), width)
                self._put_block(sht, op.first_row, c1, block)
            for c in dated:
                rng = sht.range((op.first_row, c), (last, c))
                fmt = {"number_format": theme.kind_format(op.cols[c])}
                self._keep_format(rng, fmt)
                _style(rng, fmt)
            if op.table:
                self._grow_table(op.sheet, op.table, last, None)

        return [run]

    def _grow_table(self, sheet: str, name: str, last_row: int | None, last_col: int | None) -> None:
        tables = self.table_infos()
        for i, t in enumerate(tables):
            if t.name != name or t.sheet != sheet:
                continue
            r1, c1, r2, c2 = parse_ref(t.ref)
            n_row, n_col = max(r2, last_row or 0), max(c2, last_col or 0)
            if (n_row, n_col) != (r2, c2):
                sht = self._sheet_map()[sheet]
                table = sht.tables[name]
                table.resize(sht.range((r1, c1), (n_row, n_col)))
                old = ((r1, c1), (r2, c2))
                self._undo.append(lambda table=table, sht=sht, old=old: table.resize(sht.range(*old)))
                tables[i] = TableInfo(t.name, t.sheet, a1(r1, c1, n_row, n_col), t.totals)
                self._tables = tables
            return

    def _put_sheet(self, op: PutSheet) -> list[Action]:
        rendered = op.rendered
        name = sheet_title(op.layout.name)
        values = rendered_values(rendered)
        styled: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for c in rendered.cells:
            style = "link" if c.link else c.style
            if style in STYLE_PROPS:
                styled[style].append((c.row, c.col))
            if isinstance(c.value, dt.datetime) and c.style not in ("date", "datetime"):
                styled["date"].append((c.row, c.col))
        styles = [(STYLE_PROPS[s], cell_areas(cells)) for s, cells in styled.items()]
        widths = width_runs(rendered.widths)
        charts = [chart_plan(placed, rendered) for placed in rendered.charts]
        replaced = {sheet_title(n).lower() for n in (op.layout.name, *op.layout.aliases)}

        def run() -> None:
            sheets = self._sheet_map()
            order = list(sheets)
            gone = [n for n in order if n.lower() in replaced]  # names compared as Excel does: any letter case
            before = after = None
            if gone:  # take the place of the first sheet it replaces (set aside now, deleted once all is written)
                before = self._set_aside(gone[0])
                for n in gone[1:]:
                    self._set_aside(n)
            elif (neighbour := self._named(op.layout.after)) is not None:
                after = sheets[neighbour]
            else:
                after = sheets[order[-1]] if order else None
            sht = self._add_sheet(name, before=before, after=after)
            self._undo.append(sht.delete)
            self._sheets = None  # the order changed: read it again when needed
            if values:
                self._put_block(sht, 1, 1, values)
            for props, areas in styles:
                for r1, c1, r2, c2 in areas:
                    _style(sht.range((r1, c1), (r2, c2)), props)
            for (c1, c2), width in widths:
                self._set_width(sht.range(f"{col_letter(c1)}:{col_letter(c2)}"), width)
            for merge in rendered.merges:
                sht.range(merge).merge()
            if rendered.freeze:
                self._freeze(sht, rendered.freeze)
            for plan in charts:
                self._chart(sht, plan)

        return [run]

    # --- the calls that differ between Excel's engines (book/lite.py overrides them) ------------------------

    def _add_sheet(self, name: str, before: Any = None, after: Any = None) -> Any:
        return self.xl.sheets.add(name, before=before, after=after)

    def _set_width(self, rng: Any, width: float) -> None:
        """Column width in characters (xlwings' desktop unit)."""
        rng.column_width = width

    def _freeze(self, sht: Any, cell: str) -> None:
        freeze(self.xl.api, sht.api, cell)

    def _chart(self, sht: Any, plan: ChartPlan) -> None:
        """A chart over its table's ranges, at its anchor cell, its series named one by one."""
        anchor = sht.range(plan.anchor)
        r1, c1, r2, c2 = plan.values
        chart = sht.charts.add(left=anchor.left, top=anchor.top, width=CHART_WIDTH, height=plan.height,
                               chart_type=plan.kind, source=sht.range((r1, c1), (r2, c2)), plot_by="columns")
        k1, kc1, k2, kc2 = plan.categories
        chart.set_x_axis_values(sht.range((k1, kc1), (k2, kc2)))
        chart.title = plan.title
        series = chart.series
        for i, label in enumerate(plan.labels):
            series[i].name = label

    def _named(self, name: str | None) -> str | None:
        """The sheet called `name` in any letter case (Excel allows only one), as it is spelt."""
        low = name.lower() if name is not None else None
        return next((n for n in self._sheet_map() if n.lower() == low), None)

    def _drop(self, name: str) -> None:
        if (found := self._named(name)) is not None:
            self._set_aside(found)

    def _set_cells(self, op: SetCells) -> list[Action]:
        cells = {rc: to_excel(v) for rc, v in op.values.items()}

        def run() -> None:
            sheets = self._sheet_map()
            found = self._named(op.sheet)
            new = found is None
            if new:
                last = list(sheets.values())[-1] if sheets else None
                sht = sheets[op.sheet] = self._add_sheet(sheet_title(op.sheet), after=last)
                self._undo.append(sht.delete)
            else:
                sht = sheets[found]
            for r, c in sorted(cells):
                if not new:
                    self._keep(sht.range((r, c)), 1, 1)
                sht.range((r, c)).value = cells[(r, c)]
            if op.hidden is not None:
                if not new:
                    shown = sht.visible
                    self._undo.append(lambda: setattr(sht, "visible", shown))
                sht.visible = not op.hidden

        return [run]

    # --- persisting --------------------------------------------------------------------------------

    def _persist(self, out: Path | None) -> None:
        if out is not None:
            self.xl.save(str(out))
        elif self.save_to_file and self.path is not None:
            self.xl.save()
        self._frames.clear()
        self._grids.clear()


def _style(rng: Any, props: dict[str, Any]) -> None:
    """Set a style's properties on a range (each one call)."""
    if props.get("number_format"):
        rng.number_format = props["number_format"]
    if props.get("fill"):
        rng.color = rgb(props["fill"])
    font = None
    for key, attr in (("bold", "bold"), ("italic", "italic"), ("size", "size")):
        if key in props:
            font = font or rng.font
            setattr(font, attr, props[key])
    if props.get("font_color"):
        font = font or rng.font
        font.color = rgb(props["font_color"])


__all__ = ["ExcelBook", "freeze", "CHUNK_ROWS", "QUIET"]
