"""What a job returns: the cells to write, the rows to append, the sheets to build, and a summary."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .layout import SheetLayout


@dataclass
class Summary:
    """A job's outcome for people (CLI, message box) and machines (`--json`)."""

    job: str
    headline: str
    counts: dict[str, Any] = field(default_factory=dict)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    lang: str = "zh-Hans"  # the language it is written in: the workbook's (set by jobs.run_job)

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "headline": self.headline,
            "errors": self.errors,
            "warnings": self.warnings,
            "counts": _jsonable(self.counts),
            "tables": {title: _jsonable(df.to_dict(orient="records")) for title, df in self.tables},
        }


@dataclass
class JobResult:
    """Everything a job changes, for a Book to apply.

    columns: sheet key → column key → values indexed by Excel row (computed columns, `check`);
    appends: sheet key → rows to append, with canonical column keys (e.g. the tier log);
    sheets: generated sheets to (re)build; drop_sheets: generated sheets to remove.
    """

    summary: Summary
    columns: dict[str, dict[str, pd.Series]] = field(default_factory=dict)
    appends: dict[str, pd.DataFrame] = field(default_factory=dict)
    sheets: list[SheetLayout] = field(default_factory=list)
    drop_sheets: list[str] = field(default_factory=list)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if value is pd.NaT or value is pd.NA:
        return None
    return value
