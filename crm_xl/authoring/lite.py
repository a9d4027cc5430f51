"""The xlwings Lite edition: the workbook's buttons run crm-xl inside Excel, with no Python installed.

xlwings Lite (an Office add-in, free) runs Pyodide in Excel on Windows, macOS and the web, and keeps
its code in the workbook: a `main.py` and a `requirements.txt` stored as properties of the add-in's
web extension part (book/xlsx/webext.py writes them). This module makes that code and says where the
buttons go; `setup()` puts both into a workbook through the file engine (every other part is copied
byte for byte).

Why crm-xl travels inside main.py: Lite installs packages from PyPI, and the workbook must run the
crm-xl that made it. main.py therefore carries crm-xl's pure-Python part (model, core, jobs and the
Lite adapter: `PACKED`, 63 files) as a base64 zip that it writes to Pyodide's in-memory disk and
imports with zipimport. The file engine, the template builder and the CLI stay out (they need
python-calamine and XlsxWriter, which the buttons never use). The zip is built reproducibly (fixed
timestamps, sorted names), so setting up the same crm-xl twice writes the same main.py and Lite does not
ask to trust the code again. requirements.txt lists only what Pyodide provides or PyPI has as pure
wheels: pandas, pydantic, opencc-purepy and xlwings.

A button is a named shape whose hyperlink selects the cell under it; Lite runs the script whose
`@script(button="[name]Sheet!F3")` names that shape and cell.
"""

from __future__ import annotations

import base64
import hashlib
import io
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..model.i18n import Lang
from ..model.layout import SheetLayout
from .vba import BUTTONS, Button, caption_px

if TYPE_CHECKING:
    from ..book.files import FileBook as Book

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # crm_xl/
# crm-xl's modules that run inside Lite: everything the jobs need, and the Lite adapter.
PACKED_TREES = ("model", "core")
PACKED_FILES = (
    "__init__.py", "jobs.py", "runtime.py",
    "book/__init__.py", "book/port.py", "book/ops.py", "book/placement.py", "book/excel_values.py",
    "book/excel.py", "book/lite.py",
    "shells/__init__.py", "shells/lite.py",
)
XLWINGS_LITE = "xlwings>=0.37.8,<1"  # the remote engine tests/test_lite_contract.py checks is 0.37.8's
REQUIREMENTS = ("pandas", "pydantic>=2.6,<3", "opencc-purepy>=1.5,<2", XLWINGS_LITE)
# Written only when the workbook has none (Lite records what it runs with and keeps it up to date).
PYODIDE_VERSION = "314.0.0"
ADDIN_VERSION = "1.0.0.0"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Script:
    """One button's script: the Python function Lite lists, the job it runs (a job of jobs.RUN_ORDER, or
    "run" for all of them: shells/lite.run), its shape's name."""

    function: str
    job: str
    shape: str
    button: Button


_JOBS = {"ValidateRows": "validate", "RecomputeTiers": "tiers", "FlagStale": "stale", "AssessHealth": "health",
         "BuildReview": "review", "RunAll": "run"}
_FUNCTIONS = {"ValidateRows": "validate_rows", "RecomputeTiers": "recompute_tiers", "FlagStale": "flag_stale",
              "AssessHealth": "assess_health", "BuildReview": "build_review", "RunAll": "run_all"}
SCRIPTS: tuple[Script, ...] = tuple(
    Script(_FUNCTIONS[b.macro], _JOBS[b.macro], f"crm_{_FUNCTIONS[b.macro]}", b) for b in BUTTONS)


def packed_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The crm-xl source files main.py carries, sorted."""
    files = [root / name for name in PACKED_FILES]
    for tree in PACKED_TREES:
        files += (root / tree).rglob("*.py")
    return sorted(set(files))


def packed(root: Path = PACKAGE_ROOT) -> bytes:
    """crm-xl's Lite part as a zip (deflated, reproducible: fixed times, sorted names, no bytecode)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in packed_files(root):
            info = zipfile.ZipInfo("crm_xl/" + path.relative_to(root).as_posix(), ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    return buf.getvalue()


MAIN_HEAD = '''\
"""crm-xl buttons for xlwings Lite (crm-xl {version}).

Made by `crm-xl lite-setup`; run it again to update this code rather than editing it here. Each button
on the sheets runs one of the scripts below on this workbook. The crm-xl package itself is packed at the
end of this file (PACKED) and imported from there.
"""

import base64
import sys

import xlwings as xw
from xlwings import script

PACKED_SHA256 = "{digest}"


def crm():
    """crm-xl's Lite entry points, imported from the package packed below."""
    path = "/tmp/crm_xl-{version}-" + PACKED_SHA256[:12] + ".zip"
    if path not in sys.path:
        with open(path, "wb") as f:
            f.write(base64.b64decode(PACKED))
        for name in [m for m in sys.modules if m == "crm_xl" or m.startswith("crm_xl.")]:
            del sys.modules[name]  # an older crm-xl from before this code was saved
        sys.path.insert(0, path)
    from crm_xl.shells import lite

    return lite

'''

SCRIPT = '''
@script(button="[{shape}]{sheet}!{cell}", show_taskpane=True)
def {function}(book: xw.Book):
    """{caption}"""
    crm().run(book, {job!r})

'''


@dataclass(frozen=True)
class Placed:
    """A script's button on a sheet of the workbook (its name in the workbook) at `cell`."""

    script: Script
    sheet: str
    cell: str


def main_py(placed: list[Placed], lang: Lang, blob: bytes | None = None) -> str:
    """The text of main.py: one @script per placed button, then the packed crm-xl."""
    blob = packed() if blob is None else blob
    digest = hashlib.sha256(blob).hexdigest()
    parts = [MAIN_HEAD.format(version=__version__, digest=digest)]
    for p in placed:
        parts.append(SCRIPT.format(shape=p.script.shape, sheet=p.sheet, cell=p.cell, function=p.script.function,
                                   caption=p.script.button.label(lang), job=p.script.job))
    encoded = base64.b64encode(blob).decode("ascii")
    lines = "\n".join(textwrap.wrap(encoded, 100))
    parts.append(f'\n# crm-xl {__version__}, packed: do not edit below this line.\nPACKED = """\n{lines}\n"""\n')
    return "".join(parts)


def requirements_txt() -> str:
    return "".join(f"{line}\n" for line in REQUIREMENTS)


# --- where the buttons go ----------------------------------------------------------------------------

SPARE_ROWS = (12, 15, 18)  # the instructions sheet's column F below the template's three buttons
PANEL_CELLS = ("B4", "B7", "B10", "B13", "B16", "B19")  # on a buttons sheet of crm-xl's own


def _rc(cell: str) -> tuple[int, int]:
    letters = cell.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(cell[len(letters):]), col


def _free(grid: list[list[object]], cell: str) -> bool:
    """Whether `cell` and the cell right of it (what a button covers) hold nothing."""
    row, col = _rc(cell)
    line = grid[row - 1] if row <= len(grid) else []
    return all(c > len(line) or line[c - 1] in (None, "") for c in (col, col + 1))


def place(sheet_names: list[str], grids: dict[str, list[list[object]]], customers: tuple[str, int] | None,
          panel: str | None) -> list[Placed]:
    """Where each script's button goes in a workbook with these sheets.

    A button sits where the template puts it (customers' row 1 when that row is above the header, the
    instructions sheet's column F) if that cell and the next one are empty; otherwise lower in the
    instructions sheet's column F; in a workbook without an instructions sheet, every button goes on
    `panel`, the buttons sheet setup() adds. `customers`: the customers sheet's name and header row;
    `grids`: the cells of the instructions and customers sheets."""
    from ..model.schema import INSTRUCTIONS_SHEET

    instructions = INSTRUCTIONS_SHEET.find(sheet_names)
    if instructions is None:
        if panel is None:
            raise ValueError("no instructions sheet and no buttons sheet to put the buttons on")
        return [Placed(s, panel, cell) for s, cell in zip(SCRIPTS, PANEL_CELLS, strict=True)]
    where = {"instructions": instructions, "customers": customers[0] if customers else None}
    spare = [f"F{r}" for r in SPARE_ROWS if _free(grids[instructions], f"F{r}")]
    out = []
    for s in SCRIPTS:
        sheet = where.get(s.button.sheet)
        ok = sheet is not None and _free(grids[sheet], s.button.cell)
        if ok and s.button.sheet == "customers":
            ok = customers is not None and customers[1] > _rc(s.button.cell)[0]  # above the header only
        if ok:
            out.append(Placed(s, sheet, s.button.cell))
        elif spare:
            out.append(Placed(s, instructions, spare.pop(0)))
        else:
            raise ValueError(f"no free cell on {instructions!r} for the {s.function} button "
                             f"(column F, rows 3–{SPARE_ROWS[-1] + 1} are in use)")
    return out


# --- putting it into a workbook ----------------------------------------------------------------------

PANEL = ("crm-xl 按钮", "crm-xl 按鈕", "crm-xl buttons")


def panel_name(lang: Lang) -> str:
    return {"zh-Hans": PANEL[0], "zh-Hant": PANEL[1], "en": PANEL[2]}[lang]


def panel_layout(name: str, lang: Lang) -> SheetLayout:
    """The small sheet that holds the buttons of a workbook without an instructions sheet."""
    from ..model.i18n import pick
    from ..model.layout import Text

    return SheetLayout(name, [
        Text(pick(lang, "crm-xl 按钮", "crm-xl buttons"), "title"),
        Text(pick(lang, "点击按钮，在本工作簿上运行 crm-xl（xlwings Lite 加载项，无需安装 Python）。",
                  "Click a button to run crm-xl on this workbook (the xlwings Lite add-in; nothing to install)."),
             "note"),
    ], widths={1: 3, 2: 26, 3: 26})


@dataclass(frozen=True)
class SetupResult:
    """What setup() did: the buttons placed, whether the workbook already had crm-xl's Lite code, and
    whether it added the buttons sheet."""

    path: Path
    lang: Lang
    placed: list[Placed]
    updated: bool
    panel: str | None


def setup(path: str | Path, *, out: str | Path | None = None, lang: Lang | None = None,
          backup: bool = False) -> SetupResult:
    """Add (or update) the xlwings Lite code and buttons in the workbook at `path`, saved in place or to
    `out`, in one save. Only the add-in's parts and the buttons' drawings are added (and, in a workbook
    without an instructions sheet, a buttons sheet); every other part is copied byte for byte."""
    from ..book.files import open_workbook
    from ..model.schema import INSTRUCTIONS_SHEET

    target = Path(out) if out is not None else Path(path)
    with open_workbook(path, backup=backup) as book:
        names = book.sheet_names()
        lang = lang or book.lang
        panel, added = None, None
        if INSTRUCTIONS_SHEET.find(names) is None:
            panel = next((n for n in names if n in PANEL), None)
            if panel is None:
                panel = added = panel_name(lang)
                book.put_sheet(panel_layout(panel, lang))
        placed, updated = _install(book, lang, panel)
        book.save(out)
    return SetupResult(target, lang, placed, updated, added)


def _install(book: Book, lang: Lang, panel: str | None) -> tuple[list[Placed], bool]:
    """Record the Lite code and buttons in `book` (saved by the caller); (buttons placed, whether crm-xl's
    Lite code was there before)."""
    from ..book.ops import InstallLite, LiteButton
    from ..model.schema import INSTRUCTIONS_SHEET

    names = book.sheet_names()
    frame = book.find("customers")
    customers = (frame.sheet_name, frame.header_row) if frame is not None else None
    instructions = INSTRUCTIONS_SHEET.find(names)
    grids = {n: book.grid(n) for n in (instructions, customers[0] if customers else None) if n is not None}
    placed = place(names, grids, customers, panel)
    before = book.lite_properties() or {}
    properties = {"main.py": main_py(placed, lang), "requirements.txt": requirements_txt(),
                  "pyodideVersion": before.get("pyodideVersion", PYODIDE_VERSION),
                  "addinVersion": before.get("addinVersion", ADDIN_VERSION)}
    widths: dict[str, int] = {}  # one width per sheet: the buttons line up
    for p in placed:
        widths[p.sheet] = max(widths.get(p.sheet, 120), caption_px(p.script.button.label(lang)) + 56)
    buttons = [LiteButton(p.sheet, p.cell, p.script.shape, p.script.button.label(lang), width=widths[p.sheet],
                          height=36) for p in placed]
    book.install_lite(InstallLite(properties, buttons))
    return placed, "crm_xl" in before.get("main.py", "")
