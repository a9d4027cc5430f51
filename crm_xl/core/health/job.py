"""Customer health (RFM + NPS) and churn risk of won accounts, and the churn watch list (流失预警).

Rules (every number from Settings):
- **RFM** of a won account from the Conversions sheet: R = days since its last conversion, F = conversions
  and M = amount in the trailing `value_window_months` (today − 12 months, today]. Each is scored 1–5 by
  quintile among the workbook's won accounts that have a conversion (`quintile_scores`: mid-rank
  percentile, ties share a score, a lone account scores 3; recency: more recent = higher). A won account
  with no conversion on record scores 1 on R, F and M.
- **NPS**: the Customers NPS cell, or — when the customer has a scored survey (survey sheet, or an NPS score on
  follow-ups) — its latest survey's, that one answer's NPS: promoter 100, passive 0, detractor −100.
- **Health** 0–100 = weighted mean of R, F, M (score 1–5 → 0, 25, 50, 75, 100) and NPS (−100…100 → 0–100)
  with `w_recency / w_frequency / w_monetary / w_nps`; weights are divided by their sum, and an account
  without a valid NPS is scored on R, F and M alone (weights renormalised). Other customers: blank.
- **Churn risk** of a won account: high when NPS < `churn_nps_below` and no conversion in the last
  `churn_no_conversion_days` days (the toolkit's rule; day 90 is still "in 90 days"); medium on any signal:
  a detractor NPS, a complaint in the follow-ups of the last `survey_days` (with a complaints sheet: a
  complaint of the sheet still open, or lodged in the last `survey_days`), a 价格敏感 / 竞品对比中 tag, a
  quarterly survey missed (no 调研/满意度/问卷/survey follow-up within `survey_days` of the last one or of the
  latest conversion — the stale job's after-sale survey step; a 回访 check-in call is no survey), no contact (follow-up or conversion) for more than `churn_gap_factor` ×
  `cadence_won` days (won accounts are maintained, not chased at their tier's lead cadence), or a falling trailing amount (last window < the window before); low otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pandas as pd

from ...model.format import date_text, money_header, money_style, money_value
from ...model.i18n import pick
from ...model.layout import SheetLayout, Table, Text
from ...model.result import JobResult, Summary
from ...model.schema import CHURN_SHEET
from ..context import Context
from ..kernel.vectors import day_objects
from .churn import RISKS, money_text, risk_label
from .score import _ints, score

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


__all__ = ["assess", "churn_summary", "winback_table", "churn_layout"]
