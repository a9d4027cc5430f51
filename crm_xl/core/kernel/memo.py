"""What the jobs of one run derive from the same cells, computed once.

The Book keeps one `Frame` per data sheet for a whole run (validate → tiers → stale → health → review),
and tells the frame whenever a job writes one of its columns or appends rows (`Frame.invalidate`). A memo
is stored on a frame together with a *stamp* of everything it was computed from: for each sheet it reads,
the frame, its DataFrame, its append count and the write count of each column it reads. A memo is used
only while the stamp is unchanged, so after the tiers job rewrites `tier` every memo that read `tier`
is recomputed, while one that read only `customer` is not.

Every memo returns a fresh copy of what it keeps (callers may change what they get), unless asked not to
by a caller that only reads it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ...model.frame import Frame, Frames

T = TypeVar("T")
Reads = Mapping[str, tuple[str, ...]]  # sheet key → column keys read


def _stamp(frames: Frames, reads: Reads) -> tuple[Any, ...]:
    out: list[Any] = []
    for sheet, cols in reads.items():
        frame = frames.get(sheet)
        if frame is None:
            out.append(None)
        else:
            out.append((frame, frame.data, frame.epoch, tuple(frame.writes.get(c, 0) for c in cols)))
    return tuple(out)


def _kept(stamp: tuple[Any, ...]) -> tuple[Any, ...]:
    """A stamp as stored: frames and DataFrames by weak reference (a memo keeps neither alive)."""
    return tuple(None if s is None else (weakref.ref(s[0]), weakref.ref(s[1]), *s[2:]) for s in stamp)


def _same(kept: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """The stored stamp is the current one: the same frames and DataFrames (by identity), the same
    counts."""
    if len(kept) != len(now):
        return False
    for x, y in zip(kept, now, strict=True):
        if x is None or y is None:
            if x is not y:
                return False
        elif x[0]() is not y[0] or x[1]() is not y[1] or x[2:] != y[2:]:
            return False
    return True


def _home(frames: Frames, reads: Reads) -> Frame | None:
    for sheet in reads:
        frame = frames.get(sheet)
        if frame is not None:
            return frame
    return None


def fresh(value: T) -> T:
    """A copy of a memoised value that the caller may change (pandas and numpy objects are copied)."""
    if isinstance(value, pd.Series | pd.DataFrame | np.ndarray):
        return value.copy()  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(fresh(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [fresh(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}  # type: ignore[return-value]
    return value


def memo(frames: Frames, reads: Reads, key: Hashable, compute: Callable[[], T], *, uses: Any = None,
         copy: bool = True) -> T:
    """`compute()`, computed once while the columns in `reads` are unchanged.

    `key` names the computation and its plain inputs (e.g. `("follow_state", as_of)`); `uses` is an input
    compared by identity (e.g. the Settings object: each Book reads its Settings once). When none of the
    sheets read is present nothing is kept. `copy=False` returns the kept value itself, not a fresh copy:
    only for a caller that never changes what it gets (it only reads it, or selects from it).
    """
    home = _home(frames, reads)
    if home is None:
        return compute()
    stamp = _stamp(frames, reads)
    entry = home.memos.get(key)
    if entry is not None and entry[1] is uses and _same(entry[0], stamp):
        return fresh(entry[2]) if copy else entry[2]
    value = compute()
    home.memos[key] = (_kept(stamp), uses, value)
    return fresh(value) if copy else value


__all__ = ["memo", "fresh"]
