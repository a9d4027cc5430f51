"""Tier goals (toolkit step 3): an A lead signs within `a_sign_days` of becoming A, a B lead becomes A
within `b_upgrade_days` of becoming B.

Rules:

* The run of a tier starts at the first tier-log row giving the customer that tier after another one (a
  row repeating the tier continues the run; kernel/tierlog.stints). Only the run in force on the day looked
  at counts, and only when it is the tier the follow-up rules use (Customers.tier, when typed, must agree)
  and its first row is dated: an undated or computed tier sets no goal.
* Open customers only (won has signed; lost and paused are not chased). Days in the tier count calendar
  days from the run's start to the day looked at.
* A goal is missed once the days in the tier exceed its Setting: then it is an item on Today (days late =
  days in the tier − the Setting, due on start + the Setting) and its text ("A 级 5 天未签约",
  "B 级 20 天未升 A") is added to the customer's 跟进状态.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...model.frame import Frames
from ...model.settings import Settings
from ..kernel.tierlog import current_stints
from .words import words

GOAL_COLUMNS = ["goal", "goal_days", "goal_due"]
GOALS = {"A": "goal_sign", "B": "goal_upgrade"}


def tier_goals(frames: Frames, settings: Settings, st: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The missed tier goal of every state row (`st`: key, tier, status), same index: goal ('goal_sign',
    'goal_upgrade' or None), goal_days (days in the tier, 0 when no goal), goal_due (Timestamp; NaT)."""
    n = len(st)
    goal = np.full(n, None, dtype=object)
    days = np.zeros(n, dtype=np.int64)
    due = np.full(n, np.datetime64("NaT", "ns"))
    if frames.tierlog is not None and n:
        runs = current_stints(frames, as_of)
        at = runs.index.get_indexer(st["key"])
        found = at >= 0
        run_tier = np.full(n, None, dtype=object)
        start = np.full(n, np.datetime64("NaT", "ns"))
        run_tier[found] = runs["tier"].to_numpy()[at[found]]
        start[found] = runs["start"].to_numpy(dtype="datetime64[ns]")[at[found]]
        limit = st["tier"].map({"A": settings.a_sign_days, "B": settings.b_upgrade_days}).to_numpy()
        day = np.datetime64(pd.Timestamp(as_of), "ns")
        held = np.zeros(n, dtype=np.int64)
        known = ~np.isnat(start)
        held[known] = (day - start[known]) // np.timedelta64(1, "D")
        live = ((st["status"] == "open").to_numpy() & (run_tier == st["tier"].to_numpy()) & known
                & pd.notna(limit))
        missed = np.flatnonzero(live & (held > np.nan_to_num(limit.astype(float), nan=np.inf)))
        goal[missed] = st["tier"].to_numpy()[missed]
        goal[missed] = [GOALS[t] for t in goal[missed]]
        days[missed] = held[missed]
        due[missed] = start[missed] + limit[missed].astype("int64").astype("timedelta64[D]")
    return pd.DataFrame({"goal": goal, "goal_days": days, "goal_due": due}, index=st.index, columns=GOAL_COLUMNS)


def goal_text(goal: pd.Series, goal_days: pd.Series, lang: str) -> pd.Series:
    """The text of each missed goal ('' without one), in the workbook language."""
    w = words(lang)  # type: ignore[arg-type]
    out = np.full(len(goal), "", dtype=object)
    for i in np.flatnonzero(pd.notna(goal.to_numpy())):
        out[i] = w[goal.iat[i]].format(days=int(goal_days.iat[i]))
    return pd.Series(out, index=goal.index, dtype=object)
