"""撞单 (two reps, one customer: core/merge/clash.py) as Today items on the manager's block: Settings
`撞单主管` (clash_manager) names the manager, else the block is headed 主管 / Manager. One item per clash, on
the row of the customer who keeps it (the earlier row when the manager decides), due today, with both owners,
their first contacts, last follow-ups and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..merge.clash import clash_text, clashes
from .churntasks import TASK_COLUMNS
from .words import words


def clash_tasks(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The clashes as items: TASK_COLUMNS plus `owner` (the manager), indexed by Customers row."""
    found = clashes(ctx.frames, ctx.settings)
    if found.empty:
        return pd.DataFrame(columns=[*TASK_COLUMNS, "owner"], index=st.index[:0])
    rows = np.where(found["keeper"] == "b", found["row_b"], found["row_a"])
    manager = ctx.settings.clash_manager.strip() or words(ctx.lang)["manager"]
    text = [clash_text(c, ctx.settings.clash_rule, ctx.lang) for c in found.to_dict("records")]
    return pd.DataFrame({"code": "clash", "text": text, "next_due": pd.Timestamp(ctx.today), "overdue_days": 0.0,
                         "owner": manager}, index=pd.Index(rows, name=st.index.name), columns=[*TASK_COLUMNS, "owner"])
