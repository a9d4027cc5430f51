"""The file Book: reading real .xlsx files, bad input, atomic save, conflicts, backups."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from helpers import check_result, digest, small_workbook
from python_calamine import CalamineWorkbook

from crm_xl.book import files as files_mod
from crm_xl.book.files import FileBook
from crm_xl.book.xlsx.safety import atomic_write, backup_path
from crm_xl.model.errors import ConflictError, SchemaError, WorkbookFileError


def test_reads_frames_from_a_real_file(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    with FileBook(path) as book:
        frames = book.frames()
        assert book.lang == "zh-Hans"
        assert frames.customers.rows == [2, 3] and frames.customers.table == "Customers"
        assert frames.followups.data.loc[3, "method"] is None
        assert isinstance(frames.followups.data.loc[2, "date"], dt.datetime | dt.date)
        assert frames.tierlog is None


def test_write_column_in_place_and_read_back_with_calamine(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK", 3: '=HYPERLINK("http://x","y")'}))
        book.save()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息表").to_python()
    assert rows[0][-1] == "校验结果"
    assert rows[1][-1] == "OK" and rows[2][-1] == '=HYPERLINK("http://x","y")'
    import openpyxl

    ws = openpyxl.load_workbook(path)["客户信息表"]
    assert ws.cell(3, 9).data_type == "s"  # text, not a formula
    assert ws.tables["Customers"].ref == "A1:I3"
    # the untouched sheet is still there
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("备忘").to_python()[1][0] == 42


def test_backup_keeps_previous_file(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    before = digest(path)
    with FileBook(path, backup=True) as book:
        book.frames()
        book.apply(check_result({2: "OK"}))
        book.save()
    assert digest(backup_path(path)) == before and digest(path) != before


def test_refuses_to_overwrite_a_file_changed_on_disk(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK"}))
        small_workbook(path)  # someone saves meanwhile
        os.utime(path, ns=(1, 1))
        changed = digest(path)
        with pytest.raises(ConflictError, match="changed on disk since crm-xl read it"):
            book.save()
    assert digest(path) == changed
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~crm-xl-")]


def test_interrupted_save_leaves_original_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = small_workbook(tmp_path / "a.xlsx")
    before = digest(path)
    real = files_mod.atomic_write

    def crashing(target, write, **kw):
        def half(tmp):
            write(tmp)
            raise OSError("disk full (simulated)")

        return real(target, half, **kw)

    monkeypatch.setattr(files_mod, "atomic_write", crashing)
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK"}))
        with pytest.raises(OSError, match="simulated"):
            book.save()
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def test_atomic_write_failure_mid_write(tmp_path: Path):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"original")

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(target, write)
    assert target.read_bytes() == b"original" and len(list(tmp_path.iterdir())) == 1


def test_keeps_file_mode(tmp_path: Path):
    path = small_workbook(tmp_path / "a.xlsx")
    path.chmod(0o640)
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK"}))
        book.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_unusable_files(tmp_path: Path):
    with pytest.raises(WorkbookFileError, match="no such file"):
        FileBook(tmp_path / "missing.xlsx")
    with pytest.raises(WorkbookFileError, match="is a folder"):
        FileBook(tmp_path)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(WorkbookFileError, match="corrupt"):
        FileBook(bad)


def test_workbook_with_none_of_the_sheets(tmp_path: Path):
    from helpers import write_workbook

    path = write_workbook(tmp_path / "x.xlsx", {"Sheet1": [["a", "b"], [1, 2]]})
    with FileBook(path) as book, pytest.raises(SchemaError, match="none of the crm-xl sheets"):
        book.frames()


def _with_total_row(tmp_path: Path) -> Path:
    """The sample workbook with a total row on its tier-log table (TierLog A2:F100 → A2:F101)."""
    import openpyxl

    wb = openpyxl.load_workbook(Path(__file__).parent.parent / "workbook" / "sample.xlsx")
    ws = wb["客户分级表"]
    table = ws.tables["TierLog"]
    table.ref = "A2:F101"
    table.totalsRowCount = 1
    table.autoFilter.ref = "A2:F100"
    ws["A101"] = "合计"
    ws["B101"] = "=SUBTOTAL(103,TierLog[客户名称])"
    path = tmp_path / "totals.xlsx"
    wb.save(path)
    return path


def test_a_total_row_is_not_a_record_and_appending_above_it_is_refused(tmp_path: Path):
    from typer.testing import CliRunner

    from crm_xl.shells.cli import app

    path = _with_total_row(tmp_path)
    book = FileBook(path)
    tierlog = book.read("tierlog")
    assert 101 not in tierlog.rows and "合计" not in tierlog.data["customer"].tolist()
    book.close()
    before = digest(path)
    result = CliRunner().invoke(app, ["tiers", str(path), "--today", "2024-04-01"])
    assert result.exit_code == 2
    assert "客户分级表!101:101：表格 TierLog 有汇总行" in result.output
    assert "未写入任何内容" in result.output
    assert digest(path) == before
    result = CliRunner().invoke(app, ["validate", str(path), "--today", "2024-04-01"])
    assert result.exit_code in (0, 1)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户分级表").to_python()
    assert rows[100][0] == "合计"  # the total row itself is left alone


def test_no_handle_on_the_workbook_is_open_when_it_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Windows refuses to replace a file a process has open: the zip and calamine readers are closed
    before the rename, and the book reads the new file afterwards."""
    from crm_xl.book.xlsx import safety

    path = small_workbook(tmp_path / "a.xlsx")
    seen = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        seen.append((book.pkg.closed, book._loader is None))
        real_replace(src, dst)

    monkeypatch.setattr(safety.os, "replace", replace)
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK", 3: "错"}))
        book.save()
        assert seen == [(True, True)]
        assert book.frames().customers.data.loc[3, "check"] == "错"  # reopened on the saved file


def test_a_save_that_fails_at_the_rename_leaves_the_book_usable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The handles are closed for the rename; when the rename fails (e.g. the file is locked), the book
    reopens its file, the original is untouched and a later save works."""
    from crm_xl.book.xlsx import safety

    path = small_workbook(tmp_path / "a.xlsx")
    before = digest(path)

    def locked(src: str | Path, dst: str | Path) -> None:
        raise PermissionError(13, "locked by another program", str(dst))

    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK"}))
        with monkeypatch.context() as m:
            m.setattr(safety.os, "replace", locked)
            with pytest.raises(PermissionError):
                book.save()
        assert digest(path) == before
        assert book.grid("备忘")[1] == [42]  # a sheet not read before: the book still reads its file …
        book.apply(check_result({2: "OK"}))
        book.save()  # … and copies its parts into a later save
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息表").to_python()
    assert rows[1][-1] == "OK"


def test_a_file_saved_by_someone_else_during_the_save_is_a_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Reading parts of a file that was just replaced fails in odd ways; the run says what happened."""
    from crm_xl.book.xlsx import writer

    path = small_workbook(tmp_path / "a.xlsx")
    real_write = writer.PackageWriter.write

    def write(self: writer.PackageWriter, tmp: Path) -> None:
        path.write_bytes(b"PK\x03\x04 someone else's save, half written")
        real_write(self, tmp)

    monkeypatch.setattr(writer.PackageWriter, "write", write)
    with FileBook(path) as book:
        book.frames()
        book.apply(check_result({2: "OK"}))
        with pytest.raises(ConflictError, match="changed on disk since crm-xl read it"):
            book.save()
    assert path.read_bytes().startswith(b"PK\x03\x04 someone else's")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~crm-xl-")]
