"""CellWriter.column: the same XML as writing each cell on its own, whatever the values share."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from crm_xl.book.xlsx.cells import CellWriter

SKIP = object()
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, -0.0, 1.0, 0.5, float("nan")]),
                   st.sampled_from(["", "OK", " OK", "a&b", "中文"]),
                   st.sampled_from([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 9)]),
                   st.just(SKIP))


@given(st.lists(VALUES, max_size=30), st.none() | st.lists(st.integers(0, 2), min_size=30, max_size=30))
def test_column_equals_cell_by_cell(values, styles):
    w = CellWriter()
    numbers = [b"%d" % (i + 2) for i in range(len(values))]
    extras = styles[:len(values)] if styles is not None else None
    style = extras or [1] * len(values)

    def prepare(v, extra):
        return v, (extra if extra is not None else 1) * 3

    got = w.column(b"C", numbers, values, prepare, extras, skip=SKIP)
    want = [b"" if v is SKIP else w.cell(b"C" + rb, v, e * 3) for rb, v, e in zip(numbers, values, style, strict=True)]
    assert got == want


PLAIN_TEXTS = st.lists(st.sampled_from(["a", "中", " ", "\n", "\t", "é"]), max_size=6).map("".join)
TEXTS = st.lists(st.sampled_from(["a", "中", " ", "&", "<", "\r", "\x00", "\x1f", "\ud800", "_x0041_", "_x", "0041_",
                                  "\ufffe"]), max_size=6).map("".join)


@given(st.lists(PLAIN_TEXTS, min_size=17, max_size=60, unique=True) | st.lists(
    TEXTS | PLAIN_TEXTS | VALUES, min_size=17, max_size=60, unique_by=repr), st.integers(0, 2), st.booleans())
def test_many_texts_are_written_as_one_by_one(values, style, long_one):
    """Over 16 distinct texts go through the batched path: the same XML, whatever needs escaping (a
    `_xHHHH_` split across two texts, NUL, lone surrogates), keeping spaces or cutting."""
    if long_one:
        values[0] = "长" * 40_000
    w, one = CellWriter(), CellWriter()
    numbers = [b"%d" % (i + 2) for i in range(len(values))]
    got = w.column(b"D", numbers, values, lambda v, _: (v, style), skip=SKIP)
    assert got == [b"" if v is SKIP else one.cell(b"D" + rb, v, style) for rb, v in zip(numbers, values, strict=True)]


def test_texts_dates_and_blanks_share_xml_by_value():
    w = CellWriter()
    values = ["OK", None, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1), "OK", None]
    got = w.column(b"D", [b"%d" % i for i in range(1, 7)], values, lambda v, _: (v, 2))
    assert got == [w.cell(b"D%d" % i, v, 2) for i, v in enumerate(values, 1)]
    assert got[2] == b'<c r="D3" s="2"><v>45292</v></c>' and got[3] == b'<c r="D4" s="2"><v>45292</v></c>'


def test_equal_values_of_other_types_do_not_share_xml():
    w = CellWriter()
    got = w.column(b"A", [b"1", b"2", b"3", b"4"], [0, False, 0.0, -0.0], lambda v, _: (v, 0))
    assert got == [b'<c r="A1"><v>0</v></c>', b'<c r="A2" t="b"><v>0</v></c>', b'<c r="A3"><v>0.0</v></c>',
                   b'<c r="A4"><v>-0.0</v></c>']


def test_unhashable_values_are_written_one_by_one():
    w = CellWriter()
    got = w.column(b"B", [b"1", b"2"], [["x"], "y"], lambda v, _: (str(v), 0))
    assert got == [b'<c r="B1" t="inlineStr"><is><t>[\'x\']</t></is></c>', b'<c r="B2" t="inlineStr"><is><t>y</t></is></c>']
