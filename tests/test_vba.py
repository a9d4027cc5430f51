"""The macro-enabled workbook, checked without Excel: the VBA sources round-trip through olevba, every
button is bound to a Sub that exists, xlwings.conf is right, `excel-setup` and batch runs keep the VBA
project byte for byte, and LibreOffice imports the project and binds the buttons."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import tomllib
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from crm_xl import jobs
from crm_xl.authoring import vba
from crm_xl.model.schema import SHEETS
from crm_xl.shells import xl
from crm_xl.shells.cli import app

ROOT = Path(__file__).resolve().parents[1]
VBA_DIR = ROOT / "workbook" / "vba"
COMMITTED = ROOT / "workbook" / "crm.xlsm"
RUNPYTHON = re.compile(r'RunPython "import crm_xl\.xl as x; x\.(\w+)\(\)"')


@pytest.fixture(scope="module")
def macro_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """workbook/crm.xlsm, or a fresh build of it when it is not committed yet."""
    if COMMITTED.exists():
        return COMMITTED
    template = importlib.import_module("crm_xl.authoring.template")
    path = tmp_path_factory.mktemp("xlsm") / "crm.xlsm"
    template.create(path, macros=True, force=True)
    return path


def modules_of(path: Path) -> dict[str, str]:
    """VBA module name → source, as oletools' olevba extracts them."""
    with warnings.catch_warnings():  # oletools uses deprecated pyparsing names
        warnings.simplefilter("ignore")
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def body(source: str) -> list[str]:
    """Source lines without the class-file preamble, the header attributes and line-end differences."""
    lines = source.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("VERSION "):
        end = lines.index("END")
        lines = lines[end + 1:]
    while lines and lines[0].startswith("Attribute VB_"):
        lines = lines[1:]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def vml_macros(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet name → [(macro, caption)] of the form buttons in its legacy VML drawing."""
    out: dict[str, list[tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets.update({a: b for b, a in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
        for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*r:id="(rId\d+)"', workbook):
            part = "xl/" + targets[rid].removeprefix("/xl/")
            rel_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rel_name not in zf.namelist():
                continue
            sheet_rels = zf.read(rel_name).decode()
            for target in re.findall(r'Target="([^"]+\.vml)"', sheet_rels):
                vml = zf.read("xl/drawings/" + target.rsplit("/", 1)[1]).decode()
                for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.S):
                    macro = re.search(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", shape)
                    caption = re.search(r"<font[^>]*>([^<]+)</font>", shape)
                    if macro:
                        out.setdefault(name, []).append((macro.group(1), caption.group(1) if caption else ""))
    return out


# --- the sources --------------------------------------------------------------------------------------


def test_xlwings_is_pinned_exactly_and_matches_its_vba_module() -> None:
    import xlwings

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert f"xlwings=={vba.XLWINGS_VERSION}" in extras["excel"]
    assert any(dep.startswith("pyopenvba") for dep in extras["excel"])
    assert "crm-xl[excel]" in extras["dev"]
    assert xlwings.__version__ == vba.XLWINGS_VERSION
    assert f'XLWINGS_VERSION As String = "{vba.XLWINGS_VERSION}"' in vba.module_sources()["xlwings.bas"]


def test_workbook_vba_folder_is_the_embedded_sources() -> None:
    sources = vba.module_sources()
    assert sorted(p.name for p in VBA_DIR.iterdir() if p.suffix in (".bas", ".cls")) == sorted(sources)
    for name, text in sources.items():
        assert (VBA_DIR / name).read_bytes() == text.encode("ascii"), (
            f"workbook/vba/{name} differs from what is embedded: run python -m crm_xl.authoring.template")
    # the packaged CRM.bas (what an installed crm-xl builds from) is the one in workbook/vba/
    packaged = (ROOT / "crm_xl" / "authoring" / "vba_modules" / "CRM.bas").read_text(encoding="ascii")
    assert vba._crlf(packaged).encode("ascii") == (VBA_DIR / "CRM.bas").read_bytes()


def test_every_button_runs_a_public_sub_that_runs_an_xl_function() -> None:
    crm = vba.module_sources()["CRM.bas"]
    subs = dict(re.findall(r'Public Sub (\w+)\(\)\r\n\s+(RunPython "[^"]+")', crm))
    assert {b.macro for b in vba.BUTTONS} == set(subs)
    for sub, call in subs.items():
        (function,) = RUNPYTHON.findall(call)
        assert callable(getattr(xl, function)), f"CRM.{sub} runs crm_xl.shells.xl.{function}, which does not exist"
    from crm_xl.model.buttons import LABELS  # the captions the buttons' reports use, job by job

    assert set(LABELS) == {*jobs.RUN_ORDER, "run"}
    assert crm.isascii()


def test_buttons_sit_on_known_sheets_with_labels_in_every_language() -> None:
    for b in vba.BUTTONS:
        assert b.sheet in SHEETS or b.sheet in ("instructions", "review")
        assert all(b.label(lang) for lang in ("zh-Hans", "zh-Hant", "en"))


def test_export_sources_writes_what_is_embedded(tmp_path: Path) -> None:
    written = vba.export_sources(tmp_path)
    assert sorted(p.name for p in written) == ["CRM.bas", "Dictionary.cls", "xlwings.bas"]
    assert all(b"\r\n" in p.read_bytes() and b"\r\r" not in p.read_bytes() for p in written)


# --- the project ------------------------------------------------------------------------------------


def test_project_bin_is_reproducible_and_has_a_document_module_per_sheet(tmp_path: Path) -> None:
    codes = ["Sheet1", "Sheet2", "Sheet3"]
    first = vba.project_bin(codes)
    assert first == vba.project_bin(codes)
    path = tmp_path / "p.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    for i in range(3):
        wb.add_worksheet(f"S{i}")
    (tmp_path / "x.bin").write_bytes(first)
    wb.add_vba_project(str(tmp_path / "x.bin"))
    wb.close()
    modules = modules_of(path)
    assert set(modules) == {"ThisWorkbook", *codes, "xlwings", "Dictionary", "CRM"}
    assert all(not body(modules[m]) for m in ("ThisWorkbook", *codes))


def test_the_modules_round_trip_through_olevba(macro_book: Path) -> None:
    modules = modules_of(macro_book)
    sources = {p.stem: p.read_text(encoding="ascii") for p in VBA_DIR.iterdir() if p.suffix in (".bas", ".cls")}
    for name, text in sources.items():
        assert body(modules[name]) == body(text), name
        assert f'Attribute VB_Name = "{name}"' in modules[name]
    documents = set(modules) - set(sources)
    assert all(not body(modules[d]) for d in documents), "document modules hold no code"
    with zipfile.ZipFile(macro_book) as zf:
        code_names = set(re.findall(r'<sheetPr[^>]*codeName="([^"]+)"',
                                    "".join(zf.read(n).decode() for n in zf.namelist()
                                            if n.startswith("xl/worksheets/sheet"))))
        code_names |= set(re.findall(r'<workbookPr[^>]*codeName="([^"]+)"', zf.read("xl/workbook.xml").decode()))
    assert documents == code_names


def test_the_macro_book_is_macro_enabled_with_bound_buttons_and_a_hidden_conf(macro_book: Path) -> None:
    with zipfile.ZipFile(macro_book) as zf:
        types = zf.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    found = vml_macros(macro_book)
    expected: dict[str, list[tuple[str, str]]] = {}
    names = {"instructions": "使用说明", "customers": SHEETS["customers"].name("zh-Hans")}
    for b in vba.BUTTONS:
        expected.setdefault(names[b.sheet], []).append((b.macro, b.label("zh-Hans")))
    assert found == expected
    wb = openpyxl.load_workbook(macro_book, keep_vba=True)
    conf = wb[vba.CONF_SHEET]
    assert conf.sheet_state == "hidden"
    assert [(r[0].value, r[1].value) for r in conf.iter_rows(max_col=2)] == list(vba.TEMPLATE_CONF)


def test_the_vba_project_stream_is_the_7_byte_form_without_cache(macro_book: Path) -> None:
    """MS-OVBA 2.3.4.1: a writer writes Version 0xFFFF and no performance cache (xlwings' own
    quickstart_standalone.xlsm ships the same 7 bytes)."""
    import olefile

    assert vba.VBA_PROJECT_STREAM == bytes.fromhex("cc61ffff000100")
    for project in (zipfile.ZipFile(macro_book).read("xl/vbaProject.bin"), vba.project_bin(["Sheet1"])):
        with olefile.OleFileIO(project) as ole:
            assert ole.openstream("VBA/_VBA_PROJECT").read() == vba.VBA_PROJECT_STREAM
    xlwings_book = Path(vba.xlwings_dir()) / "quickstart_standalone.xlsm"
    with olefile.OleFileIO(zipfile.ZipFile(xlwings_book).read("xl/vbaProject.bin")) as ole:
        assert ole.openstream("VBA/_VBA_PROJECT").read() == vba.VBA_PROJECT_STREAM


def test_buttons_name_unqualified_macros_that_exist_once_in_the_project(macro_book: Path) -> None:
    modules = modules_of(macro_book)
    subs = [(m, s) for m, code in modules.items()
            for s in re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(", code, re.M | re.I)]
    found = vml_macros(macro_book)
    macros = [macro for buttons in found.values() for macro, _ in buttons]
    assert sorted(macros) == sorted(b.macro for b in vba.BUTTONS)
    for macro in macros:
        assert "." not in macro and "!" not in macro, f"{macro}: Excel writes a unique Sub's name unqualified"
        owners = [m for m, s in subs if s.lower() == macro.lower()]
        assert owners == ["CRM"], f"{macro} is defined in {owners or 'no module'}"
        assert re.search(rf"^Public Sub {macro}\(\)", modules["CRM"], re.M)


def test_decorate_puts_missing_sheets_buttons_on_instructions(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    sheets = {"instructions": wb.add_worksheet("Instructions")}
    vba.decorate(wb, sheets, "en")
    wb.close()
    assert vml_macros(path) == {"Instructions": [(b.macro, b.en) for b in vba.BUTTONS]}
    assert set(modules_of(path)) == {"ThisWorkbook", "Sheet1", "Sheet2", "xlwings", "Dictionary", "CRM"}
    with pytest.raises(ValueError, match="instructions"):
        vba.place_buttons({"customers": object()}, "en")


# --- excel-setup and batch runs keep the VBA and the buttons ------------------------------------------


def parts(path: Path, pattern: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if re.search(pattern, n)}


def test_interpreter_settings() -> None:
    assert vba.interpreter_settings("win32", r"C:\crm\.venv\Scripts\python.exe") == {
        "Interpreter_Win": r"C:\crm\.venv\Scripts\pythonw.exe"}
    assert vba.interpreter_settings("win32", r"C:\Py\python3.11.exe") == {"Interpreter_Win": r"C:\Py\python3.11.exe"}
    assert vba.interpreter_settings("darwin", "/Users/me/.venv/bin/python") == {
        "Interpreter_Mac": "/Users/me/.venv/bin/python"}
    assert vba.interpreter_settings("linux", "/usr/bin/python3") == {}


def test_interpreter_settings_for_a_conda_environment_on_windows(tmp_path: Path) -> None:
    env = tmp_path / "miniconda3" / "envs" / "crm"
    (env / "conda-meta").mkdir(parents=True)
    assert vba.interpreter_settings("win32", str(env / "python.exe"), str(env)) == {
        "Interpreter_Win": "pythonw", "Conda Path": str(tmp_path / "miniconda3"), "Conda Env": "crm"}
    base = tmp_path / "miniconda3"
    (base / "conda-meta").mkdir()
    assert vba.interpreter_settings("win32", str(base / "python.exe"), str(base))["Conda Env"] == "base"
    plain = tmp_path / "venv"
    plain.mkdir()
    assert vba.interpreter_settings("win32", r"C:\v\Scripts\python.exe", str(plain)) == {
        "Interpreter_Win": r"C:\v\Scripts\pythonw.exe"}


def test_merge_conf_replaces_keys_as_xlwings_reads_them() -> None:
    grid = [["ADD_WORKBOOK_TO_PYTHONPATH", "False"], ["interpreter_win", "old"], [None, None], ["ignored", "x"]]
    assert vba.merge_conf(grid, {"Interpreter_Win": "new", "Interpreter_Mac": "mac"}) == [
        ("ADD_WORKBOOK_TO_PYTHONPATH", "False"), ("interpreter_win", "new"), ("Interpreter_Mac", "mac")]


def test_excel_setup_fills_the_conf_sheet_and_changes_nothing_else(macro_book: Path, tmp_path: Path) -> None:
    copy = tmp_path / "crm.xlsm"
    shutil.copy(macro_book, copy)
    before = openpyxl.load_workbook(copy)
    runner = CliRunner()
    args = ["excel-setup", str(copy), "--interpreter-win", r"C:\crm\.venv\Scripts\pythonw.exe",
            "--interpreter-mac", "/Users/me/crm/.venv/bin/python"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert r"Interpreter_Win = C:\crm\.venv\Scripts\pythonw.exe" in result.output
    result = runner.invoke(app, [*args[:3], r"D:\py\pythonw.exe"])  # again: the value is replaced
    assert result.exit_code == 0, result.output
    assert parts(copy, r"vbaProject\.bin$|\.vml$") == parts(macro_book, r"vbaProject\.bin$|\.vml$")
    after = openpyxl.load_workbook(copy, keep_vba=True)
    conf = after[vba.CONF_SHEET]
    assert conf.sheet_state == "hidden"
    assert [(r[0].value, r[1].value) for r in conf.iter_rows(max_col=2)] == [
        *vba.TEMPLATE_CONF, ("Interpreter_Win", r"D:\py\pythonw.exe"), ("Interpreter_Mac", "/Users/me/crm/.venv/bin/python")]
    assert after.sheetnames == before.sheetnames
    for ws in before.worksheets:
        if ws.title != vba.CONF_SHEET:
            assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in after[ws.title].iter_rows()]


def test_excel_setup_refuses_what_it_cannot_do(tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["excel-setup", str(tmp_path / "crm.xlsx"), "--interpreter-win", "x"])
    assert result.exit_code == 2 and "macro-enabled workbook (.xlsm)" in result.output
    monkeypatch.setattr(vba, "interpreter_settings", lambda: {})
    result = runner.invoke(app, ["excel-setup", str(tmp_path / "crm.xlsm")])
    assert result.exit_code == 2 and "--interpreter-win" in result.output


def test_install_mac_launcher(tmp_path: Path) -> None:
    placed = vba.install_mac_launcher(tmp_path)
    assert placed == tmp_path / "Library/Application Scripts/com.microsoft.Excel" / f"xlwings-{vba.XLWINGS_VERSION}.applescript"
    assert placed.read_bytes() == (vba.xlwings_dir() / placed.name).read_bytes()


def test_a_batch_run_keeps_the_vba_project_and_the_buttons(macro_book: Path, tmp_path: Path) -> None:
    copy = tmp_path / "crm.xlsm"
    shutil.copy(macro_book, copy)
    result = CliRunner().invoke(app, ["run", str(copy), "--today", "2024-04-01"])
    assert result.exit_code == 0, result.output
    assert parts(copy, r"vbaProject\.bin$") == parts(macro_book, r"vbaProject\.bin$")
    assert parts(copy, r"\.vml$|ctrlProps") == parts(macro_book, r"\.vml$|ctrlProps")
    assert vml_macros(copy) == vml_macros(macro_book)
    with zipfile.ZipFile(copy) as zf:
        assert "macroEnabled.main+xml" in zf.read("[Content_Types].xml").decode()
    wb = openpyxl.load_workbook(copy, keep_vba=True)
    assert wb[vba.CONF_SHEET].sheet_state == "hidden"
    assert len(wb.sheetnames) > len(openpyxl.load_workbook(macro_book).sheetnames)  # the run added its sheets


# --- LibreOffice: an independent reader of the whole package ------------------------------------------


def libreoffice(src: Path, fmt: str, out: Path) -> Path:
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([exe, f"-env:UserInstallation=file://{out}/profile", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=240)
    converted = out / (src.stem + "." + fmt.split(":")[0])
    assert converted.exists(), f"LibreOffice did not write {converted.name}"
    return converted


def test_libreoffice_imports_the_modules_and_binds_every_button(macro_book: Path, tmp_path: Path) -> None:
    ods = libreoffice(macro_book, "ods", tmp_path)
    with zipfile.ZipFile(ods) as zf:
        names = zf.namelist()
        content = zf.read("content.xml").decode()
        crm = zf.read("Basic/VBAProject/CRM.xml").decode()
    for module in ("CRM", "xlwings", "Dictionary"):
        assert f"Basic/VBAProject/{module}.xml" in names
    for b in vba.BUTTONS:
        sub = b.macro
        assert f"Public Sub {sub}()" in crm
        assert f'form:label="{b.label("zh-Hans")}"' in content
        assert re.search(rf"vnd\.sun\.star\.script:VBAProject\.(CRM\.)?{b.macro}\?language=Basic&amp;location=document",
                         content), b.macro
    pdf = libreoffice(macro_book, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_new_with_macros_writes_the_button_workbook_in_the_chosen_language(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsm"
    result = CliRunner().invoke(app, ["new", str(path), "--macros", "--lang", "zh-Hant"])
    assert result.exit_code == 0, result.output
    found = vml_macros(path)
    assert found["使用說明"] == [(b.macro, b.hant) for b in vba.BUTTONS if b.sheet == "instructions"]
    assert found[SHEETS["customers"].name("zh-Hant")] == [(b.macro, b.hant) for b in vba.BUTTONS
                                                         if b.sheet == "customers"]
    assert {"CRM", "xlwings", "Dictionary"} <= set(modules_of(path))


def test_a_missing_excel_extra_is_a_clear_error(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyopenvba(name, *args, **kwargs):
        if name == "pyopenvba":
            raise ImportError("No module named 'pyopenvba'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyopenvba)
    with pytest.raises(vba.UsageError, match=r'pip install "crm-xl\[excel\]"'):
        vba.project_bin()
