"""Rows rewritten column by column: a region of plain rows, and the records appended below the last row.

Most rows of a data sheet are plain: every row and cell has its reference, the written columns are right
of every cell. A region of such rows is split at its row ends with bytes methods, each written column's
cells are made for all rows at once (`CellMaker._columns`) and spliced in before the row ends. A region
that is not like that is left to the row-by-row rewrite (`RowMerger._merge`), with the same result.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import repeat

from .cells import LETTERS
from .rowmerge import RowMerger
from .sheetcells import MISSING
from .sheetplan import ColumnPlan, SheetPlan
from .stylesxml import StyleBook


class RowBatcher(RowMerger):
    """The column-by-column rewrite of rows; the driver (SheetRewriter) keeps `todo`, `i` and `prev`."""

    todo: list[int]  # the rows that get cells, in order
    i: int  # index in `todo` of the next row to write
    prev: int  # number of the last row passed
    row_tag: bytes
    row_close: bytes

    def __init__(self, plan: SheetPlan, styles: StyleBook, date1904: bool = False) -> None:
        super().__init__(plan, styles, date1904)
        self._batch_re: tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]] | None = None
        self._todo_set: set[int] = set()

    def _batch(self, region: bytes) -> bytes | None:
        """The rows of a region of plain rows, most of the work done by bytes methods and column by
        column: every row and cell has its reference, no cell sits at or right of a written column, no
        row is created between them, no header or appended cell lands in them. None when the region is
        not like that (the row-by-row loop handles it)."""
        if not self.plans or any(p.new for p in self.plans):
            return None
        blocked, row_re, spans_re = self._batch_patterns()
        if blocked.search(region):
            return None
        found = self._region_rows(region, row_re)
        if found is None:
            return None
        rows, numbers, pieces, tail = found
        changes = self._region_changes(rows)
        if changes is None:
            return None
        j, every, changed = changes
        row_tag = self.row_tag
        for r in self.plan.probe_rows.intersection(rows):
            piece = pieces[rows.index(r)]
            self._probe(piece[piece.find(b">", piece.find(row_tag)) + 1:])
        columns = self._columns(self.plans, rows, numbers)
        cells = [b"".join(c) for c in zip(*columns, strict=True)] if len(columns) > 1 else columns[0]
        n_spans = region.count(b' spans="')
        spans = spans_re.findall(region) if n_spans else []
        if (every or all(changed)) and len(spans) == n_spans:  # spans, if any, right after `r`
            out = self._splice_every_row(region, pieces, tail, cells, spans)
        else:
            out = self._splice_changed_rows(pieces, tail, cells, changed)
        self.i = j
        self.prev = rows[-1]
        return out

    def _batch_patterns(self) -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
        """(a cell that stops a batch, a row's start with its number, a row's start with its spans), made
        once per sheet."""
        if self._batch_re is None:
            p = self.p.encode()
            first_col = self.plans[0].col
            self._batch_re = (  # a cell whose first attribute is not a reference left of the written columns
                re.compile(rb"<" + p + rb'c (?!r="(?:' + _letters_before(first_col) + rb')[0-9])'),
                re.compile(rb"<" + p + rb'row\b(?: r="([0-9]+)")?'),  # every row; b"" for one without `r` first
                re.compile(rb"<" + p + rb'row r="[0-9]+" spans="([0-9]+:[0-9]+)"'))
            self._todo_set = set(self.todo)
        return self._batch_re

    def _region_rows(self, region: bytes, row_re: re.Pattern[bytes],
                     ) -> tuple[list[int], list[bytes], list[bytes], bytes] | None:
        """(row numbers, the same as text, the region cut at each row's end, what follows the last row's
        end) — None unless every row has a number, closes with an end tag, and comes after the one before."""
        row_tag, row_close = self.row_tag, self.row_close
        numbers = row_re.findall(region)
        pieces = region.split(row_close)
        tail = pieces.pop()  # a self-closing row or one without `r` makes the counts below differ
        if not numbers or row_tag in tail or len(numbers) != len(pieces) or b"" in numbers:
            return None
        rows = list(map(int, numbers))
        if any(map(bytes.startswith, numbers, repeat(b"0"))):
            numbers = [b"%d" % r for r in rows]  # references are written without leading zeros
        if any(map(int.__le__, rows[1:], rows)) or rows[0] <= self.prev:
            return None
        return rows, numbers, pieces, tail

    def _region_changes(self, rows: list[int]) -> tuple[int, bool, list[bool]] | None:
        """(index in `todo` after the region, whether every row changes, which rows change) — None when a
        row must be created between the region's rows or a header or appended cell lands in one."""
        todo, i, plan = self.todo, self.i, self.plan
        first, last = rows[0], rows[-1]
        j = bisect_right(todo, last)
        every = todo[i:j] == rows  # the common case: every row of the region changes
        changed = [True] * len(rows) if every else list(map(self._todo_set.__contains__, rows))
        if (i < len(todo) and todo[i] < first) or (not every and sum(changed) != j - i):
            return None  # a row to create between existing rows
        if (plan.headers or plan.appends) and any(r in plan.headers or r in plan.appends for r in rows):
            return None
        return j, every, changed

    def _splice_every_row(self, region: bytes, pieces: list[bytes], tail: bytes, cells: list[bytes],
                          spans: list[bytes]) -> bytes:
        """The region with each row's new cells before its end tag, every row changing (`spans`: the
        rows' spans, each right after the row's `r`, widened first)."""
        row_close = self.row_close
        if spans:
            pieces = self._widen_spans(region, set(spans)).split(row_close)
            tail = pieces.pop()
        if len(cells) != len(pieces):
            raise ValueError("a region's rows and new cells differ in number")
        out = [row_close] * (3 * len(pieces))  # each row, its new cells, its close
        out[0::3] = pieces
        out[1::3] = cells
        out.append(tail)
        return b"".join(out)

    def _splice_changed_rows(self, pieces: list[bytes], tail: bytes, cells: list[bytes],
                             changed: list[bool]) -> bytes:
        """The region with the new cells of the rows that change before their end tags (their start tags
        widened one by one)."""
        row_tag, row_close = self.row_tag, self.row_close
        out: list[bytes] = []
        append = out.append
        for piece, cell, change in zip(pieces, cells, changed, strict=True):
            if change:
                start = piece.find(row_tag)
                gt = piece.find(b">", start)
                append(piece[:start])
                append(self._row_open(piece[start:gt]))
                append(piece[gt + 1:])
                append(cell)
            else:
                append(piece)
            append(row_close)
        out.append(tail)
        return b"".join(out)

    def _appended_rows(self) -> bytes | None:
        """The rows appended below the last row, when they hold appended records only (the tier log's new
        rows), built column by column like `_batch`. None when they are not like that."""
        rows = self.todo[self.i:]
        plan = self.plan
        appends = plan.appends
        if len(rows) < 2 or not all(map(appends.__contains__, rows)) or any(r in plan.headers for r in rows) \
                or any(not c.values.keys().isdisjoint(rows) for c in self.plans):
            return None
        numbers = [b"%d" % r for r in rows]
        records = [appends[r] for r in rows]
        cols = sorted(set().union(*records))
        plans = [ColumnPlan(col, {}, plan.append_kinds.get(col)) for col in cols]  # type: ignore[arg-type]
        listed = [list(map(dict.get, records, repeat(col), repeat(MISSING, len(records)))) for col in cols]
        columns = self._columns(plans, rows, numbers, listed)  # (MISSING: a record without the column, no cell)
        self.i = len(self.todo)
        row_tag, row_close = self.row_tag, self.row_close
        bodies = list(map(b"".join, zip(*columns, strict=True)))
        if len(bodies) != len(rows) or b"" in bodies:  # a row without a cell is left out
            return b"".join([b'%s r="%s">%s%s' % (row_tag, n, body, row_close)
                             for n, body in zip(numbers, bodies, strict=False) if body])
        out = [row_close] * (5 * len(rows))  # each row: its tag, number, '">', cells and close
        out[0::5] = [row_tag + b' r="'] * len(rows)
        out[1::5] = numbers
        out[2::5] = [b'">'] * len(rows)
        out[3::5] = bodies
        return b"".join(out)


def _letters_before(col: int) -> bytes:
    """A regex alternation matching the letters of every column left of `col` (one that matches nothing
    when `col` is A)."""
    if col <= 1:
        return b"(?!)"
    last = LETTERS[col - 1].decode()
    n = len(last)
    alts = [f"[A-Z]{{1,{n - 1}}}"] if n > 1 else []
    for k, ch in enumerate(last):
        if ch != "A":
            alts.append(last[:k] + f"[A-{chr(ord(ch) - 1)}]" + "[A-Z]" * (n - k - 1))
    alts.append(last)
    return "|".join(alts).encode()
