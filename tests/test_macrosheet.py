"""A workbook with an Excel 4.0 macro sheet: the refusal names the macro sheet, and the file is untouched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from crm_xl.shells.cli import app

MACRO_CT = "application/vnd.ms-excel.macrosheet+xml"
MACRO_REL = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _with_macro_sheet(path: Path) -> Path:
    """An openpyxl workbook (Customers) with a macro sheet 'Macro1' grafted in, as Excel stores one."""
    plain = path.with_name("plain.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    ws.append(["客户名称", "联系人"])
    ws.append(["甲公司", "张三"])
    wb.save(plain)
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b'<sheet name="Macro1" sheetId="9" r:id="rIdM1"/></sheets>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdM1" Type="{MACRO_REL}" '
                                    'Target="macrosheets/sheet1.xml"/></Relationships>'.encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/macrosheets/sheet1.xml" '
                                    f'ContentType="{MACRO_CT}"/></Types>'.encode())
            zout.writestr(info, data)
        zout.writestr("xl/macrosheets/sheet1.xml", f'<xm:macrosheet xmlns="{MAIN}" xmlns:xm="http://schemas.'
                      'microsoft.com/office/excel/2006/main"><sheetData/></xm:macrosheet>')
    return path


def test_the_refusal_names_the_macro_sheet(tmp_path: Path) -> None:
    path = _with_macro_sheet(tmp_path / "macro.xlsx")
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["validate", str(path), "--today", "2024-04-01"])
    assert result.exit_code == 2
    assert "'Macro1' is an Excel 4.0 macro sheet" in result.output
    assert "客户信息表" not in result.output
    assert path.read_bytes() == before
