"""The one formatter for the money, percent and date texts of every sheet and message.

Money (`money`), from an amount in yuan:
- Chinese, Settings money unit 万: the amount ÷ 10,000 with thousands separators and at most 2 decimals,
  trailing zeros dropped, then 万 (`65万`, `6.55万`, `1,245万`); an amount under 1万 is written in yuan
  (`5,000元`, `0元`).
- Chinese, money unit 元: whole yuan with thousands separators, then 元 (`650,000元`).
- English: always whole yuan after ¥ (`¥650,000`), whatever the unit (万 is no English unit).
- A negative amount keeps its sign in front (`-65万`, `-¥650,000`); zh-Hant writes 萬.

Money in cells (`money_value`, `money_style`, `money_unit_label`, `money_header`): a number in the Settings
unit (÷ 10,000 for 万), rounded to 2 decimals, styled `num` for 万 and `money` for 元, with the unit named
in the column header: `成交金额（万元）` / `Amount (10k yuan)`; `成交金额（元）` / `Amount (yuan)`.

Percent (`percent`), from a share (0.119 → `11.9%`): at most 1 decimal, trailing zero dropped (`80%`,
`75.9%`, `100%`); `signed=True` puts + before a rise (`+11.9%`, `-5%`).

Points (`points`), the change of a rate, from the change of the share (0.032 → `+3.2 个百分点`,
`+3.2 pp`, `+3.2 個百分點`): a rate's change is never written as a percent; same decimals as `percent`,
always signed (`0 个百分点` for no change).

Dates (`date_text`): ISO `2024-03-01`; a datetime with a time of day adds it as `2024-03-01 09:30`
(`09:30:15` when the seconds are not zero).
"""

from __future__ import annotations

import datetime as dt
import math

from .i18n import Lang, pick
from .layout import Style

WAN = 10_000.0
MONEY_PLACES = 2  # at most this many decimals in 万, and in a cell
PERCENT_PLACES = 1


def _trim(text: str) -> str:
    """`6.50` → `6.5`, `65.00` → `65` (text with a decimal point)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(yuan: float, unit: str, lang: Lang) -> str:
    """An amount in yuan as text, in `unit` (万 or 元, Settings.money_unit) for Chinese; see the module."""
    size = abs(float(yuan))
    whole = f"{size:,.0f}"
    sign = "-" if yuan < 0 and whole != "0" else ""
    if lang == "en":
        return f"{sign}¥{whole}"
    if unit == "万" and round(size) >= WAN:
        return pick(lang, f"{sign}{_trim(f'{size / WAN:,.{MONEY_PLACES}f}')}万", "")
    return pick(lang, f"{sign}{whole}元", "")


def money_value(yuan: float, unit: str) -> float:
    """An amount in yuan as the number a cell holds: in `unit`, rounded to 2 decimals."""
    return round(yuan / WAN, MONEY_PLACES) if unit == "万" else round(float(yuan), MONEY_PLACES)


def money_factor(unit: str) -> float:
    """Yuan per displayed unit: 10,000 for 万, 1 for 元."""
    return WAN if unit == "万" else 1.0


def money_style(unit: str) -> Style:
    """The cell style of an amount in `unit`: `num` (one decimal) for 万, `money` (whole) for 元."""
    return "num" if unit == "万" else "money"


def money_unit_label(unit: str, lang: Lang) -> str:
    """`万元` / `10k yuan`, or `元` / `yuan`."""
    return pick(lang, "万元", "10k yuan") if unit == "万" else pick(lang, "元", "yuan")


def money_header(hans: str, en: str, unit: str, lang: Lang) -> str:
    """A money column's header naming its unit: `成交金额（万元）` / `Amount (10k yuan)`."""
    label = money_unit_label(unit, lang)
    return pick(lang, f"{hans}（{label}）", f"{en} ({label})")


def percent(share: float, signed: bool = False) -> str:
    """A share as a percentage: 0.759 → `75.9%`, 0.8 → `80%`; `signed` adds + before a rise."""
    if not math.isfinite(share):
        return ""
    text = _trim(f"{share * 100:.{PERCENT_PLACES}f}")
    if text in ("-0", "0"):
        text = "0"
    return f"{'+' if signed and text != '0' and not text.startswith('-') else ''}{text}%"


def points(change: float, lang: Lang) -> str:
    """A change of a rate in percentage points: 0.032 → `+3.2 个百分点` / `+3.2 pp` / `+3.2 個百分點`."""
    if not math.isfinite(change):
        return ""
    number = percent(change, signed=True)[:-1]
    return f"{number} {pick(lang, '个百分点', 'pp', '個百分點')}"


def date_text(value: dt.date) -> str:
    """`2024-03-01`; a datetime with a time of day: `2024-03-01 09:30` (seconds when not zero)."""
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S")
    return value.isoformat()


__all__ = ["money", "money_value", "money_factor", "money_style", "money_unit_label", "money_header",
           "percent", "points", "date_text", "WAN"]
