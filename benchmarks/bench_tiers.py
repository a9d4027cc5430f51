"""Time crm_xl.core.tiers.job.recompute: 10,000 customers, 5,000 conversions, 20,000 tier-log rows.

Run: `python benchmarks/bench_tiers.py [customers] [conversions] [log rows]` (core only, best of 3,
plus a cold first run: parsing caches empty). Prints the time and the tier counts.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from crm_xl.book.memory import MemoryBook
from crm_xl.core.tiers.job import recompute
from crm_xl.jobs import make_context


def workload(n_cust: int, n_conv: int, n_log: int, seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = np.array([f"客户{i:05d}有限公司" for i in range(n_cust)], dtype=object)
    owners = np.array(["小王", "小李", "小张", "小陈"], dtype=object)
    status = rng.choice(["跟进中", "已成交", "已流失", "暂停", ""], n_cust, p=[0.5, 0.3, 0.12, 0.05, 0.03])
    close = [dt.date(2024, 3, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 200, n_cust)]
    close_cells = np.array(close, dtype=object)
    close_cells[rng.random(n_cust) < 0.3] = None
    text = rng.random(n_cust) < 0.1
    close_cells[text] = [f"{d:%Y/%m/%d}" if d else "下个月" for d in close_cells[text]]
    customers = pd.DataFrame({
        "customer": names, "contact": "张三", "owner": owners[rng.integers(0, 4, n_cust)], "status": status,
        "need_clarity": rng.choice(["明确", "初步", "潜在", "", "很想买"], n_cust, p=[.35, .3, .25, .08, .02]),
        "budget_status": rng.choice(["已审批", "明确", "不明确", ""], n_cust),
        "decision_chain": rng.choice(["短", "长", "未知", ""], n_cust),
        "expected_close": close_cells,
        "tags": rng.choice(["", "价格敏感", "竞品对比中，决策链长", "复购意向", "增购意向、价格敏感"], n_cust,
                           p=[.6, .15, .15, .05, .05]),
        "tier_override": rng.choice(["", "A", "B", "C"], n_cust, p=[.97, .01, .01, .01]),
    })
    won = np.flatnonzero(status == "已成交")
    conversions = pd.DataFrame({
        "customer": names[rng.choice(won, n_conv)],
        "date": [dt.date(2022, 10, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 540, n_conv)],
        "amount": [f"{a}万" for a in rng.integers(1, 200, n_conv)],
    })
    log_days = rng.integers(0, 450, n_log)
    tierlog = pd.DataFrame({
        "customer": names[rng.integers(0, n_cust, n_log)],
        "tier": rng.choice(["A", "B", "C"], n_log),
        "reason": "历史记录",
        "date": [(dt.date(2023, 1, 1) + dt.timedelta(days=int(d))).isoformat() for d in log_days],
        "owner": owners[rng.integers(0, 4, n_log)],
    })
    return {"customers": customers, "conversions": conversions, "tierlog": tierlog}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:4]] or [10_000, 5_000, 20_000]
    book = MemoryBook.from_frames(workload(*sizes))
    ctx = make_context(book, "2024-04-01")
    times, cpu = [], []
    for _ in range(4):
        t0, c0 = time.perf_counter(), time.process_time()
        result = recompute(ctx)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"tiers.recompute on {sizes[0]:,} customers, {sizes[1]:,} conversions, {sizes[2]:,} log rows: "
          f"cold {times[0]:.3f}s wall / {cpu[0]:.3f}s CPU, best of 3 warm {min(times[1:]):.3f}s wall / "
          f"{min(cpu[1:]):.3f}s CPU")
    print(result.summary.headline)


if __name__ == "__main__":
    main()
