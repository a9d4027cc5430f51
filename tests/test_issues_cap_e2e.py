"""End to end: `crm-xl validate` on a messy workbook (benchmarks/generate.py --messy, small) — the Issues
sheet, read back with python-calamine, lists errors first, at most 1,000 rows per sheet and rule and a line
counting the rest, while the check column has every row; a renamed Settings label is a warning; bad
Settings cells are all reported at once (exit 2)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.book.memory import settings_grid
from crm_xl.model.settings import Settings
from crm_xl.shells.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def generate_messy(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate("small", path, messy=True)


def set_settings(path: Path, **labels: Any) -> dict[str, int]:
    """Change column A (`label=("new label", None)`) or B (`label=value`) of Settings rows; their rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["设置"]
    at = {}
    for row in ws.iter_rows(min_row=2, max_col=2):
        if row[0].value in labels:
            at[row[0].value] = row[0].row
            new = labels[row[0].value]
            if isinstance(new, tuple):
                row[0].value = new[0]
            else:
                row[1].value = new
    wb.save(path)
    return at


def rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_messy_workbook_issues_sheet_is_capped(tmp_path: Path) -> None:
    path = generate_messy(tmp_path / "messy.xlsx")
    at = set_settings(path, **{"A类跟进间隔(天)": ("A类间隔", None)})
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 1, r.output

    fu = rows(path, "跟进计划表")
    check = fu[0].index("校验结果")
    mismatches = sum("警告：负责人“" in str(row[check]) for row in fu[1:])
    assert mismatches > 4000  # most follow-ups are owned by a colleague of the customer's owner

    issues = rows(path, "问题清单")
    assert issues[3] == ["工作表", "单元格", "列", "值", "规则", "代码", "级别", "说明"]
    body = issues[4:]
    severities = [row[6] for row in body]
    assert severities == sorted(severities, key=["错误", "警告"].index)  # errors first
    owner = [row for row in body if row[5] == "owner_mismatch"]
    assert len(owner) == 1001
    assert owner[-1][7] == f"还有 {mismatches - 1000:,} 条同类问题：在「跟进计划表」按 校验结果 筛选"
    assert owner[-1][1] and owner[-1][2] == "校验结果"
    assert all(sum(row[5] == rule and row[0] == sheet for row in body) <= 1001
               for sheet, rule in {(row[0], row[5]) for row in body})
    assert "每个表每条规则最多列出 1,000 行" in issues[2][0]
    row = at["A类跟进间隔(天)"]
    assert ["设置", f"A{row}", "设置项", "A类间隔", "未识别的设置项", "unknown_setting", "警告"] in [r[:7] for r in body]
    assert "| 设置" in r.stdout.replace("│", "|") and "unknown_setting" in r.stdout


def tiny(path: Path) -> Path:
    """A customer sheet and the default Settings sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息表"
    ws.append(["客户名称", "负责人"])
    ws.append(["甲科技有限公司", "小王"])
    settings = wb.create_sheet("设置")
    for line in settings_grid(Settings(), "zh-Hans"):
        settings.append(line)
    wb.save(path)
    return path


def test_bad_settings_cells_are_all_reported(tmp_path: Path) -> None:
    path = tiny(tmp_path / "tiny.xlsx")
    weights = ["健康度权重-最近成交", "健康度权重-成交频次", "健康度权重-成交金额", "健康度权重-NPS"]
    at = set_settings(path, **{"B类跟进间隔(天)": "abc", "问题清单每类最多行数": 0, **dict.fromkeys(weights, 0)})
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2
    b, cap, w0, w3 = at["B类跟进间隔(天)"], at["问题清单每类最多行数"], at[weights[0]], at[weights[3]]
    assert r.stderr == ("错误：设置表中有 3 个单元格有误：\n"
                        f"  设置!B{b}：B类跟进间隔(天)应为 ≥ 1 的整数天数，实际为“abc”\n"
                        f"  设置!B{w0}:B{w3}：健康度的四个权重（R/F/M/NPS）之和应大于 0，实际为 0\n"
                        f"  设置!B{cap}：问题清单每类最多行数应为 ≥ 1 的整数，实际为 0\n")
