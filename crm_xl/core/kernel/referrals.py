"""Referrals: the customer each Customers row's optional 推荐人 / Referred by cell names, and when the
referred customers signed — shared by the Today thank-you items and the review's referral table.

Names are linked as the other jobs link rows (`names.customer_key`: width, case, script and spaces aside);
validation reports a referrer matched only up to company suffixes (`name_variant`), or not at all
(`unknown_referrer`). A referrer naming the row itself is no referral.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...model.frame import Frames
from .columns import parsed
from .vectors import NS, days_of


def has_referrals(frames: Frames) -> bool:
    """Whether the Customers sheet has the 推荐人 / Referred by column."""
    return frames.customers is not None and frames.customers.has("referrer")


def referrals(frames: Frames) -> pd.DataFrame:
    """One row per Customers row whose referrer cell is filled (index: its Excel row): `referrer` (the cell
    as text), `by` (position among the Customers rows of the first row with the name it gives; -1 when it
    names no customer, or names the row's own customer) and `own` (it names the row's own customer)."""
    if not has_referrals(frames):
        return pd.DataFrame({"referrer": pd.Series(dtype=object), "by": pd.Series(dtype=np.int64),
                             "own": pd.Series(dtype=bool)})
    text = parsed(frames, "customers", "referrer", "text")
    keys = parsed(frames, "customers", "customer", "key").to_numpy(dtype=object)
    named = parsed(frames, "customers", "referrer", "key").to_numpy(dtype=object)
    filled = np.flatnonzero(text.to_numpy(dtype=object) != "")
    present = np.flatnonzero(keys != "")
    first = pd.Series(present, index=keys[present])
    first = first[~first.index.duplicated()]
    by = first.reindex(named[filled]).fillna(-1).to_numpy(dtype=np.int64, copy=True)  # (written below)
    own = named[filled] == keys[filled]
    by[own] = -1
    return pd.DataFrame({"referrer": text.to_numpy(dtype=object)[filled], "by": by, "own": own},
                        index=text.index[filled])


def first_conversions(frames: Frames, upto: dt.date) -> pd.Series:
    """Each Customers row's first conversion dated on or before `upto` (datetime64[ns], time dropped; NaT:
    none) — the day it signed."""
    keys = parsed(frames, "customers", "customer", "key")
    if frames.conversions is None:
        return pd.Series(np.datetime64("NaT", "ns"), index=keys.index, dtype=NS)
    conv = pd.DataFrame({"key": parsed(frames, "conversions", "customer", "key"),
                         "day": parsed(frames, "conversions", "date", "day").astype(NS)})
    conv = conv[(conv["key"] != "") & conv["day"].notna() & (conv["day"] <= pd.Timestamp(upto))]
    first = conv.groupby("key")["day"].min()
    return days_of(keys, first)


__all__ = ["first_conversions", "has_referrals", "referrals"]
