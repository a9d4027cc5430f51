"""Values and ranges on their way between crm-xl and Excel: pure conversions, no Excel call.

`to_excel` normalises a value before it is written (NaN/NaT/pd.NA → None, Timestamps → datetime, text Excel
would turn into a number, date or formula kept as text); `from_excel` reads one back; `cell_areas` turns
cells into the rectangles the adapter styles one at a time (xlwings on macOS cannot take a multi-area
address); `chart_plan` works out a chart's ranges before anything is written.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model import theme
from ..model.frame import col_letter
from ..model.layout import PlacedChart, Rendered
from .ops import parse_ref

INVALID_SHEET_CHARS = set("[]:*?/\\")


def rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


# Abstract layout styles → what this adapter sets: number_format, font (bold, italic, size, color), fill.
STYLE_PROPS: dict[str, dict[str, Any]] = {
    "title": {"size": 16, "bold": True, "font_color": theme.TITLE_COLOR},
    "subtitle": {"italic": True, "font_color": theme.NOTE_COLOR},
    "heading": {"size": 12, "bold": True, "font_color": theme.TITLE_COLOR},
    "header": {"bold": True, "font_color": theme.HEADER_FONT, "fill": theme.HEADER_FILL},
    "note": {"size": 9, "italic": True, "font_color": theme.NOTE_COLOR},
    "link": {"font_color": theme.LINK_COLOR},
    "error": {"font_color": theme.ERROR_FONT, "fill": theme.ERROR_FILL},
    "warning": {"font_color": theme.WARNING_FONT, "fill": theme.WARNING_FILL},
    "ok": {"font_color": theme.OK_FONT, "fill": theme.OK_FILL},
    "empty": {"italic": True, "font_color": theme.NOTE_COLOR},
    **{name: {"number_format": fmt} for name, fmt in theme.STYLE_FORMATS.items()},
}
CHART_TYPES = {"bar": "bar_clustered", "column": "column_clustered", "pie": "pie", "line": "line"}
CHART_WIDTH = 450.0  # points
ROW_HEIGHT = 15.0  # points: Excel's default row height, to size a chart by the rows it covers


# --- values on the way out ------------------------------------------------------------------------------


def _risky_text(text: str) -> bool:
    """Would Excel store this text as something else (a formula, number, date, boolean)?"""
    return (text[:1] in ("=", "+", "-", "@", "'") or any(ch.isdigit() for ch in text)
            or text.strip().upper() in ("TRUE", "FALSE"))


def to_excel(value: Any) -> Any:
    """A value as Excel should receive it: None for NaN/NaT/pd.NA, datetime for Timestamps and dates,
    Python numbers for numpy scalars, text kept as text (an apostrophe prefix where Excel would
    reinterpret it)."""
    if value is None:
        return None
    if isinstance(value, str):
        return "'" + value if _risky_text(value) else value
    if isinstance(value, bool):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):
        return to_excel(value.item())
    return to_excel(str(value))


EXACT = 2**53  # floats below this hold whole numbers exactly


def from_excel(value: Any) -> Any:
    """A cell value as the other adapters give it: whole floats as int (Excel hands every number over as
    a float; openpyxl gives 5 for a cell holding 5)."""
    if isinstance(value, float) and value.is_integer() and -EXACT < value < EXACT:
        return int(value)
    return value


def _hyperlink(target: str, text: Any) -> Any:
    """A link cell as a HYPERLINK formula (written with the other values, in the same call); a link that would
    show nothing is a blank cell, as the file engine writes it."""
    shown = "" if text is None else str(text)
    if not shown:
        return None
    if len(shown) > 250 or len(target) > 250:
        return to_excel(text)
    quoted = shown.replace('"', '""')
    where = ("#" + target).replace('"', '""')
    return f'=HYPERLINK("{where}","{quoted}")'


def sheet_title(name: str) -> str:
    return "".join("_" if ch in INVALID_SHEET_CHARS else ch for ch in name)[:31]


def runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted integers → (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def a1(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{col_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_letter(c2)}{r2}"


Area = tuple[int, int, int, int]  # (first row, first column, last row, last column)


def cell_areas(cells: list[tuple[int, int]]) -> list[Area]:
    """Cells → rectangles covering exactly them: vertical runs per column, merged across adjacent
    columns holding the same run. Each is one range (xlwings on macOS cannot take a multi-area address)."""
    by_col: dict[int, list[int]] = defaultdict(list)
    for r, c in cells:
        by_col[c].append(r)
    blocks: dict[tuple[int, int], list[int]] = defaultdict(list)  # (r1, r2) → columns
    for c, rows in by_col.items():
        for run in runs(sorted(set(rows))):
            blocks[run].append(c)
    return [(r1, c1, r2, c2) for (r1, r2), cols in sorted(blocks.items()) for c1, c2 in runs(sorted(cols))]


def as_rows(block: Any, height: int, width: int) -> list[list[Any]]:
    """What Excel returns for a range (a scalar, a flat list or rows, lists or tuples) → rows."""
    if not isinstance(block, list | tuple):
        return [[block]]
    if block and all(isinstance(line, list | tuple) for line in block):
        return [list(line) for line in block]
    return [[v] for v in block] if width == 1 else [list(block)]


def rendered_values(rendered: Rendered) -> list[list[Any]]:
    """The rendered cells as one rectangle from A1 (links as HYPERLINK formulas)."""
    if not rendered.cells:
        return []
    height = max(c.row for c in rendered.cells)
    width = max(c.col for c in rendered.cells)
    grid: list[list[Any]] = [[None] * width for _ in range(height)]
    for c in rendered.cells:
        grid[c.row - 1][c.col - 1] = _hyperlink(c.link, c.value) if c.link else to_excel(c.value)
    return grid


def width_runs(widths: dict[int, float]) -> list[tuple[tuple[int, int], float]]:
    """Adjacent columns of equal width → one call each."""
    out: list[tuple[tuple[int, int], float]] = []
    for col in sorted(widths):
        w = widths[col]
        if out and out[-1][1] == w and out[-1][0][1] == col - 1:
            out[-1] = ((out[-1][0][0], col), w)
        else:
            out.append(((col, col), w))
    return out


def ref_cells(ref: str) -> list[tuple[int, int]]:
    r1, c1, r2, c2 = parse_ref(ref.split("!", 1)[1].replace("$", ""))
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


@dataclass(frozen=True)
class ChartPlan:
    """A chart as the adapters add it: xlwings chart type, title, anchor cell, height in points, the value
    columns' records and the categories (rectangles), and the series names in order. `labelled`: the row
    above the values holds exactly the series names (a table's header), so a source range that includes
    it names the series by itself."""

    kind: str
    title: str
    anchor: str
    height: float
    values: Area
    categories: Area
    labels: tuple[str, ...]
    labelled: bool


def chart_plan(placed: PlacedChart, rendered: Rendered) -> ChartPlan:
    """The ranges of a placed chart (crm-xl charts have adjacent value columns: one rectangle)."""
    cells = [(r, c) for _, ref in placed.values for r, c in ref_cells(ref)]
    values = cell_areas(cells)[0]
    categories = parse_ref(placed.categories.split("!", 1)[1].replace("$", ""))
    labels = tuple(label for label, _ in placed.values)
    r1, c1, _, c2 = values
    above = {(c.row, c.col): c.value for c in rendered.cells if c.row == r1 - 1 and c1 <= c.col <= c2}
    labelled = r1 > 1 and [above.get((r1 - 1, c)) for c in range(c1, c2 + 1)] == list(labels)
    return ChartPlan(CHART_TYPES.get(placed.chart.kind, "column_clustered"), placed.chart.title, placed.anchor,
                     ROW_HEIGHT * placed.rows, values, categories, labels, labelled)
