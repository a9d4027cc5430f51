"""Nothing lost: for every Excel-saved workbook of the fidelity corpus, write a column and add a generated
sheet through the file engine, then prove every zip part the engine did not own is byte-identical and
the result reads back (openpyxl and python-calamine) with the new cells right."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import FIDELITY
from python_calamine import CalamineWorkbook

from crm_xl.book.files import FileBook
from crm_xl.book.ops import PutSheet, WriteColumn
from crm_xl.book.xlsx.package import T_APP, T_STYLES, Package, rels_part
from crm_xl.model.layout import Chart, SheetLayout, Table, Text, render
from crm_xl.model.schema import Kind

FILES = sorted(p for p in FIDELITY.glob("*.xls[xm]")) if FIDELITY.exists() else []
pytestmark = pytest.mark.fidelity

HEADER = "crm-xl 校验"
VALUES = {2: 'OK <&> "引号"', 3: 42, 4: dt.date(2024, 3, 1), 5: "=1+1", 6: None, 7: 2.5}
NEW_SHEET = "crm-xl 问题清单"


def layout() -> SheetLayout:
    df = pd.DataFrame({"类别": ["甲", "乙", "丙"], "数量": [3, 1, 2], "日期": [dt.datetime(2024, 3, 1)] * 3})
    return SheetLayout(
        NEW_SHEET,
        [Text("问题清单", "title"),
         Table(df, "按类别", formats={"数量": "int", "日期": "date"},
               links={"类别": ["'Sheet1'!A1", None, None]}, name="t")],
        charts=[Chart("column", "数量", "t", "类别", ["数量"])],
        freeze="A3",
    )


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def engine_edit(path: Path) -> tuple[str, int, set[str]]:
    """Write a column right of the first worksheet's data and add a generated sheet; return the sheet, the
    column and the parts the engine may change."""
    with FileBook(path) as book:
        sheet = next(s for s in book.pkg.workbook.sheets if s.kind == "worksheet")
        grid = book.grid(sheet.name)
        dim = re.search(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)\d+"', book.pkg.read(sheet.part)[:4000])
        col = max([len(r) for r in grid] + [_col(dim.group(1)) if dim else 0]) + 1
        values = dict(VALUES)
        book._ops.append(WriteColumn(sheet.name, None, col, 1, HEADER, Kind.TEXT, True, values))
        lay = layout()
        book._ops.append(PutSheet(lay, render(lay)))
        pkg = book.pkg
        owned = {sheet.part, pkg.workbook.part, rels_part(pkg.workbook.part), "[Content_Types].xml"}
        styles = pkg.rel_of(pkg.workbook.part, T_STYLES)
        app = pkg.rel_of("", T_APP)
        owned |= {r.target for r in (styles, app) if r is not None}
        book.save()
    return sheet.name, col, {pkg.name(p) or p for p in owned if p}


@pytest.mark.skipif(not FILES, reason=f"fidelity corpus not found at {FIDELITY}")
@pytest.mark.parametrize("source", FILES, ids=[p.name for p in FILES])
def test_engine_keeps_every_part_it_does_not_own(source: Path, tmp_path: Path) -> None:
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())  # the corpus is read-only; the copy is not
    sheet, col, owned = engine_edit(path)

    with zipfile.ZipFile(source) as before, zipfile.ZipFile(path) as after:
        assert after.testzip() is None
        old = [i.filename for i in before.infolist()]
        new = [i.filename for i in after.infolist()]
        assert new[:len(old)] == old, "original entries keep their order and none is lost"
        for name in old:
            if name in owned:
                continue
            assert after.read(name) == before.read(name), f"{name} changed"
            assert after.getinfo(name).CRC == before.getinfo(name).CRC

    # calamine reads the new cells back
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    assert rows[0][col - 1] == HEADER
    assert rows[1][col - 1] == VALUES[2]
    assert rows[2][col - 1] == 42
    assert rows[3][col - 1] in (dt.date(2024, 3, 1), dt.datetime(2024, 3, 1))
    assert rows[4][col - 1] == "=1+1"
    assert rows[6][col - 1] == 2.5
    gen = wb.get_sheet_by_name(NEW_SHEET).to_python()
    assert gen[0][0] == "问题清单" and gen[4][:2] == ["甲", 3.0]

    # openpyxl too (when it could read the original)
    try:
        xl = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    except Exception:  # noqa: BLE001 - compare with the original below
        with pytest.raises(Exception):  # noqa: B017
            openpyxl.load_workbook(source)
        return
    ws = xl[sheet]
    assert ws.cell(1, col).value == HEADER
    assert ws.cell(2, col).value == VALUES[2]
    assert ws.cell(5, col).value == "=1+1" and ws.cell(5, col).data_type == "s"
    assert ws.cell(4, col).value == dt.datetime(2024, 3, 1)
    assert ws.cell(4, col).is_date
    gen_ws = xl[NEW_SHEET]
    assert gen_ws["A1"].value == "问题清单"
    assert gen_ws["A5"].hyperlink is not None and gen_ws["A5"].hyperlink.location == "'Sheet1'!A1"
    assert len(gen_ws._charts) == 1
    assert xl.sheetnames[-1] == NEW_SHEET


@pytest.mark.skipif(not FILES, reason=f"fidelity corpus not found at {FIDELITY}")
def test_corpus_is_complete() -> None:
    assert len(FILES) >= 662


def test_package_reads_every_sheet_kind() -> None:
    chartsheet = FIDELITY / "chartsheet01.xlsx"
    if not chartsheet.exists():
        pytest.skip("fidelity corpus not found")
    pkg = Package(chartsheet)
    assert [(s.name, s.kind) for s in pkg.workbook.sheets] == [("Sheet1", "worksheet"), ("Chart1", "chartsheet")]
    pkg.close()
