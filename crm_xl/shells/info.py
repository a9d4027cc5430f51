"""`crm-xl info`: what crm-xl finds in a workbook, without changing it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..book.files import FileBook
from ..model.schema import DATA_SHEETS
from ..model.settings import SCALARS


def describe(path: str | Path) -> dict[str, Any]:
    """Sheets and tables found, the workbook language (the CLI speaks it), rows per sheet and settings in force."""
    with FileBook(path) as book:
        sheets = []
        used = set()
        for s in DATA_SHEETS:
            frame = book.find(s.key)
            if frame is None:
                sheets.append({"key": s.key, "sheet": None, "table": None, "header_row": None, "rows": 0,
                               "columns": 0, "missing": [], "extra": []})
                continue
            used.add(frame.sheet_name)
            missing = [c.header(book.lang) for c in s.input_columns if c.key not in frame.cols and c.template]
            sheets.append({"key": s.key, "sheet": frame.sheet_name, "table": frame.table,
                           "header_row": frame.header_row, "rows": len(frame), "columns": len(frame.cols),
                           "missing": missing, "extra": list(frame.extra)})
        book.frames()  # raises when none of the sheets is there
        settings = book.settings()
        shown = {k: getattr(settings, k) for k in SCALARS}
        shown.update({k: getattr(settings, k) for k in ("sources", "methods", "owners", "lost_reasons", "tags")})
        lite = book.lite_properties()
        return {
            "path": str(path),
            "language": book.lang,
            "sheets": sheets,
            "other_sheets": [n for n in book.sheet_names() if n not in used],
            "settings_source": book.settings_sheet() or "defaults (no Settings sheet)",
            "settings_sheet": book.settings_sheet() is not None,
            "settings": shown,
            "buttons": buttons(lite, book.sheet_names()),
        }


def buttons(lite: dict[str, str] | None, sheet_names: list[str]) -> dict[str, str | None]:
    """Which buttons the workbook carries: kind "lite" (with the crm-xl version that made main.py, None when
    crm-xl did not), "vba", or None."""
    if lite is not None:
        made = re.search(r"crm-xl buttons for xlwings Lite \(crm-xl ([^)]+)\)", lite.get("main.py", ""))
        return {"kind": "lite", "crm_xl": made.group(1) if made else None}
    return {"kind": "vba" if "xlwings.conf" in sheet_names else None, "crm_xl": None}
