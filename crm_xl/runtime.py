"""How a run is tuned to the machine, in one place: the only module that knows about the garbage collector,
the C heap, the GIL's switch interval or reading ahead. Imported by jobs, merging, book/files and the shells; the
core and the model never tune anything.

- `trim()`: freed memory handed back to the operating system between the phases of a run. A run allocates
  and frees hundreds of megabytes of short-lived objects (row chunks while reading, temporary arrays in
  the jobs, XML pieces while saving); glibc keeps freed heap pages mapped for reuse, so the resident size
  only grows. `malloc_trim(0)` returns them (a few milliseconds); elsewhere (macOS, Windows, musl) a no-op.
  `trim_after(cells)`: the same after reading a sheet, unless the sheet is too small to be worth it.
- `without_gc(fn)`: the cyclic garbage collector paused while `fn` runs. A run holds every cell as Python
  objects; each full collection rescans them (about 0.1 s on a 100,000-row sheet), and the core makes no
  reference cycles worth collecting. jobs.py runs every core job and every recording of its changes so.
- `quick()` / `QUICK`: quicker GIL hand-offs while the file engine's helper threads (calamine parsing,
  numpy scans, zlib) work outside the GIL: they need it back for a moment after each call, and the main
  thread hands it over only every `sys.getswitchinterval()` (5 ms by default); 1 ms lets them through.
- `start_reading(path)`: the workbook checked and its sheets parsed ahead on a second core, so the parse
  overlaps importing pandas and the core (the CLI calls it before those imports); `start_reading_all(paths)`
  does the same for the first reps' workbooks of `crm-xl merge`.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None  # macOS, Windows, and Pyodide (emscripten) in the Lite edition
    import ctypes

    try:
        fn = ctypes.CDLL(None).malloc_trim  # glibc; musl has no malloc_trim
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


_TRIM = _malloc_trim()


def trim() -> bool:
    """Return free heap pages to the system; whether anything was returned."""
    return bool(_TRIM(0)) if _TRIM is not None else False


TRIM_CELLS = 200_000  # a sheet read with fewer cells frees too little to give back (a merge reads 100 such)


def trim_after(cells: int) -> bool:
    """`trim()` after reading a sheet of `cells` cells, when it is big enough to be worth it."""
    return trim() if cells >= TRIM_CELLS else False


P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic GC paused in this block (and resumed after, if it was on)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def without_gc(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` run with the cyclic GC paused (and resumed after, if it was on)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with paused_gc():
            return fn(*args, **kwargs)

    return run


QUICK = 0.001  # seconds


@contextmanager
def quick() -> Iterator[None]:
    """Hand the GIL over within QUICK seconds in this block (never slower than it already is)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, QUICK))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def start_reading(path: Path, out: Path | None = None, *, hand_off: bool = False) -> None:
    """Check `path` (and `out`) as a workbook crm-xl can use, then start parsing its sheets on a second
    core. Raises WorkbookFileError (nothing read) when a check fails. `hand_off`: this whole process hands
    the GIL over within QUICK seconds from now on (the CLI's job commands)."""
    from .book.xlsx import loader
    from .book.xlsx.safety import check_out, check_readable

    check_readable(path)
    if out is not None:
        check_out(path, out)
    if hand_off:
        sys.setswitchinterval(QUICK)
    loader.start(path)


AHEAD = 8  # reps' workbooks `crm-xl merge` starts parsing before its imports (what a second core parses meanwhile)
WINDOW = 2  # reps' workbooks `merge` keeps parsing ahead, on threads of their own, while it reads one


def start_reading_all(paths: list[Path], *, hand_off: bool = False) -> None:
    """Start parsing each of `paths` that passes the checks, each on a thread of its own (the reps' workbooks of
    `crm-xl merge`); a FileBook opened on one takes its sheets from there. A file that fails the checks is
    skipped: the merge reports it. `hand_off`: this whole process hands the GIL over within QUICK seconds from
    now on (the CLI)."""
    from .book.xlsx import loader
    from .book.xlsx.safety import check_readable
    from .model.errors import WorkbookFileError

    if hand_off:
        sys.setswitchinterval(QUICK)
    for path in paths:
        try:
            check_readable(path)
        except WorkbookFileError:
            continue
        loader.start(path, batch=True)


def stop_reading_all() -> None:
    """Stop what `start_reading_all` started and no reading has taken (a merge that stopped early)."""
    from .book.xlsx import loader

    loader.stop_batch()


__all__ = ["AHEAD", "WINDOW", "QUICK", "paused_gc", "quick", "start_reading", "start_reading_all",
           "stop_reading_all", "trim", "trim_after", "without_gc"]
