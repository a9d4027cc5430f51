"""Zip plumbing for the file engine: copy entries byte for byte (compressed data untouched), add new ones.

`ZipOut` writes a plain (non-zip64) archive: local headers carry the CRC and sizes (no data descriptors),
entries are written in the order given. Parts are compressed before they are written (`Blob`), so the
order of entries never depends on the order in which they were produced.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

LOCAL = struct.Struct("<4sHHHHHIIIHH")
CENTRAL = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
END = struct.Struct("<4sHHHHIIH")
LIMIT = 0xFFFFFFFF
EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class Blob:
    """A compressed part ready to be written: data chunks, CRC-32, sizes, method."""

    chunks: list[bytes]
    crc: int
    size: int
    csize: int
    method: int = zipfile.ZIP_DEFLATED
    xml_error: str | None = None  # why the data is not well-formed XML (None: it is)


class WellFormed:
    """An XML well-formedness check fed piece by piece (namespaces resolved: an unbound prefix fails)."""

    def __init__(self) -> None:
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self.error: str | None = None

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.error is None:
            try:
                self._parser.Parse(data, final)
            except expat.ExpatError as exc:
                self.error = str(exc)

    def result(self, blob: Blob) -> str | None:
        """Why the part is not well-formed (None: it is), once every piece and the final one are fed."""
        return self.error


APART = 1 << 20  # a part at least this large is checked in a child process
_APART = True  # whether large parts are checked apart when a child can start (tests turn it off)
_CHECKER = """
import sys
from xml.parsers import expat
parser, error, read = expat.ParserCreate(namespace_separator=" "), None, sys.stdin.buffer.read
while data := read(1 << 20):
    if error is None:
        try:
            parser.Parse(data, False)
        except expat.ExpatError as exc:
            error = str(exc)
if error is None:
    try:
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        error = str(exc)
sys.stdout.buffer.write(b"ok" if error is None else b"bad:" + error.encode("utf-8", "replace"))
"""


class WellFormedApart:
    """The same check (the same expat, the same messages) run by a child interpreter fed through a pipe:
    its parsing holds the child's GIL, not this process's, so it runs beside the Python that writes the
    next parts. When the child cannot be started or gives no verdict, the part is checked here, from its
    compressed data (`result`)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        try:
            self._proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _CHECKER], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                          creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # Windows
        except OSError:
            pass

    def feed(self, data: bytes, final: bool = False) -> None:
        proc = self._proc
        if proc is not None and data:
            try:
                proc.stdin.write(data)  # type: ignore[union-attr]  # blocks outside the GIL while the child parses
            except OSError:
                self.close()

    def result(self, blob: Blob) -> str | None:
        verdict = b""
        proc = self._proc
        if proc is not None:
            try:
                verdict = proc.communicate()[0]
            except OSError:
                proc.kill()
                proc.wait()
            if proc.returncode != 0:
                verdict = b""
            self._proc = None
        if verdict == b"ok":
            return None
        if verdict.startswith(b"bad:"):
            return verdict[4:].decode("utf-8", "replace")
        check = WellFormed()  # no verdict: the check is made here
        inflate = zlib.decompressobj(-15)
        for chunk in blob.chunks:
            check.feed(inflate.decompress(chunk))
        check.feed(inflate.flush(), final=True)
        return check.error

    def close(self) -> None:
        """Stop the child (a part abandoned or a broken pipe); `result` then checks here."""
        proc = self._proc
        if proc is not None:
            proc.kill()
            proc.communicate()
            self._proc = None


def _checker(size: int) -> WellFormed | WellFormedApart:
    """The well-formedness check of a part of at least `size` bytes."""
    if size >= APART and _APART and sys.executable and not getattr(sys, "frozen", False) \
            and os.path.isfile(sys.executable):
        return WellFormedApart()
    return WellFormed()


def compress(chunks: Iterable[bytes], level: int = 6) -> Blob:
    """Deflate a stream of byte chunks (raw deflate, as zip stores it), checking on the way that they are
    well-formed XML (`xml`): the check a new package must pass reads the bytes once, here.

    CRC and deflate run on a worker thread (zlib releases the GIL), overlapping with the production of
    the next chunks on the calling thread. A part of a megabyte or more is checked by a child process
    (`WellFormedApart`), fed by a second worker thread: its parsing holds no GIL of this process and runs
    beside the deflate.
    """
    z = zlib.compressobj(level, zlib.DEFLATED, -15)
    out: list[bytes] = []
    state = {"crc": 0, "size": 0}
    check: WellFormed | WellFormedApart | None = None

    def work(data: bytes) -> None:
        state["crc"] = zlib.crc32(data, state["crc"])
        state["size"] += len(data)
        c = z.compress(data)
        if c:
            out.append(c)
        if not apart:
            check.feed(data)  # type: ignore[union-attr]

    apart = False
    pending: list[bytes] = []
    pending_len = 0
    futures: list[list[Future[None]]] = []
    try:
        with ThreadPoolExecutor(1) as pool, ThreadPoolExecutor(1) as feeder:
            def submit(data: bytes) -> None:
                nonlocal check, apart
                if check is None:
                    check = _checker(len(data))
                    apart = isinstance(check, WellFormedApart)
                futures.append([pool.submit(work, data), *([feeder.submit(check.feed, data)] if apart else [])])

            for chunk in chunks:
                if not chunk:
                    continue
                pending.append(chunk)
                pending_len += len(chunk)
                if pending_len >= 1 << 20:
                    submit(b"".join(pending))
                    pending, pending_len = [], 0
                    if len(futures) > 2:  # at most two pieces waiting: memory stays flat when deflate lags
                        for f in futures.pop(0):
                            f.result()
            if pending or check is None:
                submit(b"".join(pending))
        for fs in futures:
            for f in fs:
                f.result()
    except BaseException:
        if isinstance(check, WellFormedApart):
            check.close()
        raise
    assert check is not None
    out.append(z.flush())
    check.feed(b"", final=True)
    blob = Blob(out, state["crc"], state["size"], sum(len(c) for c in out))
    blob.xml_error = check.result(blob)
    return blob


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    csize: int
    size: int
    offset: int
    create_version: int = 20
    create_system: int = 0
    extract_version: int = 20
    external_attr: int = 0
    internal_attr: int = 0
    extra: bytes = b""
    comment: bytes = b""


def _dos(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    y = max(y, 1980)
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def _strip_zip64(extra: bytes) -> bytes:
    """Drop zip64 (0x0001) fields: this writer records sizes in the plain header fields."""
    out = bytearray()
    i = 0
    while i + 4 <= len(extra):
        tag, ln = struct.unpack_from("<HH", extra, i)
        if tag != 1:
            out += extra[i:i + 4 + ln]
        i += 4 + ln
    return bytes(out)


class ZipOut:
    """Write a zip archive entry by entry."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.entries: list[_Entry] = []

    def _header(self, e: _Entry) -> None:
        if e.offset > LIMIT or e.csize >= LIMIT or e.size >= LIMIT:
            raise OverflowError("workbook part larger than 4 GB")
        self.fh.write(LOCAL.pack(b"PK\x03\x04", e.extract_version, e.flags, e.method, e.dostime, e.dosdate,
                                 e.crc, e.csize, e.size, len(e.name), len(e.extra)))
        self.fh.write(e.name)
        self.fh.write(e.extra)
        self.entries.append(e)

    def copy(self, src: BinaryIO, info: zipfile.ZipInfo) -> None:
        """Copy an entry of another archive without decompressing it."""
        src.seek(info.header_offset)
        head = src.read(30)
        if head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        n, m = struct.unpack("<HH", head[26:30])
        src.seek(info.header_offset + 30 + n + m)
        name = info.filename.encode("utf-8")
        flags = info.flag_bits & ~0x08
        if not info.filename.isascii():
            flags |= 0x800
        dostime, dosdate = _dos(info.date_time)
        e = _Entry(name, flags, info.compress_type, dostime, dosdate, info.CRC, info.compress_size,
                   info.file_size, self.fh.tell(), info.create_version, info.create_system,
                   20,
                   info.external_attr, info.internal_attr, _strip_zip64(info.extra), info.comment)
        self._header(e)
        left = info.compress_size
        while left:
            chunk = src.read(min(left, 1 << 20))
            if not chunk:
                raise zipfile.BadZipFile(f"truncated entry {info.filename}")
            self.fh.write(chunk)
            left -= len(chunk)

    def add(self, name: str, blob: Blob, template: zipfile.ZipInfo | None = None) -> None:
        """Write a compressed part (keeping the date and attributes of the entry it replaces, if any)."""
        dostime, dosdate = _dos(template.date_time if template else EPOCH)
        flags = 0x800 if not name.isascii() else 0
        e = _Entry(name.encode("utf-8"), flags, blob.method, dostime, dosdate, blob.crc, blob.csize, blob.size,
                   self.fh.tell(), template.create_version if template else 20,
                   template.create_system if template else 0, 20,
                   template.external_attr if template else 0, template.internal_attr if template else 0)
        self._header(e)
        for chunk in blob.chunks:
            self.fh.write(chunk)

    def close(self) -> None:
        start = self.fh.tell()
        for e in self.entries:
            self.fh.write(CENTRAL.pack(
                b"PK\x01\x02", e.create_version, e.create_system, e.extract_version, 0, e.flags, e.method,
                e.dostime, e.dosdate, e.crc, e.csize, e.size, len(e.name), len(e.extra), len(e.comment), 0,
                e.internal_attr, e.external_attr, e.offset))
            self.fh.write(e.name)
            self.fh.write(e.extra)
            self.fh.write(e.comment)
        end = self.fh.tell()
        if len(self.entries) > 0xFFFF or end > LIMIT:
            raise OverflowError("workbook too large for a zip without zip64")
        self.fh.write(END.pack(b"PK\x05\x06", 0, 0, len(self.entries), len(self.entries), end - start, start, 0))
