"""The sample team's data for `crm-xl new --sample` and workbook/sample.xlsx.

A sales team of four (小王 小李 小张 小陈) selling CRM and supply-chain software: 62 customers first
contacted 2023-11 … 2024-03 (three repeat accounts earlier in 2023), ~400 follow-ups from 2023-12-01 to
2024-03-31, a tier log typed by hand over the months, and a conversion for every won customer.
Deterministic: `random.Random(SEED)` and fixed dates only — nothing depends on the day it is built.

The toolkit's own examples (SPEC.md, "Examples from the toolkit") are included verbatim, with their
problems: YY贸易集团's truncated phone `1395678`, its follow-up of 2024-03-02 without a method, the tier-log
row of ZZ文化传媒 and the conversion of AA生物制药, neither of which is in Customers.

Deliberate mistakes, so validation has something to show:
- 华信物流集团 (小张, 2024-03-06) duplicates 华信物流有限公司 (小陈): same company after removing the suffix,
  same contact 刘经理 and the same phone;
- 瑞康医疗器械股份有限公司's contact is a bad e-mail, `zhouli@ruikang-med` (no domain ending);
- a follow-up of 博远教育科技有限公司 is dated 2024-05-03 (a typo for 2024-03-05): a date in the future;
- 新锐广告传媒有限公司 has no contact.
Expected warnings besides: three customers entered more than 24 h after first contact (天工机械股份有限公司,
盛世传媒集团, 泰和医院管理集团), verification older than 7 days on the customers that went quiet, and five
follow-ups logged by a colleague of the customer's owner.

What the jobs find (today 2024-03-15 for stale, 2024-04-01 for the README's run, review month 2024-03):
- overdue leads on both dates (宏图建设集团, 众诚软件, 利华纺织, 美途旅游 went quiet in Feb/early March);
  安信检测 and 恒源电力 are due on 2024-03-15; 泰和医院 and 永安精工 are due on 2024-04-01; 鸿运汽车,
  星辰智能 and 安泰安防 have no follow-up yet; over-contact: 盛世传媒集团 twice on 2024-03-14,
  和信数字金融 twice on 2024-03-30 (its latest day), 金石投资 (tier C) three times in a week at the end of March;
- after-sale steps due: 鼎盛精密 (quarterly survey due mid-March, done 03-20 with a complaint), 云帆网络
  (check-in call due 2024-03-15, made late; no guide sent), 优品零售 (no quarterly survey), 恒信保险 (won
  03-27, no check-in call); 新华书城 (a 2023 account) has had no survey since its first deal;
- churn: 鼎盛精密 NPS −30 and no conversion since 2023-12-14 (high); 康泰医药 NPS −10, tagged 价格敏感;
  天工机械 NPS −20;
- review 2024-03: new customers from every source, conversions by several sources and last-touch methods,
  four customers lost in March (选择竞品, 价格异议, 其他, 预算不足), tier moves in the log.

The plan and the texts drawn from are in sample_plan.py; this module generates the rows from them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ..model.i18n import Lang, to_hant
from ..model.schema import ENUMS, SHEETS, Kind
from ..model.settings import DEFAULT_LISTS, Settings
from .sample_plan import (
    BAD_SURVEY,
    BUDGETS,
    CHECK_IN,
    CLOSE_TOUCH,
    COMPLAINTS_VERBATIM,
    CONVERSIONS_VERBATIM,
    COVERED_BY,
    FACTORS,
    FIRST_DAY,
    FIXED,
    FOLLOWUPS_VERBATIM,
    FUTURE_TYPO,
    GREETING,
    GUIDE,
    INTRO,
    LAST_DAY,
    LATE_CHECK_IN,
    LATE_ENTRY,
    LOST_TOUCH,
    NEEDS,
    NO_CHECK_IN,
    NOTES,
    NURTURE,
    OVER_CONTACT,
    OWNERS,
    PAUSE_TOUCH,
    PRESALE,
    PRODUCTS,
    REFERRAL_FACTOR,
    ROLES,
    SEED,
    SERVICE,
    STALE_TOUCH,
    SURNAMES,
    SURVEY,
    SURVEY_TOUCH,
    SURVEYS_VERBATIM,
    TAGS,
    THANKS,
    TIERLOG_VERBATIM,
    TOOLKIT_FOLLOWUPS,
    UPSELL,
    Customer,
    D,
    Touch,
    plan,
)

# --- generation ----------------------------------------------------------------------------------


class Generator:
    """Everything random, drawn from one seeded generator in a fixed order."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.phones: set[str] = set()

    def at(self, day: dt.date, first: int = 9, last: int = 18) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.rng.randint(first, last - 1), self.rng.choice(range(0, 60, 5))))

    def phone(self) -> str:
        while True:
            if self.rng.random() < 0.75:
                prefix = self.rng.choice(["138", "139", "136", "186", "158", "177", "135", "189", "150", "133"])
                rest = f"{self.rng.randint(0, 99_999_999):08d}"
                style = self.rng.random()
                text = (f"{prefix}{rest}" if style < 0.6 else
                        f"{prefix} {rest[:4]} {rest[4:]}" if style < 0.85 else f"{prefix}-{rest[:4]}-{rest[4:]}")
            else:
                area = self.rng.choice(["010", "021", "020", "0755", "0571", "025", "028", "027"])
                digits = 8 if len(area) == 3 or area in ("0755", "0571") else 8
                text = f"{area}-{self.rng.randint(2, 8)}{self.rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"
            key = "".join(ch for ch in text if ch.isdigit())
            if key not in self.phones:
                self.phones.add(key)
                return text

    def contact(self) -> tuple[str, str]:
        role, titles = self.rng.choice(ROLES)
        return self.rng.choice(SURNAMES) + role, self.rng.choice(titles)

    def touch(self, c: Customer, when: dt.datetime | dt.date, touch: Touch, next_date: dt.date | None = None,
              method: str | None = None) -> None:
        content, feedback, action, methods = touch
        c.touches.append({"customer": c.name, "date": when, "method": method or self.rng.choice(methods),
                          "content": content, "feedback": feedback or None, "next_action": action,
                          "next_date": next_date, "owner": c.owner})


def _days(a: dt.date, n: int) -> dt.date:
    return a + dt.timedelta(days=n)


def _schedule(g: Generator, start: dt.date, end: dt.date, gaps: tuple[int, int]) -> list[dt.date]:
    """Contact days from `start` to `end` (both included when possible), gaps drawn from `gaps`."""
    days = [start]
    while True:
        nxt = _days(days[-1], g.rng.randint(*gaps))
        if nxt >= end:
            break
        days.append(nxt)
    if end > days[-1]:
        days.append(end)
    return days


def _presale(g: Generator, c: Customer, days: list[dt.date], stages: int, last_next: dt.date | None,
             close: Touch | None = None, close_method: str | None = None) -> None:
    """Follow-ups on `days` moving through the first `stages` presale stages (and `close` on the last)."""
    for i, day in enumerate(days):
        last = i == len(days) - 1
        if last and close is not None:
            g.touch(c, g.at(day), close, None, close_method)
            continue
        end = days[-2] if close is not None and len(days) > 1 else days[-1]
        span = max((end - c.first_contact).days, 1)
        index = min(stages - 1, (day - c.first_contact).days * stages // span)
        touch = INTRO[c.source] if index == 0 and day == c.first_contact else g.rng.choice(PRESALE[index])
        nxt = last_next if last else (days[i + 1] if g.rng.random() < 0.65 else None)
        g.touch(c, g.at(day), touch, nxt)


def _start(c: Customer) -> dt.date:
    """The first follow-up on the sheet: the first contact, or early December for older customers."""
    return c.first_contact if c.first_contact >= FIRST_DAY else _days(FIRST_DAY, len(c.name) % 6)


def follow_ups(g: Generator, c: Customer) -> None:
    """The customer's follow-ups, after-sale steps included."""
    k, a = c.kind, c.args
    if c.name in TOOLKIT_FOLLOWUPS:
        for when, method, content, feedback, action, nxt in TOOLKIT_FOLLOWUPS[c.name]:
            g.touch(c, dt.datetime.fromisoformat(when), (content, feedback, action, (method,)),
                    D(nxt) if nxt else None, method)
        c.touches.extend(dict(r) for r in FOLLOWUPS_VERBATIM if r["customer"] == c.name)
        if k == "won":
            return
    elif k == "won":
        won = D(a[0])
        days = _schedule(g, _start(c), won, (7, 15))
        _presale(g, c, days, 6, None, CLOSE_TOUCH, g.rng.choice(CLOSE_TOUCH[3]))
    elif k == "repeat":
        second = D(a[1])
        days = _schedule(g, max(_days(second, -40), FIRST_DAY), second, (6, 12))
        for day in days[:-1]:
            g.touch(c, g.at(day), UPSELL, None)
        g.touch(c, g.at(days[-1]), CLOSE_TOUCH, None)
    elif k == "lost":
        lost = D(a[0])
        days = _schedule(g, _start(c), lost, (8, 15))
        _presale(g, c, days, 5, None, LOST_TOUCH[a[1]])
    elif k == "paused":
        days = _schedule(g, _start(c), D(a[0]), (7, 14))
        _presale(g, c, days, 4, None, PAUSE_TOUCH)
    elif k == "hot":
        start = _start(c)
        late = OVER_CONTACT.get(c.name, D("2024-03-01"))
        end = late if late > D("2024-03-19") else _days(D("2024-03-29"), g.rng.randint(0, 2))
        days = _schedule(g, start, D("2024-03-16"), (6, 11)) + _schedule(g, D("2024-03-19"), end, (2, 3))
        days = sorted(set(days) | ({OVER_CONTACT[c.name]} if c.name in OVER_CONTACT else set()))
        _presale(g, c, days, 6, _days(days[-1], 1))
        if c.name in OVER_CONTACT:
            day = OVER_CONTACT[c.name]
            g.touch(c, dt.datetime.combine(day, dt.time(17, 45)),
                    ("再次电话确认合同细节", "客户表示已经在走流程，请不要频繁催促", "等客户通知", ("电话",)))
    elif k == "warm":
        last = D("2024-03-31") - dt.timedelta(days=g.rng.randint(0, 5))
        days = _schedule(g, _start(c), last, (5, 10))
        if c.name == FUTURE_TYPO[0]:
            days = sorted(set(days) | {FUTURE_TYPO[1]})
        nxt = D(a[1]) if len(a) > 1 else _days(last, g.rng.randint(3, 6))
        _presale(g, c, days, 5, nxt)
    elif k == "due":
        days = _schedule(g, _start(c), D(a[0]), (3, 6))
        _presale(g, c, days, 3, D(a[1]))
    elif k == "stale":
        days = _schedule(g, _start(c), D(a[0]), (6, 11))
        _presale(g, c, days, 3, _days(D(a[0]), g.rng.randint(3, 6)))
        if g.rng.random() < 0.5:
            g.touch(c, g.at(_days(D(a[0]), -1)), STALE_TOUCH)
    elif k == "cold":
        start = _start(c)
        days = _schedule(g, start, D("2024-03-31"), (9, 21))
        if c.name == "金石投资咨询有限公司":  # tier C contacted three times in a week
            days = [d for d in days if d < D("2024-03-20")] + [D("2024-03-22"), D("2024-03-26"), D("2024-03-28")]
        if c.name == "华信物流集团":
            days = [D("2024-03-06")]
        for i, day in enumerate(days):
            touch = PRESALE[0][0] if i == 0 else g.rng.choice(NURTURE)
            nxt = _days(day, g.rng.choice([7, 14, 30])) if g.rng.random() < 0.6 else None
            g.touch(c, g.at(day), touch, nxt)
    if k in ("won", "repeat"):
        after_sale(g, c)


def after_sale(g: Generator, c: Customer) -> None:
    """Thank-you, check-in call, guide, holiday greeting and the quarterly survey after the last deal."""
    won = D(c.args[-1])
    g.touch(c, g.at(won if g.rng.random() < 0.5 else _days(won, 1), 16, 20), THANKS, _days(won, 3))
    if c.name not in NO_CHECK_IN:
        check = LATE_CHECK_IN.get(c.name, _days(won, g.rng.randint(2, 3)))
        if check <= LAST_DAY:
            g.touch(c, g.at(check), CHECK_IN, _days(won, 7))
            guide = _days(won, g.rng.randint(5, 7))
            if guide <= LAST_DAY and c.name not in LATE_CHECK_IN:
                g.touch(c, g.at(guide), GUIDE, None)
    if won < D("2024-02-08"):
        g.touch(c, g.at(D("2024-02-08")), GREETING)
    if c.name in SURVEY:
        bad = (c.row.get("nps") or 0) < 0
        g.touch(c, g.at(SURVEY[c.name]), BAD_SURVEY if bad else SURVEY_TOUCH)
    if c.kind == "repeat" and won < D("2024-03-01"):
        g.touch(c, g.at(D("2024-03-25")), UPSELL, D("2024-04-08"))


def customer_row(g: Generator, c: Customer) -> dict[str, Any]:
    k, a = c.kind, c.args
    rng = g.rng
    contact, title = g.contact()
    need = rng.choice(NEEDS[c.industry])
    entered = dt.datetime.combine(c.first_contact, dt.time(rng.randint(15, 20), rng.choice(range(0, 60, 5))))
    if c.name in LATE_ENTRY:
        entered += dt.timedelta(days=LATE_ENTRY[c.name])
    row: dict[str, Any] = {
        "customer": c.name, "industry": c.industry, "contact": contact, "title": title, "phone": g.phone(),
        "need": need, "budget": rng.choice(BUDGETS), "source": c.source,
        "decision_maker": rng.choice(SURNAMES) + "总" if rng.random() < 0.8 else None,
        "notes": rng.choice(NOTES[k]), "tags": None, "owner": c.owner, "first_contact": c.first_contact,
        "entered_on": entered, "verified_on": None, "need_clarity": None, "budget_status": None,
        "decision_chain": None, "expected_close": None, "status": "跟进中", "lost_reason": None, "lost_on": None,
        "nps": None, "contact_birthday": None, "anniversary": None,
        "referrer": None, "manager": None, "service_team": None, "preference": None,  # (service records)
        "tier_override": None,
    }
    tags = [t for t in TAGS[k] if rng.random() < 0.45]
    row["tags"] = "、".join(tags) or None
    if k in ("won", "repeat"):
        won = D(a[-1])
        row.update(status="已成交", need_clarity="明确", budget_status="已审批", decision_chain="短",
                   expected_close=won, verified_on=min(_days(won, rng.randint(0, 6)), LAST_DAY),
                   nps=rng.choice([30, 40, 50, 60, 70, 80]) if won < D("2024-03-01") else None)
    elif k == "lost":
        row.update(status="已流失", lost_reason=a[1], lost_on=D(a[0]), verified_on=_days(D(a[0]), -rng.randint(3, 12)),
                   need_clarity=rng.choice(["明确", "初步", "潜在"]), budget_status=rng.choice(["明确", "不明确"]),
                   decision_chain=rng.choice(["长", "未知", "短"]), expected_close=_days(D(a[0]), rng.randint(5, 30)))
    elif k == "paused":
        row.update(status="暂停", need_clarity="潜在", budget_status="不明确", decision_chain="长",
                   verified_on=D(a[0]), expected_close=rng.choice([None, D("2024-09-30")]))
    elif k == "hot":
        row.update(need_clarity="明确", budget_status=rng.choice(["已审批", "已审批", "明确"]), decision_chain="短",
                   expected_close=D(a[0]), verified_on=_days(D("2024-03-25"), rng.randint(0, 5)),
                   budget=rng.choice(["50-80万", "80-120万", "30-50万"]))
    elif k in ("warm", "due"):
        close = D(a[0]) if k == "warm" else _days(D("2024-04-01"), rng.randint(30, 80))
        row.update(need_clarity=rng.choice(["明确", "初步"]), budget_status=rng.choice(["明确", "不明确"]),
                   decision_chain=rng.choice(["长", "未知", "短"]), expected_close=close,
                   verified_on=_days(D("2024-03-25"), rng.randint(0, 6)) if k == "warm" else D(a[0]))
    elif k == "stale":
        row.update(need_clarity="初步", budget_status="不明确", decision_chain=rng.choice(["长", "未知"]),
                   expected_close=_days(D("2024-04-15"), rng.randint(0, 45)), verified_on=D(a[0]))
    elif k == "cold":
        row.update(need_clarity="潜在", budget_status="不明确", decision_chain="未知", budget=None,
                   verified_on=_days(D("2024-03-18"), rng.randint(0, 10)))
    elif k == "new":
        row.update(need_clarity=rng.choice(["初步", "潜在"]), budget_status="不明确", decision_chain="未知",
                   verified_on=c.first_contact, budget=rng.choice([None, "20-30万"]))
    row["verified_on"] = max(row["verified_on"], c.first_contact) if row["verified_on"] else None
    fixed = FIXED.get(c.name, {})
    row.update(fixed)
    row.update(SERVICE.get(c.name, {}))
    return row


def deals(g: Generator, c: Customer) -> None:
    """Conversion rows of a won customer (two for the repeat accounts); amounts within the budget."""
    from ..model.parse import parse_budget

    budget = parse_budget(c.row.get("budget")) or (200_000.0, 500_000.0)
    for i, when in enumerate(c.args):
        low, high = budget
        amount = g.rng.randint(int(low // 10_000), max(int(high // 10_000), int(low // 10_000)))
        if i == 1 and c.kind == "repeat":  # the repurchase: more licences
            amount = max(8, amount // 3)
        style = g.rng.random()
        text: Any = (f"{amount}万" if style < 0.6 else amount * 10_000 if style < 0.85 else f"¥{amount * 10_000:,}")
        product = PRODUCTS.get(c.row["need"], c.row["need"].replace("采购", ""))
        if c.kind == "repeat" and i == 1:
            product, factor = "增购用户授权", "老客户复购，使用效果好"
        elif c.source == "转介绍" and g.rng.random() < 0.7:
            factor = REFERRAL_FACTOR
        else:
            factor = g.rng.choice(FACTORS)
        c.deals.append({"customer": c.name, "date": D(when), "amount": text, "product": product,
                        "key_factor": factor, "owner": c.owner})


def tier_history(g: Generator, c: Customer) -> None:
    """The tier-log rows the team typed for this customer over the months."""
    k, a, first = c.kind, c.args, c.first_contact

    def log(day: dt.date, tier: str, reason: str) -> None:
        if D("2023-11-01") <= day <= LAST_DAY:
            c.tiers.append({"customer": c.name, "tier": tier, "reason": reason, "date": day, "owner": c.owner})

    if c.name == "科技有限公司":
        log(first, "B", "展会推荐，需求初步明确")
        return
    if c.name == "YY贸易集团":
        log(first, "C", "线上广告线索，需求待确认")
        return
    entry = _days(first, g.rng.randint(0, 2))
    if k == "won":
        if g.rng.random() < 0.6:
            log(entry, "B", "首次接触，有明确需求")
        else:
            log(entry, "C", "首次接触，需求待确认")
        log(_days(D(a[0]), -g.rng.randint(4, 10)), "A", "需求明确,预算已审批,进入合同阶段")
    elif k == "repeat":
        log(_days(D(a[1]), -30), "A", "老客户复购意向，升级为A")
    elif k == "lost":
        log(entry, "B", "有明确需求，预算待确认")
        log(D(a[0]), "C", f"客户流失：{a[1]}")
    elif k == "paused":
        log(entry, "B", "需求初步明确")
        log(D(a[0]), "C", "项目暂停，降级培育")
    elif k == "hot":
        log(entry, "B", "需求明确，预算审批中")
        log(_days(D("2024-03-16"), g.rng.randint(0, 10)), "A", "需求明确,预算已审批,决策链短,预计两周内成交")
    elif k in ("warm", "due", "stale"):
        if g.rng.random() < 0.4:
            log(entry, "C", "初次接触，需求待确认")
            log(_days(entry, g.rng.randint(7, 20)), "B", "需求明确，预计一季度内成交")
        else:
            log(entry, "B", "有明确需求，预算待定")
    elif k == "cold" and c.name != "华信物流集团":
        log(entry, "C", "暂无明确需求")


def generate() -> dict[str, list[dict[str, Any]]]:
    """The sample's rows in zh-Hans, by sheet key, with canonical column keys."""
    g = Generator()
    customers = plan()
    for c in customers:
        c.row = customer_row(g, c)
    for c in customers:
        follow_ups(g, c)
        if c.kind in ("won", "repeat") and c.name != "科技有限公司":
            deals(g, c)
        tier_history(g, c)
    for c in customers:  # won accounts are re-verified at each after-sale contact
        if c.kind in ("won", "repeat") and c.touches:
            latest = max(_as_date(t["date"]) for t in c.touches)
            c.row["verified_on"] = max(c.row["verified_on"] or latest, latest)
    for (name, nth), colleague in COVERED_BY.items():
        c = next(x for x in customers if x.name == name)
        c.touches[nth]["owner"] = colleague
    typo_name, was, typed = FUTURE_TYPO
    for t in next(x for x in customers if x.name == typo_name).touches:
        if _as_date(t["date"]) == was:
            t["date"] = dt.datetime.combine(typed, t["date"].time())
            break
    else:
        raise AssertionError("the future-date typo needs a follow-up on " + str(was))
    follow = [t for c in customers for t in c.touches]
    tiers = [t for c in customers for t in c.tiers] + [dict(r) for r in TIERLOG_VERBATIM]
    convs = [d for c in customers for d in c.deals] + [dict(r) for r in CONVERSIONS_VERBATIM]
    rows = sorted((c.row for c in customers), key=lambda r: r["entered_on"])
    return {
        "customers": rows,
        "followups": sorted(follow, key=lambda r: _as_datetime(r["date"])),
        "tierlog": sorted(tiers, key=lambda r: r["date"]),
        "conversions": sorted(convs, key=lambda r: r["date"]),
        **service_records(),
    }


def service_records() -> dict[str, list[dict[str, Any]]]:
    """The complaints and surveys sheets' rows (sample_plan.py): kept apart from the four toolkit sheets,
    whose rows they do not change."""
    return {"complaints": sorted((dict(r) for r in COMPLAINTS_VERBATIM), key=lambda r: r["complained"]),
            "surveys": [dict(r) for r in SURVEYS_VERBATIM]}


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(0))


# --- languages -----------------------------------------------------------------------------------


def localise(rows: dict[str, list[dict[str, Any]]], lang: Lang) -> dict[str, list[dict[str, Any]]]:
    """The rows with list items and enumerations in `lang`; free text in traditional script for zh-Hant."""
    if lang == "zh-Hans":
        return rows
    out: dict[str, list[dict[str, Any]]] = {}
    for key, records in rows.items():
        sheet = SHEETS[key]
        out[key] = [{k: _localise_value(sheet.column(k).kind, sheet.column(k).list, sheet.column(k).enum, v, lang)
                     for k, v in r.items()} for r in records]
    return out


def _localise_value(kind: Kind, list_name: str | None, enum: str | None, value: Any, lang: Lang) -> Any:
    if not isinstance(value, str):
        return value
    if kind == Kind.CHOICE and enum:
        code = ENUMS[enum].parse(value)
        return ENUMS[enum].label(code, lang) if code else value
    if kind == Kind.TAGS:
        sep = "、" if lang != "en" else ", "
        return sep.join(_localise_item("tags", t, lang) for t in value.split("、"))
    if kind == Kind.LIST and list_name:
        return _localise_item(list_name, value, lang)
    return to_hant(value) if lang == "zh-Hant" else value


def _localise_item(list_name: str, value: str, lang: Lang) -> str:
    items = DEFAULT_LISTS.get(list_name, {}).get("zh-Hans", [])
    if value in items:
        return DEFAULT_LISTS[list_name][lang][items.index(value)]
    return to_hant(value) if lang == "zh-Hant" else value


_CACHE: dict[str, dict[str, list[dict[str, Any]]]] = {}


def data(lang: Lang = "zh-Hans") -> dict[str, list[dict[str, Any]]]:
    """The sample rows for a workbook in `lang` (sheet key → rows with canonical keys)."""
    if "zh-Hans" not in _CACHE:
        _CACHE["zh-Hans"] = generate()
    if lang not in _CACHE:
        _CACHE[lang] = localise(_CACHE["zh-Hans"], lang)
    return {k: [dict(r) for r in v] for k, v in _CACHE[lang].items()}


def owners(lang: Lang = "zh-Hans") -> list[str]:
    return [to_hant(o) for o in OWNERS] if lang == "zh-Hant" else list(OWNERS)


def settings(lang: Lang = "zh-Hans") -> Settings:
    """The sample team's Settings: the defaults with the owners list filled (today left blank)."""
    return Settings.defaults(lang).model_copy(update={"owners": owners(lang)})
