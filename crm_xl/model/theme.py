"""The look of crm-xl workbooks: colours and number formats, shared by every adapter and the template."""

from __future__ import annotations

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
