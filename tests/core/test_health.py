"""Health and churn: quintile scoring, health weights, each churn signal, the toolkit's NPS rule at its
boundaries, the win-back list (order, links, empty), churn_summary, zh-Hans and en."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.core.health.job import assess, churn_summary
from crm_xl.core.health.score import _join, quintile_scores, score
from crm_xl.jobs import run_job
from tests.conftest import make_book, make_ctx

TODAY = dt.date(2024, 4, 1)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


# --- quintile scores ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    ([10], [3]),
    ([1, 2], [2, 4]),
    ([7, 7], [3, 3]),
    ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
    ([5, 4, 3, 2, 1], [5, 4, 3, 2, 1]),
    ([3, 3, 3, 3, 3], [3, 3, 3, 3, 3]),
    ([1, 1, 2, 3, 4], [2, 2, 3, 4, 5]),
    (list(range(10)), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
    ([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], [3, 3, 3, 3, 3, 3, 3, 3, 5, 5]),  # a tied mass sits in the middle
])
def test_quintile_scores(values: list[int], expected: list[int]) -> None:
    assert quintile_scores(pd.Series(values)).tolist() == expected


def test_quintile_scores_lower_is_better_and_nan() -> None:
    assert quintile_scores(pd.Series([1, 2, 3, 4, 5]), higher_is_better=False).tolist() == [5, 4, 3, 2, 1]
    out = quintile_scores(pd.Series([1.0, None, 3.0]))
    assert out.iloc[0] == 2 and pd.isna(out.iloc[1]) and out.iloc[2] == 4
    assert quintile_scores(pd.Series([], dtype=float)).empty


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=60), st.randoms())
def test_quintile_scores_properties(values: list[int], rnd: Any) -> None:
    s = pd.Series(values)
    scores = quintile_scores(s)
    assert scores.between(1, 5).all()
    for (a, sa) in zip(values, scores, strict=True):  # monotone, ties share a score
        for (b, sb) in zip(values, scores, strict=True):
            if a < b:
                assert sa <= sb
            if a == b:
                assert sa == sb
    shuffled = values[:]
    rnd.shuffle(shuffled)  # order of rows does not matter
    again = dict(zip(shuffled, quintile_scores(pd.Series(shuffled)), strict=True))
    assert all(again[v] == sc for v, sc in zip(values, scores, strict=True))


# --- health ------------------------------------------------------------------------------------------

def won(name: str, **cells: Any) -> dict[str, Any]:
    return {"customer": name, "contact": "张三", "owner": "小王", "status": "已成交", **cells}


def conv(name: str, days_ago: int, amount: Any = "10万") -> dict[str, Any]:
    return {"customer": name, "date": ago(days_ago), "amount": amount, "owner": "小王"}


def fu(name: str, days_ago: int, content: str = "介绍新功能", **cells: Any) -> dict[str, Any]:
    return {"customer": name, "date": ago(days_ago), "method": "电话", "content": content, "owner": "小王", **cells}


def scored(data: dict[str, list[dict[str, Any]]], lang: str = "zh-Hans",
           settings: dict[str, Any] | None = None) -> pd.DataFrame:
    out = score(make_ctx(data, TODAY, lang, settings))
    return out.set_index(out["customer"].astype(str))


def test_one_won_customer_scores_three_everywhere() -> None:
    out = scored({"customers": [won("甲"), won("乙", nps=100), {"customer": "丙", "status": "跟进中"}],
                  "conversions": [conv("甲", 10), conv("乙", 10)]})
    assert out.loc["甲", ["r", "f", "m"]].tolist() == [3, 3, 3]
    assert out.loc["甲", "health"] == 50  # no NPS: weights renormalised over R, F, M
    assert out.loc["乙", "health"] == 65  # 0.7 × 50 + 0.3 × 100
    assert pd.isna(out.loc["丙", "health"]) and pd.isna(out.loc["丙", "risk"])


def test_two_and_five_customers() -> None:
    two = scored({"customers": [won("甲"), won("乙")], "conversions": [conv("甲", 10, "5万"), conv("乙", 40, "50万")]})
    assert two.loc["甲", ["r", "m"]].tolist() == [4, 2]  # more recent = higher R
    assert two.loc["乙", ["r", "m"]].tolist() == [2, 4]
    assert two["f"].tolist() == [3, 3]  # tie
    names = list("ABCDE")
    five = scored({"customers": [won(n) for n in names],
                   "conversions": [conv(n, 10 * (i + 1), f"{i + 1}万") for i, n in enumerate(names)]})
    assert five["r"].tolist() == [5, 4, 3, 2, 1]
    assert five["m"].tolist() == [1, 2, 3, 4, 5]
    assert five["health"].tolist() == [50, 50, 50, 50, 50]  # (R + F + M) mirror each other here


def test_frequency_and_monetary_use_the_trailing_window() -> None:
    out = scored({"customers": [won("甲"), won("乙")],
                  "conversions": [conv("甲", 365, "10万"), conv("甲", 366, "20万"), conv("乙", 5, "1万"),
                                  conv("乙", 6, "¥15,000"), conv("乙", -3, "99万")]})  # future conversion ignored
    assert out.loc["甲", ["frequency", "monetary", "previous"]].tolist() == [1, 100_000, 200_000]
    assert out.loc["乙", ["frequency", "monetary", "recency_days"]].tolist() == [2, 25_000, 5]


def test_won_without_conversion_scores_one_and_weights_follow_settings() -> None:
    out = scored({"customers": [won("甲", nps=0), won("乙", nps="-100"), won("丙")],
                  "conversions": [conv("丙", 10)]})
    assert out.loc["甲", ["r", "f", "m"]].tolist() == [1, 1, 1]
    assert out.loc["甲", "health"] == 15  # (0.7 × 0 + 0.3 × 50) / 1
    assert out.loc["乙", "health"] == 0
    only_nps = scored({"customers": [won("甲", nps=40)], "conversions": [conv("甲", 10)]},
                      settings={"w_recency": 0, "w_frequency": 0, "w_monetary": 0, "w_nps": 1})
    assert only_nps.loc["甲", "health"] == 70


# --- churn risk: a quiet account, then each signal -----------------------------------------------------

def quiet(**cells: Any) -> dict[str, list[dict[str, Any]]]:
    """A won tier-C account with nothing to worry about (low risk)."""
    return {
        "customers": [won("甲", **{"tier": "C", "nps": 50, **cells})],
        "conversions": [conv("甲", 30, "10万")],
        "followups": [fu("甲", 5, "季度满意度调研", feedback="满意")],
    }


def risk_of(data: dict[str, list[dict[str, Any]]], lang: str = "zh-Hans",
            settings: dict[str, Any] | None = None) -> tuple[str, str, list[str]]:
    row = scored(data, lang, settings).loc["甲"]
    return row["risk"], row["risk_text"], row["signals"]


def test_quiet_account_is_low() -> None:
    assert risk_of(quiet()) == ("low", "低", [])
    assert risk_of(quiet(), "en")[1] == "Low"


def test_high_is_the_toolkits_nps_rule_at_its_boundaries() -> None:
    data = quiet(nps=-20)
    data["conversions"] = [conv("甲", 91, "10万")]
    data["followups"] = [fu("甲", 5, "满意度调研")]
    assert risk_of(data) == ("high", "高：NPS -20，91 天无成交", ["high"])
    assert risk_of(data, "en")[1] == "High: NPS -20, no conversion for 91 days"
    data["conversions"] = [conv("甲", 90, "10万")]  # day 90 is still "in 90 days"
    assert risk_of(data) == ("medium", "中：NPS -20", ["nps"])
    data["conversions"] = [conv("甲", 91, "10万")]
    data["customers"][0]["nps"] = 0  # not below the threshold of 0
    assert risk_of(data)[0] == "low"
    data["customers"][0]["nps"] = -1
    assert risk_of(data)[0] == "high"
    assert risk_of(data, settings={"churn_nps_below": -1})[0] == "low"
    assert risk_of(data, settings={"churn_no_conversion_days": 91})[0] == "medium"


def test_high_without_any_conversion_and_extra_reasons() -> None:
    data = quiet(nps=-30, tags="价格敏感")
    data["conversions"] = []
    risk, text, signals = risk_of(data)
    assert risk == "high" and signals == ["high", "price"]
    assert text == "高：NPS -30，无成交记录，价格敏感"


def test_missing_nps_is_never_high() -> None:
    data = quiet(nps=None)
    data["conversions"] = [conv("甲", 200, "10万")]
    data["followups"] = [fu("甲", 5, "满意度调研")]
    assert risk_of(data)[0] == "low"


@pytest.mark.parametrize("tags", ["价格敏感", "Price sensitive", "價格敏感", "重点客户，价格敏感"])
def test_price_tag_in_any_language(tags: str) -> None:
    assert risk_of(quiet(tags=tags)) == ("medium", "中：价格敏感", ["price"])


def test_competitor_tag_and_quiet_tags() -> None:
    assert risk_of(quiet(tags="竞品对比中"))[1] == "中：竞品对比中"
    assert risk_of(quiet(tags="Comparing competitors"), "en")[1] == "Medium: Comparing competitors"
    assert risk_of(quiet(tags="决策链长、复购意向"))[0] == "low"
    lead = quiet(tags="价格敏感")
    lead["customers"][0]["status"] = "跟进中"
    row = scored(lead).loc["甲"]
    assert pd.isna(row["risk"]) and pd.isna(row["risk_text"]) and pd.isna(row["health"])


def test_survey_missed() -> None:
    data = quiet()
    data["followups"] = [fu("甲", 91, "季度满意度回访"), fu("甲", 3, "节日问候")]
    data["conversions"] = [conv("甲", 200, "10万")]
    assert risk_of(data)[1:] == ("中：满意度调研逾期 1 天", ["survey"])
    assert risk_of(data, "en")[1] == "Medium: satisfaction survey 1 day overdue"
    data["followups"][0] = fu("甲", 90, "季度满意度回访")
    assert risk_of(data)[0] == "low"
    data["followups"][0] = fu("甲", 60, "Survey", method="邮件")  # English word, any case
    assert risk_of(data)[0] == "low"
    data["followups"][0] = fu("甲", 150, "问卷")
    assert risk_of(data)[1] == "中：满意度调研逾期 60 天"
    # never surveyed: due survey_days after the latest conversion (as in the after-sale schedule)
    data["followups"] = [fu("甲", 3, "节日问候")]
    assert risk_of(data)[1] == "中：满意度调研逾期 110 天"
    data["conversions"].append(conv("甲", 30, "10万"))  # a repurchase restarts the cycle
    assert risk_of(data)[0] == "low"


def test_no_contact_for_twice_the_won_cadence() -> None:
    data = quiet()
    data["conversions"] = [conv("甲", 100, "10万")]
    data["followups"] = [fu("甲", 61, "满意度调研")]
    assert risk_of(data)[1:] == ("中：61 天未联系", ["gap"])  # cadence_won 30 × churn_gap_factor 2
    assert risk_of(data, "en")[1] == "Medium: no contact for 61 days"
    assert risk_of(data, settings={"churn_gap_factor": 3})[0] == "low"
    data["followups"] = [fu("甲", 60, "满意度调研")]
    assert risk_of(data)[0] == "low"
    assert risk_of(data, settings={"cadence_won": 20})[1] == "中：60 天未联系"
    data["conversions"].append(conv("甲", 2, "10万"))  # a conversion is a contact too
    data["followups"] = [fu("甲", 80, "满意度调研")]
    assert "gap" not in risk_of(data)[2]
    data["conversions"], data["followups"] = [], []
    assert risk_of(data)[1] == "中：无跟进记录"


def test_tier_shown_from_log_when_customers_tier_blank() -> None:
    data = quiet(tier=None)
    assert scored(data).loc["甲", "tier"] == "C"  # no tier anywhere: C
    data["tierlog"] = [{"customer": "甲", "tier": "B", "date": ago(100), "owner": "小王"},
                       {"customer": "甲", "tier": "A", "date": ago(50), "owner": "小王"},
                       {"customer": "甲", "tier": "C", "date": ago(-5), "owner": "小王"}]  # future row ignored
    assert scored(data).loc["甲", "tier"] == "A"
    data["customers"][0]["tier"] = "B"
    assert scored(data).loc["甲", "tier"] == "B"


def test_complaint_in_recent_follow_ups() -> None:
    data = quiet()
    data["followups"].append(fu("甲", 20, "处理工单", feedback="客户投诉响应太慢"))
    assert risk_of(data)[1:] == (f"中：客户投诉（{ago(20).isoformat()}）", ["service"])
    data["followups"][-1] = fu("甲", 95, "处理工单", feedback="客户投诉响应太慢")
    assert risk_of(data)[0] == "low"


def test_falling_twelve_month_amount() -> None:
    data = quiet()
    data["conversions"] = [conv("甲", 30, "10万"), conv("甲", 400, "25万")]
    assert risk_of(data)[1:] == ("中：近12个月金额 10万（此前12个月 25万）", ["falling"])
    assert risk_of(data, "en")[1] == "Medium: 12-month amount ¥100,000, down from ¥250,000"
    data["conversions"] = [conv("甲", 30, "10万"), conv("甲", 400, "10万")]
    assert risk_of(data)[0] == "low"
    data["conversions"] = [conv("甲", 30, "10万"), conv("甲", 800, "90万")]  # before the comparison window
    assert risk_of(data)[0] == "low"


def test_several_signals_and_next_steps() -> None:
    data = quiet(tags="价格敏感,竞品对比中", nps=-10)
    row = scored(data).loc["甲"]
    assert row["signals"] == ["nps", "price", "competitor"]
    assert row["risk_text"] == "中：NPS -10，价格敏感，竞品对比中"
    assert row["next_step"] == "致歉并解决问题；提供价值方案；竞品对比复盘"
    en = scored(data, "en").loc["甲"]
    assert en["next_step"] == "Apologise and fix the problem; Offer a value package; Review the competitor comparison"


# --- the job: columns, win-back sheet, summary ---------------------------------------------------------

def portfolio() -> dict[str, list[dict[str, Any]]]:
    """Five won accounts: two high, two medium, one low; plus a lead."""
    return {
        "customers": [
            won("低风险公司", tier="C", nps=60, owner="小李"),
            won("高风险甲", tier="C", nps=-40),
            won("中风险乙", tier="C", nps=30, tags="价格敏感", owner="小张"),
            won("高风险丙", tier="C", nps=-10),
            won("中风险丁", tier="C", nps=10, tags="竞品对比中"),
            {"customer": "线索公司", "contact": "李四", "owner": "小王", "status": "跟进中", "tags": "价格敏感"},
        ],
        "conversions": [
            conv("低风险公司", 10, "80万"), conv("低风险公司", 40, "20万"),
            conv("高风险甲", 100, "30万"),
            conv("中风险乙", 20, "50万"),
            conv("高风险丙", 200, "5万"),
            conv("中风险丁", 60, "12万"),
        ],
        "followups": [fu(n, 3, "季度满意度调研") for n in ("低风险公司", "高风险甲", "中风险乙", "高风险丙", "中风险丁")],
    }


def test_win_back_list_order_columns_and_links() -> None:
    book = make_book(portfolio())
    summary = run_job(book, "health", today=TODAY)
    book.save()
    grid = book.sheets["流失预警"]
    top = next(i for i, r in enumerate(grid) if r and r[0] == "客户")
    header = grid[top]
    assert header == ["客户", "负责人", "级别", "流失风险", "健康度", "原因", "建议下一步", "最近成交", "近12个月金额（万元）"]
    rows = [r for r in grid[top + 1:] if r and r[0] in {"高风险甲", "高风险丙", "中风险乙", "中风险丁"}]
    assert [r[0] for r in rows] == ["高风险丙", "高风险甲", "中风险丁", "中风险乙"]  # risk, then health ascending
    assert [r[3] for r in rows] == ["高", "高", "中", "中"]
    healths = [r[4] for r in rows]
    assert healths[0] <= healths[1] and healths[2] <= healths[3]
    assert rows[0][5] == "NPS -10，200 天无成交" and rows[0][6] == "致歉并解决问题"
    assert rows[3][6] == "提供价值方案" and rows[2][6] == "竞品对比复盘"
    assert rows[0][7] == ago(200) and rows[3][8] == 50.0
    rendered = book.rendered["流失预警"]
    links = {c.value: c.link for c in rendered.cells if c.link}
    assert links["高风险丙"] == "客户信息表!A5" and links["中风险乙"] == "客户信息表!A4"
    assert summary.counts == {"won": 5, "high": 2, "medium": 2, "low": 1, "value_at_risk": 970_000.0}
    assert summary.headline == "已成交客户 5 个：高风险 2，中风险 2，低风险 1；风险金额 97万"
    customers = book.sheets["客户信息表"]
    head = customers[0]
    h, c = head.index("健康度"), head.index("流失风险")
    by_name = {r[0]: (r[h] if h < len(r) else None, r[c] if c < len(r) else None) for r in customers[1:]}
    assert by_name["线索公司"] == (None, None)
    assert by_name["低风险公司"][1] == "低" and isinstance(by_name["低风险公司"][0], int)
    assert by_name["高风险丙"][1] == "高：NPS -10，200 天无成交"


def test_english_workbook() -> None:
    book = make_book(portfolio(), lang="en")
    summary = run_job(book, "health", today=TODAY)
    book.save()
    grid = book.sheets["Churn watch"]
    top = next(i for i, r in enumerate(grid) if r and r[0] == "Customer")
    assert grid[top][:5] == ["Customer", "Owner", "Tier", "Churn risk", "Health"]
    assert grid[top + 1][3] == "High"
    assert summary.headline == "5 won accounts: 2 high, 2 medium, 1 low risk; value at risk ¥970,000"
    head = book.sheets["Customers"][0]
    assert "Health" in head and "Churn risk" in head


def test_empty_win_back_list_says_so() -> None:
    data = quiet()
    book = make_book(data)
    run_job(book, "health", today=TODAY)
    book.save()
    texts = [c.value for c in book.rendered["流失预警"].cells]
    assert "没有高风险或中风险的已成交客户。" in texts


def test_rebuild_replaces_sheet_in_other_language() -> None:
    ctx = make_ctx(portfolio(), TODAY, "zh-Hans")
    layout = assess(ctx).sheets[0]
    assert layout.name == "流失预警" and set(layout.aliases) == {"流失預警", "Churn watch"}


def test_churn_summary_for_the_review() -> None:
    ctx = make_ctx(portfolio(), TODAY)
    out = churn_summary(ctx)
    assert (out["won"], out["high"], out["medium"], out["low"]) == (5, 2, 2, 1)
    assert out["value_at_risk"] == 970_000 and out["value_total"] == 1_970_000
    assert out["table"].to_dict("list") == {"流失风险": ["高", "中", "低"], "客户数": [2, 2, 1],
                                            "近12个月金额（万元）": [35.0, 62.0, 100.0]}
    assert list(out["accounts"]["客户"]) == ["高风险丙", "高风险甲", "中风险丁", "中风险乙"]
    assert out["note"].startswith("截至 2024-04-01；风险金额 = 高、中风险客户近12个月成交额")
    earlier = churn_summary(ctx, as_of=ago(150))  # 高风险甲 (100 days ago) had not converted yet
    assert earlier["as_of"] == ago(150) and earlier["won"] == 5
    assert earlier["value_total"] == 50_000


def test_churn_summary_without_accounts_counts_the_same() -> None:
    ctx = make_ctx(portfolio(), TODAY)
    for as_of in (None, ago(150), ago(20)):
        full, light = churn_summary(ctx, as_of=as_of), churn_summary(ctx, as_of=as_of, accounts=False)
        assert light["accounts"] is None and full["accounts"] is not None
        assert {k: v for k, v in light.items() if k not in ("accounts", "table")} == \
            {k: v for k, v in full.items() if k not in ("accounts", "table")}
        assert light["table"].equals(full["table"])
    full = score(ctx)
    lean = score(ctx, full=False)  # the won accounts' rows only, the same risk
    assert lean.index.equals(full.index[full["won"]]) and lean["risk"].equals(full.loc[full["won"], "risk"])
    assert full["won"].sum() < len(full)  # (the portfolio has rows that are not won accounts)


def test_no_customers_sheet_and_no_won_accounts() -> None:
    result = assess(make_ctx({"followups": [fu("甲", 3)]}, TODAY))
    assert result.columns == {} and "没有客户信息表" in result.summary.headline
    result = assess(make_ctx({"customers": [{"customer": "甲", "status": "跟进中", "owner": "小王"}]}, TODAY))
    assert result.summary.counts["won"] == 0
    assert result.columns["customers"]["health"].isna().all()


def test_names_match_across_sheets_width_and_script() -> None:
    data = quiet()
    data["customers"][0]["customer"] = "甲 公司"
    data["conversions"] = [conv("甲公司", 30, "10万")]
    data["followups"] = [fu("ＴＥＳＴ甲公司", 3)]  # a different name: not this customer's
    data["followups"].append(fu("甲公司", 5, "满意度调研"))
    out = score(make_ctx(data, TODAY))
    assert out.iloc[0]["risk"] == "low" and out.iloc[0]["frequency"] == 1


def test_traditional_chinese_workbook() -> None:
    book = make_book(portfolio(), lang="zh-Hant")
    summary = run_job(book, "health", today=TODAY)
    book.save()
    assert summary.headline == "已成交客戶 5 個：高風險 2，中風險 2，低風險 1；風險金額 97萬"
    grid = book.sheets["流失預警"]
    assert ["中风险乙", "小张", "C", "中", 67, "價格敏感", "提供價值方案"] in [r[:7] for r in grid]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["甲", "乙", "丙", ""]), max_size=8),
       st.lists(st.sampled_from(["甲", "乙", "丁"]), max_size=3, unique=True))
def test_join_equals_dataframe_join(left_keys: list[str], right_keys: list[str]) -> None:
    rows = range(2, 2 + len(left_keys))  # (object keys, as the parsed key column is)
    out = pd.DataFrame({"key": pd.Series(left_keys, index=rows, dtype=object), "won": [True] * len(left_keys)},
                       index=rows)
    n = len(right_keys)
    right = pd.DataFrame({"when": pd.to_datetime(["2024-03-01"] * n), "count": list(range(n)),
                          "amount": [1.5] * n, "flag": [True] * n}, index=pd.Index(right_keys, dtype=object))
    pd.testing.assert_frame_equal(_join(out, right), out.join(right, on="key"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", "丙", "甲 "]), st.integers(-3, 200),
                          st.sampled_from(["介绍新功能", "满意度调研", "客户投诉发票", "回访"]),
                          st.sampled_from(["", "不满意", "好"])), max_size=20))
def test_follow_up_dates_of_won_accounts_equal_plain_pandas(rows: list[tuple[str, int, str, str]]) -> None:
    data = {"customers": [won("甲"), won("乙"), {"customer": "丙", "status": "跟进中", "owner": "小王"}],
            "conversions": [conv("甲", 30)],
            "followups": [fu(n, d, c, feedback=b) for n, d, c, b in rows]}
    out = score(make_ctx(data, TODAY)).set_index("customer")
    fus = pd.DataFrame([(n.strip(), pd.Timestamp(ago(d)), c, b) for n, d, c, b in rows if d >= 0],
                       columns=["name", "day", "content", "feedback"])
    for name in ("甲", "乙", "丙"):
        mine = fus[fus["name"] == name] if name != "丙" else fus.iloc[:0]
        survey = mine[mine["content"].str.contains("调研|满意度")]  # not 回访 (issue 20 §6)
        recent = mine[mine["day"] > pd.Timestamp(TODAY) - pd.Timedelta(days=90)]
        complaint = recent[(recent["content"] + recent["feedback"]).str.contains("投诉|不满")]
        for col, want in (("last_follow_up", mine), ("last_survey", survey), ("last_complaint", complaint)):
            got = out.loc[name, col]
            assert (pd.isna(got) and want.empty) or got == want["day"].max()
