"""The check a new package passes before it may replace the workbook it was made from.

A save writes the new package to a temporary file; this reads it back with independent parsers and
refuses it (the original stays as it was) unless: the zip reads; every part crm-xl wrote is well-formed
XML with every namespace prefix bound; no relationship points at a part that is missing (unless it already
did in the original); every part has a content type (unless it already lacked one); and every sheet of
workbook.xml resolves to a part, with unique names and ids.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from ...model.errors import PackageCheckError
from . import package as P
from .zipio import Blob

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SUFFIXES = (".xml", ".rels", ".vml")


def verify_package(path: Path, original: P.Package, written: Mapping[str, Blob]) -> None:
    """Raise PackageCheckError when the package at `path` (made from `original`, with the parts `written`
    rebuilt or added) is not one Excel can open as it could open the original. The written parts were
    checked for well-formedness as they were compressed (`Blob.xml_error`): they are not parsed again."""
    problems = _problems(path, original, written)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise PackageCheckError(
            f"{original.path}: crm-xl's result failed its safety check ({shown}); nothing was written and "
            "the workbook is unchanged — please report this with the workbook if you can"
        )


def _problems(path: Path, original: P.Package, written: Mapping[str, Blob]) -> list[str]:
    try:
        new = P.Package(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"the new zip cannot be read: {exc}"]
    with new:
        out: list[str] = []
        for name in sorted(written):
            if name.lower().endswith(XML_SUFFIXES) and new.has(name):
                error = written[name].xml_error
                if error:
                    out.append(f"{name} is not well-formed XML ({error})")
        if out:
            return out
        out += _dangling(new, original)
        out += _untyped(new, original)
        out += _sheets(new)
        return out


def _targets(pkg: P.Package) -> set[tuple[str, str]]:
    """(source part, target part) of every internal relationship that points at a missing part."""
    missing = set()
    for source, rels in pkg.all_rels().items():
        for rel in rels:
            target = rel.target.split("#", 1)[0]
            if not rel.external and target and not pkg.has(target) and not pkg.has(unquote(target)):
                missing.add((source, target))
    return missing


def _dangling(new: P.Package, original: P.Package) -> list[str]:
    try:
        before = _targets(original)
        after = _targets(new)
    except ET.ParseError as exc:
        return [f"a relationships part is not well-formed ({exc})"]
    return [f"{source or 'the package'} points at {target}, which is missing"
            for source, target in sorted(after - before)]


def _typed(pkg: P.Package) -> set[str]:
    """The entries of the package without a content type."""
    root = ET.fromstring(pkg.read("[Content_Types].xml"))
    defaults = {el.get("Extension", "").lower() for el in root.iter(f"{{{CT_NS}}}Default")}
    overrides = {unquote(el.get("PartName", "")).lstrip("/").lower() for el in root.iter(f"{{{CT_NS}}}Override")}
    untyped = set()
    for info in pkg.infos:
        name = info.filename
        if name.endswith("/") or name == "[Content_Types].xml":
            continue
        ext = posixpath.splitext(name)[1][1:].lower()
        if name.lower() not in overrides and ext not in defaults:
            untyped.add(name)
    return untyped


def _untyped(new: P.Package, original: P.Package) -> list[str]:
    try:
        missing = _typed(new) - _typed(original)
    except (KeyError, ET.ParseError) as exc:
        return [f"[Content_Types].xml cannot be read ({exc})"]
    return [f"{name} has no content type" for name in sorted(missing)]


def _sheets(new: P.Package) -> list[str]:
    try:
        wb = new.workbook
    except (KeyError, ET.ParseError) as exc:
        return [f"the workbook part cannot be read ({exc})"]
    out = []
    names: set[str] = set()
    ids: set[int] = set()
    for s in wb.sheets:
        if s.part is None or not new.has(s.part):
            out.append(f"sheet {s.name!r} does not resolve to a part (r:id {s.rid!r})")
        if s.name.lower() in names:
            out.append(f"two sheets are named {s.name!r}")
        if s.sheet_id in ids or s.sheet_id <= 0:
            out.append(f"sheet {s.name!r} has the sheetId {s.sheet_id}, invalid or taken")
        names.add(s.name.lower())
        ids.add(s.sheet_id)
    if not wb.sheets:
        out.append("the workbook has no sheets")
    return out
