"""A generated sheet that Excel gave a code name (and a document module in the VBA project, as it does on
save) keeps that code name when a batch run rebuilds it, so the project and the sheets stay consistent."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import WORKBOOK

import crm_xl
from crm_xl.book.xlsx.package import Package

pytest.importorskip("pyopenvba")
olevba = pytest.importorskip("oletools.olevba")

from crm_xl.authoring.vba import project_bin  # noqa: E402

ISSUES = "问题清单"
CODE = "Sheet99"  # the code name Excel gives the Issues sheet (any the workbook's other sheets do not hold)


def _code_names(path: Path) -> dict[str, str | None]:
    """Sheet name → the codeName of its part."""
    out = {}
    with Package(path) as pkg:
        for s in pkg.workbook.sheets:
            head = pkg.read(s.part)[:4000] if s.part else b""
            m = re.search(rb'<sheetPr\b[^>]*\bcodeName="([^"]*)"', head)
            out[s.name] = m.group(1).decode() if m else None
    return out


def _document_modules(path: Path) -> set[str]:
    parser = olevba.VBA_Parser(str(path))
    try:
        return {Path(stream).name for _, stream, _, _ in parser.extract_macros()} - {"ThisWorkbook"}
    finally:
        parser.close()


def _as_excel_saves_it(path: Path, code: str) -> None:
    """Give the Issues sheet the code name `code` and the VBA project a document module for every sheet's
    code name, as Excel does when it saves the workbook."""
    names = _code_names(path)
    with zipfile.ZipFile(path) as zin:
        infos = zin.infolist()
        data = {i.filename: zin.read(i.filename) for i in infos}
        part = {s.name: s.part for s in Package(path).workbook.sheets}[ISSUES]
    data[part] = re.sub(rb"<sheetPr\b", f'<sheetPr codeName="{code}"'.encode(), data[part], count=1)
    codes = [c for n, c in names.items() if c] + [code]
    data["xl/vbaProject.bin"] = project_bin(codes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            zout.writestr(info, data[info.filename])


def test_a_rebuilt_sheet_keeps_its_code_name(tmp_path: Path) -> None:
    path = tmp_path / "crm.xlsm"
    shutil.copy(WORKBOOK / "crm.xlsm", path)
    crm_xl.validate(path, today="2024-04-01")
    assert _code_names(path)[ISSUES] is None  # crm-xl writes none itself
    _as_excel_saves_it(path, CODE)
    assert CODE in _document_modules(path)

    crm_xl.validate(path, today="2024-04-01")  # rebuilds the Issues sheet

    names = _code_names(path)
    assert names[ISSUES] == CODE
    modules = _document_modules(path)
    sheet_codes = {c for c in names.values() if c}
    assert {m for m in modules if re.fullmatch(r"Sheet\d+", m)} <= sheet_codes  # every sheet module has its sheet
