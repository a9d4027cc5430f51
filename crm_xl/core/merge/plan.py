"""Where a merge puts the rows of the source files it (re)merges: each file's rows into the rows that file held
before, then into blank rows among the records (rows an earlier merge emptied, or that this one empties), then
below the last record. Rows with no source (typed into the team workbook) and rows of other sources are never
touched, and nothing moves (no row is deleted or shifted: formulas, links and formats pointing at other rows
stay right)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    """`order`: the records (by their index in the merge's order) in the order they are written: the first
    len(`slots`) fill `slots`, the rest go below the last record (`appended` of them); `clear`: rows of the
    sources merged that no record fills any more (emptied)."""

    slots: list[int]
    clear: list[int]
    appended: int
    order: list[int]


def placement(rows: Sequence[int], sources: Sequence[object], merged: Sequence[tuple[str, int]],
              blank: Iterable[int] = ()) -> Placement:
    """The placement of the records of the sources `merged` ((file name, number of records), in the merge's
    order: its records are numbered in that order) on a sheet whose record `rows` hold `sources` (None / ''
    for rows with no source), with `blank` rows among the records (no cell in any column). Each file's
    records fill the rows it held; the records left over take blank rows (the first ones first, file by
    file), then go below the last record. A file's records go top to bottom over its rows, so a re-merge of
    unchanged files, together or one by one, puts every value where it already is."""
    held: dict[str, list[int]] = {}
    for r, s in zip(rows, sources, strict=True):
        if isinstance(s, str):
            held.setdefault(s.strip(), []).append(int(r))
    kept, clear = [], []
    for name, count in merged:
        own = sorted(held.get(name, []))
        kept.append(own[:count])
        clear += own[count:]
    free = sorted({int(r) for r in blank} | set(clear))
    slots, order, below = [], [], []
    start = 0
    for (_, count), own in zip(merged, kept, strict=True):
        need = count - len(own)
        taken, free = free[:need], free[need:]
        mine = sorted([*own, *taken])  # the file's records top to bottom, those below the last record after
        slots += mine
        order += range(start, start + len(mine))
        below += range(start + len(mine), start + count)
        start += count
    return Placement(slots, sorted(set(clear) - set(slots)), len(below), order + below)
