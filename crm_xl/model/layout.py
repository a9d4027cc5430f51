"""Generated sheets (Issues, Today, Review …) described as blocks, and rendered to positioned cells.

The core builds a SheetLayout; `render` turns it into cells with abstract style names, merged ranges
and charts with absolute ranges, which every Book adapter writes the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from .frame import col_letter, quote_sheet

# Abstract styles; each adapter maps them to fonts, fills and number formats.
Style = Literal[
    "title", "subtitle", "heading", "header", "text", "note", "int", "num", "pct", "money", "date",
    "datetime", "link", "error", "warning", "ok", "empty",
]
STYLES: tuple[str, ...] = Style.__args__  # type: ignore[attr-defined]


@dataclass
class Text:
    """A line of text (title, heading, note)."""

    text: str
    style: Style = "text"


@dataclass
class Table:
    """A table block: a DataFrame whose column labels are the display headers.

    formats: column label → style of its cells (int, pct, money, date …; default text);
    links: column label → internal targets (e.g. `'客户信息表'!E14`) for hyperlinks on that column;
    row_styles: optional style per row (error / warning / ok) applied to the `highlight` column;
    note: the definition written under the table (one row per line); name: id used by charts.
    """

    df: pd.DataFrame
    title: str | None = None
    formats: dict[str, Style] = field(default_factory=dict)
    links: dict[str, list[str | None]] = field(default_factory=dict)
    row_styles: list[Style | None] | None = None
    highlight: str | None = None
    note: str | None = None
    name: str | None = None
    empty_text: str | None = None


@dataclass
class Chart:
    """A chart over a Table block: categories from one column, one series per value column."""

    kind: Literal["bar", "column", "pie", "line"]
    title: str
    table: str
    categories: str
    values: list[str]
    number_format: str | None = None


@dataclass
class SheetLayout:
    """A generated sheet. `aliases` are other names of the same sheet (e.g. in other languages) that
    are replaced by it; `after` is the sheet it is placed after when created."""

    name: str
    blocks: list[Text | Table]
    charts: list[Chart] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    after: str | None = None
    freeze: str | None = None
    tab_color: str | None = None


@dataclass(slots=True)
class Cell:
    row: int
    col: int
    value: Any
    style: Style = "text"
    link: str | None = None  # internal target, e.g. "'客户信息表'!E14"


@dataclass
class PlacedChart:
    chart: Chart
    anchor: str  # top-left cell, e.g. "J3"
    categories: str  # absolute range, e.g. "'月度复盘 2024-03'!$A$5:$A$10"
    values: list[tuple[str, str]]  # (series name, absolute range)
    rows: int  # height in rows


@dataclass(slots=True)
class TableBody:
    """The body rows of a table block, kept as columns: its cells are made only when asked for
    (`cells()`), and the file engine writes the columns straight to XML."""

    row: int  # first body row
    col: int  # first column
    headers: list[str]
    columns: list[list[Any]]  # plain Python values (None for missing), one list per column
    base: list[Style]  # each column's style
    row_styles: list[Style | None] | None
    highlight: str | None
    links: list[list[str | None] | None]  # per column: a target per row, or None

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def _row_styled(self, j: int) -> bool:
        """Whether column j takes the row styles (error / warning / ok) of a highlighted text column."""
        return (self.row_styles is not None and self.base[j] == "text"
                and (self.highlight is None or self.highlight == self.headers[j]))

    def fixed_style(self, j: int) -> Style | None:
        """The style of every cell of column j, or None when it changes from row to row."""
        return None if self.links[j] is not None or self._row_styled(j) else self.base[j]

    def style(self, i: int, j: int) -> tuple[Style, str | None]:
        """(style, link) of the cell in body row i, column j."""
        style = self.base[j]
        row_style = self.row_styles[i] if self.row_styles else None
        if row_style and self._row_styled(j):
            style = row_style
        targets = self.links[j]
        link = targets[i] if targets is not None else None
        if link:
            style = "link"
        return style, link

    def cells(self) -> list[Cell]:
        out = []
        for i in range(self.height):
            for j, values in enumerate(self.columns):
                style, link = self.style(i, j)
                out.append(Cell(self.row + i, self.col + j, values[i], style, link))
        return out


class Rendered:
    """A generated sheet laid out: cells (titles, headers, notes and table bodies), column widths,
    charts, merged ranges, freeze panes and tab colour. Table bodies stay as columns (`segments`)
    until `cells` is read."""

    def __init__(self, name: str, cells: list[Cell], widths: dict[int, float], charts: list[PlacedChart],
                 merges: list[str], freeze: str | None, tab_color: str | None,
                 segments: list[list[Cell] | TableBody] | None = None) -> None:
        self.name = name
        self.widths = widths
        self.charts = charts
        self.merges = merges
        self.freeze = freeze
        self.tab_color = tab_color
        self._segments: list[list[Cell] | TableBody] = segments if segments is not None else [cells]

    @property
    def segments(self) -> list[list[Cell] | TableBody]:
        """The cells in row order: runs of single cells and table bodies (no row is in two of them)."""
        return self._segments

    @property
    def cells(self) -> list[Cell]:
        if len(self._segments) != 1 or not isinstance(self._segments[0], list):
            cells: list[Cell] = []
            for seg in self._segments:
                cells.extend(seg.cells() if isinstance(seg, TableBody) else seg)
            self._segments = [cells]
        return self._segments[0]  # type: ignore[return-value]


CHART_ROWS = 16
CHART_COLS = 8


def render(layout: SheetLayout, start_row: int = 1, start_col: int = 1) -> Rendered:
    """Lay the blocks out top to bottom, one blank row between blocks; charts to the right."""
    cells: list[Cell] = []
    segments: list[list[Cell] | TableBody] = [cells]
    widths: dict[int, float] = {}
    row = start_row
    places: dict[str, tuple[int, Table]] = {}  # table name -> (header row, table)
    max_cols = 1
    for block in layout.blocks:
        if isinstance(block, Text):
            cells.append(Cell(row, start_col, block.text, block.style))
            row += 1 if block.style != "title" else 2
            continue
        if block.title:
            cells.append(Cell(row, start_col, block.title, "heading"))
            row += 1
        df = block.df
        headers = [str(c) for c in df.columns]
        max_cols = max(max_cols, len(headers))
        for j, h in enumerate(headers):
            cells.append(Cell(row, start_col + j, h, "header"))
            widths[start_col + j] = max(widths.get(start_col + j, 0), _width(h))
        if block.name:
            places[block.name] = (row, block)
        row += 1
        if df.empty and block.empty_text:
            cells.append(Cell(row, start_col, block.empty_text, "note"))
            row += 1
        columns = [_clean_values(df.iloc[:, j]) for j in range(len(headers))]
        for j, values in enumerate(columns):
            widths[start_col + j] = max(widths.get(start_col + j, 0), _column_width(values))
        if len(df) and headers:
            segments.append(TableBody(row, start_col, headers, columns, [block.formats.get(h, "text") for h in headers],
                                      block.row_styles, block.highlight, [block.links.get(h) for h in headers]))
            cells = []
            segments.append(cells)
        row += len(df)
        if block.note:
            for line in block.note.split("\n"):  # one row per line
                cells.append(Cell(row, start_col, line, "note"))
                row += 1
        row += 1
    chart_col = start_col + max_cols + 1
    charts: list[PlacedChart] = []
    next_free = start_row
    sheet = quote_sheet(layout.name)
    for chart in layout.charts:
        if chart.table not in places:
            continue
        header_row, table = places[chart.table]
        n = len(table.df)
        if n == 0:
            continue
        headers = [str(c) for c in table.df.columns]
        cat_col = start_col + headers.index(chart.categories)
        top = max(header_row - 1, next_free)
        first, last = header_row + 1, header_row + n
        cat = f"{sheet}!${col_letter(cat_col)}${first}:${col_letter(cat_col)}${last}"
        series = []
        for v in chart.values:
            c = start_col + headers.index(v)
            series.append((v, f"{sheet}!${col_letter(c)}${first}:${col_letter(c)}${last}"))
        charts.append(PlacedChart(chart, f"{col_letter(chart_col)}{top}", cat, series, CHART_ROWS))
        next_free = top + CHART_ROWS + 1
    for col, w in layout.widths.items():
        widths[col] = w
    widths = {c: min(max(w, 6), 60) for c, w in widths.items()}
    return Rendered(layout.name, [], widths, charts, [], layout.freeze, layout.tab_color,
                    [seg for seg in segments if not isinstance(seg, list) or seg])


def _clean_values(series: pd.Series) -> list[Any]:
    """A column's values as plain Python values (None for missing)."""
    values = series.tolist()
    if series.dtype.kind in "iub":
        return values
    return [v if type(v) is str else _clean(v) for v in values]


def _clean(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def _column_width(values: list[Any]) -> float:
    """The widest of a column's values (each distinct value measured once)."""
    texts = list({v for v in values if type(v) is str})
    others = [v for v in values if type(v) is not str]
    try:
        # (-0.0 equals 0.0 but reads "-0.00": its sign is part of the key)
        distinct: Any = {(type(v), v, type(v) is float and math.copysign(1.0, v) < 0) for v in others}
    except TypeError:  # an unhashable value: measure them all
        distinct = [(type(v), v, False) for v in others]
    best = max((_width(v) for _, v, _ in distinct), default=0)
    # a text is at most 2 units per character + 2 (an ASCII one at most 1 per character + 2), and at most
    # 60: longest first, skipping texts that cannot be wider, stopping when none can
    texts.sort(key=len, reverse=True)
    for v in texts:
        if best >= 60 or 2 * len(v) + 2 <= best:
            break
        if len(v) + 2 <= best and v.isascii():
            continue
        best = max(best, _width(v))
    return best


def _width(value: Any) -> float:
    """Display width of a value in Excel character units (CJK characters count double)."""
    if value is None:
        return 0
    text = str(value) if not isinstance(value, float) else f"{value:,.2f}"
    first_line = text.split("\n", 1)[0]
    wide = len(_WIDE.findall(first_line)) if not first_line.isascii() else 0
    return min(len(first_line) + wide + 2, 60)


_WIDE = re.compile("[\u2e81-\U0010ffff]")  # CJK and beyond: two character widths
