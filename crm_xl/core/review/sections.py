"""The review's section numbers. Each section's title starts with a number (`三、线索来源`, `3. Lead sources`);
the optional sections (tier goals, win-back, referrals, complaints, surveys …) show only when the workbook
has what they need, so the numbers written in the titles are replaced here by the order the sheet shows
them in: no gap, no number twice, the improvement plan last."""

from __future__ import annotations

import re
from dataclasses import replace

from ...model.i18n import Lang, pick
from ...model.layout import Table, Text

_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\. )")
_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """A section number in Chinese numerals, 1–99: 3 → 三, 10 → 十, 14 → 十四, 20 → 二十, 21 → 二十一."""
    if not 0 < n < 100:
        raise ValueError(f"section number out of range: {n}")
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def numbered(blocks: list[Text | Table], lang: Lang) -> list[Text | Table]:
    """`blocks` with each numbered title (a table's title, a heading) renumbered 1, 2, 3 … in order."""
    out: list[Text | Table] = []
    n = 0
    for block in blocks:
        if isinstance(block, Table) and block.title and _NUMBERED.match(block.title):
            n += 1
            block = replace(block, title=_renumber(block.title, n, lang))
        elif isinstance(block, Text) and block.style == "heading" and _NUMBERED.match(block.text):
            n += 1
            block = replace(block, text=_renumber(block.text, n, lang))
        out.append(block)
    return out


def _renumber(title: str, n: int, lang: Lang) -> str:
    return pick(lang, f"{numeral(n)}、", f"{n}. ") + _NUMBERED.sub("", title, count=1)


__all__ = ["numbered", "numeral"]
