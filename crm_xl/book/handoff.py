"""Quicker GIL hand-offs while crm-xl's helper threads work.

The file engine keeps a second core busy with threads that spend most of their time outside the GIL:
calamine parsing a sheet, numpy looking for error and formula cells, zlib inflating and deflating parts.
Each time one of them comes back from such a call it needs the GIL for a moment, and the main thread,
busy building values or XML, hands it over only every `sys.getswitchinterval()` seconds (5 ms by
default). With a hundred such returns per sheet, the helper threads spend more time waiting than
working. A 1 ms interval lets them through; the main thread loses little, since it is asked only when
another thread is waiting.

`QUICK` is the interval; `quick()` sets it for a block (and restores the one before), the CLI sets it
for its whole process.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

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


__all__ = ["QUICK", "quick"]
