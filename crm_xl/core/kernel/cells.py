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
    return spread(codes, [fn(u) for u in uniques], fn(None), cells.index)


def spread(codes: np.ndarray, per_value: list[Any], blank: Any, index: pd.Index) -> pd.Series:
    """A result per distinct cell (`per_value`, in the order of a factorisation's uniques) spread back to
    the rows by their `codes`, with `blank` for code -1 (a blank cell): an object Series on `index`."""
    table = np.empty(len(per_value) + 1, dtype=object)
    table[:-1] = per_value
    table[-1] = blank  # code -1 picks the last entry
    return pd.Series(table[codes], index=index, dtype=object)


def object_frame(columns: dict[str, Any], index: pd.Index | None = None) -> pd.DataFrame:
    """A DataFrame of `columns` (arrays or lists, one value per row) as they are: a list or an object array
    stays an object column, as the sheets' cells are — pandas 3 would infer `str` from text (None → NaN; keys
    of another dtype than the object ones they meet in a merge; with pyarrow, a conversion to Arrow and back)."""
    if index is None:
        index = pd.RangeIndex(len(next(iter(columns.values()), [])))
    data = {k: v if isinstance(v, np.ndarray) and v.dtype != object else pd.Series(v, index=index, dtype=object)
            for k, v in columns.items()}
    return pd.DataFrame(data, index=index, columns=list(columns))
