"""The parts of an .xlsx/.xlsm package the file engine needs: relationships, sheets, tables, content types.

Read straight from the zip with the standard library (ElementTree for the small XML parts); nothing is
parsed that a run does not need. Part names are zip entry names (no leading slash).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree as ET

PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

T_OFFICE = DOC_REL + "/officeDocument"
T_WORKSHEET = DOC_REL + "/worksheet"
T_CHARTSHEET = DOC_REL + "/chartsheet"
T_TABLE = DOC_REL + "/table"
T_STYLES = DOC_REL + "/styles"
T_CALC = DOC_REL + "/calcChain"
T_DRAWING = DOC_REL + "/drawing"
T_CHART = DOC_REL + "/chart"
T_APP = DOC_REL + "/extended-properties"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

CHUNK = 1 << 20



_ROOT = re.compile(rb"<(\w+:)?worksheet\b")


def worksheet_prefix(xml: bytes) -> bytes | None:
    """The namespace prefix of a worksheet part's elements (b"" or e.g. b"x:"), from its first bytes;
    None when the root element is not in them."""
    m = _ROOT.search(xml)
    return None if m is None else (m.group(1) or b"")


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # resolved part name, or the raw target when external or a place in the workbook (`#A!B2`)
    external: bool = False


@dataclass
class SheetEntry:
    """A `<sheet>` of workbook.xml: name, id, relationship and the part it points to."""

    name: str
    sheet_id: int
    rid: str
    part: str | None
    kind: str  # worksheet / chartsheet / dialogsheet / macrosheet / other


@dataclass(frozen=True)
class TablePart:
    name: str  # displayName
    sheet: str
    ref: str
    part: str
    totals: int = 0  # rows of the table's total row (0 or 1), the last rows of `ref`


@dataclass
class Workbook:
    part: str
    sheets: list[SheetEntry] = field(default_factory=list)
    date1904: bool = False


def rels_part(part: str) -> str:
    """`xl/worksheets/sheet1.xml` → `xl/worksheets/_rels/sheet1.xml.rels`; '' → `_rels/.rels`."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target relative to its source part, as a zip entry name."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    """The relationship target from `source` to `part` (what Excel writes: relative paths)."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


class Package:
    """A workbook zip opened for reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zf = zipfile.ZipFile(path)
        self.infos = self.zf.infolist()
        self.info = {i.filename: i for i in self.infos}
        self._lower = {n.lower(): n for n in self.info}
        self._rels: dict[str, list[Rel]] = {}

    def close(self) -> None:
        self.zf.close()

    @property
    def closed(self) -> bool:
        return self.zf.fp is None

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def name(self, part: str) -> str | None:
        """The zip entry for a part name (OPC names are case-insensitive)."""
        if part in self.info:
            return part
        return self._lower.get(part.lower())

    def has(self, part: str) -> bool:
        return self.name(part) is not None

    def read(self, part: str) -> bytes:
        name = self.name(part)
        if name is None:
            raise KeyError(part)
        return self.zf.read(name)

    def stream(self, part: str, size: int = CHUNK) -> Iterator[bytes]:
        """The decompressed part in chunks (inflated one chunk ahead on a worker thread)."""
        name = self.name(part)
        if name is None:
            raise KeyError(part)
        with self.zf.open(name) as fh, ThreadPoolExecutor(1) as pool:
            ahead = pool.submit(fh.read, size)
            while chunk := ahead.result():
                ahead = pool.submit(fh.read, size)
                yield chunk

    def rels(self, part: str) -> list[Rel]:
        """Relationships of a part ('' for the package)."""
        if part not in self._rels:
            name = rels_part(part) if part else "_rels/.rels"
            out: list[Rel] = []
            if self.has(name):
                root = ET.fromstring(self.read(name))
                for el in root.iter(f"{{{PKG_REL}}}Relationship"):
                    external = el.get("TargetMode") == "External"
                    target = el.get("Target", "")
                    local = target.startswith("#")  # a place in this workbook (a shape's link to a cell)
                    out.append(Rel(el.get("Id", ""), el.get("Type", ""),
                                   target if external or local else resolve(part, target), external))
            self._rels[part] = out
        return self._rels[part]

    def rel_of(self, part: str, typ: str) -> Rel | None:
        return next((r for r in self.rels(part) if r.type == typ), None)

    @cached_property
    def workbook(self) -> Workbook:
        office = self.rel_of("", T_OFFICE)
        part = office.target if office else "xl/workbook.xml"
        root = ET.fromstring(self.read(part))
        wb = Workbook(part)
        pr = root.find(f"{{{MAIN}}}workbookPr")
        wb.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        rels = {r.id: r for r in self.rels(part)}
        sheets = root.find(f"{{{MAIN}}}sheets")
        for el in sheets if sheets is not None else []:
            rid = el.get(f"{{{DOC_REL}}}id", "")
            rel = rels.get(rid)
            kind = rel.type.rsplit("/", 1)[-1] if rel else "other"
            if kind == "xlMacrosheet":
                kind = "macrosheet"
            wb.sheets.append(SheetEntry(el.get("name", ""), int(el.get("sheetId", "0") or 0), rid,
                                        rel.target if rel and not rel.external else None, kind))
        return wb

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.workbook.sheets if s.name == name), None)

    @cached_property
    def tables(self) -> list[TablePart]:
        out = []
        for s in self.workbook.sheets:
            if s.kind != "worksheet" or s.part is None:
                continue
            for rel in self.rels(s.part):
                if rel.type != T_TABLE or rel.external or not self.has(rel.target):
                    continue
                root = ET.fromstring(self.read(rel.target))
                name = root.get("displayName") or root.get("name") or ""
                totals = int(root.get("totalsRowCount", "0") or 0)
                out.append(TablePart(name, s.name, root.get("ref", ""), rel.target, totals))
        return out

    @cached_property
    def styles_part(self) -> str | None:
        rel = self.rel_of(self.workbook.part, T_STYLES)
        return rel.target if rel else None

    def all_rels(self) -> dict[str, list[Rel]]:
        """Every part that has relationships → its relationships."""
        out = {}
        for name in self.info:
            m = re.fullmatch(r"(.*?)_rels/([^/]*)\.rels", name)
            if m:
                source = m.group(1) + m.group(2)
                out[source] = self.rels(source)
        return out
