"""Time the stale job's core (crm_xl.core.followups.job.flag_stale) on a team-sized workload.

    python benchmarks/bench_followups.py                 # 10,000 customers, 100,000 follow-ups (in memory)
    python benchmarks/bench_followups.py 100000 1000000  # the max workbook's size
    python benchmarks/bench_followups.py benchmarks/data/team.xlsx   # a generated workbook (generate.py)

Times the core only (reading and saving the workbook are the Book's job), best of 3.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from crm_xl.book.memory import MemoryBook  # noqa: E402
from crm_xl.core.context import Context  # noqa: E402
from crm_xl.core.followups.job import flag_stale  # noqa: E402
from crm_xl.jobs import make_context  # noqa: E402


def workload(n_cust: int, n_fu: int, seed: int = 5) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = np.array([f"客户{i:06d}科技有限公司" for i in range(n_cust)], dtype=object)
    owners = np.array(["小王", "小李", "小张", "小陈", ""], dtype=object)
    status = rng.choice(["跟进中", "已成交", "已流失", "暂停", ""], n_cust, p=[0.55, 0.25, 0.12, 0.05, 0.03])
    first = [dt.date(2023, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 440, n_cust)]
    customers = pd.DataFrame({
        "customer": names, "contact": "张总", "phone": "13800000000", "owner": owners[rng.integers(0, 5, n_cust)],
        "status": status, "first_contact": first,
        "tier": rng.choice(np.array(["A", "B", "C", None], dtype=object), n_cust),
    })
    secs = rng.integers(0, 456 * 86400, n_fu)
    when = (np.datetime64("2023-01-01T00:00:00") + secs.astype("timedelta64[s]")).astype(object)
    dates = np.array(when, dtype=object)
    text = rng.random(n_fu) < 0.05  # some dates typed as text
    dates[text] = [d.strftime("%Y-%m-%d") for d in when[text]]
    nxt = np.array([None] * n_fu, dtype=object)
    plan = rng.random(n_fu) < 0.4
    nxt[plan] = [d.date() + dt.timedelta(days=int(k)) for d, k in zip(when[plan], rng.integers(1, 10, plan.sum()),
                                                                        strict=True)]
    followups = pd.DataFrame({
        "customer": names[rng.integers(0, n_cust, n_fu)], "date": dates,
        "method": rng.choice(["电话", "微信", "邮件", "拜访", "视频会议"], n_fu),
        "content": rng.choice(["介绍方案", "感谢合作", "季度满意度回访", "发送使用指南", "跟进合同"], n_fu),
        "feedback": rng.choice(["感兴趣", "考虑中", "价格偏高", None], n_fu),
        "next_action": rng.choice(["发方案", "约拜访", None], n_fu), "next_date": nxt, "owner": "小王",
    })
    won = customers.index[customers["status"] == "已成交"]
    conversions = pd.DataFrame({
        "customer": names[won],
        "date": [dt.date(2023, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 456, len(won))],
        "amount": "10万",
    })
    return {"customers": customers, "followups": followups, "conversions": conversions}


def context(args: list[str]) -> tuple[Context, str]:
    if args and args[0].endswith((".xlsx", ".xlsm")):
        from crm_xl.book.files import FileBook

        book = FileBook(args[0])
        ctx = make_context(book, "2024-04-01")
        return ctx, args[0]
    n_cust, n_fu = (int(a) for a in (args + ["10000", "100000"][len(args):])[:2])
    ctx = make_context(MemoryBook.from_frames(workload(n_cust, n_fu)), "2024-04-01")
    return ctx, f"{n_cust:,} customers / {n_fu:,} follow-ups"


def main() -> None:
    ctx, what = context(sys.argv[1:])
    best, cpu = float("inf"), float("inf")
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        result = flag_stale(ctx)
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    print(f"followups.flag_stale on {what}: {best:.3f} s wall, {cpu:.3f} s CPU (best of 3)")
    print(result.summary.headline)


if __name__ == "__main__":
    main()
