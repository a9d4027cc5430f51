"""styles.xml for the file engine: read the cell formats a run needs; reuse or append them (never renumber).

A number format, font, fill or cell format (xf) a run needs is first looked for among the entries already
in styles.xml, by meaning rather than by bytes (see stylekeys.py, stylepool.py), so a second run on unchanged data adds
nothing. The others are appended at the end of their lists; existing entries are never changed or removed,
so every index already used by a cell, a conditional format or a table stays valid. Borders, dxfs
(conditional formats) and cell styles are read, never added. `render()` returns the changed part (the
original bytes when nothing was added).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from ...model import theme
from .stylekeys import ATTR
from .stylepool import Pool, append_to_list, find_span

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# Built-in number formats (id → code) that crm-xl can reuse, and the built-in ids that are dates
# (including the East Asian ones 27–36 and 50–58).
BUILTIN = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))

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



class StyleBook:
    """The cell formats of a workbook, plus the ones a run adds (an existing one meaning the same is reused)."""

    def __init__(self, xml: bytes | None) -> None:
        self.original = xml
        self.text = xml.decode("utf-8") if xml else MINIMAL
        m = re.search(r"<(\w+:)?styleSheet\b", self.text)
        self.p = p = (m.group(1) or "") if m else ""
        self.num_fmts: dict[int, str] = {}  # the <numFmts> list (cells use these)
        section = find_span(self.text, "numFmts", p)
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
            span = find_span(text, "numFmts", p)
            if span:
                text = append_to_list(text, span, "numFmts", items, p, len(self.num_fmts))
            else:
                root = re.search(rf"<{p}styleSheet\b[^>]*>", text)
                assert root is not None
                block = f'<{p}numFmts count="{len(self.new_fmts)}">{items}</{p}numFmts>'
                text = text[:root.end()] + block + text[root.end():]
        for pool in (self.fonts, self.fills, self.xfs):
            text = pool.render(text)
        return text.encode("utf-8")





def _attrs(text: str) -> dict[str, str]:
    return {k: html.unescape(v1 or v2) for k, v1, v2 in ATTR.findall(text)}


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
