"""Time crm_xl.core.health.job on a generated workbook: 10,000 customers, 5,000 conversions, 100,000 follow-ups.

Run: `python benchmarks/bench_health.py [customers] [conversions] [followups]`.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from crm_xl.book.memory import MemoryBook
from crm_xl.core.health.job import assess
from crm_xl.jobs import make_context


def workload(n_cust: int, n_conv: int, n_fu: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = [f"客户{i:05d}有限公司" for i in range(n_cust)]
    owners = np.array(["小王", "小李", "小张", "小陈"])
    status = rng.choice(["跟进中", "已成交", "已流失", "暂停"], n_cust, p=[0.5, 0.3, 0.15, 0.05])
    tags = rng.choice(["", "价格敏感", "竞品对比中", "决策链长", "复购意向"], n_cust)
    nps = rng.integers(-100, 101, n_cust).astype(object)
    nps[rng.random(n_cust) < 0.3] = None
    customers = pd.DataFrame({"customer": names, "contact": "张三", "owner": owners[rng.integers(0, 4, n_cust)],
                              "status": status, "tags": tags, "nps": nps})
    won = np.flatnonzero(status == "已成交")
    base = dt.datetime(2022, 4, 1)
    conv_days = rng.integers(0, 730, n_conv)
    conversions = pd.DataFrame({
        "customer": [names[i] for i in rng.choice(won, n_conv)],
        "date": [base + dt.timedelta(days=int(d)) for d in conv_days],
        "amount": [f"{a}万" for a in rng.integers(5, 120, n_conv)],
    })
    fu_secs = rng.integers(0, 365 * 86400, n_fu)
    followups = pd.DataFrame({
        "customer": [names[i] for i in rng.integers(0, n_cust, n_fu)],
        "date": [dt.datetime(2023, 4, 1) + dt.timedelta(seconds=int(s)) for s in fu_secs],
        "method": rng.choice(["电话", "微信", "邮件", "拜访"], n_fu),
        "content": rng.choice(["介绍方案", "季度满意度回访", "跟进合同", "客户投诉响应慢"], n_fu, p=[.6, .1, .25, .05]),
        "owner": owners[rng.integers(0, 4, n_fu)],
    })
    return {"customers": customers, "conversions": conversions, "followups": followups}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:4]] or [10_000, 5_000, 100_000]
    book = MemoryBook.from_frames(workload(*sizes))
    ctx = make_context(book, "2024-04-01")
    best, cpu = float("inf"), float("inf")
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        result = assess(ctx)
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    print(f"health.assess on {sizes[0]:,} customers / {sizes[1]:,} conversions / {sizes[2]:,} follow-ups: "
          f"{best:.3f} s wall, {cpu:.3f} s CPU (best of 5)")
    print(result.summary.headline)


if __name__ == "__main__":
    main()
