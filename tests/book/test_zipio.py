"""zipio.compress: the deflated stream, CRC and sizes of a part, however it arrives in chunks."""

from __future__ import annotations

import random
import zlib

import pytest

from crm_xl.book.xlsx import zipio
from crm_xl.book.xlsx.zipio import compress


@pytest.mark.parametrize("piece", [1, 1000, 300_000, 3_000_000])
def test_compress_round_trips_a_part_of_many_megabytes(piece: int):
    rng = random.Random(7)
    data = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, rng.randrange(10**6))
                    for i in range(150_000))  # ~6 MB: several pieces queue for the deflate thread
    chunks = [data[i:i + piece] for i in range(0, len(data), piece)] if piece > 1 else [data[:1], b"", data[1:]]
    blob = compress(chunks, 3)
    packed = b"".join(blob.chunks)
    assert zlib.decompress(packed, -15) == data
    assert (blob.crc, blob.size, blob.csize) == (zlib.crc32(data), len(data), len(packed))


# --- the well-formedness check of a large part, in a child process -------------------------------

GOOD = b'<root xmlns:x="urn:x">' + b"<x:a>t</x:a>" * 200_000 + b"</root>"  # 2.4 MB: checked apart
DOCS = {
    "well-formed": GOOD,
    "unbound prefix at its end": GOOD[:-7] + b"<y:b/></root>",
    "unclosed at its end": GOOD[:-1],
    "broken at its start": b"<root><" + GOOD[6:],
}


def _pieces(data: bytes, n: int = 70_000) -> list[bytes]:
    return [data[i:i + n] for i in range(0, len(data), n)]


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[zipio.WellFormedApart]:
    made: list[zipio.WellFormedApart] = []
    real = zipio.WellFormedApart.__init__

    def init(self: zipio.WellFormedApart) -> None:
        real(self)
        made.append(self)

    monkeypatch.setattr(zipio.WellFormedApart, "__init__", init)
    return made


@pytest.mark.parametrize("name", list(DOCS))
def test_a_large_part_is_checked_apart_with_the_verdict_of_the_check_here(name: str,
                                                                          monkeypatch: pytest.MonkeyPatch):
    data = DOCS[name]
    made = _spied(monkeypatch)
    apart = compress(_pieces(data), 3)
    assert len(made) == 1 and made[0]._proc is None  # checked by a child, which has finished
    monkeypatch.setattr(zipio, "_APART", False)
    here = compress(_pieces(data), 3)
    assert len(made) == 1
    assert apart.xml_error == here.xml_error
    assert (apart.xml_error is None) == (name == "well-formed")
    assert zlib.decompress(b"".join(apart.chunks), -15) == data


def test_a_small_part_is_checked_here(monkeypatch: pytest.MonkeyPatch):
    made = _spied(monkeypatch)
    assert compress(_pieces(b"<a>" + b"<b/>" * 1000 + b"</a>", 500), 3).xml_error is None
    assert compress([b"<a><b></a>"], 3).xml_error == "mismatched tag: line 1, column 8"
    assert made == []


@pytest.mark.parametrize("child", ["no verdict", "crashes", "cannot start"])
@pytest.mark.parametrize("name", ["well-formed", "unbound prefix at its end"])
def test_without_the_childs_verdict_the_part_is_checked_here(child: str, name: str,
                                                             monkeypatch: pytest.MonkeyPatch):
    expected = compress(_pieces(DOCS[name]), 3).xml_error
    if child == "no verdict":
        monkeypatch.setattr(zipio, "_CHECKER", "import sys\nsys.stdin.buffer.read()")
    elif child == "crashes":
        monkeypatch.setattr(zipio, "_CHECKER", "import sys\nsys.stdin.buffer.read(10)\nsys.exit(3)")
    else:
        monkeypatch.setattr(zipio.sys, "executable", "/nonexistent/python")
        monkeypatch.setattr(zipio.os.path, "isfile", lambda _: True)
    made = _spied(monkeypatch)
    blob = compress(_pieces(DOCS[name]), 3)
    assert len(made) == 1
    assert blob.xml_error == expected


def test_an_abandoned_part_stops_its_child(monkeypatch: pytest.MonkeyPatch):
    made = _spied(monkeypatch)

    def chunks():
        yield from _pieces(GOOD)
        raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError, match="the writer failed"):
        compress(chunks(), 3)
    assert len(made) == 1 and made[0]._proc is None
