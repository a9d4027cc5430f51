"""The new cells of a rewritten sheet: a value turned into a `<c>` with the style it should have.

A written cell keeps the style of the cell it replaces; a new one takes the style of the last cell
written in its column (the column's `<col>` style to start with); a computed column's cells and headers
get computed styles next to their left neighbour's; a date in a cell whose format is not a date gets a
date format. `CellMaker` holds that state for one sheet and is the base of the sheet rewriter
(rowmerge.py, rowbatch.py, sheetxml.py).
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import repeat
from typing import Any

from ...model import theme
from ...model.schema import Kind
from .cells import LETTERS, PLAIN, CellWriter, normalize
from .sheetplan import ColumnPlan, SheetPlan
from .stylesxml import StyleBook

CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
STYLE = re.compile(rb'\bs="(\d+)"')


class _Missing:
    pass


MISSING = _Missing()  # no value for this row
NOT_DATES = {str, int, float, bool, type(None)}
_WRITTEN_AS_IS = {*PLAIN, type(None), _Missing}  # no value to normalise


def col_number(letters: bytes) -> int:
    """The number of a column from its letters (b"A" → 1)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def date_format(kind: Kind | None, value: Any) -> str:
    fmt = theme.kind_format(kind) if kind else None
    if fmt in (theme.DATE_FORMAT, theme.DATETIME_FORMAT):
        return fmt
    if isinstance(value, dt.datetime) and (value.hour or value.minute or value.second):
        return theme.DATETIME_FORMAT
    return theme.DATE_FORMAT


class CellMaker:
    """The cells a SheetPlan writes into one sheet, and the styles they take."""

    # set once the sheet's namespace prefix is known (SheetRewriter._prefix_known)
    p: str
    writer: CellWriter
    f_tag: bytes
    cell_re: re.Pattern[bytes]

    def __init__(self, plan: SheetPlan, styles: StyleBook, date1904: bool = False) -> None:
        self.plan = plan
        self.styles = styles
        self.date1904 = date1904
        self.last_style: dict[int, int] = {}  # column → style of the last cell written or probed in it
        self.col_styles: list[tuple[int, int, int]] = []  # (first column, last column, style) of <cols>
        self.formula_replaced = False

    def _col_style(self, col: int) -> int:
        for lo, hi, s in self.col_styles:
            if lo <= col <= hi:
                return s
        return 0

    def _probe(self, body: bytes) -> None:
        """Remember the style of every cell of a row (the row above appended rows)."""
        col = 0
        for m in self.cell_re.finditer(body):
            ref = CELL_REF.search(m.group(1))
            col = col_number(ref.group(1)) if ref else col + 1
            s = STYLE.search(m.group(1))
            self.last_style[col] = int(s.group(1)) if s else 0

    def _cell(self, col: int, rb: bytes, value: Any, plan: ColumnPlan | None, is_head: bool, old_s: int | None,
              left_s: int, old: bytes = b"") -> bytes:
        """Column `col`'s cell in row `rb` (`old`: the cell it replaces, of style `old_s`; `left_s`: the style
        of the cell on its left), a plain text the quick way; a date gets a date format."""
        if not old and not is_head and (plan is None or not plan.new):
            style = self.last_style.get(col)
            if style is None:
                style = self._col_style(col)
            cls = value.__class__
            if cls is str or value is None:
                self.last_style[col] = style
                return self.writer.cell(LETTERS[col] + rb, value, style)
        if old and self.f_tag in old:
            self.formula_replaced = True
        style = self._style(col, plan, is_head, old_s, left_s, old)
        cls = value.__class__
        if cls is not str and value is not None:
            if cls not in PLAIN:
                value = normalize(value)
            if isinstance(value, dt.date | dt.time) and not self.styles.is_date(style):
                kind = plan.kind if plan is not None else self.plan.append_kinds.get(col)
                style = self.styles.with_format(style, date_format(kind, value))
        if not is_head:
            self.last_style[col] = style
        return self.writer.cell(LETTERS[col] + rb, value, style)

    def _style(self, col: int, plan: ColumnPlan | None, is_head: bool, old_s: int | None, left_s: int,
               old: bytes) -> int:
        """A written cell's style, its value aside: a computed header's or cell's next to `left_s`, the
        replaced cell's, or the column's last one."""
        if is_head:
            return self.styles.computed_header(left_s)
        if old:
            return old_s or 0
        if plan is not None and plan.new:
            return self.styles.computed_cell(left_s, theme.kind_format(plan.kind))
        style = self.last_style.get(col)
        return self._col_style(col) if style is None else style

    # --- column by column ------------------------------------------------------------------------

    def _columns(self, plans: list[ColumnPlan], rows: list[int], numbers: list[bytes],
                 listed: list[list[Any]] | None = None) -> list[list[bytes]]:
        """The new cells of these columns (in the order given) for these rows (`numbers`: their numbers as
        text; b'' where a column writes nothing; `listed`: each column's values for these rows, `MISSING`
        for none, when the caller has them as lists rather than in the plans). A column's style changes at
        most once — at its first date, which gets a date format — so each is done in two runs of one style,
        every distinct value turned into XML once. Columns are done in the order of their first dates, so
        new formats get the numbers a row-by-row rewrite gives them."""
        prepared = [(plan, *self._column_values(plan, rows, got))
                    for plan, got in zip(plans, listed if listed is not None else repeat(None), strict=False)]
        out: list[list[bytes]] = [[] for _ in plans]
        for k in sorted(range(len(plans)), key=lambda k: (prepared[k][2], plans[k].col)):
            plan, new, first_date = prepared[k]
            if self.last_style.get(plan.col) is None:
                self.last_style[plan.col] = self._col_style(plan.col)
            cells = out[k] = self._cells_in_style(plan.col, numbers[:first_date], new[:first_date])
            if first_date < len(new):  # sets the column's date style, kept by the rest of the run
                cells.append(self._cell(plan.col, numbers[first_date], new[first_date], plan, False, None, 0))
                cells.extend(self._cells_in_style(plan.col, numbers[first_date + 1:], new[first_date + 1:]))
        return out

    @staticmethod
    def _column_values(plan: ColumnPlan, rows: list[int], listed: list[Any] | None = None,
                       ) -> tuple[list[Any], int]:
        """A column's values for these rows (`MISSING` where it writes nothing; `listed` when given), normalised,
        and the index of its first date (len(rows) when it has none)."""
        missing = MISSING
        new = listed if listed is not None else list(map(plan.values.get, rows, repeat(missing, len(rows))))
        types = set(map(type, new))
        if not types <= _WRITTEN_AS_IS:
            new = [v if v.__class__ in PLAIN or v is None or v is missing else normalize(v) for v in new]
            types = set(map(type, new))
        if types <= NOT_DATES | {_Missing}:
            return new, len(new)
        return new, next(k for k, v in enumerate(new) if v.__class__ not in NOT_DATES and v is not missing)

    def _cells_in_style(self, col: int, numbers: list[bytes], new: list[Any]) -> list[bytes]:
        style = self.last_style[col]
        return self.writer.column(LETTERS[col], numbers, new, lambda v, _: (v, style), skip=MISSING)
