"""CPU seconds of each job's core in one `crm-xl run`, on a workbook read once (the Book's read and save
are not counted): validate → tiers → stale → health → review, each result applied before the next job.

    python benchmarks/core_cpu.py benchmarks/data/team.xlsx                 # 5 processes: median (range)
    python benchmarks/core_cpu.py team.xlsx --rounds 9 --against /tmp/old   # A/B: another source tree too

Each round is a fresh process (a first run: no cache warm) in its own session with raised priority
(session.py). CPU time (time.process_time), not wall time; the median of the rounds and their range.
`--against DIR` runs the same rounds interleaved (the order alternating) with DIR (a tree holding a
`crm_xl` package) first on the path, and prints both and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from statistics import median

from session import popen, raised

ROOT = Path(__file__).resolve().parent.parent
JOBS = ("validate", "tiers", "stale", "health", "review")

_CHILD = """
import json, sys, time
from crm_xl.book.files import FileBook
from crm_xl.jobs import RUN_ORDER, core_function, make_context
from crm_xl.runtime import without_gc
book = FileBook(sys.argv[1]); book.frames(); book.settings()
out = {}
for job in RUN_ORDER:
    core = core_function(job)
    ctx = make_context(book, sys.argv[2], None, with_history=job == "review")
    start = time.process_time()
    result = without_gc(core)(ctx)
    out[job] = time.process_time() - start
    without_gc(book.apply)(result)
print(json.dumps(out))
"""


def one_round(workbook: str, today: str, tree: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = tree + os.pathsep + env.get("PYTHONPATH", "")
    proc = popen([sys.executable, "-c", _CHILD, workbook, today], stdout=-1, stderr=-1, env=env, cwd=tree or ROOT)
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(err.decode(errors="replace")[-3000:])
    return json.loads(out.decode().strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workbook")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--today", default="2024-04-01")
    ap.add_argument("--against", help="another source tree to compare with (its crm_xl first on the path)")
    args = ap.parse_args()
    workbook = str(Path(args.workbook).resolve())
    trees = {"this": None, **({"against": str(Path(args.against).resolve())} if args.against else {})}
    got: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for r in range(args.rounds):
        for name, tree in (list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]):
            got[name].append(one_round(workbook, args.today, tree))
    print(f"{args.rounds} rounds, CPU seconds, median (range); priority raised: {raised()}")
    print(f"{'job':10s}" + "".join(f"{name:>24s}" for name in trees) + ("   this/against" if args.against else ""))
    for job in (*JOBS, "total"):
        cells, mids = [], []
        for rounds in got.values():
            xs = [sum(x.values()) if job == "total" else x[job] for x in rounds]
            mids.append(median(xs))
            cells.append(f"{median(xs):.3f} ({min(xs):.3f}–{max(xs):.3f})")
        ratio = f"{mids[0] / mids[1]:14.3f}" if args.against else ""
        print(f"{job:10s}" + "".join(f"{c:>24s}" for c in cells) + ratio)


if __name__ == "__main__":
    main()
