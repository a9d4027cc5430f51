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
from statistics import median

from session import popen

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
from crm_xl.book.xlsx import loader
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


def child(argv: list[str], env: dict[str, str] | None = None,
          cwd: Path | None = None) -> tuple[float, float, float, str]:
    """(wall seconds, peak RSS in MB, CPU seconds, stdout) of `python ARGV…` in a child process (its own
    ru_maxrss; CPU is user + system time over all its threads)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = popen([sys.executable, *argv], stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in (0, 1):  # 1: the job found errors in the workbook
            raise RuntimeError(f"{argv[:2]} failed ({proc.returncode}):\n{err.read().decode(errors='replace')[-3000:]}")
        return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out.read().decode(errors="replace")


def fresh(src: Path, tmp: Path) -> Path:
    dst = tmp / src.name
    shutil.copyfile(src, dst)
    return dst


FILE = "{file}"  # stands for a fresh copy of the workbook in a command line
Sample = tuple[float, float, float]  # wall seconds, peak RSS MB, CPU seconds
Rows = list[tuple[str, list[Sample]]]


def measure(path: Path, tmp: Path, skip: list[str], openpyxl: bool, repeat: int) -> tuple[Rows,
                                                                                       dict[str, float] | None]:
    """Every measurement on fresh copies of `path`, `repeat` rounds one after the other (each round
    measures the floor again, so a ratio compares runs made minutes apart at most)."""
    plan = [("(a) calamine read, all sheets", ["-c", CALAMINE, FILE])]  # FILE: a fresh copy of the workbook
    if openpyxl and "openpyxl" not in skip:
        plan.append(("(b) openpyxl load + save", ["-c", OPENPYXL, FILE]))
    plan.append(("crm-xl --version (start-up)", ["-m", "crm_xl", "--version"]))
    plan.append(("(c) crm-xl run", ["-m", "crm_xl", "run", FILE, "--today", TODAY, "--json"]))
    if "jobs" not in skip:
        plan += [(f"    crm-xl {job}", ["-m", "crm_xl", job, FILE, "--today", TODAY, "--json"]) for job in JOBS]
    if "phases" not in skip:
        plan.append(("    run, in-process phases", ["-c", PHASES, FILE, TODAY]))
    rows: Rows = [(label, []) for label, _ in plan]
    phases = None
    for n in range(repeat):
        for (label, template), (_, samples) in zip(plan, rows, strict=True):
            argv = [str(fresh(path, tmp)) if a is FILE else a for a in template]
            s, rss, cpu, out = child(argv)
            samples.append((s, rss, cpu))
            print(f"  {label:<28} {s:8.2f} s {rss:8.0f} MB {cpu:8.2f} s CPU" + (f"  (round {n + 1})" if repeat > 1
                                                                                  else ""), file=sys.stderr, flush=True)
            if label.endswith("in-process phases"):
                phases = json.loads(out.strip().splitlines()[-1])
    return rows, phases


def report(title: str, path: Path, rows: Rows, phases: dict[str, float] | None) -> None:
    """Medians over the rounds; ratios are each round's run over the same round's floor (median, and the
    range when there were several rounds)."""
    floor = rows[0][1]
    print(f"\n{title}: {path.name} ({path.stat().st_size / 1e6:.1f} MB) · {platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · {len(floor)} round(s)")
    print(f"{'measurement':<30} {'time':>9} {'× (a)':>16} {'peak RSS':>10} {'× (a)':>16} {'CPU':>8}")
    for label, samples in rows:
        t = [x[0] / f[0] for x, f in zip(samples, floor, strict=True)]
        m = [x[1] / f[1] for x, f in zip(samples, floor, strict=True)]
        print(f"{label:<30} {median(x[0] for x in samples):8.2f}s {_ratio(t):>16} "
              f"{median(x[1] for x in samples):8.0f}MB {_ratio(m):>16} {median(x[2] for x in samples):7.2f}s")
    if phases:
        print("run_all in one process (seconds, last round): " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()))


def _ratio(values: list[float]) -> str:
    mid = f"{median(values):.2f}×"
    return mid if len(values) == 1 else f"{mid} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="team", help="team | max | small (benchmarks/data/SIZE.xlsx)")
    ap.add_argument("--file", type=Path, help="measure this workbook instead")
    ap.add_argument("--skip", nargs="*", default=[], help="what to skip: openpyxl, jobs, phases, next-day")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every measurement (medians are reported)")
    args = ap.parse_args()
    # as installed: crm-xl's bytecode compiled (pip does this; PYTHONDONTWRITEBYTECODE would otherwise make
    # every measured process compile the package from source)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT.parent / "crm_xl")], check=True)
    path = args.file or DATA / f"{args.size}.xlsx"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "generate.py"), "--size", args.size], check=True)
    with tempfile.TemporaryDirectory(prefix="crm-xl-bench-") as tmp_name:
        tmp = Path(tmp_name)
        first = measure(path, tmp, args.skip, openpyxl=True, repeat=args.repeat)
        report("First run (computed columns empty, as in the template)", path, *first)
        if "next-day" not in args.skip:
            # the workbook as crm-xl left it the day before: computed columns and generated sheets filled
            day_before = tmp / "steady" / path.name
            day_before.parent.mkdir()
            shutil.copyfile(path, day_before)
            subprocess.run([sys.executable, "-m", "crm_xl", "run", str(day_before), "--today", DAY_BEFORE,
                            "--json"], capture_output=True, check=False)
            steady = measure(day_before, tmp, args.skip, openpyxl=False, repeat=args.repeat)
            report("Next-day run (the workbook as crm-xl left it on " + DAY_BEFORE + ")", day_before, *steady)


if __name__ == "__main__":
    main()
