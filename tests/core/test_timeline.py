"""The follow-up timeline (crm_xl/core/timeline.py) and the follow-up state built on it, against plain pandas."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import make_ctx
from hypothesis import given, settings
from hypothesis import strategies as hs

from crm_xl.core.followups.rules import follow_state
from crm_xl.core.kernel.names import customer_key
from crm_xl.core.kernel.timeline import timeline

NAMES = ["甲公司", "乙公司", "丙公司", "甲 公司", "丁公司", ""]
DAY0 = dt.datetime(2024, 3, 1)
TODAY = dt.date(2024, 3, 12)

followups = hs.lists(hs.tuples(hs.sampled_from(NAMES), hs.one_of(hs.none(), hs.integers(0, 15 * 24 - 1)),
                               hs.sampled_from(["回访", "介绍产品"])), max_size=25)


def _book(rows: list[tuple[str, int | None, str]]) -> dict:
    return {
        "customers": [{"customer": n, "status": "跟进中", "owner": "小王"} for n in ("甲公司", "乙公司", "戊公司")],
        "followups": [{"customer": n, "date": None if h is None else DAY0 + dt.timedelta(hours=h), "content": c,
                       "feedback": f"第{i}条", "owner": "小王"} for i, (n, h, c) in enumerate(rows)],
    }


def _plain(rows: list[tuple[str, int | None, str]], today: dt.date) -> pd.DataFrame:
    """Each customer key's follow-ups up to `today` the plain way: latest feedback and day, 7-day counts."""
    fu = pd.DataFrame([(customer_key(n), DAY0 + dt.timedelta(hours=h), f"第{i}条", i)
                       for i, (n, h, _) in enumerate(rows) if h is not None and customer_key(n)],
                      columns=["key", "when", "feedback", "seq"])
    fu["day"] = pd.to_datetime(fu["when"]).dt.normalize()
    fu = fu[fu["day"] <= pd.Timestamp(today)].sort_values(["when", "seq"])
    recent = fu[fu["day"] > pd.Timestamp(today) - pd.Timedelta(days=7)]
    return pd.DataFrame({
        "last": fu.groupby("key")["day"].last(),
        "feedback": fu.groupby("key")["feedback"].last(),
        "week": recent.groupby("key").size(),
        "day_max": recent.groupby(["key", "day"]).size().groupby(level=0).max(),
    })


@settings(max_examples=150, deadline=None)
@given(followups, hs.integers(0, 16))
def test_state_equals_plain_pandas(rows: list[tuple[str, int | None, str]], offset: int) -> None:
    today = DAY0.date() + dt.timedelta(days=offset)
    ctx = make_ctx(_book(rows), today)
    st = follow_state(ctx.frames, ctx.settings, today)
    want = _plain(rows, today)
    for _, row in st.iterrows():
        key = row["key"]
        if key not in want.index:
            assert pd.isna(row["last_follow_up"]) and row["feedback"] == ""
            assert (row["week_count"], row["day_max"]) == (0, 0)
            continue
        w = want.loc[key]
        assert row["last_follow_up"] == w["last"] and row["feedback"] == w["feedback"]
        assert row["week_count"] == (0 if pd.isna(w["week"]) else w["week"])
        assert row["day_max"] == (0 if pd.isna(w["day_max"]) else w["day_max"])


@given(followups)
def test_timeline_is_ordered_and_latest_is_the_last_of_a_prefix(rows: list[tuple[str, int | None, str]]) -> None:
    ctx = make_ctx(_book(rows), TODAY)
    line = timeline(ctx.frames)
    assert (line.day[1:] >= line.day[:-1]).all()
    for n in range(len(line.day) + 1):
        last = line.latest(n)
        for code in range(line.size):
            seen = [i for i in range(n) if line.code[i] == code]
            assert last[code] == (seen[-1] if seen else -1)


@settings(max_examples=60, deadline=None)
@given(rows=followups, picks=hs.lists(hs.booleans(), min_size=25, max_size=25))
def test_the_latest_day_per_key_is_the_groupby_max(rows, picks):
    """`latest_day` over any subset of the timeline (e.g. the surveys) is a per-key max of its days."""
    import numpy as np

    ctx = make_ctx(_book(rows), today=TODAY)
    line = timeline(ctx.frames)
    chosen = np.array(picks[:len(line.day)], dtype=bool)
    got = line.latest_day(line.code[chosen], line.day[chosen])
    want = pd.Series(line.day[chosen]).groupby(line.code[chosen]).max()
    for number in range(line.size):
        expect = want.get(number, pd.NaT)
        assert (pd.isna(expect) and np.isnat(got[number])) or got[number] == np.datetime64(expect, "ns")
