"""Quicker GIL hand-offs while the file engine's threads work."""

from __future__ import annotations

import sys

import pytest

from crm_xl.runtime import QUICK, quick


def test_the_interval_is_short_inside_and_restored_after():
    before = sys.getswitchinterval()
    with quick():
        assert sys.getswitchinterval() == pytest.approx(min(before, QUICK))
    assert sys.getswitchinterval() == before


def test_a_shorter_interval_set_by_the_caller_is_kept_and_an_error_restores():
    before = sys.getswitchinterval()
    sys.setswitchinterval(QUICK / 4)
    try:
        with pytest.raises(RuntimeError), quick():
            assert sys.getswitchinterval() == pytest.approx(QUICK / 4)  # never slower than it was
            raise RuntimeError
        assert sys.getswitchinterval() == pytest.approx(QUICK / 4)
    finally:
        sys.setswitchinterval(before)


def test_a_file_run_reads_and_saves_with_the_short_interval(tmp_path, monkeypatch):
    """FileBook reads its frames and writes its file inside `quick()`; the caller's interval comes back."""
    from helpers import small_workbook

    from crm_xl.book import files

    path = small_workbook(tmp_path / "s.xlsx")
    seen = []
    real_array, real_write = files.FileBook._read_array, files.atomic_write

    def read_array(self, *args):
        seen.append(("read", sys.getswitchinterval()))
        return real_array(self, *args)

    def atomic_write(*args, **kwargs):
        seen.append(("save", sys.getswitchinterval()))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(files.FileBook, "_read_array", read_array)
    monkeypatch.setattr(files, "atomic_write", atomic_write)
    before = sys.getswitchinterval()
    with files.FileBook(path) as book:
        book.frames()
        book.save()
    assert seen and all(interval == pytest.approx(min(before, QUICK)) for _, interval in seen)
    assert {what for what, _ in seen} == {"read", "save"}
    assert sys.getswitchinterval() == before
