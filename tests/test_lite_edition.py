"""The xlwings Lite edition end to end: `crm-xl new --lite` and `crm-xl lite-setup` make workbooks whose
buttons name existing scripts and cells, touch nothing else, survive batch runs; and the main.py they carry
runs every job inside a simulated Pyodide (no threads, no OpenCC, crm-xl only from the packed zip) through
the Lite adapter, writing the cells the file engine writes."""

from __future__ import annotations

import ast
import json
import pickle
import posixpath
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from helpers import write_workbook
from python_calamine import CalamineWorkbook
from test_lite_contract import assert_same_cells
from typer.testing import CliRunner

from crm_xl import jobs
from crm_xl.book.files import FileBook
from crm_xl.shells.cli import app

sys.path.insert(0, str(Path(__file__).parent / "book"))
import litefake  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUTTON = re.compile(r'@script\(button="\[(?P<shape>[^\]]+)\](?P<sheet>[^!]+)!(?P<cell>[A-Z]+[0-9]+)"')
NS = {"r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
runner = CliRunner()


def cli(*args: str) -> str:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _rels(pkg: dict[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    folder, name = part.rsplit("/", 1)
    xml = pkg.get(f"{folder}/_rels/{name}.rels")
    if xml is None:
        return {}
    return {r.get("Id"): (r.get("Type").rsplit("/", 1)[-1], r.get("Target"))
            for r in ET.fromstring(xml).findall("p:Relationship", NS)}


def _resolve(source: str, target: str) -> str:
    """A relationship's target part, from the part `source` whose rels name it."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def shape_links(path: Path) -> dict[str, tuple[str, str]]:
    """Every named shape with a hyperlink: shape name → (the sheet it is on, its hyperlink's target)."""
    pkg = parts(path)
    book_rels = _rels(pkg, "xl/workbook.xml")
    out = {}
    for sheet in ET.fromstring(pkg["xl/workbook.xml"]).find("m:sheets", NS):
        part = _resolve("xl/workbook.xml", book_rels[sheet.get(f"{{{NS['r']}}}id")][1])
        drawing = ET.fromstring(pkg[part]).find("m:drawing", NS)
        if drawing is None:
            continue
        dpart = _resolve(part, _rels(pkg, part)[drawing.get(f"{{{NS['r']}}}id")][1])
        links = _rels(pkg, dpart)
        for pr in ET.fromstring(pkg[dpart]).iter(f"{{{NS['xdr']}}}cNvPr"):
            click = pr.find("a:hlinkClick", NS)
            if click is not None:
                kind, target = links[click.get(f"{{{NS['r']}}}id")]
                assert kind == "hyperlink"
                out[pr.get("name")] = (sheet.get("name"), target)
    return out


def main_py(path: Path) -> str:
    book = FileBook(path)
    try:
        props = book.lite_properties()
    finally:
        book.close()
    assert props is not None
    return props["main.py"]


def assert_buttons_work(path: Path) -> list[tuple[str, str, str]]:
    """Every @script(button=…) of main.py names a shape on that sheet whose hyperlink selects that very cell
    (what Lite needs for the click to run the script); returns (shape, sheet, cell)."""
    text = main_py(path)
    compile(text, "main.py", "exec")
    buttons = [(m["shape"], m["sheet"], m["cell"]) for m in BUTTON.finditer(text)]
    assert len(buttons) == 6
    links = shape_links(path)
    for shape, sheet, cell in buttons:
        on, target = links[shape]
        assert on == sheet
        quoted = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
        assert target == f"#{quoted}!{cell}"
    return buttons


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_new_lite_sample_has_six_working_buttons_in_the_workbook_language(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "team.xlsx"
    assert "Created" in cli("new", str(path), "--lite", "--sample", "--lang", lang)
    buttons = assert_buttons_work(path)
    sheets = {sheet for _, sheet, _ in buttons}
    assert sheets == {{"zh-Hans": "使用说明", "zh-Hant": "使用說明", "en": "Instructions"}[lang],
                      {"zh-Hans": "客户信息表", "zh-Hant": "客戶信息表", "en": "Customers"}[lang]}
    wb = openpyxl.load_workbook(path)  # an independent reader opens it
    assert wb.sheetnames[0] in sheets
    CalamineWorkbook.from_path(str(path)).get_sheet_by_index(1).to_python()


def test_lite_and_macros_together_are_refused(tmp_path: Path) -> None:
    done = runner.invoke(app, ["new", str(tmp_path / "x.xlsx"), "--lite", "--macros"])
    assert done.exit_code == 2 and "--lite" in done.output
    assert not (tmp_path / "x.xlsx").exists()


def _team_workbook(path: Path) -> Path:
    """A team's own workbook: no instructions sheet, headers in row 1, a sheet of their own."""
    return write_workbook(path, {
        "Customers": [["Customer", "Owner", "Status", "First contact"], ["Acme", "Li", "跟进中", "2024-01-05"]],
        "FollowUps": [["Customer", "Date", "Method", "Content", "Owner"], ["Acme", "2024-03-01", "电话", "x", "Li"]],
        "Notes": [["anything"]],
    })


def test_lite_setup_adds_a_buttons_sheet_and_touches_nothing_else(tmp_path: Path) -> None:
    path = _team_workbook(tmp_path / "team.xlsx")
    before = parts(path)
    out = cli("lite-setup", str(path))
    assert "crm-xl buttons" in out and "Trust and Continue" in out
    assert_buttons_work(path)
    after = parts(path)
    assert openpyxl.load_workbook(path).sheetnames == ["Customers", "FollowUps", "Notes", "crm-xl buttons"]
    bookkeeping = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                   "docProps/app.xml", "xl/styles.xml"}  # styles: the buttons sheet's title and note added
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed <= bookkeeping, changed
    # the team's cells are as they were
    for name in ("Customers", "FollowUps", "Notes"):
        assert (CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
                == CalamineWorkbook.from_path(str(tmp_path / "team.xlsx")).get_sheet_by_name(name).to_python())


def test_lite_setup_again_changes_nothing_and_batch_runs_keep_the_lite_parts(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    cli("new", str(path), "--sample")
    cli("lite-setup", str(path))
    first = parts(path)
    cli("lite-setup", str(path))
    assert parts(path) == first  # the same code: same main.py, same ids, nothing for Lite to re-trust
    runner.invoke(app, ["run", str(path), "--today", "2024-04-01"])
    after = parts(path)
    lite_parts = [n for n in first if n.startswith(("xl/webextensions/", "xl/drawings/"))]
    assert lite_parts and all(after[n] == first[n] for n in lite_parts)
    assert_buttons_work(path)


def test_lite_setup_on_a_file_crm_xl_cannot_use_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    done = runner.invoke(app, ["lite-setup", str(bad)])
    assert done.exit_code == 2 and bad.read_bytes() == b"not a zip"


# --- main.py inside a simulated Pyodide ----------------------------------------------------------------------

PYODIDE = r"""
import _thread, builtins, pickle, sys, threading

def no_threads(*args, **kwargs):
    raise RuntimeError("Pyodide has no threads")

threading.Thread.start = no_threads
_thread.start_new_thread = no_threads
sys.modules["opencc"] = None  # OpenCC has no Pyodide wheel
repo, book_tests = sys.argv[3], sys.argv[4]
sys.path[:] = [p for p in sys.path if p not in ("", repo)]
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                    and "editable" not in repr(f).lower()]
try:
    import crm_xl
    raise SystemExit("crm_xl is importable outside the packed zip: " + crm_xl.__file__)
except ImportError:
    pass
namespace = {"__name__": "main"}
exec(compile(open(sys.argv[2], encoding="utf-8").read(), "main.py", "exec"), namespace)
namespace["crm"]()  # crm-xl from the packed zip, as the first click loads it
sys.path.append(book_tests)
import litefake  # the test double of Excel (it uses crm_xl's parse_ref: the packed one)
grids, tables = pickle.load(open(sys.argv[1], "rb"))
out = {}
for script in ("validate_rows", "recompute_tiers", "flag_stale", "assess_health", "build_review", "run_all"):
    excel = litefake.Excel.from_grids(grids, tables)
    litefake.run_script(excel, namespace[script])
    out[script] = excel
import crm_xl
assert crm_xl.__file__.startswith("/tmp/crm_xl-"), crm_xl.__file__
assert "opencc" not in [m for m in sys.modules if sys.modules[m] is not None]
pickle.dump({k: (v.names(), {n: v.sheet(n).grid() for n in v.names()},
                 [(n, s.name, ref) for s in v.sheets for n, ref in s.tables]) for k, v in out.items()},
            open(sys.argv[5], "wb"))
"""


def test_main_py_runs_every_job_in_a_simulated_pyodide_and_writes_what_the_file_engine_writes(
        tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    cli("new", str(path), "--lite", "--sample")
    code = tmp_path / "main.py"
    code.write_text(main_py(path), encoding="utf-8")
    book = FileBook(path)
    try:
        grids = {name: book.grid(name) for name in book.sheet_names()}
        tables = book.table_infos()
    finally:
        book.close()
    data, result = tmp_path / "grids.pickle", tmp_path / "out.pickle"
    data.write_bytes(pickle.dumps((grids, tables)))
    done = subprocess.run([sys.executable, "-c", PYODIDE, str(data), str(code), str(ROOT),
                           str(ROOT / "tests" / "book"), str(result)],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "校验数据" in done.stdout and "生成月度复盘" in done.stdout  # the report of each click, in the pane
    runs = pickle.loads(result.read_bytes())
    # run_all through main.py == `crm-xl run` through the file engine, on the same day (the clock's)
    shutil.copy(path, tmp_path / "file.xlsx")
    jobs.run_all(tmp_path / "file.xlsx")
    names, sheets, tables = runs["run_all"]
    excel = litefake.Excel.from_grids({n: sheets[n] for n in names})
    for sheet in excel.sheets:
        sheet.tables = [(n, ref) for n, s, ref in tables if s == sheet.name]
    assert_same_cells(excel, tmp_path / "file.xlsx")
    # each button's script ran its own job: validate adds the Issues sheet, review a review sheet …
    assert len(runs["validate_rows"][0]) == len(grids) + 1
    assert any(n.startswith("月度复盘") for n in runs["build_review"][0])


def test_the_packed_package_holds_every_module_the_lite_run_imports() -> None:
    """What the simulated Pyodide run above imports is what lite.packed_files lists (nothing more is needed,
    and the list carries nothing the run cannot reach)."""
    from crm_xl.authoring import lite

    names = {p.relative_to(ROOT).as_posix() for p in lite.packed_files()}
    tree = ast.parse((ROOT / "crm_xl" / "shells" / "lite.py").read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.ImportFrom) and n.module == "book.lite" for n in ast.walk(tree))
    assert "crm_xl/book/lite.py" in names and "crm_xl/book/files.py" not in names
    assert json.loads(json.dumps(sorted(names))) == sorted(names)


def test_info_tells_which_buttons_a_workbook_carries(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    cli("new", str(path), "--lang", "en")
    assert json.loads(cli("info", str(path), "--json"))["buttons"] == {"kind": None, "crm_xl": None}
    assert "crm-xl lite-setup adds them" in cli("info", str(path))
    cli("lite-setup", str(path))
    from crm_xl import __version__

    assert json.loads(cli("info", str(path), "--json"))["buttons"] == {"kind": "lite", "crm_xl": __version__}
    assert f"xlwings Lite (crm-xl {__version__})" in cli("info", str(path))
