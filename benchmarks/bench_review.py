"""Time the review job's core (crm_xl.core.review.job.build) on a team-sized workload.

    python benchmarks/bench_review.py                   # 10,000 customers, 100,000 follow-ups (in memory)
    python benchmarks/bench_review.py 100000 1000000    # the max workbook's size
    python benchmarks/bench_review.py benchmarks/data/team.xlsx   # a generated workbook (generate.py)

Times the core only (reading and saving are the Book's job), best of 3; reviews 2024-03 (today 2024-04-01).
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
from crm_xl.core.review.job import build  # noqa: E402
from crm_xl.jobs import make_context  # noqa: E402

START = dt.date(2023, 1, 1)


def _days(rng: np.random.Generator, n: int, span: int = 456) -> list[dt.date]:
    return [START + dt.timedelta(days=int(d)) for d in rng.integers(0, span, n)]


def workload(n_cust: int, n_fu: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Customers, follow-ups, conversions (5 % of follow-ups) and a tier log (20 %), 2023-01 … 2024-03."""
    rng = np.random.default_rng(seed)
    names = np.array([f"客户{i:06d}科技有限公司" for i in range(n_cust)], dtype=object)
    owners = np.array(["小王", "小李", "小张", "小陈"], dtype=object)
    status = rng.choice(["跟进中", "已成交", "已流失", "暂停"], n_cust, p=[0.55, 0.25, 0.15, 0.05])
    lost = status == "已流失"
    lost_on = np.array([None] * n_cust, dtype=object)
    lost_on[lost] = _days(rng, int(lost.sum()))
    customers = pd.DataFrame({
        "customer": names, "contact": "张总", "owner": owners[rng.integers(0, 4, n_cust)], "status": status,
        "source": rng.choice(["展会推荐", "转介绍", "线上广告", "官网", "电话营销", "其他", None], n_cust),
        "first_contact": _days(rng, n_cust), "lost_on": lost_on,
        "lost_reason": np.where(lost, rng.choice(["价格异议", "需求不明确", "选择竞品", "预算不足"], n_cust), None),
        "tier": rng.choice(np.array(["A", "B", "C", None], dtype=object), n_cust),
    })
    secs = rng.integers(0, 456 * 86400, n_fu)
    when = (np.datetime64("2023-01-01T00:00:00") + secs.astype("timedelta64[s]")).astype(object)
    followups = pd.DataFrame({
        "customer": names[rng.integers(0, n_cust, n_fu)], "date": when,
        "method": rng.choice(["电话", "微信", "邮件", "拜访", "视频会议"], n_fu), "content": "沟通",
        "owner": owners[rng.integers(0, 4, n_fu)],
    })
    n_conv, n_tier = n_fu // 20, n_fu // 5
    conversions = pd.DataFrame({
        "customer": names[rng.integers(0, n_cust, n_conv)], "date": _days(rng, n_conv),
        "amount": rng.choice(["10万", "25万", "¥80,000", 120000], n_conv), "owner": owners[rng.integers(0, 4, n_conv)],
    })
    tierlog = pd.DataFrame({
        "customer": names[rng.integers(0, n_cust, n_tier)], "tier": rng.choice(["A", "B", "C"], n_tier),
        "date": _days(rng, n_tier), "reason": "调整",
    })
    return {"customers": customers, "followups": followups, "conversions": conversions, "tierlog": tierlog}


def context(args: list[str]) -> tuple[Context, str]:
    if args and args[0].endswith((".xlsx", ".xlsm")):
        from crm_xl.book.files import FileBook

        return make_context(FileBook(args[0]), "2024-04-01"), args[0]
    n_cust, n_fu = (int(a) for a in (args + ["10000", "100000"][len(args):])[:2])
    ctx = make_context(MemoryBook.from_frames(workload(n_cust, n_fu)), "2024-04-01")
    return ctx, f"{n_cust:,} customers / {n_fu:,} follow-ups"


def main() -> None:
    ctx, what = context(sys.argv[1:])
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        result = build(ctx)
        best = min(best, time.perf_counter() - t0)
    print(f"review.build on {what}: {best:.3f} s (best of 3)")
    print(result.summary.headline)


if __name__ == "__main__":
    main()
