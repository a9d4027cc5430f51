"""Open complaints as Today items (the playbook: confirm within 30 minutes, a first solution within 12 hours).

Rules (Settings `complaint_confirm_minutes` 30, `complaint_solution_hours` 12), for each row of the
complaints sheet (kernel/service.py) naming a customer on Customers, lodged by the end of today and not
solved by then (解决时间 blank):

* a step is pending when it has no time yet (or one after today) and its limit — the complaint's time + 30
  minutes to confirm it, + 12 hours for a first solution — falls on or before today;
* a complaint with a pending step is one Today item for the complaint's 负责人 (else the customer's owner),
  naming each pending step and the moment its limit fell (`时限 21:20`, `时限 04-01 04:40`); due on the day of the earliest pending limit, days late counted like
  the follow-ups' (calendar or working days).
"""

from __future__ import annotations

import pandas as pd

from ...model.format import date_text
from ..context import Context
from ..kernel import service
from ..kernel.columns import parsed
from .churntasks import TASK_COLUMNS
from .rules import days_late
from .words import words

ITEM_COLUMNS = [*TASK_COLUMNS, "owner"]


def complaint_items(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """One row per open complaint with a pending step past (or at) its limit: code 'complaint', text,
    next_due, overdue_days, owner (the complaint's, '' when blank); indexed by the customer's Customers row."""
    empty = pd.DataFrame(columns=ITEM_COLUMNS, index=st.index[:0])
    table = service.complaints(ctx.frames)
    if table.empty or ctx.frames.customers is None:
        return empty
    s, w = ctx.settings, words(ctx.lang)
    day = pd.Timestamp(ctx.today)
    end = day + pd.Timedelta(days=1)  # (the limits falling today are due today)
    rows = parsed(ctx.frames, "customers", "customer", "key")
    first_row = pd.Series(rows.index, index=rows.to_numpy()).groupby(level=0).first()
    table = table[service.open_at(table, end - pd.Timedelta(microseconds=1)) & table["key"].isin(first_row.index)]
    limits = service.limits(s)
    pending = {k: ~(table[k] < end) & (table["complained"] + limit < end) for k, limit in limits.items()}
    table = table[pending["confirmed"] | pending["first_solution"]]
    if table.empty:
        return empty
    texts, dues = [], []
    for at, rec in table.iterrows():
        steps, due = [], None
        for k, limit in limits.items():
            if pending[k].at[at]:
                deadline = rec["complained"] + limit
                steps.append(w[f"complaint_{k}"].format(at=_deadline(deadline, rec["complained"])))
                due = deadline if due is None else min(due, deadline)
        texts.append(w["complaint_item"].format(day=_moment(rec["complained"], day), steps=w["complaint_sep"].join(steps)))
        dues.append(due.normalize())
    due = pd.Series(dues, index=table.index, dtype="datetime64[ns]")
    out = pd.DataFrame({"code": "complaint", "text": texts, "next_due": due,
                        "overdue_days": days_late(due, day, s.working_days), "owner": table["owner"].to_numpy()},
                       index=table.index, columns=ITEM_COLUMNS)
    out.index = pd.Index(first_row.reindex(table["key"].to_numpy()).to_numpy(), name=st.index.name)
    return out.sort_index(kind="stable")


def _moment(stamp: pd.Timestamp, today: pd.Timestamp) -> str:
    """When a complaint was lodged: `03-31 16:40` (with the year when not today's; no time at midnight)."""
    shown = f"{stamp:%m-%d}" if stamp.year == today.year else date_text(stamp.date())
    return shown if stamp == stamp.normalize() else f"{shown} {stamp:%H:%M}"


def _deadline(stamp: pd.Timestamp, since: pd.Timestamp) -> str:
    """A limit as short as it reads: `21:20` on the complaint's day, else `04-01 04:40` (with the year when
    that differs)."""
    if stamp.normalize() == since.normalize():
        return f"{stamp:%H:%M}"
    return f"{stamp:%m-%d %H:%M}" if stamp.year == since.year else f"{stamp:%Y-%m-%d %H:%M}"


__all__ = ["complaint_items", "ITEM_COLUMNS"]
