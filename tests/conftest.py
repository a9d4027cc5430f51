"""Shared fixtures: the committed workbooks, temp copies, and in-memory books for core tests."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from crm_xl.book.memory import MemoryBook
from crm_xl.core.context import Context
from crm_xl.jobs import make_context

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "workbook"
SHARED = ROOT.parent / "shared"
FIDELITY = SHARED / "fidelity" / "xlsxwriter"


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of workbook/sample.xlsx."""
    dest = tmp_path / "sample.xlsx"
    shutil.copy(WORKBOOK / "sample.xlsx", dest)
    return dest


@pytest.fixture
def template_copy(tmp_path: Path) -> Path:
    """A private copy of workbook/crm.xlsx (the empty template)."""
    dest = tmp_path / "crm.xlsx"
    shutil.copy(WORKBOOK / "crm.xlsx", dest)
    return dest


def make_book(data: dict[str, Any], lang: str = "zh-Hans", settings: dict[str, Any] | None = None,
              as_tables: bool = True) -> MemoryBook:
    """An in-memory workbook: sheet key → list of row dicts with canonical column keys."""
    return MemoryBook.from_frames(data, lang=lang, settings=settings, as_tables=as_tables)  # type: ignore[arg-type]


def make_ctx(data: dict[str, Any], today: dt.date | str = "2024-03-15", lang: str = "zh-Hans",
             settings: dict[str, Any] | None = None, month: str | None = None) -> Context:
    """A core Context over `data` (see make_book)."""
    book = make_book(data, lang, settings)
    return make_context(book, today, month)
