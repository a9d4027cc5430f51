"""crm_xl.shells.xl, the buttons' entry points, over the xlwings test double: the same result as the CLI's jobs,
messages in Excel instead of tracebacks, nothing written when a job fails."""

from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "book"))

from xlfake import FakeBook, comparable  # noqa: E402

from crm_xl import jobs  # noqa: E402
from crm_xl.book.excel import ExcelBook  # noqa: E402
from crm_xl.book.memory import MemoryBook  # noqa: E402
from crm_xl.shells import xl  # noqa: E402

TODAY = dt.date(2024, 4, 1)
DATA = {
    "customers": [
        {"customer": "甲科技有限公司", "industry": "互联网", "contact": "王经理", "phone": "13956781234",
         "source": "官网", "owner": "小王", "first_contact": dt.datetime(2024, 1, 5), "status": "跟进中",
         "need_clarity": "明确", "budget_status": "已批", "decision_chain": "短", "budget": "50-80万",
         "expected_close": dt.datetime(2024, 4, 20)},
        {"customer": "乙贸易集团", "industry": "制造业", "contact": "李总", "phone": "1395678", "source": "转介绍",
         "owner": "小李", "first_contact": dt.datetime(2024, 2, 2), "status": "跟进中"},
        {"customer": "丙公司", "owner": "小张", "first_contact": dt.datetime(2023, 12, 1), "status": "已成交",
         "nps": 9},
    ],
    "followups": [
        {"customer": "甲科技有限公司", "date": dt.datetime(2024, 3, 1, 10), "method": "电话", "content": "介绍方案",
         "owner": "小王"},
        {"customer": "乙贸易集团", "date": dt.datetime(2024, 2, 10, 15), "method": "微信", "content": "发送白皮书",
         "owner": "小李"},
        {"customer": "丙公司", "date": dt.datetime(2024, 3, 20, 9), "method": "拜访", "content": "回访",
         "owner": "小张"},
    ],
    "conversions": [{"customer": "丙公司", "date": dt.datetime(2024, 3, 10), "amount": 300000, "owner": "小张"}],
    "tierlog": [{"customer": "甲科技有限公司", "tier": "B", "reason": "首次分级", "date": dt.datetime(2024, 1, 5)}],
}


def pair() -> tuple[MemoryBook, FakeBook]:
    memory = MemoryBook.from_frames(DATA, "zh-Hans", settings={"today": TODAY})
    return memory, FakeBook.from_grids(memory.sheets, memory.tables)



def test_run_all_gives_the_same_workbook_as_the_cli_jobs() -> None:
    memory, fake = pair()
    expected = jobs.run_all(memory)
    memory.save()
    summaries = xl.run_buttons(jobs.RUN_ORDER, ExcelBook(fake))
    assert summaries is not None
    assert [s.headline for s in summaries] == [s.headline for s in expected]
    assert set(fake.sheets.names()) == set(memory.sheets)
    for name in memory.sheets:
        assert comparable(fake.sheet(name).grid()) == comparable(memory.sheets[name]), name


def test_the_outcome_is_shown_in_excel_and_the_book_is_left_unsaved() -> None:
    _, fake = pair()
    summaries = xl.run_buttons(("validate", "tiers"), ExcelBook(fake))
    assert summaries is not None
    (alert,) = fake.app.alerts
    assert alert["mode"] == "info" and alert["title"] == "crm-xl"
    assert alert["prompt"].splitlines()[0] == f"校验数据: {summaries[0].headline}"
    assert alert["prompt"].splitlines()[1] == f"重算级别: {summaries[1].headline}"
    assert fake.app.status_bar == " | ".join(s.headline for s in summaries)
    assert fake.saved == []
    assert fake.app.state["calculation"] == "automatic" and fake.app.state["screen_updating"] is True


def test_a_workbook_error_is_a_message_box_and_nothing_is_written() -> None:
    fake = FakeBook.from_grids({"Sheet1": [["hello"]]})
    assert xl.run_buttons(("validate",), ExcelBook(fake)) is None
    (alert,) = fake.app.alerts
    assert alert["mode"] == "critical"
    assert "客户信息表" in alert["prompt"] and "Nothing in the workbook was changed" in alert["prompt"]
    assert not [c for c in fake.calls if c[0] == "range.value.set"]
    assert fake.app.status_bar is False


def test_an_unexpected_error_is_a_message_box_with_a_log_not_a_traceback(monkeypatch, tmp_path) -> None:
    memory, fake = pair()
    log = tmp_path / "crm-xl-error.log"
    monkeypatch.setattr(xl, "LOG", log)

    def broken(ctx):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(jobs.CORE, "broken", ("crm_xl.shells.xl", "broken"))
    monkeypatch.setattr(xl, "broken", broken, raising=False)
    assert xl.run_buttons(("validate", "broken"), ExcelBook(fake)) is None
    (alert,) = fake.app.alerts
    assert alert["mode"] == "critical"
    assert "ZeroDivisionError: division by zero" in alert["prompt"] and str(log) in alert["prompt"]
    assert "工作簿没有任何改动" in alert["prompt"]  # the workbook's language
    assert "Traceback" in log.read_text(encoding="utf-8")
    # validate ran first, but its changes were only recorded: nothing reached Excel
    assert not [c for c in fake.calls if c[0] == "range.value.set"]


def test_a_failure_while_writing_is_undone_and_says_so() -> None:
    _, fake = pair()
    start = fake.snapshot()
    fake.fail_at = 3
    assert xl.run_buttons(("validate",), ExcelBook(fake)) is None
    (alert,) = fake.app.alerts
    assert "injected failure" in alert["prompt"] and "工作簿没有任何改动" in alert["prompt"]
    assert fake.snapshot() == start


def test_when_the_undo_fails_too_it_says_to_close_without_saving(monkeypatch) -> None:
    _, fake = pair()
    book = ExcelBook(fake)
    book.frames(), book.lang  # read (and cached) before Excel starts refusing writes
    fake.fail_at = 3
    monkeypatch.setattr(ExcelBook, "_roll_back", lambda self: False)
    assert xl.run_buttons(("validate",), book) is None
    (alert,) = fake.app.alerts
    assert "不保存并关闭" in alert["prompt"] and "injected failure" in alert["prompt"]


def test_a_missing_customers_sheet_stops_every_button_with_its_name_and_changes_nothing() -> None:
    memory, _ = pair()
    grids = {name: grid for name, grid in memory.sheets.items() if name != "客户信息表"}
    grids["客户（旧）"] = memory.sheets["客户信息表"]  # renamed by the user
    for jobs_run in (("tiers",), ("stale",), ("health",), ("review",), jobs.RUN_ORDER):
        fake = FakeBook.from_grids(grids, [t for t in memory.tables if t.sheet != "客户信息表"])
        start = fake.snapshot()
        assert xl.run_buttons(jobs_run, ExcelBook(fake)) is None
        (alert,) = fake.app.alerts
        assert alert["mode"] == "critical" and "客户信息表" in alert["prompt"], jobs_run
        assert "工作簿没有任何改动" in alert["prompt"]
        assert fake.snapshot() == start and fake.calls.writes == 0


_AFTER_ONE_RUN: list[FakeBook] = []


def _fresh(again: bool) -> FakeBook:
    if not again:
        return pair()[1]
    if not _AFTER_ONE_RUN:  # generated sheets exist: the button replaces them
        _, fake = pair()
        assert xl.run_buttons(jobs.RUN_ORDER, ExcelBook(fake)) is not None
        fake.app.alerts.clear()
        fake.calls.clear()
        fake.calls.writes = 0
        _AFTER_ONE_RUN.append(fake)
    return copy.deepcopy(_AFTER_ONE_RUN[0])


def _writes(jobs_run: tuple[str, ...], again: bool) -> tuple[int, int]:
    """(writes up to the end of the run's changes, deletions of replaced sheets after it)."""
    fake = _fresh(again)
    writes = fake.calls.writes
    marks = len(fake.calls)
    assert xl.run_buttons(jobs_run, ExcelBook(fake)) is not None
    made = [c for c in fake.calls[marks:] if c[0] not in ("range.value.get", "range.formula.get")]
    cleanup = 0
    for call in reversed(made):
        if call[0] == "sheet.delete":
            cleanup += 1
        elif call[0] not in ("sheets.count", "sheets.item", "sheet.name", "app.status_bar", "app.alert"):
            break
    return fake.calls.writes - writes - cleanup, cleanup


@pytest.mark.parametrize("again", [False, True], ids=["first-run", "rerun"])
@pytest.mark.parametrize("jobs_run", [("validate",), ("tiers",), ("stale",), ("health",), ("review",),
                                      jobs.RUN_ORDER], ids=lambda j: "+".join(j))
def test_all_or_nothing_whichever_write_fails(jobs_run, again) -> None:
    """Each write step of the button fails in turn: the workbook is as before the click every time (Run all,
    the same jobs' steps in one run, every 7th step and the last ones)."""
    steps, cleanup = _writes(jobs_run, again)
    assert steps > 0 and (cleanup > 0) == (again and jobs_run != ("tiers",))
    stride = 7 if len(jobs_run) > 1 else 1
    for n in sorted({*range(1, steps + 1, stride), *range(max(1, steps - 3), steps + 1)}):
        fake = _fresh(again)
        start = fake.snapshot()
        fake.fail_at = n
        assert xl.run_buttons(jobs_run, ExcelBook(fake)) is None, n
        (alert,) = fake.app.alerts
        assert f"injected failure at write {n}" in alert["prompt"], alert["prompt"]
        assert fake.snapshot() == start, f"write {n} of {steps}"
    for n in range(steps + 1, steps + cleanup + 1):  # deleting a replaced sheet, after everything is written
        fake = _fresh(again)
        fake.fail_at = n
        assert xl.run_buttons(jobs_run, ExcelBook(fake)) is not None
        (alert,) = fake.app.alerts
        assert "~crm-xl" in alert["prompt"] and any(s.startswith("~crm-xl ") for s in fake.sheets.names())


@pytest.mark.parametrize(("entry", "jobs_run"), [
    ("validate_rows", ("validate",)), ("recompute_tiers", ("tiers",)), ("flag_stale", ("stale",)),
    ("assess_health", ("health",)), ("build_review", ("review",)), ("run_all", jobs.RUN_ORDER),
])
def test_each_button_runs_its_jobs(monkeypatch, entry, jobs_run) -> None:
    seen = []
    monkeypatch.setattr(xl, "run_buttons", lambda js, book=None: seen.append(tuple(js)))
    getattr(xl, entry)()
    assert seen == [tuple(jobs_run)]


def test_without_a_calling_workbook_the_active_excel_is_told(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(xl, "LOG", tmp_path / "log.txt")
    fake = FakeBook()

    def no_caller():
        raise RuntimeError("Book.caller() is only available when called from Excel")

    monkeypatch.setattr(ExcelBook, "caller", staticmethod(no_caller))

    class Apps:
        active = fake.app

    monkeypatch.setattr(xl.xw, "apps", Apps(), raising=False)
    assert xl.run_buttons(("validate",)) is None
    assert fake.app.alerts and fake.app.alerts[0]["mode"] == "critical"


def test_worksheet_functions() -> None:
    assert xl.CRM_BUDGET_LOW("50-80万") == 500_000 and xl.CRM_BUDGET_HIGH("50-80万") == 800_000
    assert xl.CRM_BUDGET_LOW("¥500,000") == 500_000 == xl.CRM_BUDGET_HIGH("¥500,000")
    assert xl.CRM_AMOUNT("6.5w") == 65_000 and xl.CRM_AMOUNT("65万") == 650_000
    assert xl.CRM_AMOUNT("not money") == "" and xl.CRM_BUDGET_LOW(None) == "" and xl.CRM_BUDGET_HIGH("面议") == ""
