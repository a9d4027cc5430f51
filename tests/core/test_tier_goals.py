"""Issue 22 §1, tier goals: an A lead signs within 3 days of becoming A, a B lead reaches A within 14 days
(Settings); a missed goal is a Today item and part of 跟进状态; the review's tier-goal table and C screening.

Each rule fires and stays quiet, in zh-Hans, zh-Hant and en.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.review.figures import Month
from crm_xl.core.review.tiergoals import c_screening, dwell, positive
from crm_xl.model.layout import Table
from crm_xl.model.settings import SCALARS, Settings
from tests.conftest import make_ctx

TODAY = dt.date(2024, 3, 15)
LANGS = ("zh-Hans", "zh-Hant", "en")
OPEN = {"zh-Hans": "跟进中", "zh-Hant": "跟進中", "en": "Open"}
WON = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}
SIGN = {"zh-Hans": "A 级 5 天未签约", "zh-Hant": "A 級 5 天未簽約", "en": "tier A for 5 days, not signed"}
UPGRADE = {"zh-Hans": "B 级 20 天未升 A", "zh-Hant": "B 級 20 天未升 A", "en": "tier B for 20 days, not yet A"}
OVERDUE = {"zh-Hans": "逾期", "zh-Hant": "逾期", "en": "Overdue"}
SEP = {"zh-Hans": "；", "zh-Hant": "；", "en": "; "}


def log(*rows: tuple[str, str, Any]) -> pd.DataFrame:
    """Tier-log rows (customer, tier, date)."""
    return pd.DataFrame([{"customer": c, "tier": t, "reason": "", "date": d, "owner": "小王"} for c, t, d in rows],
                        columns=["customer", "tier", "reason", "date", "owner"])


def run(lang: str, customers: list[dict[str, Any]], tierlog: pd.DataFrame | None,
        settings: dict[str, Any] | None = None, conversions: list[dict[str, Any]] | None = None) -> Any:
    data: dict[str, Any] = {"customers": customers, "followups": [
        {"customer": c["customer"], "date": "2024-03-13", "method": "电话", "content": "介绍", "owner": "小王"}
        for c in customers]}
    if tierlog is not None:
        data["tierlog"] = tierlog
    if conversions:
        data["conversions"] = conversions
    return flag_stale(make_ctx(data, TODAY, lang, settings))


def today_rows(res: Any) -> list[tuple[str, str]]:
    """(customer, what is due) of every Today row."""
    out = []
    for block in res.sheets[0].blocks:
        if isinstance(block, Table) and block.name is None and block.row_styles is not None:
            df = block.df
            out += list(zip(df.iloc[:, 0], df.iloc[:, 2], strict=True))
    return out


def lead(name: str, lang: str, **extra: Any) -> dict[str, Any]:
    return {"customer": name, "status": OPEN[lang], "owner": "小王", **extra}


@pytest.mark.parametrize("lang", LANGS)
def test_a_lead_unsigned_past_its_goal_fires(lang: str) -> None:
    res = run(lang, [lead("甲", lang)], log(("甲", "B", "2024-02-01"), ("甲", "A", "2024-03-10")))
    status = res.columns["customers"]["follow_status"].tolist()
    assert status == [OVERDUE[lang] + SEP[lang] + SIGN[lang]]  # (tier A cadence 1 day: overdue too)
    assert ("甲", SIGN[lang]) in today_rows(res)
    assert ("甲", OVERDUE[lang]) in today_rows(res)
    assert res.summary.counts["goals"] == 1


@pytest.mark.parametrize("lang", LANGS)
def test_a_b_lead_stuck_fires_from_the_start_of_its_run(lang: str) -> None:
    # a repeated B row continues the run begun on 02-24 (20 days before 03-15)
    res = run(lang, [lead("乙", lang, tier=None)], log(("乙", "C", "2024-01-01"), ("乙", "B", "2024-02-24"),
                                                       ("乙", "B", "2024-03-05")))
    assert res.columns["customers"]["follow_status"].tolist()[0].endswith(UPGRADE[lang])
    assert ("乙", UPGRADE[lang]) in today_rows(res)


@pytest.mark.parametrize("lang", LANGS)
def test_goals_stay_quiet(lang: str) -> None:
    customers = [
        lead("早", lang),  # A for 3 days: the goal's last day
        lead("快", lang),  # B for 14 days
        lead("无日期", lang),  # an undated A row
        lead("手填", lang, tier="B"),  # typed B, logged A: the tier the cadence uses is not the logged one
        {"customer": "签", "status": WON[lang], "owner": "小王"},  # signed
        lead("升", lang),  # B 30 days ago, A 2 days ago
    ]
    tl = log(("早", "A", "2024-03-12"), ("快", "B", "2024-03-01"), ("无日期", "A", None),
             ("手填", "A", "2024-02-01"), ("签", "A", "2024-02-01"), ("升", "B", "2024-02-14"), ("升", "A", "2024-03-13"))
    res = run(lang, customers, tl, conversions=[{"customer": "签", "date": "2024-02-03", "amount": 1000}])
    assert res.summary.counts["goals"] == 0
    assert all(SIGN[lang][:3] not in (s or "") for s in res.columns["customers"]["follow_status"])
    assert [w for _, w in today_rows(res) if w in (SIGN[lang], UPGRADE[lang])] == []


def test_goal_days_are_settings() -> None:
    tl = log(("甲", "A", "2024-03-10"))
    assert run("zh-Hans", [lead("甲", "zh-Hans")], tl, {"a_sign_days": 5}).summary.counts["goals"] == 0
    assert run("zh-Hans", [lead("甲", "zh-Hans")], tl, {"a_sign_days": 4}).summary.counts["goals"] == 1
    tl = log(("乙", "B", "2024-02-24"))
    assert run("zh-Hans", [lead("乙", "zh-Hans")], tl, {"b_upgrade_days": 20}).summary.counts["goals"] == 0
    names = list(SCALARS)
    assert names[names.index("contact_window_days") + 1:][:3] == ["a_sign_days", "b_upgrade_days", "c_screen_days"]
    s = Settings()
    assert (s.a_sign_days, s.b_upgrade_days, s.c_screen_days) == (3, 14, 30)
    for key in ("a_sign_days", "b_upgrade_days", "c_screen_days"):
        assert len({SCALARS[key].hans, SCALARS[key].hant, SCALARS[key].en}) == 3


def test_without_a_tier_log_nothing_changes() -> None:
    res = run("zh-Hans", [lead("甲", "zh-Hans", tier="A")], None)
    assert res.columns["customers"]["follow_status"].tolist() == ["逾期"]
    assert res.summary.counts["goals"] == 0
    assert "目标" not in res.summary.headline


def test_the_headline_and_counts_name_the_goals() -> None:
    res = run("zh-Hans", [lead("甲", "zh-Hans")], log(("甲", "A", "2024-03-10")))
    assert res.summary.headline.endswith("；未达级别目标 1")
    assert res.summary.counts["todo"] == 2  # the overdue follow-up and the goal


# --- the review ----------------------------------------------------------------------------------------

MARCH = Month.parse("2024-03")


def review_ctx(lang: str = "zh-Hans", **extra: Any) -> Any:
    customers = [lead(n, lang) for n in ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛")]
    customers[0]["status"] = WON[lang]
    customers[5]["expected_close"] = "2024-05-20"  # C, expected close coming
    customers[6]["expected_close"] = "2024-09-20"  # C, too far
    tl = log(("甲", "A", "2024-03-01"),  # signed on 03-03: within 3 days, 2 days
             ("乙", "A", "2024-03-10"),  # due 03-13, not signed
             ("丙", "B", "2024-02-20"), ("丙", "A", "2024-03-01"),  # due 03-05: reached A in time
             ("丁", "B", "2024-03-01"),  # due 03-15: not A
             ("辛", "B", "2024-02-20"), ("辛", "A", "2024-03-20"),  # due 03-05: A too late
             ("戊", "C", "2024-01-01"), ("己", "C", "2024-01-01"), ("庚", "C", "2024-01-01"))
    followups = [
        {"customer": "戊", "date": "2024-03-20", "method": "电话", "content": "介绍", "feedback": "很感兴趣，要报价",
         "owner": "小王"},
        {"customer": "庚", "date": "2024-03-21", "method": "电话", "content": "介绍", "feedback": "不感兴趣",
         "owner": "小王"},
        {"customer": "乙", "date": "2024-03-21", "method": "电话", "content": "介绍", "feedback": "感兴趣",
         "owner": "小王"},
    ]
    conversions = [{"customer": "甲", "date": "2024-03-03", "amount": 1000}]
    return make_ctx({"customers": customers, "followups": followups, "tierlog": tl, "conversions": conversions},
                    "2024-04-01", lang, extra or None)


def test_tier_dwell_figures() -> None:
    d = dwell(review_ctx(), MARCH)
    assert d["a_sign_days"] == (1, 2.0, None)
    assert d["a_in_time"] == (4, None, 0.25)  # 甲 signed in time; 乙, 丙 (A since 03-01), 辛 (03-20) not
    assert d["b_in_time"] == (3, None, 1 / 3)  # 丙 reached A in time; 丁 not, 辛 too late


def test_dwell_is_empty_without_a_tier_log() -> None:
    ctx = make_ctx({"customers": [lead("甲", "zh-Hans")]}, "2024-04-01")
    assert dwell(ctx, MARCH) == {"a_sign_days": (0, None, None), "a_in_time": (0, None, None),
                                 "b_in_time": (0, None, None)}


@pytest.mark.parametrize("lang", LANGS)
def test_c_screening_lists_positive_or_closing_c_leads(lang: str) -> None:
    sc = c_screening(review_ctx(lang), MARCH)
    assert sc["customer"].tolist() == ["己", "戊"]  # expected close first; 庚 said no, 乙 is A
    assert sc["feedback"].tolist() == ["", "很感兴趣，要报价"]


def test_c_screening_window_is_a_setting() -> None:
    assert c_screening(review_ctx(c_screen_days=5), MARCH)["customer"].tolist() == ["己"]  # 03-20 > 5 days ago


def test_positive_feedback_words() -> None:
    said = pd.Series(["感兴趣", "不感興趣", "Interested in a demo", "not interested", "價格偏高", None, "認可方案"])
    assert positive(said).tolist() == [True, False, True, False, False, False, True]


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_shows_both_tables(lang: str) -> None:
    from crm_xl.core.review.job import build

    res = build(review_ctx(lang))
    names = [b.name for b in res.sheets[0].blocks if isinstance(b, Table)]
    assert "tier_goals" in names and "c_screening" in names
    screen = next(b for b in res.sheets[0].blocks if isinstance(b, Table) and b.name == "c_screening")
    assert screen.df.iloc[:, 0].tolist() == ["己", "戊"]
    title = {"zh-Hans": "十二、C 级筛选（可升 B）", "zh-Hant": "十二、C 級篩選（可升 B）", "en": "12. Tier C screening"}
    assert screen.title is not None and screen.title.startswith(title[lang])
