"""The review's sections are numbered in the order the sheet shows them (core/review/sections.py)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from crm_xl.core.review.sections import numbered, numeral
from crm_xl.model.layout import Table, Text


def test_numerals() -> None:
    assert [numeral(n) for n in (1, 3, 9, 10, 11, 14, 20, 21, 99)] == \
        ["一", "三", "九", "十", "十一", "十四", "二十", "二十一", "九十九"]
    with pytest.raises(ValueError):
        numeral(0)


@pytest.mark.parametrize(("lang", "titles", "want"), [
    ("zh-Hans", ["一、概览", "十一、级别目标", "十三、流失挽回", "十一、下月改进计划"],
     ["一、概览", "二、级别目标", "三、流失挽回", "四、下月改进计划"]),
    ("zh-Hant", ["一、概覽", "十四、轉介紹", "十一、下月改進計劃"], ["一、概覽", "二、轉介紹", "三、下月改進計劃"]),
    ("en", ["1. At a glance", "14. Referrals", "11. Next month's improvement plan"],
     ["1. At a glance", "2. Referrals", "3. Next month's improvement plan"]),
])
def test_sections_are_numbered_in_order(lang: str, titles: list[str], want: list[str]) -> None:
    blocks = [Text("月度复盘", "title"), Text("本月要点", "heading"), Text("一、not a heading")]
    *tables, plan = titles
    blocks += [Table(pd.DataFrame({"a": [1]}), t) for t in tables] + [Table(pd.DataFrame(), None)]
    blocks.append(Text(plan, "heading"))
    out = numbered(blocks, lang)  # type: ignore[arg-type]
    got = [b.title if isinstance(b, Table) else b.text for b in out
           if (isinstance(b, Table) and b.title) or (isinstance(b, Text) and b.style == "heading")]
    assert got == ["本月要点", *want]
    assert out[2].text == "一、not a heading"  # (only titles and headings are sections)


def test_the_sample_review_numbers_every_section_once(tmp_path) -> None:
    from conftest import WORKBOOK

    import crm_xl
    from crm_xl.book.memory import MemoryBook  # noqa: F401  (the sample run: see test_review_rules)

    out = tmp_path / "run.xlsx"
    crm_xl.run_all(str(WORKBOOK / "sample.xlsx"), today="2024-04-01", out=str(out))
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("月度复盘 2024-03").to_python()
    heads = [r[0] for r in rows if isinstance(r[0], str) and re.match(r"^[一二三四五六七八九十]+、", r[0])]
    assert [h.split("、")[0] for h in heads] == [numeral(n) for n in range(1, len(heads) + 1)]
    assert heads[-1].endswith("下月改进计划") and len(heads) >= 14
