"""Progress on long work: `crm-xl merge`, `split` and `run` tell each step on a terminal as it starts and
when it is done (a spinner, then `step: done in 1.23 s`); the API hears the same steps through `progress`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import crm_xl
from crm_xl.shells import cli
from tests.test_merge_e2e import reps

TODAY = "2024-03-15"


def _heard() -> tuple[list[tuple[str, str]], crm_xl.jobs.Progress]:
    heard: list[tuple[str, str]] = []
    return heard, lambda step, state: heard.append((step, state))


def _paired(heard: list[tuple[str, str]]) -> list[str]:
    """The steps, each started then done before the next starts."""
    assert [state for _, state in heard] == ["start", "done"] * (len(heard) // 2)
    assert heard[0::2] == [(step, "start") for step, _ in heard[1::2]]
    return [step for step, _ in heard[0::2]]


def test_merge_tells_each_step(tmp_path: Path) -> None:
    heard, progress = _heard()
    crm_xl.merge(tmp_path / "team.xlsx", reps(tmp_path), today=TODAY, progress=progress)
    assert _paired(heard) == ["read 3 files", "merge", "validate", "stale", "save"]


def test_split_tells_the_read_and_each_workbook_written(tmp_path: Path) -> None:
    team = tmp_path / "team.xlsx"
    crm_xl.merge(team, reps(tmp_path), today=TODAY)
    heard, progress = _heard()
    crm_xl.split(team, tmp_path / "out", today=TODAY, progress=progress)
    assert _paired(heard) == ["read", "write Ann.xlsx", "write 小李.xlsx", "write 小王.xlsx"]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The CLI's stderr as a terminal, written into the returned buffer."""
    buf = io.StringIO()
    monkeypatch.setattr(cli, "err_console", Console(file=buf, force_terminal=True, width=100))
    return buf


@pytest.mark.parametrize("command", ["merge", "split", "run"])
def test_the_cli_shows_each_step_on_a_terminal_and_nothing_with_json(command: str, tmp_path: Path,
                                                                      terminal: io.StringIO) -> None:
    team = tmp_path / "team.xlsx"
    args = {"merge": ["merge", str(team), *map(str, reps(tmp_path))],
            "split": ["split", str(team), "--into", str(tmp_path / "out")],
            "run": ["run", str(team)]}[command]
    if command != "merge":
        crm_xl.merge(team, reps(tmp_path), today=TODAY)
    result = CliRunner().invoke(cli.app, [*args, "--today", TODAY])
    assert result.exit_code == 0, result.output
    last = {"merge": "save", "split": "write 小王.xlsx", "run": "save"}[command]
    assert f"{last}: done in " in terminal.getvalue()
    terminal.truncate(0)
    if command == "split":
        args.append("--force")
    result = CliRunner().invoke(cli.app, [*args, "--today", TODAY, "--json"])
    assert result.exit_code == 0, result.output
    assert "done in" not in terminal.getvalue()


def test_an_error_is_told_once_the_display_is_closed(tmp_path: Path, terminal: io.StringIO) -> None:
    result = CliRunner().invoke(cli.app, ["merge", str(tmp_path / "team.xlsx"), str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 2
    assert "missing.xlsx" in terminal.getvalue()
    assert "nothing was written" in terminal.getvalue()
