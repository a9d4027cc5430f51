"""A re-merge refills the blank rows an earlier one left among the records (a rep's file that shrank, then
grew) before it appends below the last record; typed rows and rows holding anything stay untouched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm_xl.book.files import FileBook
from crm_xl.core.merge.plan import placement
from tests.helpers import write_workbook
from tests.test_merge_e2e import crm_xl, records, sheets

D = dt.datetime
HEAD = ["客户名称", "联系人", "联系方式", "负责人", "首次接触日期"]


def rep(path: Path, names: list[str], owner: str) -> Path:
    rows = [[n, "王经理", f"139{i:08d}", owner, D(2024, 3, 1 + i)] for i, n in enumerate(names)]
    return write_workbook(path, {"客户信息表": [HEAD, *rows]})


def test_placement_fills_blank_rows_before_appending_top_to_bottom() -> None:
    rows, sources = [3, 6, 7], ["a.xlsx", "a.xlsx", "b.xlsx"]
    at = placement(rows, sources, [("a.xlsx", 4)], blank=[5, 4])
    assert (at.slots, at.clear, at.appended, at.order) == ([3, 4, 5, 6], [], 0, [0, 1, 2, 3])
    at = placement(rows, sources, [("a.xlsx", 5)], blank=[5, 4])
    assert (at.slots, at.appended, at.order) == ([3, 4, 5, 6], 1, [0, 1, 2, 3, 4])
    at = placement(rows, sources, [("a.xlsx", 2)], blank=[5, 4])  # enough rows of its own: no blank row taken
    assert (at.slots, at.appended) == ([3, 6], 0)


def test_placement_gives_the_rows_one_file_empties_to_another_that_grew() -> None:
    rows, sources = [3, 4, 5, 6], ["a.xlsx", "a.xlsx", "b.xlsx", "b.xlsx"]
    at = placement(rows, sources, [("a.xlsx", 1), ("b.xlsx", 3)])
    assert (at.slots, at.clear, at.appended, at.order) == ([3, 4, 5, 6], [], 0, [0, 1, 2, 3])
    at = placement(rows, sources, [("a.xlsx", 3), ("b.xlsx", 2)], blank=[8])  # a's third: the blank row 8
    assert (at.slots, at.appended, at.order) == ([3, 4, 8, 5, 6], 0, [0, 1, 2, 3, 4])
    at = placement(rows, sources, [("a.xlsx", 4), ("b.xlsx", 3)])  # no blank row: a's last and b's last below
    assert (at.slots, at.appended, at.order) == ([3, 4, 5, 6], 3, [0, 1, 4, 5, 2, 3, 6])


def test_a_file_merged_alone_then_with_the_others_stays_where_it_is() -> None:
    rows, sources = [3, 4, 5], ["a.xlsx", "b.xlsx", "a.xlsx"]
    alone = placement(rows, sources, [("a.xlsx", 2)])
    together = placement(rows, sources, [("b.xlsx", 1), ("a.xlsx", 2)])
    assert alone.slots == together.slots[1:] == [3, 5]


def test_blank_rows_are_the_empty_rows_among_the_records(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "t.xlsx", {"客户信息表": [
        [*HEAD, "内部编号"],
        ["甲", "x", "1", "小王", D(2024, 3, 1), None],
        [None] * 6,  # row 3: blank
        [None, None, None, None, None, "NB-7"],  # row 4: no record, but a cell of the team's own column: kept
        [None] * 6,  # row 5: blank
        ["乙", "x", "2", "小王", D(2024, 3, 2), None],
        [None] * 6,  # row 7: below the last record, not among them
    ]})
    with FileBook(path) as book:
        assert book.blank_rows("customers") == [3, 5]


def test_a_rep_file_that_shrank_then_grew_refills_its_emptied_rows(tmp_path: Path) -> None:
    team = tmp_path / "team.xlsx"
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    rep(a, ["甲一", "甲二", "甲三"], "小甲")
    rep(b, ["乙一", "乙二"], "小乙")
    assert crm_xl("merge", team, a, b, "--today", "2024-03-15").returncode == 0
    rep(a, ["甲一"], "小甲")  # a shrank: two of its rows are emptied, between its first row and b's
    assert crm_xl("merge", team, a, "--today", "2024-03-15").returncode == 0
    grid = sheets(team)["客户信息表"]
    assert [r[0] for r in grid[2:7]] == ["甲一", "", "", "乙一", "乙二"]
    assert grid[3] == grid[4] == [""] * len(grid[1])  # emptied: no check result, no follow-up date either
    rep(a, ["甲一", "甲四", "甲五", "甲六"], "小甲")  # a grew: the blank rows first, then below the last record
    assert crm_xl("merge", team, a, "--today", "2024-03-15").returncode == 0
    got = [(r["客户名称"], r["来源文件"]) for r in records(sheets(team)["客户信息表"])]
    assert got == [("甲一", "a.xlsx"), ("甲四", "a.xlsx"), ("甲五", "a.xlsx"), ("乙一", "b.xlsx"),
                   ("乙二", "b.xlsx"), ("甲六", "a.xlsx")]
    before = sheets(team)
    assert crm_xl("merge", team, a, b, "--today", "2024-03-15").returncode == 0
    assert sheets(team) == before  # unchanged files: every value where it already is
