"""The `crm-xl` entry point starts reading the workbook of a job command before the CLI loads."""

from __future__ import annotations

import sys
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


@pytest.mark.parametrize(("args", "want"), [
    (["merge", "team.xlsx", "a.xlsx", "b.xlsx", "--today", "2024-04-01"], ["a.xlsx", "b.xlsx"]),
    (["merge", "--lang", "en", "-o", "out.xlsx", "team.xlsx", "--skip-bad", "a.xlsx"], ["a.xlsx"]),
    (["merge", "team.xlsx"], []),
    (["run", "a.xlsx", "b.xlsx"], []),
])
def test_the_reps_of_a_merge_command_line(args: list[str], want: list[str]):
    assert entry.rep_args(args) == want


def test_the_entry_point_knows_the_merge_commands_valued_options():
    import typer.main

    from crm_xl.shells.cli import app

    command = typer.main.get_command(app).commands["merge"]  # type: ignore[attr-defined]
    valued = {opt for p in command.params if p.param_type_name == "option" and not p.is_flag for opt in p.opts}
    assert valued == entry.MERGE_VALUED


def test_reps_read_ahead_each_loader_waiting_for_its_file(tmp_path: Path):
    from crm_xl import runtime

    paths = [small_workbook(tmp_path / f"r{i}.xlsx") for i in range(3)]
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    before = sys.getswitchinterval()
    try:
        runtime.start_reading_all([paths[0], junk, *paths[1:]])  # a file that fails the checks is skipped
        assert sys.getswitchinterval() == before  # (the API's callers keep their switch interval)
    finally:
        sys.setswitchinterval(before)
    assert sorted(Path(key[0]).name for key in loader._early) == ["r0.xlsx", "r1.xlsx", "r2.xlsx"]
    started = dict(loader._early)
    single = small_workbook(tmp_path / "single.xlsx")
    loader.start(single)  # (as `crm-xl run` starts one)
    alone = next(v for k, v in loader._early.items() if k not in started)
    second = loader.adopt(paths[1])  # opening one file leaves the batch's loaders for their files, stops the other
    assert second is not None and len(loader._early) == 2 and alone._stop
    for path in (paths[0], paths[2]):
        got = loader.adopt(path)
        assert got is not None and got in started.values() and not got._stop
        got.close()
    second.close()
    assert loader._early == {}


def test_the_entry_point_starts_reading_a_merges_first_reps(tmp_path: Path, monkeypatch):
    from crm_xl import runtime

    reps = [small_workbook(tmp_path / f"rep{i}.xlsx") for i in range(3)]
    team = small_workbook(tmp_path / "team.xlsx")
    monkeypatch.setattr("crm_xl.shells.cli.main", lambda: None)
    monkeypatch.setattr(runtime, "AHEAD", 2)
    monkeypatch.setattr(sys, "argv", ["crm-xl", "merge", str(team), str(tmp_path / "missing.xlsx"), *map(str, reps)])
    before = sys.getswitchinterval()
    try:
        entry.main()
        assert sys.getswitchinterval() == runtime.QUICK
        assert sorted(Path(key[0]).name for key in loader._early) == ["rep0.xlsx", "rep1.xlsx"]  # not the team
    finally:
        sys.setswitchinterval(before)
        for key in list(loader._early):
            loader._early.pop(key).close()
