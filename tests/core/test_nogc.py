"""The cyclic GC is paused while a core function runs, and left as it was after."""

from __future__ import annotations

import gc

import pytest

from crm_xl.core.nogc import without_gc


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


def test_the_core_jobs_are_wrapped() -> None:
    from crm_xl.jobs import RUN_ORDER, core_function

    assert all(getattr(core_function(job), "__wrapped__", None) is not None for job in RUN_ORDER)
