"""The write operations a Book records and an adapter applies on save, and the ranges they name.

A job never writes cells: the Book turns its result into these operations (port.py), each adapter applies
them its own way (files.py through the xlsx engine, excel.py through xlwings, memory.py in memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model.layout import Rendered, SheetLayout
from ..model.schema import Kind


@dataclass(frozen=True)
class TableInfo:
    """An Excel Table: its name, sheet and range (`A1:F20`, header row included; the last `totals` rows
    are its total row)."""

    name: str
    sheet: str
    ref: str
    totals: int = 0


@dataclass
class WriteColumn:
    """Write one column of a data sheet: header (when new) and a value for every record row."""

    sheet: str
    table: str | None
    col: int
    header_row: int
    header: str | None  # set when the column is new
    kind: Kind
    computed: bool
    values: dict[int, Any]  # Excel row → value (None clears the cell)


@dataclass
class AppendRows:
    """Append records below a data sheet's last record (extending its table)."""

    sheet: str
    table: str | None
    first_row: int
    cols: dict[int, Kind]  # sheet column → kind, for formats
    rows: list[dict[int, Any]]  # one dict per row: sheet column → value


@dataclass
class PutSheet:
    """Create or rebuild a generated sheet (replacing any of its aliases)."""

    layout: SheetLayout
    rendered: Rendered


@dataclass
class DropSheet:
    name: str


@dataclass
class SetCells:
    """Set a few cells of a sheet, creating the sheet when missing (e.g. the hidden `xlwings.conf` sheet
    that `crm-xl excel-setup` fills). `hidden`: make the sheet hidden (True), visible (False) or leave it."""

    sheet: str
    values: dict[tuple[int, int], Any]  # (row, col), 1-based → value (None clears)
    hidden: bool | None = None


@dataclass(frozen=True)
class LiteButton:
    """A sheet button of the xlwings Lite edition: a shape named `name` over `cell` of `sheet`, whose hyperlink
    selects that cell (Lite runs the script whose `@script(button="[name]sheet!cell")` names it)."""

    sheet: str  # the sheet's name in the workbook
    cell: str  # the cell under the shape, e.g. "F3" (no $); the shape's hyperlink points to it
    name: str  # the shape's name, e.g. "crmRunAll"
    caption: str  # the text on the shape
    width: int = 150  # pixels (the shape is never smaller than its cell)
    height: int = 36


@dataclass
class InstallLite:
    """Add (or update) the xlwings Lite add-in's parts and sheet buttons. `properties`: property name → text,
    each stored as its JSON encoding (e.g. main.py, requirements.txt, pyodideVersion, addinVersion); the
    properties of an existing Lite add-in that are not named here are kept as they are. `autoshow`: the task
    pane opens with the workbook (Office.AutoShowTaskpaneWithDocument)."""

    properties: dict[str, str]
    buttons: list[LiteButton]
    autoshow: bool = True


Op = WriteColumn | AppendRows | PutSheet | DropSheet | SetCells | InstallLite


def parse_ref(ref: str) -> tuple[int, int, int, int]:
    """`B3:F20` → (first_row, first_col, last_row, last_col), 1-based."""
    import re

    parts = ref.replace("$", "").split(":")
    out = []
    for part in (parts[0], parts[-1]):
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", part)
        if not m:
            raise ValueError(f"bad range {ref!r}")
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        out.append((int(m.group(2)), col))
    (r1, c1), (r2, c2) = out
    return r1, c1, r2, c2


__all__ = ["TableInfo", "WriteColumn", "AppendRows", "PutSheet", "DropSheet", "SetCells", "LiteButton", "InstallLite",
           "Op", "parse_ref"]
