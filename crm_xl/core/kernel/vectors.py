"""Whole-column versions of the cell parsers, for 100,000-row sheets.

Each function takes a column of raw cell values (object Series) and returns a Series with the same
index. Native values (datetime, date, Timestamp) take a vectorised path; anything else is parsed with
parse.py once per distinct value. Every date conversion of the jobs goes through `stamps` (or
`nanoseconds`): datetime64[ns], NaT for what nanoseconds cannot hold — what pandas 2 gave, on pandas 3 too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...model.parse import norm, parse_datetime
from .cells import map_distinct

_NATIVE = (dt.datetime, dt.date, pd.Timestamp)
NS = np.dtype("datetime64[ns]")
_MOST = np.iinfo(np.int64).max  # nanoseconds either side of 1970 that datetime64[ns] holds (its min is NaT)


def nanoseconds(values: np.ndarray) -> np.ndarray:
    """datetime64 values of any unit as datetime64[ns], the unit every date path here works in (pandas 3
    converts to seconds or microseconds, pandas 2 to nanoseconds); a value nanoseconds cannot hold — before
    1677-09-21 or after 2262-04-11, such as 0001-01-01 or 2300-01-01 — becomes NaT, as pandas 2 made it."""
    unit, count = np.datetime_data(values.dtype)
    if unit == "ns" and count == 1:
        return values
    limit = _MOST // int(np.timedelta64(count, unit) // np.timedelta64(1, "ns"))
    ints = values.view(np.int64)
    outside = (ints > limit) | (ints < -limit)  # (NaT, the smallest int64, stays NaT)
    if outside.any():
        values = np.where(outside, np.datetime64("NaT", unit), values)
    return values.astype(NS)


def stamps(values: pd.Series) -> pd.Series:
    """`pd.to_datetime(values, errors="coerce")` as pandas 2 gave it: datetime64[ns] on the same index, NaT
    for a blank, for what is no date and for a date out of the nanosecond range (`nanoseconds`); a time zone
    is dropped, keeping the wall time (as `parse.parse_datetime` does)."""
    out = pd.to_datetime(values, errors="coerce")
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize(None)
    return pd.Series(nanoseconds(out.to_numpy()), index=out.index, name=out.name)


def days_of(keys: pd.Series | pd.Index, days: pd.Series) -> pd.Series:
    """`keys.map(days)` for dates `days` indexed by unique keys: datetime64[ns], NaT for a key not in it, on
    the index of `keys` (a Series) or on `keys` (an Index) — also when `days` is empty, where pandas 3's `map`
    raises (it casts the empty datetime mapper to float)."""
    found = days.reindex(pd.Index(np.asarray(keys, dtype=object), dtype=object))
    return pd.Series(stamps(found).to_numpy(), index=keys.index if isinstance(keys, pd.Series) else keys)


def dates(values: pd.Series, *, day: bool = True,
          factorized: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """datetime64[ns] of each cell (NaT for blanks and text that is not a date); `day` drops the time.
    `factorized`: `pd.factorize` of the cells (codes, distinct cells), when already known."""
    out = pd.Series(pd.NaT, index=values.index, dtype=NS)
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
        parts.append((native, stamps(values[native])))
    if rest.any():
        sub = values[rest]
        codes, uniques = pd.factorize(sub.astype(object))
        parsed = stamps(pd.Series([parse_datetime(u) for u in uniques], dtype=object))
        parts.append((rest, parsed.to_numpy()[codes]))
    filled = out.to_numpy(copy=True)  # set by position (a Series mask is slow to set, and needs a unique index)
    for mask, v in parts:
        filled[mask.to_numpy()] = v.to_numpy() if isinstance(v, pd.Series) else v
    out = pd.Series(filled, index=values.index, dtype=NS)
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
        days = stamps(pd.Series(uniques, dtype=object))
    except (ValueError, TypeError, OverflowError):
        return None
    if day:
        days = days.dt.normalize()
    table = np.append(days.to_numpy(), np.datetime64("NaT", "ns"))  # code -1: a blank cell
    return pd.Series(table[codes_], index=values.index, dtype=NS)


def texts(values: pd.Series) -> pd.Series:
    """`parse.norm` of each cell ('' for blanks: norm(None))."""
    return map_distinct(values, norm)


def day_objects(values: pd.Series) -> pd.Series:
    """Timestamps → datetime.date objects (None for NaT)."""
    if values.dtype == NS:  # numpy turns days into datetime.date (and NaT into None) at once
        days = values.to_numpy().astype("datetime64[D]").astype(object)
        return pd.Series(days, index=values.index, dtype=object)
    out = pd.Series(values.dt.date.to_numpy(dtype=object), index=values.index, dtype=object)
    out[values.isna().to_numpy()] = None
    return out
