"""heap.trim: freed memory goes back to the system on glibc, and is a harmless no-op elsewhere."""

from __future__ import annotations

import platform
import sys

import pytest

from crm_xl import runtime as heap


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def test_trim_is_a_boolean_everywhere() -> None:
    assert heap.trim() in (True, False)


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_trim_returns_freed_pages_on_glibc() -> None:
    keep = []
    junk = []
    for i in range(100_000):  # malloc'd blocks (over pymalloc's 512 bytes), a few kept: a fragmented heap
        junk.append(b"x" * 1000 + i.to_bytes(4, "little"))
        if i % 1024 == 0:
            keep.append(b"y" * 1000 + i.to_bytes(4, "little"))
    before = _rss_mb()
    del junk
    assert heap.trim() is True
    assert _rss_mb() < before - 40  # ~100 MB of blocks were freed; most pages are handed back
    assert len(keep) == 98  # still alive at the top and in the middle of the heap


def test_a_small_sheet_read_is_not_followed_by_a_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(heap, "trim", lambda: calls.append(1) or True)
    assert heap.trim_after(heap.TRIM_CELLS - 1) is False and calls == []  # (a merge reads a hundred such sheets)
    assert heap.trim_after(heap.TRIM_CELLS) is True and calls == [1]
