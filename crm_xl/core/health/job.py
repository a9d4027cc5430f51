"""Customer health (RFM + NPS) and churn risk of won accounts, and the churn watch list (流失预警).

Rules (every number from Settings):
- **RFM** of a won account from the Conversions sheet: R = days since its last conversion, F = conversions
  and M = amount in the trailing `value_window_months` (today − 12 months, today]. Each is scored 1–5 by
  quintile among the workbook's won accounts that have a conversion (`quintile_scores`: mid-rank
  percentile, ties share a score, a lone account scores 3; recency: more recent = higher). A won account
  with no conversion on record scores 1 on R, F and M.
- **Health** 0–100 = weighted mean of R, F, M (score 1–5 → 0, 25, 50, 75, 100) and NPS (−100…100 → 0–100)
  with `w_recency / w_frequency / w_monetary / w_nps`; weights are divided by their sum, and an account
  without a valid NPS is scored on R, F and M alone (weights renormalised). Other customers: blank.
- **Churn risk** of a won account: high when NPS < `churn_nps_below` and no conversion in the last
  `churn_no_conversion_days` days (the toolkit's rule; day 90 is still "in 90 days"); medium on any signal:
  a detractor NPS, a complaint in the follow-ups of the last `survey_days`, a 价格敏感 / 竞品对比中 tag, a
  quarterly survey missed (no 调研/回访/满意度/survey follow-up within `survey_days` of the last one or of the
  latest conversion — the stale job's after-sale survey step), no contact (follow-up or conversion) for more than `churn_gap_factor` ×
  `cadence_won` days (won accounts are maintained, not chased at their tier's lead cadence), or a falling trailing amount (last window < the window before); low otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text, money, money_header, money_style, money_value
from ...model.i18n import LANGS, Lang, fold, pick
from ...model.layout import SheetLayout, Table, Text
from ...model.parse import parse_tags
from ...model.result import JobResult, Summary
from ...model.schema import CHURN_SHEET
from ...model.settings import DEFAULT_LISTS
from ..context import Context
from ..followups.rules import STEP_PATTERNS
from ..kernel.cells import map_distinct
from ..kernel.columns import parsed, parsed_take, per_cell
from ..kernel.tierlog import tiers_on
from ..kernel.timeline import timeline
from ..kernel.vectors import day_objects

RISKS = ("high", "medium", "low")
# signal codes, in the order reasons and next steps are listed
SIGNALS = ("nps", "service", "price", "competitor", "survey", "gap", "falling")
SURVEY_WORDS = STEP_PATTERNS["survey"]  # the stale job's survey step: 调研 回访 满意度 问卷 survey …
COMPLAINT_WORDS = r"投诉|投訴|不满|不滿|抱怨|差评|差評|complain|unhappy|dissatisf"
_SURVEY = re.compile(SURVEY_WORDS, re.IGNORECASE)
_COMPLAINT = re.compile(COMPLAINT_WORDS, re.IGNORECASE)
_PRICE_TAGS = {fold(DEFAULT_LISTS["tags"][lang][0]) for lang in LANGS}
_COMPETITOR_TAGS = {fold(DEFAULT_LISTS["tags"][lang][2]) for lang in LANGS}


# --- scoring -------------------------------------------------------------------------------------------

def quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Score each value 1–5 by its quintile among `values` (NaN stays NaN).

    Mid-rank percentile p = (average rank − ½) / n, score = ⌊5p⌋ + 1: ties share the average rank and so
    the same score; 1 value → 3; 2 values → 2 and 4; 5 distinct values → 1…5; all equal → 3.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if not higher_is_better:
        v = -v
    n = int(v.notna().sum())
    if n == 0:
        return pd.Series(np.nan, index=values.index)
    twice = 2 * v.rank(method="average") - 1  # exact integers: ranks are k or k + ½
    return (twice * 5) // (2 * n) + 1


def score(ctx: Context, *, full: bool = True) -> pd.DataFrame:
    """Health and churn risk per Customers row (indexed by Excel row).

    Columns: key, customer, owner, won, tier, last_conversion (Timestamp), recency_days, frequency,
    monetary, previous (amount of the window before), nps, r, f, m, health (0–100 or NaN), risk
    (high / medium / low / None), signals (list of codes: "high" plus SIGNALS), reasons (text),
    risk_text (the churn_risk cell), next_step (text). When not `full`, only the risk and what it is
    computed from (no tier, r, f, m, health, signals or texts): what the churn counts need.
    """
    s, lang = ctx.settings, ctx.lang
    today = pd.Timestamp(ctx.today)
    cust = ctx.frames.data("customers")
    out = pd.DataFrame(index=cust.index)
    out["key"] = parsed(ctx.frames, "customers", "customer", "key")
    out["customer"] = cust["customer"]
    out["owner"] = cust["owner"]
    out["won"] = parsed(ctx.frames, "customers", "status", "status").eq("won") & out["key"].ne("")
    if full:
        out["tier"] = tiers_on(ctx.frames, out["key"], ctx.today)

    conv = _conversions(ctx, today)
    out = _join(out, conv)
    out["frequency"] = out["frequency"].fillna(0)
    out["monetary"] = out["monetary"].fillna(0.0)
    out["previous"] = out["previous"].fillna(0.0)
    out["recency_days"] = (today - out["last_conversion"]).dt.days

    nps = parsed(ctx.frames, "customers", "nps", "int")
    nps = pd.to_numeric(nps, errors="coerce")
    out["nps"] = nps.where(nps.between(-100, 100))
    if full:
        out = _rfm(out, s)
    for col, days in _followups(ctx, today, out["won"].to_numpy()).items():
        out[col] = days
    _risk(out, ctx, today, texts=full)
    out.attrs["lang"] = lang
    return out


def _rfm(out: pd.DataFrame, s: Any) -> pd.DataFrame:
    """`out` with the r, f, m scores and the health of the won accounts."""
    # RFM among won accounts with a conversion, one score per customer key
    keys = out.loc[out["won"] & out["last_conversion"].notna()].drop_duplicates("key").set_index("key")
    rfm = pd.DataFrame({
        "r": quintile_scores(keys["recency_days"], higher_is_better=False),
        "f": quintile_scores(keys["frequency"]),
        "m": quintile_scores(keys["monetary"]),
    }, index=keys.index)
    out = _join(out, rfm)
    for col in ("r", "f", "m"):
        out[col] = out[col].where(out["won"]).fillna(1).where(out["won"])
    out["health"] = _health(out, s)
    return out


def _join(out: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """`out.join(right, on="key")` for a `right` indexed by unique keys: the same columns (missing keys
    give NaN / NaT, ints become floats then, as a join does), looked up with one reindex."""
    add = right.reindex(out["key"].to_numpy())
    add.index = out.index
    return pd.concat([out, add], axis=1)


def _health(out: pd.DataFrame, s: Any) -> pd.Series:
    parts = {"r": s.w_recency, "f": s.w_frequency, "m": s.w_monetary}
    num = sum(w * (out[c] - 1) * 25 for c, w in parts.items())
    den = pd.Series(float(sum(parts.values())), index=out.index)
    has_nps = out["nps"].notna()
    num = num + (s.w_nps * (out["nps"] + 100) / 2).where(has_nps, 0.0)
    den = den + has_nps * s.w_nps
    health = np.floor(num / den.where(den > 0) + 0.5)
    return health.where(out["won"])


def _conversions(ctx: Context, today: pd.Timestamp) -> pd.DataFrame:
    """Per customer key: first/last conversion, conversions and amount in the window and the one before."""
    conv = ctx.frames.data("conversions")
    months = ctx.settings.value_window_months
    start = today - pd.DateOffset(months=months)
    before = start - pd.DateOffset(months=months)
    f = ctx.frames
    df = pd.DataFrame({"key": parsed(f, "conversions", "customer", "key"),
                       "date": parsed(f, "conversions", "date", "day"),
                       "amount": pd.to_numeric(parsed(f, "conversions", "amount", "amount"), errors="coerce")},
                      index=conv.index)
    df = df[df["key"].ne("") & df["date"].notna() & (df["date"] <= today)]
    amount = df["amount"].where(df["amount"] > 0, 0.0)
    in_win = df["date"] > start
    in_prev = (df["date"] > before) & ~in_win
    df = df.assign(win=in_win.astype(int), m=amount.where(in_win, 0.0), p=amount.where(in_prev, 0.0))
    g = df.groupby("key")
    return pd.DataFrame({"first_conversion": g["date"].min(), "last_conversion": g["date"].max(),
                         "frequency": g["win"].sum(), "monetary": g["m"].sum(), "previous": g["p"].sum()})


def _followups(ctx: Context, today: pd.Timestamp, won: np.ndarray) -> dict[str, np.ndarray]:
    """Per Customers row whose customer key is that of a won account (`won`: the won rows): last
    follow-up, last survey follow-up, last complaint within survey_days (datetime64, NaT: none)."""
    f = ctx.frames
    line = timeline(f)
    mine = np.zeros(line.size, dtype=bool)
    mine[line.customers[won]] = True
    at = np.flatnonzero(mine[line.code[: line.upto(today)]])
    at = at[np.argsort(line.row[at], kind="stable")]  # (in sheet order)
    rows, codes, days = line.row[at], line.code[at], line.day[at]
    survey = (parsed_take(f, "followups", "content", _survey, rows)
              | parsed_take(f, "followups", "method", _survey, rows)).astype(bool)
    recent = days > (today - pd.Timedelta(days=ctx.settings.survey_days)).to_datetime64()
    said = rows[recent]
    complaint = np.zeros(len(rows), dtype=bool)
    complaint[recent] = (parsed_take(f, "followups", "content", _complaint, said)
                         | parsed_take(f, "followups", "feedback", _complaint, said)).astype(bool)
    return {"last_follow_up": line.latest_day(codes, days)[line.customers],
            "last_survey": line.latest_day(codes[survey], days[survey])[line.customers],
            "last_complaint": line.latest_day(codes[complaint], days[complaint])[line.customers]}


def _risk(out: pd.DataFrame, ctx: Context, today: pd.Timestamp, *, texts: bool = True) -> None:
    """Add risk, signals, reasons, risk_text and next_step columns (won accounts only; only risk when not
    `texts`)."""
    s = ctx.settings
    won = out["won"]
    nps_low = won & out["nps"].lt(s.churn_nps_below)
    no_conv = out["last_conversion"].isna() | out["recency_days"].gt(s.churn_no_conversion_days)
    high = nps_low & no_conv

    tags = map_distinct(ctx.frames.data("customers")["tags"][won], _tag_flags)  # (price, competitor)
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
        _risk_texts(out, ctx, (high, medium), fired, survey_late, gap_days)


def _risk_texts(out: pd.DataFrame, ctx: Context, risks: tuple[pd.Series, pd.Series], fired: dict[str, pd.Series],
                survey_late: pd.Series, gap_days: pd.Series) -> None:
    """Add signals, reasons, risk_text and next_step (`risks`: the high and medium masks, `fired`: each
    signal's)."""
    lang = ctx.lang
    high, medium = risks
    sep, colon, semi = pick(lang, "，", ", "), pick(lang, "：", ": "), pick(lang, "；", "; ")
    at_risk = high | medium
    fired["gap"] = fired["gap"] & ~(high & gap_days.eq(out["recency_days"]))  # same fact as "N days without"
    names = ("high", *SIGNALS)
    matrix = pd.concat([high, *(fired[c] for c in SIGNALS)], axis=1)[at_risk].to_numpy().tolist()
    rows = out[["risk", "nps", "last_conversion", "recency_days", "last_complaint", "tier", "monetary", "previous"]]
    rows = rows.assign(survey_late=survey_late, gap_days=gap_days)[at_risk][
        ["risk", "nps", "last_conversion", "recency_days", "last_complaint", "survey_late", "tier", "gap_days",
         "monetary", "previous"]]
    signals, reasons, texts, steps = [], [], [], []
    for rec, flags in zip(rows.itertuples(), matrix, strict=True):
        codes = [c for c, f in zip(names, flags, strict=True) if f]
        reason = sep.join(_reason(code, rec, ctx) for code in codes)
        todo = dict.fromkeys(_STEP[c] for c in codes)
        signals.append(codes)
        reasons.append(reason)
        texts.append(f"{risk_label(rec.risk, lang)}{colon}{reason}")
        steps.append(semi.join(pick(lang, *_STEP_TEXT[t]) for t in todo))
    labels = {r: risk_label(r, lang) for r in RISKS}
    out["risk_text"] = out["risk"].map(labels).astype(object)
    out.loc[rows.index, "risk_text"] = texts
    out["reasons"] = pd.Series(reasons, index=rows.index, dtype=object).reindex(out.index)
    out["next_step"] = pd.Series(steps, index=rows.index, dtype=object).reindex(out.index)
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


# --- outputs -------------------------------------------------------------------------------------------

def churn_summary(ctx: Context, scored: pd.DataFrame | None = None,
                  winback: tuple[pd.DataFrame, list[str | None], list[Any]] | None = None,
                  as_of: dt.date | None = None, *, accounts: bool = True) -> dict[str, Any]:
    """Churn figures for the monthly review, as of `as_of` (default ctx.today; e.g. the reviewed month's
    last day: conversions and follow-ups after it are ignored; NPS and tags are the current cells).

    Returns {"as_of": date, "won": int, "high": int, "medium": int, "low": int, "value_at_risk": float
    (trailing-window amount of high + medium accounts, yuan), "value_total": float (of all won accounts),
    "table": DataFrame with localized headers (risk 高/中/低, accounts, amount in Settings.money_unit),
    "accounts": the win-back list DataFrame (localized headers, see `winback_table`), "note": a localized
    definition line}. Accounts are counted once per customer name. `scored` / `winback`: already computed
    `score(ctx)` / `winback_table(ctx, scored)` (same day), to save time. Without `accounts` (the review's
    counts), "accounts" is None and the accounts are scored without their health and texts.
    """
    if as_of is not None and as_of != ctx.today:
        ctx, scored, winback = replace(ctx, today=as_of), None, None
    scored = score(ctx, full=accounts) if scored is None else scored
    if accounts and winback is None:
        winback = winback_table(ctx, scored)
    won = scored[scored["won"]].drop_duplicates("key")
    counts = won["risk"].value_counts()
    amounts = won.groupby("risk")["monetary"].sum()
    lang = ctx.lang
    table = pd.DataFrame({
        pick(lang, "流失风险", "Churn risk"): [risk_label(r, lang) for r in RISKS],
        pick(lang, "客户数", "Accounts"): [int(counts.get(r, 0)) for r in RISKS],
        _amount_header(ctx): [_amount_value(float(amounts.get(r, 0.0)), ctx) for r in RISKS],
    })
    return {
        "as_of": ctx.today,
        "won": len(won),
        **{r: int(counts.get(r, 0)) for r in RISKS},
        "value_at_risk": float(won.loc[won["risk"].isin(["high", "medium"]), "monetary"].sum()),
        "value_total": float(won["monetary"].sum()),
        "table": table,
        "accounts": winback[0] if winback is not None else None,
        "note": pick(
            lang,
            f"截至 {date_text(ctx.today)}；风险金额 = 高、中风险客户近{ctx.settings.value_window_months}个月成交额；"
            f"明细见「{CHURN_SHEET.name(lang)}」表。",
            f"As of {date_text(ctx.today)}; value at risk = the {ctx.settings.value_window_months}-month amount "
            f"of high and medium risk accounts; details on the '{CHURN_SHEET.name(lang)}' sheet.",
        ),
    }


def winback_table(ctx: Context, scored: pd.DataFrame) -> tuple[pd.DataFrame, list[str | None], list[Any]]:
    """The win-back list (high then medium, lowest health first): DataFrame with localized headers, the
    link target of each customer cell, and each row's risk code."""
    lang = ctx.lang
    at_risk = scored[scored["risk"].isin(["high", "medium"])].copy()
    at_risk["order"] = at_risk["risk"].map({"high": 0, "medium": 1})
    at_risk["name"] = at_risk["customer"].map(lambda v: "" if v is None else str(v))
    at_risk = at_risk.sort_values(["order", "health", "monetary", "name"], ascending=[True, True, False, True],
                                  na_position="last", kind="stable")
    frame = ctx.frames.customers
    links: list[str | None] = [*frame.cells(at_risk.index, "customer")] if frame is not None else [None] * len(at_risk)
    last = day_objects(at_risk["last_conversion"].astype("datetime64[ns]"))
    df = pd.DataFrame({
        pick(lang, "客户", "Customer"): at_risk["name"].tolist(),
        pick(lang, "负责人", "Owner"): at_risk["owner"].tolist(),
        pick(lang, "级别", "Tier"): at_risk["tier"].tolist(),
        pick(lang, "流失风险", "Churn risk"): [risk_label(r, lang) for r in at_risk["risk"]],
        pick(lang, "健康度", "Health"): [None if pd.isna(h) else int(h) for h in at_risk["health"]],
        pick(lang, "原因", "Reasons"): at_risk["reasons"].tolist(),
        pick(lang, "建议下一步", "Suggested next step"): at_risk["next_step"].tolist(),
        pick(lang, "最近成交", "Last conversion"): last.tolist(),
        _amount_header(ctx): [_amount_value(v, ctx) for v in at_risk["monetary"]],
    })
    return df, links, at_risk["risk"].tolist()


def _amount_header(ctx: Context) -> str:
    """`近12个月金额（万元）` / `12-month amount (10k yuan)`."""
    n = ctx.settings.value_window_months
    return money_header(f"近{n}个月金额", f"{n}-month amount", ctx.settings.money_unit, ctx.lang)


def _amount_value(amount: float, ctx: Context) -> float:
    return money_value(amount, ctx.settings.money_unit)


def churn_layout(ctx: Context, summary: dict[str, Any],
                 winback: tuple[pd.DataFrame, list[str | None], list[Any]]) -> SheetLayout:
    """The 流失预警 sheet: title, one-line summary, the win-back table and how it is computed."""
    lang, s = ctx.lang, ctx.settings
    df, links, risks = winback
    name = CHURN_SHEET.name(lang)
    risk_col, health_col = pick(lang, "流失风险", "Churn risk"), pick(lang, "健康度", "Health")
    amount_col = _amount_header(ctx)
    n, below = s.value_window_months, s.churn_nps_below
    note = pick(
        lang,
        f"健康度 0–100：最近成交天数、近{n}个月成交次数、近{n}个月成交金额各按全部已成交客户的五分位打 1–5 分，"
        f"与 NPS 加权平均（权重见设置表；NPS 为空时按其余三项重新分配权重）。\n"
        f"高风险：NPS 低于 {below} 且超过 {s.churn_no_conversion_days} 天无成交。\n"
        f"中风险：NPS 低于 {below}、近 {s.survey_days} 天内有投诉、价格敏感或竞品对比中标签、"
        f"满意度调研逾期（每 {s.survey_days} 天一次）、超过 {s.churn_gap_factor:g}×{s.cadence_won} 天未联系、"
        f"或近{n}个月金额低于此前{n}个月。",
        f"Health 0–100: days since the last conversion, conversions and amount in the last {n} months, each "
        f"scored 1–5 by quintile among all won accounts, averaged with NPS (weights on the Settings sheet; "
        f"renormalised when NPS is blank).\n"
        f"High risk: NPS below {below} and no conversion for more than {s.churn_no_conversion_days} days.\n"
        f"Medium risk: NPS below {below}, a complaint in the last {s.survey_days} days, a price-sensitive or "
        f"comparing-competitors tag, satisfaction survey overdue (every {s.survey_days} days), no contact for "
        f"more than {s.churn_gap_factor:g} × {s.cadence_won} days, or a lower amount than in the {n} months before.",
    )
    headline = pick(
        lang,
        f"截至 {date_text(ctx.today)}：已成交客户 {summary['won']} 个，高风险 {summary['high']}，"
        f"中风险 {summary['medium']}，风险金额 {money_text(summary['value_at_risk'], ctx)}",
        f"As of {date_text(ctx.today)}: {summary['won']} won accounts, {summary['high']} high risk, "
        f"{summary['medium']} medium risk, value at risk {money_text(summary['value_at_risk'], ctx)}",
    )
    table = Table(
        df,
        formats={health_col: "int", pick(lang, "最近成交", "Last conversion"): "date",
                 amount_col: money_style(s.money_unit)},
        links={pick(lang, "客户", "Customer"): links},
        row_styles=["error" if r == "high" else "warning" for r in risks],
        highlight=risk_col,
        note=note,
        name="winback",
        empty_text=pick(lang, "没有高风险或中风险的已成交客户。", "No won account is at high or medium risk."),
    )
    others = tuple(n for n in CHURN_SHEET.names() if n != name)
    return SheetLayout(name, [Text(name, "title"), Text(headline, "subtitle"), table], aliases=others,
                       freeze="A4", tab_color="C00000")


def assess(ctx: Context) -> JobResult:
    """Health and churn risk on Customers, the churn watch sheet, and a summary."""
    lang = ctx.lang
    if ctx.frames.customers is None:
        headline = pick(lang, "没有客户信息表，未评估健康度", "No Customers sheet: health not assessed")
        return JobResult(Summary("health", headline))
    scored = score(ctx)
    winback = winback_table(ctx, scored)
    summary = churn_summary(ctx, scored, winback)
    health = pd.Series(_ints(scored["health"]), index=scored.index, dtype=object)
    layout = churn_layout(ctx, summary, winback)
    value = money_text(summary["value_at_risk"], ctx)
    headline = pick(
        lang,
        f"已成交客户 {summary['won']} 个：高风险 {summary['high']}，中风险 {summary['medium']}，"
        f"低风险 {summary['low']}；风险金额 {value}",
        f"{summary['won']} won accounts: {summary['high']} high, {summary['medium']} medium, "
        f"{summary['low']} low risk; value at risk {value}",
    )
    counts = {r: summary[r] for r in ("won", *RISKS)} | {"value_at_risk": summary["value_at_risk"]}
    return JobResult(
        Summary("health", headline, counts, [(layout.name, summary["accounts"].iloc[:, [0, 1, 3, 4, 5]])]),
        columns={"customers": {"health": health, "churn_risk": scored["risk_text"].astype(object)}},
        sheets=[layout],
    )


# --- helpers -------------------------------------------------------------------------------------------

def _ints(values: pd.Series) -> np.ndarray:
    """int(v) of each float (a Python int), None for NaN."""
    floats = values.to_numpy(dtype=float)
    ok = ~np.isnan(floats)
    out = np.full(len(floats), None, dtype=object)
    out[ok] = floats[ok].astype(np.int64).tolist()
    return out


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


__all__ = ["assess", "score", "churn_summary", "winback_table", "churn_layout", "quintile_scores",
           "risk_label", "money_text", "RISKS", "SIGNALS"]
