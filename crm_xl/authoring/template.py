"""Build crm-xl workbooks with XlsxWriter: the empty template, the sample, and (with the buttons) the .xlsm.

Layout of a data sheet: row 1 is a banner (the sheet's title and a hint; the buttons of the macro
template sit there), row 2 the header of the Excel Table (Customers / FollowUps / TierLog /
Conversions), records from row 3. Every schema column is present, computed ones to the right in amber.
Dropdowns read the Settings lists through workbook names (`crm_sources` …); conditional formats colour
the computed columns. The Settings sheet follows the layout `settings.read_settings` reads.

Builds are deterministic (fixed document properties; XlsxWriter fixes the zip timestamps), so
`python -m crm_xl.authoring.template` reproduces the committed workbooks byte for byte.

This module holds the entry points and the committed workbooks; the data sheets and styles are in
template_sheets.py, the Settings and Instructions sheets in template_settings.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..model import theme
from ..model.errors import UsageError
from ..model.i18n import LANGS, Lang, pick
from ..model.schema import DATA_SHEETS, INSTRUCTIONS_SHEET, SETTINGS_SHEET
from ..model.settings import Settings
from .template_settings import define_names, write_instructions, write_settings
from .template_sheets import Styles, write_data_sheet

BUILD_DATE = dt.datetime(2024, 1, 1)  # fixed document dates: identical builds are identical files


# --- entry points ---------------------------------------------------------------------------------


def create(path: str | Path, *, lang: str = "zh-Hans", sample: bool = False, macros: bool = False,
           lite: bool = False, force: bool = False) -> Path:
    """Write a new crm-xl workbook at `path` (atomically) and return its path.

    Refuses to overwrite an existing file unless `force`; `macros` needs an .xlsm path, otherwise the
    path must end in .xlsx. `lite` adds the xlwings Lite buttons (authoring/lite.py). Bad arguments raise
    UsageError."""
    target = Path(path)
    checked = check_lang(lang)
    suffix = target.suffix.lower()
    if macros and lite:
        raise UsageError("choose one kind of buttons: --lite (xlwings Lite) or --macros (VBA)")
    if macros and suffix != ".xlsm":
        raise UsageError(f"{target}: a workbook with buttons (--macros) must be an .xlsm file")
    if not macros and suffix != ".xlsx":
        hint = " (add --macros for a workbook with buttons)" if suffix == ".xlsm" else ""
        raise UsageError(f"{target}: a new workbook must be an .xlsx file{hint}")
    if target.is_dir():
        raise UsageError(f"{target}: is a folder; give the path of the new workbook file")
    if target.exists() and not force:
        raise UsageError(f"{target}: already exists; pass --force to overwrite it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{target}: folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=".~crm-xl-", suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        build(tmp, lang=checked, sample=sample, macros=macros, lite=lite)
        if lite:
            from . import lite as lite_edition

            lite_edition.setup(tmp, lang=checked)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except NotImplementedError as exc:
        raise UsageError(f"{target}: the workbook with buttons is not available in this version ({exc})") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _file_mode(target: Path) -> int:
    """The mode of the file being replaced, else what the umask gives a new file (mkstemp makes 0600)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_lang(lang: str) -> Lang:
    """`lang` when it is one of zh-Hans / zh-Hant / en, else UsageError listing them."""
    for known in LANGS:
        if lang == known or lang.lower() == known.lower():
            return known
    raise UsageError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")


def build(path: str | Path, *, lang: Lang = "zh-Hans", sample: bool = False, macros: bool = False,
          lite: bool = False) -> Path:
    """Write the workbook to `path` (overwriting it). `sample` fills in crm_xl.authoring.sample's data; `macros`
    hands the workbook to crm_xl.authoring.vba.decorate (buttons and VBA project) before it is closed; `lite`
    leaves room for the buttons lite.setup() adds afterwards."""
    from . import sample as sample_data

    path = Path(path)
    settings = sample_data.settings(lang) if sample else Settings.defaults(lang)
    rows = sample_data.data(lang) if sample else {}
    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        "default_date_format": theme.DATE_FORMAT,
    })
    wb.set_properties({
        "title": pick(lang, "crm-xl 客户管理工作簿", "crm-xl customer workbook"),
        "subject": pick(lang, "客户、跟进、分级、转化", "customers, follow-ups, tiers, conversions"),
        "author": "crm-xl", "company": "", "comments": "Built by crm-xl (python -m crm_xl.authoring.template)",
        "created": BUILD_DATE,
    })
    styles = Styles(wb)
    sheets: dict[str, Worksheet] = {}
    sheets["instructions"] = wb.add_worksheet(INSTRUCTIONS_SHEET.name(lang))
    for sheet in DATA_SHEETS:
        sheets[sheet.key] = wb.add_worksheet(sheet.name(lang))
    sheets["settings"] = wb.add_worksheet(SETTINGS_SHEET.name(lang))
    write_instructions(sheets["instructions"], styles, lang, macros, lite)
    for sheet in DATA_SHEETS:
        write_data_sheet(sheets[sheet.key], styles, sheet, rows.get(sheet.key, []), lang, macros or lite)
    write_settings(sheets["settings"], styles, settings, lang)
    define_names(wb, lang)
    sheets["instructions"].activate()
    if macros:
        from . import vba

        vba.decorate(wb, sheets, lang)
    wb.close()
    return path


# --- the committed workbooks ----------------------------------------------------------------------

WORKBOOK_DIR = Path(__file__).resolve().parents[2] / "workbook"

# file name in workbook/ → build options; tests/test_template.py checks every entry. Building the .xlsm
# also writes its VBA modules to workbook/vba/ (crm_xl.authoring.vba.export_sources; tests/test_vba.py checks them).
COMMITTED: dict[str, dict[str, Any]] = {
    "crm.xlsx": {"lang": "zh-Hans", "sample": False, "macros": False},
    "sample.xlsx": {"lang": "zh-Hans", "sample": True, "macros": False},
    "crm.xlsm": {"lang": "zh-Hans", "sample": False, "macros": True},
}


def rebuild(folder: Path = WORKBOOK_DIR, names: Iterable[str] | None = None) -> list[Path]:
    """Regenerate the committed workbooks (all of COMMITTED, or `names`) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names or COMMITTED:
        written.append(create(folder / name, force=True, **COMMITTED[name]))
        if COMMITTED[name]["macros"]:
            from . import vba

            vba.export_sources(folder / "vba")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_xl.authoring.template",
                                     description="Rebuild the committed workbooks in workbook/.")
    parser.add_argument("names", nargs="*", help=f"which files (default: all of {', '.join(COMMITTED)})")
    parser.add_argument("--dir", type=Path, default=WORKBOOK_DIR, help="output folder (default: workbook/)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in COMMITTED]
    if unknown:
        parser.error(f"unknown file {unknown[0]!r}: choose from {', '.join(COMMITTED)}")
    for path in rebuild(args.dir, args.names or None):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
