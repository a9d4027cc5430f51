"""Generated sheets (Issues, Today, Review …) as worksheet XML, and their charts as DrawingML.

Input is `layout.Rendered`: positioned cells with abstract styles, internal hyperlinks, column widths,
freeze panes, a tab colour and charts over the sheet's own ranges (bar / column / pie / line, with
cached values so any reader shows them before recalculating).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from ...model.frame import col_letter
from ...model.layout import PlacedChart, Rendered, TableBody
from ..ops import parse_ref
from .cells import LETTERS, PLAIN, CellWriter, attr_xml, normalize, text_xml
from .stylesxml import StyleBook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CHART_COLS = 8


@dataclass
class ChartPart:
    xml: bytes
    anchor: tuple[int, int, int, int]  # from col, from row, to col, to row (0-based)
    name: str


def worksheet_xml(rendered: Rendered, styles: StyleBook, date1904: bool = False,
                  drawing_rid: str | None = None) -> bytes:
    """The worksheet part of a generated sheet."""
    return b"".join(worksheet_chunks(rendered, styles, date1904, drawing_rid))


def worksheet_chunks(rendered: Rendered, styles: StyleBook, date1904: bool = False,
                     drawing_rid: str | None = None, code_name: str | None = None) -> Iterator[bytes]:
    """The worksheet part of a generated sheet, as pieces (a table's rows, a row of loose cells) made as
    they are streamed into the zip, so deflating them overlaps making the next ones. `code_name`: the
    sheet's VBA code name (kept from the sheet it replaces, so the VBA project's document module still
    has its sheet)."""
    writer = CellWriter("", date1904)
    links: list[str] = []
    styles_of: dict[str, int] = {}

    def style_id(name: str) -> int:
        sid = styles_of.get(name)
        if sid is None:
            sid = styles_of[name] = styles.named(name)
        return sid

    last_row, max_col = _extent(rendered)
    parts = [HEAD, f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_REL}">']
    # generated sheets print landscape, one page wide (tables and the charts beside them stay together)
    tab = f'<tabColor rgb="FF{rendered.tab_color.lstrip("#")[-6:]}"/>' if rendered.tab_color else ""
    code = f' codeName="{attr_xml(code_name)}"' if code_name else ""
    parts.append(f'<sheetPr{code}>{tab}<pageSetUpPr fitToPage="1"/></sheetPr>')
    parts.append(f'<dimension ref="A1:{col_letter(max_col)}{last_row}"/>')
    parts.append('<sheetViews><sheetView showGridLines="0" workbookViewId="0">')
    parts.append(_pane(rendered.freeze))
    parts.append("</sheetView></sheetViews>")
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    if rendered.widths:
        parts.append("<cols>")
        for col, width in sorted(rendered.widths.items()):
            parts.append(f'<col min="{col}" max="{col}" width="{width:g}" customWidth="1"/>')
        parts.append("</cols>")
    yield "".join(parts).encode("utf-8")
    yield b"<sheetData>"
    for segment in rendered.segments:
        if isinstance(segment, TableBody):
            if segment.height:
                yield b"".join(_body_rows(segment, writer, style_id, links))
            continue
        cells = sorted(segment, key=attrgetter("row", "col"))  # already in order, as render() makes them
        line: list[bytes] = []
        row_now = -1
        rb = b""
        for row, col, value, style_name, link in map(_FIELDS, cells):
            if row != row_now:
                if line:
                    yield b'<row r="%d">%s</row>' % (row_now, b"".join(line))
                line = []
                row_now = row
                rb = b"%d" % row
            value, style_name = _plain(value, style_name)
            line.append(writer.cell(LETTERS[col] + rb, value, style_id(style_name)))
            if link:
                links.append(_hyperlink(row, col, link, value))
        if line:
            yield b'<row r="%d">%s</row>' % (row_now, b"".join(line))
    parts = ["</sheetData>"]
    if rendered.merges:
        parts.append(f'<mergeCells count="{len(rendered.merges)}">'
                     + "".join(f'<mergeCell ref="{m}"/>' for m in rendered.merges) + "</mergeCells>")
    if links:
        parts.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    parts.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
    parts.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    if drawing_rid:
        parts.append(f'<drawing r:id="{drawing_rid}"/>')
    parts.append("</worksheet>")
    yield "".join(parts).encode("utf-8")


def _extent(rendered: Rendered) -> tuple[int, int]:
    """The last row and the widest column the sheet's cells reach (at least A1)."""
    last_row = max_col = 1
    for segment in rendered.segments:
        if isinstance(segment, TableBody):
            if segment.height:
                last_row = max(last_row, segment.row + segment.height - 1)
                max_col = max(max_col, segment.col + len(segment.columns) - 1)
        elif segment:
            last_row = max(last_row, max(c.row for c in segment))
            max_col = max(max_col, max(c.col for c in segment))
    return last_row, max_col


_FIELDS = attrgetter("row", "col", "value", "style", "link")


def _plain(value: Any, style_name: str) -> tuple[Any, str]:
    """A value as the cell writer takes it, and its style (dates get a date style)."""
    cls = value.__class__
    if cls not in PLAIN:
        value = normalize(value)
        cls = value.__class__
    if (cls is dt.datetime or cls is dt.date) and style_name not in ("date", "datetime"):
        has_time = cls is dt.datetime and (value.hour or value.minute or value.second)
        style_name = "datetime" if has_time else "date"
    return value, style_name


def _hyperlink(row: int, col: int, link: str, value: Any) -> str:
    location = link[1:] if link.startswith("#") else link
    display = "" if value is None else str(value)
    return f'<hyperlink ref="{col_letter(col)}{row}" location="{attr_xml(location)}" display="{attr_xml(display)}"/>'


def _body_rows(body: TableBody, writer: CellWriter, style_id: Callable[[str], int], links: list[str]) -> list[bytes]:
    """The `<row>` elements of a table body, built column by column."""
    n = body.height
    first = body.row
    numbers = [b"%d" % (first + i) for i in range(n)]
    columns: list[list[bytes]] = []
    link_cols = []

    def styled(value: Any, style_name: str) -> tuple[Any, int]:
        value, style_name = _plain(value, style_name)
        return value, style_id(style_name)

    for j, values in enumerate(body.columns):
        letter = LETTERS[body.col + j]
        name = body.fixed_style(j)
        if name is not None:
            columns.append(writer.column(letter, numbers, values, lambda v, _, name=name: styled(v, name)))
        else:
            names = [body.style(i, j)[0] for i in range(n)]
            columns.append(writer.column(letter, numbers, values, styled, names))
            if body.links[j] is not None:
                link_cols.append(j)
    for i in range(n) if link_cols else ():
        for j in link_cols:
            link = body.links[j][i]  # type: ignore[index]
            if link:
                links.append(_hyperlink(first + i, body.col + j, link, _plain(body.columns[j][i], "text")[0]))
    return [b'<row r="%d">%s</row>' % (first + i, b"".join(line)) for i, line in enumerate(zip(*columns, strict=True))]


def _pane(freeze: str | None) -> str:
    if not freeze:
        return '<selection activeCell="A1" sqref="A1"/>'
    r, c, _, _ = parse_ref(freeze)
    x, y = c - 1, r - 1
    if not x and not y:
        return '<selection activeCell="A1" sqref="A1"/>'
    pane = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
    attrs = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<pane{attrs} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>')


# --- charts ---------------------------------------------------------------------------------------


def chart_parts(rendered: Rendered) -> list[ChartPart]:
    """One chart part per placed chart, with cached categories and values taken from the sheet's cells."""
    if not rendered.charts:
        return []
    values = {(c.row, c.col): normalize(c.value) for c in rendered.cells}
    out = []
    for i, placed in enumerate(rendered.charts):
        r, c, _, _ = parse_ref(placed.anchor)
        anchor = (c - 1, r - 1, c - 1 + CHART_COLS, r - 1 + placed.rows)
        out.append(ChartPart(_chart_xml(placed, values), anchor, f"Chart {i + 1}"))
    return out


def drawing_xml(charts: list[ChartPart], rids: list[str]) -> bytes:
    anchors = []
    for i, (chart, rid) in enumerate(zip(charts, rids, strict=True)):
        c1, r1, c2, r2 = chart.anchor
        anchors.append(
            f'<xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff>'
            f"<xdr:row>{r1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c2}</xdr:col>"
            f"<xdr:colOff>0</xdr:colOff><xdr:row>{r2}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 2}" name="{chart.name}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x=\"0\" y=\"0\"/>"
            '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/'
            f'drawingml/2006/chart"><c:chart xmlns:c="{C}" xmlns:r="{DOC_REL}" r:id="{rid}"/></a:graphicData>'
            "</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
        )
    return (HEAD + f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}">' + "".join(anchors) + "</xdr:wsDr>").encode()


def _range_values(ref: str, values: dict[tuple[int, int], Any]) -> list[Any]:
    cells = ref.split("!", 1)[1]
    r1, c1, r2, c2 = parse_ref(cells)
    return [values.get((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _num(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return float.__repr__(float(v)) if v == v else None
    return None


def _rich(text: str, size: int, bold: bool) -> str:
    b = ' b="1"' if bold else ' b="0"'
    font = '<a:latin typeface="Microsoft YaHei"/><a:ea typeface="Microsoft YaHei"/>'
    return (f'<c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}>{font}</a:defRPr></a:pPr>'
            f'<a:r><a:rPr lang="zh-CN" sz="{size}"{b}>{font}</a:rPr><a:t>{text_xml(text)}</a:t></a:r></a:p>'
            "</c:rich>")


def _txpr(size: int = 900) -> str:
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"><a:latin typeface="Microsoft '
            'YaHei"/><a:ea typeface="Microsoft YaHei"/></a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p>'
            "</c:txPr>")


def _cat(ref: str, values: dict[tuple[int, int], Any]) -> str:
    items = _range_values(ref, values)
    nums = [_num(v) for v in items]
    if items and all(n is not None for n in nums):
        pts = "".join(f'<c:pt idx="{i}"><c:v>{n}</c:v></c:pt>' for i, n in enumerate(nums))
        return (f"<c:cat><c:numRef><c:f>{text_xml(ref)}</c:f><c:numCache><c:formatCode>General</c:formatCode>"
                f'<c:ptCount val="{len(items)}"/>{pts}</c:numCache></c:numRef></c:cat>')
    pts = "".join(f'<c:pt idx="{i}"><c:v>{text_xml(_label(v))}</c:v></c:pt>' for i, v in enumerate(items)
                  if v is not None)
    return (f'<c:cat><c:strRef><c:f>{text_xml(ref)}</c:f><c:strCache><c:ptCount val="{len(items)}"/>{pts}'
            "</c:strCache></c:strRef></c:cat>")


def _label(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if not (v.hour or v.minute) else v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _val(ref: str, values: dict[tuple[int, int], Any], fmt: str) -> str:
    items = _range_values(ref, values)
    pts = "".join(f'<c:pt idx="{i}"><c:v>{n}</c:v></c:pt>' for i, v in enumerate(items)
                  if (n := _num(v)) is not None)
    return (f"<c:val><c:numRef><c:f>{text_xml(ref)}</c:f><c:numCache><c:formatCode>{text_xml(fmt)}</c:formatCode>"
            f'<c:ptCount val="{len(items)}"/>{pts}</c:numCache></c:numRef></c:val>')


def _chart_xml(placed: PlacedChart, values: dict[tuple[int, int], Any]) -> bytes:
    spec = placed.chart
    fmt = spec.number_format or "General"
    series = []
    for i, (name, ref) in enumerate(placed.values):
        tx = f"<c:tx><c:v>{text_xml(name)}</c:v></c:tx>"
        head = f'<c:idx val="{i}"/><c:order val="{i}"/>{tx}'
        cat, val = _cat(placed.categories, values), _val(ref, values, fmt)
        if spec.kind == "pie":
            labels = ('<c:dLbls><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>' + _txpr()
                      + '<c:showLegendKey val="0"/><c:showVal val="0"/><c:showCatName val="0"/>'
                      '<c:showSerName val="0"/><c:showPercent val="1"/><c:showBubbleSize val="0"/>'
                      '<c:showLeaderLines val="1"/></c:dLbls>')
            series.append(f"<c:ser>{head}{labels}{cat}{val}</c:ser>")
        elif spec.kind == "line":
            series.append(f'<c:ser>{head}<c:marker><c:symbol val="circle"/><c:size val="5"/></c:marker>{cat}{val}'
                          '<c:smooth val="0"/></c:ser>')
        else:
            series.append(f'<c:ser>{head}<c:invertIfNegative val="0"/>{cat}{val}</c:ser>')
    ser = "".join(series)
    axes = ('<c:axId val="50010001"/><c:axId val="50010002"/>')
    if spec.kind == "pie":
        plot = f'<c:pieChart><c:varyColors val="1"/>{ser}<c:firstSliceAng val="0"/></c:pieChart>'
    elif spec.kind == "line":
        plot = (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{ser}<c:marker val="1"/>'
                f"{axes}</c:lineChart>")
    else:
        bar_dir = "bar" if spec.kind == "bar" else "col"
        plot = (f'<c:barChart><c:barDir val="{bar_dir}"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
                f'{ser}<c:gapWidth val="80"/>{axes}</c:barChart>')
    if spec.kind != "pie":
        horizontal = spec.kind == "bar"
        cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
        orientation = "maxMin" if horizontal else "minMax"  # first category on top for horizontal bars
        plot += (
            f'<c:catAx><c:axId val="50010001"/><c:scaling><c:orientation val="{orientation}"/></c:scaling>'
            f'<c:delete val="0"/><c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="1"/>'
            '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
            f'{_txpr()}<c:crossAx val="50010002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
            '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
            f'<c:valAx><c:axId val="50010002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            f'<c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/>'
            f'<c:numFmt formatCode="{attr_xml(fmt)}" sourceLinked="0"/><c:majorTickMark val="out"/>'
            f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_txpr()}<c:crossAx val="50010001"/>'
            f'<c:crosses val="{"max" if horizontal else "autoZero"}"/><c:crossBetween val="between"/></c:valAx>'
        )
    legend = ""
    if spec.kind == "pie" or len(placed.values) > 1:
        legend = f'<c:legend><c:legendPos val="{"r" if spec.kind == "pie" else "b"}"/><c:overlay val="0"/>{_txpr()}</c:legend>'
    xml = (
        HEAD + f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{DOC_REL}"><c:roundedCorners val="0"/>'
        f'<c:chart><c:title><c:tx>{_rich(spec.title, 1200, True)}</c:tx><c:overlay val="0"/></c:title>'
        f'<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}</c:plotArea>{legend}'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:printSettings><c:headerFooter/><c:pageMargins b="0.75" l="0.7" r="0.7" t="0.75" header="0.3" '
        'footer="0.3"/><c:pageSetup/></c:printSettings></c:chartSpace>'
    )
    return xml.encode("utf-8")
