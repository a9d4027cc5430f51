"""Where a run's CPU goes, by thread, and the shortest wall time that CPU allows on this machine.

    python benchmarks/budget.py benchmarks/data/team.xlsx --rounds 5
    python benchmarks/budget.py benchmarks/data/team.xlsx --next-day     # on the workbook as a run left it

A round measures, one after the other (interleaved), each in its own process started as every benchmark here
starts its children (session.py: its own session and autogroup, at nice −15 where allowed), on a fresh copy:

- (a) the floor: python-calamine reading every sheet;
- (c) `crm-xl run FILE --today 2024-04-01 --json`, started as the `crm-xl` command starts it.

For each: wall time around the process and its CPU (os.wait4: every thread, and the child interpreters it
waited for). For (c), a hook as the command exits also records the main thread's own CPU (`time.thread_time`)
and the CPU of the child interpreters (the well-formedness checks of large parts), so the CPU splits into:

- main thread: the Python of the run (imports, building frames, the jobs, making the XML) — it holds the GIL
  most of the time, so it cannot be spread over cores;
- other threads: calamine parsing and the cell scans, zlib, the pipes to the checks;
- child interpreters: the checks.

Two lower bounds on (c)'s wall time follow: the main thread's CPU (it runs on one core at a time), and all the
CPU over the machine's cores. Their maximum over (a) is the best ratio this much work can reach here, with
perfect overlap; the table prints it beside the measured ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from run import CALAMINE, DAY_BEFORE, TODAY  # noqa: E402  (the same floor and days as run.py)
from run import child as run_child  # noqa: E402
from session import raised  # noqa: E402

RUN = """
import json, os, resource, sys, time
def _report():
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.environ["CRM_XL_BUDGET"], "w") as fh:
        json.dump({"main": time.thread_time(), "children": kids.ru_utime + kids.ru_stime}, fh)
_exit = os._exit
def _leave(code):  # the CLI ends with os._exit (no atexit hooks): report first
    _report()
    _exit(code)
os._exit = _leave
sys.argv = ["crm-xl", *sys.argv[1:]]
from crm_xl.shells.entry import main
main()
"""


def child(argv: list[str], report: Path | None = None) -> dict[str, float]:
    """Wall s, CPU s (all threads and waited-for children) and peak MB of `python ARGV…` (run.py's child);
    with `report`, the main thread's and the child interpreters' CPU that the exit hook wrote there."""
    env = dict(os.environ, CRM_XL_BUDGET=str(report)) if report else None
    wall, peak, cpu, _ = run_child(argv, env=env)
    got = {"wall": wall, "cpu": cpu, "peak": peak}
    if report is not None:
        got.update(json.loads(report.read_text()))
        got["threads"] = got["cpu"] - got["main"] - got["children"]
    return got


def day_before(src: Path, tmp: Path) -> Path:
    """A copy of `src` as a run the day before left it."""
    path = tmp / f"next-day-{src.name}"
    shutil.copyfile(src, path)
    child(["-m", "crm_xl", "run", str(path), "--today", DAY_BEFORE, "--json"])
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--next-day", action="store_true", help="measure on the workbook as a run left it the "
                                                           "day before")
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"{args.file.name} · Python {platform.python_version()} · {cores} cores · children at autogroup nice "
          f"-15: {'yes' if raised() else 'no'}", flush=True)
    floor: list[dict[str, float]] = []
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        src = day_before(args.file, tmp) if args.next_day else args.file
        report = tmp / "budget.json"
        for n in range(args.rounds):
            work = tmp / src.name.replace("next-day-", "")
            shutil.copyfile(src, work)
            floor.append(child(["-c", CALAMINE, str(work)]))
            shutil.copyfile(src, work)
            runs.append(child(["-c", RUN, "run", str(work), "--today", TODAY, "--json"], report))
            a, c = floor[-1], runs[-1]
            print(f"  round {n + 1}: (a) {a['wall']:.2f} s  (c) {c['wall']:.2f} s = {c['wall'] / a['wall']:.2f}×; "
                  f"CPU main {c['main']:.2f}, other threads {c['threads']:.2f}, checks {c['children']:.2f}",
                  file=sys.stderr, flush=True)
    med = {k: median(r[k] for r in runs) for k in runs[0]}
    f_wall, f_cpu, f_peak = (median(r[k] for r in floor) for k in ("wall", "cpu", "peak"))
    ratios = [c["wall"] / a["wall"] for a, c in zip(floor, runs, strict=True)]
    bounds = [max(c["main"], c["cpu"] / cores) / a["wall"] for a, c in zip(floor, runs, strict=True)]
    print(f"(a) calamine read: {f_wall:.2f} s, CPU {f_cpu:.2f} s, {f_peak:.0f} MB")
    print(f"(c) crm-xl run:    {med['wall']:.2f} s = {median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}), "
          f"CPU {med['cpu']:.2f} s, {med['peak']:.0f} MB = {med['peak'] / f_peak:.2f}×")
    print(f"    CPU of (c): main thread {med['main']:.2f} s · other threads {med['threads']:.2f} s · "
          f"child interpreters (checks) {med['children']:.2f} s")
    print(f"    lower bound from that CPU on {cores} cores: max(main thread, all CPU / {cores}) = "
          f"{median(bounds):.2f}× the floor ({min(bounds):.2f}–{max(bounds):.2f})")


if __name__ == "__main__":
    main()
