"""One row's new content, when a sheet's rows are rewritten one at a time.

The owned cells of a row are added after its last cell or replaced where they are, found by their
references with plain bytes searches; a row out of the ordinary (cells without references, a new cell
between two others) is parsed cell by cell. The row's `spans` hint is widened to the written columns.
"""

from __future__ import annotations

import re
from typing import Any

from .cells import LETTERS
from .sheetcells import CELL_REF, MISSING, NOT_DATES, STYLE, CellMaker, col_number
from .sheetplan import ColumnPlan, SheetPlan
from .stylesxml import StyleBook

Target = tuple[int, Any, ColumnPlan | None, bool]  # (column, value, its column plan, is a header)
COLNUM = {letters: i for i, letters in enumerate(LETTERS) if i}
_DIGITS = b"0123456789"


class RowMerger(CellMaker):
    """Merges the cells a SheetPlan writes into a row's existing content."""

    cell_r: bytes  # b'<c r="' in the sheet's prefix (set with `p`)
    cell_tag: bytes
    cell_close: bytes

    def __init__(self, plan: SheetPlan, styles: StyleBook, date1904: bool = False) -> None:
        super().__init__(plan, styles, date1904)
        self.plans = sorted(plan.columns.values(), key=lambda c: c.col)
        self.max_col = plan.last_col()
        self._spans: dict[bytes, bytes] = {}
        self.any_new = any(c.new for c in plan.columns.values()) or bool(plan.headers)
        self.simple = not plan.headers and not plan.appends
        only = self.plans[0] if len(self.plans) == 1 and self.simple and not self.plans[0].new else None
        self.single = only
        self.single_ref = LETTERS[only.col] if only is not None else b""

    def _merge(self, r: int, body: bytes) -> bytes:
        """The new content of row `r` (the owned cells replaced or added), by the first step that applies:
        one text cell after the row's last cell, cells after it, cells replaced where they are (found by
        reference), or a full parse of the row (when the last cell has no reference, or a cell to replace
        is not found)."""
        single = self.single
        if single is not None and body:
            done = self._single_after_last(single, r, body)
            if done is not None:
                return done
        if self.simple:  # the columns' values only (inline: this runs once per row)
            missing = MISSING
            targets = [(p.col, v, p, False) for p in self.plans if (v := p.values.get(r, missing)) is not missing]
        else:
            targets = self._targets(r)
        if not targets:
            return body
        rb = b"%d" % r
        last_col = last_s = 0  # the row's last cell: its column (0: none), its style (read for computed cells)
        if body:
            cell_r = self.cell_r
            k = body.rfind(cell_r)
            if k < 0 or body.find(self.cell_tag, k + 1) >= 0:  # the last cell has no reference
                return self._merge_slow(r, body, targets)
            k += len(cell_r)
            e = body.find(b'"', k)
            last_col = COLNUM.get(body[k:e].rstrip(b"0123456789"), 0)
            if self.any_new:
                s = STYLE.search(body[k:body.find(b">", e)])
                last_s = int(s.group(1)) if s else 0
        if targets[0][0] > last_col:
            return self._after_last(body, rb, targets, last_s)
        done = self._in_place(body, rb, targets, last_col, last_s)
        return self._merge_slow(r, body, targets) if done is None else done

    def _single_after_last(self, single: ColumnPlan, r: int, body: bytes) -> bytes | None:
        """The common case of a plan with one plain column (`single`): a text cell after the row's last
        cell. None when row `r` is not like that."""
        v = single.values.get(r, MISSING)
        if v.__class__ is not str:
            return None
        k = body.rfind(self.cell_r)
        if k < 0 or body.find(self.cell_tag, k + 1) >= 0:
            return None
        k += len(self.cell_r)
        if COLNUM.get(body[k:body.find(b'"', k)].rstrip(_DIGITS), 0) >= single.col:
            return None
        style = self.last_style.get(single.col)
        if style is None:
            style = self.last_style[single.col] = self._col_style(single.col)
        return body + self.writer.cell(self.single_ref + b"%d" % r, v, style)

    def _targets(self, r: int) -> list[Target]:
        """The cells row `r` gets, by column, when the plan has headers or appended rows: the columns'
        values, then headers and appended values (a later one for the same column wins)."""
        missing = MISSING
        out: list[Target] = []
        for plan in self.plans:
            v = plan.values.get(r, missing)
            if v is not missing:
                out.append((plan.col, v, plan, False))
        head = self.plan.headers.get(r)
        if head:
            out.extend((c, v, None, True) for c, v in head.items())
        app = self.plan.appends.get(r)
        if app:
            out.extend((c, v, None, False) for c, v in app.items())
        if head or app:
            seen: dict[int, Target] = {}
            for t in out:
                seen[t[0]] = t
            out = sorted(seen.values(), key=lambda t: t[0])
        return out

    def _after_last(self, body: bytes, rb: bytes, targets: list[Target], last_s: int) -> bytes:
        """The row with every target cell added after its last cell (style `last_s`)."""
        if len(targets) == 1:
            col, value, plan, is_head = targets[0]
            return body + self._cell(col, rb, value, plan, is_head, None, last_s)
        parts = [body]
        last_style, cell = self.last_style, self.writer.cell
        for col, value, plan, is_head in targets:
            if value.__class__ in NOT_DATES and not is_head and (plan is None or not plan.new):
                style = last_style.get(col)
                if style is None:
                    style = last_style[col] = self._col_style(col)
                parts.append(cell(LETTERS[col] + rb, value, style))
            else:
                parts.append(self._cell(col, rb, value, plan, is_head, None, last_s))
        return b"".join(parts)

    def _in_place(self, body: bytes, rb: bytes, targets: list[Target], last_col: int, last_s: int) -> bytes | None:
        """The row with the target cells at or left of its last cell (`last_col`) replaced where they are,
        found by their references, and the others added after it. None when a cell to replace is not
        there (a full parse puts it in its place)."""
        spans: list[tuple[int, int, bytes]] = []
        tail: list[bytes] = []
        for col, value, plan, is_head in targets:
            if col > last_col:
                tail.append(self._cell(col, rb, value, plan, is_head, None, last_s))
                continue
            at = body.find(b' r="' + LETTERS[col] + rb + b'"')
            if at < 0:
                return None
            start = body.rfind(b"<", 0, at)
            gt = body.find(b">", at)
            end = gt + 1 if body[gt - 1] == 47 else body.find(self.cell_close, gt) + len(self.cell_close)
            old = body[start:end]
            s = STYLE.search(old[:gt + 1 - start])
            spans.append((start, end, self._cell(col, rb, value, plan, is_head, int(s.group(1)) if s else 0,
                                                 last_s, old)))
        spans.sort()
        parts, pos = [], 0
        for start, end, new in spans:
            parts.append(body[pos:start])
            parts.append(new)
            pos = end
        parts.append(body[pos:])
        parts.extend(tail)
        return b"".join(parts)

    def _merge_slow(self, r: int, body: bytes, targets: list[Target]) -> bytes:
        """Full parse of the row's cells (cells without references, insertions between cells)."""
        rb = b"%d" % r
        cells: list[tuple[int, int, int, int]] = []  # (col, start, end, style)
        col = 0
        for m in self.cell_re.finditer(body):
            ref = CELL_REF.search(m.group(1))
            col = col_number(ref.group(1)) if ref else col + 1
            s = STYLE.search(m.group(1))
            cells.append((col, m.start(), m.end(), int(s.group(1)) if s else 0))
        want = {t[0]: t for t in targets}
        parts: list[bytes] = []
        pos = 0
        left_s = 0
        positional = any(CELL_REF.search(body[c[1]:c[2]][:40]) is None for c in cells)
        for c, start, end, s in cells:
            for t in [t for t in targets if t[0] < c and t[0] in want]:
                parts.append(body[pos:start])
                pos = start
                parts.append(self._cell(t[0], rb, t[1], t[2], t[3], None, left_s))
                del want[t[0]]
            if c in want:
                t = want.pop(c)
                parts.append(body[pos:start])
                old = body[start:end]
                new = self._cell(c, rb, t[1], t[2], t[3], s, left_s, old)
                if positional and not new:
                    new = b'<%sc r="%s%s"/>' % (self.p.encode(), LETTERS[c], rb)
                parts.append(new)
                pos = end
            left_s = s
        parts.append(body[pos:])
        for t in sorted(want.values(), key=lambda t: t[0]):
            parts.append(self._cell(t[0], rb, t[1], t[2], t[3], None, left_s))
        return b"".join(parts)

    # --- the row's start tag ---------------------------------------------------------------------

    def _row_open(self, tag: bytes) -> bytes:
        """A row's start tag (without its `>`) closed, its `spans` widened to the written columns."""
        k = tag.find(b'spans="')
        if k < 0:
            return tag + b">"
        e = tag.find(b'"', k + 7)
        spans = tag[k + 7:e]
        new = self._spans.get(spans) or self._new_spans(spans)
        return tag[:k + 7] + new + tag[e:] + b">"

    def _widen_spans(self, region: bytes, found: set[bytes]) -> bytes:
        """Every row's `spans` (found right after its `r`) widened to the written column, as `_row_open`
        does row by row."""
        p = self.p.encode()
        for spans in found:
            new = self._spans.get(spans) or self._new_spans(spans)
            if new != spans:
                region = re.sub(rb"(<" + p + rb'row r="[0-9]+" spans=")' + re.escape(spans) + rb'"',
                                rb"\g<1>" + new + rb'"', region)
        return region

    def _new_spans(self, spans: bytes) -> bytes:
        lo, _, hi = spans.partition(b":")
        new = spans if not hi.isdigit() or int(hi) >= self.max_col else lo + b":%d" % self.max_col
        self._spans[spans] = new
        return new
