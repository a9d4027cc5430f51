"""styles.xml: a format a run needs reuses an existing entry that means the same; a second run adds nothing.

Results are read back with ElementTree and openpyxl, not with crm-xl's own parser."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.book.xlsx.stylekeys import canon
from crm_xl.book.xlsx.stylesxml import MAIN, NAMED, StyleBook
from crm_xl.model import theme

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fidelity"
OTHERS = sorted(p for p in SHARED.glob("others/*/*.xls[xm]"))
EXCEL = sorted(p for p in SHARED.glob("xlsxwriter/*.xls[xm]"))
N = {"m": MAIN}

BASE = (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="1"><dxf><font><b/></font></dxf></dxfs></styleSheet>')

# What named("header") needs, written as another program might: prefix x:, other attribute order, single
# quotes, whitespace, end tags, true for 1, lower-case rgb, "11.0", a default alignment value spelt out.
HEADER_FONT = ("<x:font>\n  <x:sz val='11.0'></x:sz><x:b val=\"true\"/>\n  <x:color rgb=\"ffffffff\"/>"
               '<x:name val="Microsoft YaHei"/><x:charset val="134"/><x:family val="2"/></x:font>')
HEADER_FILL = ('<x:fill><x:patternFill patternType="solid"><x:fgColor rgb="ff1f4e78"></x:fgColor>'
               '<x:bgColor indexed="64"/></x:patternFill></x:fill>')
HEADER_XF = ('<x:xf xfId="0" borderId="0" fillId="2" fontId="1" numFmtId="0" applyAlignment="true" applyFill="1"'
             ' applyFont="1" applyBorder="1"> <x:alignment wrapText="1" vertical="center" horizontal="center" '
             'indent="0"/></x:xf>')


def prefixed(fonts: str = "", fills: str = "", xfs: str = "") -> bytes:
    """BASE with the prefix x: and extra entries at the end of fonts, fills and cellXfs."""
    text = BASE.replace(f'xmlns="{MAIN}"', f'xmlns:x="{MAIN}"')
    text = re.sub(r"<(/?)(?=[a-zA-Z])", r"<\1x:", text)
    for tag, extra in (("fonts", fonts), ("fills", fills), ("cellXfs", xfs)):
        text = text.replace(f"</x:{tag}>", f"{extra}</x:{tag}>")
    return text.encode()


def counts(xml: bytes) -> dict[str, int]:
    """The number of entries in each list of a styles.xml (ElementTree)."""
    root = ET.fromstring(xml)
    ns = {"m": root.tag[1:].split("}")[0]}  # the main namespace, or Strict's
    out = {}
    for tag in ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs"):
        el = root.find(f"m:{tag}", ns)
        out[tag] = -1 if el is None else len(el)
    return out


def use_everything(book: StyleBook) -> list[int]:
    """The style ids of every kind a run asks for."""
    ids = [book.named(s) for s in NAMED]
    ids += [book.computed_header(0), book.computed_cell(0, "yyyy-mm-dd"), book.computed_cell(0, None),
            book.with_format(0, "yyyy-mm-dd hh:mm"), book.with_format(ids[0], '#,##0.0"万"')]
    return ids


# --- a second pass adds nothing ------------------------------------------------------------------


@pytest.mark.parametrize("styles", [None, BASE.encode(), prefixed()], ids=["minimal", "plain", "prefixed"])
def test_a_second_book_over_the_result_adds_nothing_and_gives_the_same_ids(styles: bytes | None):
    first = StyleBook(styles)
    ids = use_everything(first)
    once = first.render()
    second = StyleBook(once)
    assert use_everything(second) == ids
    assert not second.changed and second.render() == once
    assert counts(once)["cellXfs"] == 1 + len(set(ids) - {0})


def test_identical_requests_share_one_entry():
    book = StyleBook(BASE.encode())
    assert book.named("int") == book.named("money")  # same format #,##0, same font
    assert book.computed_cell(0, None) == book.computed_cell(0, None)
    before = len(book.new_xfs)
    book.computed_cell(0, "0")  # INT format is built in
    assert len(book.new_xfs) == before + 1


# --- reuse of another program's entries ----------------------------------------------------------


def test_equivalent_entries_of_another_program_are_reused():
    styles = prefixed(HEADER_FONT, HEADER_FILL, HEADER_XF)
    book = StyleBook(styles)
    assert book.named("header") == 1
    assert not book.changed and book.render() == styles


@pytest.mark.parametrize("xf, why", [
    (HEADER_XF.replace('applyFont="1"', ""), "does not apply the font"),
    (HEADER_XF.replace('xfId="0"', 'xfId="0" quotePrefix="1"'), "quote prefix"),
    (HEADER_XF.replace('indent="0"', 'indent="1"'), "indented"),
    (HEADER_XF.replace('wrapText="1" ', ""), "no wrap"),
    (HEADER_XF.replace("</x:xf>", '<x:protection locked="0"/></x:xf>'), "unlocked"),
    (HEADER_XF.replace('borderId="0"', 'borderId="1"'), "another border"),
])
def test_an_xf_that_means_something_else_is_not_reused(xf: str, why: str):
    styles = prefixed(HEADER_FONT, HEADER_FILL, xf)
    book = StyleBook(styles)
    assert book.named("header") == 2, why
    out = book.render()
    assert out.startswith(styles[:styles.index(b"<x:cellXfs")])  # fonts and fills reused, untouched
    xfs = ET.fromstring(out).find("m:cellXfs", N)
    assert xfs is not None and xfs.get("count") == "3" and len(xfs) == 3
    assert ET.tostring(xfs[1]) == ET.tostring(ET.fromstring(styles).find("m:cellXfs", N)[1])  # type: ignore[index]


@pytest.mark.parametrize("font", [
    HEADER_FONT.replace('<x:charset val="134"/>', ""),
    HEADER_FONT.replace('<x:b val="true"/>', '<x:b val="0"/>'),
    HEADER_FONT.replace("<x:family", '<x:i/><x:family'),
    HEADER_FONT.replace("ffffffff", "fffffffe"),
    HEADER_FONT.replace("11.0", "11.5"),
    HEADER_FONT.replace("<x:color rgb=\"ffffffff\"/>", '<x:color theme="0"/>'),
])
def test_a_font_that_looks_different_is_not_reused(font: str):
    book = StyleBook(prefixed(font, HEADER_FILL))
    assert book.font_id(NAMED["header"][0]) == 2


def test_an_xf_with_extra_apply_flags_is_reused():
    xf = HEADER_XF.replace('applyFont="1"', 'applyFont="1" applyProtection="1" applyNumberFormat="1"')
    assert StyleBook(prefixed(HEADER_FONT, HEADER_FILL, xf)).named("header") == 1


def test_number_formats_are_reused_by_code_and_new_ids_are_free_everywhere():
    styles = BASE.replace("<fonts", '<numFmts count="2"><numFmt numFmtId="170" formatCode="yyyy-mm-dd"/>'
                                    '<numFmt numFmtId="3" formatCode="0.000"/></numFmts><fonts')
    styles = styles.replace("<b/></font></dxf>", '<b/></font><numFmt numFmtId="190" formatCode="0.0%"/></dxf>')
    book = StyleBook(styles.encode())
    assert book.fmt_id("yyyy-mm-dd") == 170
    assert book.fmt_id("0.0%") == 191  # 190 is a conditional format's own, not in <numFmts>
    assert book.fmt_id("#,##0") == 192  # built-in 3 is redefined by this file
    assert book.fmt_id("0.00") == 2
    fmts = ET.fromstring(book.render()).find("m:numFmts", N)
    assert fmts is not None and fmts.get("count") == "4"
    assert [(f.get("numFmtId"), f.get("formatCode")) for f in fmts] == [
        ("170", "yyyy-mm-dd"), ("3", "0.000"), ("191", "0.0%"), ("192", "#,##0")]


def test_lists_the_file_lacks_are_added_in_schema_order():
    styles = re.sub(r"<fills.*?</fills>", "", BASE).encode()
    book = StyleBook(styles)
    header, pct = book.named("header"), book.named("pct")
    root = ET.fromstring(book.render())
    assert [el.tag.split("}")[1] for el in root][:6] == ["numFmts", "fonts", "fills", "borders", "cellStyleXfs",
                                                          "cellXfs"]
    fills = root.find("m:fills", N)
    assert fills is not None and fills.get("count") == str(len(fills)) == "3"
    assert [f[0].get("patternType") for f in fills] == ["none", "gray125", "solid"]
    xf = root.find("m:cellXfs", N)[header]  # type: ignore[index]
    assert fills[int(xf.get("fillId"))][0][0].get("rgb") == "FF" + theme.HEADER_FILL
    pct_xf = root.find("m:cellXfs", N)[pct]  # type: ignore[index]
    assert root.find(f"m:numFmts/m:numFmt[@numFmtId='{pct_xf.get('numFmtId')}']", N).get("formatCode") == "0.0%"


# --- canonical form: property ----------------------------------------------------------------------


def _respell(xml: str, rnd: random.Random, p: str) -> str:
    """`xml` written another way that means the same: attribute order and quotes, whitespace, end tags."""
    def tag(m: re.Match[str]) -> str:
        close, name, attrs, empty = m.groups()
        if close:
            return f"</{p}{name}{' ' * rnd.randint(0, 1)}>"
        pairs = re.findall(r'([\w:]+)="([^"]*)"', attrs)
        rnd.shuffle(pairs)
        spelt = "".join(f"{' ' * rnd.randint(1, 2)}{k}{' = ' if rnd.random() < .3 else '='}"
                        + (f"'{v}'" if rnd.random() < .5 else f'"{v}"') for k, v in pairs)
        ws = "\n " if rnd.random() < .3 else ""
        if empty and rnd.random() < .5:
            return f"{ws}<{p}{name}{spelt}></{p}{name}>"
        return f"{ws}<{p}{name}{spelt}{' /' if empty and rnd.random() < .5 else '/' if empty else ''}>"
    return re.sub(r"<(/?)([\w]+)((?:\s+[\w:]+=\"[^\"]*\")*)\s*(/?)>", tag, xml)


@settings(max_examples=60, deadline=None)
@given(style=st.sampled_from(sorted(NAMED)), seed=st.integers(0, 10**6), prefix=st.sampled_from(["", "x:"]),
       before=st.integers(0, 3))
def test_an_existing_entry_spelt_another_way_is_reused(style: str, seed: int, prefix: str, before: int):
    rnd = random.Random(seed)
    made = StyleBook(BASE.encode())
    sid = made.named(style)
    fonts, fills, xfs = made.fonts.new, made.fills.new, made.xfs.new
    fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{c}"/>' for i, c in made.new_fmts)
    # the same entries, respelt, after `before` unrelated ones (the ids in the xf shift with them)
    filler = '<font><sz val="9"/><name val="Arial"/></font>' * before
    text = BASE.replace("</fonts>", filler + "".join(fonts) + "</fonts>").replace(
        "</fills>", "".join(fills) + "</fills>").replace("<fonts", f'<numFmts count="9">{fmts}</numFmts><fonts')
    shifted = [re.sub(r'fontId="(\d+)"', lambda m: f'fontId="{int(m.group(1)) + before * (m.group(1) != "0")}"', x)
               for x in xfs]
    text = text.replace("</cellXfs>", "".join(shifted) + "</cellXfs>")
    if prefix:
        text = text.replace(f'xmlns="{MAIN}"', f'xmlns:x="{MAIN}"')
    text = _respell(text, rnd, prefix)
    book = StyleBook(text.encode())
    assert book.named(style) == sid
    assert not book.changed


def test_canon_is_blind_to_spelling_only():
    a = '<xf numFmtId="0" fontId="1" applyFont="1"><alignment horizontal="center"/></xf>'
    assert canon(a) == canon("<x:xf fontId='1'  numFmtId=\"0\" applyFont='true' quotePrefix=\"0\">\n"
                             '<x:alignment horizontal="center" vertical="bottom"></x:alignment></x:xf>', "x:")
    assert canon('<xf numFmtId="0"><alignment/></xf>') == canon('<xf numFmtId="0"/>')
    assert canon(a) != canon(a.replace("center", "left"))
    assert canon(a) != canon(a.replace("<alignment", '<protection locked="0"/><alignment'))
    assert canon("<font><b/><sz val='11'/></font>") == canon('<font><sz val="11.0"/><b val="1"/></font>')
    assert canon('<fill><patternFill><fgColor rgb="FF000000"/><bgColor/></patternFill></fill>') != canon(
        '<fill><patternFill><bgColor/><fgColor rgb="FF000000"/></patternFill></fill>')  # order matters there
    assert canon("<font><b/>") is None and canon("<font/><font/>") is None


# --- files written by other programs -------------------------------------------------------------


def check_second_pass(raw: bytes) -> None:
    """styles.xml `raw` is read entry by entry as ElementTree reads it, every entry has a meaning, and once
    everything a run needs is added, a second pass over the result adds nothing."""
    book = StyleBook(raw)
    huge = len(raw) > 1_000_000
    if not huge:
        before = counts(raw)
        assert [len(book.fonts.items), len(book.fills.items), len(book.xfs.items)] == [
            before["fonts"], before["fills"], before["cellXfs"]]
        assert all(canon(x, book.p) is not None for x in book.fonts.items + book.fills.items + book.xfs.items)
    ids = use_everything(book)
    once = book.render()
    again = StyleBook(once)
    assert use_everything(again) == ids and not again.changed
    if not huge:
        after = counts(once)
        untouched = ("borders", "cellStyleXfs", "cellStyles", "dxfs")
        assert [after[k] for k in untouched] == [before[k] for k in untouched]
        root = ET.fromstring(once)
        for tag in ("fonts", "fills", "cellXfs"):
            el = root.find(f"{root.tag.split('}')[0]}}}{tag}")
            assert el is not None and el.get("count") == str(len(el))


def styles_xml(path: Path) -> bytes | None:
    try:
        with zipfile.ZipFile(path) as z:
            name = next((n for n in z.namelist() if n.lower().endswith("styles.xml")), None)
            raw = z.read(name) if name else None
    except zipfile.BadZipFile:
        return None
    return raw if raw and b"cellXfs" in raw else None


@pytest.mark.skipif(not OTHERS, reason="fidelity corpus not found")
@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_styles_of_other_programs_are_read_and_a_second_pass_adds_nothing(path: Path):
    raw = styles_xml(path)
    if raw is None:
        pytest.skip("no styles.xml with cellXfs")
    check_second_pass(raw)


@pytest.mark.skipif(not EXCEL, reason="fidelity corpus not found")
def test_styles_saved_by_excel_are_read_and_a_second_pass_adds_nothing():
    distinct = {raw for raw in map(styles_xml, EXCEL) if raw}
    assert len(distinct) > 10
    for raw in distinct:
        check_second_pass(raw)


# --- end to end ------------------------------------------------------------------------------------


def crm_xl_run(path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "crm_xl", "run", str(path), "--today", "2024-04-01"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1) and "save: done" in done.stderr, done.stderr  # 1: the sample has issues


def styles_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/styles.xml")


def look(path: Path, sheets: list[str]) -> dict[tuple[str, str], tuple[object, ...]]:
    """Number format, bold, font colour and fill colour of the top-left cells of some sheets (openpyxl)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for sheet in sheets:
        for row in wb[sheet].iter_rows(max_row=15, max_col=8):
            for c in row:
                out[(sheet, c.coordinate)] = (c.number_format, c.font.b, c.font.color.rgb if c.font.color else None,
                                              c.fill.fgColor.rgb if c.fill.fill_type else None)
    return out


def test_a_second_run_leaves_styles_xml_as_the_first_left_it(sample_copy: Path):
    original = styles_of(sample_copy)
    crm_xl_run(sample_copy)
    first = styles_of(sample_copy)
    assert first != original
    wb = openpyxl.load_workbook(sample_copy, read_only=True)
    sheets = ["今日待办", "问题清单", "流失预警", *(n for n in wb.sheetnames if n.startswith("月度复盘"))]
    wb.close()
    seen = look(sample_copy, sheets)
    formats = {v[0] for v in seen.values()}
    assert {"#,##0", "0.0%"} <= formats  # review's counts and ratios
    assert seen[(sheets[-1], "A1")][1:3] == (True, "FF" + theme.TITLE_COLOR)
    assert ("FF" + theme.HEADER_FILL) in {v[3] for v in seen.values()}

    crm_xl_run(sample_copy)
    assert styles_of(sample_copy) == first
    assert counts(styles_of(sample_copy))["cellXfs"] == counts(first)["cellXfs"]
    assert look(sample_copy, sheets) == seen
    # what a run never adds to: borders, cell styles, conditional formats' dxfs
    for tag in ("borders", "cellStyleXfs", "cellStyles", "dxfs"):
        assert counts(first)[tag] == counts(original)[tag]
