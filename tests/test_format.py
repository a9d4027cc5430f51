"""The one formatter (crm_xl/model/format.py): the documented texts, and properties over any amount."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_xl.model.format import date_text, money, money_header, money_style, money_value, percent
from crm_xl.model.parse import parse_amount


@pytest.mark.parametrize(("yuan", "unit", "lang", "text"), [
    (650_000, "万", "zh-Hans", "65万"),
    (65_500, "万", "zh-Hans", "6.55万"),
    (12_450_000, "万", "zh-Hans", "1,245万"),
    (2_450_000.0, "万", "zh-Hans", "245万"),
    (5_000, "万", "zh-Hans", "5,000元"),  # under 1万: in yuan
    (0, "万", "zh-Hans", "0元"),
    (-650_000, "万", "zh-Hans", "-65万"),
    (650_000, "元", "zh-Hans", "650,000元"),
    (650_000, "万", "zh-Hant", "65萬"),
    (650_000, "万", "en", "¥650,000"),
    (650_000, "元", "en", "¥650,000"),
    (-650_000, "元", "en", "-¥650,000"),
    (-0.3, "元", "zh-Hans", "0元"),
])
def test_money_texts(yuan: float, unit: str, lang: str, text: str) -> None:
    assert money(yuan, unit, lang) == text  # type: ignore[arg-type]


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(["万", "元"]))
def test_money_reads_back_within_its_rounding(yuan: float, unit: str) -> None:
    """What `money` writes, parse_amount reads back to within the rounding of the rule."""
    text = money(yuan, unit, "zh-Hans")
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d{1,2})?(万|元)", text), text
    assert not re.search(r"\.\d*0(万|元)$", text)  # trailing zeros dropped
    back = parse_amount(text.lstrip("-"))
    assert back is not None
    step = 50 if text.endswith("万") else 0.5
    assert abs(back * (-1 if text.startswith("-") else 1) - yuan) <= step + 1e-6 * abs(yuan)


def test_money_in_cells() -> None:
    assert money_value(651_234, "万") == 65.12 and money_value(651_234.567, "元") == 651_234.57
    assert (money_style("万"), money_style("元")) == ("num", "money")
    assert money_header("成交金额", "Amount", "万", "zh-Hans") == "成交金额（万元）"
    assert money_header("成交金额", "Amount", "元", "en") == "Amount (yuan)"
    assert money_header("成交金额", "Amount", "万", "en") == "Amount (10k yuan)"


@pytest.mark.parametrize(("share", "signed", "text"), [
    (0.759, False, "75.9%"), (0.8, False, "80%"), (1, False, "100%"), (0.0004, False, "0%"),
    (0.119, True, "+11.9%"), (-0.05, True, "-5%"), (0, True, "0%"), (-0.0004, True, "0%"),
])
def test_percent_texts(share: float, signed: bool, text: str) -> None:
    assert percent(share, signed) == text


@given(st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_percent_has_at_most_one_decimal(share: float) -> None:
    text = percent(share, signed=True)
    assert re.fullmatch(r"[+-]?\d+(\.\d)?%", text), text
    assert abs(float(text.rstrip("%")) - share * 100) <= 0.05 + 1e-9 * abs(share * 100)


def test_date_texts() -> None:
    assert date_text(dt.date(2024, 3, 1)) == "2024-03-01"
    assert date_text(dt.datetime(2024, 3, 1)) == "2024-03-01"
    assert date_text(dt.datetime(2024, 3, 1, 9, 30)) == "2024-03-01 09:30"
    assert date_text(dt.datetime(2024, 3, 1, 9, 30, 15)) == "2024-03-01 09:30:15"
