"""Greetings (toolkit step 4, the playbook's birthday and holiday care): a contact's birthday, the
partnership's anniversary and the team's holidays, listed on Today a few days ahead.

Rules (Settings: `greeting_days` 3, the list `holidays` of `name: date`):

* Open and won customers only (not lost, not paused). Optional Customers columns 联系人生日 (Contact
  birthday) and 合作周年日 (Partnership anniversary, the day the partnership began); a workbook without
  them gets no birthday or anniversary items.
* A birthday or anniversary is due on its next month-day on or after today (29 February: the 28th in other
  years); an anniversary counts from its first year (合作 1 周年 a year after the day). Listed when due
  within `greeting_days` days (0: on the day itself).
* Holidays: every list day within those days gives each won account, and each open tier A lead, an item.
* A greeting is never late: it leaves Today once its day has passed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...model.format import date_text
from ..context import Context
from ..kernel.columns import parsed
from ..kernel.vectors import NS, stamps
from .churntasks import TASK_COLUMNS
from .words import words


def _next_day(month: int, day: int, today: dt.date) -> dt.date:
    """The next `month`/`day` on or after `today` (29 Feb → 28 Feb in a common year)."""
    for year in (today.year, today.year + 1):
        try:
            when = dt.date(year, month, day)
        except ValueError:  # 29 February
            when = dt.date(year, month, day - 1)
        if when >= today:
            return when
    raise AssertionError("unreachable")


def _yearly(dates: pd.Series, today: dt.date, ahead: int) -> tuple[np.ndarray, list[dt.date], list[int]]:
    """(positions, next day, years since) of the dates whose next month-day falls within `ahead` days."""
    known = np.flatnonzero(dates.notna().to_numpy())
    if not len(known):
        return known, [], []
    values = dates.iloc[known]
    pairs, uniques = pd.factorize(values.dt.month * 100 + values.dt.day)
    nxt = [_next_day(int(u) // 100, int(u) % 100, today) for u in uniques]
    soon = np.array([(n - today).days <= ahead for n in nxt], dtype=bool)
    hit = soon[pairs]
    at = known[hit]
    days = [nxt[p] for p in pairs[hit]]
    years = [d.year - y for d, y in zip(days, values.dt.year.to_numpy()[hit], strict=True)]
    return at, days, years


def greeting_items(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The greetings due within `greeting_days` (TASK_COLUMNS, code 'greeting'; index of `st`)."""
    f, s = ctx.frames, ctx.settings
    today, ahead = ctx.today, s.greeting_days
    w = words(ctx.lang)
    frame = f.customers
    status = st["status"].to_numpy()
    live = np.isin(status, ("open", "won"))
    rows: list[int] = []
    texts: list[str] = []
    due: list[dt.date] = []

    def when(day: dt.date) -> str:
        n = (day - today).days
        return w["greet_today"] if n == 0 else w["greet_in"].format(n=n)

    for col in ("contact_birthday", "anniversary"):
        if frame is None or not frame.has(col):
            continue
        dates = parsed(f, "customers", col, "day").astype(NS)
        at, days, years = _yearly(dates, today, ahead)
        for i, day, age in zip(at, days, years, strict=True):
            if not live[i] or (col == "anniversary" and age < 1):
                continue
            what = w["greet_birthday"] if col == "contact_birthday" else w["greet_anniversary"].format(n=age)
            rows.append(int(i))
            texts.append(w["greet_item"].format(what=what, date=date_text(day), when=when(day)))
            due.append(day)
    holidays = [(name, day) for name, day in s.holiday_dates() if 0 <= (day - today).days <= ahead]
    if holidays:
        guests = np.flatnonzero((status == "won") | ((status == "open") & (st["tier"].to_numpy() == "A")))
        for name, day in holidays:
            text = w["greet_item"].format(what=name, date=date_text(day), when=when(day))
            rows += guests.tolist()
            texts += [text] * len(guests)
            due += [day] * len(guests)
    if not rows:
        return pd.DataFrame(columns=TASK_COLUMNS, index=st.index[:0])
    index = st.index[np.array(rows, dtype=np.int64)]
    return pd.DataFrame({"code": "greeting", "text": pd.Series(texts, index=index, dtype=object),
                         "next_due": stamps(pd.Series(due, index=index, dtype=object)),
                         "overdue_days": 0.0}, index=index, columns=TASK_COLUMNS)
