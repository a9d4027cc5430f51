"""Churn risk of won accounts: the signals, the risk, its reasons and next steps in the workbook language
(the rules are in job.py's docstring)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text, money
from ...model.i18n import LANGS, Lang, fold, pick
from ...model.parse import parse_tags
from ...model.settings import DEFAULT_LISTS
from ..context import Context
from ..followups.rules import STEP_PATTERNS
from ..kernel.cells import map_distinct
from ..kernel.columns import per_cell

RISKS = ("high", "medium", "low")
# signal codes, in the order reasons and next steps are listed
SIGNALS = ("nps", "service", "price", "competitor", "survey", "gap", "falling")
SURVEY_WORDS = STEP_PATTERNS["survey"]  # the stale job's survey step: 调研 满意度 问卷 survey … (not 回访)
COMPLAINT_WORDS = r"投诉|投訴|不满|不滿|抱怨|差评|差評|complain|unhappy|dissatisf"
_SURVEY = re.compile(SURVEY_WORDS, re.IGNORECASE)
_COMPLAINT = re.compile(COMPLAINT_WORDS, re.IGNORECASE)
_PRICE_TAGS = {fold(DEFAULT_LISTS["tags"][lang][0]) for lang in LANGS}
_COMPETITOR_TAGS = {fold(DEFAULT_LISTS["tags"][lang][2]) for lang in LANGS}



# --- risk ----------------------------------------------------------------------------------------------

def _risk(out: pd.DataFrame, ctx: Context, today: pd.Timestamp, *, texts: bool = True) -> dict[str, Any]:
    """Add risk, signals, reasons, risk_text and next_step columns (won accounts only; only risk when not
    `texts`). Returns what the texts are made of: high and medium (masks), fired (each signal's mask),
    survey_late and gap_days (see `_risk_texts`)."""
    s = ctx.settings
    won = out["won"]
    nps_low = won & out["nps"].lt(s.churn_nps_below)
    no_conv = out["last_conversion"].isna() | out["recency_days"].gt(s.churn_no_conversion_days)
    high = nps_low & no_conv

    tags = map_distinct(ctx.frames.data("customers")["tags"].reindex(out.index)[won], _tag_flags)  # (price, competitor)
    price = tags.map(lambda t: t[0]).reindex(out.index, fill_value=False).astype(bool)
    competitor = tags.map(lambda t: t[1]).reindex(out.index, fill_value=False).astype(bool)
    survey_anchor = _later(out["last_survey"], out["last_conversion"])
    survey_late = (today - survey_anchor).dt.days - s.survey_days
    touch = _later(out["last_follow_up"], out["last_conversion"])
    gap_days = (today - touch).dt.days
    limit = s.cadence_won * s.churn_gap_factor
    fired = {
        "nps": nps_low & ~no_conv,
        "service": won & out["last_complaint"].notna(),
        "price": won & price,
        "competitor": won & competitor,
        "survey": won & survey_late.gt(0),
        "gap": won & (touch.isna() | gap_days.gt(limit)),
        "falling": won & out["monetary"].lt(out["previous"]),
    }
    medium = won & ~high & pd.concat(fired, axis=1).any(axis=1)
    out["risk"] = pd.Series(None, index=out.index, dtype=object)
    out.loc[won, "risk"] = "low"
    out.loc[medium, "risk"] = "medium"
    out.loc[high, "risk"] = "high"
    if texts:
        _risk_texts(out, ctx, (high, medium), dict(fired), survey_late, gap_days)
    return {"high": high, "medium": medium, "fired": fired, "survey_late": survey_late, "gap_days": gap_days}


def _risk_texts(out: pd.DataFrame, ctx: Context, risks: tuple[pd.Series, pd.Series], fired: dict[str, pd.Series],
                survey_late: pd.Series, gap_days: pd.Series, *, cells: bool = True) -> None:
    """Add signals, reasons, risk_text and next_step (`risks`: the high and medium masks, `fired`: each
    signal's); only reasons and next_step when not `cells` (the churn tasks' texts)."""
    lang = ctx.lang
    high, medium = risks
    sep, colon, semi = pick(lang, "，", ", "), pick(lang, "：", ": "), pick(lang, "；", "; ")
    at_risk = high | medium
    fired["gap"] = fired["gap"] & ~(high & gap_days.eq(out["recency_days"]))  # same fact as "N days without"
    names = ("high", *SIGNALS)
    matrix = pd.concat([high, *(fired[c] for c in SIGNALS)], axis=1)[at_risk].to_numpy().tolist()
    rows = out[["risk", "nps", "last_conversion", "recency_days", "last_complaint", "tier", "monetary", "previous"]]
    rows = rows.assign(survey_late=survey_late, gap_days=gap_days,
                       complaint_open=out["complaint_open"] if "complaint_open" in out.columns else False)[at_risk][
        ["risk", "nps", "last_conversion", "recency_days", "last_complaint", "survey_late", "tier", "gap_days",
         "monetary", "previous", "complaint_open"]]
    signals, reasons, texts, steps = [], [], [], []
    for rec, flags in zip(rows.itertuples(), matrix, strict=True):
        codes = [c for c, f in zip(names, flags, strict=True) if f]
        reason = sep.join(_reason(code, rec, ctx) for code in codes)
        todo = dict.fromkeys(_STEP[c] for c in codes)
        signals.append(codes)
        reasons.append(reason)
        texts.append(f"{risk_label(rec.risk, lang)}{colon}{reason}")
        steps.append(semi.join(pick(lang, *_STEP_TEXT[t]) for t in todo))
    out["reasons"] = pd.Series(reasons, index=rows.index, dtype=object).reindex(out.index)
    out["next_step"] = pd.Series(steps, index=rows.index, dtype=object).reindex(out.index)
    if not cells:
        return
    labels = {r: risk_label(r, lang) for r in RISKS}
    out["risk_text"] = out["risk"].map(labels).astype(object)
    out.loc[rows.index, "risk_text"] = texts
    at = dict(zip(out.index.get_indexer(rows.index).tolist(), signals, strict=True))
    cells = [at.get(i) or [] for i in range(len(out))]  # [] for accounts not at risk
    out["signals"] = pd.Series(cells, index=out.index, dtype=object)


def _later(a: pd.Series, b: pd.Series) -> pd.Series:
    """The later of two dates per row (NaT only when both are)."""
    later = np.fmax(a.to_numpy(dtype="datetime64[ns]"), b.to_numpy(dtype="datetime64[ns]"))
    return pd.Series(later, index=a.index, dtype="datetime64[ns]")


def _tag_flags(cell: Any) -> tuple[bool, bool]:
    """Whether a tags cell holds the price-sensitive tag, and the comparing-competitors tag."""
    tags = {fold(t) for t in parse_tags(cell)}
    return bool(_PRICE_TAGS.intersection(tags)), bool(_COMPETITOR_TAGS.intersection(tags))


def _reason(code: str, rec: Any, ctx: Context) -> str:
    lang, s = ctx.lang, ctx.settings
    if code == "high":
        if pd.isna(rec.last_conversion):
            return pick(lang, f"NPS {int(rec.nps)}，无成交记录", f"NPS {int(rec.nps)}, no conversion on record")
        days = int(rec.recency_days)
        return pick(lang, f"NPS {int(rec.nps)}，{days} 天无成交", f"NPS {int(rec.nps)}, no conversion for {_n_days(days)}")
    if code == "nps":
        return f"NPS {int(rec.nps)}"
    if code == "service":
        day = date_text(rec.last_complaint.date())
        if rec.complaint_open:  # (a complaints sheet's complaint not solved yet)
            return pick(lang, f"客户投诉未解决（{day}）", f"open complaint of {day}")
        return pick(lang, f"客户投诉（{day}）", f"complaint on {day}")
    if code in ("price", "competitor"):
        return DEFAULT_LISTS["tags"][lang][0 if code == "price" else 2]
    if code == "survey":
        days = int(rec.survey_late)
        return pick(lang, f"满意度调研逾期 {days} 天", f"satisfaction survey {_n_days(days)} overdue")
    if code == "gap":
        if pd.isna(rec.gap_days):
            return pick(lang, "无跟进记录", "no follow-up on record")
        days = int(rec.gap_days)
        return pick(lang, f"{days} 天未联系", f"no contact for {_n_days(days)}")
    # falling
    n = s.value_window_months
    now, prev = money_text(rec.monetary, ctx), money_text(rec.previous, ctx)
    return pick(lang, f"近{n}个月金额 {now}（此前{n}个月 {prev}）", f"{n}-month amount {now}, down from {prev}")


_STEP = {"high": "apology", "nps": "apology", "service": "apology", "price": "value", "competitor": "compare",
         "survey": "survey", "gap": "call", "falling": "repurchase"}
_STEP_TEXT = {
    "apology": ("致歉并解决问题", "Apologise and fix the problem"),
    "value": ("提供价值方案", "Offer a value package"),
    "compare": ("竞品对比复盘", "Review the competitor comparison"),
    "survey": ("安排满意度调研", "Run the satisfaction survey"),
    "call": ("立即电话联系", "Call now"),
    "repurchase": ("复购沟通，了解需求变化", "Discuss repurchase and changing needs"),
}


def _n_days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def risk_label(code: str | None, lang: Lang) -> str:
    """高 / 中 / 低 (High / Medium / Low) for a risk code; '' for None."""
    labels = {"high": ("高", "High"), "medium": ("中", "Medium"), "low": ("低", "Low")}
    return pick(lang, *labels[code]) if code in labels else ""


def money_text(amount: float, ctx: Context) -> str:
    """An amount in yuan as text, in the Settings money unit (model/format.py: `65万`, `¥650,000`)."""
    return money(amount, ctx.settings.money_unit, ctx.lang)



# --- helpers -------------------------------------------------------------------------------------------

def _matches(cells: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """Whether each cell's text contains the pattern (each distinct value searched once)."""
    return map_distinct(cells, _finder(pattern)).astype(bool)


def _finder(pattern: re.Pattern[str]) -> Any:
    return lambda v: v is not None and bool(pattern.search(str(v)))


def _survey(cells: pd.Series) -> pd.Series:
    return _matches(cells, _SURVEY)


def _complaint(cells: pd.Series) -> pd.Series:
    return _matches(cells, _COMPLAINT)


# whole columns are searched over their shared factorisation (columns.parsed), as `_matches` would
per_cell(_survey, _finder(_SURVEY), "bool")
per_cell(_complaint, _finder(_COMPLAINT), "bool")


__all__ = ["RISKS", "SIGNALS", "risk_label", "money_text"]
