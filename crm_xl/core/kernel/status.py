"""A customer's status (open / won / lost / paused), also when the Customers sheet has no status column.

The toolkit's printed Customers template has no 客户状态 column: there, a customer named on a conversion
row dated on or before the day looked at (or undated) is won, every other customer is a lead (None: a blank
status, which every job treats as open). A sheet with the column is read as typed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...model.frame import Frames
from ...model.parse import parse_date
from .cells import map_distinct
from .columns import parsed
from .names import customer_keys
from .vectors import stamps


def won_by_conversion(keys: pd.Series, conversion_keys: pd.Series, conversion_days: pd.Series,
                      on: dt.date) -> pd.Series:
    """Whether each customer key (`keys`) is named on a conversion dated on or before `on` or undated
    (`conversion_keys` / `conversion_days`: the conversions' keys and days, datetime64; NaT undated)."""
    days = stamps(conversion_days)
    usable = (conversion_keys != "").to_numpy() & ~(days > pd.Timestamp(on)).to_numpy()
    named = set(conversion_keys.to_numpy()[usable].tolist())
    return pd.Series(np.fromiter((k in named for k in keys.tolist()), bool, len(keys)), index=keys.index)


def infer_status(status: pd.Series, keys: pd.Series, conversions: pd.DataFrame, on: dt.date,
                 has_column: bool) -> pd.Series:
    """`status` (STATUS codes, None for blank) as it is when the sheet `has_column`, else inferred: 'won' for
    a customer with a conversion row (see `won_by_conversion`), None (a lead) for the rest. `conversions`:
    the Conversions sheet's raw data."""
    if has_column:
        return status
    if conversions.empty:
        return pd.Series(None, index=keys.index, dtype=object)
    won = won_by_conversion(keys, customer_keys(conversions["customer"]),
                            stamps(map_distinct(conversions["date"], parse_date)), on)
    return pd.Series(np.where(won.to_numpy(), "won", None), index=keys.index, dtype=object)


def statuses(frames: Frames, on: dt.date) -> pd.Series:
    """Each Customers row's status code as of `on` (None: blank or unreadable — a lead), through the run's
    parsed columns; inferred from the conversions when the sheet has no status column."""
    frame = frames.customers
    status = parsed(frames, "customers", "status", "status")
    if frame is None or frame.has("status"):
        return status
    keys = parsed(frames, "customers", "customer", "key")
    if frames.conversions is None or not len(frames.data("conversions")):
        return pd.Series(None, index=keys.index, dtype=object)
    won = won_by_conversion(keys, parsed(frames, "conversions", "customer", "key"),
                            parsed(frames, "conversions", "date", "day"), on)
    return pd.Series(np.where(won.to_numpy(), "won", None), index=keys.index, dtype=object)


__all__ = ["infer_status", "statuses", "won_by_conversion"]
