"""Issue 20, tiers and follow-ups: the rules as the toolkit prints them, and a team's typed tiers kept.

Each rule fires and stays quiet, in zh-Hans, zh-Hant and en: the criteria columns missing (§2), the owner
of an appended log row (§3), a won customer without a status column (§4), `stale` alone with no logged
tier (§5), the over-contact window as a Setting (§7); and a workbook typed from the printed templates
keeps its typed tiers after `crm-xl run`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.followups.rules import follow_state
from crm_xl.core.tiers.job import compute_tiers, recompute
from crm_xl.jobs import make_context
from crm_xl.model.settings import SCALARS, Settings, read_settings, settings_rows
from crm_xl.shells.cli import app
from tests.conftest import make_book, make_ctx
from tests.helpers import write_workbook

TODAY = dt.date(2024, 3, 15)
LANGS = ("zh-Hans", "zh-Hant", "en")

# the words of each language: a lead status, need clear / latent, approved, short, won
W: dict[str, dict[str, str]] = {
    "zh-Hans": {"open": "跟进中", "won": "已成交", "clear": "明确", "latent": "潜在", "approved": "已审批", "short": "短",
                "tag": "增购意向"},
    "zh-Hant": {"open": "跟進中", "won": "已成交", "clear": "明確", "latent": "潛在", "approved": "已審批", "short": "短",
                "tag": "增購意向"},
    "en": {"open": "Open", "won": "Won", "clear": "Clear", "latent": "Latent", "approved": "Approved", "short": "Short",
           "tag": "Upsell intent"},
}


def log_rows(*rows: tuple[str, str, str | None]) -> pd.DataFrame:
    """Tier-log rows (customer, tier, owner) dated 2024-03-01."""
    return pd.DataFrame([{"customer": c, "tier": t, "reason": "", "date": "2024-03-01", "owner": o} for c, t, o in rows],
                        columns=["customer", "tier", "reason", "date", "owner"])


# --- §2: without the criteria columns, leads keep their current tier ------------------------------------

KEPT = {
    "zh-Hans": ("沿用现有级别 B（缺少分级列）", "未分级（缺少分级列）",
                "；分级规则需要客户信息表有 需求明确度、预算状态、决策链、预计成交日期 列（缺少 需求明确度、预算状态、决策链、"
                "预计成交日期），未成交客户保持现有级别"),
    "zh-Hant": ("沿用現有級別 B（缺少分級列）", "未分級（缺少分級列）",
                "；分級規則需要客戶信息表有 需求明確度、預算狀態、決策鏈、預計成交日期 列（缺少 需求明確度、預算狀態、決策鏈、"
                "預計成交日期），未成交客戶保持現有級別"),
    "en": ("current tier B kept (tier-criteria columns missing)", "not tiered (tier-criteria columns missing)",
           "; the tier rules need the Customers columns Need clarity, Budget status, Decision chain, Expected close "
           "(missing: Need clarity, Budget status, Decision chain, Expected close), so leads keep their current tier"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_without_criteria_columns_leads_keep_their_tier(lang: str) -> None:
    w = W[lang]
    customers = [
        {"customer": "甲", "status": w["open"], "owner": "小王"},  # logged B: kept
        {"customer": "乙", "status": w["open"], "owner": "小王", "tier": "A"},  # typed A, no log row: kept
        {"customer": "丙", "status": w["open"], "owner": "小王"},  # no tier anywhere: blank
        {"customer": "丁", "status": w["won"], "owner": "小李"},  # won: valued by its conversions
        {"customer": "戊", "status": w["open"], "owner": "小李", "tags": w["tag"]},  # upsell tag: A
    ]
    conversions = [{"customer": "丁", "date": "2024-02-01", "amount": 100000}]
    book = make_book({"customers": customers, "tierlog": log_rows(("甲", "B", "小王"), ("丁", "C", "小李")),
                      "conversions": conversions}, lang=lang)
    res = recompute(make_context(book, TODAY))
    kept_b, untiered, line = KEPT[lang]
    cols = res.columns["customers"]
    assert cols["tier"].tolist() == ["B", "A", None, "A", "A"]
    assert cols["tier_reason"].iloc[0] == kept_b
    assert cols["tier_reason"].iloc[2] == untiered
    assert res.appends["tierlog"]["customer"].tolist() == ["丁", "戊"]  # nothing for the kept leads
    assert res.summary.headline.endswith(line)
    assert res.summary.counts["missing_columns"] == ["need_clarity", "budget_status", "decision_chain",
                                                     "expected_close"]
    assert res.summary.counts["kept"] == 3 and res.summary.warnings == 1
    book.apply(res)
    again = recompute(make_context(book, TODAY))
    assert "tierlog" not in again.appends and again.columns["customers"]["tier"].tolist() == ["B", "A", None, "A", "A"]


@pytest.mark.parametrize("lang", LANGS)
def test_with_the_criteria_columns_the_rules_decide(lang: str) -> None:
    """Quiet: the four columns present (blank cells too) → the rules, a log row, no line about columns."""
    w = W[lang]
    customers = [{"customer": "甲", "status": w["open"], "owner": "小王", "need_clarity": w["latent"],
                  "budget_status": None, "decision_chain": None, "expected_close": None}]
    res = recompute(make_ctx({"customers": customers, "tierlog": log_rows(("甲", "B", "小王"))}, TODAY, lang))
    assert res.columns["customers"]["tier"].tolist() == ["C"]
    assert res.appends["tierlog"]["tier"].tolist() == ["C"]
    assert "missing_columns" not in res.summary.counts and res.summary.warnings == 0
    assert not res.summary.headline.endswith(KEPT[lang][2])


def test_one_criteria_column_missing_is_enough_to_keep() -> None:
    customers = [{"customer": "甲", "status": "跟进中", "owner": "小王", "need_clarity": "明确", "budget_status": "已审批",
                  "decision_chain": "短"}]  # no 预计成交日期
    res = recompute(make_ctx({"customers": customers, "tierlog": log_rows(("甲", "A", "小王"))}, TODAY))
    assert res.columns["customers"]["tier"].tolist() == ["A"] and "tierlog" not in res.appends
    assert res.summary.headline.endswith("（缺少 预计成交日期），未成交客户保持现有级别")


def test_logged_tier_wins_over_the_typed_one() -> None:
    customers = [{"customer": "甲", "status": "跟进中", "owner": "小王", "tier": "C"}]
    res = recompute(make_ctx({"customers": customers, "tierlog": log_rows(("甲", "A", "小王"))}, TODAY))
    assert res.columns["customers"]["tier"].tolist() == ["A"]


def test_won_accounts_keep_their_tier_without_any_conversion() -> None:
    customers = [{"customer": "甲", "status": "已成交", "owner": "小王", **dict.fromkeys(
        ("need_clarity", "budget_status", "decision_chain", "expected_close"))}]
    res = recompute(make_ctx({"customers": customers, "tierlog": log_rows(("甲", "A", "小王"))}, TODAY))
    assert res.columns["customers"]["tier_reason"].tolist() == ["沿用现有级别 A（没有成交记录）"]
    assert "tierlog" not in res.appends
    # quiet: a conversion in the workbook values it
    conv = [{"customer": "乙", "date": "2024-02-01", "amount": 100}]
    res = recompute(make_ctx({"customers": customers, "tierlog": log_rows(("甲", "A", "小王")), "conversions": conv},
                             TODAY))
    assert res.columns["customers"]["tier"].tolist() == ["C"]


# --- §3: an appended row names an owner ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_owner_of_an_appended_row(lang: str) -> None:
    w = W[lang]
    lead = {"status": w["open"], "need_clarity": w["latent"], "budget_status": None, "decision_chain": None,
            "expected_close": None}
    customers = [
        {"customer": "甲", "owner": "小王", **lead},  # its own owner
        {"customer": "乙", "owner": None, **lead},  # the owner of its latest log row (later than its follow-up)
        {"customer": "丙", "owner": None, **lead},  # the owner of its latest follow-up (later than its log row)
        {"customer": "丁", "owner": None, **lead},  # nobody: blank, with a warning
    ]
    log = pd.DataFrame([
        {"customer": "乙", "tier": "A", "date": "2024-03-10", "owner": "小李"},
        {"customer": "丙", "tier": "A", "date": "2024-03-01", "owner": "小李"},
        {"customer": "丁", "tier": "A", "date": "2024-03-01", "owner": None},
    ])
    followups = [
        {"customer": "乙", "date": "2024-03-05", "method": "电话", "content": "x", "owner": "小张"},
        {"customer": "丙", "date": "2024-03-08", "method": "电话", "content": "x", "owner": "小陈"},
        {"customer": "丙", "date": "2024-03-20", "method": "电话", "content": "x", "owner": "小赵"},  # after today
    ]
    res = recompute(make_ctx({"customers": customers, "tierlog": log, "followups": followups}, TODAY, lang))
    appended = res.appends["tierlog"]
    assert appended["customer"].tolist() == ["甲", "乙", "丙", "丁"]
    assert appended["owner"].tolist() == ["小王", "小李", "小陈", None]
    assert res.summary.counts["no_owner"] == ["丁"]
    assert res.summary.warnings == 1
    warning = {"zh-Hans": "；1 条分级记录没有负责人（丁）", "zh-Hant": "；1 條分級記錄沒有負責人（丁）",
               "en": "; 1 tier-log rows have no owner (丁)"}[lang]
    assert res.summary.headline.endswith(warning)


def test_every_owner_known_no_warning() -> None:
    customers = [{"customer": "甲", "owner": "小王", "status": "跟进中", "need_clarity": "潜在", "budget_status": None,
                  "decision_chain": None, "expected_close": None}]
    res = recompute(make_ctx({"customers": customers, "tierlog": log_rows(("甲", "A", None))}, TODAY))
    assert res.appends["tierlog"]["owner"].tolist() == ["小王"]
    assert "no_owner" not in res.summary.counts and res.summary.warnings == 0


# --- §4: no status column, a conversion makes a customer won ------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_no_status_column_conversion_means_won(lang: str) -> None:
    customers = [{"customer": "甲", "owner": "小王"}, {"customer": "乙", "owner": "小王"}]
    conversions = [{"customer": "甲", "date": "2024-03-10", "amount": 650000},
                   {"customer": "乙", "date": "2024-04-01", "amount": 1}]  # after today: not yet
    followups = [{"customer": c, "date": "2024-02-01", "method": "电话", "content": "介绍", "owner": "小王"}
                 for c in ("甲", "乙")]
    ctx = make_ctx({"customers": customers, "conversions": conversions, "followups": followups}, TODAY, lang)
    st = follow_state(ctx.frames, ctx.settings, ctx.today)
    assert st["status"].tolist() == ["won", "open"]
    assert st["code"].tolist() == ["after_sale_overdue", "overdue"]  # 甲 chased for its thank-you, not as a lead
    assert st["step"].iloc[0] == "thank_you"
    tiers = recompute(ctx).columns["customers"]["tier"].tolist()
    assert tiers == ["A", None]  # 甲 valued as won; 乙 a lead kept without a tier (no criteria columns)


def test_status_column_is_read_as_typed() -> None:
    """Quiet: with a status column, a lead with a conversion row stays a lead (validation reports it)."""
    customers = [{"customer": "甲", "owner": "小王", "status": "跟进中"}]
    conversions = [{"customer": "甲", "date": "2024-03-10", "amount": 650000}]
    followups = [{"customer": "甲", "date": "2024-02-01", "method": "电话", "content": "介绍", "owner": "小王"}]
    ctx = make_ctx({"customers": customers, "conversions": conversions, "followups": followups}, TODAY)
    assert follow_state(ctx.frames, ctx.settings, ctx.today)["code"].tolist() == ["overdue"]
    out = compute_tiers(ctx.frames.data("customers"), ctx.frames.data("conversions"), TODAY, ctx.settings,
                        present={"customer", "status"})
    assert out["tier"].tolist() == [None]  # a lead, kept (no tier)


# --- §5: stale alone, no logged tier: the tier the rules give --------------------------------------------

COMPUTED = {"zh-Hans": ("逾期（A 类按分级规则计算，未记录）", "逾期"),
            "zh-Hant": ("逾期（A 類按分級規則計算，未記錄）", "逾期"),
            "en": ("Overdue (tier A computed by the tier rules, not logged)", "Overdue")}


@pytest.mark.parametrize("lang", LANGS)
def test_stale_alone_uses_the_computed_tier(lang: str) -> None:
    w = W[lang]
    a_lead = {"status": w["open"], "owner": "小王", "need_clarity": w["clear"], "budget_status": w["approved"],
              "decision_chain": w["short"], "expected_close": "2024-03-20"}
    customers = [{"customer": "甲", **a_lead}, {"customer": "乙", **a_lead}]
    followups = [{"customer": c, "date": "2024-03-13", "method": "电话", "content": "介绍", "owner": "小王"}
                 for c in ("甲", "乙")]
    log = log_rows(("乙", "C", "小王"))  # 乙 logged C: its cadence is 7 days, on track
    res = flag_stale(make_ctx({"customers": customers, "followups": followups, "tierlog": log}, TODAY, lang))
    cols = res.columns["customers"]
    fired, _ = COMPUTED[lang]
    assert cols["follow_status"].tolist()[0] == fired  # A computed: daily, 1 day late
    assert cols["overdue_days"].tolist()[0] == 1
    assert cols["follow_status"].tolist()[1] == {"zh-Hans": "正常", "zh-Hant": "正常", "en": "On track"}[lang]


def test_stale_with_a_logged_tier_says_nothing() -> None:
    customers = [{"customer": "甲", "status": "跟进中", "owner": "小王"}]
    followups = [{"customer": "甲", "date": "2024-03-13", "method": "电话", "content": "介绍", "owner": "小王"}]
    res = flag_stale(make_ctx({"customers": customers, "followups": followups,
                               "tierlog": log_rows(("甲", "A", "小王"))}, TODAY))
    # (no note on where the tier came from; the A lead logged 14 days ago misses its signing goal)
    assert res.columns["customers"]["follow_status"].tolist() == ["逾期；A 级 14 天未签约"]


# --- §7: the over-contact window is a Setting ----------------------------------------------------------


def test_contact_window_is_the_last_setting_in_three_languages() -> None:
    names = list(SCALARS)  # (added after every earlier setting; later issues' settings follow it)
    assert names.index("contact_window_days") == names.index("issues_per_rule") + 1
    meta = SCALARS["contact_window_days"]
    assert (meta.hans, meta.hant, meta.en) == ("过度跟进统计天数", "過度跟進統計天數", "Over-contact window (days)")
    assert Settings().contact_window_days == 7
    for lang in LANGS:
        rows = settings_rows(Settings.defaults(lang), lang)  # type: ignore[arg-type]
        assert rows[names.index("contact_window_days")][:2] == (meta.label(lang), 7)  # type: ignore[arg-type]
        grid = [["设置项", "值"], [meta.label(lang), 3]]  # type: ignore[arg-type]
        assert read_settings(grid, "设置").contact_window_days == 3


@pytest.mark.parametrize("lang", LANGS)
def test_over_contact_counts_within_the_window(lang: str) -> None:
    customers = [{"customer": "甲", "status": W[lang]["open"], "owner": "小王", "tier": "C"}]
    followups = [{"customer": "甲", "date": d, "method": "电话", "content": "x", "owner": "小王", "next_date": "2024-03-30"}
                 for d in ("2024-03-09", "2024-03-11", "2024-03-14")]

    def over(window: int) -> Any:
        ctx = make_ctx({"customers": customers, "followups": followups}, TODAY, lang,
                       {"contact_window_days": window})
        return flag_stale(ctx)

    fired = over(7)  # 3 in the last 7 days, C limit 2
    assert fired.summary.counts["over_contact"] == 1
    titles = [b.title for b in fired.sheets[0].blocks if hasattr(b, "df")]
    assert titles[-1] == {"zh-Hans": "过度跟进提醒（近 7 天，注意跟进频率，重价值而非次数）",
                          "zh-Hant": "過度跟進提醒（近 7 天，注意跟進頻率，重價值而非次數）",
                          "en": "Over-contact (last 7 days): ease off, value over frequency"}[lang]
    assert over(5).summary.counts["over_contact"] == 0  # quiet: only 2 in the last 5 days
    three = over(10).sheets[0].blocks[-1]
    assert three.df.iloc[0, 2] == {"zh-Hans": "C 类近 10 天跟进 3 次（上限 2 次）", "zh-Hant": "C 類近 10 天跟進 3 次（上限 2 次）",
                                   "en": "tier C: 3 follow-ups in 10 days (limit 2)"}[lang]


def test_daily_limit_looks_over_the_window() -> None:
    customers = [{"customer": "甲", "status": "跟进中", "owner": "小王", "tier": "A"}]
    followups = [{"customer": "甲", "date": "2024-03-10", "method": "电话", "content": "x", "owner": "小王",
                  "next_date": "2024-03-30"} for _ in range(2)]
    for window, expected in ((7, 1), (3, 0)):
        ctx = make_ctx({"customers": customers, "followups": followups}, TODAY, "zh-Hans",
                       {"contact_window_days": window})
        assert flag_stale(ctx).summary.counts["over_contact"] == expected


# --- a workbook typed from the printed templates ----------------------------------------------------------

PRINTED = {
    "客戶信息表": [
        ["客戶名稱", "所屬行業", "聯繫人", "職務", "聯繫方式", "客戶需求", "預算範圍", "來源", "關鍵決策人", "備註"],
        ["科技有限公司", "互聯網", "*總", "總經理", None, "企業級CRM系統採購", "50-80萬", "展會推薦", None, "注重數據安全性"],
        ["YY貿易集團", "製造業", "*經理", "採購經理", "1395678", "供應鏈管理軟件", "30-50萬", "線上廣告", "*總監",
         "決策流程較長,需多部門確認"],
        ["ZZ文化傳媒", "文化傳媒", "*經理", "市場經理", "13912345678", "品牌推廣", "10-20萬", "官網", None, None],
    ],
    "跟進計劃表": [
        ["客戶名稱", "跟進時間", "跟進方式", "溝通內容", "客戶反饋", "下一步行動", "負責人"],
        ["科技有限公司", dt.datetime(2024, 3, 1), "電話", "介紹系統模塊及案例", "對數據加密功能感興趣", "3月3日發送詳細方案", "小王"],
        ["YY貿易集團", dt.datetime(2024, 3, 2), None, "發送行業解決方案白皮書", "已轉交技術部評估", "3月6日跟進技術部反饋", "小李"],
    ],
    "客戶分級表": [
        ["客戶名稱", "當前級別", "升級/降級原因", "調整時間", "負責人"],
        ["科技有限公司", "A", "需求明確,預算已審批", dt.datetime(2024, 3, 1), "小王"],
        ["YY貿易集團", "B", "技術部評估中", dt.datetime(2024, 3, 2), "小李"],
        ["ZZ文化傳媒", "C", "暫無明確需求", dt.datetime(2024, 3, 1), "小張"],
    ],
    "客戶轉化記錄表": [
        ["客戶名稱", "轉化時間", "成交金額", "產品/服務", "轉化關鍵因素", "負責人"],
        ["科技有限公司", dt.datetime(2024, 3, 10), "65萬", "企業級CRM系統", "數據安全功能匹配需求,案例說服力強", "小王"],
        ["AA生物製藥", dt.datetime(2024, 2, 28), "40萬", "供應鏈管理軟件", "轉介紹客戶信任度高,價格優惠", "小李"],
    ],
}


def test_printed_template_workbook_keeps_its_typed_tiers(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "團隊.xlsx", PRINTED)
    r = CliRunner().invoke(app, ["run", str(path), "--today", "2024-03-15", "--json"])
    assert r.exit_code in (0, 1), r.output  # 1: validation found the seed rows' problems
    assert "Error" not in r.output
    wb = openpyxl.load_workbook(path)
    log = [row[:5] for row in wb["客戶分級表"].iter_rows(values_only=True)]
    assert len(log) == 4  # nothing appended
    assert [row[1] for row in log[1:]] == ["A", "B", "C"]
    cust = wb["客戶信息表"]
    header = [c.value for c in cust[1]]
    tier, reason, status = header.index("當前級別"), header.index("級別依據"), header.index("跟進狀態")
    rows = list(cust.iter_rows(min_row=2, values_only=True))
    assert [row[tier] for row in rows] == ["A", "B", "C"]
    assert rows[1][reason] == "沿用現有級別 B（缺少分級列）"
    assert rows[0][reason].startswith("近 12 個月成交 65萬，排第 1 名")  # won: its value (a conversion row)
    assert rows[0][status].startswith("售後")  # won: the after-sale plan, not chased as a lead
    summaries = json.loads(r.stdout[r.stdout.index("["):])
    tiers = next(s for s in summaries if s["job"] == "tiers")
    assert "分級規則需要客戶信息表有 需求明確度、預算狀態、決策鏈、預計成交日期 列" in tiers["headline"]
    assert tiers["counts"]["changes"] == 0
    # and again: still nothing appended
    CliRunner().invoke(app, ["run", str(path), "--today", "2024-03-15"])
    assert openpyxl.load_workbook(path)["客戶分級表"].max_row == 4
