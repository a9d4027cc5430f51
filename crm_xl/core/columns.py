"""Parsed columns of the data sheets, parsed once per run (see memo.py): `parsed(frames, sheet, col, how)`
is `PARSERS[how](frames.data(sheet)[col])`, kept until the column is written."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..frame import Frames
from ..parse import parse_amount, parse_date, parse_int
from ..schema import STATUS, TIER
from .cells import map_distinct
from .memo import memo
from .names import customer_keys
from .vectors import dates, texts

PARSERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "key": customer_keys,  # names.customer_key ('' for blanks)
    "day": dates,  # datetime64[ns], time dropped
    "when": lambda cells: dates(cells, day=False),  # datetime64[ns] with the time
    "text": texts,  # parse.norm ('' for blanks)
    "status": lambda cells: map_distinct(cells, STATUS.parse),
    "tier": lambda cells: map_distinct(cells, TIER.parse),
    "date": lambda cells: map_distinct(cells, parse_date),  # datetime.date or None
    "amount": lambda cells: map_distinct(cells, parse_amount),
    "int": lambda cells: map_distinct(cells, parse_int),
}


def parsed(frames: Frames, sheet: str, col: str, how: str) -> pd.Series:
    """`PARSERS[how]` of a column of raw cells (same index), computed once while the column is unchanged."""
    parse = PARSERS[how]
    return memo(frames, {sheet: (col,)}, ("column", sheet, col, how), lambda: parse(frames.data(sheet)[col]))


__all__ = ["parsed", "PARSERS"]
