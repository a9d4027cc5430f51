"""Parsing a column of raw cells fast: each distinct value is parsed once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd


def map_distinct(cells: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """`fn` of every cell (blanks/NaN given as None), computed once per distinct value; same index."""
    if cells.empty:
        return pd.Series([], index=cells.index, dtype=object)
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=True)
    values = [fn(u) for u in uniques]
    blank = fn(None)
    return pd.Series([values[c] if c >= 0 else blank for c in codes], index=cells.index, dtype=object)
