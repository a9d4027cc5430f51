"""Checks before a workbook file is opened, and the atomic save every file adapter uses."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConflictError, WorkbookFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED = {".xlsx", ".xlsm"}
_CONVERT = {
    ".xls": "an old binary .xls workbook",
    ".xlsb": "a binary .xlsb workbook",
    ".csv": "a CSV file",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
}


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


def check_readable(path: Path) -> None:
    """Raise WorkbookFileError with a fix when `path` is not an .xlsx/.xlsm crm-xl can read."""
    if not path.exists():
        raise WorkbookFileError(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookFileError(f"{path}: is a folder, not a workbook (give the path of an .xlsx or .xlsm file)")
    suffix = path.suffix.lower()
    if suffix in _CONVERT:
        raise WorkbookFileError(
            f"{path}: is {_CONVERT[suffix]}; crm-xl works on .xlsx and .xlsm — open it in Excel and "
            f"Save As \"Excel Workbook (*.xlsx)\", or run: libreoffice --headless --convert-to xlsx {path.name}"
        )
    if suffix not in SUPPORTED:
        raise WorkbookFileError(f"{path}: is not an Excel workbook (expected a .xlsx or .xlsm file)")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except PermissionError as exc:
        raise WorkbookFileError(f"{path}: cannot be read (permission denied)") from exc
    if head == OLE_MAGIC:
        raise WorkbookFileError(
            f"{path}: is encrypted (password-protected); remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password) and try again"
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookFileError(f"{path}: is corrupt or not an Excel workbook (it is not a valid .xlsx/.xlsm package)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookFileError(f"{path}: is corrupt (cannot read its zip package: {exc})") from exc
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise WorkbookFileError(f"{path}: is a zip file but not an Excel workbook (no xl/workbook.xml)")


def check_writable(path: Path, out: Path | None = None) -> None:
    """Raise WorkbookFileError when the run's result cannot be saved where it should go."""
    target = out or path
    lock = lock_file(path)
    if out is None and lock.exists():
        raise WorkbookFileError(
            f"{path}: is open in Excel (its lock file {lock.name} is beside it); close it in Excel first, "
            "or use the buttons inside the workbook, or write a copy with --out"
        )
    if target.exists() and not _writable(target):
        raise WorkbookFileError(
            f"{target}: is read-only; make it writable (clear the read-only attribute) or write a copy with --out"
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise WorkbookFileError(f"{folder}: cannot write in this folder (permission denied)")


def _writable(path: Path) -> bool:
    mode = path.stat().st_mode
    return bool(mode & stat.S_IWUSR) and os.access(path, os.W_OK)


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
    With `backup`, the previous `target` is kept as `<name>.bak<suffix>`. On any failure the temp file is
    removed and `target` is untouched.
    """
    _unchanged(original, stamp)  # before anything is read again from a file someone else has saved
    sweep_temp_files(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            write(tmp)
        except Exception:
            _unchanged(original, stamp)  # a read error because the file changed meanwhile says so
            raise
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        _unchanged(original, stamp)
        if target.exists():
            shutil.copymode(target, tmp)
            if backup:
                shutil.copy2(target, backup_path(target))
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


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
