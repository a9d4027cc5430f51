"""End to end: crm-xl's computed columns never land on a column of the team's — one without a header, one
typed beside a table, or the second row of a two-row header — and a two-row header is read as one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.shells.cli import app

runner = CliRunner()


def _cells(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _run(path: Path) -> None:
    result = runner.invoke(app, ["run", str(path), "--today", "2024-04-01"])
    assert result.exit_code in (0, 1), result.output


def _typed(rows: list[list[Any]]) -> dict[tuple[int, int], Any]:
    return {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")}


def test_a_column_without_a_header_keeps_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "unlabeled.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    rows = [["客户名称", "联系人", None, None],
            ["甲公司", "张三", "备注：没写表头的列", "13800138000"],
            ["乙公司", "李四", "重要：老板亲戚", "13900139000"]]
    for row in rows:
        ws.append(row)
    wb.save(path)
    _run(path)
    after = _cells(path, "客户信息表")
    for (r, c), v in _typed(rows).items():
        assert after[r][c] == v
    assert after[0][4] == "校验结果"  # the first computed column goes past the last used one
    assert after[1][4] == "OK"


def test_a_note_beside_a_table_is_not_taken_into_it(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    rows = [["客户名称", "联系人", "联系方式"],
            ["甲公司", "张三", "13800138000"],
            ["乙公司", "李四", "13900139000"]]
    for row in rows:
        ws.append(row)
    ws["D3"] = "团队的备注"  # right beside the table, no header
    ws.add_table(Table(displayName="Customers", ref="A1:C3"))
    wb.save(path)
    _run(path)
    after = _cells(path, "客户信息表")
    assert after[2][3] == "团队的备注"
    assert after[0][4] == "校验结果" and after[1][4] == "OK"
    table = openpyxl.load_workbook(path)["客户信息表"].tables["Customers"]
    assert table.ref == "A1:C3"  # not widened over the note


def test_a_table_grows_into_free_columns(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    for row in (["客户名称", "联系人"], ["甲公司", "张三"]):
        ws.append(row)
    ws["H1"] = "远处的笔记"  # far right: the columns between are free
    ws.add_table(Table(displayName="Customers", ref="A1:B2"))
    wb.save(path)
    _run(path)
    after = _cells(path, "客户信息表")
    assert after[0][2] == "校验结果" and after[0][7] == "远处的笔记"
    table = openpyxl.load_workbook(path)["客户信息表"].tables["Customers"]
    assert table.ref.startswith("A1:") and table.ref != "A1:B2"


def test_a_two_row_header_is_read_as_one(tmp_path: Path) -> None:
    """Key titles merged down over rows 1–2, the opportunity columns under a group title merged across."""
    path = tmp_path / "two_rows.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    ws.append(["客户名称", "联系方式", "负责人", "商机信息", None, None, None, "客户状态"])
    ws.append([None, None, None, "需求明确度", "预算状态", "决策链", "预计成交日期", None])
    rows = [["甲公司", "13800138000", "小王", "明确", "已审批", "短", dt.datetime(2024, 4, 5), "跟进中"],
            ["乙公司", "13900139000", "小李", "初步", "未确定", "长", dt.datetime(2024, 5, 20), "跟进中"]]
    for row in rows:
        ws.append(row)
    for col in "ABCH":
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("D1:G1")
    wb.save(path)
    before = _typed(_cells(path, "客户信息表"))
    _run(path)
    after = _cells(path, "客户信息表")
    for (r, c), v in before.items():
        assert after[r][c] == v, (r, c)
    header = after[1]
    tier, reason = header.index("当前级别"), header.index("级别依据")
    assert after[2][tier] == "A", after[2][reason]  # the criteria on row 2 were read
    assert "需求明确度未填" not in after[3][reason]
