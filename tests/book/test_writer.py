"""The file engine end to end: FileBook reads with calamine, saves only what it owns."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from helpers import check_result, digest, small_workbook
from python_calamine import CalamineWorkbook

from crm_xl.book.files import FileBook
from crm_xl.book.ops import DropSheet, PutSheet, SetCells, WriteColumn
from crm_xl.book.xlsx.writer import PAUSE_ENV
from crm_xl.model.layout import Chart, SheetLayout, Table, Text, render
from crm_xl.model.result import JobResult, Summary
from crm_xl.model.schema import Kind

FIDELITY = Path(__file__).resolve().parents[2].parent / "shared" / "fidelity" / "xlsxwriter"


def put(layout: SheetLayout) -> PutSheet:
    return PutSheet(layout, render(layout))


def review(name: str = "月度复盘 2024-03", aliases: tuple[str, ...] = ()) -> SheetLayout:
    df = pd.DataFrame({"来源": ["展会推荐", "转介绍"], "客户": [3, 5]})
    return SheetLayout(name, [Text("复盘", "title"), Table(df, "来源", formats={"客户": "int"}, name="src")],
                       charts=[Chart("pie", "来源", "src", "来源", ["客户"])], aliases=aliases)


def xw_workbook(path: Path) -> Path:
    """An XlsxWriter workbook: a data sheet, a sheet with a chart (to be replaced), print titles, an error."""
    wb = xlsxwriter.Workbook(str(path))
    data = wb.add_worksheet("客户信息表")
    data.write_row(0, 0, ["客户名称", "联系人", "负责人", "客户状态"])
    data.write_row(1, 0, ["甲公司", "王", "小王", "跟进中"])
    data.write_formula(2, 0, "=NA()", None, "#N/A")
    data.write_row(2, 1, ["李", "小李", "已成交"])
    data.write_formula("F2", "=1+1", None, 2)
    old = wb.add_worksheet("Review 2024-03")
    old.write_column(0, 0, ["a", "b", "c"])
    old.write_column(0, 1, [1, 2, 3])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "='Review 2024-03'!$B$1:$B$3"})
    old.insert_chart("D2", chart)
    notes = wb.add_worksheet("备忘")
    notes.write(0, 0, "自己的表")
    notes.repeat_rows(0)
    wb.define_name("备忘!本地名", "=备忘!$A$1")
    notes.activate()
    wb.close()
    return path


def test_grid_reads_errors_dates_ints_and_blanks(tmp_path: Path):
    path = xw_workbook(tmp_path / "a.xlsx")
    with FileBook(path) as book:
        grid = book.grid("客户信息表")
    assert grid[2][0] == "#N/A"
    assert grid[1] == ["甲公司", "王", "小王", "跟进中", None, 2]
    assert isinstance(grid[1][5], int)


def test_grid_starts_at_a1(tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active["C3"] = "x"
    wb.active["D4"] = dt.datetime(2024, 3, 1)
    wb.save(tmp_path / "b.xlsx")
    with FileBook(tmp_path / "b.xlsx") as book:
        grid = book.grid(book.sheet_names()[0])
    assert grid[2][2] == "x" and grid[3][3] in (dt.date(2024, 3, 1), dt.datetime(2024, 3, 1))
    assert grid[0] == [None] * 4 and len(grid) == 4


def test_replacing_an_alias_removes_its_drawing_and_charts_and_keeps_names_pointing_right(tmp_path: Path):
    path = xw_workbook(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as z:
        before = {n: z.read(n) for n in z.namelist()}
    with FileBook(path) as book:
        book._ops.append(put(review(aliases=("Review 2024-03",))))
        book.save()
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert z.testzip() is None
        ct = z.read("[Content_Types].xml").decode()
        wbxml = z.read("xl/workbook.xml").decode()
        app = z.read("docProps/app.xml").decode()
        for n, data in before.items():
            if n.startswith(("xl/theme", "docProps/core", "xl/worksheets/sheet1", "xl/worksheets/sheet3")):
                assert z.read(n) == data
    assert "xl/charts/chart1.xml" not in before or "xl/worksheets/_rels/sheet2.xml.rels" not in names
    assert "xl/worksheets/sheet2.xml" not in names  # the old sheet's part is gone
    assert all(f"/{n}" in ct for n in names if n.endswith(".xml") and "rels" not in n and n != "[Content_Types].xml")
    assert "/xl/worksheets/sheet2.xml" not in ct
    sheets = openpyxl.load_workbook(path).sheetnames
    assert sheets == ["客户信息表", "月度复盘 2024-03", "备忘"]
    assert 'localSheetId="2"' in wbxml and 'activeTab="2"' in wbxml  # still 备忘
    assert "月度复盘 2024-03" in app and "Review 2024-03" not in app
    xl = openpyxl.load_workbook(path)
    assert len(xl["月度复盘 2024-03"]._charts) == 1
    assert xl.defined_names.get("本地名") is None and "本地名" in xl["备忘"].defined_names


def test_drop_and_set_cells(tmp_path: Path):
    path = xw_workbook(tmp_path / "a.xlsx")
    with FileBook(path) as book:
        book._ops += [DropSheet("Review 2024-03"), SetCells("xlwings.conf", {(1, 1): "Interpreter_Win",
                                                                             (1, 2): r"C:\py\pythonw.exe"}, True),
                      SetCells("备忘", {(2, 1): "新的", (1, 1): "改了"})]
        book.save()
        assert book.sheet_names() == ["客户信息表", "备忘", "xlwings.conf"]
        assert book.grid("xlwings.conf") == [["Interpreter_Win", r"C:\py\pythonw.exe"]]
        assert book.grid("备忘")[:2] == [["改了"], ["新的"]]
    xl = openpyxl.load_workbook(path)
    assert xl["xlwings.conf"].sheet_state == "hidden"
    with FileBook(path) as book:  # unhide an existing sheet
        book._ops.append(SetCells("xlwings.conf", {(2, 1): "x"}, False))
        book.save()
    assert openpyxl.load_workbook(path)["xlwings.conf"].sheet_state == "visible"


def test_calc_chain_goes_only_when_a_formula_is_overwritten(tmp_path: Path):
    src = FIDELITY / "types07.xlsx"  # A1:A3 are formulas listed in xl/calcChain.xml
    if not src.exists():
        pytest.skip("fidelity corpus not found")
    path = tmp_path / "f.xlsx"
    path.write_bytes(src.read_bytes())
    with FileBook(path) as book:
        book._ops.append(WriteColumn("Sheet1", None, 2, 1, "新", Kind.TEXT, True, {2: "x"}))
        book.save()
    assert "xl/calcChain.xml" in zipfile.ZipFile(path).namelist()
    with FileBook(path) as book:
        book._ops.append(WriteColumn("Sheet1", None, 1, 1, None, Kind.TEXT, True, {2: "OK"}))
        book.save()
    with zipfile.ZipFile(path) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert "calcChain" not in z.read("xl/_rels/workbook.xml.rels").decode()
        assert "calcChain" not in z.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(path)["Sheet1"]["A2"].value == "OK"


def test_table_grows_with_new_columns_and_appended_rows(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    result = JobResult(Summary("t", "t"),
                       columns={"customers": {"tier": pd.Series({2: "A", 3: "B"}),
                                              "next_due": pd.Series({2: dt.date(2024, 3, 5), 3: None})},
                                "followups": {"check": pd.Series({2: "OK", 3: "OK", 4: "OK"})}},
                       appends={"followups": pd.DataFrame([{"customer": "丁公司", "date": dt.datetime(2024, 3, 4),
                                                            "method": "电话", "content": "新", "owner": "小王"}])})
    with FileBook(path) as book:
        book.frames()
        book.apply(result)
        book.save()
        frames = book.frames()
        assert frames.customers.data.loc[2, "tier"] == "A"
        assert frames.followups.rows == [2, 3, 4, 5]
    xl = openpyxl.load_workbook(path)
    cust, fol = xl["客户信息表"], xl["跟进计划表"]
    assert cust.tables["Customers"].ref == "A1:J3"
    assert [c.name for c in cust.tables["Customers"].tableColumns][-2:] == ["当前级别", "下次跟进"]
    assert cust.cell(2, 10).is_date and cust.cell(2, 10).value == dt.datetime(2024, 3, 5)
    assert cust.cell(1, 9).fill.fgColor.rgb.endswith("7F6000")
    assert cust.cell(2, 9).fill.fgColor.rgb.endswith("FFF2CC")
    assert fol.tables["FollowUps"].ref == "A1:F5" and fol.tables["FollowUps"].autoFilter.ref == "A1:F5"
    assert fol.cell(5, 2).is_date and fol.cell(5, 1).value == "丁公司"


def test_save_to_out_then_in_place(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    before = digest(path)
    out = tmp_path / "b.xlsx"
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "一", 3: "二"}))
        book.save(out)
        assert digest(path) == before and out.exists()  # --out leaves the original alone
        assert book.frames().customers.data.loc[3, "check"] == "二"  # the book now reads `out`
        book.save()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息表").to_python()
    assert [r[-1] for r in rows] == ["校验结果", "一", "二"]


def test_kill_mid_save_leaves_the_original_intact(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    before = digest(path)
    script = (
        "import sys, pandas as pd\n"
        "from crm_xl.book.files import FileBook\n"
        "from crm_xl.model.result import JobResult, Summary\n"
        "b = FileBook(sys.argv[1]); b.frames()\n"
        "b.apply(JobResult(Summary('t', 't'), columns={'customers': {'check': pd.Series({2: 'x', 3: 'y'})}}))\n"
        "b.save()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], env={**os.environ, PAUSE_ENV: "30"})
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".~crm-xl-") and p.stat().st_size > 0]:
        assert proc.poll() is None, "the save finished before it could be killed"
        assert time.monotonic() < deadline, "the save never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert digest(path) == before
    with FileBook(path) as book:
        assert book.frames().customers.rows == [2, 3]
    # the killed save's temp file is left; the next save in the folder removes it once it is stale
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".~crm-xl-")]
    assert len(left) == 1
    fresh = tmp_path / ".~crm-xl-fresh.xlsx"  # e.g. another save writing right now: kept
    fresh.write_bytes(b"x")
    hour_ago = time.time() - 2 * 3600
    os.utime(left[0], (hour_ago, hour_ago))
    with FileBook(path) as book:
        book.apply(check_result({2: "x", 3: "y"}))
        book.save()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~crm-xl-")] == [fresh.name]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_entries_are_copied_byte_for_byte(tmp_path: Path, suffix: str):
    src = FIDELITY / "macro01.xlsm"
    if not src.exists():
        pytest.skip("fidelity corpus not found")
    path = tmp_path / f"m{suffix}"
    path.write_bytes(src.read_bytes())
    with FileBook(path) as book:
        book._ops.append(put(review()))
        book.save()
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(path) as b:
        for info in a.infolist():
            if info.filename.startswith(("xl/workbook.xml", "[Content", "xl/_rels", "docProps/app", "xl/styles")):
                continue
            other = b.getinfo(info.filename)
            assert (other.CRC, other.compress_size, other.compress_type) == (
                info.CRC, info.compress_size, info.compress_type)
            assert b.read(info.filename) == a.read(info.filename)


def test_a_rerun_with_the_same_values_leaves_the_sheet_part_as_it_was(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    result = JobResult(Summary("t", "t"), columns={"customers": {"check": pd.Series({2: "OK", 3: "错误"}),
                                                                 "next_due": pd.Series({2: dt.date(2024, 3, 5),
                                                                                        3: None})}})

    def run() -> dict[str, bytes]:
        with FileBook(path) as book:
            book.frames()
            book.apply(result)
            book.save()
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist()}

    first = run()
    second = run()
    assert second == first  # nothing changed, so every part is the same
    result.columns["customers"]["check"] = pd.Series({2: "OK", 3: "已改"})
    third = run()
    changed = [n for n in third if third[n] != second[n]]
    assert changed == ["xl/worksheets/sheet1.xml"]


def test_same_value_rules():
    from crm_xl.book.files import _same

    assert _same("OK", "OK") and _same(None, None) and _same(None, float("nan")) and _same(5, 5.0)
    assert _same(dt.date(2024, 3, 1), pd.Timestamp(2024, 3, 1)) and _same(dt.date(2024, 3, 1), dt.datetime(2024, 3, 1))
    assert not _same(1, True) and not _same("5", 5)
    assert not _same(dt.datetime(2024, 3, 1, 9), dt.date(2024, 3, 1)) and not _same("OK", None)
    assert not _same(45352, dt.date(2024, 3, 1))  # a number where a date goes: rewrite (format changes)


def test_a_formula_with_the_same_cached_value_is_still_replaced(tmp_path: Path):
    src = FIDELITY / "formula_results01.xlsx"  # A2 is ="Foo" with the cached value Foo
    if not src.exists():
        pytest.skip("fidelity corpus not found")
    path = tmp_path / "f.xlsx"
    path.write_bytes(src.read_bytes())
    with FileBook(path) as book:
        assert book.grid("Sheet1")[1][0] == "Foo" and book.grid("Sheet1")[4][0] == "#DIV/0!"
        book._ops.append(WriteColumn("Sheet1", None, 1, 1, None, Kind.TEXT, True, {2: "Foo", 5: "#DIV/0!"}))
        book.save()
    ws = openpyxl.load_workbook(path)["Sheet1"]
    assert ws["A2"].value == "Foo" and ws["A2"].data_type == "s"
    assert ws["A5"].value == "#DIV/0!" and ws["A5"].data_type == "s"


def test_a_new_table_column_never_repeats_a_name(tmp_path: Path):
    from helpers import write_workbook

    path = write_workbook(tmp_path / "t.xlsx", {"客户信息表": [["客户名称", "联系人", "负责人", "当前级别x"],
                                                           ["甲", "王", "小王", "A"]]},
                          {"客户信息表": "Customers"})
    with FileBook(path) as book:
        book._ops.append(WriteColumn("客户信息表", "Customers", 5, 1, "当前级别X", Kind.TEXT, True, {2: "B"}))
        book.save()
    ws = openpyxl.load_workbook(path)["客户信息表"]
    names = [c.name for c in ws.tables["Customers"].tableColumns]
    assert names[-1] == "当前级别X2" and ws.cell(1, 5).value == "当前级别X2"


def test_formats_and_validations_of_a_growing_table_grow_with_it(tmp_path: Path):
    """Excel extends a table's conditional formats and validations when rows are added to it; so does the
    engine for appended rows — only the ranges in the table's columns that end at its last row."""
    path = tmp_path / "cf.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("跟进计划表")
    rows = [["甲公司", dt.datetime(2024, 3, 1), "电话", "报价", "小王"], ["乙公司", dt.datetime(2024, 3, 2), "微信", "回访", "小李"]]
    ws.add_table("A1:E3", {"name": "FollowUps", "data": rows, "columns": [
        {"header": h} for h in ["客户名称", "跟进时间", "跟进方式", "沟通内容", "负责人"]]})
    red = wb.add_format({"bg_color": "#FFC7CE"})
    ws.conditional_format("E2:E3", {"type": "cell", "criteria": "==", "value": '"小王"', "format": red})
    ws.conditional_format("A2:B2", {"type": "duplicate", "format": red})  # ends above the last row
    ws.conditional_format("G2:G3", {"type": "duplicate", "format": red})  # outside the table
    ws.data_validation("C2:C3", {"validate": "list", "source": ["电话", "微信", "拜访"]})
    ws.data_validation("D2:D3", {"validate": "length", "criteria": "<", "value": 200})
    wb.close()
    result = JobResult(Summary("t", "t"), appends={"followups": pd.DataFrame(
        [{"customer": "丙公司", "date": dt.datetime(2024, 3, 4), "method": "电话", "content": "新", "owner": "小王"}] * 3)})
    with FileBook(path) as book:
        book.frames()
        book.apply(result)
        book.save()
    ws = openpyxl.load_workbook(path)["跟进计划表"]
    assert ws.tables["FollowUps"].ref == "A1:E6"
    assert sorted(str(cf.sqref) for cf in ws.conditional_formatting) == ["A2:B2", "E2:E6", "G2:G3"]
    assert sorted(str(dv.sqref) for dv in ws.data_validations.dataValidation) == ["C2:C6", "D2:D6"]


def test_a_value_read_back_equal_to_the_one_written_is_left_out(tmp_path: Path):
    """A re-merge writes every cell again: those that read back equal (same class) are not rewritten."""
    from helpers import write_workbook

    path = write_workbook(tmp_path / "d.xlsx", {"客户信息表": [
        ["客户名称", "负责人", "首次接触日期", "数"], ["甲", "小王", dt.datetime(2024, 3, 1, 9, 30), 1],
        ["乙", "小李", dt.datetime(2024, 3, 2), 1]]})
    with FileBook(path) as book:
        book.frames()
        dates = {2: dt.datetime(2024, 3, 1, 9, 30), 3: dt.datetime(2024, 3, 2, 0, 1)}
        assert book._changes(WriteColumn("客户信息表", None, 3, 1, None, Kind.DATE, False, dates)).values == {
            3: dt.datetime(2024, 3, 2, 0, 1)}
        kept = book._changes(WriteColumn("客户信息表", None, 4, 1, None, Kind.INT, False, {2: 1, 3: True}))
        assert kept.values == {3: True}  # True == 1, but a boolean is another cell


def test_a_write_into_an_empty_column_keeps_only_the_values(tmp_path: Path):
    """A first run (the column is empty): blanks of every kind are not written, every value is."""
    path = small_workbook(tmp_path / "e.xlsx")
    with FileBook(path) as book:
        book.frames()
        op = WriteColumn("客户信息表", None, 30, 1, None, Kind.TEXT, True,
                         {2: "OK", 3: None, 4: float("nan"), 5: pd.NaT, 6: pd.NA, 7: "", 8: 0, 9: dt.date(2024, 3, 1)})
        kept = book._changes(op)
        assert kept is not None and kept.values == {2: "OK", 7: "", 8: 0, 9: dt.date(2024, 3, 1)}
        assert book._changes(WriteColumn("客户信息表", None, 30, 1, None, Kind.TEXT, True, {3: None})) is None
        full = WriteColumn("客户信息表", None, 30, 1, None, Kind.TEXT, True, {2: "A", 3: "B"})
        assert book._changes(full) is full
