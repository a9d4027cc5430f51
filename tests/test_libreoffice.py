"""Round-trips through LibreOffice headless: workbooks written by the file engine open in a second,
independent application with the new cells, sheets and charts intact (slow: one LibreOffice run per
batch). Skipped when LibreOffice is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIDELITY, WORKBOOK
from python_calamine import CalamineWorkbook
from test_fidelity import HEADER, NEW_SHEET, engine_edit

LO = shutil.which("libreoffice") or shutil.which("soffice")
pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(LO is None, reason="LibreOffice is not installed")]


def sample() -> list[Path]:
    """One workbook per feature of the corpus (charts, images, text boxes, buttons, macros, tables …)."""
    seen: dict[str, Path] = {}
    for p in sorted(FIDELITY.glob("*.xls[xm]")):
        feature = re.sub(r"_?\d+$", "", p.stem)
        seen.setdefault(feature, p)
    return list(seen.values())


def convert(files: list[Path], out: Path, fmt: str, profile: Path) -> None:
    out.mkdir(exist_ok=True)
    subprocess.run([LO, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), *map(str, files)], capture_output=True, timeout=1800, check=False)


@pytest.mark.skipif(not FIDELITY.exists(), reason="fidelity corpus not found")
def test_a_sample_of_the_corpus_round_trips(tmp_path: Path):
    files = sample()
    assert len(files) >= 50
    edited: dict[Path, tuple[str, int]] = {}
    for src in files:
        folder = tmp_path / src.suffix[1:]
        folder.mkdir(exist_ok=True)
        path = folder / src.name
        path.write_bytes(src.read_bytes())
        sheet, col, _ = engine_edit(path)
        edited[path] = (sheet, col)
    for suffix in ("xlsx", "xlsm"):
        batch = [p for p in edited if p.suffix == f".{suffix}"]
        convert(batch, tmp_path / f"lo-{suffix}", "xlsx", tmp_path / "profile")
    failures = []
    for path, (sheet, col) in edited.items():
        out = tmp_path / f"lo-{path.suffix[1:]}" / f"{path.stem}.xlsx"
        if not out.exists():
            failures.append(f"{path.name}: LibreOffice could not convert it")
            continue
        wb = CalamineWorkbook.from_path(str(out))
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        gen = wb.get_sheet_by_name(NEW_SHEET).to_python()
        if rows[0][col - 1] != HEADER or rows[2][col - 1] != 42 or gen[4][:2] != ["甲", 3]:
            failures.append(f"{path.name}: new cells not read back ({rows[0][col - 1]!r}, {gen[4][:2]!r})")
        with zipfile.ZipFile(out) as z:
            if not any(n.startswith("xl/charts/chart") for n in z.namelist()):
                failures.append(f"{path.name}: the generated chart is gone")
    assert not failures, "\n".join(failures)


def _ppm_blue_pixels(ppm: bytes) -> int:
    """Pixels clearly blue (chart bars, not black text) in a binary PPM."""
    parts = ppm.split(maxsplit=4)
    width, height, data = int(parts[1]), int(parts[2]), parts[4]
    n = 0
    for i in range(0, width * height * 3, 3):
        r, g, b = data[i], data[i + 1], data[i + 2]
        if b > 150 and b > r + 50 and b > g + 20:
            n += 1
    return n


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_generated_chart_is_visible_in_a_render(tmp_path: Path):
    src = FIDELITY / "simple01.xlsx"
    if not src.exists():
        pytest.skip("fidelity corpus not found")
    path = tmp_path / "chart.xlsx"
    path.write_bytes(src.read_bytes())
    engine_edit(path)
    convert([path], tmp_path, "pdf", tmp_path / "profile")
    pdf = tmp_path / "chart.pdf"
    assert pdf.exists()
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.ppm"))
    blue = max(_ppm_blue_pixels(p.read_bytes()) for p in pages)
    assert blue > 300, f"no chart bars in the render ({blue} blue pixels)"


@pytest.mark.parametrize("name", ["crm.xlsm", "sample.xlsx"])
def test_committed_workbooks_round_trip_after_a_run(tmp_path: Path, name: str):
    src = WORKBOOK / name
    if not src.exists():
        pytest.skip(f"{src} not built yet")
    from crm_xl.jobs import run_all

    path = tmp_path / name
    path.write_bytes(src.read_bytes())
    run_all(path, today="2024-04-01")
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(src) as before:
        if name.endswith(".xlsm"):
            assert z.read("xl/vbaProject.bin") == before.read("xl/vbaProject.bin")
    convert([path], tmp_path / "lo", "xlsx", tmp_path / "profile")
    out = tmp_path / "lo" / f"{path.stem}.xlsx"
    assert out.exists(), "LibreOffice could not open the workbook"
    ours = CalamineWorkbook.from_path(str(path))
    theirs = CalamineWorkbook.from_path(str(out))
    assert theirs.sheet_names == ours.sheet_names
    for sheet in ours.sheet_names:
        if sheet.startswith("xlwings"):
            continue
        a = ours.get_sheet_by_name(sheet).to_python()
        b = theirs.get_sheet_by_name(sheet).to_python()
        assert len(b) == len(a), sheet
        assert [str(v) for v in b[-1] if v != ""] == [str(v) for v in a[-1] if v != ""], sheet
