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


# --- pandas 3: datetimes are no longer nanoseconds (`stamps` gives what pandas 2 gave) -----------------

FAR, YEAR1 = dt.datetime(2300, 1, 1), dt.date(1, 1, 1)


def test_stamps_are_nanoseconds_and_out_of_range_dates_are_missing() -> None:
    cells = pd.Series([dt.date(2024, 3, 1), FAR, YEAR1, None, dt.datetime(2024, 3, 1, 9, 30), "no date"],
                      index=range(2, 8), dtype=object)
    got = vectors.stamps(cells)
    assert got.dtype == "datetime64[ns]"
    assert got.index.equals(cells.index)
    assert got.tolist()[:2] == [pd.Timestamp("2024-03-01"), pd.NaT]
    assert got.isna().tolist() == [False, True, True, True, False, True]
    assert vectors.stamps(pd.Series([FAR, YEAR1], dtype=object)).dtype == "datetime64[ns]"  # (all out of range)
    seconds = np.array(["2024-03-01", "2300-01-01", "NaT"], dtype="datetime64[s]")
    assert vectors.nanoseconds(seconds).tolist() == [pd.Timestamp("2024-03-01").value, None, None]


def test_stamps_keep_the_whole_nanosecond_range() -> None:
    """The first and last microseconds datetime64[ns] holds are kept, the ones just outside are not."""
    edges = [dt.datetime(1677, 9, 21, 0, 12, 43, 145225), dt.datetime(2262, 4, 11, 23, 47, 16, 854775),
             dt.datetime(1677, 9, 21, 0, 12, 43, 145224), dt.datetime(2262, 4, 11, 23, 47, 16, 854776)]
    got = vectors.stamps(pd.Series(edges, dtype=object))
    assert got.tolist()[:2] == [pd.Timestamp(edges[0]), pd.Timestamp(edges[1])]
    assert got.isna().tolist() == [False, False, True, True]


def test_dates_fast_path_reads_out_of_range_dates_as_missing() -> None:
    values = pd.Series([FAR, dt.date(2024, 3, 2), YEAR1, None], index=[2, 3, 4, 5], dtype=object)
    fast = vectors._all_native(values, True)
    assert fast is not None and fast.dtype == "datetime64[ns]"
    assert fast.isna().tolist() == [True, False, True, True]
    assert _general(values, True).equals(fast)
    assert vectors.dates(pd.Series([FAR, "2024-03-02"], dtype=object), day=False).isna().tolist() == [True, False]


def test_days_of_looks_keys_up_also_in_an_empty_table() -> None:
    """`keys.map(days)`, which pandas 3 refuses for an empty datetime table (the after-sale step of a won
    customer whose conversions are all undated or later than today)."""
    keys = pd.Series(["甲", "乙", "甲"], index=[2, 3, 4], dtype=object)
    empty = pd.Series([], index=pd.Index([], dtype=object), dtype="datetime64[ns]")
    got = vectors.days_of(keys, empty)
    assert got.dtype == "datetime64[ns]" and got.index.equals(keys.index) and got.isna().all()
    days = pd.Series(pd.to_datetime(["2024-03-01", "2024-03-05"]).as_unit("ns"), index=pd.Index(["甲", "丙"], dtype=object))
    assert vectors.days_of(keys, days).equals(keys.map(days))
    assert vectors.days_of(pd.Index(["丙", "乙"], dtype=object), days).tolist() == [pd.Timestamp("2024-03-05"), pd.NaT]
