"""End to end (issue #17, items 7, 8, 13): header spellings teams type, formulas without a saved value and
a workbook without its Customers sheet — `crm-xl` on real .xlsx files, read back with calamine / openpyxl."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import SHARED
from helpers import FOLLOWUPS_ZH, digest, write_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.book.xlsx import loader
from crm_xl.model.schema import FOLLOWUPS
from crm_xl.shells.cli import app

runner = CliRunner()
EDGE = SHARED / "fidelity" / "others" / "edge"
TODAY = "2024-04-01"


def invoke(*args: Any):
    return runner.invoke(app, [str(a) for a in args])


def rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def issues(path: Path, sheet: str = "问题清单") -> list[list[Any]]:
    """The Issues table's rows (sheet, cell, column, value, rule code, severity, message): the rule's name
    (column E, in the workbook language) left out."""
    grid = rows(path, sheet)
    return [r[:4] + r[5:] for r in grid[4:] if r[0]]


def checks(path: Path, sheet: str) -> dict[int, str]:
    """Excel row → the check column's text."""
    grid = rows(path, sheet)
    col = next(i for i, h in enumerate(grid[0]) if h in ("校验结果", "校驗結果", "Check"))
    return {r: line[col] for r, line in enumerate(grid[1:], start=2) if line[col]}


def followups(*names: str, lang: str = "zh-Hans") -> list[list[Any]]:
    head = FOLLOWUPS_ZH if lang == "zh-Hans" else [FOLLOWUPS.column(k).header(lang)  # type: ignore[arg-type]
                                                   for k in ("customer", "date", "method", "content", "owner")]
    return [head, *([n, dt.datetime(2024, 3, 1), "电话", "问候", "小王"] for n in names)]


# --- item 7: headers ---------------------------------------------------------------------------------

def test_marked_split_and_rich_text_headers_are_read(tmp_path: Path) -> None:
    """`*客户名称`, `联系人（必填）`, `联系\\n方式` (Alt+Enter), `负责人*`, a rich-text header: all matched."""
    path = tmp_path / "marks.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    rich = CellRichText([TextBlock(InlineFont(b=True, color="FF0000"), "＊"), TextBlock(InlineFont(b=True), "客户状态")])
    ws.append(["*客户名称", "联系人（必填）", "联系\n方式", "负责人*", "来源"])
    ws["F1"] = rich
    ws.append(["甲公司", None, "13800000000", "小王", "官网", "跟进中"])
    ws.append(["乙公司", "李总", "12345", "小李", "官网", "谈判中"])
    wb.create_sheet("跟进计划表")
    for line in followups("甲公司"):
        wb["跟进计划表"].append(line)
    wb.save(path)
    r = invoke("validate", path, "--today", TODAY)
    assert r.exit_code == 1, r.output
    found = {(i[1], i[4]) for i in issues(path)}
    assert found == {("B2", "required"), ("C3", "bad_contact"), ("F3", "not_in_list")}
    messages = {i[1]: i[6] for i in issues(path)}
    assert messages["B2"] == "联系人为空（必填）" and messages["C3"].startswith("联系方式“12345”")  # one line, no mark
    assert set(checks(path, "客户信息表")) == {2, 3}


def test_xingming_is_the_customer_alone_and_the_contact_beside_a_company_column(tmp_path: Path) -> None:
    alone = write_workbook(tmp_path / "alone.xlsx", {"客户信息表": [["姓名", "联系人"], ["甲公司", "张三"]],
                                                      "跟进计划表": followups("甲公司")})
    r = invoke("validate", alone, "--today", TODAY)
    assert r.exit_code == 0, r.output  # 甲公司 on the follow-ups is a known customer
    both = write_workbook(tmp_path / "both.xlsx", {"客户信息表": [["公司名称", "姓名"], ["甲公司", None]],
                                                    "跟进计划表": followups("甲公司")})
    r = invoke("validate", both, "--today", TODAY)
    assert r.exit_code == 1
    assert [(i[1], i[2], i[4]) for i in issues(both)] == [("B2", "姓名", "required")]  # 姓名 is the contact


def test_an_empty_column_never_hides_a_filled_one_and_the_choice_is_reported(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "dup.xlsx", {
        "客户信息表": [["公司名称", "客户姓名", "联系人", "负责人"], [None, "甲公司", "张三", "小王"],
                       [None, "乙公司", "李四", "小李"]],
        "跟进计划表": followups("甲公司"),
    })
    r = invoke("validate", path, "--today", TODAY)
    assert r.exit_code == 0, r.output  # warnings only: the names were read from 客户姓名
    [issue] = issues(path)
    assert issue[:6] == ["客户信息表", "A1", "客户姓名", "公司名称", "duplicate_column", "警告"]
    assert issue[6] == "客户名称也在 B 列（“客户姓名”）：使用 B 列，忽略此列（此列为空）——请改名或删除其中一列"
    assert "duplicate_column" in r.output


def test_two_filled_columns_of_one_key_in_english(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "dup_en.xlsx", {
        "Customers": [["Customer", "Contact", "Customer"], ["Acme", "Ann", "ACME Ltd"]],
        "Follow-ups": [["Customer", "Date", "Method", "Content", "Owner"], ["Acme", dt.datetime(2024, 3, 1), "电话", "hi",
                                                                             "Bo"]],
    })
    assert invoke("validate", path, "--today", TODAY).exit_code == 0
    [issue] = issues(path, "Issues")
    assert issue[1] == "C1" and issue[4] == "duplicate_column" and issue[5] == "Warning"
    assert issue[6] == ('Customer is also column A ("Customer"): column A is used and this one is ignored '
                        "— rename or delete one of them")


@pytest.mark.parametrize("name", ["客户信息表(2)", "客户信息表 (2)", "客户信息表（2）"])
def test_a_copied_customers_sheet_is_used(tmp_path: Path, name: str) -> None:
    path = write_workbook(tmp_path / "copy.xlsx", {name: [["客户名称", "联系人"], ["甲公司", None]],
                                                    "跟进计划表": followups("甲公司")})
    assert invoke("validate", path, "--today", TODAY).exit_code == 1
    assert checks(path, name) == {2: "联系人为空（必填）"}


@pytest.mark.parametrize(("name", "cell"), [
    ("hdr_newline.xlsx", None), ("hdr_paren_required.xlsx", None), ("hdr_star_prefix.xlsx", None),
    ("hdr_xingming.xlsx", None), ("a12_header_variants_richtext_asterisk.xlsx", None),
    ("a13_duplicate_header.xlsx", "L1"),
])
def test_the_shared_header_variants_are_read(tmp_path: Path, name: str, cell: str | None) -> None:
    src = EDGE / name
    if not src.exists():
        pytest.skip(f"{src} is not here")
    path = tmp_path / name
    shutil.copy(src, path)
    path.chmod(0o644)
    r = invoke("validate", path, "--today", TODAY)
    assert r.exit_code in (0, 1), r.output
    assert "required column missing" not in r.output
    dup = [i[1] for i in issues(path) if i[4] == "duplicate_column"]
    assert dup == ([cell] if cell else [])


# --- item 8: formulas without a saved value ----------------------------------------------------------

def _formula_book(path: Path, headers: list[str], sheet: str, fu: str, lang: str) -> Path:
    """openpyxl writes formulas without a value (`<f>…</f><v></v>`): a name, a date, an own column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    ws.append(["甲公司", "张三", dt.datetime(2024, 3, 1), "=TODAY()-C2"])
    ws.append(['="公式"&"客户"', "李四", "=DATE(2024,3,5)", "=TODAY()-C3"])
    fws = wb.create_sheet(fu)
    for line in followups("甲公司", lang=lang):
        fws.append(line)
    wb.save(path)
    return path


@pytest.mark.parametrize(("lang", "headers", "sheet", "fu", "issues_sheet", "text"), [
    ("zh-Hans", ["客户名称", "联系人", "首次接触日期", "距今天数"], "客户信息表", "跟进计划表", "问题清单",
     "是没有保存结果的公式——请在 Excel 中打开并保存，或重新计算"),
    ("zh-Hant", ["客戶名稱", "聯繫人", "首次接觸日期", "距今天數"], "客戶信息表", "跟進計劃表", "問題清單",
     "是沒有保存結果的公式——請在 Excel 中打開並保存，或重新計算"),
    ("en", ["Customer", "Contact", "First contact", "Days"], "Customers", "Follow-ups", "Issues",
     " is a formula without a saved value — open and save in Excel, or recalculate"),
])
def test_formula_without_saved_value_is_reported_not_blank(tmp_path: Path, lang: str, headers: list[str], sheet: str,
                                                           fu: str, issues_sheet: str, text: str) -> None:
    path = _formula_book(tmp_path / f"f_{lang}.xlsx", headers, sheet, fu, lang)
    r = invoke("validate", path, "--today", TODAY)
    assert r.exit_code == 1, r.output
    got = [(i[1], i[3], i[4]) for i in issues(path, issues_sheet)]
    assert got == [("A3", '="公式"&"客户"', "formula_no_value"), ("C3", "=DATE(2024,3,5)", "formula_no_value_optional")]
    messages = [i[6] for i in issues(path, issues_sheet)]
    assert messages == [headers[0] + text, headers[2] + text]
    assert "required" not in r.output
    wb = openpyxl.load_workbook(path)  # the formulas are still there, untouched
    assert wb[sheet]["A3"].value == '="公式"&"客户"' and wb[sheet]["D2"].value == "=TODAY()-C2"


def test_scan_tells_formulas_without_a_saved_value() -> None:
    xml = (b'<row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>1+1</f><v>2</v></c>'
           b'<c r="C1" t="str"><f>IF(1,"","")</f><v></v></c><c r="D1" s="2"><f>"a"&amp;"b"</f><v /></c>'
           b'<c r="E1" s="1"/><c r="F1"><f>A1</f></c><x:c r="G1"><x:f>1</x:f></x:c>'
           b'<c r="H1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="I1"><f t="shared" si="0"/></c>'
           b'<c r="J1" t="s"><v>3</v></c><c s="1" r="K1" t="b"><f>TRUE()</f><v>1</v></c></row>')
    errors: list[tuple[int, int, str]] = []
    formulas: set[tuple[int, int]] = set()
    unsaved: dict[tuple[int, int], str] = {}
    loader._scan(xml, errors, formulas, unsaved)
    assert unsaved == {(1, 1): "=1+1", (1, 4): '="a"&"b"', (1, 6): "=A1", (1, 7): "=1", (1, 9): ""}
    assert formulas == {(1, c) for c in (1, 2, 3, 4, 6, 7, 8, 9, 11)}  # E1 (self-closing) is not F1's formula
    assert errors == [(1, 8, "#DIV/0!")]


def test_the_shared_formula_file(tmp_path: Path) -> None:
    src = EDGE / "a08_formulas_no_cached_values.xlsx"
    if not src.exists():
        pytest.skip(f"{src} is not here")
    path = tmp_path / src.name
    shutil.copy(src, path)
    path.chmod(0o644)
    assert invoke("validate", path, "--today", TODAY).exit_code == 1
    got = {(i[1], i[4]) for i in issues(path) if i[4].startswith("formula")}
    assert got == {("A4", "formula_no_value"), ("F3", "formula_no_value_optional"), ("C5", "formula_no_value_optional")}
    assert not [i for i in issues(path) if i[4] == "required"]


# --- item 13: no Customers sheet ---------------------------------------------------------------------

@pytest.mark.parametrize("job", ["validate", "run", "tiers", "stale", "health", "review"])
def test_no_customers_sheet_stops_every_job_and_writes_nothing(tmp_path: Path, job: str) -> None:
    path = write_workbook(tmp_path / "nocust.xlsx", {"跟进计划表": followups("甲公司"), "备忘": [["x"]]})
    before = digest(path)
    r = invoke(job, path, "--today", TODAY, "--backup")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("错误：工作簿中没有客户信息表：找过名为 客户信息表 / 客戶信息表 / Customers（或 客户信息")
    assert "名为 Customers 的表格" in r.stderr and "工作簿中的工作表：跟进计划表、备忘。" in r.stderr
    assert r.stderr.count("\n") == 1 and "Error:" not in r.stdout
    assert digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["nocust.xlsx"]


def test_no_customers_sheet_in_english(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "nocust_en.xlsx", {
        "Follow-ups": [["Customer", "Date", "Method", "Content", "Owner"], ["Acme", dt.datetime(2024, 3, 1), "Call", "hi",
                                                                             "Bo"]],
        "Customers old": [["Customer"], ["Acme"]],
    })
    before = digest(path)
    r = invoke("validate", path, "--today", TODAY)
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: no Customers sheet in the workbook: looked for a sheet named "
                               "客户信息表 / 客戶信息表 / Customers (or ")
    assert "the workbook has: Follow-ups, Customers old" in r.stderr and digest(path) == before


def test_no_customers_sheet_in_traditional_chinese_keeps_the_names_as_they_are(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "nocust_hant.xlsx", {"跟进计划表（旧）": [["x"]], "跟進計劃表": followups("甲", lang="zh-Hant")})
    r = invoke("validate", path, "--today", TODAY)
    assert r.exit_code == 2
    assert r.stderr.startswith("錯誤：工作簿中沒有客戶信息表：找過名為 客户信息表 / 客戶信息表 / Customers（或 客户信息、")
    assert "工作簿中的工作表：跟进计划表（旧）、跟進計劃表。" in r.stderr  # (the sheet names untouched)
