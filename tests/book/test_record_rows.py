"""Book.record_rows (what merge writes): whole records into given rows and below the last one, the team's own
columns matched by header in any script, new columns past the last used one; and, in the file engine, a
column written twice in one save (a merged row, then its check) keeps its last value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from python_calamine import CalamineWorkbook

from crm_xl.book.files import FileBook
from crm_xl.book.memory import MemoryBook
from crm_xl.book.ops import TableInfo, WriteColumn
from tests.helpers import write_workbook


def _book() -> MemoryBook:
    return MemoryBook({"客户信息表": [
        ["客户名称", "联系人", "负责人", "来源文件", "行业细分"],
        ["甲", "王", "小王", "a.xlsx", "芯片"],
        ["乙", "李", "老陈", None, "物流"],
    ]}, [TableInfo("Customers", "客户信息表", "A1:E3")])


def test_records_replace_whole_rows_and_new_columns_go_past_the_last_one() -> None:
    book = _book()
    book.record_rows("customers", {2: {"customer": "甲2", "owner": "小王", "source_file": "a.xlsx", "區域": "华东"}},
                     [{"customer": "丙", "contact": "赵", "owner": "小王", "source_file": "a.xlsx", "行業細分": "医药"}],
                     ["行業細分", "區域"])
    frame = book.read("customers")
    assert frame.data.loc[2, "customer"] == "甲2" and frame.data.loc[2, "contact"] is None  # cleared: not in the record
    assert frame.data.loc[4, "customer"] == "丙"
    book.save()
    head, *rows = book.sheets["客户信息表"]
    assert head == ["客户名称", "联系人", "负责人", "来源文件", "行业细分", "區域"]  # 行業細分 = 行业细分
    assert rows[0] == ["甲2", None, "小王", "a.xlsx", None, "华东"]
    assert rows[1] == ["乙", "李", "老陈", None, "物流"]  # typed: untouched
    assert rows[2] == ["丙", "赵", "小王", "a.xlsx", "医药"]
    assert book.tables[0].ref == "A1:F4"


def test_a_column_written_twice_in_a_save_keeps_its_last_value(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "b.xlsx", {"客户信息表": [["客户名称", "联系人", "负责人"],
                                                           ["甲", "王", "小王"], ["乙", "李", "小李"]]})
    with FileBook(path) as book:
        book.read("customers")
        book._ops.append(WriteColumn("客户信息表", None, 2, 1, None, "text", False, {2: None, 3: "张"}))
        book._ops.append(WriteColumn("客户信息表", None, 2, 1, None, "text", False, {2: "王"}))  # as in the file
        book.save()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息表").to_python()
    assert [r[1] for r in rows[1:]] == ["王", "张"]  # 王 was in the file already: the last write keeps it


def test_merged_rows_get_their_check_in_the_same_save(tmp_path: Path) -> None:
    from crm_xl.jobs import run_job

    path = write_workbook(tmp_path / "t.xlsx", {"客户信息表": [["客户名称", "联系人", "负责人"]]},
                          {"客户信息表": "Customers"})
    with FileBook(path) as book:
        book.record_rows("customers", {}, [{"customer": "甲", "contact": "王", "owner": "小王",
                                            "first_contact": dt.datetime(2024, 3, 1)},
                                           {"customer": "乙", "owner": "小李"}], [])
        run_job(book, "validate", today="2024-03-15")
        book.save()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息表").to_python()
    check = rows[0].index("校验结果")
    assert [r[0] for r in rows[1:]] == ["甲", "乙"]
    assert rows[1][check].startswith("OK") or "警告" in rows[1][check]
    assert "联系人为空" in rows[2][check]


def test_records_as_columns_absent_and_blank_fields_write_nothing() -> None:
    from crm_xl.book.port import ABSENT, plain_cells

    nan = float("nan")
    assert plain_cells(["a", " ", "", None, nan, ABSENT, 0, dt.date(2024, 3, 1)]) == [
        "a", None, None, None, None, None, 0, dt.date(2024, 3, 1)]
    assert plain_cells(["a", "\u3000", None]) == ["a", None, None]  # (an ideographic space is blank too)
    book = _book()
    book.record_columns("customers", {"customer": ["甲2", "丙", "丁"], "contact": [ABSENT, " ", "李"],
                                      "owner": ["小王", "小李", nan], "source_file": ["a.xlsx"] * 3,
                                      "區域": [ABSENT, "华南", ABSENT]}, 3, [2], ["區域"], clear=[3])
    frame = book.read("customers")
    assert frame.data.loc[2, ["customer", "contact", "owner"]].tolist() == ["甲2", None, "小王"]
    assert 3 not in frame.data.index  # emptied: no record any more (the jobs leave it alone)
    assert frame.data.loc[4, "contact"] is None and frame.data.loc[5, "owner"] is None
    book.save()
    head, *rows = book.sheets["客户信息表"]
    assert head == ["客户名称", "联系人", "负责人", "来源文件", "行业细分", "區域"]
    assert rows[0] == ["甲2", None, "小王", "a.xlsx", None, None]  # a field the record lacks: cleared
    assert rows[1] == [None, None, None, None, None, None]  # no record fills it any more: emptied
    assert rows[2] == ["丙", None, "小李", "a.xlsx", None, "华南"]  # a blank: no cell
    assert rows[3] == ["丁", "李", None, "a.xlsx"]  # (NaN: no cell; no 區域: no cell)


def test_two_fields_for_one_column_give_the_first_with_a_value_on_replaced_and_appended_rows() -> None:
    from crm_xl.book.port import ABSENT

    book = _book()
    book.record_columns("customers", {"customer": ["甲2", "丙", "丁", "戊"], "source_file": ["a.xlsx"] * 4,
                                      "行业细分": ["X", " ", "X", ABSENT], "行業細分": ["Y", "Y", "Y", "Y"]},
                        4, [2, 3], ["行业细分", "行業細分"])
    book.save()
    head, *rows = book.sheets["客户信息表"]
    assert [r[4] for r in rows] == ["X", "Y", "X", "Y"]  # replaced rows (2, 3) and appended (4, 5) alike
