"""The review's win-back table: how many lost customers signed again.

Rules:

* Lost customers: Customers rows (one per customer name) whose 流失日期 (Lost on) is on or before the month's
  last day — whatever their status now (a customer won back keeps its 流失日期 and is 已成交 again).
* Won back: those with a conversion dated after their 流失日期, up to the month's last day; in the month:
  that first conversion after the loss falls in the month.
* Win-back rate = won back ÷ lost customers (blank when there are none). A workbook without 流失日期 has no
  lost customers to count: the table says so.
"""

from __future__ import annotations

import pandas as pd

from ...model.i18n import pick
from ...model.layout import Table
from ..context import Context
from ..kernel.columns import parsed
from ..kernel.vectors import NS
from .figures import Month


def winback_rate(ctx: Context, month: Month) -> dict[str, int | float | None]:
    """{"lost": lost customers by the month's end, "back": of them signed again since, "in_month": first
    signed again in the month, "rate": back / lost (None when no one was lost)}."""
    f = ctx.frames
    last = month.end - pd.Timedelta(days=1)
    out: dict[str, int | float | None] = {"lost": 0, "back": 0, "in_month": 0, "rate": None}
    if f.customers is None:
        return out
    lost = pd.DataFrame({"key": parsed(f, "customers", "customer", "key"),
                         "on": parsed(f, "customers", "lost_on", "day").astype(NS)})
    lost = lost[(lost["key"] != "") & lost["on"].notna() & (lost["on"] <= last)]
    lost = lost.sort_values("on", kind="stable").drop_duplicates("key", keep="last")
    out["lost"] = len(lost)
    if lost.empty:
        return out
    if f.conversions is not None:
        conv = pd.DataFrame({"key": parsed(f, "conversions", "customer", "key"),
                             "day": parsed(f, "conversions", "date", "day").astype(NS)})
        conv = conv[conv["day"].notna() & (conv["day"] <= last)].merge(lost, on="key")
        first = conv[conv["day"] > conv["on"]].groupby("key")["day"].min()
        out["back"] = len(first)
        out["in_month"] = int((first >= month.start).sum())
    out["rate"] = out["back"] / out["lost"]  # type: ignore[operator]
    return out


def tables(ctx: Context, month: Month) -> list[Table]:
    """The win-back table, labelled in the workbook language."""
    lang = ctx.lang

    def t(hans: str, en: str) -> str:
        return pick(lang, hans, en)

    r = winback_rate(ctx, month)
    cols = [t("指标", "Figure"), t("客户数", "Customers"), t("占比", "Share")]
    rows = [[t("已流失客户（流失日期在月末前）", "Lost customers (lost by the month's end)"), r["lost"], None],
            [t("流失后重新签约（挽回）", "Signed again after being lost (won back)"), r["back"], r["rate"]],
            [t("其中本月重新签约", "of which signed again this month"), r["in_month"], None]]
    df = pd.DataFrame(rows, columns=cols, dtype=object)
    note = t("挽回率 = 流失日期在月末前的客户中，流失日期之后（至月末）有成交的占比；按客户名称计一次。",
             "Win-back rate = of the customers with a Lost on date by the month's end, the share with a "
             "conversion after that date (up to the month's end); each customer counted once.")
    if not r["lost"]:
        note += "\n" + t("没有填写流失日期的客户，无法计算挽回率。", "No customer has a Lost on date: no win-back rate.")
    return [Table(df, t("十三、流失挽回", "13. Win-back"), {cols[1]: "int", cols[2]: "pct"}, note=note,
                  name="win_back")]
