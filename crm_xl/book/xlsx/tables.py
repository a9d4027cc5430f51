"""Tables that grow with a run: a table's `ref` (and its autoFilter) widened to the rows appended below
it and the computed columns added right of it, each new column with its `<tableColumn>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...model.frame import col_letter
from ..ops import parse_ref
from .cells import attr_xml


@dataclass
class TableGrowth:
    """What a table gets in a run: rows down to `last_row`, and new columns."""

    last_row: int = 0
    new_cols: dict[int, str] = field(default_factory=dict)  # sheet column → column name


def column_names(xml: bytes) -> list[str]:
    """The names of a table's columns, as its `<tableColumn>` elements give them."""
    return [_unescape(n) for n in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*?\bname="([^"]*)"', xml.decode("utf-8"))]


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def grow_table(xml: bytes, grow: TableGrowth) -> bytes:
    """Widen a table's ref (and its autoFilter) to new rows / columns, adding tableColumn entries."""
    text = xml.decode("utf-8")
    root = re.search(r"<(\w+:)?table\b[^>]*>", text)
    assert root is not None
    p = root.group(1) or ""
    ref_m = re.search(r'\bref="([^"]*)"', root.group(0))
    assert ref_m is not None
    r1, c1, r2, c2 = parse_ref(ref_m.group(1))
    totals = re.search(r'\btotalsRowCount="(\d+)"', root.group(0))
    t = int(totals.group(1)) if totals else 0
    n_row = max(r2, grow.last_row + t)
    n_col = max([c2, *grow.new_cols])
    ref = f"{col_letter(c1)}{r1}:{col_letter(n_col)}{n_row}"
    new_root = root.group(0)[:ref_m.start(1)] + ref + root.group(0)[ref_m.end(1):]
    text = text[:root.start()] + new_root + text[root.end():]
    filter_ref = f"{col_letter(c1)}{r1}:{col_letter(n_col)}{n_row - t}"
    text = re.sub(rf'(<{re.escape(p)}autoFilter\b[^>]*?\bref=")[^"]*(")', rf"\g<1>{filter_ref}\2", text, count=1)
    if grow.new_cols:
        cols = re.search(rf"<{re.escape(p)}tableColumns\b[^>]*>(.*?)</{re.escape(p)}tableColumns>", text, re.S)
        assert cols is not None
        existing = re.findall(rf"<{re.escape(p)}tableColumn\b[^>]*>", cols.group(1))
        ids = [int(x) for x in re.findall(r'\bid="(\d+)"', " ".join(existing))]
        names = {n.lower() for n in re.findall(r'\bname="([^"]*)"', " ".join(existing))}
        next_id = max(ids, default=0) + 1
        added = []
        for col in sorted(grow.new_cols):
            name = grow.new_cols[col]
            added.append(f'<{p}tableColumn id="{next_id}" name="{attr_xml(name)}"/>')
            names.add(name.lower())
            next_id += 1
        count = len(existing) + len(added)
        block = cols.group(0)
        close = block.rindex("</")
        block = block[:close] + "".join(added) + block[close:]
        block = re.sub(r'\bcount="\d+"', f'count="{count}"', block, count=1)
        text = text[:cols.start()] + block + text[cols.end():]
    return text.encode("utf-8")
