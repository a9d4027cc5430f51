"""The port builds Frames column by column from an array; they must equal a plain row-by-row reading."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.book.ops import TableInfo, parse_ref
from crm_xl.book.port import _find_header_row, build_frame, grid_array
from crm_xl.model.errors import SchemaError
from crm_xl.model.frame import Frame, col_letter
from crm_xl.model.headers import accepted_headers, match_columns
from crm_xl.model.parse import is_blank
from crm_xl.model.schema import FOLLOWUPS, SheetDef

HEADERS = ["客户名称", "跟进时间", "跟进方式", "沟通内容", "我们自己的列", "负责人", "Owner", None, "备注"]
CELL = st.one_of(st.none(), st.sampled_from(["", "  ", "甲", " 乙 ", "#N/A"]), st.integers(-3, 3),
                 st.floats(allow_nan=True, allow_infinity=False), st.just(dt.datetime(2024, 3, 1, 9)),
                 st.booleans())


@st.composite
def sheets(draw):
    width = draw(st.integers(2, len(HEADERS)))
    head = HEADERS[:width]
    lead = draw(st.integers(0, 3))  # title / blank rows above the header
    rows = draw(st.lists(st.lists(CELL, max_size=width + 2), max_size=12))
    grid = [[draw(st.sampled_from(["跟进计划表", None]))] for _ in range(lead)] + [list(head)] + rows
    table = None
    if draw(st.booleans()):
        last = lead + 1 + draw(st.integers(0, len(rows) + 3))
        table = TableInfo("FollowUps", "S", f"A{lead + 1}:{col_letter(width)}{max(last, lead + 2)}",
                          draw(st.sampled_from([0, 1])))  # with a total row or not
    return grid, table


def reference_frame(sheet: SheetDef, sheet_name: str, table: TableInfo | None, grid: list[list]) -> Frame:
    """The obvious reading, row by row: what build_frame must give."""
    if table is not None:
        header_row, first_col, last_row, last_col = parse_ref(table.ref)
        last_row -= table.totals  # a total row is not a record
    else:
        header_row = _find_header_row(sheet, grid)
        first_col, last_col, last_row = 1, max((len(r) for r in grid), default=0), len(grid)
    header = grid[header_row - 1] if header_row - 1 < len(grid) else []
    named = [(c, str(header[c - 1])) for c in range(first_col, last_col + 1)
             if c - 1 < len(header) and not is_blank(header[c - 1])]

    def filled(c: int) -> bool:  # row by row
        return any(c - 1 < len(line) and not is_blank(line[c - 1]) for line in grid[header_row:last_row])

    cols, ignored = match_columns(sheet, named, filled)  # which cell wins for a key: tests/test_schema.py
    headers = {key: str(header[c - 1]) for key, c in cols.items()}
    extra = {text: c for c, text in named if c not in cols.values()}
    if table is None:
        last_col = max([c for c in range(1, last_col + 1) if c - 1 < len(header) and not is_blank(header[c - 1])],
                       default=0)
    missing = [c for c in sheet.columns if c.key_column and c.key not in cols]
    if missing:
        raise SchemaError(f"{sheet_name}!{header_row}:{header_row}: required column missing — add a header "
                          f"named {'; '.join(accepted_headers(c) for c in missing)}")
    rows, values = [], {k: [] for k in sheet.keys}
    for r in range(header_row + 1, last_row + 1):
        line = grid[r - 1] if r - 1 < len(grid) else []
        cell = {k: (line[c - 1] if c - 1 < len(line) else None) for k, c in cols.items()}
        if all(is_blank(v) for v in cell.values()):
            continue
        rows.append(r)
        for key in sheet.keys:
            values[key].append(cell.get(key))
    data = pd.DataFrame(values, index=pd.Index(rows, name="row"), dtype=object)
    return Frame(sheet, sheet_name, data, header_row, cols, table.name if table else None, extra, "zh-Hans",
                 last_col, headers=headers, ignored=ignored)


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_build_frame_matches_a_row_by_row_reading(case):
    grid, table = case
    try:
        want = reference_frame(FOLLOWUPS, "S", table, grid)
    except SchemaError as exc:
        with pytest.raises(SchemaError, match=str(exc.message).split("—")[0][:20]):
            build_frame(FOLLOWUPS, "S", table, grid_array(grid))
        return
    got = build_frame(FOLLOWUPS, "S", table, grid_array(grid))
    assert (got.header_row, got.cols, got.extra, got.table, got.last_col) == (
        want.header_row, want.cols, want.extra, want.table, want.last_col)
    assert list(got.data.index) == list(want.data.index) and list(got.data.columns) == list(want.data.columns)
    assert (got.headers, got.ignored) == (want.headers, want.ignored)
    for key in want.data.columns:
        assert all(same(a, b) for a, b in zip(got.data[key], want.data[key], strict=True)), key
