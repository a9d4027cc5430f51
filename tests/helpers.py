"""Small workbook builders for end-to-end tests (openpyxl, independent of crm-xl's writers)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import Table, TableStyleInfo

CUSTOMERS_ZH = ["客户名称", "所属行业", "联系人", "联系方式", "来源", "负责人", "首次接触日期", "客户状态"]
FOLLOWUPS_ZH = ["客户名称", "跟进时间", "跟进方式", "沟通内容", "负责人"]


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]], tables: dict[str, str] | None = None) -> Path:
    """Write sheets (name → rows) with openpyxl; `tables` maps sheet name → table name."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if tables and name in tables:
            ref = f"A1:{openpyxl.utils.get_column_letter(len(rows[0]))}{max(len(rows), 2)}"
            t = Table(displayName=tables[name], ref=ref)
            t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            ws.add_table(t)
    wb.save(path)
    return path


def small_workbook(path: Path, tables: bool = True) -> Path:
    """Two customers and three follow-ups in zh-Hans, as Excel Tables."""
    return write_workbook(
        path,
        {
            "客户信息表": [
                CUSTOMERS_ZH,
                ["甲科技有限公司", "互联网", "王经理", "13956781234", "官网", "小王", dt.datetime(2024, 3, 1), "跟进中"],
                ["乙贸易集团", "制造业", "李总", "1395678", "转介绍", "小李", dt.datetime(2024, 3, 2), "跟进中"],
            ],
            "跟进计划表": [
                FOLLOWUPS_ZH,
                ["甲科技有限公司", dt.datetime(2024, 3, 1), "电话", "介绍方案", "小王"],
                ["乙贸易集团", dt.datetime(2024, 3, 2), None, "发送白皮书", "小李"],
                ["丙公司", dt.datetime(2024, 3, 3), "微信", "问候", "小张"],
            ],
            "备忘": [["这张表是团队自己的"], [42]],
        },
        {"客户信息表": "Customers", "跟进计划表": "FollowUps"} if tables else None,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_result(values: dict[int, Any]) -> Any:
    """A job result that writes the Customers check column (Excel row → text)."""
    import pandas as pd

    from crm_xl.model.result import JobResult, Summary

    return JobResult(Summary("t", "t"), columns={"customers": {"check": pd.Series(values)}})


# The golden runs (tests/golden/) were made before the review numbered its sections in the order it shows
# them; on the old sample that moves the improvement plan, the last section, from 十一 to 十四. This is the
# one intended difference, applied to the stored cells before they are compared.
GOLDEN_CHANGES = {("月度复盘 2024-03", "十一、下月改进计划"): "十四、下月改进计划"}


def as_now(sheets: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The stored golden cells with GOLDEN_CHANGES made (every other cell as stored)."""
    return {name: [[GOLDEN_CHANGES.get((name, v), v) if isinstance(v, str) else v for v in row] for row in rows]
            for name, rows in sheets.items()}
