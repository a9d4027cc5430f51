"""Matching customer names across sheets: width, case, script and spaces do not matter."""

from __future__ import annotations

import pandas as pd

from ..i18n import fold
from ..parse import is_blank


def customer_key(name: object) -> str:
    """The key a customer name is matched by: `fold(name)` with every space removed ('' for blanks)."""
    if is_blank(name):
        return ""
    return fold(str(name)).replace(" ", "")


def customer_keys(names: pd.Series) -> pd.Series:
    """`customer_key` of every value of a Series (each distinct value folded once), same index."""
    if names.empty:
        return pd.Series([], index=names.index, dtype=object)
    codes, uniques = pd.factorize(names.astype(object), use_na_sentinel=True)
    keys = [customer_key(u) for u in uniques]
    out = [keys[c] if c >= 0 else "" for c in codes]
    return pd.Series(out, index=names.index, dtype=object)
