"""The stale job: follow-up columns on Customers (rules.py), the Today sheet and the counts (today.py)."""

from __future__ import annotations

from ...model.result import JobResult
from ..context import Context
from .today import stale_result


def flag_stale(ctx: Context) -> JobResult:
    """The stale job: follow-up columns on Customers, the Today sheet, counts by status and owner."""
    return stale_result(ctx)


__all__ = ["flag_stale"]
