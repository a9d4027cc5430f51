"""Cell parsers: the forms teams type, and garbage that must give None (never raise)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_xl.model import parse

D = dt.date


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-01", D(2024, 3, 1)),
        ("2024/3/1", D(2024, 3, 1)),
        ("2024.3.1", D(2024, 3, 1)),
        ("2024年3月1日", D(2024, 3, 1)),
        ("2024年3月1号", D(2024, 3, 1)),
        ("２０２４－０３－０１", D(2024, 3, 1)),  # full-width digits
        ("2024-03-01 14:30", D(2024, 3, 1)),
        ("2024-03-01T14:30:05", D(2024, 3, 1)),
        (45352, D(2024, 3, 1)),  # Excel serial
        (45352.75, D(2024, 3, 1)),
        ("45352", D(2024, 3, 1)),
        (dt.datetime(2024, 3, 1, 9, 0), D(2024, 3, 1)),
        (D(2024, 2, 29), D(2024, 2, 29)),
        ("2024-02-29", D(2024, 2, 29)),
        ("2023-02-29", None),  # not a leap year
        ("2024-13-01", None),
        ("3月1日", None),  # no year: ambiguous
        ("yesterday", None),
        ("#N/A", None),
        ("", None),
        (None, None),
        (True, None),
        (-5, None),
        (float("nan"), None),
        (1e12, None),
    ],
)
def test_parse_date(cell, expected):
    assert parse.parse_date(cell) == expected


def test_has_time():
    assert parse.has_time("2024-03-01 14:30")
    assert parse.has_time(45352.5)
    assert not parse.has_time("2024-03-01")
    assert not parse.has_time(dt.date(2024, 3, 1))
    assert not parse.has_time("garbage")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("65万", 650_000),
        ("65萬", 650_000),
        ("6.5w", 65_000),
        ("6.5W", 65_000),
        ("650k", 650_000),
        ("¥650,000", 650_000),
        ("￥650,000元", 650_000),
        ("650000", 650_000),
        (650000, 650_000),
        (650000.5, 650_000.5),
        ("RMB 12,000", 12_000),
        ("１２万", 120_000),
        ("-5万", -50_000),
        ("0", 0),
        ("about 5", None),
        ("五十万", None),
        ("65万美元", None),
        ("#VALUE!", None),
        (None, None),
        ("", None),
        (True, None),
        (float("inf"), None),
    ],
)
def test_parse_amount(cell, expected):
    assert parse.parse_amount(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("50-80万", (500_000, 800_000)),
        ("30-50萬", (300_000, 500_000)),
        ("50万", (500_000, 500_000)),
        ("¥500,000-800,000", (500_000, 800_000)),
        ("50-80w", (500_000, 800_000)),
        ("50万-80万", (500_000, 800_000)),
        ("50~80万", (500_000, 800_000)),
        ("50至80万", (500_000, 800_000)),
        ("５０－８０万", (500_000, 800_000)),
        ("500k-1m", (500_000, 1_000_000)),
        (300000, (300_000, 300_000)),
        ("80-50万", None),  # high below low
        ("0-0", None),
        ("面议", None),
        ("50-", None),
        ("", None),
        (None, None),
        ("#N/A", None),
    ],
)
def test_parse_budget(cell, expected):
    assert parse.parse_budget(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("13956781234", ("phone", "13956781234")),
        ("139 5678 1234", ("phone", "13956781234")),
        ("139-5678-1234", ("phone", "13956781234")),
        ("+86 139 5678 1234", ("phone", "13956781234")),
        ("0086-13956781234", ("phone", "13956781234")),
        (13956781234, ("phone", "13956781234")),
        (13956781234.0, ("phone", "13956781234")),
        ("010-12345678", ("phone", "01012345678")),
        ("(0755) 8765 4321", ("phone", "075587654321")),
        ("021-12345678 转 808", ("phone", "02112345678")),
        ("+1 415 555 0100", ("phone", "+14155550100")),
        ("Wang.Li@Example.COM", ("email", "wang.li@example.com")),
        ("１３９５６７８１２３４", ("phone", "13956781234")),
        ("1395678", None),  # the toolkit's truncated number
        ("12345678901", None),  # not a mobile prefix
        ("wang@", None),
        ("wang at example dot com", None),
        ("call me", None),
        (None, None),
        ("", None),
        (1.5, None),
    ],
)
def test_parse_contact(cell, expected):
    assert parse.parse_contact(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("价格敏感,决策链长", ["价格敏感", "决策链长"]),
        ("价格敏感，决策链长、竞品对比中", ["价格敏感", "决策链长", "竞品对比中"]),
        ("价格敏感; 复购意向；价格敏感", ["价格敏感", "复购意向"]),
        ("  ", []),
        (None, []),
        ("#N/A", []),
        ("复购意向", ["复购意向"]),
    ],
)
def test_parse_tags(cell, expected):
    assert parse.parse_tags(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"), [(40, 40), (40.0, 40), ("-20", -20), ("40.0", 40), (40.5, None), ("x", None),
                           (None, None), (True, None), ("", None)]
)
def test_parse_int(cell, expected):
    assert parse.parse_int(cell) == expected


def test_blank_and_error():
    assert parse.is_blank(None) and parse.is_blank("  ") and parse.is_blank(float("nan"))
    assert not parse.is_blank(0) and not parse.is_blank("x")
    assert parse.is_error("#N/A") and parse.is_error(" #ref! ") and not parse.is_error("N/A")


cells = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(),
    st.dates(), st.datetimes(), st.sampled_from(sorted(parse.EXCEL_ERRORS)),
    st.sampled_from(["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "50-80万", "2024年2月30日", "+86", "¥"]),
)


@given(cells)
def test_parsers_never_raise(cell):
    for fn in (parse.parse_date, parse.parse_datetime, parse.parse_amount, parse.parse_budget,
               parse.parse_contact, parse.normalize_phone, parse.parse_tags, parse.parse_int,
               parse.parse_number, parse.has_time, parse.is_blank, parse.is_error, parse.norm):
        fn(cell)
