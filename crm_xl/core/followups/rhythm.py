"""Signed accounts' rhythm (the playbook's maintenance): after onboarding, a won account is kept in touch
monthly, visited quarterly, its needs reviewed half-yearly, and an A account gets a quarterly strategic talk.

Rules (Settings: `cadence_won` 30 = the light touch, `visit_days` 90, `needs_review_days` 180,
`strategic_days` 90):

* Won accounts with a known conversion day whose onboarding is over (the after-sale step due is the
  survey: the onboarding steps are done or the first survey period has passed; rules.py).
* Each rhythm's clock is its latest matching follow-up on or after the latest conversion day, else that
  day; it is due `cadence` calendar days later. Any follow-up is a light touch; 拜访 / visit (method or
  content) a visit; 需求复盘 / 需求回顾 / needs review a needs review; 战略 / strategic a strategic talk
  (tier A accounts only).
* A rhythm due on or before the day looked at is an item on Today (维护逾期：季度拜访, 维护今日到期：月度联系);
  the follow-up status keeps the after-sale step.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ...model.settings import Settings
from ..kernel.timeline import Timeline

RHYTHMS = ("light", "visit", "needs_review", "strategic")
_WORDS = {
    "visit": ["拜访", "拜訪", "visit"],
    "needs_review": ["需求复盘", "需求復盤", "需求回顾", "需求回顧", "needs review", "needs-review"],
    "strategic": ["战略", "戰略", "strategic", "strategy"],
}
PATTERNS = {k: "|".join(re.escape(w) for w in sorted(v, key=len, reverse=True)) for k, v in _WORDS.items()}
DUE_COLUMNS = [f"due_{r}" for r in RHYTHMS]
NAT = np.datetime64("NaT", "ns")


def cadences(settings: Settings) -> dict[str, int]:
    """Days between two contacts of each rhythm."""
    return {"light": settings.cadence_won, "visit": settings.visit_days,
            "needs_review": settings.needs_review_days, "strategic": settings.strategic_days}


def rhythm_due(st: dict[str, Any], won: np.ndarray, line: Timeline, n: int, marks: pd.DataFrame,
               settings: Settings, since: np.ndarray, start: pd.Series, step: np.ndarray) -> None:
    """Fill the due_* columns of `st` (NaT where a rhythm does not apply) for the won rows `won`: `marks`
    per follow-up row whether it names each rhythm (a column per PATTERNS key), `since` each key number's
    conversion day, `start` / `step` those of the won rows (in order)."""
    size = len(st["key"])
    for col in DUE_COLUMNS:
        st[col] = np.full(size, NAT)
    numbers = line.customers[won]
    live = (step == "survey") & start.notna().to_numpy()
    if not live.any():
        return
    at = np.flatnonzero(~np.isnat(since[line.code[:n]]))
    days = line.day[at]
    after = days >= since[line.code[at]]
    at, days = at[after], days[after]
    codes = line.code[at]
    rows = line.row[at]
    hits = {"light": np.ones(len(at), dtype=bool), **{k: marks[k].to_numpy()[rows] for k in PATTERNS}}
    begin = start.to_numpy(dtype="datetime64[ns]")
    is_a = st["tier"][won] == "A"
    for rhythm, every in cadences(settings).items():
        last = line.latest_day(codes[hits[rhythm]], days[hits[rhythm]])[numbers]
        clock = np.where(np.isnat(last), begin, last)
        due = clock + np.timedelta64(every, "D").astype("timedelta64[ns]")
        ok = live & (is_a if rhythm == "strategic" else True)
        col = st[f"due_{rhythm}"]
        col[np.flatnonzero(won)[ok]] = due[ok]
