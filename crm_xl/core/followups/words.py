"""Every word the follow-up job shows, one table per language (zh-Hant is derived from zh-Hans)."""

from __future__ import annotations

from ...model.i18n import Lang, to_hant

ZH: dict[str, str] = {
    # follow_status of open / paused customers
    "ok": "正常",
    "due_today": "今日到期",
    "overdue": "逾期",
    "no_followup": "无跟进记录",
    "over_contact": "过度跟进",
    "paused": "暂停",
    # follow_status of won customers ({step}, {date})
    "after_sale": "售后：{step} 到期 {date}",
    "after_sale_today": "售后今日到期：{step}",
    "after_sale_overdue": "售后逾期：{step}",
    "after_sale_unknown": "售后：缺少成交日期",
    # status groups in summaries
    "group_after_sale": "售后（未到期）",
    "group_after_sale_today": "售后今日到期",
    "group_after_sale_overdue": "售后逾期",
    "group_after_sale_unknown": "售后：缺少成交日期",
    "group_lost": "已流失",
    # after-sale steps
    "thank_you": "成交感谢",
    "check_in": "回访电话",
    "guide": "使用指南/价值报告",
    "survey": "满意度调研",
    # Today sheet
    "title": "今日待办 {date}（{weekday}）",
    "weekdays": "星期一,星期二,星期三,星期四,星期五,星期六,星期日",
    "counts": "共 {total} 项：逾期 {overdue} · 今日到期 {today} · 无跟进记录 {new} · 售后 {after_sale}",
    "how": "每位负责人一块，按类别分组；组内 A 类优先，其次按逾期天数从多到少。点击客户名称可跳到客户信息表对应行。"
            "逾期天数按{days}计算。",
    "calendar_days": "日历日",
    "working_days": "工作日（周一至周五）",
    "nothing_due": "今天没有到期或逾期的跟进。",
    "unassigned": "未分配",
    # an owner's block: a heading with the counts of each kind, then one table per kind
    "owner_head": "{owner}：{n} 项（{counts}）",
    "kind_count": "{kind} {n}",
    "kind_sep": " · ",
    "kind_block": "{kind}（{n}）",
    "kind_overdue": "逾期跟进",
    "kind_today": "今日到期",
    "kind_after_sale": "售后",
    "kind_goal": "目标",
    "kind_churn": "流失预警",
    "kind_winback": "挽回",
    "kind_greeting": "问候",
    # a churn warning ({risk}: 高 / 中, {step}: the suggested step, {reasons}: the signals)
    "churn_item": "{risk}风险：{step}（{reasons}）",
    "counts_churn": " · 流失预警 {churn}",
    "headline_churn": "；流失预警 {churn}",
    "col_customer": "客户名称",
    "col_tier": "级别",
    "col_what": "待办事项",
    "col_overdue": "逾期天数",
    "col_due": "应跟进日期",
    "col_last": "最近跟进",
    "col_feedback": "最近反馈",
    "col_next": "下一步行动",
    "col_contact": "联系人",
    "col_phone": "联系方式",
    "over_title": "过度跟进提醒（近 {days} 天，注意跟进频率，重价值而非次数）",
    "col_rule": "提醒",
    "col_week": "近{days}天次数",
    "col_day_max": "单日最多",
    "col_owner": "负责人",
    "rule_daily": "单日跟进 {n} 次（上限 {limit} 次）",
    "rule_weekly": "C 类近 {days} 天跟进 {n} 次（上限 {limit} 次）",
    # a tier not logged nor typed ({tier}): appended to the follow-up status
    "tier_rules": "（{tier} 类按分级规则计算，未记录）",
    "tier_default": "（未分级，按 C 类跟进）",
    # a missed tier goal ({days} in the tier): a Today item, added to the follow-up status
    "goal_sign": "A 级 {days} 天未签约",
    "goal_upgrade": "B 级 {days} 天未升 A",
    "goal_sep": "；",
    "counts_goals": " · 级别目标 {goals}",
    "headline_goals": "；未达级别目标 {goals}",
    # won accounts' maintenance rhythm ({what}: the rhythm)
    "rhythm_overdue": "维护逾期：{what}",
    "rhythm_today": "维护今日到期：{what}",
    "light": "月度联系",
    "visit": "季度拜访",
    "needs_review": "半年需求复盘",
    "strategic": "季度战略沟通",
    "counts_rhythm": " · 维护 {rhythm}",
    "headline_rhythm": "；维护 {rhythm}",
    # summary
    "headline": "待办 {total} 项：逾期 {overdue}，今日到期 {today}，无跟进记录 {new}，售后 {after_sale}；"
                "过度跟进 {over}",
    "headline_none": "今日无待办；过度跟进 {over}",
    "no_customers": "没有客户信息表，未检查跟进",
    "by_status": "按跟进状态",
    "by_owner": "按负责人",
    "col_status": "跟进状态",
    "col_count": "客户数",
    "col_due_total": "今日待办",
}

EN: dict[str, str] = {
    "ok": "On track",
    "due_today": "Due today",
    "overdue": "Overdue",
    "no_followup": "No follow-up yet",
    "over_contact": "Over-contact",
    "paused": "Paused",
    "after_sale": "After-sale: {step} due {date}",
    "after_sale_today": "After-sale due today: {step}",
    "after_sale_overdue": "After-sale overdue: {step}",
    "after_sale_unknown": "After-sale: conversion date missing",
    "group_after_sale": "After-sale (upcoming)",
    "group_after_sale_today": "After-sale due today",
    "group_after_sale_overdue": "After-sale overdue",
    "group_after_sale_unknown": "After-sale: conversion date missing",
    "group_lost": "Lost",
    "thank_you": "thank-you",
    "check_in": "check-in call",
    "guide": "usage guide / value report",
    "survey": "satisfaction survey",
    "title": "Today {date} ({weekday})",
    "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    "counts": "{total} to do: {overdue} overdue · {today} due today · {new} no follow-up yet · "
              "{after_sale} after-sale",
    "how": "One block per owner, grouped by kind; tier A first within a kind, then most overdue. Click a "
           "customer to jump to its row on Customers. Days overdue are {days}.",
    "calendar_days": "calendar days",
    "working_days": "working days (Mon–Fri)",
    "nothing_due": "Nothing is due or overdue today.",
    "unassigned": "Unassigned",
    "owner_head": "{owner}: {n} to do ({counts})",
    "kind_count": "{kind} {n}",
    "kind_sep": " · ",
    "kind_block": "{kind} ({n})",
    "kind_overdue": "Overdue follow-ups",
    "kind_today": "Due today",
    "kind_after_sale": "After-sale",
    "kind_goal": "Tier goals",
    "kind_churn": "Churn warnings",
    "kind_winback": "Win-back",
    "kind_greeting": "Greetings",
    "churn_item": "{risk} risk: {step} ({reasons})",
    "counts_churn": " · {churn} churn warnings",
    "headline_churn": "; {churn} churn warnings",
    "col_customer": "Customer",
    "col_tier": "Tier",
    "col_what": "What is due",
    "col_overdue": "Days overdue",
    "col_due": "Due",
    "col_last": "Last contact",
    "col_feedback": "Last feedback",
    "col_next": "Next action",
    "col_contact": "Contact",
    "col_phone": "Phone / email",
    "over_title": "Over-contact (last {days} days): ease off, value over frequency",
    "col_rule": "Note",
    "col_week": "Last {days} days",
    "col_day_max": "Max a day",
    "col_owner": "Owner",
    "rule_daily": "{n} follow-ups in one day (limit {limit})",
    "rule_weekly": "tier C: {n} follow-ups in {days} days (limit {limit})",
    "tier_rules": " (tier {tier} computed by the tier rules, not logged)",
    "tier_default": " (not tiered: followed up as C)",
    "goal_sign": "tier A for {days} days, not signed",
    "goal_upgrade": "tier B for {days} days, not yet A",
    "goal_sep": "; ",
    "counts_goals": " · {goals} tier goals",
    "headline_goals": "; {goals} tier goals missed",
    "rhythm_overdue": "Maintenance overdue: {what}",
    "rhythm_today": "Maintenance due today: {what}",
    "light": "monthly touch",
    "visit": "quarterly visit",
    "needs_review": "half-yearly needs review",
    "strategic": "quarterly strategic talk",
    "counts_rhythm": " · {rhythm} maintenance",
    "headline_rhythm": "; {rhythm} maintenance",
    "headline": "{total} to do: {overdue} overdue, {today} due today, {new} no follow-up yet, "
                "{after_sale} after-sale; {over} over-contact",
    "headline_none": "Nothing due today; {over} over-contact",
    "no_customers": "no Customers sheet: follow-ups not checked",
    "by_status": "By follow-up status",
    "by_owner": "By owner",
    "col_status": "Follow-up status",
    "col_count": "Customers",
    "col_due_total": "To do today",
}

_HANT: dict[str, str] = {}


def words(lang: Lang) -> dict[str, str]:
    """The word table of a workbook language."""
    if lang == "en":
        return EN
    if lang == "zh-Hant":
        if not _HANT:
            _HANT.update({k: to_hant(v) for k, v in ZH.items()})
        return _HANT
    return ZH
