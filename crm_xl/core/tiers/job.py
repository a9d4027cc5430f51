"""Recompute A/B/C tiers, explain each in the workbook language, and log every change.

Rules (SPEC.md "Recompute tiers" and issue 20; every number from Settings), first match wins:
1. `tier_override` (锁定级别) holds a readable tier → that tier, "锁定级别 A（手动）".
2. Lost → no tier (blank), "已流失，不分级"; never logged.
3. Won (the status, or — without a status column — a customer named on a conversion dated on or before
   today) → by value over the trailing `value_window_months`: the smallest set of won customers, largest
   amount first, whose cumulative share reaches `pareto_share` is A (the customer crossing the line is
   included, and so is every customer tied with it; a zero amount is never A). A repurchase/upsell tag
   sends a won account back to A (SPEC §4), the tag first in the reason (`标签：增购意向；近 12 个月成交 20万，
   未进前 80%`). Otherwise B on a growth signal — the last half-window's amount above the half-window before
   it (which must be > 0), or a conversion within `churn_no_conversion_days` after an earlier one — the
   signal first, else C. With no usable conversion in the workbook, won accounts keep their current tier.
4. Leads (open, paused, or a blank/unreadable status) → a repurchase/upsell tag gives A. Without one of the
   criteria columns (需求明确度 / 预算状态 / 决策链 / 预计成交日期: the printed templates lack them) a lead
   keeps its current tier — the latest tier-log row up to today, else the tier typed on Customers, else
   none — and nothing is logged for it; the summary names the columns. With them: A = need clear, budget
   approved or clear, decision chain short and expected close within 0…`a_close_days` days. B = need clear
   or initial and expected close within 0…`b_close_days` days (budget and chain may be anything, blank
   too). C = the rest: latent need, enquiry, need blank or unreadable, no or unreadable date, a date
   already past, or beyond the B window. The deciding criterion comes first in the reason: for B what
   keeps it from A, for C what keeps it from B.

The reason names the criteria (`需求明确, 预算已审批, 决策链短, 预计 5 天内成交`). The logged tier is the
latest tier-log row per customer dated on or before today (see tierlog.py; rows dated later do not count
yet, so a run with an earlier --today stays idempotent); a customer whose tier differs from it (or who has
none yet) gets one appended row `B → A：<reason>` dated today, with the customer's owner, else the owner of
its latest tier-log row or follow-up (a row left without an owner is a warning in the summary). Duplicate
names are logged once (first row); rows without a name are tiered but not logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text, money, percent
from ...model.i18n import Lang, pick
from ...model.parse import is_blank, norm, parse_amount, parse_date, parse_tags
from ...model.result import JobResult, Summary
from ...model.schema import BUDGET_STATUS, CUSTOMERS, DECISION_CHAIN, NEED_CLARITY, STATUS, TIER
from ...model.settings import Settings
from ..context import Context
from ..kernel.cells import map_distinct, object_frame
from ..kernel.columns import parsed
from ..kernel.names import customer_key, customer_keys
from ..kernel.status import infer_status
from ..kernel.tierlog import history, logged_tier_on, logged_tiers, tier_history
from ..kernel.vectors import NS, stamps

__all__ = ["compute_tiers", "value_tiers", "recompute", "logged_tier_on",
           "tier_history", "RANK", "customer_key"]

RANK = {"A": 3, "B": 2, "C": 1}
SEP = ", "


# --- words ---------------------------------------------------------------------------------------

_WORDS: dict[str, tuple[str, str]] = {
    "need.clear": ("需求明确", "need clear"),
    "need.initial": ("需求初步", "need initial"),
    "need.latent": ("需求潜在", "need latent"),
    "need.blank": ("需求明确度未填", "need clarity blank"),
    "need.bad": ("需求明确度无法识别", "need clarity unreadable"),
    "budget.approved": ("预算已审批", "budget approved"),
    "budget.clear": ("预算明确", "budget clear"),
    "budget.unclear": ("预算不明确", "budget unclear"),
    "budget.blank": ("预算状态未填", "budget status blank"),
    "budget.bad": ("预算状态无法识别", "budget status unreadable"),
    "chain.short": ("决策链短", "decision chain short"),
    "chain.long": ("决策链长", "decision chain long"),
    "chain.unknown": ("决策链未知", "decision chain unknown"),
    "chain.blank": ("决策链未填", "decision chain blank"),
    "chain.bad": ("决策链无法识别", "decision chain unreadable"),
    "close.blank": ("未填预计成交日期", "no expected close date"),
    "close.bad": ("预计成交日期无法识别", "expected close unreadable"),
    "close.today": ("预计今天成交", "expected close today"),
}


def _w(lang: Lang, key: str) -> str:
    hans, en = _WORDS[key]
    return pick(lang, hans, en)


def _days(n: int, lang: Lang) -> str:
    return pick(lang, f"{n} 天", f"{n} day" if n == 1 else f"{n} days")


def _close_in(n: int, lang: Lang) -> str:
    return pick(lang, f"预计 {n} 天内成交", f"expected close in {_days(n, lang)}")


def _close_later(n: int, lang: Lang) -> str:
    return pick(lang, f"预计 {n} 天后成交", f"expected close in {_days(n, lang)}")


def _close_past(n: int, lang: Lang) -> str:
    return pick(lang, f"预计成交日期已过 {n} 天", f"expected close passed {_days(n, lang)} ago")


def _tag(tag: str, lang: Lang) -> str:
    return pick(lang, f"标签：{tag}", f"tag: {tag}")


def _then(lang: Lang) -> str:
    """Separator between a won account's value and its growth signals."""
    return pick(lang, "；", "; ")


def _override(tier: str, lang: Lang) -> str:
    return pick(lang, f"锁定级别 {tier}（手动）", f"tier override {tier} (manual)")


def _lost(lang: Lang) -> str:
    return pick(lang, "已流失，不分级", "lost — not tiered")


def _won_unknown(settings: Settings, lang: Lang) -> str:
    m = settings.value_window_months
    return pick(lang, f"已成交：按近 {m} 个月成交额分级", f"won: tiered by trailing {m}-month revenue")


def log_reason(before: str | None, after: str, reason: str, lang: Lang) -> str:
    """`B → A：<reason>` (`— → B` for a first assignment), as written in the tier log."""
    return f"{before or '—'} → {after}{pick(lang, '：', ': ')}{reason}"


# --- parsing -------------------------------------------------------------------------------------


def _state(cells: pd.Series, parse: Any) -> pd.Series:
    """Code of each cell, else 'blank' / 'bad'."""
    return map_distinct(cells, lambda v: parse(v) or ("blank" if is_blank(v) else "bad"))


def _upsell_tag(settings: Settings) -> Any:
    def first(cell: Any) -> str | None:
        return next((t for t in parse_tags(cell) if settings.is_upsell_tag(t)), None)

    return first


def _col(df: pd.DataFrame, key: str) -> pd.Series:
    return df[key] if key in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _conversions(conversions: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Usable conversions: key, date (Timestamp), amount > 0, dated on or before today."""
    if conversions.empty:
        return pd.DataFrame({"key": pd.Series(dtype=object), "date": pd.Series(dtype=NS),
                             "amount": pd.Series(dtype=float)})
    df = pd.DataFrame({
        "key": customer_keys(conversions["customer"]),
        "date": stamps(map_distinct(conversions["date"], parse_date)),
        "amount": pd.to_numeric(map_distinct(conversions["amount"], parse_amount), errors="coerce"),
    })
    keep = (df["key"] != "") & df["date"].notna() & (df["date"] <= pd.Timestamp(today)) & (df["amount"] > 0)
    return df[keep]


# --- won accounts: value -------------------------------------------------------------------------


def value_tiers(keys: Iterable[str], conversions: pd.DataFrame, today: dt.date, settings: Settings,
                lang: Lang = "zh-Hans") -> pd.DataFrame:
    """Tier of won customers by value (before tags): index = customer key, columns tier, reason, amount.

    `keys` are the won customers' keys (`customer_key`); `conversions` the Conversions sheet's raw data.
    A = the Pareto set of trailing `value_window_months` amounts (the reason gives the rank and the
    cumulative share: `近 12 个月成交 65万，排第 2 名，累计占已成交金额 76%（前 80% 为 A）`); B = growth (recent half-window above the
    one before, or a repeat conversion within `churn_no_conversion_days`); C = the rest. A B reason starts
    with the growth signals that made it B, then the amount and why it is not A
    (`近 90 天内再次成交（2024-03-01）；近 12 个月成交 10万，未进前 80%`); a C reason is the amount.
    """
    index = pd.Index(pd.unique(pd.Series([k for k in keys if k], dtype=object)), dtype=object)
    conv = _conversions(conversions, today)
    t = pd.Timestamp(today)
    months = settings.value_window_months
    half = max(1, months // 2)
    mid, start2 = t - pd.DateOffset(months=half), t - pd.DateOffset(months=2 * half)
    start = t - pd.DateOffset(months=months)
    repeat_days = settings.churn_no_conversion_days

    def total(mask: pd.Series) -> pd.Series:
        return conv[mask].groupby("key")["amount"].sum().reindex(index, fill_value=0.0).astype(float)

    value = total(conv["date"] > start)
    recent = total(conv["date"] > mid)
    before = total((conv["date"] > start2) & (conv["date"] <= mid))
    first = conv.groupby("key")["date"].min().reindex(index)
    last_recent = conv[conv["date"] > t - pd.Timedelta(days=repeat_days)].groupby("key")["date"].max()
    last_recent = last_recent.reindex(index)
    repeat = last_recent.notna() & (first < last_recent)
    growth = (before > 0) & (recent > before)

    grand = float(value.sum())
    is_a = pd.Series(False, index=index)
    ordered = value.sort_values(ascending=False, kind="stable")
    rank = pd.Series(np.arange(1, len(ordered) + 1), index=ordered.index).reindex(index)
    cum = (ordered.cumsum() / grand).reindex(index) if grand > 0 else pd.Series(0.0, index=index)
    if grand > 0:
        crossing = int(np.argmax(ordered.cumsum().to_numpy() / grand >= settings.pareto_share - 1e-9))
        is_a = (value >= ordered.iloc[crossing]) & (value > 0)

    share = percent(settings.pareto_share)
    tiers, reasons = [], []
    rows = zip(value.tolist(), is_a.tolist(), rank.tolist(), cum.tolist(), growth.tolist(), recent.tolist(),
               before.tolist(), repeat.tolist(), last_recent.tolist(), strict=True)
    for amount, a, place, running, grew, r_amt, b_amt, again, last in rows:
        amt = money(amount, settings.money_unit, lang)
        if a:
            pct = percent(running)
            tiers.append("A")
            reasons.append(pick(lang, f"近 {months} 个月成交 {amt}，排第 {place} 名，累计占已成交金额 {pct}（前 {share} 为 A）",
                                f"trailing {months}-month revenue {amt}, rank {place}, cumulative {pct} of won "
                                f"revenue (A up to {share})"))
            continue
        if amount > 0:
            base = pick(lang, f"近 {months} 个月成交 {amt}，未进前 {share}",
                        f"trailing {months}-month revenue {amt}, outside the top {share}")
        else:
            base = pick(lang, f"近 {months} 个月无成交", f"no conversion in the last {months} months")
        signals = []
        if grew:
            r, b = money(r_amt, settings.money_unit, lang), money(b_amt, settings.money_unit, lang)
            signals.append(pick(lang, f"近 {half} 个月成交 {r}，高于此前 {half} 个月的 {b}",
                                f"last {half} months {r}, up from {b} in the {half} months before"))
        if again:
            day = date_text(last.date())
            signals.append(pick(lang, f"近 {repeat_days} 天内再次成交（{day}）",
                                f"bought again within {repeat_days} days ({day})"))
        tiers.append("B" if signals else "C")
        reasons.append(_then(lang).join([*signals, base]))  # the deciding criterion first
    return object_frame({"tier": tiers, "reason": reasons, "amount": value.to_numpy()}, index)


# --- every customer ------------------------------------------------------------------------------

CRITERIA = ("need_clarity", "budget_status", "decision_chain", "expected_close")


def _lead_reasons(need: pd.Series, budget: pd.Series, chain: pd.Series, close: pd.Series, days: pd.Series,
                  tier: np.ndarray, settings: Settings, lang: Lang) -> list[str]:
    labels = {k: _w(lang, k) for k in _WORDS}
    memo: dict[tuple, str] = {}
    out = []
    day_list = [None if d != d else int(d) for d in days.tolist()]
    for item in zip(need.tolist(), budget.tolist(), chain.tolist(), close.tolist(), day_list, tier.tolist(),
                    strict=True):
        text = memo.get(item)
        if text is None:
            text = memo[item] = _lead_reason(*item, labels, settings, lang)
        out.append(text)
    return out


def _lead_reason(n: str, b: str, c: str, cl: str, d: int | None, t: str, labels: dict[str, str],
                 settings: Settings, lang: Lang) -> str:
    """The criteria of a lead, the deciding one first: for B what keeps it from A, for C what keeps it
    from B (the need, else the expected close)."""
    if cl in ("blank", "bad") or d is None:
        close_text = labels[f"close.{'blank' if cl == 'blank' else 'bad'}"]
    elif d < 0:
        close_text = _close_past(-d, lang)
    elif d == 0:
        close_text = labels["close.today"]
    elif d <= settings.a_close_days:
        close_text = _close_in(d, lang)
    elif d <= settings.b_close_days:
        close_text = _close_in(d, lang) + (_beyond_a(settings, lang) if t == "B" else "")
    else:
        close_text = _close_later(d, lang) + _beyond_b(settings, lang)
    need, budget, chain = labels[f"need.{n}"], labels[f"budget.{b}"], labels[f"chain.{c}"]
    if t == "C":
        if n not in ("clear", "initial"):
            return SEP.join([need, close_text])
        return SEP.join([close_text, need, budget, chain])
    parts = [(need, n != "clear"), (budget, b not in ("approved", "clear")), (chain, c != "short"),
             (close_text, d is None or not 0 <= d <= settings.a_close_days)]
    if t == "B":
        parts = [p for p in parts if p[1]] + [p for p in parts if not p[1]]
    return SEP.join(text for text, _ in parts)


def _beyond_a(settings: Settings, lang: Lang) -> str:
    return pick(lang, f"（A 类需 {settings.a_close_days} 天内）", f" (A needs {settings.a_close_days} days or less)")


def _beyond_b(settings: Settings, lang: Lang) -> str:
    return pick(lang, f"（超出 B 类 {settings.b_close_days} 天窗口）",
                f" (beyond the {settings.b_close_days}-day B window)")


def _kept(tier: str | None, why: str, lang: Lang) -> str:
    """The reason of a customer whose current tier is kept (`why`: 'columns' or 'conversions')."""
    cause = {"columns": pick(lang, "缺少分级列", "tier-criteria columns missing"),
             "conversions": pick(lang, "没有成交记录", "no conversions to value")}[why]
    if tier is None:
        return pick(lang, f"未分级（{cause}）", f"not tiered ({cause})")
    return pick(lang, f"沿用现有级别 {tier}（{cause}）", f"current tier {tier} kept ({cause})")


def _tier_rows(customers: pd.DataFrame, keys: pd.Series, status: pd.Series, won: pd.DataFrame | None,
               today: dt.date, settings: Settings, lang: Lang, *, criteria: bool = True,
               current: pd.Series | None = None) -> pd.DataFrame:
    """tier / reason / kept of each customers row, given its keys and status codes and the value tiers of
    won keys (None: no conversions to value them by). `criteria`: the sheet has the four criteria columns;
    without them — and for won accounts without value tiers — a customer keeps its `current` tier (same
    index; None: none), `kept` True."""
    idx = customers.index
    status = status.fillna("open")
    current = (current if current is not None else pd.Series(None, index=idx, dtype=object)).astype(object)
    current = current.where(current.notna(), None)
    need = _state(_col(customers, "need_clarity"), NEED_CLARITY.parse)
    budget = _state(_col(customers, "budget_status"), BUDGET_STATUS.parse)
    chain = _state(_col(customers, "decision_chain"), DECISION_CHAIN.parse)
    close = _state(_col(customers, "expected_close"), lambda v: "date" if parse_date(v) else None)
    close_at = stamps(map_distinct(_col(customers, "expected_close"), parse_date))
    days = (close_at - pd.Timestamp(today)).dt.days.astype(float)
    upsell = map_distinct(_col(customers, "tags"), _upsell_tag(settings))
    override = map_distinct(_col(customers, "tier_override"), TIER.parse)
    kept = np.zeros(len(idx), dtype=bool)

    if criteria:
        is_a = ((need == "clear") & budget.isin(["approved", "clear"]) & (chain == "short")
                & days.between(0, settings.a_close_days))
        is_b = need.isin(["clear", "initial"]) & days.between(0, settings.b_close_days) & ~is_a
        lead_tier = np.where(is_a, "A", np.where(is_b, "B", "C"))
        tier = lead_tier.astype(object)
        reason = np.array(_lead_reasons(need, budget, chain, close, days, lead_tier, settings, lang), dtype=object)
    else:
        tier = current.to_numpy(dtype=object, copy=True)
        reason = np.array([_kept(t, "columns", lang) for t in tier], dtype=object)
        kept[:] = True

    lead_up = (status.isin(["open", "paused"]) & upsell.notna()).to_numpy()
    tier[lead_up] = "A"
    reason[lead_up] = [_tag(t, lang) for t in upsell[lead_up]]
    kept[lead_up] = False

    is_won = (status == "won").to_numpy()
    if is_won.any():
        keys = keys[is_won]
        tags = upsell[is_won]
        if won is None:
            w_tier = current[is_won].copy()
            w_reason = pd.Series([_kept(t, "conversions", lang) for t in w_tier], index=w_tier.index, dtype=object)
            w_kept = np.ones(len(w_tier), dtype=bool)
        else:
            table = won.reindex(pd.Index(keys.unique(), dtype=object))
            w_tier = keys.map(table["tier"]).where(keys != "", None)
            w_reason = keys.map(table["reason"])
            missing = w_tier.isna()
            w_tier[missing] = "C"
            w_reason[missing] = pick(lang, f"近 {settings.value_window_months} 个月无成交",
                                     f"no conversion in the last {settings.value_window_months} months")
            w_kept = np.zeros(len(w_tier), dtype=bool)
        bump = (tags.notna() & (w_tier != "A")).to_numpy()
        if won is not None:  # the tag that made it A first, then its value
            w_reason[bump] = [_then(lang).join([_tag(t, lang), r]) for t, r in zip(tags[bump], w_reason[bump],
                                                                                  strict=True)]
        else:
            w_reason[bump] = [_tag(t, lang) for t in tags[bump]]
        w_tier[bump] = "A"  # SPEC §4: repurchase / upsell intent sends a customer back to A
        w_kept[bump] = False
        tier[is_won] = w_tier.to_numpy()
        reason[is_won] = w_reason.to_numpy()
        kept[is_won] = w_kept

    is_lost = (status == "lost").to_numpy()
    tier[is_lost] = None
    reason[is_lost] = _lost(lang)
    kept[is_lost] = False

    has_override = override.notna().to_numpy()
    tier[has_override] = override[has_override].to_numpy()
    reason[has_override] = [_override(t, lang) for t in override[has_override]]
    kept[has_override] = False
    return object_frame({"tier": tier, "reason": reason, "kept": kept}, idx)  # (a lost customer's tier: None)


def compute_tiers(customers: pd.DataFrame, conversions: pd.DataFrame, today: dt.date, settings: Settings,
                  lang: Lang = "zh-Hans", *, present: Collection[str] | None = None,
                  current: pd.Series | None = None) -> pd.DataFrame:
    """Tier and reason of every Customers row (raw sheet data in, same index out).

    Columns: key (`customer_key` of the name), tier ('A'/'B'/'C' or None), reason, kept (the customer's
    `current` tier was kept: no criteria columns, or a won account with no conversions in the workbook).
    `present`: the column keys the Customers sheet has (None: every column). Without a status column a
    customer named on a conversion is won (kernel/status.py); without one of the four criteria columns leads
    keep their `current` tier (logged or typed; same index, None where there is none). This is the pure rule
    evaluation, without the tier log; `recompute` adds the log.
    """
    keys = customer_keys(_col(customers, "customer"))
    status = map_distinct(_col(customers, "status"), STATUS.parse)
    status = infer_status(status, keys, conversions, today, present is None or "status" in present)
    criteria = present is None or all(k in present for k in CRITERIA)
    has_value = len(_conversions(conversions, today)) > 0
    won = value_tiers(keys[status == "won"], conversions, today, settings, lang) if has_value else None
    out = _tier_rows(customers, keys, status, won, today, settings, lang, criteria=criteria, current=current)
    out.insert(0, "key", keys)
    return out


# --- the job -------------------------------------------------------------------------------------


def _current(ctx: Context, customers: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """Each customer's current tier: its latest tier-log row up to today, else the tier typed on Customers."""
    logged = logged_tiers(ctx.frames, ctx.today)
    typed = map_distinct(_col(customers, "tier"), TIER.parse)
    if not len(logged):
        return typed
    return keys.map(logged).astype(object).where(keys.map(logged).notna(), typed)


def _owners(ctx: Context, rows: pd.Index, keys: pd.Series) -> pd.Series:
    """The owner of each Customers row in `rows`: the customer's own, else the owner of its latest tier-log
    row or follow-up (dated on or before today; the later of the two, a follow-up on a tie), else ''."""
    customers = ctx.frames.data("customers")
    own = map_distinct(_col(customers, "owner")[rows], norm).fillna("")
    blank = own == ""
    if not blank.any():
        return own
    hist = history(ctx.frames)
    log = pd.DataFrame({"key": hist["key"].to_numpy(),
                        "when": stamps(hist["date"]).to_numpy(),
                        "owner": map_distinct(pd.Series(hist["owner"].to_numpy(), dtype=object), norm).to_numpy()})
    parts = [log]
    if ctx.frames.followups is not None:
        parts.append(pd.DataFrame({"key": parsed(ctx.frames, "followups", "customer", "key").to_numpy(),
                                   "when": parsed(ctx.frames, "followups", "date", "day").to_numpy(),
                                   "owner": parsed(ctx.frames, "followups", "owner", "text").to_numpy()}))
    seen = pd.concat(parts, ignore_index=True)
    seen = seen[(seen["key"] != "") & seen["owner"].fillna("").ne("") & ~(seen["when"] > pd.Timestamp(ctx.today))]
    order = np.lexsort((np.arange(len(seen)), seen["when"].fillna(pd.Timestamp.min).to_numpy()))
    latest = seen.iloc[order].groupby("key")["owner"].last()
    own[blank] = keys[rows][blank].map(latest).fillna("")
    return own


def recompute(ctx: Context) -> JobResult:
    """Write tier / tier_reason on Customers and append a tier-log row for every change."""
    lang, settings = ctx.lang, ctx.settings
    if ctx.frames.customers is None:
        headline = pick(lang, "工作簿没有客户信息表，无法分级", "the workbook has no Customers sheet — nothing to tier")
        return JobResult(Summary("tiers", headline, warnings=1))
    customers = ctx.frames.data("customers")
    present = set(ctx.frames.customers.cols)
    keys = customer_keys(_col(customers, "customer"))
    tiers = compute_tiers(customers, ctx.frames.data("conversions"), ctx.today, settings, lang, present=present,
                          current=_current(ctx, customers, keys))
    has_log = ctx.frames.tierlog is not None
    logged = logged_tiers(ctx.frames, ctx.today)

    first = tiers[(tiers["key"] != "") & ~tiers["key"].duplicated() & tiers["tier"].notna() & ~tiers["kept"]]
    before = first["key"].map(logged) if len(logged) else pd.Series(None, index=first.index)
    before = before.astype(object).where(before.notna(), None)
    changed = first[before.fillna("") != first["tier"]]
    prev = before[changed.index]

    names = customers.loc[changed.index, "customer"].map(norm)
    reasons = [log_reason(b, t, r, lang) for b, t, r in zip(prev, changed["tier"], changed["reason"], strict=True)]
    appends: dict[str, pd.DataFrame] = {}
    no_owner: list[str] = []
    if has_log and len(changed):
        owners = _owners(ctx, changed.index, keys)
        no_owner = names[owners == ""].tolist()
        appends["tierlog"] = object_frame({
            "customer": names.to_numpy(), "tier": changed["tier"].to_numpy(), "reason": reasons,
            "date": [ctx.today] * len(changed), "owner": owners.where(owners != "", None).to_numpy(),
        })

    rank_before = prev.map(RANK)
    rank_after = changed["tier"].map(RANK)
    counts: dict[str, Any] = {t: int((tiers["tier"] == t).sum()) for t in ("A", "B", "C")}
    counts["untiered"] = int(tiers["tier"].isna().sum())
    counts["changes"] = len(changed)
    counts["up"] = int((rank_after > rank_before).sum())
    counts["down"] = int((rank_after < rank_before).sum())
    counts["new"] = int(rank_before.isna().sum())
    counts["logged"] = len(changed) if has_log else 0
    counts["kept"] = int(tiers["kept"].sum())
    missing = [k for k in CRITERIA if k not in present]
    if missing:
        counts["missing_columns"] = missing
    if no_owner:
        counts["no_owner"] = no_owner

    change_table = pd.DataFrame({
        pick(lang, "客户名称", "Customer"): names.to_numpy(),
        pick(lang, "原级别", "From"): [p or "—" for p in prev],
        pick(lang, "新级别", "To"): changed["tier"].to_numpy(),
        pick(lang, "依据", "Reason"): changed["reason"].to_numpy(),
    })
    per_tier = pd.DataFrame({
        pick(lang, "级别", "Tier"): ["A", "B", "C", pick(lang, "不分级", "not tiered")],
        pick(lang, "客户数", "Customers"): [counts["A"], counts["B"], counts["C"], counts["untiered"]],
    })
    headline = _headline(counts, has_log, lang)
    if missing:
        headline += _missing_line(missing, lang)
    if no_owner:
        headline += pick(lang, f"；{len(no_owner)} 条分级记录没有负责人（{'、'.join(no_owner)}）",
                         f"; {len(no_owner)} tier-log rows have no owner ({', '.join(no_owner)})")
    summary = Summary(
        "tiers", headline, counts,
        [(pick(lang, "各级别客户数", "Customers per tier"), per_tier),
         (pick(lang, "级别变动", "Tier changes"), change_table)],
        warnings=(0 if has_log or not counts["changes"] else 1) + (1 if missing else 0) + len(no_owner),
    )
    columns = {"customers": {"tier": tiers["tier"], "tier_reason": tiers["reason"]}}
    return JobResult(summary, columns=columns, appends=appends)


def _missing_line(missing: list[str], lang: Lang) -> str:
    """The one summary line naming the columns the lead rules need (headers in the workbook language)."""
    need = pick(lang, "、", ", ").join(CUSTOMERS.column(k).header(lang) for k in CRITERIA)
    lacks = pick(lang, "、", ", ").join(CUSTOMERS.column(k).header(lang) for k in missing)
    return pick(lang, f"；分级规则需要客户信息表有 {need} 列（缺少 {lacks}），未成交客户保持现有级别",
                f"; the tier rules need the Customers columns {need} (missing: {lacks}), so leads keep their "
                "current tier")


def _headline(c: dict[str, Any], has_log: bool, lang: Lang) -> str:
    tiers = pick(lang, f"A 类 {c['A']}、B 类 {c['B']}、C 类 {c['C']}", f"A {c['A']}, B {c['B']}, C {c['C']}")
    if c["changes"]:
        moves = pick(lang, f"级别变动 {c['changes']} 个（升级 {c['up']}、降级 {c['down']}、首次分级 {c['new']}）",
                     f"{c['changes']} tier changes ({c['up']} up, {c['down']} down, {c['new']} new)")
    else:
        moves = pick(lang, "级别无变动", "no tier changes")
    text = pick(lang, f"{tiers}；{moves}", f"{tiers}; {moves}")
    if not has_log and c["changes"]:
        text += pick(lang, "；工作簿没有客户分级表，变动未记录",
                     "; the workbook has no Tier log sheet, so the changes were not logged")
    return text
