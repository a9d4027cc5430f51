"""The cyclic garbage collector paused while a job's core runs.

A run holds every cell of the workbook as Python objects; each full collection rescans them (about 0.1 s
on a 100,000-row sheet) and the core's many short-lived pandas objects trigger several per run. The core
makes no reference cycles worth collecting (its garbage is freed by reference counting), so the collector
is paused for the duration of a core function (the file engine does the same while it reads and saves).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def without_gc(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` run with the cyclic GC paused (and resumed after, if it was on)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return run


__all__ = ["without_gc"]
