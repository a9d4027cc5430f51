"""The file engine's save: turn recorded ops into a new package, touching only the parts a run owns.

Owned parts: the sheet XML of data sheets that get cells (sheetxml.py), the tables that grow
(tables.py), generated sheets and their drawings and charts (sheetgen.py), styles.xml when new formats
are needed (stylesxml.py), and the package bookkeeping when sheets come and go (workbookxml.py:
workbook.xml, its rels, [Content_Types].xml, docProps/app.xml). Every other entry is copied byte for
byte — compressed data included — in its original order.
"""

from __future__ import annotations

import os
import posixpath
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...model import theme
from ...model.errors import SchemaError
from ...model.layout import Cell, Rendered, SheetLayout
from ..ops import (
    AppendRows,
    DropSheet,
    InstallLite,
    LiteButton,
    Op,
    PutSheet,
    SetCells,
    WriteColumn,
    parse_ref,
)
from . import package as P
from . import shapes, webext
from .sheetgen import chart_parts, drawing_xml, worksheet_chunks
from .sheetxml import ColumnPlan, SheetPlan, SheetRewriter
from .stylesxml import StyleBook
from .tables import TableGrowth, column_names, grow_table
from .workbookxml import (
    Slot,
    app_xml,
    content_types_xml,
    orphaned_parts,
    rels_xml,
    workbook_rels_xml,
    workbook_xml,
)
from .zipio import Blob, ZipOut, compress

LEVEL = 3  # deflate level of rewritten parts (2.5× faster than 6, ~15 % larger)
INVALID_SHEET_CHARS = set("[]:*?/\\")
PAUSE_ENV = "CRM_XL_SAVE_PAUSE"  # test hook: seconds to sleep mid-write (to kill a save half way)


def sheet_title(name: str) -> str:
    clean = "".join("_" if ch in INVALID_SHEET_CHARS else ch for ch in name).strip("'")
    return clean[:31] or "Sheet"



class PackageWriter:
    """Applies ops to a Package and writes the result."""

    def __init__(self, pkg: P.Package, cell: Callable[[str, int, int], Any] | None = None,
                 between: Callable[[], object] | None = None) -> None:
        self.pkg = pkg
        self.cell = cell or (lambda sheet, row, col: None)
        self.between = between or (lambda: None)  # called between big parts (the caller frees memory there)
        self.plans: dict[str, SheetPlan] = {}
        self.growth: dict[str, TableGrowth] = {}  # table part → growth
        self.slots = [Slot(s.name, s) for s in pkg.workbook.sheets]
        self.replaced: dict[str, Blob] = {}
        self.added: list[tuple[str, Blob]] = []
        self.deleted: set[str] = set()
        self.overrides: dict[str, str] = {}  # new part → content type
        self.wb_rels_add: list[tuple[str, str, str]] = []  # (id, type, target part)
        self.wb_rels_drop: set[str] = set()
        self._names = {n.lower() for n in pkg.info}
        styles = pkg.styles_part
        self.styles = StyleBook(pkg.read(styles) if styles and pkg.has(styles) else None)
        self.drop_calc = False
        self.protected: list[str] = []  # protected sheets crm-xl wrote into (their protection kept)
        self.structure_locked = False  # sheets added or replaced in a workbook whose structure is locked
        self.lite: list[InstallLite] = []
        self.drawing_inserts: dict[str, bytes] = {}  # sheet → the <drawing> element its XML gets
        self.new_buttons: dict[int, list[LiteButton]] = {}  # id of a generated sheet's slot → its buttons

    # --- recording -------------------------------------------------------------------------------

    def apply(self, ops: list[Op]) -> None:
        for op in ops:
            if isinstance(op, WriteColumn):
                self._write_column(op)
            elif isinstance(op, AppendRows):
                self._append(op)
            elif isinstance(op, PutSheet):
                self._put_sheet(op.layout, op.rendered)
            elif isinstance(op, DropSheet):
                self._drop(op.name)
            elif isinstance(op, SetCells):
                self._set_cells(op)
            elif isinstance(op, InstallLite):
                self.lite.append(op)

    def _plan(self, sheet: str) -> SheetPlan:
        entry = self.pkg.sheet(sheet)
        if entry is None or entry.kind != "worksheet" or entry.part is None:
            raise KeyError(f"no worksheet named {sheet!r}")
        return self.plans.setdefault(sheet, SheetPlan())

    def _table(self, sheet: str, name: str | None) -> P.TablePart | None:
        if not name:
            return None
        return next((t for t in self.pkg.tables if t.name == name and t.sheet == sheet), None)

    def _write_column(self, op: WriteColumn) -> None:
        plan = self._plan(op.sheet)
        values = op.values
        if plan.appends and not values.keys().isdisjoint(plan.appends):  # rows this save appends: their
            appends = plan.appends  # cells go with the appended records (a merged row's check), built in one batch
            values = {row: v for row, v in values.items() if row not in appends}
            for row, v in op.values.items():
                if row in appends:
                    appends[row][op.col] = v
            plan.append_kinds.setdefault(op.col, op.kind)
        plan.columns[op.col] = ColumnPlan(op.col, values, op.kind, new=op.header is not None and op.computed)
        table = self._table(op.sheet, op.table)
        header = op.header
        if table is not None:
            r1, c1, r2, c2 = parse_ref(table.ref)
            if op.col > c2:
                grow = self.growth.setdefault(table.part, TableGrowth())
                name = header if header is not None else self.cell(op.sheet, r1, op.col)
                name = str(name) if name not in (None, "") else f"Column{op.col - c1 + 1}"
                taken = {n.lower() for n in [*column_names(self.pkg.read(table.part)), *grow.new_cols.values()]}
                base, n = name, 2
                while name.lower() in taken:  # a table's column names are unique (and equal its header cells)
                    name, n = f"{base}{n}", n + 1
                grow.new_cols[op.col] = name
                header = name if header is not None else None
        if header is not None:
            plan.headers.setdefault(op.header_row, {})[op.col] = header
            plan.widths[op.col] = theme.new_column_width(op.kind, op.values.values(), header)

    def _append(self, op: AppendRows) -> None:
        if not op.rows:
            return
        plan = self._plan(op.sheet)
        for i, record in enumerate(op.rows):
            plan.appends[op.first_row + i] = dict(record)
        plan.append_kinds.update(op.cols)
        plan.probe_rows.add(op.first_row - 1)
        table = self._table(op.sheet, op.table)
        if table is not None:
            grow = self.growth.setdefault(table.part, TableGrowth())
            grow.last_row = max(grow.last_row, op.first_row + len(op.rows) - 1)

    def _set_cells(self, op: SetCells) -> None:
        i = self._index(op.sheet)
        slot = self.slots[i] if i is not None else None
        if slot is not None and slot.entry is not None and slot.entry.kind == "worksheet":
            plan = self._plan(slot.entry.name)
            for (row, col), value in op.values.items():
                plan.appends.setdefault(row, {})[col] = value
        else:
            cells = {(c.row, c.col): c for c in slot.rendered.cells} if slot and slot.rendered else {}
            for (row, col), value in op.values.items():
                cells[(row, col)] = Cell(row, col, value)
            rendered = Rendered(sheet_title(op.sheet), list(cells.values()), {}, [], [], None, None)
            if slot is None:
                slot = Slot(rendered.name, None, rendered, None)
                self.slots.append(slot)
            else:
                slot.rendered = rendered
        if op.hidden is not None:
            slot.hidden = op.hidden

    def _index(self, name: str) -> int | None:
        low = name.lower()
        return next((i for i, s in enumerate(self.slots) if s.name.lower() == low), None)

    def _drop(self, name: str) -> None:
        i = self._index(name)
        if i is not None:
            self.slots.pop(i)

    def _put_sheet(self, layout: SheetLayout, rendered: Rendered) -> None:
        name = sheet_title(layout.name)
        at = None
        code_name = None
        for alias in (name, *layout.aliases):
            i = self._index(sheet_title(alias))
            if i is not None:
                at = i if at is None else min(at, i)
                code_name = code_name or self._code_name(self.slots.pop(i))
                at = min(at, len(self.slots))
        if at is None and layout.after:
            after = self._index(layout.after)
            at = after + 1 if after is not None else None
        slot = Slot(name, None, rendered, layout, code_name=code_name)
        self.slots.insert(len(self.slots) if at is None else at, slot)

    def _code_name(self, slot: Slot) -> str | None:
        """The VBA code name of a sheet being replaced (`<sheetPr codeName=…>`, near the part's start)."""
        if slot.entry is None:
            return slot.code_name
        part = slot.entry.part
        if part is None or not self.pkg.has(part):
            return None
        with self.pkg.zf.open(self.pkg.name(part) or part) as fh:
            head = fh.read(1 << 14)
        m = _SHEET_PR.search(head)
        code = m and re.search(rb"""\bcodeName\s*=\s*["']([^"']*)["']""", m.group(0))
        return code.group(1).decode("utf-8") if code else None

    # --- writing ---------------------------------------------------------------------------------

    @property
    def written(self) -> dict[str, Blob]:
        """The zip entries this writer rebuilt or added (the others are the original's bytes)."""
        return {**self.replaced, **dict(self.added)}

    def write(self, path: Path) -> None:
        pkg = self.pkg
        wb = pkg.workbook
        if self.lite:
            self._install_lite()
        for sheet, plan in self.plans.items():
            entry = pkg.sheet(sheet)
            assert entry is not None and entry.part is not None
            for table in pkg.tables:
                grow = self.growth.get(table.part)
                if table.sheet == sheet and grow is not None:
                    _, c1, r2, c2 = parse_ref(table.ref)
                    if grow.last_row > r2 - table.totals:
                        plan.grows.append((c1, c2, r2 - table.totals, grow.last_row))
            rewriter = SheetRewriter(plan, self.styles, wb.date1904)
            chunks = _watch_protection(pkg.stream(entry.part), lambda name=sheet: self.protected.append(name))
            out = rewriter.run(chunks)
            if sheet in self.drawing_inserts:
                out = shapes.with_drawing(out, self.drawing_inserts[sheet])
            self.replaced[pkg.name(entry.part) or entry.part] = compress(out, LEVEL)
            self.drop_calc |= rewriter.formula_replaced
            del rewriter
            self.between()  # each sheet's XML pieces are garbage now: the next sheet starts from the same peak
        for sheet, element in self.drawing_inserts.items():
            entry = pkg.sheet(sheet)
            if sheet not in self.plans and entry is not None and entry.part is not None:
                self.replaced[pkg.name(entry.part) or entry.part] = compress(
                    shapes.with_drawing(pkg.stream(entry.part), element), LEVEL)
        for part, grow in self.growth.items():
            self.replaced[part] = compress([grow_table(pkg.read(part), grow)], LEVEL)
        structure = self._structure_changed()
        if structure:
            self._sheets()
            self.structure_locked = _structure_locked(pkg.read(wb.part))
        if self.styles.changed:
            blob = compress([self.styles.render()], LEVEL)
            if pkg.styles_part and pkg.has(pkg.styles_part):
                self.replaced[pkg.name(pkg.styles_part) or pkg.styles_part] = blob
            else:
                part = posixpath.join(posixpath.dirname(wb.part), "styles.xml")
                self._add(part, blob, P.CT_STYLES)
                self.wb_rels_add.append((self._new_rid(), P.T_STYLES, part))
        calc = pkg.rel_of(wb.part, P.T_CALC)
        if calc is not None and pkg.has(calc.target) and self.drop_calc:
            self.deleted.add(pkg.name(calc.target) or calc.target)
            self.wb_rels_drop.add(calc.id)
        if structure or self.wb_rels_add or self.wb_rels_drop:
            self._bookkeeping(structure)
        elif self.added or self.deleted:
            self._content_types()
        self._assemble(path)

    def _structure_changed(self) -> bool:
        before = [s.rid for s in self.pkg.workbook.sheets]
        after = [s.entry.rid if s.entry else None for s in self.slots]
        return before != after or any(s.hidden is not None for s in self.slots)

    def _alloc(self, pattern: str) -> str:
        n = 1
        while (pattern % n).lower() in self._names:
            n += 1
        name = pattern % n
        self._names.add(name.lower())
        return name

    def _add(self, part: str, blob: Blob, content_type: str | None) -> None:
        self.added.append((part, blob))
        self._names.add(part.lower())
        if content_type:
            self.overrides[part] = content_type

    def _free(self, name: str) -> str:
        """`name`, or when the package has it the first free name numbered like it (`drawing1.xml` →
        `drawing2.xml`, `taskpanes.xml` → `taskpanes2.xml`), reserved."""
        stem, ext = posixpath.splitext(name)
        base = stem.rstrip("0123456789")
        n = int(stem[len(base):] or 1)
        while name.lower() in self._names:
            n += 1
            name = f"{base}{n}{ext}"
        self._names.add(name.lower())
        return name

    def _put(self, part: str, xml: bytes) -> None:
        """Replace an existing part (by its zip entry name) with new XML."""
        self.replaced[self.pkg.name(part) or part] = compress([xml], LEVEL)

    def _install_lite(self) -> None:
        """The Lite add-in's parts and the sheet buttons of every InstallLite recorded (merged: later
        properties and buttons of the same name win)."""
        props: dict[str, str] = {}
        buttons: dict[tuple[str, str], LiteButton] = {}
        for op in self.lite:
            props.update(op.properties)
            for b in op.buttons:
                sheet = self._button_sheet(b)
                buttons.pop((sheet, b.name), None)
                buttons[(sheet, b.name)] = replace(b, sheet=sheet)  # linked to the sheet by its own name
        edit = webext.install(self.pkg, InstallLite(props, [], self.lite[-1].autoshow), self._free)
        for part, xml in edit.replaced.items():
            self._put(part, xml)
        for part, xml, typ in edit.added:
            self._add(part, compress([xml], LEVEL), typ)
        by_sheet: dict[str, list[LiteButton]] = {}
        for (sheet, _), b in buttons.items():
            by_sheet.setdefault(sheet, []).append(b)
        for sheet, group in by_sheet.items():
            i = self._index(sheet)
            assert i is not None
            slot = self.slots[i]
            if slot.entry is None:  # a sheet generated in this save: its drawing is made with it (_sheets)
                for b in group:
                    shapes.place(b, shapes.SheetFacts())  # a bad cell is refused before anything is written
                self.new_buttons[id(slot)] = group
            else:
                self._buttons(sheet, group)

    def _button_sheet(self, b: LiteButton) -> str:
        """The name of the worksheet a button goes on, as the saved workbook will have it (matched as Excel
        matches names, in any case): an original worksheet, or a sheet generated in this save."""
        i = self._index(b.sheet)
        slot = self.slots[i] if i is not None else None
        if slot is None:
            raise SchemaError(f"no sheet {b.sheet!r} for the button {b.name!r} ({b.cell}); sheets: "
                              + ", ".join(s.name for s in self.slots), sheet=b.sheet)
        entry = slot.entry
        if entry is not None and (entry.kind != "worksheet" or entry.part is None or not self.pkg.has(entry.part)):
            raise SchemaError(f"{b.sheet!r} is not a worksheet: the button {b.name!r} needs one", sheet=b.sheet)
        return slot.name

    def _buttons(self, sheet: str, buttons: list[LiteButton]) -> None:
        """The shapes of `buttons` on a worksheet: added to its drawing, or in a new drawing it is given."""
        pkg = self.pkg
        entry = pkg.sheet(sheet)
        assert entry is not None and entry.part is not None
        part = entry.part
        for b in buttons:  # a bad cell is refused before the sheet is read
            shapes.place(b, shapes.SheetFacts())
        chunks = pkg.stream(part)
        try:  # only the sheet's start is read
            facts = shapes.scan_sheet(chunks, max(parse_ref(b.cell)[0] for b in buttons))
        finally:
            chunks.close()
        placed = [shapes.place(b, facts) for b in buttons]
        sheet_rels = P.rels_part(part)
        rels = {r.id: r for r in pkg.rels(part)}
        rel = pkg.rel_of(part, P.T_DRAWING)  # a sheet has one drawing, its <drawing> element names it
        if rel is not None:
            if rel.external or not pkg.has(rel.target):
                raise SchemaError(f"the sheet {sheet!r} points at a drawing that is missing from the file; "
                                  "open and save it in Excel first", sheet=sheet)
            drawing_rels = P.rels_part(rel.target)
            had_rels = pkg.has(drawing_rels)
            xml, rels_out = shapes.with_buttons(pkg.read(rel.target), pkg.read(drawing_rels) if had_rels else None,
                                                placed)
            self._put(rel.target, xml)
            if had_rels:
                self._put(drawing_rels, rels_out)
            else:
                self._add(drawing_rels, compress([rels_out], LEVEL), None)
            return
        base = posixpath.dirname(posixpath.dirname(part))
        drawing = self._free(posixpath.join(base, "drawings", "drawing1.xml"))
        xml, rels_out = shapes.new_drawing(placed)
        self._add(drawing, compress([xml], LEVEL), P.CT_DRAWING)
        self._add(P.rels_part(drawing), compress([rels_out], LEVEL), None)
        rid = webext.new_rid(rels)
        link = (rid, P.T_DRAWING, P.relative(part, drawing))
        if pkg.has(sheet_rels):
            self._put(sheet_rels, webext.add_relationships(pkg.read(sheet_rels), [link]))
        else:
            self._add(sheet_rels, compress([rels_xml([link])], LEVEL), None)
        self.drawing_inserts[sheet] = shapes.drawing_element(facts, rid)

    def _new_rid(self) -> str:
        used = {r.id for r in self.pkg.rels(self.pkg.workbook.part)} | {r[0] for r in self.wb_rels_add}
        n = len(used) + 1
        while f"rId{n}" in used:
            n += 1
        return f"rId{n}"

    def _sheets(self) -> None:
        """New generated sheets get parts; removed sheets lose theirs (and what only they used)."""
        pkg = self.pkg
        wb = pkg.workbook
        kept = {id(s.entry) for s in self.slots if s.entry is not None}
        removed = [s for s in wb.sheets if id(s) not in kept]
        base = posixpath.dirname(wb.part)
        for slot in self.slots:
            if slot.entry is not None or slot.rendered is None:
                continue
            part = self._alloc(posixpath.join(base, "worksheets", "sheet%d.xml"))
            charts = chart_parts(slot.rendered)
            buttons = self.new_buttons.get(id(slot), [])
            drawing_rid = None
            if charts or buttons:
                drawing = self._alloc(posixpath.join(base, "drawings", "drawing%d.xml"))
                chart_names = [self._alloc(posixpath.join(base, "charts", "chart%d.xml")) for _ in charts]
                rids = [f"rId{i + 1}" for i in range(len(charts))]
                xml, rels = drawing_xml(charts, rids), rels_xml(
                    [(rid, P.T_CHART, P.relative(drawing, c)) for rid, c in zip(rids, chart_names, strict=True)])
                if buttons:
                    facts = shapes.rendered_facts(slot.rendered)
                    xml, rels = shapes.with_buttons(xml, rels, [shapes.place(b, facts) for b in buttons])
                self._add(drawing, compress([xml], LEVEL), P.CT_DRAWING)
                self._add(P.rels_part(drawing), compress([rels]), None)
                for c, name in zip(charts, chart_names, strict=True):
                    self._add(name, compress([c.xml], LEVEL), P.CT_CHART)
                drawing_rid = "rId1"
                self._add(P.rels_part(part), compress([rels_xml([("rId1", P.T_DRAWING,
                                                                     P.relative(part, drawing))])]), None)
            chunks = worksheet_chunks(slot.rendered, self.styles, wb.date1904, drawing_rid, slot.code_name)
            self._add(part, compress(chunks, LEVEL), P.CT_WORKSHEET)
            del chunks
            self.between()
            rid = self._new_rid()
            self.wb_rels_add.append((rid, P.T_WORKSHEET, part))
            slot.sheet_id = max([s.sheet_id for s in wb.sheets] + [s.sheet_id for s in self.slots] + [0]) + 1
            slot.rid = rid
        calc = pkg.rel_of(wb.part, P.T_CALC)
        for entry in removed:
            self.wb_rels_drop.add(entry.rid)
            if entry.part:
                self.deleted |= orphaned_parts(pkg, entry.part)
            if calc is not None and pkg.has(calc.target) and re.search(
                    rb'\bi="%d"' % entry.sheet_id, pkg.read(calc.target)):
                self.drop_calc = True

    def _bookkeeping(self, structure: bool) -> None:
        """workbook.xml and docProps/app.xml when the sheets changed; the workbook's rels and
        [Content_Types].xml."""
        pkg = self.pkg
        wb = pkg.workbook
        if structure:
            self.replaced[pkg.name(wb.part) or wb.part] = compress([self._workbook_xml()], LEVEL)
            app = pkg.rel_of("", P.T_APP)
            if app is not None and pkg.has(app.target):
                new = app_xml(pkg.read(app.target), [s.name for s in wb.sheets if s.kind == "worksheet"],
                               [s.name for s in self.slots if s.entry is None or s.entry.kind == "worksheet"])
                if new is not None:
                    self.replaced[pkg.name(app.target) or app.target] = compress([new], LEVEL)
        rels_name = P.rels_part(wb.part)
        rels = workbook_rels_xml(pkg.read(rels_name), wb.part, self.wb_rels_drop, self.wb_rels_add)
        self.replaced[pkg.name(rels_name) or rels_name] = compress([rels], LEVEL)
        self._content_types()

    def _content_types(self) -> None:
        pkg = self.pkg
        ct = content_types_xml(pkg.read("[Content_Types].xml"), self.deleted, [part for part, _ in self.added],
                               self.overrides)
        self.replaced[pkg.name("[Content_Types].xml") or "[Content_Types].xml"] = compress([ct], LEVEL)

    def _workbook_xml(self) -> bytes:
        """workbook.xml with `<sheets>` in the slots' order (see `workbook_xml`)."""
        return workbook_xml(self.pkg, self.slots)

    def _assemble(self, path: Path) -> None:
        pkg = self.pkg
        pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
        with path.open("wb") as fh, pkg.path.open("rb") as src:
            out = ZipOut(fh)
            for i, info in enumerate(pkg.infos):
                name = info.filename
                if name in self.deleted:
                    continue
                blob = self.replaced.get(name)
                if blob is not None:
                    out.add(name, blob, info)
                else:
                    out.copy(src, info)
                if pause and i == 0:
                    fh.flush()
                    time.sleep(pause)
            for name, blob in self.added:
                out.add(name, blob)
            out.close()


_SHEET_PR = re.compile(rb"<(?:[\w.-]+:)?sheetPr\b[^>]*>")
_PROTECTION = re.compile(rb"<(?:[\w.-]+:)?sheetProtection\b[^>]*>")


def _is_on(tag: bytes, attr: bytes) -> bool:
    """Whether a start tag sets the boolean attribute `attr` (1 or true)."""
    return re.search(rb"\b" + attr + rb"""\s*=\s*["'](?:1|true)["']""", tag) is not None


def _watch_protection(chunks: Iterator[bytes], found: Callable[[], None]) -> Iterator[bytes]:
    """Pass a sheet's XML through, calling `found` once if it holds an active <sheetProtection>."""
    tail = b""
    seen = False
    for chunk in chunks:
        if not seen:
            window = tail + chunk
            m = _PROTECTION.search(window) if b"heetProtection" in window else None
            if m is not None and _is_on(m.group(0), b"sheet"):
                seen = True
                found()
            tail = window[-4096:]
        yield chunk


def _structure_locked(workbook_xml: bytes) -> bool:
    m = re.search(rb"<(?:[\w.-]+:)?workbookProtection\b[^>]*>", workbook_xml)
    return m is not None and _is_on(m.group(0), b"lockStructure")

