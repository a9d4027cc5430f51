"""Dates outside pandas' nanosecond range (0001-01-01, 2300-01-01 …) in every date column of the sample: every
job but validation reads them as missing, and validation reports them — what pandas 2 gave. pandas 3 converts
dates to seconds or microseconds, which hold them; kernel/vectors.stamps keeps the nanosecond range."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from conftest import WORKBOOK

from crm_xl.book.files import open_workbook
from crm_xl.book.memory import MemoryBook
from crm_xl.core.validation.rules import PAST_DATES
from crm_xl.jobs import run_all
from crm_xl.model.frame import col_letter
from crm_xl.model.result import Summary
from crm_xl.model.schema import ISSUES_SHEET, SHEETS

TODAY = "2024-04-01"
YEAR1 = dt.date(1, 1, 1)
VALUES = [dt.datetime(2300, 1, 1), YEAR1, "0001-01-01", "2300-01-01 10:00", dt.datetime(2300, 6, 1)]
PLACES = {"customers": ["first_contact", "entered_on", "verified_on", "expected_close", "lost_on"],
          "followups": ["date", "next_date"], "tierlog": ["date"], "conversions": ["date"]}
ROWS = [3 + 3 * i for i in range(len(VALUES))]  # the Excel rows given one of VALUES (the sample's header: row 2)


def _sample(blank: bool) -> tuple[MemoryBook, dict[tuple[str, int, int], Any]]:
    """The sample in memory with VALUES (or, when `blank`, nothing) in its date columns, and the cells
    changed: (sheet, Excel row, column) → value."""
    with open_workbook(WORKBOOK / "sample.xlsx") as file:
        grids = {name: copy.deepcopy(file.grid(name)) for name in file.sheet_names()}
        tables = file.table_infos()
    typed = {}
    for key, cols in PLACES.items():
        sheet = SHEETS[key]
        name = sheet.name("zh-Hans")
        for col in cols:
            c = grids[name][1].index(sheet.column(col).header("zh-Hans")) + 1
            for row, value in zip(ROWS, VALUES, strict=True):
                grids[name][row - 1][c - 1] = None if blank else value
                typed[(name, row, c)] = value
    return MemoryBook(grids, tables), typed


def _run(book: MemoryBook) -> list[Summary]:
    summaries = run_all(book, today=TODAY)
    book.save()
    return summaries


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    far, typed = _sample(blank=False)
    blank, _ = _sample(blank=True)
    return {"far": far, "blank": blank, "typed": typed, "far_run": _run(far), "blank_run": _run(blank)}


def test_every_job_reads_them_as_missing_dates(runs: dict[str, Any]) -> None:
    far, blank, typed = runs["far"], runs["blank"], runs["typed"]
    assert [s.job for s in runs["far_run"]] == ["validate", "tiers", "stale", "health", "review"]
    assert [s.headline for s in runs["far_run"][1:]] == [s.headline for s in runs["blank_run"][1:]]
    customers = SHEETS["customers"]
    checks = {name: grid[1].index("校验结果") + 1 for name, grid in far.sheets.items()
              if name in {SHEETS[k].name("zh-Hans") for k in PLACES}}
    reason = (customers.name("zh-Hans"), far.sheets[customers.name("zh-Hans")][1].index("级别依据") + 1)
    differ = []
    for name, grid in far.sheets.items():
        if name == ISSUES_SHEET.name("zh-Hans"):
            continue
        other = blank.sheets[name]
        assert len(grid) == len(other), name
        for r, (line, line_blank) in enumerate(zip(grid, other, strict=True), start=1):
            for c in range(1, max(len(line), len(line_blank)) + 1):
                a = line[c - 1] if c <= len(line) else None
                b = line_blank[c - 1] if c <= len(line_blank) else None
                if a != b and (name, r, c) not in typed and c != checks.get(name):
                    differ.append((name, r, c, a, b))
    # one tier reason tells them apart: a lead's expected close typed as 0001-01-01 is unreadable, not blank
    assert differ == [(*reason[:1], 9, reason[1], "需求潜在, 预计成交日期无法识别", "需求潜在, 未填预计成交日期")]


def test_validation_reports_them(runs: dict[str, Any]) -> None:
    issues = runs["far"].sheets[ISSUES_SHEET.name("zh-Hans")]
    found = {(row[0], row[1]): (row[5], row[7]) for row in issues[5:] if len(row) > 7 and row[1]}
    want = {}
    for key, cols in PLACES.items():
        sheet = SHEETS[key]
        grid = runs["far"].sheets[sheet.name("zh-Hans")]
        for col in cols:
            c = grid[1].index(sheet.column(col).header("zh-Hans")) + 1
            for row, value in zip(ROWS, VALUES, strict=True):
                year1 = value in (YEAR1, "0001-01-01")
                if year1 or (key, col) in PAST_DATES:
                    want[(sheet.name("zh-Hans"), f"{col_letter(c)}{row}")] = "bad_date" if year1 else "future_date"
    assert {at: found[at][0] if at in found else None for at in want} == want
    assert found[("客户信息表", "N6")] == ("bad_date", "首次接触日期“0001-01-01”不是有效日期（如 2024-03-01）")
    assert found[("客户信息表", "N3")] == ("future_date", "首次接触日期 2300-01-01 晚于今天（2024-04-01）")
    assert runs["far_run"][0].errors == runs["blank_run"][0].errors + 23


def test_a_second_run_changes_nothing_more(runs: dict[str, Any]) -> None:
    far, blank = _sample(blank=False)[0], _sample(blank=True)[0]
    for book in (far, blank):
        _run(book)
    again = _run(far)
    assert again[1].headline.endswith("级别无变动")
    assert [s.headline for s in again[1:]] == [s.headline for s in _run(blank)[1:]]
