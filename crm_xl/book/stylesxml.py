"""styles.xml for the file engine: read the cell formats a run needs, append new ones (never renumber).

New fonts, fills, number formats and cell formats (xf) are appended at the end of their lists, so every
index already used by a cell, a conditional format or a table stays valid. `render()` returns the changed
part (the original bytes when nothing was added).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from .. import theme

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


def _section(tag: str, p: str) -> re.Pattern[str]:
    return re.compile(rf"<{p}{tag}\b[^>]*?(?:/>|>.*?</{p}{tag}>)", re.S)


class StyleBook:
    """The cell formats of a workbook, plus the ones a run adds."""

    def __init__(self, xml: bytes | None) -> None:
        self.original = xml
        self.text = xml.decode("utf-8") if xml else MINIMAL
        m = re.search(r"<(\w+:)?styleSheet\b", self.text)
        self.p = (m.group(1) or "") if m else ""
        p = self.p
        self.num_fmts: dict[int, str] = {}
        for el in re.finditer(rf"<{p}numFmt\b([^>]*)/?>", self.text):
            a = _attrs(el.group(1))
            if "numFmtId" in a:
                self.num_fmts[int(a["numFmtId"])] = a.get("formatCode", "")
        self.fonts = self._items("fonts", "font")
        self.fills = self._items("fills", "fill")
        self.xfs = self._items("cellXfs", "xf")
        self.new_fmts: list[tuple[int, str]] = []
        self.new_fonts: list[str] = []
        self.new_fills: list[str] = []
        self.new_xfs: list[str] = []
        self._cache: dict[tuple[object, ...], int] = {}
        self._date: dict[int, bool] = {}
        if not self.xfs:
            raise ValueError("styles.xml has no cellXfs")

    def _items(self, outer: str, inner: str) -> list[str]:
        m = _section(outer, self.p).search(self.text)
        return [x.group(0) for x in _section(inner, self.p).finditer(m.group(0))] if m else []

    @property
    def changed(self) -> bool:
        return bool(self.new_xfs or self.new_fmts or self.new_fonts or self.new_fills)

    # --- reading ---------------------------------------------------------------------------------

    def xf(self, index: int) -> dict[str, str]:
        xfs = self.xfs
        if 0 <= index < len(xfs):
            return _attrs(re.match(r"<[\w:]+\b([^>]*?)/?>", xfs[index]).group(1))  # type: ignore[union-attr]
        n = index - len(xfs)
        if 0 <= n < len(self.new_xfs):
            return _attrs(re.match(r"<[\w:]+\b([^>]*?)/?>", self.new_xfs[n]).group(1))  # type: ignore[union-attr]
        return {}

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
        if not code:
            return 0
        if code in BUILTIN:
            return BUILTIN[code]
        for i, c in self.num_fmts.items():
            if c == code:
                return i
        i = max([163, *self.num_fmts]) + 1
        self.num_fmts[i] = code
        self.new_fmts.append((i, code))
        return i

    def font_id(self, font: Font | str) -> int:
        xml = font if isinstance(font, str) else font.xml(self.p)
        key = ("font", xml)
        if key not in self._cache:
            self.new_fonts.append(xml)
            self._cache[key] = len(self.fonts) + len(self.new_fonts) - 1
        return self._cache[key]

    def fill_id(self, rgb: str) -> int:
        key = ("fill", rgb)
        if key not in self._cache:
            p = self.p
            self.new_fills.append(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb}"/>'
                                  f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
            self._cache[key] = len(self.fills) + len(self.new_fills) - 1
        return self._cache[key]

    def _add_xf(self, attrs: dict[str, str], inner: str) -> int:
        key = ("xf", tuple(sorted(attrs.items())), inner)
        if key not in self._cache:
            p = self.p
            a = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
            inner_p = inner.replace("<alignment", f"<{p}alignment") if p else inner
            self.new_xfs.append(f"<{p}xf{a}>{inner_p}</{p}xf>" if inner else f"<{p}xf{a}/>")
            self._cache[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self._cache[key]

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
        if 0 <= index < len(self.xfs):
            return self.xfs[index]
        n = index - len(self.xfs)
        return self.new_xfs[n] if 0 <= n < len(self.new_xfs) else ""

    def _font_xml(self, index: int) -> str | None:
        if 0 <= index < len(self.fonts):
            return self.fonts[index]
        n = index - len(self.fonts)
        return self.new_fonts[n] if 0 <= n < len(self.new_fonts) else None

    # --- writing ---------------------------------------------------------------------------------

    def render(self) -> bytes:
        if not self.changed and self.original is not None:
            return self.original
        text = self.text
        p = self.p
        if self.new_fmts:
            items = "".join(f"<{p}numFmt numFmtId=\"{i}\" formatCode={quoteattr(c)}/>" for i, c in self.new_fmts)
            m = _section("numFmts", p).search(text)
            if m:
                text = _append(text, m, "numFmts", items, p, len(self.num_fmts))
            else:
                root = re.search(rf"<{p}styleSheet\b[^>]*>", text)
                assert root is not None
                block = f'<{p}numFmts count="{len(self.new_fmts)}">{items}</{p}numFmts>'
                text = text[:root.end()] + block + text[root.end():]
        for outer, items, total in (("fonts", self.new_fonts, len(self.fonts) + len(self.new_fonts)),
                                    ("fills", self.new_fills, len(self.fills) + len(self.new_fills)),
                                    ("cellXfs", self.new_xfs, len(self.xfs) + len(self.new_xfs))):
            if items:
                m = _section(outer, p).search(text)
                assert m is not None
                text = _append(text, m, outer, "".join(items), p, total)
        return text.encode("utf-8")


def _append(text: str, m: re.Match[str], tag: str, items: str, p: str, count: int) -> str:
    block = m.group(0)
    if block.endswith("/>"):
        head = re.sub(r"\s*/>$", ">", block)
        new = head + items + f"</{p}{tag}>"
    else:
        close = block.rindex("</")
        new = block[:close] + items + block[close:]
    new = re.sub(r'(<[\w:]+\b[^>]*?\bcount=")\d+(")', rf"\g<1>{count}\2", new, count=1)
    if 'count="' not in new[:new.index(">")]:
        new = new.replace(f"<{p}{tag}", f'<{p}{tag} count="{count}"', 1)
    return text[:m.start()] + new + text[m.end():]


def _attrs(text: str) -> dict[str, str]:
    return {k: _unescape(v) for k, v in re.findall(r'([\w:]+)\s*=\s*"([^"]*)"', text)}


def _unescape(v: str) -> str:
    return v.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace(
        "&amp;", "&")


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
