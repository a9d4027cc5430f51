"""The template's data sheets: layout constants and colours, the cell styles, column widths, the banner,
the Excel Table, dropdowns (data validation) and conditional formats of each data sheet."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..model import theme
from ..model.i18n import Lang, pick
from ..model.schema import ENUMS, SCORE, Column, Kind, SheetDef

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
    """The schema width, widened for the header, its filter button and the values (to 36, or the schema width;
    a computed column to theme.WRAP_WIDTH, past which its texts wrap)."""
    longest = max((text_width(v) + 2 for v in values if isinstance(v, str)), default=0)
    cap = theme.WRAP_WIDTH if column.computed else max(36, column.width)
    return min(max(column.width, text_width(column.header(lang)) + 4, longest), cap)


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
        # service records (issue 23)
        "complaints": pick(lang, "每次投诉一行：30 分钟内确认、12 小时内给出初步方案（见「设置」），解决后填写根本原因。",
                           "One row per complaint: confirm within 30 minutes, a first solution within 12 hours "
                           "(Settings); once solved, note the root cause. "),
        "surveys": pick(lang, "每次满意度调研一行；NPS 填 0–10 分（9–10 推荐者，0–6 贬损者）。",
                        "One row per satisfaction survey; NPS is the 0–10 score (9–10 promoter, 0–6 detractor). "),
    }[sheet.key]
    return own + pick(lang, "蓝色表头由团队填写，琥珀色列由 crm-xl 写入（请勿手改）；下拉选项来自「设置」表。",
                      "Blue headers: the team types; amber columns: crm-xl writes (do not edit); dropdowns "
                      "come from the Settings sheet.")


def write_data_sheet(ws: Worksheet, st: Styles, sheet: SheetDef, rows: list[dict[str, Any]], lang: Lang,
                     macros: bool = False) -> None:
    """Banner, the Excel Table with every schema column (but optional ones left out of the template),
    records, validations, conditional formats."""
    columns = template_columns(sheet)
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


def template_columns(sheet: SheetDef) -> tuple[Column, ...]:
    """The columns a new workbook's sheet has: every schema column but those marked `template=False`."""
    return tuple(c for c in sheet.columns if c.template)


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


_SERVICE_HINTS = {
    "referrer": ("选填：推荐这位客户的老客户，与「客户信息表」中的客户名称一致；签约后提醒感谢推荐人。",
                 "Optional: the customer who referred this one, as written on Customers; its owner is reminded "
                 "to thank them when this one signs."),
    "manager": ("选填：主管这位客户的销售经理（A 类客户应填写）。", "Optional: the sales manager who leads this "
                "account (fill it in for tier A)."),
    "service_team": ("选填：服务团队成员，多个用 、或 ，分隔，如：小王、技术支持小林",
                     "Optional: the service team, several separated by commas, e.g. Wang, Lin (support)"),
}


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
    if column.key in _SERVICE_HINTS:  # service records: the referrer is a customer, the others people
        hans, en = _SERVICE_HINTS[column.key]
        if column.key == "referrer":
            return {"validate": "list", "source": f"={CUSTOMERS_NAME}", "error_type": "warning",
                    "error_title": head[:32],
                    "error_message": pick(lang, "客户信息表中没有这个客户名称。仍要使用吗？",
                                          "This customer is not on the Customers sheet. Keep it anyway?"),
                    **_message(head, pick(lang, hans, en))}
        return {"validate": "any", **_message(head, pick(lang, hans, en))}
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
    if column.kind == Kind.INT and column.bounds == SCORE:  # a survey's 0–10 score
        return {"validate": "integer", "criteria": "between", "minimum": SCORE[0], "maximum": SCORE[1],
                "error_type": "stop", "error_title": head[:32],
                "error_message": pick(lang, "NPS 评分是 0 到 10 之间的整数。", "The NPS score is a whole number from 0 "
                                      "to 10."),
                **_message(head, pick(lang, "推荐意愿 0–10 分：9–10 推荐者，7–8 中立者，0–6 贬损者",
                                      "Likelihood to recommend, 0–10: 9–10 promoter, 7–8 passive, 0–6 detractor"))}
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
    for j, column in enumerate(template_columns(sheet)):
        options = column_validation(column, sheet, lang)
        if options is not None:
            ws.data_validation(FIRST_ROW, j, LAST_ROW, j, options)


def _any_text(cell: str, texts: Iterable[str]) -> str:
    return ",".join(f'ISNUMBER(SEARCH("{t}",{cell}))' for t in texts)


def add_conditional_formats(ws: Worksheet, st: Styles, sheet: SheetDef) -> None:
    """Colour the computed columns (and the tier log's tier) by value."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    for j, column in enumerate(template_columns(sheet)):
        cell = xl_rowcol_to_cell(FIRST_ROW, j, row_abs=False, col_abs=True)
        area = (FIRST_ROW, j, LAST_ROW, j)
        if column.key == "follow_status":
            for texts, colours in FOLLOW_STATUS_RULES:
                ws.conditional_format(*area, {"type": "formula", "criteria": f"=OR({_any_text(cell, texts)})",
                                              "format": st.colour(colours), "stop_if_true": True})
            ws.conditional_format(*area, {"type": "formula", "criteria": f"=LEN(TRIM({cell}))>0",
                                          "format": st.colour(NEUTRAL), "stop_if_true": True})
        elif column.key == "check":  # OK green; warnings only amber (errors come first); any error pink
            ws.conditional_format(*area, {"type": "formula", "criteria": f'=TRIM({cell})="OK"',
                                          "format": st.colour(GREEN), "stop_if_true": True})
            prefixes = [p.strip() for p in theme.CHECK_WARNING]
            warned = ",".join(f'LEFT(TRIM({cell}),{len(p)})="{p}"' for p in prefixes)
            ws.conditional_format(*area, {"type": "formula", "criteria": f"=OR({warned})",
                                          "format": st.colour(AMBER), "stop_if_true": True})
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
