"""A protected sheet and a structure-locked workbook: crm-xl writes its own columns and sheets, keeps the
protection byte for byte (password included) and says so in the summary."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.workbook.protection import WorkbookProtection

import crm_xl


def _book(path: Path, *, sheet: bool, structure: bool) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    ws.append(["客户名称", "联系人", "联系方式"])
    ws.append(["甲公司", "张三", "13800138000"])
    if sheet:
        ws.protection.sheet = True
        ws.protection.password = "secret"
    if structure:
        wb.security = WorkbookProtection(lockStructure=True)
    wb.save(path)
    return path


def _protection(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        m = re.search(rb"<sheetProtection\b[^>]*>", zf.read("xl/worksheets/sheet1.xml"))
        return m.group(0) if m else b""


def test_a_protected_sheet_is_written_and_stays_protected(tmp_path: Path) -> None:
    path = _book(tmp_path / "p.xlsx", sheet=True, structure=False)
    before = _protection(path)
    summary = crm_xl.validate(path, today="2024-04-01")
    assert summary.counts["protected_sheets"] == ["客户信息表"]
    assert summary.counts["structure_locked"] is False
    assert _protection(path) == before and b'sheet="1"' in before
    ws = openpyxl.load_workbook(path)["客户信息表"]
    assert ws.protection.sheet and ws["D1"].value == "校验结果"


def test_a_structure_locked_workbook_is_named(tmp_path: Path) -> None:
    path = _book(tmp_path / "s.xlsx", sheet=False, structure=True)
    summary = crm_xl.validate(path, today="2024-04-01")
    assert summary.counts["structure_locked"] is True
    assert summary.counts["protected_sheets"] == []
    assert openpyxl.load_workbook(path).security.lockStructure


def test_an_unprotected_workbook_says_nothing(tmp_path: Path) -> None:
    path = _book(tmp_path / "u.xlsx", sheet=False, structure=False)
    summary = crm_xl.validate(path, today="2024-04-01")
    assert "protected_sheets" not in summary.counts
