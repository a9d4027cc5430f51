"""Time and peak memory of a crm-xl run against the floor (python-calamine reading every sheet).

    python benchmarks/run.py --size team      # benchmarks/data/team.xlsx (generated when missing)
    python benchmarks/run.py --size max --skip openpyxl

Every measurement runs in its own process on a fresh copy of the same workbook; wall time is measured
around the process (interpreter start-up and imports included) and peak memory is the child's own
ru_maxrss (os.wait4). Ratios are to (a).
`run (phases)` runs the jobs in-process, started as the CLI starts them (reading ahead during the imports),
and reports where the time goes (import, the rest of the read, each job, save).
Everything is measured twice: on the generated workbook (first run: computed columns empty) and on the
same workbook as crm-xl left it the day before (the daily steady state).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
TODAY = "2024-04-01"
DAY_BEFORE = "2024-03-31"
JOBS = ("validate", "tiers", "stale", "health", "review")

CALAMINE = """
import sys, python_calamine as pc
wb = pc.CalamineWorkbook.from_path(sys.argv[1])
n = 0
for name in wb.sheet_names:
    n += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
print(n)
"""
OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[1])
"""
PHASES = """
import json, sys, time
t0 = time.perf_counter()
from crm_xl.book import loader
loader.start(sys.argv[1])  # as the CLI does: the big sheets parse on a second core during the imports
from crm_xl.book.files import FileBook
from crm_xl.jobs import RUN_ORDER, run_job
t1 = time.perf_counter()
marks = {"import": t1 - t0}
t = time.perf_counter()
book = FileBook(sys.argv[1])
book.frames(); book.settings()
marks["read"] = time.perf_counter() - t
for job in RUN_ORDER:
    t = time.perf_counter()
    run_job(book, job, today=sys.argv[2])
    marks[job] = time.perf_counter() - t
t = time.perf_counter()
book.save()
marks["save"] = time.perf_counter() - t
book.close()
print(json.dumps(marks))
"""


def child(argv: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of `python ARGV…` in a child process (its own ru_maxrss)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *argv], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in (0, 1):  # 1: the job found errors in the workbook
            raise RuntimeError(f"{argv[:2]} failed ({proc.returncode}):\n{err.read().decode(errors='replace')[-3000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode(errors="replace")


def fresh(src: Path, tmp: Path) -> Path:
    dst = tmp / src.name
    shutil.copyfile(src, dst)
    return dst


def measure(path: Path, tmp: Path, skip: list[str], openpyxl: bool) -> tuple[list[tuple[str, float, float]],
                                                                            dict[str, float] | None]:
    """Every measurement on fresh copies of `path`."""
    rows: list[tuple[str, float, float]] = []

    def add(label: str, argv: list[str]) -> str:
        s, rss, out = child(argv)
        rows.append((label, s, rss))
        print(f"  {label:<28} {s:8.2f} s {rss:8.0f} MB", file=sys.stderr, flush=True)
        return out

    add("(a) calamine read, all sheets", ["-c", CALAMINE, str(fresh(path, tmp))])
    if openpyxl and "openpyxl" not in skip:
        add("(b) openpyxl load + save", ["-c", OPENPYXL, str(fresh(path, tmp))])
    add("crm-xl --version (start-up)", ["-m", "crm_xl", "--version"])
    add("(c) crm-xl run", ["-m", "crm_xl", "run", str(fresh(path, tmp)), "--today", TODAY, "--json"])
    if "jobs" not in skip:
        for job in JOBS:
            add(f"    crm-xl {job}", ["-m", "crm_xl", job, str(fresh(path, tmp)), "--today", TODAY, "--json"])
    phases = None
    if "phases" not in skip:
        out = add("    run, in-process phases", ["-c", PHASES, str(fresh(path, tmp)), TODAY])
        phases = json.loads(out.strip().splitlines()[-1])
    return rows, phases


def report(title: str, path: Path, rows: list[tuple[str, float, float]], phases: dict[str, float] | None) -> None:
    floor_s, floor_rss = rows[0][1], rows[0][2]
    print(f"\n{title}: {path.name} ({path.stat().st_size / 1e6:.1f} MB) · {platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"{'measurement':<30} {'time':>9} {'× (a)':>7} {'peak RSS':>10} {'× (a)':>7}")
    for label, s, rss in rows:
        print(f"{label:<30} {s:8.2f}s {s / floor_s:6.2f}× {rss:8.0f}MB {rss / floor_rss:6.2f}×")
    if phases:
        print("run_all in one process (seconds): " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="team", help="team | max | small (benchmarks/data/SIZE.xlsx)")
    ap.add_argument("--file", type=Path, help="measure this workbook instead")
    ap.add_argument("--skip", nargs="*", default=[], help="what to skip: openpyxl, jobs, phases, next-day")
    args = ap.parse_args()
    # as installed: crm-xl's bytecode compiled (pip does this; PYTHONDONTWRITEBYTECODE would otherwise make
    # every measured process compile the package from source)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT.parent / "crm_xl")], check=True)
    path = args.file or DATA / f"{args.size}.xlsx"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "generate.py"), "--size", args.size], check=True)
    with tempfile.TemporaryDirectory(prefix="crm-xl-bench-") as tmp_name:
        tmp = Path(tmp_name)
        first = measure(path, tmp, args.skip, openpyxl=True)
        report("First run (computed columns empty, as in the template)", path, *first)
        if "next-day" not in args.skip:
            # the workbook as crm-xl left it the day before: computed columns and generated sheets filled
            day_before = tmp / "steady" / path.name
            day_before.parent.mkdir()
            shutil.copyfile(path, day_before)
            subprocess.run([sys.executable, "-m", "crm_xl", "run", str(day_before), "--today", DAY_BEFORE,
                            "--json"], capture_output=True, check=False)
            steady = measure(day_before, tmp, args.skip, openpyxl=False)
            report("Next-day run (the workbook as crm-xl left it on " + DAY_BEFORE + ")", day_before, *steady)


if __name__ == "__main__":
    main()
