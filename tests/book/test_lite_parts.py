"""The xlwings Lite edition's parts written by the file engine (InstallLite): the task pane and web extension
with their properties, the sheet buttons as shapes linked to their cells, re-installs that replace instead of
doubling, other add-ins and drawings kept, and every part not owned left byte for byte."""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter
from conftest import WORKBOOK
from helpers import check_result
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.authoring import template
from crm_xl.book.excel import ExcelBook
from crm_xl.book.files import FileBook
from crm_xl.book.memory import MemoryBook
from crm_xl.book.ops import InstallLite, LiteButton
from crm_xl.book.xlsx import shapes
from crm_xl.book.xlsx.package import Package
from crm_xl.book.xlsx.webext import read_lite
from crm_xl.model.errors import SchemaError, UsageError
from crm_xl.shells.cli import app

WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
T_PANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
T_WEBEXT = "http://schemas.microsoft.com/office/2011/relationships/webextension"
T_HYPERLINK = R + "/hyperlink"
T_DRAWING = R + "/drawing"

MAIN_PY = 'import xlwings as xw\nfrom xlwings import script\n\n@script(button="[crmRunAll]客户信息表!F3")\n' \
          'def run_all(book: xw.Book):\n\tprint("全部 <&> \'ok\' \\\\ done")\n'
PROPS = {"main.py": MAIN_PY, "requirements.txt": "crm-xl==0.9.0\n", "pyodideVersion": "0.29.0",
         "addinVersion": "1.0.0.0-30"}
CUSTOMERS = "客户信息表"
INSTRUCTIONS = "使用说明"


def buttons() -> list[LiteButton]:
    return [LiteButton(CUSTOMERS, "F3", "crmRunAll", "全部运行"),
            LiteButton(INSTRUCTIONS, "F3", "crmValidate", "校验 Validate", width=120),
            LiteButton(INSTRUCTIONS, "F5", "crmTiers", "分级")]


def install(path: Path, props: dict[str, str] | None = None, bs: list[LiteButton] | None = None,
            autoshow: bool = True) -> None:
    with FileBook(path) as book:
        book.install_lite(InstallLite(dict(PROPS if props is None else props),
                                      buttons() if bs is None else bs, autoshow))
        book.save()


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def rels(parts: dict[str, bytes], name: str) -> list[ET.Element]:
    return list(ET.fromstring(parts[name]).iter(f"{{{PKG}}}Relationship"))


def sheet_parts(path: Path) -> dict[str, str]:
    with Package(path) as pkg:
        return {s.name: s.part for s in pkg.workbook.sheets}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    dest = tmp_path / "crm.xlsx"
    shutil.copy(WORKBOOK / "crm.xlsx", dest)
    return dest


# --- the parts ------------------------------------------------------------------------------------------


def test_the_parts_chain_from_the_package_to_the_properties(book: Path) -> None:
    install(book)
    parts = entries(book)
    root = [r for r in rels(parts, "_rels/.rels") if r.get("Type") == T_PANES]
    assert [r.get("Target") for r in root] == ["xl/webextensions/taskpanes.xml"]
    types = {o.get("PartName"): o.get("ContentType") for o in ET.fromstring(parts["[Content_Types].xml"])
             .iter(f"{{{CT}}}Override")}
    assert types["/xl/webextensions/taskpanes.xml"] == "application/vnd.ms-office.webextensiontaskpanes+xml"
    assert types["/xl/webextensions/webextension1.xml"] == "application/vnd.ms-office.webextension+xml"

    panes = ET.fromstring(parts["xl/webextensions/taskpanes.xml"])
    assert panes.tag == f"{{{WETP}}}taskpanes"
    [pane] = list(panes)
    assert pane.tag == f"{{{WETP}}}taskpane"
    assert pane.attrib == {"dockstate": "right", "visibility": "1", "width": "438", "row": "3"}
    [ref] = list(pane)
    assert ref.tag == f"{{{WETP}}}webextensionref"
    [link] = rels(parts, "xl/webextensions/_rels/taskpanes.xml.rels")
    assert link.get("Id") == ref.get(f"{{{R}}}id")
    assert (link.get("Type"), link.get("Target")) == (T_WEBEXT, "webextension1.xml")

    ext = ET.fromstring(parts["xl/webextensions/webextension1.xml"])
    assert ext.tag == f"{{{WE}}}webextension"
    assert re.fullmatch(r"\{[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\}", ext.get("id", ""))
    assert [c.tag.split("}")[1] for c in ext] == ["reference", "alternateReferences", "properties", "bindings",
                                                   "snapshot"]
    assert ext[0].attrib == {"id": "wa200008175", "version": "1.0.0.0", "store": "en-US", "storeType": "OMEX"}
    assert [r.attrib for r in ext[1]] == [{"id": "WA200008175", "version": "1.0.0.0", "store": "WA200008175",
                                           "storeType": "OMEX"}]
    stored = {p.get("name"): p.get("value") for p in ext[2]}
    assert list(stored) == [*PROPS, "Office.AutoShowTaskpaneWithDocument"]
    assert stored["Office.AutoShowTaskpaneWithDocument"] == "true"
    assert {k: json.loads(v) for k, v in stored.items() if k in PROPS} == PROPS
    assert len(ext[3]) == 0 and len(ext[4]) == 0
    assert b'<we:snapshot xmlns:r="' + R.encode() + b'"/>' in parts["xl/webextensions/webextension1.xml"]
    with Package(book) as pkg:
        assert read_lite(pkg) == {**PROPS, "Office.AutoShowTaskpaneWithDocument": "true"}


def test_each_workbook_gets_its_own_web_extension_id(book: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    shutil.copy(book, other)
    install(book)
    install(other)
    ids = {ET.fromstring(entries(p)["xl/webextensions/webextension1.xml"]).get("id") for p in (book, other)}
    assert len(ids) == 2


@pytest.mark.parametrize("text", [
    "你好，世界\n第二行\r\n", 'quotes " and \' and \\ backslash', "<tag attr=\"x\">&amp; & < > </tag>",
    "tab\there\x0bvertical\x00nul", "emoji 🙂 and U+2028 \u2028 and U+FFFF \uffff", "", "trailing space ",
])
def test_property_texts_come_back_exactly(book: Path, text: str) -> None:
    install(book, {"main.py": text, "requirements.txt": "x"}, [])
    xml = entries(book)["xl/webextensions/webextension1.xml"]
    raw = re.search(rb'<we:property name="main.py" value="([^"]*)"/>', xml)
    assert raw is not None and raw.group(1).isascii()  # json.dumps as it is: every other character escaped
    assert json.loads(html.unescape(raw.group(1).decode())) == text  # how extractors of Lite workbooks read it
    assert next(p.get("value") for p in ET.fromstring(xml).iter(f"{{{WE}}}property")
                if p.get("name") == "main.py") == json.dumps(text)
    with Package(book) as pkg:
        assert read_lite(pkg)["main.py"] == text  # type: ignore[index]


def test_no_autoshow_leaves_the_pane_closed(book: Path) -> None:
    install(book, autoshow=False)
    parts = entries(book)
    assert ET.fromstring(parts["xl/webextensions/taskpanes.xml"])[0].get("visibility") == "0"
    assert b"AutoShowTaskpaneWithDocument" not in parts["xl/webextensions/webextension1.xml"]
    install(book, autoshow=True)
    parts = entries(book)
    assert ET.fromstring(parts["xl/webextensions/taskpanes.xml"])[0].get("visibility") == "1"
    with Package(book) as pkg:
        assert read_lite(pkg)["Office.AutoShowTaskpaneWithDocument"] == "true"  # type: ignore[index]


def test_a_workbook_without_lite_reads_as_none(book: Path) -> None:
    with Package(book) as pkg:
        assert read_lite(pkg) is None
    with FileBook(book) as fb:
        assert fb.lite_properties() is None


# --- the buttons ----------------------------------------------------------------------------------------


def shapes_of(parts: dict[str, bytes], sheet_part: str) -> tuple[str, list[dict[str, object]]]:
    """The drawing of a sheet and its shapes: name, id, caption, anchor cell, size, hyperlink target."""
    sheet_rels = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    [drawing_rel] = [r for r in rels(parts, sheet_rels) if r.get("Type") == T_DRAWING]
    element = ET.fromstring(parts[sheet_part]).find(f"{{{MAIN}}}drawing")
    assert element is not None and element.get(f"{{{R}}}id") == drawing_rel.get("Id")
    drawing = "xl/drawings/" + drawing_rel.get("Target", "").rsplit("/", 1)[1]
    links = {r.get("Id"): r for r in rels(parts, drawing.replace("drawings/", "drawings/_rels/") + ".rels")}
    out = []
    for anchor in ET.fromstring(parts[drawing]):
        pr = anchor.find(f".//{{{XDR}}}cNvPr")
        assert pr is not None
        sp = anchor.find(f"{{{XDR}}}sp")
        row: dict[str, object] = {"name": pr.get("name"), "id": int(pr.get("id", "0")), "kind": anchor.tag.split("}")[1]}
        if sp is not None:
            click = pr.find(f"{{{A}}}hlinkClick")
            frm = anchor.find(f"{{{XDR}}}from")
            ext = anchor.find(f"{{{XDR}}}ext")
            assert frm is not None
            if click is None or ext is None:  # the team's own shape
                out.append(row)
                continue
            link = links[click.get(f"{{{R}}}id")]
            assert link.get("Type") == T_HYPERLINK and link.get("TargetMode") is None
            row |= {"caption": "".join(t.text or "" for t in sp.iter(f"{{{A}}}t")),
                    "cell": (int(frm.findtext(f"{{{XDR}}}col", "")), int(frm.findtext(f"{{{XDR}}}row", ""))),
                    "size": (int(ext.get("cx", "0")) // 9525, int(ext.get("cy", "0")) // 9525),
                    "target": link.get("Target"),
                    "geom": sp.find(f".//{{{A}}}prstGeom").get("prst")}  # type: ignore[union-attr]
        out.append(row)
    return drawing, out


def test_buttons_are_named_shapes_linked_to_their_cell(book: Path) -> None:
    install(book)
    parts, where = entries(book), sheet_parts(book)
    _, customers = shapes_of(parts, where[CUSTOMERS])
    assert customers == [{"name": "crmRunAll", "id": 2, "kind": "oneCellAnchor", "caption": "全部运行",
                          "cell": (5, 2), "size": (150, 36), "target": "#客户信息表!F3", "geom": "roundRect"}]
    _, instructions = shapes_of(parts, where[INSTRUCTIONS])
    assert [(s["name"], s["cell"], s["target"]) for s in instructions] == [
        ("crmValidate", (5, 2), "#使用说明!F3"), ("crmTiers", (5, 4), "#使用说明!F5")]
    widths = [s["size"][0] for s in instructions]  # type: ignore[index]
    assert widths[0] == widths[1] > 150  # column F is wider than both buttons: they cover it


def test_a_sheet_name_that_needs_quotes_is_quoted_in_the_link(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Team's list 1"
    wb.save(path)
    install(path, bs=[LiteButton("Team's list 1", "b2", "go", "Go")])
    parts = entries(path)
    _, found = shapes_of(parts, sheet_parts(path)["Team's list 1"])
    assert found[0]["target"] == "#'Team''s list 1'!B2"


def without(xml: bytes, element: bytes) -> bytes:
    assert xml.count(element) == 1
    return xml.replace(element, b"")


def test_the_drawing_element_goes_at_its_schema_place_and_nothing_else_changes(book: Path) -> None:
    before = entries(book)
    install(book)
    after = entries(book)
    where = sheet_parts(book)
    for name in (CUSTOMERS, INSTRUCTIONS):
        part = where[name]
        element = re.search(rb"<drawing r:id=\"rId\d+\"/>", after[part])
        assert element is not None
        assert without(after[part], element.group(0)) == before[part]  # the one change to the sheet
        follows = b"<tableParts" if b"<tableParts" in before[part] else b"</worksheet>"
        assert re.search(rb"<pageSetup [^>]*/>" + re.escape(element.group(0)) + follows, after[part])
    owned = {"_rels/.rels", "[Content_Types].xml", *(where[n] for n in (CUSTOMERS, INSTRUCTIONS)),
             *(where[n].replace("worksheets/", "worksheets/_rels/") + ".rels" for n in (CUSTOMERS, INSTRUCTIONS))}
    for name, data in before.items():
        if name not in owned:
            assert after[name] == data, name
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
    assert names[:len(before)] == [n for n in before if n in names]  # the original order, new parts last


def test_the_order_of_the_sheet_children(tmp_path: Path) -> None:
    """The <drawing> goes before legacyDrawing, controls (also inside mc:AlternateContent), tableParts and
    extLst, after everything that comes before it — whatever the prefix, and with an empty sheetData."""
    el = b'<x:drawing r:id="rId9"/>'
    cases = {
        b"<x:pageMargins/><x:legacyDrawing r:id='rId1'/>": b"<x:pageMargins/>" + el + b"<x:legacyDrawing r:id='rId1'/>",
        b"<x:headerFooter><x:oddHeader>&amp;L</x:oddHeader></x:headerFooter><x:extLst><x:ext/></x:extLst>":
            b"<x:headerFooter><x:oddHeader>&amp;L</x:oddHeader></x:headerFooter>" + el + b"<x:extLst><x:ext/></x:extLst>",
        b'<mc:AlternateContent xmlns:mc="m"><mc:Choice Requires="x14"><x:controls/></mc:Choice>'
        b"<mc:Fallback/></mc:AlternateContent><x:tableParts count='0'/>":
            el + b'<mc:AlternateContent xmlns:mc="m"><mc:Choice Requires="x14"><x:controls/></mc:Choice>'
            b"<mc:Fallback/></mc:AlternateContent><x:tableParts count='0'/>",
        b"<x:ignoredErrors><x:ignoredError sqref='A1'/></x:ignoredErrors><!-- <x:extLst/> -->":
            b"<x:ignoredErrors><x:ignoredError sqref='A1'/></x:ignoredErrors><!-- <x:extLst/> -->" + el,
        b"": el,
    }
    for data in (b"<x:sheetData><x:row r='1'/></x:sheetData>", b"<x:sheetData/>"):
        for tail, want in cases.items():
            head = b'<?xml version="1.0"?><x:worksheet xmlns:x="' + MAIN.encode() + b'" xmlns:r="' + R.encode() + b'">'
            xml = head + data + tail + b"</x:worksheet>"
            chunks = [xml[i:i + 7] for i in range(0, len(xml), 7)]  # tags cut anywhere
            got = b"".join(shapes.with_drawing(chunks, el))
            assert got == head + data + want + b"</x:worksheet>", tail


def test_the_shape_covers_its_cell_and_sits_on_it(tmp_path: Path) -> None:
    path = tmp_path / "sizes.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.set_column("A:A", 30)  # 215 px
    ws.set_column("B:B", None, None, {"hidden": True})
    ws.set_column("C:C", 40)  # 285 px: wider than the button
    ws.set_row(1, 45)  # row 2: 60 px, taller than the button
    ws.write("A1", "x")
    wb.close()
    install(path, {}, [LiteButton("S", "C2", "wide", "Wide"), LiteButton("S", "D3", "plain", "Plain")])
    parts = entries(path)
    drawing, found = shapes_of(parts, sheet_parts(path)["S"])
    assert [(s["cell"], s["size"]) for s in found] == [((2, 1), (285, 60)), ((3, 2), (150, 36))]
    offsets = [(int(o.get("x", "0")) // 9525, int(o.get("y", "0")) // 9525)
               for o in ET.fromstring(parts[drawing]).iter(f"{{{A}}}off")]
    assert offsets == [(215, 20), (215 + 285, 20 + 60)]


def test_a_second_install_replaces_its_shapes_and_changes_nothing_else(book: Path) -> None:
    install(book)
    first = entries(book)
    install(book)
    second = entries(book)
    ids = {ET.fromstring(p["xl/webextensions/webextension1.xml"]).get("id") for p in (first, second)}
    assert len(ids) == 1  # the web extension keeps its id
    assert second == first  # the same install again: every part the same
    moved = [LiteButton(CUSTOMERS, "H2", "crmRunAll", "全部运行（新）"), LiteButton(CUSTOMERS, "B9", "crmHealth", "健康")]
    install(book, {"main.py": "new"}, moved)
    third = entries(book)
    _, found = shapes_of(third, sheet_parts(book)[CUSTOMERS])
    assert [(s["name"], s["cell"], s["target"], s["caption"]) for s in found] == [
        ("crmRunAll", (7, 1), "#客户信息表!H2", "全部运行（新）"), ("crmHealth", (1, 8), "#客户信息表!B9", "健康")]
    assert len({s["id"] for s in found}) == 2
    drawing = shapes_of(third, sheet_parts(book)[CUSTOMERS])[0]
    assert len(rels(third, drawing.replace("drawings/", "drawings/_rels/") + ".rels")) == 2  # the old link went
    assert [r for r in rels(third, "_rels/.rels") if r.get("Type") == T_PANES].__len__() == 1
    assert len(ET.fromstring(third["xl/webextensions/taskpanes.xml"])) == 1
    with Package(book) as pkg:
        assert read_lite(pkg) == {**PROPS, "main.py": "new", "Office.AutoShowTaskpaneWithDocument": "true"}


EXISTING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<we:webextension xmlns:we="{WE}" id="{{5A1B2C3D-0000-4000-8000-00000000ABCD}}">'
    '<we:reference id="WA200008175" version="1.0.0.0" store="zh-CN" storeType="OMEX"/>'
    '<we:alternateReferences><we:reference id="WA200008175" version="1.0.0.0" store="WA200008175" '
    'storeType="OMEX"/></we:alternateReferences>'
    '<we:properties>'
    '<we:property name="xlwingsWorkbookId" value="&quot;a0403022-1111-4222-8333-444455556666&quot;"/>'
    '<we:property name="main.py" value="&quot;print(1)\\n&quot;"/>'
    '<we:property name="xlwingsSettingsWorkbook" value="{&quot;startupBehavior&quot;:&quot;taskpane&quot;}"/>'
    '<we:property name="requirements-pinned.txt" value="&quot;xlwings==0.33.20\\n&quot;"></we:property>'
    "<we:property value='&quot;kept \\u4f60&quot;' name='someFutureFile.py'/>"
    '<we:property name="notJson" value="raw &amp; plain"/>'
    '</we:properties><we:bindings/>'
    f'<we:snapshot xmlns:r="{R}"/></we:webextension>')
EXISTING_PANES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<wetp:taskpanes xmlns:wetp="{WETP}">'
                  '<wetp:taskpane dockstate="right" visibility="0" width="837" row="5">'
                  f'<wetp:webextensionref xmlns:r="{R}" r:id="rId7"/></wetp:taskpane></wetp:taskpanes>')


def graft(path: Path, parts: dict[str, str], root_rels: str, types: str) -> None:
    """Add parts to a workbook (rewritten with zipfile: test input), with package relationships and content
    types."""
    old = entries(path)
    old["_rels/.rels"] = old["_rels/.rels"].replace(b"</Relationships>", root_rels.encode() + b"</Relationships>")
    old["[Content_Types].xml"] = old["[Content_Types].xml"].replace(b"</Types>", types.encode() + b"</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in old.items():
            z.writestr(name, data)
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))


def lite_workbook(path: Path) -> None:
    graft(path, {"xl/webextensions/taskpanes.xml": EXISTING_PANES,
                 "xl/webextensions/_rels/taskpanes.xml.rels":
                     f'<Relationships xmlns="{PKG}"><Relationship Id="rId7" Type="{T_WEBEXT}" '
                     'Target="webextension1.xml"/></Relationships>',
                 "xl/webextensions/webextension1.xml": EXISTING},
          f'<Relationship Id="rId9" Type="{T_PANES}" Target="xl/webextensions/taskpanes.xml"/>',
          '<Override PartName="/xl/webextensions/taskpanes.xml" '
          'ContentType="application/vnd.ms-office.webextensiontaskpanes+xml"/>'
          '<Override PartName="/xl/webextensions/webextension1.xml" '
          'ContentType="application/vnd.ms-office.webextension+xml"/>')


def test_an_existing_lite_add_in_keeps_what_it_is_not_given(book: Path) -> None:
    lite_workbook(book)
    with Package(book) as pkg:
        assert read_lite(pkg) == {"xlwingsWorkbookId": "a0403022-1111-4222-8333-444455556666", "main.py": "print(1)\n",
                                  "xlwingsSettingsWorkbook": '{"startupBehavior":"taskpane"}',
                                  "requirements-pinned.txt": "xlwings==0.33.20\n", "someFutureFile.py": "kept 你",
                                  "notJson": "raw & plain"}
    before = entries(book)
    install(book)
    after = entries(book)
    xml = after["xl/webextensions/webextension1.xml"].decode()
    unknown = re.findall(r"<we:property name=\"(?:xlwingsWorkbookId|xlwingsSettingsWorkbook)\"[^>]*/>"
                         r"|<we:property name=\"requirements-pinned.txt\".*?</we:property>"
                         r"|<we:property value='[^']*' name='someFutureFile.py'/>"
                         r"|<we:property name=\"notJson\"[^>]*/>", EXISTING)
    assert len(unknown) == 5
    for kept in unknown:
        assert kept in xml  # byte for byte
    names = [p.get("name") for p in ET.fromstring(xml).iter(f"{{{WE}}}property")]
    assert names == ["xlwingsWorkbookId", "main.py", "xlwingsSettingsWorkbook", "requirements-pinned.txt",
                     "someFutureFile.py", "notJson", "requirements.txt", "pyodideVersion", "addinVersion",
                     "Office.AutoShowTaskpaneWithDocument"]  # main.py in its place, the new ones last
    assert xml.startswith(EXISTING[:EXISTING.index("<we:properties>")])  # id and references as they were
    with Package(book) as pkg:
        props = read_lite(pkg)
    assert props is not None and props["main.py"] == MAIN_PY and props["xlwingsWorkbookId"].startswith("a0403022")
    panes = ET.fromstring(after["xl/webextensions/taskpanes.xml"])
    assert [(p.get("visibility"), p.get("width"), p.get("row")) for p in panes] == [("1", "837", "5")]
    assert after["xl/webextensions/_rels/taskpanes.xml.rels"] == before["xl/webextensions/_rels/taskpanes.xml.rels"]
    assert after["_rels/.rels"] == before["_rels/.rels"]
    assert after["[Content_Types].xml"].count(b"webextension") == before["[Content_Types].xml"].count(b"webextension")
    assert not [n for n in after if n not in before and "webextension" in n]


def test_another_add_in_is_kept_and_lite_goes_beside_it(book: Path) -> None:
    other = EXISTING.replace("WA200008175", "WA104381504").replace("wa200008175", "wa104381504")
    lite_workbook(book)
    before = entries(book)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in before.items():
            z.writestr(name, other.encode() if name == "xl/webextensions/webextension1.xml" else data)
    before = entries(book)
    with Package(book) as pkg:
        assert read_lite(pkg) is None
    install(book)
    after = entries(book)
    assert after["xl/webextensions/webextension1.xml"] == before["xl/webextensions/webextension1.xml"]
    panes = ET.fromstring(after["xl/webextensions/taskpanes.xml"])
    assert [(p.get("visibility"), p.get("row")) for p in panes] == [("0", "5"), ("1", "6")]
    ref = panes[1][0].get(f"{{{R}}}id")
    targets = {r.get("Id"): r.get("Target") for r in rels(after, "xl/webextensions/_rels/taskpanes.xml.rels")}
    assert targets == {"rId7": "webextension1.xml", ref: "webextension2.xml"}
    assert b"/xl/webextensions/webextension2.xml" in after["[Content_Types].xml"]
    assert [r for r in rels(after, "_rels/.rels") if r.get("Type") == T_PANES].__len__() == 1
    with Package(book) as pkg:
        assert read_lite(pkg) == {**PROPS, "Office.AutoShowTaskpaneWithDocument": "true"}
    install(book, {"main.py": "again"}, [])
    again = entries(book)
    assert len(ET.fromstring(again["xl/webextensions/taskpanes.xml"])) == 2
    assert not any(n.endswith("webextension3.xml") for n in again)


# --- drawings already there ------------------------------------------------------------------------------


def test_a_sheet_with_a_chart_keeps_it_and_gets_the_buttons(tmp_path: Path) -> None:
    path = tmp_path / "chart.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(CUSTOMERS)
    ws.write_column("A1", [1, 2, 3])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"={CUSTOMERS}!$A$1:$A$3"})
    ws.insert_chart("C2", chart)
    ws.insert_textbox("J2", "the team's note", {"object_position": 3})
    wb.close()
    before = entries(path)
    install(path, bs=[LiteButton(CUSTOMERS, "F3", "crmRunAll", "全部运行"), LiteButton(CUSTOMERS, "A8", "b2", "B")])
    after = entries(path)
    drawing, found = shapes_of(after, sheet_parts(path)[CUSTOMERS])
    assert drawing == "xl/drawings/drawing1.xml"
    assert [s["name"] for s in found] == ["Chart 1", "TextBox 2", "crmRunAll", "b2"]
    assert len({s["id"] for s in found}) == 4
    assert after[drawing].startswith(before[drawing][:before[drawing].rindex(b"</xdr:wsDr>")])  # the chart as it was
    for name in before:
        if name.startswith("xl/charts/") or name == "xl/worksheets/sheet1.xml":
            assert after[name] == before[name], name
    openpyxl.load_workbook(path)
    CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CUSTOMERS).to_python()


def test_the_vba_edition_keeps_its_form_buttons_and_macros(tmp_path: Path) -> None:
    path = template.create(tmp_path / "vba.xlsm", lang="zh-Hans", sample=False, macros=True, force=True)
    before = entries(path)
    install(path)
    after = entries(path)
    where = sheet_parts(path)
    for name in before:
        if name.endswith((".vml", ".bin")) or name.startswith("xl/tables/"):
            assert after[name] == before[name], name
    part = where[INSTRUCTIONS]
    assert re.search(rb'<drawing r:id="rId\d+"/><legacyDrawing r:id="rId1"/></worksheet>$', after[part])
    vml = {int(n) for name in before if name.endswith(".vml") for n in re.findall(rb"_x0000_s(\d+)", before[name])}
    _, found = shapes_of(after, part)
    assert vml and not vml & {s["id"] for s in found}  # type: ignore[operator]
    with FileBook(path) as fb:
        assert fb.sheet_names()[0] == INSTRUCTIONS
    openpyxl.load_workbook(path, keep_vba=True)


def test_cells_and_buttons_in_one_save(tmp_path: Path) -> None:
    path = tmp_path / "sample.xlsx"
    shutil.copy(WORKBOOK / "sample.xlsx", path)
    with FileBook(path) as fb:
        fb.apply(check_result({3: "OK", 4: "bad"}))
        fb.install_lite(InstallLite(PROPS, [LiteButton(CUSTOMERS, "H1", "crmRunAll", "全部运行")]))
        fb.save()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CUSTOMERS).to_python()
    col = rows[1].index("校验结果")
    assert (rows[2][col], rows[3][col]) == ("OK", "bad")
    parts = entries(path)
    _, found = shapes_of(parts, sheet_parts(path)[CUSTOMERS])
    assert [s["target"] for s in found] == ["#客户信息表!H1"]


def test_a_run_after_install_leaves_every_lite_part_as_it_is(tmp_path: Path) -> None:
    path = template.create(tmp_path / "team.xlsx", lang="zh-Hans", sample=True, macros=False, force=True)
    install(path)
    installed = entries(path)
    result = CliRunner().invoke(app, ["run", str(path), "--today", "2024-04-01"])
    assert result.exit_code in (0, 1), result.output
    ran = entries(path)
    lite = [n for n in installed if n.startswith(("xl/webextensions/", "xl/drawings/")) or n == "_rels/.rels"]
    assert len(lite) >= 7
    for name in lite:
        assert ran[name] == installed[name], name
    _, found = shapes_of(ran, sheet_parts(path)[CUSTOMERS])
    assert [s["name"] for s in found] == ["crmRunAll"]
    with Package(path) as pkg:
        assert read_lite(pkg) == {**PROPS, "Office.AutoShowTaskpaneWithDocument": "true"}


def test_the_result_opens_in_other_readers(book: Path) -> None:
    install(book)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:2] == [INSTRUCTIONS, CUSTOMERS]
    cal = CalamineWorkbook.from_path(str(book))
    assert cal.get_sheet_by_name(CUSTOMERS).to_python()[1][0] == "客户名称"


# --- refusals and the other adapters --------------------------------------------------------------------


def test_a_button_on_a_missing_sheet_or_cell_is_refused_and_nothing_written(book: Path) -> None:
    before = book.read_bytes()
    for bad, error in ((LiteButton("不存在", "A1", "go", "Go"), SchemaError),
                       (LiteButton(CUSTOMERS, "$F$3", "go", "Go"), UsageError),
                       (LiteButton(CUSTOMERS, "F3:G4", "go", "Go"), UsageError),
                       (LiteButton(CUSTOMERS, "三", "go", "Go"), UsageError)):
        with pytest.raises(error, match=f"button 'go'.*{re.escape(bad.cell)}"), FileBook(book) as fb:
            fb.install_lite(InstallLite(PROPS, [bad]))
            fb.save()
        assert book.read_bytes() == before


def test_a_button_on_a_chart_sheet_or_a_sheet_dropped_in_the_same_save_is_refused(tmp_path: Path) -> None:
    from crm_xl.book.ops import DropSheet

    path = tmp_path / "c.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Data").write_column("A1", [1, 2])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$A$1:$A$2"})
    wb.add_chartsheet("Chart").set_chart(chart)
    wb.close()
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="'Chart' is not a worksheet"), FileBook(path) as fb:
        fb.install_lite(InstallLite(PROPS, [LiteButton("Chart", "A1", "go", "Go")]))
        fb.save()
    with pytest.raises(SchemaError, match="no sheet 'data'.*sheets: Chart"), FileBook(path) as fb:
        fb._ops.append(DropSheet("Data"))
        fb.install_lite(InstallLite(PROPS, [LiteButton("data", "A1", "go", "Go")]))
        fb.save()
    assert path.read_bytes() == before
    install(path, {}, [LiteButton("data", "A3", "go", "Go")])  # names match as Excel matches them, in any case
    _, found = shapes_of(entries(path), sheet_parts(path)["Data"])
    assert [s["target"] for s in found] == ["#Data!A3"]


def test_a_drawing_without_relationships_or_prefixes_gets_the_buttons(tmp_path: Path) -> None:
    """A drawing in the default namespace with no DrawingML prefix bound and no relationships part (a text
    box only): the shapes declare what they need, and the links get a relationships part."""
    drawing = (f'<?xml version="1.0" encoding="UTF-8"?><wsDr xmlns="{XDR}"><absoluteAnchor><pos x="0" y="0"/>'
               f'<ext cx="9525" cy="9525"/><sp><nvSpPr><cNvPr id="2" name="Note"/><cNvSpPr/></nvSpPr><spPr/></sp>'
               "<clientData/></absoluteAnchor></wsDr>")
    placed = [shapes.place(LiteButton("S", "C4", "go", "Go"), shapes.SheetFacts())]
    xml, links = shapes.with_buttons(drawing.encode(), None, placed)
    root = ET.fromstring(xml)
    assert [a.tag for a in root] == [f"{{{XDR}}}absoluteAnchor", f"{{{XDR}}}oneCellAnchor"]
    pr = root[1].find(f".//{{{XDR}}}cNvPr")
    assert pr is not None and (pr.get("id"), pr.get("name")) == ("3", "go")
    assert root[1].find(f".//{{{A}}}prstGeom") is not None
    [link] = ET.fromstring(links)
    assert (link.get("Id"), link.get("Target")) == (pr.find(f"{{{A}}}hlinkClick").get(f"{{{R}}}id"), "#S!C4")  # type: ignore[union-attr]
    assert xml.startswith(drawing[:drawing.index("</wsDr>")].encode())


def test_a_sheet_whose_drawing_is_missing_is_refused(book: Path) -> None:
    old = entries(book)
    part = sheet_parts(book)[CUSTOMERS]
    sheet_rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    old[part] = old[part].replace(b"<tableParts", b'<drawing r:id="rId77"/><tableParts')
    old[sheet_rels] = old[sheet_rels].replace(b"</Relationships>", f'<Relationship Id="rId77" Type="{T_DRAWING}" '
                                              'Target="../drawings/drawing9.xml"/></Relationships>'.encode())
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in old.items():
            z.writestr(name, data)
    with pytest.raises(SchemaError, match="drawing that is missing"), FileBook(book) as fb:
        fb.install_lite(InstallLite(PROPS, [LiteButton(CUSTOMERS, "A1", "go", "Go")]))
        fb.save()


def test_a_task_panes_relationship_to_a_missing_part_is_replaced(book: Path) -> None:
    graft(book, {}, f'<Relationship Id="rId9" Type="{T_PANES}" Target="xl/webextensions/taskpanes.xml"/>', "")
    install(book, bs=[])
    panes = [r for r in rels(entries(book), "_rels/.rels") if r.get("Type") == T_PANES]
    assert [(r.get("Target")) for r in panes] == ["xl/webextensions/taskpanes.xml"]
    with Package(book) as pkg:
        assert read_lite(pkg) is not None


@pytest.mark.parametrize("bag", ["<we:properties/>", "", "<we:properties></we:properties>"])
def test_a_web_extension_with_an_empty_or_no_property_bag(bag: str) -> None:
    from crm_xl.book.xlsx.webext import with_properties

    xml = (f'<we:webextension xmlns:we="{WE}" id="x"><we:reference id="wa200008175"/>{bag}<we:bindings/>'
           "</we:webextension>")
    out = with_properties(xml.encode(), {"main.py": '"a"', "gone": None})
    root = ET.fromstring(out)
    assert [c.tag.split("}")[1] for c in root] == ["reference", "properties", "bindings"]
    assert [(p.get("name"), p.get("value")) for p in root[1]] == [("main.py", '"a"')]
    assert with_properties(xml.encode(), {"gone": None}) == (xml if bag else xml.replace(
        "<we:bindings/>", "<we:properties/><we:bindings/>")).encode()


@pytest.mark.parametrize("with_chart", [False, True])
def test_buttons_on_a_sheet_generated_in_the_same_save(book: Path, with_chart: bool) -> None:
    import pandas as pd

    from crm_xl.book.ops import PutSheet
    from crm_xl.model.layout import Chart, SheetLayout, Table, Text, render

    df = pd.DataFrame({"来源": ["展会", "转介绍"], "客户": [3, 5]})
    layout = SheetLayout("按钮", [Text("按钮", "title"), Table(df, "来源", name="src")],
                         charts=[Chart("pie", "来源", "src", "来源", ["客户"])] if with_chart else [],
                         widths={2: 40})
    with FileBook(book) as fb:
        fb._ops.append(PutSheet(layout, render(layout)))
        fb.install_lite(InstallLite(PROPS, [LiteButton("按钮", "B8", "crmRunAll", "全部运行"),
                                            LiteButton("按钮", "C9", "crmTiers", "分级")]))
        fb.save()
    parts = entries(book)
    _, found = shapes_of(parts, sheet_parts(book)["按钮"])
    buttons = [s for s in found if "target" in s]
    assert [(s["name"], s["cell"], s["target"]) for s in buttons] == [
        ("crmRunAll", (1, 7), "#按钮!B8"), ("crmTiers", (2, 8), "#按钮!C9")]
    assert buttons[0]["size"] == (280, 36)  # column B is 40 characters wide (280 pixels): the shape covers it
    assert len(found) == len(buttons) + with_chart and len({s["id"] for s in found}) == len(found)
    openpyxl.load_workbook(book)
    with FileBook(book) as fb:  # installing again replaces the buttons on the sheet, now an original one
        fb.install_lite(InstallLite(PROPS, [LiteButton("按钮", "B8", "crmRunAll", "全部运行")]))
        fb.save()
    _, again = shapes_of(entries(book), sheet_parts(book)["按钮"])
    assert [s["name"] for s in again].count("crmRunAll") == 1 and len(again) == len(found)


def test_two_installs_in_one_save_merge(book: Path) -> None:
    with FileBook(book) as fb:
        fb.install_lite(InstallLite({"main.py": "one", "requirements.txt": "r"}, buttons()))
        fb.install_lite(InstallLite({"main.py": "two"}, [LiteButton(CUSTOMERS, "K1", "crmRunAll", "新")], False))
        fb.save()
    with Package(book) as pkg:
        assert read_lite(pkg) == {"main.py": "two", "requirements.txt": "r"}
    _, found = shapes_of(entries(book), sheet_parts(book)[CUSTOMERS])
    assert [(s["name"], s["target"]) for s in found] == [("crmRunAll", "#客户信息表!K1")]


def test_a_memory_book_records_the_install_and_excel_refuses_it() -> None:
    from xlfake import FakeBook

    memory = MemoryBook({"S": [["a"]]})
    op = InstallLite(PROPS, buttons())
    memory.install_lite(op)
    memory.save()
    assert memory.lite == [op] and memory.sheets == {"S": [["a"]]}
    fake = FakeBook.from_grids({"S": [["a"]]}, [])
    excel = ExcelBook(fake)
    excel.install_lite(op)
    with pytest.raises(UsageError, match="lite-setup"):
        excel.save()
    assert fake.sheets["S"].range("A1").value == "a"


# --- LibreOffice ---------------------------------------------------------------------------------------

LO = shutil.which("libreoffice") or shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")


def _button_pixels(ppm: bytes) -> int:
    """Pixels of the buttons' fill (crm-xl's header blue, 1F4E78) in a binary PPM."""
    parts = ppm.split(maxsplit=4)
    width, height, data = int(parts[1]), int(parts[2]), parts[4]
    return sum(1 for i in range(0, width * height * 3, 3)
               if abs(data[i] - 0x1F) < 24 and abs(data[i + 1] - 0x4E) < 24 and abs(data[i + 2] - 0x78) < 24)


@pytest.mark.libreoffice
@pytest.mark.skipif(LO is None or PDFTOPPM is None, reason="LibreOffice or pdftoppm is not installed")
def test_libreoffice_draws_the_buttons(tmp_path: Path) -> None:
    import subprocess

    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet"
    wb.active["A1"] = "buttons below"
    wb.active["A6"] = "end"
    wb.save(plain)
    with_buttons = tmp_path / "buttons.xlsx"
    shutil.copy(plain, with_buttons)
    install(with_buttons, bs=[LiteButton("Sheet", "B2", "crmRunAll", "全部运行"), LiteButton("Sheet", "B4", "b", "B")])
    counts = []
    for path in (plain, with_buttons):
        subprocess.run([LO, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                        "pdf", "--outdir", str(tmp_path / "pdf"), str(path)], capture_output=True, timeout=600,
                       check=False)
        pdf = tmp_path / "pdf" / f"{path.stem}.pdf"
        assert pdf.exists(), f"LibreOffice could not open {path.name}"
        subprocess.run([PDFTOPPM, "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / path.stem)],
                       check=True, timeout=120)
        counts.append(_button_pixels((tmp_path / f"{path.stem}.ppm").read_bytes()))
    # two 150×36-pixel buttons at 30 dpi (of 96) are about 2 × 47 × 11 pixels of fill
    assert counts[0] == 0 and counts[1] > 600, counts
