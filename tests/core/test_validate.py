"""validate: every rule fires and stays quiet (zh-Hans, zh-Hant and en headers), the toolkit's sample rows, the
check column, the Issues sheet, the summary, and arbitrary cell values."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_xl.book.memory import MemoryBook, settings_grid
from crm_xl.book.ops import TableInfo
from crm_xl.core.validation import checks
from crm_xl.core.validation.contacts import parse_contacts
from crm_xl.core.validation.job import find_issues, validate
from crm_xl.core.validation.names import dedupe_key
from crm_xl.core.validation.rules import RULES
from crm_xl.jobs import make_context
from crm_xl.model.frame import col_letter
from crm_xl.model.layout import Table, render
from crm_xl.model.schema import ISSUES_SHEET, SHEETS, NoValue
from crm_xl.model.settings import Settings
from tests.conftest import make_ctx

LANGS = ["zh-Hans", "zh-Hant", "en"]
TODAY = "2024-03-15"


def base() -> dict[str, list[dict[str, Any]]]:
    """A clean workbook: an open customer 甲 and a won customer 乙 with its conversion."""
    customer = {
        "customer": "甲科技有限公司", "industry": "互联网", "contact": "张总", "title": "总经理",
        "phone": "13912345678", "need": "CRM", "budget": "50-80万", "source": "展会推荐", "tags": "价格敏感",
        "owner": "小王", "first_contact": "2024-03-01", "entered_on": "2024-03-01 15:00",
        "verified_on": "2024-03-12", "need_clarity": "明确", "budget_status": "已审批", "decision_chain": "短",
        "expected_close": "2024-03-25", "status": "跟进中", "lost_reason": None, "lost_on": None, "nps": 30,
        "tier_override": None,
    }
    won = {**customer, "customer": "乙贸易集团", "phone": "zhang@example.com", "owner": "小李", "status": "已成交",
           "nps": None}
    return {
        "customers": [customer, won],
        "followups": [
            {"customer": "甲科技有限公司", "date": dt.datetime(2024, 3, 10, 10, 30), "method": "电话",
             "content": "介绍方案", "feedback": "有兴趣", "next_action": "发方案", "next_date": "2024-03-20",
             "owner": "小王"},
            {"customer": "乙贸易集团", "date": "2024-03-11", "method": "拜访", "content": "签约", "feedback": None,
             "next_action": None, "next_date": None, "owner": "小李"},
        ],
        "tierlog": [{"customer": "甲科技有限公司", "tier": "A", "reason": "需求明确", "date": "2024-03-10",
                     "owner": "小王"}],
        "conversions": [{"customer": "乙贸易集团", "date": "2024-03-12", "amount": "65万", "product": "CRM",
                         "key_factor": "案例", "owner": "小李"}],
    }


def found(data: dict[str, Any] | Callable[[str], MemoryBook], lang: str = "zh-Hans", today: str = TODAY,
          settings_: dict[str, Any] | None = None) -> list[tuple[str, int, str, str]]:
    """The issues as (sheet, row, key, rule); `data` may be a function of the language giving the book."""
    ctx = make_context(data(lang), today) if callable(data) else make_ctx(data, today, lang, settings_)
    issues = find_issues(ctx)
    return list(zip(issues["sheet"], issues["row"], issues["key"], issues["rule"], strict=True))


def with_column(header: str | Callable[[str], str], values: list[Any]) -> Callable[[str], MemoryBook]:
    """base() with one more column on Customers (its header in the book's language)."""
    def book(lang: str) -> MemoryBook:
        b = MemoryBook.from_frames(base(), lang=lang)  # type: ignore[arg-type]
        grid = b.sheets[SHEETS["customers"].name(lang)]  # type: ignore[index]
        for line, value in zip(grid, [header(lang) if callable(header) else header, *values], strict=True):
            line.append(value)
        b.tables = [TableInfo(t.name, t.sheet, f"A1:{col_letter(len(grid[0]))}{len(grid)}") if t.name == "Customers"
                    else t for t in b.tables]
        return b
    return book


def changed(sheet: str, index: int, **values: Any) -> dict[str, Any]:
    data = base()
    data[sheet][index].update(values)
    return data


def complaint(**values: Any) -> dict[str, Any]:
    """base() with a complaints sheet: 乙's complaint of 2024-03-10 10:00, confirmed at 10:20 (`values` change it)."""
    data = base()
    data["complaints"] = [{"customer": "乙贸易集团", "complained": "2024-03-10 10:00", "content": "响应慢",
                           "confirmed": "2024-03-10 10:20", "first_solution": None, "solved": None, "owner": "小李",
                           **values}]
    return data


def preferring(preference: str) -> dict[str, Any]:
    """base() with 甲's contact preference and two more follow-ups (邮件 on 03-12, 拜访 on 03-13)."""
    data = changed("customers", 0, preference=preference)
    first = data["followups"][0]
    data["followups"] += [{**first, "date": dt.datetime(2024, 3, 12, 9), "method": "邮件", "next_date": None},
                          {**first, "date": dt.datetime(2024, 3, 13, 9), "method": "拜访", "next_date": None}]
    return data


def added(sheet: str, first: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
    """base() with one more row like its first; `first`: changes to that first row (made before)."""
    data = base()
    data[sheet][0].update(first or {})
    template = copy.deepcopy(data[sheet][0])
    data[sheet].append({**template, **values})
    return data


@pytest.mark.parametrize("lang", LANGS)
def test_clean_workbook_has_no_issues(lang: str) -> None:
    assert found(base(), lang) == []


# rule → (data that makes it fire, the one issue expected as (sheet, row, key), data that keeps it quiet)
CASES: dict[str, list[tuple[dict[str, Any], tuple[str, int, str], dict[str, Any]]]] = {
    "required": [
        (changed("customers", 0, contact=None), ("customers", 2, "contact"), changed("customers", 0, contact="李")),
        (changed("followups", 1, content="  "), ("followups", 3, "content"), base()),
        (changed("conversions", 0, amount=None), ("conversions", 2, "amount"), base()),
    ],
    "cell_error": [
        (changed("customers", 0, industry="#N/A"), ("customers", 2, "industry"), changed("customers", 0, industry=None)),
        (changed("followups", 0, feedback="#REF!"), ("followups", 2, "feedback"), changed("followups", 0, feedback="#1")),
    ],
    "bad_type": [
        (changed("customers", 0, contact=dt.datetime(2024, 1, 1)), ("customers", 2, "contact"),
         changed("customers", 0, contact=12345)),
        (changed("followups", 0, content=True), ("followups", 2, "content"),
         changed("followups", 0, feedback=dt.datetime(2024, 3, 1), next_action=True)),
        (changed("followups", 0, method=dt.datetime(2024, 3, 1)), ("followups", 2, "method"),
         changed("customers", 0, notes=dt.date(2024, 3, 1), need=False)),
    ],
    "not_in_list": [
        (changed("customers", 0, source="展会"), ("customers", 2, "source"), changed("customers", 0, source="官网")),
        (changed("customers", 0, status="谈判中"), ("customers", 2, "status"), changed("customers", 0, status="暂停")),
        (changed("followups", 0, method="飞鸽传书"), ("followups", 2, "method"), changed("followups", 0, method="微信")),
        (changed("tierlog", 0, tier="D"), ("tierlog", 2, "tier"), changed("tierlog", 0, tier="b")),
        (changed("customers", 0, need_clarity="很明确"), ("customers", 2, "need_clarity"), base()),
    ],
    "unknown_tag": [
        (changed("customers", 0, tags="价格敏感、神秘标签"), ("customers", 2, "tags"),
         changed("customers", 0, tags="价格敏感，复购意向")),
    ],
    "bad_contact": [
        (changed("customers", 0, phone="1395678"), ("customers", 2, "phone"),
         changed("customers", 0, phone="010-8888 6666")),
        (changed("customers", 0, phone="电话待补"), ("customers", 2, "phone"), changed("customers", 0, phone="+44 20 7946 0958")),
        # WeChat IDs and phones with a note are contacts (the toolkit's 聯繫方式 is 企業微信/電話)
        (changed("customers", 0, phone="abc12"), ("customers", 2, "phone"), changed("customers", 0, phone="wxid_zhang2024")),
        (changed("customers", 0, phone="微信：张三"), ("customers", 2, "phone"),
         changed("customers", 0, phone="企业微信：zhang_san")),
        (changed("customers", 0, phone="1zhang_san"), ("customers", 2, "phone"), changed("customers", 0, phone="Zhang-San_88")),
        (changed("customers", 0, phone="021-8093（微信同号）"), ("customers", 2, "phone"),
         changed("customers", 0, phone="021-80932326（微信同号）")),
        (changed("customers", 0, phone="138 0013 8000 转 八"), ("customers", 2, "phone"),
         changed("customers", 0, phone="138 0013 8000 转 8")),
        (changed("customers", 0, phone="13800138000 / 待定"), ("customers", 2, "phone"),
         changed("customers", 0, phone="13800138000 / 微信：zhang_san")),
        (changed("customers", 0, phone="电话：zhang_san"), ("customers", 2, "phone"),
         changed("customers", 0, phone="微信号：13800138000")),
        # the optional WeChat column: a WeChat ID, or the phone the account is found by
        (changed("customers", 0, wechat="张三的微信"), ("customers", 2, "wechat"), changed("customers", 0, wechat="zhang_san88")),
        (changed("customers", 1, wechat="wx"), ("customers", 3, "wechat"), changed("customers", 1, wechat="13800138000")),
    ],
    "bad_email": [
        (changed("customers", 1, phone="zhang@@example"), ("customers", 3, "phone"),
         changed("customers", 1, phone="li@example.cn")),
    ],
    "bad_budget": [
        (changed("customers", 0, budget="面议"), ("customers", 2, "budget"), changed("customers", 0, budget="¥500,000-800,000")),
        (changed("customers", 0, budget="80-50万"), ("customers", 2, "budget"), changed("customers", 0, budget="50-80w")),
    ],
    "bad_amount": [
        (changed("conversions", 0, amount="很多"), ("conversions", 2, "amount"), changed("conversions", 0, amount="6.5w")),
    ],
    "amount_not_positive": [
        (changed("conversions", 0, amount=0), ("conversions", 2, "amount"), changed("conversions", 0, amount=650000)),
        (changed("conversions", 0, amount="-5万"), ("conversions", 2, "amount"), base()),
    ],
    "bad_date": [
        (changed("customers", 0, first_contact="上周"), ("customers", 2, "first_contact"),
         changed("customers", 0, first_contact="2024年3月1日")),
        (changed("customers", 0, expected_close="2024-02-30"), ("customers", 2, "expected_close"), base()),
        (changed("followups", 1, next_date=3), ("followups", 3, "next_date"), changed("followups", 1, next_date=45383)),
    ],
    "future_date": [
        (changed("followups", 0, date=dt.datetime(2024, 3, 16, 9)), ("followups", 2, "date"),
         changed("followups", 0, date=dt.datetime(2024, 3, 15, 23))),
        (changed("conversions", 0, date="2024-04-01"), ("conversions", 2, "date"), changed("conversions", 0, date=TODAY)),
        (changed("customers", 0, first_contact="2024-03-20"), ("customers", 2, "first_contact"),
         changed("customers", 0, expected_close="2025-01-01")),
    ],
    "bad_nps": [
        (changed("customers", 0, nps=150), ("customers", 2, "nps"), changed("customers", 0, nps=-100)),
        (changed("customers", 0, nps="高"), ("customers", 2, "nps"), changed("customers", 0, nps="40")),
        (changed("customers", 0, nps=7.5), ("customers", 2, "nps"), changed("customers", 0, nps=7.0)),
    ],
    "unknown_customer": [
        (changed("followups", 0, customer="丙公司"), ("followups", 2, "customer"),
         changed("followups", 0, customer="  甲科技有限公司 ")),
        (changed("tierlog", 0, customer="丁"), ("tierlog", 2, "customer"), base()),
        (added("conversions", customer="戊"), ("conversions", 3, "customer"), base()),
    ],
    "name_variant": [
        (changed("followups", 0, customer="甲科技"), ("followups", 2, "customer"),
         changed("followups", 0, customer="甲 科技有限公司")),
    ],
    "duplicate": [
        (added("customers", customer="甲科技 股份有限公司", phone="13800000000", status="跟进中"),
         ("customers", 4, "customer"), added("customers", customer="甲科", phone="13800000000")),
        (added("customers", customer="丙", phone="139-1234-5678"), ("customers", 4, "phone"),
         added("customers", customer="丙", phone="13912345679")),
        (added("customers", customer="丙", phone="ZHANG@example.com"), ("customers", 4, "phone"),
         added("customers", customer="丙", phone="zhang2@example.com")),
        # WeChat IDs: in the contact cells, in the WeChat column, or one in each (case aside)
        (added("customers", customer="丙", phone="wxid_ABC123", first=dict(phone="wxid_abc123")), ("customers", 4, "phone"),
         added("customers", customer="丙", phone="wxid_abc124", first=dict(phone="wxid_abc123"))),
        (added("customers", customer="丙", phone="13800000000", wechat="Zhang_San88", first=dict(wechat="zhang_san88")),
         ("customers", 4, "wechat"),
         added("customers", customer="丙", phone="13800000000", wechat="zhang_san89", first=dict(wechat="zhang_san88"))),
        (added("customers", customer="丙", phone="13800000000", wechat="zhang_san88",
               first=dict(phone="13912345678 / 微信：zhang_san88")), ("customers", 4, "wechat"),
         added("customers", customer="丙", phone="13800000000", wechat="zhang_san88",
               first=dict(phone="13912345678 / 微信：zhang_san_88"))),
        (added("customers", customer="丙", phone="wxid_abc123", wechat=None,
               first=dict(phone="zhang0@example.com", wechat="wxid_abc123")), ("customers", 4, "phone"),
         added("customers", customer="丙", phone="wxid_abc123", wechat=None,
               first=dict(phone="zhang0@example.com", wechat="wxid_abc12"))),
    ],
    "entry_lag": [
        # not entered: a blank entry date once first contact is more than the lag (24 h: 1 day) before today
        (changed("customers", 0, entered_on=None), ("customers", 2, "entered_on"),
         changed("customers", 0, entered_on=None, first_contact="2024-03-14")),
        (changed("customers", 1, entered_on=None, first_contact="2024-03-13"), ("customers", 3, "entered_on"),
         changed("customers", 1, entered_on=None, first_contact=None)),
        (changed("customers", 0, entered_on="2024-03-03 10:00"), ("customers", 2, "entered_on"),
         changed("customers", 0, entered_on="2024-03-02 23:00")),
        (changed("customers", 0, first_contact="2024-03-01 09:00", entered_on="2024-03-02 10:00"),
         ("customers", 2, "entered_on"), changed("customers", 0, first_contact="2024-03-01 09:00",
                                                 entered_on="2024-03-02 08:00")),
    ],
    "verification_old": [
        (changed("customers", 0, verified_on="2024-03-07"), ("customers", 2, "verified_on"),
         changed("customers", 0, verified_on="2024-03-08")),
        (changed("customers", 0, verified_on=dt.datetime(2023, 12, 1)), ("customers", 2, "verified_on"),
         changed("customers", 0, verified_on=dt.datetime(2023, 12, 1), status="已流失", lost_reason="预算不足",
                 lost_on="2024-03-01")),
        (changed("customers", 0, verified_on="2024-02-01", status="暂停"), ("customers", 2, "verified_on"),
         changed("customers", 1, verified_on="2024-02-01")),  # 乙 is won
        # never verified (blank), first contact more than 7 days ago: leads and won customers, not lost ones
        (changed("customers", 0, verified_on=None), ("customers", 2, "verified_on"),
         changed("customers", 0, verified_on=None, first_contact="2024-03-10", entered_on="2024-03-10 18:00")),
        (changed("customers", 1, verified_on=None), ("customers", 3, "verified_on"),  # 乙 is won
         changed("customers", 1, verified_on=None, first_contact="2024-03-10", entered_on="2024-03-10 18:00")),
        # no first contact: judged by the entry date; neither: nothing to judge by
        (changed("customers", 0, verified_on=None, first_contact=None), ("customers", 2, "verified_on"),
         changed("customers", 0, verified_on=None, first_contact=None, entered_on=None)),
    ],
    "won_without_conversion": [
        (changed("customers", 0, status="已成交"), ("customers", 2, "status"), base()),
    ],
    "conversion_not_won": [
        (changed("customers", 1, status="跟进中"), ("conversions", 2, "customer"), base()),
    ],
    "lost_without_reason": [
        (changed("customers", 0, status="已流失", lost_on="2024-03-10"), ("customers", 2, "lost_reason"),
         changed("customers", 0, status="已流失", lost_on="2024-03-10", lost_reason="选择竞品")),
    ],
    "lost_without_date": [
        (changed("customers", 0, status="Lost", lost_reason="价格异议"), ("customers", 2, "lost_on"),
         changed("customers", 0, status="Lost", lost_reason="价格异议", lost_on=dt.datetime(2024, 3, 10))),
    ],
    "clash": [  # 撞单: the same customer from two source files (a merge); from one file, a duplicate
        (added("customers", source_file="b.xlsx", owner="小李", first=dict(source_file="a.xlsx")),
         ("customers", 4, "customer"),
         added("customers", customer="丙", phone="13912345670", source_file="b.xlsx", first=dict(source_file="a.xlsx"))),
    ],
    "owner_mismatch": [
        (changed("followups", 0, owner="小李"), ("followups", 2, "owner"), changed("followups", 0, owner=" 小王 ")),
    ],
    "formula_no_value": [
        (changed("customers", 0, contact=NoValue("=B9")), ("customers", 2, "contact"), changed("customers", 0, contact="李")),
        (changed("followups", 1, date=NoValue("=TODAY()")), ("followups", 3, "date"), base()),
    ],
    "formula_no_value_optional": [
        (changed("customers", 0, first_contact=NoValue("=DATE(2024,3,1)")), ("customers", 2, "first_contact"), base()),
        (changed("customers", 0, status="已流失", lost_on="2024-03-10", lost_reason=NoValue()),
         ("customers", 2, "lost_reason"), changed("customers", 0, status="已流失", lost_on="2024-03-10",
                                                  lost_reason="选择竞品")),
    ],
    # service records (issue 23): more of their cases in tests/core/test_service.py
    "complaint_order": [
        (complaint(confirmed="2024-03-10 09:50"), ("complaints", 2, "confirmed"),
         complaint(confirmed="2024-03-10 10:00")),
        (complaint(first_solution="2024-03-10 10:10"), ("complaints", 2, "first_solution"),
         complaint(first_solution="2024-03-10 10:20")),
        (complaint(confirmed=None, first_solution="2024-03-10 09:00"), ("complaints", 2, "first_solution"),
         complaint(confirmed=None, first_solution="2024-03-10 10:05")),
        (complaint(solved="2024-03-09"), ("complaints", 2, "solved"), complaint(solved="2024-03-10")),
    ],
    # service records (the optional columns 推荐人, 主管, 沟通偏好; more cases in test_service.py)
    "unknown_referrer": [
        (changed("customers", 1, referrer="丙公司"), ("customers", 3, "referrer"),
         changed("customers", 1, referrer="甲科技有限公司")),
    ],
    "self_referral": [
        (changed("customers", 1, referrer="乙贸易集团"), ("customers", 3, "referrer"),
         changed("customers", 1, referrer=" 甲科技有限公司 ")),
    ],
    "a_without_manager": [  # 甲 is A in the tier log
        (changed("customers", 0, manager=None), ("customers", 2, "manager"), changed("customers", 0, manager="周经理")),
    ],
    "preference_mismatch": [  # 甲's follow-ups: 电话 (03-10), 邮件, 拜访
        (preferring("微信"), ("customers", 2, "preference"), preferring("Email")),
    ],
    "duplicate_column": [  # reported on the header cell of the column left out
        (with_column(lambda lang: SHEETS["customers"].column("customer").header(lang), [None, " "]),
         ("customers", 1, "customer"), with_column("客户生日", [None, " "])),
        (with_column(lambda lang: SHEETS["customers"].column("owner").header(lang), ["小王", "小李"]),
         ("customers", 1, "owner"), with_column("Owner's boss", ["小王", "小李"])),
    ],
}

PARAMS = [pytest.param(rule, i, lang, id=f"{rule}-{i}-{lang}")
          for rule, cases in CASES.items() for i in range(len(cases)) for lang in LANGS]


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize(("rule", "i", "lang"), PARAMS)
def test_rule_fires_exactly_there(rule: str, i: int, lang: str) -> None:
    bad, where, _ = CASES[rule][i]
    assert found(bad, lang) == [(*where, rule)]


@pytest.mark.parametrize(("rule", "i", "lang"), PARAMS)
def test_rule_stays_quiet(rule: str, i: int, lang: str) -> None:
    _, _, good = CASES[rule][i]
    assert found(good, lang) == []


# --- value lists ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_owner_list_applies_only_when_configured(lang: str) -> None:
    data = changed("followups", 0, owner="小赵")  # also differs from the customer's owner
    assert ("followups", 2, "owner", "not_in_list") not in found(data, lang)
    owners = {"owners": ["小王", "小李"]}
    assert ("followups", 2, "owner", "not_in_list") in found(data, lang, settings_=owners)
    assert found(base(), lang, settings_=owners) == []


def test_list_values_in_another_language_are_accepted() -> None:
    data = changed("customers", 0, source="Referral", industry="互聯網")
    assert found(data, "zh-Hans") == []


def test_settings_list_edited_by_the_team() -> None:
    data = changed("customers", 0, source="老客户")
    data["customers"][1]["source"] = "Website"  # 官网 in English
    assert found(data, settings_={"sources": ["老客户", "官网"]}) == []
    # an item the team removed from its list is refused, in any language
    assert found(base(), settings_={"sources": ["老客户"]}) == [("customers", 2, "source", "not_in_list"),
                                                             ("customers", 3, "source", "not_in_list")]
    assert found(changed("customers", 0, source="Website"), settings_={"sources": ["官网"]}) == [
        ("customers", 3, "source", "not_in_list")]


# --- names --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("科技有限公司", "科 技"), ("ＡＢＣ Co., Ltd.", "abc"), ("YY貿易集團", "yy贸易"), ("甲科技股份有限公司", "甲科技"),
    ("甲有限責任公司", "甲"), ("Taco Inc.", "TACO"), ("Acme Corp", "acme"), ("乙集团有限公司", "乙"),
])
def test_dedupe_key_ignores_width_case_script_spaces_and_suffixes(a: str, b: str) -> None:
    assert dedupe_key(a) == dedupe_key(b)


def test_dedupe_key_keeps_what_matters() -> None:
    assert dedupe_key("Taco") != dedupe_key("Ta")
    assert dedupe_key("有限公司") == "有限公司"  # a bare suffix is a name
    assert dedupe_key("甲科技") != dedupe_key("乙科技")
    assert dedupe_key(None) is None and dedupe_key("#N/A") is None and dedupe_key(" ") is None


# --- messages -----------------------------------------------------------------------------------------

def test_duplicate_message_names_the_first_row() -> None:
    data = added("customers", customer="丙", phone="139 1234 5678")
    zh = find_issues(make_ctx(data, TODAY, "zh-Hans"))
    en = find_issues(make_ctx(data, TODAY, "en"))
    assert list(zh["message"]) == ["与第 2 行重复（同一电话）"]
    assert list(en["message"]) == ["duplicates row 2 (same phone)"]


def test_messages_name_the_header_and_value_in_the_workbook_language() -> None:
    data = changed("customers", 0, phone="1395678")
    assert find_issues(make_ctx(data, TODAY, "zh-Hans"))["message"][0].startswith("联系方式“1395678”不是有效的联系方式")
    assert find_issues(make_ctx(data, TODAY, "en"))["message"][0].startswith('Phone / email "1395678" is not')
    hant = find_issues(make_ctx(data, TODAY, "zh-Hant"))["message"][0]
    assert hant.startswith("聯繫方式“1395678”不是有效的聯繫方式")


def test_zh_hant_converts_the_template_not_the_value() -> None:
    data = changed("customers", 0, source="发现")  # simplified value in a traditional workbook
    msg = find_issues(make_ctx(data, TODAY, "zh-Hant"))["message"][0]
    assert "“发现”" in msg


def test_future_date_message_gives_today() -> None:
    data = changed("conversions", 0, date="2024-04-01")
    assert list(find_issues(make_ctx(data, TODAY, "en"))["message"]) == ["Date 2024-04-01 is after today (2024-03-15)"]


def test_rules_have_both_templates_and_known_severities() -> None:
    for rule in RULES.values():
        assert rule.severity in ("error", "warning")
        assert rule.hans and rule.en and rule.doc


# --- the toolkit's sample rows (SPEC.md "Examples from the toolkit") -----------------------------------

TOOLKIT = {
    "customers": [
        {"customer": "科技有限公司", "industry": "互联网", "contact": "*总", "title": "总经理", "phone": None,
         "need": "企业级CRM系统采购", "budget": "50-80万", "source": "展会推荐", "decision_maker": None,
         "notes": "注重数据安全性"},
        {"customer": "YY贸易集团", "industry": "制造业", "contact": "*经理", "title": "采购经理", "phone": "1395678",
         "need": "供应链管理软件", "budget": "30-50万", "source": "线上广告", "decision_maker": "*总监",
         "notes": "决策流程较长,需多部门确认"},
    ],
    "followups": [
        {"customer": "科技有限公司", "date": "2024-03-01", "method": "电话", "content": "介绍系统模块及案例",
         "feedback": "对数据加密功能感兴趣", "next_action": "3月3日发送详细方案", "owner": "小王"},
        {"customer": "YY贸易集团", "date": "2024-03-02", "method": None, "content": "发送行业解决方案白皮书",
         "feedback": "已转交技术部评估", "next_action": "3月6日跟进技术部反馈", "owner": "小李"},
    ],
    "tierlog": [
        {"customer": "科技有限公司", "tier": "A", "reason": "需求明确,预算已审批", "date": "2024-03-01", "owner": "小王"},
        {"customer": "YY贸易集团", "tier": "B", "reason": "技术部评估中", "date": "2024-03-02", "owner": "小李"},
        {"customer": "ZZ文化传媒", "tier": "C", "reason": "暂无明确需求", "date": "2024-03-01", "owner": "小张"},
    ],
    "conversions": [
        {"customer": "科技有限公司", "date": "2024-03-10", "amount": "65万", "product": "企业级CRM系统",
         "key_factor": "数据安全功能匹配需求,案例说服力强", "owner": "小王"},
        {"customer": "AA生物制药", "date": "2024-02-28", "amount": "40万", "product": "供应链管理软件",
         "key_factor": "转介绍客户信任度高,价格优惠", "owner": "小李"},
    ],
}
TOOLKIT_ISSUES = [
    ("customers", 3, "phone", "bad_contact"),  # 1395678: truncated
    ("followups", 3, "method", "required"),  # YY贸易集团 2024-03-02 has no method
    ("tierlog", 4, "customer", "unknown_customer"),  # ZZ文化传媒
    ("conversions", 3, "customer", "unknown_customer"),  # AA生物制药
]


@pytest.mark.parametrize("lang", [*LANGS, "zh-Hant"])
def test_toolkit_sample_rows_are_flagged_for_exactly_their_problems(lang: str) -> None:
    # The toolkit's sheets have no owner / status / dates on Customers: rules needing them stay quiet.
    assert found(TOOLKIT, lang, today="2024-04-01") == TOOLKIT_ISSUES


def test_toolkit_sample_rows_with_status_column_flag_nothing_more() -> None:
    data = copy.deepcopy(TOOLKIT)
    data["customers"][0]["status"] = "已成交"  # 科技有限公司 signed on 2024-03-10
    data["customers"][1]["status"] = "跟进中"
    assert found(data, today="2024-04-01") == TOOLKIT_ISSUES


# --- outputs: check column, Issues sheet, summary -------------------------------------------------------

def bad_book() -> dict[str, Any]:
    data = changed("customers", 0, phone="1395678", verified_on="2024-03-01", budget="面议")
    data["followups"][0]["customer"] = "丙公司"
    return data


def test_check_column_is_ok_or_the_rows_messages_errors_first() -> None:
    result = validate(make_ctx(bad_book(), TODAY, "zh-Hans"))
    checks_ = result.columns["customers"]["check"]
    assert list(checks_.index) == [2, 3]
    assert checks_[3] == "OK"
    assert checks_[2] == ("联系方式“1395678”不是有效的联系方式（11 位手机、带区号座机、+国际号码、邮箱或微信号）; "
                          "预算范围“面议”不是预算范围（如 50-80万、50万、¥500,000-800,000）; "
                          "警告：信息核实日期 2024-03-01 已超过 7 天，请重新核实")
    assert set(result.columns) == {"customers", "followups", "tierlog", "conversions"}
    assert list(result.columns["followups"]["check"]) == ["客户“丙公司”不在客户信息表中", "OK"]
    assert list(result.columns["conversions"]["check"]) == ["OK"]


def test_check_column_in_english() -> None:
    result = validate(make_ctx(bad_book(), TODAY, "en"))
    assert result.columns["customers"]["check"][2].endswith("; warning: Verified on 2024-03-01 is more than 7 "
                                                            "days old: verify again")


@pytest.mark.parametrize("lang", LANGS)
def test_issues_sheet(lang: str) -> None:
    result = validate(make_ctx(bad_book(), TODAY, lang))
    (layout,) = result.sheets
    assert layout.name == ISSUES_SHEET.name(lang)
    assert set(layout.aliases) == set(ISSUES_SHEET.names()) - {layout.name}
    table = next(b for b in layout.blocks if isinstance(b, Table))
    df = table.df
    assert len(df.columns) == 8
    customers = SHEETS["customers"].name(lang)
    assert list(df.iloc[:, 0]) == [customers] * 2 + [SHEETS["followups"].name(lang), customers]
    assert list(df.iloc[:, 1]) == ["E2", "G2", "A2", "M2"]  # errors, then warnings; by sheet and rule
    assert table.links[df.columns[1]][0] == f"'{customers}'!E2"
    # the rule's name in the workbook language, its code in a column of its own
    titles = {"zh-Hans": ["联系方式无效", "预算范围无效", "客户不存在", "信息待核实"],
              "zh-Hant": ["聯繫方式無效", "預算範圍無效", "客戶不存在", "信息待核實"],
              "en": ["Invalid contact", "Invalid budget", "Unknown customer", "Verification due"]}[lang]
    assert list(df.iloc[:, 4]) == titles
    assert list(df.iloc[:, 5]) == ["bad_contact", "bad_budget", "unknown_customer", "verification_old"]
    assert list(table.row_styles or []) == ["error", "error", "error", "warning"]
    assert all(isinstance(v, str) for v in df.iloc[:, 3])
    assert df.iloc[3, 3] == "2024-03-01"
    severity = {"zh-Hans": ["错误", "错误", "错误", "警告"], "zh-Hant": ["錯誤", "錯誤", "錯誤", "警告"],
                "en": ["Error", "Error", "Error", "Warning"]}[lang]
    assert list(df.iloc[:, 6]) == severity
    rendered = render(layout)
    texts = [c.value for c in rendered.cells]
    assert layout.name in texts
    assert any(isinstance(t, str) and ("3 errors, 1 warning in 6 rows" in t or "共 6 行：3 个错误，1 个警告" in t
                                       or "共 6 行：3 個錯誤，1 個警告" in t)
               for t in texts)


def test_issues_sheet_when_nothing_is_wrong() -> None:
    result = validate(make_ctx(base(), TODAY, "en"))
    table = next(b for b in result.sheets[0].blocks if isinstance(b, Table))
    assert table.df.empty and table.empty_text == "No problems found"
    assert result.summary.headline == "no problems found in 6 rows"
    assert result.summary.errors == result.summary.warnings == 0
    assert all((s == "OK").all() for cols in result.columns.values() for s in cols.values())


def test_formula_like_values_are_copied_as_text() -> None:
    data = changed("customers", 0, phone='=HYPERLINK("http://x","y")', budget="@SUM(A1)")
    result = validate(make_ctx(data, TODAY, "en"))
    df = next(b for b in result.sheets[0].blocks if isinstance(b, Table)).df
    assert list(df["Value"]) == ['=HYPERLINK("http://x","y")', "@SUM(A1)"]
    assert list(df["Code"]) == ["bad_contact", "bad_budget"]
    assert list(df["Rule"]) == ["Invalid contact", "Invalid budget"]


@pytest.mark.parametrize("lang", LANGS)
def test_summary_counts_by_sheet_and_rule(lang: str) -> None:
    summary = validate(make_ctx(bad_book(), TODAY, lang)).summary
    assert (summary.errors, summary.warnings) == (3, 1)
    assert summary.counts["by_sheet"] == {"customers": {"bad_contact": 1, "bad_budget": 1, "verification_old": 1},
                                          "followups": {"unknown_customer": 1}}
    assert summary.counts["rows"] == 6
    (title, table), = summary.tables
    assert len(table) == 4 and table.iloc[:, 3].sum() == 4
    json.dumps(summary.to_dict(), ensure_ascii=False)
    assert summary.headline == {"zh-Hans": "共 6 行：3 个错误，1 个警告", "zh-Hant": "共 6 行：3 個錯誤，1 個警告",
                                "en": "3 errors, 1 warning in 6 rows"}[lang]


def test_sheets_that_are_absent_are_skipped() -> None:
    data = {"followups": [{"customer": "无人知晓", "date": "2024-03-01", "method": "电话", "content": "x", "owner": "a"}]}
    result = validate(make_ctx(data))
    assert result.summary.errors == 0  # no Customers sheet: no unknown_customer
    assert set(result.columns) == {"followups"}


def test_owner_of_a_duplicate_is_taken_from_its_own_row() -> None:
    data = added("customers", customer="甲科技股份有限公司", phone="13800000000", owner="小陈")
    data["followups"].append({**data["followups"][0], "customer": "甲科技股份有限公司", "owner": "小陈"})
    assert found(data) == [("customers", 4, "customer", "duplicate")]
    data["followups"][-1]["owner"] = "小王"  # 甲科技有限公司's owner, not this row's
    assert ("followups", 4, "owner", "owner_mismatch") in found(data)


def test_won_without_conversion_needs_the_conversions_sheet() -> None:
    data = changed("customers", 0, status="已成交")
    del data["conversions"]
    assert found(data) == []


def test_validation_does_not_change_the_frames() -> None:
    ctx = make_ctx(bad_book())
    before = {f.sheet.key: f.data.copy() for f in ctx.frames.present()}
    validate(ctx)
    for f in ctx.frames.present():
        assert f.data.equals(before[f.sheet.key])


# --- arbitrary cell values --------------------------------------------------------------------------

def book_from_grids(data: dict[str, list[dict[str, Any]]], lang: str = "zh-Hans",
                    settings_: Settings | None = None) -> MemoryBook:
    """Like make_book, but cells keep exactly the values given (no DataFrame type inference)."""
    sheets, tables = {}, []
    for key, rows in data.items():
        sheet = SHEETS[key]
        keys = [c.key for c in sheet.input_columns]
        grid = [[sheet.column(k).header(lang) for k in keys]] + [[r.get(k) for k in keys] for r in rows]
        sheets[sheet.name(lang)] = grid
        from crm_xl.model.frame import col_letter

        tables.append(TableInfo(sheet.table, sheet.name(lang), f"A1:{col_letter(len(keys))}{max(len(grid), 2)}"))
    if settings_ is not None:
        sheets["Settings" if lang == "en" else "设置"] = settings_grid(settings_, lang)  # type: ignore[arg-type]
    return MemoryBook(sheets, tables)


CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["#N/A", "#REF!", "#DIV/0!", '=HYPERLINK("http://x","y")', "@SUM(A1)", "=1+1", "  ", "\n",
                     "已成交", "已流失", "A", "小王", "甲科技有限公司", "甲科技", "13912345678", "a@b.cn", "65万",
                     "-1", "0", "2024-03-01", "2024-13-45", "50-80万", "价格敏感、x", "¥", "nan", "None"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
    st.times(),
)


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    for key, sheet in SHEETS.items():
        if draw(st.booleans()) or key == "customers":
            n = draw(st.integers(min_value=0, max_value=4))
            data[key] = [{c.key: draw(CELL) for c in sheet.input_columns} for _ in range(n)]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks(), st.sampled_from(["zh-Hans", "zh-Hant", "en"]), st.booleans())
def test_arbitrary_cell_values_never_raise(data: dict[str, Any], lang: str, owners: bool) -> None:
    settings_ = Settings.defaults(lang).model_copy(update={"owners": ["小王", "小李"]}) if owners else None  # type: ignore[arg-type]
    book = book_from_grids(data, lang, settings_)
    result = validate(make_context(book, dt.date(2024, 3, 15)))
    for key, cols in result.columns.items():
        frame = book.find(key)
        assert frame is not None
        assert list(cols["check"].index) == frame.rows
        assert all(isinstance(v, str) and v for v in cols["check"])
    table = next(b for b in result.sheets[0].blocks if isinstance(b, Table))
    assert all(v is None or isinstance(v, str) for v in table.df.iloc[:, 3])
    assert result.summary.errors + result.summary.warnings == len(table.df)
    json.dumps(result.summary.to_dict(), ensure_ascii=False)
    book.apply(result)
    book.save()


DATES = st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
                  st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
                  st.sampled_from([dt.date(2024, 3, 15), dt.date(2024, 3, 16), dt.datetime(2024, 3, 15, 23, 59),
                                   dt.date(1979, 12, 31), dt.datetime(2024, 3, 14, 9)]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(DATES, DATES, DATES), min_size=1, max_size=6))
def test_vectorised_dates_agree_with_the_general_path(rows: list[tuple[Any, Any, Any]]) -> None:
    data = {"customers": [{"customer": f"c{i}", "contact": "x", "first_contact": a, "entered_on": b,
                           "verified_on": c} for i, (a, b, c) in enumerate(rows)]}
    fast = find_issues(make_context(book_from_grids(data), dt.date(2024, 3, 15)))
    try:
        checks.FAST_DATES = False
        slow = find_issues(make_context(book_from_grids(data), dt.date(2024, 3, 15)))
    finally:
        checks.FAST_DATES = True
    assert fast[["row", "key", "rule", "message"]].equals(slow[["row", "key", "rule", "message"]])


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.from_regex(r"\A1[0-9]{10}\Z"), st.from_regex(r"\A[0-9+\- ]{0,14}\Z"), st.integers(-10**12, 10**12),
    st.integers(10**10, 2 * 10**10),
    st.text(alphabet="0123456789１３\n @+-", max_size=13), st.booleans(), st.none(), st.floats(allow_nan=True),
))
def test_contact_fast_path_equals_parse_contact(value: object) -> None:
    assert checks._contact(value) == parse_contacts(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["甲公司", "甲 公司", "乙", "乙有限公司", "丙", "丁"]), min_size=1, max_size=7))
def test_each_duplicate_names_the_first_row_with_its_name(names: list[str]) -> None:
    rows = [{"customer": n, "status": "跟进中", "owner": "小王", "phone": f"1391234{i:04d}"} for i, n in enumerate(names)]
    issues = find_issues(make_ctx({"customers": rows}, TODAY, "en"))
    dups = issues[(issues["rule"] == "duplicate") & (issues["key"] == "customer")]
    got = dict(zip(dups["row"].astype(int), dups["message"], strict=True))
    keys = [dedupe_key(n) for n in names]
    want = {i + 2: f"duplicates row {keys.index(k) + 2} (same name)" for i, k in enumerate(keys) if keys.index(k) < i}
    assert got == want


def test_emit_formats_each_distinct_value_and_field_once_but_keeps_types_apart() -> None:
    raw = [1, True, 1.0, "1", 1, dt.datetime(2024, 3, 1), dt.date(2024, 3, 1), [1], float("nan"), 1]
    expected = ["x", "x", "x", "x", "y", "x", "x", "x", "x", "x"]
    ctx = make_ctx({"customers": [{"customer": f"客户{i}", "owner": "小王"} for i in range(len(raw))]}, TODAY)
    checker, frame = checks.Checker(ctx), ctx.frames.customers
    checker.emit(frame, "nps", "bad_type", np.ones(len(raw), dtype=bool), np.array(raw, dtype=object),
                 expected=np.array(expected, dtype=object))
    assert checker.records["message"] == [
        RULES["bad_type"].hans.format(col=frame.header("nps"), value=checks.brief(v), expected=e)
        for v, e in zip(raw, expected, strict=True)]
    assert checker.records["value"][:5] == [1, True, 1.0, "1", 1]
    assert checker.records["row"] == frame.rows


@pytest.mark.parametrize(("lang", "verified", "entered"), [
    ("zh-Hans", "信息核实日期为空：首次接触 2024-03-01 已超过 7 天，请核实联系方式和需求",
     "录入日期为空：首次接触 2024-03-01 后超过 24 小时仍未录入"),
    ("zh-Hant", "資訊核實日期為空：首次接觸 2024-03-01 已超過 7 天，請核實聯繫方式和需求",
     "錄入日期為空：首次接觸 2024-03-01 後超過 24 小時仍未錄入"),
    ("en", "Verified on is blank: first contact 2024-03-01 was more than 7 days ago — verify the contact and need",
     "not entered: Entered on is blank and first contact 2024-03-01 was more than 24 h ago"),
])
def test_blank_verification_and_entry_messages(lang: str, verified: str, entered: str) -> None:
    issues = find_issues(make_ctx(changed("customers", 0, verified_on=None, entered_on=None), TODAY, lang))
    assert list(issues["rule"]) == ["entry_lag", "verification_old"]
    assert list(issues["message"]) == [entered, verified]


def test_wechat_column_is_read_under_its_aliases() -> None:
    for header in ("微信", "微信号", "微信號", "WeChat"):
        assert SHEETS["customers"].match_header(header).key == "wechat"  # type: ignore[union-attr]
    assert SHEETS["customers"].match_header("聯繫方式(企業微信/電話)").key == "phone"  # type: ignore[union-attr]
