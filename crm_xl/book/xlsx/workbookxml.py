"""The package's bookkeeping when sheets come and go: workbook.xml's `<sheets>` (and the defined names and
views that point at sheets by position), the workbook's relationships, [Content_Types].xml, the sheet
titles of docProps/app.xml, and the parts a removed sheet leaves behind.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from ...model.layout import Rendered, SheetLayout
from . import package as P
from . import xmlparts as X
from .cells import attr_xml, text_xml


@dataclass
class Slot:
    """A sheet of the workbook being written: an original `<sheet>` or a new generated one."""

    name: str
    entry: P.SheetEntry | None = None
    rendered: Rendered | None = None
    layout: SheetLayout | None = None
    sheet_id: int = 0  # new sheets: their sheetId and workbook relationship
    rid: str = ""
    hidden: bool | None = None  # set the sheet's visibility (None: leave it)
    code_name: str | None = None  # a rebuilt sheet keeps the code name Excel gave the one it replaces


def workbook_xml(pkg: P.Package, slots: list[Slot]) -> bytes:
    """workbook.xml with `<sheets>` in the slots' order: an original sheet keeps its element byte for
    byte (visibility aside), a new one is written in the element's namespace with its relationship id
    in a prefix bound in scope (declared on the element when none is)."""
    text = pkg.read(pkg.workbook.part).decode("utf-8")
    block = X.first(text, "sheets")
    if block is None:
        raise ValueError(f"{pkg.workbook.part}: no <sheets> element")
    lo, hi = X.inner(text, block)
    found = list(X.elements(text, "sheet", lo, hi))
    old = pkg.workbook.sheets
    if [X.attrs(e.tag).get("name") for e in found] != [s.name for s in old]:
        raise ValueError(f"{pkg.workbook.part}: its <sheet> elements could not be matched one by one")
    scope = X.namespaces(X.root(text).tag, block.tag)
    r_prefix = X.prefix_for(P.DOC_REL, scope)
    p = block.prefix
    by_entry = {id(entry): text[e.start:e.end] for entry, e in zip(old, found, strict=True)}
    new = []
    for slot in slots:
        if slot.entry is not None:
            el = by_entry[id(slot.entry)]
        else:
            rid = f'{r_prefix or "r"}:id="{slot.rid}"'
            declare = "" if r_prefix else f' xmlns:r="{P.DOC_REL}"'
            el = f'<{p}sheet name="{attr_xml(slot.name)}" sheetId="{slot.sheet_id}"{declare} {rid}/>'
        if slot.hidden is not None:
            tag = X.first(el, "sheet")
            assert tag is not None
            el = X.set_attr(tag.tag, "state", "hidden" if slot.hidden else None) + el[len(tag.tag):]
        new.append(el)
    if block.empty:
        name = block.tag[1:].split()[0].rstrip("/>")
        body = block.tag[:-2].rstrip() + ">" + "".join(new) + f"</{name}>"
        text = text[:block.start] + body + text[block.end:]
    else:
        text = text[:lo] + "".join(new) + text[hi:]
    # indices: old position → new position (None when removed)
    where = {id(s.entry): i for i, s in enumerate(slots) if s.entry is not None}
    remap = [where.get(id(s)) for s in old]
    text = remap_defined_names(text, remap)

    def view(mm: re.Match[str]) -> str:
        k = int(mm.group(3))
        n = remap[k] if k < len(remap) else None
        return f"{mm.group(1)}{mm.group(2)}{min(n if n is not None else k, len(slots) - 1)}{mm.group(2)}"

    views = X.first(text, "bookViews")
    if views is not None:
        part = re.sub(r"""(\b(?:activeTab|firstSheet)\s*=\s*)(["'])(\d+)\2""", view, text[views.start:views.end])
        text = text[:views.start] + part + text[views.end:]
    return text.encode("utf-8")


def remap_defined_names(text: str, remap: list[int | None]) -> str:
    """Defined names scoped to a sheet follow it to its new position; those of a removed sheet go (and an
    emptied <definedNames> with them)."""
    block = X.first(text, "definedNames")
    if block is None:
        return text
    out, pos = [], 0
    for el in X.elements(text, "definedName", block.start, block.end):
        local = el.attrs.get("localSheetId")
        if local is None or not local.isdigit():
            continue
        k = int(local)
        n = remap[k] if k < len(remap) else None
        out.append(text[pos:el.start])
        if n == k:
            out.append(text[el.start:el.end])
        elif n is not None:
            out.append(X.set_attr(el.tag, "localSheetId", str(n)) + text[el.start + len(el.tag):el.end])
        pos = el.end
    out.append(text[pos:])
    text = "".join(out)
    block = X.first(text, "definedNames")
    if block is not None and not block.empty and not X.first(text[block.start:block.end], "definedName"):
        text = text[:block.start] + text[block.end:]
    return text


def app_xml(xml: bytes, old: list[str], new: list[str]) -> bytes | None:
    """docProps/app.xml with the worksheet titles updated (None when its layout is not understood)."""
    text = xml.decode("utf-8")
    pairs = re.search(r"<HeadingPairs>\s*<vt:vector\b[^>]*>(.*?)</vt:vector>\s*</HeadingPairs>", text, re.S)
    titles = re.search(r"(<TitlesOfParts>\s*<vt:vector\b[^>]*?size=\")(\d+)(\"[^>]*>)(.*?)(</vt:vector>)", text,
                       re.S)
    if not pairs or not titles:
        return None
    variants = re.findall(r"<vt:variant>(.*?)</vt:variant>", pairs.group(1), re.S)
    groups: list[tuple[str, int]] = []
    for name_v, count_v in zip(variants[::2], variants[1::2], strict=False):
        label = re.search(r"<vt:lpstr>(.*?)</vt:lpstr>", name_v, re.S)
        count = re.search(r"<vt:i4>(\d+)</vt:i4>", count_v)
        if not label or not count:
            return None
        groups.append((label.group(1), int(count.group(1))))
    items = re.findall(r"<vt:lpstr>(.*?)</vt:lpstr>", titles.group(4), re.S)
    esc_old = [text_xml(n) for n in old]
    start = 0
    for gi, (_label, count) in enumerate(groups):
        if items[start:start + count] == esc_old:
            items[start:start + count] = [text_xml(n) for n in new]
            groups[gi] = (_label, len(new))
            break
        start += count
    else:
        return None
    body = "".join(f"<vt:lpstr>{x}</vt:lpstr>" for x in items)
    text = text[:titles.start()] + titles.group(1) + str(len(items)) + titles.group(3) + body + titles.group(5) + \
        text[titles.end():]
    k = 0

    def count_sub(mm: re.Match[str]) -> str:
        nonlocal k
        k += 1
        if k % 2 == 0:
            return f"<vt:i4>{groups[k // 2 - 1][1]}</vt:i4>"
        return mm.group(0)

    pairs = re.search(r"<HeadingPairs>.*?</HeadingPairs>", text, re.S)
    assert pairs is not None
    block = re.sub(r"<vt:lpstr>.*?</vt:lpstr>|<vt:i4>\d+</vt:i4>", count_sub, pairs.group(0), flags=re.S)
    return (text[:pairs.start()] + block + text[pairs.end():]).encode("utf-8")


def workbook_rels_xml(xml: bytes, wb_part: str, drop: set[str], add: list[tuple[str, str, str]]) -> bytes:
    """The workbook's relationships part without the ids in `drop`, with `add` (id, type, target part)."""
    text = xml.decode("utf-8")
    text = X.remove(text, "Relationship", lambda a: a.get("Id") in drop)
    text = X.append_children(text, "Relationship", [
        {"Id": rid, "Type": typ, "Target": P.relative(wb_part, part)} for rid, typ, part in add])
    return text.encode("utf-8")


def content_types_xml(xml: bytes, deleted: set[str], added: list[str], overrides: dict[str, str]) -> bytes:
    """[Content_Types].xml without the deleted entries' overrides, with one for each new part: its type in
    `overrides`, or for an added part whose extension has no default, the generic one."""
    ct = xml.decode("utf-8")
    gone = {"/" + name.lower() for name in deleted}
    ct = X.remove(ct, "Override", lambda a: unquote(a.get("PartName", "")).lower() in gone)
    defaults = {el.attrs.get("Extension", "").lower() for el in X.elements(ct, "Default")}
    types = dict(overrides)
    for part in added:  # a relationships part needs a type too (LibreOffice lists each)
        if part not in types and posixpath.splitext(part)[1][1:].lower() not in defaults:
            types[part] = P.CT_RELS if part.endswith(".rels") else "application/xml"
    ct = X.append_children(ct, "Override", [
        {"PartName": "/" + part, "ContentType": typ} for part, typ in types.items()])
    return ct.encode("utf-8")


def rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{rid}" Type="{typ}" Target="{attr_xml(target)}"/>'
                   for rid, typ, target in rels)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{P.PKG_REL}">{body}'
            "</Relationships>").encode()


def orphaned_parts(pkg: P.Package, part: str) -> set[str]:
    """The zip entries a removed sheet leaves behind: its part, its rels and every part reachable only
    from it."""
    reach: set[str] = set()
    todo = [part]
    while todo:
        p = todo.pop()
        if p in reach or not pkg.has(p):
            continue
        reach.add(p)
        todo.extend(r.target for r in pkg.rels(p) if not r.external)
    outside: set[str] = set()
    for source, rels in pkg.all_rels().items():
        if source in reach:
            continue
        outside.update(r.target for r in rels if not r.external)
    keep = set()
    todo = [p for p in reach if p in outside and p != part]
    while todo:
        p = todo.pop()
        if p in keep:
            continue
        keep.add(p)
        todo.extend(r.target for r in pkg.rels(p) if not r.external and r.target in reach)
    dead = reach - keep
    names = set()
    for p in dead:
        names.add(pkg.name(p) or p)
        rels = P.rels_part(p)
        if pkg.has(rels):
            names.add(pkg.name(rels) or rels)
    return names
