"""How many Excel round trips a button makes: each button (then Run all) on a generated workbook through
book/excel.py, with the xlwings test double (tests/book/xlfake.py) standing in for Excel and counting
every call. Round trips grow with the columns, styles and sheets written, not with rows: compare

    python benchmarks/bench_buttons.py --size small --per-button
    python benchmarks/bench_buttons.py --size team --per-button   # 10,000 customers, 100,000 follow-ups

The Python time printed is crm-xl's own work (reading the grids, the jobs, preparing the writes); in
real Excel each counted call adds its round trip (about 0.1-1 ms on Windows COM, several ms through
AppleScript on macOS) and Excel's own time to take in the values.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests" / "book"))

from generate import SIZES, generate  # noqa: E402
from xlfake import FakeBook  # noqa: E402

from crm_xl import jobs  # noqa: E402
from crm_xl.book.excel import ExcelBook  # noqa: E402
from crm_xl.book.files import FileBook  # noqa: E402
from crm_xl.shells import xl  # noqa: E402

BUTTONS = [("validate_rows", ("validate",)), ("recompute_tiers", ("tiers",)), ("flag_stale", ("stale",)),
           ("assess_health", ("health",)), ("build_review", ("review",)), ("run_all", jobs.RUN_ORDER)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="team")
    ap.add_argument("--per-button", action="store_true", help="round trips of each button on a fresh copy")
    args = ap.parse_args()
    path = ROOT / "data" / f"{args.size}.xlsx"
    if not path.exists():
        generate(args.size, path)
    with FileBook(path) as source:
        grids = {name: source.grid(name) for name in source.sheet_names()}
        tables = source.table_infos()
    if args.per_button:
        print(f"{args.size}: {sum(len(g) for g in grids.values()):,} rows; Excel round trips per button")
        for entry, jobs_run in BUTTONS:
            fake = FakeBook.from_grids(grids, tables)
            assert xl.run_buttons(jobs_run, ExcelBook(fake)) is not None, fake.app.alerts
            print(f"  {entry:16} {len(fake.calls):6,} calls, of which {fake.calls.writes:,} change the workbook")
        return
    fake = FakeBook.from_grids(grids, tables)
    book = ExcelBook(fake)
    t0 = time.perf_counter()
    summaries = xl.run_buttons(jobs.RUN_ORDER, book)
    elapsed = time.perf_counter() - t0
    assert summaries is not None, fake.app.alerts
    calls = collections.Counter(c[0] for c in fake.calls)
    writes = [c for c in fake.calls if c[0] == "range.value.set"]
    print(f"{args.size}: {sum(len(g) for g in grids.values()):,} rows read; Run all in {elapsed:.1f} s of Python")
    print(f"Excel calls: {len(fake.calls):,} in all, {calls['range.value.get']} bulk reads, {len(writes)} bulk writes")
    for name, count in calls.most_common(12):
        print(f"  {name:24} {count:6,}")
    for s in summaries:
        print(f"{s.job}: {s.headline}")


if __name__ == "__main__":
    main()
