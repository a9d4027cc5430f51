"""Issue 22 §2, signed accounts' rhythm: after onboarding, a monthly light touch (已成交客户联系间隔), a
quarterly visit, a half-yearly needs review and, for A accounts, a quarterly strategic talk (Settings),
each recognised from the follow-ups, due items on Today. Each fires and stays quiet, in three languages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.followups.rules import follow_state
from crm_xl.model.layout import Table
from crm_xl.model.settings import SCALARS, Settings
from tests.conftest import make_ctx

LANGS = ("zh-Hans", "zh-Hant", "en")
WON = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}
TEXT = {
    "zh-Hans": {"light": "维护逾期：月度联系", "visit": "维护逾期：季度拜访", "needs_review": "维护逾期：半年需求复盘",
                "strategic": "维护逾期：季度战略沟通", "today": "维护今日到期：月度联系"},
    "zh-Hant": {"light": "維護逾期：月度聯繫", "visit": "維護逾期：季度拜訪", "needs_review": "維護逾期：半年需求復盤",
                "strategic": "維護逾期：季度戰略溝通", "today": "維護今日到期：月度聯繫"},
    "en": {"light": "Maintenance overdue: monthly touch", "visit": "Maintenance overdue: quarterly visit",
           "needs_review": "Maintenance overdue: half-yearly needs review",
           "strategic": "Maintenance overdue: quarterly strategic talk", "today": "Maintenance due today: monthly touch"},
}
ONBOARD = [("2024-01-01", "感谢合作", "微信"), ("2024-01-02", "回访", "电话"), ("2024-01-05", "使用指南", "邮件")]


def ctx(lang: str, extra: list[tuple[str, str, str]], today: str = "2024-04-15", tier: str = "B",
        onboard: list[tuple[str, str, str]] = ONBOARD, settings: dict[str, Any] | None = None) -> Any:
    customers = [{"customer": "甲", "status": WON[lang], "owner": "小王", "tier": tier}]
    followups = [{"customer": "甲", "date": d, "content": c, "method": m, "owner": "小王"}
                 for d, c, m in [*onboard, *extra]]
    conversions = [{"customer": "甲", "date": "2024-01-01", "amount": 1000, "owner": "小王"}]
    return make_ctx({"customers": customers, "followups": followups, "conversions": conversions}, today, lang, settings)


def due(c: Any) -> dict[str, dt.date | None]:
    st = follow_state(c.frames, c.settings, c.today).iloc[0]
    return {r: None if pd.isna(st[f"due_{r}"]) else st[f"due_{r}"].date()
            for r in ("light", "visit", "needs_review", "strategic")}


def today_texts(c: Any) -> list[str]:
    res = flag_stale(c)
    return [t for b in res.sheets[0].blocks if isinstance(b, Table) and b.row_styles is not None
            for t in b.df.iloc[:, 2]]


@pytest.mark.parametrize("lang", LANGS)
def test_rhythms_fire_when_missed(lang: str) -> None:
    c = ctx(lang, [("2024-03-01", "介绍新功能", "微信")], tier="A")
    assert due(c) == {"light": dt.date(2024, 3, 31), "visit": dt.date(2024, 3, 31),
                      "needs_review": dt.date(2024, 6, 29), "strategic": dt.date(2024, 3, 31)}
    texts = today_texts(c)
    for r in ("light", "visit", "strategic"):
        assert TEXT[lang][r] in texts
    assert TEXT[lang]["needs_review"] not in texts
    assert flag_stale(c).summary.counts["maintenance"] == 3


@pytest.mark.parametrize("lang", LANGS)
def test_matching_follow_ups_reset_their_clock(lang: str) -> None:
    visit = {"zh-Hans": "拜访", "zh-Hant": "拜訪", "en": "Visit"}[lang]
    c = ctx(lang, [("2024-03-20", "季度回访", visit), ("2024-03-21", "战略规划沟通", "电话"),
                   ("2024-03-22", "需求回顾", "电话")], tier="A")
    assert due(c) == {"light": dt.date(2024, 4, 21), "visit": dt.date(2024, 6, 18),
                      "needs_review": dt.date(2024, 9, 18), "strategic": dt.date(2024, 6, 19)}
    assert not any(t.startswith(TEXT[lang]["light"][:4]) for t in today_texts(c))


def test_strategic_talk_is_for_a_accounts_only() -> None:
    assert due(ctx("zh-Hans", [], tier="B"))["strategic"] is None
    assert due(ctx("zh-Hans", [], tier="A"))["strategic"] == dt.date(2024, 3, 31)


def test_quiet_during_onboarding() -> None:
    c = ctx("zh-Hans", [], today="2024-02-15", onboard=ONBOARD[:2])  # guide missing, within the first 90 days
    assert set(due(c).values()) == {None}
    assert not any(t.startswith("维护") for t in today_texts(c))


def test_due_today_and_needs_review() -> None:
    c = ctx("zh-Hans", [("2024-03-16", "介绍", "微信")], today="2024-04-15")
    assert TEXT["zh-Hans"]["today"] in today_texts(c)
    late = ctx("zh-Hans", [("2024-07-01", "拜访", "拜访")], today="2024-07-10")
    assert "维护逾期：半年需求复盘" in today_texts(late)
    assert "维护逾期：季度拜访" not in today_texts(late)


def test_cadences_are_settings() -> None:
    c = ctx("zh-Hans", [], settings={"cadence_won": 10, "visit_days": 20, "needs_review_days": 30,
                                     "strategic_days": 40}, tier="A")
    assert due(c) == {"light": dt.date(2024, 1, 15), "visit": dt.date(2024, 1, 21),
                      "needs_review": dt.date(2024, 1, 31), "strategic": dt.date(2024, 2, 10)}
    s = Settings()
    assert (s.cadence_won, s.visit_days, s.needs_review_days, s.strategic_days) == (30, 90, 180, 90)
    names = ["visit_days", "needs_review_days", "strategic_days"]
    assert set(names) <= set(SCALARS)
    for key in names:
        assert len({SCALARS[key].hans, SCALARS[key].hant, SCALARS[key].en}) == 3


def test_open_and_lost_customers_have_no_rhythm() -> None:
    c = make_ctx({"customers": [{"customer": "乙", "status": "跟进中", "owner": "小王"},
                                {"customer": "丙", "status": "已流失", "owner": "小王"}]}, "2024-04-15")
    st = follow_state(c.frames, c.settings, c.today)
    assert st[["due_light", "due_visit", "due_needs_review", "due_strategic"]].isna().all().all()


def test_follow_ups_before_the_conversion_do_not_count() -> None:
    c = ctx("zh-Hans", [], onboard=[("2023-12-20", "拜访", "拜访"), *ONBOARD])  # a visit while still a lead
    assert due(c)["visit"] == dt.date(2024, 3, 31)
