"""Where a data sheet's header is and where crm-xl may put its new columns, read from the sheet's cells.

crm-xl writes only into columns whose header is its own, or into columns empty from the header down; a
column of the team's — headed or not, typed beside a table or right of the last header — is never written
over: new columns go past the last used one instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..model.parse import is_blank
from ..model.schema import SheetDef


def filled(arr: np.ndarray, col: int, top: int, bottom: int | None = None) -> bool:
    """Whether sheet column `col` (1-based) holds a value in rows `top`…`bottom` (1-based, inclusive; to
    the last row when None)."""
    if col > arr.shape[1]:
        return False
    return any(not is_blank(v) for v in arr[max(top - 1, 0):bottom, col - 1].tolist())


def used_columns(arr: np.ndarray, top: int, after: int) -> frozenset[int]:
    """The sheet columns right of `after` with a value in any row from `top` (1-based) down."""
    return frozenset(c for c in range(after + 1, arr.shape[1] + 1) if filled(arr, c, top))


def two_row_header(sheet: SheetDef, header: list[Any], arr: np.ndarray, header_row: int) -> list[Any] | None:
    """A header over two rows, read as one: key titles on the first row (merged down), the others on the
    second (under a group title merged across, e.g. 商机信息). Returns the joined titles when the row below
    the header names columns of this sheet that the header row does not, and is blank in the header row's
    key columns (a record never is); else None."""
    if header_row >= arr.shape[0]:
        return None
    below = arr[header_row].tolist()
    width = max(len(header), len(below))
    header = list(header) + [None] * (width - len(header))
    below = below + [None] * (width - len(below))
    above, keys = set(), []
    for i, v in enumerate(header):
        column = None if is_blank(v) else sheet.match_header(v)
        if column is not None:
            above.add(column.key)
            if column.key_column:
                keys.append(i)
    if any(not is_blank(below[i]) for i in keys):
        return None
    new = [i for i, v in enumerate(below)
           if not is_blank(v) and (c := sheet.match_header(v)) is not None and c.key not in above]
    if not new:
        return None
    return [below[i] if not is_blank(below[i]) else header[i] for i in range(width)]
