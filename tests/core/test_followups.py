"""Stale follow-ups, after-sale steps and the Today worklist (crm_xl/core/followups.py, today.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import make_book, make_ctx
from hypothesis import given
from hypothesis import strategies as hs

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.followups.rules import add_days, follow_state, overdue_as_of
from crm_xl.jobs import run_job
from crm_xl.model.layout import Text

D = dt.date


def cust(name: str = "甲公司", tier: str | None = None, status: str = "跟进中", owner: str = "小王",
         **more: Any) -> dict[str, Any]:
    row = {"customer": name, "status": status, "owner": owner, "contact": "张总", **more}
    if tier:
        row["tier"] = tier
    return row


def fu(when: Any, name: str = "甲公司", content: str = "介绍产品", method: str = "微信", **more: Any) -> dict:
    return {"customer": name, "date": when, "method": method, "content": content, "owner": "小王", **more}


def state(customers: list[dict], followups: list[dict] | None = None, today: str = "2024-03-15",
          settings: dict | None = None, lang: str = "zh-Hans", **sheets: list[dict]) -> pd.DataFrame:
    data: dict[str, Any] = {"customers": customers}
    if followups:
        data["followups"] = followups
    data.update({k: v for k, v in sheets.items() if v})
    ctx = make_ctx(data, today, lang, settings)
    return follow_state(ctx.frames, ctx.settings, ctx.today)


def one(customer: dict, followups: list[dict] | None = None, **kw: Any) -> pd.Series:
    return state([customer], followups, **kw).iloc[0]


def due(row: pd.Series) -> dt.date | None:
    return None if pd.isna(row["next_due"]) else row["next_due"].date()


# --- open customers: every status ------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "last", "code", "next_due", "late"), [
    ("B", "2024-03-14", "ok", D(2024, 3, 17), 0),
    ("A", "2024-03-14", "due_today", D(2024, 3, 15), 0),
    ("C", "2024-03-01", "overdue", D(2024, 3, 8), 7),
    ("A", "2024-03-13", "overdue", D(2024, 3, 14), 1),
    ("C", "2024-03-08", "due_today", D(2024, 3, 15), 0),
])
def test_open_status_from_cadence(tier: str, last: str, code: str, next_due: dt.date, late: int) -> None:
    row = one(cust(tier=tier), [fu(last)])
    assert (row["code"], due(row), row["overdue_days"]) == (code, next_due, late)
    assert row["last_follow_up"].date() == D.fromisoformat(last)
    assert row["todo"] == (code in ("due_today", "overdue"))


def test_latest_follow_up_gives_last_date_whatever_the_row_order() -> None:
    row = one(cust(tier="B"), [fu("2024-03-14"), fu("2024-03-01"), fu("2024-03-10")])
    assert row["last_follow_up"].date() == D(2024, 3, 14)
    assert due(row) == D(2024, 3, 17)


def test_datetime_follow_up_is_compared_by_date() -> None:
    row = one(cust(tier="A"), [fu(dt.datetime(2024, 3, 14, 18, 30))])
    assert (row["code"], due(row)) == ("due_today", D(2024, 3, 15))
    row = one(cust(tier="A"), [fu("2024-03-15 23:59")])
    assert (row["code"], due(row)) == ("ok", D(2024, 3, 16))


def test_cadence_comes_from_settings() -> None:
    row = one(cust(tier="B"), [fu("2024-03-10")], settings={"cadence_b": 5})
    assert (row["code"], due(row)) == ("due_today", D(2024, 3, 15))


@pytest.mark.parametrize(("next_date", "code", "next_due", "late"), [
    ("2024-03-12", "overdue", D(2024, 3, 12), 3),  # earlier than the cadence (C: 03-17)
    ("2024-03-25", "ok", D(2024, 3, 25), 0),  # later than the cadence
    ("2024-03-15", "due_today", D(2024, 3, 15), 0),
    (dt.datetime(2024, 3, 13, 9, 0), "overdue", D(2024, 3, 13), 2),
])
def test_explicit_next_date_wins(next_date: Any, code: str, next_due: dt.date, late: int) -> None:
    row = one(cust(tier="C"), [fu("2024-03-10", next_date=next_date)])
    assert (row["code"], due(row), row["overdue_days"]) == (code, next_due, late)


def test_only_the_latest_follow_ups_next_date_counts() -> None:
    rows = [fu("2024-03-01", next_date="2024-03-30"), fu("2024-03-10")]
    row = one(cust(tier="A"), rows)
    assert (row["code"], due(row)) == ("overdue", D(2024, 3, 11))  # cadence, not the older plan


def test_latest_of_the_same_day_is_the_later_time() -> None:
    rows = [fu("2024-03-10 15:00", next_date="2024-03-20", next_action="发合同"),
            fu("2024-03-10 09:00", next_date="2024-03-11", next_action="打电话")]
    row = one(cust(tier="A"), rows)
    assert (due(row), row["next_action"]) == (D(2024, 3, 20), "发合同")


def test_feedback_and_next_action_come_from_the_latest_follow_up() -> None:
    rows = [fu("2024-03-01", feedback="旧反馈", next_action="旧行动"),
            fu("2024-03-12", feedback="对加密功能感兴趣", next_action="3月16日发送方案")]
    row = one(cust(tier="B"), rows)
    assert (row["feedback"], row["next_action"]) == ("对加密功能感兴趣", "3月16日发送方案")


@pytest.mark.parametrize(("first_contact", "code", "next_due", "late", "todo"), [
    ("2024-03-10", "no_followup", D(2024, 3, 17), 0, False),
    ("2024-03-08", "no_followup", D(2024, 3, 15), 0, True),
    ("2024-03-01", "no_followup", D(2024, 3, 8), 7, True),
    (None, "no_followup", D(2024, 3, 15), 0, True),  # no first contact either: due today
])
def test_no_follow_up_yet(first_contact: str | None, code: str, next_due: dt.date, late: int, todo: bool) -> None:
    row = one(cust(first_contact=first_contact))  # tier C (no tier anywhere)
    assert (row["code"], due(row), row["overdue_days"], row["todo"]) == (code, next_due, late, todo)
    assert pd.isna(row["last_follow_up"])


def test_no_follow_up_sheet_at_all() -> None:
    st = state([cust("甲公司", tier="A", first_contact="2024-03-14"), cust("乙公司")])
    assert st["code"].tolist() == ["no_followup", "no_followup"]
    assert [due(r) for _, r in st.iterrows()] == [D(2024, 3, 15), D(2024, 3, 15)]


def test_future_follow_ups_are_ignored() -> None:
    rows = [fu("2024-03-01"), fu("2024-03-20", next_date="2024-04-01"), fu("2099-01-01", name="乙公司")]
    st = state([cust(tier="C"), cust("乙公司", first_contact="2024-03-14")], rows)
    assert st.iloc[0]["last_follow_up"].date() == D(2024, 3, 1)
    assert (st.iloc[0]["code"], due(st.iloc[0])) == ("overdue", D(2024, 3, 8))
    assert st.iloc[1]["code"] == "no_followup"


def test_names_match_across_width_case_space_and_script() -> None:
    rows = [fu("2024-03-14", name="甲 公司"), fu("2024-03-14", name="ＡＢＣ Co"), fu("2024-03-14", name="客戶丙")]
    st = state([cust("甲公司", tier="A"), cust("abc co", tier="A"), cust("客户丙", tier="A")], rows)
    assert st["code"].tolist() == ["due_today"] * 3


# --- over-contact ----------------------------------------------------------------------------------


def test_over_contact_more_than_one_a_day() -> None:
    rows = [fu("2024-03-12 09:00", next_date="2024-03-20"), fu("2024-03-12 16:00", next_date="2024-03-20")]
    row = one(cust(tier="B"), rows)
    assert (row["code"], row["over_contact"], row["day_max"], row["todo"]) == ("over_contact", True, 2, False)


def test_over_contact_daily_limit_from_settings() -> None:
    rows = [fu("2024-03-12 09:00", next_date="2024-03-20"), fu("2024-03-12 16:00", next_date="2024-03-20")]
    assert one(cust(tier="B"), rows, settings={"daily_contact_limit": 2})["code"] == "ok"


def test_over_contact_outside_the_7_days_does_not_count() -> None:
    rows = [fu("2024-03-08 09:00", next_date="2024-03-20"), fu("2024-03-08 16:00", next_date="2024-03-20")]
    row = one(cust(tier="B"), rows)
    assert (row["code"], row["day_max"]) == ("ok", 0)


@pytest.mark.parametrize(("tier", "n", "code"), [
    ("C", 3, "over_contact"), ("C", 2, "ok"), ("B", 3, "ok"), ("A", 3, "ok")])
def test_over_contact_weekly_limit_for_tier_c(tier: str, n: int, code: str) -> None:
    days = ["2024-03-09", "2024-03-11", "2024-03-13"][-n:]
    rows = [fu(d, next_date="2024-03-25") for d in days]
    row = one(cust(tier=tier), rows)
    assert (row["code"], row["week_count"]) == (code, n)


def test_tier_c_weekly_window_is_the_7_days_up_to_today() -> None:
    rows = [fu(d, next_date="2024-03-25") for d in ("2024-03-08", "2024-03-11", "2024-03-13")]
    assert one(cust(tier="C"), rows)["code"] == "ok"  # 03-08 is 8 days back


def test_overdue_and_due_today_beat_over_contact() -> None:
    two = [fu("2024-03-12 09:00"), fu("2024-03-12 16:00")]
    row = one(cust(tier="A"), two)  # due 03-13
    assert (row["code"], row["over_contact"]) == ("overdue", True)
    row = one(cust(tier="B"), two)  # due 03-15
    assert (row["code"], row["over_contact"]) == ("due_today", True)


# --- calendar edges --------------------------------------------------------------------------------


@pytest.mark.parametrize(("last", "tier", "cadence", "expected"), [
    ("2024-01-31", "A", 1, D(2024, 2, 1)),
    ("2024-01-31", "C", 7, D(2024, 2, 7)),
    ("2024-01-31", "C", 30, D(2024, 3, 1)),  # "a month later" in a leap year
    ("2023-01-31", "C", 30, D(2023, 3, 2)),
    ("2024-02-28", "A", 1, D(2024, 2, 29)),  # leap day
    ("2023-02-28", "A", 1, D(2023, 3, 1)),
    ("2024-02-29", "B", 3, D(2024, 3, 3)),
    ("2024-02-27", "B", 3, D(2024, 3, 1)),
    ("2023-12-31", "A", 1, D(2024, 1, 1)),
    ("2024-04-30", "C", 7, D(2024, 5, 7)),
])
def test_month_ends_and_leap_days(last: str, tier: str, cadence: int, expected: dt.date) -> None:
    row = one(cust(tier=tier), [fu(last)], today=expected.isoformat(), settings={"cadence_c": cadence})
    assert (due(row), row["code"]) == (expected, "due_today")


def test_leap_day_overdue_counts_across_february() -> None:
    row = one(cust(tier="A"), [fu("2024-02-27")], today="2024-03-01")  # due 02-28
    assert (row["code"], row["overdue_days"]) == ("overdue", 2)  # 02-29, 03-01
    row = one(cust(tier="A"), [fu("2023-02-27")], today="2023-03-01")
    assert row["overdue_days"] == 1


# --- working days ------------------------------------------------------------------------------------

WD = {"working_days": True}


@pytest.mark.parametrize(("last", "tier", "expected"), [
    ("2024-03-15", "A", D(2024, 3, 18)),  # Fri + 1 working day = Mon
    ("2024-03-16", "A", D(2024, 3, 18)),  # Sat → Mon
    ("2024-03-17", "A", D(2024, 3, 18)),  # Sun → Mon
    ("2024-03-14", "B", D(2024, 3, 19)),  # Thu + 3 = Tue
    ("2024-03-15", "C", D(2024, 3, 26)),  # Fri + 7 = Tue after next
    ("2024-02-28", "A", D(2024, 2, 29)),  # leap day is a Thursday
    ("2024-02-29", "A", D(2024, 3, 1)),
])
def test_working_days_skip_weekends(last: str, tier: str, expected: dt.date) -> None:
    row = one(cust(tier=tier), [fu(last)], today="2024-03-18", settings=WD)
    assert due(row) == expected


@pytest.mark.parametrize(("today", "calendar", "working"), [
    ("2024-03-11", 3, 1),  # due Fri 03-08, today Mon: one working day late
    ("2024-03-09", 1, 1),  # Saturday: late, at least 1
    ("2024-03-15", 7, 5),
    ("2024-03-08", 0, 0),
])
def test_working_day_overdue_count(today: str, calendar: int, working: int) -> None:
    rows = [fu("2024-03-01", next_date="2024-03-08")]
    assert one(cust(tier="C"), rows, today=today)["overdue_days"] == calendar
    assert one(cust(tier="C"), rows, today=today, settings=WD)["overdue_days"] == working


def test_working_days_explicit_next_date_on_a_sunday() -> None:
    row = one(cust(tier="C"), [fu("2024-03-08", next_date="2024-03-10")], today="2024-03-11", settings=WD)
    assert (row["code"], due(row), row["overdue_days"]) == ("overdue", D(2024, 3, 10), 1)


@given(hs.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)), hs.integers(1, 30))
def test_add_days_property(start: dt.date, n: int) -> None:
    s = pd.Series([pd.Timestamp(start)])
    assert add_days(s, n, False).iloc[0].date() == start + dt.timedelta(days=n)
    end = add_days(s, n, True).iloc[0].date()
    assert end.weekday() < 5 and end > start
    # exactly n working days in (start, end]
    assert np.busday_count(start + dt.timedelta(days=1), end + dt.timedelta(days=1)) == n


# --- tiers ------------------------------------------------------------------------------------------


def test_tier_fallback_chain() -> None:
    customers = [cust("甲公司", tier="A"), cust("乙公司"), cust("丙公司"), cust("丁公司")]
    tierlog = [
        {"customer": "甲公司", "tier": "C", "date": "2024-03-14", "owner": "小王"},
        {"customer": "乙公司", "tier": "A", "date": "2024-03-01", "owner": "小王"},
        {"customer": "乙 公司", "tier": "B", "date": "2024-03-10", "owner": "小王"},
        {"customer": "丙公司", "tier": "A", "date": "2024-03-20", "owner": "小王"},  # after today: ignored
        {"customer": "丙公司", "tier": "B", "date": "2024-03-02", "owner": "小王"},
    ]
    st = state(customers, tierlog=tierlog)
    assert st["tier"].tolist() == ["A", "B", "B", "C"]


def test_tier_decides_the_cadence_used() -> None:
    rows = [fu("2024-03-12", name=n) for n in ("甲公司", "乙公司", "丙公司")]
    tierlog = [{"customer": "乙公司", "tier": "B", "date": "2024-03-01", "owner": "小王"}]
    st = state([cust("甲公司", tier="A"), cust("乙公司"), cust("丙公司")], rows, tierlog=tierlog)
    assert st["code"].tolist() == ["overdue", "due_today", "ok"]


# --- paused and lost --------------------------------------------------------------------------------


def test_paused_is_not_chased() -> None:
    row = one(cust(status="暂停"), [fu("2024-01-02")])
    assert (row["code"], row["todo"]) == ("paused", False)
    assert row["last_follow_up"].date() == D(2024, 1, 2)
    assert pd.isna(row["next_due"]) and pd.isna(row["overdue_days"])


def test_lost_gets_blank_columns() -> None:
    ctx = make_ctx({"customers": [cust(status="已流失")], "followups": [fu("2024-01-02")]})
    cols = flag_stale(ctx).columns["customers"]
    assert [cols[k].iloc[0] for k in ("last_follow_up", "next_due", "overdue_days", "follow_status")] == \
        [None, None, pd.NA, None]


def test_blank_status_counts_as_open() -> None:
    assert one(cust(status=None, tier="C"), [fu("2024-03-01")])["code"] == "overdue"


# --- after-sale -------------------------------------------------------------------------------------

CONV = [{"customer": "甲公司", "date": "2024-03-01", "amount": "65万", "owner": "小王"}]  # a Friday
THANKS = fu("2024-03-01 18:00", content="感谢签约，发送感谢信", method="微信")
CALL = fu("2024-03-03", content="了解使用情况", method="电话")
GUIDE = fu("2024-03-06", content="发送使用指南", method="邮件")


def won(followups: list[dict] | None = None, today: str = "2024-03-15", lang: str = "zh-Hans",
        conversions: list[dict] | None = None, **kw: Any) -> pd.Series:
    return one(cust(status="已成交"), followups, today=today, lang=lang, conversions=conversions or CONV, **kw)


def plus(days: int) -> str:
    return (D(2024, 3, 1) + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("day", "followups", "step", "code", "next_due", "late"), [
    (0, [], "thank_you", "after_sale", D(2024, 3, 2), 0),
    (1, [], "thank_you", "after_sale_today", D(2024, 3, 2), 0),
    (2, [], "thank_you", "after_sale_overdue", D(2024, 3, 2), 1),
    (0, [THANKS], "check_in", "after_sale", D(2024, 3, 4), 0),
    (2, [THANKS], "check_in", "after_sale", D(2024, 3, 4), 0),
    (3, [THANKS], "check_in", "after_sale_today", D(2024, 3, 4), 0),
    (4, [THANKS], "check_in", "after_sale_overdue", D(2024, 3, 4), 1),
    (4, [THANKS, CALL], "guide", "after_sale", D(2024, 3, 8), 0),
    (7, [THANKS, CALL], "guide", "after_sale_today", D(2024, 3, 8), 0),
    (8, [THANKS, CALL], "guide", "after_sale_overdue", D(2024, 3, 8), 1),
    (8, [THANKS, CALL, GUIDE], "survey", "after_sale", D(2024, 5, 30), 0),
    (90, [THANKS, CALL, GUIDE], "survey", "after_sale_today", D(2024, 5, 30), 0),
    (91, [THANKS, CALL, GUIDE], "survey", "after_sale_overdue", D(2024, 5, 30), 1),
    (89, [], "thank_you", "after_sale_overdue", D(2024, 3, 2), 88),
    (91, [], "survey", "after_sale_overdue", D(2024, 5, 30), 1),  # onboarding no longer chased
])
def test_after_sale_steps_walk_forward(day: int, followups: list, step: str, code: str, next_due: dt.date,
                                       late: int) -> None:
    row = won([f for f in followups if f["date"][:10] <= plus(day)], today=plus(day))
    assert (row["step"], row["code"], due(row), row["overdue_days"]) == (step, code, next_due, late)
    assert row["todo"] == (code != "after_sale")


def test_a_steps_follow_up_before_the_conversion_does_not_count() -> None:
    row = won([fu("2024-02-28", content="感谢您的信任")], today=plus(1))
    assert row["step"] == "thank_you"


def test_phone_call_on_the_conversion_day_is_not_the_check_in_but_a_回访_is() -> None:
    assert won([THANKS, fu("2024-03-01", method="电话", content="确认合同")], today=plus(2))["step"] == "check_in"
    assert won([THANKS, fu("2024-03-01", method="微信", content="回访")], today=plus(2))["step"] == "guide"
    assert won([THANKS, fu("2024-03-02", method="拜访", content="上门")], today=plus(2))["step"] == "guide"


def test_survey_recurs_from_the_last_survey() -> None:
    rows = [THANKS, CALL, GUIDE, fu("2024-04-10", content="满意度调研", method="电话")]
    row = won(rows, today="2024-06-01")
    assert (row["step"], row["code"], due(row)) == ("survey", "after_sale", D(2024, 7, 9))
    row = won(rows, today="2024-07-10")
    assert (row["code"], row["overdue_days"]) == ("after_sale_overdue", 1)


def test_survey_by_method_text_counts() -> None:
    rows = [THANKS, CALL, GUIDE, fu("2024-05-01", content="季度沟通", method="满意度调研")]
    assert due(won(rows, today="2024-06-01")) == D(2024, 7, 30)


@pytest.mark.parametrize(("lang", "check_in", "survey"), [
    ("zh-Hans", "回访", "满意度调研"), ("zh-Hant", "回訪", "滿意度調研"), ("en", "check-in call", "satisfaction survey")])
def test_回访_is_the_check_in_never_the_survey(lang: str, check_in: str, survey: str) -> None:
    """Issue 20 §6: a 回访 (check-in call) does not reset the quarterly survey clock; survey words do."""
    base = [THANKS, CALL, GUIDE]
    quiet = won([*base, fu("2024-05-01", content=check_in, method=check_in)], today="2024-06-01", lang=lang)
    assert (quiet["step"], due(quiet), quiet["code"]) == ("survey", D(2024, 5, 30), "after_sale_overdue")
    fired = won([*base, fu("2024-05-01", content=survey)], today="2024-06-01", lang=lang)
    assert (due(fired), fired["code"]) == (D(2024, 7, 30), "after_sale")
    # and a 回访 still makes the check-in step
    assert won([THANKS, fu("2024-03-02", content=check_in)], today=plus(2), lang=lang)["step"] == "guide"


def test_latest_conversion_restarts_the_schedule() -> None:
    convs = [*CONV, {"customer": "甲公司", "date": "2024-03-10", "amount": "10万", "owner": "小王"},
             {"customer": "甲公司", "date": "2024-04-01", "amount": "10万", "owner": "小王"}]  # future: ignored
    row = won([THANKS, CALL, GUIDE], conversions=convs)
    assert (row["step"], due(row), row["code"]) == ("thank_you", D(2024, 3, 11), "after_sale_overdue")


def test_won_without_a_conversion_date() -> None:
    row = one(cust(status="已成交"), [fu("2024-03-01")])
    assert (row["code"], row["todo"]) == ("after_sale_unknown", False)
    assert pd.isna(row["next_due"])


def test_after_sale_in_english_and_traditional_chinese() -> None:
    conv = [{"customer": "甲公司", "date": "2024-03-01", "amount": "65万", "owner": "小王"}]
    en = [fu("2024-03-01", content="Thank-you email", method="Email"),
          fu("2024-03-02", content="Check-in", method="WeChat"),
          fu("2024-03-05", content="Sent the onboarding guide", method="Email")]
    assert won(en, lang="en", conversions=conv)["step"] == "survey"
    hant = [fu("2024-03-01", content="感謝合作", method="郵件"), fu("2024-03-02", content="電話", method="電話"),
            fu("2024-03-05", content="寄送使用手冊", method="郵件")]
    assert won(hant, lang="zh-Hant", conversions=conv)["step"] == "survey"


def test_after_sale_working_days() -> None:
    row = won([THANKS], today=plus(3), settings=WD)  # Fri + 3 working days = Wed 03-06
    assert (row["step"], due(row), row["code"]) == ("check_in", D(2024, 3, 6), "after_sale")


# --- status texts and written columns -----------------------------------------------------------------


def _ctx_all(lang: str = "zh-Hans", today: str = "2024-03-15"):
    customers = [
        cust("甲公司", tier="C", owner="小王", phone="13800000000"),  # overdue 7
        cust("乙公司", tier="A", owner="小王"),  # due today
        cust("丙公司", tier="B", owner="小李"),  # on track
        cust("丁公司", owner="", first_contact="2024-03-01"),  # no follow-up yet, 7 late
        cust("戊公司", tier="C", owner="小李"),  # over-contact
        cust("己公司", status="暂停", owner="小李"),
        cust("庚公司", status="已流失", owner="小李"),
        cust("辛公司", status="已成交", owner="小王"),  # after-sale overdue: check-in
        cust("壬公司", status="已成交", owner="小王"),  # after-sale upcoming: survey
        cust("癸公司", tier="A", owner="小李"),  # overdue 1, tier A
    ]
    followups = [
        fu("2024-03-01", "甲公司", feedback="考虑中", next_action="发报价"),
        fu("2024-03-14", "乙公司"), fu("2024-03-14", "丙公司"),
        *[fu(d, "戊公司", next_date="2024-03-30") for d in ("2024-03-10", "2024-03-12", "2024-03-14")],
        fu("2024-03-11", "辛公司", content="感谢合作"),
        fu("2024-02-01", "壬公司", content="感谢"), fu("2024-02-02", "壬公司", method="电话"),
        fu("2024-02-03", "壬公司", content="使用指南"),
        fu("2024-03-13", "癸公司"),
    ]
    conversions = [{"customer": "辛公司", "date": "2024-03-10", "amount": 1, "owner": "小王"},
                   {"customer": "壬公司", "date": "2024-02-01", "amount": 1, "owner": "小王"}]
    data = {"customers": customers, "followups": followups, "conversions": conversions}
    return make_ctx(data, today, lang, {"owners": ["小李", "小王"]})


@pytest.mark.parametrize(("lang", "texts"), [
    ("zh-Hans", ["逾期", "今日到期", "正常", "无跟进记录（未分级，按 C 类跟进）", "过度跟进", "暂停", None, "售后逾期：回访电话",
                 "售后：满意度调研 到期 2024-05-01", "逾期"]),
    ("zh-Hant", ["逾期", "今日到期", "正常", "無跟進記錄（未分級，按 C 類跟進）", "過度跟進", "暫停", None, "售後逾期：回訪電話",
                 "售後：滿意度調研 到期 2024-05-01", "逾期"]),
    ("en", ["Overdue", "Due today", "On track", "No follow-up yet (not tiered: followed up as C)", "Over-contact", "Paused", None,
            "After-sale overdue: check-in call", "After-sale: satisfaction survey due 2024-05-01", "Overdue"]),
])
def test_follow_status_texts(lang: str, texts: list) -> None:
    cols = flag_stale(_ctx_all(lang)).columns["customers"]
    assert cols["follow_status"].tolist() == texts


def test_written_columns_types() -> None:
    cols = flag_stale(_ctx_all()).columns["customers"]
    assert set(cols) == {"last_follow_up", "next_due", "overdue_days", "follow_status"}
    assert cols["last_follow_up"].iloc[0] == D(2024, 3, 1) and type(cols["last_follow_up"].iloc[0]) is dt.date
    assert cols["next_due"].iloc[0] == D(2024, 3, 8)
    # 逾期天数 blank when nothing is due (丙: due 03-17; 戊: its own next date 03-30; 己 paused; 庚 lost)
    assert [None if pd.isna(v) else v for v in cols["overdue_days"]] == [7, 0, None, 7, None, None, None, 2, None, 1]
    assert cols["last_follow_up"].iloc[3] is None
    assert list(cols["follow_status"].index) == list(range(2, 12))  # Excel rows of Customers


def test_job_writes_headers_and_values_through_a_book() -> None:
    book = make_book({"customers": [cust("甲公司", tier="C")], "followups": [fu("2024-03-01")]})
    run_job(book, "stale", today="2024-03-15")
    book.save()
    grid = book.sheets["客户信息表"]
    header = grid[0]
    for text in ("最近跟进", "下次跟进", "逾期天数", "跟进状态"):
        assert text in header
    assert grid[1][header.index("跟进状态")] == "逾期"
    assert grid[1][header.index("下次跟进")] == D(2024, 3, 8)
    assert "今日待办" in book.sheets


# --- Today sheet ----------------------------------------------------------------------------------------


def _blocks(layout) -> list:
    from crm_xl.model.layout import Table

    return [b for b in layout.blocks if isinstance(b, Table)]


def test_today_sheet_blocks_order_and_links() -> None:
    result = flag_stale(_ctx_all())
    (sheet,) = result.sheets
    assert sheet.name == "今日待办" and set(sheet.aliases) == {"今日待辦", "Today"}
    assert sheet.blocks[0].text == "今日待办 2024-03-15（星期五）"
    heads = [b.text for b in sheet.blocks if isinstance(b, Text) and b.style == "title"][1:]
    assert heads == ["小李：1 项（逾期跟进 1）", "小王：4 项（逾期跟进 1 · 今日到期 1 · 售后 2）", "未分配：1 项（逾期跟进 1）"]
    tables = _blocks(sheet)
    assert [t.title for t in tables] == ["逾期跟进（1）", "逾期跟进（1）", "今日到期（1）", "售后（2）", "逾期跟进（1）",
                                         "过度跟进提醒（近 7 天，注意跟进频率，重价值而非次数）"]
    wang = pd.concat([t.df for t in tables[1:4]], ignore_index=True)
    # grouped by kind (overdue, due today, after-sale), A first within a kind (辛公司, 壬公司: A by the tier
    # rules — won, the only value — as no tier is logged), then most overdue (壬公司, onboarded by 02-03,
    # missed its monthly touch: issue 22 §2)
    assert wang["客户名称"].tolist() == ["甲公司", "乙公司", "壬公司", "辛公司"]
    assert wang["待办事项"].tolist() == ["逾期", "今日到期", "维护逾期：月度联系", "售后逾期：回访电话"]
    assert wang["逾期天数"].tolist() == [7, 0, 11, 2]
    assert list(wang.columns) == ["客户名称", "级别", "待办事项", "逾期天数", "应跟进日期", "最近跟进", "最近反馈",
                                  "下一步行动", "联系人", "联系方式"]
    row = wang[wang["客户名称"] == "甲公司"].iloc[0]
    assert (row["待办事项"], row["逾期天数"], row["最近反馈"], row["下一步行动"], row["联系方式"]) == \
        ("逾期", 7, "考虑中", "发报价", "13800000000")
    assert tables[3].links["客户名称"] == ["客户信息表!A10", "客户信息表!A9"]  # 壬公司, 辛公司
    assert tables[0].df["客户名称"].tolist() == ["癸公司"]
    assert tables[4].df["待办事项"].tolist() == ["无跟进记录（未分级，按 C 类跟进）"]
    assert tables[4].row_styles == ["error"]  # 7 days late for a first contact
    assert [t.row_styles for t in tables[1:4]] == [["error"], ["warning"], ["error", "error"]]
    over = tables[5].df
    assert over["客户名称"].tolist() == ["戊公司"]
    assert over["提醒"].tolist() == ["C 类近 7 天跟进 3 次（上限 2 次）"]


def test_today_sheet_sorting_a_first_then_most_overdue() -> None:
    customers = [cust("c1", tier="C"), cust("b1", tier="B"), cust("a1", tier="A"), cust("c2", tier="C"),
                 cust("a2", tier="A")]
    followups = [fu("2024-03-01", "c1"), fu("2024-03-05", "b1"), fu("2024-03-14", "a1"), fu("2024-02-01", "c2"),
                 fu("2024-03-10", "a2")]
    (sheet,) = flag_stale(make_ctx({"customers": customers, "followups": followups})).sheets
    late, today = _blocks(sheet)  # grouped by kind: overdue, then due today; A first, then most overdue
    assert late.df["客户名称"].tolist() == ["a2", "b1", "c2", "c1"] and today.df["客户名称"].tolist() == ["a1"]
    assert late.df["逾期天数"].tolist() == [4, 7, 36, 7]
    assert late.row_styles == ["error"] * 4 and today.row_styles == ["warning"]


def test_today_sheet_when_nothing_is_due_en() -> None:
    ctx = make_ctx({"customers": [cust(tier="B")], "followups": [fu("2024-03-14")]}, lang="en")
    result = flag_stale(ctx)
    (sheet,) = result.sheets
    assert sheet.name == "Today"
    assert [b.text for b in sheet.blocks if not hasattr(b, "df")][-1] == "Nothing is due or overdue today."
    assert _blocks(sheet) == []
    assert result.summary.headline == "Nothing due today; 0 over-contact"


def test_today_sheet_english_headers() -> None:
    (sheet,) = flag_stale(_ctx_all("en")).sheets
    tables = _blocks(sheet)
    heads = [b.text for b in sheet.blocks if isinstance(b, Text) and b.style == "title"][1:]
    assert heads[0] == "小李: 1 to do (Overdue follow-ups 1)" and heads[2] == "Unassigned: 1 to do (Overdue follow-ups 1)"
    assert [t.title for t in tables[:4]] == ["Overdue follow-ups (1)", "Overdue follow-ups (1)", "Due today (1)",
                                             "After-sale (2)"]
    assert list(tables[0].df.columns)[:4] == ["Customer", "Tier", "What is due", "Days overdue"]
    assert tables[0].links["Customer"] == ["Customers!A11"]


# --- summary and month-end helper --------------------------------------------------------------------


def test_summary_counts_by_status_and_owner() -> None:
    summary = flag_stale(_ctx_all()).summary
    c = summary.counts
    assert (c["todo"], c["overdue"], c["due_today"], c["no_followup"], c["after_sale"], c["over_contact"]) == \
        (6, 2, 1, 1, 1, 1)  # (+ 壬公司's monthly touch)
    assert c["maintenance"] == 1 and c["goals"] == 0
    assert c["by_status"] == {"overdue": 2, "due_today": 1, "no_followup": 1, "over_contact": 1, "ok": 1,
                              "paused": 1, "after_sale_overdue": 1, "after_sale": 1, "lost": 1}
    assert c["by_owner"]["小王"] == {"todo": 3, "overdue": 1, "due_today": 1, "after_sale_overdue": 1,
                                   "after_sale": 1}
    assert summary.headline == "待办 6 项：逾期 2，今日到期 1，无跟进记录 1，售后 1；过度跟进 1；维护 1"
    titles = [t for t, _ in summary.tables]
    assert titles == ["按跟进状态", "按负责人"]
    owners = summary.tables[1][1]
    assert owners["负责人"].tolist() == ["小李", "小王", "未分配"]
    assert summary.to_dict()["counts"]["todo"] == 6


def test_overdue_as_of_month_end() -> None:
    ctx = _ctx_all()
    late = overdue_as_of(ctx.frames, ctx.settings, D(2024, 3, 31))
    assert late["customer"].tolist() == ["甲公司", "丁公司", "辛公司", "癸公司", "乙公司", "丙公司", "戊公司"]
    assert late["overdue_days"].tolist() == [23, 23, 18, 17, 16, 14, 1]
    assert late["code"].tolist()[:3] == ["overdue", "no_followup", "after_sale_overdue"]
    # as of Feb 29 the March follow-ups and conversions do not exist yet: nobody is overdue
    assert overdue_as_of(ctx.frames, ctx.settings, D(2024, 2, 29)).empty


def test_overdue_as_of_lean_state_finds_the_same_rows() -> None:
    """full=False (the review's month ends) skips the Today-sheet columns, not any overdue row."""
    ctx = _ctx_all()
    for day in (D(2024, 2, 29), D(2024, 3, 10), D(2024, 3, 31), D(2024, 4, 30)):
        full = overdue_as_of(ctx.frames, ctx.settings, day)
        lean = overdue_as_of(ctx.frames, ctx.settings, day, full=False)
        cols = ["customer", "key", "tier", "status", "code", "step", "last_follow_up", "next_due", "overdue_days",
                "todo"]
        pd.testing.assert_frame_equal(lean[cols], full[cols])


def test_no_customers_sheet() -> None:
    ctx = make_ctx({"followups": [fu("2024-03-01")]})
    result = flag_stale(ctx)
    assert result.columns == {} and result.sheets == []
    assert result.summary.warnings == 1


def test_empty_customers_sheet_and_unreadable_dates() -> None:
    empty = pd.DataFrame(columns=["customer", "contact", "owner", "status"])
    result = flag_stale(make_ctx({"customers": empty, "followups": [fu("not a date")]}))
    assert result.summary.counts["todo"] == 0
    assert result.sheets[0].blocks[-1].text == "今天没有到期或逾期的跟进。"
    row = one(cust(tier="A", first_contact="2024-03-14"), [fu("not a date"), fu("#N/A")])
    assert (row["code"], due(row)) == ("no_followup", D(2024, 3, 15))


def test_excel_serial_dates_are_read() -> None:
    row = won([], conversions=[{"customer": "甲公司", "date": 45000, "amount": 1}])  # 2023-03-15
    assert (row["step"], due(row), row["overdue_days"]) == ("survey", D(2023, 6, 13), 276)


# --- end to end on the sample workbook ------------------------------------------------------------------


def test_stale_on_the_sample_workbook(sample_copy, tmp_path) -> None:
    import openpyxl
    from python_calamine import CalamineWorkbook

    from crm_xl.jobs import flag_stale as flag_stale_job

    out = tmp_path / "s.xlsx"
    summary = flag_stale_job(sample_copy, today="2024-03-15", out=out)
    assert summary.counts["todo"] > 0
    wb = CalamineWorkbook.from_path(str(out))
    assert "今日待办" in wb.sheet_names
    rows = wb.get_sheet_by_name("今日待办").to_python()
    assert rows[0][0] == "今日待办 2024-03-15（星期五）"
    headers = [r for r in rows if r and r[0] == "客户名称"]
    assert headers and headers[0][:4] == ["客户名称", "级别", "待办事项", "逾期天数"]
    customers = wb.get_sheet_by_name("客户信息表").to_python()
    head = next(r for r in customers if "跟进状态" in r)
    col = head.index("跟进状态")
    statuses = [r[col] for r in customers[customers.index(head) + 1:] if r[0]]
    assert statuses and sum(1 for s in statuses if s) >= len(statuses) // 2
    # every customer in the worklist links to its row on Customers
    ws = openpyxl.load_workbook(out)["今日待办"]
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink]
    assert len(links) >= summary.counts["todo"]
    assert all(loc.startswith("客户信息表!A") for loc in links)


def test_traditional_step_words_are_what_to_hant_gives():
    from crm_xl.core.followups import rules as followups
    from crm_xl.model.i18n import to_hant

    zh = {w for ws in followups._ZH_STEP.values() for w in ws} | {
        w for w in followups._CALL_METHOD if not w.isascii()}
    assert {w: followups.HANT_WORDS.get(w, w) for w in zh} == {w: to_hant(w) for w in zh}


def test_importing_the_jobs_does_not_load_the_phrase_dictionaries():
    import subprocess
    import sys

    code = ("import crm_xl.jobs, crm_xl.core.followups.job, crm_xl.core.review.job, crm_xl.core.health.job, "
            "crm_xl.core.tiers.job, crm_xl.core.validation.job, crm_xl.model.i18n as i; "
            "n = i.converter.cache_info().currsize; i.converter('t2s'); print(n, i.converter.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "1"]  # t2s (fold) loaded, s2tw not
