"""A column's cells factorised, so each distinct value is parsed once and mapped back (fast on 100k rows)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

_BOOLS = (bool, np.bool_)


class Values:
    """The cells of one column: `raw` (object array, one per row) and their distinct values.

    True/False are kept apart from 1/0 (which hash alike) so every distinct cell is parsed as itself.
    """

    def __init__(self, series: pd.Series) -> None:
        self.index = series.index
        self.raw = series.to_numpy(dtype=object)
        keys = self.raw
        is_bool = np.fromiter((isinstance(v, _BOOLS) for v in keys), dtype=bool, count=len(keys))
        if is_bool.any():
            keys = keys.copy()
            for i in np.flatnonzero(is_bool):
                keys[i] = ("bool", bool(keys[i]))
        self.codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        self.uniques = [u[1] if isinstance(u, tuple) else u for u in uniques]

    def __len__(self) -> int:
        return len(self.raw)

    def map(self, fn: Callable[[Any], Any]) -> np.ndarray:
        """fn applied to every cell (object array); blanks (None/NaN/NaT) are given as None."""
        out = np.empty(len(self.uniques) + 1, dtype=object)
        for i, value in enumerate(self.uniques):
            out[i] = fn(value)
        out[-1] = fn(None)
        return out[self.codes] if len(self.codes) else np.empty(0, dtype=object)

    def test(self, fn: Callable[[Any], bool]) -> np.ndarray:
        """fn as a boolean mask."""
        return self.map(fn).astype(bool)


def show(value: Any) -> str:
    """A cell value as the text a user would read: dates without a midnight time, 650000 not 650000.0."""
    if value is None:
        return ""
    if isinstance(value, _BOOLS):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value is pd.NaT:
            return ""
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def brief(value: Any, limit: int = 40) -> str:
    """show() on one line, cut to `limit` characters (for messages)."""
    text = " ".join(show(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
