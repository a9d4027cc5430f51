"""Issue 23's golden rule: a workbook without the service records (complaints, surveys, an NPS score on
follow-ups) gives exactly the results it gave before they existed.

tests/golden/ holds the sample workbook and an empty English workbook as `crm-xl new` made them before, and
every cell of every sheet of `crm-xl run --today 2024-04-01` on them, as that version wrote them (read with
python-calamine). Running today's crm-xl on the same files must give the same cells. The new sample only adds
the two service sheets (and two Settings rows): its other sheets are the old sample's, cell for cell, so what
the README says of them still holds.
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

from crm_xl.model.i18n import LANGS
from crm_xl.model.schema import INSTRUCTIONS_SHEET, SERVICE_SHEETS, SETTINGS_SHEET
from crm_xl.model.settings import SCALARS
from tests.conftest import ROOT, WORKBOOK

GOLDEN = Path(__file__).resolve().parent / "golden"
NEW_SETTINGS = ("complaint_confirm_minutes", "complaint_solution_hours")


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
    got, want = cells(tmp_path / "run.xlsx"), json.loads(gzip.decompress((GOLDEN / golden).read_bytes()))
    assert list(got) == list(want)
    for sheet in want:
        assert got[sheet] == want[sheet], sheet


def test_the_sample_only_adds_the_service_sheets() -> None:
    old, new = cells(GOLDEN / "sample-before-service.xlsx"), cells(WORKBOOK / "sample.xlsx")
    added = [s.name("zh-Hans") for s in SERVICE_SHEETS]
    assert [n for n in new if n not in added] == list(old) and all(n in new for n in added)
    labels = {SCALARS[k].label(lang) for k in NEW_SETTINGS for lang in LANGS}
    for sheet in old:
        if sheet == SETTINGS_SHEET.name("zh-Hans"):  # columns A:C less the new settings' rows; the lists as they were
            settings = [row[:3] for row in new[sheet] if row[0] not in labels]
            assert settings == [row[:3] for row in old[sheet]][: len(settings)]
            assert [row[3:] for row in new[sheet]][: len(old[sheet])] == [row[3:] for row in old[sheet]]
        elif sheet == INSTRUCTIONS_SHEET.name("zh-Hans"):  # its list of sheets names the two new ones too
            assert [row for row in new[sheet] if not any(cell in added for cell in row)] == old[sheet]
        else:
            assert new[sheet] == old[sheet], sheet
