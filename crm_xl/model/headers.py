"""Header matching: which sheet column holds each column of a data sheet (`match_columns`), the cells left
out because another one names the same column (`Ignored`), and header texts as messages show them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .schema import Column, SheetDef, header_index, header_key

_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SHOWN_NOTE = re.compile(r"\s*[(（\[【]\s*(?:必填[项項]?|必[须須需]|必[选選]|[选選]填|可[选選]|required|optional|req\.?)\s*"
                         r"[)）\]】]$", re.I)


def header_label(text: object) -> str:
    """A header cell's text as messages name it: on one line (whitespace between two Chinese characters
    dropped — `客户\n名称` → `客户名称` — any other run of it one space), without a required-field mark
    (`*客户名称`, `联系人（必填）` → `客户名称`, `联系人`: the message says what is required)."""
    label = " ".join(_CJK_GAP.sub("", str(text)).split())
    for _ in range(2):
        label = _SHOWN_NOTE.sub("", label).strip("*＊※:： ")
    return label or str(text).strip()


@dataclass(frozen=True)
class Ignored:
    """A header cell naming a column that another cell of the same sheet names too, left out."""

    key: str  # the column both name
    col: int  # the sheet column ignored
    header: str
    kept: int  # the sheet column used instead
    kept_header: str
    empty: bool  # the ignored column holds no value


def match_columns(sheet: SheetDef, headers: Sequence[tuple[int, str]],
                  filled: Callable[[int], bool]) -> tuple[dict[str, int], list[Ignored]]:
    """Which sheet column holds each column of `sheet`, from the header cells (sheet column, text) of its
    header row; `filled(c)` tells whether column c has a value below its header. Returns (key → sheet
    column, the cells left out); the caller keeps unmatched and ignored cells as the team's own columns.

    - A header names a column by any of its accepted headers, marks and line breaks aside (`header_key`).
    - A shared header names its first choice unless the sheet has another column naming that choice
      with values, then its fallback: on Customers `姓名` / `客户姓名` / `Name` is the customer name on a
      sheet without a (filled) 客户名称 / 公司名称 column, and the contact on a sheet that has one.
    - Several columns naming one key: the one with values wins (never an empty one over a filled one),
      then a header naming it outright over a shared one, then the leftmost. The others are `Ignored`,
      reported by validation as `duplicate_column` warnings."""
    index, shared = header_index(sheet), sheet._shared()
    seen: dict[int, bool] = {}

    def has_values(c: int) -> bool:  # asked only where two cells compete (a column may be long)
        if c not in seen:
            seen[c] = filled(c)
        return seen[c]

    plain: dict[str, list[tuple[int, str]]] = {}
    either: list[tuple[int, str, tuple[str, str]]] = []
    for c, text in headers:
        key = header_key(text)
        if key in shared:
            either.append((c, text, shared[key]))
        elif (column := index.get(key)) is not None:
            plain.setdefault(column.key, []).append((c, text))
    candidates: dict[str, list[tuple[int, str, bool]]] = {
        key: [(c, text, False) for c, text in found] for key, found in plain.items()}
    for c, text, (first, other) in either:
        taken = any(has_values(k) for k, _ in plain.get(first, []))
        candidates.setdefault(other if taken else first, []).append((c, text, True))
    cols: dict[str, int] = {}
    ignored: list[Ignored] = []
    for key, found in candidates.items():
        if len(found) == 1:
            cols[key] = found[0][0]
            continue
        ranked = sorted(found, key=lambda f: (not has_values(f[0]), f[2], f[0]))
        (kept, kept_text, _), rest = ranked[0], ranked[1:]
        cols[key] = kept
        ignored.extend(Ignored(key, c, text, kept, kept_text, not has_values(c)) for c, text, _ in sorted(rest))
    return dict(sorted(cols.items(), key=lambda kv: kv[1])), sorted(ignored, key=lambda i: i.col)


def accepted_headers(col: Column) -> str:
    """`客户名称 / 客戶名稱 / Customer` — for error messages."""
    return " / ".join(dict.fromkeys((col.hans, col.hant, col.en)))


__all__ = ["match_columns", "Ignored", "header_label", "accepted_headers"]
