"""Memos shared by the jobs of a run (crm_xl/core/kernel/memo.py: the RunCache; columns.py): kept while the cells they read are
unchanged, recomputed as soon as a job writes one of them (the Book's invalidation hook)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import make_book

from crm_xl.core.followups.rules import follow_state
from crm_xl.core.kernel import memo as memo_module
from crm_xl.core.kernel.columns import parsed
from crm_xl.core.kernel.memo import memo
from crm_xl.core.kernel.tierlog import history, logged_tier_on, logged_tiers, tier_history
from crm_xl.jobs import RUN_ORDER, make_context, run_job
from crm_xl.model.result import JobResult, Summary

TODAY = "2024-03-15"
A_LEAD = {"need_clarity": "明确", "budget_status": "已审批", "decision_chain": "短", "expected_close": "2024-03-20"}


def workbook() -> dict[str, Any]:
    """甲 becomes tier A when the tiers job runs (no tier yet: C); 乙 stays C; 丙 is won."""
    return {
        "customers": [
            {"customer": "甲公司", "status": "跟进中", "owner": "小王", **A_LEAD},
            {"customer": "乙公司", "status": "跟进中", "owner": "小李", "need_clarity": "潜在"},
            {"customer": "丙公司", "status": "已成交", "owner": "小王", "nps": 20},
        ],
        "followups": [
            {"customer": "甲公司", "date": dt.datetime(2024, 3, 12, 10), "method": "电话", "content": "报价"},
            {"customer": "乙公司", "date": dt.datetime(2024, 3, 13, 9), "method": "微信", "content": "介绍"},
            {"customer": "丙公司", "date": dt.datetime(2024, 2, 20, 9), "method": "电话", "content": "回访"},
        ],
        "conversions": [{"customer": "丙公司", "date": "2024-02-01", "amount": 50000}],
        "tierlog": [{"customer": "乙公司", "tier": "C", "date": "2024-01-05", "reason": "初始"}],
    }


def counting() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> pd.Series:
        calls.append(1)
        return pd.Series([1, 2, 3])

    return calls, compute


def test_memo_kept_until_a_column_read_is_written() -> None:
    ctx = make_context(make_book(workbook()), TODAY)
    frames, customers = ctx.frames, ctx.frames.customers
    calls, compute = counting()
    reads = {"customers": ("tier", "status")}
    for _ in range(3):
        memo(frames, reads, ("test",), compute)
    assert len(calls) == 1
    ctx.cache.invalidate(customers, "owner")  # not read: kept
    memo(frames, reads, ("test",), compute)
    assert len(calls) == 1
    ctx.cache.invalidate(customers, "tier")
    memo(frames, reads, ("test",), compute)
    memo(frames, reads, ("test",), compute)
    assert len(calls) == 2
    ctx.cache.invalidate(customers)  # rows appended: everything is stale
    memo(frames, reads, ("test",), compute)
    assert len(calls) == 3


def test_memo_depends_on_every_sheet_read_and_on_its_inputs() -> None:
    ctx = make_context(make_book(workbook()), TODAY)
    frames = ctx.frames
    calls, compute = counting()
    reads = {"customers": ("customer",), "tierlog": ("customer", "tier")}
    memo(frames, reads, ("x",), compute, uses=ctx.settings)
    ctx.cache.invalidate(frames.tierlog, "tier")  # the memo lives on Customers but reads the tier log too
    memo(frames, reads, ("x",), compute, uses=ctx.settings)
    assert len(calls) == 2
    memo(frames, reads, ("x",), compute, uses=ctx.settings.model_copy())  # other Settings
    assert len(calls) == 3
    memo(frames, reads, ("x", "2024-03-16"), compute, uses=ctx.settings)  # other key: its own memo
    assert len(calls) == 4
    frames.customers.data = frames.customers.data.copy()  # a new DataFrame, even without invalidate()
    memo(frames, reads, ("x",), compute, uses=ctx.settings)
    assert len(calls) == 5


def test_memo_returns_a_copy() -> None:
    ctx = make_context(make_book(workbook()), TODAY)
    keys = parsed(ctx.frames, "customers", "customer", "key")
    keys[:] = "changed"
    assert list(parsed(ctx.frames, "customers", "customer", "key")) == ["甲公司", "乙公司", "丙公司"]


def test_memo_without_copy_returns_what_it_keeps() -> None:
    """copy=False (for callers that only read): the kept value itself, still recomputed after a write."""
    book = make_book(workbook())
    ctx = make_context(book, TODAY)
    frames = ctx.frames
    calls: list[int] = []

    def compute() -> pd.Series:
        calls.append(1)
        return frames.data("customers")["customer"].copy()

    first = memo(frames, {"customers": ("customer",)}, ("plain",), compute, copy=False)
    assert memo(frames, {"customers": ("customer",)}, ("plain",), compute, copy=False) is first
    assert memo(frames, {"customers": ("customer",)}, ("plain",), compute) is not first  # a copy when asked
    ctx.cache.invalidate(frames.customers, "customer")
    assert memo(frames, {"customers": ("customer",)}, ("plain",), compute, copy=False) is not first
    assert len(calls) == 2


def test_no_sheet_no_memo() -> None:
    ctx = make_context(make_book({"customers": workbook()["customers"]}), TODAY)
    calls, compute = counting()
    memo(ctx.frames, {"conversions": ("customer",)}, ("y",), compute)
    memo(ctx.frames, {"conversions": ("customer",)}, ("y",), compute)
    assert len(calls) == 2
    assert tier_history(ctx.frames.data("tierlog")).equals(history(ctx.frames))


def test_written_column_is_parsed_again() -> None:
    """The Book's hook: a job writing `tier` makes the next parse read the new cells."""
    book = make_book(workbook())
    ctx = make_context(book, TODAY)
    assert parsed(ctx.frames, "customers", "tier", "tier").isna().all()
    tiers = pd.Series(["A", "B", "C"], index=ctx.frames.customers.data.index)
    book.apply(JobResult(Summary("test", ""), columns={"customers": {"tier": tiers}}))
    ctx = make_context(book, TODAY)
    assert list(parsed(ctx.frames, "customers", "tier", "tier")) == ["A", "B", "C"]


def test_appended_rows_are_read_again() -> None:
    book = make_book(workbook())
    ctx = make_context(book, TODAY)
    assert list(history(ctx.frames)["tier"]) == ["C"]
    assert logged_tiers(ctx.frames, dt.date(2024, 3, 15)).to_dict() == {"乙公司": "C"}
    rows = pd.DataFrame({"customer": ["乙公司"], "tier": ["B"], "date": [dt.date(2024, 3, 15)], "reason": ["x"]})
    book.apply(JobResult(Summary("test", ""), appends={"tierlog": rows}))
    ctx = make_context(book, TODAY)
    assert list(history(ctx.frames)["tier"]) == ["C", "B"]
    assert logged_tiers(ctx.frames, dt.date(2024, 3, 15)).to_dict() == {"乙公司": "B"}
    assert logged_tiers(ctx.frames, dt.date(2024, 3, 14)).to_dict() == {"乙公司": "C"}
    for on in (dt.date(2024, 3, 15), dt.date(2024, 3, 14), None):
        pd.testing.assert_series_equal(logged_tiers(ctx.frames, on),
                                       logged_tier_on(ctx.frames.data("tierlog"), on)["tier"])


def test_stale_sees_the_tiers_the_tiers_job_wrote() -> None:
    """stale → tiers → stale on one Book: the second stale uses 甲's new tier A (cadence 1 day: overdue),
    not the C of the first (cadence 7 days: on track). Fails if the memo were never invalidated. (No tier
    log: the new tier can only come from the column the tiers job wrote; 甲 starts with a typed C, as with no
    tier at all stale would compute A itself — issue 20 §5.)"""
    data = {k: v for k, v in workbook().items() if k != "tierlog"}
    data["customers"][0]["tier"] = "C"
    book = make_book(data)
    run_job(book, "stale", today=TODAY)
    before = follow_state(make_context(book, TODAY).frames, book.settings(), dt.date(2024, 3, 15))
    assert before.loc[before["key"] == "甲公司", ["tier", "code"]].values.tolist() == [["C", "ok"]]
    run_job(book, "tiers", today=TODAY)
    assert book.frames().customers.data["tier"].tolist() == ["A", "C", "A"]
    after = follow_state(make_context(book, TODAY).frames, book.settings(), dt.date(2024, 3, 15))
    assert after.loc[after["key"] == "甲公司", ["tier", "code"]].values.tolist() == [["A", "overdue"]]
    summary = run_job(book, "stale", today=TODAY)
    assert summary.counts["overdue"] == 1


def pending(book: Any) -> list[Any]:
    """The recorded changes, comparable (DataFrames as lists)."""
    out = []
    for op in book.pending:
        if hasattr(op, "rendered"):
            out.append((op.layout.name, [(b.__class__.__name__, getattr(b, "text", None),
                                          getattr(b, "df", pd.DataFrame()).astype(str).values.tolist())
                                         for b in op.layout.blocks]))
        else:
            out.append(repr(op))
    return out


@pytest.mark.parametrize("sheets", [("customers", "followups", "conversions", "tierlog"),
                                    ("customers", "followups", "conversions")])
@pytest.mark.parametrize("order", [RUN_ORDER, ("stale", "health", "review", "tiers", "stale", "health", "review")])
def test_a_run_with_memos_equals_a_run_without(order: tuple[str, ...], sheets: tuple[str, ...],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    books = {}
    for cached in (True, False):
        if not cached:
            monkeypatch.setattr(memo_module, "_home", lambda frames, reads: None)  # memo() computes every time
        book = make_book({k: v for k, v in workbook().items() if k in sheets})
        summaries = [run_job(book, job, today=TODAY) for job in order]
        books[cached] = ([(s.headline, s.counts) for s in summaries], pending(book))
    assert books[True] == books[False]


@pytest.mark.parametrize("cells", [
    ["a", "b", None, "a", "c"],  # text only: taken from the whole column's memo
    [1, True, "1", None, True],  # 1 and True are equal values: parsed again for the rows asked
    [dt.datetime(2024, 3, 1), None, dt.datetime(2024, 3, 2, 9), dt.datetime(2024, 3, 1), None],
    [1.0, "2024-03-01", True, 1, None],
])
@pytest.mark.parametrize("how", ["key", "day", "when", "text", "date", "int", "tier"])
def test_parsed_at_is_the_parse_of_the_rows(cells: list[Any], how: str) -> None:
    from crm_xl.core.kernel.columns import PARSERS, parsed_at, parsed_take

    rows = [{"customer": f"客户{i}", "date": dt.datetime(2024, 3, 1), "next_date": v} for i, v in enumerate(cells)]
    ctx = make_context(make_book({"customers": [{"customer": "客户0"}], "followups": rows}), TODAY)
    raw = ctx.frames.data("followups")["next_date"]
    for pick in ([1, 2, 4], [4, 3], [], list(range(len(cells)))):
        index = raw.index[pick]
        want = PARSERS[how](raw.loc[index])
        got = parsed_at(ctx.frames, "followups", "next_date", how, index)
        assert got.index.equals(want.index)
        assert [repr(v) for v in got] == [repr(v) for v in want]
        taken = parsed_take(ctx.frames, "followups", "next_date", how, np.array(pick, dtype=np.int64))
        assert [repr(v) for v in pd.Series(taken, dtype=want.dtype)] == [repr(v) for v in want]


def test_parsed_take_of_a_cast_parser_is_the_cast_parse_of_the_rows() -> None:
    """A per-cell parser with a cast (a survey mark: bool) gives the rows' parse, cast, dtype included."""
    from crm_xl.core.health.churn import _survey
    from crm_xl.core.kernel.columns import parsed_take

    cells = ["满意度调查", None, "拜访", "满意度调查", "电话"]
    rows = [{"customer": f"客户{i}", "date": dt.datetime(2024, 3, 1), "content": v} for i, v in enumerate(cells)]
    ctx = make_context(make_book({"customers": [{"customer": "客户0"}], "followups": rows}), TODAY)
    raw = ctx.frames.data("followups")["content"]
    for pick in ([3, 1, 0], [], [0, 0, 2]):
        want = _survey(raw.iloc[pick]).to_numpy()
        taken = parsed_take(ctx.frames, "followups", "content", _survey, np.array(pick, dtype=np.int64))
        assert taken.dtype == want.dtype == bool
        assert taken.tolist() == want.tolist()


@pytest.mark.parametrize("contents", [["感谢支持", "check", "产品培训", None, "满意度回访"],
                                      ["感谢支持", "check", None, 7, "满意度回访"]])
@pytest.mark.parametrize("methods", [["电话", "微信", None, "拜访", "in person"], ["电话", 3, None, True]])
def test_step_marks_match_each_row(contents: list[Any], methods: list[Any]) -> None:
    """Text-only cells take the per-(content, method) path, other cells the per-row one: the same marks."""
    from crm_xl.core.followups.rules import CALL_PATTERN, STEP_PATTERNS, STEPS, _step_marks

    rows = [{"customer": "甲公司", "date": dt.datetime(2024, 3, 1), "content": c, "method": m}
            for c in contents for m in methods]
    ctx = make_context(make_book({"customers": [{"customer": "甲公司"}], "followups": rows}), TODAY)
    marks = _step_marks(ctx.frames)
    raw = ctx.frames.data("followups")
    for row, c, m in zip(raw.index, raw["content"], raw["method"], strict=True):
        c, m = "" if c is None else str(c), "" if m is None else str(m)
        for step in STEPS:
            assert marks.loc[row, step] == bool(pd.Series([f"{c} {m}"]).str.contains(STEP_PATTERNS[step], case=False)[0])
        assert marks.loc[row, "call"] == bool(pd.Series([m]).str.contains(CALL_PATTERN, case=False)[0])


def test_the_jobs_of_a_run_share_the_books_cache() -> None:
    """One RunCache per Book: every Context of the Book memoises into it; plain Frames keep nothing."""
    book = make_book(workbook())
    calls, compute = counting()
    reads = {"customers": ("customer",)}
    for _ in range(2):
        ctx = make_context(book, TODAY)
        assert ctx.cache is book.cache and ctx.frames.cache is book.cache
        memo(ctx.frames, reads, ("shared",), compute)
    assert len(calls) == 1
    memo(book.frames(), reads, ("shared",), compute)  # no cache: computed
    assert len(calls) == 2
    book.forget_frames()  # the frames are read again: so is everything derived from them
    memo(make_context(book, TODAY).frames, reads, ("shared",), compute)
    assert len(calls) == 3
