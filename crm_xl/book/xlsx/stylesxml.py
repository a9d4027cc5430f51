"""styles.xml for the file engine: read the cell formats a run needs; reuse or append them (never renumber).

A number format, font, fill or cell format (xf) a run needs is first looked for among the entries already
in styles.xml, by meaning rather than by bytes (see `canon`), so a second run on unchanged data adds
nothing. The others are appended at the end of their lists; existing entries are never changed or removed,
so every index already used by a cell, a conditional format or a table stays valid. Borders, dxfs
(conditional formats) and cell styles are read, never added. `render()` returns the changed part (the
original bytes when nothing was added).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from xml.sax.saxutils import quoteattr

from ...model import theme

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# Built-in number formats (id → code) that crm-xl can reuse, and the built-in ids that are dates
# (including the East Asian ones 27–36 and 50–58).
BUILTIN = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
# The lists of a styleSheet, in schema order (where a list the file lacks goes).
ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
         "colors", "extLst")

MINIMAL = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


@dataclass(frozen=True)
class Font:
    size: float = 11
    bold: bool = False
    italic: bool = False
    underline: bool = False
    color: str | None = None
    name: str = theme.FONT

    def xml(self, p: str) -> str:
        parts = [f"<{p}b/>" if self.bold else "", f"<{p}i/>" if self.italic else "",
                 f"<{p}u/>" if self.underline else "", f'<{p}sz val="{self.size:g}"/>']
        if self.color:
            parts.append(f'<{p}color rgb="FF{self.color}"/>')
        parts.append(f"<{p}name val={quoteattr(self.name)}/><{p}family val=\"2\"/><{p}charset val=\"134\"/>")
        return f"<{p}font>{''.join(parts)}</{p}font>"


CENTER = '<alignment horizontal="center" vertical="center" wrapText="1"/>'
WRAP_TOP = '<alignment vertical="top" wrapText="1"/>'

# Abstract styles of layout.py → (font, fill, number format, alignment)
NAMED: dict[str, tuple[Font, str | None, str | None, str | None]] = {
    "title": (Font(16, bold=True, color=theme.TITLE_COLOR), None, None, None),
    "subtitle": (Font(11, italic=True, color=theme.NOTE_COLOR), None, None, None),
    "heading": (Font(12, bold=True, color=theme.TITLE_COLOR), None, None, None),
    "header": (Font(11, bold=True, color=theme.HEADER_FONT), theme.HEADER_FILL, None, CENTER),
    "text": (Font(), None, None, None),
    "note": (Font(9, italic=True, color=theme.NOTE_COLOR), None, None, None),
    "link": (Font(color=theme.LINK_COLOR, underline=True), None, None, None),
    "error": (Font(color=theme.ERROR_FONT), theme.ERROR_FILL, None, None),
    "warning": (Font(color=theme.WARNING_FONT), theme.WARNING_FILL, None, None),
    "ok": (Font(color=theme.OK_FONT), theme.OK_FILL, None, None),
    "empty": (Font(italic=True, color=theme.NOTE_COLOR), None, None, None),
    **{k: (Font(), None, fmt, None) for k, fmt in theme.STYLE_FORMATS.items()},
}


def is_date_format(code: str) -> bool:
    """Whether a number format code shows a date or time."""
    text = re.sub(r'"[^"]*"|\\.|\[(?!h\]|m\]|s\])[^\]]*\]|_.|\*.', "", code.split(";")[0])
    text = re.sub("general", "", text, flags=re.I)
    return re.search(r"[dmyhs]", text, re.I) is not None


def _span(text: str, tag: str, p: str, start: int = 0) -> tuple[int, int] | None:
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


def _entries(body: str, tag: str, p: str) -> tuple[list[str], list[int]]:
    """The entries of a list's text, and where each starts: its <tag> elements, and each
    <mc:AlternateContent> (a <tag> for those who know an extension, another for the rest), which takes one
    index like a plain entry."""
    items: list[str] = []
    starts: list[int] = []
    alt = _ALT.search(body)
    pos = 0
    while True:
        span = _span(body, tag, p, pos)
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


def _plain(item: str, tag: str, p: str) -> str:
    """An entry as read by a program that knows no extension: an <mc:AlternateContent>'s fallback."""
    if not _ALT.match(item):
        return item
    span = _span(item, tag, p, max(item.find("Fallback"), 0)) or _span(item, tag, p)
    return item[span[0]:span[1]] if span else ""


# --- meaning of an entry -------------------------------------------------------------------------

Key = tuple[object, ...]

_TOKEN = re.compile(r"<(/?)([\w.:-]+)((?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>|<!--.*?-->|([^<]+)",
                    re.S)
_ATTR = re.compile(r"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_PLAIN = re.compile(r"[^&<>\"']*")
BOOL_ATTRS = frozenset({"wrapText", "shrinkToFit", "justifyLastLine", "quotePrefix", "pivotButton", "locked",
                        "hidden", "outline", "diagonalUp", "diagonalDown"})
BOOL_ELEMENTS = frozenset({"b", "i", "strike", "condense", "extend", "outline", "shadow"})
# Attribute values that mean the same as leaving the attribute out.
DEFAULTS: dict[str, dict[str, str]] = {
    "alignment": {"horizontal": "general", "vertical": "bottom", "textRotation": "0", "wrapText": "0",
                  "indent": "0", "relativeIndent": "0", "justifyLastLine": "0", "shrinkToFit": "0",
                  "readingOrder": "0"},
    "protection": {"locked": "1", "hidden": "0"},
    "xf": {"quotePrefix": "0", "pivotButton": "0"},
    "u": {"val": "single"},
    **{tag: {"val": "1"} for tag in BOOL_ELEMENTS},
}
UNORDERED = frozenset({"font"})  # a font's children are an xsd:choice: any order means the same


def canon(xml: str, p: str = "") -> tuple[Key, frozenset[str]] | None:
    """What a styles.xml entry means, as a hashable key, and the apply* flags set to 1 on it (an xf's; they
    are left out of the key); None when it does not parse.

    Blind to attribute order, quotes, whitespace between elements, comments, the main namespace prefix `p`,
    `<a/>` vs `<a></a>`, entities, true/false vs 1/0, the case of rgb colours, "11" vs "11.0" font sizes,
    attributes at their default value (an `<alignment/>` or `<protection/>` left with none is dropped) and
    the order of a font's children. Anything else (another attribute, element or namespace) differs."""
    stack: list[list[Key]] = [[]]
    opened: list[tuple[str, dict[str, str]]] = []
    pos = 0
    for m in _TOKEN.finditer(xml):
        if m.start() != pos:
            return None
        pos = m.end()
        close, tag, attrs, empty, text = m.groups()
        if tag is None:
            if text is not None and text.strip():
                stack[-1].append(("#text", html.unescape(text)))
            continue
        if p and tag.startswith(p):
            tag = tag[len(p):]
        if close:
            if not opened or opened[-1][0] != tag or attrs:
                return None
            _, a = opened.pop()
            _put(stack, tag, a, stack.pop())
        elif empty:
            _put(stack, tag, _norm(tag, attrs), [])
        else:
            opened.append((tag, _norm(tag, attrs)))
            stack.append([])
    if pos != len(xml) or opened or len(stack[0]) != 1 or len(stack[0][0]) != 3:
        return None
    tag, attrs, kids = stack[0][0]
    if tag != "xf":
        return stack[0][0], frozenset()
    assert isinstance(attrs, tuple)
    applies = frozenset(k for k, v in attrs if k.startswith("apply") and v == "1")
    return (tag, tuple((k, v) for k, v in attrs if not k.startswith("apply")), kids), applies


def _norm(tag: str, text: str) -> dict[str, str]:
    """An element's attributes, unescaped, booleans as 1/0, rgb in capitals, defaults left out."""
    out: dict[str, str] = {}
    defaults = DEFAULTS.get(tag, {})
    for k, v1, v2 in _ATTR.findall(text):
        v = html.unescape(v1 or v2)
        if k in BOOL_ATTRS or k.startswith("apply") or (k == "val" and tag in BOOL_ELEMENTS):
            v = {"true": "1", "false": "0"}.get(v.strip(), v.strip())
        elif k == "rgb":
            v = v.strip().upper()
        elif k == "val" and tag == "sz":
            v = _number(v)
        if defaults.get(k) != v:
            out[k] = v
    return out


def _number(v: str) -> str:
    try:
        return repr(float(v))
    except ValueError:
        return v


def _put(stack: list[list[Key]], tag: str, attrs: dict[str, str], kids: list[Key]) -> None:
    if tag in ("alignment", "protection") and not attrs and not kids:
        return
    if tag in UNORDERED:
        kids = sorted(kids, key=repr)
    stack[-1].append((tag, tuple(sorted(attrs.items())), tuple(kids)))


def _needles(xml: str) -> list[tuple[str, ...]]:
    """Text any entry meaning the same as `xml` contains, each as one of a few spellings, longest first: the
    attribute values `canon` does not rewrite, and rgb colours in capitals or small letters. (An entry that
    spells one otherwise, with character references say, is merely not reused.)"""
    out: set[tuple[str, ...]] = set()
    for m in _TOKEN.finditer(xml):
        close, tag, attrs = m.group(1, 2, 3)
        if not tag or close:
            continue
        tag = tag.rsplit(":", 1)[-1]
        for k, v1, v2 in _ATTR.findall(attrs):
            v = v1 or v2
            if len(v) < 2 or not _PLAIN.fullmatch(v) or DEFAULTS.get(tag, {}).get(k) == v:
                continue
            if k == "rgb":
                out.add((v.upper(), v.lower()))
            elif not (k in BOOL_ATTRS or k.startswith("apply") or k == "val" and tag in _REWRITTEN_VAL):
                out.add((v,))
    return sorted(out, key=lambda n: len(n[0]), reverse=True)


_REWRITTEN_VAL = BOOL_ELEMENTS | {"sz"}


class Pool:
    """One list of styles.xml — fonts, fills or cellXfs: the entries in the file, those a run adds, and
    where an entry meaning the same as a given one already is (see `canon`)."""

    LIMIT = 2000  # entries of one list whose meaning is worked out at most (searched newest first)

    def __init__(self, text: str, outer: str, inner: str, p: str, first: list[str] | None = None) -> None:
        span = _span(text, outer, p)
        self.p, self.outer, self.inner = p, outer, inner
        self.present = span is not None
        if span:
            self.body = text[span[0]:span[1]]
            self.items, self.starts = _entries(self.body, inner, p)
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
        """Entry `index` as a program that knows no extension reads it (see `_plain`)."""
        item = self.get(index)
        return _plain(item, self.inner, self.p) if item else item

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
        for i in self._candidates(_needles(xml), fresh):
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
        span = _span(text, self.outer, self.p)
        if span:
            return _append(text, span, self.outer, "".join(self.new), self.p, len(self))
        p = self.p
        block = f'<{p}{self.outer} count="{len(self)}">{"".join(self.items + self.new)}</{p}{self.outer}>'
        return _insert(text, self.outer, block, p)


def _has(item: str, needles: list[tuple[str, ...]]) -> bool:
    return all(any(x in item for x in spellings) for spellings in needles)


def _insert(text: str, tag: str, block: str, p: str) -> str:
    """`text` with a list the file lacks put after the lists that come before it in a styleSheet."""
    at = None
    for before in ORDER[:ORDER.index(tag)]:
        span = _span(text, before, p)
        if span:
            at = span[1]
    if at is None:
        root = re.search(rf"<{p}styleSheet\b[^>]*>", text)
        assert root is not None
        at = root.end()
    return text[:at] + block + text[at:]


class StyleBook:
    """The cell formats of a workbook, plus the ones a run adds (an existing one meaning the same is reused)."""

    def __init__(self, xml: bytes | None) -> None:
        self.original = xml
        self.text = xml.decode("utf-8") if xml else MINIMAL
        m = re.search(r"<(\w+:)?styleSheet\b", self.text)
        self.p = p = (m.group(1) or "") if m else ""
        self.num_fmts: dict[int, str] = {}  # the <numFmts> list (cells use these)
        section = _span(self.text, "numFmts", p)
        for a in _num_fmts(self.text[section[0]:section[1]] if section else "", p):
            self.num_fmts.setdefault(int(a["numFmtId"]), a.get("formatCode", ""))
        self._fmt_of: dict[str, int] = {}
        for i, code in self.num_fmts.items():
            self._fmt_of.setdefault(code, i)
        # ids taken anywhere (dxfs' own number formats too): a new format gets a fresh one
        self._next_fmt = max([163, *(int(a["numFmtId"]) for a in _num_fmts(self.text, p))]) + 1
        self.fonts = Pool(self.text, "fonts", "font", p, [f"<{p}font><{p}sz val=\"11\"/><{p}name val=\"Calibri\"/>"
                                                          f"<{p}family val=\"2\"/></{p}font>"])
        self.fills = Pool(self.text, "fills", "fill", p, [f'<{p}fill><{p}patternFill patternType="{t}"/></{p}fill>'
                                                          for t in ("none", "gray125")])
        self.xfs = Pool(self.text, "cellXfs", "xf", p)
        self.new_fmts: list[tuple[int, str]] = []
        self._cache: dict[tuple[object, ...], int] = {}
        self._date: dict[int, bool] = {}
        if not self.xfs.present or not self.xfs.items:
            raise ValueError("styles.xml has no cellXfs")

    @property
    def new_xfs(self) -> list[str]:
        return self.xfs.new

    @property
    def changed(self) -> bool:
        return bool(self.new_fmts or self.fonts.new or self.fills.new or self.xfs.new)

    # --- reading ---------------------------------------------------------------------------------

    def xf(self, index: int) -> dict[str, str]:
        xml = self.xfs.plain(index)
        return _attrs(re.match(r"<[\w:]+\b([^>]*?)/?>", xml).group(1)) if xml else {}  # type: ignore[union-attr]

    def is_date(self, index: int) -> bool:
        """Whether cells with this xf show dates (so a serial number reads back as a date)."""
        hit = self._date.get(index)
        if hit is None:
            fmt = int(self.xf(index).get("numFmtId", "0") or 0)
            hit = fmt in DATE_IDS or (fmt in self.num_fmts and is_date_format(self.num_fmts[fmt]))
            self._date[index] = hit
        return hit

    # --- adding ----------------------------------------------------------------------------------

    def fmt_id(self, code: str | None) -> int:
        """The id of number format `code`: built-in, already in the file, or appended."""
        if not code:
            return 0
        if code in BUILTIN and self.num_fmts.get(BUILTIN[code], code) == code:
            return BUILTIN[code]
        hit = self._fmt_of.get(code)
        if hit is None:
            hit = self._fmt_of[code] = self._next_fmt
            self._next_fmt += 1
            self.num_fmts[hit] = code
            self.new_fmts.append((hit, code))
        return hit

    def font_id(self, font: Font | str) -> int:
        return self.fonts.add(font if isinstance(font, str) else font.xml(self.p))

    def fill_id(self, rgb: str) -> int:
        p = self.p
        return self.fills.add(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb}"/>'
                              f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')

    def _add_xf(self, attrs: dict[str, str], inner: str) -> int:
        p = self.p
        a = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        inner_p = inner.replace("<alignment", f"<{p}alignment") if p else inner
        fresh = (_int(attrs.get("fontId")) >= len(self.fonts.items) or _int(attrs.get("fillId")) >= len(self.fills.items)
                 or any(str(i) == attrs.get("numFmtId") for i, _ in self.new_fmts))
        return self.xfs.add(f"<{p}xf{a}>{inner_p}</{p}xf>" if inner else f"<{p}xf{a}/>", fresh)

    def named(self, style: str) -> int:
        """The xf of an abstract layout style (title, header, int, date …)."""
        key = ("named", style)
        if key not in self._cache:
            font, fill, fmt, align = NAMED.get(style, NAMED["text"])
            attrs = {"numFmtId": str(self.fmt_id(fmt)), "fontId": str(self.font_id(font)),
                     "fillId": str(self.fill_id(fill)) if fill else "0", "borderId": "0", "xfId": "0",
                     "applyFont": "1"}
            if fmt:
                attrs["applyNumberFormat"] = "1"
            if fill:
                attrs["applyFill"] = "1"
            if align:
                attrs["applyAlignment"] = "1"
            self._cache[key] = self._add_xf(attrs, align or "")
        return self._cache[key]

    def with_format(self, base: int, code: str) -> int:
        """`base` with another number format (e.g. a date format for a date written into a General cell)."""
        key = ("fmt", base, code)
        if key not in self._cache:
            attrs = self.xf(base) or {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"}
            attrs = {**attrs, "numFmtId": str(self.fmt_id(code)), "applyNumberFormat": "1"}
            self._cache[key] = self._add_xf(attrs, _inner(self._xml(base)))
        return self._cache[key]

    def computed_cell(self, left: int, code: str | None) -> int:
        """A computed-column cell: the left neighbour's font and border, the computed fill, `code`."""
        key = ("computed", left, code)
        if key not in self._cache:
            base = self.xf(left)
            attrs = {"numFmtId": str(self.fmt_id(code)), "fontId": base.get("fontId", "0"),
                     "fillId": str(self.fill_id(theme.COMPUTED_FILL)), "borderId": base.get("borderId", "0"),
                     "xfId": "0", "applyNumberFormat": "1", "applyFill": "1"}
            if base.get("fontId", "0") != "0":
                attrs["applyFont"] = "1"
            if base.get("borderId", "0") != "0":
                attrs["applyBorder"] = "1"
            self._cache[key] = self._add_xf(attrs, "")
        return self._cache[key]

    def computed_header(self, left: int) -> int:
        """A computed-column header: the left header's font made bold white, on the computed header fill."""
        key = ("computed_header", left)
        if key not in self._cache:
            base = self.xf(left)
            font_xml = self._font_xml(int(base.get("fontId", "0") or 0))
            font = _recolor(font_xml, self.p, theme.HEADER_FONT) if font_xml else Font(bold=True,
                                                                                       color=theme.HEADER_FONT)
            attrs = {"numFmtId": "0", "fontId": str(self.font_id(font)),
                     "fillId": str(self.fill_id(theme.COMPUTED_HEADER_FILL)), "borderId": base.get("borderId", "0"),
                     "xfId": "0", "applyFont": "1", "applyFill": "1", "applyAlignment": "1"}
            if base.get("borderId", "0") != "0":
                attrs["applyBorder"] = "1"
            self._cache[key] = self._add_xf(attrs, CENTER)
        return self._cache[key]

    def _xml(self, index: int) -> str:
        return self.xfs.plain(index) or ""

    def _font_xml(self, index: int) -> str | None:
        return self.fonts.plain(index)

    # --- writing ---------------------------------------------------------------------------------

    def render(self) -> bytes:
        if not self.changed and self.original is not None:
            return self.original
        text = self.text
        p = self.p
        if self.new_fmts:
            items = "".join(f"<{p}numFmt numFmtId=\"{i}\" formatCode={quoteattr(c)}/>" for i, c in self.new_fmts)
            span = _span(text, "numFmts", p)
            if span:
                text = _append(text, span, "numFmts", items, p, len(self.num_fmts))
            else:
                root = re.search(rf"<{p}styleSheet\b[^>]*>", text)
                assert root is not None
                block = f'<{p}numFmts count="{len(self.new_fmts)}">{items}</{p}numFmts>'
                text = text[:root.end()] + block + text[root.end():]
        for pool in (self.fonts, self.fills, self.xfs):
            text = pool.render(text)
        return text.encode("utf-8")



def _append(text: str, span: tuple[int, int], tag: str, items: str, p: str, count: int) -> str:
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


def _attrs(text: str) -> dict[str, str]:
    return {k: html.unescape(v1 or v2) for k, v1, v2 in _ATTR.findall(text)}


def _int(v: str | None) -> int:
    return int(v) if v and v.isdigit() else 0


def _num_fmts(text: str, p: str) -> Iterator[dict[str, str]]:
    """The attributes of each <numFmt> in `text` that has a numeric id."""
    for el in re.finditer(rf"<{p}numFmt\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", text):
        a = _attrs(el.group(1))
        if a.get("numFmtId", "").strip().isdigit():
            yield a


def _inner(xf_xml: str) -> str:
    m = re.match(r"<[\w:]+\b[^>]*?>(.*)</[\w:]+>$", xf_xml, re.S)
    if not m or xf_xml.rstrip().endswith("/>") and "</" not in xf_xml:
        return ""
    return m.group(1)


def _recolor(font_xml: str, p: str, rgb: str) -> str:
    """A font element made bold with colour `rgb`."""
    body = re.sub(rf"<{p}(b|color)\b[^>]*/>", "", font_xml)
    body = re.sub(rf"<{p}color\b[^>]*>.*?</{p}color>", "", body, flags=re.S)
    if body.endswith("/>"):  # <font/>
        return f'<{p}font><{p}b/><{p}color rgb="FF{rgb}"/></{p}font>'
    open_end = body.index(">") + 1
    body = body[:open_end] + f"<{p}b/>" + body[open_end:]
    sz = re.search(rf"<{p}sz\b[^>]*/>", body)
    at = sz.end() if sz else open_end + len(f"<{p}b/>")
    return body[:at] + f'<{p}color rgb="FF{rgb}"/>' + body[at:]
