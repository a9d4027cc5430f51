"""What every core function is given: the data sheets, the rules in force, today, the language and the
run's parse-once cache."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..model.frame import Frames
from ..model.i18n import Lang
from ..model.settings import Settings
from .kernel.memo import RunCache, bind


@dataclass
class Context:
    """Inputs of a job. `month` (YYYY-MM) is for the review; `history` holds the review history table
    already in the workbook (one row per month reviewed), if any; `review_grid` the cells of the month's
    review sheet about to be rebuilt, if any (the review keeps what the team typed in its plan block);
    `extra` carries anything else a job reads from the workbook. `cache` holds what the jobs of one run parse once (one per Book, so that the
    jobs of a run share it); `frames` are bound to it (see core/kernel/memo.py)."""

    frames: Frames
    settings: Settings
    today: dt.date
    lang: Lang
    month: str | None = None
    history: pd.DataFrame | None = None
    review_grid: list[list[Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    cache: RunCache = field(default_factory=RunCache, repr=False)

    def __post_init__(self) -> None:
        self.frames = bind(self.frames, self.cache)
