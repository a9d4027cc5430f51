"""The read-ahead loader: same cells as a plain calamine read, whichever thread parses a sheet."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import python_calamine as pc
from helpers import small_workbook, write_workbook

from crm_xl.book import loader
from crm_xl.book.files import FileBook
from crm_xl.book.package import Package
from crm_xl.errors import WorkbookFileError


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


def test_keep_forgets_the_sheets_no_one_will_ask_for(tmp_path: Path):
    path = big_workbook(tmp_path / "b.xlsx")
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    sheets.keep(["small"])
    sheets._thread.join()
    assert set(sheets._done) <= {"small"} and sheets._queue == []
    assert sheets.get("small").sheet.to_python() == [["a"], [1.0]]
    assert sheets.get("mid").sheet.to_python(skip_empty_area=False) == plain(path, "mid")  # still readable
    sheets.close()


def test_error_and_formula_cells_are_found(tmp_path: Path):
    path = write_workbook(tmp_path / "f.xlsx", {"s": [["x", "y"], [1, "=A2*2"]]})
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    got = sheets.get("s")
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


def test_a_sheet_forgotten_while_being_parsed_can_still_be_asked_for(tmp_path: Path):
    rows = [["n", "text"]] + [[i, f"行{i}"] for i in range(60000)]
    path = write_workbook(tmp_path / "huge.xlsx", {"huge": rows})
    with Package(path) as pkg:
        sheets = loader.SheetLoader(path, pkg)
    while not sheets._busy and sheets._thread.is_alive():
        pass
    busy = list(sheets._busy)
    assert busy == ["huge"]
    sheets.keep([])  # e.g. the sheet turned out not to be needed …
    for name in busy:  # … but it is asked for anyway
        assert len(sheets.get(name).sheet.to_python()) == 60001
    sheets.close()
