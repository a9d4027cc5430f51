"""customer_key: the one way customer names are matched across sheets."""

from __future__ import annotations

import pandas as pd

from crm_xl.core.names import customer_key, customer_keys


def test_customer_key_folds_width_case_script_and_spaces() -> None:
    assert customer_key(" ＡＢＣ 科技 ") == customer_key("abc科技") == "abc科技"
    assert customer_key("客戶") == customer_key("客户")
    assert customer_key("科技有限公司") != customer_key("科技")  # no suffix stripping
    assert customer_key(None) == customer_key("  ") == customer_key(float("nan")) == ""


def test_customer_keys_keeps_the_index() -> None:
    names = pd.Series(["甲 公司", None, "甲公司"], index=[5, 6, 9], dtype=object)
    assert customer_keys(names).to_dict() == {5: "甲公司", 6: "", 9: "甲公司"}
