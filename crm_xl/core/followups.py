"""Stale follow-ups, after-sale care and the Today worklist.

Rules (every number from Settings):

* Tier of a customer: the `tier` column of Customers when filled, else its latest tier-log row dated on
  or before the day looked at, else C.
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
  follow-ups on one day within the last 7 days, or, for tier C, more than `c_weekly_limit` in the 7 days
  up to today.
* Paused customers are not chased: status 暂停 / Paused, last follow-up shown, no due date.
* Won customers follow the after-sale schedule from their latest conversion date (day 0): thank-you
  within `thank_you_days`, check-in call within `check_in_days`, guide / value report within
  `guide_days` (these windows use working days too when set), then a satisfaction survey every
  `survey_days` calendar days after the previous survey (or the conversion). A step is done by a
  follow-up on or after the conversion date that matches it (see `STEP_PATTERNS`; a phone / visit / video
  follow-up after the conversion day counts as the check-in). The first step not done is the one due.
  Onboarding steps are chased only during the first survey period: past it, only the survey cycle is
  (an old account is not flagged forever for a thank-you nobody logged).
* Lost customers get blank columns.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..frame import Frames
from ..result import JobResult
from ..settings import Settings
from .columns import TEXT_KINDS, cell_kind, factorized, parsed, parsed_at
from .context import Context
from .followup_words import words
from .memo import memo
from .nogc import without_gc
from .tierlog import tiers_on
from .vectors import dates, texts

# codes of follow_status (one per status; after-sale codes carry a step)
OPEN_CODES = ("no_followup", "overdue", "due_today", "over_contact", "ok")
AFTER_SALE_CODES = ("after_sale_overdue", "after_sale_today", "after_sale", "after_sale_unknown")
DUE_CODES = ("overdue", "due_today", "no_followup", "after_sale_overdue", "after_sale_today")
STEPS = ("thank_you", "check_in", "guide", "survey")

_ZH_STEP = {
    "thank_you": ["感谢", "致谢", "谢谢"],
    "check_in": ["回访"],
    "guide": ["指南", "手册", "报告", "培训"],
    "survey": ["调研", "回访", "满意度", "问卷"],
}
_EN_STEP = {
    "thank_you": ["thank"],
    "check_in": ["check-in", "check in", "checkin", "follow-up call"],
    "guide": ["guide", "manual", "report", "training", "onboarding"],
    "survey": ["survey", "satisfaction", "nps", "questionnaire"],
}
_CALL_METHOD = ["电话", "拜访", "视频", "phone", "call", "visit", "video"]


# The traditional forms of the words above (what i18n.to_hant gives; a test keeps them equal), written
# out so importing the core does not load OpenCC's phrase dictionaries (~40 MB).
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
    "customer", "key", "owner", "tier", "status", "code", "step", "last_follow_up", "next_due",
    "overdue_days", "todo", "over_contact", "week_count", "day_max", "feedback", "next_action", "contact",
    "phone",
]


def follow_state(frames: Frames, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """The follow-up state of every customer as of a day, indexed by the Customers Excel row.

    Columns: customer (as typed), key, owner (text, '' when blank), tier (A/B/C), status (open / won /
    lost / paused), code (see OPEN_CODES, AFTER_SALE_CODES, 'paused', 'lost'), step (after-sale step or
    None), last_follow_up and next_due (Timestamp or NaT), overdue_days (float; NaN when there is no due
    date), todo (on the Today list: due or overdue on `as_of`), over_contact (bool), week_count / day_max
    (follow-ups in the 7 days up to `as_of`, most on one day), feedback / next_action (of the latest
    follow-up), contact, phone.
    """
    return _state(frames, settings, as_of, full=True)


def _state(frames: Frames, settings: Settings, as_of: dt.date, *, full: bool) -> pd.DataFrame:
    """`follow_state`; when not `full`, only customer, key, tier, status, code, step, last_follow_up,
    next_due, overdue_days and todo, and over-contact is not looked at (an over-contact customer's code
    is 'ok'): what `overdue_as_of` needs."""
    cust = frames.data("customers")
    day = pd.Timestamp(as_of)
    working = settings.working_days
    st = pd.DataFrame(index=cust.index)
    st["customer"] = cust["customer"]
    st["key"] = parsed(frames, "customers", "customer", "key")
    if full:
        st["owner"] = parsed(frames, "customers", "owner", "text")
    st["tier"] = tiers_on(frames, st["key"], as_of)
    st["status"] = parsed(frames, "customers", "status", "status").fillna("open")
    if full:
        st["contact"] = parsed(frames, "customers", "contact", "text")
        st["phone"] = parsed(frames, "customers", "phone", "text")

    fu = _followups(frames, day)
    latest = fu.drop_duplicates("key", keep="last")
    # each customer's latest follow-up by position in `latest` (-1: none), looked up once for every column
    at = pd.Index(latest["key"].to_numpy()).get_indexer(st["key"].to_numpy())
    none = at < 0
    seq = pd.Index(latest["seq"].to_numpy())
    st["last_follow_up"] = _take(latest["day"].to_numpy(), at, none, np.datetime64("NaT", "ns"))
    planned = pd.Series(_take(parsed_at(frames, "followups", "next_date", dates, seq).to_numpy(), at, none,
                              np.datetime64("NaT", "ns")), index=st.index, dtype="datetime64[ns]")
    if full:
        for col in ("feedback", "next_action"):
            st[col] = _take(parsed_at(frames, "followups", col, texts, seq).to_numpy(), at, none, "")

        recent = fu[fu["day"] > day - pd.Timedelta(days=7)]
        st["week_count"] = st["key"].map(recent.groupby("key").size()).fillna(0).astype(int)
        per_day = recent.groupby(["key", "day"]).size()
        day_max = per_day.groupby(level=0).max() if len(per_day) else pd.Series(dtype=int)
        st["day_max"] = st["key"].map(day_max).fillna(0).astype(int)
        st["over_contact"] = (st["day_max"] > settings.daily_contact_limit) | (
            (st["tier"] == "C") & (st["week_count"] > settings.c_weekly_limit))
    else:
        st["over_contact"] = False

    # open: due date and status
    cadence = st["tier"].map({"A": settings.cadence_a, "B": settings.cadence_b, "C": settings.cadence_c})
    first = parsed(frames, "customers", "first_contact", "day")
    has_fu = st["last_follow_up"].notna()
    due = planned.where(has_fu & planned.notna(), add_days(st["last_follow_up"], cadence, working))
    due = due.where(has_fu, add_days(first, cadence, working).fillna(day))
    st["next_due"] = due
    st["code"] = np.select(
        [~has_fu, due < day, due == day, st["over_contact"]], ["no_followup", "overdue", "due_today", "over_contact"],
        "ok")
    st["step"] = None

    won = st["status"] == "won"
    if won.any():
        _after_sale(st, won, frames, settings, day)
    paused = st["status"] == "paused"
    st.loc[paused, "code"] = "paused"
    st.loc[paused, "next_due"] = pd.NaT
    lost = st["status"] == "lost"
    st.loc[lost, "code"] = "lost"
    st.loc[lost, ["last_follow_up", "next_due"]] = pd.NaT
    st["overdue_days"] = days_late(st["next_due"], day, working)
    st["todo"] = st["code"].isin(DUE_CODES) & (st["next_due"] <= day)
    return st[STATE_COLUMNS] if full else st[[c for c in STATE_COLUMNS if c in st.columns]]


def _take(values: np.ndarray, at: np.ndarray, none: np.ndarray, missing: object) -> np.ndarray:
    """values[at], with `missing` where `none`."""
    out = values[np.where(none, 0, at)] if len(values) else np.full(len(at), missing, dtype=values.dtype)
    if len(values) and none.any():
        out[none] = missing
    return out


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
    out = st["code"].map(lambda c: w.get(c, "")).astype(object)
    out[st["code"] == "lost"] = ""
    aft = st[st["code"].isin(("after_sale", "after_sale_today", "after_sale_overdue"))]
    out[aft.index] = [w[code].format(step=w[step], date=due.strftime("%Y-%m-%d"))
                      for code, step, due in zip(aft["code"], aft["step"], aft["next_due"], strict=True)]
    return out


@without_gc
def flag_stale(ctx: Context) -> JobResult:
    """The stale job: follow-up columns on Customers, the Today sheet, counts by status and owner."""
    from .today import stale_result

    return stale_result(ctx)


# --- pieces ---------------------------------------------------------------------------------------


def _followups(frames: Frames, day: pd.Timestamp) -> pd.DataFrame:
    """Usable follow-ups (known customer, readable date not after `day`), oldest first: key, when, day, seq
    (the Excel row)."""
    fu = _by_time(frames)
    return fu[fu["day"] <= day]


def _by_time(frames: Frames) -> pd.DataFrame:
    """`_all_followups`, computed once per run while the follow-ups' customers and dates are unchanged."""
    return memo(frames, {"followups": ("customer", "date")}, ("followups_by_time",), lambda: _all_followups(frames),
                copy=False)  # (callers only select rows from it)


def _all_followups(frames: Frames) -> pd.DataFrame:
    """Every follow-up with a known customer and a readable date, oldest first (see `_followups`)."""
    raw = frames.data("followups")
    fu = pd.DataFrame({"key": parsed(frames, "followups", "customer", "key"),
                       "when": parsed(frames, "followups", "date", "when"), "seq": raw.index}, index=raw.index)
    fu["day"] = fu["when"].dt.normalize()
    fu = fu[(fu["key"] != "") & fu["day"].notna()]
    return fu.sort_values(["when", "seq"], kind="stable")


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    """Case-insensitive regex search, run once per distinct text."""
    codes_, uniques = pd.factorize(text)
    found = pd.Series(uniques).str.contains(pattern, case=False, regex=True).to_numpy(dtype=bool)
    return pd.Series(found[codes_] if len(text) else [], index=text.index, dtype=bool)


def _won_followups(frames: Frames) -> pd.DataFrame:
    """The rows of `_all_followups` whose customer is won (status 已成交 / Won on Customers)."""
    keys = parsed(frames, "customers", "customer", "key")
    won = set(keys[parsed(frames, "customers", "status", "status").fillna("open") == "won"])
    fu = _by_time(frames)
    return fu[fu["key"].isin(won)]


def _step_marks(frames: Frames) -> pd.DataFrame:
    """Per follow-up row: whether `content + " " + method` mentions each after-sale step (STEP_PATTERNS),
    and whether the method is a call / visit / video ("call"). Searched once per distinct text."""
    raw = frames.data("followups")
    if all(cell_kind(frames, "followups", col) in TEXT_KINDS for col in ("content", "method")):
        # cells are text or blank: the text of a row is fixed by its (content, method) pair
        c_codes, c_uniques = factorized(frames, "followups", "content")
        m_codes, m_uniques = factorized(frames, "followups", "method")
        contents, methods = np.append(c_uniques.astype(object), ""), np.append(m_uniques.astype(object), "")
        pairs, _ = pd.factorize(c_codes.astype(np.int64) * (len(methods) + 1) + m_codes, sort=False)
        rows = np.unique(pairs, return_index=True)[1]  # one row per pair, in pair order
        content, method = contents[c_codes[rows]], methods[m_codes[rows]]
    else:
        pairs = np.arange(len(raw))
        content = raw["content"].fillna("").astype(str).to_numpy()
        method = raw["method"].fillna("").astype(str).to_numpy()
    text = pd.Series(content, dtype=object) + " " + pd.Series(method, dtype=object)
    marks = {step: _contains(text, STEP_PATTERNS[step]).to_numpy()[pairs] for step in STEPS}
    marks["call"] = _contains(pd.Series(method, dtype=object), CALL_PATTERN).to_numpy()[pairs]
    return pd.DataFrame(marks, index=raw.index)


def _after_sale(st: pd.DataFrame, won: pd.Series, frames: Frames, settings: Settings, day: pd.Timestamp) -> None:
    """Fill code / step / next_due of the won customers in `st` (in place)."""
    conv = frames.data("conversions")
    cv = pd.DataFrame({"key": parsed(frames, "conversions", "customer", "key"),
                       "day": parsed(frames, "conversions", "date", "day")}, index=conv.index)
    cv = cv[(cv["key"] != "") & cv["day"].notna() & (cv["day"] <= day)]
    last_conversion = cv.groupby("key")["day"].max()
    start = st.loc[won, "key"].map(last_conversion).astype("datetime64[ns]")
    keys = st.loc[won, "key"]

    # follow-ups of won customers on/after their conversion day, with the steps they complete (`fu` holds
    # every follow-up up to `day`; those of won customers are kept apart once per run)
    reads = {"followups": ("customer", "date"), "customers": ("customer", "status")}
    fu = memo(frames, reads, ("won_followups",), lambda: _won_followups(frames), copy=False)  # (rows selected)
    fu = fu[fu["day"] <= day]
    fw = fu[fu["key"].isin(set(keys[start.notna()]))].copy()
    fw["start"] = fw["key"].map(last_conversion)
    fw = fw[fw["day"] >= fw["start"]]
    marks = memo(frames, {"followups": ("content", "method")}, ("step_marks",), lambda: _step_marks(frames),
                 copy=False)  # (rows selected)
    marks = marks.loc[fw.index]
    hits = pd.DataFrame({step: marks[step] for step in STEPS})
    hits["check_in"] = hits["check_in"] | (marks["call"] & (fw["day"] > fw["start"]))
    # latest day each step was done, per customer (NaT: never; only ever looked up by key)
    done = pd.DataFrame({step: fw["day"].where(hits[step]) for step in STEPS}).groupby(fw["key"]).max()

    working = settings.working_days
    ones = pd.Series(1, index=start.index)
    deadline = {
        "thank_you": add_days(start, ones * settings.thank_you_days, working),
        "check_in": add_days(start, ones * settings.check_in_days, working),
        "guide": add_days(start, ones * settings.guide_days, working),
    }
    last_survey = keys.map(done["survey"]).astype("datetime64[ns]")
    deadline["survey"] = last_survey.fillna(start) + pd.Timedelta(days=settings.survey_days)
    onboarding = day < start + pd.Timedelta(days=settings.survey_days)
    conds = [onboarding & keys.map(done[s]).isna() for s in STEPS[:3]]
    step = pd.Series(np.select(conds, STEPS[:3], "survey"), index=start.index, dtype=object)
    due = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
    for s in STEPS:
        due = due.where(step != s, deadline[s])
    code = pd.Series(np.select([start.isna(), due < day, due == day],
                               ["after_sale_unknown", "after_sale_overdue", "after_sale_today"], "after_sale"),
                     index=start.index, dtype=object)
    step = step.where(start.notna(), None)
    due = due.where(start.notna())
    st.loc[won, "code"] = code
    st.loc[won, "step"] = step
    st.loc[won, "next_due"] = due
