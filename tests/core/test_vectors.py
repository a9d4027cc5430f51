"""vectors.dates: the one-conversion path for columns of native dates gives what the cell-by-cell path gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.core.kernel import vectors

CELLS = [dt.datetime(2024, 3, 1, 9, 30), dt.datetime(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 2), None,
         np.nan, pd.NaT, pd.Timestamp("2024-01-05 10:00"), dt.date(1, 1, 1), dt.datetime(9999, 12, 31),
         dt.date(1600, 1, 1), "2024-03-05", "not a date", 45000]


def _general(values: pd.Series, day: bool) -> pd.Series:
    fast, vectors._all_native = vectors._all_native, lambda v, d, f=None: None
    try:
        return vectors.dates(values, day=day)
    finally:
        vectors._all_native = fast


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CELLS), max_size=12), st.booleans())
def test_dates_fast_path_equals_general_path(cells: list[object], day: bool) -> None:
    values = pd.Series(cells, index=range(2, 2 + len(cells)), dtype=object)
    got, want = vectors.dates(values, day=day), _general(values, day)
    assert got.dtype == want.dtype
    assert got.index.equals(want.index)
    assert got.equals(want)


def test_dates_fast_path_is_taken_for_native_cells() -> None:
    values = pd.Series([dt.datetime(2024, 3, 1, 9, 30), dt.date(2024, 3, 2), None], index=[2, 3, 4], dtype=object)
    assert vectors._all_native(values, True) is not None
    assert list(vectors.dates(values)) == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02"), pd.NaT]
    assert vectors._all_native(pd.Series(["2024-03-01"], dtype=object), True) is None
