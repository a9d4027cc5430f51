"""The `crm-xl` command's first step, before the CLI and its libraries load: a job command starts reading
its workbook on a second core (`runtime.start_reading`; `merge`, its first reps' workbooks:
`runtime.start_reading_all`), so the parse overlaps typer, rich and pandas importing, and the process hands
the GIL over to such helper threads within 1 ms (`runtime.quick`). Anything
unexpected on the command line is left to the CLI, which starts the read itself."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..model.errors import INTERRUPTED, NOTHING_WRITTEN

JOBS = {"run", "validate", "tiers", "stale", "health", "review"}
VALUED = {"--out", "-o", "--today", "--month"}  # options of the job commands that take a value
MERGE_VALUED = {"--out", "-o", "--today", "--lang"}  # options of `merge` that take a value


def _positional(args: list[str], valued: set[str]) -> list[str]:
    """The positional arguments of a command line (`args` without the command), skipping options and the
    values of those in `valued`."""
    out = []
    rest = iter(args)
    for arg in rest:
        if arg in valued:
            next(rest, None)
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def workbook_arg(args: list[str]) -> str | None:
    """The workbook of a job command line (`crm-xl run FILE …`), or None."""
    if not args or args[0] not in JOBS:
        return None
    return next(iter(_positional(args[1:], VALUED)), None)


def rep_args(args: list[str]) -> list[str]:
    """The reps' workbooks of a merge command line (`crm-xl merge TEAM REP …`), or []."""
    if not args or args[0] != "merge":
        return []
    return _positional(args[1:], MERGE_VALUED)[1:]


def main() -> None:
    """Start reading the workbook of a job command ahead (when it passes the file checks), then run the CLI.
    Ctrl-C before the CLI has loaded prints its one line and exits 130 (cli.main handles it after)."""
    try:
        path = workbook_arg(sys.argv[1:])
        if path is not None and Path(path).is_file():
            _read_ahead(Path(path))
        elif reps := [Path(p) for p in rep_args(sys.argv[1:]) if Path(p).is_file()]:
            from ..runtime import AHEAD, start_reading_all

            start_reading_all(reps[:AHEAD], hand_off=True)
        from .cli import main as cli
    except KeyboardInterrupt:
        sys.stderr.write(NOTHING_WRITTEN + "\n")
        sys.stderr.flush()
        os._exit(INTERRUPTED)
    cli()


def _read_ahead(path: Path) -> None:
    """Start reading the workbook ahead, the GIL handed over quickly to the reading threads from now on
    (runtime.py); a file that fails the checks is never read ahead — the CLI reports it."""
    from ..model.errors import WorkbookFileError
    from ..runtime import start_reading

    try:
        start_reading(path, hand_off=True)
    except WorkbookFileError:
        pass
