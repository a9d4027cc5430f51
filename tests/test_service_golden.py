"""Issue 23's golden rule: a workbook without the service records (complaints, surveys, an NPS score on
follow-ups) gives exactly the results it gave before they existed.

tests/golden/ holds the sample workbook and an empty English workbook as `crm-xl new` made them before, and
every cell of every sheet of `crm-xl run --today 2024-04-01` on them, as that version wrote them (read with
python-calamine). Running today's crm-xl on the same files must give the same cells (but for the one
intended difference since, helpers.GOLDEN_CHANGES). The new sample only adds
the two service sheets (and two Settings rows): its other sheets hold the old sample's cells, so what the
README says of them still holds.
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

import pytest
from python_calamine import CalamineWorkbook

from crm_xl.model.schema import DATA_SHEETS, SERVICE_SHEETS, SETTINGS_SHEET
from tests.conftest import ROOT, WORKBOOK
from tests.helpers import as_now

GOLDEN = Path(__file__).resolve().parent / "golden"


def cells(path: Path) -> dict[str, list[list[Any]]]:
    """Every cell of every sheet, dates and times as ISO text (as the golden files keep them)."""
    def value(v: Any) -> Any:
        if isinstance(v, dt.timedelta):
            return str(v)
        return v.isoformat() if isinstance(v, dt.date | dt.time) else v

    wb = CalamineWorkbook.from_path(str(path))
    out = {name: [[value(v) for v in row] for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
           for name in wb.sheet_names}
    return json.loads(json.dumps(out))  # (as a JSON round trip leaves them)


def run(book: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "crm_xl", "run", str(book), "--today", "2024-04-01", "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize(("workbook", "golden"), [("sample-before-service.xlsx", "sample-run.json.gz"),
                                                  ("blank-en-before-service.xlsx", "blank-en-run.json.gz")])
def test_a_workbook_without_service_records_gives_the_same_cells_as_before(tmp_path: Path, workbook: str,
                                                                           golden: str) -> None:
    book = shutil.copy(GOLDEN / workbook, tmp_path / workbook)
    run(Path(book), tmp_path / "run.xlsx")
    got = cells(tmp_path / "run.xlsx")
    want = as_now(json.loads(gzip.decompress((GOLDEN / golden).read_bytes())))  # (helpers.GOLDEN_CHANGES)
    assert list(got) == list(want)
    for sheet in want:
        assert got[sheet] == want[sheet], sheet


def test_the_sample_only_adds_the_service_sheets() -> None:
    """Every cell of the old sample's data sheets is in the new one (columns matched by header), and every row
    and list of its Settings sheet (matched by label): the service records add sheets, change none."""
    old, new = cells(GOLDEN / "sample-before-service.xlsx"), cells(WORKBOOK / "sample.xlsx")
    assert all(s.name("zh-Hans") in new for s in SERVICE_SHEETS)
    for sheet in (s.name("zh-Hans") for s in DATA_SHEETS if s not in SERVICE_SHEETS):
        before, now = old[sheet], new[sheet]
        assert len(now) == len(before), sheet
        at = [now[1].index(h) for h in before[1]]  # (row 2 is the header)
        assert [[row[j] for j in at] for row in now] == before, sheet
    settings = SETTINGS_SHEET.name("zh-Hans")
    rows = {row[0]: row[1:3] for row in new[settings] if row[0]}
    assert all(rows.get(row[0]) == row[1:3] for row in old[settings] if row[0])
    lists = {h: [row[j] for row in new[settings][1:] if j < len(row) and row[j] != ""]
             for j, h in enumerate(new[settings][0]) if j > 3 and h}
    for j, h in enumerate(old[settings][0]):
        if j > 3 and h:
            assert lists[h] == [row[j] for row in old[settings][1:] if j < len(row) and row[j] != ""], h
