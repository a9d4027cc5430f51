"""Edits of small package XML parts (workbook.xml, .rels, [Content_Types].xml) that keep every byte crm-xl
does not change, whatever form the producer chose.

The parts are edited as text so foreign markup (extension lists, comments, `mc:` blocks) survives as it
was, but every element is found the way an XML parser sees it: with or without a namespace prefix,
self-closing (`<sheet …/>`) or with an end tag (`<sheet …></sheet>`, as NPOI writes), attributes in any
order, quoted with `"` or `'`, and namespace declarations on the root or on the element itself (as
openpyxl writes with lxml). Prefixes are resolved from the declarations in scope, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import unescape

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def attrs(start_tag: str) -> dict[str, str]:
    """The attributes of a start tag (`<x:sheet name="a" …>`), by qualified name, values unescaped."""
    body = re.sub(r"^<[\w:.-]+", "", start_tag)
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3), _ENTITIES)
            for m in _ATTR.finditer(body)}


@dataclass(frozen=True)
class Element:
    """One element found in a text: its span, its start tag and whether it closes itself."""

    start: int
    end: int  # past the element's end tag (or its `/>`)
    tag: str  # the start tag, `<…>` or `<…/>`
    prefix: str  # "" or "x:"

    @property
    def attrs(self) -> dict[str, str]:
        return attrs(self.tag)

    @property
    def empty(self) -> bool:
        return self.tag.endswith("/>")

    @property
    def local(self) -> str:
        """The element's local name (`sheet` for `<x:sheet …>`)."""
        m = re.match(r"<(?:[\w.-]+:)?([\w.-]+)", self.tag)
        assert m is not None
        return m.group(1)


def _tag_re(local: str) -> re.Pattern[str]:
    return re.compile(rf"<((?:[\w.-]+:)?){re.escape(local)}(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def elements(text: str, local: str, start: int = 0, end: int | None = None) -> Iterator[Element]:
    """Every element with local name `local` in text[start:end], in document order (not nested in each
    other: the parts edited here have none of that shape)."""
    stop = len(text) if end is None else end
    pattern = _tag_re(local)
    pos = start
    while True:
        m = pattern.search(text, pos, stop)
        if m is None:
            return
        tag, prefix = m.group(0), m.group(1)
        if tag.endswith("/>"):
            close = m.end()
        else:
            closing = re.compile(rf"</{re.escape(prefix)}{re.escape(local)}\s*>")
            c = closing.search(text, m.end(), stop)
            if c is None:
                raise ValueError(f"<{prefix}{local}> has no end tag")
            close = c.end()
        yield Element(m.start(), close, tag, prefix)
        pos = close


_TOKEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!.*?>"
                    r"|<(/?)((?:[\w.-]+:)?)[\w.-]+(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>", re.S)


def children_in(text: str, start: int, end: int) -> Iterator[Element]:
    """The elements at the top level of text[start:end], in document order, however deeply they nest; an
    end tag that closes an element opened before `start` ends the walk (so the content of an element, or
    the rest of a document from inside its root, can be walked)."""
    depth = 0
    opened: re.Match[str] | None = None
    for m in _TOKEN.finditer(text, start, end):
        if m.group(1) is None:  # a comment, CDATA section, processing instruction or declaration
            continue
        if m.group(1) == "/":
            if depth == 0:
                return
            depth -= 1
            if depth == 0 and opened is not None:
                yield Element(opened.start(), m.end(), opened.group(0), opened.group(2))
        elif m.group(3) == "/":
            if depth == 0:
                yield Element(m.start(), m.end(), m.group(0), m.group(2))
        else:
            if depth == 0:
                opened = m
            depth += 1


def children(text: str, el: Element) -> Iterator[Element]:
    """The child elements of `el` (not their descendants), in document order."""
    lo, hi = inner(text, el)
    return children_in(text, lo, hi)


def first(text: str, local: str) -> Element | None:
    return next(elements(text, local), None)


def inner(text: str, el: Element) -> tuple[int, int]:
    """The span of an element's content (empty at its `/>` for a self-closing one)."""
    if el.empty:
        return el.end - 2, el.end - 2
    return el.start + len(el.tag), text.rindex("</", el.start, el.end)


def namespaces(*tags: str) -> dict[str, str]:
    """Prefix → namespace declared by these start tags, outermost first (a later tag overrides); the
    default namespace under the key ''."""
    out: dict[str, str] = {}
    for tag in tags:
        for name, value in attrs(tag).items():
            if name == "xmlns":
                out[""] = value
            elif name.startswith("xmlns:"):
                out[name[6:]] = value
    return out


def prefix_for(ns: str, scope: dict[str, str]) -> str | None:
    """A prefix bound to `ns` in `scope` ("r"), or None."""
    return next((p for p, uri in scope.items() if p and uri == ns), None)


def set_attr(tag: str, name: str, value: str | None) -> str:
    """A start tag with attribute `name` set to `value` (escaped), or removed when None; every other byte
    of the tag kept."""
    tag = re.sub(rf"""\s+{re.escape(name)}\s*=\s*(?:"[^"]*"|'[^']*')""", "", tag)
    if value is None:
        return tag
    at = len(tag) - (2 if tag.endswith("/>") else 1)
    while at > 0 and tag[at - 1].isspace():
        at -= 1
    return f'{tag[:at]} {name}="{escape_attr(value)}"{tag[at:]}'


def escape_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def root(text: str) -> Element:
    """The document element's start tag (after the XML declaration, comments and processing instructions)."""
    m = re.search(r"<([\w.-]+:)?[\w.-]+(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
                  re.sub(r"<\?.*?\?>|<!--.*?-->", lambda x: " " * len(x.group(0)), text, flags=re.S))
    if m is None:
        raise ValueError("no root element")
    return Element(m.start(), len(text), m.group(0), m.group(1) or "")


def remove(text: str, local: str, drop: Callable[[dict[str, str]], bool]) -> str:
    """The text without the `local` elements whose attributes satisfy `drop`."""
    out, pos = [], 0
    for el in elements(text, local):
        if drop(el.attrs):
            out.append(text[pos:el.start])
            pos = el.end
    out.append(text[pos:])
    return "".join(out)


def append_children(text: str, local_children: str, attrs_list: list[dict[str, str]]) -> str:
    """Append `<child …/>` elements (one per attribute dict, in the root's namespace and prefix) as the
    last children of the document element."""
    if not attrs_list:
        return text
    p = root(text).prefix
    body = "".join(f"<{p}{local_children}" + "".join(f' {k}="{escape_attr(v)}"' for k, v in a.items()) + "/>"
                   for a in attrs_list)
    return append_xml(text, body)


def append_xml(text: str, body: str) -> str:
    """Append markup as the last content of the document element (opening a self-closing one)."""
    top = root(text)
    if top.tag.endswith("/>"):
        name = re.match(r"<([\w:.-]+)", top.tag)
        assert name is not None
        opened = top.tag[:-2].rstrip() + ">"
        return text[:top.start] + opened + body + f"</{name.group(1)}>" + text[top.start + len(top.tag):]
    close = text.rindex("</")
    return text[:close] + body + text[close:]
