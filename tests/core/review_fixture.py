"""A small workbook for the review tests, designed so each figure's definition has a distinguishing case.

Reviewed month: 2024-03 (today 2024-04-01). Hand-computed figures are in test_review.py.
"""

from __future__ import annotations

import datetime as dt

D = dt.date


def customer(name, source, owner, first, status="跟进中", **kw):
    return {"customer": name, "source": source, "owner": owner, "first_contact": first, "status": status,
            "contact": "张三", **kw}


CUSTOMERS = [
    # converted in March but first contacted in January: a source conversion, not a new customer;
    # tier A at conversion (log), C afterwards (log row after the conversion, and current tier)
    customer("甲公司", "展会推荐", "小王", D(2024, 1, 10), "已成交", tier="C"),
    # new in March and converted in March; no tier-log row → current tier B
    customer("乙公司", "转介绍", "小李", D(2024, 3, 2), "已成交", tier="B"),
    # new in March, open, overdue at month end (latest follow-up has no next date)
    customer("丙公司", "转介绍", "小李", D(2024, 3, 10)),
    # lost in March
    customer("丁公司", "线上广告", "小王", D(2024, 2, 15), "已流失", lost_reason="价格异议", lost_on=D(2024, 3, 8)),
    # lost in February: not in March's lost reasons
    customer("戊公司", "线上广告", "小张", D(2023, 12, 1), "已流失", lost_reason="选择竞品", lost_on=D(2024, 2, 28)),
    # new in March, never followed up, not yet due (C: 7 days from first contact)
    customer("己公司", "官网", "小张", D(2024, 3, 28)),
    # first contacted after the month: in no March count
    customer("庚公司", "展会推荐", "小王", D(2024, 4, 5), "已成交"),
    # tier A now; last follow-up 03-20 → due 03-21 → overdue
    customer("辛公司", "展会推荐", "小王", D(2023, 11, 20), tier="A"),
    # new and lost in March
    customer("壬公司", "展会推荐", "小王", D(2024, 3, 5), "已流失", lost_reason="需求不明确", lost_on=D(2024, 3, 25)),
    # converted in February
    customer("子公司", "转介绍", "小李", D(2024, 1, 5), "已成交"),
    # converted in October (inside the 12-month window) and March 2023 (outside)
    customer("丑公司", "电话营销", "小张", D(2023, 9, 1), "已成交"),
    customer("寅公司", "电话营销", "小张", D(2023, 3, 1), "已成交"),
    # paused: never overdue
    customer("卯公司", "官网", "小张", D(2024, 2, 1), "暂停"),
    # new in March, lost in April: open (and overdue) at March's end, not lost in March
    customer("辰公司", "其他", "小陈", D(2024, 3, 1), "已流失", lost_reason="预算不足", lost_on=D(2024, 4, 3)),
]


def follow(name, when, method, owner, next_date=None):
    return {"customer": name, "date": when, "method": method, "content": "沟通", "owner": owner,
            "next_date": next_date}


FOLLOWUPS = [
    follow("子公司", D(2024, 2, 5), "拜访", "小李"),
    follow("丁公司", D(2024, 2, 20), "电话", "小王"),
    # phone, then WeChat, before signing on 03-05; a visit after the signing does not count
    follow("甲公司", D(2024, 3, 1), "电话", "小王"),
    follow("甲公司", D(2024, 3, 4), "微信", "小王"),
    follow("甲公司", D(2024, 3, 6), "拜访", "小王"),
    follow("辰公司", D(2024, 3, 2), "电话", "小陈"),
    follow("乙公司", D(2024, 3, 3), "微信", "小李"),
    # a phone call in the afternoon of the signing day is the last touch
    follow("乙公司", dt.datetime(2024, 3, 20, 14, 30), "电话", "小李"),
    follow("丙公司", D(2024, 3, 12), "电话", "小李", D(2024, 4, 10)),
    follow("丙公司", D(2024, 3, 13), "电话", None),  # owner blank → the customer's owner (小李)
    follow("辛公司", D(2024, 3, 20), "拜访", "小王"),
]


def tier(name, level, when):
    return {"customer": name, "tier": level, "reason": "调整", "date": when, "owner": "小王"}


TIERLOG = [
    tier("寅公司", "A", D(2023, 3, 1)),
    tier("丑公司", "A", D(2023, 9, 15)),
    tier("辛公司", "B", D(2023, 11, 20)),
    tier("甲公司", "B", D(2024, 1, 10)),
    tier("子公司", "A", D(2024, 1, 20)),
    tier("甲公司", "A", D(2024, 2, 20)),  # up (February)
    tier("丙公司", "C", D(2024, 3, 10)),  # first tier
    tier("丙公司", "B", D(2024, 3, 15)),  # up C → B
    tier("辛公司", "A", D(2024, 3, 18)),  # up B → A
    tier("甲公司", "C", D(2024, 3, 20)),  # down A → C, after its conversion
    tier("辛公司", "A", D(2024, 3, 25)),  # repeats A: not a move
]


def conversion(name, when, amount, owner):
    return {"customer": name, "date": when, "amount": amount, "product": "CRM", "owner": owner}


CONVERSIONS = [
    conversion("寅公司", D(2023, 3, 15), "8万", "小张"),
    conversion("丑公司", D(2023, 10, 1), 50000, "小张"),
    conversion("子公司", D(2024, 2, 10), "20万", "小李"),
    conversion("甲公司", D(2024, 3, 5), "50万", "小王"),
    conversion("乙公司", D(2024, 3, 20), "¥300,000", None),  # owner blank → the customer's owner (小李)
    conversion("癸公司", D(2024, 3, 15), "10万", "小陈"),  # not in Customers
    conversion("庚公司", D(2024, 4, 10), "12万", "小王"),  # after the month
]

DATA = {"customers": CUSTOMERS, "followups": FOLLOWUPS, "tierlog": TIERLOG, "conversions": CONVERSIONS}


def write_fixture(path, lang: str = "zh-Hans"):
    """The fixture as a real .xlsx file (Excel Tables, headers in `lang`), written with openpyxl."""
    from helpers import write_workbook

    from crm_xl.book.memory import MemoryBook

    book = MemoryBook.from_frames(DATA, lang=lang)  # type: ignore[arg-type]
    return write_workbook(path, book.sheets, {t.sheet: t.name for t in book.tables})


EN = {
    # sources, methods, lost reasons, statuses in English (an English workbook's own words)
    "展会推荐": "Trade show", "转介绍": "Referral", "线上广告": "Online ads", "官网": "Website",
    "电话营销": "Telemarketing", "其他": "Other", "电话": "Phone", "微信": "WeChat", "拜访": "Visit",
    "价格异议": "Price objection", "需求不明确": "Need unclear", "选择竞品": "Chose competitor",
    "预算不足": "Budget short", "跟进中": "Open", "已成交": "Won", "已流失": "Lost", "暂停": "Paused",
}


def english() -> dict:
    """The fixture with English list values (customer names stay as they are)."""
    return {key: [{k: EN.get(v, v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
            for key, rows in DATA.items()}
