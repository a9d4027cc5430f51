"""End to end: `crm-xl validate` on a real .xlsx written by openpyxl, read back with python-calamine and
openpyxl — check column, Issues sheet, inert formula-like text, untouched user cells, exit codes, --json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import digest
from openpyxl.worksheet.table import Table, TableStyleInfo
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.shells.cli import app

runner = CliRunner()
FORMULA = '=HYPERLINK("http://x","y")'

CUSTOMERS = ["客户名称", "联系人", "联系方式", "来源", "负责人", "首次接触日期", "录入日期", "客户状态", "团队备注"]
FOLLOWUPS = ["客户名称", "跟进时间", "跟进方式", "沟通内容", "负责人"]


def build(path: Path, *, problems: bool = True) -> Path:
    """Customers and follow-ups as Excel Tables, a team sheet of its own; text cells stored as text."""
    customers: list[list[Any]] = [
        ["甲科技有限公司", "王经理", "13956781234", "官网", "小王", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 18),
         "跟进中", "老客户介绍"],
        ["乙贸易集团", "李总", "1395678" if problems else "13956780000", "转介绍", "小李", dt.datetime(2024, 3, 2),
         dt.datetime(2024, 3, 2), "跟进中", "@SUM(A1)"],
        ["丙传媒", "赵总", FORMULA if problems else "021-66668888", "官网", "小张", dt.datetime(2024, 3, 3),
         dt.datetime(2024, 3, 9), "跟进中", None],  # entered 6 days late: a warning
    ]
    followups: list[list[Any]] = [
        ["甲科技有限公司", dt.datetime(2024, 3, 1, 10), "电话", "介绍方案", "小王"],
        ["乙贸易集团", dt.datetime(2024, 3, 2, 15, 30), None if problems else "微信", "发送白皮书", "小李"],
        ["丁公司" if problems else "丙传媒", dt.datetime(2024, 3, 3), "微信", "问候", "小张"],
        ["甲科技有限公司", dt.datetime(2024, 3, 4, 9), "拜访", "上门演示", "小李" if problems else "小王"],
    ]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table, header, rows in (("客户信息表", "Customers", CUSTOMERS, customers),
                                      ("跟进计划表", "FollowUps", FOLLOWUPS, followups)):
        ws = wb.create_sheet(name)
        ws.append(header)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # '=…' and '@…' are text typed by the user, not formulas
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
        t = Table(displayName=table, ref=f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(rows) + 1}")
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(t)
    memo = wb.create_sheet("备忘")
    memo["A1"] = "团队自己的表"
    memo["B2"] = 42
    wb.save(path)
    return path


def cells(path: Path) -> dict[str, dict[tuple[int, int], tuple[Any, str]]]:
    """Every non-empty cell (value, data type) of every sheet, read by openpyxl."""
    wb = openpyxl.load_workbook(path)
    out = {ws.title: {(c.row, c.column): (c.value, c.data_type) for row in ws.iter_rows() for c in row
                      if c.value is not None} for ws in wb.worksheets}
    wb.close()
    return out


def rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def invoke(*args: Any):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_writes_check_column_and_issues_sheet(tmp_path: Path) -> None:
    path = build(tmp_path / "team.xlsx")
    before = cells(path)
    r = invoke("validate", path, "--today", "2024-03-15")
    assert r.exit_code == 1, r.output
    assert "validate: 共 7 行：4 个错误，2 个警告" in r.stdout

    # check column, read back with calamine
    cust = rows(path, "客户信息表")
    assert cust[0][-1] == "校验结果"
    assert [row[-1] for row in cust[1:]] == [
        "OK",
        "联系方式“1395678”不是有效的联系方式（11 位手机、带区号座机、+国际号码、邮箱或微信号）",
        f"联系方式“{FORMULA}”不是有效的联系方式（11 位手机、带区号座机、+国际号码、邮箱或微信号）; "
        "警告：录入日期 2024-03-09 晚于首次接触 2024-03-03 超过 24 小时",
    ]
    fu = rows(path, "跟进计划表")
    assert [row[-1] for row in fu] == ["校验结果", "OK", "跟进方式为空（必填）", "客户“丁公司”不在客户信息表中",
                                       "警告：负责人“小李”与客户信息表中该客户的负责人“小王”不一致"]

    # the Issues sheet
    issues = rows(path, "问题清单")
    assert issues[0][0] == "问题清单"
    assert issues[2][0] == "检查日期 2024-03-15 · 共 7 行：4 个错误，2 个警告 · 点击单元格地址可跳转到该单元格"
    assert issues[3] == ["工作表", "单元格", "列", "值", "规则", "代码", "级别", "说明"]
    assert [row[:7] for row in issues[4:]] == [  # the rule's name in the workbook language, then its code
        ["客户信息表", "C3", "联系方式", "1395678", "联系方式无效", "bad_contact", "错误"],
        ["客户信息表", "C4", "联系方式", FORMULA, "联系方式无效", "bad_contact", "错误"],
        ["跟进计划表", "C3", "跟进方式", "", "必填项为空", "required", "错误"],
        ["跟进计划表", "A4", "客户名称", "丁公司", "客户不存在", "unknown_customer", "错误"],
        ["客户信息表", "G4", "录入日期", "2024-03-09", "录入延迟", "entry_lag", "警告"],  # errors first, then warnings
        ["跟进计划表", "E5", "负责人", "小李", "负责人不一致", "owner_mismatch", "警告"],
    ]
    assert issues[7][7] == "客户“丁公司”不在客户信息表中"

    # openpyxl: the formula-like value is inert text; cells link to the problem cell
    wb = openpyxl.load_workbook(path)
    ws = wb["问题清单"]
    value = ws["D6"]
    assert value.value == FORMULA and value.data_type == "s"
    assert ws["B5"].hyperlink.location == "'客户信息表'!C3"
    assert ws["B7"].hyperlink.location == "'跟进计划表'!C3"
    wb.close()

    # every other cell is unchanged
    after = cells(path)
    assert set(after) == set(before) | {"问题清单"}
    for sheet, grid in before.items():
        assert {k: v for k, v in after[sheet].items() if not _is_check(after[sheet], k)} == grid, sheet


def _is_check(grid: dict[tuple[int, int], tuple[Any, str]], key: tuple[int, int]) -> bool:
    header = grid.get((1, key[1]))
    return header is not None and header[0] == "校验结果"


def test_second_run_replaces_the_issues_and_check_column(tmp_path: Path) -> None:
    path = build(tmp_path / "team.xlsx")
    assert invoke("validate", path, "--today", "2024-03-15").exit_code == 1
    first = cells(path)
    assert invoke("validate", path, "--today", "2024-03-15").exit_code == 1
    assert cells(path) == first
    assert CalamineWorkbook.from_path(str(path)).sheet_names.count("问题清单") == 1


def test_clean_workbook_exits_0_with_warnings_only(tmp_path: Path) -> None:
    path = build(tmp_path / "team.xlsx", problems=False)
    r = invoke("validate", path, "--today", "2024-03-15", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["job"], data["errors"], data["warnings"]) == ("validate", 0, 1)
    assert data["counts"]["by_sheet"] == {"customers": {"entry_lag": 1}}
    assert [row[-1] for row in rows(path, "跟进计划表")[1:]] == ["OK"] * 4


def test_json_summary_with_errors(tmp_path: Path) -> None:
    path = build(tmp_path / "team.xlsx")
    out = tmp_path / "checked.xlsx"
    before = digest(path)
    r = invoke("validate", path, "--today", "2024-03-15", "--json", "--out", out)
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["errors"] == 4 and data["warnings"] == 2
    assert data["counts"]["by_rule"] == {"bad_contact": 2, "entry_lag": 1, "required": 1, "unknown_customer": 1,
                                         "owner_mismatch": 1}
    assert data["counts"]["by_sheet"]["followups"] == {"required": 1, "unknown_customer": 1, "owner_mismatch": 1}
    assert data["tables"]["按工作表和规则统计"][0] == {"工作表": "客户信息表", "规则": "bad_contact", "级别": "错误",
                                                 "数量": 2}
    assert digest(path) == before  # --out leaves the original alone
    assert "问题清单" in CalamineWorkbook.from_path(str(out)).sheet_names


@pytest.mark.parametrize("setup", ["missing", "no_key_column"])
def test_unusable_input_exits_2(tmp_path: Path, setup: str) -> None:
    path = tmp_path / "team.xlsx"
    if setup == "no_key_column":
        wb = openpyxl.Workbook()
        wb.active.title = "跟进计划表"
        wb.active.append(["客户名称", "沟通内容"])
        wb.active.append(["甲", "问候"])
        wb.save(path)
    r = invoke("validate", path)
    assert r.exit_code == 2
    # a missing file: English; a sheet crm-xl read: the workbook's language
    assert r.stderr.startswith("Error: " if setup == "missing" else "错误：跟进计划表!1:1：缺少必需的列")
