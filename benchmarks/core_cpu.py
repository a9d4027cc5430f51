"""CPU seconds of each job's core in one `crm-xl run`, on a workbook read once (the Book's read and save
are not counted): validate → tiers → stale → health → review, each result applied before the next job.

    python benchmarks/core_cpu.py benchmarks/data/team.xlsx                 # 5 processes, best of each job
    python benchmarks/core_cpu.py team.xlsx --rounds 8 --against /tmp/old   # A/B: another source tree too

Each round is a fresh process (a first run: no cache warm). CPU time (time.process_time), not wall time,
and the best of the rounds: the machine may be shared. `--against DIR` runs the same rounds, interleaved,
with DIR (a tree holding a `crm_xl` package) first on the path, and prints both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

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
    done = subprocess.run([sys.executable, "-c", _CHILD, workbook, today], capture_output=True, text=True,
                          env=env, cwd=tree or ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workbook")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--today", default="2024-04-01")
    ap.add_argument("--against", help="another source tree to compare with (its crm_xl first on the path)")
    args = ap.parse_args()
    workbook = str(Path(args.workbook).resolve())
    trees = {"this": None, **({"against": str(Path(args.against).resolve())} if args.against else {})}
    best = {name: dict.fromkeys(JOBS, float("inf")) for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            for job, seconds in one_round(workbook, args.today, tree).items():
                best[name][job] = min(best[name][job], seconds)
    print(f"{'job':10s}" + "".join(f"{name:>10s}" for name in trees))
    for job in (*JOBS, "total"):
        row = [sum(b.values()) if job == "total" else b[job] for b in best.values()]
        print(f"{job:10s}" + "".join(f"{v:10.3f}" for v in row))


if __name__ == "__main__":
    main()
