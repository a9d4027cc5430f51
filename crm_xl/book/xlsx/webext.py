"""The xlwings Lite add-in's parts: a task pane (`taskpanes.xml`, from the package's relationships) that
opens a web extension (`webextension1.xml`) whose property bag holds the add-in's files and settings.

Lite keeps each file as a property whose value is the JSON encoding of its text (Office's document
settings are JSON), XML-escaped in the `value` attribute: `<we:property name="main.py" value="&quot;import
xlwings as xw\\n…&quot;"/>`. Written here with `json.dumps` as it is (non-ASCII as `\\uXXXX`, control
characters escaped), so the attribute holds only ASCII and every JSON reader gives the text back.

Writing edits what exists as text (xmlparts.py: any prefix, either element form) and keeps every property it
is not given — `xlwingsWorkbookId`, `xlwingsSettingsWorkbook`, `requirements-pinned.txt`, names not
published — byte for byte and in place; the web extension's id, reference and part names stay. A workbook
with other add-ins keeps them: the Lite pane is added beside theirs.
"""

from __future__ import annotations

import json
import posixpath
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from ..ops import InstallLite
from . import package as P
from . import xmlparts as X
from .workbookxml import rels_xml

T_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
T_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
CT_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"
CT_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
STORE_ID = "wa200008175"  # xlwings Lite in the Office store (AppSource WA200008175)
AUTOSHOW = "Office.AutoShowTaskpaneWithDocument"
PANE_WIDTH = 438
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# a web extension's children, in the schema's order (CT_OsfWebExtension)
_WE_ORDER = ("reference", "alternateReferences", "properties", "bindings", "snapshot", "extLst")


@dataclass(frozen=True)
class LitePane:
    """Where a workbook's Lite add-in lives: the task panes part, the id of its relationship to the web
    extension, and the web extension part."""

    taskpanes: str
    rid: str
    webextension: str


@dataclass
class LiteEdit:
    """The parts an install rewrites (part → XML) and adds (part, XML, content type or None)."""

    replaced: dict[str, bytes] = field(default_factory=dict)
    added: list[tuple[str, bytes, str | None]] = field(default_factory=list)


def encode(text: str) -> str:
    """A property's stored value: the JSON encoding of its text."""
    return json.dumps(text)


def decode(value: str) -> str:
    """A property's text from its stored value: the JSON string decoded; any other value (an object, a
    number, `true`, or what is not JSON) as it is stored."""
    try:
        text = json.loads(value)
    except ValueError:
        return value
    return text if isinstance(text, str) else value


def is_lite(xml: bytes) -> bool:
    """Whether a web extension part references the Lite add-in (by its store id, in any case)."""
    root = ET.fromstring(xml)
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "reference" and (el.get("id") or "").lower() == STORE_ID:
            return True
    return False


def find_lite(pkg: P.Package) -> LitePane | None:
    """The workbook's Lite task pane and web extension, or None when it has none."""
    panes = pkg.rel_of("", T_TASKPANES)
    if panes is None or panes.external or not pkg.has(panes.target):
        return None
    for rel in pkg.rels(panes.target):
        if rel.type == T_WEBEXTENSION and not rel.external and pkg.has(rel.target) and is_lite(pkg.read(rel.target)):
            return LitePane(panes.target, rel.id, rel.target)
    return None


def read_lite(pkg: P.Package) -> dict[str, str] | None:
    """The properties of the workbook's Lite add-in (name → text, decoded as `decode` does, in the order
    stored), or None when the workbook has no Lite add-in."""
    found = find_lite(pkg)
    if found is None:
        return None
    out: dict[str, str] = {}
    for el in ET.fromstring(pkg.read(found.webextension)).iter(f"{{{WE}}}property"):
        out[el.get("name", "")] = decode(el.get("value", ""))
    return out


def install(pkg: P.Package, op: InstallLite, alloc: Callable[[str], str]) -> LiteEdit:
    """The part edits that give the workbook the Lite add-in with `op`'s properties (`alloc(name)`: `name`,
    or when it is taken the first free one numbered like it, reserved)."""
    values: dict[str, str | None] = {name: encode(text) for name, text in op.properties.items()}
    values[AUTOSHOW] = "true" if op.autoshow else None
    edit = LiteEdit()
    found = find_lite(pkg)
    if found is not None:
        old = pkg.read(found.webextension)
        new = with_properties(old, values)
        if new != old:
            edit.replaced[found.webextension] = new
        panes = pkg.read(found.taskpanes)
        shown = set_visibility(panes, found.rid, op.autoshow)
        if shown != panes:
            edit.replaced[found.taskpanes] = shown
        return edit
    panes_rel = pkg.rel_of("", T_TASKPANES)
    if panes_rel is not None and not panes_rel.external and pkg.has(panes_rel.target):
        panes = panes_rel.target  # another add-in's pane is there: the Lite pane goes beside it
        folder = posixpath.dirname(panes)
        webext = alloc(posixpath.join(folder, "webextension1.xml"))
        rid = new_rid(r.id for r in pkg.rels(panes))
        edit.replaced[panes] = add_taskpane(pkg.read(panes), rid, op.autoshow)
        rels = P.rels_part(panes)
        link = (rid, T_WEBEXTENSION, P.relative(panes, webext))
        if pkg.has(rels):
            edit.replaced[rels] = add_relationships(pkg.read(rels), [link])
        else:
            edit.added.append((rels, rels_xml([link]), None))
    else:
        folder = "xl/webextensions"
        panes = alloc(posixpath.join(folder, "taskpanes.xml"))
        webext = alloc(posixpath.join(folder, "webextension1.xml"))
        rid = "rId1"
        edit.added.append((panes, taskpanes_xml(rid, op.autoshow), CT_TASKPANES))
        edit.added.append((P.rels_part(panes), rels_xml([(rid, T_WEBEXTENSION, P.relative(panes, webext))]), None))
        root_rels = "_rels/.rels"
        link = (new_rid(r.id for r in pkg.rels("")), T_TASKPANES, P.relative("", panes))
        if panes_rel is not None:  # a relationship to a missing part: replaced, not doubled
            edit.replaced[root_rels] = add_relationships(
                X.remove(pkg.read(root_rels).decode("utf-8"), "Relationship",
                         lambda a: a.get("Id") == panes_rel.id).encode("utf-8"), [link])
        else:
            edit.replaced[root_rels] = add_relationships(pkg.read(root_rels), [link])
    edit.added.append((webext, webextension_xml(values), CT_WEBEXTENSION))
    return edit


def new_rid(used: Iterable[str]) -> str:
    """The first `rIdN` not among the ids `used`."""
    taken = set(used)
    n = 1
    while f"rId{n}" in taken:
        n += 1
    return f"rId{n}"


def add_relationships(xml: bytes, rels: list[tuple[str, str, str]]) -> bytes:
    """A relationships part with `rels` (id, type, target as written) appended, every other byte kept."""
    return X.append_children(xml.decode("utf-8"), "Relationship", [
        {"Id": rid, "Type": typ, "Target": target} for rid, typ, target in rels]).encode("utf-8")


def webextension_xml(values: dict[str, str | None]) -> bytes:
    """A new Lite web extension part with a fresh id; `values`: property → stored value (None: left out)."""
    props = "".join(f'<we:property name="{X.escape_attr(k)}" value="{X.escape_attr(v)}"/>'
                    for k, v in values.items() if v is not None)
    guid = "{" + str(uuid.uuid4()).upper() + "}"
    return (HEAD + f'<we:webextension xmlns:we="{WE}" id="{guid}">'
            f'<we:reference id="{STORE_ID}" version="1.0.0.0" store="en-US" storeType="OMEX"/>'
            f'<we:alternateReferences><we:reference id="{STORE_ID.upper()}" version="1.0.0.0" '
            f'store="{STORE_ID.upper()}" storeType="OMEX"/></we:alternateReferences>'
            f"<we:properties>{props}</we:properties><we:bindings/>"
            f'<we:snapshot xmlns:r="{P.DOC_REL}"/></we:webextension>').encode("utf-8")


def _pane(p: str, rid: str, visible: bool, row: int, r_decl: str) -> str:
    return (f'<{p}taskpane dockstate="right" visibility="{int(visible)}" width="{PANE_WIDTH}" row="{row}">'
            f'<{p}webextensionref{r_decl} r:id="{rid}"/></{p}taskpane>')


def taskpanes_xml(rid: str, visible: bool) -> bytes:
    """A new task panes part holding the Lite pane, which opens the web extension of relationship `rid`."""
    return (HEAD + f'<wetp:taskpanes xmlns:wetp="{WETP}">'
            + _pane("wetp:", rid, visible, 3, f' xmlns:r="{P.DOC_REL}"') + "</wetp:taskpanes>").encode("utf-8")


def add_taskpane(xml: bytes, rid: str, visible: bool) -> bytes:
    """Another add-in's task panes part with the Lite pane added after theirs (docked below them)."""
    text = xml.decode("utf-8")
    top = X.root(text)
    rows = [int(r) for el in X.children(text, top) if el.local == "taskpane"
            and (r := el.attrs.get("row", "")).isdigit()]
    return X.append_xml(text, _pane(top.prefix, rid, visible, max(rows, default=2) + 1,
                                             f' xmlns:r="{P.DOC_REL}"')).encode("utf-8")


def set_visibility(xml: bytes, rid: str, visible: bool) -> bytes:
    """The task panes part with the visibility of the pane that opens relationship `rid` set."""
    text = xml.decode("utf-8")
    top = X.root(text)
    scope = X.namespaces(top.tag)
    for pane in X.children(text, top):
        if pane.local != "taskpane":
            continue
        for ref in X.children(text, pane):
            if ref.local == "webextensionref" and _rel_id(ref.tag, {**scope, **X.namespaces(pane.tag)}) == rid:
                tag = X.set_attr(pane.tag, "visibility", "1" if visible else "0")
                if tag == pane.tag or X.attrs(tag) == pane.attrs:
                    return xml
                return (text[:pane.start] + tag + text[pane.start + len(pane.tag):]).encode("utf-8")
    return xml


def _rel_id(tag: str, scope: dict[str, str]) -> str | None:
    """The relationship id (`r:id`, whatever the prefix) of a start tag."""
    scope = {**scope, **X.namespaces(tag)}
    for name, value in X.attrs(tag).items():
        prefix, _, local = name.rpartition(":")
        if local == "id" and prefix and scope.get(prefix) == P.DOC_REL:
            return value
    return None


def with_properties(xml: bytes, values: dict[str, str | None]) -> bytes:
    """A web extension part with each property of `values` set (its stored value, XML-escaped here) or
    removed (None); a property already there keeps its place, a new one goes last; every other byte stays."""
    text = xml.decode("utf-8")
    top = X.root(text)
    p = top.prefix
    kids = list(X.children(text, top))
    bag = next((el for el in kids if el.local == "properties"), None)
    if bag is None:  # no property bag: one is made at its place in the schema's order
        after = _WE_ORDER[_WE_ORDER.index("properties") + 1:]
        at = next((el.start for el in kids if el.local in after), None)
        if at is None:
            at = inner_end(text, top)
        empty = f"<{p}properties/>"
        text = text[:at] + empty + text[at:]
        bag = X.Element(at, at + len(empty), empty, p)
    todo = dict(values)
    out: list[str] = []
    pos = X.inner(text, bag)[0]
    for el in X.children(text, bag):
        name = el.attrs.get("name") if el.local == "property" else None
        if name is None or name not in todo:
            continue
        value = todo.pop(name)
        if value is not None and el.attrs.get("value") == value:
            continue  # unchanged: its bytes stay
        out.append(text[pos:el.start])
        if value is not None:
            out.append(X.set_attr(el.tag, "value", value) + text[el.start + len(el.tag):el.end])
        pos = el.end
    lo, hi = X.inner(text, bag)
    out.append(text[pos:hi])
    added = "".join(f'<{p}property name="{X.escape_attr(k)}" value="{X.escape_attr(v)}"/>'
                    for k, v in todo.items() if v is not None)
    body = "".join(out) + added
    if bag.empty:
        if not body:
            return text.encode("utf-8")
        name = bag.tag[1:].split()[0].rstrip("/>")
        new = bag.tag[:-2].rstrip() + ">" + body + f"</{name}>"
        return (text[:bag.start] + new + text[bag.end:]).encode("utf-8")
    return (text[:lo] + body + text[hi:]).encode("utf-8")


def inner_end(text: str, el: X.Element) -> int:
    """Where content appended to an element goes (before its end tag)."""
    return X.inner(text, el)[1]
