"""Cell XML for the file engine: values → `<c>` elements (strings always inline text, never formulas)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from pandas import NA as _NA
from pandas import NaT as _NAT
from pandas import Timestamp as _Timestamp

from ...model.frame import col_letter

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ESCAPED_CHAR = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
MAX_TEXT = 32767
_ORD_1900 = dt.date(1899, 12, 30).toordinal()
_ORD_1904 = dt.date(1904, 1, 1).toordinal()


LETTERS = [b""] + [col_letter(i).encode() for i in range(1, 16385)]


def text_xml(value: str) -> str:
    """Escape text for an XML text node (illegal characters dropped, Excel's `_xHHHH_` kept literal)."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if _SPECIAL.search(value) is None:
        return value
    value = ILLEGAL.sub("", value)
    if "_x" in value:
        value = ESCAPED_CHAR.sub(r"_x005F\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


_ATTR_SPECIAL = re.compile('[&<>"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def attr_xml(value: str) -> str:
    """Escape text for a double-quoted XML attribute."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    value = ILLEGAL.sub("", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def serial(value: dt.date | dt.datetime | dt.time, date1904: bool = False) -> float | int:
    """Excel's serial number of a date / datetime / time."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    base = _ORD_1904 if date1904 else _ORD_1900
    days = value.toordinal() - base
    if isinstance(value, dt.datetime):
        secs = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + secs / 86400 if secs else days
    return days


class CellWriter:
    """Turns (reference, value, style) into a cell element, with the sheet's namespace prefix."""

    def __init__(self, prefix: str = "", date1904: bool = False) -> None:
        p = prefix
        self.date1904 = date1904
        self.c_open = f"<{p}c r=\"".encode()
        self.str_open = f'" t="inlineStr"><{p}is><{p}t>'.encode()
        self.str_open_sp = f'" t="inlineStr"><{p}is><{p}t xml:space="preserve">'.encode()
        self.str_close = f"</{p}t></{p}is></{p}c>".encode()
        self.v_open = f'"><{p}v>'.encode()
        self.b_open = f'" t="b"><{p}v>'.encode()
        self.v_close = f"</{p}v></{p}c>".encode()
        self._text: dict[tuple[str, int], bytes] = {}  # (text, style) → the element after its reference

    def text_tail(self, s: bytes, value: str, body: bytes) -> bytes:
        """A text cell's tail: style attribute `s`, the text's XML `body` (spaces kept when at its ends)."""
        spaced = value[:1].isspace() or value[-1:].isspace()
        return s + (self.str_open_sp if spaced else self.str_open) + body + self.str_close

    def column(self, letter: bytes, numbers: list[bytes], values: list[Any],
               prepare: Callable[[Any, Any], tuple[Any, int]], extras: list[Any] | None = None,
               skip: Any = None) -> list[bytes]:
        """The cells of one column (b'' where a cell writes nothing, or the value is `skip`), each distinct
        (value, extra) turned into XML once: `prepare(value, extra)` gives the value as written and its
        style; `extras` is one more input per row (e.g. the row's style name), None for all by default."""
        opening = self.c_open + letter
        per_row = extras if extras is not None else [None] * len(values)
        after = self.tail

        def tail(v: Any, e: Any) -> bytes:  # the XML after the reference; b"" for nothing
            return b"" if skip is not None and v is skip else after(*prepare(v, e))

        try:  # what makes two values the same XML: class and value (0 is not False), a float's bits (-0.0)
            if extras is None and set(map(type, values)) <= {*_SELF_KEYED, skip.__class__}:
                keys = values  # texts, dates and blanks: equal means the same XML
            else:
                keys = [(v.__class__, v) if v.__class__ is not float else v.hex() for v in values]
            if extras is not None:
                keys = list(zip(keys, extras, strict=True))
            distinct = dict(zip(keys, zip(values, per_row, strict=True), strict=True))
        except TypeError:  # an unhashable value: no sharing
            return [opening + rb + t if (t := tail(v, e)) else b""
                    for rb, v, e in zip(numbers, values, per_row, strict=True)]
        tails = self._tails(distinct, prepare, skip)
        if b"" not in tails.values():
            return list(map(opening.__add__, map(bytes.__add__, numbers, map(tails.__getitem__, keys))))
        return [opening + rb + t if (t := tails[k]) else b"" for rb, k in zip(numbers, keys, strict=True)]

    def _tails(self, distinct: dict[Any, tuple[Any, Any]], prepare: Callable[[Any, Any], tuple[Any, int]],
               skip: Any) -> dict[Any, bytes]:
        """`tail` of each distinct (value, extra), its texts done together: one search for characters to
        escape and one encoding for all of them (`_plain_texts`), when none needs escaping."""
        out: dict[Any, bytes] = {}
        texts: list[tuple[Any, str, int]] = []
        for k, (v, e) in distinct.items():
            if skip is not None and v is skip:
                out[k] = b""
                continue
            value, style = prepare(v, e)
            if value.__class__ is str:
                texts.append((k, value, style))
            else:
                out[k] = self.tail(value, style)
        bodies = _plain_texts([v for _, v, _ in texts]) if len(texts) > 16 else None
        if bodies is None:
            for k, v, style in texts:
                out[k] = self.tail(v, style)
            return out
        attrs: dict[int, bytes] = {}
        for (k, v, style), body in zip(texts, bodies, strict=True):
            s = attrs.get(style)
            if s is None:
                s = attrs[style] = b'" s="%d' % style if style else b""
            out[k] = self.text_tail(s, v, body)
        return out

    def cell(self, ref: bytes, value: Any, style: int) -> bytes:
        """The `<c>` element; b'' for a blank unstyled cell."""
        tail = self.tail(value, style)
        return self.c_open + ref + tail if tail else b""

    def tail(self, value: Any, style: int) -> bytes:
        """What follows a cell's reference in its element; b'' for a blank unstyled cell."""
        if value.__class__ is str:
            key = (value, style)
            tail = self._text.get(key)  # type: ignore[call-overload]
            if tail is None:
                tail = self.text_tail(b'" s="%d' % style if style else b"", value, text_xml(value).encode("utf-8"))
                if len(self._text) < 100_000:
                    self._text[key] = tail  # type: ignore[index]
            return tail
        s = b'" s="%d' % style if style else b""
        if value is None:
            return s + b'"/>' if style else b""
        if isinstance(value, str):
            return self.text_tail(s, value, text_xml(value).encode("utf-8"))
        if isinstance(value, bool):
            return s + self.b_open + (b"1" if value else b"0") + self.v_close
        if isinstance(value, int):
            return s + self.v_open + int.__repr__(value).encode() + self.v_close
        if isinstance(value, float):
            if not math.isfinite(value):
                return s + b'"/>' if style else b""
            return s + self.v_open + float.__repr__(value).encode() + self.v_close
        if value is _NAT:
            return s + b'"/>' if style else b""
        if isinstance(value, dt.date | dt.time):
            return s + self.v_open + repr(serial(value, self.date1904)).encode() + self.v_close
        return self.tail(normalize(value), style)


_SELF_KEYED = {str, type(None), dt.date, dt.datetime, dt.time}


def _plain_texts(texts: list[str]) -> list[bytes] | None:
    """Texts as the UTF-8 of their XML text nodes, when none needs escaping or cutting (else None): they
    are then written as they are, so joined they show no character to escape (a false alarm across two
    texts only sends them the slow way), and NUL, which that search would have found, splits them."""
    if not texts or max(map(len, texts)) > MAX_TEXT or _SPECIAL.search("".join(texts)) is not None:
        return None
    return "\x00".join(texts).encode("utf-8").split(b"\x00")


def normalize(value: Any) -> Any:
    """numpy / pandas scalars → Python values; NaN/NaT/NA → None; anything else unknown → its text."""
    if value is None or value.__class__ in PLAIN:
        return value
    if value is _NAT or value is _NA:
        return None
    if isinstance(value, _Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str | bool | int | float | dt.date | dt.time):
        return value
    if hasattr(value, "item"):
        try:
            return normalize(value.item())
        except (ValueError, TypeError):
            pass
    return str(value)


PLAIN = {str, bool, int, float, dt.date, dt.datetime, dt.time}  # values the cell writer takes as they are
