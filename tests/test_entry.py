"""The `crm-xl` entry point starts reading the workbook of a job command before the CLI loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import small_workbook

from crm_xl.book.xlsx import loader
from crm_xl.shells import entry


@pytest.mark.parametrize(("args", "want"), [
    (["run", "a.xlsx", "--today", "2024-04-01"], "a.xlsx"),
    (["run", "--today", "2024-04-01", "--out", "o.xlsx", "a.xlsx"], "a.xlsx"),
    (["review", "-o", "o.xlsx", "--month", "2024-03", "--json", "a.xlsm"], "a.xlsm"),
    (["stale", "--backup"], None),
    (["new", "a.xlsx"], None),
    (["--version"], None),
    ([], None),
])
def test_the_workbook_of_a_job_command_line(args: list[str], want: str | None):
    assert entry.workbook_arg(args) == want


def test_reading_ahead_starts_once_per_file(tmp_path: Path):
    path = small_workbook(tmp_path / "s.xlsx")
    loader.start(path)
    first = next(iter(loader._early.values()))
    loader.start(path)  # the CLI's own start after the entry point's: the same loader goes on
    assert list(loader._early.values()) == [first]
    adopted = loader.adopt(path)
    assert adopted is first and loader._early == {}
    adopted.close()


def test_the_entry_point_knows_the_job_commands_and_their_valued_options():
    """entry.py reads the command line before typer loads; what it knows must match the CLI's."""
    import typer.main

    from crm_xl.shells.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert entry.JOBS <= set(commands)
    valued = {opt for job in entry.JOBS for p in commands[job].params
              if p.param_type_name == "option" and not p.is_flag for opt in p.opts}
    assert valued == entry.VALUED


def test_a_job_command_hands_the_gil_over_quickly(tmp_path: Path, monkeypatch):
    """The entry point sets the short switch interval for a job's process (runtime.py) before the
    CLI runs; other commands keep Python's default."""
    import sys

    from crm_xl.runtime import QUICK

    path = small_workbook(tmp_path / "s.xlsx")
    seen = []
    monkeypatch.setattr("crm_xl.shells.cli.main", lambda: seen.append(sys.getswitchinterval()))
    before = sys.getswitchinterval()
    try:
        monkeypatch.setattr(sys, "argv", ["crm-xl", "--version"])
        entry.main()
        monkeypatch.setattr(sys, "argv", ["crm-xl", "run", str(path), "--today", "2024-04-01"])
        entry.main()
    finally:
        sys.setswitchinterval(before)
        started = loader.adopt(path)
        if started is not None:
            started.close()
    assert seen == [before, QUICK]
