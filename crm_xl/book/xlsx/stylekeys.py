"""What a styles.xml entry means: `canon` turns an entry into a key that two spellings of the same
font, fill or cell format share, and `needles_of` the text any such spelling contains (to find candidates
with plain string search before working out their keys).
"""

from __future__ import annotations

import html
import re

Key = tuple[object, ...]

_TOKEN = re.compile(r"<(/?)([\w.:-]+)((?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>|<!--.*?-->|([^<]+)",
                    re.S)
ATTR = re.compile(r"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
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
    for k, v1, v2 in ATTR.findall(text):
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


def needles_of(xml: str) -> list[tuple[str, ...]]:
    """Text any entry meaning the same as `xml` contains, each as one of a few spellings, longest first: the
    attribute values `canon` does not rewrite, and rgb colours in capitals or small letters. (An entry that
    spells one otherwise, with character references say, is merely not reused.)"""
    out: set[tuple[str, ...]] = set()
    for m in _TOKEN.finditer(xml):
        close, tag, attrs = m.group(1, 2, 3)
        if not tag or close:
            continue
        tag = tag.rsplit(":", 1)[-1]
        for k, v1, v2 in ATTR.findall(attrs):
            v = v1 or v2
            if len(v) < 2 or not _PLAIN.fullmatch(v) or DEFAULTS.get(tag, {}).get(k) == v:
                continue
            if k == "rgb":
                out.add((v.upper(), v.lower()))
            elif not (k in BOOL_ATTRS or k.startswith("apply") or k == "val" and tag in _REWRITTEN_VAL):
                out.add((v,))
    return sorted(out, key=lambda n: len(n[0]), reverse=True)


_REWRITTEN_VAL = BOOL_ELEMENTS | {"sz"}
