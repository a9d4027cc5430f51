"""Header and sheet-name resolution in zh-Hans, zh-Hant, en and mixed workbooks."""

from __future__ import annotations

import pytest

from crm_xl.book.memory import MemoryBook
from crm_xl.book.ops import TableInfo
from crm_xl.model.errors import SchemaError
from crm_xl.model.headers import match_columns
from crm_xl.model.schema import (
    CUSTOMERS,
    DATA_SHEETS,
    FOLLOWUPS,
    STATUS,
    TIER,
    copy_of,
    find_sheet_def,
    header_key,
    locate,
)


@pytest.mark.parametrize("sheet", DATA_SHEETS, ids=lambda s: s.key)
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_every_header_resolves_in_every_language(sheet, lang):
    for col in sheet.columns:
        assert sheet.match_header(col.header(lang)) is col


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("  客户名称 ", "customer"),
        ("客戶名稱", "customer"),
        ("CUSTOMER", "customer"),
        ("ｃｕｓｔｏｍｅｒ", "customer"),  # full-width
        ("Phone / Email", "phone"),
        ("phone  /  email", "phone"),
        ("聯繫方式", "phone"),
        ("資訊核實日期", "verified_on"),
        ("信息核实日期", "verified_on"),
        ("Tier override", "tier_override"),
        ("校驗結果", "check"),
    ],
)
def test_header_matching_ignores_case_space_width_script(text, key):
    assert CUSTOMERS.match_header(text).key == key


def test_unknown_header_is_not_matched():
    assert CUSTOMERS.match_header("客户生日") is None
    assert CUSTOMERS.match_header(None) is None


@pytest.mark.parametrize("name", ["客户信息表", "客戶信息表", "Customers", "customers ", "客戶資訊表"])
def test_sheet_found_by_any_name(name):
    assert find_sheet_def(name) is CUSTOMERS


def test_enums_parse_any_language():
    assert STATUS.parse("已成交") == "won" and STATUS.parse("Won") == "won" and STATUS.parse("跟進中") == "open"
    assert STATUS.parse("maybe") is None and STATUS.parse(None) is None
    assert TIER.parse(" a ") == "A"
    assert STATUS.label("lost", "zh-Hant") == "已流失" and STATUS.label("paused", "en") == "Paused"


def _book(header: list[str], rows: list[list], sheet: str = "客户信息表", table: bool = False) -> MemoryBook:
    grid = [header, *rows]
    tables = [TableInfo("Customers", sheet, f"A1:{chr(64 + len(header))}{len(grid)}")] if table else []
    return MemoryBook({sheet: grid}, tables)


def test_mixed_language_headers_and_extra_columns_kept():
    book = _book(["Customer", "聯繫人", "负责人", "客户生日", "Status"],
                 [["甲公司", "王经理", "小王", "1990-01-01", "Open"]])
    frame = book.read("customers")
    assert frame.cols == {"customer": 1, "contact": 2, "owner": 3, "status": 5}
    assert frame.extra == {"客户生日": 4}
    assert frame.data.loc[2, "contact"] == "王经理"
    assert frame.data.loc[2, "industry"] is None  # absent optional column
    assert frame.cell(2, "owner") == "客户信息表!C2"


def test_cells_are_cell_row_by_row_also_for_an_absent_column_and_a_quoted_sheet():
    book = _book(["Customer", "Owner"], [["甲公司", "小王"], ["乙公司", "小李"]], sheet="My customers",
                 table=True)
    frame = book.read("customers")
    for key in ("owner", "industry"):  # present; absent (the header cell for every row)
        assert frame.cells([2, 3, 1048576], key) == [frame.cell(r, key) for r in (2, 3, 1048576)]
    assert frame.cells([3], "owner") == ["'My customers'!B3"]
    assert frame.cells([], "owner") == []


def test_table_found_by_table_name_on_any_sheet_name():
    book = _book(["客户名称", "负责人"], [["甲公司", "小王"]], sheet="我的客户", table=True)
    frame = book.read("customers")
    assert frame.sheet_name == "我的客户" and frame.table == "Customers"


def test_plain_range_header_is_first_row_naming_the_key_column():
    grid = [["客户信息表（2024）"], [], ["客户名称", "联系人"], ["甲公司", "王经理"], [None, None], ["乙公司", "李总"]]
    frame = MemoryBook({"客户信息表": grid}).read("customers")
    assert frame.header_row == 3
    assert frame.rows == [4, 6]


def test_missing_key_column_names_sheet_and_accepted_headers():
    book = _book(["联系人", "负责人"], [["王经理", "小王"]])
    with pytest.raises(SchemaError) as err:
        book.read("customers")
    assert str(err.value) == (
        "客户信息表!1:1：缺少必需的列——请添加表头 客户名称 / 客戶名稱 / Customer"
    )


def test_missing_sheets():
    book = MemoryBook({"Sheet1": [["a", "b"]]})
    assert book.find("followups") is None
    with pytest.raises(SchemaError, match="none of the crm-xl sheets"):
        book.frames()
    with pytest.raises(SchemaError, match="no sheet 跟进计划表 / 跟進計劃表 / Follow-ups"):
        book.read("followups")


@pytest.mark.parametrize(
    ("headers", "lang"),
    [(["客户名称", "联系人"], "zh-Hans"), (["客戶名稱", "聯繫人"], "zh-Hant"), (["Customer", "Contact"], "en")],
)
def test_language_detected_from_headers(headers, lang):
    name = {"zh-Hans": "客户信息表", "zh-Hant": "客戶信息表", "en": "Customers"}[lang]
    book = MemoryBook({name: [headers, ["x", "y"]]})
    assert book.lang == lang


def test_followups_key_columns():
    assert [c.key for c in FOLLOWUPS.columns if c.key_column] == ["customer", "date"]


# --- header spellings teams type (issue #17, item 7) ------------------------------------------------


@pytest.mark.parametrize("text", [
    "*客户名称", "客户名称*", "＊客户名称", "客户名称 *", "客户名称（必填）", "客户名称(必填)", "客户名称 （必填）",
    "客戶名稱(必填)", "*客戶名稱", "Customer (required)", "*Customer", "Customer*", "客户\n名称", "客戶\r\n名稱",
    "客户名称【必填】", "Customer\nname",
])
def test_required_marks_and_line_breaks_in_headers_are_ignored(text):
    assert CUSTOMERS.match_header(text).key == "customer"


def test_marks_do_not_make_other_words_match():
    assert CUSTOMERS.match_header("*客户生日") is None
    assert CUSTOMERS.match_header("客户名称（备用）") is None
    assert CUSTOMERS.match_header("联系\n方式（必填）").key == "phone"


def test_no_two_columns_share_a_header_once_marks_and_spaces_are_dropped():
    for sheet in DATA_SHEETS:
        owner: dict[str, str] = {}
        for col in sheet.columns:
            for h in col.headers():
                assert owner.setdefault(header_key(h), col.key) == col.key, (sheet.key, h)
        assert not {header_key(h) for h, _, _ in sheet.shared} & set(owner), sheet.key


def _frame(header: list, rows: list[list], sheet: str = "客户信息表"):
    return MemoryBook({sheet: [header, *rows]}).read(sheet_key(sheet))


def sheet_key(name: str) -> str:
    return find_sheet_def(copy_of(name) or name).key


def test_xingming_is_the_customer_name_on_a_sheet_without_one():
    """姓名 / 客户姓名 on Customers: the customer name when the sheet has no (filled) 客户名称 / 公司名称 column;
    the contact when it has one (then 联系人, if there too, competes with it for the contact)."""
    alone = _frame(["姓名", "联系人", "负责人"], [["甲公司", "张三", "小王"]])
    assert alone.cols == {"customer": 1, "contact": 2, "owner": 3} and alone.ignored == []
    with_company = _frame(["公司名称", "客户姓名", "负责人"], [["甲公司", "张三", "小王"]])
    assert with_company.cols == {"customer": 1, "contact": 2, "owner": 3}
    assert with_company.data.loc[2, "contact"] == "张三"
    assert _frame(["Name", "Customer", "Owner"], [["Ann", "Acme", "Bo"]]).cols == {
        "customer": 2, "contact": 1, "owner": 3}
    # on the other sheets 客户姓名 is the customer, as 客户名称 is
    fu = _frame(["客户姓名", "跟进时间"], [["甲公司", "2024-03-01"]], sheet="跟进计划表")
    assert fu.cols == {"customer": 1, "date": 2}


def test_an_empty_column_never_wins_over_a_filled_one_and_the_other_is_reported():
    frame = _frame(["公司名称", "客户姓名", "联系人", "负责人"], [[None, "甲公司", "张三", "小王"], [" ", "乙公司", None, "小李"]])
    assert frame.cols == {"customer": 2, "contact": 3, "owner": 4}
    assert frame.extra == {"公司名称": 1}
    assert list(frame.data["customer"]) == ["甲公司", "乙公司"]
    [ignored] = frame.ignored
    assert (ignored.key, ignored.col, ignored.header, ignored.kept, ignored.empty) == ("customer", 1, "公司名称", 2, True)


def test_two_filled_columns_of_one_key_keep_the_leftmost_and_report_the_other():
    frame = _frame(["客户名称", "联系人", "客户名称"], [["甲公司", "张三", "别名"]])
    assert frame.cols == {"customer": 1, "contact": 2} and frame.data.loc[2, "customer"] == "甲公司"
    [ignored] = frame.ignored
    assert (ignored.col, ignored.kept, ignored.empty) == (3, 1, False)
    # the empty one left of a filled one loses, whatever the order
    frame = _frame(["负责人", "客户名称", "Owner"], [[None, "甲公司", "小王"]])
    assert frame.cols["owner"] == 3 and frame.ignored[0].col == 1


def test_match_columns_asks_for_values_only_where_cells_compete():
    asked: list[int] = []

    def filled(c: int) -> bool:
        asked.append(c)
        return True

    cols, ignored = match_columns(CUSTOMERS, [(1, "客户名称"), (2, "联系人"), (3, "负责人")], filled)
    assert cols == {"customer": 1, "contact": 2, "owner": 3} and ignored == [] and asked == []


def test_header_shown_on_one_line_without_its_mark_in_messages():
    frame = _frame(["客户\n名称", "Phone /\nemail", "负责人*", "＊客户状态（必填）", "Tags (Required)"],
                   [["甲公司", "13800000000", "小王", "跟进中", "x"]])
    assert frame.headers == {"customer": "客户名称", "phone": "Phone / email", "owner": "负责人",
                                           "status": "客户状态", "tags": "Tags"}


@pytest.mark.parametrize("name", ["客户信息表(2)", "客户信息表 (2)", "客户信息表（2）", "客戶信息表 (3)", "Customers (2)"])
def test_a_copied_sheet_is_found_when_the_plain_name_is_absent(name):
    assert locate(CUSTOMERS, ["设置", name], []) == (name, None)
    assert locate(CUSTOMERS, [name, "客户信息表"], []) == ("客户信息表", None)  # the plain name first
    assert locate(CUSTOMERS, ["客户信息表（二）", "客户表格(2)"], []) is None
    frame = _frame(["客户名称", "联系人"], [["甲公司", "张三"]], sheet=name)
    assert frame.sheet_name == name
