"""End to end (issue 23): `crm-xl new --sample` in each language has the complaints and surveys sheets, and
`crm-xl run` on it flags, warns and reviews them; a team's own complaints sheet (a plain range, its own name
and headers in another order) is found and checked. Read back with python-calamine, not crm-xl."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from helpers import CUSTOMERS_ZH, write_workbook
from python_calamine import CalamineWorkbook

from crm_xl.model.i18n import LANGS
from crm_xl.model.schema import (
    CHURN_SHEET,
    COMPLAINTS,
    CUSTOMERS,
    ISSUES_SHEET,
    SURVEYS,
    TODAY_SHEET,
    review_sheet_name,
)


def crm_xl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)


def rows(wb: CalamineWorkbook, name: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(name).to_python()


def line(row: list[Any]) -> str:
    return " | ".join(str(c) for c in row if c != "")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CalamineWorkbook]:
    folder = tmp_path_factory.mktemp("service")
    out = {}
    for lang in LANGS:
        book = folder / f"sample-{lang}.xlsx"
        assert crm_xl("new", str(book), "--sample", "--lang", lang).returncode == 0
        done = crm_xl("run", str(book), "--today", "2024-04-01")
        assert done.returncode == 1, done.stderr  # the sample's mistakes, on purpose
        out[lang] = CalamineWorkbook.from_path(str(book))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_sample_has_both_sheets_and_the_check_finds_the_typo(runs: dict[str, CalamineWorkbook], lang: str) -> None:
    wb = runs[lang]
    complaints, surveys = rows(wb, COMPLAINTS.name(lang)), rows(wb, SURVEYS.name(lang))
    assert complaints[1][:9] == [c.header(lang) for c in COMPLAINTS.columns][:9]
    assert len([r for r in complaints[2:] if r[0]]) == 5 and len([r for r in surveys[2:] if r[0]]) == 8
    check = [r[-1] for r in complaints[2:] if r[0]]
    typo = {"zh-Hans": "确认时间 2024-03-12 13:40 早于投诉时间 2024-03-12 14:00",
            "zh-Hant": "確認時間 2024-03-12 13:40 早於投訴時間 2024-03-12 14:00",
            "en": "Confirmed at 2024-03-12 13:40 is before Complained at 2024-03-12 14:00"}[lang]
    assert sorted(check) == sorted(["OK"] * 4 + [typo])
    issues = [line(r) for r in rows(wb, ISSUES_SHEET.name(lang))]
    assert any("complaint_order" in t and COMPLAINTS.name(lang) in t and "2024-03-12 13:40" in t for t in issues)


@pytest.mark.parametrize("lang", LANGS)
def test_today_lists_the_open_complaints_for_their_owners(runs: dict[str, CalamineWorkbook], lang: str) -> None:
    texts = [line(r) for r in rows(runs[lang], TODAY_SHEET.name(lang))]
    kind = {"zh-Hans": "投诉", "zh-Hant": "投訴", "en": "Complaints"}[lang]
    assert f"{kind} 2" in texts[2]  # the counts line
    blocks: dict[str, list[str]] = {}
    owner = ""
    for t in texts:
        if t[:2] in ("小王", "小李", "小张", "小陈", "小張"):
            owner = t[:2]
        blocks.setdefault(owner, []).append(t)
    li = [t for t in blocks["小李"] if "03-29 09:20" in t]
    assert len(li) == 1 and "21:20" in li[0]  # 中科's first solution: 小李's, not its owner 小陈's
    zhang = [t for t in blocks["小張" if lang == "zh-Hant" else "小张"] if "03-31 16:40" in t]
    assert len(zhang) == 1 and "17:10" in zhang[0] and "04-01 04:40" in zhang[0]  # 华美: no 负责人 typed, its owner's


@pytest.mark.parametrize("lang", LANGS)
def test_churn_reads_the_complaints_and_the_surveys(runs: dict[str, CalamineWorkbook], lang: str) -> None:
    watch = [line(r) for r in rows(runs[lang], CHURN_SHEET.name(lang))]
    still = {"zh-Hans": "客户投诉未解决（2024-03-31）", "zh-Hant": "客戶投訴未解決（2024-03-31）",
             "en": "open complaint of 2024-03-31"}[lang]
    assert any(still in t for t in watch)
    customers = rows(runs[lang], CUSTOMERS.name(lang))
    head = customers[1]
    risk = head.index(CUSTOMERS.column("churn_risk").header(lang))
    tiangong = next(r for r in customers if str(r[0]).startswith(("天工", "Tiangong")))
    assert "NPS" not in tiangong[risk]  # its survey's 9 replaced the NPS −20 on Customers
    dingsheng = next(r for r in customers if str(r[0]).startswith("鼎盛"))
    assert "NPS -100" in dingsheng[risk]  # its survey's 3: a detractor


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_has_the_complaints_and_surveys_sections(runs: dict[str, CalamineWorkbook], lang: str) -> None:
    review = rows(runs[lang], review_sheet_name(lang, "2024-03"))
    first = [r[0] for r in review]

    def section(title: str) -> int:  # (numbered after the sections before it)
        return next(i for i, c in enumerate(first) if isinstance(c, str) and c.endswith(title) and c[:1] in "十1")

    at = section({"zh-Hans": "、客户投诉", "zh-Hant": "、客戶投訴", "en": ". Complaints"}[lang])
    assert review[at + 2][:6] == [5, 2, 15, 7.8, 2, 2]  # count, open, median min / h, breaches
    causes = first.index({"zh-Hans": "投诉根本原因", "zh-Hant": "投訴根本原因", "en": "Root causes"}[lang])
    assert [r[1] for r in review[causes + 2: causes + 5]] == [2, 2, 1]
    at = section({"zh-Hans": "、满意度调研", "zh-Hant": "、滿意度調研", "en": ". Satisfaction surveys"}[lang])
    figures = [r[1:3] for r in review[at + 2: at + 8]]
    assert figures[0][0] == 19 and figures[1] == [8, pytest.approx(8 / 19)]
    assert [f[0] for f in figures[2:]] == [4, 2, 2, 25]  # promoters, passives, detractors, NPS


def test_a_teams_own_complaints_sheet_is_found_by_its_name_and_headers(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "team.xlsx", {
        "客户信息表": [CUSTOMERS_ZH,
                    ["甲科技有限公司", "互联网", "王经理", "13956781234", "官网", "小王", dt.datetime(2024, 3, 1), "已成交"]],
        "客诉记录": [["本表记录客户投诉"], [],
                  ["Root cause", "Complained at", "客户", "Confirmed at", "内容", "Handled by"],
                  [None, dt.datetime(2024, 3, 31, 9, 0), "甲科技有限公司", dt.datetime(2024, 3, 31, 8, 0), "响应慢", "小李"],
                  [None, dt.datetime(2024, 3, 30, 9, 0), "乙公司", None, "发票错误", None]],
    })
    done = crm_xl("validate", str(book), "--today", "2024-04-01")
    assert done.returncode == 1, done.stderr
    sheet = rows(CalamineWorkbook.from_path(str(book)), "客诉记录")
    assert sheet[2][6] == "校验结果"  # the check column goes past the team's columns
    # (a message names the columns as the sheet heads them, in the workbook's language)
    assert sheet[3][6] == "Confirmed at 2024-03-31 08:00 早于Complained at 2024-03-31 09:00"
    assert sheet[4][6] == "客户“乙公司”不在客户信息表中"


def test_a_run_reads_the_complaints_and_surveys_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stale, health and review jobs each ask for the service tables (a dozen times a run on the sample):
    each table is worked out once, and a job writing other columns does not make it stale."""
    import shutil

    from crm_xl.core.kernel import service
    from crm_xl.jobs import run_all

    made: list[str] = []
    for name in ("_surveys", "_complaints"):
        real = getattr(service, name)
        monkeypatch.setattr(service, name, lambda frames, real=real, name=name: made.append(name) or real(frames))
    path = tmp_path / "sample.xlsx"
    shutil.copy(ROOT / "workbook" / "sample.xlsx", path)
    run_all(path, today="2024-04-01")
    assert sorted(made) == ["_complaints", "_surveys"]
