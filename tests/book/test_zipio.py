"""zipio.compress: the deflated stream, CRC and sizes of a part, however it arrives in chunks."""

from __future__ import annotations

import random
import zlib

import pytest

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
