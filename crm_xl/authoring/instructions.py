"""The text of the instructions sheet (使用说明): what crm-xl is, the five-step routine, colours, commands.

Pure data in the three languages; template.py lays it out. zh-Hant is derived from zh-Hans (i18n.pick).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.i18n import Lang, pick
from ..model.schema import (
    CHURN_SHEET,
    COMPLAINTS,
    CONVERSIONS,
    CUSTOMERS,
    FOLLOWUPS,
    HISTORY_SHEET,
    ISSUES_SHEET,
    REVIEW_SHEET,
    SETTINGS_SHEET,
    SURVEYS,
    TIERLOG,
    TODAY_SHEET,
)
from .vba import BUTTONS


@dataclass(frozen=True)
class Step:
    """One step of the routine: what the team does, where in the workbook, which button / command."""

    title: str
    what: str
    where: str
    how: str


def button_labels(lang: Lang) -> dict[str, str]:
    """Caption of each button by macro name without the module (`ValidateRows` → 校验数据)."""
    return {b.macro.split(".")[-1]: b.label(lang) for b in BUTTONS}


def title(lang: Lang) -> str:
    return pick(lang, "crm-xl 客户管理工作簿 · 使用说明", "crm-xl customer workbook · Instructions")


def intro(lang: Lang) -> str:
    return pick(
        lang,
        "这是销售团队共用的客户工作簿。团队在蓝色表头的列中录入客户、跟进、分级和成交记录；crm-xl "
        "（Excel 中的按钮或命令行）负责校验数据、按规则分级、提醒逾期跟进、评估客户健康度并生成月度复盘，"
        "结果写入琥珀色列和自动生成的工作表。所有阈值和下拉清单都在「设置」表中，团队可以自行修改。",
        "This is the sales team's shared customer workbook. The team types customers, follow-ups, tiers and "
        "deals in the columns with dark-blue headers; crm-xl (buttons in Excel, or the command line) checks "
        "the data, tiers customers by rule, flags overdue follow-ups, scores customer health and builds the "
        "monthly review, writing into the amber columns and the sheets it generates. Every threshold and "
        "dropdown list lives on the Settings sheet, where the team may change it.",
    )


def step_header(lang: Lang) -> list[str]:
    return [pick(lang, "步骤", "Step"), pick(lang, "做什么", "What the team does"),
            pick(lang, "在哪里", "Where in the workbook"), pick(lang, "按钮 / 命令", "Button / command")]


def steps(lang: Lang) -> list[Step]:
    c, f, t, v = (s.name(lang) for s in (CUSTOMERS, FOLLOWUPS, TIERLOG, CONVERSIONS))
    col = {k: CUSTOMERS.column(k).header(lang) for k in CUSTOMERS.keys}
    issues, today, churn = ISSUES_SHEET.name(lang), TODAY_SHEET.name(lang), CHURN_SHEET.name(lang)
    review, history = REVIEW_SHEET.name(lang), HISTORY_SHEET.name(lang)
    b = button_labels(lang)
    return [
        Step(
            pick(lang, "1 收集", "1 Collect"),
            pick(lang, "首次接触后 24 小时内录入客户；交叉核对信息；每周复核联系方式和需求。",
                 "Record a customer within 24 hours of first contact; cross-check the facts; re-verify "
                 "contact details and needs every week."),
            pick(lang, f"「{c}」每个客户一行，填写蓝色列；复核后更新「{col['verified_on']}」。",
                 f"{c}: one row per customer in the blue columns; update “{col['verified_on']}” after "
                 "each check."),
            pick(lang, f"按钮「{b['ValidateRows']}」或 crm-xl validate：每行写入「{col['check']}」，问题汇总到「{issues}」。",
                 f"Button “{b['ValidateRows']}” or crm-xl validate: writes “{col['check']}” on every row and "
                 f"lists the problems on “{issues}”."),
        ),
        Step(
            pick(lang, "2 分级", "2 Tier"),
            pick(lang, "按意向、紧迫度和潜力分为 A/B/C；每周及情况变化时重新分级。",
                 "A/B/C by intent, urgency and potential; re-tier weekly and whenever the situation "
                 "changes."),
            pick(lang, f"「{c}」的「{col['need_clarity']}」「{col['budget_status']}」「{col['decision_chain']}」"
                       f"「{col['expected_close']}」；需要固定级别时填「{col['tier_override']}」。",
                 f"{c}: “{col['need_clarity']}”, “{col['budget_status']}”, “{col['decision_chain']}”, "
                 f"“{col['expected_close']}”; to pin a tier, fill “{col['tier_override']}”."),
            pick(lang, f"按钮「{b['RecomputeTiers']}」或 crm-xl tiers：写入「{col['tier']}」「{col['tier_reason']}」，"
                       f"每次变化追加一行到「{t}」。",
                 f"Button “{b['RecomputeTiers']}” or crm-xl tiers: writes “{col['tier']}” and "
                 f"“{col['tier_reason']}”, and appends every change to “{t}”."),
        ),
        Step(
            pick(lang, "3 按级别跟进", "3 Follow up by tier"),
            pick(lang, "A 类每天跟进，3 天内推动签约；B 类每周 2–3 次，2 周内升为 A；C 类每周一次，以培育为主。"
                       "重价值，不重频率，不要过度打扰。",
                 "A: daily, push to sign within 3 days; B: 2–3 times a week, move to A within 2 weeks; C: "
                 "weekly, nurture. Value over frequency: do not pester."),
            pick(lang, f"「{f}」每次沟通一行：时间、方式、内容、反馈、下一步、下次跟进日期。",
                 f"{f}: one row per contact — date, method, content, feedback, next action, next date."),
            pick(lang, f"按钮「{b['FlagStale']}」或 crm-xl stale：写入「{col['last_follow_up']}」「{col['next_due']}」"
                       f"「{col['overdue_days']}」「{col['follow_status']}」，并生成「{today}」（按负责人）。",
                 f"Button “{b['FlagStale']}” or crm-xl stale: writes “{col['last_follow_up']}”, "
                 f"“{col['next_due']}”, “{col['overdue_days']}”, “{col['follow_status']}” and builds "
                 f"“{today}” (per owner)."),
        ),
        Step(
            pick(lang, "4 成交后维护", "4 Maintain after signing"),
            pick(lang, "24 小时内致谢，3 天内回访电话，1 周内发送使用指南/价值报告，每季度满意度调研；"
                       "节日和合作周年问候；被推荐的客户签约后感谢推荐人；有复购/增购意向的客户回到 A 类。",
                 "Thank-you within 24 h, check-in call within 3 days, usage guide / value report within a "
                 "week, satisfaction survey every quarter, greetings on holidays and anniversaries; thank the "
                 "referrer when a referred customer signs; customers with repurchase or upsell intent go back to A."),
            pick(lang, f"「{v}」每笔成交一行，客户状态改为「已成交」；调研得分填「{col['nps']}」；"
                       f"售后沟通记在「{f}」。",
                 f"{v}: one row per deal, and set the customer's status to Won; put the survey score in "
                 f"“{col['nps']}”; log after-sale contacts in {f}."),
            pick(lang, f"按钮「{b['AssessHealth']}」或 crm-xl health：写入「{col['health']}」「{col['churn_risk']}」，"
                       f"生成「{churn}」；crm-xl stale 同时提醒逾期的售后步骤。",
                 f"Button “{b['AssessHealth']}” or crm-xl health: writes “{col['health']}” and "
                 f"“{col['churn_risk']}” and builds “{churn}”; crm-xl stale also flags overdue after-sale "
                 "steps."),
        ),
        Step(
            pick(lang, "5 月度复盘", "5 Review monthly"),
            pick(lang, "哪些来源转化好、各级别成交周期多长、哪种跟进方式促成签约、为什么流失；决定下月调整。",
                 "Which sources convert, how long each tier takes to close, which follow-up methods sign, "
                 "why deals are lost; decide next month's changes."),
            pick(lang, f"自动生成「{review} YYYY-MM」和「{history}」；流失客户需填写"
                       f"「{col['lost_reason']}」「{col['lost_on']}」。",
                 f"Generated “{review} YYYY-MM” and “{history}”; lost customers need "
                 f"“{col['lost_reason']}” and “{col['lost_on']}”."),
            pick(lang, f"按钮「{b['BuildReview']}」或 crm-xl review --month 2024-03；"
                       f"「{b['RunAll']}」/ crm-xl run 依次运行全部五项。",
                 f"Button “{b['BuildReview']}” or crm-xl review --month 2024-03; “{b['RunAll']}” / crm-xl run "
                 "runs all five jobs in turn."),
        ),
    ]


def colour_heading(lang: Lang) -> str:
    return pick(lang, "颜色说明", "Colour key")


def colour_key(lang: Lang) -> list[tuple[str, str]]:
    """(style name, explanation): the style names are those of template.py."""
    return [
        ("header", pick(lang, "深蓝表头：由团队填写的列", "Dark-blue header: columns the team types")),
        ("computed_header", pick(lang, "琥珀色表头和单元格：crm-xl 写入的列，请勿手改（每次运行都会重写）",
                                 "Amber header and cells: columns crm-xl writes — do not edit (rewritten on "
                                 "every run)")),
        ("red", pick(lang, "逾期 / 校验问题 / 高流失风险", "Overdue / a check problem / high churn risk")),
        ("amber", pick(lang, "今日到期 / 中流失风险", "Due today / medium churn risk")),
        ("purple", pick(lang, "过度跟进：同一客户一天多次，或 C 类 7 天内超过 2 次",
                        "Over-contact: several follow-ups a day, or more than 2 in 7 days for tier C")),
        ("grey", pick(lang, "无跟进记录", "No follow-up yet")),
        ("green", pick(lang, "正常 / 校验通过（OK）", "On track / check passed (OK)")),
    ]


def colour_sample(lang: Lang) -> dict[str, str]:
    """The text shown in the coloured swatch of each colour_key row."""
    return {
        "header": CUSTOMERS.column("customer").header(lang),
        "computed_header": CUSTOMERS.column("tier").header(lang),
        "red": pick(lang, "逾期", "Overdue"),
        "amber": pick(lang, "今日到期", "Due today"),
        "purple": pick(lang, "过度跟进", "Over-contact"),
        "grey": pick(lang, "无跟进记录", "No follow-up yet"),
        "green": pick(lang, "正常", "On track"),
    }


def commands_heading(lang: Lang) -> str:
    return pick(lang, "命令行（在终端中运行；运行前请先在 Excel 中关闭此工作簿）",
                "Command line (run in a terminal; close the workbook in Excel first)")


def commands(lang: Lang) -> list[tuple[str, str]]:
    return [
        ("crm-xl new crm.xlsx [--lang zh-Hans|zh-Hant|en] [--sample]",
         pick(lang, "新建工作簿（--sample 带示例数据）", "create a workbook (--sample fills in sample data)")),
        ("crm-xl info crm.xlsx", pick(lang, "查看识别到的表、表头语言、行数和设置",
                                      "show the sheets found, header language, rows and settings")),
        ("crm-xl validate crm.xlsx", pick(lang, "校验每一行（有错误时退出码为 1）",
                                          "check every row (exit code 1 when there are errors)")),
        ("crm-xl tiers crm.xlsx", pick(lang, "重算 A/B/C 级别并记录变化", "recompute A/B/C tiers and log changes")),
        ("crm-xl stale crm.xlsx --today 2024-03-15", pick(lang, "跟进提醒和今日待办（--today 可指定日期）",
                                                          "follow-up status and the Today list (--today "
                                                          "fixes the date)")),
        ("crm-xl health crm.xlsx", pick(lang, "客户健康度和流失预警", "customer health and churn watch")),
        ("crm-xl review crm.xlsx --month 2024-03", pick(lang, "生成月度复盘（默认上一个完整月份）",
                                                         "build the monthly review (default: last full "
                                                         "month)")),
        ("crm-xl run crm.xlsx --out copy.xlsx", pick(lang, "一次运行全部；--out 写入副本而不修改原文件，"
                                                           "--backup 保留备份",
                                                     "run everything; --out writes a copy instead of "
                                                     "changing the file, --backup keeps a backup")),
    ]


def sheets_heading(lang: Lang) -> str:
    return pick(lang, "工作表", "Sheets")


def sheet_list(lang: Lang) -> list[tuple[str, str]]:
    return [
        (CUSTOMERS.name(lang), pick(lang, "客户主表：每个客户一行（表名 Customers）",
                                    "one row per customer (table Customers)")),
        (FOLLOWUPS.name(lang), pick(lang, "每次跟进一行（表名 FollowUps）", "one row per contact (table FollowUps)")),
        (TIERLOG.name(lang), pick(lang, "级别变化记录，只追加不修改；最新一行即当前记录的级别（表名 TierLog）",
                                  "tier history, append-only; the latest row per customer is its logged tier "
                                  "(table TierLog)")),
        (CONVERSIONS.name(lang), pick(lang, "每笔成交一行，金额可写 65万 / 650000 / ¥650,000（表名 Conversions）",
                                      "one row per deal; amounts like 65万, 650000 or ¥650,000 (table "
                                      "Conversions)")),
        # service records (issue 23): optional sheets
        (COMPLAINTS.name(lang), pick(lang, "可选：每次投诉一行，30 分钟内确认、12 小时内给出初步方案（表名 Complaints）",
                                     "optional: one row per complaint; confirm within 30 minutes, a first solution "
                                     "within 12 hours (table Complaints)")),
        (SURVEYS.name(lang), pick(lang, "可选：每次满意度调研一行，NPS 为 0–10 分（表名 Surveys）",
                                  "optional: one row per satisfaction survey, NPS scored 0–10 (table Surveys)")),
        (SETTINGS_SHEET.name(lang), pick(lang, "阈值和下拉清单，团队可修改", "thresholds and dropdown lists, "
                                                                          "editable by the team")),
        (ISSUES_SHEET.name(lang), pick(lang, "校验生成：每个问题一行，可点击跳转到单元格",
                                       "generated by validate: one row per problem, linked to its cell")),
        (TODAY_SHEET.name(lang), pick(lang, "跟进提醒生成：按负责人列出今天到期和逾期的客户",
                                      "generated by stale: what is due or overdue, per owner")),
        (f"{REVIEW_SHEET.name(lang)} YYYY-MM", pick(lang, "月度复盘生成，每月一张", "generated monthly review")),
        (HISTORY_SHEET.name(lang), pick(lang, "每个复盘月份一行", "one row per month reviewed")),
        (CHURN_SHEET.name(lang), pick(lang, "健康度生成：高/中流失风险客户及建议行动",
                                      "generated by health: accounts at risk and a suggested next step")),
    ]


def tips_heading(lang: Lang) -> str:
    return pick(lang, "小提示", "Tips")


def tips(lang: Lang, macros: bool = False, lite: bool = False) -> list[str]:
    if lite:
        buttons = pick(
            lang,
            "按钮由 xlwings Lite 加载项运行，无需安装 Python：在 Excel「开始 ▸ 加载项」中搜索 xlwings 并添加；"
            "打开本工作簿后点一次「信任并继续」（代码更新后再点一次）。",
            "The buttons run in the xlwings Lite add-in, with nothing to install: in Excel, Home ▸ Add-ins, "
            "search for xlwings and add it; then open this workbook and click “Trust and Continue” once "
            "(again after the code is updated).")
    elif macros:
        buttons = pick(lang, "按钮调用本机安装的 crm-xl：先安装 crm-xl 并运行 crm-xl excel-setup，然后启用宏。",
                       "The buttons call the crm-xl installed on this computer: install crm-xl, run crm-xl "
                       "excel-setup, then enable macros.")
    else:
        buttons = pick(lang, "此 .xlsx 文件没有按钮：请用命令行，或用 crm-xl new --lite（xlwings Lite 加载项，"
                       "无需安装 Python）或 --macros（.xlsm）新建带按钮的工作簿。",
                       "This .xlsx file has no buttons: use the command line, or create a workbook with "
                       "buttons with crm-xl new --lite (the xlwings Lite add-in, nothing to install) or "
                       "--macros (.xlsm).")
    return [
        buttons,
        pick(lang, "表头可以是简体、繁体或英文；列的顺序不限；可以加自己的列（crm-xl 会保留并忽略）。",
             "Headers may be in simplified or traditional Chinese or English, in any order; add columns of "
             "your own (crm-xl keeps and ignores them)."),
        pick(lang, "请不要改动表名（Customers、FollowUps、TierLog、Conversions）；在表格下方直接输入即可自动扩展。",
             "Keep the table names (Customers, FollowUps, TierLog, Conversions); type just below a table "
             "to extend it."),
        pick(lang, "下拉选项来自「设置」表的清单；新增来源、行业、负责人等请在清单末尾连续添加。",
             "Dropdowns come from the lists on the Settings sheet; add sources, industries, owners … at the "
             "end of a list, without gaps."),
        pick(lang, "日期请按 2024-03-01 的格式输入；金额和预算可写 65万、50-80万。",
             "Type dates like 2024-03-01; amounts and budgets like 65万 or 50-80万."),
    ]
