"""Service records (issue 23 §1–2): the optional complaints sheet (validation, Today items past the response
limits, the churn signal, the review's section) and survey history (a survey sheet or an NPS score on
follow-ups: the customer's NPS, the quarterly survey clock, the review's completion and NPS distribution).
Each rule fires and stays quiet, in three languages; without the records nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.health.score import score
from crm_xl.core.review.figures import Month
from crm_xl.core.review.job import build
from crm_xl.core.review.service import complaint_figures, survey_figures
from crm_xl.core.validation.job import find_issues, validate
from crm_xl.model.i18n import LANGS
from crm_xl.model.layout import Table
from crm_xl.model.schema import COMPLAINTS, SURVEYS
from tests.conftest import make_ctx
from tests.core.test_validate import base, found

TODAY = dt.date(2024, 4, 1)
WON = {"zh-Hans": "已成交", "zh-Hant": "已成交", "en": "Won"}
KIND = {"zh-Hans": "投诉（", "zh-Hant": "投訴（", "en": "Complaints ("}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


# --- validation ---------------------------------------------------------------------------------------

def with_rows(complaints: list[dict[str, Any]] | None = None, surveys: list[dict[str, Any]] | None = None,
              **followup: Any) -> dict[str, Any]:
    data = base()
    if complaints is not None:
        data["complaints"] = [{"customer": "乙贸易集团", "complained": "2024-03-10 10:00", "content": "响应慢",
                               "owner": "小李", **c} for c in complaints]
    if surveys is not None:
        data["surveys"] = [{"customer": "乙贸易集团", "date": "2024-03-12", **s} for s in surveys]
    data["followups"][1].update(followup)
    return data


CASES = [  # (bad, where, rule, good)
    (with_rows([{"customer": "丙公司"}]), ("complaints", 2, "customer"), "unknown_customer", with_rows([{}])),
    (with_rows(surveys=[{"customer": "丙公司", "score": 9}]), ("surveys", 2, "customer"), "unknown_customer",
     with_rows(surveys=[{"score": 9}])),
    (with_rows(surveys=[{"customer": "乙贸易", "score": 9}]), ("surveys", 2, "customer"), "name_variant",
     with_rows(surveys=[{"customer": "乙贸易集团 ", "score": 9}])),
    (with_rows([{"complained": "2024-03-16 09:00"}]), ("complaints", 2, "complained"), "future_date",
     with_rows([{"complained": "2024-03-15 23:00"}])),
    (with_rows([{"solved": "2024-03-16"}]), ("complaints", 2, "solved"), "future_date",
     with_rows([{"solved": "2024-03-15"}])),
    (with_rows([{"confirmed": "2024-03-16 10:00"}]), ("complaints", 2, "confirmed"), "future_date",
     with_rows([{"confirmed": "2024-03-11 10:00"}])),
    (with_rows(surveys=[{"date": "2024-03-20"}]), ("surveys", 2, "date"), "future_date", with_rows(surveys=[{}])),
    (with_rows([{"complained": None}]), ("complaints", 2, "complained"), "required", with_rows([{}])),
    (with_rows([{"complained": "上周"}]), ("complaints", 2, "complained"), "bad_date", with_rows([{}])),
    (with_rows(surveys=[{"score": 11}]), ("surveys", 2, "score"), "bad_nps", with_rows(surveys=[{"score": 10}])),
    (with_rows(surveys=[{"score": -1}]), ("surveys", 2, "score"), "bad_nps", with_rows(surveys=[{"score": 0}])),
    (with_rows(surveys=[{"score": 50}]), ("surveys", 2, "score"), "bad_nps", with_rows(surveys=[{"score": None}])),
    (with_rows(nps_score=12), ("followups", 3, "nps_score"), "bad_nps", with_rows(nps_score=6)),
    (with_rows([{"confirmed": "2024-03-10 09:59"}]), ("complaints", 2, "confirmed"), "complaint_order",
     with_rows([{"confirmed": "2024-03-10 10:00"}])),
    (with_rows([{"confirmed": "2024-03-10 10:30", "first_solution": "2024-03-10 10:20"}]),
     ("complaints", 2, "first_solution"), "complaint_order",
     with_rows([{"confirmed": "2024-03-10 10:30", "first_solution": "2024-03-10 10:30"}])),
    (with_rows([{"solved": "2024-03-09 18:00"}]), ("complaints", 2, "solved"), "complaint_order",
     with_rows([{"solved": "2024-03-10"}])),  # (a date alone: the same day is in order)
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_validation_fires_there_and_stays_quiet(case: int, lang: str) -> None:
    bad, where, rule, good = CASES[case]
    assert found(bad, lang) == [(*where, rule)]
    assert found(good, lang) == []


@pytest.mark.parametrize("lang", LANGS)
def test_complaint_order_on_the_issues_sheet_in_the_workbook_language(lang: str) -> None:
    data = with_rows([{"confirmed": "2024-03-10 09:50", "first_solution": "2024-03-10 09:55"}])
    issues = find_issues(make_ctx(data, "2024-03-15", lang))
    messages = list(issues["message"])
    assert messages == {
        "zh-Hans": ["确认时间 2024-03-10 09:50 早于投诉时间 2024-03-10 10:00"],
        "zh-Hant": ["確認時間 2024-03-10 09:50 早於投訴時間 2024-03-10 10:00"],
        "en": ["Confirmed at 2024-03-10 09:50 is before Complained at 2024-03-10 10:00"],
    }[lang]  # (the first solution follows the confirmation: in order)
    sheet = validate(make_ctx(data, "2024-03-15", lang)).sheets[0]
    table = next(b for b in sheet.blocks if isinstance(b, Table))
    row = table.df.iloc[0].tolist()
    assert row[0] == COMPLAINTS.name(lang) and row[1] == "D2" and row[3] == "2024-03-10 09:50"
    assert row[5] == "complaint_order"
    assert table.links[table.df.columns[1]][0] == f"'{COMPLAINTS.name(lang)}'!D2"


@pytest.mark.parametrize("lang", LANGS)
def test_survey_score_message(lang: str) -> None:
    issues = find_issues(make_ctx(with_rows(surveys=[{"score": 11}]), "2024-03-15", lang))
    assert list(issues["message"]) == {"zh-Hans": ["NPS“11”不是 0 到 10 之间的整数"],
                                       "zh-Hant": ["NPS“11”不是 0 到 10 之間的整數"],
                                       "en": ['NPS "11" is not a whole number from 0 to 10']}[lang]


def test_sheets_are_found_by_their_names_and_headers_in_any_language() -> None:
    for lang in LANGS:
        assert COMPLAINTS.matches_name(COMPLAINTS.name(lang)) and SURVEYS.matches_name(SURVEYS.name(lang))
    assert COMPLAINTS.matches_name("客诉记录") and SURVEYS.matches_name("Survey history")
    for header, key in (("投訴時間", "complained"), ("Confirmed at", "confirmed"), ("初步方案时间", "first_solution"),
                        ("解決時間", "solved"), ("处理人", "owner"), ("根本原因", "root_cause"),
                        ("改進措施", "improvement"), ("*投诉内容", "content")):
        assert COMPLAINTS.match_header(header).key == key  # type: ignore[union-attr]
    for header, key in (("調研日期", "date"), ("NPS", "score"), ("NPS score", "score"), ("意見", "comment")):
        assert SURVEYS.match_header(header).key == key  # type: ignore[union-attr]


# --- Today --------------------------------------------------------------------------------------------

def workbook(complaints: list[dict[str, Any]] | None, lang: str = "zh-Hans", **more: Any) -> dict[str, Any]:
    """甲 (open lead, 小王), 乙 (won 10 days ago, 小李); `complaints` about 乙 (None: no complaints sheet)."""
    data: dict[str, Any] = {
        "customers": [{"customer": "甲", "contact": "张三", "owner": "小王", "first_contact": ago(5)},
                      {"customer": "乙", "contact": "李四", "owner": "小李", "status": WON[lang]}],
        "conversions": [{"customer": "乙", "date": ago(10), "amount": "10万", "owner": "小李"}],
        "followups": [{"customer": "甲", "date": ago(1), "method": "电话", "content": "介绍方案", "owner": "小王"},
                      {"customer": "乙", "date": ago(9), "method": "微信", "content": "成交致谢", "owner": "小李"}],
        **more,
    }
    if complaints is not None:
        data["complaints"] = [{"customer": "乙", "content": "响应慢", **c} for c in complaints]
    return data


def complaint_items(data: dict[str, Any], lang: str = "zh-Hans", settings: dict[str, Any] | None = None
                    ) -> dict[str, list[tuple[str, str, int, dt.date, str | None]]]:
    """owner heading → [(customer, what, days late, due, row style)] of the complaints blocks."""
    res = flag_stale(make_ctx(data, TODAY, lang, settings))
    out: dict[str, list[tuple[str, str, int, dt.date, str | None]]] = {}
    owner = ""
    for b in res.sheets[0].blocks:
        if not isinstance(b, Table) and b.style == "title":  # type: ignore[union-attr]
            owner = b.text  # type: ignore[union-attr]
        if isinstance(b, Table) and b.title and b.title.startswith(KIND[lang]):
            styles = b.row_styles or [None] * len(b.df)
            out[owner] = [(r.iloc[0], r.iloc[2], int(r.iloc[3]), r.iloc[4], st)
                          for (_, r), st in zip(b.df.iterrows(), styles, strict=True)]
    n = sum(len(v) for v in out.values())
    assert res.summary.counts.get("complaints", 0) == n
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_unconfirmed_past_30_minutes_is_an_item_for_the_complaints_owner(lang: str) -> None:
    got = complaint_items(workbook([{"complained": at("2024-03-31 16:40"), "owner": "小张"}], lang), lang)
    ((owner, items),) = got.items()
    assert owner == {"zh-Hans": "小张：1 项（投诉 1）", "zh-Hant": "小张：1 項（投訴 1）",
                     "en": "小张: 1 to do (Complaints 1)"}[lang]  # (the owner's own block, though 乙 is 小李's)
    ((customer, what, late, due, style),) = items
    assert (customer, late, due, style) == ("乙", 1, ago(1), "error")
    assert what == {
        "zh-Hans": "投诉（03-31 16:40）：未确认（时限 17:10）；无初步方案（时限 04-01 04:40）",
        "zh-Hant": "投訴（03-31 16:40）：未確認（時限 17:10）；無初步方案（時限 04-01 04:40）",
        "en": "Complaint (03-31 16:40): not confirmed (due 17:10); no first solution (due 04-01 04:40)",
    }[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_first_solution_past_12_hours_goes_to_the_customers_owner_without_one(lang: str) -> None:
    got = complaint_items(workbook([{"complained": at("2024-03-29 09:20"), "confirmed": at("2024-03-29 09:35")}],
                                   lang), lang)
    ((owner, [(customer, what, late, due, _)]),) = got.items()
    assert owner.startswith({"zh-Hans": "小李", "zh-Hant": "小李", "en": "小李"}[lang])
    assert (customer, late, due) == ("乙", 3, ago(3))
    assert what.endswith(("（时限 21:20）", "（時限 21:20）", "(due 21:20)")) and ("09:50" not in what)


@pytest.mark.parametrize("lang", LANGS)
def test_quiet_when_solved_done_in_time_or_not_due_yet(lang: str) -> None:
    quiet = [
        {"complained": at("2024-03-20 10:00"), "solved": at("2024-03-25 10:00")},  # closed
        {"complained": at("2024-03-30 10:00"), "confirmed": at("2024-03-30 10:10"),
         "first_solution": at("2024-03-30 15:00")},  # both steps done: open, but nothing pending
        {"complained": at("2024-04-01 23:40")},  # its confirmation is due tomorrow 00:10
    ]
    assert complaint_items(workbook(quiet, lang), lang) == {}
    assert complaint_items(workbook(None, lang), lang) == {}
    # lodged today at 23:20: its confirmation is due today (not late); its first solution tomorrow
    ((_, [(_, what, late, due, style)]),) = complaint_items(workbook([{"complained": at("2024-04-01 23:20")}], lang),
                                                            lang).items()
    assert (late, due, style) == (0, TODAY, "warning") and "23:50" in what and "11:20" not in what
    # (a limit in another year shows it)
    ((_, [(_, what, *_)]),) = complaint_items(workbook([{"complained": at("2023-12-31 20:00")}])).items()
    assert what == "投诉（2023-12-31 20:00）：未确认（时限 20:30）；无初步方案（时限 2024-01-01 08:00）"


def test_the_limits_are_settings_and_the_counts_line_names_the_kind() -> None:
    data = workbook([{"complained": at("2024-04-01 08:00"), "confirmed": at("2024-04-01 09:00")}])
    ((_, [(_, what, late, _, _)]),) = complaint_items(data).items()  # its first solution is due today 20:00
    assert late == 0 and "20:00" in what and "09:00" not in what  # (confirmed: late, but done)
    assert complaint_items(data, settings={"complaint_solution_hours": 24}) == {}
    late_evening = workbook([{"complained": at("2024-04-01 22:00")}])
    assert complaint_items(late_evening) != {}
    assert complaint_items(late_evening, settings={"complaint_confirm_minutes": 180}) == {}
    res = flag_stale(make_ctx(workbook([{"complained": at("2024-03-31 16:40")}]), TODAY))
    texts = [b.text for b in res.sheets[0].blocks if not isinstance(b, Table)]
    assert texts[1].startswith("共 ") and "投诉 1" in texts[1]
    assert res.summary.headline.endswith("；投诉 1")


def test_complaints_come_first_in_the_owners_block() -> None:
    res = flag_stale(make_ctx(workbook([{"complained": at("2024-03-31 16:40")}]), TODAY))
    titles = [b.title for b in res.sheets[0].blocks if isinstance(b, Table) and b.title]
    assert titles[0].startswith("投诉（")


# --- churn --------------------------------------------------------------------------------------------

def churn(data: dict[str, Any], lang: str = "zh-Hans") -> tuple[list[str], str]:
    """乙's signals and reasons."""
    scored = score(make_ctx(data, TODAY, lang))
    row = scored[scored["customer"] == "乙"].iloc[0]
    return row["signals"], row["reasons"] or ""


@pytest.mark.parametrize("lang", LANGS)
def test_without_the_sheet_complaint_words_are_guessed_with_it_the_sheet_decides(lang: str) -> None:
    said = {"customer": "乙", "date": ago(3), "method": "电话", "content": "客户投诉响应慢", "owner": "小李"}
    plain = workbook(None, lang)
    plain["followups"].append(said)
    assert "service" in churn(plain, lang)[0]  # (no sheet: keyword guessing, as before)
    sheet = workbook([], lang)
    sheet["followups"].append(said)
    assert "service" not in churn(sheet, lang)[0]  # the sheet has no complaint of 乙
    signals, reasons = churn(workbook([{"complained": at("2024-03-25 10:00")}], lang), lang)
    assert "service" in signals
    assert reasons == {"zh-Hans": "客户投诉未解决（2024-03-25）", "zh-Hant": "客戶投訴未解決（2024-03-25）",
                       "en": "open complaint of 2024-03-25"}[lang]


def test_an_open_complaint_of_any_age_or_a_recent_closed_one_is_the_signal() -> None:
    old = at("2023-10-01 10:00")  # more than 90 days (survey_days) ago
    assert "service" in churn(workbook([{"complained": old}]))[0]
    assert "service" not in churn(workbook([{"complained": old, "solved": at("2023-10-05 10:00")}]))[0]
    signals, reasons = churn(workbook([{"complained": at("2024-03-01 10:00"), "solved": at("2024-03-02 10:00")}]))
    assert "service" in signals and reasons == "客户投诉（2024-03-01）"
    assert "service" not in churn(workbook([{"complained": at("2024-04-02 10:00")}]))[0]  # (after today)


# --- surveys ------------------------------------------------------------------------------------------

def customers_nps(data: dict[str, Any]) -> dict[str, float | None]:
    scored = score(make_ctx(data, TODAY))
    return {c: (None if n != n else n) for c, n in zip(scored["customer"], scored["nps"], strict=True)}


@pytest.mark.parametrize("lang", LANGS)
def test_the_latest_survey_gives_the_nps(lang: str) -> None:
    data = workbook(None, lang)
    data["customers"][1]["nps"] = 50
    assert customers_nps(data)["乙"] == 50  # (no surveys: the Customers cell)
    data["surveys"] = [{"customer": "乙", "date": ago(40), "score": 10}, {"customer": "乙", "date": ago(5), "score": 3},
                       {"customer": "乙", "date": ago(2), "score": None}]  # (no score: the NPS is the 03-27 one)
    assert customers_nps(data)["乙"] == -100
    data["surveys"][1]["score"] = 7
    assert customers_nps(data)["乙"] == 0
    data["surveys"][1]["score"] = 9
    assert customers_nps(data)["乙"] == 100


def test_the_health_score_uses_the_surveys_nps() -> None:
    data = workbook(None)
    data["customers"][1]["nps"] = 100

    def health() -> float:
        scored = score(make_ctx(data, TODAY))
        return float(scored.loc[scored["customer"] == "乙", "health"].iloc[0])

    before = health()
    data["surveys"] = [{"customer": "乙", "date": ago(5), "score": 2}]  # a detractor: NPS −100 instead of 100
    assert health() < before
    data["surveys"][0]["score"] = 10
    assert health() == before


def test_an_nps_score_on_follow_ups_counts_as_a_survey() -> None:
    data = workbook(None)
    data["customers"][1]["nps"] = 50
    data["followups"].append({"customer": "乙", "date": ago(1), "method": "电话", "content": "季度回访",
                              "owner": "小李", "nps_score": 4})
    assert customers_nps(data)["乙"] == -100
    data["followups"][-1]["nps_score"] = None
    assert customers_nps(data)["乙"] == 50


def survey_state(data: dict[str, Any]) -> str:
    res = flag_stale(make_ctx(data, TODAY))
    return res.columns["customers"]["follow_status"].iloc[1]


def test_the_quarterly_survey_clock_reads_the_survey_sheet() -> None:
    data = workbook(None)
    data["conversions"][0]["date"] = ago(200)
    data["followups"] = [{"customer": "乙", "date": ago(199), "method": "电话", "content": "成交致谢 回访 使用指南",
                          "owner": "小李"}]
    assert survey_state(data).startswith("售后逾期：满意度调研")
    data["surveys"] = [{"customer": "乙", "date": ago(30), "score": 9}]
    assert survey_state(data).startswith("售后：满意度调研")  # due 60 days from now
    assert "survey" not in churn(data)[0]
    data["surveys"][0]["date"] = ago(201)  # before the conversion: not this deal's survey
    assert survey_state(data).startswith("售后逾期：满意度调研")


# --- review -------------------------------------------------------------------------------------------

MARCH = Month.parse("2024-03")


def review_titles(data: dict[str, Any], lang: str = "zh-Hans") -> list[str]:
    res = build(make_ctx(data, TODAY, lang, month="2024-03"))
    return [b.title for b in res.sheets[0].blocks if isinstance(b, Table) and b.title]


@pytest.mark.parametrize("lang", LANGS)
def test_review_sections_only_with_the_records(lang: str) -> None:
    plain = review_titles(workbook(None, lang), lang)
    assert not any(t.startswith(("十四", "十五", "14.", "15.")) for t in plain)
    titles = review_titles(workbook([{"complained": at("2024-03-05 10:00")}], lang, surveys=[]), lang)
    assert {"zh-Hans": ["十四、客户投诉", "投诉根本原因", "十五、满意度调研"],
            "zh-Hant": ["十四、客戶投訴", "投訴根本原因", "十五、滿意度調研"],
            "en": ["14. Complaints", "Root causes", "15. Satisfaction surveys"]}[lang] == \
        [t for t in titles if t not in plain]
    only = review_titles(workbook(None, lang, surveys=[]), lang)  # (numbered on from the sections before)
    assert [t for t in only if t not in plain] == [{"zh-Hans": "十四、满意度调研", "zh-Hant": "十四、滿意度調研",
                                                   "en": "14. Satisfaction surveys"}[lang]]


def test_complaint_figures_of_the_month() -> None:
    rows = [
        {"complained": at("2024-03-05 09:00"), "confirmed": at("2024-03-05 09:10"), "first_solution": at("2024-03-05 15:00"),
         "solved": at("2024-03-06 10:00"), "root_cause": "交接遗漏"},
        {"complained": at("2024-03-10 09:00"), "confirmed": at("2024-03-10 11:00"), "first_solution": at("2024-03-11 09:00"),
         "solved": at("2024-03-12 10:00"), "root_cause": "交接遗漏"},
        {"complained": at("2024-03-31 20:00"), "confirmed": at("2024-03-31 20:20")},  # open; its 12 h end in April
        {"complained": at("2024-03-30 08:00")},  # open, nothing done: both limits passed in March
        {"complained": at("2024-02-28 08:00"), "root_cause": "其他"},  # February's
    ]
    c = complaint_figures(make_ctx(workbook(rows), TODAY), MARCH)
    assert (c["count"], c["open"]) == (4, 2)
    assert c["confirm_minutes"] == 20 and c["solution_hours"] == 15  # medians of (10, 120, 20) min, (6, 24) h
    assert (c["confirm_breaches"], c["solution_breaches"]) == (2, 2)
    assert dict(c["causes"]) == {"交接遗漏": 2, "": 2}  # type: ignore[call-overload]


def test_survey_completion_and_nps_distribution() -> None:
    customers = [{"customer": n, "contact": "张", "owner": "小王", "status": "已成交"} for n in "ABCDE"]
    customers.append({"customer": "F", "contact": "张", "owner": "小王", "status": "已流失", "lost_on": ago(40)})
    data = {"customers": customers,
            "conversions": [{"customer": n, "date": ago(100), "amount": "10万"} for n in "ABCDEF"],
            "surveys": [{"customer": "A", "date": ago(10), "score": 10}, {"customer": "B", "date": ago(20), "score": 9},
                        {"customer": "C", "date": ago(5), "score": 8}, {"customer": "C", "date": ago(60), "score": 2},
                        {"customer": "D", "date": ago(120), "score": 3},  # before the quarter
                        {"customer": "F", "date": ago(50), "score": 1}]}
    v = survey_figures(make_ctx(data, TODAY), MARCH)
    # signed: A–E (F lost); surveyed within the 90 days to 03-31: A B C; answers A B C F (F is no longer signed)
    assert (v["signed"], v["surveyed"], v["rate"]) == (5, 3, 0.6)
    assert (v["promoter"], v["passive"], v["detractor"], v["answers"], v["nps"]) == (2, 1, 1, 4, 25)
