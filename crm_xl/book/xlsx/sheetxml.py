"""Streaming rewrite of a data sheet's XML: the owned cells change, every other byte stays as it was.

Only `<sheetData>` rows that receive a value are rebuilt, and inside them only the owned cells; the
elements before and after `<sheetData>` (conditional formats, validations, drawings, table parts, extLst
…) are copied unchanged, except `<dimension>`, `<cols>` and ranges that grow with a table (sheetbounds.py).
The part is processed in chunks, so memory stays flat on a million rows. This module is the driver: it
finds the rows a change touches, hops over the others, and hands regions of rows to the column-by-column
rewrite (rowbatch.py) or, row by row, to the merge (rowmerge.py); the cells come from sheetcells.py.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from .cells import CellWriter, attr_xml
from .package import worksheet_prefix
from .rowbatch import RowBatcher
from .sheetbounds import grow_ranges, rewrite_head
from .sheetplan import ColumnPlan, SheetPlan
from .stylesxml import StyleBook

_GAP = 8  # rows between two changes below which scanning beats searching
_BATCH = True  # regions of plain rows and appended records built column by column (tests turn it off)


class SheetRewriter(RowBatcher):
    """Rewrites one worksheet part according to a SheetPlan."""

    def __init__(self, plan: SheetPlan, styles: StyleBook, date1904: bool = False) -> None:
        super().__init__(plan, styles, date1904)
        rows: set[int] = set()
        for c in plan.columns.values():
            rows.update(c.values)
        rows.update(plan.headers)
        rows.update(plan.appends)
        self.todo = sorted(rows)
        self.stops = sorted(rows | plan.probe_rows)  # the rows a rewrite must look at; the rest is copied
        self._run_ends: list[int] | None = None  # indexes of stops that end a run of nearby stops

    # --- driver ----------------------------------------------------------------------------------

    def run(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The rewritten part, in pieces, from the original's chunks."""
        it = iter(chunks)
        buf = b""
        head_match = None
        for chunk in it:
            buf += chunk
            if self._prefix_known(buf):
                head_match = self.sd_open.search(buf)
                if head_match:
                    break
        if head_match is None:
            raise ValueError("worksheet without sheetData")
        head, self.col_styles = rewrite_head(buf[:head_match.start()], self.p.encode(), self.plan)
        yield head
        self_closing = head_match.group(1) == b"/"
        yield re.sub(rb"\s*/>$", b">", head_match.group(0)) if self_closing else head_match.group(0)
        buf = buf[head_match.end():]
        self.i = 0
        self.prev = 0  # number of the last row passed (rows without `r` follow it)
        if not self_closing:
            while True:
                end = buf.find(self.sd_close)
                if end >= 0:
                    yield from self._rows(buf[:end])
                    buf = buf[end:]
                    break
                cut = buf.rfind(self.row_tag)
                if cut > 0:
                    yield from self._rows(buf[:cut])
                    buf = buf[cut:]
                chunk = next(it, None)
                if chunk is None:
                    raise ValueError("worksheet XML ends inside sheetData")
                buf += chunk
        yield from self._new_rows(None)
        if self_closing:
            yield self.sd_close
        if self.plan.grows:
            yield grow_ranges(buf + b"".join(it), self.plan.grows)
        else:
            yield buf
            yield from it

    def _prefix_known(self, buf: bytes) -> bool:
        """Whether the sheet's namespace prefix is known (read from `buf` the first time it shows, with
        the tags and patterns spelled in it)."""
        if hasattr(self, "p"):
            return True
        prefix = worksheet_prefix(buf)
        if prefix is None:
            return False
        p = prefix.decode()
        self.p = p
        self.writer = CellWriter(p, self.date1904)
        self.row_tag = f"<{p}row".encode()
        self.row_close = f"</{p}row>".encode()
        self.cell_tag = f"<{p}c ".encode()
        self.cell_r = f'<{p}c r="'.encode()
        self.cell_close = f"</{p}c>".encode()
        self.f_tag = f"<{p}f".encode()
        self.sd_open = re.compile(rf"<{p}sheetData\b[^>]*?(/?)>".encode())
        self.sd_close = f"</{p}sheetData>".encode()
        self.cell_re = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>.*?</{p}c>)".encode(), re.S)
        return True

    # --- rows ------------------------------------------------------------------------------------

    def _new_rows(self, before: int | None) -> Iterator[bytes]:
        """Rows crm-xl creates (no element yet) with numbers below `before` (all remaining if None)."""
        if before is None and _BATCH and (batch := self._appended_rows()) is not None:
            yield batch
            return
        todo = self.todo
        while self.i < len(todo) and (before is None or todo[self.i] < before):
            r = todo[self.i]
            self.i += 1
            body = self._merge(r, b"")
            if body:
                yield b'%s r="%d">%s%s' % (self.row_tag, r, body, self.row_close)


    def _rows(self, region: bytes) -> Iterator[bytes]:
        """A region of whole rows rewritten: batched when it can be, else row by row, hopping over the rows
        no change touches."""
        batch = self._batch(region) if _BATCH else None
        if batch is not None:
            yield batch
            return
        todo = self.todo
        n = len(todo)
        i = self.i
        row_tag, row_close = self.row_tag, self.row_close
        close_len = len(row_close)
        probe = self.plan.probe_rows
        merge = self._merge
        out: list[bytes] = []
        append = out.append
        copied = pos = 0
        prev = self.prev
        find = region.find
        hop, target = True, 0
        while True:
            if hop:
                pos, prev, target = self._hop(region, pos, prev)
                if target < 0:
                    break
                hop = False
            start = find(row_tag, pos)
            if start < 0:
                break
            gt = find(b">", start)
            if region[gt - 1] == 47:  # <row …/>
                end = gt + 1
                body_start = body_end = tag_end = gt - 1
            else:
                body_end = find(row_close, gt)
                end = body_end + close_len
                body_start = tag_end = gt
                body_start += 1
            pos = end
            k = find(b' r="', start, tag_end)
            if k >= 0:
                k += 4
                r = int(region[k:find(b'"', k)])
            else:
                r = prev + 1
            prev = r
            if r >= target:
                hop = True
            if probe and r in probe:
                self._probe(region[body_start:body_end])
            if i < n and todo[i] <= r:
                append(region[copied:start])
                copied = start
                if todo[i] < r:
                    self.i = i
                    out.extend(self._new_rows(r))
                    i = self.i
                if i < n and todo[i] == r:
                    i += 1
                    body = merge(r, region[body_start:body_end])
                    if body or body_end > body_start:
                        append(self._row_open(region[start:tag_end]) + body + row_close)
                        copied = end
            if len(out) > 4096:
                yield b"".join(out)
                out.clear()
        self.i = i
        self.prev = prev
        append(region[copied:])
        yield b"".join(out)

    def _hop(self, region: bytes, pos: int, prev: int) -> tuple[int, int, int]:
        """Skip the rows no change touches: (new position, last row number passed, the row to scan up
        to). The target is -1 when nothing in the rest of the region needs a change. Rows a change
        touches that lie close together (a column written on every row) are scanned one by one up to
        the end of the run; a distant one is found by its `r` and the rows before it are copied."""
        stops = self.stops
        j = bisect_left(stops, prev + 1)
        if j == len(stops):
            return pos, self._last_row(region, pos, prev), -1
        target = stops[j]
        if target - prev > _GAP:
            q = region.find(self.row_tag + b' r="%d"' % target, pos)
            if q >= 0:
                return q, target - 1, target
            last = self._last_row(region, pos, None)
            if last is not None and last < target:
                return pos, last, -1
            return pos, prev, target  # rows without `r`, or the row is not there yet: scan up to it
        if self._run_ends is None:
            self._run_ends = [k for k in range(len(stops) - 1) if stops[k + 1] - stops[k] > _GAP]
            self._run_ends.append(len(stops) - 1)
        ends = self._run_ends
        return pos, prev, stops[ends[bisect_left(ends, j)]]

    def _last_row(self, region: bytes, pos: int, default: int | None) -> int | None:
        """The number of the last row that starts in region[pos:] (`default` when it has no `r`)."""
        start = region.rfind(self.row_tag, pos)
        if start < 0:
            return default
        k = region.find(b' r="', start, region.find(b">", start))
        if k < 0:
            return default
        k += 4
        return int(region[k:region.find(b'"', k)])


__all__ = ["ColumnPlan", "SheetPlan", "SheetRewriter", "attr_xml"]
