"""The review's tier-goal tables: how long tiers last (A → signed, B → A) and the monthly C screening.

Rules (Settings: `a_sign_days` 3, `b_upgrade_days` 14, `c_screen_days` 30, `b_close_days` 90):

* Runs of a tier come from the tier log (kernel/tierlog.stints; undated runs are left out).
* A → signed: each conversion dated in the month whose customer's latest run started on or before that day
  is an A run: days from the run's start to the conversion; the table gives their median.
* A signed in time: A runs whose goal day (start + `a_sign_days`) falls in the month; share with a
  conversion from the run's start up to the goal day.
* B → A in time: B runs whose goal day (start + `b_upgrade_days`) falls in the month; share followed by
  an A run starting by the goal day.
* C screening: customers open and tier C (Customers.tier or the tier log) at month end with a positive
  follow-up feedback (`POSITIVE`, not `NEGATIVE`) dated within `c_screen_days` up to the month's last
  day, or an expected close date within `b_close_days` after it: candidates to move to B.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...model.i18n import pick
from ...model.layout import Table
from ...model.settings import Settings
from ..context import Context
from ..kernel.columns import parsed
from ..kernel.status import statuses
from ..kernel.tierlog import known_tiers, stints
from ..kernel.vectors import NS, day_objects, days_of
from .figures import Month

_POSITIVE = ["感兴趣", "有兴趣", "有意向", "意向强", "认可", "满意", "积极", "同意", "愿意", "要报价", "想要",
             "interested", "positive", "keen", "agreed", "likes", "wants"]
_NEGATIVE = ["不感兴趣", "没兴趣", "没有兴趣", "无意向", "没有意向", "不满意", "不认可", "不同意", "不愿意", "不需要",
             "not interested", "no interest", "not keen", "declined", "disagree"]
# traditional forms, written out (importing the core does not load the s2tw dictionaries)
_HANT = {"感兴趣": "感興趣", "有兴趣": "有興趣", "意向强": "意向強", "认可": "認可", "满意": "滿意", "积极": "積極",
         "愿意": "願意", "要报价": "要報價", "不感兴趣": "不感興趣", "没兴趣": "沒興趣", "没有兴趣": "沒有興趣",
         "无意向": "無意向", "没有意向": "沒有意向", "不满意": "不滿意", "不认可": "不認可", "不愿意": "不願意"}


def _pattern(words: list[str]) -> str:
    both = {x for w in words for x in (w, _HANT.get(w, w))}
    return "|".join(re.escape(w) for w in sorted(both, key=len, reverse=True))


POSITIVE, NEGATIVE = _pattern(_POSITIVE), _pattern(_NEGATIVE)


def positive(feedback: pd.Series) -> pd.Series:
    """Whether each feedback text is positive (a positive word and no negative one; case-insensitive)."""
    text = feedback.fillna("").astype(str)
    codes, uniques = pd.factorize(text)
    u = pd.Series(uniques, dtype=object)
    ok = (u.str.contains(POSITIVE, case=False, regex=True) & ~u.str.contains(NEGATIVE, case=False, regex=True))
    return pd.Series(ok.to_numpy(dtype=bool)[codes] if len(text) else [], index=feedback.index, dtype=bool)


def dwell(ctx: Context, month: Month) -> dict[str, tuple[int, float | None, float | None]]:
    """Per figure ('a_sign_days', 'a_in_time', 'b_in_time'): (customers counted, median days, share)."""
    s: Settings = ctx.settings
    f = ctx.frames
    runs = stints(f) if f.tierlog is not None else pd.DataFrame(columns=["key", "tier", "start", "end"])
    runs = runs[runs["start"].notna()]
    conv = pd.DataFrame({"key": parsed(f, "conversions", "customer", "key"),
                         "day": parsed(f, "conversions", "date", "day")}) if f.conversions is not None else \
        pd.DataFrame({"key": pd.Series(dtype=object), "day": pd.Series(dtype=NS)})
    conv = conv[(conv["key"] != "") & conv["day"].notna()].sort_values("day", kind="stable")
    start = runs["start"].astype(NS)

    # A → signed: conversions in the month after an A run
    month_conv = conv[(conv["day"] >= month.start) & (conv["day"] < month.end)]
    at = pd.merge_asof(month_conv.reset_index(drop=True), runs.assign(start=start).sort_values("start"),
                       left_on="day", right_on="start", by="key", direction="backward") if len(runs) else \
        month_conv.assign(tier=None, start=pd.NaT)
    a_days = (at["day"] - at["start"]).dt.days[at["tier"] == "A"] if len(at) else pd.Series(dtype=float)
    out: dict[str, tuple[int, float | None, float | None]] = {
        "a_sign_days": (len(a_days), float(a_days.median()) if len(a_days) else None, None)}

    def in_time(tier: str, days: int, reached: pd.DataFrame) -> tuple[int, float | None, float | None]:
        goal = start + pd.Timedelta(days=days)
        due = runs[(runs["tier"] == tier) & (goal >= month.start) & (goal < month.end)]
        if due.empty:
            return 0, None, None
        lo, hi = due["start"].astype(NS), goal[due.index]
        hit = due[["key"]].assign(lo=lo, hi=hi).reset_index().merge(reached, on="key")
        ok = hit[(hit["when"] >= hit["lo"]) & (hit["when"] <= hit["hi"])]["index"].unique()
        return len(due), None, len(ok) / len(due)

    out["a_in_time"] = in_time("A", s.a_sign_days, conv.rename(columns={"day": "when"}))
    a_runs = runs[runs["tier"] == "A"][["key"]].assign(when=start[runs["tier"] == "A"])
    out["b_in_time"] = in_time("B", s.b_upgrade_days, a_runs)
    return out


SCREEN_COLUMNS = ["row", "customer", "owner", "feedback", "feedback_day", "expected_close"]


def c_screening(ctx: Context, month: Month) -> pd.DataFrame:
    """The C leads worth moving to B (see the module's rules), expected close first then latest feedback."""
    f = ctx.frames
    if f.customers is None:
        return pd.DataFrame(columns=SCREEN_COLUMNS)
    s = ctx.settings
    last = month.end - pd.Timedelta(days=1)
    keys = parsed(f, "customers", "customer", "key")
    tier = known_tiers(f, keys, last.date())
    status = statuses(f, last.date())
    lead = (keys != "") & (tier == "C") & (status.isna() | (status == "open"))
    close = parsed(f, "customers", "expected_close", "day")
    coming = close.notna() & (close > last) & (close <= last + pd.Timedelta(days=s.b_close_days))
    fb_text = pd.Series("", index=keys.index, dtype=object)
    fb_day = pd.Series(pd.NaT, index=keys.index, dtype=NS)
    if f.followups is not None and lead.any():
        fu = pd.DataFrame({"key": parsed(f, "followups", "customer", "key"),
                           "day": parsed(f, "followups", "date", "day"),
                           "feedback": parsed(f, "followups", "feedback", "text"),
                           "said": f.data("followups")["feedback"]})
        recent = fu[(fu["day"] > last - pd.Timedelta(days=s.c_screen_days)) & (fu["day"] <= last)
                    & fu["key"].isin(set(keys[lead]))]
        good = recent[positive(recent["feedback"])].sort_values("day", kind="stable").drop_duplicates("key", keep="last")
        good = good.set_index("key")
        fb_text = keys.map(good["said"].map(_text)).astype(object).fillna("")  # (as typed)
        fb_day = days_of(keys, good["day"])
    pick = lead & (coming | fb_day.notna())
    rows = pd.DataFrame({
        "row": keys.index, "customer": f.data("customers")["customer"], "owner": parsed(f, "customers", "owner", "text"),
        "feedback": fb_text, "feedback_day": fb_day, "expected_close": close.where(coming),
    }, columns=SCREEN_COLUMNS)[pick.to_numpy()]
    order = np.lexsort((rows["row"].to_numpy(), -rows["feedback_day"].fillna(pd.Timestamp(0)).astype("int64").to_numpy(),
                        rows["expected_close"].fillna(pd.Timestamp.max).astype("int64").to_numpy()))
    return rows.iloc[order]


def tables(ctx: Context, month: Month) -> list[Table]:
    """The tier-goal table and the C screening list, labelled in the workbook language."""
    lang, s = ctx.lang, ctx.settings

    def t(hans: str, en: str) -> str:
        return pick(lang, hans, en)

    d = dwell(ctx, month)
    cols = [t("指标", "Figure"), t("客户数", "Customers"), t("中位天数", "Median days"), t("达成率", "Share")]
    names = {
        "a_sign_days": t("A 级到签约（本月签约）", "Tier A to signing (signed this month)"),
        "a_in_time": t(f"A 级 {s.a_sign_days} 天内签约（期限在本月）",
                       f"Tier A signed within {s.a_sign_days} days (due this month)"),
        "b_in_time": t(f"B 级 {s.b_upgrade_days} 天内升 A（期限在本月）",
                       f"Tier B reaching A within {s.b_upgrade_days} days (due this month)"),
    }
    df = pd.DataFrame([[names[k], n, med, share] for k, (n, med, share) in d.items()], columns=cols, dtype=object)
    note = t("按客户分级表中有日期的级别记录：A 级到签约 = 本月每笔成交距该客户当时 A 级开始的天数（成交前最近一段为 A 级）；\n"
             f"A 级 {s.a_sign_days} 天内签约 = 成为 A 级满 {s.a_sign_days} 天之日在本月的客户中，期间有成交的占比；"
             f"B 级 {s.b_upgrade_days} 天内升 A = 成为 B 级满 {s.b_upgrade_days} 天之日在本月的客户中，期间升为 A 级的占比。",
             "From the dated tier-log rows: tier A to signing = days from the start of the customer's A tier to each "
             "conversion in the month (its latest tier before the conversion being A);\n"
             f"signed within {s.a_sign_days} days = of the A leads whose {s.a_sign_days}-day goal fell in the month, "
             f"the share with a conversion by then; reaching A within {s.b_upgrade_days} days = of the B leads whose "
             f"{s.b_upgrade_days}-day goal fell in the month, the share that became A by then.")
    dwell_table = Table(df, t("十一、级别目标", "11. Tier goals"),
                        {cols[1]: "int", cols[2]: "int", cols[3]: "pct"}, note=note, name="tier_goals")

    sc = c_screening(ctx, month)
    scols = [t("客户名称", "Customer"), t("负责人", "Owner"), t("正面反馈", "Positive feedback"),
             t("反馈日期", "Feedback on"), t("预计成交日期", "Expected close")]
    sdf = pd.DataFrame({scols[0]: sc["customer"].map(_text).to_numpy(), scols[1]: sc["owner"].to_numpy(),
                        scols[2]: sc["feedback"].to_numpy(), scols[3]: day_objects(sc["feedback_day"]).to_numpy(),
                        scols[4]: day_objects(sc["expected_close"]).to_numpy()}, columns=scols)
    frame = ctx.frames.customers
    links = frame.cells(sc["row"], "customer") if frame is not None and len(sc) else []
    snote = t(f"月末为 C 级、跟进中的客户：近 {s.c_screen_days} 天有正面反馈（如 感兴趣、有意向、认可），"
              f"或预计成交日期在月末后 {s.b_close_days} 天内。逐一复核，合适的升为 B 级。",
              f"Open tier C leads at month end with positive feedback (interested, agreed …) in the last "
              f"{s.c_screen_days} days, or an expected close within {s.b_close_days} days after the month end. "
              "Review each; move the right ones to B.")
    screen = Table(sdf, t("十二、C 级筛选（可升 B）", "12. Tier C screening (candidates for B)"),
                   {scols[3]: "date", scols[4]: "date"}, links={scols[0]: links} if links else {}, note=snote,
                   name="c_screening", empty_text=t("没有符合条件的 C 级客户", "No tier C lead qualifies"))
    return [dwell_table, screen]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
