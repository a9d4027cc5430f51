"""Win-back of lost customers (core/followups/winback.py, issue 22 §4): a re-contact day after 流失日期
(default 90 days, per-reason overrides on Settings), a 挽回 item on Today until a follow-up on or after it;
the Settings list is checked when read; three languages; workbooks without 流失日期 are left as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.followups.winback import reason_days
from crm_xl.model.errors import SettingsError
from crm_xl.model.i18n import LANGS
from crm_xl.model.layout import Table
from crm_xl.model.settings import Settings, read_settings
from tests.conftest import make_ctx

TODAY = dt.date(2024, 4, 1)
LOST = {"zh-Hans": "已流失", "zh-Hant": "已流失", "en": "Lost"}
HEAD = {"zh-Hans": "挽回（", "zh-Hant": "挽回（", "en": "Win-back ("}


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def lost(name: str, days_ago: int | None, reason: str | None = None, lang: str = "zh-Hans") -> dict[str, Any]:
    row = {"customer": name, "owner": "小王", "status": LOST[lang], "lost_reason": reason}
    if days_ago is not None:
        row["lost_on"] = ago(days_ago)
    return row


def rows(customers: list[dict[str, Any]], followups: list[dict[str, Any]] | None = None, lang: str = "zh-Hans",
         settings: dict[str, Any] | None = None) -> dict[str, tuple[str, int, dt.date]]:
    data: dict[str, Any] = {"customers": customers}
    if followups:
        data["followups"] = followups
    res = flag_stale(make_ctx(data, TODAY, lang, settings))
    out = {}
    for b in res.sheets[0].blocks:
        if isinstance(b, Table) and b.title and b.title.startswith(HEAD[lang]):
            for _, r in b.df.iterrows():
                out[r.iloc[0]] = (r.iloc[2], int(r.iloc[3]), r.iloc[4])
    assert res.summary.counts["win_back"] == len(out)
    return out


def fu(name: str, days_ago: int) -> dict[str, Any]:
    return {"customer": name, "date": ago(days_ago), "method": "电话", "content": "问候近况", "owner": "小王"}


def test_due_90_days_after_it_was_lost() -> None:
    assert rows([lost("甲", 95, "需求不明确")]) == {"甲": ("挽回：已流失 95 天（需求不明确）", 5, ago(5))}
    assert rows([lost("甲", 90)]) == {"甲": ("挽回：已流失 90 天", 0, TODAY)}
    assert rows([lost("甲", 89)]) == {}


def test_a_reason_on_the_list_overrides_the_days() -> None:
    # the default list: 价格异议：60; matched in another language too, or as part of a longer reason
    assert rows([lost("甲", 61, "价格异议")]) == {"甲": ("挽回：已流失 61 天（价格异议）", 1, ago(1))}
    assert rows([lost("乙", 61, "Price objection")])["乙"][2] == ago(1)
    custom = {"winback_reasons": ["预算：30", "选择竞品=120"]}
    got = rows([lost("丙", 31, "预算不足"), lost("丁", 100, "选择竞品"), lost("戊", 100, "其他")], settings=custom)
    assert got == {"丙": ("挽回：已流失 31 天（预算不足）", 1, ago(1)), "戊": ("挽回：已流失 100 天（其他）", 10, ago(10))}
    assert rows([lost("丙", 31, "预算不足")], settings={"winback_reasons": [], "winback_days": 31}) == \
        {"丙": ("挽回：已流失 31 天（预算不足）", 0, TODAY)}


def test_a_follow_up_on_or_after_the_re_contact_day_closes_it() -> None:
    assert rows([lost("甲", 95)], [fu("甲", 5)]) == {}
    assert rows([lost("甲", 95)], [fu("甲", 1)]) == {}
    assert "甲" in rows([lost("甲", 95)], [fu("甲", 6)])  # a follow-up before the day does not


def test_no_lost_on_no_item_and_open_or_won_customers_never() -> None:
    assert rows([lost("甲", None, "价格异议")]) == {}
    assert rows([lost("甲", None), {"customer": "乙", "owner": "小王", "status": "已成交", "lost_on": ago(200)},
                 {"customer": "丙", "owner": "小王", "status": "跟进中", "lost_on": ago(200)}]) == {}


@pytest.mark.parametrize("lang", LANGS)
def test_three_languages(lang: str) -> None:
    reason = {"zh-Hans": "其他", "zh-Hant": "其他", "en": "Other"}[lang]
    got = rows([lost("甲", 95, reason, lang)], lang=lang)
    assert got["甲"][0] == {"zh-Hans": "挽回：已流失 95 天（其他）", "zh-Hant": "挽回：已流失 95 天（其他）",
                            "en": "Win back: lost 95 days ago (Other)"}[lang]


def test_reason_days_per_distinct_reason() -> None:
    s = Settings.defaults("zh-Hant")
    got = reason_days(pd.Series(["價格異議", None, "价格异议", "其他"], dtype=object), s).tolist()
    assert got == [60, 90, 60, 90]


def test_a_bad_list_item_is_a_settings_error_naming_its_cell() -> None:
    grid = [["设置项", "值", "说明", None, "挽回间隔(按原因)"], [None, None, None, None, "价格异议：60"],
            [None, None, None, None, "预算不足 30"]]
    with pytest.raises(SettingsError) as err:
        read_settings(grid, "设置")
    assert err.value.cell == "设置!E3" and "预算不足 30" in str(err.value)
    grid[2][4] = "预算不足：30"
    assert read_settings(grid, "设置").reason_days() == [("价格异议", 60), ("预算不足", 30)]


# --- the review's win-back rate ------------------------------------------------------------------------

def review_ctx(lang: str = "zh-Hans", lost_on: bool = True) -> Any:
    won, lost_ = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}[lang], LOST[lang]
    customers = [
        {"customer": "甲", "owner": "小王", "status": won, "lost_on": "2023-11-01"},  # back in March
        {"customer": "乙", "owner": "小王", "status": won, "lost_on": "2023-10-01"},  # back in January
        {"customer": "丙", "owner": "小王", "status": lost_, "lost_on": "2024-02-01"},  # signed only before
        {"customer": "丁", "owner": "小王", "status": lost_, "lost_on": "2024-03-15"},
        {"customer": "戊", "owner": "小王", "status": lost_, "lost_on": "2024-04-10"},  # after the month
        {"customer": "己", "owner": "小王", "status": won},  # never lost
    ]
    if not lost_on:
        for c in customers:
            c.pop("lost_on", None)
    conversions = [{"customer": "甲", "date": "2024-03-05", "amount": 1000},
                   {"customer": "乙", "date": "2024-01-20", "amount": 1000},
                   {"customer": "乙", "date": "2024-03-20", "amount": 1000},
                   {"customer": "丙", "date": "2023-06-01", "amount": 1000},
                   {"customer": "己", "date": "2024-03-01", "amount": 1000}]
    return make_ctx({"customers": customers, "conversions": conversions}, "2024-04-01", lang)


def test_win_back_rate_counts_lost_customers_who_signed_again() -> None:
    from crm_xl.core.review.figures import Month
    from crm_xl.core.review.winback import winback_rate

    assert winback_rate(review_ctx(), Month.parse("2024-03")) == {"lost": 4, "back": 2, "in_month": 1, "rate": 0.5}
    assert winback_rate(review_ctx(), Month.parse("2023-12")) == {"lost": 2, "back": 0, "in_month": 0, "rate": 0.0}
    assert winback_rate(review_ctx(lost_on=False), Month.parse("2024-03"))["rate"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_shows_the_win_back_table(lang: str) -> None:
    from crm_xl.core.review.job import build

    blocks = build(review_ctx(lang)).sheets[0].blocks
    table = next(b for b in blocks if isinstance(b, Table) and b.name == "win_back")
    assert table.title == {"zh-Hans": "十三、流失挽回", "zh-Hant": "十三、流失挽回", "en": "13. Win-back"}[lang]
    assert table.df.iloc[:, 1].tolist() == [4, 2, 1] and table.df.iloc[1, 2] == 0.5
    names = [b.name for b in blocks if isinstance(b, Table)]
    assert names.index("win_back") == names.index("c_screening") + 1
