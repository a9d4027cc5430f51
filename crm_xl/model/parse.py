"""Cell-level parsers: dates, amounts, budget ranges, phones / e-mails, tags, whole numbers.

Every parser takes whatever a cell can hold (None, str, int, float, bool, date, datetime, Excel error
strings such as '#N/A') and returns a value or None; none of them raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}


def norm(value: Any) -> str:
    """Text of a cell, NFKC-normalised (full-width → half-width) and stripped; '' for blanks."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: Any) -> bool:
    """True for None, NaN/NaT/pd.NA and whitespace-only text."""
    if value is None:
        return True
    try:
        if value != value:  # NaN, NaT
            return True
    except (TypeError, ValueError):
        return True  # pd.NA
    return isinstance(value, str) and not value.strip()


def is_error(value: Any) -> bool:
    """True for an Excel error value such as '#N/A'."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


# --- dates -------------------------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号號]?(?:\s*(\d{1,2})[:：点點时時](\d{2})?分?)?$"),
]


def parse_datetime(value: Any) -> dt.datetime | None:
    """A datetime from a date/datetime, an Excel serial number or text (ISO, 2024/3/1, 2024年3月1日)."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        try:
            return value.to_pydatetime().replace(tzinfo=None)
        except (ValueError, TypeError):
            return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or not (1 <= value < 2958466):  # 9999-12-31
            return None
        return EXCEL_EPOCH + dt.timedelta(days=float(value))
    text = norm(value)
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = [int(g) if g else 0 for g in m.groups(default=None)]
            y, mo, d, h, mi, s = (parts + [0, 0, 0])[:6]
            try:
                return dt.datetime(y, mo, d, h, mi, s)
            except ValueError:
                return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return parse_datetime(float(text))
    return None


def parse_date(value: Any) -> dt.date | None:
    """A date (time dropped) from anything parse_datetime accepts."""
    stamp = parse_datetime(value)
    return stamp.date() if stamp else None


def has_time(value: Any) -> bool:
    """True when the cell carries a time of day (not just a date)."""
    stamp = parse_datetime(value)
    return bool(stamp) and (stamp.hour, stamp.minute, stamp.second) != (0, 0, 0)


# --- money -------------------------------------------------------------------------------------------

_UNITS = {"万": 10_000, "萬": 10_000, "w": 10_000, "k": 1_000, "千": 1_000, "元": 1, "亿": 100_000_000,
          "億": 100_000_000, "m": 1_000_000, "": 1}
_NUMBER = r"(\d+(?:\.\d+)?)"
_AMOUNT = re.compile(rf"^{_NUMBER}\s*(万|萬|w|k|千|元|亿|億|m)?\s*(?:元|rmb|cny)?$")
_RANGE = re.compile(rf"^{_NUMBER}\s*(万|萬|w|k|千|元|亿|億|m)?\s*(?:-|~|to|至|到|—|–)\s*{_NUMBER}\s*"
                    r"(万|萬|w|k|千|元|亿|億|m)?\s*(?:元|rmb|cny)?$")


def _money_input(value: Any) -> str:
    """A cell's money text normalised for parsing: lower case, no separators, no currency sign."""
    text = norm(value).lower().replace(",", "").replace(" ", "")
    for sign in ("¥", "￥", "rmb", "cny"):
        if text.startswith(sign):
            text = text[len(sign):]
    return text


def parse_amount(value: Any) -> float | None:
    """Money in yuan: 650000, '65万', '65萬', '6.5w', '650k', '¥650,000'. Negative numbers are returned
    as they are (validation reports them); text that is not money gives None."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = _money_input(value)
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    m = _AMOUNT.match(text)
    if not m:
        return None
    amount = float(m.group(1)) * _UNITS[m.group(2) or ""]
    return -amount if negative else amount


def parse_budget(value: Any) -> tuple[float, float] | None:
    """A budget as (low, high) yuan: '50-80万' → (500000, 800000); '50万' → (500000, 500000);
    '¥500,000-800,000'; '50-80w'. A unit written once applies to both ends. None if not a budget."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return (float(value), float(value)) if math.isfinite(value) and value > 0 else None
    text = _money_input(value)
    m = _RANGE.match(text)
    if m:
        lo, lo_unit, hi, hi_unit = m.groups()
        unit_hi = _UNITS[hi_unit or lo_unit or ""]
        unit_lo = _UNITS[lo_unit or hi_unit or ""]
        low, high = float(lo) * unit_lo, float(hi) * unit_hi
        if low <= 0 or high < low:
            return None
        return (low, high)
    single = parse_amount(value)
    if single is None or single <= 0:
        return None
    return (single, single)


# --- contact -----------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_INTL = re.compile(r"^\+\d{7,15}$")
_EXTENSION = re.compile(r"(?:ext|转|轉|分机|分機)\.?\s*\d+$", re.I)
_NOT_PHONE = re.compile(r"[^\d+\-\s().]")
_NON_DIGIT = re.compile(r"\D")


def is_email(value: Any) -> bool:
    return bool(_EMAIL.match(norm(value)))


def normalize_phone(value: Any) -> str | None:
    """Digits of a valid phone (CN mobile, landline with area code, +international), else None.

    Accepts spaces, dashes, dots and brackets; `+86` / `0086` prefixes on a CN number are dropped."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = norm(value)
    text = _EXTENSION.sub("", text).strip()
    if _NOT_PHONE.search(text):
        return None
    plus = text.startswith("+")
    digits = _NON_DIGIT.sub("", text)
    if text.startswith("00"):
        plus, digits = True, digits[2:]
    if plus and digits.startswith("86"):
        plus, digits = False, digits[2:]
        if _LANDLINE.match("0" + digits) and not _MOBILE.match(digits):
            digits = "0" + digits
    if plus:
        return "+" + digits if _INTL.match("+" + digits) else None
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    return None


def parse_contact(value: Any) -> tuple[str, str] | None:
    """('email', address-lowercased) or ('phone', digits) for a valid contact cell, else None."""
    text = norm(value)
    if is_email(text):
        return ("email", text.lower())
    phone = normalize_phone(value)
    return ("phone", phone) if phone else None


# --- tags and numbers --------------------------------------------------------------------------------

_TAG_SPLIT = re.compile(r"[,，、;；/|\n]+")


def parse_tags(value: Any) -> list[str]:
    """Tags from '价格敏感，决策链长、竞品对比中' (separators , ， 、 ; ；), blanks and duplicates dropped."""
    if is_blank(value) or is_error(value):
        return []
    out: list[str] = []
    for part in _TAG_SPLIT.split(norm(value)):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def parse_int(value: Any) -> int | None:
    """A whole number from a number or numeric text ('40', '-20', '40.0'); None otherwise."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    text = norm(value)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    return None


def parse_number(value: Any) -> float | None:
    """A finite number from a number or numeric text; None otherwise."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = norm(value).replace(",", "")
    try:
        num = float(text)
    except ValueError:
        return None
    return num if math.isfinite(num) else None
