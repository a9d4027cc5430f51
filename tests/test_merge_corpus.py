"""`crm-xl merge` into workbooks other applications saved (../shared/fidelity/others): the reps' rows go in
below the team's, and nothing else changes — every zip part merge does not own byte-identical, every typed
cell where it was, the result opens in python-calamine and in openpyxl where the input did — or the merge
is refused with one `Error:` line and the file is left byte-identical."""

from __future__ import annotations

import shutil
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from crm_xl.shells.cli import app
from tests.test_merge_e2e import ann, li, wang
from tests.test_others_corpus import FILES, REFUSED, _cells, _computed_columns, _generated, _owned

pytestmark = pytest.mark.skipif(not FILES, reason="corpus not found")
NO_SHEET = "sheet for the reps' rows"  # a team workbook without a sheet the reps fill: refused, told which


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("merge-others")


@cache
def _reps(folder: Path) -> tuple[Path, ...]:
    return (wang(folder / "wang.xlsx"), li(folder / "小李-客户.xlsx"), ann(folder / "ann.xlsx"))


def _merged(source: Path, folder: Path) -> tuple[Path, int, str]:
    path = folder / source.name
    shutil.copy(source, path)
    path.chmod(0o644)
    result = CliRunner().invoke(app, ["merge", str(path), *map(str, _reps(folder)), "--today", "2024-03-15"])
    return path, result.exit_code, result.output


@pytest.mark.parametrize("source", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_merge_into_another_applications_workbook_keeps_everything_or_refuses(source: Path, folder: Path) -> None:
    path, code, output = _merged(source, folder)
    if code == 2:
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, output
        assert REFUSED.get(source.name, NO_SHEET) in errors[0], output
        assert path.read_bytes() == source.read_bytes()
        return
    assert code == 0, output
    assert source.name not in REFUSED

    owned = _owned(source)
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(path) as after:
        assert after.testzip() is None
        for info in before.infolist():
            if info.filename not in owned:
                assert after.read(info.filename) == before.read(info.filename), f"{info.filename} changed"

    old, new = _cells(source), _cells(path)
    for sheet, rows in old.items():
        if _generated(sheet):
            continue
        skip = _computed_columns(rows)
        got = new[sheet]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in ("", None) and c not in skip:
                    assert r < len(got) and c < len(got[r]) and got[r][c] == value, f"{sheet}!R{r + 1}C{c + 1}"
    merged = {v for sheet, rows in new.items() if not _generated(sheet) for row in rows for v in row}
    assert {"东方电子有限公司", "東方電子", "Harbor Foods", "wang.xlsx", "ann.xlsx"} <= merged

    try:
        openpyxl.load_workbook(source)
    except Exception:  # noqa: BLE001 - openpyxl cannot read the original either: nothing to compare
        return
    openpyxl.load_workbook(path)
