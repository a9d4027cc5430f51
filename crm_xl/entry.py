"""The `crm-xl` command's first step, before the CLI and its libraries load: a job command starts reading
its workbook on a second core (`book.loader.start`), so the parse overlaps typer, rich and pandas
importing, and the process hands the GIL over to such helper threads within 1 ms (`book.handoff`). Anything
unexpected on the command line is left to the CLI, which starts the read itself."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import INTERRUPTED, NOTHING_WRITTEN

JOBS = {"run", "validate", "tiers", "stale", "health", "review"}
VALUED = {"--out", "-o", "--today", "--month"}  # options of the job commands that take a value


def workbook_arg(args: list[str]) -> str | None:
    """The workbook of a job command line (`crm-xl run FILE …`), or None."""
    if not args or args[0] not in JOBS:
        return None
    rest = iter(args[1:])
    for arg in rest:
        if arg in VALUED:
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Start reading the workbook of a job command ahead (when it passes the file checks), then run the CLI.
    Ctrl-C before the CLI has loaded prints its one line and exits 130 (cli.main handles it after)."""
    try:
        path = workbook_arg(sys.argv[1:])
        if path is not None and _acceptable(Path(path)):
            from .book import loader
            from .book.handoff import QUICK

            sys.setswitchinterval(QUICK)  # this process's helper threads get the GIL back at once (book/handoff.py)
            loader.start(path)
        from .cli import main as cli
    except KeyboardInterrupt:
        sys.stderr.write(NOTHING_WRITTEN + "\n")
        sys.stderr.flush()
        os._exit(INTERRUPTED)
    cli()


def _acceptable(path: Path) -> bool:
    """Whether the file passes the checks before reading (type, size bounds): a file that does not is never
    read ahead — the CLI reports it."""
    from .book.safety import check_readable
    from .errors import WorkbookFileError

    if not path.is_file():
        return False
    try:
        check_readable(path)
    except WorkbookFileError:
        return False
    return True
