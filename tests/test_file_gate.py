"""The gate before a workbook is read or written (issue #17): every file crm-xl cannot use is refused with
one `Error: …` line naming the file, what it really is and what to do — exit 2, the file byte-identical —
and the save leaves nothing behind on Ctrl-C."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from helpers import CUSTOMERS_ZH, FOLLOWUPS_ZH, digest, small_workbook, write_workbook
from typer.testing import CliRunner

from crm_xl import runtime
from crm_xl.book.xlsx import safety
from crm_xl.model.errors import WorkbookFileError
from crm_xl.shells.cli import app

runner = CliRunner()
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fidelity" / "others"
TODAY = ("--today", "2024-04-01")


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def refused(path: Path, message: str, *args: object, command: str = "validate") -> None:
    """`crm-xl COMMAND path` exits 2 with exactly `Error: message`, and the file is unchanged."""
    before = digest(path)
    r = invoke(command, path, *args)
    assert (r.exit_code, r.stderr) == (2, f"Error: {message}\n")
    assert digest(path) == before


def renamed(path: Path, what: str, real: str) -> str:
    return (f"{path}: is {what}, saved with an {path.suffix} name; crm-xl works on real .xlsx and .xlsm files — "
            f"open it in Excel and Save As \"Excel Workbook (*.xlsx)\", or rename it {path.stem}{real} and run: "
            f"libreoffice --headless --convert-to xlsx {path.stem}{real}")


def rezip(source: Path, dest: Path, edit=lambda name, data: (name, data)) -> Path:
    """A copy of the zip `source` with each entry passed through `edit(name, data) -> (name, data)`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            name, data = edit(info.filename, zin.read(info))
            zout.writestr(name, data)
    return dest


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) holding `streams` at its root: enough for a
    reader to list them. Each stream is padded to 4096 bytes so it lives in regular sectors."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    entries = []
    names = list(streams)
    for k, name in enumerate(names):
        start = len(fat)
        fat += [*range(start + 1, start + 8), end]
        right = k + 2 if k + 1 < len(names) else no_stream  # the streams as a chain of right siblings
        entries.append((name, 2, no_stream, right, no_stream, start, 4096))
    root = ("Root Entry", 5, no_stream, no_stream, 1 if names else no_stream, end, 0)
    directory = b""
    for name, kind, left, right, child, start, size in [root, *entries]:
        encoded = (name + "\0").encode("utf-16-le")
        directory += (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
                      + b"\0" * 36 + struct.pack("<IQ", start, size))
    directory = directory.ljust(512, b"\0")
    header = (safety.OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))  # the FAT is sector 0
    body = b"".join(data.ljust(4096, b"\0")[:4096] for data in streams.values())
    return header + struct.pack("<128I", *fat, *[free] * (128 - len(fat))) + directory + body


def shared(tmp_path: Path, relative: str) -> Path:
    """A copy of a file of the shared corpus (skipped when the corpus is not there)."""
    source = SHARED / relative
    if not source.exists():
        pytest.skip(f"corpus file not found: {source}")
    return Path(shutil.copyfile(source, tmp_path / source.name))


# --- 4. Strict Open XML ----------------------------------------------------------------------------


def strict_message(path: Path) -> str:
    return f"{path}: Strict Open XML is not supported; save as Excel Workbook (*.xlsx)"


@pytest.mark.parametrize("name", ["grafted/g_S01_sheet_visibility_strict.xlsx", "grafted/g_S02_SampleSS.strict.xlsx"])
def test_strict_open_xml_workbooks_of_the_corpus_are_refused(tmp_path: Path, name: str):
    path = shared(tmp_path, name)
    refused(path, strict_message(path))
    refused(path, strict_message(path), *TODAY, command="run")
    refused(path, strict_message(path), command="info")


def test_a_strict_workbook_part_is_refused_whatever_its_relationships_say(tmp_path: Path):
    """Only the workbook part's root namespace is Strict (the package relationships are transitional)."""
    source = small_workbook(tmp_path / "src.xlsx")

    def strict(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/workbook.xml":
            data = data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", safety.STRICT_NS)
        return name, data

    path = rezip(source, tmp_path / "strict.xlsx", strict)
    assert b"purl.oclc.org" not in zipfile.ZipFile(path).read("_rels/.rels")
    refused(path, strict_message(path))


# --- 5. what the file really is --------------------------------------------------------------------


def test_encrypted_workbook_is_called_password_protected(tmp_path: Path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    plain = small_workbook(tmp_path / "plain.xlsx")
    path = tmp_path / "secret.xlsx"
    with plain.open("rb") as fh, path.open("wb") as out:
        msoffcrypto.OfficeFile(fh).encrypt("pw", out)
    refused(path, f"{path}: is encrypted (password-protected); remove the password in Excel "
                  "(File > Info > Protect Workbook > Encrypt with Password) and try again")


@pytest.mark.parametrize("streams", [{"EncryptionInfo": b"\4\0\4\0", "EncryptedPackage": b"x"}, {"EncryptedPackage": b"x"}])
def test_an_ole_file_with_an_encrypted_package_is_password_protected(tmp_path: Path, streams: dict[str, bytes]):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(cfb(streams))
    refused(path, f"{path}: is encrypted (password-protected); remove the password in Excel "
                  "(File > Info > Protect Workbook > Encrypt with Password) and try again")


@pytest.mark.parametrize("stream", ["Workbook", "Book"])
def test_an_old_xls_renamed_xlsx_is_called_an_old_xls(tmp_path: Path, stream: str):
    path = tmp_path / "team.xlsx"
    path.write_bytes(cfb({"\x05SummaryInformation": b"s", stream: b"\x09\x08"}))
    refused(path, renamed(path, "an old binary .xls workbook", ".xls"))


def test_the_renamed_xls_and_xlsb_of_the_corpus(tmp_path: Path):
    xls = shared(tmp_path, "edge/a21_xls_renamed.xlsx")
    refused(xls, renamed(xls, "an old binary .xls workbook", ".xls"))
    xlsb = shared(tmp_path, "edge/a24_xlsb_renamed.xlsx")
    refused(xlsb, renamed(xlsb, "a binary Excel workbook (.xlsb)", ".xlsb"), *TODAY, command="run")


def test_other_ole_files_and_damaged_ones(tmp_path: Path):
    doc = tmp_path / "letter.xlsx"
    doc.write_bytes(cfb({"WordDocument": b"w"}))
    refused(doc, f"{doc}: is not an Excel workbook (an OLE compound file with no workbook in it, like a Word .doc)")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(safety.OLE_MAGIC + b"\0" * 512)
    r = invoke("validate", damaged)
    assert r.exit_code == 2 and r.stderr.startswith(f"Error: {damaged}: is corrupt (an OLE compound file")
    assert r.stderr.count("\n") == 1


def test_an_xlsb_renamed_xlsx(tmp_path: Path):
    path = tmp_path / "team.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    refused(path, renamed(path, "a binary Excel workbook (.xlsb)", ".xlsb"))


@pytest.mark.parametrize(("kind", "what", "save_as"), [
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "an Excel template (.xltx)",
     "Excel Workbook (*.xlsx)"),
    ("application/vnd.ms-excel.template.macroEnabled.main+xml", "a macro-enabled Excel template (.xltm)",
     "Excel Macro-Enabled Workbook (*.xlsm)"),
])
def test_a_template_is_refused_with_how_to_save_it_as_a_workbook(tmp_path: Path, kind: str, what: str, save_as: str):
    source = small_workbook(tmp_path / "src.xlsx")
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

    def template(name: str, data: bytes) -> tuple[str, bytes]:
        return name, data.replace(main, kind.encode()) if name == "[Content_Types].xml" else data

    path = rezip(source, tmp_path / "team.xlsx", template)
    refused(path, f"{path}: is {what}, not a workbook; open it in Excel and Save As \"{save_as}\", "
                  "and run crm-xl on the saved workbook")


def test_a_zip_with_backslash_paths_was_written_by_a_buggy_program(tmp_path: Path):
    path = rezip(small_workbook(tmp_path / "src.xlsx"), tmp_path / "team.xlsx",
                 lambda name, data: (name.replace("/", "\\"), data))
    first_bad = zipfile.ZipFile(path).infolist()[0].orig_filename
    assert "\\" in first_bad
    refused(path, f"{path}: was written by a program with a bug (its zip names parts with backslashes, like "
                  f"{first_bad}); open it in Excel or LibreOffice, save it again, and run crm-xl on the saved file")


HTML = "a web page (an HTML table, as CRM and ERP systems export)"


@pytest.mark.parametrize("text", [
    b"<html><body><table><tr><td>a</td></tr></table></body></html>",
    b"\xef\xbb\xbf\r\n  <!DOCTYPE html><html><table></table></html>",
    b"<table border=1><tr><td>\xe5\xae\xa2\xe6\x88\xb7</td></tr></table>",
    "\ufeff<html><table></table></html>".encode("utf-16-le"),
    b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><table/></html>',
])
def test_an_html_table_saved_as_xlsx(tmp_path: Path, text: bytes):
    path = tmp_path / "export.xlsx"
    path.write_bytes(text)
    refused(path, renamed(path, HTML, ".xls"))


def test_an_html_table_saved_as_xls_is_named_for_what_it_is(tmp_path: Path):
    path = tmp_path / "export.xls"
    path.write_bytes(b"  <html><table><tr><td>1</td></tr></table></html>")
    refused(path, f"{path}: is {HTML}, saved with an .xls name; crm-xl works on real .xlsx and .xlsm files — "
                  "open it in Excel and Save As \"Excel Workbook (*.xlsx)\", or run: "
                  "libreoffice --headless --convert-to xlsx export.xls")


def test_a_csv_and_an_excel_2003_xml_file_renamed_xlsx(tmp_path: Path):
    csv = tmp_path / "team.xlsx"
    csv.write_bytes("客户名称,负责人\n甲,小王\n".encode("gbk"))
    refused(csv, renamed(csv, "a text file (CSV or tab-separated)", ".csv"))
    xml = tmp_path / "old.xlsx"
    xml.write_bytes(b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')
    refused(xml, renamed(xml, "an Excel 2003 XML spreadsheet", ".xml"))


def test_binary_junk_stays_corrupt(tmp_path: Path):
    path = tmp_path / "junk.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    refused(path, f"{path}: is corrupt or not an Excel workbook (it is not a valid .xlsx/.xlsm package)")


def test_an_ods_renamed_xlsx(tmp_path: Path):
    path = tmp_path / "team.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    refused(path, renamed(path, "an OpenDocument spreadsheet (.ods)", ".ods"))


# --- 17. bounded work on hostile files -------------------------------------------------------------


def declare_sizes(path: Path, sizes: dict[str, int]) -> None:
    """Make the zip's directory (and local headers) declare `sizes` (name -> inflated size) for some parts;
    their data stays as it is, so whoever reads one gets a size/CRC error."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offsets = {i.filename: i.header_offset for i in zf.infolist()}
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46:at + 46 + length]).decode()
        if name in sizes:
            struct.pack_into("<I", data, at + 24, sizes[name])
            struct.pack_into("<I", data, offsets[name] + 22, sizes[name])
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


def test_a_part_that_would_inflate_past_the_bound_is_refused_before_any_read(tmp_path: Path):
    path = small_workbook(tmp_path / "bomb.xlsx")
    part = "xl/worksheets/sheet1.xml"
    declare_sizes(path, {part: 3 << 30})
    with zipfile.ZipFile(path) as zf:
        compressed = zf.getinfo(part).compress_size
    message = (f"{path}: its part {part} would inflate to 3.0 GB from {compressed:,} bytes; crm-xl does not "
               "open such files (a zip bomb?) — if it is a real workbook, open it in Excel and save it again")
    refused(path, message, *TODAY, command="run")  # any read would fail on the sizes, with another message
    refused(path, message, command="info")
    with pytest.raises(WorkbookFileError):  # the entry point reads nothing ahead either
        runtime.start_reading(path)


def test_a_big_part_that_compresses_modestly_is_not_a_bomb(tmp_path: Path):
    """Over 1 GiB but under 100× its compressed size: refused by neither bound (the read fails later)."""
    infos = [zipfile.ZipInfo("xl/worksheets/sheet1.xml")]
    infos[0].file_size, infos[0].compress_size = (1 << 30) + 1, 20 << 20
    safety.check_sizes(tmp_path / "x.xlsx", infos)


def test_parts_that_would_inflate_past_the_total_bound_are_refused(tmp_path: Path):
    path = small_workbook(tmp_path / "many.xlsx")
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist()][:5]
    declare_sizes(path, dict.fromkeys(names, (1 << 30) - 1))  # each under the part bound, 5 GiB in all
    refused(path, f"{path}: its parts would inflate to 5.0 GB in all, more than crm-xl reads (4.0 GB); "
                  "if it is a real workbook, open it in Excel and save it again")


def test_a_part_that_inflates_past_its_declared_size_is_corrupt(tmp_path: Path):
    """A lying directory cannot make a reader inflate more than it declares: calamine and zipfile stop."""
    path = small_workbook(tmp_path / "liar.xlsx")
    declare_sizes(path, {"xl/worksheets/sheet1.xml": 100, "xl/workbook.xml": 100})
    before = digest(path)
    r = invoke("validate", path, *TODAY)
    assert r.exit_code == 2 and r.stderr.startswith(f"Error: {path}: ") and r.stderr.count("\n") == 1
    assert digest(path) == before


def test_an_entity_expansion_bomb_in_the_workbook_part_is_refused(tmp_path: Path):
    lol = b'<!DOCTYPE workbook [<!ENTITY a "' + b"a" * 64 + b'">' + b"".join(
        b'<!ENTITY %c "%s">' % (98 + k, (b"&%c;" % (97 + k)) * 16) for k in range(8)) + b"]>"

    def bomb(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "xl/workbook.xml":
            assert not data.startswith(b"<?xml")  # openpyxl writes no declaration
            data = lol + data.replace(b'name="', b'name="&i;', 1)  # a billion "a"s in a sheet name
        return name, data

    path = rezip(small_workbook(tmp_path / "src.xlsx"), tmp_path / "lol.xlsx", bomb)
    before = digest(path)
    r = invoke("validate", path, *TODAY)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"Error: {path}: is corrupt or not an Excel workbook (limit on input amplification")
    assert digest(path) == before


# --- 10. --out -------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_out_file_gets_the_mode_of_any_new_file(tmp_path: Path, umask: int):
    path = small_workbook(tmp_path / "team.xlsx")
    out = tmp_path / "copy.xlsx"
    old = os.umask(umask)
    try:
        r = invoke("validate", path, "--out", out, *TODAY)
    finally:
        os.umask(old)
    assert r.exit_code in (0, 1), r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_replacing_an_out_file_keeps_its_mode(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    out = small_workbook(tmp_path / "copy.xlsx")
    out.chmod(0o640)
    assert invoke("validate", path, "--out", out, *TODAY).exit_code in (0, 1)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


@pytest.mark.parametrize("command", ["validate", "run"])
def test_out_must_be_an_excel_name_in_an_existing_folder(tmp_path: Path, command: str):
    path = small_workbook(tmp_path / "team.xlsx")
    for name in ("copy.csv", "copy.xls", "copy"):
        out = tmp_path / name
        refused(path, f"{out}: --out must name an .xlsx or .xlsm file (the copy is an Excel workbook)",
                "--out", out, *TODAY, command=command)
        assert not out.exists()
    out = tmp_path / "missing" / "copy.xlsx"
    refused(path, f"{out}: the folder {out.parent} does not exist; create it first or choose another --out",
            "--out", out, *TODAY, command=command)
    assert not out.parent.exists()
    refused(path, f"{tmp_path}: is a folder; give --out a file name ending .xlsx or .xlsm",
            "--out", tmp_path, *TODAY, command=command)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx"]


def test_out_keeps_the_macro_kind_of_the_workbook(tmp_path: Path):
    xlsm = small_workbook(tmp_path / "team.xlsm")
    out = tmp_path / "copy.xlsx"
    refused(xlsm, f"{out}: an .xlsx cannot hold the macros (buttons) of team.xlsm, and Excel would refuse the "
                  "file; name the copy copy.xlsm", "--out", out, *TODAY)
    xlsx = small_workbook(tmp_path / "team.xlsx")
    out = tmp_path / "copy.xlsm"
    refused(xlsx, f"{out}: the copy of an .xlsx workbook must be an .xlsx too (Excel refuses an .xlsm without "
                  "macros); name it copy.xlsx", "--out", out, *TODAY, command="run")
    assert not (tmp_path / "copy.xlsx").exists() and not out.exists()


# --- 11. lock files of LibreOffice and WPS Office --------------------------------------------------


@pytest.mark.parametrize(("lock", "app_name"), [(".~lock.team.xlsx#", "LibreOffice"), (".~team.xlsx", "WPS Office")])
def test_a_workbook_open_in_libreoffice_or_wps_is_not_written_in_place(tmp_path: Path, lock: str, app_name: str):
    path = small_workbook(tmp_path / "team.xlsx")
    (tmp_path / lock).write_bytes(b"owner")
    message = (f"{path}: is open in {app_name} (its lock file {lock} is beside it); close it in {app_name} first, "
               f"or write a copy with --out (if {app_name} is not running, the lock file is left over from a "
               "crash: delete it)")
    refused(path, message, *TODAY)
    refused(path, message, *TODAY, command="run")
    out = tmp_path / "copy.xlsx"
    assert invoke("validate", path, "--out", out, *TODAY).exit_code == 1 and out.exists()


def test_an_out_file_open_elsewhere_is_not_replaced(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    out = small_workbook(tmp_path / "copy.xlsx")
    (tmp_path / ".~lock.copy.xlsx#").write_bytes(b"owner")
    before = digest(out)
    r = invoke("validate", path, "--out", out, *TODAY)
    assert r.exit_code == 2 and r.stderr == (
        f"Error: {out}: is open in LibreOffice (its lock file .~lock.copy.xlsx# is beside it); close it in "
        "LibreOffice first, or choose another --out (if LibreOffice is not running, the lock file is left over "
        "from a crash: delete it)\n")
    assert digest(out) == before


# --- 14. exit codes: validation errors, Ctrl-C -----------------------------------------------------


def clean_workbook(path: Path) -> Path:
    return write_workbook(path, {
        "客户信息表": [CUSTOMERS_ZH, ["甲科技有限公司", "互联网", "王经理", "13956781234", "官网", "小王",
                                    dt.datetime(2024, 3, 1), "跟进中"]],
        "跟进计划表": [FOLLOWUPS_ZH, ["甲科技有限公司", dt.datetime(2024, 3, 1), "电话", "介绍方案", "小王"]],
    }, {"客户信息表": "Customers", "跟进计划表": "FollowUps"})


def test_run_exits_1_when_validation_finds_errors_after_saving(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = invoke("run", path, *TODAY)
    assert r.exit_code == 1 and f"已保存 {path}" in r.stdout  # (a zh-Hans workbook: its language)
    assert digest(path) != before  # saved all the same
    clean = clean_workbook(tmp_path / "clean.xlsx")
    assert invoke("run", clean, *TODAY).exit_code == 0


CTRL_C = "import os, signal\ndef ctrl_c(*args, **kwargs):\n    os.kill(os.getpid(), signal.SIGINT)\n"


def crm_xl(args: list[object], before_main: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `crm-xl` entry point in a new Python, after `before_main` (code that patches it; it may
    call `ctrl_c()` to send the process SIGINT)."""
    code = CTRL_C + textwrap.dedent(before_main) + textwrap.dedent(f"""
        import sys
        sys.argv = ["crm-xl", *{[str(a) for a in args]!r}]
        from crm_xl.shells.entry import main
        main()
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                          cwd=cwd)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(safety.TEMP_PREFIX))


@pytest.mark.parametrize("command", ["run", "validate"])
def test_ctrl_c_during_the_save_writes_nothing(tmp_path: Path, command: str):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = crm_xl([command, path, *TODAY, "--backup", "--json"], """
        from crm_xl.book.xlsx import writer
        real = writer.PackageWriter.write
        def write(self, tmp):
            real(self, tmp)  # the temp file is written out ...
            ctrl_c()  # ... and Ctrl-C comes before it replaces the workbook
            sum(range(1000))
        writer.PackageWriter.write = write
    """)
    assert (r.returncode, r.stderr) == (130, "interrupted; nothing was written\n")
    assert digest(path) == before
    assert leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx"]


def test_ctrl_c_as_the_temp_file_is_made_leaves_none_behind(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = crm_xl(["validate", path, *TODAY], """
        import tempfile
        real = tempfile.mkstemp
        def mkstemp(*args, **kwargs):
            made = real(*args, **kwargs)
            ctrl_c()  # between the file's creation and the save knowing its name
            sum(range(1000))
            return made
        tempfile.mkstemp = mkstemp
    """)
    assert (r.returncode, r.stderr) == (130, "interrupted; nothing was written\n")
    assert digest(path) == before and leftovers(tmp_path) == []


def test_ctrl_c_as_the_workbook_is_replaced_finishes_the_replace_and_says_so(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = crm_xl(["validate", path, *TODAY], """
        from crm_xl.book.xlsx import safety
        real = safety.shutil.copymode
        def copymode(*args):
            ctrl_c()  # just before the replace
            sum(range(1000))
            real(*args)
        safety.shutil.copymode = copymode
    """)
    assert (r.returncode, r.stderr) == (130, f"interrupted; {path} was saved before the interrupt\n")
    assert digest(path) != before and leftovers(tmp_path) == []


def test_ctrl_c_before_the_cli_has_loaded(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = crm_xl(["run", path, *TODAY], """
        from crm_xl.book.xlsx import loader
        def start(path):
            ctrl_c()
            sum(range(1000))
        loader.start = start
    """)
    assert (r.returncode, r.stderr) == (130, "interrupted; nothing was written\n")
    assert digest(path) == before


def test_ctrl_c_while_the_jobs_run(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = crm_xl(["run", path, *TODAY], """
        from crm_xl import jobs
        def run_job(*args, **kwargs):
            ctrl_c()
            sum(range(1000))
        jobs.run_job = run_job
    """)
    assert (r.returncode, r.stderr) == (130, "interrupted; nothing was written\n")
    assert digest(path) == before


def test_the_real_command_reports_an_unusable_file_in_one_line(tmp_path: Path):
    path = tmp_path / "team.xlsx"
    path.write_bytes(cfb({"Workbook": b"\x09\x08"}))
    r = crm_xl(["run", path, *TODAY])
    assert (r.returncode, r.stderr) == (2, f"Error: {renamed(path, 'an old binary .xls workbook', '.xls')}\n")

