"""Issue 20, items 10–14 of the monthly review, each firing and staying quiet in zh-Hans, zh-Hant and en:
the typed improvement plan and the team's history columns survive a rebuild (10), a main lost reason only
when one leads (11), rate changes in percentage points (12), last month's figures from its history row
(13), follow-up coverage by tier and churn / retention of won accounts (14). Fixture: review_fixture.py
(month 2024-03, today 2024-04-01)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import make_book
from python_calamine import CalamineWorkbook
from review_fixture import DATA, write_fixture

from crm_xl import jobs
from crm_xl.core.review import history as hist
from crm_xl.core.review import plan
from crm_xl.jobs import run_job
from crm_xl.model.i18n import pick

LANGS = ("zh-Hans", "zh-Hant", "en")
SHEET = {"zh-Hans": "月度复盘 2024-03", "zh-Hant": "月度復盤 2024-03", "en": "Review 2024-03"}
HISTORY = {"zh-Hans": "复盘历史", "zh-Hant": "復盤歷史", "en": "Review history"}


def data_for(lang: str, base: dict | None = None) -> dict:
    base = base or DATA
    if lang != "en":
        return copy.deepcopy(base)
    from review_fixture import EN
    return {key: [{k: EN.get(v, v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
            for key, rows in base.items()}


def run(lang: str, data: dict | None = None, book=None, month: str | None = None):
    book = book or make_book(data if data is not None else data_for(lang), lang)
    summary = run_job(book, "review", today="2024-04-01", month=month)
    book.save()
    return book, summary


def lines(book, lang: str) -> list[str]:
    return [r[0] for r in book.sheets[SHEET[lang]] if r and isinstance(r[0], str)]


def section(rows: list[list[Any]], title: str) -> list[list[Any]]:
    """Header and body rows of the table under a title (up to the first blank row or note)."""
    at = next(i for i, r in enumerate(rows) if r and r[0] == title)
    out = []
    for r in rows[at + 1:]:
        if not r or all(v is None or v == "" for v in r):
            break
        if len([v for v in r if v is not None]) > 1 or not out:  # (not the note lines under it)
            out.append(r)
    return out


def overview(book, lang: str) -> dict[str, list[Any]]:
    title = pick(lang, "一、本月概览（与上月对比）", "1. The month at a glance (vs last month)")  # type: ignore[arg-type]
    rows = section(book.sheets[SHEET[lang]], title)
    return {r[0]: r[1:5] for r in rows[1:] if len(r) >= 5 and r[0]}


def lost_in_march() -> dict:
    """The fixture with 子公司 (won in February) lost in March for 价格异议: a won account churns, and
    价格异议 leads the lost reasons 2 to 1."""
    data = copy.deepcopy(DATA)
    for row in data["customers"]:
        if row["customer"] == "子公司":
            row.update(status="已流失", lost_reason="价格异议", lost_on=dt.date(2024, 3, 12))
    return data


# --- 11. the main lost reason ------------------------------------------------------------------------


TIED = {"zh-Hans": "流失 2 个客户，原因：价格异议、需求不明确 各 1 个；",
        "zh-Hant": "流失 2 個客戶，原因：價格異議、需求不明確 各 1 個；",
        "en": "2 customers lost, reasons: Price objection and Need unclear, 1 each;"}
LEADS = {"zh-Hans": "流失 3 个客户，主要原因：价格异议（2 个）；",
         "zh-Hant": "流失 3 個客戶，主要原因：價格異議（2 個）；",
         "en": "3 customers lost, mainly Price objection (2);"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_tie_of_lost_reasons_is_listed_not_a_main_reason(lang: str):
    # 丁 (价格异议) and 壬 (需求不明确), one each: no reason leads
    book, _ = run(lang)
    text = "\n".join(lines(book, lang))
    assert TIED[lang] in text
    assert pick(lang, "主要原因", "mainly") not in text  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_one_leading_lost_reason_is_the_main_reason(lang: str):
    book, _ = run(lang, data_for(lang, lost_in_march()))
    text = "\n".join(lines(book, lang))
    assert LEADS[lang] in text and TIED[lang] not in text


# --- 12. rate changes in percentage points ----------------------------------------------------------


POINTS = {"zh-Hans": "个百分点", "zh-Hant": "個百分點", "en": "pp"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_rate_change_is_in_percentage_points(lang: str):
    book, summary = run(lang)
    ov = overview(book, lang)
    rate = pick(lang, "累计转化率", "Conversion rate (cumulative)")  # type: ignore[arg-type]
    # 5/13 − 3/8 = +0.96 points, never "1%"; no % change for a rate
    assert ov[rate][2] == f"+1 {POINTS[lang]}" and ov[rate][3] is None
    coverage = pick(lang, "跟进覆盖率", "Follow-up coverage")  # type: ignore[arg-type]
    assert ov[coverage][2] == f"+33.3 {POINTS[lang]}"  # 1/3 at March's end, 0 of 1 lead at February's
    # every rate row's change is in points; no count's change is
    for name, (_now, _before, change, _pct) in ov.items():
        is_rate = name in {hist.header(k, lang, "万") for k, f in hist.FIELDS.items() if f[2] == "pct"}  # type: ignore[arg-type]
        assert (POINTS[lang] in str(change)) == is_rate, name
        assert "%" not in str(change)
    table = summary.tables[0][1]
    cli = dict(zip(table.iloc[:, 0], table.iloc[:, 3], strict=True))
    assert cli[rate] == f"+1 {POINTS[lang]}"


# --- 13. last month from the history row ------------------------------------------------------------


def with_history(lang: str, feb: list[Any] | None) -> Any:
    book = make_book(data_for(lang), lang)
    if feb is not None:
        head = [hist.header(k, lang, "万") for k in ("month", "new", "conversions", "amount", "conv_rate")]  # type: ignore[arg-type]
        book.sheets[HISTORY[lang]] = [head, feb]
    return book


@pytest.mark.parametrize("lang", LANGS)
def test_last_month_is_what_its_review_recorded(lang: str):
    # February's review recorded 7 new customers, 2 conversions worth 15万, rate 50%; the data now say
    # 2, 1, 20万, 3/8 — the 上月 column and the trend show the recorded figures, one number per month
    book, summary = run(lang, book=with_history(lang, ["2024-02", 7, 2, 15, 0.5]))
    ov = overview(book, lang)
    h = {k: hist.header(k, lang, "万") for k in ("new", "conversions", "amount", "conv_rate", "followups")}  # type: ignore[arg-type]
    assert [ov[h[k]][1] for k in ("new", "conversions", "amount", "conv_rate")] == [7, 2, 15.0, 0.5]
    assert ov[h["new"]][2] == "-2" and ov[h["conv_rate"]][2] == f"-11.5 {POINTS[lang]}"  # 5/13 − 50%
    assert ov[h["followups"]][1] == 2  # not recorded on the row: from the current data
    trend_title = pick(lang, "九、月度趋势", "9. Monthly trend")  # type: ignore[arg-type]
    feb = next(r for r in section(book.sheets[SHEET[lang]], trend_title) if r[0] == "2024-02")
    assert feb[1:5] == [7, 2, 15.0, 0.5]
    assert ("+500%" in summary.headline) or ("+500%" in summary.headline.replace(" ", ""))  # 90万 vs 15万


@pytest.mark.parametrize("lang", LANGS)
def test_last_month_without_a_history_row_is_computed(lang: str):
    book, _ = run(lang, book=with_history(lang, ["2024-01", 9, 9, 99, 0.9]))  # January's row: not last month
    ov = overview(book, lang)
    h = {k: hist.header(k, lang, "万") for k in ("new", "conversions", "amount", "conv_rate")}  # type: ignore[arg-type]
    assert [ov[h[k]][1] for k in ("new", "conversions", "amount")] == [2, 1, 20.0]
    assert ov[h["conv_rate"]][1] == pytest.approx(3 / 8)


# --- 14. follow-up coverage by tier, churn and retention -------------------------------------------


COVERAGE = {"zh-Hans": "十、跟进覆盖（按级别，截至月末）", "zh-Hant": "十、跟進覆蓋（按級別，截至月末）",
            "en": "10. Follow-up coverage by tier (at month end)"}
SHORT_B = {"zh-Hans": "B级客户跟进不足（1/1 个逾期）", "zh-Hant": "B級客戶跟進不足（1/1 個逾期）",
           "en": "B-tier customers under-followed (1 of 1 overdue)"}
ALL_ON = {"zh-Hans": "各级客户均按节奏跟进", "zh-Hant": "各級客戶均按節奏跟進", "en": "every tier on cadence"}


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_by_tier_shows_an_under_followed_tier(lang: str):
    # open leads at 03-31: 辛 (A, due 03-21), 丙 (B, due 03-16) overdue; 己 (C, due 04-04) on cadence;
    # won (甲 乙 …), lost (丁 壬 辰) and paused (卯) customers are no leads; 庚 is first contacted in April
    book, _ = run(lang)
    rows = section(book.sheets[SHEET[lang]], COVERAGE[lang])
    tier = pick(lang, "{}级", "{}-tier")  # type: ignore[arg-type]
    assert rows[1:] == [[tier.format("A"), 1, 0, 1, 0.0], [tier.format("B"), 1, 0, 1, 0.0],
                        [tier.format("C"), 1, 1, 0, 1.0]]
    text = "\n".join(lines(book, lang))
    assert SHORT_B[lang] in text and ALL_ON[lang] not in text
    assert pick(lang, "C级客户跟进不足", "C-tier customers under") not in text  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_quiet_when_every_lead_is_on_cadence(lang: str):
    # one C lead first contacted 03-28 (due 04-04) and one B lead called on 03-30 (due 04-02)
    data = {
        "customers": [{"customer": "甲", "owner": "小王", "first_contact": dt.date(2024, 3, 28), "contact": "张"},
                      {"customer": "乙", "owner": "小王", "first_contact": dt.date(2024, 3, 1), "contact": "张"}],
        "followups": [{"customer": "乙", "date": dt.date(2024, 3, 30), "method": "电话", "content": "x",
                       "owner": "小王"}],
        "tierlog": [{"customer": "乙", "tier": "B", "reason": "x", "date": dt.date(2024, 3, 1), "owner": "小王"}],
    }
    book, _ = run(lang, data_for(lang, data))
    text = "\n".join(lines(book, lang))
    assert ALL_ON[lang] in text and pick(lang, "跟进不足", "under-followed") not in text  # type: ignore[arg-type]
    rows = section(book.sheets[SHEET[lang]], COVERAGE[lang])
    assert [r[4] for r in rows[1:]] == [1.0, 1.0]


CHURN = {"zh-Hans": "月初 3 个已成交客户，本月流失 1 个：流失率 33.3%，留存率 66.7%。",
         "zh-Hant": "月初 3 個已成交客戶，本月流失 1 個：流失率 33.3%，留存率 66.7%。",
         "en": "Of 3 won accounts at month start, 1 lost this month: churn rate 33.3%, retention rate 66.7%."}
KEPT = {"zh-Hans": "月初 3 个已成交客户，本月流失 0 个：流失率 0%，留存率 100%。",
        "zh-Hant": "月初 3 個已成交客戶，本月流失 0 個：流失率 0%，留存率 100%。",
        "en": "Of 3 won accounts at month start, 0 lost this month: churn rate 0%, retention rate 100%."}


@pytest.mark.parametrize("lang", LANGS)
def test_churn_and_retention_of_won_accounts(lang: str):
    # won before March and not lost before it: 子 丑 寅 (甲 乙 convert in March, 癸 is not in Customers);
    # 子 lost on 03-12 → 1 of 3
    book, _ = run(lang, data_for(lang, lost_in_march()))
    assert CHURN[lang] in lines(book, lang)
    ov = overview(book, lang)
    assert ov[hist.header("churn_rate", lang, "万")][0] == pytest.approx(1 / 3)  # type: ignore[arg-type]
    assert ov[hist.header("retention_rate", lang, "万")][0] == pytest.approx(2 / 3)  # type: ignore[arg-type]
    row = book.sheets[HISTORY[lang]][1]
    head = book.sheets[HISTORY[lang]][0]
    assert row[head.index(hist.header("churned", lang, "万"))] == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_no_churn_when_no_won_account_is_lost(lang: str):
    # 丁 and 壬 are lost in March but never converted: not churned won accounts
    book, _ = run(lang)
    assert KEPT[lang] in lines(book, lang) and CHURN[lang] not in lines(book, lang)


def test_no_churn_line_without_won_accounts():
    data = {"customers": [{"customer": "甲", "owner": "小王", "first_contact": dt.date(2024, 3, 2), "contact": "张"}]}
    book, _ = run("zh-Hans", data)
    assert not any("个已成交客户，本月流失" in line for line in lines(book, "zh-Hans"))


# --- 10. the improvement plan and the team's history columns ----------------------------------------


def plan_header(rows: list[list[Any]]) -> int:
    """0-based row of the plan block's header."""
    title = next(i for i, r in enumerate(rows) if r and isinstance(r[0], str) and r[0].endswith(
        ("下月改进计划", "下月改進計劃", "Next month's improvement plan")))
    return next(i for i in range(title + 1, title + 4) if rows[i] and rows[i][0] in ("改进事项", "改進事項", "Action"))


TYPED = [["电话回访价格敏感客户", "小王", dt.datetime(2024, 4, 15), None],
         ["B 级客户每周两次跟进", "小李", None, "进行中"]]


@pytest.mark.parametrize("lang", LANGS)
def test_typed_plan_and_history_columns_survive_a_rebuild_memory(lang: str):
    book, _ = run(lang)
    rows = book.sheets[SHEET[lang]]
    at = plan_header(rows)
    assert rows[at][:4] == [pick(lang, *c) for c in plan.COLUMNS]  # type: ignore[arg-type]
    for i, typed in enumerate(TYPED):
        rows[at + 1 + i][:4] = typed
    rows.append([None] * 6 + ["x"])  # typed far below, beyond the plan's columns: not the plan's
    hist_rows = book.sheets[HISTORY[lang]]
    hist_rows[0].append("团队备注")
    hist_rows[1].append("三月复盘会 4/2")
    run(lang, book=book)
    rows = book.sheets[SHEET[lang]]
    at = plan_header(rows)
    assert [r[:4] for r in rows[at + 1: at + 3]] == TYPED
    assert all(v is None for r in rows[at + 3:] for v in r)  # blank rows to type into
    head, march = book.sheets[HISTORY[lang]][0], book.sheets[HISTORY[lang]][1]
    assert head[-2:] == [hist.header("plan", lang, "万"), "团队备注"]  # type: ignore[arg-type]
    sep = pick(lang, "（小王，2024-04-15）", " (小王, 2024-04-15)")  # type: ignore[arg-type]
    assert march[-2] == f"电话回访价格敏感客户{sep}{pick(lang, '；', '; ')}B 级客户每周两次跟进{'（小李，进行中）' if lang != 'en' else ' (小李, 进行中)'}"  # type: ignore[arg-type]
    assert march[-1] == "三月复盘会 4/2"
    # another month's review keeps March's row as typed
    run(lang, book=book, month="2024-02")
    head, rows_ = book.sheets[HISTORY[lang]][0], book.sheets[HISTORY[lang]][1:]
    march = next(r for r in rows_ if r and r[0] == "2024-03")
    assert march[head.index("团队备注")] == "三月复盘会 4/2" and march[head.index(head[-2])].startswith("电话回访")


@pytest.mark.parametrize("lang", LANGS)
def test_plan_typed_on_the_history_fills_an_empty_block(lang: str):
    book, _ = run(lang)
    head = book.sheets[HISTORY[lang]][0]
    book.sheets[HISTORY[lang]][1][head.index(hist.header("plan", lang, "万"))] = "统一报价口径\n每周复盘 B 级"  # type: ignore[arg-type]
    run(lang, book=book)
    rows = book.sheets[SHEET[lang]]
    at = plan_header(rows)
    assert [r[0] for r in rows[at + 1: at + 3]] == ["统一报价口径", "每周复盘 B 级"]
    assert book.sheets[HISTORY[lang]][1][head.index(hist.header("plan", lang, "万"))] == "统一报价口径\n每周复盘 B 级"  # type: ignore[arg-type]


def test_each_place_keeps_its_own_typing_when_both_are_typed():
    book, _ = run("zh-Hans")
    rows = book.sheets[SHEET["zh-Hans"]]
    rows[plan_header(rows) + 1][0] = "表内事项"
    book.sheets["复盘历史"][1][book.sheets["复盘历史"][0].index("改进计划")] = "历史里写的"
    run("zh-Hans", book=book)
    rows = book.sheets[SHEET["zh-Hans"]]
    assert rows[plan_header(rows) + 1][0] == "表内事项"
    assert book.sheets["复盘历史"][1][book.sheets["复盘历史"][0].index("改进计划")] == "历史里写的"


def test_no_typing_no_plan():
    book, _ = run("zh-Hans")
    run("zh-Hans", book=book)
    rows = book.sheets[SHEET["zh-Hans"]]
    at = plan_header(rows)
    assert len(rows) - at - 1 == plan.MIN_ROWS and all(v is None for r in rows[at + 1:] for v in r)
    head = book.sheets["复盘历史"][0]
    assert head[-1] == "改进计划" and book.sheets["复盘历史"][1][-1] is None


def test_plan_read_edges():
    assert plan.read(None) == ([], []) and plan.read([["月度复盘 2024-03"], ["x"]]) == ([], [])
    grid = [["十一、下月改進計劃"], ["說明"], ["改進事項", "負責人", "完成期限", "完成情況", "預算"],
            [None, None], ["甲", None, None, None, "5萬"], [None, "小王"]]
    assert plan.read(grid) == (["預算"], [["甲", None, None, None, "5萬"], [None, "小王", None, None, None]])
    assert plan.from_text("  a \n\n b；c; d") == [[x, None, None, None] for x in "abcd"]
    assert plan.as_text([["a", "小王", None, None], ["b", None, None, None]], "zh-Hans") == "a（小王）；b"
    assert plan.as_text([["a", "Wang", None, None], ["b", None, None, None]], "en") == "a (Wang); b"
    assert plan.as_text([["a", None, dt.date(2024, 4, 1), 3.0]], "zh-Hans") == "a（2024-04-01，3）"
    assert plan.as_text([[None, None, None, None]], "en") is None


@pytest.mark.parametrize("lang", LANGS)
def test_type_rerun_compare_on_a_real_file(tmp_path: Path, lang: str):
    """End to end: crm-xl builds the review, the team types into the plan block and into 复盘历史 (a new
    column and the plan cell of a month) with openpyxl as Excel would save it, crm-xl rebuilds the month,
    and python-calamine reads back what was typed."""
    path = write_fixture(tmp_path / "crm.xlsx", lang)
    jobs.build_review(path, today="2024-04-01")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET[lang]]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    at = plan_header(values) + 1  # 1-based header row
    for i, typed in enumerate(TYPED):
        for j, v in enumerate(typed):
            if v is not None:
                ws.cell(at + 1 + i, j + 1, v)
    hs = wb[HISTORY[lang]]
    width = hs.max_column
    hs.cell(1, width + 1, "Team note")
    hs.cell(2, width + 1, "kept")
    wb.save(path)

    jobs.build_review(path, today="2024-04-01")
    cal = CalamineWorkbook.from_path(str(path))
    rows = cal.get_sheet_by_name(SHEET[lang]).to_python()
    at = plan_header(rows)
    got = [r[:4] for r in rows[at + 1: at + 3]]
    assert [r[0] for r in got] == [t[0] for t in TYPED] and [r[1] for r in got] == ["小王", "小李"]
    assert str(got[0][2])[:10] == "2024-04-15" and got[1][3] == "进行中"
    history = cal.get_sheet_by_name(HISTORY[lang]).to_python()
    assert history[0][-2:] == [hist.header("plan", lang, "万"), "Team note"]  # type: ignore[arg-type]
    assert history[1][-1] == "kept" and history[1][-2].startswith("电话回访价格敏感客户")
    assert [r[0] for r in history[1:] if hist.month_label(r[0])] == ["2024-03"]
