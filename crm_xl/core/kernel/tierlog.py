"""Reading the tier log (客户分级表): each customer's logged tier as of a date, and the moves.

The log is append-only history; rows typed by hand count like rows crm-xl appended. Rows are ordered
by their date, then by their position in the sheet (a later row on the same day is the later entry);
rows without a readable date count as the oldest. Rows with a blank customer or an unreadable tier
are ignored (validation reports them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from ...model.frame import Frames
from ...model.parse import parse_date
from ...model.schema import TIER
from .cells import object_frame
from .columns import factorized, parsed
from .memo import memo
from .names import keys_of
from .vectors import NS, dates, stamps

HISTORY_COLUMNS = ["key", "customer", "tier", "prev", "date", "reason", "owner", "row"]
_READS = {"tierlog": ("customer", "tier", "date", "reason", "owner")}


Split = Callable[[str], tuple[np.ndarray, np.ndarray]]  # column → pd.factorize of its cells (codes, distinct)


def tier_history(tierlog: pd.DataFrame, split: Split | None = None) -> pd.DataFrame:
    """Every usable tier-log row, oldest first.

    `tierlog` is the TierLog sheet's data (`ctx.frames.data("tierlog")`, raw cells, indexed by Excel row).
    Columns of the result: key (`customer_key`), customer (as typed), tier ('A'/'B'/'C'), prev (the
    customer's previous logged tier, None for its first row), date (datetime.date or None), reason, owner,
    row (Excel row number). Use it for "tier moves in a month": rows whose date falls in the month, with
    prev → tier. `split`: the factorisation of a column's cells when already known (`columns.factorized`).
    """
    if tierlog.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})
    n = len(tierlog)

    def cells(key: str) -> np.ndarray:
        return tierlog[key].to_numpy() if key in tierlog.columns else np.full(n, None, dtype=object)

    split = split or (lambda col: pd.factorize(tierlog[col].to_numpy(dtype=object), use_na_sentinel=True))
    # each distinct cell parsed once (the last entry of each table: a blank cell, code -1); the keys numbered
    names, distinct = split("customer")
    keys_u = np.array([*keys_of(distinct), ""], dtype=object)
    numbers_u = pd.factorize(keys_u)[0]
    key, number = keys_u[names], numbers_u[names]
    tiers, distinct = split("tier")
    tier_u = np.array([*(TIER.parse(t) for t in distinct), TIER.parse(None)], dtype=object)
    tier = tier_u[tiers]
    days, distinct = split("date")
    date_u = [*(parse_date(d) for d in distinct), parse_date(None)]
    stamp_u = dates(pd.Series(date_u, dtype=object), day=False).to_numpy()  # (each distinct day converted once)
    date, stamp = np.array(date_u, dtype=object)[days], stamp_u[days]
    row = tierlog.index.to_numpy()
    kept = np.flatnonzero((keys_u != "")[names] & pd.notna(tier_u)[tiers])
    # undated rows first (by sheet row), then by date and sheet row — one lexsort (sheet rows are unique)
    at = kept[np.lexsort((row[kept], stamp[kept].view(np.int64), ~np.isnat(stamp[kept])))]
    columns = {"key": key[at], "customer": cells("customer")[at], "tier": tier[at], "date": date[at],
               "reason": cells("reason")[at], "owner": cells("owner")[at], "row": row[at]}
    columns["prev"] = _previous(number[at], columns["tier"])
    return object_frame({c: columns[c] for c in HISTORY_COLUMNS})


def _previous(numbers: np.ndarray, tiers: np.ndarray) -> np.ndarray:
    """The tier of the row before each row with the same key number (None for a key's first row)."""
    out = np.full(len(numbers), None, dtype=object)
    if not len(numbers):
        return out
    order = np.argsort(numbers, kind="stable")  # each key's rows together, in order
    same = numbers[order[1:]] == numbers[order[:-1]]
    out[order[1:][same]] = tiers[order[:-1][same]]
    return out


def logged_tier_on(tierlog: pd.DataFrame, on: dt.date | None = None) -> pd.DataFrame:
    """Each customer's logged tier as of `on`: its latest tier-log row dated on or before `on` (undated
    rows included; `on=None` → every row).

    Returns a DataFrame indexed by customer key (`crm_xl.core.kernel.names.customer_key`) with the columns of
    `tier_history` (customer, tier, prev, date, reason, owner, row). Look a customer up with
    `logged.tier.get(customer_key(name))`.
    """
    hist = tier_history(tierlog)
    return hist.iloc[_last_rows(hist, on)].set_index("key")  # (rows picked by position, then copied once)


def _last_rows(hist: pd.DataFrame, on: dt.date | None, dated: pd.Series | None = None) -> np.ndarray:
    """Positions in `hist` of each key's last row dated on or before `on` (or undated), in order."""
    pos = np.arange(len(hist))
    if on is not None and len(hist):
        dated = stamps(hist["date"]) if dated is None else dated
        pos = np.flatnonzero((dated.isna() | (dated <= pd.Timestamp(on))).to_numpy())
    last = ~pd.Series(hist["key"].to_numpy()[pos], dtype=object).duplicated(keep="last").to_numpy()
    return pos[last]


def known_tiers(frames: Frames, keys: pd.Series, on: dt.date) -> pd.Series:
    """Each customer's tier on `on` (`keys`: their customer keys, same index): Customers.tier when filled,
    else the latest tier-log row up to `on`, else None."""
    tier = parsed(frames, "customers", "tier", "tier")
    if tier.isna().any():
        logged = logged_tiers(frames, on)
        if len(logged):
            tier = tier.fillna(keys.map(logged))
    return tier


def tiers_on(frames: Frames, keys: pd.Series, on: dt.date) -> pd.Series:
    """`known_tiers`, else C."""
    return known_tiers(frames, keys, on).fillna("C")


def history(frames: Frames) -> pd.DataFrame:
    """`tier_history` of the workbook's tier log, computed once per run while the log is unchanged."""
    return memo(frames, _READS, ("tier_history",), lambda: _tier_history(frames))


def _tier_history(frames: Frames) -> pd.DataFrame:
    """`tier_history` over the columns' shared factorisations (validation made them)."""
    return tier_history(frames.data("tierlog"), lambda col: factorized(frames, "tierlog", col))


def _history(frames: Frames) -> tuple[pd.DataFrame, pd.Series]:
    """`history` and its dates as Timestamps (NaT: undated), the memos themselves (only read)."""
    hist = memo(frames, _READS, ("tier_history",), lambda: _tier_history(frames), copy=False)
    dated = memo(frames, _READS, ("tier_history_dates",), lambda: stamps(hist["date"]), copy=False)
    return hist, dated


def logged_tiers(frames: Frames, on: dt.date | None = None) -> pd.Series:
    """`logged_tier_on(tierlog, on)["tier"]` of the workbook's tier log (tier by customer key), computed
    once per run and day while the log is unchanged; without copying the rows' other cells."""
    def tiers() -> pd.Series:
        hist, dated = _history(frames)
        at = _last_rows(hist, on, dated)
        keys = pd.Index(hist["key"].to_numpy()[at], name="key", dtype=object)
        return pd.Series(hist["tier"].to_numpy()[at], index=keys, name="tier", dtype=object)

    return memo(frames, _READS, ("logged_tiers", on), tiers, copy=False)  # (callers only read it)


STINT_COLUMNS = ["key", "tier", "start", "end"]


def stints(frames: Frames) -> pd.DataFrame:
    """Every run of one tier in the tier log (a row repeating the customer's previous tier continues it).

    Columns: key, tier, start (Timestamp of the run's first row; NaT when that row is undated), end (start of
    the customer's next run; NaT for its current one). Each customer's runs together, oldest first; computed
    once per run while the log is unchanged."""
    def runs() -> pd.DataFrame:
        hist, dated = _history(frames)
        first = np.flatnonzero(hist["prev"].to_numpy() != hist["tier"].to_numpy())
        # each customer's runs together, in the log's order
        at = first[np.argsort(pd.factorize(hist["key"].to_numpy()[first])[0], kind="stable")]
        key = hist["key"].to_numpy()[at]
        start = dated.to_numpy(dtype=NS)[at]
        end = np.full(len(at), np.datetime64("NaT", "ns"))
        if len(at) > 1:
            same = key[1:] == key[:-1]
            end[:-1][same] = start[1:][same]
        return object_frame({"key": key, "tier": hist["tier"].to_numpy()[at], "start": start, "end": end})

    return memo(frames, _READS, ("tier_stints",), runs, copy=False)  # (callers only read it)


def current_stints(frames: Frames, on: dt.date) -> pd.DataFrame:
    """Each customer's tier run in force on `on` (its last run started on or before `on`, undated runs
    counting as the oldest), indexed by customer key: tier, start (NaT: undated)."""
    hist, dated = _history(frames)
    stamp = dated.to_numpy(dtype=NS)
    first = hist["prev"].to_numpy() != hist["tier"].to_numpy()  # (rows are in date order: no sort needed)
    pos = np.flatnonzero(first & (np.isnat(stamp) | (stamp <= np.datetime64(pd.Timestamp(on), "ns"))))
    keys = hist["key"].to_numpy()[pos]
    at = pos[~pd.Series(keys, dtype=object).duplicated(keep="last").to_numpy()]
    return object_frame({"tier": hist["tier"].to_numpy()[at], "start": stamp[at]},
                        pd.Index(hist["key"].to_numpy()[at], name="key", dtype=object))
