"""`crm-xl merge` carries the reps' rows as columns: every merged row keeps its own cells, source file, owner
and its rep's own columns — whatever order each rep's columns are in, whichever sheets and own columns each rep
has — on a new team workbook (rows appended) and on a re-merge (rows replaced in place, leftovers emptied)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.merging import merge, read_rep
from tests.helpers import write_workbook

D = dt.datetime
CUSTOMER = {"客户名称": "customer", "联系人": "contact", "联系方式": "phone", "负责人": "owner", "首次接触日期": "first"}
FOLLOWUP = {"客户名称": "customer", "跟进时间": "date", "跟进方式": "method", "沟通内容": "content", "负责人": "owner"}


def _sheet(columns: list[str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [columns, *([row.get(c) for c in columns] for row in rows)]


def _a(path: Path, n: int = 3) -> Path:
    """a.xlsx: Excel Tables, the usual column order, an own column 区域 on Customers."""
    customers = [{"客户名称": f"甲{i}", "联系人": f"王{i}", "联系方式": f"1390000000{i}", "负责人": "小王",
                  "首次接触日期": D(2024, 3, 1 + i), "区域": f"华东{i}"} for i in range(n)]
    followups = [{"客户名称": f"甲{i}", "跟进时间": D(2024, 3, 10 + i), "跟进方式": "电话", "沟通内容": f"a谈{i}",
                  "负责人": "小王"} for i in range(2)]
    return write_workbook(path, {"客户信息表": _sheet([*CUSTOMER, "区域"], customers),
                                 "跟进计划表": _sheet(list(FOLLOWUP), followups)},
                          {"客户信息表": "Customers", "跟进计划表": "FollowUps"})


def _b(path: Path, rows: list[int] | None = None, note: str = "b") -> Path:
    """b.xlsx: plain ranges, the columns in another order, the owner left blank on one row (taken from the file
    name), its own columns 备注甲 and 区域 (as a), Customers only."""
    customers = [{"负责人": None if i == 1 else "老陈", "首次接触日期": D(2024, 2, 1 + i), "客户名称": f"乙{i}",
                  "备注甲": f"{note}{i}", "联系方式": f"1380000000{i}", "联系人": None, "区域": f"华南{i}"}
                 for i in (rows if rows is not None else [0, 1, 2])]
    return write_workbook(path, {"客户信息表": _sheet(["负责人", "首次接触日期", "客户名称", "备注甲", "联系方式",
                                                   "联系人", "区域"], customers)})


def _c(path: Path) -> Path:
    """c.xlsx: no own column, follow-ups with the columns reversed."""
    customers = [{"客户名称": "丙0", "联系人": "赵", "联系方式": "13700000000", "负责人": "小丙",
                  "首次接触日期": D(2024, 1, 9)}]
    followups = [{"客户名称": "丙0", "跟进时间": D(2024, 3, 20 + i), "跟进方式": "微信", "沟通内容": f"c谈{i}",
                  "负责人": "小丙"} for i in range(3)]
    return write_workbook(path, {"客户信息表": _sheet(list(CUSTOMER), customers),
                                 "跟进计划表": _sheet(list(FOLLOWUP)[::-1], followups)})


def _records(path: Path, sheet: str) -> list[tuple[int, dict[str, Any]]]:
    """(row number, header → cell) of every row under the header row (the first row starting 客户名称)."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    at = next(i for i, r in enumerate(grid) if r and r[0] == "客户名称")
    head = grid[at]
    return [(at + 2 + k, dict(zip(head, r, strict=False))) for k, r in enumerate(grid[at + 1:])]


def _rep_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [dict(zip(grid[0], r, strict=False)) for r in grid[1:]]


def _same(team_row: dict[str, Any], rep_row: dict[str, Any], source: str, owner: str, own: set[str]) -> None:
    """The team's row holds the rep's row: every cell, its source, its owner, its own columns (and no other's)."""
    for header, value in rep_row.items():
        if header == "负责人":
            assert team_row[header] == (value or owner), (source, header)
        else:
            assert team_row[header] == value, (source, header, team_row[header], value)
    assert team_row["来源文件"] == source
    for header in own - set(rep_row):
        assert team_row[header] == "", (source, header)  # another rep's own column: empty on this row


def _check(team: Path, reps: dict[str, Path], owners: dict[str, str]) -> None:
    for sheet in ("客户信息表", "跟进计划表"):
        got = [r for _, r in _records(team, sheet) if r.get("客户名称")]
        own = {"区域", "备注甲"} if sheet == "客户信息表" else set()
        for name, path in reps.items():
            want = _rep_rows(path, sheet) if sheet in CalamineWorkbook.from_path(str(path)).sheet_names else []
            mine = [r for r in got if r["来源文件"] == name]
            assert len(mine) == len(want), (sheet, name)
            for team_row, rep_row in zip(mine, want, strict=True):
                _same(team_row, rep_row, name, owners[name], own)


def test_a_new_team_workbook_holds_every_reps_rows_cell_for_cell(tmp_path: Path) -> None:
    reps = {"a.xlsx": _a(tmp_path / "a.xlsx"), "b.xlsx": _b(tmp_path / "b.xlsx"), "c.xlsx": _c(tmp_path / "c.xlsx")}
    team = tmp_path / "team.xlsx"
    summary = merge(team, list(reps.values()), today="2024-04-01")
    assert summary.counts["rows"] == 3 + 2 + 3 + 1 + 3
    _check(team, reps, {"a.xlsx": "小王", "b.xlsx": "老陈", "c.xlsx": "小丙"})
    assert read_rep(reps["b.xlsx"]).columns["customers"]["owner"][1] == "老陈"  # (b's one named owner)


def test_a_re_merge_replaces_each_sources_rows_in_place(tmp_path: Path) -> None:
    reps = {"a.xlsx": _a(tmp_path / "a.xlsx"), "b.xlsx": _b(tmp_path / "b.xlsx"), "c.xlsx": _c(tmp_path / "c.xlsx")}
    team = tmp_path / "team.xlsx"
    merge(team, list(reps.values()), today="2024-04-01")
    before = {r["客户名称"]: at for at, r in _records(team, "客户信息表") if r.get("客户名称")}
    _b(reps["b.xlsx"], rows=[2, 0], note="新")  # one row fewer, the others swapped, its own column changed
    merge(team, [reps["b.xlsx"]], today="2024-04-01")
    rows = dict(_records(team, "客户信息表"))
    left = rows[before["乙2"]]  # b's third row: no record of b fills it any more — emptied, every cell
    assert {h: v for h, v in left.items() if v != ""} == {}
    _a(reps["a.xlsx"], n=5)  # two customers more
    merge(team, [reps["a.xlsx"]], today="2024-04-01")
    _check(team, reps, {"a.xlsx": "小王", "b.xlsx": "老陈", "c.xlsx": "小丙"})
    rows = dict(_records(team, "客户信息表"))
    assert [rows[before[f"乙{i}"]]["客户名称"] for i in range(2)] == ["乙2", "乙0"]  # b's rows, refilled in order
    for name in ("甲0", "甲1", "甲2", "丙0"):  # a's rows refilled where they were, c's untouched
        assert rows[before[name]]["客户名称"] == name
    assert rows[before["乙2"]]["客户名称"] == "甲3"  # a's first new customer: the row b emptied
    assert [at for at, r in rows.items() if r.get("客户名称") == "甲4"] == [max(before.values()) + 1]  # appended


def test_the_reps_are_read_in_turn_the_next_ones_parsed_meanwhile(tmp_path: Path, monkeypatch) -> None:
    from crm_xl import merging
    from crm_xl.book.xlsx import loader

    paths = [_c(tmp_path / f"r{i}.xlsx") for i in range(4)]
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    ahead: list[list[str]] = []
    read = merging._try_read

    def spy(path: Path) -> Any:
        ahead.append(sorted(Path(key[0]).name for key in loader._early))
        return read(path)

    monkeypatch.setattr(merging, "_try_read", spy)
    got = merging.read_reps([paths[0], junk, *paths[1:]])
    assert [g.source if isinstance(g, merging.RepBook) else "bad" for g in got] == [
        "r0.xlsx", "bad", "r1.xlsx", "r2.xlsx", "r3.xlsx"]
    assert ahead == [["r1.xlsx"], ["r1.xlsx", "r2.xlsx"], ["r1.xlsx", "r2.xlsx", "r3.xlsx"],  # (each file is
                     ["r2.xlsx", "r3.xlsx"], ["r3.xlsx"]]  # taken from there as it is read)
    assert loader._early == {}  # every file started ahead was taken by its reading


def test_a_read_stopped_early_leaves_no_file_parsing(tmp_path: Path, monkeypatch) -> None:
    from crm_xl import merging
    from crm_xl.book.xlsx import loader

    paths = [_c(tmp_path / f"r{i}.xlsx") for i in range(4)]
    read = merging._try_read

    def stop_at_second(path: Path) -> Any:
        if path == paths[1]:
            raise KeyboardInterrupt
        return read(path)

    monkeypatch.setattr(merging, "_try_read", stop_at_second)
    with pytest.raises(KeyboardInterrupt):
        merging.read_reps(paths)
    assert loader._early == {} and loader._batch == set()  # the files started ahead are stopped
