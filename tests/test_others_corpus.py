"""Nothing lost on workbooks other applications saved (../shared/fidelity/others: Google Sheets, WPS,
LibreOffice, Numbers, POI, NPOI, openpyxl … and the shapes teams produce): `crm-xl run` either works —
every zip part it does not own byte-identical, every typed cell unchanged, the result opens in
python-calamine, in openpyxl where the input did, and in LibreOffice — or refuses with one `Error:` line
and leaves the file byte-identical."""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import SHARED
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.book.xlsx.package import T_APP, T_CALC, T_STYLES, T_TABLE, Package
from crm_xl.model.schema import SHEETS, find_sheet_def
from crm_xl.shells.cli import app

OTHERS = SHARED / "fidelity" / "others"
FILES = sorted(OTHERS.glob("*/*.xls[xm]")) if OTHERS.exists() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not found at {OTHERS}")

# refused, and why: each gets one Error line naming what it is
REFUSED = {
    "a21_xls_renamed.xlsx": "old binary .xls",
    "a24_xlsb_renamed.xlsx": ".xlsb",
    "g_S01_sheet_visibility_strict.xlsx": "Strict Open XML",
    "g_S02_SampleSS.strict.xlsx": "Strict Open XML",
    "g_V01_BlankSheetTypes.xlsm": "Excel 4.0 macro sheet",
    "g_Y01_date_quoted_format.xlsx": "unbound prefix",  # the grafted sheets' <sheet r:id> has no xmlns:r
}
GENERATED = ("问题清单", "問題清單", "Issues", "今日待办", "今日待辦", "Today", "流失预警", "流失預警", "Churn watch",
             "月度复盘", "月度復盤", "Review", "复盘历史", "復盤歷史", "Review history")
COMPUTED = {h for sd in SHEETS.values() for c in sd.computed_columns for h in c.headers()}


def _generated(name: str) -> bool:
    return any(name == g or name.startswith(g + " ") for g in GENERATED)


@cache
def _ran(source: Path, folder: Path) -> tuple[Path, int, str]:
    path = folder / source.name
    shutil.copy(source, path)
    path.chmod(0o644)
    result = CliRunner().invoke(app, ["run", str(path), "--today", "2024-04-01"])
    return path, result.exit_code, result.output


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("others")


def _owned(source: Path) -> set[str]:
    """The parts a run may rewrite or drop: package bookkeeping, styles, the calculation chain, the data
    sheets and their tables, and every part of a sheet crm-xl generates (rebuilt each run)."""
    with Package(source) as pkg:
        wb = pkg.workbook
        owned = {wb.part, posixpath.join(posixpath.dirname(wb.part), "_rels", posixpath.basename(wb.part) + ".rels"),
                 "[Content_Types].xml"}
        for typ, src in ((T_STYLES, wb.part), (T_CALC, wb.part), (T_APP, "")):
            rel = pkg.rel_of(src, typ)
            if rel is not None:
                owned.add(rel.target)
        for s in wb.sheets:
            if s.part is None:
                continue
            if _generated(s.name):
                todo = [s.part]
                while todo:
                    p = todo.pop()
                    if p in owned or not pkg.has(p):
                        continue
                    owned |= {p, posixpath.join(posixpath.dirname(p), "_rels", posixpath.basename(p) + ".rels")}
                    todo += [r.target for r in pkg.rels(p) if not r.external]
            elif find_sheet_def(s.name) is not None:
                owned.add(s.part)
                owned |= {r.target for r in pkg.rels(s.part) if r.type == T_TABLE}
        return {pkg.name(p) or p for p in owned}


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _computed_columns(rows: list[list[Any]]) -> set[int]:
    return {c for row in rows[:5] for c, v in enumerate(row) if isinstance(v, str) and v.strip() in COMPUTED}


@pytest.mark.parametrize("source", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_run_keeps_everything_or_refuses(source: Path, folder: Path) -> None:
    path, code, output = _ran(source, folder)
    if source.name in REFUSED:
        assert code == 2, output
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and REFUSED[source.name] in errors[0], output
        assert path.read_bytes() == source.read_bytes()
        return
    assert code in (0, 1), output  # 1: validation found errors in the team's rows

    owned = _owned(source)
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(path) as after:
        assert after.testzip() is None
        kept = set(after.namelist())
        for info in before.infolist():
            if info.filename in owned:
                continue
            assert info.filename in kept, f"{info.filename} lost"
            assert after.read(info.filename) == before.read(info.filename), f"{info.filename} changed"

    old, new = _cells(source), _cells(path)
    for sheet, rows in old.items():
        if _generated(sheet):
            continue
        assert sheet in new, f"sheet {sheet} lost"
        skip = _computed_columns(rows)
        got = new[sheet]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value in ("", None) or c in skip:
                    continue
                assert r < len(got) and c < len(got[r]) and got[r][c] == value, f"{sheet}!R{r + 1}C{c + 1}"

    try:
        openpyxl.load_workbook(source)
    except Exception:  # noqa: BLE001 - openpyxl cannot read the original either: nothing to compare
        return
    openpyxl.load_workbook(path)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_every_result(folder: Path, tmp_path: Path) -> None:
    done = [_ran(p, folder)[0] for p in FILES if p.name not in REFUSED]
    subprocess.run(["libreoffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), *map(str, done)],
                   check=True, capture_output=True, timeout=600)
    missing = [p.name for p in done if not (tmp_path / (p.stem + ".csv")).exists()]
    assert not missing
