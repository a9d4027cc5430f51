"""columns.parsed: the per-distinct parsers run over the column's shared factorisation give what the
parser gives on the column itself (and validation sees the same distinct cells)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import make_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_xl.core.health.churn import _complaint, _survey
from crm_xl.core.kernel.columns import PARSERS, factorized, parsed
from crm_xl.core.validation.values import Values

CELLS = st.one_of(
    st.none(), st.sampled_from(["甲公司", " 甲 公司", "已成交", "Won", "A", "b", "2024-03-01", "65万", "40", "", "  "]),
    st.sampled_from(["季度回访", "客户投诉", "Survey sent", "complained"]),
    st.integers(-3, 3), st.booleans(), st.floats(allow_nan=True, allow_infinity=False, width=16),
    st.sampled_from([dt.datetime(2024, 3, 1, 9), dt.date(2024, 3, 1), dt.datetime(2024, 3, 1)]),
)
COLS = {"customer": "key", "status": "status", "tier": "tier", "lost_on": "date", "nps": "int", "owner": "text",
        "first_contact": "day", "entered_on": "when", "notes": "text"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: CELLS for k in COLS}), min_size=1, max_size=8))
def test_parsed_equals_the_parser_on_the_column(rows: list[dict[str, object]]) -> None:
    frames = make_book({"customers": rows}).frames()
    data = frames.data("customers")
    for col, how in COLS.items():
        got, want = parsed(frames, "customers", col, how), PARSERS[how](data[col])
        assert got.index.equals(want.index) and got.dtype == want.dtype
        assert [repr(v) for v in got] == [repr(v) for v in want], (col, how)
    for fn in (_survey, _complaint):  # registered with columns.per_cell by health.py
        got, want = parsed(frames, "customers", "notes", fn), fn(data["notes"])
        assert got.dtype == want.dtype == bool and got.equals(want)


def test_validation_values_share_the_factorisation() -> None:
    frames = make_book({"customers": [{"customer": "甲"}, {"customer": None, "owner": "小王"}, {"customer": "甲"}]}).frames()
    cells = frames.data("customers")["customer"]
    shared, own = Values(cells, factorized(frames, "customers", "customer")), Values(cells)
    assert shared.uniques == own.uniques and list(shared.codes) == list(own.codes)
    assert list(pd.Series(shared.codes)) == [0, 1, 0]
