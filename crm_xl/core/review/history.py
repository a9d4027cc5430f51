"""The review history (复盘历史): one row per month reviewed, read back by its header texts in any language.

The sheet is a plain table whose first row is the header (that is how `jobs.read_history` reads it).
Amounts are kept in yuan here and shown in 万 or 元 as Settings says; the amount header names its unit,
so a history written in one unit is read back correctly after the unit changes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from ...model.format import money_factor, money_header, money_style, money_value
from ...model.i18n import Lang, fold, pick
from ...model.layout import Style
from ...model.parse import is_blank, norm, parse_datetime, parse_number
from .figures import HEADLINE_KEYS

# key → (zh-Hans, en, style); the amount's header depends on the money unit (see amount_header)
FIELDS: dict[str, tuple[str, str, Style]] = {
    "month": ("月份", "Month", "text"),
    "new": ("新增客户", "New customers", "int"),
    "followups": ("跟进次数", "Follow-ups", "int"),
    "touched": ("触达客户", "Customers touched", "int"),
    "conversions": ("成交单数", "Conversions", "int"),
    "amount": ("成交金额", "Amount", "money"),
    "conv_rate": ("累计转化率", "Conversion rate (cumulative)", "pct"),
    "lost": ("流失客户", "Lost customers", "int"),
    "days_mean": ("平均成交天数", "Avg. days to close", "num"),
    "tier_up": ("级别上调", "Tier moves up", "int"),
    "tier_down": ("级别下调", "Tier moves down", "int"),
    "overdue": ("月末逾期客户", "Overdue at month end", "int"),
}
COLUMNS = ("month", *HEADLINE_KEYS)
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def amount_header(lang: Lang, unit: str, hans: str = "成交金额", en: str = "Amount") -> str:
    """`成交金额（万元）` / `Amount (10k yuan)` — the unit is part of the header (model/format.py)."""
    return money_header(hans, en, unit, lang)


def header(key: str, lang: Lang, unit: str) -> str:
    if key == "amount":
        return amount_header(lang, unit)
    hans, en, _ = FIELDS[key]
    return pick(lang, hans, en)


def _header_index() -> dict[str, tuple[str, float]]:
    idx: dict[str, tuple[str, float]] = {}
    for key in COLUMNS:
        idx[fold(key)] = (key, 1.0)
        for lang in ("zh-Hans", "en"):  # zh-Hant folds to zh-Hans (tested): no need to load the s2t dictionary
            for unit in ("万", "元"):
                idx[fold(header(key, lang, unit))] = (key, money_factor(unit) if key == "amount" else 1.0)
    return idx


_INDEX = _header_index()


def month_label(value: Any) -> str | None:
    """'2024-03' from '2024-03', '2024/3', '2024年3月' or a date in the month; None otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
        return f"{value.year:04d}-{value.month:02d}"
    m = _MONTH.match(norm(value))
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    stamp = parse_datetime(value) if not isinstance(value, int | float) else None
    return f"{stamp.year:04d}-{stamp.month:02d}" if stamp else None


def _number(value: Any) -> float | None:
    if isinstance(value, str) and value.strip().endswith("%"):
        num = parse_number(value.strip()[:-1])
        return num / 100 if num is not None else None
    return parse_number(value)


def parse_history(table: pd.DataFrame | None) -> pd.DataFrame:
    """The history sheet's rows (columns = header texts, any language) as a DataFrame indexed by month
    with the canonical columns; amounts in yuan. Rows without a month are dropped; a month given twice
    keeps its last row."""
    empty = pd.DataFrame(columns=list(HEADLINE_KEYS), index=pd.Index([], name="month"), dtype=object)
    if table is None or table.empty:
        return empty
    cols: dict[int, tuple[str, float]] = {}  # column position → (key, yuan factor); first header wins
    for i, head in enumerate(table.columns):
        hit = _INDEX.get(fold(str(head)))
        if hit and hit[0] not in {k for k, _ in cols.values()}:
            cols[i] = hit
    month_at = next((i for i, (k, _) in cols.items() if k == "month"), None)
    if month_at is None:
        return empty
    rows: dict[str, dict[str, Any]] = {}
    for record in table.itertuples(index=False, name=None):
        label = month_label(record[month_at])
        if label is None:
            continue
        row: dict[str, Any] = {k: None for k in HEADLINE_KEYS}
        for i, (key, factor) in cols.items():
            if key == "month":
                continue
            num = _number(record[i])
            row[key] = None if num is None else num * factor
        rows[label] = row
    if not rows:
        return empty
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(HEADLINE_KEYS))
    out.index.name = "month"
    return out.sort_index().astype(object)


def merge_history(history: pd.DataFrame, month: str, figures: dict[str, Any]) -> pd.DataFrame:
    """History with `month`'s row set to `figures` (replacing any row it had), sorted by month."""
    row = pd.DataFrame([{k: figures.get(k) for k in HEADLINE_KEYS}], index=pd.Index([month], name="month"),
                       dtype=object)
    rest = history.drop(index=month, errors="ignore")
    out = pd.concat([rest, row]) if len(rest) else row
    return out.sort_index().astype(object)


def display(history: pd.DataFrame, lang: Lang, unit: str) -> tuple[pd.DataFrame, dict[str, Style]]:
    """History as a display table (headers in `lang`, amounts in `unit`) and its column formats."""
    data: dict[str, list[Any]] = {header("month", lang, unit): list(history.index)}
    formats: dict[str, Style] = {}
    for key in HEADLINE_KEYS:
        label = header(key, lang, unit)
        values = [_clean(v) for v in history[key]]
        if key == "amount":
            values = [None if v is None else money_value(v, unit) for v in values]
            formats[label] = money_style(unit)
        else:
            formats[label] = FIELDS[key][2]
        if FIELDS[key][2] == "int":
            values = [None if v is None else int(round(v)) for v in values]
        data[label] = values
    return pd.DataFrame(data), formats


def _clean(value: Any) -> float | None:
    if is_blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
