"""The service records (optional sheets 投诉记录 / Complaints and 满意度调研 / Surveys, and an NPS score column
on follow-ups), parsed once per run for the stale, health and review jobs.

A workbook without them gives empty tables here, and every job then works as it did without them.

* A complaint is open as of a moment while its 解决时间 (solved) is blank or later.
* A survey is a dated row of the survey sheet, or a follow-up with an NPS score; its score is the 0–10
  likelihood to recommend: 9–10 a promoter, 7–8 a passive, 0–6 a detractor. A customer's NPS from its latest
  scored survey is that one answer's NPS: +100 (promoter), 0 (passive), −100 (detractor).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...model.frame import Frames
from ...model.schema import SCORE
from ...model.settings import Settings
from . import vectors
from .columns import parsed
from .memo import memo
from .vectors import NS

COMPLAINT_TIMES = ("complained", "confirmed", "first_solution", "solved")
SCORE_NPS = {"promoter": 100, "passive": 0, "detractor": -100}


def has_complaints(frames: Frames) -> bool:
    return frames.complaints is not None


def has_surveys(frames: Frames) -> bool:
    """Whether the workbook records surveys: a survey sheet, or an NPS score column on follow-ups."""
    return frames.surveys is not None or (frames.followups is not None and frames.followups.has("nps_score"))


_COMPLAINTS = {"complaints": ("customer", "owner", *COMPLAINT_TIMES, "root_cause")}
_SURVEYS = {"surveys": ("customer", "date", "score"), "followups": ("customer", "date", "nps_score")}


def complaints(frames: Frames) -> pd.DataFrame:
    """One row per complaint naming a customer and with a readable complaint time, indexed by its Excel row:
    key (customer key), owner (the complaint's 负责人, '' when blank), the four times (datetime64[ns] with the
    time of day; NaT when blank or unreadable) and root_cause (text, '' when blank). Empty without the sheet.
    Worked out once per run (the stale, health and review jobs each ask)."""
    return memo(frames, _COMPLAINTS, ("complaints",), lambda: _complaints(frames))


def _complaints(frames: Frames) -> pd.DataFrame:
    cols = ["key", "owner", *COMPLAINT_TIMES, "root_cause"]
    if frames.complaints is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = pd.DataFrame({"key": parsed(frames, "complaints", "customer", "key"),
                        "owner": parsed(frames, "complaints", "owner", "text"),
                        **{c: parsed(frames, "complaints", c, "when").astype(NS) for c in COMPLAINT_TIMES},
                        "root_cause": parsed(frames, "complaints", "root_cause", "text")})
    return out[(out["key"] != "") & out["complained"].notna()][cols]


def limits(settings: Settings) -> dict[str, pd.Timedelta]:
    """How long after a complaint each pending step may take (Settings): confirmed, first_solution."""
    return {"confirmed": pd.Timedelta(minutes=settings.complaint_confirm_minutes),
            "first_solution": pd.Timedelta(hours=settings.complaint_solution_hours)}


def open_at(table: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    """Per complaint of `complaints()`: lodged by `moment` and not solved by then."""
    return (table["complained"] <= moment) & ~(table["solved"] <= moment)


def surveys(frames: Frames, upto: pd.Timestamp) -> pd.DataFrame:
    """Every survey dated on or before `upto` (a day), oldest first: key, day (datetime64[ns]), score (0–10,
    NaN when not given or unreadable). From the survey sheet and the follow-ups' NPS score column; the table
    of all of them is worked out once per run (the stale, health and review jobs each ask, as of their days)."""
    table = memo(frames, _SURVEYS, ("surveys",), lambda: _surveys(frames), copy=False)  # (only selected from)
    return table[table["day"] <= upto].reset_index(drop=True)


def _surveys(frames: Frames) -> pd.DataFrame:
    parts = []
    if frames.surveys is not None:
        parts.append(pd.DataFrame({"key": parsed(frames, "surveys", "customer", "key"),
                                   "day": parsed(frames, "surveys", "date", "day").astype(NS),
                                   "score": _scores(parsed(frames, "surveys", "score", "int"))}))
    if frames.followups is not None and frames.followups.has("nps_score"):
        score = _scores(parsed(frames, "followups", "nps_score", "int"))
        part = pd.DataFrame({"key": parsed(frames, "followups", "customer", "key"),
                             "day": parsed(frames, "followups", "date", "day").astype(NS), "score": score})
        parts.append(part[part["score"].notna()])  # (a follow-up is a survey when it has a score)
    if not parts:
        return pd.DataFrame({"key": pd.Series(dtype=object), "day": pd.Series(dtype=NS),
                             "score": pd.Series(dtype=float)})
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    out = out[(out["key"] != "") & out["day"].notna()]
    return out.sort_values("day", kind="stable").reset_index(drop=True)


def _scores(values: pd.Series) -> pd.Series:
    """A 0–10 score per cell (NaN outside 0…10 or unreadable: validation reports it)."""
    nums = pd.to_numeric(values, errors="coerce").astype(float)
    return nums.where(nums.between(*SCORE))


def last_survey_day(frames: Frames, upto: pd.Timestamp) -> pd.Series:
    """Per customer key, the day of its latest survey on or before `upto` (scored or not)."""
    table = surveys(frames, upto)
    return table.groupby("key")["day"].max()


def survey_nps(frames: Frames, upto: pd.Timestamp) -> pd.Series:
    """Per customer key with a scored survey on or before `upto`: the NPS of its latest scored survey
    (+100 / 0 / −100, see the module's docstring)."""
    table = surveys(frames, upto)
    scored = table[table["score"].notna()]
    latest = scored.groupby("key")["score"].last()  # (oldest first: the last is the latest; a tie: the lower row)
    return latest.map(lambda s: SCORE_NPS[score_group(s)]).astype(float)


def score_group(score: float) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def surveyed_since(frames: Frames, keys: pd.Series, since: pd.Series, upto: pd.Timestamp) -> np.ndarray:
    """Per row of `keys`: its customer's latest survey on or after the row's `since` day (NaT: none) and on or
    before `upto`."""
    table = surveys(frames, upto)
    rows = pd.DataFrame({"key": keys.to_numpy(), "since": since.to_numpy(dtype=NS)}).drop_duplicates("key")
    table = table.merge(rows, on="key")
    latest = table[table["day"] >= table["since"]].groupby("key")["day"].max()
    return vectors.days_of(keys, latest).to_numpy(dtype=NS)


__all__ = ["complaints", "limits", "open_at", "surveys", "last_survey_day", "survey_nps", "score_group", "has_complaints",
           "has_surveys", "surveyed_since", "COMPLAINT_TIMES", "SCORE_NPS"]
