"""Churn warnings as Today tasks (core/followups/churntasks.py, issue 22 §3): high and medium accounts are
items with the suggested step, due at once (high) or within `churn_task_days` (medium), from the warning's
derived day, until a follow-up dated on or after it; three languages; the Today block and counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.model.i18n import LANGS
from crm_xl.model.layout import Table, Text
from tests.conftest import make_ctx

TODAY = dt.date(2024, 4, 1)
WON = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def won(name: str, lang: str = "zh-Hans", **cells: Any) -> dict[str, Any]:
    return {"customer": name, "contact": "张三", "owner": "小王", "status": WON[lang], **cells}


def conv(name: str, days_ago: int) -> dict[str, Any]:
    return {"customer": name, "date": ago(days_ago), "amount": "10万", "owner": "小王"}


def fu(name: str, days_ago: int, content: str = "季度满意度调研") -> dict[str, Any]:
    return {"customer": name, "date": ago(days_ago), "method": "电话", "content": content, "owner": "小王"}


def run(customers: list[dict[str, Any]], conversions: list[dict[str, Any]], followups: list[dict[str, Any]],
        lang: str = "zh-Hans", settings: dict[str, Any] | None = None) -> Any:
    data = {"customers": customers, "conversions": conversions, "followups": followups}
    return flag_stale(make_ctx(data, TODAY, lang, settings))


def churn_rows(res: Any, lang: str = "zh-Hans") -> dict[str, tuple[str, int, dt.date, str | None]]:
    """customer → (what, days late, due, row style) of the churn-warning block."""
    head = {"zh-Hans": "流失预警（", "zh-Hant": "流失預警（", "en": "Churn warnings ("}[lang]
    out = {}
    for b in res.sheets[0].blocks:
        if isinstance(b, Table) and b.title and b.title.startswith(head):
            styles = b.row_styles or [None] * len(b.df)
            for (_, r), style in zip(b.df.iterrows(), styles, strict=True):
                out[r.iloc[0]] = (r.iloc[2], int(r.iloc[3]), r.iloc[4], style)
    return out


def high(followed_days_ago: int, lang: str = "zh-Hans") -> Any:
    """A high-risk account (NPS -40, last conversion 100 days ago: the warning's day is 9 days ago)."""
    return run([won("高风险", lang, nps=-40)], [conv("高风险", 100)], [fu("高风险", followed_days_ago)], lang)


def test_high_risk_is_due_the_day_its_warning_arose() -> None:
    rows = churn_rows(high(20))
    assert rows == {"高风险": ("高风险：致歉并解决问题（NPS -40，100 天无成交）", 9, ago(9), "error")}


def test_a_follow_up_on_or_after_the_warning_closes_it() -> None:
    assert churn_rows(high(9)) == {}  # on the warning's day
    assert churn_rows(high(3)) == {}
    assert "高风险" in churn_rows(high(10))  # the day before


@pytest.mark.parametrize("lang", LANGS)
def test_three_languages(lang: str) -> None:
    res = high(20, lang)
    (what, late, _, _), = churn_rows(res, lang).values()
    assert what == {"zh-Hans": "高风险：致歉并解决问题（NPS -40，100 天无成交）",
                    "zh-Hant": "高風險：致歉並解決問題（NPS -40，100 天無成交）",
                    "en": "High risk: Apologise and fix the problem (NPS -40, no conversion for 100 days)"}[lang]
    assert late == 9
    assert res.summary.counts["churn_warnings"] == 1
    counts = {"zh-Hans": " · 流失预警 1", "zh-Hant": " · 流失預警 1", "en": " · Churn warnings 1"}[lang]
    assert any(isinstance(b, Text) and b.style == "subtitle" and b.text.endswith(counts) for b in res.sheets[0].blocks)


def test_medium_risk_is_due_within_the_setting_from_its_undated_signal() -> None:
    # a price-sensitive tag carries no date: the warning dates from the last conversion (3 days ago)
    cust = [won("中风险", nps=30, tags="价格敏感")]
    rows = churn_rows(run(cust, [conv("中风险", 3)], [fu("中风险", 30)]))
    assert rows == {"中风险": ("中风险：提供价值方案（价格敏感）", 0, ago(3) + dt.timedelta(days=7), "warning")}
    rows = churn_rows(run(cust, [conv("中风险", 3)], [fu("中风险", 30)], settings={"churn_task_days": 2}))
    assert rows["中风险"][1:3] == (1, ago(1))
    assert churn_rows(run(cust, [conv("中风险", 3)], [fu("中风险", 30), fu("中风险", 1, "电话沟通价格")])) == {}


def test_no_contact_dates_from_the_day_the_gap_crossed_the_threshold() -> None:
    # last contact 70 days ago; the gap (2 × 30 days) crossed 9 days ago; medium: due 7 days later
    rows = churn_rows(run([won("失联", nps=50)], [conv("失联", 80)], [fu("失联", 70)]))
    assert rows == {"失联": ("中风险：立即电话联系（70 天未联系）", 2, ago(2), "error")}


def test_low_risk_leads_and_lost_accounts_get_no_warning() -> None:
    cust = [won("低风险", nps=60), {"customer": "线索", "owner": "小王", "status": "跟进中", "nps": -50},
            {"customer": "流失", "owner": "小王", "status": "已流失", "nps": -50}]
    # (the low-risk account's follow-up is before its conversion: were it warned, the warning would be open)
    res = run(cust, [conv("低风险", 10), conv("流失", 200)], [fu("低风险", 15), fu("线索", 1), fu("流失", 150)])
    assert churn_rows(res) == {} and res.summary.counts["churn_warnings"] == 0


def test_the_churn_block_follows_the_owners_other_kinds() -> None:
    res = high(20)
    heads = [b.title for b in res.sheets[0].blocks if isinstance(b, Table)]
    assert heads[-1] == "流失预警（1）"
    assert any(isinstance(b, Text) and b.text == "小王：3 项（售后 2 · 流失预警 1）" for b in res.sheets[0].blocks)


def test_a_complaint_warns_from_the_day_after_it() -> None:
    # a survey answer with a complaint 10 days ago: the complaint itself does not close its warning
    cust = [won("投诉", nps=50)]
    said = fu("投诉", 10, "季度满意度调研：客户抱怨响应慢")
    assert churn_rows(run(cust, [conv("投诉", 30)], [said])) == \
        {"投诉": ("中风险：致歉并解决问题（客户投诉（2024-03-22））", 2, ago(2), "error")}
    assert churn_rows(run(cust, [conv("投诉", 30)], [said, fu("投诉", 9, "上门致歉，解决响应问题")])) == {}
