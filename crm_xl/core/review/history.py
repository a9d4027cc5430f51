"""The review history (复盘历史): one row per month reviewed, read back by its header texts in any language.

The sheet is a plain table whose first row is the header (that is how `jobs.read_history` reads it).
Amounts are kept in yuan here and shown in 万 or 元 as Settings says; the amount header names its unit,
so a history written in one unit is read back correctly after the unit changes. What the team types is
kept: the 改进计划 (plan) column and any column the team added (by its header, after crm-xl's columns)
keep their cells for every month when a month is reviewed again; only the figures are replaced.
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
    "coverage": ("跟进覆盖率", "Follow-up coverage", "pct"),
    "won_start": ("月初已成交客户", "Won accounts at month start", "int"),
    "churned": ("已成交客户流失", "Won accounts lost", "int"),
    "churn_rate": ("客户流失率", "Churn rate", "pct"),
    "retention_rate": ("客户留存率", "Retention rate", "pct"),
    "plan": ("改进计划", "Improvement plan", "text"),
}
PLAN = "plan"
COLUMNS = ("month", *HEADLINE_KEYS, PLAN)
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
    """The history sheet's rows (columns = header texts, any language) as a DataFrame indexed by month:
    the canonical columns (HEADLINE_KEYS, amounts in yuan; PLAN as typed), then the team's own columns
    under their headers as typed (a header repeating one already read is the team's too). Rows without a
    month are dropped; a month given twice keeps its last row."""
    canonical = [*HEADLINE_KEYS, PLAN]
    empty = pd.DataFrame(columns=canonical, index=pd.Index([], name="month"), dtype=object)
    if table is None or table.empty:
        return empty
    cols: dict[int, tuple[str, float]] = {}  # column position → (key, yuan factor); first header wins
    own: dict[int, str] = {}  # column position → the team's header
    for i, head in enumerate(table.columns):
        hit = _INDEX.get(fold(str(head)))
        if hit and hit[0] not in {k for k, _ in cols.values()}:
            cols[i] = hit
        elif not is_blank(head) or table.iloc[:, i].map(lambda v: not is_blank(v)).any():
            label = str(head)
            while label in canonical or label in own.values():
                label += " "  # (a header equal to a key or to another kept header: kept apart)
            own[i] = label
    month_at = next((i for i, (k, _) in cols.items() if k == "month"), None)
    if month_at is None:
        return empty
    rows: dict[str, dict[str, Any]] = {}
    for record in table.itertuples(index=False, name=None):
        label = month_label(record[month_at])
        if label is None:
            continue
        row: dict[str, Any] = {k: None for k in canonical}
        for i, (key, factor) in cols.items():
            if key == "month":
                continue
            if key == PLAN:
                row[key] = None if is_blank(record[i]) else record[i]
                continue
            num = _number(record[i])
            row[key] = None if num is None else num * factor
        for i, head in own.items():
            row[head] = None if is_blank(record[i]) else record[i]
        rows[label] = row
    if not rows:
        return empty
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=canonical + list(own.values()))
    out.index.name = "month"
    return out.sort_index().astype(object)


def merge_history(history: pd.DataFrame, month: str, figures: dict[str, Any], plan: Any = None) -> pd.DataFrame:
    """History with `month`'s figures set to `figures` (replacing those it had) and its plan to `plan`
    when given; the month's other cells (the plan when not given, the team's columns) stay. Sorted by
    month."""
    values = {c: None for c in history.columns}
    if month in history.index:
        values.update(history.loc[month].to_dict())
    values.update({k: figures.get(k) for k in HEADLINE_KEYS})
    if plan is not None:
        values[PLAN] = plan
    row = pd.DataFrame([values], index=pd.Index([month], name="month"), dtype=object)
    rest = history.drop(index=month, errors="ignore")
    out = pd.concat([rest, row]) if len(rest) else row
    return out.reindex(columns=list(dict.fromkeys([*history.columns, *values]))).sort_index().astype(object)


def display(history: pd.DataFrame, lang: Lang, unit: str) -> tuple[pd.DataFrame, dict[str, Style]]:
    """History as a display table (headers in `lang`, amounts in `unit`) and its column formats: the
    figures, the plan, then the team's own columns as they were typed."""
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
    data[header(PLAN, lang, unit)] = [_kept(v) for v in history[PLAN]] if PLAN in history else [None] * len(history)
    for col in history.columns:
        if col in HEADLINE_KEYS or col == PLAN:
            continue
        label = str(col).rstrip()
        while label in data:  # (the same header as another column: a space keeps them apart)
            label += " "
        data[label] = [_kept(v) for v in history[col]]
        filled = [v for v in data[label] if v is not None]
        if filled and all(isinstance(v, dt.date) for v in filled):
            formats[label] = "date"
    return pd.DataFrame(data), formats


def _kept(value: Any) -> Any:
    """A typed cell as it was (None when blank)."""
    return None if is_blank(value) else value


def _clean(value: Any) -> float | None:
    if is_blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
