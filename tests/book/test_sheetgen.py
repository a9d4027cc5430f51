"""Generated sheets: table bodies written column by column give the XML the cell-by-cell path gives."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.book.xlsx.sheetgen import worksheet_xml
from crm_xl.book.xlsx.stylesxml import StyleBook
from crm_xl.model.layout import Chart, Rendered, SheetLayout, Table, TableBody, Text, render

STYLES = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/>'
          b'</fonts><fills count="2"><fill/><fill/></fills><borders count="1"><border/></borders>'
          b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>')

VALUES = st.one_of(st.none(), st.text(max_size=6), st.integers(-3, 10**6), st.floats(allow_nan=True, width=32),
                   st.booleans(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
                   st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1)))


def as_cells(rendered: Rendered) -> Rendered:
    """The same sheet with its table bodies turned into single cells (the cell-by-cell path)."""
    return Rendered(rendered.name, list(rendered.cells), rendered.widths, rendered.charts, rendered.merges,
                    rendered.freeze, rendered.tab_color)


def styled_xml(rendered: Rendered) -> bytes:
    """The worksheet XML with each style number replaced by what it stands for — number format, font,
    fill, border (the two paths number formats in the order they first use them)."""
    book = StyleBook(STYLES)
    xml = worksheet_xml(rendered, book)
    styles = book.render()

    def items(tag: bytes, item: bytes) -> list[bytes]:
        block = re.search(rb"<" + tag + rb"\b[^>]*>(.*?)</" + tag + rb">", styles, re.S)
        return re.findall(rb"<" + item + rb"\b(?:[^>]*/>|.*?</" + item + rb">)", block.group(1), re.S) if block else []

    parts = {b"fontId": items(b"fonts", b"font"), b"fillId": items(b"fills", b"fill"),
             b"borderId": items(b"borders", b"border")}
    numfmts = dict(re.findall(rb'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    xfs = items(b"cellXfs", b"xf")

    def resolve(m: re.Match[bytes]) -> bytes:
        key, value = m.group(1), m.group(2)
        if key == b"numFmtId":
            return b"fmt=" + numfmts.get(value, value)
        return key + b"=" + parts[key][int(value)]

    def expand(m: re.Match[bytes]) -> bytes:
        xf = re.sub(rb'(numFmtId|fontId|fillId|borderId)="(\d+)"', resolve, xfs[int(m.group(1))])
        return b's="' + xf + b'"'

    return re.sub(rb's="(\d+)"', expand, xml)


def xml_both_ways(layout: SheetLayout) -> tuple[bytes, bytes]:
    return styled_xml(render(layout)), styled_xml(as_cells(render(layout)))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(0, 12), ncols=st.integers(1, 4), styled=st.booleans(),
       highlight=st.booleans(), linked=st.booleans())
def test_table_bodies_column_by_column_equal_cell_by_cell(data, n, ncols, styled, highlight, linked):
    labels = [f"列{j}" for j in range(ncols)]
    df = pd.DataFrame({h: data.draw(st.lists(VALUES, min_size=n, max_size=n)) for h in labels})
    formats = {labels[0]: data.draw(st.sampled_from(["text", "int", "date", "pct"]))}
    table = Table(df, title="表", formats=formats, note="说明\n第二行", name="t",
                  row_styles=[data.draw(st.sampled_from([None, "error", "warning", "ok"])) for _ in range(n)]
                  if styled else None,
                  highlight=labels[-1] if highlight else None,
                  links={labels[0]: [data.draw(st.sampled_from([None, "", "'客户信息表'!E14", "#A1"]))
                                     for _ in range(n)]} if linked else {})
    empty = Table(pd.DataFrame({"x": []}), title="空", empty_text="没有")
    layout = SheetLayout("检查", [Text("标题", "title"), table, empty, table], charts=[
        Chart("bar", "图", "t", labels[0], labels[-1:])], freeze="A3", tab_color="#C00000")
    fast, slow = xml_both_ways(layout)
    assert fast == slow


def test_bodies_are_kept_as_columns_until_cells_are_asked_for():
    df = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    rendered = render(SheetLayout("s", [Text("t", "title"), Table(df)]))
    assert [type(s).__name__ for s in rendered.segments] == ["list", "TableBody"]
    assert [(c.row, c.col, c.value) for c in rendered.cells[-4:]] == [(4, 1, "x"), (4, 2, 1), (5, 1, "y"), (5, 2, 2)]
    assert isinstance(rendered.segments[0], list) and len(rendered.segments) == 1
    assert not any(isinstance(s, TableBody) for s in rendered.segments)
