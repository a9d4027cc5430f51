"""Whole `crm-xl run`s of this source tree against another one, interleaved: an A/B comparison of two
versions on a machine whose speed drifts.

    python benchmarks/ab.py benchmarks/data/team.xlsx --against /tmp/old            # 7 rounds
    python benchmarks/ab.py team.xlsx --against /tmp/old --rounds 9 --today 2024-03-31

Each round runs `python -m crm_xl run COPY --today … --json` once per tree (the order alternating), each
on a fresh copy of the workbook, each process in its own session with raised priority (session.py), with
the tree (a folder holding a `crm_xl` package) first on the path. Per tree: wall time around the process,
CPU (user + system over all its threads and the processes it waited for) and peak RSS (`os.wait4`) —
medians and ranges; then this tree's over the other's, per round (median and range of the ratios).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from run import child
from session import raised

ROOT = Path(__file__).resolve().parent.parent
Sample = tuple[float, float, float]  # wall seconds, CPU seconds, peak RSS MB


def one_run(workbook: Path, tmp: Path, tree: Path, today: str) -> Sample:
    copy = tmp / workbook.name
    shutil.copyfile(workbook, copy)
    wall, peak, cpu, _ = child(["-m", "crm_xl", "run", str(copy), "--today", today, "--json"],
                               env=dict(os.environ, PYTHONPATH=str(tree)), cwd=tree)
    return wall, cpu, peak


def _spread(xs: list[float], fmt: str) -> str:
    return f"{fmt % median(xs)} ({fmt % min(xs)}–{fmt % max(xs)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workbook", type=Path)
    ap.add_argument("--against", type=Path, required=True, help="the other source tree (its crm_xl first on the path)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--today", default="2024-04-01")
    args = ap.parse_args()
    trees = {"this": ROOT, "against": args.against.resolve()}
    for tree in trees.values():  # as installed: bytecode compiled
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "crm_xl")], check=True)
    got: dict[str, list[Sample]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="crm-xl-ab-") as tmp:
        for r in range(args.rounds):
            for name, tree in (list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]):
                got[name].append(one_run(args.workbook.resolve(), Path(tmp), tree, args.today))
                print(f"  round {r + 1} {name:8s} {got[name][-1][0]:6.2f} s {got[name][-1][1]:6.2f} s CPU "
                      f"{got[name][-1][2]:5.0f} MB", file=sys.stderr, flush=True)
    print(f"{args.workbook.name}: {args.rounds} interleaved rounds; priority raised: {raised()}")
    print(f"{'':8s} {'wall s':>20s} {'CPU s':>20s} {'peak RSS MB':>20s}")
    for name in trees:
        wall, cpu, rss = (list(x) for x in zip(*got[name], strict=True))
        print(f"{name:8s} {_spread(wall, '%.2f'):>20s} {_spread(cpu, '%.2f'):>20s} {_spread(rss, '%.0f'):>20s}")
    ratios = [[a[k] / b[k] for a, b in zip(got["this"], got["against"], strict=True)] for k in range(3)]
    print(f"{'ratio':8s} " + " ".join(f"{_spread(x, '%.3f'):>20s}" for x in ratios) + "   (this / against, per round)")


if __name__ == "__main__":
    main()
