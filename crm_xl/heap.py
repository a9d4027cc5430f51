"""Freed memory handed back to the operating system between the phases of a run.

A run allocates and frees hundreds of megabytes of short-lived objects (row chunks while reading,
temporary arrays in the jobs, XML pieces while saving). glibc keeps freed heap pages mapped for reuse,
so the process's resident size only ever grows: each phase's garbage adds to the peak of the next.
`trim()` asks glibc to return its free pages (`malloc_trim(0)`, a few milliseconds); on other C
libraries and systems (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
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


__all__ = ["trim"]
