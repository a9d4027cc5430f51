"""Parsed columns of the data sheets, parsed once per run (see memo.py): `parsed(frames, sheet, col, how)`
is `how(frames.data(sheet)[col])` (`how`: a name of PARSERS or a module-level function of a Series), kept
until the column is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ...model.frame import Frames
from ...model.parse import norm, parse_amount, parse_date, parse_int
from ...model.schema import STATUS, TIER
from .cells import map_distinct, spread
from .memo import memo
from .names import customer_key, customer_keys, keys_of
from .vectors import dates, texts

Parser = Callable[[pd.Series], pd.Series]  # raw cells → one value per cell, same index


def _when(cells: pd.Series) -> pd.Series:
    return dates(cells, day=False)


def _status(cells: pd.Series) -> pd.Series:
    return map_distinct(cells, STATUS.parse)


def _tier(cells: pd.Series) -> pd.Series:
    return map_distinct(cells, TIER.parse)


def _date(cells: pd.Series) -> pd.Series:
    return map_distinct(cells, parse_date)


def _amount(cells: pd.Series) -> pd.Series:
    return map_distinct(cells, parse_amount)


def _int(cells: pd.Series) -> pd.Series:
    return map_distinct(cells, parse_int)


PARSERS: dict[str, Parser] = {
    "key": customer_keys,  # names.customer_key ('' for blanks)
    "day": dates,  # datetime64[ns], time dropped
    "when": _when,  # datetime64[ns] with the time
    "text": texts,  # parse.norm ('' for blanks)
    "status": _status,  # STATUS code or None
    "tier": _tier,  # 'A' / 'B' / 'C' or None
    "date": _date,  # datetime.date or None
    "amount": _amount,  # parse_amount
    "int": _int,  # parse_int
}


# The parsers that work per distinct cell (`map_distinct` of `one`: a blank cell gives `one(None)`), by
# the parse of one cell. `parsed` runs them over the column's shared factorisation (`factorized`) — what
# they would compute themselves.
PER_CELL: dict[Parser, Callable[[Any], Any]] = {
    customer_keys: customer_key,
    texts: norm,
    _status: STATUS.parse,
    _tier: TIER.parse,
    _date: parse_date,
    _amount: parse_amount,
    _int: parse_int,
}

AS_TYPE: dict[Parser, str] = {}  # parsers of PER_CELL whose result is then cast (e.g. to bool)


def per_cell(parser: Parser, one: Callable[[Any], Any], astype: str | None = None) -> None:
    """Declare that `parser(cells)` is `one` of each distinct cell (`one(None)` for a blank one), then cast
    to `astype`: `parsed` then runs it over the column's shared factorisation."""
    PER_CELL[parser] = one
    if astype is not None:
        AS_TYPE[parser] = astype


def parsed(frames: Frames, sheet: str, col: str, how: str | Parser) -> pd.Series:
    """`how` of a column of raw cells (same index), computed once while the column is unchanged. A
    function is memoised under its own identity, so give a module-level function (not a lambda)."""
    return _parsed(frames, sheet, col, how, copy=True)


def _parsed(frames: Frames, sheet: str, col: str, how: str | Parser, *, copy: bool) -> pd.Series:
    parse = PARSERS[how] if isinstance(how, str) else how
    return memo(frames, {sheet: (col,)}, ("column", sheet, col, parse), lambda: _parse(frames, sheet, col, parse),
                copy=copy)


def _parse(frames: Frames, sheet: str, col: str, parse: Parser) -> pd.Series:
    cells = frames.data(sheet)[col]
    if parse in PER_CELL:
        one = PER_CELL[parse]
        codes, uniques = factorized(frames, sheet, col)
        out = spread(codes, keys_of(uniques) if parse is customer_keys else [one(u) for u in uniques], one(None),
                     cells.index)
        return out.astype(AS_TYPE[parse]) if parse in AS_TYPE else out
    if parse is dates or parse is _when:
        return dates(cells, day=parse is dates, factorized=factorized(frames, sheet, col))
    return parse(cells)


def factorized(frames: Frames, sheet: str, col: str) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize` of a column's raw cells — codes (-1 for a blank cell) and the distinct cells (object
    array) — computed once while the column is unchanged: validation and the parsers share it. The arrays
    are the memo's own: read them, never change them."""
    def factorize() -> tuple[np.ndarray, np.ndarray]:
        codes, uniques = pd.factorize(frames.data(sheet)[col].to_numpy(dtype=object), use_na_sentinel=True)
        small = codes.astype(np.int32) if len(codes) < 2**31 else codes  # (half the memory, same codes)
        return small, np.asarray(uniques, dtype=object)

    return memo(frames, {sheet: (col,)}, ("factorized", sheet, col), factorize, copy=False)  # (only ever read)


def parsed_at(frames: Frames, sheet: str, col: str, how: str | Parser, index: pd.Index) -> pd.Series:
    """`how` of the cells of some rows (`index`: Excel rows of the sheet) — what `how(cells.loc[index])`
    gives. Taken from the whole column's memo when that is the same thing: every parser here works per
    distinct value (or per cell), so it is when the column holds only text or only dates (a subset could
    otherwise meet another of two equal values, such as 1 and True, first; dates() parses date and
    datetime cells one by one)."""
    parse = PARSERS[how] if isinstance(how, str) else how
    kinds = _SAFE_DATES if parse in (dates, _when) else TEXT_KINDS
    if cell_kind(frames, sheet, col) in kinds:
        return _parsed(frames, sheet, col, parse, copy=False).loc[index]  # (.loc makes the copy)
    return parse(frames.data(sheet)[col].loc[index])


def parsed_take(frames: Frames, sheet: str, col: str, how: str | Parser, positions: np.ndarray) -> np.ndarray:
    """`parsed_at` of the rows at `positions` (in the sheet's data), as an array: the same values, picked
    by position instead of looked up by Excel row."""
    parse = PARSERS[how] if isinstance(how, str) else how
    kinds = _SAFE_DATES if parse in (dates, _when) else TEXT_KINDS
    if cell_kind(frames, sheet, col) in kinds:
        if parse in PER_CELL:  # (the distinct cells' values, picked: no column-long Series to spread)
            codes = factorized(frames, sheet, col)[0]
            picked = _per_distinct(frames, sheet, col, parse)[codes[positions]]
            return pd.Series(picked, dtype=object).astype(AS_TYPE[parse]).to_numpy() if parse in AS_TYPE else picked
        return _parsed(frames, sheet, col, parse, copy=False).to_numpy()[positions]
    return parse(frames.data(sheet)[col].iloc[positions]).to_numpy()


def _per_distinct(frames: Frames, sheet: str, col: str, parse: Parser) -> np.ndarray:
    """A PER_CELL parser's value of each distinct cell of a column, then of a blank one (last: code -1 picks
    it), computed once while the column is unchanged. The memo's own array: read it, never change it."""
    def table() -> np.ndarray:
        one, uniques = PER_CELL[parse], factorized(frames, sheet, col)[1]
        out = np.empty(len(uniques) + 1, dtype=object)
        out[:-1] = keys_of(uniques) if parse is customer_keys else [one(u) for u in uniques]
        out[-1] = one(None)
        return out

    return memo(frames, {sheet: (col,)}, ("distinct", sheet, col, parse), table, copy=False)


TEXT_KINDS = ("string", "empty")  # cell_kind of a column of text / blank cells only
_SAFE_DATES = (*TEXT_KINDS, "datetime", "date")


def cell_kind(frames: Frames, sheet: str, col: str) -> str:
    """pandas' inferred type of a column's non-blank cells ('string' when all are text)."""
    return memo(frames, {sheet: (col,)}, ("kind", sheet, col),
                lambda: pd.api.types.infer_dtype(frames.data(sheet)[col], skipna=True))


__all__ = ["parsed", "parsed_at", "parsed_take", "cell_kind", "factorized", "per_cell", "PARSERS"]
