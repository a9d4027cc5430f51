"""Validate every row of every data sheet: the `check` column, the Issues sheet and a summary.

The rules (stable codes, severities, messages) are listed in `crm_xl/core/validation/rules.py`.
Validation only writes the computed `check` column and the Issues sheet; user cells are never changed.
"""

from __future__ import annotations

import pandas as pd

from ...model.format import date_text
from ...model.result import JobResult
from ..context import Context
from .checks import Checker
from .report import check_columns, issues_frame, issues_sheet, summary


def find_issues(ctx: Context) -> pd.DataFrame:
    """Every problem, one row each: sheet (key), row (Excel row), col (sheet column), key (column key),
    rule, severity, value (the raw cell), message — sorted by sheet, row, column."""
    checker = Checker(ctx)
    for frame in ctx.frames.present():
        checker.cells(frame)
    checker.rows()
    return issues_frame(checker.records)


def validate(ctx: Context) -> JobResult:
    """Check every row; the JobResult writes `check` on each data sheet and rebuilds the Issues sheet."""
    issues = find_issues(ctx)
    notes = ctx.settings.notes  # Settings labels not understood: warnings of the Settings sheet
    result_summary = summary(issues, ctx.frames, ctx.lang, notes)
    sheet = issues_sheet(issues, ctx.frames, ctx.lang, date_text(ctx.today), result_summary.headline,
                         ctx.settings.issues_per_rule, notes)
    return JobResult(summary=result_summary, columns=check_columns(issues, ctx.frames, ctx.lang),
                     sheets=[sheet])


__all__ = ["validate", "find_issues"]
