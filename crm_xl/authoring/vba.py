"""The workbook's buttons: which Sub each button runs, where it sits, its label; the VBA project.

The template builder (template.py) calls `decorate` when it writes an .xlsm: the VBA project built by
`project_bin()` is embedded, BUTTONS are placed with XlsxWriter's insert_button and a hidden
`xlwings.conf` sheet is added. `excel_setup` later fills that sheet with the user's Python.

Where the VBA comes from:
- the `CRM` module (one Public Sub per job) is package data, `crm_xl/authoring/vba_modules/CRM.bas`, so an
  installed crm-xl can build the workbook; it is the source to edit;
- the xlwings standalone module (`xlwings.bas`, and `Dictionary.cls` that it needs on macOS) is read
  from the installed xlwings package at build time, so the VBA always matches the Python side
  (the `excel` extra pins xlwings exactly: XLWINGS_VERSION);
- `workbook/vba/` holds a copy of the three modules exactly as they are in `workbook/crm.xlsm`
  (written by `export_sources`, checked by the tests), for review and diffing.
The project itself is built with pyopenvba (MIT): it makes a new project as Excel does (one document
module per sheet, named by the sheets' code names) and adds the three modules. Its `VBA/_VBA_PROJECT`
stream is then written as MS-OVBA 2.3.4.1 requires of a writer — version 0xFFFF and no performance cache,
the 7 bytes VBA_PROJECT_STREAM, as xlwings' own quickstart_standalone.xlsm ships — so Excel compiles the
project from its source on first open.

Buttons name their Sub unqualified (`[0]!RunAll`), as Excel itself writes a button's macro when the
name is unique in the project (the tests check that it is).
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

from ..model.errors import UsageError
from ..model.i18n import Lang

XLWINGS_VERSION = "0.37.8"  # keep equal to the `excel` extra's pin in pyproject.toml
CONF_SHEET = "xlwings.conf"
MODULES_DIR = Path(__file__).with_name("vba_modules")
# What the template's xlwings.conf holds before `excel-setup`: keys in column A, values in column B,
# from A1 down without gaps (that is how xlwings reads it). The workbook's folder is not put on
# sys.path (crm-xl runs from the installed package; a synced OneDrive/SharePoint path would only
# cause errors); the UDFs live in crm_xl.xl (crm_xl/shells/xl.py).
TEMPLATE_CONF: tuple[tuple[str, str], ...] = (
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
    ("UDF Modules", "crm_xl.xl"),
)
WIN_KEY, MAC_KEY = "Interpreter_Win", "Interpreter_Mac"
# MS-OVBA 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF (no cache), Reserved2 0x00, Reserved3 0x0001
VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000100")


@dataclass(frozen=True)
class Button:
    """A form-control button: the sheet it sits on (a sheet key of schema.py: customers, instructions,
    review …), its top-left cell, the VBA macro it runs (a Public Sub of the CRM module, by its
    unqualified name) and its caption in each language."""

    sheet: str
    cell: str
    macro: str
    hans: str
    hant: str
    en: str

    def label(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]


BUTTONS: tuple[Button, ...] = (
    Button("customers", "B1", "ValidateRows", "校验数据", "校驗數據", "Validate rows"),
    Button("customers", "D1", "RecomputeTiers", "重算级别", "重算級別", "Recompute tiers"),
    Button("customers", "F1", "FlagStale", "跟进提醒", "跟進提醒", "Flag stale follow-ups"),
    Button("instructions", "F3", "RunAll", "一键全部运行", "一鍵全部運行", "Run all"),
    Button("instructions", "F6", "BuildReview", "生成月度复盘", "生成月度復盤", "Build monthly review"),
    Button("instructions", "F9", "AssessHealth", "客户健康度", "客戶健康度", "Customer health"),
)


# --- the VBA sources ---------------------------------------------------------------------------------


def _crlf(text: str) -> str:
    """VBA stores source lines ending in CR LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def xlwings_dir() -> Path:
    """The installed xlwings package's folder (UsageError when xlwings is not installed)."""
    try:
        import xlwings
    except ImportError as exc:
        raise UsageError(
            "the buttons need xlwings: install crm-xl with the excel extra (pip install \"crm-xl[excel]\")"
        ) from exc
    return Path(xlwings.__file__).parent


def module_sources() -> dict[str, str]:
    """File name → source (CR LF) of the three modules put in the workbook's VBA project."""
    folder = xlwings_dir()
    return {
        "CRM.bas": _crlf((MODULES_DIR / "CRM.bas").read_text(encoding="ascii")),
        "xlwings.bas": _crlf((folder / "xlwings.bas").read_text(encoding="utf-8")),
        "Dictionary.cls": _crlf((folder / "addin" / "Dictionary.cls").read_text(encoding="utf-8")),
    }


def export_sources(folder: str | Path) -> list[Path]:
    """Write the modules (as embedded) into `folder` — the reviewable copy in workbook/vba/."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in module_sources().items():
        path = target / name
        path.write_bytes(text.encode("ascii"))
        written.append(path)
    return written


def project_bin(sheet_codenames: Sequence[str] = ("Sheet1",), workbook_codename: str = "ThisWorkbook") -> bytes:
    """vbaProject.bin with a document module for the workbook and for each sheet (by code name, in
    sheet order), the xlwings standalone module, Dictionary and the CRM module (built with pyopenvba).
    The same inputs give the same bytes."""
    import xlsxwriter

    try:
        from pyopenvba import ExcelFile, VBAModuleKind
    except ImportError as exc:
        raise UsageError(
            "building the macro workbook needs pyopenvba: install crm-xl with the excel extra "
            "(pip install \"crm-xl[excel]\")"
        ) from exc
    sources = module_sources()
    with tempfile.TemporaryDirectory(prefix="crm-xl-vba-") as tmp:
        # A bare workbook whose sheets carry the code names: pyopenvba names the document modules after them.
        shell = Path(tmp) / "shell.xlsx"
        wb = xlsxwriter.Workbook(str(shell))
        wb.set_vba_name(workbook_codename)
        for i, code in enumerate(sheet_codenames):
            wb.add_worksheet(f"S{i + 1}").set_vba_name(code)
        wb.close()
        shell = shell.rename(shell.with_suffix(".xlsm"))
        out = Path(tmp) / "out.xlsm"
        with ExcelFile(shell) as book:
            project = book.add_vba_project()
            project.add_module("xlwings", sources["xlwings.bas"])
            project.add_module("Dictionary", sources["Dictionary.cls"], kind=VBAModuleKind.other)
            project.add_module("CRM", sources["CRM.bas"])
            book.save(out)
        with ExcelFile(out) as built:
            problems = built.validate()
            if problems:
                raise RuntimeError(f"the VBA project is inconsistent: {'; '.join(problems)}")
        with zipfile.ZipFile(out) as zf:
            return without_cache(zf.read("xl/vbaProject.bin"))


def without_cache(project: bytes) -> bytes:
    """vbaProject.bin with its `VBA/_VBA_PROJECT` stream replaced by VBA_PROJECT_STREAM."""
    from pyopenvba.cfb import CFB

    cfb = CFB.from_bytes(project)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    return cfb.to_bytes()


# --- the macro-enabled template ----------------------------------------------------------------------


def caption_px(text: str) -> int:
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    return int(wide * 15 + (len(text) - wide) * 7.5)


def _cell(ref: str) -> tuple[int, int]:
    """`F3` → (2, 5), zero-based as XlsxWriter wants."""
    from xlsxwriter.utility import xl_cell_to_rowcol

    return xl_cell_to_rowcol(ref)


def place_buttons(sheets: dict[str, Any], lang: Lang) -> list[tuple[str, Button]]:
    """insert_button for each of BUTTONS on its sheet (a missing sheet → the instructions sheet).
    Returns (sheet key used, button)."""
    placed = [(b.sheet if b.sheet in sheets else "instructions", b) for b in BUTTONS]
    for key, button in placed:
        if key not in sheets:
            raise ValueError(f"no sheet {button.sheet!r} nor 'instructions' to put the {button.macro} button on")
    for key, button in placed:
        caption = button.label(lang)
        row, col = _cell(button.cell)
        sheets[key].insert_button(row, col, {
            "macro": button.macro,
            "caption": caption,
            "width": max(104, caption_px(caption) + 28),
            "height": 30,
            "description": caption,
        })
    return placed


def add_conf_sheet(workbook: Any, entries: Sequence[tuple[str, str]] = TEMPLATE_CONF) -> Any:
    """The hidden `xlwings.conf` sheet: keys in A, values in B, from A1 down."""
    sheet = workbook.add_worksheet(CONF_SHEET)
    for r, (key, value) in enumerate(entries):
        sheet.write_string(r, 0, key)
        sheet.write_string(r, 1, value)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 60)
    sheet.hide()
    return sheet


def decorate(workbook: Any, sheets: dict[str, Any], lang: Lang) -> None:
    """Turn an XlsxWriter workbook being built by template.py into the macro-enabled template: place
    BUTTONS on `sheets` (sheet key → XlsxWriter worksheet), add the hidden `xlwings.conf` sheet and
    embed the VBA project. Called by template.build(..., macros=True) after every sheet is added (the
    project has one document module per sheet existing at this point)."""
    place_buttons(sheets, lang)
    add_conf_sheet(workbook)
    if workbook.vba_codename is None:
        workbook.set_vba_name("ThisWorkbook")
    codenames = []
    for sheet in workbook.worksheets():
        if getattr(sheet, "is_chartsheet", False):
            raise ValueError("the macro template has no chart sheets (their document modules are not built)")
        if sheet.vba_codename is None:
            sheet.set_vba_name()
        codenames.append(sheet.vba_codename)
    workbook.add_vba_project(io.BytesIO(project_bin(codenames, workbook.vba_codename)), is_stream=True)


# --- excel-setup ------------------------------------------------------------------------------------


def interpreter_settings(platform: str | None = None, executable: str | None = None,
                         prefix: str | None = None) -> dict[str, str]:
    """The xlwings.conf entries naming this Python for the Excel of this computer: Interpreter_Win
    (pythonw.exe beside python.exe, so no console window flashes) or Interpreter_Mac; {} elsewhere.
    A conda environment on Windows is named by Conda Path / Conda Env instead (xlwings activates it,
    which its DLLs need; the interpreter is then plain pythonw)."""
    platform = platform or sys.platform
    exe = executable or sys.executable
    env = Path(prefix or sys.prefix)
    if platform.startswith("win") and (prefix is not None or platform == sys.platform) and (
            env / "conda-meta").exists():
        base, name = (env.parent.parent, env.name) if env.parent.name.lower() == "envs" else (env, "base")
        return {WIN_KEY: "pythonw", "Conda Path": str(base), "Conda Env": name}
    if platform.startswith("win"):
        path = PureWindowsPath(exe)
        windowless = path.with_name("pythonw.exe")
        use = windowless if path.name.lower() == "python.exe" else path
        if platform == sys.platform and not Path(str(use)).exists():
            use = path
        return {WIN_KEY: str(use)}
    if platform == "darwin":
        return {MAC_KEY: exe}
    return {}


def merge_conf(grid: list[list[Any]], settings: dict[str, str]) -> list[tuple[str, str]]:
    """The conf entries after setting `settings` over what the sheet holds (keys matched case-
    insensitively, as xlwings does; the order kept, new keys appended; blank keys dropped)."""
    entries: list[tuple[str, str]] = []
    for line in grid:
        key = line[0] if line else None
        if key is None or str(key).strip() == "":
            break  # xlwings stops at the first empty cell in column A
        value = line[1] if len(line) > 1 and line[1] is not None else ""
        entries.append((str(key), str(value)))
    for key, value in settings.items():
        at = next((i for i, (k, _) in enumerate(entries) if k.upper() == key.upper()), None)
        if at is None:
            entries.append((key, value))
        else:
            entries[at] = (entries[at][0], value)
    return entries


def excel_setup(path: str | Path, settings: dict[str, str], *, backup: bool = False) -> list[tuple[str, str]]:
    """Write `settings` into the workbook's xlwings.conf sheet (created hidden when missing) through
    the file Book: the rest of the workbook, the VBA project and the buttons are kept as they are.
    Returns the sheet's entries."""
    from ..book.files import FileBook

    target = Path(path)
    if target.suffix.lower() != ".xlsm":
        raise UsageError(f"{target}: the buttons live in a macro-enabled workbook (.xlsm); "
                         f"create one with: crm-xl new {target.with_suffix('.xlsm').name} --macros")
    book = FileBook(target, backup=backup)
    try:
        grid = book.grid(CONF_SHEET) if CONF_SHEET in book.sheet_names() else []
        entries = merge_conf(grid, settings)
        width = max(len(grid), len(entries))
        cells: dict[tuple[int, int], Any] = {}
        for r in range(width):
            key, value = entries[r] if r < len(entries) else (None, None)
            cells[(r + 1, 1)] = key
            cells[(r + 1, 2)] = value
        book.set_cells(CONF_SHEET, cells, hidden=True)
        book.save()
        return entries
    finally:
        book.close()


def install_mac_launcher(home: str | Path | None = None) -> Path:
    """What `xlwings runpython install` does: copy xlwings' AppleScript launcher to the folder Excel
    for Mac may run scripts from. Without it RunPython stops with a message on macOS."""
    source = xlwings_dir() / f"xlwings-{XLWINGS_VERSION}.applescript"
    if not source.exists():
        candidates = sorted(xlwings_dir().glob("xlwings-*.applescript"))
        if not candidates:
            raise UsageError("the installed xlwings has no AppleScript launcher (xlwings-*.applescript)")
        source = candidates[-1]
    folder = Path(home or Path.home()) / "Library" / "Application Scripts" / "com.microsoft.Excel"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder))


__all__ = ["Button", "BUTTONS", "CONF_SHEET", "VBA_PROJECT_STREAM", "without_cache", "TEMPLATE_CONF", "XLWINGS_VERSION", "project_bin", "decorate",
           "module_sources", "export_sources", "interpreter_settings", "merge_conf", "excel_setup",
           "install_mac_launcher", "place_buttons", "add_conf_sheet"]
