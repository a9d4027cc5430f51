"""FileBook builds Frames column by column; they must equal the port's own Book._build_frame."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.book.files import build_frame
from crm_xl.book.memory import MemoryBook
from crm_xl.book.port import Book, TableInfo
from crm_xl.errors import SchemaError
from crm_xl.frame import col_letter
from crm_xl.schema import FOLLOWUPS

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
        table = TableInfo("FollowUps", "S", f"A{lead + 1}:{col_letter(width)}{max(last, lead + 2)}")
    return grid, table


def _array(grid: list[list]) -> np.ndarray:
    """The grid as FileBook holds it: rectangular, short rows padded with blanks."""
    width = max((len(r) for r in grid), default=0)
    arr = np.empty((len(grid), width), dtype=object)
    for i, r in enumerate(grid):
        arr[i, :len(r)] = r
    return arr


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_build_frame_matches_the_port(case):
    grid, table = case
    book = MemoryBook({"S": grid}, [table] if table else [])
    try:
        want = Book._build_frame(book, FOLLOWUPS, "S", table)
    except SchemaError as exc:
        with pytest.raises(SchemaError, match=str(exc.message).split("—")[0][:20]):
            build_frame(FOLLOWUPS, "S", table, _array(grid))
        return
    got = build_frame(FOLLOWUPS, "S", table, _array(grid))
    assert (got.header_row, got.cols, got.extra, got.table, got.last_col) == (
        want.header_row, want.cols, want.extra, want.table, want.last_col)
    assert list(got.data.index) == list(want.data.index) and list(got.data.columns) == list(want.data.columns)
    assert got.data.attrs == want.data.attrs
    for key in want.data.columns:
        assert all(same(a, b) for a, b in zip(got.data[key], want.data[key], strict=True)), key
