"""model/format.points: a change of a rate in percentage points, never a percent (issue 20, item 12)."""

from __future__ import annotations

import math

import pytest

from crm_xl.model.format import percent, points


@pytest.mark.parametrize(("change", "hans", "en", "hant"), [
    (0.032, "+3.2 个百分点", "+3.2 pp", "+3.2 個百分點"),
    (-0.05, "-5 个百分点", "-5 pp", "-5 個百分點"),
    (0.1, "+10 个百分点", "+10 pp", "+10 個百分點"),
    (0.0, "0 个百分点", "0 pp", "0 個百分點"),
    (-0.0004, "0 个百分点", "0 pp", "0 個百分點"),  # rounds to no change: no sign
    (0.00951, "+1 个百分点", "+1 pp", "+1 個百分點"),
])
def test_points_in_each_language(change: float, hans: str, en: str, hant: str):
    assert [points(change, lang) for lang in ("zh-Hans", "en", "zh-Hant")] == [hans, en, hant]  # type: ignore[arg-type]
    assert "%" not in points(change, "zh-Hans")


def test_points_has_percents_decimals_and_leaves_percent_alone():
    assert points(0.1234, "en") == "+12.3 pp" and percent(0.1234) == "12.3%" and percent(0.1234, signed=True) == "+12.3%"
    assert points(math.nan, "en") == "" and points(math.inf, "zh-Hans") == ""
