"""The 下月改进计划 (next month's improvement plan) block of a review sheet, which the team types into.

The review sheet is rebuilt from scratch, so a rebuild of a month reads the block back from the month's
old sheet (its cells, read by jobs into `Context.review_grid`) and lays it out again. The block is the
sheet's last: it is found by its title (any language, any section number), its header is the next row
whose first cell is the first column's header, and its rows are every non-blank row below that header.
Columns after the four of crm-xl that the team headed in the block are kept too.

The block and the 改进计划 column of 复盘历史 (review history): each keeps what was typed in it; an empty
one is filled from the other — the history cell gets the block's rows on one line (one cell shows one
line): `事项（负责人，期限，完成情况）；事项…` (`; ` in English); the block gets the history cell's items,
one row each (split at line breaks and at `；` / `; `).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from ...model.format import date_text
from ...model.i18n import Lang, fold, pick
from ...model.layout import Style, Table, Text
from ...model.parse import is_blank

NAME = ("下月改进计划", "Next month's improvement plan")
TITLE = ("十一、下月改进计划", "11. Next month's improvement plan")
COLUMNS = (("改进事项", "Action"), ("负责人", "Owner"), ("完成期限", "Due"), ("完成情况", "Progress"))
MIN_ROWS = 5  # rows laid out at least (blank ones to type into)
SPARE_ROWS = 2  # blank rows after the typed ones at least
_LOOK = 4  # rows between the title and the header at most
_SPLIT = re.compile(r"\r?\n|；|; ")


def _folds(pair: tuple[str, str]) -> set[str]:
    return {fold(pair[0]), fold(pair[1])}  # (zh-Hant folds to zh-Hans)


_NAMES = _folds(NAME)
_FIRST = _folds(COLUMNS[0])


def read(grid: list[list[Any]] | None) -> tuple[list[str], list[list[Any]]]:
    """(the team's extra headers, the typed rows) of the plan block of an old review sheet's cells; each
    row has 4 + len(extra headers) cells. ([], []) when the sheet or the block is absent or empty."""
    if not grid:
        return [], []
    title = next((i for i, row in enumerate(grid)
                  if row and isinstance(row[0], str) and any(fold(row[0]).endswith(n) for n in _NAMES)), None)
    if title is None:
        return [], []
    head = next((i for i in range(title + 1, min(title + 1 + _LOOK, len(grid)))
                 if grid[i] and isinstance(grid[i][0], str) and fold(grid[i][0]) in _FIRST), None)
    if head is None:
        return [], []
    header = list(grid[head])
    while header and is_blank(header[-1]):
        header.pop()
    extra = [str(h) for h in header[len(COLUMNS):]]
    width = max(len(COLUMNS), len(header))
    rows = []
    for row in grid[head + 1:]:
        cells = [None if is_blank(v) else v for v in (list(row) + [None] * width)[:width]]
        if any(v is not None for v in cells):
            rows.append(cells)
    return extra, rows


def from_text(text: Any) -> list[list[Any]]:
    """Rows of the block from a 改进计划 cell of the history: one row per item (a line, or a part
    between `；` / `; `)."""
    if is_blank(text):
        return []
    return [[item.strip(), None, None, None] for item in _SPLIT.split(str(text)) if item.strip()]


def as_text(rows: list[list[Any]], lang: Lang) -> str | None:
    """The block's rows as one history cell on one line: `事项（负责人，期限，完成情况）；事项…`."""
    lines = []
    for row in rows:
        parts = [_text(v) for v in row[:len(COLUMNS)]]
        item, rest = parts[0], [p for p in parts[1:] if p]
        if rest:  # (the typed text is never converted: only the brackets are the language's)
            item = (f"{item}（{'，'.join(rest)}）" if lang != "en" else f"{item} ({', '.join(rest)})".strip())
        if item:
            lines.append(item)
    return ("；" if lang != "en" else "; ").join(lines) or None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def blocks(lang: Lang, extra: list[str], rows: list[list[Any]]) -> list[Text | Table]:
    """The plan's title, how to use it, and its table: the typed rows, then blank rows to type into."""
    heads = [pick(lang, *c) for c in COLUMNS]
    for h in extra:
        label = h
        while label in heads:
            label += " "
        heads.append(label)
    blank = max(SPARE_ROWS, MIN_ROWS - len(rows))
    body = [list(r) + [None] * (len(heads) - len(r)) for r in rows] + [[None] * len(heads)] * blank
    df = pd.DataFrame(body, columns=heads, dtype=object)
    formats: dict[str, Style] = {heads[2]: "date"}
    note = pick(lang, "在下表中填写下月的改进事项（行数不够可在下方继续填写）。重新生成本月复盘时保留这里填写的内容；"
                      "复盘历史的「改进计划」列为空时填入这里的事项。",
                "Type next month's actions in the table below (carry on below it when you need more rows). "
                "Rebuilding this month's review keeps what is typed here; an empty 'Improvement plan' cell "
                "on the review history gets these actions.")
    return [Text(pick(lang, *TITLE), "heading"), Text(note, "note"), Table(df, None, formats, name="plan")]
