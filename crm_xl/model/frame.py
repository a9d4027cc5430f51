"""Frame: a data sheet's rows as a DataFrame with canonical column keys, plus where each cell lives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from .headers import Ignored
from .i18n import Lang
from .schema import SheetDef


def col_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def quote_sheet(name: str) -> str:
    """Sheet name as Excel writes it in a reference (quoted when needed)."""
    if any(not (ch.isalnum() or ch == "_") for ch in name) or name[:1].isdigit():
        return "'" + name.replace("'", "''") + "'"
    return name


@dataclass
class Frame:
    """One data sheet as read.

    `data` has one column per schema column (absent optional columns are all-None) and is indexed by the
    Excel row number of each record. `cols` maps each present column key to its 1-based sheet column;
    `extra` lists the team's own columns (header → sheet column), kept and ignored. `headers` holds the
    header text of each matched column as the sheet spells it; `ignored` the second cells naming a column
    (validation warns: duplicate_column).
    """

    sheet: SheetDef
    sheet_name: str
    data: pd.DataFrame
    header_row: int
    cols: dict[str, int]
    table: str | None = None
    extra: dict[str, int] = field(default_factory=dict)
    lang: Lang = "zh-Hans"
    last_col: int = 0  # last used column of the header row / table
    used: frozenset[int] = frozenset()  # columns right of last_col holding a value from the header row down
    detached: bool = False  # a column right of the table holds data: new columns go past it, outside the table
    headers: dict[str, str] = field(default_factory=dict)  # column key → header text as in the sheet
    ignored: list[Ignored] = field(default_factory=list)  # cells naming an already matched column

    def __post_init__(self) -> None:
        if not self.last_col:
            self.last_col = max([*self.cols.values(), *self.extra.values(), 0])

    @property
    def rows(self) -> list[int]:
        """Excel row numbers of the records, in order."""
        return [int(r) for r in self.data.index.tolist()]  # Python ints, whatever the index's dtype

    def has(self, key: str) -> bool:
        return key in self.cols

    def cell(self, row: int, key: str) -> str:
        """`客户信息表!E14` for a record row and a column key (the header cell when the column is absent)."""
        col = self.cols.get(key)
        if col is None:
            return f"{quote_sheet(self.sheet_name)}!{col_letter(self.last_col + 1)}{self.header_row}"
        return f"{quote_sheet(self.sheet_name)}!{col_letter(col)}{row}"

    def cells(self, rows: Sequence[Any], key: str) -> list[str]:
        """`cell(row, key)` of each record row (the column's part worked out once)."""
        col = self.cols.get(key)
        if col is None:
            return [self.cell(0, key)] * len(rows)
        prefix = f"{quote_sheet(self.sheet_name)}!{col_letter(col)}"
        return [f"{prefix}{int(r)}" for r in rows]

    def address(self, row: int, key: str) -> str:
        """`E14` without the sheet."""
        return self.cell(row, key).split("!", 1)[1]

    def header(self, key: str) -> str:
        return self.sheet.column(key).header(self.lang)

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class Frames:
    """The data sheets of one workbook as read (a sheet the workbook lacks is None)."""

    customers: Frame | None = None
    followups: Frame | None = None
    tierlog: Frame | None = None
    conversions: Frame | None = None
    complaints: Frame | None = None  # optional service records
    surveys: Frame | None = None

    def get(self, key: str) -> Frame | None:
        return getattr(self, key)

    def sheets(self) -> dict[str, Frame | None]:
        """Every data sheet by key, absent ones as None (the fields of this class, in order)."""
        return {f.name: getattr(self, f.name) for f in fields(Frames)}

    def present(self) -> list[Frame]:
        return [f for f in self.sheets().values() if f is not None]

    def data(self, key: str) -> pd.DataFrame:
        """The sheet's DataFrame, or an empty one with the schema's columns when the sheet is absent."""
        from .schema import SHEETS

        frame = self.get(key)
        if frame is None:
            return pd.DataFrame({k: pd.Series(dtype=object) for k in SHEETS[key].keys})
        return frame.data
