"""The streaming sheet rewrite: owned cells change, every other byte of the sheet stays."""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.book.xlsx.sheetxml import ColumnPlan, SheetPlan, SheetRewriter
from crm_xl.book.xlsx.stylesxml import StyleBook
from crm_xl.model.schema import Kind

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STYLES = (f'<styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
          '<fonts count="1"><font><sz val="11"/></font></fonts><fills count="2"><fill/><fill/></fills>'
          '<borders count="1"><border/></borders><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" '
          'borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
          'applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
          "</styleSheet>").encode()
HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><dimension ref="A1:C4"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews><cols><col min="3" max="3" width="9" style="2" '
        'customWidth="1"/></cols><sheetData>')
ROWS = ('<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v>'
        '</c></row><row r="2" spans="1:3"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>45352</v></c></row>'
        '<row r="4" spans="1:3"><c r="A4" t="s"><v>4</v></c><c r="C4" s="2"><f>A4&amp;"x"</f><v>ax</v></c></row>')
TAIL = ('</sheetData><conditionalFormatting sqref="A2:A4"><cfRule type="duplicateValues" dxfId="0" priority="1"/>'
        '</conditionalFormatting><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/><tableParts count="1"><tablePart r:id="rId1" xmlns:r="x"/></tableParts></worksheet>')
SHEET = (HEAD + ROWS + TAIL).encode()


def rewrite(plan: SheetPlan, xml: bytes = SHEET, chunk: int = 1 << 20) -> tuple[bytes, SheetRewriter]:
    rw = SheetRewriter(plan, StyleBook(STYLES))
    out = b"".join(rw.run(xml[i:i + chunk] for i in range(0, len(xml), chunk)))
    return out, rw


def cells(xml: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group(0) for m in re.finditer(rb'<c r="([A-Z]+\d+)".*?(?:/>|</c>)', xml)}


def test_outside_sheet_data_is_unchanged_except_dimension():
    out, _ = rewrite(SheetPlan(columns={3: ColumnPlan(3, {2: "新"}, Kind.TEXT)}))
    assert out.endswith(TAIL.encode())
    assert out.startswith(HEAD.encode())  # C is inside the old dimension and covered by <cols>


def test_appends_a_cell_after_the_last_one_with_the_column_style():
    out, _ = rewrite(SheetPlan(columns={3: ColumnPlan(3, {2: "新 & <值>"}, Kind.TEXT)}))
    c2 = cells(out)["C2"]
    assert c2 == b'<c r="C2" s="2" t="inlineStr"><is><t>\xe6\x96\xb0 &amp; &lt;\xe5\x80\xbc&gt;</t></is></c>'
    assert b'<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c>' in out  # untouched row, same bytes


def test_replaces_an_existing_cell_keeping_its_style_and_flags_the_formula():
    out, rw = rewrite(SheetPlan(columns={3: ColumnPlan(3, {4: 7}, Kind.INT)}))
    assert cells(out)["C4"] == b'<c r="C4" s="2"><v>7</v></c>'
    assert rw.formula_replaced


def test_inserts_between_cells_and_creates_missing_rows_in_order():
    out, _ = rewrite(SheetPlan(columns={2: ColumnPlan(2, {3: "x", 4: "y", 6: "z"}, Kind.TEXT)}))
    rows = re.findall(rb'<row r="(\d+)"', out)
    assert rows == [b"1", b"2", b"3", b"4", b"6"]
    row4 = re.search(rb'<row r="4".*?</row>', out).group(0)
    assert re.findall(rb'<c r="([A-Z]+)4"', row4) == [b"A", b"B", b"C"]
    assert b'<dimension ref="A1:C6"/>' in out


def test_dates_get_a_date_format_and_new_columns_widen_spans_and_cols():
    plan = SheetPlan(columns={5: ColumnPlan(5, {2: dt.date(2024, 3, 1)}, Kind.DATE, new=True)},
                     headers={1: {5: "下次跟进"}}, widths={5: 14})
    out, rw = rewrite(plan)
    styles = rw.styles
    c2 = cells(out)["E2"]
    s = int(re.search(rb's="(\d+)"', c2).group(1))
    assert styles.is_date(s) and b"<v>45352</v>" in c2
    head = cells(out)["E1"]
    assert b"inlineStr" in head and "下次跟进".encode() in head
    assert b'<row r="2" spans="1:5">' in out
    assert b'<col min="5" max="5" width="14" customWidth="1"/>' in out
    assert b'<dimension ref="A1:E4"/>' in out
    xml = styles.render().decode()
    assert f'cellXfs count="{3 + len(styles.new_xfs)}"' in xml and "7F6000" in xml and "FFF2CC" in xml


def test_appended_rows_copy_the_style_of_the_row_above():
    plan = SheetPlan(appends={5: {1: "新客户", 2: dt.datetime(2024, 3, 2)}}, probe_rows={4},
                     append_kinds={1: Kind.TEXT, 2: Kind.DATE})
    out, rw = rewrite(plan)
    c = cells(out)
    assert b'<row r="5">' in out
    assert c["A5"].startswith(b'<c r="A5" t="inlineStr">')
    assert rw.styles.is_date(int(re.search(rb's="(\d+)"', c["B5"]).group(1)))


def test_appended_rows_widen_the_dimension_to_their_last_cell():
    plan = SheetPlan(appends={5: {1: "a", 7: "g"}, 6: {1: "b", 2: "c"}, 7: {3: "d"}}, probe_rows={4})
    assert plan.last_col() == 7 and plan.extent() == (7, 7)
    out, _ = rewrite(plan)
    assert b'<dimension ref="A1:G7"/>' in out


def test_clearing_keeps_a_styled_cell_and_drops_a_plain_one():
    out, _ = rewrite(SheetPlan(columns={2: ColumnPlan(2, {2: None}, Kind.DATE), 1: ColumnPlan(1, {4: None},
                                                                                              Kind.TEXT)}))
    c = cells(out)
    assert c["B2"] == b'<c r="B2" s="1"/>'
    assert "A4" not in c


def test_strings_are_never_formulas_and_illegal_characters_go():
    out, _ = rewrite(SheetPlan(columns={3: ColumnPlan(3, {2: "=HYPERLINK(\"x\")\x01 _x0041_"}, Kind.TEXT)}))
    c2 = cells(out)["C2"]
    assert b"<f>" not in c2 and b"=HYPERLINK" in c2 and b"\x01" not in c2 and b"_x005F_x0041_" in c2


def test_prefixed_namespace_rows_without_references_and_self_closing_rows():
    xml = (f'<x:worksheet xmlns:x="{NS[7:-1]}"><x:sheetData><x:row r="1"><x:c t="s"><x:v>0</x:v></x:c>'
           '<x:c t="s"><x:v>1</x:v></x:c></x:row><x:row r="2"/><x:row><x:c><x:v>5</x:v></x:c></x:row>'
           "</x:sheetData></x:worksheet>").encode()
    out, _ = rewrite(SheetPlan(columns={2: ColumnPlan(2, {2: "b", 3: "c"}, Kind.TEXT)}), xml)
    assert b'<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row>' in out
    row3 = re.search(rb"<x:row>.*?</x:row>", out).group(0)
    assert row3 == b'<x:row><x:c><x:v>5</x:v></x:c><x:c r="B3" t="inlineStr"><x:is><x:t>c</x:t></x:is></x:c></x:row>'


def test_empty_sheet_data_element():
    xml = f'<worksheet {NS}><sheetData/><pageMargins left="1"/></worksheet>'.encode()
    out, _ = rewrite(SheetPlan(columns={1: ColumnPlan(1, {1: "a"}, Kind.TEXT)}), xml)
    assert out == (f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
                   '</sheetData><pageMargins left="1"/></worksheet>').encode()


@settings(max_examples=60, deadline=None)
@given(chunk=st.integers(1, 400), rows=st.sets(st.integers(1, 8), max_size=8),
       value=st.one_of(st.text(max_size=12), st.integers(-5, 5), st.none()))
def test_chunk_boundaries_never_change_the_result(chunk: int, rows: set[int], value: object):
    plan = SheetPlan(columns={2: ColumnPlan(2, dict.fromkeys(rows, value), Kind.TEXT)})
    whole, _ = rewrite(plan)
    pieces, _ = rewrite(SheetPlan(columns={2: ColumnPlan(2, dict.fromkeys(rows, value), Kind.TEXT)}), chunk=chunk)
    assert pieces == whole


def with_and_without(switch: str, off: object, plan: object, xml: bytes, chunk: int) -> tuple[bytes, bytes]:
    """The rewrite as it is, and with `sheetxml.<switch>` set to `off` (the plain path to compare with)."""
    from crm_xl.book.xlsx import sheetxml

    on_result, _ = rewrite(plan(), xml, chunk)  # type: ignore[operator]
    saved = getattr(sheetxml, switch)
    setattr(sheetxml, switch, off)
    try:
        off_result, _ = rewrite(plan(), xml, chunk)  # type: ignore[operator]
    finally:
        setattr(sheetxml, switch, saved)
    return on_result, off_result


def _long_sheet(missing: set[int], no_ref: set[int]) -> bytes:
    rows = []
    for r in range(1, 61):
        if r in missing:
            continue
        ref = f' r="{r}"' if r not in no_ref else ""
        cell_ref = f' r="A{r}"' if r not in no_ref else ""
        rows.append(f'<row{ref} spans="1:2"><c{cell_ref} t="s"><v>{r}</v></c></row>')
    return (HEAD + "".join(rows) + TAIL).encode()


@settings(max_examples=80, deadline=None)
@given(chunk=st.integers(40, 3000), changed=st.sets(st.integers(1, 64), max_size=12),
       missing=st.sets(st.integers(2, 60), max_size=6), no_ref=st.sets(st.integers(2, 60), max_size=3),
       appended=st.booleans())
def test_hopping_over_untouched_rows_gives_what_scanning_every_row_gives(
        chunk: int, changed: set[int], missing: set[int], no_ref: set[int], appended: bool):
    """Rows far from any change are skipped by searching for the next changed row's `r`; the result
    must be the row-by-row result, with gaps, rows without `r`, rows past the end and any chunking."""

    no_ref -= missing
    xml = _long_sheet(missing, {r for r in no_ref if r - 1 not in missing})

    def plan() -> SheetPlan:
        p = SheetPlan(columns={2: ColumnPlan(2, {r: f"v{r}" for r in changed}, Kind.TEXT)})
        if appended:
            p.appends = {61: {1: "new"}}
            p.probe_rows = {60}
        return p

    hopped, scanned = with_and_without("_GAP", 10 ** 9, plan, xml, chunk)  # a huge gap: never hop
    assert hopped == scanned


@settings(max_examples=150, deadline=None)
@given(chunk=st.integers(60, 5000),
       rows=st.lists(st.tuples(st.sampled_from(["plain", "right", "selfclose", "noref", "late_spans", "missing",
                                                "r_not_first", "trailing_noref", "right_r_not_first",
                                                "row_without_r"]),
                               st.one_of(st.none(), st.sampled_from(["OK", "错误", "a<b"]), st.integers(0, 3),
                                         st.just("__absent__"))), min_size=1, max_size=40),
       col=st.sampled_from([2, 3, 27]))
def test_a_whole_region_at_once_gives_what_the_row_by_row_loop_gives(chunk: int, rows: list, col: int):
    """`_batch` on one column (plain regions done with bytes methods) against the row-by-row loop, on rows of
    every shape: cells right of the column, self-closing rows, rows without `r`, spans not first, gaps."""
    from crm_xl.book.xlsx.cells import LETTERS

    parts, values = [], {}
    for r, (shape, value) in enumerate(rows, start=1):
        if value != "__absent__":
            values[r] = value
        if shape == "missing":
            continue
        a = f'<c r="A{r}" t="s"><v>{r}</v></c>'
        if shape == "plain":
            parts.append(f'<row r="{r}" spans="1:2">{a}</row>')
        elif shape == "right":
            parts.append(f'<row r="{r}" spans="1:30">{a}<c r="{LETTERS[col + 1].decode()}{r}"><v>1</v></c></row>')
        elif shape == "selfclose":
            parts.append(f'<row r="{r}" spans="1:2"/>')
        elif shape == "noref":
            parts.append(f'<row r="{r}"><c t="s"><v>{r}</v></c></row>')
        elif shape == "r_not_first":  # the last cell's reference is not its first attribute
            parts.append(f'<row r="{r}" spans="1:2"><c t="s" r="A{r}"><v>{r}</v></c></row>')
        elif shape == "trailing_noref":  # a cell without reference after the last referenced one
            parts.append(f'<row r="{r}" spans="1:2">{a}<c t="s"><v>{r}</v></c></row>')
        elif shape == "row_without_r":  # the row has no reference, its cell has one
            parts.append(f'<row spans="1:2">{a}</row>')
        elif shape == "right_r_not_first":
            parts.append(f'<row r="{r}" spans="1:30">{a}<c s="0" r="{LETTERS[col + 1].decode()}{r}"><v>1</v></c></row>')
        else:
            parts.append(f'<row r="{r}" ht="20" spans="1:2">{a}</row>')
    xml = (HEAD + "".join(parts) + TAIL).encode()

    def plan() -> SheetPlan:
        return SheetPlan(columns={col: ColumnPlan(col, dict(values), Kind.TEXT)})

    assert rewrite(plan(), xml, chunk)[1].single is not None
    batched, looped = with_and_without("_BATCH", False, plan, xml, chunk)
    assert batched == looped


@settings(max_examples=150, deadline=None)
@given(chunk=st.integers(60, 5000),
       shapes=st.lists(st.sampled_from(["plain", "plain", "right", "selfclose", "noref", "late_spans", "missing",
                                        "empty"]), min_size=1, max_size=30),
       data=st.data(), cols=st.sampled_from([(2,), (2, 3), (3, 5, 6)]), appended=st.booleans(),
       header=st.booleans())
def test_batched_columns_give_what_the_row_by_row_merge_gives(chunk, shapes, data, cols, appended, header):
    """Several columns (texts, numbers, dates, blanks) written a region at a time against `_merge` row by
    row, with appended rows below (their style probed from the last row) and a header row."""

    value = st.one_of(st.none(), st.sampled_from(["OK", "错误"]), st.integers(0, 3),
                      st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), st.just("__absent__"))
    parts = []
    for r, shape in enumerate(shapes, start=1):
        a = f'<c r="A{r}" s="2" t="s"><v>{r}</v></c>'
        parts.append({
            "plain": f'<row r="{r}" spans="1:1">{a}</row>', "missing": "",
            "right": f'<row r="{r}" spans="1:9">{a}<c r="I{r}"><v>1</v></c></row>',
            "selfclose": f'<row r="{r}" spans="1:1"/>', "noref": f'<row r="{r}"><c t="s"><v>{r}</v></c></row>',
            "late_spans": f'<row r="{r}" ht="20" spans="1:1">{a}</row>', "empty": f'<row r="{r}"></row>',
        }[shape])
    xml = (HEAD + "".join(parts) + TAIL).encode()
    values = {c: {r: v for r in range(1, len(shapes) + 1) if (v := data.draw(value)) != "__absent__"} for c in cols}
    last = len(shapes)
    cell = st.one_of(value, st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31)))
    records = [{c: v for c in (1, *cols, 9) if (v := data.draw(cell)) != "__absent__"}
               for _ in range(data.draw(st.integers(1, 6)))]  # appended tier-log rows: texts, dates, blanks

    def plan() -> SheetPlan:
        p = SheetPlan(columns={c: ColumnPlan(c, dict(values[c]), Kind.DATE if c == 3 else Kind.TEXT) for c in cols})
        if appended:
            p.appends = {last + 1 + k: record for k, record in enumerate(records)}
            p.append_kinds = {cols[0]: Kind.DATE}
            p.probe_rows = {last}
        if header:
            p.headers = {1: {cols[-1]: "表头"}}
        return p

    batched, looped = with_and_without("_BATCH", False, plan, xml, chunk)
    assert batched == looped


@pytest.mark.parametrize("appended", [False, True])
def test_new_date_formats_are_numbered_as_a_row_by_row_rewrite_numbers_them(appended: bool,
                                                                            monkeypatch: pytest.MonkeyPatch):
    """Column E's first date (row 1) comes before column C's (row 2): its date format is made first, in
    the batch as row by row, even though the batch writes column C first."""
    # column C's style (xf 2) wraps text, so its dated copy is a new xf, not xf 1 (reused: same meaning)
    monkeypatch.setattr(sys.modules[__name__], "STYLES", STYLES.replace(
        b'xfId="0"/></cellXfs>', b'xfId="0" applyAlignment="1"><alignment wrapText="1"/></xf></cellXfs>'))
    parts = [f'<row r="{r}" spans="1:1"><c r="A{r}" s="2" t="s"><v>{r}</v></c></row>' for r in (1, 2, 3)]
    xml = (HEAD + "".join(parts) + TAIL).encode()
    c = {1: None, 2: dt.date(2024, 1, 2), 3: None}
    e = {1: dt.datetime(2024, 1, 1, 9), 2: None, 3: None}

    def plan() -> SheetPlan:
        if appended:
            return SheetPlan(appends={3 + r: {3: c[r], 5: e[r]} for r in (1, 2, 3)}, probe_rows={3},
                             append_kinds={3: Kind.DATE})
        return SheetPlan(columns={3: ColumnPlan(3, dict(c), Kind.DATE), 5: ColumnPlan(5, dict(e), Kind.TEXT)})

    batched, looped = with_and_without("_BATCH", False, plan, xml, 5000)
    assert batched == looped
    first = 1 + 3 * appended
    assert b'<c r="E%d" s="3">' % first in batched and b'<c r="C%d" s="4">' % (first + 1) in batched


@settings(max_examples=150, deadline=None)
@given(chunk=st.integers(60, 5000), data=st.data(), cols=st.sampled_from([(2,), (2, 3), (3,)]),
       shapes=st.lists(st.sampled_from(["value", "value", "blank", "formula", "text", "missing", "narrow", "wide",
                                        "nospans"]), min_size=1, max_size=25))
def test_replacing_cells_in_place_gives_what_the_row_by_row_merge_gives(chunk, data, cols, shapes):
    """A re-run: the written columns (B, C) have their cells — values, styled blanks, formulas, texts;
    some rows lack one (a cell to add), have spans to widen or a cell to the right (D)."""
    value = st.one_of(st.none(), st.sampled_from(["OK", "错误"]), st.integers(0, 3),
                      st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), st.just("__absent__"))
    cells = {"value": '<c r="{c}{r}" s="2"><v>{r}</v></c>', "blank": '<c r="{c}{r}" s="3"/>',
             "formula": '<c r="{c}{r}"><f>1+1</f><v>2</v></c>',
             "text": '<c r="{c}{r}" t="inlineStr"><is><t>旧</t></is></c>'}
    parts = []
    for r, shape in enumerate(shapes, start=1):
        kind = shape if shape in cells else "value"
        body = f'<c r="A{r}" t="s"><v>{r}</v></c>' + "".join(
            cells[kind].format(c=c, r=r) for c in "BC" if not (shape == "missing" and c == "C"))
        spans = {"narrow": ' spans="1:1"', "nospans": ""}.get(shape, ' spans="1:4"')
        parts.append(f'<row r="{r}"{spans}>{body}<c r="D{r}"><v>9</v></c></row>' if shape == "wide"
                     else f'<row r="{r}"{spans}>{body}</row>')
    xml = (HEAD + "".join(parts) + TAIL).encode()
    values = {c: {r: v for r in range(1, len(shapes) + 1) if (v := data.draw(value)) != "__absent__"} for c in cols}

    def plan() -> SheetPlan:
        return SheetPlan(columns={c: ColumnPlan(c, dict(values[c]), Kind.TEXT) for c in cols})

    batched, looped = with_and_without("_BATCH", False, plan, xml, chunk)
    assert batched == looped


@settings(max_examples=300, deadline=None)
@given(col=st.integers(1, 16384), other=st.integers(1, 16384))
def test_the_columns_left_of_a_written_column_are_exactly_those_the_batch_lets_through(col: int, other: int):
    """A region is batched only when each cell's reference names a column left of the first written one."""
    import re

    from crm_xl.book.xlsx.cells import LETTERS
    from crm_xl.book.xlsx.rowbatch import _letters_before

    pattern = re.compile(rb"(?:" + _letters_before(col) + rb")")
    for c in (other, col - 1, col, col + 1, 1, 26, 27, 702, 703, 16384):
        if 1 <= c <= 16384:
            assert (pattern.fullmatch(LETTERS[c]) is not None) == (c < col), (col, c)
