"""Greetings on Today (core/followups/greetings.py, issue 22 §5): birthdays, partnership anniversaries and
the Settings holidays within `greeting_days`, A first; the optional columns' headers in three languages;
the default holiday table; workbooks without the columns get no birthday items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.model.holidays import LUNAR
from crm_xl.model.i18n import LANGS
from crm_xl.model.layout import Table
from crm_xl.model.schema import SHEETS
from crm_xl.model.settings import Settings
from tests.conftest import make_ctx

TODAY = dt.date(2024, 4, 1)
OPEN = {"zh-Hans": "跟进中", "zh-Hant": "跟進中", "en": "Open"}
WON = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}
HEAD = {"zh-Hans": "问候（", "zh-Hant": "問候（", "en": "Greetings ("}


def cust(name: str, lang: str = "zh-Hans", status: str = "open", **cells: Any) -> dict[str, Any]:
    word = {"open": OPEN, "won": WON}[status][lang] if status in ("open", "won") else status
    return {"customer": name, "owner": "小王", "status": word, "tier": "B", **cells}


def greetings(customers: list[dict[str, Any]], lang: str = "zh-Hans", today: dt.date = TODAY,
              settings: dict[str, Any] | None = None) -> list[tuple[str, str, str | None]]:
    """(customer, what, row style) of the greetings block, in order."""
    res = flag_stale(make_ctx({"customers": customers}, today, lang, settings))
    out = []
    for b in res.sheets[0].blocks:
        if isinstance(b, Table) and b.title and b.title.startswith(HEAD[lang]):
            out += list(zip(b.df.iloc[:, 0], b.df.iloc[:, 2], b.row_styles or [], strict=True))
    assert res.summary.counts["greetings"] == len(out)
    return out


def test_birthdays_within_the_days_ahead_a_first() -> None:
    got = greetings([cust("乙", contact_birthday="1985-04-04"), cust("甲", contact_birthday="1990-04-03", tier="A"),
                     cust("丙", contact_birthday="1980-04-05"), cust("丁", contact_birthday="1980-03-31")])
    assert got == [("甲", "问候：联系人生日 2024-04-03（还有 2 天）", "warning"),
                   ("乙", "问候：联系人生日 2024-04-04（还有 3 天）", "warning")]
    assert greetings([cust("甲", contact_birthday="1990-04-01")]) == [("甲", "问候：联系人生日 2024-04-01（今天）", "warning")]
    assert greetings([cust("甲", contact_birthday="1990-04-03")], settings={"greeting_days": 1}) == []
    assert greetings([cust("甲", contact_birthday="1990-04-01")], settings={"greeting_days": 0}) != []


def test_anniversaries_count_their_years_and_skip_the_first_day() -> None:
    got = greetings([cust("甲", "zh-Hans", "won", anniversary="2022-04-02"), cust("乙", anniversary="2024-04-02")])
    assert got == [("甲", "问候：合作 2 周年 2024-04-02（还有 1 天）", "warning")]


def test_year_end_and_29_february() -> None:
    dec = dt.date(2024, 12, 30)
    assert [g[1] for g in greetings([cust("甲", contact_birthday="1990-01-02")], today=dec)] == \
        ["问候：联系人生日 2025-01-02（还有 3 天）"]
    feb = dt.date(2025, 2, 26)
    assert [g[1] for g in greetings([cust("甲", contact_birthday="1992-02-29")], today=feb)] == \
        ["问候：联系人生日 2025-02-28（还有 2 天）"]


def test_lost_and_paused_customers_get_no_greeting() -> None:
    assert greetings([cust("甲", status="已流失", contact_birthday="1990-04-02"),
                      cust("乙", status="暂停", contact_birthday="1990-04-02")]) == []


def test_holidays_greet_won_accounts_and_a_leads() -> None:
    custom = {"holidays": ["清明：2024-04-04", "劳动节：2024-05-01"]}
    got = greetings([cust("甲", status="won"), cust("乙", tier="A"), cust("丙")], settings=custom)
    assert got == [("乙", "问候：清明 2024-04-04（还有 3 天）", "warning"), ("甲", "问候：清明 2024-04-04（还有 3 天）", "warning")]
    spring = dt.date(2024, 2, 8)  # the default list: 春节 2024-02-10
    assert [g[1] for g in greetings([cust("甲", status="won")], today=spring)] == ["问候：春节 2024-02-10（还有 2 天）"]


@pytest.mark.parametrize("lang", LANGS)
def test_three_languages(lang: str) -> None:
    got = greetings([cust("甲", lang, contact_birthday="1990-04-03")], lang)
    assert got[0][1] == {"zh-Hans": "问候：联系人生日 2024-04-03（还有 2 天）", "zh-Hant": "問候：聯繫人生日 2024-04-03（還有 2 天）",
                         "en": "Greeting: contact's birthday 2024-04-03 (in 2 days)"}[lang]


def test_the_columns_headers_in_three_languages() -> None:
    cols = {c.key: c for c in SHEETS["customers"].columns}
    assert {"联系人生日", "聯繫人生日", "聯絡人生日", "Contact birthday"} <= set(cols["contact_birthday"].headers())
    assert {"合作周年日", "合作週年日", "Partnership anniversary"} <= set(cols["anniversary"].headers())


def test_the_default_holidays_are_the_lunar_table() -> None:
    # the Gregorian days of 春节, 元宵, 端午, 中秋 (Chinese calendar 1/1, 1/15, 5/5, 8/15)
    assert LUNAR[2024] == {"spring": "02-10", "lantern": "02-24", "dragon_boat": "06-10", "mid_autumn": "09-17"}
    assert LUNAR[2025] == {"spring": "01-29", "lantern": "02-12", "dragon_boat": "05-31", "mid_autumn": "10-06"}
    assert LUNAR[2026] == {"spring": "02-17", "lantern": "03-03", "dragon_boat": "06-19", "mid_autumn": "09-25"}
    assert LUNAR[2027] == {"spring": "02-06", "lantern": "02-20", "dragon_boat": "06-09", "mid_autumn": "09-15"}
    days = dict(Settings.defaults("zh-Hans").holiday_dates()[:6])
    assert days == {"元旦": dt.date(2024, 1, 1), "春节": dt.date(2024, 2, 10), "元宵": dt.date(2024, 2, 24),
                    "端午": dt.date(2024, 6, 10), "中秋": dt.date(2024, 9, 17), "国庆": dt.date(2024, 10, 1)}
    assert len(Settings.defaults("en").holiday_dates()) == 24
    assert Settings.defaults("en").holiday_dates()[1] == ("Spring Festival", dt.date(2024, 2, 10))
