"""The template's Settings sheet (the layout `settings.read_settings` reads, its validations and workbook
names) and its Instructions sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..model import theme
from ..model.i18n import LANGS, Lang, pick
from ..model.schema import DATA_SHEETS, SETTINGS_SHEET
from ..model.settings import LISTS, SCALARS, Settings
from . import instructions as text
from .template_sheets import (
    AMBER,
    CUSTOMER_ROWS,
    CUSTOMERS_NAME,
    FIRST_ROW,
    GREEN,
    GREY,
    LIST_ROWS,
    PURPLE,
    RED,
    TAB_INSTRUCTIONS,
    TAB_SETTINGS,
    Styles,
    list_name,
    row_height,
    text_width,
)

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


def write_instructions(ws: Worksheet, st: Styles, lang: Lang, macros: bool, lite: bool = False) -> None:
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
    for tip in text.tips(lang, macros, lite):
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
