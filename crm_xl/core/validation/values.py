"""A column's cells factorised, so each distinct value is parsed once and mapped back (fast on 100k rows)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text

_BOOLS = (bool, np.bool_)


class Values:
    """The cells of one column: `raw` (object array, one per row) and its distinct values.

    Work is done per distinct value (`each`) and spread back to the rows (`rows`). The last distinct
    slot stands for blank cells (None/NaN/NaT). True/False are kept apart from 1/0 (which hash alike).
    """

    def __init__(self, series: pd.Series, factorized: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """`factorized`: `pd.factorize` of the cells (codes, distinct cells), when already known."""
        self.index = series.index
        self.raw = series.to_numpy(dtype=object)
        codes, uniques = factorized or pd.factorize(self.raw, use_na_sentinel=True)
        if pd.api.types.infer_dtype(uniques, skipna=True) not in ("string", "empty", "datetime", "date") and any(
                isinstance(u, _BOOLS) or (isinstance(u, int | float) and u in (0, 1)) for u in uniques):
            keys = self.raw.copy()
            for i, v in enumerate(keys):
                if isinstance(v, _BOOLS):
                    keys[i] = ("bool", bool(v))
            codes, uniques = pd.factorize(keys, use_na_sentinel=True)
            uniques = [u[1] if isinstance(u, tuple) else u for u in uniques]
        self.uniques: list[Any] = [*uniques, None]
        self.codes = np.where(codes < 0, len(self.uniques) - 1, codes)

    def __len__(self) -> int:
        return len(self.raw)

    def each(self, fn: Callable[[Any], Any]) -> np.ndarray:
        """fn applied once per distinct value (object array aligned with `uniques`)."""
        return np.fromiter(map(fn, self.uniques), dtype=object, count=len(self.uniques))

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """A per-distinct-value array spread to one entry per row."""
        return per_value[self.codes]

    def map(self, fn: Callable[[Any], Any]) -> np.ndarray:
        """fn applied to every cell (object array)."""
        return self.rows(self.each(fn))


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
        return date_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
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


@dataclass
class Cells:
    """A checked column: its Values, the parsed value per distinct value (None where invalid) and
    which distinct values are blank."""

    vals: Values
    parsed: np.ndarray
    blank: np.ndarray

    def series(self) -> pd.Series:
        """Parsed value per row (None where blank or invalid)."""
        return pd.Series(self.vals.rows(self.parsed), index=self.vals.index, dtype=object)

    def blank_rows(self) -> np.ndarray:
        return self.vals.rows(self.blank)
