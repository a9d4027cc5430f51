"""Build crm-xl workbooks with XlsxWriter: the empty template, the sample, and (with the buttons) the .xlsm.

Layout of a data sheet: row 1 is a banner (the sheet's title and a hint; the buttons of the macro
template sit there), row 2 the header of the Excel Table (Customers / FollowUps / TierLog /
Conversions), records from row 3. Every schema column is present, computed ones to the right in amber.
Dropdowns read the Settings lists through workbook names (`crm_sources` …); conditional formats colour
the computed columns. The Settings sheet follows the layout `settings.read_settings` reads.

Builds are deterministic (fixed document properties; XlsxWriter fixes the zip timestamps), so
`python -m crm_xl.authoring.template` reproduces the committed workbooks byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..model import theme
from ..model.errors import UsageError
from ..model.i18n import LANGS, Lang, pick
from ..model.schema import DATA_SHEETS, ENUMS, INSTRUCTIONS_SHEET, SETTINGS_SHEET, Column, Kind, SheetDef
from ..model.settings import LISTS, SCALARS, Settings
from . import instructions as text

BUILD_DATE = dt.datetime(2024, 1, 1)  # fixed document dates: identical builds are identical files
BANNER_ROW = 0  # 0-based rows as XlsxWriter counts them
HEADER_ROW = 1
FIRST_ROW = 2
LAST_ROW = 1_048_575  # validations and conditional formats cover the whole column
LIST_ROWS = 200  # room for each Settings list (rows 2 … 201)
CUSTOMER_ROWS = 100_000  # rows the customer dropdown of the other sheets looks at

# conditional-format colours: (fill, font)
RED = (theme.ERROR_FILL, theme.ERROR_FONT)
AMBER = (theme.WARNING_FILL, theme.WARNING_FONT)
GREEN = (theme.OK_FILL, theme.OK_FONT)
PURPLE = ("E4DFEC", "5B2C6F")
GREY = ("D9D9D9", "404040")
NEUTRAL = ("DDEBF7", "1F4E78")
TIER_COLOURS = {"A": ("F8CBAD", "833C0B"), "B": ("FFE699", "7F6000"), "C": ("DDEBF7", "1F4E78")}

# follow_status texts (every language the stale job writes) → colour; first match wins
FOLLOW_STATUS_RULES: list[tuple[tuple[str, ...], tuple[str, str]]] = [
    (("逾期", "Overdue"), RED),
    (("今日到期", "Due today"), AMBER),
    (("过度跟进", "過度跟進", "Over-contact"), PURPLE),
    (("无跟进记录", "無跟進記錄", "No follow-up"), GREY),
    (("正常", "On track"), GREEN),
]
CHURN_RULES: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, str]]] = [
    # (texts the cell begins with, texts it contains, colour)
    (("高", "High"), ("高风险", "高風險", "High"), RED),
    (("中", "Medium"), ("中风险", "中風險", "Medium"), AMBER),
    (("低", "Low"), ("低风险", "低風險"), GREEN),
]

TAB_DATA, TAB_SETTINGS, TAB_INSTRUCTIONS = "2E75B6", "7F7F7F", theme.TITLE_COLOR


# --- entry points ---------------------------------------------------------------------------------


def create(path: str | Path, *, lang: str = "zh-Hans", sample: bool = False, macros: bool = False,
           force: bool = False) -> Path:
    """Write a new crm-xl workbook at `path` (atomically) and return its path.

    Refuses to overwrite an existing file unless `force`; `macros` needs an .xlsm path, otherwise the
    path must end in .xlsx. Bad arguments raise UsageError."""
    target = Path(path)
    checked = check_lang(lang)
    suffix = target.suffix.lower()
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
        build(tmp, lang=checked, sample=sample, macros=macros)
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


def build(path: str | Path, *, lang: Lang = "zh-Hans", sample: bool = False, macros: bool = False) -> Path:
    """Write the workbook to `path` (overwriting it). `sample` fills in crm_xl.authoring.sample's data; `macros`
    hands the workbook to crm_xl.authoring.vba.decorate (buttons and VBA project) before it is closed."""
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
    write_instructions(sheets["instructions"], styles, lang, macros)
    for sheet in DATA_SHEETS:
        write_data_sheet(sheets[sheet.key], styles, sheet, rows.get(sheet.key, []), lang, macros)
    write_settings(sheets["settings"], styles, settings, lang)
    define_names(wb, lang)
    sheets["instructions"].activate()
    if macros:
        from . import vba

        vba.decorate(wb, sheets, lang)
    wb.close()
    return path


# --- styles ---------------------------------------------------------------------------------------


class Styles:
    """XlsxWriter formats, created once per distinct set of properties."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **props: Any) -> Any:
        props = {"font_name": theme.FONT, "font_size": 10, "valign": "vcenter", **props}
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def header(self, computed: bool = False) -> Any:
        return self.get(bold=True, font_color=theme.HEADER_FONT, align="center", text_wrap=True, border=1,
                        border_color="BFBFBF",
                        bg_color=theme.COMPUTED_HEADER_FILL if computed else theme.HEADER_FILL)

    def cell(self, column: Column, date_only: bool = False, fill: bool = True) -> Any:
        """A data cell of `column`; computed columns are amber (`fill=False`: the column's default
        format, which leaves the banner and the rows below the table unfilled)."""
        fmt = theme.kind_format(column.kind)
        if column.kind == Kind.DATETIME and date_only:
            fmt = theme.DATE_FORMAT
        props: dict[str, Any] = {}
        if fmt:
            props["num_format"] = fmt
        if column.kind in (Kind.DATE, Kind.DATETIME, Kind.CHOICE, Kind.INT):
            props["align"] = "center"
        elif column.kind in (Kind.AMOUNT, Kind.BUDGET):
            props["align"] = "right"
        if column.computed and fill:
            props["bg_color"] = theme.COMPUTED_FILL
        return self.get(**props)

    def colour(self, colours: tuple[str, str], bold: bool = False) -> Any:
        """A dxf format for conditional formatting."""
        fill, font = colours
        key = (("cf", fill), ("font", font), ("bold", bold))
        if key not in self._cache:
            props: dict[str, Any] = {"bg_color": fill, "font_color": font}
            if bold:
                props["bold"] = True
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def title(self) -> Any:
        return self.get(bold=True, font_size=14, font_color=theme.TITLE_COLOR)

    def heading(self) -> Any:
        return self.get(bold=True, font_size=12, font_color=theme.TITLE_COLOR, bottom=2,
                        bottom_color=theme.TITLE_COLOR)

    def note(self, wrap: bool = False) -> Any:
        return self.get(italic=True, font_size=9, font_color=theme.NOTE_COLOR, text_wrap=wrap)

    def body(self, wrap: bool = True, **props: Any) -> Any:
        return self.get(**{"font_size": 10, "text_wrap": wrap, "valign": "top", **props})


def text_width(value: object) -> int:
    """Display width in Excel character units: East-Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def column_width(column: Column, lang: Lang, values: Iterable[Any] = ()) -> float:
    """The schema width, widened for the header, its filter button and the values (to 36, or the schema width)."""
    longest = max((text_width(v) + 2 for v in values if isinstance(v, str)), default=0)
    return min(max(column.width, text_width(column.header(lang)) + 4, longest), max(36, column.width))


def row_height(texts: Iterable[tuple[str, float]], line: float = 14.0, pad: float = 6.0) -> float:
    """Height in points for wrapped texts: (text, column width) pairs, the tallest wins. Errs on the tall
    side: Excel does not grow rows whose height is set, and its fonts are wider than LibreOffice's."""
    lines = 1
    for value, width in texts:
        usable = max(width - 1.5, 1)
        count = sum(max(1, math.ceil(text_width(part) / usable)) for part in str(value).split("\n"))
        lines = max(lines, count)
    return lines * line + pad


# --- data sheets ----------------------------------------------------------------------------------


def sheet_hint(sheet: SheetDef, lang: Lang) -> str:
    own = {
        "customers": pick(lang, "每个客户一行。", "One row per customer. "),
        "followups": pick(lang, "每次跟进一行；“下次跟进日期”可选。", "One row per contact; the next date is optional. "),
        "tierlog": pick(lang, "级别变化记录：只追加不修改，每个客户最新一行即其记录的级别。",
                        "Tier history: append only; the latest row per customer is its logged tier. "),
        "conversions": pick(lang, "每笔成交一行；金额可写 65万、650000 或 ¥650,000。",
                            "One row per deal; amounts like 65万, 650000 or ¥650,000. "),
    }[sheet.key]
    return own + pick(lang, "蓝色表头由团队填写，琥珀色列由 crm-xl 写入（请勿手改）；下拉选项来自「设置」表。",
                      "Blue headers: the team types; amber columns: crm-xl writes (do not edit); dropdowns "
                      "come from the Settings sheet.")


def write_data_sheet(ws: Worksheet, st: Styles, sheet: SheetDef, rows: list[dict[str, Any]], lang: Lang,
                     macros: bool = False) -> None:
    """Banner, the Excel Table with every schema column, records, validations, conditional formats."""
    columns = sheet.columns
    ws.set_tab_color(TAB_DATA)
    ws.set_row(BANNER_ROW, 30)
    ws.set_row(HEADER_ROW, 32)
    ws.write_string(BANNER_ROW, 0, sheet.name(lang), st.title())
    ws.write_string(BANNER_ROW, hint_column(sheet.key, macros), sheet_hint(sheet, lang), st.note())
    for j, column in enumerate(columns):
        values = [r.get(column.key) for r in rows]
        ws.set_column(j, j, column_width(column, lang, values), st.cell(column, fill=False))
    n = max(len(rows), 1)
    ws.add_table(HEADER_ROW, 0, HEADER_ROW + n, len(columns) - 1, {
        "name": sheet.table,
        "style": "Table Style Light 1",
        "columns": [{"header": c.header(lang), "header_format": st.header(c.computed), "format": st.cell(c)}
                    for c in columns],
    })
    for i, record in enumerate(rows or [{}]):
        for j, column in enumerate(columns):
            write_value(ws, FIRST_ROW + i, j, record.get(column.key), st, column)
    ws.freeze_panes(FIRST_ROW, 1)
    add_validations(ws, sheet, lang)
    add_conditional_formats(ws, st, sheet)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(HEADER_ROW)
    if sheet.key != "customers":
        ws.fit_to_pages(1, 0)


def hint_column(sheet_key: str, macros: bool) -> int:
    """Where the banner hint goes: B, or right of the buttons the macro template puts in row 1."""
    if not macros:
        return 1
    from .vba import BUTTONS

    cols = [_col_index(b.cell) for b in BUTTONS if b.sheet == sheet_key and b.cell.endswith("1")]
    return max(cols) + 2 if cols else 1


def _col_index(cell: str) -> int:
    index = 0
    for ch in cell:
        if ch.isalpha():
            index = index * 26 + ord(ch.upper()) - 64
    return index - 1


def write_value(ws: Worksheet, row: int, col: int, value: Any, st: Styles, column: Column) -> None:
    """One cell: text stays text, numbers numbers, dates dates (date-only values get a date format)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, st.cell(column))
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, st.cell(column))
    elif isinstance(value, dt.datetime):
        date_only = value.time() == dt.time(0)
        ws.write_datetime(row, col, value, st.cell(column, date_only=date_only))
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time(0)), st.cell(column, date_only=True))
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, st.cell(column))
    else:
        ws.write_string(row, col, str(value), st.cell(column))


def list_name(key: str) -> str:
    """Workbook name of a Settings list: `crm_sources` …"""
    return f"crm_{key}"


CUSTOMERS_NAME = "crm_customers"


def _message(title: str, message: str) -> dict[str, str]:
    return {"input_title": title[:32], "input_message": message[:255]}


def column_validation(column: Column, sheet: SheetDef, lang: Lang) -> dict[str, Any] | None:
    """The data validation of an input column (None: none)."""
    head = column.header(lang)
    if column.computed:
        return None
    if column.kind == Kind.CHOICE and column.enum:
        labels = ENUMS[column.enum].labels(lang)
        return {"validate": "list", "source": labels, "error_type": "stop",
                "error_title": head[:32],
                "error_message": pick(lang, "请从下拉列表中选择：", "Choose one of: ") + " / ".join(labels),
                **_message(head, pick(lang, "可选：", "One of: ") + " / ".join(labels))}
    if column.kind == Kind.TAGS:
        return {"validate": "any", **_message(head, pick(
            lang, "从「设置」的标签清单中选填，多个标签用 、或 ，分隔，如：价格敏感、决策链长",
            "Tags from the Settings list, several separated by commas, e.g. Price sensitive, Long decision "
            "chain"))}
    if column.kind == Kind.LIST and column.list:
        return {"validate": "list", "source": f"={list_name(column.list)}", "error_type": "warning",
                "error_title": head[:32],
                "error_message": pick(lang, "不在「设置」表的清单中。仍要使用这个值吗？（可在「设置」表中添加）",
                                      "Not in the list on the Settings sheet. Keep it anyway? (You can add it "
                                      "to the list there.)"),
                **_message(head, pick(lang, "从下拉列表选择；清单在「设置」表中维护。",
                                      "Pick from the list; the list is kept on the Settings sheet."))}
    if column.key == "customer" and sheet.key != "customers":
        return {"validate": "list", "source": f"={CUSTOMERS_NAME}", "error_type": "warning",
                "error_title": head[:32],
                "error_message": pick(lang, "客户信息表中没有这个客户名称。仍要使用吗？",
                                      "This customer is not on the Customers sheet. Keep it anyway?"),
                **_message(head, pick(lang, "必填；与「客户信息表」中的客户名称一致。",
                                      "Required; as written on the Customers sheet."))}
    if column.kind in (Kind.DATE, Kind.DATETIME):
        example = "2024-03-01 14:30" if column.kind == Kind.DATETIME else "2024-03-01"
        return {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
                "maximum": dt.date(2099, 12, 31), "error_type": "warning",
                "error_title": head[:32],
                "error_message": pick(lang, f"这不是日期。请按 {example} 的格式输入。",
                                      f"Not a date. Type it like {example}."),
                **_message(head, pick(lang, f"日期，如 {example}", f"A date, e.g. {example}"))}
    if column.key == "nps":
        return {"validate": "integer", "criteria": "between", "minimum": -100, "maximum": 100,
                "error_type": "stop", "error_title": head[:32],
                "error_message": pick(lang, "净推荐值是 -100 到 100 之间的整数。",
                                      "NPS is a whole number from -100 to 100."),
                **_message(head, pick(lang, "季度满意度调研得分：-100 到 100 的整数",
                                      "Quarterly survey score: a whole number from -100 to 100"))}
    hints = {
        Kind.PHONE: pick(lang, "手机 13812345678、座机 021-62345678（带区号）、+国际号码或邮箱",
                         "Mobile 13812345678, landline with area code 021-62345678, +international, or "
                         "an e-mail"),
        Kind.BUDGET: pick(lang, "预算范围，如 50-80万、30万、¥500,000-800,000", "A range such as 50-80万, 30万 or "
                                                                          "¥500,000-800,000"),
        Kind.AMOUNT: pick(lang, "必填，大于 0：65万、650000、¥650,000 或 6.5w",
                          "Required, above 0: 65万, 650000, ¥650,000 or 6.5w"),
    }
    if column.kind in hints:
        return {"validate": "any", **_message(head, hints[column.kind])}
    if column.required:
        return {"validate": "any", **_message(head, pick(lang, "必填", "Required"))}
    return None


def add_validations(ws: Worksheet, sheet: SheetDef, lang: Lang) -> None:
    for j, column in enumerate(sheet.columns):
        options = column_validation(column, sheet, lang)
        if options is not None:
            ws.data_validation(FIRST_ROW, j, LAST_ROW, j, options)


def _any_text(cell: str, texts: Iterable[str]) -> str:
    return ",".join(f'ISNUMBER(SEARCH("{t}",{cell}))' for t in texts)


def add_conditional_formats(ws: Worksheet, st: Styles, sheet: SheetDef) -> None:
    """Colour the computed columns (and the tier log's tier) by value."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    for j, column in enumerate(sheet.columns):
        cell = xl_rowcol_to_cell(FIRST_ROW, j, row_abs=False, col_abs=True)
        area = (FIRST_ROW, j, LAST_ROW, j)
        if column.key == "follow_status":
            for texts, colours in FOLLOW_STATUS_RULES:
                ws.conditional_format(*area, {"type": "formula", "criteria": f"=OR({_any_text(cell, texts)})",
                                              "format": st.colour(colours), "stop_if_true": True})
            ws.conditional_format(*area, {"type": "formula", "criteria": f"=LEN(TRIM({cell}))>0",
                                          "format": st.colour(NEUTRAL), "stop_if_true": True})
        elif column.key == "check":
            ws.conditional_format(*area, {"type": "formula", "criteria": f'=TRIM({cell})="OK"',
                                          "format": st.colour(GREEN), "stop_if_true": True})
            ws.conditional_format(*area, {"type": "formula", "criteria": f"=LEN(TRIM({cell}))>0",
                                          "format": st.colour(RED), "stop_if_true": True})
        elif column.key == "tier" or (column.key == "tier_override"):
            for tier, colours in TIER_COLOURS.items():
                ws.conditional_format(*area, {"type": "formula",
                                              "criteria": f'=UPPER(LEFT(TRIM({cell}),1))="{tier}"',
                                              "format": st.colour(colours, bold=True), "stop_if_true": True})
        elif column.key == "churn_risk":
            for starts, contains, colours in CHURN_RULES:
                tests = [f'LEFT(TRIM({cell}),{len(s)})="{s}"' for s in starts]
                tests.append(_any_text(cell, contains))
                ws.conditional_format(*area, {"type": "formula", "criteria": f"=OR({','.join(tests)})",
                                              "format": st.colour(colours), "stop_if_true": True})
        elif column.key == "overdue_days":
            ws.conditional_format(*area, {"type": "cell", "criteria": ">", "value": 0,
                                          "format": st.colour(RED, bold=True)})
        elif column.key == "health":
            ws.conditional_format(*area, {"type": "data_bar", "bar_color": "63BE7B",
                                          "data_bar_2010": False, "min_type": "num", "min_value": 0, "max_type": "num",
                                          "max_value": 100})


# --- settings -------------------------------------------------------------------------------------


def settings_cells(settings: Settings, lang: Lang) -> list[list[Any]]:
    """The Settings sheet's cells (the same as book.memory.settings_grid)."""
    from ..book.memory import settings_grid

    return settings_grid(settings, lang)


SCALAR_FORMATS = {"pareto_share": "0%", "w_recency": "0.00", "w_frequency": "0.00", "w_monetary": "0.00",
                  "w_nps": "0.00", "today": theme.DATE_FORMAT, "issues_per_rule": "#,##0"}


def write_settings(ws: Worksheet, st: Styles, settings: Settings, lang: Lang) -> None:
    """Settings A:C, lists from E, a note under the settings; widths, styles and value validations."""
    grid = settings_cells(settings, lang)
    keys = list(SCALARS)
    list_keys = list(LISTS)
    ws.set_tab_color(TAB_SETTINGS)
    widths = [max([24] + [text_width(line[0]) * 1.1 + 3 for line in grid[1:] if line and line[0]]), 14,
              min(max([40] + [text_width(line[2]) + 2 for line in grid[1:] if len(line) > 2 and line[2]]), 70)]
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    ws.set_column(3, 3, 3)
    for j, key in enumerate(list_keys):
        width = max([text_width(LISTS[key].label(lang)) + 4, 12] +
                    [text_width(v) + 2 for v in getattr(settings, key)])
        ws.set_column(4 + j, 4 + j, min(width, 28))
    ws.set_row(0, 24)
    label_fmt, value_fmt, help_fmt = st.get(bold=True), st.get(bg_color="EAF1FB", border=1,
                                                               border_color="BFBFBF", align="center"), st.note()
    item_fmt = st.get(bg_color="EAF1FB", border=1, border_color="D9D9D9")
    for r, line in enumerate(grid):
        for c, value in enumerate(line):
            if r == 0:
                if value is not None:
                    ws.write_string(r, c, str(value), st.header())
                continue
            if c == 0:
                ws.write_string(r, c, str(value), label_fmt)
            elif c == 1:
                key = keys[r - 1]
                fmt = st.get(bg_color="EAF1FB", border=1, border_color="BFBFBF", align="center",
                             num_format=SCALAR_FORMATS[key]) if key in SCALAR_FORMATS else value_fmt
                _write_setting(ws, r, c, value, fmt)
            elif c == 2:
                ws.write_string(r, c, str(value), help_fmt)
            elif value is not None:
                ws.write_string(r, c, str(value), item_fmt)
    # empty list cells keep the list look, so the team sees where to add items
    shown = max([12] + [len(getattr(settings, k)) + 5 for k in list_keys])
    for j, key in enumerate(list_keys):
        for r in range(1 + len(getattr(settings, key)), 1 + shown):
            ws.write_blank(r, 4 + j, None, item_fmt)
    note_row = len(keys) + 2
    ws.merge_range(note_row, 0, note_row, 2, settings_note(lang), st.note(wrap=True))
    ws.set_row(note_row, row_height([(settings_note(lang), sum(widths))], line=13))
    _settings_validations(ws, lang, keys)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def settings_note(lang: Lang) -> str:
    return pick(lang,
                "团队可以修改 B 列的值和 E 列起的各个清单；清单项请从第 2 行起连续填写（中间不要留空），"
                f"每个清单最多 {LIST_ROWS} 项，下拉选项会自动包含新增项。留空的设置使用默认值；"
                "“固定今天”留空表示使用电脑的日期。请不要修改 A 列的设置项名称和第 1 行的清单名称。",
                "The team may change the values in column B and the lists from column E on; keep each list's "
                f"items together from row 2 down (no gaps), at most {LIST_ROWS} per list — the dropdowns pick "
                "up new items. A blank setting uses its default; a blank Fixed today means the computer's "
                "date. Do not rename the settings in column A or the list names in row 1.")


def _write_setting(ws: Worksheet, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time(0)), fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _settings_validations(ws: Worksheet, lang: Lang, keys: list[str]) -> None:
    row = {k: 1 + i for i, k in enumerate(keys)}
    yes_no = [pick(lang, "是", "yes"), pick(lang, "否", "no")]
    rules: dict[str, dict[str, Any]] = {
        "language": {"validate": "list", "source": list(LANGS)},
        "working_days": {"validate": "list", "source": yes_no},
        "money_unit": {"validate": "list", "source": ["万", "元"]},
        "today": {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
                  "maximum": dt.date(2099, 12, 31)},
    }
    for key, options in rules.items():
        ws.data_validation(row[key], 1, row[key], 1, {**options, "error_type": "stop",
                                                      "error_message": SCALARS[key].rule[:255]})


def define_names(wb: Workbook, lang: Lang) -> None:
    """`crm_<list>` for every Settings list and `crm_customers`, each growing with its items."""
    settings = SETTINGS_SHEET.name(lang)
    for j, key in enumerate(LISTS):
        wb.define_name(list_name(key), growing_range(settings, 4 + j, 1, 1 + LIST_ROWS - 1))
    customers = next(s for s in DATA_SHEETS if s.key == "customers")
    wb.define_name(CUSTOMERS_NAME, growing_range(customers.name(lang), 0, FIRST_ROW, CUSTOMER_ROWS))


def growing_range(sheet: str, col: int, first_row: int, last_row: int) -> str:
    """`='设置'!$E$2:INDEX('设置'!$E$2:$E$201,MAX(1,COUNTA('设置'!$E$2:$E$201)))`: the non-blank items at
    the top of a column, so a dropdown shows no blank lines and grows when the team adds items."""
    from xlsxwriter.utility import xl_col_to_name

    quoted = "'" + sheet.replace("'", "''") + "'"
    letter = xl_col_to_name(col)
    first = f"{quoted}!${letter}${first_row + 1}"
    whole = f"{first}:${letter}${last_row + 1}"
    return f"={first}:INDEX({whole},MAX(1,COUNTA({whole})))"


# --- instructions ---------------------------------------------------------------------------------

INSTRUCTION_WIDTHS = [16, 44, 40, 44, 3, 24, 24]  # A–D text, E gap, F–G room for the buttons (.xlsm)


def write_instructions(ws: Worksheet, st: Styles, lang: Lang, macros: bool) -> None:
    """Title, what crm-xl is, the five steps, the colour key, the commands, the sheets, tips."""
    widths = INSTRUCTION_WIDTHS
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    span = sum(widths[:4])
    ws.set_tab_color(TAB_INSTRUCTIONS)
    ws.hide_gridlines(2)
    r = 0
    ws.merge_range(r, 0, r, 3, text.title(lang), st.get(bold=True, font_size=18, font_color=theme.TITLE_COLOR))
    ws.set_row(r, 36)
    r += 1
    intro = text.intro(lang)
    ws.merge_range(r, 0, r, 3, intro, st.body(font_size=11))
    ws.set_row(r, row_height([(intro, span * 0.92)], line=16))
    r += 2
    head = st.get(bold=True, font_color=theme.HEADER_FONT, bg_color=theme.HEADER_FILL, border=1,
                  border_color="BFBFBF", text_wrap=True)
    for j, label in enumerate(text.step_header(lang)):
        ws.write_string(r, j, label, head)
    ws.set_row(r, 22)
    r += 1
    cell = st.body(border=1, border_color="BFBFBF")
    first = st.body(border=1, border_color="BFBFBF", bold=True, font_color=theme.TITLE_COLOR)
    for step in text.steps(lang):
        values = [step.title, step.what, step.where, step.how]
        for j, value in enumerate(values):
            ws.write_string(r, j, value, first if j == 0 else cell)
        ws.set_row(r, row_height(zip(values, widths[:4], strict=True)))
        r += 1
    r += 1
    r = _heading(ws, st, r, text.colour_heading(lang))
    swatches = {
        "header": st.header(), "computed_header": st.header(computed=True),
        "red": st.get(bg_color=RED[0], font_color=RED[1], align="center", border=1, border_color="BFBFBF"),
        "amber": st.get(bg_color=AMBER[0], font_color=AMBER[1], align="center", border=1, border_color="BFBFBF"),
        "purple": st.get(bg_color=PURPLE[0], font_color=PURPLE[1], align="center", border=1,
                         border_color="BFBFBF"),
        "grey": st.get(bg_color=GREY[0], font_color=GREY[1], align="center", border=1, border_color="BFBFBF"),
        "green": st.get(bg_color=GREEN[0], font_color=GREEN[1], align="center", border=1, border_color="BFBFBF"),
    }
    samples = text.colour_sample(lang)
    for key, explanation in text.colour_key(lang):
        ws.write_string(r, 0, samples[key], swatches[key])
        ws.merge_range(r, 1, r, 3, explanation, st.body(wrap=True, valign="vcenter"))
        ws.set_row(r, 20)
        r += 1
    r += 1
    r = _heading(ws, st, r, text.commands_heading(lang))
    mono = st.get(font_name="Consolas", font_size=10, bg_color="F2F2F2", border=1, border_color="D9D9D9")
    for command, explanation in text.commands(lang):
        ws.merge_range(r, 0, r, 1, command, mono)
        ws.merge_range(r, 2, r, 3, explanation, st.body(valign="vcenter"))
        ws.set_row(r, max(20, row_height([(explanation, widths[2] + widths[3])], line=14)))
        r += 1
    r += 1
    r = _heading(ws, st, r, text.sheets_heading(lang))
    for name, explanation in text.sheet_list(lang):
        ws.write_string(r, 0, name, st.get(bold=True))
        ws.merge_range(r, 1, r, 3, explanation, st.body(valign="vcenter"))
        ws.set_row(r, max(20, row_height([(explanation, sum(widths[1:4]))], line=14)))
        r += 1
    r += 1
    r = _heading(ws, st, r, text.tips_heading(lang))
    for tip in text.tips(lang, macros):
        ws.merge_range(r, 0, r, 3, "• " + tip, st.body(valign="vcenter"))
        ws.set_row(r, max(20, row_height([("• " + tip, span)], line=14)))
        r += 1
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, 3)


def _heading(ws: Worksheet, st: Styles, r: int, title: str) -> int:
    ws.merge_range(r, 0, r, 3, title, st.heading())
    ws.set_row(r, 24)
    return r + 1


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
