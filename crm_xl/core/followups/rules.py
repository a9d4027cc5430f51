"""Stale follow-ups, after-sale care and the Today worklist.

Rules (every number from Settings):

* Tier of a customer: the `tier` column of Customers when filled, else its latest tier-log row dated on
  or before the day looked at, else the tier the tier rules give it on that day (core/tiers; the status
  text then says the tier was computed, not logged), else C (the status text says it is not tiered).
* Status: the status column; without one, a customer named on a conversion is won (kernel/status.py).
* Follow-ups dated after the day looked at are ignored (validation reports future dates); dates with a
  time are compared by day; customer names match across sheets by `names.customer_key`.
* Open customers (a blank or unreadable status counts as open: better chased than forgotten): the next
  due date is the `next_date` of the latest follow-up when set (the rep's own plan wins, earlier or later
  than the cadence), else the last follow-up + `cadence(tier)`; with no follow-up at all, first contact +
  cadence, or today when there is no first contact either. Days overdue count calendar days, or working
  days (Mon–Fri) when `settings.working_days` (then an overdue customer is at least 1 day overdue, even
  on a weekend).
* Status precedence, first match wins: no follow-up yet > overdue > due today > over-contact > on track.
  A missed or due commitment is something to act on today, whereas over-contact describes contacts
  already made; so it never hides a due date, and every over-contact customer is also listed in the
  Today sheet's over-contact note whatever its status. Over-contact: more than `daily_contact_limit`
  follow-ups on one day within the last `contact_window_days` (7) days, or, for tier C, more than
  `c_weekly_limit` in those days up to today.
* Paused customers are not chased: status 暂停 / Paused, last follow-up shown, no due date.
* Won customers follow the after-sale schedule from their latest conversion date (day 0): thank-you
  within `thank_you_days`, check-in call within `check_in_days`, guide / value report within
  `guide_days` (these windows use working days too when set), then a satisfaction survey every
  `survey_days` calendar days after the previous survey (or the conversion). A step is done by a
  follow-up on or after the conversion date that matches it (see `STEP_PATTERNS`; a phone / visit / video
  follow-up after the conversion day counts as the check-in; 回访 is the check-in, never the survey: only
  调研 / 满意度 / 问卷 / survey / satisfaction / NPS / questionnaire count for the survey clock). The first step not done is the one due.
  Onboarding steps are chased only during the first survey period: past it, only the survey cycle is
  (an old account is not flagged forever for a thank-you nobody logged).
* Lost customers get blank columns.
* Tier goals (A signs, B reaches A in time): goals.py. Won accounts' maintenance rhythm: rhythm.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text
from ...model.frame import Frames
from ...model.settings import Settings
from ..kernel import service
from ..kernel.cells import object_frame
from ..kernel.columns import TEXT_KINDS, cell_kind, factorized, parsed, parsed_take
from ..kernel.memo import memo
from ..kernel.status import statuses
from ..kernel.tierlog import known_tiers
from ..kernel.timeline import Timeline, timeline
from ..kernel.vectors import dates, days_of, texts
from ..tiers.job import compute_tiers
from .goals import GOAL_COLUMNS, tier_goals
from .rhythm import DUE_COLUMNS, rhythm_due
from .rhythm import PATTERNS as RHYTHM_PATTERNS
from .words import words

# codes of follow_status (one per status; after-sale codes carry a step)
OPEN_CODES = ("no_followup", "overdue", "due_today", "over_contact", "ok")
AFTER_SALE_CODES = ("after_sale_overdue", "after_sale_today", "after_sale", "after_sale_unknown")
DUE_CODES = ("overdue", "due_today", "no_followup", "after_sale_overdue", "after_sale_today")
STEPS = ("thank_you", "check_in", "guide", "survey")

_ZH_STEP = {
    "thank_you": ["感谢", "致谢", "谢谢"],
    "check_in": ["回访"],
    "guide": ["指南", "手册", "报告", "培训"],
    "survey": ["调研", "满意度", "问卷"],  # not 回访: the check-in call is no survey
}
_EN_STEP = {
    "thank_you": ["thank"],
    "check_in": ["check-in", "check in", "checkin", "follow-up call"],
    "guide": ["guide", "manual", "report", "training", "onboarding"],
    "survey": ["survey", "satisfaction", "nps", "questionnaire"],
}
_CALL_METHOD = ["电话", "拜访", "视频", "phone", "call", "visit", "video"]


# The traditional forms of the words above (what i18n.to_hant gives; a test keeps them equal), written
# out so importing the core does not load the s2tw phrase dictionaries (about 24 MB).
HANT_WORDS = {
    "感谢": "感謝", "致谢": "致謝", "谢谢": "謝謝", "回访": "回訪", "手册": "手冊", "报告": "報告", "培训": "培訓",
    "调研": "調研", "满意度": "滿意度", "问卷": "問卷", "电话": "電話", "拜访": "拜訪", "视频": "視頻",
}


def _pattern(words_: list[str]) -> str:
    both = {w for word in words_ for w in (word, HANT_WORDS.get(word, word))}
    return "|".join(re.escape(w) for w in sorted(both, key=len, reverse=True))


STEP_PATTERNS: dict[str, str] = {step: _pattern(_ZH_STEP[step] + _EN_STEP[step]) for step in STEPS}
CALL_PATTERN = _pattern(_CALL_METHOD)

STATE_COLUMNS = [
    "customer", "key", "owner", "tier", "tier_from", "status", "code", "step", "last_follow_up", "next_due",
    "overdue_days", "todo", "over_contact", "week_count", "day_max", "feedback", "next_action", "contact",
    "phone", "goal", "goal_days", "goal_due", *DUE_COLUMNS,
]


def follow_state(frames: Frames, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """The follow-up state of every customer as of a day, indexed by the Customers Excel row.

    Columns: customer (as typed), key, owner (text, '' when blank), tier (A/B/C), status (open / won /
    lost / paused), code (see OPEN_CODES, AFTER_SALE_CODES, 'paused', 'lost'), step (after-sale step or
    None), last_follow_up and next_due (Timestamp or NaT), overdue_days (float; NaN when there is no due
    date), todo (on the Today list: due or overdue on `as_of`), over_contact (bool), week_count / day_max
    (follow-ups in the 7 days up to `as_of`, most on one day), feedback / next_action (of the latest
    follow-up), contact, phone, goal / goal_days / goal_due (the missed tier goal, goals.py), due_light /
    due_visit / due_needs_review / due_strategic (won accounts' maintenance, rhythm.py; NaT: none).
    """
    return _state(frames, settings, as_of, full=True)


def _state(frames: Frames, settings: Settings, as_of: dt.date, *, full: bool) -> pd.DataFrame:
    """`follow_state`; when not `full`, only customer, key, tier, status, code, step, last_follow_up,
    next_due, overdue_days and todo, and over-contact is not looked at (an over-contact customer's code
    is 'ok'): what `overdue_as_of` needs."""
    cust = frames.data("customers")
    day = pd.Timestamp(as_of)
    working = settings.working_days
    keys = parsed(frames, "customers", "customer", "key")
    st: dict[str, Any] = {"customer": cust["customer"].to_numpy(), "key": keys.to_numpy()}
    if full:
        st["owner"] = parsed(frames, "customers", "owner", "text").to_numpy()
    status = statuses(frames, as_of).fillna("open")
    tier, tier_from = _tiers(frames, settings, keys, status, as_of)
    st["tier"], st["tier_from"], st["status"] = tier.to_numpy(), tier_from, status.to_numpy()
    if full:
        st["contact"] = parsed(frames, "customers", "contact", "text").to_numpy()
        st["phone"] = parsed(frames, "customers", "phone", "text").to_numpy()

    line = timeline(frames)
    n = line.upto(day)
    last = line.latest(n)
    at = last[line.customers]  # each customer's latest follow-up (position in the timeline; -1: none)
    has_fu = at >= 0
    st["last_follow_up"] = _take(line.day, at, has_fu, NAT)
    latest = _Latest(frames, line, last, at, has_fu)
    planned = pd.Series(latest.values("next_date", dates, NAT), index=cust.index, dtype="datetime64[ns]")
    if full:
        for col in ("feedback", "next_action"):
            st[col] = latest.values(col, texts, "")
        _contacts(st, line, day, n, settings)
    else:
        st["over_contact"] = np.zeros(len(cust), dtype=bool)

    # open: due date and status
    cadence = tier.map({"A": settings.cadence_a, "B": settings.cadence_b, "C": settings.cadence_c})
    first = parsed(frames, "customers", "first_contact", "day")
    last_fu = pd.Series(st["last_follow_up"], index=cust.index, dtype="datetime64[ns]")
    due = planned.where(has_fu & planned.notna(), add_days(last_fu, cadence, working))
    due = due.where(has_fu, add_days(first, cadence, working).fillna(day))
    st["next_due"] = due.to_numpy(dtype="datetime64[ns]", copy=True)
    st["code"] = np.select([~has_fu, due < day, due == day, st["over_contact"]],
                           ["no_followup", "overdue", "due_today", "over_contact"], "ok").astype(object)
    st["step"] = np.full(len(cust), None, dtype=object)

    won = (status == "won").to_numpy()
    if full:
        for col in DUE_COLUMNS:
            st[col] = np.full(len(cust), NAT)
    if won.any():
        _after_sale(st, won, line, n, frames, settings, day, full)
    paused = (status == "paused").to_numpy()
    st["code"][paused] = "paused"
    st["next_due"][paused] = NAT
    lost = (status == "lost").to_numpy()
    st["code"][lost] = "lost"
    st["last_follow_up"][lost] = NAT
    st["next_due"][lost] = NAT
    next_due = pd.Series(st["next_due"], index=cust.index)
    st["overdue_days"] = days_late(next_due, day, working).to_numpy()
    st["todo"] = pd.Series(st["code"]).isin(DUE_CODES).to_numpy() & (st["next_due"] <= day.to_datetime64())
    columns = [c for c in STATE_COLUMNS if c in st]
    out = object_frame({c: st[c] for c in columns}, cust.index)
    if full:
        out[GOAL_COLUMNS] = tier_goals(frames, settings, out, as_of)
    return out


NAT = np.datetime64("NaT", "ns")


def _take(values: np.ndarray, at: np.ndarray, found: np.ndarray, missing: object) -> np.ndarray:
    """values[at] where `found`, else `missing`."""
    out = np.full(len(at), missing, dtype=values.dtype)
    out[found] = values[at[found]]
    return out


class _Latest:
    """The cells of each customer's latest follow-up (`last`: per key number, its position in the
    timeline; `at`: per customer row)."""

    def __init__(self, frames: Frames, line: Timeline, last: np.ndarray, at: np.ndarray, found: np.ndarray) -> None:
        self.frames, self.found = frames, found
        order = np.sort(last[last >= 0])  # every key's latest follow-up, in timeline order
        self.rows = line.row[order]
        self.where = np.searchsorted(order, at)

    def values(self, col: str, how: Any, missing: object) -> np.ndarray:
        """`how` of column `col` of each customer's latest follow-up (`missing` when it has none)."""
        return _take(parsed_take(self.frames, "followups", col, how, self.rows), self.where, self.found, missing)


def _tiers(frames: Frames, settings: Settings, keys: pd.Series, status: pd.Series, as_of: dt.date
           ) -> tuple[pd.Series, np.ndarray]:
    """Each customer's tier for its cadence and where it came from (per row: None — Customers.tier or the
    tier log; 'rules' — neither has one, so the tier rules computed it as of `as_of`; 'default' — no tier
    at all, C)."""
    tier = known_tiers(frames, keys, as_of)
    missing = tier.isna() & (status != "lost")
    if missing.any():
        present = set(frames.customers.cols) if frames.customers is not None else None
        rules = compute_tiers(frames.data("customers"), frames.data("conversions"), as_of, settings,
                              present=present)["tier"]
        tier = tier.where(~missing, rules)
    tier_from = np.where(missing & tier.notna(), "rules", np.where(missing, "default", None)).astype(object)
    return tier.fillna("C"), tier_from


def _contacts(st: dict[str, Any], line: Timeline, day: pd.Timestamp, n: int, settings: Settings) -> None:
    """week_count, day_max and over_contact: the follow-ups of each customer in the `contact_window_days`
    days up to `day`."""
    span = settings.contact_window_days
    lo = line.upto(day - pd.Timedelta(days=span))  # the follow-ups dated after that day and up to `day`
    codes = line.code[lo:n]
    week = np.bincount(codes, minlength=line.size)
    nth = (line.day[lo:n] - (day - pd.Timedelta(days=span - 1)).to_datetime64()) // np.timedelta64(1, "D")
    per_day = np.bincount(codes * span + nth, minlength=line.size * span).reshape(line.size, span)
    st["week_count"] = week[line.customers].astype(np.int64)
    st["day_max"] = per_day.max(axis=1, initial=0)[line.customers].astype(np.int64)
    st["over_contact"] = (st["day_max"] > settings.daily_contact_limit) | (
        (st["tier"] == "C") & (st["week_count"] > settings.c_weekly_limit))


def overdue_as_of(frames: Frames, settings: Settings, as_of: dt.date, *, full: bool = True) -> pd.DataFrame:
    """Customers overdue at the end of `as_of` (e.g. a month end): open customers past their due date
    (with or without a follow-up so far) and won customers past an after-sale step. Rows of
    `follow_state`, most overdue first (only the columns `_state` fills when not `full`)."""
    st = _state(frames, settings, as_of, full=full)
    late = st[st["code"].isin(("overdue", "no_followup", "after_sale_overdue")) & (st["overdue_days"] > 0)]
    return late.sort_values("overdue_days", ascending=False, kind="stable")


def add_days(start: pd.Series, n: pd.Series | int, working: bool) -> pd.Series:
    """`start` + n days (Series of Timestamps, NaT kept); working days (Mon–Fri) when `working`: a start
    on a weekend counts from the Friday before, so 1 working day after Saturday is Monday."""
    if not isinstance(n, pd.Series):
        n = pd.Series(n, index=start.index)
    if not working:
        return start + pd.to_timedelta(n.astype("int64"), unit="D")
    out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
    ok = start.notna()
    if ok.any():
        days = start[ok].to_numpy().astype("datetime64[D]")
        out[ok] = np.busday_offset(days, n[ok].to_numpy().astype("int64"), roll="backward").astype("datetime64[ns]")
    return out


def days_late(due: pd.Series, day: pd.Timestamp, working: bool) -> pd.Series:
    """Days past due as of `day` (0 when not late, NaN when there is no due date); working days when
    `working` (at least 1 once late)."""
    late = (day - due).dt.days.astype(float).clip(lower=0)
    if working:
        mask = due < day
        if mask.any():
            begin = (due[mask] + pd.Timedelta(days=1)).to_numpy().astype("datetime64[D]")
            end = np.datetime64(day.date() + dt.timedelta(days=1), "D")
            late[mask] = np.maximum(np.busday_count(begin, end), 1)
    return late


def status_text(st: pd.DataFrame, lang: str) -> pd.Series:
    """The follow_status text of every state row, in the workbook language ('' for lost)."""
    w = words(lang)  # type: ignore[arg-type]
    codes = st["code"].to_numpy()
    out = np.array([w.get(c, "") if c != "lost" else "" for c in codes], dtype=object)
    aft = np.flatnonzero(pd.Series(codes).isin(("after_sale", "after_sale_today", "after_sale_overdue")).to_numpy())
    texts: dict[tuple[str, str, pd.Timestamp], str] = {}  # (many share a step and a due day)
    for i, step, due in zip(aft, st["step"].to_numpy()[aft], st["next_due"].iloc[aft], strict=True):
        seen = (codes[i], step, due)
        if seen not in texts:
            texts[seen] = w[codes[i]].format(step=w[step], date=date_text(due.date()))
        out[i] = texts[seen]
    if "tier_from" in st.columns:  # a lead's cadence from a tier nobody logged: say so
        origin = st["tier_from"].to_numpy()
        for i in np.flatnonzero(pd.Series(codes).isin(OPEN_CODES).to_numpy() & pd.notna(origin)):
            out[i] += w[f"tier_{origin[i]}"].format(tier=st["tier"].iat[i])
    return pd.Series(out, index=st.index, dtype=object)


# --- pieces ---------------------------------------------------------------------------------------


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    """Case-insensitive regex search, run once per distinct text."""
    codes_, uniques = pd.factorize(text)
    found = pd.Series(uniques).str.contains(pattern, case=False, regex=True).to_numpy(dtype=bool)
    return pd.Series(found[codes_] if len(text) else [], index=text.index, dtype=bool)


def _step_marks(frames: Frames) -> pd.DataFrame:
    """Per follow-up row: whether `content + " " + method` mentions each after-sale step (STEP_PATTERNS)
    and each maintenance rhythm (rhythm.PATTERNS), and whether the method is a call / visit / video
    ("call"). Searched once per distinct text."""
    raw = frames.data("followups")
    if all(cell_kind(frames, "followups", col) in TEXT_KINDS for col in ("content", "method")):
        # cells are text or blank: the text of a row is fixed by its (content, method) pair
        c_codes, c_uniques = factorized(frames, "followups", "content")
        m_codes, m_uniques = factorized(frames, "followups", "method")
        contents, methods = np.append(c_uniques.astype(object), ""), np.append(m_uniques.astype(object), "")
        width = len(methods) + 1  # (codes + 1 ≥ 0: each pair one number, its codes read back from it)
        pairs, uniques = pd.factorize((c_codes.astype(np.int64) + 1) * width + (m_codes + 1), sort=False)
        content, method = contents[uniques // width - 1], methods[uniques % width - 1]  # (code -1 → "")
    else:
        pairs = np.arange(len(raw))
        content = raw["content"].fillna("").astype(str).to_numpy()
        method = raw["method"].fillna("").astype(str).to_numpy()
    text = pd.Series(content, dtype=object) + " " + pd.Series(method, dtype=object)
    marks = {step: _contains(text, STEP_PATTERNS[step]).to_numpy()[pairs] for step in STEPS}
    marks["call"] = _contains(pd.Series(method, dtype=object), CALL_PATTERN).to_numpy()[pairs]
    marks.update({k: _contains(text, p).to_numpy()[pairs] for k, p in RHYTHM_PATTERNS.items()})  # (rhythm.py)
    return pd.DataFrame(marks, index=raw.index)


def _after_sale(st: dict[str, Any], won: np.ndarray, line: Timeline, n: int, frames: Frames, settings: Settings,
                day: pd.Timestamp, full: bool) -> None:
    """Fill code / step / next_due of the won customers (rows `won`) in `st` (in place); when `full`, the
    maintenance rhythm's due days too (rhythm.py)."""
    conv = frames.data("conversions")
    cv = pd.DataFrame({"key": parsed(frames, "conversions", "customer", "key"),
                       "day": parsed(frames, "conversions", "date", "day")}, index=conv.index)
    cv = cv[(cv["key"] != "") & cv["day"].notna() & (cv["day"] <= day)]
    last_conversion = cv.groupby("key")["day"].max()
    start = days_of(pd.Series(st["key"][won], dtype=object), last_conversion)
    numbers = line.customers[won]
    since = np.full(line.size, NAT)  # per key number: the won customer's last conversion (NaT: none)
    since[numbers] = start.to_numpy()
    done = _steps_done(frames, line, n, since)
    done = {step: last[numbers] for step, last in done.items()}
    if service.has_surveys(frames):  # a survey row (or a follow-up's NPS score) is the survey step too
        keys = pd.Series(st["key"][won], dtype=object)
        done["survey"] = np.fmax(done["survey"], service.surveyed_since(frames, keys, start, day))

    working = settings.working_days
    ones = pd.Series(1, index=start.index)
    deadline = {
        "thank_you": add_days(start, ones * settings.thank_you_days, working),
        "check_in": add_days(start, ones * settings.check_in_days, working),
        "guide": add_days(start, ones * settings.guide_days, working),
    }
    last_survey = pd.Series(done["survey"], index=start.index, dtype="datetime64[ns]")
    deadline["survey"] = last_survey.fillna(start) + pd.Timedelta(days=settings.survey_days)
    onboarding = (day < start + pd.Timedelta(days=settings.survey_days)).to_numpy()
    step = np.select([onboarding & np.isnat(done[s]) for s in STEPS[:3]], STEPS[:3], "survey")
    due = np.select([step == s for s in STEPS], [deadline[s].to_numpy(dtype="datetime64[ns]") for s in STEPS], NAT)
    code = np.select([start.isna().to_numpy(), due < day.to_datetime64(), due == day.to_datetime64()],
                     ["after_sale_unknown", "after_sale_overdue", "after_sale_today"], "after_sale")
    known = start.notna().to_numpy()
    st["code"][won] = code.astype(object)
    st["step"][won] = np.where(known, step.astype(object), None)
    st["next_due"][won] = np.where(known, due, NAT)
    if full:
        rhythm_due(st, won, line, n, _marks(frames), settings, since, start, step)


def _steps_done(frames: Frames, line: Timeline, n: int, since: np.ndarray) -> dict[str, np.ndarray]:
    """Per key number, the latest day each after-sale step was done (NaT: never) by the first `n` follow-ups
    of the timeline: those on or after the customer's conversion day `since` (per key number) that match the
    step (STEP_PATTERNS; a call after the conversion day is a check-in)."""
    at = np.flatnonzero(~np.isnat(since[line.code[:n]]))
    start, days = since[line.code[at]], line.day[at]
    after = days >= start
    at, start, days = at[after], start[after], days[after]
    marks = _marks(frames)
    rows = line.row[at]
    hits = {step: marks[step].to_numpy()[rows] for step in STEPS}
    hits["check_in"] = hits["check_in"] | (marks["call"].to_numpy()[rows] & (days > start))
    codes = line.code[at]
    return {step: line.latest_day(codes[hit], days[hit]) for step, hit in hits.items()}


def _marks(frames: Frames) -> pd.DataFrame:
    """`_step_marks`, computed once per run while content and method are unchanged (only read)."""
    return memo(frames, {"followups": ("content", "method")}, ("step_marks",), lambda: _step_marks(frames),
                copy=False)
