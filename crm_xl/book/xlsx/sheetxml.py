"""Streaming rewrite of a data sheet's XML: the owned cells change, every other byte stays as it was.

Only `<sheetData>` rows that receive a value are rebuilt, and inside them only the owned cells; the
elements before and after `<sheetData>` (conditional formats, validations, drawings, table parts, extLst
…) are copied unchanged, except `<dimension>` (widened to the new cells) and `<cols>` (a width for a
column crm-xl adds). The part is processed in chunks, so memory stays flat on a million rows.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from ...model import theme
from ...model.schema import Kind
from ..ops import parse_ref
from .cells import LETTERS, PLAIN, CellWriter, attr_xml, normalize
from .package import worksheet_prefix
from .stylesxml import StyleBook

_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_S = re.compile(rb'\bs="(\d+)"')


@dataclass
class ColumnPlan:
    """A column to write: values by Excel row; `new` when crm-xl adds its header (computed styles)."""

    col: int
    values: dict[int, Any]
    kind: Kind
    new: bool = False


@dataclass
class SheetPlan:
    columns: dict[int, ColumnPlan] = field(default_factory=dict)
    headers: dict[int, dict[int, str]] = field(default_factory=dict)  # row → col → header text
    appends: dict[int, dict[int, Any]] = field(default_factory=dict)  # row → col → value
    append_kinds: dict[int, Kind] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # new columns' widths
    probe_rows: set[int] = field(default_factory=set)  # rows whose styles new rows below copy
    # a table that gets rows: (first column, last column, last row before, last row after) — the
    # conditional formats and validations that end at its last row grow with it, as in Excel
    grows: list[tuple[int, int, int, int]] = field(default_factory=list)

    def extent(self) -> tuple[int, int]:
        """(last row, last column) this plan writes."""
        rows = [max(c.values, default=0) for c in self.columns.values()]
        rows += [max(self.headers, default=0), max(self.appends, default=0)]
        cols = [*self.columns, *(c for r in self.headers.values() for c in r),
                *(c for r in self.appends.values() for c in r)]
        return max(rows, default=0), max(cols, default=0)


def date_format(kind: Kind | None, value: Any) -> str:
    fmt = theme.kind_format(kind) if kind else None
    if fmt in (theme.DATE_FORMAT, theme.DATETIME_FORMAT):
        return fmt
    if isinstance(value, dt.datetime) and (value.hour or value.minute or value.second):
        return theme.DATETIME_FORMAT
    return theme.DATE_FORMAT


class SheetRewriter:
    """Rewrites one worksheet part according to a SheetPlan."""

    def __init__(self, plan: SheetPlan, styles: StyleBook, date1904: bool = False) -> None:
        self.plan = plan
        self.styles = styles
        self.date1904 = date1904
        self.last_style: dict[int, int] = {}
        self.col_styles: list[tuple[int, int, int]] = []
        self.formula_replaced = False
        rows: set[int] = set()
        for c in plan.columns.values():
            rows.update(c.values)
        rows.update(plan.headers)
        rows.update(plan.appends)
        self.todo = sorted(rows)
        self.stops = sorted(rows | plan.probe_rows)  # the rows a rewrite must look at; the rest is copied
        self._run_ends: list[int] | None = None  # indexes of stops that end a run of nearby stops
        self._batch_re: tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]] | None = None
        self._todo_set: set[int] = set()
        self.plans = sorted(plan.columns.values(), key=lambda c: c.col)
        self.max_col = max([*plan.columns, *(c for r in plan.headers.values() for c in r),
                            *(c for r in plan.appends.values() for c in r), 0])
        self._spans: dict[bytes, bytes] = {}
        self.any_new = any(c.new for c in plan.columns.values()) or bool(plan.headers)
        self.simple = not plan.headers and not plan.appends
        only = self.plans[0] if len(self.plans) == 1 and self.simple and not self.plans[0].new else None
        self.single = only
        self.single_ref = LETTERS[only.col] if only is not None else b""

    # --- driver ----------------------------------------------------------------------------------

    def run(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
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
        yield self._head(buf[:head_match.start()])
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

    # --- before sheetData ------------------------------------------------------------------------

    def _head(self, head: bytes) -> bytes:
        p = self.p.encode()
        last_row, last_col = self.plan.extent()
        m = re.search(rb"<" + p + rb'dimension\b[^>]*?\bref="([^"]*)"', head)
        if m and last_row:
            try:
                r1, c1, r2, c2 = parse_ref(m.group(1).decode())
                ref = f"{_a1(r1, c1)}:{_a1(max(r2, last_row), max(c2, last_col))}"
                if (max(r2, last_row), max(c2, last_col)) != (r2, c2):
                    head = head[:m.start(1)] + ref.encode() + head[m.end(1):]
            except ValueError:
                pass
        cols = re.search(rb"<" + p + rb"cols\b[^>]*>(.*?)</" + p + rb"cols>", head, re.S)
        covered: set[int] = set()
        if cols:
            for el in re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", cols.group(1)):
                a = dict(re.findall(rb'(\w+)="([^"]*)"', el.group(1)))
                lo, hi = int(a.get(b"min", b"0")), int(a.get(b"max", b"0"))
                covered.update(range(lo, min(hi, 16384) + 1))
                if a.get(b"style"):
                    self.col_styles.append((lo, hi, int(a[b"style"])))
        add = {c: w for c, w in self.plan.widths.items() if c not in covered}
        if add:
            new = b"".join(b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>' % (p, c, c, f"{w:g}".encode())
                           for c, w in sorted(add.items()))
            if cols:
                items = list(re.finditer(rb"<" + p + rb"col\b[^>]*?/?>(?:</" + p + rb"col>)?", cols.group(1)))
                pieces = [(int(re.search(rb'min="(\d+)"', x.group(0)).group(1)), x.group(0)) for x in items]  # type: ignore[union-attr]
                pieces += [(c, b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>' % (p, c, c, f"{w:g}".encode()))
                           for c, w in add.items()]
                body = b"".join(x for _, x in sorted(pieces, key=lambda t: t[0]))
                head = head[:cols.start(1)] + body + head[cols.end(1):]
            else:
                head = head + b"<" + p + b"cols>" + new + b"</" + p + b"cols>"
        return head

    def _col_style(self, col: int) -> int:
        for lo, hi, s in self.col_styles:
            if lo <= col <= hi:
                return s
        return 0

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
        plans = [ColumnPlan(col, {r: record[col] for r, record in zip(rows, records, strict=True) if col in record},
                            plan.append_kinds.get(col))  # type: ignore[arg-type]
                 for col in sorted({c for record in records for c in record})]
        columns = self._columns(plans, rows, numbers)
        self.i = len(self.todo)
        row_tag, row_close = self.row_tag, self.row_close
        return b"".join([b'%s r="%s">%s%s' % (row_tag, n, body, row_close)
                         for n, body in zip(numbers, map(b"".join, zip(*columns, strict=True)), strict=True) if body])

    def _rows(self, region: bytes) -> Iterator[bytes]:
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

    def _batch(self, region: bytes) -> bytes | None:
        """The rows of a region of plain rows, most of the work done by bytes methods and column by
        column: every row and cell has its reference, no cell sits at or right of a written column, no
        row is created between them, no header or appended cell lands in them. None when the region is
        not like that (the row-by-row loop handles it)."""
        if not self.plans or any(p.new for p in self.plans):
            return None
        if self._batch_re is None:
            p = self.p.encode()
            first_col = self.plans[0].col
            self._batch_re = (  # a cell whose first attribute is not a reference left of the written columns
                re.compile(rb"<" + p + rb'c (?!r="(?:' + _letters_before(first_col) + rb')[0-9])'),
                re.compile(rb"<" + p + rb'row\b(?: r="([0-9]+)")?'),  # every row; b"" for one without `r` first
                re.compile(rb"<" + p + rb'row r="[0-9]+" spans="([0-9]+:[0-9]+)"'))
            self._todo_set = set(self.todo)
        blocked, row_re, spans_re = self._batch_re
        row_tag, row_close = self.row_tag, self.row_close
        if blocked.search(region):
            return None
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
        todo, i, plan = self.todo, self.i, self.plan
        first, last = rows[0], rows[-1]
        j = bisect_right(todo, last)
        every = todo[i:j] == rows  # the common case: every row of the region changes
        changed = [True] * len(rows) if every else list(map(self._todo_set.__contains__, rows))
        if (i < len(todo) and todo[i] < first) or (not every and sum(changed) != j - i):
            return None  # a row to create between existing rows
        if (plan.headers or plan.appends) and any(r in plan.headers or r in plan.appends for r in rows):
            return None
        for r in plan.probe_rows.intersection(rows):
            piece = pieces[rows.index(r)]
            self._probe(piece[piece.find(b">", piece.find(row_tag)) + 1:])
        columns = self._columns(self.plans, rows, numbers)
        cells = [b"".join(c) for c in zip(*columns, strict=True)] if len(columns) > 1 else columns[0]
        n_spans = region.count(b' spans="')
        spans = spans_re.findall(region) if n_spans else []
        if (every or all(changed)) and len(spans) == n_spans:  # spans, if any, right after `r`
            if spans:
                pieces = self._widen_spans(region, set(spans)).split(row_close)
                tail = pieces.pop()
            if len(cells) != len(pieces):
                raise ValueError("a region's rows and new cells differ in number")
            out = [row_close] * (3 * len(pieces))  # each row, its new cells, its close
            out[0::3] = pieces
            out[1::3] = cells
        else:
            out = []
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
        self.i = j
        self.prev = last
        return b"".join(out)

    def _columns(self, plans: list[ColumnPlan], rows: list[int], numbers: list[bytes]) -> list[list[bytes]]:
        """The new cells of these columns (in the order given) for these rows (`numbers`: their numbers as
        text; b'' where a column writes nothing). A column's style changes at most once — at its first
        date, which gets a date format — so each is done in two runs of one style, every distinct value
        turned into XML once. Columns are done in the order of their first dates, so new formats get the
        numbers a row-by-row rewrite gives them."""
        prepared = [(plan, *self._column_values(plan, rows)) for plan in plans]
        out: list[list[bytes]] = [[] for _ in plans]
        for k in sorted(range(len(plans)), key=lambda k: (prepared[k][2], plans[k].col)):
            plan, new, first_date = prepared[k]
            if self.last_style.get(plan.col) is None:
                self.last_style[plan.col] = self._col_style(plan.col)
            cells = out[k] = self._cells_in_style(plan.col, numbers[:first_date], new[:first_date])
            if first_date < len(new):  # sets the column's date style, kept by the rest of the run
                cells.append(self._cell(plan.col, numbers[first_date], new[first_date], plan, False, None, 0))
                cells.extend(self._cells_in_style(plan.col, numbers[first_date + 1:], new[first_date + 1:]))
        return out

    @staticmethod
    def _column_values(plan: ColumnPlan, rows: list[int]) -> tuple[list[Any], int]:
        """A column's values for these rows (`_MISSING` where it writes nothing), normalised, and the index of
        its first date (len(rows) when it has none)."""
        missing = _MISSING
        new = list(map(plan.values.get, rows, repeat(missing, len(rows))))
        types = set(map(type, new))
        if not types <= _WRITTEN_AS_IS:
            new = [v if v.__class__ in PLAIN or v is None or v is missing else normalize(v) for v in new]
            types = set(map(type, new))
        if types <= _NOT_DATES | {_Missing}:
            return new, len(new)
        return new, next(k for k, v in enumerate(new) if v.__class__ not in _NOT_DATES and v is not missing)

    def _cells_in_style(self, col: int, numbers: list[bytes], new: list[Any]) -> list[bytes]:
        style = self.last_style[col]
        return self.writer.column(LETTERS[col], numbers, new, lambda v, _: (v, style), skip=_MISSING)

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

    def _row_open(self, tag: bytes) -> bytes:
        k = tag.find(b'spans="')
        if k < 0:
            return tag + b">"
        e = tag.find(b'"', k + 7)
        spans = tag[k + 7:e]
        new = self._spans.get(spans) or self._new_spans(spans)
        return tag[:k + 7] + new + tag[e:] + b">"

    def _probe(self, body: bytes) -> None:
        """Remember the style of every cell of a row (the row above appended rows)."""
        col = 0
        for m in self.cell_re.finditer(body):
            ref = _CELL_REF.search(m.group(1))
            col = _col(ref.group(1)) if ref else col + 1
            s = _S.search(m.group(1))
            self.last_style[col] = int(s.group(1)) if s else 0

    def _targets(self, r: int) -> list[tuple[int, Any, ColumnPlan | None, bool]]:
        out: list[tuple[int, Any, ColumnPlan | None, bool]] = []
        missing = _MISSING
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
            seen: dict[int, tuple[int, Any, ColumnPlan | None, bool]] = {}
            for t in out:
                seen[t[0]] = t
            out = sorted(seen.values(), key=lambda t: t[0])
        return out

    def _merge(self, r: int, body: bytes) -> bytes:
        """The new content of row `r` (the owned cells replaced or added)."""
        single = self.single
        if single is not None and body:  # the common case: one text cell after the row's last cell
            v = single.values.get(r, _MISSING)
            if v.__class__ is str:
                k = body.rfind(self.cell_r)
                if k >= 0 and body.find(self.cell_tag, k + 1) < 0:
                    k += len(self.cell_r)
                    if COLNUM.get(body[k:body.find(b'"', k)].rstrip(_DIGITS), 0) < single.col:
                        style = self.last_style.get(single.col)
                        if style is None:
                            style = self.last_style[single.col] = self._col_style(single.col)
                        return body + self.writer.cell(self.single_ref + b"%d" % r, v, style)
        if self.simple:
            missing = _MISSING
            targets = [(p.col, v, p, False) for p in self.plans if (v := p.values.get(r, missing)) is not missing]
        else:
            targets = self._targets(r)
        if not targets:
            return body
        rb = b"%d" % r
        last_col, last_s, ok = 0, 0, True
        if body:
            cell_r = self.cell_r
            k = body.rfind(cell_r)
            if k < 0 or body.find(self.cell_tag, k + 1) >= 0:
                ok = False
            else:
                k += len(cell_r)
                e = body.find(b'"', k)
                last_col = COLNUM.get(body[k:e].rstrip(b"0123456789"), 0)
                if self.any_new:
                    tag = body[k:body.find(b">", e)]
                    s = _S.search(tag)
                    last_s = int(s.group(1)) if s else 0
        if ok and targets[0][0] > last_col:
            if len(targets) == 1:
                col, value, plan, is_head = targets[0]
                return body + self._cell(col, rb, value, plan, is_head, None, last_s)
            parts = [body]
            last_style, cell = self.last_style, self.writer.cell
            for col, value, plan, is_head in targets:
                if value.__class__ in _NOT_DATES and not is_head and (plan is None or not plan.new):
                    style = last_style.get(col)
                    if style is None:
                        style = last_style[col] = self._col_style(col)
                    parts.append(cell(LETTERS[col] + rb, value, style))
                else:
                    parts.append(self._cell(col, rb, value, plan, is_head, None, last_s))
            return b"".join(parts)
        if ok:
            spans: list[tuple[int, int, bytes]] = []
            tail: list[bytes] = []
            for col, value, plan, is_head in targets:
                if col > last_col:
                    tail.append(self._cell(col, rb, value, plan, is_head, None, last_s))
                    continue
                at = body.find(b' r="' + LETTERS[col] + rb + b'"')
                if at < 0:
                    ok = False
                    break
                start = body.rfind(b"<", 0, at)
                gt = body.find(b">", at)
                end = gt + 1 if body[gt - 1] == 47 else body.find(self.cell_close, gt) + len(self.cell_close)
                old = body[start:end]
                s = _S.search(old[:gt + 1 - start])
                spans.append((start, end, self._cell(col, rb, value, plan, is_head, int(s.group(1)) if s else 0,
                                                     last_s, old)))
            if ok:
                spans.sort()
                parts, pos = [], 0
                for start, end, new in spans:
                    parts.append(body[pos:start])
                    parts.append(new)
                    pos = end
                parts.append(body[pos:])
                parts.extend(tail)
                return b"".join(parts)
        return self._merge_slow(r, body, targets)

    def _merge_slow(self, r: int, body: bytes, targets: list[tuple[int, Any, ColumnPlan | None, bool]]) -> bytes:
        """Full parse of the row's cells (cells without references, insertions between cells)."""
        rb = b"%d" % r
        cells: list[tuple[int, int, int, int]] = []  # (col, start, end, style)
        col = 0
        for m in self.cell_re.finditer(body):
            ref = _CELL_REF.search(m.group(1))
            col = _col(ref.group(1)) if ref else col + 1
            s = _S.search(m.group(1))
            cells.append((col, m.start(), m.end(), int(s.group(1)) if s else 0))
        want = {t[0]: t for t in targets}
        parts: list[bytes] = []
        pos = 0
        left_s = 0
        positional = any(_CELL_REF.search(body[c[1]:c[2]][:40]) is None for c in cells)
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

    def _cell(self, col: int, rb: bytes, value: Any, plan: ColumnPlan | None, is_head: bool, old_s: int | None,
              left_s: int, old: bytes = b"") -> bytes:
        if not old and not is_head and (plan is None or not plan.new):
            style = self.last_style.get(col)
            if style is None:
                style = self._col_style(col)
            cls = value.__class__
            if cls is str or value is None:
                self.last_style[col] = style
                return self.writer.cell(LETTERS[col] + rb, value, style)
        if old and self.f_tag in old:
            self.formula_replaced = True
        if is_head:
            style = self.styles.computed_header(left_s)
        elif old:
            style = old_s or 0
        elif plan is not None and plan.new:
            style = self.styles.computed_cell(left_s, theme.kind_format(plan.kind))
        else:
            style = self.last_style.get(col)
            if style is None:
                style = self._col_style(col)
        cls = value.__class__
        if cls is not str and value is not None:
            if cls not in PLAIN:
                value = normalize(value)
            if isinstance(value, dt.date | dt.time) and not self.styles.is_date(style):
                kind = plan.kind if plan is not None else self.plan.append_kinds.get(col)
                style = self.styles.with_format(style, date_format(kind, value))
        if not is_head:
            self.last_style[col] = style
        return self.writer.cell(LETTERS[col] + rb, value, style)




class _Missing:
    pass


_MISSING = _Missing()


_DIGITS = b"0123456789"
_GAP = 8  # rows between two changes below which scanning beats searching
_BATCH = True  # regions of plain rows and appended records built column by column (tests turn it off)
_NOT_DATES = {str, int, float, bool, type(None)}
_WRITTEN_AS_IS = {*PLAIN, type(None), _Missing}  # no value to normalise
COLNUM = {letters: i for i, letters in enumerate(LETTERS) if i}


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


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


_RANGE_HOLDERS = re.compile(rb'(<(?:\w+:)?(?:conditionalFormatting|dataValidation)\b[^>]*?\bsqref=")([^"]*)(")'
                            rb"|(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)")
_RANGE = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]+):\$?([A-Z]{1,3})\$?([0-9]+)")


def grow_ranges(xml: bytes, grows: list[tuple[int, int, int, int]]) -> bytes:
    """The ranges of conditional formats and data validations (x14 ones too) that lie in a growing
    table's columns and end at its last row, extended to its new last row (what Excel does when a
    table gets rows). Other ranges, and everything else, are left as they are."""

    def grow(m: re.Match[bytes]) -> bytes:
        r1, r2 = int(m.group(2)), int(m.group(4))
        c1, c2 = _col(m.group(1)), _col(m.group(3))
        for first_col, last_col, old_last, new_last in grows:
            if r2 == old_last and r1 < r2 and first_col <= c1 <= c2 <= last_col:
                whole = m.group(0)
                cut = m.start(4) - m.start(0)
                return whole[:cut] + b"%d" % new_last
        return m.group(0)

    def holder(m: re.Match[bytes]) -> bytes:
        k = 1 if m.group(1) is not None else 4
        return m.group(k) + _RANGE.sub(grow, m.group(k + 1)) + m.group(k + 2)

    return _RANGE_HOLDERS.sub(holder, xml)


def _a1(row: int, col: int) -> str:
    return f"{LETTERS[col].decode()}{row}"


__all__ = ["ColumnPlan", "SheetPlan", "SheetRewriter", "attr_xml"]
