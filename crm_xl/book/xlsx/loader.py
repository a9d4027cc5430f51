"""Reading worksheets ahead, on a second core.

python-calamine parses a worksheet's XML with the GIL released, so a background thread can parse the
big sheets while the main thread does something else: imports pandas (`start`, called by the CLI before
its heavy imports), builds the frame of a sheet already read, or parses another sheet. `SheetLoader`
parses sheets largest first; asking for a sheet that is not started yet parses it on the asking thread,
so two sheets are parsed at once. Each thread uses its own CalamineWorkbook.

This module stays light (standard library and python-calamine): the CLI imports it before pandas.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from .package import CHUNK, Package, worksheet_prefix

_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(?:(?!</(?:\w+:)?c>).)*?'
                         rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", re.S)
_ERROR_CELL_T_FIRST = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+)(\d+)"[^>]*>'
                                 rb"(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", re.S)
# a formula cell (not a self-closing `<c …/>`): its attributes and reference, up to its `<f`
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)\br="([A-Z]+)(\d+)"([^>]*?)(?<!/)>'
                           rb"(?:(?!</(?:\w+:)?c>).)*?(<(?:\w+:)?f[\s>/])", re.S)
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>[^<]+</(?:\w+:)?v>")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v[\s>/]")
_STR_TYPE = re.compile(rb'\bt="str"')
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>")

Unsaved = dict[tuple[int, int], str]  # formula cells without a saved value → their formula (`=A2*2`, or '')
Cells = tuple[list[tuple[int, int, str]], set[tuple[int, int]], Unsaved]  # error, formula, unsaved cells


class Loaded:
    """A parsed worksheet: calamine's sheet, its error cells (row, column, text) — calamine reads them
    as blanks — the cells holding formulas, and those of them with no saved value (also read as blanks).
    The sheet is there at once; `errors` and `formulas` wait
    for the sheet's scan, which may still be under way on the other thread (so the caller can turn the
    sheet into values meanwhile)."""

    def __init__(self, sheet: Any, scanned: Callable[[], Cells]):
        self.sheet = sheet  # python_calamine.CalamineSheet
        self._scanned = scanned
        self._cells: Cells | None = None

    def _scan(self) -> Cells:
        if self._cells is None:
            self._cells = self._scanned()
        return self._cells

    @property
    def errors(self) -> list[tuple[int, int, str]]:
        return self._scan()[0]

    @property
    def formulas(self) -> set[tuple[int, int]]:
        return self._scan()[1]

    @property
    def unsaved(self) -> Unsaved:
        """Formula cells with no saved value (`<f>` and no `<v>`, as openpyxl writes): (row, column) → formula."""
        return self._scan()[2]


class SheetLoader:
    """Parses the worksheets of one file, largest first, on a background thread.

    A sheet is read in two steps: calamine parses it, and `scan_cells` looks for error and formula
    cells in its XML. Both release the GIL for most of their time. Whichever thread gets to a sheet's
    scan first does it, so a thread that asks for a sheet still being parsed scans it meanwhile; the
    thread that parsed a sheet hands it over before scanning it."""

    def __init__(self, path: Path, pkg: Package, names: Iterable[str] | None = None) -> None:
        """Parse `names` (default: every worksheet) ahead, largest first."""
        self.path = path
        self._parts = {s.name: s.part for s in pkg.workbook.sheets if s.kind == "worksheet"}
        sizes = {name: _size(pkg, part) for name, part in self._parts.items()}
        ahead = self._parts if names is None else [n for n in dict.fromkeys(names) if n in self._parts]
        self._queue = sorted(ahead, key=lambda n: -sizes[n])
        self._done: dict[str, Any] = {}  # parsed sheets (or what parsing raised), until asked for
        self._busy: dict[str, threading.Event] = {}  # sheets being parsed
        self._scans: dict[str, _Scan] = {}  # scans claimed, done or under way
        self._lock = threading.Lock()
        self._stop = False
        self._local = threading.local()
        self._books: list[CalamineWorkbook] = []
        self._thread = threading.Thread(target=self._work, name="crm-xl-sheet-loader", daemon=True)
        self._thread.start()

    def get(self, name: str) -> Loaded:
        """The parsed sheet (waits when the background thread is on it, scanning its cells meanwhile;
        parses it here when not started). Raises what reading raised. A sheet is kept until it is asked
        for, then the caller owns it."""
        with self._lock:
            if name in self._queue:
                self._queue.remove(name)
                event = None
                own = True
            else:
                event = self._busy.get(name)
                own = event is None and name not in self._done
        if own:
            return Loaded(self._calamine(name), lambda: self._scanned(name))
        if event is not None:
            self._scan(name)  # while the other thread parses
            event.wait()
        with self._lock:
            outcome = self._done.pop(name)
        if isinstance(outcome, BaseException):
            self._scans.pop(name, None)
            raise outcome
        return Loaded(outcome, lambda: self._scanned(name))

    def order(self, names: Iterable[str]) -> list[str]:
        """`names` in the order that keeps both threads busy: the sheets already parsed, then those not
        started (the asking thread parses them while this one finishes its sheet), then the one it is on."""
        with self._lock:
            def rank(name: str) -> int:
                return 0 if name in self._done else 2 if name in self._busy else 1

            return sorted(dict.fromkeys(names), key=rank)

    def close(self) -> None:
        with self._lock:
            self._stop = True
            self._queue.clear()
            self._done.clear()
        self._thread.join()
        self._scans.clear()
        for book in self._books:
            book.close()
        self._books.clear()

    # --- internals -------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._stop or not self._queue:
                    return
                name = self._queue.pop(0)
                event = self._busy[name] = threading.Event()
            scan = None
            try:
                outcome: Any = self._calamine(name)
            except Exception as exc:  # handed to whoever asks for the sheet
                outcome = exc
            else:
                scan = self._claim(name)  # scanned here, after the sheet is handed over
            with self._lock:
                del self._busy[name]
                if not self._stop:
                    self._done[name] = outcome
            event.set()
            if scan is not None:
                self._run_scan(name, scan)

    def _book(self) -> CalamineWorkbook:
        book = getattr(self._local, "book", None)
        if book is None:
            book = self._local.book = CalamineWorkbook.from_path(str(self.path))
            self._books.append(book)
        return book

    def _calamine(self, name: str) -> Any:
        return self._book().get_sheet_by_name(name)

    def _scan(self, name: str) -> None:
        """Scan the sheet's cells here, unless another thread has (or is doing it)."""
        scan = self._claim(name)
        if scan is not None:
            self._run_scan(name, scan)

    def _claim(self, name: str) -> _Scan | None:
        """The sheet's scan, to be run by the caller; None when another thread has claimed it."""
        with self._lock:
            if name in self._scans:
                return None
            scan = self._scans[name] = _Scan()
            return scan

    def _run_scan(self, name: str, scan: _Scan) -> None:
        try:
            part = self._parts.get(name)
            if part is not None:
                with Package(self.path) as pkg:
                    scan_cells(pkg, part, scan.errors, scan.formulas, scan.unsaved)
        except Exception as exc:  # noqa: BLE001 - raised to whoever asks for the sheet
            scan.failure = exc
        scan.done.set()

    def _scanned(self, name: str) -> Cells:
        """The sheet's error and formula cells (scanned here when nobody has)."""
        self._scan(name)
        with self._lock:
            scan = self._scans[name]
        scan.done.wait()
        with self._lock:
            self._scans.pop(name, None)
        if scan.failure is not None:
            raise scan.failure
        return scan.errors, scan.formulas, scan.unsaved


@dataclass
class _Scan:
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    unsaved: Unsaved = field(default_factory=dict)
    failure: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


_early: dict[tuple[str, int, int], SheetLoader] = {}
_batch: set[tuple[str, int, int]] = set()  # of those, the ones started with others (`crm-xl merge`'s reps)


def start(path: str | Path, *, batch: bool = False) -> None:
    """Start reading a workbook ahead (the CLI calls this before its heavy imports): the sheets a run
    reads, never a big sheet of the team's own. Best effort: any problem is left for the run to report.
    `batch`: one of several files read one after the other (its loader is kept, parsing, while the others are
    opened; `stop_batch` closes those never opened)."""
    from ...model.schema import sheets_read  # light: no pandas

    try:
        p = Path(path)
        key = _key(p)
        if key in _early:  # started already (by the `crm-xl` entry point)
            return
        with Package(p) as pkg:
            names = [s.name for s in pkg.workbook.sheets]
            wanted = sheets_read(names, [(t.name, t.sheet) for t in pkg.tables])
            _early[key] = SheetLoader(p, pkg, wanted)
            if batch:
                _batch.add(key)
    except Exception:  # noqa: BLE001 - the run reports unreadable files properly
        return


def adopt(path: Path) -> SheetLoader | None:
    """The loader `start` made for this file, if it is still the same file."""
    try:
        key = _key(path)
    except OSError:
        return None
    loader = _early.pop(key, None)
    _batch.discard(key)
    for other in list(_early):  # started for a file that changed since, or not opened: stop it (one of a
        if other in _batch and other[0] != key[0]:  # batch waits for its file)
            continue
        _batch.discard(other)
        if (stale := _early.pop(other, None)) is not None:
            stale.close()
    return loader


def stop_batch() -> None:
    """Close the loaders of a batch whose files were never opened (a merge stopped early)."""
    for key in list(_batch):
        _batch.discard(key)
        if (loader := _early.pop(key, None)) is not None:
            loader.close()


def _key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _size(pkg: Package, part: str | None) -> int:
    name = pkg.name(part) if part else None
    return pkg.info[name].file_size if name else 0


def scan_cells(pkg: Package, part: str, errors: list[tuple[int, int, str]],
               formulas: set[tuple[int, int]], unsaved: Unsaved | None = None) -> None:
    """Collect the error cells and the formula cells of a sheet part (and into `unsaved`, those of the
    formula cells with no saved value)."""
    unsaved = {} if unsaved is None else unsaved
    if not _marked(pkg, part):
        return
    tag = b""
    carry = b""
    for chunk in pkg.stream(part):
        buf = carry + chunk
        if not tag:
            tag = b"<" + (worksheet_prefix(buf) or b"") + b"c "
        cut = buf.rfind(tag)
        if cut <= 0:
            carry = buf
            continue
        text, carry = buf[:cut], buf[cut:]
        _scan(text, errors, formulas, unsaved)
    _scan(carry, errors, formulas, unsaved)


def _has_marks(buf: bytes) -> bool:
    """Whether `buf` holds `t="e"` (an error cell) or an `f` element (`<f>`, `<f …`, `<x:f>` …: a
    formula). numpy finds the candidate letters without holding the GIL — the main thread goes on
    meanwhile — and only their neighbours are looked at; `in` would hold the GIL over every byte."""
    import numpy as np  # the CLI loads it anyway (pandas); imported here, off the start-up path

    a = np.frombuffer(buf, dtype=np.uint8)
    if len(a) < 5:
        return re.search(rb'<(?:\w+:)?f[\s>/]|t="e"', buf) is not None
    at = np.flatnonzero(a[1:-1] == 102) + 1  # f
    if len(at):
        before, after = a[at - 1], a[at + 1]
        closes = (after == 62) | (after == 32) | (after == 47) | ((after >= 9) & (after <= 13))  # > space / \s
        if (((before == 60) | (before == 58)) & closes).any():  # <f or :f
            return True
    at = np.flatnonzero(a[3:-1] == 101) + 3  # the e of t="e"
    return bool(len(at)) and bool(((a[at - 3] == 116) & (a[at - 2] == 61) & (a[at - 1] == 34)
                                   & (a[at + 1] == 34)).any())


def _marked(pkg: Package, part: str, size: int = CHUNK) -> bool:
    """Whether the sheet's rows may hold an error or a formula cell: a quick look (`_has_marks`) over its
    `<sheetData>`, chunk by chunk (most sheets have neither, and are then not parsed for them at all;
    a sheet that has them is streamed a second time by `scan_cells`)."""
    end = b""
    tail = b""
    for chunk in pkg.stream(part, size):
        buf = tail + chunk  # the last bytes before: a mark or the end may straddle two chunks
        if not end:
            prefix = worksheet_prefix(buf)
            if prefix is None and len(buf) < 1 << 16:
                tail = buf  # the root element's tag is not all there yet
                continue
            end = b"</" + (prefix or b"") + b"sheetData>"
        stop = buf.find(end)
        if stop >= 0:
            buf = buf[:stop]
        if _has_marks(buf):
            return True
        if stop >= 0:
            return False
        tail = buf[-(len(end) + 8):]
    return False


def _scan(text: bytes, errors: list[tuple[int, int, str]], formulas: set[tuple[int, int]],
          unsaved: Unsaved) -> None:
    if b't="e"' in text:
        for pattern in (_ERROR_CELL, _ERROR_CELL_T_FIRST):
            for m in pattern.finditer(text):
                errors.append((int(m.group(2)), _col_number(m.group(1)), m.group(3).decode("utf-8", "replace")))
    if b"<f" in text or b":f>" in text or b":f " in text:
        for m in _FORMULA_CELL.finditer(text):
            at = (int(m.group(3)), _col_number(m.group(2)))
            formulas.add(at)
            start = m.start(5)
            close = _CELL_END.search(text, start)  # (a chunk holds whole cells)
            end = close.end() if close else len(text)
            if _VALUE.search(text, start, end):
                continue  # the usual case: a saved value
            if not (_STR_TYPE.search(m.group(1) + m.group(4)) and _EMPTY_VALUE.search(text, start, end)):
                unsaved[at] = _formula(text[start:end])


def _formula(body: bytes) -> str:
    """`=TODAY()-F2` from a cell's XML (`''` for a shared formula's follower, which has no text of its own)."""
    m = _FORMULA_TEXT.search(body)
    text = html.unescape(m.group(1).decode("utf-8", "replace")) if m else ""
    return "=" + text if text else ""


def _col_number(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col
