"""What the jobs of one run derive from the same cells, computed once: the run's `RunCache`.

The Book keeps one `Frame` per data sheet for a whole run (validate → tiers → stale → health → review)
and one `RunCache` beside them (`Book.cache`, handed to every job in `Context.cache`); it tells the cache
whenever a job writes one of a frame's columns or appends rows (`RunCache.invalidate`). A memo is kept in
the cache for the first sheet it reads, together with a *stamp* of everything it was computed from: for
each sheet it reads, the frame, its DataFrame, its append count and the write count of each column it
reads. A memo is used only while the stamp is unchanged, so after the tiers job rewrites `tier` every memo
that read `tier` is recomputed, while one that read only `customer` is not.

The kernel helpers take the frames of a Context (`CachedFrames`, the frames bound to the run's cache);
plain `Frames` (no cache) compute every time.

Every memo returns a fresh copy of what it keeps (callers may change what they get), unless asked not to
by a caller that only reads it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ...model.frame import Frame, Frames

T = TypeVar("T")
Reads = Mapping[str, tuple[str, ...]]  # sheet key → column keys read


class _Sheet:
    """What a RunCache keeps for one frame: its memos, the write count of each column, the append count."""

    __slots__ = ("ref", "memos", "writes", "epoch")

    def __init__(self, frame: Frame) -> None:
        self.ref = weakref.ref(frame)
        self.memos: dict[Any, Any] = {}
        self.writes: dict[str, int] = {}
        self.epoch = 0


class RunCache:
    """The parse-once memos of one run, shared by its jobs (one per Book; see the module docstring).

    Kept per frame, by identity: a frame that is gone (or a new frame in its place) starts afresh."""

    def __init__(self) -> None:
        self._sheets: dict[int, _Sheet] = {}

    def sheet(self, frame: Frame) -> _Sheet:
        """The frame's memos and counts (created empty on first use)."""
        kept = self._sheets.get(id(frame))
        if kept is None or kept.ref() is not frame:
            kept = self._sheets[id(frame)] = _Sheet(frame)
        return kept

    def invalidate(self, frame: Frame, key: str | None = None) -> None:
        """Column `key` of `frame.data` was written (every column when None: rows were appended), so
        anything memoised from it is stale. The Book calls this whenever it changes a frame's data."""
        kept = self.sheet(frame)
        if key is None:
            kept.epoch += 1
            kept.memos.clear()
        else:
            kept.writes[key] = kept.writes.get(key, 0) + 1

    def clear(self) -> None:
        """Drop every memo (the counts go too: the frames are read again after this)."""
        self._sheets.clear()

    def release(self) -> None:
        """Drop the memos but keep the counts (the frames stay: the save needs the room more)."""
        for kept in self._sheets.values():
            kept.memos.clear()


@dataclass
class CachedFrames(Frames):
    """The data sheets of a run bound to the run's cache: what `Context.frames` holds."""

    cache: RunCache | None = field(default=None, repr=False, compare=False)


def bind(frames: Frames, cache: RunCache) -> CachedFrames:
    """`frames` as CachedFrames on `cache` (the same Frame objects)."""
    return CachedFrames(**frames.sheets(), cache=cache)


def _stamp(cache: RunCache, frames: Frames, reads: Reads) -> tuple[Any, ...]:
    out: list[Any] = []
    for sheet, cols in reads.items():
        frame = frames.get(sheet)
        if frame is None:
            out.append(None)
        else:
            kept = cache.sheet(frame)
            out.append((frame, frame.data, kept.epoch, tuple(kept.writes.get(c, 0) for c in cols)))
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
    sheets read is present, or `frames` carry no cache, nothing is kept. `copy=False` returns the kept value itself, not a fresh copy:
    only for a caller that never changes what it gets (it only reads it, or selects from it).
    """
    cache = getattr(frames, "cache", None)
    home = _home(frames, reads)
    if home is None or cache is None:
        return compute()
    stamp = _stamp(cache, frames, reads)
    memos = cache.sheet(home).memos
    entry = memos.get(key)
    if entry is not None and entry[1] is uses and _same(entry[0], stamp):
        return fresh(entry[2]) if copy else entry[2]
    value = compute()
    memos[key] = (_kept(stamp), uses, value)
    return fresh(value) if copy else value


__all__ = ["memo", "fresh", "RunCache", "CachedFrames", "bind"]
