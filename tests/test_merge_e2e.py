"""End to end: `crm-xl merge` and `crm-xl split` on real files (reps' workbooks in three languages, tables and
plain ranges, extra columns), read back with python-calamine."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from tests.helpers import digest, write_workbook

D = dt.datetime
INPUT = {  # the columns compared after a round trip (what reps type)
    "customers": ("客户名称", "联系人", "联系方式", "负责人", "首次接触日期", "行业细分"),
    "followups": ("客户名称", "跟进时间", "跟进方式", "沟通内容", "负责人"),
}
NAMES = {"customers": "客户信息表", "followups": "跟进计划表"}


def crm_xl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crm_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def wang(path: Path, drop_south: bool = False, phone: str = "13900001111") -> Path:
    """小王: zh-Hans, Excel Tables, a column of his own (行业细分)."""
    customers = [["客户名称", "联系人", "联系方式", "负责人", "首次接触日期", "行业细分"],
                 ["东方电子有限公司", "王经理", phone, "小王", D(2024, 3, 1), "半导体"]]
    if not drop_south:
        customers.append(["南山物流", "陈总", "13800138000", "小王", D(2024, 3, 2), "冷链"])
    return write_workbook(path, {
        "客户信息表": customers,
        "跟进计划表": [["客户名称", "跟进时间", "跟进方式", "沟通内容", "负责人"],
                   ["东方电子有限公司", D(2024, 3, 10), "电话", "介绍方案", "小王"],
                   ["南山物流", D(2024, 3, 11), "微信", "报价", "小王"]],
    }, {"客户信息表": "Customers", "跟进计划表": "FollowUps"})


def li(path: Path) -> Path:
    """小李: zh-Hant plain ranges, owner left blank (taken from the file name), the same extra column in
    traditional script, and 東方電子 — 小王's customer in the other script, without the suffix."""
    return write_workbook(path, {
        "客戶信息表": [["客戶名稱", "聯繫人", "聯繫方式", "負責人", "首次接觸日期", "行業細分"],
                  ["東方電子", "王經理", "13911112222", None, D(2024, 2, 20), "晶片"],
                  ["西城醫藥", "趙主任", "13700137000", None, D(2024, 3, 5), None]],
        "跟進計劃表": [["客戶名稱", "跟進時間", "跟進方式", "溝通內容", "負責人"],
                  ["東方電子", D(2024, 3, 12), "電話", "回訪", None]],
    })


def ann(path: Path) -> Path:
    """Ann: English, plain range, Customers only."""
    return write_workbook(path, {"Customers": [["Customer", "Contact", "Phone / email", "Owner", "First contact"],
                                               ["Harbor Foods", "Tom", "tom@harbor.example", "Ann", D(2024, 3, 6)]]})


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def records(grid: list[list[Any]], header_row: int = 2) -> list[dict[str, Any]]:
    head = grid[header_row - 1]
    return [dict(zip(head, r, strict=False)) for r in grid[header_row:] if r and r[0] not in ("", None)]


def reps(tmp_path: Path) -> list[Path]:
    return [wang(tmp_path / "wang.xlsx"), li(tmp_path / "小李-客户.xlsx"), ann(tmp_path / "ann.xlsx")]


def test_merge_makes_a_team_workbook_with_sources_owners_extra_columns_and_clashes(tmp_path: Path) -> None:
    team = tmp_path / "team.xlsx"
    r = crm_xl("merge", team, *reps(tmp_path), "--today", "2024-03-15")
    assert r.returncode == 0, r.stderr
    got = sheets(team)
    customers = records(got["客户信息表"])
    assert [(c["客户名称"], c["负责人"], c["来源文件"], c["行业细分"]) for c in customers] == [
        ("东方电子有限公司", "小王", "wang.xlsx", "半导体"), ("南山物流", "小王", "wang.xlsx", "冷链"),
        ("東方電子", "小李", "小李-客户.xlsx", "晶片"), ("西城醫藥", "小李", "小李-客户.xlsx", ""),
        ("Harbor Foods", "Ann", "ann.xlsx", "")]
    assert [(f["客户名称"], f["负责人"], f["来源文件"]) for f in records(got["跟进计划表"])][-1] == (
        "東方電子", "小李", "小李-客户.xlsx")
    clash = [row for row in got["问题清单"] if "clash" in row]
    assert len(clash) == 1 and clash[0][1] == "A5" and clash[0][3] == "東方電子"
    assert "小王（wang.xlsx）首次接触 2024-03-01，最近跟进 2024-03-10" in clash[0][7]
    assert "小李（小李-客户.xlsx）首次接触 2024-02-20，最近跟进 2024-03-12" in clash[0][7]
    assert "按先接触归 小李" in clash[0][7]
    today = got["今日待办"]
    at = next(i for i, row in enumerate(today) if row[0] == "主管：1 项（撞单 1）")
    item = next(row for row in today[at:] if row[0] == "東方電子")
    assert "撞单（同一名称）" in item[2] and "按先接触归 小李" in item[2]


def test_re_merge_is_idempotent_replaces_its_rows_and_never_touches_typed_rows(tmp_path: Path) -> None:
    team = write_workbook(tmp_path / "team.xlsx", {  # the team's workbook, with a customer typed in
        "客户信息表": [["客户名称", "联系人", "联系方式", "负责人", "首次接触日期"],
                  ["总部直签客户", "周总", "13600136000", "老陈", D(2024, 1, 5)]],
        "跟进计划表": [["客户名称", "跟进时间", "跟进方式", "沟通内容", "负责人"]],
    })
    files = reps(tmp_path)
    assert crm_xl("merge", team, *files, "--today", "2024-03-15").returncode == 0
    first = sheets(team)
    assert crm_xl("merge", team, *files, "--today", "2024-03-15").returncode == 0
    assert sheets(team) == first  # nothing doubled, nothing changed
    wang(files[0], drop_south=True, phone="13900009999")  # 小王's new version: one customer fewer, a new phone
    assert crm_xl("merge", team, files[0], "--today", "2024-03-15").returncode == 0
    got = records(sheets(team)["客户信息表"], header_row=1)
    assert got[0]["客户名称"] == "总部直签客户" and got[0]["来源文件"] == ""  # typed: untouched
    assert [(c["客户名称"], c["联系方式"]) for c in got if c["来源文件"] == "wang.xlsx"] == [
        ("东方电子有限公司", "13900009999")]
    assert [c["客户名称"] for c in got if c["来源文件"] == "小李-客户.xlsx"] == ["東方電子", "西城醫藥"]
    assert sum(1 for c in got if c["客户名称"] == "南山物流") == 0


def test_bad_rep_files_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    good = wang(tmp_path / "wang.xlsx")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    memo = write_workbook(tmp_path / "memo.xlsx", {"备忘": [["只有备忘"]]})
    headless = write_workbook(tmp_path / "headless.xlsx", {"客户信息表": [["联系人", "负责人"], ["王经理", "小王"]]})
    team = tmp_path / "team.xlsx"
    r = crm_xl("merge", team, good, junk, memo, headless)
    assert r.returncode == 2 and not team.exists()
    assert "3 rep file(s) cannot be merged" in r.stderr and "nothing was written" in r.stderr
    for bad, why in ((junk, "not an Excel workbook"), (memo, "none of the crm-xl sheets"), (headless, "缺少必需的列")):
        line = next(x for x in r.stderr.splitlines() if str(bad) in x)
        assert why in line
    before = digest(good)
    r = crm_xl("merge", team, good, junk, memo, headless, "--skip-bad", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert sorted(Path(p).name for p in summary["counts"]["skipped"]) == ["headless.xlsx", "junk.xlsx", "memo.xlsx"]
    assert [c["客户名称"] for c in records(sheets(team)["客户信息表"])] == ["东方电子有限公司", "南山物流"]
    assert digest(good) == before  # a rep's file is only read


def _rows(path: Path, key: str, header_row: int = 2) -> Counter[tuple[Any, ...]]:
    grid = sheets(path)[NAMES[key]]
    return Counter(tuple(r.get(h, "") for h in INPUT[key]) for r in records(grid, header_row))


def test_split_then_merge_gives_back_the_same_rows(tmp_path: Path) -> None:
    team = tmp_path / "team.xlsx"
    files = [wang(tmp_path / "wang.xlsx"), ann(tmp_path / "ann.xlsx")]
    assert crm_xl("merge", team, *files, "--today", "2024-03-15").returncode == 0
    r = crm_xl("split", team, "--by", "owner", "--into", tmp_path / "reps", "--today", "2024-04-01")
    assert r.returncode == 0, r.stderr
    split = sorted((tmp_path / "reps").glob("*.xlsx"))
    assert [p.name for p in split] == ["Ann.xlsx", "小王.xlsx"]
    mine = sheets(tmp_path / "reps" / "小王.xlsx")
    assert [c["客户名称"] for c in records(mine["客户信息表"])] == ["东方电子有限公司", "南山物流"]
    assert "来源文件" not in mine["客户信息表"][1]  # a rep's workbook is the template's, with its own columns
    assert any(str(row[0]).startswith("小王：2 项") for row in mine["今日待办"])  # his own Today
    assert not any(str(row[0]).startswith("Ann") for row in mine["今日待办"])
    back = tmp_path / "back.xlsx"
    assert crm_xl("merge", back, *split, "--today", "2024-03-15").returncode == 0
    for key in INPUT:
        assert _rows(back, key) == _rows(team, key)
    r = crm_xl("split", team, "--into", tmp_path / "reps")
    assert r.returncode == 2 and "--force" in r.stderr  # the reps' workbooks are not overwritten unasked


def test_split_gives_each_rep_the_teams_settings_and_only_their_customers(sample_copy: Path, tmp_path: Path) -> None:
    r = crm_xl("split", sample_copy, "--into", tmp_path / "reps", "--today", "2024-04-01", "--json")
    assert r.returncode == 0, r.stderr
    assert sorted(json.loads(r.stdout)["counts"]["files"]) == ["小张", "小李", "小王", "小陈"]
    got = sheets(tmp_path / "reps" / "小李.xlsx")
    settings = got["设置"]
    owners = settings[0].index("负责人")
    assert [row[owners] for row in settings[1:5]] == ["小王", "小李", "小张", "小陈"]  # the template's list is empty
    assert {c["负责人"] for c in records(got["客户信息表"])} == {"小李"}
