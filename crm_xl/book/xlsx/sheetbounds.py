"""The worksheet XML outside `<sheetData>` that a rewrite changes; every other byte of it stays.

Before the rows: `<dimension>` widened to the new cells, `<cols>` given a width for each column crm-xl
adds (and read for the column styles new cells take). After the rows: the ranges of conditional formats
and data validations that end at a growing table's last row, extended with it.
"""

from __future__ import annotations

import re

from ..ops import parse_ref
from .cells import LETTERS
from .sheetcells import col_number
from .sheetplan import SheetPlan


def rewrite_head(head: bytes, p: bytes, plan: SheetPlan) -> tuple[bytes, list[tuple[int, int, int]]]:
    """The part before `<sheetData>` (namespace prefix `p`) with its dimension and column widths updated,
    and the column styles it sets: (first column, last column, style)."""
    head = _widen_dimension(head, p, plan)
    cols = re.search(rb"<" + p + rb"cols\b[^>]*>(.*?)</" + p + rb"cols>", head, re.S)
    covered: set[int] = set()
    col_styles: list[tuple[int, int, int]] = []
    if cols:
        for el in re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", cols.group(1)):
            a = dict(re.findall(rb'(\w+)="([^"]*)"', el.group(1)))
            lo, hi = int(a.get(b"min", b"0")), int(a.get(b"max", b"0"))
            covered.update(range(lo, min(hi, 16384) + 1))
            if a.get(b"style"):
                col_styles.append((lo, hi, int(a[b"style"])))
    add = {c: w for c, w in plan.widths.items() if c not in covered}
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
    return head, col_styles


_RANGE_HOLDERS = re.compile(rb'(<(?:\w+:)?(?:conditionalFormatting|dataValidation)\b[^>]*?\bsqref=")([^"]*)(")'
                            rb"|(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)")
_RANGE = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]+):\$?([A-Z]{1,3})\$?([0-9]+)")


def grow_ranges(xml: bytes, grows: list[tuple[int, int, int, int]]) -> bytes:
    """The ranges of conditional formats and data validations (x14 ones too) that lie in a growing
    table's columns and end at its last row, extended to its new last row (what Excel does when a
    table gets rows). Other ranges, and everything else, are left as they are."""

    def grow(m: re.Match[bytes]) -> bytes:
        r1, r2 = int(m.group(2)), int(m.group(4))
        c1, c2 = col_number(m.group(1)), col_number(m.group(3))
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


def _widen_dimension(head: bytes, p: bytes, plan: SheetPlan) -> bytes:
    """`head` with its `<dimension>` widened to the last row and column the plan writes."""
    last_row, last_col = plan.extent()
    m = re.search(rb"<" + p + rb'dimension\b[^>]*?\bref="([^"]*)"', head)
    if m and last_row:
        try:
            r1, c1, r2, c2 = parse_ref(m.group(1).decode())
            ref = f"{_a1(r1, c1)}:{_a1(max(r2, last_row), max(c2, last_col))}"
            if (max(r2, last_row), max(c2, last_col)) != (r2, c2):
                head = head[:m.start(1)] + ref.encode() + head[m.end(1):]
        except ValueError:
            pass
    return head


def _a1(row: int, col: int) -> str:
    return f"{LETTERS[col].decode()}{row}"
