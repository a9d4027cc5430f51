"""Checks before a workbook file is opened, and the atomic save every file adapter uses."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ...model.errors import ConflictError, WorkbookFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED = {".xlsx", ".xlsm"}
_CONVERT = {
    ".xls": "an old binary .xls workbook",
    ".xlsb": "a binary .xlsb workbook",
    ".csv": "a CSV file",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
}

# Bounds on the work a hostile file can cause, checked on the zip's directory before any part is read:
# a part may not inflate past MAX_PART_BYTES when that is also over MAX_RATIO times its compressed size,
# and all parts together may not declare more than MAX_TOTAL_BYTES. (zipfile stops any part at its
# declared size: a part that inflates further fails its CRC/size check.)
MAX_RATIO = 100
MAX_PART_BYTES = 1 << 30  # 1 GiB
MAX_TOTAL_BYTES = 4 << 30  # 4 GiB
PEEK_BYTES = 8 << 20  # the most read of a small part ([Content_Types].xml, _rels/.rels) to tell the file type

STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_STRICT_REL = b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_TEMPLATES = {
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml":
        ("an Excel template (.xltx)", "Excel Workbook (*.xlsx)"),
    b"application/vnd.ms-excel.template.macroEnabled.main+xml":
        ("a macro-enabled Excel template (.xltm)", "Excel Macro-Enabled Workbook (*.xlsm)"),
}
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_HTML = "a web page (an HTML table, as CRM and ERP systems export)"  # LibreOffice reads it as a sheet named .xls
_HTML_STARTS = ("<html", "<!doctype", "<table", "<head", "<body", "<meta", "<style")


@dataclass(frozen=True)
class Stamp:
    """What the file looked like when it was read, to detect a change before saving over it."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns)


def lock_file(path: Path) -> Path:
    """Excel's owner file for an open workbook: `~$name.xlsx` beside it."""
    return path.with_name("~$" + path.name)


def lock_files(path: Path) -> list[tuple[str, Path]]:
    """The files an office program keeps beside a workbook it has open: Excel's (and WPS Office's on
    Windows) `~$name`, LibreOffice's `.~lock.name#`, WPS Office's on Linux `.~name`."""
    return [("Excel", lock_file(path)), ("LibreOffice", path.with_name(f".~lock.{path.name}#")),
            ("WPS Office", path.with_name(".~" + path.name))]


def open_in(path: Path) -> tuple[str, Path] | None:
    """(program, its lock file) when a lock file says `path` is open in an office program, else None."""
    return next(((app, lock) for app, lock in lock_files(path) if lock.exists()), None)


# --- what the file is ------------------------------------------------------------------------------


def check_readable(path: Path) -> None:
    """Raise WorkbookFileError with a fix when `path` is not an .xlsx/.xlsm crm-xl can read: not there, of
    another format (whatever its name says), a Strict Open XML or template package, or a zip whose parts
    would inflate to an absurd size. Only the zip's directory and a few small parts are read."""
    if not path.exists():
        raise WorkbookFileError(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookFileError(f"{path}: is a folder, not a workbook (give the path of an .xlsx or .xlsm file)")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED and suffix not in _CONVERT:
        raise WorkbookFileError(f"{path}: is not an Excel workbook (expected a .xlsx or .xlsm file)")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except PermissionError as exc:
        raise WorkbookFileError(f"{path}: cannot be read (permission denied)") from exc
    if suffix in _CONVERT:
        if _text_kind(head) == "html":
            raise _renamed(path, _HTML, ".xls")
        raise WorkbookFileError(
            f"{path}: is {_CONVERT[suffix]}; crm-xl works on .xlsx and .xlsm — open it in Excel and "
            f"Save As \"Excel Workbook (*.xlsx)\", or run: libreoffice --headless --convert-to xlsx {path.name}"
        )
    if head.startswith(OLE_MAGIC):
        _check_ole(path)
    if not zipfile.is_zipfile(path):
        _check_not_zip(path, head)
    try:
        with zipfile.ZipFile(path) as zf:
            _check_package(path, zf)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
        raise WorkbookFileError(f"{path}: is corrupt (cannot read its zip package: {exc})") from exc


def _renamed(path: Path, what: str, real: str) -> WorkbookFileError:
    """The error for a file of another format under an Excel name, with the two ways to convert it."""
    renamed = path.stem + real
    rename = f"rename it {renamed} and " if renamed != path.name else ""
    return WorkbookFileError(
        f"{path}: is {what}, saved with an {path.suffix} name; crm-xl works on real .xlsx and .xlsm files — "
        f"open it in Excel and Save As \"Excel Workbook (*.xlsx)\", or {rename}run: "
        f"libreoffice --headless --convert-to xlsx {renamed}"
    )


def _check_ole(path: Path) -> None:
    """An OLE compound file: an encrypted (password-protected) workbook, or an old binary .xls."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception as exc:  # noqa: BLE001 - olefile raises many kinds on a damaged file
        raise WorkbookFileError(
            f"{path}: is corrupt (an OLE compound file, like a password-protected workbook or an old .xls, "
            f"that cannot be read: {exc})"
        ) from exc
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        raise WorkbookFileError(
            f"{path}: is encrypted (password-protected); remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password) and try again"
        )
    if {"Workbook", "Book"} & streams:
        raise _renamed(path, "an old binary .xls workbook", ".xls")
    raise WorkbookFileError(
        f"{path}: is not an Excel workbook (an OLE compound file with no workbook in it, like a Word .doc)"
    )


def _text_kind(head: bytes) -> str | None:
    """'html', 'xml2003' (Excel 2003 XML) or 'text' (CSV) for the start of a text file; None for binary data
    (or one line of text, which may be anything)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(encoding, "ignore")
            break
    else:
        if any(b < 0x20 and b not in b"\t\n\r\f" for b in head):
            return None
        text = head.decode("latin-1")
    lead = text.lstrip().lower()
    if lead.startswith(_HTML_STARTS) or (lead.startswith("<?xml") and "<html" in lead):
        return "html"
    if lead.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in lead:
        return "xml2003"
    return "text" if any(sep in text for sep in "\n,;\t") else None  # rows or fields: a CSV


def _check_not_zip(path: Path, head: bytes) -> None:
    """A file that is not a zip package: say what it is when it is text (HTML, Excel 2003 XML, CSV)."""
    kind = _text_kind(head) if head else None
    if kind == "html":
        raise _renamed(path, _HTML, ".xls")
    if kind == "xml2003":
        raise _renamed(path, "an Excel 2003 XML spreadsheet", ".xml")
    if kind == "text":
        raise _renamed(path, "a text file (CSV or tab-separated)", ".csv")
    raise WorkbookFileError(f"{path}: is corrupt or not an Excel workbook (it is not a valid .xlsx/.xlsm package)")


def _check_package(path: Path, zf: zipfile.ZipFile) -> None:
    """A zip: its declared sizes, then what it holds (an Excel workbook, or something else)."""
    infos = zf.infolist()
    check_sizes(path, infos)
    names = {i.filename.lower(): i.filename for i in infos}
    bad = next((i.orig_filename for i in infos if "\\" in i.orig_filename), None)
    if bad is not None:
        raise WorkbookFileError(
            f"{path}: was written by a program with a bug (its zip names parts with backslashes, like {bad}); "
            "open it in Excel or LibreOffice, save it again, and run crm-xl on the saved file"
        )
    if "mimetype" in names and _peek(zf, names["mimetype"]).strip().startswith(_ODS):
        raise _renamed(path, "an OpenDocument spreadsheet (.ods)", ".ods")
    if "xl/workbook.bin" in names:
        raise _renamed(path, "a binary Excel workbook (.xlsb)", ".xlsb")
    if "xl/workbook.xml" not in names and "[content_types].xml" not in names:
        raise WorkbookFileError(f"{path}: is a zip file but not an Excel workbook (no xl/workbook.xml)")
    types = _peek(zf, names["[content_types].xml"]) if "[content_types].xml" in names else b""
    for content_type, (what, save_as) in _TEMPLATES.items():
        if content_type in types:
            raise WorkbookFileError(
                f"{path}: is {what}, not a workbook; open it in Excel and Save As \"{save_as}\", "
                "and run crm-xl on the saved workbook"
            )
    rels = _peek(zf, names["_rels/.rels"]) if "_rels/.rels" in names else b""
    main = names.get(_main_part(rels).lower())
    if _STRICT_REL in rels or (main is not None and _strict_root(_peek(zf, main, 4096))):
        raise WorkbookFileError(f"{path}: Strict Open XML is not supported; save as Excel Workbook (*.xlsx)")


def check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose parts declare an absurd inflated size (a zip bomb), before any part is read."""
    for info in infos:
        if info.file_size > MAX_PART_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookFileError(
                f"{path}: its part {info.filename} would inflate to {_size(info.file_size)} from "
                f"{_size(info.compress_size)}; crm-xl does not open such files (a zip bomb?) — if it is a real "
                "workbook, open it in Excel and save it again"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise WorkbookFileError(
            f"{path}: its parts would inflate to {_size(total)} in all, more than crm-xl reads "
            f"({_size(MAX_TOTAL_BYTES)}); if it is a real workbook, open it in Excel and save it again"
        )


def _size(n: int) -> str:
    return f"{n / (1 << 30):,.1f} GB" if n >= 1 << 30 else f"{n:,} bytes"


def _peek(zf: zipfile.ZipFile, name: str, limit: int = PEEK_BYTES) -> bytes:
    """The first `limit` bytes of a part (no more is inflated)."""
    with zf.open(name) as fh:
        return fh.read(limit)


_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Type|Target)\s*=\s*["\']([^"\']*)["\']')
_ROOT = re.compile(rb"<(?:([\w.-]+):)?workbook\b([^>]*)>")


def _main_part(rels: bytes) -> str:
    """The zip name of the package's main part (the workbook), from its `_rels/.rels`."""
    for rel in _REL.findall(rels):
        attrs = dict(_ATTR.findall(rel))
        if attrs.get(b"Type", b"").endswith(b"/officeDocument") and attrs.get(b"Target"):
            return attrs[b"Target"].decode("utf-8", "replace").lstrip("/")
    return "xl/workbook.xml"


def _strict_root(head: bytes) -> bool:
    """Whether the workbook part's root element is in the Strict Open XML namespace."""
    root = _ROOT.search(head)
    if root is None:
        return False
    prefix = b":" + root.group(1) if root.group(1) else b""
    return re.search(rb"\bxmlns" + re.escape(prefix) + rb'\s*=\s*["\']' + re.escape(STRICT_NS) + rb'["\']',
                     root.group(2)) is not None


# --- where the result goes -------------------------------------------------------------------------


def check_out(source: Path, out: Path) -> None:
    """Raise WorkbookFileError when `out` is no place for a copy of `source`: not an .xlsx/.xlsm name, the
    other kind than the source's (an .xlsx cannot hold an .xlsm's macros), a folder, or in no folder."""
    suffix = out.suffix.lower()
    if out.is_dir():
        raise WorkbookFileError(f"{out}: is a folder; give --out a file name ending .xlsx or .xlsm")
    if suffix not in SUPPORTED:
        raise WorkbookFileError(f"{out}: --out must name an .xlsx or .xlsm file (the copy is an Excel workbook)")
    kind = source.suffix.lower()
    if kind == ".xlsm" and suffix == ".xlsx":
        raise WorkbookFileError(
            f"{out}: an .xlsx cannot hold the macros (buttons) of {source.name}, and Excel would refuse the "
            f"file; name the copy {out.stem}.xlsm"
        )
    if kind == ".xlsx" and suffix == ".xlsm":
        raise WorkbookFileError(
            f"{out}: the copy of an .xlsx workbook must be an .xlsx too (Excel refuses an .xlsm without macros); "
            f"name it {out.stem}.xlsx"
        )
    folder = out.parent
    if not folder.is_dir():
        raise WorkbookFileError(f"{out}: the folder {folder} does not exist; create it first or choose another --out")


def check_writable(path: Path, out: Path | None = None) -> None:
    """Raise WorkbookFileError when the run's result cannot be saved where it should go."""
    if out is not None and _same_file(path, out):
        out = None
    if out is not None:
        check_out(path, out)
    target = out or path
    lock = open_in(target)
    if lock is not None:
        raise _open_elsewhere(target, *lock, copy=out is None)
    if target.exists() and not _writable(target):
        raise WorkbookFileError(
            f"{target}: is read-only; make it writable (clear the read-only attribute) or write a copy with --out"
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise WorkbookFileError(f"{folder}: cannot write in this folder (permission denied)")


def _open_elsewhere(path: Path, app: str, lock: Path, *, copy: bool) -> WorkbookFileError:
    if app == "Excel" and copy:
        return WorkbookFileError(
            f"{path}: is open in Excel (its lock file {lock.name} is beside it); close it in Excel first, "
            "or use the buttons inside the workbook, or write a copy with --out"
        )
    return WorkbookFileError(
        f"{path}: is open in {app} (its lock file {lock.name} is beside it); close it in {app} first"
        + (", or write a copy with --out" if copy else ", or choose another --out")
        + f" (if {app} is not running, the lock file is left over from a crash: delete it)"
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _writable(path: Path) -> bool:
    mode = path.stat().st_mode
    return bool(mode & stat.S_IWUSR) and os.access(path, os.W_OK)


# --- the save --------------------------------------------------------------------------------------

saved: list[Path] = []  # the files this process has replaced or created, for the message on Ctrl-C


def atomic_write(
    target: Path,
    write: Callable[[Path], None],
    *,
    original: Path | None = None,
    stamp: Stamp | None = None,
    backup: bool = False,
) -> None:
    """Write via `write(tmp)` into a temp file beside `target`, then replace `target` in one step.

    If `original` (the file read) changed on disk since `stamp`, nothing is replaced (ConflictError).
    With `backup`, the previous `target` is kept as `<name>.bak<suffix>`. On any failure, Ctrl-C included,
    the temp file is removed and `target` is untouched. A new `target` gets the mode any new file gets
    (0666 less the umask); a replaced one keeps its mode.
    """
    _unchanged(original, stamp)  # before anything is read again from a file someone else has saved
    sweep_temp_files(target.parent)
    tmp: Path | None = None
    try:
        with deferred_interrupt():  # the temp file is made and known, or not made
            tmp = _temp_beside(target)
        try:
            write(tmp)
        except Exception:
            _unchanged(original, stamp)  # a read error because the file changed meanwhile says so
            raise
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        _unchanged(original, stamp)
        with deferred_interrupt():  # the backup and the replace both happen, or neither
            if target.exists():
                shutil.copymode(target, tmp)
                if backup:
                    _copy_atomically(target, backup_path(target))
            else:
                os.chmod(tmp, new_file_mode())
            os.replace(tmp, target)
            saved.append(target)
    finally:
        if tmp is not None:
            with deferred_interrupt(), contextlib.suppress(OSError):
                tmp.unlink()


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent or ".")
    os.close(fd)
    return Path(name)


def _copy_atomically(source: Path, dest: Path) -> None:
    """Copy `source` to `dest` through a temp file, so `dest` is never half-written."""
    tmp = _temp_beside(dest)
    try:
        shutil.copy2(source, tmp)
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def new_file_mode() -> int:
    """The permission bits a new file gets in this process: 0666 less the umask."""
    return 0o666 & ~_umask()


def _umask() -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):  # Linux: read it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Run the block to its end even on Ctrl-C; the interrupt is raised when the block is done. (Only on
    the main thread, where Python handles signals.)"""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, None)
        elif caught and previous == signal.SIG_DFL:
            raise KeyboardInterrupt


TEMP_PREFIX = ".~crm-xl-"
STALE_AFTER = 3600  # seconds without a write: a temp file no save is still writing


def sweep_temp_files(folder: Path) -> list[Path]:
    """Remove the temp files of saves that were killed (power cut, kill -9) before they could clean up:
    crm-xl temp files in `folder` not written to for an hour. Returns what was removed."""
    removed = []
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(TEMP_PREFIX) or not entry.is_file(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _unchanged(original: Path | None, stamp: Stamp | None) -> None:
    if original is not None and stamp is not None and original.exists() and Stamp.of(original) != stamp:
        raise ConflictError(
            f"{original}: changed on disk since crm-xl read it (someone saved it meanwhile); "
            "nothing was written — run again"
        )


def backup_path(path: Path) -> Path:
    """`sample.xlsx` → `sample.bak.xlsx`."""
    return path.with_name(f"{path.stem}.bak{path.suffix}")
