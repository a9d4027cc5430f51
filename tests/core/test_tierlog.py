"""Reading the tier log: order, prev tier, the logged tier as of a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.core.kernel.names import customer_key
from crm_xl.core.kernel.tierlog import logged_tier_on, tier_history
from crm_xl.core.kernel.vectors import stamps


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


def _reference_history(tierlog: pd.DataFrame) -> pd.DataFrame:
    """tier_history as first written (pandas sort and groupby shift): the oracle of the lexsort version."""
    from crm_xl.core.kernel.cells import map_distinct
    from crm_xl.core.kernel.names import customer_keys
    from crm_xl.core.kernel.tierlog import HISTORY_COLUMNS
    from crm_xl.model.parse import parse_date
    from crm_xl.model.schema import TIER

    if tierlog.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})
    df = pd.DataFrame({
        "key": customer_keys(tierlog["customer"]).to_numpy(), "customer": tierlog["customer"].to_numpy(),
        "tier": map_distinct(tierlog["tier"], TIER.parse).to_numpy(),
        "date": map_distinct(tierlog["date"], parse_date).to_numpy(), "reason": tierlog["reason"].to_numpy(),
        "owner": tierlog["owner"].to_numpy(), "row": tierlog.index.to_numpy(),
    }, dtype=object).astype({"row": "int64"})
    df = df[(df["key"] != "") & df["tier"].notna()]
    stamp = stamps(df["date"])  # (pd.to_datetime as pandas 2 gave it: year 1 is undated)
    df = df.assign(_undated=stamp.isna(), _stamp=stamp)
    df = df.sort_values(["_undated", "_stamp", "row"], ascending=[False, True, True], kind="stable")
    df["prev"] = df.groupby("key", sort=False)["tier"].shift()
    df["prev"] = df["prev"].astype(object).where(df["prev"].notna(), None)
    return df[HISTORY_COLUMNS].reset_index(drop=True)


_ROW = st.tuples(
    st.sampled_from(["甲公司", "甲 公司", "乙公司", "", None, "丙"]), st.sampled_from(["A", "B", "C", "Z", None, "b"]),
    st.sampled_from(["r1", None]),
    st.sampled_from(["2024-03-01", "2024/3/2", dt.datetime(2024, 3, 1, 9), dt.date(2024, 3, 1), None, "bad",
                     dt.date(1, 1, 1), dt.date(2024, 2, 29)]),
    st.sampled_from(["小王", None]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROW, max_size=15), st.randoms())
def test_tier_history_equals_the_reference(rows: list[tuple], rnd) -> None:
    df = log(rows)
    order = list(range(len(df)))
    rnd.shuffle(order)
    df = df.iloc[order]  # sheet rows not in order
    hist = _reference_history(df)
    pd.testing.assert_frame_equal(tier_history(df), hist)
    for on in (None, dt.date(2024, 3, 1), dt.date(2024, 2, 1)):
        want = hist
        if on is not None and len(hist):
            dated = stamps(hist["date"])
            want = hist[dated.isna() | (dated <= pd.Timestamp(on))]
        want = want.drop_duplicates("key", keep="last").set_index("key")
        pd.testing.assert_frame_equal(logged_tier_on(df, on), want)


def test_tiers_on_takes_the_column_then_the_log_then_c() -> None:
    from conftest import make_book

    from crm_xl.core.kernel.columns import parsed
    from crm_xl.core.kernel.tierlog import tiers_on

    book = make_book({
        "customers": [{"customer": "甲公司", "tier": "A"}, {"customer": "乙公司"}, {"customer": "丙公司"},
                      {"customer": "丁公司", "tier": "B"}],
        "tierlog": [{"customer": "乙公司", "tier": "B", "date": "2024-03-01"},
                    {"customer": "乙 公司", "tier": "A", "date": "2024-03-10"},
                    {"customer": "甲公司", "tier": "C", "date": "2024-03-01"}],
    })
    frames = book.frames()
    keys = parsed(frames, "customers", "customer", "key")
    assert tiers_on(frames, keys, dt.date(2024, 3, 5)).tolist() == ["A", "B", "C", "B"]
    assert tiers_on(frames, keys, dt.date(2024, 3, 15)).tolist() == ["A", "A", "C", "B"]
    assert tiers_on(frames, keys, dt.date(2024, 2, 1)).tolist() == ["A", "C", "C", "B"]


def test_history_keeps_the_cells_as_objects() -> None:
    """The tier log's frames hold object columns, as the sheet's cells are: a first row's prev stays None
    (pandas 3 infers `str` from text, which makes it NaN), and their keys meet the other sheets' object keys
    in the review's and the tier goals' `merge_asof` (which refuses `str` keys against object ones)."""
    from conftest import make_book

    from crm_xl.core.kernel.tierlog import HISTORY_COLUMNS, current_stints, logged_tiers, stints

    hist = tier_history(LOG)
    assert hist.dtypes.to_dict() == {**{c: object for c in HISTORY_COLUMNS}, "row": "int64"}
    assert hist["prev"].tolist()[0] is None
    frames = make_book({"customers": [{"customer": "甲公司"}],
                        "tierlog": [{"customer": "甲公司", "tier": "B", "date": "2024-03-01"},
                                    {"customer": "甲公司", "tier": "A", "date": "2024-03-05"}]}).frames()
    runs = stints(frames)
    assert runs[["key", "tier"]].dtypes.tolist() == [object, object]
    assert runs["start"].dtype == "datetime64[ns]" and runs["end"].tolist()[1] is pd.NaT
    now = current_stints(frames, dt.date(2024, 3, 10))
    assert (now.index.dtype, now["tier"].dtype, now.loc["甲公司", "tier"]) == (object, object, "A")
    logged = logged_tiers(frames, dt.date(2024, 3, 10))
    assert (logged.index.dtype, logged.dtype) == (object, object)
