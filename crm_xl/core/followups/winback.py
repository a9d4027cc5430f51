"""Win-back of lost customers (the lifecycle strategy: win back the customers already lost): a lost
customer is contacted again some days after it was lost, and shows on Today as 挽回 when that day comes.

Rules (Settings: `winback_days` 90, the list `winback_reasons` of `lost reason: days`, e.g. 价格异议：60):

* Customers whose status is lost (已流失 / 流失 / 未成交 / Lost) and whose 流失日期 (Lost on) is filled; a lost
  customer without that date gets no win-back item (nothing to count from).
* Re-contact day = 流失日期 + the days of the first list item naming its 未成交原因 (the same reason, in any
  language the default lists know, or a reason containing the item's text: 价格 matches 价格异议), else
  `winback_days`.
* The item is on Today from the re-contact day until a follow-up dated on or after it is logged; days late
  count from the re-contact day (calendar or working days, as the follow-ups').
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...model.i18n import fold
from ...model.settings import Settings
from ..context import Context
from ..kernel.columns import parsed
from ..kernel.timeline import timeline
from ..kernel.vectors import NS
from .churntasks import TASK_COLUMNS
from .rules import days_late
from .words import words


def reason_days(reasons: pd.Series, settings: Settings) -> pd.Series:
    """Days from 流失日期 to the re-contact day for each lost reason text ('' or None: the default)."""
    pairs = settings.reason_days()
    if not pairs:
        return pd.Series(settings.winback_days, index=reasons.index, dtype="int64")
    team = settings.matcher("lost_reasons")
    items = [(fold(name), team(name), days) for name, days in pairs]

    def days_of(text: object) -> int:
        if text is None or text == "" or text != text:
            return settings.winback_days
        said = fold(str(text))
        own = team(str(text))
        for name, item, days in items:
            if said == name or (own is not None and own == item) or name in said:
                return days
        return settings.winback_days

    codes, uniques = pd.factorize(reasons.astype(object), use_na_sentinel=True)
    table = np.array([days_of(u) for u in uniques] + [settings.winback_days], dtype=np.int64)
    return pd.Series(table[codes], index=reasons.index, dtype="int64")


def winback_tasks(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The lost customers due a win-back contact (TASK_COLUMNS, code 'winback'; same index as `st`)."""
    empty = pd.DataFrame(columns=TASK_COLUMNS, index=st.index[:0])
    lost = (st["status"] == "lost").to_numpy()
    if not lost.any():
        return empty
    f, s = ctx.frames, ctx.settings
    day = pd.Timestamp(ctx.today)
    lost_on = parsed(f, "customers", "lost_on", "day").astype(NS)
    rows = np.flatnonzero(lost & lost_on.notna().to_numpy() & (lost_on <= day).to_numpy())
    if not len(rows):
        return empty
    reason = parsed(f, "customers", "lost_reason", "text").iloc[rows]
    since = lost_on.iloc[rows]
    due = since + pd.to_timedelta(reason_days(reason, s).to_numpy(), unit="D")
    line = timeline(f)
    n = line.upto(day)
    numbers = line.customers[rows]
    lost_keys = np.zeros(line.size, dtype=bool)
    lost_keys[numbers] = True
    mine = lost_keys[line.code[:n]]  # (np.isin's result, by lookup)
    last = line.latest_day(line.code[:n][mine], line.day[:n][mine])[numbers]
    keep = ((due <= day).to_numpy() & ~(last >= due.to_numpy(dtype=NS)))
    if not keep.any():
        return empty
    due, since, reason = due[keep], since[keep], reason[keep]
    w = words(ctx.lang)
    gone = (day - since).dt.days.to_numpy()
    text = [w["winback_item"].format(days=int(d)) + (w["winback_reason"].format(reason=r) if r else "")
            for d, r in zip(gone, reason.fillna(""), strict=True)]
    return pd.DataFrame({"code": "winback", "text": pd.Series(text, index=due.index, dtype=object),
                         "next_due": due, "overdue_days": days_late(due, day, s.working_days)},
                        index=due.index, columns=TASK_COLUMNS)
