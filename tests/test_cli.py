"""The CLI shell: help, version, and one exact `Error: …` line for every unusable input, file unchanged."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest
from helpers import digest, small_workbook, write_workbook
from typer.testing import CliRunner

from crm_xl import __version__
from crm_xl.shells.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_version_and_help():
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"crm-xl {__version__}"
    for cmd in ("new", "info", "validate", "tiers", "stale", "health", "review", "run"):
        r = invoke(cmd, "--help")
        assert r.exit_code == 0 and "--help" in r.stdout, cmd


def _only_error(r, message: str) -> None:
    assert r.exit_code == 2
    assert r.stderr == f"Error: {message}\n"


@pytest.mark.parametrize("command", ["validate", "run", "info"])
def test_missing_file_and_folder(tmp_path: Path, command: str):
    _only_error(invoke(command, tmp_path / "nope.xlsx"), f"{tmp_path / 'nope.xlsx'}: no such file")
    _only_error(invoke(command, tmp_path),
                f"{tmp_path}: is a folder, not a workbook (give the path of an .xlsx or .xlsm file)")


@pytest.mark.parametrize(
    ("suffix", "what"),
    [(".xls", "an old binary .xls workbook"), (".csv", "a CSV file"), (".ods", "an OpenDocument spreadsheet")],
)
def test_other_formats_say_how_to_convert(tmp_path: Path, suffix: str, what: str):
    path = tmp_path / f"team{suffix}"
    path.write_bytes(b"a,b\n1,2\n")
    before = digest(path)
    _only_error(
        invoke("validate", path),
        f"{path}: is {what}; crm-xl works on .xlsx and .xlsm — open it in Excel and Save As "
        f"\"Excel Workbook (*.xlsx)\", or run: libreoffice --headless --convert-to xlsx team{suffix}",
    )
    assert digest(path) == before


def test_corrupt_workbook(tmp_path: Path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    before = digest(path)
    _only_error(invoke("validate", path),
                f"{path}: is corrupt or not an Excel workbook (it is not a valid .xlsx/.xlsm package)")
    assert digest(path) == before


def test_zip_that_is_not_a_workbook(tmp_path: Path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    _only_error(invoke("tiers", path), f"{path}: is a zip file but not an Excel workbook (no xl/workbook.xml)")


def test_workbook_without_crm_sheets(tmp_path: Path):
    path = write_workbook(tmp_path / "other.xlsx", {"Budget": [["a", "b"], [1, 2]]})
    before = digest(path)
    r = invoke("validate", path)
    assert r.exit_code == 2 and r.stderr.startswith("Error: none of the crm-xl sheets is in the workbook")
    assert r.stderr.rstrip().endswith("sheets found: Budget") and r.stderr.count("\n") == 1
    assert digest(path) == before


def test_file_open_in_excel(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    (tmp_path / "~$team.xlsx").write_bytes(b"owner")
    before = digest(path)
    _only_error(invoke("validate", path),
                f"{path}: is open in Excel (its lock file ~$team.xlsx is beside it); close it in Excel first, "
                "or use the buttons inside the workbook, or write a copy with --out")
    assert digest(path) == before


def test_read_only_file(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    before = digest(path)
    try:
        _only_error(invoke("validate", path),
                    f"{path}: is read-only; make it writable (clear the read-only attribute) or write a copy with --out")
        assert digest(path) == before
    finally:
        os.chmod(path, 0o644)


def test_bad_today_and_month(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    _only_error(invoke("validate", path, "--today", "tomorrow"), "--today must be a date like 2024-03-15, got 'tomorrow'")
    _only_error(invoke("review", path, "--month", "2024-3x"), "--month must be YYYY-MM (e.g. 2024-03), got '2024-3x'")
    assert digest(path) == before


def test_info_reports_sheets_language_and_settings(tmp_path: Path):
    path = small_workbook(tmp_path / "team.xlsx")
    before = digest(path)
    r = invoke("info", path, "--json")
    assert r.exit_code == 0, r.stderr
    import json

    data = json.loads(r.stdout)
    assert data["language"] == "zh-Hans"
    by_key = {s["key"]: s for s in data["sheets"]}
    assert by_key["customers"]["rows"] == 2 and by_key["customers"]["table"] == "Customers"
    assert by_key["followups"]["rows"] == 3 and by_key["tierlog"]["sheet"] is None
    assert data["other_sheets"] == ["备忘"]
    assert data["settings"]["cadence_b"] == 3
    assert invoke("info", path).exit_code == 0
    assert digest(path) == before


def test_long_summary_tables_are_cut_on_the_terminal_not_in_json(capsys: pytest.CaptureFixture[str]):
    import pandas as pd

    from crm_xl.model.result import Summary
    from crm_xl.shells import cli

    table = pd.DataFrame({"客户": [f"客户{i:04d}" for i in range(500)], "n": range(500)})
    summary = Summary("tiers", "500 changes", tables=[("Tier changes", table)], lang="en")  # an English summary
    cli.show([summary], as_json=False)
    shown = capsys.readouterr().out
    assert "客户0019" in shown and "客户0020" not in shown
    assert "480 more rows" in shown
    cli.show([summary], as_json=True)
    assert "客户0499" in capsys.readouterr().out
