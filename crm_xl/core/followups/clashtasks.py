"""撞单 (two reps, one customer: core/merge/clash.py) as Today items on a manager's block: the customer's 主管
/ Manager cell (the keeper's row first, then the other's), else Settings `撞单主管` (clash_manager), else a
block headed 主管 / Manager. One item per clash, on the row of the customer who keeps it (the earlier row
when the manager decides), due today, with both owners, their first contacts, last follow-ups and the
verdict."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...model.parse import is_blank
from ..context import Context
from ..merge.clash import clash_text, clashes
from .churntasks import TASK_COLUMNS
from .words import words


def clash_tasks(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The clashes as items: TASK_COLUMNS plus `owner` (the manager), indexed by Customers row."""
    found = clashes(ctx.frames, ctx.settings)
    if found.empty:
        return pd.DataFrame(columns=[*TASK_COLUMNS, "owner"], index=st.index[:0])
    data = ctx.frames.customers.data
    fallback = ctx.settings.clash_manager.strip() or words(ctx.lang)["manager"]
    records = found.to_dict("records")
    rows = [c["row_b"] if c["keeper"] == "b" else c["row_a"] for c in records]
    managers = [_manager(data, c, fallback) for c in records]
    text = [clash_text(c, ctx.settings.clash_rule, ctx.lang) for c in records]
    return pd.DataFrame({"code": "clash", "text": text, "next_due": pd.Timestamp(ctx.today), "overdue_days": 0.0,
                         "owner": managers}, index=pd.Index(rows, name=st.index.name), columns=[*TASK_COLUMNS, "owner"])


def _manager(data: pd.DataFrame, clash: dict[str, Any], fallback: str) -> str:
    """The 主管 of the keeper's row, else of the other row, else `fallback`."""
    if "manager" in data.columns:
        order = ("b", "a") if clash["keeper"] == "b" else ("a", "b")
        for tag in order:
            value = data.at[clash[f"row_{tag}"], "manager"]
            if not is_blank(value):
                return str(value).strip()
    return fallback
