"""The Issues sheet of a messy workbook stays usable: errors first, then warnings, grouped by sheet and rule,
at most `issues_per_rule` rows each and a line counting the rest; the check column still has every row.
Settings labels that name nothing are warnings of the Settings sheet (Issues sheet and summaries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from crm_xl.core.validation.job import validate
from crm_xl.jobs import make_context, run_job
from crm_xl.model.layout import Table, render
from crm_xl.model.schema import SETTINGS_SHEET
from tests.conftest import make_book, make_ctx
from tests.core.test_validate import TODAY, base

FIRST = dt.datetime(2024, 3, 1, 9)


def messy(mismatches: int = 7) -> dict[str, Any]:
    """base() with `mismatches` follow-ups of 甲 logged by 小李 (甲's owner is 小王: warnings), two of them
    without a method (errors), and a bad phone on 乙 (an error)."""
    data = base()
    data["customers"][1]["phone"] = "1395678"
    template = data["followups"][0]
    for i in range(mismatches):
        data["followups"].append({**template, "date": FIRST + dt.timedelta(minutes=i), "owner": "小李",
                                  "method": None if i in (2, 5) else "电话"})
    return data


def table_of(result: Any) -> Table:
    return next(b for b in result.sheets[0].blocks if isinstance(b, Table))


def test_capped_groups_errors_first_then_warnings() -> None:
    result = validate(make_ctx(messy(), TODAY, "zh-Hans", {"issues_per_rule": 3}))
    table = table_of(result)
    df = table.df
    assert list(zip(df["工作表"], df["代码"], df["级别"], strict=True)) == [
        ("客户信息表", "bad_contact", "错误"),
        ("跟进计划表", "required", "错误"), ("跟进计划表", "required", "错误"),
        ("跟进计划表", "owner_mismatch", "警告"), ("跟进计划表", "owner_mismatch", "警告"),
        ("跟进计划表", "owner_mismatch", "警告"),
        ("跟进计划表", "owner_mismatch", "警告"),  # the line counting the rest
    ]
    assert list(df["单元格"][3:6]) == ["H4", "H5", "H6"]  # by row within the rule
    more = df.iloc[-1]
    assert more["说明"] == "还有 4 条同类问题：在「跟进计划表」按 校验结果 筛选"
    assert more["列"] == "校验结果" and pd.isna(more["值"])
    assert (more["规则"], more["代码"]) == ("负责人不一致", "owner_mismatch")
    assert table.row_styles == ["error"] * 3 + ["warning"] * 4
    # every row's result is still in the check column, and counted in the summary
    check = result.columns["followups"]["check"]
    assert sum("负责人“小李”" in text for text in check) == 7
    assert result.summary.warnings == 7 and result.summary.counts["by_rule"]["owner_mismatch"] == 7
    subtitle = render(result.sheets[0]).cells[1].value
    assert subtitle.endswith("每个表每条规则最多列出 3 行，全部结果见各表的「校验结果」列")


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "4 more like these: filter the “Follow-ups” sheet on its Check column"),
    ("zh-Hant", "還有 4 條同類問題：在「跟進計劃表」按 校驗結果 篩選"),
])
def test_the_more_line_in_every_language(lang: str, text: str) -> None:
    df = table_of(validate(make_ctx(messy(), TODAY, lang, {"issues_per_rule": 3}))).df
    assert df.iloc[-1, 7] == text


def test_the_more_line_links_to_the_check_column_when_there() -> None:
    data = messy()
    for row in data["followups"]:
        row["check"] = None  # the column is on the sheet already (as in the template)
    book = make_book(data, "zh-Hans", {"issues_per_rule": 3})
    table = table_of(validate(make_context(book, TODAY)))
    header = book.sheets["跟进计划表"][0]
    letter = "ABCDEFGHIJ"[header.index("校验结果")]
    assert table.df.iloc[-1, 1] == f"{letter}1"
    assert table.links["单元格"][-1] == f"'跟进计划表'!{letter}1"


def test_no_line_and_no_note_under_the_cap() -> None:
    result = validate(make_ctx(messy(), TODAY, "zh-Hans", {"issues_per_rule": 7}))
    df = table_of(result).df
    assert len(df) == 10 and not df["说明"].str.startswith("还有").any()
    assert "最多列出" not in render(result.sheets[0]).cells[1].value


def test_default_cap_is_a_thousand() -> None:
    result = validate(make_ctx(messy(1005), TODAY, "en", {}))
    df = table_of(result).df
    assert (df["Code"] == "owner_mismatch").sum() == 1001
    assert df.iloc[-1, 7] == "5 more like these: filter the “Follow-ups” sheet on its Check column"


def renamed_book(lang: str = "zh-Hans") -> tuple[Any, int]:
    """A book whose Settings sheet has the A-tier cadence label renamed; (book, its row)."""
    book = make_book(base(), lang, {})
    grid = book.sheets[SETTINGS_SHEET.name(lang)]
    row = next(i for i, r in enumerate(grid, start=1) if r[0] in ("A类跟进间隔(天)", "Cadence tier A (days)"))
    grid[row - 1][0] = "A类间隔"
    return book, row


def test_unknown_setting_is_a_warning_on_the_issues_sheet() -> None:
    book, row = renamed_book()
    result = validate(make_context(book, TODAY))
    table = table_of(result)
    assert list(table.df.iloc[0]) == ["设置", f"A{row}", "设置项", "A类间隔", "未识别的设置项", "unknown_setting", "警告",
                                      f"“A类间隔”不是已知的设置项，B{row} 的值未被使用（请改回原来的设置项名称）"]
    assert table.links["单元格"][0] == f"'设置'!A{row}"
    summary = result.summary
    assert summary.warnings == 1 and summary.counts["by_sheet"] == {"settings": {"unknown_setting": 1}}
    assert "1 个警告" in summary.headline


def test_unknown_setting_is_told_once_a_run_by_other_jobs() -> None:
    book, row = renamed_book("en")
    first = run_job(book, "stale", today=TODAY)
    title, table = first.tables[-1]
    assert title == "Settings not understood (ignored)"
    assert list(table.iloc[0]) == [f"Settings!A{row}", f'"A类间隔" is not a known setting, so the value in B{row} '
                                                       "is not used (give the row its original label back)"]
    assert first.warnings >= 1
    again = run_job(book, "health", today=TODAY)
    assert all(t != title for t, _ in again.tables)


def test_validate_names_the_unknown_setting_in_its_summary_too() -> None:
    book, row = renamed_book()
    summary = run_job(book, "validate", today=TODAY)
    assert summary.warnings == 1  # counted once
    title, table = summary.tables[-1]
    assert title == "设置表中未识别的项（已忽略）" and table.iloc[0, 0] == f"设置!A{row}"
    assert summary.counts["settings_warnings"] == {f"设置!A{row}": table.iloc[0, 1]}
