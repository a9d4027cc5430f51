"""Whole-column versions of the cell parsers, for 100,000-row sheets.

Each function takes a column of raw cell values (object Series) and returns a Series with the same
index. Native values (datetime, date, Timestamp) take a vectorised path; anything else is parsed with
parse.py once per distinct value.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...model.parse import norm, parse_datetime
from .cells import map_distinct

_NATIVE = (dt.datetime, dt.date, pd.Timestamp)


def dates(values: pd.Series, *, day: bool = True,
          factorized: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """datetime64[ns] of each cell (NaT for blanks and text that is not a date); `day` drops the time.
    `factorized`: `pd.factorize` of the cells (codes, distinct cells), when already known."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.empty:
        return out
    fast = _all_native(values, day, factorized)
    if fast is not None:
        return fast
    kinds = values.map(type)
    native = kinds.isin(_NATIVE)
    rest = ~native & values.notna()
    parts = []
    if native.any():
        parts.append((native, pd.to_datetime(values[native], errors="coerce")))
    if rest.any():
        sub = values[rest]
        codes, uniques = pd.factorize(sub.astype(object))
        parsed = pd.to_datetime(pd.Series([parse_datetime(u) for u in uniques], dtype=object), errors="coerce")
        parts.append((rest, parsed.to_numpy()[codes]))
    if values.index.is_unique and all(v.dtype == "datetime64[ns]" for _, v in parts):
        stamps = out.to_numpy(copy=True)  # the same values, set by position (a Series mask is slow to set)
        for mask, v in parts:
            stamps[mask.to_numpy()] = v.to_numpy() if isinstance(v, pd.Series) else v
        out = pd.Series(stamps, index=values.index, dtype="datetime64[ns]")
    else:
        for mask, v in parts:
            out[mask] = v
    return out.dt.normalize() if day else out


def _all_native(values: pd.Series, day: bool,
                factorized: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series | None:
    """The general path's result in one conversion when every filled cell is a date or datetime (what
    Excel stores for a date cell): each cell converts on its own, so converting each distinct cell once
    gives the same stamps as converting its native cells. None when the column needs the general path."""
    if not values.index.is_unique:
        return None
    raw = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) not in ("datetime", "date"):
        return None
    codes_, uniques = factorized or pd.factorize(raw, use_na_sentinel=True)  # converted once per distinct cell
    try:
        stamps = pd.to_datetime(pd.Series(uniques, dtype=object), errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return None
    if stamps.dtype != "datetime64[ns]":
        return None
    if day:
        stamps = stamps.dt.normalize()
    table = np.append(stamps.to_numpy(), np.datetime64("NaT", "ns"))  # code -1: a blank cell
    return pd.Series(table[codes_], index=values.index, dtype="datetime64[ns]")


def texts(values: pd.Series) -> pd.Series:
    """`parse.norm` of each cell ('' for blanks: norm(None))."""
    return map_distinct(values, norm)


def day_objects(values: pd.Series) -> pd.Series:
    """Timestamps → datetime.date objects (None for NaT)."""
    if values.dtype == "datetime64[ns]":  # numpy turns days into datetime.date (and NaT into None) at once
        days = values.to_numpy().astype("datetime64[D]").astype(object)
        return pd.Series(days, index=values.index, dtype=object)
    out = pd.Series(values.dt.date.to_numpy(dtype=object), index=values.index, dtype=object)
    out[values.isna().to_numpy()] = None
    return out
