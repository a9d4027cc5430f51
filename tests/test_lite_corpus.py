"""The xlwings Lite parts and buttons installed on every workbook other applications saved
(../shared/fidelity/others) that crm-xl accepts: the package check passes, the properties read back, every
part the install does not own is byte-identical (same bytes, same CRC, same order), a sheet that had no
drawing differs only by its new `<drawing>` element, and the result opens where the original did."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from test_others_corpus import FILES, OTHERS, REFUSED

from crm_xl.book.files import FileBook
from crm_xl.book.ops import InstallLite, LiteButton
from crm_xl.book.xlsx.package import T_DRAWING, Package
from crm_xl.book.xlsx.webext import read_lite

pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not found at {OTHERS}")
ACCEPTED = [p for p in FILES if p.name not in REFUSED]
PROPS = {"main.py": "print('你好')\n", "requirements.txt": "crm-xl\n", "pyodideVersion": "0.29.0",
         "addinVersion": "1.0.0.0-30"}


def _sheets(path: Path) -> list[tuple[str, str, bool]]:
    """(name, part, has a drawing) of the first two worksheets."""
    with Package(path) as pkg:
        out = []
        for s in pkg.workbook.sheets:
            if s.kind == "worksheet" and s.part and pkg.has(s.part):
                out.append((s.name, pkg.name(s.part) or s.part, pkg.rel_of(s.part, T_DRAWING) is not None))
        return out[:2]


def _owned(path: Path, sheets: list[tuple[str, str, bool]]) -> set[str]:
    owned = {"_rels/.rels", "[Content_Types].xml"}
    with Package(path) as pkg:
        for _, part, _ in sheets:  # checked on their own below
            owned.add(part)
            owned.add(part.replace("worksheets/", "worksheets/_rels/", 1) + ".rels")
            drawing = pkg.rel_of(part, T_DRAWING)
            if drawing is not None:
                owned |= {drawing.target, drawing.target.replace("drawings/", "drawings/_rels/", 1) + ".rels"}
        return {pkg.name(p) or p for p in owned}


@pytest.mark.parametrize("source", ACCEPTED, ids=[f"{p.parent.name}/{p.name}" for p in ACCEPTED])
def test_lite_install_keeps_everything_it_does_not_own(source: Path, tmp_path: Path) -> None:
    path = tmp_path / source.name
    shutil.copy(source, path)
    path.chmod(0o644)
    sheets = _sheets(path)
    assert sheets, "no worksheet"
    buttons = [LiteButton(name, cell, f"crm{i}", "全部运行") for i, ((name, _, _), cell) in
               enumerate(zip(sheets, ("B2", "AA40"), strict=False))]
    with FileBook(path) as book:
        book.install_lite(InstallLite(dict(PROPS), buttons))
        book.save()  # the package check runs before the rename
    with Package(path) as pkg:
        assert read_lite(pkg) == {**PROPS, "Office.AutoShowTaskpaneWithDocument": "true"}

    owned = _owned(source, sheets)
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(path) as after:
        assert after.testzip() is None
        old = [i for i in before.infolist()]
        new = {i.filename: i for i in after.infolist()}
        assert [n for n in after.namelist() if n in before.namelist()] == [i.filename for i in old]
        for info in old:
            name = info.filename
            got = new[name]
            if name in owned:
                continue
            assert (after.read(name), got.CRC) == (before.read(name), info.CRC), f"{name} changed"
        for name, part, had_drawing in sheets:
            if had_drawing:
                assert after.read(part) == before.read(part), f"{name}: its XML changed"
                continue
            xml = after.read(part)
            element = re.search(rb"<(?:\w+:)?drawing\b[^>]*/>", xml)
            assert element is not None, name
            assert xml[:element.start()] + xml[element.end():] == before.read(part), f"{name}: more than <drawing>"

    CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheets[0][0]).to_python()
    try:
        openpyxl.load_workbook(source)
    except Exception:  # noqa: BLE001 - openpyxl cannot read the original either: nothing to compare
        return
    openpyxl.load_workbook(path)
