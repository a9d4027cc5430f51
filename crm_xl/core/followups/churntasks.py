"""Churn warnings as tasks (the playbook: a high-risk customer triggers a warning task): each won account at
high or medium churn risk (core/health, the same rules as 流失风险) is a Today item for its owner, with the
suggested step, until a follow-up dated on or after the warning's day is logged.

Rules (Settings: `churn_task_days` 7; the risk's own thresholds are those of the health job):

* The warning's day is derived from the data, nothing is stored: the day the latest of the account's dated
  signals first held — high risk: the last conversion + `churn_no_conversion_days` + 1; no contact: the
  last contact (follow-up or conversion) + ⌊`churn_gap_factor` × `cadence_won`⌋ + 1; survey missed: the last
  survey (or conversion) + `survey_days` + 1; a complaint: the day after its follow-up, or after its 投诉时间
  on a complaints sheet (the complaint is the trigger, not the answer to it). When only undated signals
  fired (NPS, a 价格敏感 / 竞品对比中 tag, a falling amount), the day of the last conversion, else the first
  contact, else today (a warning nobody can date stays until the signal is gone).
* The task is open while no follow-up is dated on or after the warning's day (and up to today).
* Due: high risk on the warning's day; medium `churn_task_days` days after it (working days when Settings
  says so). Days late count like the follow-ups' (calendar or working days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..health.churn import _risk_texts, risk_label
from ..health.score import risk_parts
from ..kernel.columns import parsed
from ..kernel.vectors import NS
from .rules import add_days, days_late
from .words import words

TASK_COLUMNS = ["code", "text", "next_due", "overdue_days"]
_DATED = ("high", "gap", "survey", "service")


def churn_tasks(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The open churn warnings: one row per Customers row at high or medium risk (same index as `st`, a
    subset), columns code ('churn'), text (risk, suggested step, reasons), next_due, overdue_days."""
    s = ctx.settings
    day = pd.Timestamp(ctx.today)
    scored, parts = risk_parts(ctx)
    risky = (parts["high"] | parts["medium"]).to_numpy()
    if not risky.any():
        return pd.DataFrame(columns=TASK_COLUMNS, index=st.index[:0])
    at = scored[risky]
    nat = np.datetime64("NaT", "ns")
    conv = at["last_conversion"].to_numpy(dtype=NS)
    after = {"high": s.churn_no_conversion_days + 1, "gap": int(s.churn_gap_factor * s.cadence_won) + 1,
             "survey": s.survey_days + 1, "service": 1}
    since = {"high": conv, "gap": np.fmax(at["last_follow_up"].to_numpy(dtype=NS), conv),
             "survey": np.fmax(at["last_survey"].to_numpy(dtype=NS), conv),
             "service": at["last_complaint"].to_numpy(dtype=NS)}
    fired = {"high": parts["high"][risky], **{k: v[risky] for k, v in parts["fired"].items()}}
    dated = np.full(len(at), nat)
    for k in _DATED:
        crossed = since[k] + np.timedelta64(after[k], "D")
        dated = np.fmax(dated, np.where(fired[k].to_numpy(), crossed, nat))
    day64 = day.to_datetime64().astype(NS)
    undated = np.where(np.isnat(conv), parsed(ctx.frames, "customers", "first_contact", "day").reindex(at.index)
                       .to_numpy(dtype=NS), conv)
    undated = np.where(np.isnat(undated), day64, undated)
    warned = np.minimum(np.where(np.isnat(dated), undated, dated), day64)

    last = st["last_follow_up"].reindex(at.index).to_numpy(dtype=NS)
    keep = ~(last >= warned)
    at = at[keep].assign(tier=st["tier"].reindex(at.index[keep]))
    warned = pd.Series(warned[keep], index=at.index, dtype=NS)
    if at.empty:
        return pd.DataFrame(columns=TASK_COLUMNS, index=st.index[:0])
    # the texts of the open warnings only (the health job's reasons and next steps)
    signals = {k: v[keep] for k, v in fired.items() if k != "high"}
    _risk_texts(at, ctx, (fired["high"][keep], parts["medium"][risky][keep]), signals,
                parts["survey_late"][risky][keep], parts["gap_days"][risky][keep], cells=False)
    high = (at["risk"] == "high").to_numpy()
    due = warned.where(high, add_days(warned, s.churn_task_days, s.working_days))
    w = words(ctx.lang)
    text = [w["churn_item"].format(risk=risk_label(r, ctx.lang), step=step, reasons=why)
            for r, step, why in zip(at["risk"], at["next_step"], at["reasons"], strict=True)]
    return pd.DataFrame({"code": "churn", "text": pd.Series(text, index=at.index, dtype=object),
                         "next_due": due, "overdue_days": days_late(due, day, s.working_days)},
                        index=at.index, columns=TASK_COLUMNS)

