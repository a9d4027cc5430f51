"""Tiers: every rule branch, the Pareto cut, the tier log (hand-typed rows, idempotence), en and zh-Hans."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from crm_xl.core.kernel.cells import map_distinct
from crm_xl.core.tiers.job import _tier_rows, compute_tiers, log_reason, recompute, value_tiers
from crm_xl.jobs import make_context, recompute_tiers
from crm_xl.model.i18n import Lang
from crm_xl.model.schema import STATUS
from crm_xl.model.settings import Settings
from tests.conftest import make_book, make_ctx
from tests.helpers import write_workbook

TODAY = dt.date(2024, 3, 15)
ZH = Settings.defaults("zh-Hans")
EN = Settings.defaults("en")


ROW_KEYS = ("status", "need_clarity", "budget_status", "decision_chain", "expected_close", "tags",
            "tier_override")


class Tiering(NamedTuple):
    """A tier ('A' / 'B' / 'C', or None for lost customers) and the reason, in the workbook language."""

    tier: str | None
    reason: str


def tier_of_row(row: Mapping[str, Any], today: dt.date, settings: Settings | None = None,
                lang: Lang = "zh-Hans", won: tuple[str, str] | None = None) -> Tiering:
    """The tier one Customers row would get, from its raw cells (the job's rules on a one-row sheet).

    `row` maps column keys to cell values — status, need_clarity, budget_status, decision_chain,
    expected_close, tags, tier_override (missing keys count as blank). A won customer's tier depends on
    every won account's revenue: pass `won=(tier, reason)` from `value_tiers` for it, otherwise a won row
    gets Tiering(None, "已成交：按近 12 个月成交额分级").
    """
    settings = settings or Settings.defaults(lang)
    record = {k: [row.get(k)] for k in ROW_KEYS}
    record["customer"] = ["row"]
    table = None
    if won is not None:
        table = pd.DataFrame({"tier": [won[0]], "reason": [won[1]]}, index=pd.Index(["row"], dtype=object))
    customers = pd.DataFrame(record, dtype=object)
    status = map_distinct(customers["status"], STATUS.parse)
    out = _tier_rows(customers, pd.Series(["row"], dtype=object), status, table, today, settings, lang)
    tier = out["tier"].iloc[0]
    return Tiering(None if tier is None or tier != tier else str(tier), str(out["reason"].iloc[0]))


def lead(**cells: object) -> dict[str, object]:
    return {"status": "跟进中", **cells}


A_CELLS = {"need_clarity": "明确", "budget_status": "已审批", "decision_chain": "短"}
CRITERIA = dict.fromkeys(("need_clarity", "budget_status", "decision_chain", "expected_close"))  # blank columns

# (id, row cells, expected tier, expected reason) — leads and the rules every status shares
ROWS = [
    ("A", lead(**A_CELLS, expected_close="2024-03-20"), "A", "需求明确, 预算已审批, 决策链短, 预计 5 天内成交"),
    ("A budget clear, today", lead(need_clarity="明确", budget_status="明确", decision_chain="短",
                                   expected_close=TODAY), "A", "需求明确, 预算明确, 决策链短, 预计今天成交"),
    ("A window edge", lead(**A_CELLS, expected_close="2024-03-29"), "A", "需求明确, 预算已审批, 决策链短, 预计 14 天内成交"),
    ("A datetime with time", lead(**A_CELLS, expected_close=dt.datetime(2024, 3, 16, 17, 30)), "A",
     "需求明确, 预算已审批, 决策链短, 预计 1 天内成交"),
    ("A paused", {**A_CELLS, "status": "暂停", "expected_close": "2024/3/20"}, "A",
     "需求明确, 预算已审批, 决策链短, 预计 5 天内成交"),
    ("A blank status is a lead", {**A_CELLS, "expected_close": "2024-03-20"}, "A",
     "需求明确, 预算已审批, 决策链短, 预计 5 天内成交"),
    # B: a real need (clear or initial) and an expected close within 0…90 days; what keeps it from A first
    ("B just past A window", lead(**A_CELLS, expected_close="2024-03-30"), "B",
     "预计 15 天内成交（A 类需 14 天内）, 需求明确, 预算已审批, 决策链短"),
    ("B initial within 90", lead(need_clarity="初步", budget_status="已审批", decision_chain="短",
                                 expected_close="2024-04-14"), "B",
     "需求初步, 预计 30 天内成交（A 类需 14 天内）, 预算已审批, 决策链短"),
    ("B initial, today", lead(need_clarity="初步", expected_close=TODAY), "B",
     "需求初步, 预算状态未填, 决策链未填, 预计今天成交"),
    ("B clear but budget unclear", lead(need_clarity="明确", budget_status="不明确", decision_chain="短",
                                        expected_close="2024-03-20"), "B",
     "预算不明确, 需求明确, 决策链短, 预计 5 天内成交"),
    ("B initial, chain long", lead(need_clarity="初步", budget_status="明确", decision_chain="长",
                                   expected_close="2024-04-14"), "B",
     "需求初步, 决策链长, 预计 30 天内成交（A 类需 14 天内）, 预算明确"),
    ("B chain unknown", lead(need_clarity="明确", budget_status="已审批", decision_chain="未知",
                             expected_close="2024-03-20"), "B", "决策链未知, 需求明确, 预算已审批, 预计 5 天内成交"),
    ("B blank budget and chain", lead(need_clarity="明确", expected_close="2024-04-01"), "B",
     "预算状态未填, 决策链未填, 预计 17 天内成交（A 类需 14 天内）, 需求明确"),
    ("B window edge", lead(**A_CELLS, expected_close="2024-06-13"), "B",
     "预计 90 天内成交（A 类需 14 天内）, 需求明确, 预算已审批, 决策链短"),
    ("B garbage budget", lead(need_clarity="明确", budget_status="#N/A", decision_chain="短",
                              expected_close="2024-03-20"), "B", "预算状态无法识别, 需求明确, 决策链短, 预计 5 天内成交"),
    # C: the rest — what keeps it from B first
    ("C just past B window", lead(**A_CELLS, expected_close="2024-06-14"), "C",
     "预计 91 天后成交（超出 B 类 90 天窗口）, 需求明确, 预算已审批, 决策链短"),
    ("C beyond B window", lead(**A_CELLS, expected_close="2024-10-01"), "C",
     "预计 200 天后成交（超出 B 类 90 天窗口）, 需求明确, 预算已审批, 决策链短"),
    ("C past expected close", lead(**A_CELLS, expected_close="2024-03-10"), "C",
     "预计成交日期已过 5 天, 需求明确, 预算已审批, 决策链短"),
    ("C clear need, no date", lead(need_clarity="明确"), "C", "未填预计成交日期, 需求明确, 预算状态未填, 决策链未填"),
    ("C initial, no date", lead(need_clarity="初步", budget_status="已审批", decision_chain="短"), "C",
     "未填预计成交日期, 需求初步, 预算已审批, 决策链短"),
    ("C unreadable date", lead(**A_CELLS, expected_close="下个月"), "C",
     "预计成交日期无法识别, 需求明确, 预算已审批, 决策链短"),
    ("C need blank with a date", lead(budget_status="已审批", decision_chain="短", expected_close="2024-03-20"), "C",
     "需求明确度未填, 预计 5 天内成交"),
    ("C latent", lead(need_clarity="潜在"), "C", "需求潜在, 未填预计成交日期"),
    ("C enquiry with a date", lead(need_clarity="咨询", budget_status="已审批", expected_close="2024-03-25"), "C",
     "需求潜在, 预计 10 天内成交"),
    ("C need blank", lead(), "C", "需求明确度未填, 未填预计成交日期"),
    ("C need garbage", lead(need_clarity="很想买"), "C", "需求明确度无法识别, 未填预计成交日期"),
    ("C enquiry within A window", lead(need_clarity="咨询", budget_status="已审批", decision_chain="短",
                                       expected_close="2024-03-20"), "C", "需求潜在, 预计 5 天内成交"),
    ("upsell lead → A", lead(need_clarity="潜在", tags="价格敏感，复购意向"), "A", "标签：复购意向"),
    ("upsell tag in English", lead(tags="Upsell intent"), "A", "标签：Upsell intent"),
    ("lost", {"status": "已流失", **A_CELLS, "expected_close": "2024-03-20"}, None, "已流失，不分级"),
    ("override wins", lead(need_clarity="潜在", tier_override="B"), "B", "锁定级别 B（手动）"),
    ("override over upsell", lead(tags="复购意向", tier_override="C"), "C", "锁定级别 C（手动）"),
    ("override lowercase", lead(tier_override="a"), "A", "锁定级别 A（手动）"),
    ("override on lost", {"status": "已流失", "tier_override": "B"}, "B", "锁定级别 B（手动）"),
    ("garbage override ignored", lead(**A_CELLS, expected_close="2024-03-20", tier_override="X"), "A",
     "需求明确, 预算已审批, 决策链短, 预计 5 天内成交"),
]


@pytest.mark.parametrize(("cells", "tier", "reason"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_row_rules(cells: dict, tier: str | None, reason: str) -> None:
    assert tier_of_row(cells, TODAY, ZH) == (tier, reason)
    # the job agrees with the row helper
    blank = dict.fromkeys(("need_clarity", "budget_status", "decision_chain", "expected_close"))
    ctx = make_ctx({"customers": [{"customer": "甲公司", "owner": "小王", **blank, **cells}]}, today=TODAY)
    res = recompute(ctx)
    assert res.columns["customers"]["tier"].tolist() == [tier]
    assert res.columns["customers"]["tier_reason"].tolist() == [reason]


EN_ROWS = [
    (lead(**A_CELLS, expected_close="2024-03-20"), "A",
     "need clear, budget approved, decision chain short, expected close in 5 days"),
    (lead(**A_CELLS, expected_close="2024-03-16"), "A",
     "need clear, budget approved, decision chain short, expected close in 1 day"),
    ({"status": "Open", "need_clarity": "Initial", "budget_status": "Unclear", "decision_chain": "Long",
      "expected_close": "2024-03-14"}, "C",
     "expected close passed 1 day ago, need initial, budget unclear, decision chain long"),
    ({"status": "Open", "need_clarity": "Initial", "budget_status": "Unclear", "decision_chain": "Long",
      "expected_close": "2024-04-14"}, "B",
     "need initial, budget unclear, decision chain long, expected close in 30 days (A needs 14 days or less)"),
    ({"status": "Open", "need_clarity": "Clear", "budget_status": "Approved", "decision_chain": "Short",
      "expected_close": "2024-10-01"}, "C",
     "expected close in 200 days (beyond the 90-day B window), need clear, budget approved, decision chain short"),
    ({"status": "Open", "need_clarity": "Clear"}, "C",
     "no expected close date, need clear, budget status blank, decision chain blank"),
    ({"status": "Paused", "need_clarity": "Latent"}, "C", "need latent, no expected close date"),
    ({"status": "Open", "tags": "Repurchase intent"}, "A", "tag: Repurchase intent"),
    ({"status": "Lost"}, None, "lost — not tiered"),
    ({"status": "Open", "tier_override": "B"}, "B", "tier override B (manual)"),
]


@pytest.mark.parametrize(("cells", "tier", "reason"), EN_ROWS)
def test_row_rules_english(cells: dict, tier: str | None, reason: str) -> None:
    assert tier_of_row(cells, TODAY, EN, lang="en") == (tier, reason)


def test_zh_hant_reasons_are_traditional() -> None:
    assert tier_of_row(lead(need_clarity="潛在"), TODAY, lang="zh-Hant") == ("C", "需求潛在, 未填預計成交日期")
    hant = {"status": "跟進中", "need_clarity": "明確", "budget_status": "不明確", "decision_chain": "短"}
    assert tier_of_row({**hant, "expected_close": "2024-04-14"}, TODAY, lang="zh-Hant") == (
        "B", "預算不明確, 預計 30 天內成交（A 類需 14 天內）, 需求明確, 決策鏈短")
    assert tier_of_row({**hant, "expected_close": "2024-10-01"}, TODAY, lang="zh-Hant") == (
        "C", "預計 200 天后成交（超出 B 類 90 天窗口）, 需求明確, 預算不明確, 決策鏈短")
    assert tier_of_row({**hant, "expected_close": "2024-03-10"}, TODAY, lang="zh-Hant").tier == "C"


def test_windows_come_from_settings() -> None:
    cells = lead(**A_CELLS, expected_close="2024-03-25")
    assert tier_of_row(cells, TODAY, ZH).tier == "A"
    assert tier_of_row(cells, TODAY, ZH.model_copy(update={"a_close_days": 7})).tier == "B"
    far = lead(need_clarity="明确", budget_status="已审批", expected_close="2024-06-01")
    assert tier_of_row(far, TODAY, ZH) == ("B", "决策链未填, 预计 78 天内成交（A 类需 14 天内）, 需求明确, 预算已审批")
    assert tier_of_row(far, TODAY, ZH.model_copy(update={"b_close_days": 30})) == (
        "C", "预计 78 天后成交（超出 B 类 30 天窗口）, 需求明确, 预算已审批, 决策链未填")
    assert tier_of_row(far, TODAY, ZH.model_copy(update={"b_close_days": 78})).tier == "B"  # the edge is in


def test_won_row_needs_value() -> None:
    assert tier_of_row({"status": "已成交"}, TODAY) == (None, "未分级（没有成交记录）")
    assert tier_of_row({"status": "已成交"}, TODAY, won=("A", "前 80%")) == ("A", "前 80%")
    # the upsell tag that made a won account A comes first
    assert tier_of_row({"status": "已成交", "tags": "增购意向"}, TODAY, won=("C", "x")) == ("A", "标签：增购意向；x")
    assert tier_of_row({"status": "Won", "tags": "Upsell intent"}, TODAY, EN, "en", won=("B", "y")) == (
        "A", "tag: Upsell intent; y")
    assert tier_of_row({"status": "已成交", "tags": "增購意向"}, TODAY, lang="zh-Hant", won=("C", "x")) == (
        "A", "標籤：增購意向；x")


# --- won accounts --------------------------------------------------------------------------------


def won_tiers(amounts: dict[str, list[tuple[str, object]]], tags: dict[str, str] | None = None,
              lang: str = "zh-Hans", **overrides: object) -> dict[str, tuple[str | None, str]]:
    """Tier/reason per won customer, given each customer's (date, amount) conversions."""
    tags = tags or {}
    customers = [{"customer": c, "status": "已成交", "owner": "小王", "tags": tags.get(c)} for c in amounts]
    conversions = [{"customer": c, "date": d, "amount": a} for c, rows in amounts.items() for d, a in rows]
    ctx = make_ctx({"customers": customers, "conversions": conversions or pd.DataFrame(
        columns=["customer", "date", "amount"])}, today=TODAY, lang=lang, settings=overrides or None)
    out = compute_tiers(ctx.frames.data("customers"), ctx.frames.data("conversions"), TODAY, ctx.settings, ctx.lang)
    names = ctx.frames.data("customers")["customer"]
    return {n: (t, r) for n, t, r in zip(names, out["tier"], out["reason"], strict=True)}


def tiers_only(result: dict[str, tuple[str | None, str]]) -> dict[str, str | None]:
    return {k: v[0] for k, v in result.items()}


D = "2024-02-01"
PARETO = [
    ("single customer", {"甲": [(D, "40万")]}, {"甲": "A"}),
    ("crossing customer included", {"甲": [(D, 50)], "乙": [(D, 30)], "丙": [(D, 15)], "丁": [(D, 5)]},
     {"甲": "A", "乙": "A", "丙": "C", "丁": "C"}),
    ("crossing beyond the line", {"甲": [(D, 50)], "乙": [(D, 20)], "丙": [(D, 20)], "丁": [(D, 10)]},
     {"甲": "A", "乙": "A", "丙": "A", "丁": "C"}),
    ("ties at the line all in", {"甲": [(D, 70)], "乙": [(D, 10)], "丙": [(D, 10)], "丁": [(D, 10)]},
     {"甲": "A", "乙": "A", "丙": "A", "丁": "A"}),
    ("one dominant", {"甲": [(D, 900)], "乙": [(D, 50)], "丙": [(D, 50)]}, {"甲": "A", "乙": "C", "丙": "C"}),
    ("amounts summed per customer", {"甲": [(D, 30), ("2024-03-01", 30)], "乙": [(D, 50)], "丙": [(D, 10)]},
     {"甲": "A", "乙": "A", "丙": "C"}),
    ("no conversions at all: current tier kept", {"甲": [], "乙": []}, {"甲": None, "乙": None}),
    ("zero amount never A", {"甲": [(D, 100)], "乙": []}, {"甲": "A", "乙": "C"}),
    ("outside window / future / garbage ignored",
     {"甲": [("2023-03-01", 1000), ("2024-04-01", 1000), (D, "很多")], "乙": [(D, 10)]}, {"甲": "C", "乙": "A"}),
]


@pytest.mark.parametrize(("amounts", "expected"), [p[1:] for p in PARETO], ids=[p[0] for p in PARETO])
def test_pareto(amounts: dict, expected: dict) -> None:
    assert tiers_only(won_tiers(amounts)) == expected


def test_pareto_reasons() -> None:
    out = won_tiers({"甲": [(D, "65万")], "乙": [(D, "5万")], "丙": []})
    assert out["甲"] == ("A", "近 12 个月成交 65万，排第 1 名，累计占已成交金额 92.9%（前 80% 为 A）")
    assert out["乙"] == ("C", "近 12 个月成交 5万，未进前 80%")
    assert out["丙"] == ("C", "近 12 个月无成交")
    two = won_tiers({"甲": [(D, 50)], "乙": [(D, 30)], "丙": [(D, 20)]})
    assert two["乙"] == ("A", "近 12 个月成交 30元，排第 2 名，累计占已成交金额 80%（前 80% 为 A）")
    en = won_tiers({"甲": [(D, 650000)], "乙": [(D, 50000)]}, lang="en")
    assert en["甲"] == ("A", "trailing 12-month revenue ¥650,000, rank 1, cumulative 92.9% of won revenue (A up to 80%)")
    assert en["乙"] == ("C", "trailing 12-month revenue ¥50,000, outside the top 80%")


def test_pareto_share_and_window_from_settings() -> None:
    amounts = {"甲": [(D, 50)], "乙": [(D, 30)], "丙": [(D, 20)]}
    assert tiers_only(won_tiers(amounts, pareto_share=0.5)) == {"甲": "A", "乙": "C", "丙": "C"}
    old = {"甲": [("2023-09-01", 50)], "乙": [(D, 10)]}
    assert tiers_only(won_tiers(old)) == {"甲": "A", "乙": "C"}
    assert tiers_only(won_tiers(old, value_window_months=3)) == {"甲": "C", "乙": "A"}


BIG = [(D, "1000万")]
GROWTH = [
    ("growth over previous half", {"大": BIG, "甲": [("2023-06-01", "10万"), ("2023-12-01", "20万")]}, {},
     "B", "近 6 个月成交 20万，高于此前 6 个月的 10万；近 12 个月成交 30万，未进前 80%"),
    ("first purchase is not growth", {"大": BIG, "甲": [("2024-01-10", "20万")]}, {},
     "C", "近 12 个月成交 20万，未进前 80%"),
    ("repeat within 90 days", {"大": BIG, "甲": [("2023-10-01", "5万"), ("2024-03-01", "5万")]}, {},
     "B", "近 90 天内再次成交（2024-03-01）；近 12 个月成交 10万，未进前 80%"),
    ("same-day conversions are not a repeat", {"大": BIG, "甲": [("2024-03-01", "5万"), ("2024-03-01", "5万")]},
     {}, "C", "近 12 个月成交 10万，未进前 80%"),
    ("upsell tag on won", {"大": BIG, "甲": [(D, "5万")]}, {"甲": "复购意向"}, "A", "标签：复购意向；近 12 个月成交 5万，未进前 80%"),
    ("upsell tag and growth", {"大": BIG, "甲": [("2023-10-01", "5万"), ("2024-03-01", "5万")]},
     {"甲": "增购意向"}, "A", "标签：增购意向；近 90 天内再次成交（2024-03-01）；近 12 个月成交 10万，未进前 80%"),
    ("won without conversions, tagged", {"大": BIG, "甲": []}, {"甲": "复购意向"}, "A", "标签：复购意向；近 12 个月无成交"),
]


@pytest.mark.parametrize(("amounts", "tags", "tier", "reason"), [g[1:] for g in GROWTH], ids=[g[0] for g in GROWTH])
def test_growth_signals(amounts: dict, tags: dict, tier: str, reason: str) -> None:
    out = won_tiers(amounts, tags)
    assert out["大"][0] == "A"
    assert out["甲"] == (tier, reason)


def test_pareto_a_keeps_a_with_upsell_tag() -> None:
    assert won_tiers({"甲": BIG}, {"甲": "复购意向"})["甲"][0] == "A"


def test_conversion_names_matched_like_everywhere() -> None:
    ctx = make_ctx({"customers": [{"customer": "AA生物制药", "status": "已成交", "owner": "小李"},
                                  {"customer": "BB", "status": "已成交", "owner": "小李"}],
                    "conversions": [{"customer": "ＡＡ 生物制药", "date": "2024-02-28", "amount": "40万"},
                                    {"customer": "bb", "date": "2024-02-28", "amount": "1万"}]}, today=TODAY)
    assert recompute(ctx).columns["customers"]["tier"].tolist() == ["A", "C"]


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=12), st.sampled_from([0.5, 0.8, 1.0]))
def test_pareto_properties(amounts: list[int], share: float) -> None:
    keys = [f"k{i}" for i in range(len(amounts))]
    conv = pd.DataFrame({"customer": keys, "date": [D] * len(keys), "amount": amounts})
    out = value_tiers(keys, conv, TODAY, ZH.model_copy(update={"pareto_share": share}))
    value = pd.Series(amounts, index=keys, dtype=float)
    a = out.index[out["tier"] == "A"]
    total = value.sum()
    if total == 0:
        assert len(a) == 0
        return
    assert value[a].sum() >= share * total - 1e-6  # the A set reaches the share
    assert (value[a] > 0).all()
    rest = value.drop(a)
    assert rest.empty or rest.max() < value[a].min()  # ties never split
    # minimal: without its smallest members the A set would not reach the share
    smaller = value[a][value[a] > value[a].min()]
    assert smaller.sum() < share * total - 1e-6 or len(smaller) == 0


# --- the tier log --------------------------------------------------------------------------------

SPEC_CUSTOMERS = [
    {"customer": "科技有限公司", "status": "跟进中", "owner": "小王", **A_CELLS, "expected_close": "2024-03-20"},
    {"customer": "YY贸易集团", "status": "跟进中", "owner": "小李", **A_CELLS, "expected_close": "2024-03-25"},
    {"customer": "ZZ文化传媒", "status": "跟进中", "owner": "小张", "need_clarity": "潜在"},
    {"customer": "新客户", "status": "跟进中", "owner": "小陈", "need_clarity": "初步", "expected_close": "2024-04-30"},
    {"customer": "老客户", "status": "已流失", "owner": "小陈", "lost_reason": "价格异议", "lost_on": "2024-03-01"},
]
SPEC_LOG = [
    {"customer": "科技有限公司", "tier": "A", "reason": "需求明确,预算已审批", "date": "2024-03-01", "owner": "小王"},
    {"customer": "YY贸易集团", "tier": "B", "reason": "技术部评估中", "date": "2024-03-02", "owner": "小李"},
    {"customer": "ZZ文化传媒", "tier": "C", "reason": "暂无明确需求", "date": "2024-03-01", "owner": "小张"},
    {"customer": "老客户", "tier": "B", "reason": "", "date": "2024-02-01", "owner": "小陈"},
]


def test_hand_typed_rows_are_the_logged_tier() -> None:
    res = recompute(make_ctx({"customers": SPEC_CUSTOMERS, "tierlog": SPEC_LOG}, today=TODAY))
    log = res.appends["tierlog"]
    assert log.to_dict("records") == [
        {"customer": "YY贸易集团", "tier": "A", "reason": "B → A：需求明确, 预算已审批, 决策链短, 预计 10 天内成交",
         "date": TODAY, "owner": "小李"},
        {"customer": "新客户", "tier": "B", "reason": "— → B：需求初步, 预算状态未填, 决策链未填, 预计 46 天内成交（A 类需 14 天内）",
         "date": TODAY, "owner": "小陈"},
    ]
    c = res.summary.counts
    assert (c["A"], c["B"], c["C"], c["untiered"]) == (2, 1, 1, 1)
    assert (c["changes"], c["up"], c["down"], c["new"], c["logged"]) == (2, 1, 0, 1, 2)
    assert res.summary.headline == "A 类 2、B 类 1、C 类 1；级别变动 2 个（升级 1、降级 0、首次分级 1）"
    title, changes = res.summary.tables[1]
    assert title == "级别变动"
    assert changes.values.tolist() == [
        ["YY贸易集团", "B", "A", "需求明确, 预算已审批, 决策链短, 预计 10 天内成交"],
        ["新客户", "—", "B", "需求初步, 预算状态未填, 决策链未填, 预计 46 天内成交（A 类需 14 天内）"],
    ]
    json.dumps(res.summary.to_dict(), ensure_ascii=False)  # JSON-able


def apply_and_rerun(book, today=TODAY):  # type: ignore[no-untyped-def]
    res = recompute(make_context(book, today))
    book.apply(res)
    book.save()
    return res


def test_idempotent_through_memory_book() -> None:
    book = make_book({"customers": SPEC_CUSTOMERS, "tierlog": SPEC_LOG})
    first = apply_and_rerun(book)
    assert first.summary.counts["changes"] == 2
    grid = book.sheets["客户分级表"]
    assert len(grid) == 1 + len(SPEC_LOG) + 2
    assert grid[-1][:5] == ["新客户", "B", "— → B：需求初步, 预算状态未填, 决策链未填, 预计 46 天内成交（A 类需 14 天内）", TODAY, "小陈"]
    second = apply_and_rerun(book)
    assert "tierlog" not in second.appends
    assert second.summary.counts["changes"] == 0
    assert second.summary.headline == "A 类 2、B 类 1、C 类 1；级别无变动"
    assert len(book.sheets["客户分级表"]) == len(grid)
    # the written columns are what was computed, and stay the same
    cust = book.frames().customers.data
    assert cust["tier"].tolist() == ["A", "A", "C", "B", None]
    assert second.columns["customers"]["tier_reason"].equals(first.columns["customers"]["tier_reason"])
    # a later day, a real change: one row, then quiet again
    third = apply_and_rerun(book, dt.date(2024, 4, 20))
    assert third.appends["tierlog"]["reason"].tolist() == [
        "A → C：预计成交日期已过 31 天, 需求明确, 预算已审批, 决策链短",
        "A → C：预计成交日期已过 26 天, 需求明确, 预算已审批, 决策链短",
    ]
    assert third.summary.counts["down"] == 2
    assert "tierlog" not in apply_and_rerun(book, dt.date(2024, 4, 20)).appends


def test_first_run_on_empty_log() -> None:
    empty = pd.DataFrame(columns=["customer", "tier", "reason", "date", "owner"])
    book = make_book({"customers": SPEC_CUSTOMERS, "tierlog": empty})
    res = apply_and_rerun(book)
    assert res.appends["tierlog"]["reason"].str.startswith("— → ").all()
    assert res.summary.counts["new"] == 4
    assert "tierlog" not in apply_and_rerun(book).appends


def test_latest_row_by_date_then_row_order() -> None:
    customers = [{"customer": "甲", "status": "跟进中", "owner": "小王", **CRITERIA, "need_clarity": "潜在"}]  # computes C
    cases = [
        ([("C", "2024-03-05"), ("A", "2024-03-01")], None),  # typed later but older: C is current
        ([("A", "2024-03-05"), ("C", "2024-03-05")], None),  # same day: the lower row is current
        ([("C", "2024-03-05"), ("A", "2024-03-05")], "A"),
        ([("C", "2024-03-05"), ("A", "2024-04-01")], None),  # dated after today: not yet
        ([("C", "2024-03-05"), ("A", None)], None),  # undated rows are the oldest
        ([("A", None), ("垃圾", "2024-03-10")], "A"),  # unreadable tiers are skipped
    ]
    for rows, before in cases:
        log = [{"customer": "甲", "tier": t, "date": d, "owner": "小王"} for t, d in rows]
        res = recompute(make_ctx({"customers": customers, "tierlog": log}, today=TODAY))
        got = res.appends.get("tierlog")
        if before is None:
            assert got is None, rows
        else:
            assert got["reason"].tolist() == [f"{before} → C：需求潜在, 未填预计成交日期"], rows


def test_row_dated_after_today_still_idempotent() -> None:
    """Running with --today before a (mistyped or later) log row: the change is logged once."""
    customers = [{"customer": "甲", "status": "跟进中", "owner": "小王", **CRITERIA, "need_clarity": "潜在"}]
    log = pd.DataFrame([{"customer": "甲", "tier": "A", "date": dt.date(2024, 4, 30)}],
                       columns=["customer", "tier", "reason", "date", "owner"])
    book = make_book({"customers": customers, "tierlog": log})
    assert apply_and_rerun(book).appends["tierlog"]["reason"].tolist() == ["— → C：需求潜在, 未填预计成交日期"]
    assert "tierlog" not in apply_and_rerun(book).appends


def test_log_names_matched_by_key() -> None:
    customers = [{"customer": "科技有限公司", "status": "跟进中", "owner": "小王", **CRITERIA, "need_clarity": "潜在"}]
    log = [{"customer": " 科技 有限公司 ", "tier": "c", "date": "2024-03-01"}]
    assert "tierlog" not in recompute(make_ctx({"customers": customers, "tierlog": log}, today=TODAY)).appends
    log = [{"customer": "科技有限公司", "tier": "C", "date": "2024-03-01"}]
    assert "tierlog" not in recompute(make_ctx({"customers": [{**customers[0], "customer": "科技有限公司"}],
                                                "tierlog": log}, today=TODAY)).appends


def test_duplicates_and_blank_names_logged_once() -> None:
    customers = [
        {"customer": "甲公司", "status": "跟进中", "owner": "小王", "need_clarity": "潜在"},
        {"customer": "甲 公司", "status": "跟进中", "owner": "小李", **A_CELLS, "expected_close": "2024-03-20"},
        {"customer": None, "status": "跟进中", "owner": "小李", "need_clarity": "潜在"},
    ]
    book = make_book({"customers": customers, "tierlog": pd.DataFrame(columns=["customer", "tier", "date"])})
    res = apply_and_rerun(book)
    assert res.columns["customers"]["tier"].tolist() == ["C", "A", "C"]
    assert res.appends["tierlog"]["customer"].tolist() == ["甲公司"]
    assert "tierlog" not in apply_and_rerun(book).appends


def test_override_and_lost_in_the_log() -> None:
    customers = [
        {"customer": "甲", "status": "跟进中", "owner": "小王", "need_clarity": "潜在", "tier_override": "A"},
        {"customer": "乙", "status": "已流失", "owner": "小王"},
    ]
    log = [{"customer": "甲", "tier": "C", "date": "2024-03-01"}, {"customer": "乙", "tier": "A", "date": "2024-03-01"}]
    res = recompute(make_ctx({"customers": customers, "tierlog": log}, today=TODAY))
    assert res.appends["tierlog"][["customer", "reason"]].values.tolist() == [["甲", "C → A：锁定级别 A（手动）"]]
    assert res.columns["customers"]["tier"].tolist() == ["A", None]


def test_no_tier_log_sheet() -> None:
    book = make_book({"customers": SPEC_CUSTOMERS})
    res = apply_and_rerun(book)
    assert res.appends == {}
    assert res.summary.counts["changes"] == 4 and res.summary.counts["logged"] == 0
    assert res.summary.warnings == 1
    assert res.summary.headline.endswith("；工作簿没有客户分级表，变动未记录")
    assert book.frames().customers.data["tier"].tolist() == ["A", "A", "C", "B", None]


def test_no_customers_sheet() -> None:
    res = recompute(make_ctx({"tierlog": SPEC_LOG}, today=TODAY))
    assert res.columns == {} and res.appends == {}
    assert res.summary.headline == "工作簿没有客户信息表，无法分级"


def test_english_workbook() -> None:
    customers = [
        {"customer": "Acme Ltd", "status": "Open", "owner": "Wang", "need_clarity": "Clear",
         "budget_status": "Approved", "decision_chain": "Short", "expected_close": "2024-03-20"},
        {"customer": "Globex", "status": "Won", "owner": "Li"},
        {"customer": "Initech", "status": "Won", "owner": "Li", "tags": "Upsell intent"},
    ]
    log = [{"customer": "ACME LTD", "tier": "B", "reason": "evaluating", "date": "2024-03-01", "owner": "Wang"}]
    conversions = [{"customer": "Globex", "date": "2024-01-05", "amount": 900000},
                   {"customer": "Initech", "date": "2024-01-05", "amount": 50000}]
    book = make_book({"customers": customers, "tierlog": log, "conversions": conversions}, lang="en")
    res = apply_and_rerun(book)
    assert res.appends["tierlog"]["reason"].tolist() == [
        "B → A: need clear, budget approved, decision chain short, expected close in 5 days",
        "— → A: trailing 12-month revenue ¥900,000, rank 1, cumulative 94.7% of won revenue (A up to 80%)",
        "— → A: tag: Upsell intent; trailing 12-month revenue ¥50,000, outside the top 80%",
    ]
    assert res.summary.headline == "A 3, B 0, C 0; 3 tier changes (1 up, 0 down, 2 new)"
    assert [t for t, _ in res.summary.tables] == ["Customers per tier", "Tier changes"]
    assert list(res.summary.tables[1][1].columns) == ["Customer", "From", "To", "Reason"]
    assert apply_and_rerun(book).summary.headline == "A 3, B 0, C 0; no tier changes"


def test_log_reason_format() -> None:
    assert log_reason(None, "B", "x", "zh-Hans") == "— → B：x"
    assert log_reason("C", "A", "tag: y", "en") == "C → A: tag: y"



# --- a real file, read back with another reader ---------------------------------------------------


def test_file_round_trip(tmp_path: Path) -> None:
    """A toolkit-style workbook (tier log as a plain range, typed by hand): tiers written, one change
    appended with a real date, nothing appended on the second run."""
    path = write_workbook(tmp_path / "team.xlsx", {
        "客户信息表": [
            ["客户名称", "负责人", "客户状态", "需求明确度", "预算状态", "决策链", "预计成交日期"],
            ["科技有限公司", "小王", "跟进中", "明确", "已审批", "短", dt.datetime(2024, 3, 20)],
            ["YY贸易集团", "小李", "跟进中", "明确", "已审批", "短", dt.datetime(2024, 3, 25)],
            ["ZZ文化传媒", "小张", "跟进中", "潜在", None, None, None],
        ],
        "客户分级表": [
            ["客户名称", "当前级别", "升级/降级原因", "调整时间", "负责人"],
            ["科技有限公司", "A", "需求明确,预算已审批", dt.datetime(2024, 3, 1), "小王"],
            ["YY贸易集团", "B", "技术部评估中", dt.datetime(2024, 3, 2), "小李"],
            ["ZZ文化传媒", "C", "暂无明确需求", dt.datetime(2024, 3, 1), "小张"],
        ],
    }, tables={"客户信息表": "Customers"})
    out = tmp_path / "out.xlsx"
    summary = recompute_tiers(path, today="2024-03-15", out=out)
    assert summary.counts["changes"] == 1
    wb = CalamineWorkbook.from_path(str(out))
    log = wb.get_sheet_by_name("客户分级表").to_python()
    assert len(log) == 5
    assert log[4][:5] == ["YY贸易集团", "A", "B → A：需求明确, 预算已审批, 决策链短, 预计 10 天内成交",
                          dt.date(2024, 3, 15), "小李"]
    cust = wb.get_sheet_by_name("客户信息表").to_python()
    assert cust[0][7:9] == ["当前级别", "级别依据"]
    assert [r[7] for r in cust[1:]] == ["A", "A", "C"]
    assert cust[3][8] == "需求潜在, 未填预计成交日期"
    again = recompute_tiers(out, today="2024-03-15")
    assert again.counts["changes"] == 0
    assert len(CalamineWorkbook.from_path(str(out)).get_sheet_by_name("客户分级表").to_python()) == 5
    date_cell = openpyxl.load_workbook(out)["客户分级表"]["D5"]
    assert date_cell.is_date and date_cell.value.date() == dt.date(2024, 3, 15)


CELL = {
    "status": st.sampled_from(["跟进中", "暂停", "已成交", "已流失", None, "乱写"]),
    "need_clarity": st.sampled_from(["明确", "初步", "潜在", None]),
    "budget_status": st.sampled_from(["已审批", "明确", "不明确", None]),
    "decision_chain": st.sampled_from(["短", "长", "未知", None]),
    "expected_close": st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
    "tags": st.sampled_from([None, "复购意向", "价格敏感"]),
    "tier_override": st.sampled_from([None, None, None, "A", "c"]),
}


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(CELL), min_size=1, max_size=8),
       st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["A", "B", "C"]),
                          st.dates(dt.date(2024, 1, 1), dt.date(2024, 4, 30))), max_size=10))
def test_second_run_never_appends(rows: list[dict], log: list[tuple]) -> None:
    customers = [{"customer": f"客户{i % 5}", "owner": "小王", **r} for i, r in enumerate(rows)]
    tierlog = pd.DataFrame([{"customer": f"客户{i}", "tier": t, "date": d} for i, t, d in log],
                           columns=["customer", "tier", "reason", "date", "owner"])
    conversions = [{"customer": f"客户{i}", "date": "2024-02-01", "amount": 10_000 * (i + 1)} for i in range(5)]
    book = make_book({"customers": customers, "tierlog": tierlog, "conversions": conversions})
    first = apply_and_rerun(book)
    second = apply_and_rerun(book)
    assert "tierlog" not in second.appends
    assert second.columns["customers"]["tier"].equals(first.columns["customers"]["tier"])
