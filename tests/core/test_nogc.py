"""The cyclic GC is paused while a core function runs, and left as it was after."""

from __future__ import annotations

import gc

import pytest

from crm_xl.runtime import without_gc


@pytest.mark.parametrize("before", [True, False])
def test_gc_paused_then_restored(before: bool) -> None:
    seen = []

    @without_gc
    def job(x: int) -> int:
        seen.append(gc.isenabled())
        if x < 0:
            raise ValueError(x)
        return x * 2

    was = gc.isenabled()
    try:
        gc.enable() if before else gc.disable()
        assert job(2) == 4
        assert gc.isenabled() is before
        with pytest.raises(ValueError):
            job(-1)
        assert gc.isenabled() is before
        assert seen == [False, False]
    finally:
        gc.enable() if was else gc.disable()


def test_jobs_run_the_core_with_the_gc_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core carries no tuning: jobs.run_job pauses the collector around a core function."""
    import sys

    from conftest import make_book

    from crm_xl import jobs
    from crm_xl.core.validation import job as validation

    seen = []
    real = validation.validate

    def spy(ctx):  # noqa: ANN001, ANN202
        seen.append(gc.isenabled())
        return real(ctx)

    monkeypatch.setattr(sys.modules["crm_xl.core.validation.job"], "validate", spy)
    book = make_book({"customers": [{"name": "甲公司", "contact": "张三"}]})
    was = gc.isenabled()
    gc.enable()
    try:
        jobs.run_job(book, "validate", today="2024-04-01")
        assert seen == [False] and gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()
