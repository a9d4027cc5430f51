"""Matching customer names across sheets: width, case, script and spaces do not matter."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..i18n import fold
from ..parse import is_blank


def customer_key(name: object) -> str:
    """The key a customer name is matched by: `fold(name)` with every space removed ('' for blanks)."""
    if isinstance(name, str):
        return _text_key(name)
    if is_blank(name):
        return ""
    return _text_key(str(name))


@lru_cache(maxsize=1 << 18)
def _text_key(text: str) -> str:
    return folded(text).replace(" ", "")


@lru_cache(maxsize=1 << 18)
def folded(text: str) -> str:
    """`i18n.fold(text)`, worked out once per distinct text (validation folds the same names)."""
    return fold(text)


def customer_keys(names: pd.Series) -> pd.Series:
    """`customer_key` of every value of a Series (each distinct value folded once), same index."""
    if names.empty:
        return pd.Series([], index=names.index, dtype=object)
    codes, uniques = pd.factorize(names.astype(object), use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [customer_key(u) for u in uniques]
    table[-1] = ""  # code -1: a blank cell
    return pd.Series(table[codes], index=names.index, dtype=object)
