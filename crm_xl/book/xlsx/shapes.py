"""Sheet buttons of the xlwings Lite edition as DrawingML shapes: a rounded rectangle named for its script,
over the cell it links to, with a hyperlink that selects that cell (Lite runs a script when the cell its
`@script(button=…)` names is selected).

A sheet without a drawing (no drawing relationship: a `<drawing>` element names one) gets one — its part,
relationships and content type — and a `<drawing>` element at its place in the worksheet's schema order,
inserted into the sheet's XML as it streams by (`with_drawing`), so a sheet that also gets cells in the
same save is rewritten once; a sheet generated in the same save gets the buttons in the drawing made with
it (writer.py). A sheet with a drawing (charts, pictures, form controls) gets the shapes added to it with
fresh ids; a shape of the same name from an earlier install is replaced, never doubled. Everything else in
the sheet and the drawing stays byte for byte.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ...model import theme
from ...model.errors import UsageError
from ...model.frame import quote_sheet
from ...model.layout import Rendered
from ..ops import LiteButton, parse_ref
from . import package as P
from . import xmlparts as X
from .cells import ILLEGAL

XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
T_HYPERLINK = P.DOC_REL + "/hyperlink"
EMU = 9525  # per pixel at 96 dpi
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ANCHORS = ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor")

# the worksheet's children after <sheetData>, in the schema's order (CT_Worksheet)
_AFTER_DATA = ("sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
               "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
               "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
               "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
               "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
               "webPublishItems", "tableParts", "extLst")
_RANK = {name: i for i, name in enumerate(_AFTER_DATA)}


@dataclass
class SheetFacts:
    """What placing buttons needs to know of a worksheet part: its namespace prefix, the prefix bound to
    the relationships namespace on its root, and the sizes of its columns and of its first rows in pixels."""

    prefix: str = ""
    r_prefix: str | None = None
    cols: list[tuple[int, int, int]] = field(default_factory=list)  # (first, last, pixels)
    default_col: int = 64
    rows: dict[int, int] = field(default_factory=dict)  # row → pixels (rows with their own height)
    default_row: int = 20

    def col_px(self, col: int) -> int:
        return next((px for lo, hi, px in self.cols if lo <= col <= hi), self.default_col)

    def row_px(self, row: int) -> int:
        return self.rows.get(row, self.default_row)

    def x(self, col: int) -> int:
        """Pixels from the sheet's left edge to column `col`'s."""
        return sum(self.col_px(c) for c in range(1, col))

    def y(self, row: int) -> int:
        return sum(self.row_px(r) for r in range(1, row))


def _num(attrs: dict[str, str], name: str) -> float | None:
    try:
        return float(attrs[name])
    except (KeyError, ValueError):
        return None


def _on(attrs: dict[str, str], name: str) -> bool:
    return attrs.get(name, "").lower() in ("1", "true")


def col_pixels(width: float) -> int:
    """A `<col width>` (characters of the default font's widest digit, padding included) in pixels, as Excel
    converts it for Calibri 11 (7-pixel digits)."""
    return int(((256 * width + 128 // 7) / 256) * 7)


def rendered_facts(rendered: Rendered) -> SheetFacts:
    """The facts of a sheet generated in this save (sheetgen.py: its column widths, rows 15 points high)."""
    return SheetFacts(cols=[(c, c, col_pixels(w)) for c, w in rendered.widths.items()])


def _head(facts: SheetFacts, head: str) -> None:
    fmt = X.first(head, "sheetFormatPr")
    if fmt is not None:
        a = fmt.attrs
        width, base, height = _num(a, "defaultColWidth"), _num(a, "baseColWidth"), _num(a, "defaultRowHeight")
        if width is not None:
            facts.default_col = col_pixels(width)
        elif base is not None:  # Excel rounds a default width up to whole 8 pixels
            facts.default_col = math.ceil((base * 7 + 5) / 8) * 8
        if height is not None:
            facts.default_row = round(height * 4 / 3)
    cols = X.first(head, "cols")
    if cols is not None:
        for col in X.children(head, cols):
            a = col.attrs
            lo, hi, width = _num(a, "min"), _num(a, "max"), _num(a, "width")
            if lo is None or hi is None:
                continue
            px = 0 if _on(a, "hidden") else (col_pixels(width) if width is not None else facts.default_col)
            facts.cols.append((int(lo), int(hi), px))


def scan_sheet(chunks: Iterable[bytes], last_row: int) -> SheetFacts:
    """The facts of a worksheet part (streamed), with the heights of its rows up to `last_row`: it is read
    only that far."""
    facts = SheetFacts()
    it = iter(chunks)
    buf = b""
    prefix: bytes | None = None
    opened = None
    for chunk in it:
        buf += chunk
        if prefix is None:
            prefix = P.worksheet_prefix(buf)
            if prefix is None:
                continue
        opened = re.search(rb"<" + re.escape(prefix) + rb"sheetData\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>", buf)
        if opened is not None:
            break
    if prefix is None or opened is None:
        raise ValueError("worksheet without sheetData")
    p = prefix.decode()
    facts.prefix = p
    head = buf[:opened.start()].decode("utf-8")
    facts.r_prefix = X.prefix_for(P.DOC_REL, X.namespaces(X.root(head).tag))
    _head(facts, head)
    if opened.group(1):
        return facts
    buf = buf[opened.end():]
    close = f"</{p}sheetData>".encode()
    row_tag = re.compile(rb"<" + re.escape(prefix) + rb"row\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
    prev = 0
    while True:
        end = buf.find(close)
        last = 0
        for m in row_tag.finditer(buf, 0, end if end >= 0 else len(buf)):
            a = X.attrs(m.group(0).decode("utf-8"))
            r = int(a["r"]) if a.get("r", "").isdigit() else prev + 1
            prev, last = r, m.end()
            if r > last_row:
                return facts
            height = _num(a, "ht")
            if _on(a, "hidden"):
                facts.rows[r] = 0
            elif height is not None:
                facts.rows[r] = round(height * 4 / 3)
        if end >= 0:
            return facts
        cut = buf.rfind(b"<", last)  # a row's start tag may be cut at the chunk's end: it starts at the last '<'
        buf = buf[cut:] if cut >= 0 else b""
        chunk = next(it, None)
        if chunk is None:
            raise ValueError("worksheet XML ends inside sheetData")
        buf += chunk


def drawing_element(facts: SheetFacts, rid: str) -> bytes:
    """The `<drawing r:id=…/>` element for a sheet, in its prefixes (declaring the relationships one when
    its root does not)."""
    if facts.r_prefix:
        return f'<{facts.prefix}drawing {facts.r_prefix}:id="{rid}"/>'.encode()
    return f'<{facts.prefix}drawing xmlns:r="{P.DOC_REL}" r:id="{rid}"/>'.encode()


def with_drawing(chunks: Iterable[bytes], element: bytes) -> Iterator[bytes]:
    """A worksheet part (streamed) with `element` (its `<drawing>`) inserted at its place in the schema's
    order: before the first child after `<sheetData>` that comes later (legacyDrawing, oleObjects, controls —
    also inside an `mc:AlternateContent` — tableParts, extLst …), else last. Every other byte passes as it is."""
    keep = 4096
    it = iter(chunks)
    buf = b""
    end_tag = None
    found = None
    for chunk in it:
        buf += chunk
        if end_tag is None:
            prefix = P.worksheet_prefix(buf)
            if prefix is None:
                continue
            p = re.escape(prefix)
            end_tag = re.compile(rb"</" + p + rb"sheetData\s*>|<" + p + rb"sheetData\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?/>")
        found = end_tag.search(buf)
        if found is not None:
            break
        if len(buf) > 2 * keep:
            yield buf[:-keep]
            buf = buf[-keep:]
    if found is None:
        raise ValueError("worksheet without sheetData")
    yield buf[:found.end()]
    tail = (buf[found.end():] + b"".join(it)).decode("utf-8")
    at = None
    for el in X.children_in(tail, 0, len(tail)):
        if el.local == "drawing":
            raise ValueError("the worksheet already has a drawing")
        if _rank(tail, el) > _RANK["drawing"]:
            at = el.start
            break
    if at is None:
        at = tail.rindex("</")
    yield tail[:at].encode("utf-8") + element + tail[at:].encode("utf-8")


def _rank(text: str, el: X.Element) -> int:
    """An element's place in the worksheet's order (-1 when unknown); an `mc:AlternateContent` takes the
    place of what its first choice holds."""
    if el.local == "AlternateContent":
        choice = next(X.children(text, el), None) if not el.empty else None
        held = next(X.children(text, choice), None) if choice is not None and not choice.empty else None
        return _rank(text, held) if held is not None else -1
    return _RANK.get(el.local, -1)


@dataclass
class Placed:
    """A button placed: its cell (0-based column and row), offset and size in EMU."""

    button: LiteButton
    col: int
    row: int
    x: int
    y: int
    cx: int
    cy: int


def place(button: LiteButton, facts: SheetFacts) -> Placed:
    """The shape over its cell: at the cell's top-left corner, `width` × `height` pixels and never smaller
    than the cell (so the cell it links to stays covered)."""
    try:
        r, c, r2, c2 = parse_ref(button.cell)
    except ValueError:
        r = c = r2 = c2 = 0
    if not r or (r, c) != (r2, c2) or "$" in button.cell or not 1 <= c <= 16384 or r > 1048576:
        raise UsageError(f"the button {button.name!r} names {button.cell!r}: a button sits on one cell, written "
                         "without $ (such as F3)")
    width = max(button.width, facts.col_px(c))
    height = max(button.height, facts.row_px(r))
    return Placed(button, c - 1, r - 1, facts.x(c) * EMU, facts.y(r) * EMU, width * EMU, height * EMU)


def link_target(button: LiteButton) -> str:
    """The hyperlink's target: the cell in this workbook (`#'Sheet name'!F3`, quoted as Excel quotes)."""
    return f"#{quote_sheet(button.sheet)}!{button.cell.upper()}"


def _text(value: str) -> str:
    return ILLEGAL.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def anchor_xml(placed: Placed, shape_id: int, rid: str, xdr: str, a: str, declare: str) -> str:
    """One button as a one-cell anchor (moves with its cell, keeps its size): a rounded rectangle in
    crm-xl's header blue with its caption in white bold, centred. `xdr`, `a`: the prefixes (with colon) of
    the drawing and DrawingML namespaces; `declare`: namespace declarations the anchor needs."""
    b = placed.button
    lines = b.caption.split("\n")
    runs = "".join(
        f'<{a}p><{a}pPr algn="ctr"/><{a}r><{a}rPr lang="zh-CN" altLang="en-US" sz="1100" b="1">'
        f'<{a}solidFill><{a}srgbClr val="{theme.HEADER_FONT}"/></{a}solidFill>'
        f'<{a}latin typeface="{theme.FONT}"/><{a}ea typeface="{theme.FONT}"/></{a}rPr>'
        f"<{a}t>{_text(line)}</{a}t></{a}r></{a}p>" for line in lines)
    return (
        f"<{xdr}oneCellAnchor{declare}><{xdr}from><{xdr}col>{placed.col}</{xdr}col><{xdr}colOff>0</{xdr}colOff>"
        f"<{xdr}row>{placed.row}</{xdr}row><{xdr}rowOff>0</{xdr}rowOff></{xdr}from>"
        f'<{xdr}ext cx="{placed.cx}" cy="{placed.cy}"/>'
        f'<{xdr}sp macro="" textlink=""><{xdr}nvSpPr>'
        f'<{xdr}cNvPr id="{shape_id}" name="{X.escape_attr(b.name)}" descr="{X.escape_attr(b.caption)}">'
        f'<{a}hlinkClick xmlns:r="{P.DOC_REL}" r:id="{rid}"/></{xdr}cNvPr><{xdr}cNvSpPr/></{xdr}nvSpPr>'
        f'<{xdr}spPr><{a}xfrm><{a}off x="{placed.x}" y="{placed.y}"/><{a}ext cx="{placed.cx}" cy="{placed.cy}"/>'
        f'</{a}xfrm><{a}prstGeom prst="roundRect"><{a}avLst/></{a}prstGeom>'
        f'<{a}solidFill><{a}srgbClr val="{theme.HEADER_FILL}"/></{a}solidFill><{a}ln><{a}noFill/></{a}ln>'
        f"</{xdr}spPr><{xdr}txBody>"
        f'<{a}bodyPr vertOverflow="clip" horzOverflow="clip" wrap="square" lIns="36000" rIns="36000" '
        f'rtlCol="0" anchor="ctr"/><{a}lstStyle/>{runs}</{xdr}txBody></{xdr}sp>'
        f"<{xdr}clientData/></{xdr}oneCellAnchor>")


def shape_ids(taken: Iterable[int], n: int) -> list[int]:
    """`n` shape ids from 2 up (as Excel counts) that are not `taken` — clear of a sheet's VML shapes too, whose
    ids Excel numbers from 1025."""
    used = set(taken)
    out: list[int] = []
    k = 2
    while len(out) < n:
        if k not in used:
            out.append(k)
        k += 1
    return out


def new_drawing(placed: list[Placed]) -> tuple[bytes, bytes]:
    """A new drawing part holding the buttons, and its relationships part."""
    rels = [(f"rId{i + 1}", T_HYPERLINK, link_target(p.button)) for i, p in enumerate(placed)]
    ids = shape_ids((), len(placed))
    body = "".join(anchor_xml(p, k, rid, "xdr:", "a:", "") for p, k, (rid, _, _) in zip(
        placed, ids, rels, strict=True))
    xml = HEAD + f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}">{body}</xdr:wsDr>'
    return xml.encode("utf-8"), _rels(rels)


def _rels(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{rid}" Type="{typ}" Target="{X.escape_attr(target)}"/>'
                   for rid, typ, target in rels)
    return (HEAD + f'<Relationships xmlns="{P.PKG_REL}">{body}</Relationships>').encode("utf-8")


_CNVPR_ID = re.compile(r"""<(?:[\w.-]+:)?cNvPr\b(?:[^>"']|"[^"]*"|'[^']*')*?\bid\s*=\s*["'](\d+)["']""")


def button_name(text: str, anchor: X.Element) -> str | None:
    """The name of the shape (`xdr:sp`) an anchor holds; None for a picture, chart, group …"""
    for kid in X.children(text, anchor):
        if kid.local == "sp" and not kid.empty:
            for nv in X.children(text, kid):
                if nv.local == "nvSpPr" and not nv.empty:
                    pr = next((el for el in X.children(text, nv) if el.local == "cNvPr"), None)
                    return pr.attrs.get("name") if pr is not None else None
    return None


def with_buttons(xml: bytes, rels: bytes | None, placed: list[Placed]) -> tuple[bytes, bytes]:
    """An existing drawing part with the buttons added last (over what it shows), and its relationships part
    (new when `rels` is None). A shape named like a button — an earlier install's — goes first, and its
    hyperlink's relationship with it when nothing else uses it; the buttons get the lowest shape ids free
    in the part, so installing the same buttons again gives the same bytes."""
    text = xml.decode("utf-8")
    top = X.root(text)
    names = {p.button.name for p in placed}
    dropped: list[tuple[int, int]] = []
    old_links: set[str] = set()
    for el in X.children(text, top):
        if el.local in ANCHORS and button_name(text, el) in names:
            dropped.append((el.start, el.end))
            old_links.update(re.findall(r"""hlinkClick\b[^>]*?:id\s*=\s*["']([^"']*)["']""", text[el.start:el.end]))
    for start, end in reversed(dropped):
        text = text[:start] + text[end:]
    rel_text = rels.decode("utf-8") if rels is not None else _rels([]).decode("utf-8")
    unused = {rid for rid in old_links if not re.search(rf"""=\s*["']{re.escape(rid)}["']""", text)}
    rel_text = X.remove(rel_text, "Relationship", lambda a: a.get("Id") in unused)
    used_rids = {el.attrs.get("Id") for el in X.elements(rel_text, "Relationship")}
    ids = shape_ids([int(n) for n in _CNVPR_ID.findall(text)], len(placed))
    top = X.root(text)
    scope = X.namespaces(top.tag)
    xdr = "" if scope.get("") == XDR else (X.prefix_for(XDR, scope) or "xdr")
    declare = "" if xdr == "" or scope.get(xdr) == XDR else f' xmlns:{xdr}="{XDR}"'
    a = X.prefix_for(A, scope)
    if a is None or a == xdr:
        a = "a"
        declare += f' xmlns:a="{A}"'
    links, anchors = [], []
    for p, shape_id in zip(placed, ids, strict=True):
        n = 1
        while f"rId{n}" in used_rids:
            n += 1
        rid = f"rId{n}"
        used_rids.add(rid)
        links.append({"Id": rid, "Type": T_HYPERLINK, "Target": link_target(p.button)})
        anchors.append(anchor_xml(p, shape_id, rid, f"{xdr}:" if xdr else "", f"{a}:", declare))
    text = X.append_xml(text, "".join(anchors))
    rel_text = X.append_children(rel_text, "Relationship", links)
    return text.encode("utf-8"), rel_text.encode("utf-8")
