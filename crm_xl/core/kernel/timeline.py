"""The usable follow-ups as arrays, oldest first, so a follow-up state as of any day is a prefix of them.

Computed once per run (see memo.py) while the follow-ups' customers and dates and the Customers names are
unchanged: the stale job's state as of today and the review's as of two month ends share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model.frame import Frames
from .columns import factorized, parsed
from .memo import memo
from .names import keys_of


@dataclass(frozen=True)
class Timeline:
    """Every follow-up with a known customer and a readable date, oldest first (by date and time, then
    sheet row). `day`: its date (datetime64[ns], time dropped: never decreasing), `row`: its position in
    the sheet's data, `code`: its customer key as a number; `customers`: the number of each Customers
    row's key (in the same numbering); `size`: how many numbers there are."""

    day: np.ndarray
    row: np.ndarray
    code: np.ndarray
    customers: np.ndarray
    size: int

    def upto(self, day: pd.Timestamp) -> int:
        """How many follow-ups are dated on or before `day` (they are the first ones)."""
        return int(np.searchsorted(self.day, day.to_datetime64(), side="right"))

    def latest(self, n: int) -> np.ndarray:
        """Per key number, the position of its latest follow-up among the first `n` (-1: none)."""
        last = np.full(self.size, -1, dtype=np.int64)
        np.maximum.at(last, self.code[:n], np.arange(n, dtype=np.int64))
        return last

    def latest_day(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Per key number, the latest of `days` (datetime64[ns]) whose key number (`codes`) is its own
        (NaT: none)."""
        last = np.full(self.size, np.datetime64("NaT", "ns")).view(np.int64)  # NaT is the smallest int64
        np.maximum.at(last, codes, days.view(np.int64))
        return last.view("datetime64[ns]")


def timeline(frames: Frames) -> Timeline:
    """The workbook's Timeline, computed once per run (callers only read it)."""
    reads = {"followups": ("customer", "date"), "customers": ("customer",)}
    return memo(frames, reads, ("follow_timeline",), lambda: _timeline(frames), copy=False)


def _timeline(frames: Frames) -> Timeline:
    keys = parsed(frames, "followups", "customer", "key").to_numpy(dtype=object)
    when = parsed(frames, "followups", "date", "when").to_numpy(dtype="datetime64[ns]")
    seq = frames.data("followups").index.to_numpy()
    ok = np.flatnonzero((keys != "") & ~np.isnat(when))
    row = ok[np.lexsort((seq[ok], when[ok].view(np.int64)))]
    day = pd.DatetimeIndex(when[row]).normalize().to_numpy()
    # number the keys of the distinct customer cells together with the Customers keys
    raw_codes, raw = factorized(frames, "followups", "customer")
    customers = parsed(frames, "customers", "customer", "key").to_numpy(dtype=object)
    numbers, distinct = pd.factorize(np.concatenate([customers, np.array(keys_of(raw), dtype=object)]))
    code = numbers[len(customers):][raw_codes[row]]
    return Timeline(day, row, code.astype(np.int64), numbers[: len(customers)].astype(np.int64), len(distinct))


__all__ = ["Timeline", "timeline"]
