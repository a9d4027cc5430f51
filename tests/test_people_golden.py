"""Issue 23's golden rule for the service-record columns (推荐人, 主管, 服务团队, 沟通偏好): a workbook without
them gives exactly the results it gave before they existed.

The fixture `tests/golden/sample-before-service.xlsx` is workbook/sample.xlsx as it was before the
columns were added; `sample-run-and-summary.json.gz` holds every cell of every sheet after `crm-xl run
--today 2024-04-01` on it, read with python-calamine, and the run's `--json` summary, both made by the code
of that time (the one intended difference since: helpers.GOLDEN_CHANGES). The second test keeps the fixture meaningful now that the sample has the columns: the sample, with
those columns (and the Settings rows they brought) taken out, is cell for cell the fixture.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT, WORKBOOK
from helpers import as_now
from python_calamine import CalamineWorkbook

from crm_xl.model.settings import SCALARS

FIXTURES = ROOT / "tests" / "golden"
BEFORE = FIXTURES / "sample-before-service.xlsx"
GOLDEN = FIXTURES / "sample-run-and-summary.json.gz"
NEW_HEADERS = {"推荐人", "主管", "服务团队", "沟通偏好"}  # the sample's Customers headers (zh-Hans)
NEW_SETTINGS = {"推荐感谢提醒(天)", "沟通偏好"}  # the scalar row and the list column they brought
NEW_SETTINGS |= {"撞单归属", "撞单主管"}  # (and merge's two rows, after them)


def crm_xl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m crm_xl …` importing this repository's crm_xl (whatever the installed one)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd, env=env)


def cells(path: Path) -> dict[str, list[list[Any]]]:
    """Every cell of every sheet (python-calamine; dates as ISO text, as the golden file keeps them)."""
    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, dt.date | dt.datetime | dt.time) else v

    wb = CalamineWorkbook.from_path(str(path))
    return {name: [[plain(c) for c in row] for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
            for name in wb.sheet_names}


def golden() -> dict[str, Any]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        return json.load(f)


def first_difference(got: dict[str, list[list[Any]]], want: dict[str, list[list[Any]]]) -> str | None:
    """The first sheet / cell where two dumps differ (None: identical)."""
    if list(got) != list(want):
        return f"sheets {list(got)} != {list(want)}"
    for name in want:
        a, b = got[name], want[name]
        for r in range(max(len(a), len(b))):
            ra, rb = (a[r] if r < len(a) else None), (b[r] if r < len(b) else None)
            if ra != rb:
                return f"{name} row {r + 1}: {ra} != {rb}"
    return None


def test_a_workbook_without_the_new_columns_gives_the_same_cells_and_summary(tmp_path: Path) -> None:
    book = tmp_path / "team.xlsx"
    shutil.copy(BEFORE, book)
    done = crm_xl("run", str(book), "--today", "2024-04-01", "--json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # the sample has errors on purpose
    want = golden()
    assert first_difference(cells(book), as_now(want["cells"])) is None
    assert json.loads(done.stdout) == want["summary"]


# the complaints' Settings rows (issue 23 §1, their own golden test: tests/test_service_golden.py)
COMPLAINT_SETTINGS = {SCALARS[k].label("zh-Hans") for k in ("complaint_confirm_minutes", "complaint_solution_hours")}


def _without_new(sheets: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The sample's sheets with the service columns of Customers, the Settings row and list they brought
    taken out."""
    out = dict(sheets)
    customers = out["客户信息表"]
    header = customers[1]  # (row 1 is the sheet's title)
    keep = [j for j, h in enumerate(header) if h not in NEW_HEADERS]
    assert len(keep) == len(header) - len(NEW_HEADERS)
    out["客户信息表"] = [[row[j] for j in keep] for row in customers]
    settings = out["设置"]
    cols = [j for j, h in enumerate(settings[0]) if h not in NEW_SETTINGS]
    rows = [row for row in settings if row[0] not in NEW_SETTINGS and row[0] not in COMPLAINT_SETTINGS]
    out["设置"] = [[row[j] for j in cols if j < len(row)] for row in rows]
    return out


def test_the_fixture_is_the_sample_without_the_new_columns() -> None:
    now, before = _without_new(cells(WORKBOOK / "sample.xlsx")), cells(BEFORE)
    for name in ("客户信息表", "跟进计划表", "客户分级表", "客户转化记录表", "设置"):
        width = max(len(r) for r in before[name])
        got = [(row + [""] * width)[:width] for row in now[name]]  # (the Settings sheet is a column shorter)
        want = [(row + [""] * width)[:width] for row in before[name]]
        assert got == want, name
    # the sample does fill the columns in, and its Customers sheet is the only data sheet that changed
    header = cells(WORKBOOK / "sample.xlsx")["客户信息表"][1]
    assert NEW_HEADERS <= set(header)
