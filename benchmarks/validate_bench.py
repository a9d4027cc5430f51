"""Time `validate(ctx)` on an in-memory team workbook (deterministic data).

    python benchmarks/validate_bench.py                       # 10,000 customers + 100,000 follow-ups
    python benchmarks/validate_bench.py --customers 100000 --followups 1000000

About 2 % of the cells carry a problem (bad phone, unknown customer, missing method …), as in a real book.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import time
from typing import Any

from crm_xl.book.memory import MemoryBook, settings_grid
from crm_xl.book.ops import TableInfo
from crm_xl.core.validation.job import validate
from crm_xl.jobs import make_context
from crm_xl.model.frame import col_letter
from crm_xl.model.schema import SETTINGS_SHEET, SHEETS
from crm_xl.model.settings import Settings

SOURCES = ["展会推荐", "转介绍", "线上广告", "官网", "电话营销", "其他"]
METHODS = ["电话", "微信", "邮件", "拜访", "视频会议"]
INDUSTRIES = ["互联网", "制造业", "零售", "金融", "医疗", "教育"]
OWNERS = ["小王", "小李", "小张", "小陈"]
STATUS = ["跟进中"] * 6 + ["已成交"] * 2 + ["已流失", "暂停"]
TODAY = dt.date(2024, 4, 1)


def build(customers: int, followups: int, seed: int = 42) -> dict[str, list[dict[str, Any]]]:
    """Rows with canonical keys, values typed as openpyxl reads them (datetime, str, int)."""
    rnd = random.Random(seed)
    start = dt.datetime(2023, 11, 1)
    cust: list[dict[str, Any]] = []
    for i in range(customers):
        first = start + dt.timedelta(days=rnd.randrange(150))
        status = rnd.choice(STATUS)
        bad = rnd.random() < 0.02
        cust.append({
            "customer": f"客户{i:06d}{rnd.choice(['有限公司', '集团', '科技', ''])}",
            "industry": rnd.choice(INDUSTRIES), "contact": f"联系人{i}", "title": "经理",
            "phone": (f"139{i:08d}" if not bad else f"139{i % 10000}"),
            "need": "CRM", "budget": rnd.choice(["50-80万", "30-50万", "20万", "¥500,000-800,000", "不详" if bad else "10w"]),
            "source": rnd.choice(SOURCES), "owner": rnd.choice(OWNERS), "first_contact": first,
            "entered_on": first + dt.timedelta(hours=rnd.choice([2, 5, 20, 30 if bad else 3])),
            "verified_on": first + dt.timedelta(days=rnd.randrange(10)),
            "need_clarity": rnd.choice(["明确", "初步", "潜在"]), "budget_status": rnd.choice(["已审批", "明确", "不明确"]),
            "decision_chain": rnd.choice(["短", "长", "未知"]),
            "expected_close": first + dt.timedelta(days=rnd.randrange(120)), "status": status,
            "lost_reason": rnd.choice(["价格异议", "选择竞品"]) if status == "已流失" else None,
            "lost_on": first + dt.timedelta(days=30) if status == "已流失" else None,
            "nps": rnd.randrange(-100, 101), "tags": rnd.choice(["价格敏感", "决策链长、复购意向", None]),
        })
    fus: list[dict[str, Any]] = []
    for n in range(followups):
        c = rnd.randrange(customers)
        bad = rnd.random() < 0.02
        fus.append({
            "customer": cust[c]["customer"] if not bad else f"未知客户{c}",
            "date": dt.datetime(2023, 12, 1, 9) + dt.timedelta(minutes=rnd.randrange(120 * 24 * 60)),
            "method": rnd.choice(METHODS) if not bad else None, "content": f"第{n}次沟通：介绍方案与案例",
            "feedback": rnd.choice(["有兴趣", "需内部讨论", "价格偏高", f"要求报价 v{n % 97}"]),
            "next_action": f"发送方案 {n % 1000}", "next_date": dt.datetime(2024, 4, 1) + dt.timedelta(days=rnd.randrange(30)),
            "owner": cust[c]["owner"] if rnd.random() > 0.05 else rnd.choice(OWNERS),
        })
    won = [c for c in cust if c["status"] == "已成交"]
    conv = [{"customer": c["customer"], "date": dt.datetime(2024, 3, 1) + dt.timedelta(days=rnd.randrange(30)),
             "amount": rnd.choice(["65万", 650000, "¥120,000", "6.5w"]), "product": "CRM", "key_factor": "案例",
             "owner": c["owner"]} for c in won]
    tiers = [{"customer": c["customer"], "tier": rnd.choice("ABC"), "reason": "初始分级",
              "date": c["first_contact"], "owner": c["owner"]} for c in cust]
    return {"customers": cust, "followups": fus, "tierlog": tiers, "conversions": conv}


def memory_book(data: dict[str, list[dict[str, Any]]]) -> MemoryBook:
    """A MemoryBook whose cells hold exactly these values (as openpyxl reads them: datetime, not
    pandas Timestamp), one Excel Table per sheet, and a Settings sheet listing the owners."""
    sheets: dict[str, list[list[Any]]] = {}
    tables = []
    for key, rows in data.items():
        sheet = SHEETS[key]
        keys = [c.key for c in sheet.input_columns if c.template]
        grid = [[sheet.column(k).header("zh-Hans") for k in keys]] + [[r.get(k) for k in keys] for r in rows]
        sheets[sheet.name("zh-Hans")] = grid
        tables.append(TableInfo(sheet.table, sheet.name("zh-Hans"), f"A1:{col_letter(len(keys))}{len(grid)}"))
    settings = Settings.defaults("zh-Hans").model_copy(update={"owners": OWNERS})
    sheets[SETTINGS_SHEET.name("zh-Hans")] = settings_grid(settings, "zh-Hans")
    return MemoryBook(sheets, tables)


def clear_caches() -> None:
    from crm_xl.core.validation import names
    from crm_xl.model.i18n import fold

    fold.cache_clear()
    names._key.cache_clear()
    names._str_key.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--followups", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    t0 = time.perf_counter()
    book = memory_book(build(args.customers, args.followups))
    ctx = make_context(book, TODAY)
    print(f"built {args.customers:,} customers + {args.followups:,} follow-ups "
          f"(+{len(ctx.frames.tierlog or [])} tier rows, {len(ctx.frames.conversions or [])} conversions) "
          f"in {time.perf_counter() - t0:.1f} s")
    times, cpu = [], []
    result = None
    for _ in range(args.repeat):
        clear_caches()  # each run starts cold, like a fresh process
        t, c = time.perf_counter(), time.process_time()
        result = validate(ctx)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert result is not None
    print(f"validate: wall best {min(times):.2f} s, median {statistics.median(times):.2f} s; "
          f"CPU best {min(cpu):.2f} s over {args.repeat} runs — {result.summary.headline}")
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
