"""The read-ahead loader: same cells as a plain calamine read, whichever thread parses a sheet."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
import python_calamine as pc
from helpers import small_workbook, write_workbook
from hypothesis import given
from hypothesis import strategies as st

from crm_xl.book.files import FileBook
from crm_xl.book.xlsx import loader
from crm_xl.book.xlsx.package import Package
from crm_xl.model.errors import WorkbookFileError


def plain(path: Path, name: str) -> list[list[object]]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def big_workbook(path: Path) -> Path:
    rows = [["n", "text"]] + [[i, f"行{i}"] for i in range(3000)]
    return write_workbook(path, {"small": [["a"], [1]], "big": rows, "mid": rows[:500]})


def test_largest_first_and_every_sheet_as_calamine_reads_it(tmp_path: Path):
    path = big_workbook(tmp_path / "b.xlsx")
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    assert sheets._queue[:1] in ([], ["big"], ["mid"], ["small"])  # the thread may already be working
    for name in ("small", "mid", "big"):  # asked in another order than the thread parses them
        got = sheets.get(name)
        assert got.sheet.to_python(skip_empty_area=False) == plain(path, name)
    assert sheets._done == {} and sheets._queue == []  # handed out: the loader holds nothing more
    assert sheets.get("big").sheet.to_python(skip_empty_area=False) == plain(path, "big")  # parsed again
    sheets.close()


def test_only_the_named_sheets_are_read_ahead(tmp_path: Path):
    path = big_workbook(tmp_path / "b.xlsx")
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg, ["small", "nope"])
    sheets._thread.join()
    assert set(sheets._done) == {"small"} and sheets._queue == []
    assert sheets.get("small").sheet.to_python() == [["a"], [1.0]]
    assert sheets.get("mid").sheet.to_python(skip_empty_area=False) == plain(path, "mid")  # still readable
    sheets.close()


def test_the_cli_start_reads_ahead_only_what_a_run_reads(tmp_path: Path):
    rows = [["n"]] + [[i] for i in range(5000)]
    path = write_workbook(tmp_path / "team.xlsx", {"客户信息表": [["客户名称"], ["甲"]], "我们自己的大表": rows,
                                                     "设置": [["x"]]})
    loader.start(path)
    started = loader.adopt(path)
    assert started is not None
    started._thread.join()
    assert set(started._done) == {"客户信息表", "设置"}
    started.close()


def test_error_and_formula_cells_are_found(tmp_path: Path):
    path = write_workbook(tmp_path / "f.xlsx", {"s": [["x", "y"], [1, "=A2*2"]]})
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    got = sheets.get("s")
    assert got.formulas == {(2, 2)} and got.errors == []
    sheets.close()


def test_a_parsed_sheet_is_handed_over_while_its_cells_are_still_scanned(tmp_path: Path, monkeypatch):
    """The thread that parsed a sheet hands it over first and scans it after: the caller turns the sheet
    into values meanwhile, and waits only when it asks for the error and formula cells."""
    import threading
    import time

    path = write_workbook(tmp_path / "f.xlsx", {"s": [["x", "y"], [1, "=A2*2"]]})
    release, scanning = threading.Event(), threading.Event()
    real = loader.scan_cells

    def slow_scan(*args):
        scanning.set()
        assert release.wait(10)
        real(*args)

    monkeypatch.setattr(loader, "scan_cells", slow_scan)
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    assert scanning.wait(10)  # parsed, handed over, and the scan under way on the loader's thread
    got = sheets.get("s")
    assert got.sheet.to_python() == [["x", "y"], [1.0, ""]]
    waiter = threading.Thread(target=lambda: got.formulas)
    waiter.start()
    time.sleep(0.05)
    assert waiter.is_alive()  # the scan is not done: asking for its cells waits
    release.set()
    waiter.join(10)
    assert got.formulas == {(2, 2)} and got.errors == []
    sheets.close()


def test_a_sheet_that_cannot_be_parsed_is_reported_when_asked_for(tmp_path: Path):
    path = small_workbook(tmp_path / "s.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut mid-XML
            dst.writestr(info, data)
    book = FileBook(broken)
    with pytest.raises(WorkbookFileError, match="cannot be read"):
        book.frames()
    book.close()


def test_the_cli_start_is_adopted_only_for_the_same_unchanged_file(tmp_path: Path):
    path = big_workbook(tmp_path / "b.xlsx")
    loader.start(path)
    started = next(iter(loader._early.values()))
    assert loader.adopt(path) is started and loader._early == {}
    started.close()
    loader.start(path)
    stale = next(iter(loader._early.values()))
    shutil.copyfile(small_workbook(tmp_path / "other.xlsx"), path)  # the file changed after the start
    assert loader.adopt(path) is None and loader._early == {}
    assert stale._stop  # the stale loader was stopped
    loader.start(tmp_path / "missing.xlsx")  # best effort: nothing started, nothing raised
    assert loader._early == {}


def test_filebook_reads_through_the_early_loader(tmp_path: Path):
    path = small_workbook(tmp_path / "s.xlsx")
    expected = FileBook(path)
    want = {f.sheet_name: f.data.to_dict() for f in expected.frames().present()}
    expected.close()
    loader.start(path)
    book = FileBook(path)
    assert loader._early == {}
    assert {f.sheet_name: f.data.to_dict() for f in book.frames().present()} == want
    book.close()


def test_a_sheet_asked_for_while_being_parsed_is_waited_for(tmp_path: Path):
    rows = [["n", "text"]] + [[i, f"行{i}"] for i in range(60000)]
    path = write_workbook(tmp_path / "huge.xlsx", {"huge": rows})
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    while not sheets._busy and sheets._thread.is_alive():
        pass
    assert list(sheets._busy) == ["huge"]
    assert len(sheets.get("huge").sheet.to_python()) == 60001
    sheets.close()


def test_sheets_are_read_parsed_first_then_not_started_then_the_one_being_parsed(tmp_path: Path):
    rows = [["n", "text"]] + [[i, f"行{i}"] for i in range(60000)]
    path = write_workbook(tmp_path / "two.xlsx", {"huge": rows, "mid": rows[:3000], "small": rows[:10]})
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg, ["huge", "small"])
    while not sheets._busy and sheets._thread.is_alive():
        pass
    with sheets._lock:  # as if "small" were parsed already, while the thread is on "huge"
        sheets._queue.remove("small")
        sheets._done["small"] = sheets._calamine("small")
    assert sheets.order(["huge", "mid", "small", "huge"]) == ["small", "mid", "huge"]
    sheets.close()


def test_filebook_reads_the_sheets_ready_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = small_workbook(tmp_path / "s.xlsx")
    book = FileBook(path)
    monkeypatch.setattr(loader.SheetLoader, "order", lambda self, names: list(reversed(list(names))))
    asked: list[str] = []
    real = FileBook.array
    monkeypatch.setattr(FileBook, "array", lambda self, name: asked.append(name) or real(self, name))
    frames = book.frames()
    assert asked == ["跟进计划表", "客户信息表"]  # in the loader's order, not the sheets' own
    assert frames.customers is not None and frames.followups is not None
    book.close()


@pytest.mark.parametrize("chunk", [1, 2, 3, 8192])
def test_sheet_array_from_a1_in_chunks_with_shared_values(tmp_path: Path, chunk: int):
    import datetime as dt

    import openpyxl

    from crm_xl.book.files import _sheet_array

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "小王", 2.0
    ws["C4"], ws["D4"], ws["E4"] = "小王", 2.5, dt.datetime(2024, 3, 1, 9, 30)
    ws["C6"], ws["E6"] = "小李", dt.datetime(2024, 3, 1, 9, 30)
    wb.save(tmp_path / "c.xlsx")
    sheet = pc.CalamineWorkbook.from_path(str(tmp_path / "c.xlsx")).get_sheet_by_name("Sheet")
    arr = _sheet_array(sheet, chunk=chunk)
    assert arr.shape == (6, 5)
    assert arr[:2].tolist() == [[None] * 5] * 2 and arr[:, :2].tolist() == [[None, None]] * 6
    assert arr[2].tolist() == [None, None, "小王", 2, None] and type(arr[2, 3]) is int
    assert arr[3, 3] == 2.5 and arr[5].tolist() == [None, None, "小李", None, dt.datetime(2024, 3, 1, 9, 30)]
    assert arr[2, 2] is arr[3, 2] and arr[3, 4] is arr[5, 4]  # one object per distinct text / date
    plain_rows = sheet.to_python(skip_empty_area=False)
    assert arr.tolist() == [[None if v == "" else v for v in r] for r in plain_rows]


CELL = st.one_of(st.sampled_from(["", "小王", "OK", None, True, False, 0, 1, 2 ** 60]),
                 st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e20, 2.0 ** 53, float("inf")]),
                 st.sampled_from([dt.date(2024, 3, 1), dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 9)]))


@given(st.lists(st.lists(CELL, max_size=20), max_size=5))
def test_values_convert_each_cell_as_read_and_share_equal_ones(chunks: list[list[object]]):
    """'' → None, whole floats → int, booleans stay booleans (True == 1 == 1.0 must not mix them up),
    everything else as it is; equal texts and dates are one object across the chunks of a sheet."""
    from crm_xl.book.files import _values

    def want(v: object) -> object:
        if v == "" and v.__class__ is str:
            return None
        if v.__class__ is float and v.is_integer() and abs(v) < 2 ** 53:
            return int(v)
        return v

    memo: dict[object, object] = {"": None}
    seen: dict[tuple[type, object], object] = {}
    for chunk in chunks:
        got = _values([x for x in chunk], memo)
        assert [(type(g), g) for g in got] == [(type(want(v)), want(v)) for v in chunk]
        for g in got:
            if isinstance(g, str | dt.date):
                assert seen.setdefault((type(g), g), g) is g


def test_the_asking_thread_scans_a_sheet_the_loader_is_still_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import threading

    path = big_workbook(tmp_path / "b.xlsx")
    parse_may_end = threading.Event()
    calamine, scan = loader.SheetLoader._calamine, loader.scan_cells

    def slow_parse(self: loader.SheetLoader, name: str) -> object:
        if threading.current_thread() is self._thread:
            parse_may_end.wait(10)
        return calamine(self, name)

    scanned_by: list[str] = []

    def spy(*args: object) -> None:
        scanned_by.append(threading.current_thread().name)
        parse_may_end.set()
        scan(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader.SheetLoader, "_calamine", slow_parse)
    monkeypatch.setattr(loader, "scan_cells", spy)
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg, ["big"])
    while not sheets._busy and sheets._thread.is_alive():
        pass
    got = sheets.get("big")
    assert scanned_by == [threading.current_thread().name]  # once, here, while the loader parsed
    assert got.sheet.to_python(skip_empty_area=False) == plain(path, "big") and got.errors == []
    assert sheets._scans == {} and sheets._done == {}
    sheets.close()


def _sheet_zip(path: Path, sheet_data: str, after: str = "", prefix: str = "") -> Path:
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = (f'<?xml version="1.0"?><{p}worksheet{ns}><{p}sheetData>{sheet_data}</{p}sheetData>{after}'
           f"</{p}worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return path


@pytest.mark.parametrize("size", [7, 64, 1 << 20])  # chunks small enough to cut a mark in two
@pytest.mark.parametrize(("cells", "after", "prefix", "marked"), [
    ('<row r="1"><c r="A1"><v>1</v></c></row>', "", "", False),
    ('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>', "", "", True),
    ('<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>2</v></c></row>', "", "", True),
    ('<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>', "", "", True),
    ('<row r="1"><c r="A1"><f/></c><c r="B1"><f\n>1</f></c></row>', "", "", True),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>if f&gt;0 <f></t></is></c></row>', "", "", True),  # text: a look
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>of e and f</t></is></c></row>', "", "", False),
    ('<x:row r="1"><x:c r="A1"><x:f>1+1</x:f></x:c></x:row>', "", "x", True),
    ('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', "<x:conditionalFormatting><x:cfRule><x:formula>1"
     "</x:formula></x:cfRule></x:conditionalFormatting><xm:f>1</xm:f>", "x", False),
    ('<row r="1"><c r="A1"><v>1</v></c></row>' * 40,  # formulas only after the rows: not cells
     '<conditionalFormatting sqref="A1"><cfRule type="expression"><formula>A1&gt;1</formula></cfRule>'
     '</conditionalFormatting><extLst><ext><x14:conditionalFormattings><xm:f>1</xm:f><xm:f a="1">2</xm:f>'
     "</x14:conditionalFormattings></ext></extLst>", "", False),
])
def test_a_quick_look_tells_sheets_with_formula_or_error_cells(tmp_path: Path, size: int, cells: str, after: str,
                                                               prefix: str, marked: bool):
    path = _sheet_zip(tmp_path / "m.zip", cells, after, prefix)
    with Package(path) as pkg:
        assert loader._marked(pkg, "xl/worksheets/sheet1.xml", size) is marked


def test_a_broken_sheet_is_reported_in_the_sheets_order_whatever_was_read_first(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch):
    from crm_xl.model.errors import SchemaError

    path = write_workbook(tmp_path / "two.xlsx", {"客户信息表": [["联系人"], ["王"]], "跟进计划表": [["跟进方式"], ["电话"]]})
    monkeypatch.setattr(loader.SheetLoader, "order", lambda self, names: list(reversed(list(names))))
    with FileBook(path) as book, pytest.raises(SchemaError, match=r"^客户信息表!1:1：缺少必需的列"):
        book.frames()
