"""What a run writes into one existing worksheet: its columns, headers, appended rows and new widths.

The writer records the write operations of a run as a SheetPlan per sheet; the sheet rewrite
(sheetxml.py) then applies the plan in one pass over the sheet's XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from ...model.schema import Kind


@dataclass
class ColumnPlan:
    """A column to write: values by Excel row; `new` when crm-xl adds its header (computed styles)."""

    col: int
    values: dict[int, Any]
    kind: Kind
    new: bool = False


@dataclass
class SheetPlan:
    columns: dict[int, ColumnPlan] = field(default_factory=dict)
    headers: dict[int, dict[int, str]] = field(default_factory=dict)  # row → col → header text
    appends: dict[int, dict[int, Any]] = field(default_factory=dict)  # row → col → value
    append_kinds: dict[int, Kind] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # new columns' widths
    probe_rows: set[int] = field(default_factory=set)  # rows whose styles new rows below copy
    # a table that gets rows: (first column, last column, last row before, last row after) — the
    # conditional formats and validations that end at its last row grow with it, as in Excel
    grows: list[tuple[int, int, int, int]] = field(default_factory=list)

    def extent(self) -> tuple[int, int]:
        """(last row, last column) this plan writes."""
        rows = [max(c.values, default=0) for c in self.columns.values()]
        rows += [max(self.headers, default=0), max(self.appends, default=0)]
        return max(rows, default=0), self.last_col()

    def last_col(self) -> int:
        """The last column this plan writes (0 for none); each row's columns looked at by C loops (`max`)."""
        return max(chain(self.columns, map(max, filter(None, self.headers.values())),
                         map(max, filter(None, self.appends.values()))), default=0)
