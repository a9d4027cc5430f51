"""The lists of styles.xml (numFmts, fonts, fills, cellXfs …): their entries found with plain string
search (styles.xml can be 20 MB), and a `Pool` per list a run adds to — the entries in the file, those the
run adds, and where an entry meaning the same as a given one already is (see stylekeys.py). New entries
are appended at the end of their list; a list the file lacks is put in its place in the schema order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate

from .stylekeys import Key, canon, needles_of

# The lists of a styleSheet, in schema order (where a list the file lacks goes).
ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
         "colors", "extLst")


def find_span(text: str, tag: str, p: str, start: int = 0) -> tuple[int, int] | None:
    """Where the first <tag> element at or after `start` is (`<tag …/>` or `<tag …>…</tag>`), found with plain
    string search (styles.xml can be 20 MB); None when there is none."""
    opening, close = f"<{p}{tag}", f"</{p}{tag}"
    at = text.find(opening, start)
    while at >= 0 and text[at + len(opening):at + len(opening) + 1] not in _AFTER_NAME:
        at = text.find(opening, at + 1)
    if at < 0:
        return None
    gt = text.find(">", at)
    if gt < 0:
        return None
    if text[gt - 1] == "/":
        return at, gt + 1
    end = text.find(close, gt)
    while end >= 0:  # `</tag>`, `</tag >`
        after = end + len(close)
        while text[after:after + 1] in _SPACE:
            after += 1
        if text[after:after + 1] == ">":
            return at, after + 1
        end = text.find(close, end + 1)
    return None


_AFTER_NAME = frozenset(" \t\r\n/>")
_SPACE = frozenset(" \t\r\n")


def entries(body: str, tag: str, p: str) -> tuple[list[str], list[int]]:
    """The entries of a list's text, and where each starts: its <tag> elements, and each
    <mc:AlternateContent> (a <tag> for those who know an extension, another for the rest), which takes one
    index like a plain entry."""
    items: list[str] = []
    starts: list[int] = []
    alt = _ALT.search(body)
    pos = 0
    while True:
        span = find_span(body, tag, p, pos)
        if alt and (span is None or alt.start() < span[0]):
            end = body.find(f"</{alt.group(1) or ''}AlternateContent>", alt.end())
            span = (alt.start(), end + len(alt.group(1) or "") + 19) if end >= 0 else None
        if span is None:
            return items, starts
        items.append(body[span[0]:span[1]])
        starts.append(span[0])
        pos = span[1]
        if alt and alt.start() < pos:
            alt = _ALT.search(body, pos)


_ALT = re.compile(r"<(\w+:)?AlternateContent\b")


def plain_entry(item: str, tag: str, p: str) -> str:
    """An entry as read by a program that knows no extension: an <mc:AlternateContent>'s fallback."""
    if not _ALT.match(item):
        return item
    span = find_span(item, tag, p, max(item.find("Fallback"), 0)) or find_span(item, tag, p)
    return item[span[0]:span[1]] if span else ""


class Pool:
    """One list of styles.xml — fonts, fills or cellXfs: the entries in the file, those a run adds, and
    where an entry meaning the same as a given one already is (see `canon`)."""

    LIMIT = 2000  # entries of one list whose meaning is worked out at most (searched newest first)

    def __init__(self, text: str, outer: str, inner: str, p: str, first: list[str] | None = None) -> None:
        span = find_span(text, outer, p)
        self.p, self.outer, self.inner = p, outer, inner
        self.present = span is not None
        if span:
            self.body = text[span[0]:span[1]]
            self.items, self.starts = entries(self.body, inner, p)
        else:  # a list the file lacks: what a new one must start with
            self.items = list(first or [])
            self.starts = list(accumulate((len(x) for x in self.items[:-1]), initial=0)) if self.items else []
            self.body = "".join(self.items)
        self.new: list[str] = []
        self._found: dict[str, int] = {}
        self._keys: dict[int, tuple[Key, frozenset[str]] | None] = {}
        self._budget = self.LIMIT

    def __len__(self) -> int:
        return len(self.items) + len(self.new)

    def get(self, index: int) -> str | None:
        if 0 <= index < len(self.items):
            return self.items[index]
        n = index - len(self.items)
        return self.new[n] if 0 <= n < len(self.new) else None

    def plain(self, index: int) -> str | None:
        """Entry `index` as a program that knows no extension reads it (see `plain_entry`)."""
        item = self.get(index)
        return plain_entry(item, self.inner, self.p) if item else item

    def add(self, xml: str, fresh: bool = False) -> int:
        """The index of an entry meaning the same as `xml`, appended when there is none (`fresh`: it refers
        to an entry of another list added by this run, so only this run's entries can be the same)."""
        hit = self._found.get(xml)
        if hit is None:
            hit = self.find(xml, fresh)
            if hit is None:
                self.new.append(xml)
                hit = len(self) - 1
            self._found[xml] = hit
        return hit

    def find(self, xml: str, fresh: bool = False) -> int | None:
        """The newest entry meaning the same as `xml` (for an xf: applying at least what it applies)."""
        want = canon(xml, self.p)
        if want is None:
            return None
        for i in self._candidates(needles_of(xml), fresh):
            got = self._key(i)
            if got is not None and got[0] == want[0] and want[1] <= got[1]:
                return i
        return None

    def _key(self, index: int) -> tuple[Key, frozenset[str]] | None:
        if index not in self._keys:
            self._budget -= index < len(self.items)
            self._keys[index] = canon(self.get(index) or "", self.p)
        return self._keys[index]

    def _candidates(self, needles: list[tuple[str, ...]], fresh: bool = False) -> Iterator[int]:
        """Entries containing every needle, newest first: the run's own, then (unless `fresh`) the file's,
        found by the longest needle, until the budget is spent."""
        n = len(self.items)
        for j in range(len(self.new) - 1, -1, -1):
            if _has(self.new[j], needles):
                yield n + j
        if fresh:
            return
        first = next((x[0] for x in needles if len(x) == 1), "<")
        body, starts, end = self.body, self.starts, len(self.body)
        while True:
            at = body.rfind(first, 0, end)
            k = bisect_right(starts, at) - 1
            if at < 0 or k < 0 or (self._budget <= 0 and k not in self._keys):
                return
            end = starts[k]
            if _has(self.items[k], needles):
                yield k

    def render(self, text: str) -> str:
        """`text` with this list's new entries appended (the list added where the file lacks it)."""
        if not self.new:
            return text
        span = find_span(text, self.outer, self.p)
        if span:
            return append_to_list(text, span, self.outer, "".join(self.new), self.p, len(self))
        p = self.p
        block = f'<{p}{self.outer} count="{len(self)}">{"".join(self.items + self.new)}</{p}{self.outer}>'
        return insert_list(text, self.outer, block, p)


def _has(item: str, needles: list[tuple[str, ...]]) -> bool:
    return all(any(x in item for x in spellings) for spellings in needles)


def insert_list(text: str, tag: str, block: str, p: str) -> str:
    """`text` with a list the file lacks put after the lists that come before it in a styleSheet."""
    at = None
    for before in ORDER[:ORDER.index(tag)]:
        span = find_span(text, before, p)
        if span:
            at = span[1]
    if at is None:
        root = re.search(rf"<{p}styleSheet\b[^>]*>", text)
        assert root is not None
        at = root.end()
    return text[:at] + block + text[at:]


def append_to_list(text: str, span: tuple[int, int], tag: str, items: str, p: str, count: int) -> str:
    """`text` with `items` added at the end of the list at `span`, its count set to `count`."""
    start, end = span
    gt = text.index(">", start)
    head = text[start:gt + 1]
    if head.endswith("/>"):
        head, close = re.sub(r"\s*/>$", ">", head), end
    else:
        close = text.rfind(f"</{p}{tag}", start, end)
    head, n = re.subn(r"""(\scount\s*=\s*)(["'])[^"']*\2""", rf'\g<1>"{count}"', head, count=1)
    if not n:
        head = head.replace(f"<{p}{tag}", f'<{p}{tag} count="{count}"', 1)
    tail = "" if close < end else f"</{p}{tag}>"
    return "".join((text[:start], head, text[gt + 1:close], items, tail, text[close:]))
