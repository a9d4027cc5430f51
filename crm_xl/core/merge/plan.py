"""Where a merge puts the rows of the source files it (re)merges: into the rows those sources held before, then
below the last record. Rows with no source (typed into the team workbook) and rows of other sources are never
touched, and nothing moves (no row is deleted or shifted: formulas, links and formats pointing at other rows
stay right)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    """`slots`: the rows the first records fill, in order; `clear`: rows of the sources merged that no record
    fills any more (emptied); `appended`: how many records go below the last record."""

    slots: list[int]
    clear: list[int]
    appended: int


def placement(rows: Sequence[int], sources: Sequence[object], merged: Iterable[str], count: int) -> Placement:
    """The placement of `count` records of the sources `merged` on a sheet whose record `rows` hold `sources`
    (None / '' for rows with no source). A re-merge of unchanged files puts every value where it already is."""
    names = set(merged)
    pool = sorted(int(r) for r, s in zip(rows, sources, strict=True) if isinstance(s, str) and s.strip() in names)
    return Placement(pool[:count], pool[count:], max(0, count - len(pool)))
