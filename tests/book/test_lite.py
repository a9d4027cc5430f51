"""book/lite.py over the test double of xlwings' remote engine (litefake): the same cells as the in-memory
Book, writes queued and applied only when the script returns, reads from the snapshot the script was handed,
widths in points, frozen panes as ranges, charts by anchor with their series named by the header row."""

from __future__ import annotations

import pandas as pd
import pytest
from litefake import TOUCHED, Excel, FakeBook, run_script
from test_excel import books, result
from xlfake import comparable

from crm_xl.book.excel_values import chart_plan
from crm_xl.book.lite import LiteBook, frozen_range, points
from crm_xl.book.ops import PutSheet
from crm_xl.model import theme
from crm_xl.model.errors import UsageError
from crm_xl.model.layout import Chart, SheetLayout, Table, Text, render
from crm_xl.model.schema import SHEETS, Kind


def lite_pair(n: int) -> tuple:
    memory, fake = books(n)  # (a MemoryBook and the desktop fake; only the memory book is used)
    return memory, Excel.from_grids(memory.sheets, memory.tables)


def apply(excel: Excel, n: int, **kw) -> None:
    def script(book: FakeBook) -> None:
        lite = LiteBook(book)
        lite.frames()
        lite.apply(result(n, **kw))
        lite.save()

    run_script(excel, script)


def test_same_cells_as_the_memory_book() -> None:
    memory, excel = lite_pair(12)
    memory.frames()
    memory.apply(result(12))
    memory.save()
    apply(excel, 12)
    for name in ("客户信息表", "客户分级表", "今日待办"):
        assert comparable(excel.sheet(name).grid()) == comparable(memory.sheets[name]), name
    log = excel.sheet("客户分级表")
    assert log.cells[(3, 3)] == "=1+1 不是公式" and (3, 3) not in log.formulas  # text stays text
    assert {n: ref for s in excel.sheets for n, ref in s.tables} == {t.name: t.ref for t in memory.tables}


def test_writes_are_queued_and_reads_come_from_the_snapshot() -> None:
    _, excel = lite_pair(4)
    book = FakeBook(excel)
    lite = LiteBook(book)
    before = excel.snapshot()
    lite.frames()
    lite.apply(result(4))
    lite.save()
    assert book.queue and excel.snapshot() == before  # nothing reaches Excel before the script returns
    assert book.sheets["客户信息表"].range((1, 6)).value is None  # the new header: queued, not in the snapshot
    queued = len(book.queue)
    lite.apply(result(4))
    with pytest.raises(UsageError, match="already queued"):
        lite.save()  # a second save would work from a snapshot that no longer shows the workbook
    assert len(book.queue) == queued
    book.finish()
    assert excel.sheet("客户信息表").cells[(1, 6)] == "当前级别"


def test_a_new_column_is_headed_styled_and_sized_in_points() -> None:
    _, excel = lite_pair(6)
    apply(excel, 6, with_sheet=False)
    customers = excel.sheet("客户信息表")
    col = next(c for (r, c), v in customers.cells.items() if r == 1 and v == "当前级别")
    values = result(6).columns["customers"]["tier"].tolist()
    kind = SHEETS["customers"].column("tier").kind
    assert customers.widths[col] == points(theme.new_column_width(kind, values, "当前级别"))
    assert customers.fonts[(1, col)]["bold"] is True and customers.fills[(1, col)] == "#" + theme.COMPUTED_HEADER_FILL.lower()
    due = next(c for (r, c), v in customers.cells.items() if r == 1 and v == SHEETS["customers"].column(
        "next_due").header("zh-Hans"))
    assert customers.number_formats[(2, due)] == theme.kind_format(Kind.DATE)


def test_nothing_is_queued_when_a_value_cannot_be_converted() -> None:
    _, excel = lite_pair(4)
    book = FakeBook(excel)
    lite = LiteBook(book)
    lite.frames()
    res = result(4)

    class Boom:
        def __str__(self) -> str:
            raise ValueError("cannot show")

    res.columns["customers"]["tier"] = pd.Series([Boom()] * 4, index=range(2, 6), dtype=object)
    lite.apply(res)
    with pytest.raises(ValueError, match="cannot show"):
        lite.save()
    assert book.queue == [] and not lite.queued


def test_the_generated_sheet_is_frozen_and_charted_as_the_remote_engine_takes_it() -> None:
    _, excel = lite_pair(8)
    apply(excel, 8)
    today = excel.sheet("今日待办")
    assert today.freeze == "1:3"  # the layout freezes at A4
    (chart,) = today.charts
    assert chart["anchor"] and chart["left"] is None and chart["top"] is None
    assert chart["source"] == "今日待办!$B$4:$B$12"  # the header 天数 names the series; 8 records below it
    assert today.cells[(4, 2)] == "天数" and chart["categories"] == "今日待办!$A$5:$A$12"
    assert chart["title"] == "逾期" and chart["type"] == "column_clustered" and chart["plot_by"] == "columns"
    assert excel.names()[-1] == "今日待办"
    assert today.widths and all(w == points(w0) for w, w0 in zip(
        (today.widths[c] for c in sorted(today.widths)), (render(result(8).sheets[0]).widths[c]
                                                         for c in sorted(today.widths)), strict=True))


def test_a_chart_whose_header_does_not_name_its_series_plots_the_values_alone() -> None:
    df = pd.DataFrame({"月份": ["2024-01", "2024-02"], "金额": [1.0, 2.0]})
    layout = SheetLayout("复盘", [Text("复盘", "title"), Table(df, name="t")], charts=[Chart("line", "金额", "t", "月份", ["金额"])])
    rendered = render(layout)
    assert chart_plan(rendered.charts[0], rendered).labelled
    placed = rendered.charts[0]
    placed.values = [("另一个名字", placed.values[0][1])]  # a series name the header row does not hold
    plan = chart_plan(placed, rendered)
    assert not plan.labelled
    book = FakeBook(Excel.from_grids({"S": [["x"]]}))
    sheet = book.sheets["S"]
    LiteBook(book)._chart(sheet, plan)
    r1, c1, r2, c2 = plan.values
    assert book.queue[0]["func"] == "addChart" and book.queue[0]["args"][3] == sheet.range((r1, c1), (r2, c2)).address


def test_a_replaced_sheet_keeps_its_place_though_the_engine_adds_before_one_place_left() -> None:
    excel = Excel.from_grids({"A": [["a"]], "B": [["b"]], "C": [["c"]]})
    book = FakeBook(excel)
    book.sheets.add("N", before=book.sheets["C"])  # _xlremote.Sheets.add: before the 3rd sheet → 2nd place
    assert [s.name for s in book.sheets] == ["A", "N", "B", "C"]
    book.discard()
    for first in (True, False):
        sheets = {"Today": [["old"]], "客户信息表": [["客户名称"], ["甲"]]} if first else \
            {"客户信息表": [["客户名称"], ["甲"]], "X": [["x"]], "Today": [["old"]], "Y": [["y"]]}
        excel = Excel.from_grids(sheets)
        layout = SheetLayout("今日待办", [Text("今日待办", "title")], aliases=("Today",))

        def script(book: FakeBook, layout: SheetLayout = layout) -> None:
            lite = LiteBook(book)
            lite._ops.append(PutSheet(layout, render(layout)))
            lite.save()

        run_script(excel, script)
        expected = [n if n != "Today" else "今日待办" for n in sheets]
        assert excel.names() == expected


def test_no_app_setting_is_touched() -> None:
    TOUCHED.clear()
    _, excel = lite_pair(4)
    apply(excel, 4)
    assert not [t for t in TOUCHED if t[0] == "App"]
    funcs = {a["func"] for a in excel.applied}
    assert funcs <= {"setValues", "setNumberFormat", "setRangeColor", "setFontProperty", "setColumnWidth",
                     "addSheet", "setSheetName", "sheetDelete", "resizeTable", "freezePaneAtRange", "addChart",
                     "setChartTitle", "setChartXAxisValues"}


def test_frozen_ranges_and_points() -> None:
    assert frozen_range("A4") == "1:3" and frozen_range("B1") == "A:A" and frozen_range("C4") == "A1:B3"
    assert frozen_range("A1") is None
    assert points(8.43) == 48.0  # Excel's default column: 64 pixels
    assert points(14) == 77.25 and points(24) == 129.75
