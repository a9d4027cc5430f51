"""The monthly review (crm_xl/core/review.py, review_figures.py, review_history.py).

Every figure is checked against values computed by hand from tests/core/review_fixture.py (month 2024-03,
today 2024-04-01); the comments give the arithmetic and the wrong definition each case rules out.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import make_book, make_ctx
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from review_fixture import DATA, english, write_fixture

from crm_xl import jobs
from crm_xl.core.followups.rules import overdue_as_of
from crm_xl.core.review import figures as fig
from crm_xl.core.review import history as hist
from crm_xl.core.review.job import build
from crm_xl.jobs import run_job
from crm_xl.model.i18n import fold
from crm_xl.model.layout import Rendered

MARCH = fig.Month.parse("2024-03")
FEB = fig.Month.parse("2024-02")


@pytest.fixture(scope="module")
def data() -> fig.Data:
    return fig.prepare(make_ctx(DATA, today="2024-04-01"))


def rows(df: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(k): {c: _plain(v) for c, v in r.items()} for k, r in df.iterrows()}


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return round(float(v), 4) if isinstance(v, float) else v


def grid(rendered: Rendered) -> dict[int, list[Any]]:
    """Rendered cells as {row: [values left to right]}."""
    out: dict[int, dict[int, Any]] = {}
    for c in rendered.cells:
        out.setdefault(c.row, {})[c.col] = c.value
    return {r: [cols.get(i) for i in range(1, max(cols) + 1)] for r, cols in sorted(out.items())}


def table_after(rendered: Rendered, title: str) -> list[list[Any]]:
    """Header and body rows of the table under a section title."""
    g = grid(rendered)
    start = next(r for r, v in g.items() if v[0] == title)
    out, r = [], start + 1
    while r in g and any(c.row == r and c.style != "note" for c in rendered.cells):
        out.append(g[r])
        r += 1
    return out


# --- months -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "month"), [
    ("2024-04-01", "2024-03"), ("2024-03-31", "2024-02"), ("2024-01-15", "2023-12"), ("2024-03-01", "2024-02"),
])
def test_default_month_is_the_last_full_month_before_today(today: str, month: str):
    assert fig.Month.before(dt.date.fromisoformat(today)).label == month


def test_month_bounds_and_shift():
    m = fig.Month.parse("2024-02")
    assert (m.start, m.end, m.last_day) == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01"), dt.date(2024, 2, 29))
    assert m.shift(-2).label == "2023-12" and m.shift(11).label == "2025-01"


# --- figures ------------------------------------------------------------------------------------------


def test_lead_sources(data: fig.Data):
    got = rows(fig.sources(data, MARCH))
    # Settings order, then the conversion whose customer is missing from Customers
    assert list(got) == ["展会推荐", "转介绍", "线上广告", "官网", "电话营销", "其他", fig.NOT_IN]
    # 展会推荐: new = 壬 (1 of 5 new); conversions in March = 甲, first contacted in January (a source
    # conversion but not a new customer); known by 03-31 = 甲 辛 壬 (庚 starts 04-05: excluded) → 1/3
    assert got["展会推荐"] == {"new": 1, "share": 0.2, "conversions": 1, "base": 3, "converted": 1,
                               "rate": round(1 / 3, 4)}
    # 转介绍: new 乙 丙; converted by month end 乙 (March) and 子 (February) out of 乙 丙 子
    assert got["转介绍"] == {"new": 2, "share": 0.4, "conversions": 1, "base": 3, "converted": 2,
                             "rate": round(2 / 3, 4)}
    assert got["线上广告"] == {"new": 0, "share": 0.0, "conversions": 0, "base": 2, "converted": 0, "rate": 0.0}
    assert got["官网"]["base"] == 2 and got["官网"]["new"] == 1  # 己 (new) and 卯 (paused)
    # conversions dated before the month count through month end (丑 2023-10, 寅 2023-03)
    assert got["电话营销"] == {"new": 0, "share": 0.0, "conversions": 0, "base": 2, "converted": 2, "rate": 1.0}
    assert got[fig.NOT_IN] == {"new": 0, "share": None, "conversions": 1, "base": 0, "converted": 0, "rate": None}


def test_days_to_close_by_tier_held_on_the_conversion_date(data: fig.Data):
    got = rows(fig.close_days(data, MARCH))
    # 甲: 2024-01-10 → 2024-03-05 = 55 days; tier on 03-05 = A (logged 02-20); the C logged on 03-20
    # (after the conversion) and its current tier C do not count.
    # 乙: 03-02 → 03-20 = 18 days; no tier-log row → current tier B. 癸 (not in Customers): no first contact.
    # 12 months (2023-04 … 2024-03) adds 子 (36 days, A) and 丑 (30 days, A); 寅 (2023-03) is outside.
    assert got == {
        "A": {"n_month": 1, "mean_month": 55.0, "median_month": 55.0, "n_trailing": 3,
              "mean_trailing": round((55 + 36 + 30) / 3, 4), "median_trailing": 36.0},
        "B": {"n_month": 1, "mean_month": 18.0, "median_month": 18.0, "n_trailing": 1, "mean_trailing": 18.0,
              "median_trailing": 18.0},
    }


def test_days_to_close_with_no_tier_anywhere_is_its_own_row():
    ctx = make_ctx({
        "customers": [{"customer": "甲", "owner": "小王", "first_contact": dt.date(2024, 3, 1), "status": "已成交"}],
        "conversions": [{"customer": "甲", "date": dt.date(2024, 3, 11), "amount": 1000}],
    }, today="2024-04-01")
    got = fig.close_days(fig.prepare(ctx), MARCH)
    assert list(got.index) == [fig.BLANK] and got.loc[fig.BLANK, "mean_month"] == 10


def test_follow_up_methods_and_sign_rate_by_last_touch(data: fig.Data):
    got = rows(fig.methods(data, MARCH))
    # 电话: 甲 03-01, 辰 03-02, 乙 03-20 14:30, 丙 03-12 and 03-13 → 5 follow-ups, 4 customers;
    #   last touch of 乙's conversion on 03-20 is that afternoon's call (same day counts) → 1/4
    # 微信: 甲 03-04 and 乙 03-03; 甲 was called then messaged before signing on 03-05 → last touch WeChat
    #   (not the first touch, and not the visit on 03-06, after the signing) → 1/2
    # the conversion of 癸 has no follow-up at all
    assert got == {
        "电话": {"followups": 5, "touched": 4, "last_touch": 1, "rate": 0.25},
        "微信": {"followups": 2, "touched": 2, "last_touch": 1, "rate": 0.5},
        "拜访": {"followups": 2, "touched": 2, "last_touch": 0, "rate": 0.0},
        fig.NO_TOUCH: {"followups": 0, "touched": 0, "last_touch": 1, "rate": None},
    }


def test_lost_reasons_by_lost_on(data: fig.Data):
    # 丁 (03-08) and 壬 (03-25); 戊 lost on 02-28 and 辰 on 04-03 are outside the month
    assert rows(fig.lost_reasons(data, MARCH)) == {"价格异议": {"lost": 1, "share": 0.5},
                                                   "需求不明确": {"lost": 1, "share": 0.5}}


def test_owners(data: fig.Data):
    got = rows(fig.owners(data, MARCH))
    # follow-ups: 小王 甲×3 + 辛; 小李 乙×2 + 丙×2 (one with a blank owner → 丙's owner); 小陈 辰
    # new: 壬 (小王), 乙 丙 (小李), 己 (小张), 辰 (小陈)
    # conversions: 甲 50万 (小王); 乙 30万, conversion owner blank → 小李; 癸 10万 (小陈, not in Customers)
    assert {k: {c: v for c, v in r.items() if c != "overdue"} for k, r in got.items()} == {
        "小张": {"followups": 0, "new": 1, "conversions": 0, "amount": 0.0},
        "小李": {"followups": 4, "new": 2, "conversions": 1, "amount": 300000.0},
        "小王": {"followups": 4, "new": 1, "conversions": 1, "amount": 500000.0},
        "小陈": {"followups": 1, "new": 1, "conversions": 1, "amount": 100000.0},
    }


def test_owners_overdue_at_month_end_uses_the_stale_rules(data: fig.Data):
    got = fig.owners(data, MARCH)["overdue"]
    ctx = make_ctx(DATA, today="2024-04-01")
    late = overdue_as_of(ctx.frames, ctx.settings, dt.date(2024, 3, 31))
    expected = late["key"].map(data.customers["owner"]).value_counts()
    assert got.to_dict() == {o: int(expected.get(o, 0)) for o in got.index}
    keys = set(late["key"])
    # 丙: latest follow-up 03-13 has no next date (the earlier 04-10 plan is superseded) → B +3 = 03-16;
    # 辛: visit 03-20, tier A → due 03-21. 己 (first contact 03-28, C +7 = 04-04) and 卯 (paused) are not.
    assert {"丙公司", "辛公司"} <= keys and not {"己公司", "卯公司"} & keys


def test_tier_moves(data: fig.Data):
    got = fig.tier_moves(data, MARCH)
    # 辛 B→A (03-18), 丙 C→B (03-15), 甲 A→C (03-20); 丙's first row (C, 03-10) is a first tier;
    # 辛's repeated A on 03-25 is not a move; 甲's B→A on 02-20 is February's
    assert got.values.tolist() == [["B", "A", "up", 1], ["C", "B", "up", 1], ["A", "C", "down", 1],
                                   [fig.BLANK, "C", "first", 1]]


def test_headline_figures_this_month_and_last(data: fig.Data):
    march = fig.headline(data, MARCH)
    assert march == {
        "new": 5, "followups": 9, "touched": 5, "conversions": 3, "amount": 900000.0,
        # known by 03-31: 13 customers (all but 庚); with a conversion by then: 甲 乙 子 丑 寅
        "conv_rate": 5 / 13, "lost": 2, "days_mean": (55 + 18) / 2, "tier_up": 2, "tier_down": 1,
        "overdue": march["overdue"],
        # open leads at 03-31: 辛 (A, overdue), 丙 (B, overdue), 己 (C, not yet due) → 1/3 on cadence;
        # won before March and not lost before it: 子 丑 寅, none lost in March
        "coverage": 1 / 3, "won_start": 3, "churned": 0, "churn_rate": 0.0, "retention_rate": 1.0,
    }
    feb = fig.headline(data, FEB)
    # February: new 丁 卯; follow-ups 子 (visit) 丁 (call); 子 converts 20万 after 36 days; 戊 lost 02-28;
    # 甲 B→A; known by 02-29: 甲 丁 戊 辛 子 丑 寅 卯 (8), converted 子 丑 寅 (3)
    assert {k: v for k, v in feb.items() if k not in ("overdue", "coverage")} == {
        "new": 2, "followups": 2, "touched": 2, "conversions": 1, "amount": 200000.0, "conv_rate": 3 / 8,
        "lost": 1, "days_mean": 36.0, "tier_up": 1, "tier_down": 0,
        # won before February: 丑 寅 (子 converts on 02-10); none lost in February (戊 never converted)
        "won_start": 2, "churned": 0, "churn_rate": 0.0, "retention_rate": 1.0,
    }


def test_has_data():
    ctx = make_ctx(DATA, today="2024-04-01")
    d = fig.prepare(ctx)
    assert fig.has_data(d, MARCH) and not fig.has_data(d, fig.Month.parse("2025-06"))
    assert fig.first_month(d).label == "2023-03"


# --- the sheet ----------------------------------------------------------------------------------------


def review_book(lang: str = "zh-Hans", data: dict | None = None, month: str | None = None,
                settings: dict | None = None):
    book = make_book(data or DATA, lang, settings)
    summary = run_job(book, "review", today="2024-04-01", month=month)
    book.save()
    return book, summary


def test_review_sheet_zh():
    book, summary = review_book()
    r = book.rendered["月度复盘 2024-03"]
    g = grid(r)
    firsts = [v[0] for v in g.values()]
    for title in ("一、本月概览（与上月对比）", "二、线索来源", "三、成交周期（按成交时级别）", "四、跟进方式", "五、负责人",
                  "六、流失原因", "七、级别调整", "八、流失风险（截至月末）", "九、月度趋势"):
        assert title in firsts
    overview = table_after(r, "一、本月概览（与上月对比）")
    assert overview[0] == ["指标", "本月", "上月", "变化", "环比"]
    by_name = {row[0]: row[1:] for row in overview[1:]}
    assert by_name["新增客户"] == [5, 2, "+3", 1.5]  # the change as signed text, aligned with the points
    assert by_name["成交金额（万元）"] == [90.0, 20.0, "+70.0", 3.5]  # 万 per the default money unit
    # a rate's change is in percentage points: 5/13 − 3/8 = 0.96 points
    assert by_name["累计转化率"][:3] == [pytest.approx(5 / 13), pytest.approx(3 / 8), "+1 个百分点"]
    assert by_name["累计转化率"][3] is None  # a rate's change is in points, no % change
    assert by_name["级别下调"] == [1, 0, "+1", None]  # no % change from zero
    # every table has its definition right below it
    notes = [c.value for c in r.cells if c.style == "note"]
    assert any(n.startswith("转化率 = 累计成交客户 ÷ 累计客户") for n in notes)
    assert any("末次触达成交" in n and "签约率" in n for n in notes)
    assert any(n.startswith("级别：转化当天客户分级表中该客户的最新级别") for n in notes)
    assert any(n.startswith("流失客户：流失日期在本月的客户") for n in notes)
    # percentages are pct-styled cells
    pct_values = {c.value for c in r.cells if c.style == "pct"}
    assert 0.25 in pct_values and 0.5 in pct_values
    sources = table_after(r, "二、线索来源")
    assert sources[0] == ["来源", "新增客户", "占比", "本月成交", "累计客户", "累计成交客户", "转化率"]
    assert sources[-1][0] == "（不在客户表）"
    methods = table_after(r, "四、跟进方式")
    assert methods[-1][:4] == ["（成交前无跟进）", 0, 0, 1]
    owners = table_after(r, "五、负责人")
    assert owners[-1][:5] == ["合计", 9, 5, 3, 90.0]
    moves = table_after(r, "七、级别调整")
    assert moves[1:] == [["B → A", "上调", 1], ["C → B", "上调", 1], ["A → C", "下调", 1], ["— → C", "首次定级", 1]]
    # charts: source conversion and method sign rate (bars), lost reasons (pie), amount trend (line)
    kinds = {ch.chart.title: (ch.chart.kind, ch.categories, [v for _, v in ch.values]) for ch in r.charts}
    assert kinds["各来源转化率"][0] == "column" and kinds["各跟进方式签约率（末次触达）"][0] == "column"
    assert kinds["流失原因分布"][0] == "pie" and kinds["月度成交金额趋势"][0] == "line"
    trend = table_after(r, "九、月度趋势")
    assert trend[0][:4] == ["月份", "新增客户", "成交单数", "成交金额（万元）"]
    assert [row[0] for row in trend[1:]][-3:] == ["2024-01", "2024-02", "2024-03"]
    assert trend[-1][-1] == "复盘历史" and trend[-2][-1] == "当前数据"
    assert trend[-2][3] == 20.0
    assert summary.counts["month"] == "2024-03" and summary.counts["conversions"] == 3
    assert "成交 3 单共 90万" in summary.headline


def test_money_in_yuan_when_settings_say_so():
    book, _ = review_book(settings={"money_unit": "元"})
    r = book.rendered["月度复盘 2024-03"]
    overview = {row[0]: row[1:] for row in table_after(r, "一、本月概览（与上月对比）")[1:]}
    assert overview["成交金额（元）"][:2] == [900000.0, 200000.0]
    assert book.sheets["复盘历史"][0][5] == "成交金额（元）" and book.sheets["复盘历史"][1][5] == 900000.0


def test_english_workbook():
    book, summary = review_book("en", english())
    assert "Review 2024-03" in book.sheets and "Review history" in book.sheets
    r = book.rendered["Review 2024-03"]
    firsts = [v[0] for v in grid(r).values()]
    assert "2. Lead sources" in firsts and "9. Monthly trend" in firsts
    sources = table_after(r, "2. Lead sources")
    assert sources[0] == ["Source", "New customers", "Share", "Conversions", "Customers to date",
                          "Converted to date", "Conversion rate"]
    assert sources[1][0] == "Trade show" and sources[1][1:] == [1, 0.2, 1, 3, 1, pytest.approx(1 / 3)]
    methods = {row[0]: row[1:] for row in table_after(r, "4. Follow-up methods")[1:]}
    assert methods["WeChat"] == [2, 2, 1, 0.5] and methods["(no follow-up before)"][2] == 1
    assert any(c.style == "note" and c.value.startswith("Conversion rate = converted to date") for c in r.cells)
    assert book.sheets["Review history"][0][:6] == ["Month", "New customers", "Follow-ups", "Customers touched",
                                                    "Conversions", "Amount (10k yuan)"]
    assert summary.headline.startswith("2024-03: 5 new customers, 9 follow-ups, 3 conversions worth ¥900,000")


def test_empty_month_gives_a_sheet_that_says_so():
    book, summary = review_book(month="2025-06")
    g = grid(book.rendered["月度复盘 2025-06"])
    assert any("没有任何数据" in str(v[0]) for v in g.values())
    assert "复盘历史" not in book.sheets
    assert summary.counts["empty"] is True


def test_empty_workbook_month():
    book = make_book({"customers": []})
    run_job(book, "review", today="2024-04-01")
    book.save()
    assert "月度复盘 2024-03" in book.sheets


# --- re-runs and history ------------------------------------------------------------------------------


def history_rows(book) -> list[list[Any]]:
    return [r for r in book.sheets["复盘历史"][1:] if r and hist.month_label(r[0])]


def test_rerun_keeps_one_sheet_and_one_history_row_memory():
    book = make_book(DATA)
    for _ in range(2):
        run_job(book, "review", today="2024-04-01")
        book.save()
    assert [n for n in book.sheets if n.startswith("月度复盘")] == ["月度复盘 2024-03"]
    assert [r[0] for r in history_rows(book)] == ["2024-03"]
    run_job(book, "review", today="2024-04-01", month="2024-02")
    book.save()
    run_job(book, "review", today="2024-04-01", month="2024-03")
    book.save()
    assert [r[0] for r in history_rows(book)] == ["2024-02", "2024-03"]  # sorted, not duplicated
    assert sorted(n for n in book.sheets if n.startswith("月度复盘")) == ["月度复盘 2024-02", "月度复盘 2024-03"]
    # the trend shows February from the history
    trend = table_after(book.rendered["月度复盘 2024-03"], "九、月度趋势")
    assert trend[-2][0] == "2024-02" and trend[-2][-1] == "复盘历史"


def test_history_in_another_language_is_read_and_replaced():
    book = make_book(DATA)
    book.sheets["Review history"] = [
        ["Month", "New customers", "Conversions", "Amount (yuan)", "Conversion rate (cumulative)", "Team note"],
        ["2024-01", 7, 2, 150000, "40%", "x"],
        ["2024-03", 99, 99, 1, 0.9, None],  # replaced by this run
        ["Written by hand", None, None, None, None, None],
    ]
    book.sheets["Review 2024-03"] = [["old"]]
    run_job(book, "review", today="2024-04-01")
    book.save()
    assert "Review history" not in book.sheets and "Review 2024-03" not in book.sheets
    rows_ = history_rows(book)
    assert [r[0] for r in rows_] == ["2024-01", "2024-03"]
    assert rows_[0][5] == 15.0 and rows_[0][6] == 0.4  # yuan → 万; '40%' → 0.4
    assert rows_[1][1] == 5
    trend = table_after(book.rendered["月度复盘 2024-03"], "九、月度趋势")
    jan = next(r for r in trend if r[0] == "2024-01")
    assert jan[1:] == [7, 2, 15.0, 0.4, "复盘历史"]


def test_parse_history_headers_units_and_months():
    table = pd.DataFrame([
        ["2024年2月", "12", "30.5", "35.0%"],
        [dt.datetime(2024, 1, 1), 3, 10, 0.2],
        ["2024/2", 13, 31, 0.5],  # the same month again: the last row wins
        [None, 1, 1, 1],
    ], columns=["月份", "新增客戶", "成交金額（萬元）", "累計轉化率"])
    got = hist.parse_history(table)
    assert list(got.index) == ["2024-01", "2024-02"]
    assert got.loc["2024-02", "new"] == 13 and got.loc["2024-02", "amount"] == 310000
    assert got.loc["2024-01", "conv_rate"] == 0.2 and got.loc["2024-01", "followups"] is None
    assert hist.parse_history(None).empty
    assert hist.parse_history(pd.DataFrame([["x"]], columns=["whatever"])).empty
    merged = hist.merge_history(got, "2024-02", {"new": 1})
    assert list(merged.index) == ["2024-01", "2024-02"] and merged.loc["2024-02", "new"] == 1


def test_rerun_on_a_real_file(tmp_path: Path):
    path = write_fixture(tmp_path / "crm.xlsx")
    for _ in range(2):
        jobs.build_review(path, today="2024-04-01")
    wb = CalamineWorkbook.from_path(str(path))
    assert [n for n in wb.sheet_names if n.startswith("月度复盘")] == ["月度复盘 2024-03"]
    history = wb.get_sheet_by_name("复盘历史").to_python()
    assert history[0][0] == "月份"
    assert [r[0] for r in history[1:] if hist.month_label(r[0])] == ["2024-03"]
    review = wb.get_sheet_by_name("月度复盘 2024-03").to_python()
    assert review[0][0] == "月度复盘 2024-03"
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 5  # four on the review sheet, one on the history sheet


def test_build_returns_both_sheets_with_aliases():
    result = build(make_ctx(DATA, today="2024-04-01"))
    review, history = result.sheets
    assert review.name == "月度复盘 2024-03" and set(review.aliases) == {"月度復盤 2024-03", "Review 2024-03"}
    assert history.name == "复盘历史" and set(history.aliases) == {"復盤歷史", "Review history"}
    assert not result.columns and not result.appends


def test_first_contact_falls_back_to_entry_date_then_earliest_activity():
    ctx = make_ctx({
        "customers": [
            # no first contact: new in March by its entry date
            {"customer": "甲", "owner": "小王", "source": "官网", "entered_on": dt.datetime(2024, 3, 3, 9, 30)},
            # no dates at all: known (for the conversion rate) from its February follow-up; never "new"
            {"customer": "乙", "owner": "小王", "source": "官网", "status": "已成交"},
            # no dates, first activity in April: not known by March's end
            {"customer": "丙", "owner": "小王", "source": "官网"},
        ],
        "followups": [{"customer": "乙", "date": dt.date(2024, 2, 10), "method": "电话", "content": "x", "owner": "小王"},
                      {"customer": "丙", "date": dt.date(2024, 4, 2), "method": "电话", "content": "x", "owner": "小王"}],
        "conversions": [{"customer": "乙", "date": dt.date(2024, 3, 1), "amount": 5000}],
    }, today="2024-04-01")
    got = rows(fig.sources(fig.prepare(ctx), MARCH))
    assert got["官网"] == {"new": 1, "share": 1.0, "conversions": 1, "base": 2, "converted": 1, "rate": 0.5}


def test_zh_hant_workbook_names_and_headers():
    book, _ = review_book("zh-Hant")
    assert "月度復盤 2024-03" in book.sheets and "復盤歷史" in book.sheets
    g = grid(book.rendered["月度復盤 2024-03"])
    assert "二、線索來源" in [v[0] for v in g.values()]
    assert book.sheets["復盤歷史"][0][5] == "成交金額（萬元）"


def test_parse_history_with_a_repeated_header_keeps_the_first():
    table = pd.DataFrame([["2024-03", 4, 9]], columns=["Month", "New customers", "New customers"])
    assert hist.parse_history(table).loc["2024-03", "new"] == 4


def test_churn_section_is_the_health_model_at_month_end():
    from crm_xl.core.health.job import churn_summary

    book, _ = review_book()
    r = book.rendered["月度复盘 2024-03"]
    churn = table_after(r, "八、流失风险（截至月末）")
    expected = churn_summary(make_ctx(DATA, today="2024-04-01"), as_of=dt.date(2024, 3, 31))
    assert churn[0] == list(expected["table"].columns)
    assert [row[:2] for row in churn[1:]] == expected["table"].iloc[:, :2].values.tolist()
    assert any(line.startswith(f"月末 {expected['won']} 个已成交客户中") for line in
               (c.value for c in r.cells if isinstance(c.value, str)))


def test_history_headers_in_traditional_chinese_are_read():
    for key in hist.COLUMNS:
        for unit in ("万", "元"):
            found = hist._INDEX[fold(hist.header(key, "zh-Hant", unit))]
            assert found[0] == key


def test_headline_days_mean_is_the_months_own(data: fig.Data):
    """The headline takes the month's days to close from the (cached) trailing table: the same figure as
    the month alone gives."""
    for m in (MARCH, MARCH.shift(-1), MARCH.shift(-2), MARCH.shift(1)):
        one = fig._close_days(data, m, 1)
        n = int(one["n_month"].sum())
        want = float((one["mean_month"] * one["n_month"]).sum() / n) if n else None
        assert fig.headline(data, m)["days_mean"] == want
        assert fig.close_days(data, m) is fig.close_days(data, m)
    assert fig.headline(data, MARCH)["days_mean"] is not None


def test_month_within_matches_the_series_comparison():
    stamps = pd.Series(pd.to_datetime(["2024-02-29 23:59", "2024-03-01 00:00", None, "2024-03-31 23:59:59.999",
                                       "2024-04-01 00:00"], format="mixed"), index=[5, 7, 9, 11, 13])
    got = MARCH.within(stamps)
    assert got.equals((stamps >= MARCH.start) & (stamps < MARCH.end))
    assert got.tolist() == [False, True, False, True, False] and list(got.index) == [5, 7, 9, 11, 13]
    objects = stamps.astype(object)  # (not datetime64: the Series comparison itself)
    assert MARCH.within(objects).tolist() == got.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.datetimes(min_value=dt.datetime(2023, 12, 1), max_value=dt.datetime(2024, 5, 1)), max_size=30))
def test_rows_in_a_month_are_the_rows_the_month_holds(stamps: list[dt.datetime]) -> None:
    rows = pd.DataFrame({"at": pd.to_datetime(pd.Series(sorted(stamps), dtype="datetime64[ns]"))})
    for label in ("2023-12", "2024-02", "2024-03", "2024-04", "2024-06"):
        m = fig.Month.parse(label)
        assert fig._in_month(rows, "at", m).equals(rows[m.within(rows["at"])])
