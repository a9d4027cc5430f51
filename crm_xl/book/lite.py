"""Book over a workbook open in Excel with xlwings Lite (Python inside the add-in, on Pyodide): the Lite
scripts' way in.

A Lite script is handed `book: xw.Book` on xlwings' remote engine (`xlwings/pro/_xlremote.py`; line numbers
below are those of xlwings 0.37.8). It is the desktop adapter (book/excel.py: the same bulk reads and
writes, the same value conversions — dates, text Excel would turn into something else, NaN → None) with
the calls that engine does differently overridden. What it does differently, read from its source:

- **Reads come from a snapshot.** The workbook's values are sent to Python when the script starts;
  `Range.raw_value` slices `sheet.api["values"]` (lines 1717-1731), which no write changes, so a read never
  sees the script's own writes. A run reads every sheet it needs first (one call each: `Sheet.used_range`
  is the values-only extent, lines 1441-1466, nothing to trim) and writes once, at the end, as the port
  does anyway; a LiteBook refuses a second save.
- **Writes are queued.** Every setter and method that changes the workbook appends an action to
  `Book._json["actions"]` (`Book.append_json_action`, lines 881-897); the add-in applies them once the
  script has returned: the `@script` wrapper hands the book back only after the function returned
  (`pro/udfs_officejs.py`, lines 1122-1143; `custom_scripts_call`, lines 1261-1266), and `xlwings.Book.flush`
  documents that "writes and other workbook changes are queued until the script returns or you call
  `await book.flush()`" (`main.py`, lines 1054-1058). A script that raises hands nothing back, so its queue
  never reaches Excel: **a failing run writes nothing**, and there is nothing to undo (none of the desktop
  adapter's undo reads, `_keep*`, which this engine could not do anyway). Two things would break that, and
  this adapter does neither: `Book.flush()` (lines 905-942) and any async read — `client_read` (lines
  322-338) flushes the queue before it reads — so no `await`, no `get_*`. The caller must let the
  exception out (crm_xl/shells/lite.py re-raises after telling the user): a script that catches it and
  returns would hand Excel a half-made queue.
- **Many getters raise NotImplementedError**: `App.status_bar` and `App.enable_events` (lines 634-671) and
  the `App.screen_updating` getter (lines 701-710) — so no `app.properties(...)`, no status bar, no quiet
  mode (the queue is applied in one go anyway); `Range.left` and `Range.top` (lines 1953-1965), and the
  `formula`, `number_format`, `color`, `column_width` and font getters. A chart is therefore placed with
  `Charts.add(anchor=…)` (lines 4593-4635), and since a chart's series cannot be counted or named without
  an async read (`ChartSeriesCollection._loaded_count`, lines 4263-4269), the chart's source range
  includes the table's header row (when it holds exactly the series names, `ChartPlan.labelled`): text over
  numbers, which Excel takes for the series names, as it does for a chart inserted over a table (one of the
  things to look at in Excel itself: the fake cannot show it).

Other differences: `Sheet.freeze_panes.freeze_at(range)` exists here (lines 1479-1481, 3690-3691; the
desktop engines lack it): the frozen rows and columns are given as the range they span. Column widths
are in points, not characters (`Range.column_width` setter, lines 2261-2272): characters are converted as
Excel does for its default font (7-pixel digits plus 5 pixels of padding, 0.75 point a pixel).
`Sheets.add(before=sheet)` puts the new sheet one place left of `sheet` (lines 1111-1118:
`ix = before.index - 1`), so a sheet is added after its left neighbour (`before` only for the first).

Every computation that can fail is done before the first write is queued: values are converted, widths,
chart ranges and frozen ranges worked out (`ExcelBook._plan`). What is left to queue are calls whose
arguments are known to be good: the sheets are found by name as Excel compares names (in any letter case),
so a new sheet's name is never taken when `Sheets.add` checks it, and a replaced sheet is renamed aside
before its successor is added. So no error is expected once queueing has begun, and the add-in is not handed
a queue Excel would refuse half-way; should one come all the same, raising it still discards the queue.

Nothing here imports xlwings (the script hands the book over), starts a thread or touches a file.
`tests/test_lite_contract.py` checks every xlwings member this adapter and crm_xl/shells/lite.py use
against `_xlremote.py`; `tests/book/litefake.py` is its test double.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model.errors import UsageError
from ..model.frame import col_letter
from .excel import ExcelBook
from .excel_values import CHART_WIDTH, ChartPlan
from .ops import Op, parse_ref

DIGIT_PIXELS = 7  # width of a digit of Excel's default font (Calibri 11) in pixels at 96 dpi
PADDING_PIXELS = 5
POINTS_PER_PIXEL = 0.75


def points(width: float) -> float:
    """A column width in characters (desktop xlwings, the file engine) → points (Excel's own rounding)."""
    return int(width * DIGIT_PIXELS + PADDING_PIXELS) * POINTS_PER_PIXEL


def frozen_range(cell: str) -> str | None:
    """The rows and columns frozen above and left of `cell`, as `freeze_at` takes them: "A4" → "1:3",
    "B1" → "A:A", "C4" → "A1:B3"; None for "A1" (nothing frozen)."""
    r, c, _, _ = parse_ref(cell)
    rows, cols = r - 1, c - 1
    if rows and cols:
        return f"A1:{col_letter(cols)}{rows}"
    if rows:
        return f"1:{rows}"
    if cols:
        return f"A:{col_letter(cols)}"
    return None


class LiteBook(ExcelBook):
    """A workbook open in Excel, as an xlwings Lite script is handed it (`book: xw.Book`)."""

    chunk_rows = 1 << 31  # one read per sheet: each read call copies the sheet's whole snapshot

    def __init__(self, xl_book: Any) -> None:
        super().__init__(xl_book)
        self.path = None  # Lite has no files: the workbook is Excel's
        self.queued = False  # the changes are queued for Excel (the snapshot no longer shows the workbook)

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Nothing to switch off: this engine cannot read the App's settings back, and Excel applies the
        queue in one go once the script has returned."""
        yield

    def _extent(self, sht: Any) -> tuple[int, int]:
        _, _, last_row, last_col = parse_ref(sht.used_range.address)  # values only: nothing to trim
        return last_row, last_col

    # --- writing: planned and checked in full, then queued ---------------------------------------------

    def _apply(self, ops: list[Op]) -> None:
        if self.queued:
            raise UsageError("the changes of this run are already queued for Excel, and the workbook Python sees "
                             "no longer shows it: run every job in one save (job 'run')")
        actions = self._plan(ops)
        if not actions:
            return
        self.queued = self.writing_started = True
        self._undo, self._cleanup = [], []
        try:
            for action in actions:
                action()
            for _, delete in self._cleanup:  # the replaced sheets, set aside while writing
                delete()
        finally:
            self._undo, self._cleanup = [], []
            self._forget_layout()

    def _keep(self, rng: Any, height: int, width: int) -> None:
        """Nothing to keep: a failure discards the whole queue."""

    def _keep_format(self, rng: Any, props: dict[str, Any]) -> None:
        """Nothing to keep: a failure discards the whole queue."""

    def _keep_width(self, rng: Any) -> None:
        """Nothing to keep: a failure discards the whole queue."""

    def _add_sheet(self, name: str, before: Any = None, after: Any = None) -> Any:
        if before is not None:  # after its left neighbour: this engine's `before` lands one place too far left
            order = list(self.xl.sheets)
            at = next(i for i, s in enumerate(order) if s.name == before.name)
            if at:
                return self.xl.sheets.add(name, after=order[at - 1])
        return self.xl.sheets.add(name, before=before, after=after)

    def _set_width(self, rng: Any, width: float) -> None:
        rng.column_width = points(width)

    def _freeze(self, sht: Any, cell: str) -> None:
        frozen = frozen_range(cell)
        if frozen is not None:
            sht.freeze_panes.freeze_at(frozen)

    def _chart(self, sht: Any, plan: ChartPlan) -> None:
        """A chart at its anchor cell over its table's columns, the header row included when it names the
        series (they cannot be named one by one here)."""
        r1, c1, r2, c2 = plan.values
        top = r1 - 1 if plan.labelled else r1
        chart = sht.charts.add(width=CHART_WIDTH, height=plan.height, chart_type=plan.kind,
                               source=sht.range((top, c1), (r2, c2)), plot_by="columns",
                               anchor=sht.range(plan.anchor))
        k1, kc1, k2, kc2 = plan.categories
        chart.set_x_axis_values(sht.range((k1, kc1), (k2, kc2)))
        chart.title = plan.title

    # --- persisting --------------------------------------------------------------------------------

    def _persist(self, out: Path | None) -> None:
        """Nothing to save: Excel applies the queue when the script returns, and the user saves."""
        if out is not None:
            raise UsageError(f"xlwings Lite cannot save a copy ({out}): the user saves the workbook in Excel")
        self._frames.clear()
        self._grids.clear()


__all__ = ["LiteBook", "frozen_range", "points"]
