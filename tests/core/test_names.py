"""customer_key: the one way customer names are matched across sheets."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.core.kernel import names
from crm_xl.core.kernel.names import customer_key, customer_keys
from crm_xl.model.i18n import fold, fold_many


def test_customer_key_folds_width_case_script_and_spaces() -> None:
    assert customer_key(" ＡＢＣ 科技 ") == customer_key("abc科技") == "abc科技"
    assert customer_key("客戶") == customer_key("客户")
    assert customer_key("科技有限公司") != customer_key("科技")  # no suffix stripping
    assert customer_key(None) == customer_key("  ") == customer_key(float("nan")) == ""


def test_customer_keys_keeps_the_index() -> None:
    cells = pd.Series(["甲 公司", None, "甲公司"], index=[5, 6, 9], dtype=object)
    assert customer_keys(cells).to_dict() == {5: "甲公司", 6: "", 9: "甲公司"}


_FOLD_CHARS = "發財髮乾乾隆後臺灣颱風鬆餅麵條著名開發計劃了瞭 \n\r\t\u3000\x00ＡＢａｂ１AbC😀\uf900\u2f00·-_有限公司"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=_FOLD_CHARS, max_size=12), max_size=20))
def test_fold_many_is_fold_of_each(texts: list[str]) -> None:
    assert fold_many(texts) == [fold(t) for t in texts]


def test_fold_ahead_fills_what_folded_gives() -> None:
    names_ = ["臺灣發展有限公司", " 甲 公司 ", "ＡＢＣ Co., Ltd.", "乙公司"]
    names._FOLDED.clear()
    names.fold_ahead([*names_, None, 3, "乙公司"])
    assert set(names._FOLDED) == set(names_)
    assert [names.folded(t) for t in names_] == [fold(t) for t in names_]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_FOLD_CHARS, max_size=8), st.none(), st.integers(-5, 5),
                          st.floats(allow_nan=True, width=16), st.booleans()), max_size=20))
def test_keys_of_is_customer_key_of_each(values: list[object]) -> None:
    assert names.keys_of(values) == [customer_key(v) for v in values]
    assert names.keys_of(values) == [customer_key(v) for v in values]  # (the second time from the dict)


def test_keys_of_an_unhashable_or_text_like_value() -> None:
    import numpy as np

    values = [["甲 公司"], "甲公司", np.str_("乙 公司"), None]
    assert names.keys_of(values) == [customer_key(v) for v in values]
    assert names.keys_of(values[1:]) == ["甲公司", "乙公司", ""]
