"""layout._column_width: the pruned search gives the widest value's width, as measuring every value does."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.model.layout import _column_width, _width

CELLS = st.one_of(
    st.none(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=False), st.booleans(),
    st.text(alphabet=st.sampled_from("ab 1\n甲乙公司，、é😀"), max_size=40), st.dates().map(lambda d: d),
    st.just(dt.datetime(2024, 3, 1, 9, 30)), st.lists(st.integers(0, 9), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(CELLS, max_size=30))
def test_column_width_is_the_widest_value(values: list[object]) -> None:
    assert _column_width(values) == max((_width(v) for v in values), default=0)


def test_column_width_caps_long_texts() -> None:
    assert _column_width(["甲" * 100, "a", None]) == 60
    assert _column_width(["abc", "甲乙", 1.5]) == max(_width("abc"), _width("甲乙"), _width(1.5))
