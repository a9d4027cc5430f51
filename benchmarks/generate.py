"""Deterministic synthetic team workbooks for the benchmarks (written fast with XlsxWriter, constant_memory).

    python benchmarks/generate.py --size team   # 10,000 customers, 100,000 follow-ups → benchmarks/data/team.xlsx
    python benchmarks/generate.py --size max    # 100,000 customers, 1,000,000 follow-ups → benchmarks/data/max.xlsx
    python benchmarks/generate.py --messy       # team, but messy → benchmarks/data/team-messy.xlsx

`--messy`: a workbook kept carelessly — most follow-ups logged by someone other than the customer's owner
(~90,000 owner-mismatch warnings on team), plus a sprinkling of other errors in the follow-ups (a method
outside the list, blank content, a date typed as text, a customer missing from Customers).

Shaped like a real team's workbook: the four data sheets as Excel Tables with zh-Hans headers (computed
columns already headed, as in the template), a Settings sheet, Chinese text, real dates and datetimes,
every SPEC.md input column filled as a team would — with some blanks and some mistakes (bad phones,
unknown methods, budgets nobody can parse, follow-ups for customers that are not in the sheet …).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

import xlsxwriter

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from crm_xl.book.memory import settings_grid  # noqa: E402
from crm_xl.model.schema import CONVERSIONS, CUSTOMERS, FOLLOWUPS, TIERLOG, Kind, SheetDef  # noqa: E402
from crm_xl.model.settings import Settings  # noqa: E402

SIZES: dict[str, dict[str, int]] = {
    "team": {"customers": 10_000, "followups": 100_000, "conversions": 5_000, "tierlog": 20_000},
    "max": {"customers": 100_000, "followups": 1_000_000, "conversions": 50_000, "tierlog": 200_000},
    "small": {"customers": 500, "followups": 5_000, "conversions": 250, "tierlog": 1_000},
}
OWNERS = ["小王", "小李", "小张", "小陈", "小刘", "小赵", "小孙", "小周"]
CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "天津", "青岛", "厦门"]
WORDS = ["华信", "星辰", "博远", "中科", "瑞达", "恒通", "新源", "智联", "海川", "金石", "天成", "锦程", "宏图",
         "云帆", "鼎盛", "同创", "安泰", "汇丰", "精诚", "嘉禾", "腾跃", "明德", "正和", "广源"]
TRADES = ["科技", "贸易", "制造", "文化传媒", "生物制药", "物流", "教育科技", "信息技术", "电子", "食品"]
SUFFIXES = ["有限公司", "股份有限公司", "集团", "有限责任公司", "科技有限公司"]
INDUSTRIES = ["互联网", "制造业", "零售", "金融", "医疗", "教育", "物流", "文化传媒", "其他"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"]
TITLES = ["总经理", "采购经理", "技术总监", "IT 经理", "运营总监", "财务总监", "行政主管", "董事长助理"]
NEEDS = ["企业级CRM系统采购", "供应链管理软件", "数据分析平台", "办公协同系统", "客服系统升级", "财务系统对接",
         "私有化部署方案", "移动端销售工具", "营销自动化"]
SOURCES = ["展会推荐", "转介绍", "线上广告", "官网", "电话营销", "其他"]
NOTES = ["注重数据安全性", "决策流程较长,需多部门确认", "对价格比较敏感", "已有竞品在用", "老板亲自关注",
         "预算下季度才批", "希望先试用", "", "", ""]
TAGS = ["价格敏感", "决策链长", "竞品对比中", "复购意向", "增购意向", "重点客户"]
CLARITY = ["明确", "初步", "潜在"]
BUDGET_STATUS = ["已审批", "明确", "不明确"]
CHAIN = ["短", "长", "未知"]
STATUS = ["跟进中"] * 6 + ["已成交"] * 2 + ["已流失", "暂停"]
LOST = ["价格异议", "需求不明确", "选择竞品", "预算不足", "其他"]
METHODS = ["电话", "微信", "邮件", "拜访", "视频会议", "其他"]
CONTENT = ["介绍系统模块及案例", "发送行业解决方案白皮书", "演示产品功能", "沟通报价", "确认技术对接方案",
           "节日问候", "回访使用情况", "商务谈判", "安排上门拜访", "邀请参加线下沙龙"]
FEEDBACK = ["对数据加密功能感兴趣", "已转交技术部评估", "觉得价格偏高", "需要内部讨论", "暂无回复", "很满意",
            "要求再次演示", ""]
NEXT = ["发送详细方案", "跟进技术部反馈", "安排演示", "提交正式报价", "等待客户回复", "签约", ""]
PRODUCTS = ["企业级CRM系统", "供应链管理软件", "数据分析平台", "实施服务", "年度维保"]
FACTORS = ["数据安全功能匹配需求,案例说服力强", "转介绍客户信任度高,价格优惠", "响应速度快", "产品功能完整",
           "老客户复购"]
START = dt.datetime(2023, 4, 1, 9, 0)
TODAY = dt.date(2024, 4, 1)


def _company(rng: random.Random, i: int) -> str:
    return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}{i:06d}"


def _phone(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.6:
        return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    if r < 0.75:
        return f"0{rng.choice(['10', '21', '755', '571'])}-{rng.randrange(10**7, 10**8)}"
    if r < 0.9:
        return f"sales{rng.randrange(10**5)}@example.cn"
    if r < 0.95:
        return int(f"13{rng.randrange(10**9):09d}")  # typed as a number
    return f"1395{rng.randrange(1000):03d}"  # truncated — a mistake


def _budget(rng: random.Random) -> str | None:
    low = rng.choice([5, 10, 20, 30, 50, 80, 100])
    r = rng.random()
    if r < 0.55:
        return f"{low}-{low + rng.choice([10, 20, 30])}万"
    if r < 0.7:
        return f"{low}万"
    if r < 0.8:
        return f"¥{low * 10000:,}-{(low + 20) * 10000:,}"
    if r < 0.9:
        return f"{low}-{low + 30}w"
    if r < 0.95:
        return None
    return "待定"  # nobody can parse this


def customers(rng: random.Random, n: int) -> tuple[list[list[Any]], list[str], list[dt.datetime]]:
    """Customer rows, their names and first-contact times (owner and status are columns 11 and 19)."""
    rows: list[list[Any]] = []
    names: list[str] = []
    firsts: list[dt.datetime] = []
    span = (dt.datetime(2024, 3, 31) - START).days
    for i in range(n):
        name = _company(rng, i)
        if i and rng.random() < 0.005:
            name = names[rng.randrange(len(names))] + " "  # duplicate with a stray space
        first = START + dt.timedelta(days=rng.randrange(span), hours=rng.randrange(9))
        status = rng.choice(STATUS)
        lost = status == "已流失"
        tags = "、".join(rng.sample(TAGS, rng.randrange(3))) or None
        entered = first + dt.timedelta(hours=rng.choice([1, 2, 2, 3, 5, 8, 20]) if rng.random() > 0.05
                                       else rng.choice([30, 72]))
        verified = (dt.datetime(2024, 3, 31) - dt.timedelta(days=rng.randrange(7 if rng.random() < 0.8 else 60)))
        verified = max(verified, first)
        row = [
            name, rng.choice(INDUSTRIES) if rng.random() > 0.03 else None,
            rng.choice(SURNAMES) + rng.choice(["总", "经理", "工", "女士", "先生"]), rng.choice(TITLES),
            _phone(rng), None, rng.choice(NEEDS), _budget(rng),  # None: the 微信 column left blank
            rng.choice(SOURCES) if rng.random() > 0.02 else "朋友圈",
            rng.choice(SURNAMES) + "总", rng.choice(NOTES) or None, tags, rng.choice(OWNERS),
            first.replace(hour=0), entered, verified.replace(hour=0),
            rng.choice(CLARITY), rng.choice(BUDGET_STATUS), rng.choice(CHAIN),
            (first + dt.timedelta(days=rng.randrange(10, 200))).replace(hour=0) if rng.random() > 0.2 else None,
            status, rng.choice(LOST) if lost and rng.random() > 0.1 else None,
            (first + dt.timedelta(days=rng.randrange(30, 150))).replace(hour=0) if lost else None,
            rng.randrange(-100, 101, 10) if rng.random() < 0.3 else None,
            None, None,  # 联系人生日, 合作周年日 left blank
            rng.choice(["A", "B", "C"]) if rng.random() < 0.02 else None,
        ]
        rows.append(row)
        names.append(name.strip())
        firsts.append(first)
    return rows, names, firsts


MESSY_OWNER = 0.9  # share of a messy workbook's follow-ups owned by a colleague of the customer's owner
MESSY_ERROR = 0.01  # share of its follow-ups with each kind of sprinkled error


def followups(rng: random.Random, n: int, names: list[str], firsts: list[dt.datetime],
              owners: list[str], messy: bool = False) -> list[list[Any]]:
    rows: list[list[Any]] = []
    end = dt.datetime(2024, 3, 31, 18)
    for _ in range(n):
        k = rng.randrange(len(names))
        first = firsts[k]
        span = max(int((end - first).total_seconds() // 3600), 1)
        when = first + dt.timedelta(hours=rng.randrange(span))
        if rng.random() < 0.3:
            when = when.replace(hour=0, minute=0)  # a date without a time
        name = names[k] if rng.random() > 0.003 else "未登记客户" + str(rng.randrange(100))
        rows.append([
            name, when, rng.choice(METHODS) if rng.random() > 0.01 else None, rng.choice(CONTENT),
            rng.choice(FEEDBACK) or None, rng.choice(NEXT) or None,
            (when + dt.timedelta(days=rng.choice([1, 2, 3, 7]))).replace(hour=0, minute=0)
            if rng.random() < 0.4 else None,
            owners[k] if rng.random() > 0.03 else rng.choice(OWNERS),
        ])
        if messy:
            _mess_up(rng, rows[-1], owners[k])
    rows.sort(key=lambda r: (r[1] if isinstance(r[1], dt.datetime) else END_OF_DATA))
    return rows


END_OF_DATA = dt.datetime(2024, 3, 31, 23)  # where a messy row whose date is text sorts


def _mess_up(rng: random.Random, row: list[Any], owner: str) -> None:
    """A follow-up row as a careless team keeps it: usually a colleague's name as owner, now and then an
    error (method not in the list, blank content, a date typed as text, an unknown customer)."""
    if rng.random() < MESSY_OWNER:
        row[7] = rng.choice([o for o in OWNERS if o != owner])
    if rng.random() < MESSY_ERROR:
        row[2] = "短信"
    if rng.random() < MESSY_ERROR:
        row[3] = None
    if rng.random() < MESSY_ERROR:
        row[1] = f"{row[1].year}年{row[1].month}月{row[1].day + 40}日"  # no such day
    if rng.random() < MESSY_ERROR:
        row[0] = "新客户" + str(rng.randrange(1000))


def tierlog(rng: random.Random, n: int, names: list[str], firsts: list[dt.datetime]) -> list[list[Any]]:
    rows = []
    for _ in range(n):
        k = rng.randrange(len(names))
        when = firsts[k] + dt.timedelta(days=rng.randrange(60))
        rows.append([names[k], rng.choice("ABC"), rng.choice(["需求明确,预算已审批", "技术部评估中", "暂无明确需求",
                                                              "预计 5 天内成交", None]),
                     when.replace(hour=0), rng.choice(OWNERS)])
    rows.sort(key=lambda r: r[3])
    return rows


def conversions(rng: random.Random, n: int, names: list[str], firsts: list[dt.datetime],
                won: list[int]) -> list[list[Any]]:
    rows = []
    for _ in range(n):
        k = rng.choice(won) if rng.random() > 0.03 else rng.randrange(len(names))
        when = firsts[k] + dt.timedelta(days=rng.randrange(10, 200))
        r = rng.random()
        amount: Any = rng.randrange(5, 200) * 10000 if r < 0.6 else (
            f"{rng.randrange(5, 200)}万" if r < 0.8 else f"¥{rng.randrange(5, 200) * 10000:,}" if r < 0.95 else "面议")
        rows.append([names[k], min(when, dt.datetime(2024, 3, 31)).replace(hour=0), amount, rng.choice(PRODUCTS),
                     rng.choice(FACTORS), rng.choice(OWNERS) if rng.random() < 0.03 else None])
    rows.sort(key=lambda r: r[1])
    return rows


# a team's workbook without the optional service-record columns (推荐人, 主管, 服务团队, 沟通偏好): the sizes
# measure the same sheets as before those columns existed
BENCH_CUSTOMERS = dataclasses.replace(CUSTOMERS, columns=tuple(
    c for c in CUSTOMERS.columns if c.key not in ("referrer", "manager", "service_team", "preference")))


def write_sheet(wb: Any, sheet: SheetDef, rows: list[list[Any]], fmts: dict[str, Any], shared: bool = False) -> None:
    """One data sheet as a Table: input columns with `rows`, the computed columns headed but empty. Text is
    written inline (constant_memory), or to the shared-string table as Excel saves it (`shared`)."""
    ws = wb.add_worksheet(sheet.hans)
    cols = [c for c in sheet.columns if c.template]  # (the template's: an optional NPS score column left out)
    n_in = len([c for c in cols if not c.computed])
    for j, col in enumerate(cols):
        fmt = fmts.get(col.kind) if not col.computed else fmts["computed"]
        ws.set_column(j, j, col.width, fmt)
    ws.freeze_panes(1, 1)
    last = max(len(rows), 1)
    ws.constant_memory = False  # add_table refuses constant_memory; the header row is still row 0
    ws.add_table(0, 0, last, len(cols) - 1, {
        "name": sheet.table, "style": "Table Style Medium 2",
        "columns": [{"header": c.hans, "header_format": fmts["computed_head"] if c.computed else fmts["head"]}
                    for c in cols],
    })
    if not shared:
        ws.constant_memory = True
        for j, c in enumerate(cols):  # rewrite the headers as inline strings (constant_memory writes those)
            ws.write_string(0, j, c.hans, fmts["computed_head"] if c.computed else fmts["head"])
    for i, row in enumerate(rows, start=1):
        for j in range(n_in):
            value = row[j]
            if value is None:
                continue
            col = cols[j]
            if isinstance(value, dt.datetime):
                ws.write_datetime(i, j, value, fmts[Kind.DATETIME if col.kind == Kind.DATETIME else Kind.DATE])
            elif isinstance(value, int | float):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, value)
    if sheet.key == "customers":
        status_col = [c.key for c in cols].index("status")
        ws.data_validation(1, status_col, last, status_col,
                           {"validate": "list", "source": ["跟进中", "已成交", "已流失", "暂停"]})
        ws.conditional_format(1, status_col, last, status_col,
                              {"type": "cell", "criteria": "==", "value": '"已流失"', "format": fmts["bad"]})


def generate(size: str, out: Path, seed: int = 20240401, shared_strings: bool = False,
             messy: bool = False) -> Path:
    n = SIZES[size]
    rng = random.Random(seed)
    cust, names, firsts = customers(rng, n["customers"])
    at = {c.key: i for i, c in enumerate(BENCH_CUSTOMERS.input_columns)}  # (a customer row's cells, by key)
    owners = [r[at["owner"]] for r in cust]
    won = [i for i, r in enumerate(cust) if r[at["status"]] == "已成交"]
    fol = followups(rng, n["followups"], names, firsts, owners, messy)
    tiers = tierlog(rng, n["tierlog"], names, firsts)
    conv = conversions(rng, n["conversions"], names, firsts, won)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": not shared_strings, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    font = {"font_name": "Microsoft YaHei", "font_size": 10}
    fmts: dict[Any, Any] = {
        Kind.DATE: wb.add_format({**font, "num_format": "yyyy-mm-dd"}),
        Kind.DATETIME: wb.add_format({**font, "num_format": "yyyy-mm-dd hh:mm"}),
        "head": wb.add_format({**font, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78"}),
        "computed_head": wb.add_format({**font, "bold": True, "font_color": "#FFFFFF", "bg_color": "#7F6000"}),
        "computed": wb.add_format({**font, "bg_color": "#FFF2CC"}),
        "bad": wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"}),
    }
    for sheet, rows in ((BENCH_CUSTOMERS, cust), (FOLLOWUPS, fol), (TIERLOG, tiers), (CONVERSIONS, conv)):
        write_sheet(wb, sheet, rows, fmts, shared_strings)
    settings = Settings.defaults("zh-Hans").model_copy(update={"owners": OWNERS, "today": TODAY})
    ws = wb.add_worksheet("设置")
    for i, row in enumerate(settings_grid(settings, "zh-Hans")):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), fmts[Kind.DATE])
            elif isinstance(value, bool):
                ws.write_string(i, j, "是" if value else "否")
            elif isinstance(value, int | float):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, str(value))
    wb.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="team")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=20240401)
    ap.add_argument("--shared-strings", action="store_true",
                    help="text in the shared-string table, as Excel saves it (default: inline, written fast)")
    ap.add_argument("--messy", action="store_true",
                    help="most follow-ups owned by a colleague of the customer's owner, and a sprinkling of errors")
    args = ap.parse_args()
    tail = ("-shared" if args.shared_strings else "") + ("-messy" if args.messy else "")
    out = args.out or ROOT / "data" / f"{args.size}{tail}.xlsx"
    t0 = time.perf_counter()
    generate(args.size, out, args.seed, args.shared_strings, args.messy)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
