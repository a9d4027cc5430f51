"""Service records (issue 23 §3–5), the optional Customers columns 推荐人 (referrer), 主管 / 服务团队 (manager,
service team) and 沟通偏好 (contact preference): each rule fires and stays quiet in zh-Hans, zh-Hant and en —
validation (unknown_referrer, self_referral, name_variant on a referrer, a_without_manager,
preference_mismatch), Today (感谢推荐 items, the 沟通偏好 column), the review (referral tables, managers' A
accounts in the owners table) — and a workbook without the columns gets none of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.review.job import build
from crm_xl.core.validation.job import find_issues
from crm_xl.model.i18n import LANGS
from crm_xl.model.layout import Table, Text
from crm_xl.model.schema import SHEETS
from crm_xl.model.settings import DEFAULT_LISTS, LISTS, SCALARS, Settings
from tests.conftest import make_ctx

TODAY = dt.date(2024, 4, 1)
WON = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}
OPEN = {"zh-Hans": "跟进中", "zh-Hant": "跟進中", "en": "Open"}
LOST = {"zh-Hans": "已流失", "zh-Hant": "已流失", "en": "Lost"}
SERVICE = ("referrer", "manager", "service_team", "preference")


def cust(name: str, lang: str = "zh-Hans", status: str = "open", owner: str = "小王", **cells: Any) -> dict[str, Any]:
    word = {"open": OPEN, "won": WON, "lost": LOST}[status][lang]
    return {"customer": name, "owner": owner, "status": word, "first_contact": "2024-01-05", **cells}


def fu(name: str, day: str, method: str = "电话", content: str = "沟通进展", owner: str = "小王") -> dict[str, Any]:
    return {"customer": name, "date": dt.datetime.fromisoformat(day), "method": method, "content": content,
            "owner": owner}


def conv(name: str, day: str, owner: str = "小李") -> dict[str, Any]:
    return {"customer": name, "date": day, "amount": "10万", "owner": owner}


def issues(data: dict[str, Any], lang: str = "zh-Hans", today: dt.date = TODAY) -> list[tuple[str, str, str]]:
    """(rule, column key, message) of the service rules and name_variant found."""
    found = find_issues(make_ctx(data, today, lang))
    mine = found[found["rule"].isin(("unknown_referrer", "self_referral", "name_variant", "a_without_manager",
                                     "preference_mismatch"))]
    return list(zip(mine["rule"], mine["key"], mine["message"], strict=True))


# --- the columns and the Settings ---------------------------------------------------------------------------


def test_the_columns_headers_in_three_languages() -> None:
    cols = {c.key: c for c in SHEETS["customers"].columns}
    assert {"推荐人", "推薦人", "Referred by", "Referrer"} <= set(cols["referrer"].headers())
    assert {"主管", "Manager", "客户主管", "Account manager"} <= set(cols["manager"].headers())
    assert {"服务团队", "服務團隊", "Service team"} <= set(cols["service_team"].headers())
    assert {"沟通偏好", "溝通偏好", "Contact preference", "Preferred channel"} <= set(cols["preference"].headers())
    assert cols["preference"].list == "preferences" and not any(cols[k].required or cols[k].computed for k in SERVICE)
    for key in SERVICE:  # every header names its own column, in any language
        for text in cols[key].headers():
            assert SHEETS["customers"].match_header(text) is cols[key], text


def test_the_settings_list_and_window_in_three_languages() -> None:
    assert (LISTS["preferences"].hans, LISTS["preferences"].hant, LISTS["preferences"].en) == \
        ("沟通偏好", "溝通偏好", "Contact preferences")
    assert SCALARS["referral_thanks_days"].label("zh-Hans") == "推荐感谢提醒(天)"
    assert Settings().referral_thanks_days == 30
    for lang in LANGS:  # the preferences are the methods' channels, item by item
        assert DEFAULT_LISTS["preferences"][lang] == DEFAULT_LISTS["methods"][lang][:5]
        assert Settings.defaults(lang).preferences == DEFAULT_LISTS["preferences"][lang]
    with pytest.raises(ValueError):
        Settings(referral_thanks_days=0)


# --- referrals: validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_referrer_that_names_no_customer_or_the_customer_itself_warns(lang: str) -> None:
    data = {"customers": [cust("甲科技有限公司", lang), cust("乙贸易", lang, referrer="丙公司"),
                          cust("丁公司", lang, referrer="丁公司")]}
    got = issues(data, lang)
    messages = {"zh-Hans": ("推荐人“丙公司”不在客户信息表中", "推荐人“丁公司”就是该客户本身"),
                "zh-Hant": ("推薦人“丙公司”不在客戶信息表中", "推薦人“丁公司”就是該客戶本身"),
                "en": ('referrer "丙公司" is not on the Customers sheet', 'referrer "丁公司" is the customer itself')}
    assert got == [("unknown_referrer", "referrer", messages[lang][0]), ("self_referral", "referrer", messages[lang][1])]


@pytest.mark.parametrize("lang", LANGS)
def test_a_known_referrer_is_quiet_in_any_script_and_a_suffix_variant_asks_for_one_spelling(lang: str) -> None:
    data = {"customers": [cust("东方电子集团", lang), cust("乙贸易", lang, referrer="東方電子集團"),
                          cust("丙公司", lang, referrer=" 东方电子集团 "), cust("丁公司", lang, referrer=None)]}
    assert issues(data, lang) == []
    data["customers"].append(cust("戊公司", lang, referrer="东方电子"))  # 集团 left out
    assert [(r, k) for r, k, _ in issues(data, lang)] == [("name_variant", "referrer")]


def test_without_the_referrer_column_nothing_is_checked() -> None:
    assert issues({"customers": [cust("甲"), cust("乙")]}) == []
    assert issues({"customers": [cust("甲", referrer=None), cust("乙", referrer=None)]}) == []


# --- referrals: Today ---------------------------------------------------------------------------------------

THANKS_HEAD = {"zh-Hans": "感谢推荐（", "zh-Hant": "感謝推薦（", "en": "Thank referrers ("}


def today_blocks(data: dict[str, Any], lang: str = "zh-Hans", today: dt.date = TODAY,
                 settings: dict[str, Any] | None = None) -> tuple[list[Text | Table], dict[str, Any]]:
    res = flag_stale(make_ctx(data, today, lang, settings))
    return res.sheets[0].blocks, res.summary.counts


def thanks(data: dict[str, Any], lang: str = "zh-Hans", today: dt.date = TODAY,
           settings: dict[str, Any] | None = None) -> list[tuple[str, str, str, int, str | None]]:
    """(owner heading, customer, text, days late, row style) of each thank-you item."""
    blocks, counts = today_blocks(data, lang, today, settings)
    out, owner = [], ""
    for b in blocks:
        if isinstance(b, Text) and b.style == "title":
            owner = b.text
        if isinstance(b, Table) and b.title and b.title.startswith(THANKS_HEAD[lang]):
            out += [(owner.split("：")[0].split(":")[0], c, t, int(d), s)
                    for c, t, d, s in zip(b.df.iloc[:, 0], b.df.iloc[:, 2], b.df.iloc[:, 3], b.row_styles or [],
                                          strict=True)]
    assert counts.get("referral_thanks", 0) == len(out)
    return out


def referral_book(lang: str = "zh-Hans", signed: str = "2024-03-30", **more: Any) -> dict[str, Any]:
    """东方电子 (小王's) referred 中科信息 (小陈's), which signed on `signed`."""
    return {"customers": [cust("东方电子集团", lang, "won", tier="A"),
                          cust("中科信息技术股份有限公司", lang, "won", owner="小陈", referrer="東方電子集團")],
            "followups": [fu("东方电子集团", "2024-03-20 10:00"), *more.get("followups", [])],
            "conversions": [conv("东方电子集团", "2024-01-10", "小王"), conv("中科信息技术股份有限公司", signed, "小陈")]}


@pytest.mark.parametrize("lang", LANGS)
def test_a_referred_lead_that_signs_gives_its_referrers_owner_a_thank_you(lang: str) -> None:
    got = thanks(referral_book(lang), lang)
    text = {"zh-Hans": "感谢推荐：中科信息技术股份有限公司 已于 2024-03-30 签约",
            "zh-Hant": "感謝推薦：中科信息技术股份有限公司 已於 2024-03-30 簽約",
            "en": "Thank for the referral: 中科信息技术股份有限公司 signed on 2024-03-30"}[lang]
    # on the referrer's row, in its owner's block (小王), due the day after signing: 1 day late, red
    assert got == [("小王", "东方电子集团", text, 1, "error")]
    blocks, counts = today_blocks(referral_book(lang), lang)
    kind = {"zh-Hans": "感谢推荐 1", "zh-Hant": "感謝推薦 1", "en": "Thank referrers 1"}[lang]
    assert kind in blocks[1].text  # the sheet's count line
    assert counts["referral_thanks"] == 1


def test_the_thank_you_is_due_the_thank_you_window_after_signing_and_yellow_until_then() -> None:
    assert [(d, s) for *_, d, s in thanks(referral_book(signed="2024-04-01"))] == [(0, "warning")]
    assert [(d, s) for *_, d, s in thanks(referral_book(signed="2024-03-31"), settings={"thank_you_days": 2})] == \
        [(0, "warning")]


def test_a_thank_you_follow_up_on_or_after_the_signing_closes_it() -> None:
    late = [fu("东方电子集团", "2024-03-31 09:00", "微信", "感谢推荐中科信息，送上礼品")]
    assert thanks(referral_book(followups=late)) == []
    other = [fu("东方电子集团", "2024-03-31 09:00", "电话", "沟通增购")]  # not a thank-you
    assert len(thanks(referral_book(followups=other))) == 1
    before = [fu("东方电子集团", "2024-03-29 09:00", "微信", "感谢合作")]  # before the signing
    assert len(thanks(referral_book(followups=before))) == 1
    english = [fu("东方电子集团", "2024-03-31 09:00", "Email", "Thank you note for the referral")]
    assert thanks(referral_book("en", followups=english), "en") == []


def test_the_item_leaves_today_after_the_window() -> None:
    assert len(thanks(referral_book(signed="2024-03-02"))) == 1  # 30 days ago
    assert thanks(referral_book(signed="2024-03-01")) == []
    assert len(thanks(referral_book(signed="2024-03-01"), settings={"referral_thanks_days": 45})) == 1
    assert thanks(referral_book(signed="2024-04-02")) == []  # a conversion dated after today is not a signing


def test_no_thank_you_without_a_known_referrer_a_signing_or_the_column() -> None:
    book = referral_book()
    book["customers"][1]["referrer"] = "不存在的公司"
    assert thanks(book) == []
    book["customers"][1]["referrer"] = "中科信息技术股份有限公司"  # itself
    assert thanks(book) == []
    book = referral_book()
    book["conversions"] = book["conversions"][:1]  # the referred lead has not signed
    assert thanks(book) == []
    book = referral_book()
    del book["customers"][1]["referrer"]
    blocks, counts = today_blocks(book)
    assert "referral_thanks" not in counts and not any(isinstance(b, Table) and "感谢" in (b.title or "")
                                                       for b in blocks)


def test_one_thank_you_per_referred_customer_that_signed() -> None:
    book = referral_book()
    book["customers"].append(cust("星河文化传媒有限公司", "zh-Hans", "won", owner="小张", referrer="东方电子集团"))
    book["conversions"].append(conv("星河文化传媒有限公司", "2024-03-25", "小张"))
    got = thanks(book)
    assert [(o, c) for o, c, *_ in got] == [("小王", "东方电子集团")] * 2
    assert sorted(t for _, _, t, *_ in got)[0].startswith("感谢推荐：中科信息")


# --- referrals: the review -----------------------------------------------------------------------------------


def review_tables(data: dict[str, Any], lang: str = "zh-Hans") -> dict[str, Table]:
    res = build(make_ctx(data, TODAY, lang, month="2024-03"))
    return {b.name: b for b in res.sheets[0].blocks if isinstance(b, Table) and b.name}


def referral_data(lang: str = "zh-Hans") -> dict[str, Any]:
    """东方电子 referred 乙 (signed) and 丙 (signed after the month); 丁 refers to no customer; 戊, 己 unreferred
    (戊 signed), 庚 refers to itself (no referral)."""
    return {"customers": [cust("东方电子集团", lang, "won"), cust("乙公司", lang, "won", referrer="东方电子集团"),
                          cust("丙公司", lang, referrer="東方電子集團"), cust("丁公司", lang, referrer="老朋友"),
                          cust("戊公司", lang, "won"), cust("己公司", lang), cust("庚公司", lang, referrer="庚公司")],
            "followups": [fu("丙公司", "2024-03-05 10:00")],
            "conversions": [conv("东方电子集团", "2024-01-10"), conv("乙公司", "2024-03-10"), conv("戊公司", "2024-02-10"),
                            conv("丙公司", "2024-04-01")]}


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_compares_referred_leads_with_the_rest_and_lists_each_referrer(lang: str) -> None:
    t = review_tables(referral_data(lang), lang)
    compare = t["referrals"].df.values.tolist()
    assert [row[1:3] for row in compare] == [[3, 1], [4, 2]]  # referred 乙 丙 丁 (1 signed); 东方 戊 己 庚 (2)
    assert compare[0][3] == pytest.approx(1 / 3) and compare[1][3] == pytest.approx(2 / 4)
    title = {"zh-Hans": "十四、转介绍", "zh-Hant": "十四、轉介紹", "en": "14. Referrals"}[lang]
    assert t["referrals"].title == title
    per = t["referrers"].df.values.tolist()
    missing = {"zh-Hans": "老朋友（未匹配到客户）", "zh-Hant": "老朋友（未匹配到客戶）", "en": "老朋友 (no such customer)"}[lang]
    assert [row[:4] for row in per] == [["东方电子集团", 2, 1, 0.5], [missing, 1, 0, 0.0]]
    sep = "、" if lang != "en" else ", "
    assert per[0][4] == f"乙公司 ✓{sep}丙公司"


def test_no_referral_tables_without_the_column() -> None:
    data = referral_data()
    for c in data["customers"]:
        c.pop("referrer", None)
    t = review_tables(data)
    assert "referrals" not in t and "referrers" not in t
    assert "owners" in t


# --- who serves A accounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_an_a_customer_without_a_manager_warns(lang: str) -> None:
    data = {"customers": [cust("甲", lang, tier="A", manager="周经理"), cust("乙", lang, tier="A", manager=None),
                          cust("丙", lang, tier="B", manager=None), cust("丁", lang, "lost", tier="A", manager=None,
                                                                        lost_reason="其他", lost_on="2024-03-01")]}
    message = {"zh-Hans": "A 类客户未填主管（A 类客户应由主管负责）", "zh-Hant": "A 類客戶未填主管（A 類客戶應由主管負責）",
               "en": "tier A customer with no Manager (tier A accounts are led by a manager)"}[lang]
    assert issues(data, lang) == [("a_without_manager", "manager", message)]


def test_the_tier_is_the_override_else_the_tier_column_else_the_tier_log() -> None:
    logged = {"customers": [cust("甲", manager=None)],
              "tierlog": [{"customer": "甲", "tier": "A", "reason": "需求明确", "date": "2024-03-20"}]}
    assert [r for r, *_ in issues(logged)] == ["a_without_manager"]
    logged["customers"][0]["tier"] = "B"  # 当前级别 wins over the log
    assert issues(logged) == []
    logged["customers"][0]["tier_override"] = "A"  # 锁定级别 wins over both
    assert [r for r, *_ in issues(logged)] == ["a_without_manager"]


def test_no_manager_warning_without_the_column() -> None:
    assert issues({"customers": [cust("甲", tier="A"), cust("乙", tier="A")]}) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_owners_table_counts_each_managers_a_accounts(lang: str) -> None:
    data = {"customers": [cust("甲公司", lang, "won", tier="A", manager="周经理"),
                          cust("乙公司", lang, "won", tier="A", manager="周经理", owner="小李"),
                          cust("丙公司", lang, "won", tier="A", manager="小李"),
                          cust("丁公司", lang, "won", tier="B", manager="周经理"),
                          cust("戊公司", lang, "won", tier="A", manager=None, service_team="小王、小林"),
                          cust("己公司", lang, "lost", tier="A", manager="周经理", lost_on="2024-03-20", lost_reason="其他")],
            "conversions": [conv(n, "2024-03-10") for n in ("甲公司", "乙公司", "丙公司", "丁公司", "戊公司")]}
    owners = review_tables(data, lang)["owners"]
    df = owners.df
    head = {"zh-Hans": "主管 A 类客户", "zh-Hant": "主管 A 類客戶", "en": "A accounts managed"}[lang]
    counts = dict(zip(df.iloc[:, 0], df[head], strict=True))
    total = {"zh-Hans": "合计", "zh-Hant": "合計", "en": "Total"}[lang]
    assert counts == {"小王": 0, "小李": 1, "周经理": 2, total: 3}  # 丁 is B; 戊 has no manager; 己 is lost
    assert owners.formats[head] == "int"
    lines = owners.note.split("\n")
    assert lines[-3].endswith({"zh-Hans": "另有 1 个 A 类客户未填主管。", "zh-Hant": "另有 1 個 A 類客戶未填主管。",
                               "en": "1 A accounts have no manager."}[lang])
    sep = "、" if lang != "en" else ", "
    colon = "：" if lang != "en" else ": "
    assert lines[-2:] == [f"周经理{colon}甲公司{sep}乙公司", f"小李{colon}丙公司"]  # (names as typed, in any language)


def test_the_owners_table_is_unchanged_without_the_column() -> None:
    data = {"customers": [cust("甲公司", "zh-Hans", "won", tier="A")], "conversions": [conv("甲公司", "2024-03-10")]}
    owners = review_tables(data)["owners"]
    assert list(owners.df.columns) == ["负责人", "跟进次数", "新增客户", "成交单数", "成交金额（万元）", "月末逾期客户"]
    assert "主管" not in owners.note


# --- communication preference --------------------------------------------------------------------------------


def pref_book(lang: str, preference: str | None, methods: list[str], **extra: Any) -> dict[str, Any]:
    days = [f"2024-03-{10 + i:02d} 10:00" for i in range(len(methods))]
    return {"customers": [cust("甲公司", lang, preference=preference, **extra)],
            "followups": [fu("甲公司", d, m) for d, m in zip(days, methods, strict=True)]}


@pytest.mark.parametrize("lang", LANGS)
def test_three_follow_ups_by_another_channel_than_the_preference_warn(lang: str) -> None:
    pref = {"zh-Hans": "微信", "zh-Hant": "微信", "en": "WeChat"}[lang]
    got = issues(pref_book(lang, pref, ["微信", "电话", "Email", "拜访"]), lang)
    message = {"zh-Hans": "最近 3 次跟进方式为 电话、Email、拜访，都不是沟通偏好“微信”",
               "zh-Hant": "最近 3 次跟進方式為 电话、Email、拜访，都不是溝通偏好“微信”",
               "en": 'the last 3 follow-ups used 电话, Email, 拜访, none the Contact preference "WeChat"'}[lang]
    assert got == [("preference_mismatch", "preference", message)]


@pytest.mark.parametrize("lang", LANGS)
def test_one_of_the_last_three_by_the_preferred_channel_in_any_language_is_quiet(lang: str) -> None:
    assert issues(pref_book(lang, "微信", ["电话", "WeChat", "Email"]), lang) == []
    assert issues(pref_book(lang, "Phone", ["電話", "邮件", "拜访"]), lang) == []
    assert issues(pref_book(lang, "微信", ["电话", "Email"]), lang) == []  # fewer than three
    assert issues(pref_book(lang, None, ["电话", "Email", "拜访"]), lang) == []  # no preference


def test_the_last_three_with_a_method_up_to_today_count() -> None:
    book = pref_book("zh-Hans", "微信", ["电话", "邮件", "拜访"])
    book["followups"].append({**fu("甲公司", "2024-03-20 10:00"), "method": None})  # no method: not counted
    assert [r for r, *_ in issues(book)] == ["preference_mismatch"]
    book["followups"].append(fu("甲公司", "2024-05-01 10:00", "微信"))  # after today: not counted
    assert [r for r, *_ in issues(book)] == ["preference_mismatch"]
    book["followups"].append(fu("甲公司", "2024-03-25 10:00", "微信"))
    assert issues(book) == []
    book = pref_book("zh-Hans", "微信", ["微信", "电话", "邮件", "拜访"])  # the oldest one is past the three
    assert [r for r, *_ in issues(book)] == ["preference_mismatch"]


def test_no_preference_warning_without_the_column() -> None:
    book = pref_book("zh-Hans", None, ["电话", "邮件", "拜访"])
    del book["customers"][0]["preference"]
    assert issues(book) == []


@pytest.mark.parametrize("lang", LANGS)
def test_today_shows_the_preference_when_the_column_exists(lang: str) -> None:
    head = {"zh-Hans": "沟通偏好", "zh-Hant": "溝通偏好", "en": "Contact preference"}[lang]
    book = {"customers": [cust("甲公司", lang, preference="微信"), cust("乙公司", lang, preference=None)]}
    blocks, _ = today_blocks(book, lang)
    tables = [b for b in blocks if isinstance(b, Table)]
    assert tables and all(list(b.df.columns)[-1] == head for b in tables[:1])
    shown = dict(zip(tables[0].df.iloc[:, 0], tables[0].df[head], strict=True))
    assert shown == {"甲公司": "微信", "乙公司": ""}
    del book["customers"][0]["preference"], book["customers"][1]["preference"]
    blocks, _ = today_blocks(book, lang)
    assert all(head not in b.df.columns for b in blocks if isinstance(b, Table))


def test_the_service_columns_reach_the_frames_as_typed() -> None:
    ctx = make_ctx({"customers": [cust("甲", referrer="乙", manager="周经理", service_team="小王、小林",
                                       preference="微信")]}, TODAY)
    data = ctx.frames.customers.data
    assert isinstance(data, pd.DataFrame)
    assert data[list(SERVICE)].iloc[0].tolist() == ["乙", "周经理", "小王、小林", "微信"]
