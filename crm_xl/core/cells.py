"""Parsing a column of raw cells fast: each distinct value is parsed once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def map_distinct(cells: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """`fn` of every cell (blanks/NaN given as None), computed once per distinct value; same index."""
    if cells.empty:
        return pd.Series([], index=cells.index, dtype=object)
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [fn(u) for u in uniques]
    table[-1] = fn(None)  # code -1: a blank cell
    return pd.Series(table[codes], index=cells.index, dtype=object)
