"""The look of crm-xl workbooks: colours and number formats, shared by every adapter and the template."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from itertools import islice
from typing import Any

from .schema import Kind

FONT = "Microsoft YaHei"
HEADER_FILL = "1F4E78"  # input headers: dark blue, white bold text
HEADER_FONT = "FFFFFF"
COMPUTED_HEADER_FILL = "7F6000"  # computed headers: dark amber — "crm-xl writes these"
COMPUTED_FILL = "FFF2CC"  # computed cells: light amber
TITLE_COLOR = "1F4E78"
NOTE_COLOR = "595959"
LINK_COLOR = "0563C1"
ERROR_FILL, ERROR_FONT = "FFC7CE", "9C0006"
WARNING_FILL, WARNING_FONT = "FFEB9C", "9C5700"
OK_FILL, OK_FONT = "C6EFCE", "006100"
# how the check column marks a warning (zh-Hans / en; zh-Hant reads the same): a text starting with it holds
# warnings only (errors come first), coloured amber; any other text but OK holds an error, pink
CHECK_WARNING = ("警告：", "warning: ")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INT_FORMAT = "0"
NUM_FORMAT = "#,##0.0"
PCT_FORMAT = "0.0%"
MONEY_FORMAT = "#,##0"


def kind_format(kind: Kind) -> str | None:
    """Number format for a data column of this kind (None: leave General)."""
    return {
        Kind.DATE: DATE_FORMAT,
        Kind.DATETIME: DATETIME_FORMAT,
        Kind.INT: INT_FORMAT,
        Kind.AMOUNT: MONEY_FORMAT,
    }.get(kind)


STYLE_FORMATS = {
    "int": "#,##0",
    "num": NUM_FORMAT,
    "pct": PCT_FORMAT,
    "money": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
}


WRAP_WIDTH = 60  # a computed column is never wider: longer texts wrap (Excel character units)
_SAMPLED = 2000  # values looked at for a width (the column's first ones: the usual text)


def text_width(value: object) -> int:
    """Display width of a text in Excel character units: East-Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def new_column_width(kind: Kind, values: Iterable[Any] = (), header: object = "") -> float:
    """Width of a column crm-xl adds: 14 for dates and numbers, 24 for text, widened to its usual text — nine in
    ten of its first filled cells fit, and its header — up to WRAP_WIDTH."""
    base = 14 if kind != Kind.TEXT else 24
    widths = sorted(text_width(v) + 2 for v in islice((v for v in values if isinstance(v, str) and v), _SAMPLED))
    usual = widths[(len(widths) * 9) // 10] if widths else 0
    return float(min(max(base, usual, text_width(header) + 4), WRAP_WIDTH))
