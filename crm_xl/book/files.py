"""Book over an .xlsx / .xlsm file on disk (openpyxl; VBA kept for .xlsm). Saving is atomic."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from .. import theme
from ..errors import WorkbookFileError
from ..layout import PlacedChart, Rendered
from ..schema import Kind
from .port import AppendRows, Book, DropSheet, Op, PutSheet, SetCells, TableInfo, WriteColumn, parse_ref
from .safety import Stamp, atomic_write, check_readable, check_writable

INVALID_SHEET_CHARS = set("[]:*?/\\")


class FileBook(Book):
    """A workbook file. `save()` writes in place (or to `out`) atomically and refuses to overwrite a
    file that changed on disk since it was read."""

    def __init__(self, path: str | Path, *, backup: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        check_readable(self.path)
        self.backup = backup
        self.stamp = Stamp.of(self.path)
        keep_vba = self.path.suffix.lower() == ".xlsm"
        try:
            self.wb = openpyxl.load_workbook(self.path, keep_vba=keep_vba, rich_text=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
            raise WorkbookFileError(f"{self.path}: is corrupt or not an Excel workbook ({exc})") from exc
        self._grids: dict[str, list[list[Any]]] = {}

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def table_infos(self) -> list[TableInfo]:
        out = []
        for ws in self.wb.worksheets:
            for table in ws.tables.values():
                out.append(TableInfo(table.displayName, ws.title, table.ref))
        return out

    def grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._grids:
            ws = self.wb[sheet]
            self._grids[sheet] = [list(r) for r in ws.iter_rows(values_only=True)] if ws.max_row else []
        return self._grids[sheet]

    # --- writing ---------------------------------------------------------------------------------

    def _apply(self, ops: list[Op]) -> None:
        for op in ops:
            if isinstance(op, WriteColumn):
                self._write_column(op)
            elif isinstance(op, AppendRows):
                self._append(op)
            elif isinstance(op, PutSheet):
                self._put_sheet(op)
            elif isinstance(op, DropSheet):
                if op.name in self.wb.sheetnames:
                    del self.wb[op.name]
            elif isinstance(op, SetCells):
                self._set_cells(op)
        self._grids.clear()

    def _set_cells(self, op: SetCells) -> None:
        ws = self.wb[op.sheet] if op.sheet in self.wb.sheetnames else self.wb.create_sheet(_sheet_title(op.sheet))
        for (row, col), value in op.values.items():
            _put(ws.cell(row, col), value)
        if op.hidden is not None:
            ws.sheet_state = "hidden" if op.hidden else "visible"

    def _write_column(self, op: WriteColumn) -> None:
        ws = self.wb[op.sheet]
        fmt = theme.kind_format(op.kind)
        if op.header is not None:
            head = ws.cell(op.header_row, op.col)
            left = ws.cell(op.header_row, op.col - 1) if op.col > 1 else None
            _put(head, op.header)
            if left is not None and left.has_style:
                head._style = left._style.__copy__()
            head.font = Font(name=theme.FONT, bold=True, color=theme.HEADER_FONT)
            head.fill = PatternFill("solid", fgColor=theme.COMPUTED_HEADER_FILL)
            head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(op.col)].width = 14 if op.kind != Kind.TEXT else 24
        fill = PatternFill("solid", fgColor=theme.COMPUTED_FILL) if op.computed else None
        for row, value in op.values.items():
            cell = ws.cell(row, op.col)
            _put(cell, value)
            if op.header is not None:
                if fill is not None:
                    cell.fill = fill
                if fmt:
                    cell.number_format = fmt
        if op.table:
            self._extend_table(ws, op.table, None, op.col, op.header)

    def _append(self, op: AppendRows) -> None:
        ws = self.wb[op.sheet]
        for i, record in enumerate(op.rows):
            r = op.first_row + i
            for col, value in record.items():
                cell = ws.cell(r, col)
                _put(cell, value)
                above = ws.cell(r - 1, col)
                if above.has_style and not cell.has_style:
                    cell._style = above._style.__copy__()
                fmt = theme.kind_format(op.cols.get(col, Kind.TEXT))
                if fmt and isinstance(value, dt.date):
                    cell.number_format = fmt
        if op.table and op.rows:
            self._extend_table(ws, op.table, op.first_row + len(op.rows) - 1, None, None)

    def _extend_table(self, ws: Worksheet, name: str, last_row: int | None, last_col: int | None,
                      header: str | None) -> None:
        table = ws.tables.get(name)
        if table is None:
            return
        r1, c1, r2, c2 = parse_ref(table.ref)
        n_row, n_col = max(r2, last_row or 0), max(c2, last_col or 0)
        if (n_row, n_col) == (r2, c2):
            return
        for c in range(c2 + 1, n_col + 1):
            title = ws.cell(r1, c).value or header or f"Column{c}"
            existing = {tc.name for tc in table.tableColumns}
            title = str(title)
            while title in existing:
                title += "_"
            table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=title))
        ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(n_col)}{n_row}"
        table.ref = ref
        if table.autoFilter is not None:
            table.autoFilter.ref = ref

    def _put_sheet(self, op: PutSheet) -> None:
        name = _sheet_title(op.layout.name)
        index = None
        for alias in (name, *op.layout.aliases):
            if alias in self.wb.sheetnames:
                index = self.wb.sheetnames.index(alias) if index is None else index
                del self.wb[alias]
        if index is None and op.layout.after and op.layout.after in self.wb.sheetnames:
            index = self.wb.sheetnames.index(op.layout.after) + 1
        ws = self.wb.create_sheet(name, index)
        write_rendered(ws, op.rendered)

    # --- persisting --------------------------------------------------------------------------------

    def _persist(self, out: Path | None) -> None:
        target = out or self.path
        check_writable(self.path, out)
        atomic_write(target, lambda tmp: self.wb.save(tmp), original=self.path, stamp=self.stamp,
                     backup=self.backup)
        if out is None:
            self.stamp = Stamp.of(self.path)
        self._frames.clear()

    def close(self) -> None:
        self.wb.close()


def _put(cell: XlCell, value: Any) -> None:
    """Set a value; text is always stored as text (never becomes a formula)."""
    if isinstance(value, bool | int | float | dt.date | dt.datetime | dt.time) or value is None:
        cell.value = value
        return
    cell.value = str(value)
    cell.data_type = "s"


def _sheet_title(name: str) -> str:
    clean = "".join("_" if ch in INVALID_SHEET_CHARS else ch for ch in name)
    return clean[:31]


def _font(**kw: Any) -> Font:
    return Font(name=theme.FONT, **kw)


_STYLE: dict[str, dict[str, Any]] = {
    "title": {"font": _font(size=16, bold=True, color=theme.TITLE_COLOR)},
    "subtitle": {"font": _font(size=11, italic=True, color=theme.NOTE_COLOR)},
    "heading": {"font": _font(size=12, bold=True, color=theme.TITLE_COLOR)},
    "header": {"font": _font(bold=True, color=theme.HEADER_FONT),
               "fill": PatternFill("solid", fgColor=theme.HEADER_FILL),
               "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)},
    "text": {"font": _font()},
    "note": {"font": _font(size=9, italic=True, color=theme.NOTE_COLOR)},
    "link": {"font": _font(color=theme.LINK_COLOR, underline="single")},
    "error": {"font": _font(color=theme.ERROR_FONT), "fill": PatternFill("solid", fgColor=theme.ERROR_FILL)},
    "warning": {"font": _font(color=theme.WARNING_FONT),
                "fill": PatternFill("solid", fgColor=theme.WARNING_FILL)},
    "ok": {"font": _font(color=theme.OK_FONT), "fill": PatternFill("solid", fgColor=theme.OK_FILL)},
    "empty": {"font": _font(italic=True, color=theme.NOTE_COLOR)},
}


def write_rendered(ws: Worksheet, rendered: Rendered) -> None:
    """Write a rendered generated sheet into an openpyxl worksheet (cells, styles, links, charts)."""
    for c in rendered.cells:
        cell = ws.cell(c.row, c.col)
        _put(cell, c.value)
        style = _STYLE.get(c.style)
        if style is None:
            cell.font = _font()
            fmt = theme.STYLE_FORMATS.get(c.style)
            if fmt:
                cell.number_format = fmt
        else:
            for attr, value in style.items():
                setattr(cell, attr, value)
        if isinstance(c.value, dt.datetime) and c.style not in ("date", "datetime"):
            cell.number_format = theme.DATE_FORMAT
        if c.link:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=c.link, display=str(c.value))
    for col, width in rendered.widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    if rendered.freeze:
        ws.freeze_panes = rendered.freeze
    if rendered.tab_color:
        ws.sheet_properties.tabColor = rendered.tab_color
    ws.sheet_view.showGridLines = False
    for placed in rendered.charts:
        ws.add_chart(_chart(ws, placed), placed.anchor)


def _chart(ws: Worksheet, placed: PlacedChart) -> Any:
    spec = placed.chart
    chart: Any
    if spec.kind == "pie":
        chart = PieChart()
        chart.dataLabels = DataLabelList(showPercent=True, showVal=False, showCatName=False, showSerName=False,
                                         showLegendKey=False)
    elif spec.kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind == "bar" else "col"
    chart.title = spec.title
    chart.height, chart.width = 7.5, 15
    cats = _reference(ws, placed.categories)
    for name, ref in placed.values:
        data = _reference(ws, ref)
        chart.add_data(data, titles_from_data=False)
        chart.series[-1].tx = None
        from openpyxl.chart.series import SeriesLabel

        chart.series[-1].tx = SeriesLabel(v=name)
    chart.set_categories(cats)
    if spec.kind == "line":
        for series in chart.series:  # straight segments with a dot per point (smoothing invents values)
            series.smooth = False
            series.marker.symbol = "circle"
    if spec.number_format and spec.kind != "pie":
        chart.y_axis.numFmt = spec.number_format
        chart.y_axis.number_format = spec.number_format
    if spec.kind != "pie":
        chart.legend = None if len(placed.values) == 1 else chart.legend
        chart.y_axis.delete = False
        chart.x_axis.delete = False
    return chart


def _reference(ws: Worksheet, ref: str) -> Reference:
    cells = ref.split("!", 1)[1]
    r1, c1, r2, c2 = parse_ref(cells)
    return Reference(ws, min_col=c1, min_row=r1, max_col=c2, max_row=r2)


def open_workbook(path: str | Path, *, backup: bool = False) -> FileBook:
    """Open a workbook file as a Book (use as a context manager)."""
    return FileBook(path, backup=backup)
