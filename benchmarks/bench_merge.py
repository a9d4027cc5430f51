"""Time `crm-xl merge` of many reps' workbooks against the floor: python-calamine reading them all.

    python benchmarks/bench_merge.py                        # 20 reps' workbooks of 5,000 rows, 5 rounds
    python benchmarks/bench_merge.py --reps 20 --rows 5000 --rounds 7

Each rep's workbook is a generated one (generate.py, its own seed, so some customers are in two of them: 撞单)
with `--rows` data rows over the four sheets: 20 % customers, 60 % follow-ups, 14 % tier log, 6 % conversions.
A round measures, one after the other, each in its own process started as every benchmark here starts its
children (session.py: its own session, so its own scheduler autogroup, at nice −15 where allowed), its wall
time around the process (start-up and imports included), peak RSS and CPU:

- (a) the floor: python-calamine reading every sheet of every rep's workbook;
- (b) `crm-xl merge team.xlsx rep01.xlsx … --today 2024-04-01` into a team workbook that does not exist yet
  (built from the template, every row appended, then validated and followed up, one save);
- (c) the same merge again into (b)'s result (every rep's rows replaced in place: the steady state).

The rounds are interleaved (a, b, c, a, b, c …) and the table gives medians; the ratio is each round's (b)
or (c) over the same round's (a), median and range. Then `--phases N` in-process merges (median of N) say
where (b)'s time goes: import, reading the reps, recording their rows, validate, stale, save. The goal: (b)
under 2× (a).
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

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

import generate  # noqa: E402
from session import popen, raised  # noqa: E402

TODAY = "2024-04-01"
SHARES = {"customers": 0.20, "followups": 0.60, "tierlog": 0.14, "conversions": 0.06}
CALAMINE = """
import sys, python_calamine as pc
n = 0
for path in sys.argv[1:]:
    wb = pc.CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        n += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
print(n)
"""


PHASES = """
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
import crm_xl.merging as m
from crm_xl.jobs import run_job
marks = {"import": time.perf_counter() - t0}
t = time.perf_counter()
reps = m.read_reps([Path(p) for p in sys.argv[2:]])
marks["read the reps"] = time.perf_counter() - t
with tempfile.TemporaryDirectory() as tmp:
    with m._TeamBook(Path(tmp) / "team.xlsx", None, reps[0].lang, False) as (book, target):
        t = time.perf_counter()
        m._place(book, reps)
        marks["record their rows"] = time.perf_counter() - t
        for job in ("validate", "stale"):
            t = time.perf_counter()
            run_job(book, job, today=sys.argv[1])
            marks[job] = time.perf_counter() - t
        t = time.perf_counter()
        book.save(target)
        marks["save"] = time.perf_counter() - t
print(json.dumps(marks))
"""


def reps(folder: Path, count: int, rows: int) -> list[Path]:
    """`count` generated reps' workbooks of `rows` data rows (made once per size, kept in `folder`)."""
    sizes = {k: max(1, int(rows * share)) for k, share in SHARES.items()}
    sizes["customers"] += rows - sum(sizes.values())
    generate.SIZES["rep"] = sizes
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(1, count + 1):
        path = folder / f"rep{i:02d}-{rows}.xlsx"
        if not path.exists():
            generate.generate("rep", path, seed=1000 + i)
        out.append(path)
    return out


def child(argv: list[str]) -> tuple[float, float, float]:
    """(wall s, peak RSS MB, CPU s) of `python ARGV…`, started as every benchmark here starts its children
    (session.py: its own session and autogroup, at nice −15 where allowed)."""
    t = time.perf_counter()
    proc = popen([sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code not in (0, 1):
        raise RuntimeError(f"{argv[:3]} failed ({code}): {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--rows", type=int, default=5000, help="data rows per rep's workbook (all four sheets)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--phases", type=int, default=3, help="in-process merges timed by phase (0: none)")
    args = ap.parse_args()
    files = [str(p) for p in reps(ROOT / "data" / "reps", args.reps, args.rows)]
    mb = sum(Path(p).stat().st_size for p in files) / 1e6
    print(f"{args.reps} reps' workbooks of {args.rows:,} rows ({mb:.1f} MB); {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; children at autogroup nice -15: {'yes' if raised() else 'no'}", flush=True)
    labels = ["(a) calamine read, all files", "(b) crm-xl merge, new team", "(c) crm-xl merge again"]
    samples: dict[str, list[tuple[float, float, float]]] = {k: [] for k in labels}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            team = Path(tmp) / "team.xlsx"
            team.unlink(missing_ok=True)
            plan = [["-c", CALAMINE, *files],
                    ["-m", "crm_xl", "merge", str(team), *files, "--today", TODAY, "--json"],
                    ["-m", "crm_xl", "merge", str(team), *files, "--today", TODAY, "--json"]]
            for label, argv in zip(labels, plan, strict=True):
                got = child(argv)
                samples[label].append(got)
                print(f"  {label:<30} {got[0]:7.2f} s {got[1]:7.0f} MB {got[2]:7.2f} s CPU  (round {n + 1})",
                      file=sys.stderr, flush=True)
            shutil.copyfile(team, Path(tmp) / "last-team.xlsx")
    floor = [s[0] for s in samples[labels[0]]]
    print(f"{'':<30} {'wall':>8} {'ratio to (a)':>22} {'peak':>8} {'CPU':>8}")
    for label in labels:
        got = samples[label]
        ratios = [s[0] / f for s, f in zip(got, floor, strict=True)]
        ratio = f"{median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})" if label != labels[0] else ""
        print(f"{label:<30} {median(s[0] for s in got):7.2f}s {ratio:>22} {median(s[1] for s in got):6.0f}MB "
              f"{median(s[2] for s in got):7.2f}s")
    runs = []
    for _ in range(args.phases):
        proc = popen([sys.executable, "-c", PHASES, TODAY, *files], stdout=subprocess.PIPE, cwd=ROOT.parent)
        runs.append(json.loads(proc.communicate()[0].decode().splitlines()[-1]))
    if runs:
        print(f"(b) in-process, by phase (median of {len(runs)}): "
              + ", ".join(f"{k} {median(r[k] for r in runs):.2f} s" for k in runs[0]))


if __name__ == "__main__":
    main()
