"""Reading the tier log: order, prev tier, the logged tier as of a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm_xl.core.names import customer_key
from crm_xl.core.tierlog import logged_tier_on, tier_history


def log(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer", "tier", "reason", "date", "owner"], dtype=object)
    df.index = pd.Index(range(2, 2 + len(df)), name="row")  # Excel rows
    return df


LOG = log([
    ("科技有限公司", "A", "需求明确,预算已审批", "2024-03-01", "小王"),
    ("YY贸易集团", "B", "技术部评估中", dt.datetime(2024, 3, 2, 10, 0), "小李"),
    ("ZZ文化传媒", "C", "暂无明确需求", "2024/3/1", "小张"),
    ("YY 贸易集团", "A", "B → A：…", "2024-03-20", "小李"),
    ("科技有限公司", "B", "undated", None, "小王"),
    ("", "A", "no customer", "2024-03-01", None),
    ("ZZ文化传媒", "Z", "bad tier", "2024-03-05", None),
])


def test_tier_history_order_and_prev() -> None:
    hist = tier_history(LOG)
    assert hist[["customer", "tier", "prev", "row"]].values.tolist() == [
        ["科技有限公司", "B", None, 6],  # undated = oldest
        ["科技有限公司", "A", "B", 2],
        ["ZZ文化传媒", "C", None, 4],
        ["YY贸易集团", "B", None, 3],
        ["YY 贸易集团", "A", "B", 5],
    ]
    assert hist["date"].tolist()[1:] == [dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 2),
                                         dt.date(2024, 3, 20)]


def test_logged_tier_on() -> None:
    assert logged_tier_on(LOG)["tier"].to_dict() == {"科技有限公司": "A", "zz文化传媒": "C", "yy贸易集团": "A"}
    on = logged_tier_on(LOG, dt.date(2024, 3, 15))
    assert on["tier"].to_dict() == {"科技有限公司": "A", "zz文化传媒": "C", "yy贸易集团": "B"}
    assert on.loc[customer_key("YY 贸易集团"), "row"] == 3
    assert logged_tier_on(LOG, dt.date(2024, 2, 1))["tier"].to_dict() == {"科技有限公司": "B"}


def test_empty_log() -> None:
    empty = pd.DataFrame(columns=["customer", "tier", "reason", "date", "owner"], dtype=object)
    assert tier_history(empty).empty
    assert logged_tier_on(empty, dt.date(2024, 3, 1)).empty
