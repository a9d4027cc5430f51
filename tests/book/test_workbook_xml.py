"""workbook.xml, its rels and [Content_Types].xml in every form producers write: a run that adds and
replaces sheets gives a package whose sheets all resolve, read back by independent readers; a package that
would not is refused before it replaces anything."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from conftest import WORKBOOK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import crm_xl
from crm_xl.book.xlsx import writer as W
from crm_xl.book.xlsx import zipio
from crm_xl.book.xlsx.package import DOC_REL, MAIN, PKG_REL
from crm_xl.book.xlsx.sheetxml import SheetRewriter
from crm_xl.book.xlsx.verify import PackageCheckError

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
ISSUES = "问题清单"


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _rewrite(src: Path, dest: Path, parts: dict[str, bytes]) -> Path:
    """A copy of `src` with some parts replaced (entry order kept)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, parts.get(info.filename, zin.read(info.filename)))
    return dest


def _sheets(xml: bytes) -> list[tuple[str, str, str]]:
    root = ET.fromstring(xml)
    return [(el.get("name", ""), el.get("sheetId", ""), el.get(f"{{{DOC_REL}}}id", ""))
            for el in root.iter(f"{{{MAIN}}}sheet")]


def _attr(name: str, value: str, quote: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(quote, "&quot;" if quote == '"' else "&apos;")
    return f"{name}={quote}{value}{quote}"


@st.composite
def workbook_shapes(draw: st.DrawFn, sheets: list[tuple[str, str, str]]) -> tuple[bytes, bytes]:
    """A workbook.xml and its rels for the same sheets, in a random but valid form."""
    main = draw(st.sampled_from(["", "x", "ss"]))
    rp = draw(st.sampled_from(["r", "rel", "ns1"]))
    per_element = draw(st.booleans())
    ws = draw(st.sampled_from(["", " ", "\n  "]))
    q = draw(st.sampled_from(['"', "'"]))
    mp = f"{main}:" if main else ""
    root_ns = f' xmlns{":" + main if main else ""}="{MAIN}"'
    if not per_element:
        root_ns += f" xmlns:{rp}={q}{DOC_REL}{q}"
    items = []
    for name, sid, rid in sheets:
        attrs = [_attr("name", name, q), _attr("sheetId", sid, q), _attr(f"{rp}:id", rid, q)]
        if per_element:
            attrs.append(f"xmlns:{rp}={q}{DOC_REL}{q}")
        attrs = draw(st.permutations(attrs))
        end_tag = draw(st.booleans())
        tag = f"<{mp}sheet{ws or ' '}" + " ".join(attrs)
        items.append(tag + (f"></{mp}sheet>" if end_tag else f"{ws}/>"))
    defined = (f"<{mp}definedNames>{ws}<{mp}definedName name={q}_xlnm._FilterDatabase{q} localSheetId={q}1{q} "
               f"hidden={q}1{q}>'{sheets[1][0]}'!$A$1:$B$2</{mp}definedName></{mp}definedNames>")
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{mp}workbook{root_ns}>{ws}'
          f"<{mp}bookViews><{mp}workbookView activeTab={q}1{q}/></{mp}bookViews>{ws}"
          f"<{mp}sheets>{ws}{ws.join(items)}{ws}</{mp}sheets>{ws}{defined}{ws}"
          f"<{mp}calcPr calcId={q}191029{q}/></{mp}workbook>")
    pp = draw(st.sampled_from(["", "pr"]))
    ppre = f"{pp}:" if pp else ""
    rels = []
    for _name, _sid, rid in sheets:
        n = re.sub(r"\D", "", rid)
        body = [_attr("Id", rid, q), _attr("Type", DOC_REL + "/worksheet", q),
                _attr("Target", f"worksheets/sheet{n}.xml", q)]
        body = draw(st.permutations(body))
        end_tag = draw(st.booleans())
        rels.append(f"<{ppre}Relationship " + " ".join(body) + (f"></{ppre}Relationship>" if end_tag else "/>"))
    n = len(sheets)  # (the other parts' ids after the sheets')
    rels.append(f'<{ppre}Relationship Id="rId{n + 1}" Type="{DOC_REL}/theme" Target="theme/theme1.xml"/>')
    rels.append(f'<{ppre}Relationship Id="rId{n + 2}" Type="{DOC_REL}/styles" Target="styles.xml"/>')
    rels.append(f'<{ppre}Relationship Id="rId{n + 3}" Type="{DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>')
    xmlns = f' xmlns{":" + pp if pp else ""}="{PKG_REL}"'
    rel_xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<{ppre}Relationships{xmlns}>{ws.join(rels)}</{ppre}Relationships>'
    return wb.encode(), rel_xml.encode()


def _check_result(path: Path, names: list[str]) -> None:
    """Every sheet resolves (ElementTree over the parts), and calamine and openpyxl read them all."""
    entries = _entries(path)
    sheets = _sheets(entries["xl/workbook.xml"])
    rels = {el.get("Id"): el.get("Target") for el in ET.fromstring(entries["xl/_rels/workbook.xml.rels"])}
    for _name, _sid, rid in sheets:
        assert "xl/" + rels[rid] in entries
    assert [s[0] for s in sheets if s[0] in names] == names  # every original sheet, in its order
    assert ISSUES in [s[0] for s in sheets]
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == [s[0] for s in sheets]
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    assert openpyxl.load_workbook(path).sheetnames == wb.sheet_names


@pytest.fixture(scope="module")
def sample_parts() -> dict[str, bytes]:
    return _entries(WORKBOOK / "sample.xlsx")


def _has_all_rels(parts: dict[str, bytes]) -> bool:
    targets = [el.get("Target") for el in ET.fromstring(parts["xl/_rels/workbook.xml.rels"])]
    return {"theme/theme1.xml", "styles.xml", "sharedStrings.xml"} <= set(targets)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_workbook_xml_shape_round_trips(data: st.DataObject, sample_parts: dict[str, bytes],
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    assert _has_all_rels(sample_parts)
    sheets = _sheets(sample_parts["xl/workbook.xml"])
    wb_xml, rels = data.draw(workbook_shapes(sheets))
    assert _sheets(wb_xml) == sheets  # the shape is what a parser sees as the same workbook
    path = _rewrite(WORKBOOK / "sample.xlsx", tmp_path_factory.mktemp("wb") / "shape.xlsx",
                    {"xl/workbook.xml": wb_xml, "xl/_rels/workbook.xml.rels": rels})
    crm_xl.validate(path, today="2024-04-01")
    _check_result(path, [s[0] for s in sheets])
    defined = ET.fromstring(_entries(path)["xl/workbook.xml"]).find(f".//{{{MAIN}}}definedName")
    assert defined is not None and defined.get("localSheetId") == "1"  # 客户信息表 kept its position


def test_per_sheet_namespace_declarations(tmp_path: Path, sample_parts: dict[str, bytes]) -> None:
    """openpyxl with lxml declares xmlns:r on each <sheet>: new sheets must not use an unbound prefix."""
    xml = sample_parts["xl/workbook.xml"].decode()
    xml = xml.replace(f' xmlns:r="{DOC_REL}"', "", 1)
    xml = re.sub(r"<sheet ", f'<sheet xmlns:r="{DOC_REL}" ', xml)
    path = _rewrite(WORKBOOK / "sample.xlsx", tmp_path / "lxml.xlsx", {"xl/workbook.xml": xml.encode()})
    crm_xl.run_all(path, today="2024-04-01")
    _check_result(path, [s[0] for s in _sheets(sample_parts["xl/workbook.xml"])])


def test_end_tag_sheet_elements(tmp_path: Path, sample_parts: dict[str, bytes]) -> None:
    """NPOI writes <sheet …></sheet>: every sheet keeps its id and relationship."""
    xml = sample_parts["xl/workbook.xml"].decode()
    xml = re.sub(r"(<sheet [^>]*?)/>", r"\1></sheet>", xml)
    before = _sheets(xml.encode())
    path = _rewrite(WORKBOOK / "sample.xlsx", tmp_path / "npoi.xlsx", {"xl/workbook.xml": xml.encode()})
    crm_xl.run_all(path, today="2024-04-01")
    after = _sheets(_entries(path)["xl/workbook.xml"])
    assert [s for s in after if s in before] == before
    _check_result(path, [s[0] for s in before])


def test_a_broken_result_is_refused_and_the_workbook_kept(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The check before the rename: a writer bug (here: new sheets with an unbound prefix) costs nothing."""
    path = tmp_path / "s.xlsx"
    shutil.copy(WORKBOOK / "sample.xlsx", path)
    before = path.read_bytes()
    real = W.PackageWriter._workbook_xml

    def unbound(self: W.PackageWriter) -> bytes:
        return real(self).replace(b' xmlns:r="', b' xmlns:q="')

    monkeypatch.setattr(W.PackageWriter, "_workbook_xml", unbound)
    with pytest.raises(PackageCheckError, match="safety check"):
        crm_xl.validate(path, today="2024-04-01")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]  # no temporary file left


@pytest.mark.parametrize("apart", [False, True])
def test_a_broken_data_sheet_is_refused_and_the_workbook_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               apart: bool) -> None:
    """A rewritten sheet's XML is read by the well-formedness check alone: a bug there is refused too, also
    when the parts are checked by a child process (as parts of a megabyte or more are)."""
    monkeypatch.setattr(zipio, "APART", 1 if apart else zipio.APART)
    path = tmp_path / "s.xlsx"
    shutil.copy(WORKBOOK / "sample.xlsx", path)
    before = path.read_bytes()
    real = SheetRewriter.run

    def broken(self: SheetRewriter, chunks: Any) -> Any:
        for piece in real(self, chunks):
            yield piece.replace(b"</sheetData>", b"<q:x/></sheetData>")

    monkeypatch.setattr(SheetRewriter, "run", broken)
    with pytest.raises(PackageCheckError, match=r"sheet\d+\.xml is not well-formed XML \(unbound prefix"):
        crm_xl.validate(path, today="2024-04-01")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]


def test_a_sheet_that_does_not_resolve_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.xlsx"
    shutil.copy(WORKBOOK / "sample.xlsx", path)
    before = path.read_bytes()
    real = W.PackageWriter._workbook_xml

    def lost(self: W.PackageWriter) -> bytes:
        return re.sub(rb'r:id="rId2"', b'r:id=""', real(self))

    monkeypatch.setattr(W.PackageWriter, "_workbook_xml", lost)
    with pytest.raises(PackageCheckError, match="does not resolve"):
        crm_xl.validate(path, today="2024-04-01")
    assert path.read_bytes() == before


def test_an_internal_error_is_one_line_and_the_file_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from crm_xl.shells.cli import app

    path = tmp_path / "s.xlsx"
    shutil.copy(WORKBOOK / "sample.xlsx", path)
    before = path.read_bytes()

    def boom(self: W.PackageWriter) -> bytes:
        raise ValueError("xl/workbook.xml: <sheets> [not] understood")

    monkeypatch.setattr(W.PackageWriter, "_workbook_xml", boom)
    monkeypatch.setattr("crm_xl.book.xlsx.safety.saved", [])  # what earlier tests in this process saved
    result = CliRunner().invoke(app, ["validate", str(path), "--today", "2024-04-01"])
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: crm-xl stopped on an internal error (ValueError")
    assert "nothing was written" in lines[0] and "[not]" in lines[0]
    assert path.read_bytes() == before
