"""Settings: the team's rules, with SPEC.md's defaults, read from (and written to) the Settings sheet.

Layout of the Settings sheet (any language):
- columns A:C — one setting per row: label, value, explanation (row 1 is a header);
- columns E onward — one list per column: the list's label in row 1, its items below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .errors import SettingsError
from .frame import col_letter, quote_sheet
from .holidays import HOLIDAYS
from .i18n import LANGS, Lang, fold, pick
from .parse import parse_date
from .result import Summary
from .schema import SETTINGS_SHEET


@dataclass(frozen=True)
class Meta:
    """How a setting appears on the sheet: labels, explanation and the rule shown when it is bad."""

    hans: str
    hant: str
    en: str
    help_hans: str
    help_en: str
    rule: str

    def label(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]

    def help(self, lang: Lang) -> str:
        return pick(lang, self.help_hans, self.help_en)


_DAYS = "must be a whole number of days ≥ 1"

SCALARS: dict[str, Meta] = {
    "language": Meta("工作簿语言", "工作簿語言", "Workbook language",
                     "zh-Hans / zh-Hant / en；留空则按表头判断", "zh-Hans / zh-Hant / en; blank = from the headers",
                     "must be zh-Hans, zh-Hant or en"),
    "today": Meta("固定今天", "固定今天", "Fixed today", "留空=系统日期；填日期可复现结果",
                  "blank = the computer's date; a date makes runs reproducible", "must be a date or blank"),
    "cadence_a": Meta("A类跟进间隔(天)", "A類跟進間隔(天)", "Cadence tier A (days)", "A 类客户每天跟进",
                      "tier A: follow up daily", f"cadence for tier A {_DAYS}"),
    "cadence_b": Meta("B类跟进间隔(天)", "B類跟進間隔(天)", "Cadence tier B (days)", "B 类客户每 2–3 天跟进",
                      "tier B: every 2–3 days", f"cadence for tier B {_DAYS}"),
    "cadence_c": Meta("C类跟进间隔(天)", "C類跟進間隔(天)", "Cadence tier C (days)", "C 类客户每周跟进",
                      "tier C: weekly", f"cadence for tier C {_DAYS}"),
    "working_days": Meta("按工作日计算", "按工作日計算", "Count working days", "是=跳过周六日；否=按自然日",
                         "yes = skip weekends; no = calendar days", "must be yes/no (是/否)"),
    "daily_contact_limit": Meta("每日跟进上限", "每日跟進上限", "Follow-ups per day (max)",
                                "同一客户一天超过此数即过度跟进", "more than this in one day is over-contact",
                                "daily follow-up limit must be a whole number ≥ 1"),
    "c_weekly_limit": Meta("C类7天跟进上限", "C類7天跟進上限", "Tier C follow-ups per 7 days (max)",
                           "C 类客户在「过度跟进统计天数」内超过此数即过度跟进",
                           "tier C: more than this within the over-contact window is over-contact",
                           "tier C weekly limit must be a whole number ≥ 1"),
    "a_close_days": Meta("A类成交窗口(天)", "A類成交窗口(天)", "Tier A close window (days)",
                         "预计在此天数内成交才可能是 A 类", "expected close within this many days for tier A",
                         f"tier A close window {_DAYS}"),
    "b_close_days": Meta("B类成交窗口(天)", "B類成交窗口(天)", "Tier B close window (days)",
                         "预计在此天数内成交为 B 类", "expected close within this many days for tier B",
                         f"tier B close window {_DAYS}"),
    "entry_lag_hours": Meta("录入时限(小时)", "錄入時限(小時)", "Entry lag (hours)", "首次接触后多少小时内录入",
                            "record a customer within this many hours of first contact",
                            "entry lag must be a whole number of hours ≥ 1"),
    "verify_age_days": Meta("核实周期(天)", "核實週期(天)", "Verification age (days)", "超过此天数未核实则提醒",
                            "warn when verification is older than this", f"verification age {_DAYS}"),
    "churn_nps_below": Meta("流失预警NPS低于", "流失預警NPS低於", "Churn: NPS below",
                            "NPS 低于此值且长期未成交为高风险", "NPS below this and no recent conversion = high risk",
                            "churn NPS threshold must be a whole number between -100 and 100"),
    "churn_no_conversion_days": Meta("流失预警无成交天数", "流失預警無成交天數", "Churn: days without conversion",
                                     "超过此天数无成交", "days without a conversion", f"churn window {_DAYS}"),
    "cadence_won": Meta("已成交客户联系间隔(天)", "已成交客戶聯繫間隔(天)", "Won accounts: contact every (days)",
                        "维护期已成交客户每 30 天轻触达一次（任何跟进）",
                        "light touch: keep in touch with won accounts this often (any follow-up)",
                        f"won-account contact interval {_DAYS}"),
    "churn_gap_factor": Meta("流失预警跟进间隔倍数", "流失預警跟進間隔倍數", "Churn: follow-up gap factor",
                             "已成交客户超过「联系间隔×此倍数」天未联系为中风险",
                             "won account not contacted for this many times its contact interval = medium risk",
                             "gap factor must be a number ≥ 1 (e.g. 2)"),
    "pareto_share": Meta("A类贡献占比", "A類貢獻佔比", "Tier A revenue share",
                         "已成交客户中贡献前 80% 金额者为 A 类", "won accounts making up this share of revenue are A",
                         "revenue share must be a fraction between 0 and 1 (e.g. 80%)"),
    "value_window_months": Meta("价值统计月数", "價值統計月數", "Value window (months)", "按近 12 个月金额分级",
                                "trailing months used to value won accounts",
                                "value window must be a whole number of months ≥ 1"),
    "thank_you_days": Meta("成交感谢(天内)", "成交感謝(天內)", "After-sale thank-you (days)", "成交后 1 天内致谢",
                           "thank the customer within this many days", f"thank-you window {_DAYS}"),
    "check_in_days": Meta("回访电话(天内)", "回訪電話(天內)", "After-sale check-in call (days)",
                          "成交后 3 天内回访", "check-in call within this many days", f"check-in window {_DAYS}"),
    "guide_days": Meta("使用指南(天内)", "使用指南(天內)", "After-sale guide / value report (days)",
                       "成交后 1 周内发使用指南/价值报告", "usage guide or value report within this many days",
                       f"guide window {_DAYS}"),
    "survey_days": Meta("满意度调研周期(天)", "滿意度調研週期(天)", "Satisfaction survey every (days)",
                        "每季度一次满意度调研", "quarterly satisfaction survey", f"survey interval {_DAYS}"),
    "w_recency": Meta("健康度权重-最近成交", "健康度權重-最近成交", "Health weight: recency", "RFM 中 R 的权重",
                      "weight of R in the health score", "weight must be a number between 0 and 1"),
    "w_frequency": Meta("健康度权重-成交频次", "健康度權重-成交頻次", "Health weight: frequency", "RFM 中 F 的权重",
                        "weight of F in the health score", "weight must be a number between 0 and 1"),
    "w_monetary": Meta("健康度权重-成交金额", "健康度權重-成交金額", "Health weight: monetary", "RFM 中 M 的权重",
                       "weight of M in the health score", "weight must be a number between 0 and 1"),
    "w_nps": Meta("健康度权重-NPS", "健康度權重-NPS", "Health weight: NPS", "NPS 的权重（四项合计 1）",
                  "weight of NPS (the four add up to 1)", "weight must be a number between 0 and 1"),
    "money_unit": Meta("金额单位", "金額單位", "Money unit", "复盘中金额显示为 万 或 元",
                       "show review amounts in 万 (10,000) or 元 (yuan)", "money unit must be 万 or 元"),
    "issues_per_rule": Meta("问题清单每类最多行数", "問題清單每類最多行數", "Issues sheet: rows per rule (max)",
                            "问题清单中每个表每条规则最多列出的行数；其余的见该表「校验结果」列",
                            "rows listed per sheet and rule on the Issues sheet; the rest are in that sheet's "
                            "check column", "rows per rule must be a whole number ≥ 1"),
    # (new settings go last, so an existing Settings sheet keeps its rows)
    "contact_window_days": Meta("过度跟进统计天数", "過度跟進統計天數", "Over-contact window (days)",
                                "统计最近几天的跟进次数（C 类上限与单日上限都在此期间内计）",
                                "follow-ups are counted over this many days up to today (tier C and per-day limits)",
                                f"over-contact window {_DAYS}"),
    "a_sign_days": Meta("A类签约目标(天)", "A類簽約目標(天)", "Tier A: sign within (days)",
                        "成为 A 类后此天数内未签约即列入今日待办", "a tier A lead not signed this many days after "
                        "becoming A is listed on Today", f"tier A signing goal {_DAYS}"),
    "b_upgrade_days": Meta("B类升A目标(天)", "B類升A目標(天)", "Tier B: reach A within (days)",
                           "成为 B 类后此天数内未升为 A 类即列入今日待办", "a tier B lead not A this many days after "
                           "becoming B is listed on Today", f"tier B upgrade goal {_DAYS}"),
    "c_screen_days": Meta("C类筛选反馈天数", "C類篩選反饋天數", "Tier C screening: feedback within (days)",
                          "月度复盘列出近此天数内有正面反馈或预计成交临近的 C 类客户",
                          "the review lists tier C leads with positive feedback within this many days of the "
                          "month end, or an expected close coming", f"tier C screening window {_DAYS}"),
    "visit_days": Meta("已成交客户拜访间隔(天)", "已成交客戶拜訪間隔(天)", "Won accounts: visit every (days)",
                       "维护期每季度拜访一次（跟进方式或内容含 拜访）", "quarterly visit (a follow-up saying visit)",
                       f"won-account visit interval {_DAYS}"),
    "needs_review_days": Meta("需求复盘间隔(天)", "需求復盤間隔(天)", "Won accounts: needs review every (days)",
                              "每半年一次需求复盘（内容含 需求复盘 / 需求回顾）",
                              "half-yearly needs review (a follow-up saying needs review)",
                              f"needs review interval {_DAYS}"),
    "strategic_days": Meta("A类战略沟通间隔(天)", "A類戰略溝通間隔(天)", "Tier A accounts: strategic talk every (days)",
                           "A 类已成交客户每季度一次战略沟通（内容含 战略）",
                           "tier A won accounts: quarterly strategic talk (a follow-up saying strategic)",
                           f"strategic talk interval {_DAYS}"),
    "churn_task_days": Meta("中风险预警处理期限(天)", "中風險預警處理期限(天)", "Medium churn warning: act within (days)",
                            "中风险客户的流失预警须在几天内跟进（高风险当天）；跟进后预警关闭",
                            "days to follow up a medium-risk warning (high risk: the same day); a follow-up closes it",
                            f"medium churn warning window {_DAYS}"),
    "winback_days": Meta("流失客户挽回间隔(天)", "流失客戶挽回間隔(天)", "Win-back: re-contact lost customers after (days)",
                         "流失日期后多少天再联系流失客户（按原因另设见右侧列表）",
                         "days after 流失日期 / Lost on to contact a lost customer again (per reason: the list)",
                         f"win-back interval {_DAYS}"),
    "greeting_days": Meta("问候提前天数", "問候提前天數", "Greetings: days ahead",
                          "生日、合作周年日和节日前几天列入今日待办（0 = 当天）",
                          "list birthdays, anniversaries and holidays on Today this many days ahead (0 = that day)",
                          "greeting days ahead must be a whole number of days ≥ 0"),
    # service records (issue 23): complaint response limits
    "complaint_confirm_minutes": Meta("投诉确认时限(分钟)", "投訴確認時限(分鐘)", "Complaints: confirm within (minutes)",
                                      "投诉后多少分钟内确认（未解决且超时的投诉列入今日待办）",
                                      "confirm a complaint within this many minutes (open complaints past it are "
                                      "on Today)", "complaint confirmation limit must be a whole number of minutes ≥ 1"),
    "complaint_solution_hours": Meta("投诉初步方案时限(小时)", "投訴初步方案時限(小時)",
                                     "Complaints: first solution within (hours)",
                                     "投诉后多少小时内给出初步方案", "give a first solution within this many hours of "
                                     "the complaint", "complaint first-solution limit must be a whole number of hours ≥ 1"),
    # service records: referrals
    "referral_thanks_days": Meta("推荐感谢提醒(天)", "推薦感謝提醒(天)", "Referral thank-you: listed for (days)",
                                 "被推荐客户签约后，推荐人的负责人在此天数内收到感谢提醒（跟进过推荐人即关闭）",
                                 "a referred lead's signing puts a thank-you for its referrer on Today for this many "
                                 "days (a thank-you follow-up with the referrer closes it)",
                                 f"referral thank-you window {_DAYS}"),
    # merge (crm-xl merge): who gets a 撞单 (two reps, one customer) and who decides
    "clash_rule": Meta("撞单归属", "撞單歸屬", "Clash: customer goes to",
                       "两人跟进同一客户（撞单）时：先接触 / 先签约 / 主管裁定",
                       "two reps on one customer: earlier contact / earlier signing / manager decides",
                       "must be 先接触, 先签约 or 主管裁定 (earlier contact / earlier signing / manager decides)"),
    "clash_manager": Meta("撞单主管", "撞單主管", "Clash manager",
                          "客户无“主管”时，撞单列入此人的今日待办；留空则列入“主管”一栏",
                          "clashes of customers with no 主管 / Manager go on this person's Today; blank = a "
                          "'Manager' block",
                          "must be a name or blank"),
}
# the clash rules: code → the words that name it (any language)
CLASH_RULES: dict[str, tuple[str, str, str]] = {
    "contact": ("先接触", "先接觸", "earlier contact"),
    "signing": ("先签约", "先簽約", "earlier signing"),
    "manager": ("主管裁定", "主管裁定", "manager decides"),
}
WEIGHTS = ("w_recency", "w_frequency", "w_monetary", "w_nps")

LISTS: dict[str, Meta] = {
    "sources": Meta("来源", "來源", "Sources", "", "", "list"),
    "methods": Meta("跟进方式", "跟進方式", "Methods", "", "", "list"),
    "industries": Meta("行业", "行業", "Industries", "", "", "list"),
    "owners": Meta("负责人", "負責人", "Owners", "", "", "list"),
    "tags": Meta("标签", "標籤", "Tags", "", "", "list"),
    "lost_reasons": Meta("未成交原因", "未成交原因", "Lost reasons", "", "", "list"),
    "upsell_tags": Meta("复购/增购标签", "復購/增購標籤", "Repurchase / upsell tags", "", "", "list"),
    "winback_reasons": Meta("挽回间隔(按原因)", "挽回間隔(按原因)", "Win-back days by lost reason", "", "", "list"),
    "holidays": Meta("节日", "節日", "Holidays", "", "", "list"),
    "preferences": Meta("沟通偏好", "溝通偏好", "Contact preferences", "", "", "list"),
}

DEFAULT_LISTS: dict[str, dict[Lang, list[str]]] = {
    "sources": {
        "zh-Hans": ["展会推荐", "转介绍", "线上广告", "官网", "电话营销", "其他"],
        "zh-Hant": ["展會推薦", "轉介紹", "線上廣告", "官網", "電話營銷", "其他"],
        "en": ["Trade show", "Referral", "Online ads", "Website", "Telemarketing", "Other"],
    },
    "methods": {
        "zh-Hans": ["电话", "微信", "邮件", "拜访", "视频会议", "其他"],
        "zh-Hant": ["電話", "微信", "郵件", "拜訪", "視訊會議", "其他"],
        "en": ["Phone", "WeChat", "Email", "Visit", "Video call", "Other"],
    },
    "industries": {
        "zh-Hans": ["互联网", "制造业", "零售", "金融", "医疗", "教育", "物流", "文化传媒", "其他"],
        "zh-Hant": ["互聯網", "製造業", "零售", "金融", "醫療", "教育", "物流", "文化傳媒", "其他"],
        "en": ["Internet", "Manufacturing", "Retail", "Finance", "Healthcare", "Education", "Logistics",
               "Media", "Other"],
    },
    "owners": {"zh-Hans": [], "zh-Hant": [], "en": []},
    "tags": {
        "zh-Hans": ["价格敏感", "决策链长", "竞品对比中", "复购意向", "增购意向", "重点客户"],
        "zh-Hant": ["價格敏感", "決策鏈長", "競品對比中", "復購意向", "增購意向", "重點客戶"],
        "en": ["Price sensitive", "Long decision chain", "Comparing competitors", "Repurchase intent",
               "Upsell intent", "Key account"],
    },
    "lost_reasons": {
        "zh-Hans": ["价格异议", "需求不明确", "选择竞品", "预算不足", "其他"],
        "zh-Hant": ["價格異議", "需求不明確", "選擇競品", "預算不足", "其他"],
        "en": ["Price objection", "Need unclear", "Chose competitor", "Budget short", "Other"],
    },
    "winback_reasons": {
        "zh-Hans": ["价格异议：60"],
        "zh-Hant": ["價格異議：60"],
        "en": ["Price objection: 60"],
    },
    "holidays": {lang: [f"{name}：{day}" if lang != "en" else f"{name}: {day}" for name, day in days]
                 for lang, days in HOLIDAYS.items()},
    "preferences": {  # the same channels as `methods`, item by item (a preference is compared with the method)
        "zh-Hans": ["电话", "微信", "邮件", "拜访", "视频会议"],
        "zh-Hant": ["電話", "微信", "郵件", "拜訪", "視訊會議"],
        "en": ["Phone", "WeChat", "Email", "Visit", "Video call"],
    },
    "upsell_tags": {
        "zh-Hans": ["复购意向", "增购意向"],
        "zh-Hant": ["復購意向", "增購意向"],
        "en": ["Repurchase intent", "Upsell intent"],
    },
}


@dataclass(frozen=True)
class SettingsNote:
    """A label on the Settings sheet that names no setting or list (renamed, mistyped): its value is unused."""

    sheet: str  # the Settings sheet's name
    row: int
    col: int  # 1-based: 1 for a setting's label (column A), 5… for a list's name (row 1)
    label: str

    @property
    def address(self) -> str:
        return f"{col_letter(self.col)}{self.row}"

    @property
    def cell(self) -> str:
        return f"{quote_sheet(self.sheet)}!{self.address}"

    def message(self, lang: Lang) -> str:
        """What is wrong and what to do, in the workbook's language."""
        if self.col == 1:
            return pick(lang, "“{label}”不是已知的设置项，B{row} 的值未被使用（请改回原来的设置项名称）",
                        '"{label}" is not a known setting, so the value in B{row} is not used '
                        "(give the row its original label back)",
                        "「{label}」不是已知的設定項，B{row} 的值未被使用（請改回原來的設定項名稱）",
                        ).format(label=self.label, row=self.row)
        return pick(lang, "“{label}”不是已知的清单名称，其下的清单未被使用（请改回原来的清单名称）",
                    '"{label}" is not a known list name, so the list below it is not used '
                    "(give the list its original name back)",
                    "「{label}」不是已知的清單名稱，其下的清單未被使用（請改回原來的清單名稱）").format(label=self.label)


class Settings(BaseModel):
    """The rules in force. Every number and list of SPEC.md, editable on the Settings sheet."""

    model_config = ConfigDict(validate_assignment=True)

    language: Lang | None = None
    today: dt.date | None = None
    cadence_a: int = Field(1, ge=1)
    cadence_b: int = Field(3, ge=1)
    cadence_c: int = Field(7, ge=1)
    working_days: bool = False
    daily_contact_limit: int = Field(1, ge=1)
    c_weekly_limit: int = Field(2, ge=1)
    a_close_days: int = Field(14, ge=1)
    b_close_days: int = Field(90, ge=1)
    entry_lag_hours: int = Field(24, ge=1)
    verify_age_days: int = Field(7, ge=1)
    churn_nps_below: int = Field(0, ge=-100, le=100)
    churn_no_conversion_days: int = Field(90, ge=1)
    cadence_won: int = Field(30, ge=1)
    churn_gap_factor: float = Field(2.0, ge=1)
    pareto_share: float = Field(0.8, gt=0, le=1)
    value_window_months: int = Field(12, ge=1)
    thank_you_days: int = Field(1, ge=1)
    check_in_days: int = Field(3, ge=1)
    guide_days: int = Field(7, ge=1)
    survey_days: int = Field(90, ge=1)
    w_recency: float = Field(0.25, ge=0, le=1)
    w_frequency: float = Field(0.2, ge=0, le=1)
    w_monetary: float = Field(0.25, ge=0, le=1)
    w_nps: float = Field(0.3, ge=0, le=1)
    money_unit: str = Field("万", pattern="^(万|元)$")
    issues_per_rule: int = Field(1000, ge=1)
    contact_window_days: int = Field(7, ge=1)
    a_sign_days: int = Field(3, ge=1)
    b_upgrade_days: int = Field(14, ge=1)
    c_screen_days: int = Field(30, ge=1)
    visit_days: int = Field(90, ge=1)
    needs_review_days: int = Field(180, ge=1)
    strategic_days: int = Field(90, ge=1)
    churn_task_days: int = Field(7, ge=1)
    winback_days: int = Field(90, ge=1)
    greeting_days: int = Field(3, ge=0)
    complaint_confirm_minutes: int = Field(30, ge=1)  # service records (issue 23)
    complaint_solution_hours: int = Field(12, ge=1)
    referral_thanks_days: int = Field(30, ge=1)
    clash_rule: str = Field("contact", pattern="^(contact|signing|manager)$")
    clash_manager: str = ""
    sources: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["sources"]["zh-Hans"]))
    methods: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["methods"]["zh-Hans"]))
    industries: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["industries"]["zh-Hans"]))
    owners: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["tags"]["zh-Hans"]))
    lost_reasons: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["lost_reasons"]["zh-Hans"]))
    upsell_tags: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["upsell_tags"]["zh-Hans"]))
    winback_reasons: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["winback_reasons"]["zh-Hans"]))
    holidays: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["holidays"]["zh-Hans"]))
    preferences: list[str] = Field(default_factory=lambda: list(DEFAULT_LISTS["preferences"]["zh-Hans"]))

    _notes: tuple[SettingsNote, ...] = PrivateAttr(default=())
    _told: bool = PrivateAttr(default=False)

    @property
    def notes(self) -> tuple[SettingsNote, ...]:
        """The Settings sheet's rows and lists that were not understood (warnings; their values unused)."""
        return self._notes

    @classmethod
    def defaults(cls, lang: Lang = "zh-Hans") -> Settings:
        """Defaults with the lists in `lang` (an English workbook lists English sources …)."""
        lists = {k: list(v[lang]) for k, v in DEFAULT_LISTS.items()}
        return cls(**lists)

    def in_list(self, name: str, value: object) -> str | None:
        """The team's list item a value names (matched like headers), or None (see `matcher`)."""
        return None if value is None else self.matcher(name)(str(value))

    def matcher(self, name: str) -> Callable[[str], str | None]:
        """A function matching text against the team's list `name` → the team's item, or None.

        A default item written in another language counts when the team's list holds that item in some
        language (`Referral` → `转介绍`); an item the team removed is refused in every language."""
        team = {fold(item): item for item in getattr(self, name)}
        alias: dict[str, str] = {}
        defaults = DEFAULT_LISTS.get(name, {})
        for i in range(max((len(v) for v in defaults.values()), default=0)):
            variants = [items[i] for items in defaults.values() if i < len(items)]
            own = next((team[fold(v)] for v in variants if fold(v) in team), None)
            if own is not None:
                for v in variants:
                    alias.setdefault(fold(v), own)

        def match(text: str) -> str | None:
            key = fold(text)
            return team.get(key) or alias.get(key)

        return match

    def reason_days(self) -> list[tuple[str, int]]:
        """The win-back list as (lost reason, days) pairs, in list order (items checked when read)."""
        return [(name, int(value)) for name, value in (split_item(item) for item in self.winback_reasons)]

    def holiday_dates(self) -> list[tuple[str, dt.date]]:
        """The holiday list as (name, day) pairs, in list order (items checked when read)."""
        out = []
        for name, value in (split_item(item) for item in self.holidays):
            day = parse_date(value)
            out.append((name, day.date() if isinstance(day, dt.datetime) else day))
        return out

    def is_upsell_tag(self, tag: str) -> bool:
        keys = {fold(t) for t in self.upsell_tags}
        for lang in LANGS:
            keys |= {fold(t) for t in DEFAULT_LISTS["upsell_tags"][lang]}
        return fold(tag) in keys


_SEPARATORS = ("：", ":", "=")


def split_item(item: str) -> tuple[str, str]:
    """`价格异议：60` → ('价格异议', '60'): a name and a value around the last ：, : or = (ValueError when
    there is none, or either side is blank)."""
    at = max(item.rfind(sep) for sep in _SEPARATORS)
    name, value = item[:at].strip(), item[at + 1:].strip()
    if at < 0 or not name or not value:
        raise ValueError(item)
    return name, value


def _item_ok(key: str, item: str) -> bool:
    """Whether an item of a paired list (win-back days, holidays) reads."""
    try:
        _, value = split_item(item)
        if key == "winback_reasons":
            return value.isdigit() and int(value) >= 1
        return parse_date(value) is not None
    except ValueError:
        return False


PAIRED = {
    "winback_reasons": ("items must read 'lost reason: days' (whole days ≥ 1), e.g. 价格异议：60",
                        "每项应为“未成交原因：天数”（≥ 1 的整数天数），如 价格异议：60"),
    "holidays": ("items must read 'holiday: date', e.g. 春节：2026-02-17", "每项应为“节日：日期”，如 春节：2026-02-17"),
}


_BOOL = {"是": True, "否": False, "yes": True, "no": False, "true": True, "false": False, "y": True, "n": False,
         "1": True, "0": False, "對": True, "对": True}


def _label_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for key, meta in SCALARS.items():
        for text in (key, meta.hans, meta.hant, meta.en):
            idx[fold(text)] = key
    return idx


def _list_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for key, meta in LISTS.items():
        for text in (key, meta.hans, meta.hant, meta.en):
            idx[fold(text)] = key
    return idx


def _convert(key: str, raw: Any, cell: str, lang: Lang = "en") -> Any:
    meta = SCALARS[key]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    field = Settings.model_fields[key]
    ann = field.annotation
    try:
        if key == "language":
            text = str(raw).strip()
            for code in LANGS:
                if fold(code) == fold(text) or fold(text) in {fold(x) for x in _LANG_WORDS[code]}:
                    return code
            raise ValueError
        if key == "today":
            value = parse_date(raw)
            if value is None:
                raise ValueError
            return value.date() if isinstance(value, dt.datetime) else value
        if key == "clash_rule":
            code = next((c for c, words in CLASH_RULES.items() if fold(str(raw)) in {fold(c), *map(fold, words)}), None)
            if code is None:
                raise ValueError
            return code
        if ann is bool:
            if isinstance(raw, bool):
                return raw
            return _BOOL[fold(str(raw))]
        if ann is int:
            if isinstance(raw, bool):
                raise ValueError
            num = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
            if num != int(num):
                raise ValueError
            value = int(num)
        elif ann is float:
            text = str(raw).strip()
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        else:
            value = str(raw).strip()
        Settings.model_validate({key: value})  # range check
        return value
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise SettingsError(cell, meta.rule, raw, _said(cell, meta.label, meta.rule, raw, lang), lang) from exc


_LANG_WORDS: dict[Lang, tuple[str, ...]] = {
    "zh-Hans": ("简体中文", "简体", "中文"),
    "zh-Hant": ("繁體中文", "繁體", "繁体中文", "繁体"),
    "en": ("English", "英文", "英语"),
}


class SettingsErrors(SettingsError):
    """Several bad Settings cells, reported at once: one line per cell (`problems` holds each one)."""

    def __init__(self, problems: list[SettingsError]) -> None:
        first = problems[0]
        super().__init__(first.cell, first.rule, first.value, first.message, first.lang)
        self.problems = tuple(problems)
        lang = first.lang or "en"
        head = pick(lang, f"设置表中有 {len(problems)} 个单元格有误：", f"{len(problems)} bad cells on the Settings sheet:",
                    f"設定表中有 {len(problems)} 個儲存格有誤：")
        self.message = head + "\n" + "\n".join(f"  {p.message}" for p in problems)
        self.args = (self.message,)
        self.fields["cells"] = [p.cell for p in problems]


def read_settings(grid: list[list[Any]], sheet_name: str, fallback_lang: Lang = "zh-Hans") -> Settings:
    """Settings from the cells of a Settings sheet (a list of rows starting at A1).

    Every bad value is reported at once: a SettingsError naming its cell (SettingsErrors when several).
    A label that names no setting or list is ignored, but kept in `Settings.notes` for the run to report.
    """
    values, cells, problems, notes = _read_scalars(grid, sheet_name)
    found_lists, list_notes = _read_lists(grid, sheet_name)
    problems = [*problems, *_paired_problems(grid, sheet_name)]
    problems = [p for _, p in sorted([*problems, *_weights_problem(values, cells, sheet_name)],
                                     key=lambda rp: rp[0])]  # (in row order)
    if problems:
        raise problems[0] if len(problems) == 1 else SettingsErrors(problems)
    lang: Lang = values.get("language") or fallback_lang
    settings = Settings.defaults(lang).model_copy(update={**values, **found_lists})
    settings._notes = (*notes, *list_notes)
    return settings


def _read_scalars(grid: list[list[Any]], sheet_name: str
                  ) -> tuple[dict[str, Any], dict[str, int], list[tuple[int, SettingsError]], list[SettingsNote]]:
    """(values by key, row of each key, the bad cells, the unknown labels) of columns A:B. A row with an
    unknown label and a blank B is not reported: it sets nothing (the note under the settings, a comment)."""
    labels = _label_index()
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    problems: list[tuple[int, SettingsError]] = []
    notes: list[SettingsNote] = []
    sheet = quote_sheet(sheet_name)
    for r, row in enumerate(grid, start=1):
        label = row[0] if row else None
        raw = row[1] if len(row) > 1 else None
        if _blank(label):
            continue
        key = labels.get(fold(str(label)))
        if key is None:
            if r > 1 and not _blank(raw):  # (row 1: the header)
                notes.append(SettingsNote(sheet_name, r, 1, str(label).strip()))
            continue
        rows[key] = r
        try:
            value = _convert(key, raw, f"{sheet}!B{r}", sheet_lang(sheet_name))
        except SettingsError as exc:
            problems.append((r, exc))
            continue
        if value is not None:
            values[key] = value
    return values, rows, problems, notes


def _read_lists(grid: list[list[Any]], sheet_name: str) -> tuple[dict[str, list[str]], list[SettingsNote]]:
    """(items of each list found, the unknown list names with items under them) from column E on."""
    lists = _list_index()
    header = grid[0] if grid else []
    found: dict[str, list[str]] = {}
    notes: list[SettingsNote] = []
    for c, head in enumerate(header):
        if c < 3 or _blank(head):
            continue
        items = [str(row[c]).strip() for row in grid[1:] if c < len(row) and not _blank(row[c])]
        key = lists.get(fold(str(head)))
        if key:
            found[key] = items
        elif items:
            notes.append(SettingsNote(sheet_name, 1, c + 1, str(head).strip()))
    return found, notes


def _paired_problems(grid: list[list[Any]], sheet_name: str) -> list[tuple[int, SettingsError]]:
    """(row, error) for each item of the paired lists (PAIRED) that does not read."""
    lists = _list_index()
    header = grid[0] if grid else []
    out: list[tuple[int, SettingsError]] = []
    lang = sheet_lang(sheet_name)
    for c, head in enumerate(header):
        key = lists.get(fold(str(head))) if c >= 3 and not _blank(head) else None
        if key not in PAIRED:
            continue
        rule, zh = PAIRED[key]
        for r, row in enumerate(grid[1:], start=2):
            if c < len(row) and not _blank(row[c]) and not _item_ok(key, str(row[c]).strip()):
                cell = f"{quote_sheet(sheet_name)}!{col_letter(c + 1)}{r}"
                said = None if lang == "en" else f"{cell}：" + pick(lang, f"{LISTS[key].label(lang)}{zh}，实际为“{row[c]}”", "")
                out.append((r, SettingsError(cell, f"{LISTS[key].en}: {rule}", row[c], said, lang)))
    return out


def _weights_problem(values: dict[str, Any], rows: dict[str, int], sheet_name: str
                     ) -> list[tuple[int, SettingsError]]:
    """The health weights in force adding up to 0 (each in 0…1, so all four are 0): (row, an error naming
    their cells)."""
    defaults = Settings()
    if sum(values.get(k, getattr(defaults, k)) for k in WEIGHTS) > 0:
        return []
    found = sorted(rows[k] for k in WEIGHTS if k in rows)
    sheet = quote_sheet(sheet_name)
    if found == list(range(found[0], found[-1] + 1)):
        cell = f"{sheet}!B{found[0]}" + (f":B{found[-1]}" if len(found) > 1 else "")
    else:
        cell = ", ".join(f"{sheet}!B{r}" for r in found)
    rule = "health weights (recency, frequency, monetary, NPS) must add up to more than 0"
    lang = sheet_lang(sheet_name)
    said = None if lang == "en" else f"{cell}：" + pick(lang, "健康度的四个权重（R/F/M/NPS）之和应大于 0，实际为 0",
                                                          "", "健康度的四個權重（R/F/M/NPS）之和應大於 0，實際為 0")
    return [(found[0], SettingsError(cell, rule, 0, said, lang))]


# what each rule asks, in Chinese (the English rules end with one of these predicates)
_PREDICATES = {
    "must be a whole number of days ≥ 1": "应为 ≥ 1 的整数天数",
    "must be a whole number of days ≥ 0": "应为 ≥ 0 的整数天数",
    "must be a whole number of hours ≥ 1": "应为 ≥ 1 的整数小时数",
    "must be a whole number of minutes ≥ 1": "应为 ≥ 1 的整数分钟数",
    "must be a whole number of months ≥ 1": "应为 ≥ 1 的整数月数",
    "must be a whole number between -100 and 100": "应为 -100 到 100 之间的整数",
    "must be a whole number ≥ 1": "应为 ≥ 1 的整数",
    "must be a number ≥ 1 (e.g. 2)": "应为 ≥ 1 的数（如 2）",
    "must be a fraction between 0 and 1 (e.g. 80%)": "应为 0 到 1 之间的比例（如 80%）",
    "must be a number between 0 and 1": "应为 0 到 1 之间的数",
    "must be 万 or 元": "应为 万 或 元",
    "must be a date or blank": "应为日期或留空",
    "must be yes/no (是/否)": "应为 是 或 否",
    "must be zh-Hans, zh-Hant or en": "应为 zh-Hans、zh-Hant 或 en",
}


def sheet_lang(sheet_name: str) -> Lang:
    """The language a Settings sheet's name is in (设置 / 設定 / Settings); English for a team's own name."""
    return SETTINGS_SHEET.lang_of(sheet_name, default="en")


def _said(cell: str, label: Callable[[Lang], str], rule: str, raw: Any, lang: Lang) -> str | None:
    """A bad Settings cell's message in Chinese (None in English: the rule says it already)."""
    if lang == "en":
        return None
    predicate = next((zh for en, zh in _PREDICATES.items() if rule.endswith(en)), None)
    if predicate is None:
        return None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        got = "实际为空"
    else:
        got = f"实际为“{raw}”" if isinstance(raw, str) else f"实际为 {raw}"
    return f"{cell}：" + pick(lang, f"{label(lang)}{predicate}，{got}", "")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def settings_rows(settings: Settings, lang: Lang) -> list[tuple[str, Any, str]]:
    """(label, value, explanation) rows for writing the Settings sheet."""
    rows = []
    for key, meta in SCALARS.items():
        value = getattr(settings, key)
        if isinstance(value, bool):
            value = pick(lang, "是" if value else "否", "yes" if value else "no")
        elif key == "clash_rule":
            value = CLASH_RULES[value][{"zh-Hans": 0, "zh-Hant": 1, "en": 2}[lang]]
        rows.append((meta.label(lang), value, meta.help(lang)))
    return rows


def tell_notes(summary: Summary, settings: Settings, lang: Lang, job: str) -> None:
    """Add the Settings labels not understood (`settings.notes`) to the summary of the first job run after the
    sheet was read: a table naming each cell, and as warnings (validate has counted them already, and lists
    them on the Issues sheet)."""
    told, settings._told = settings._told, True
    if told or not settings.notes:
        return
    if job != "validate":
        summary.warnings += len(settings.notes)
    summary.counts["settings_warnings"] = {n.cell: n.message(lang) for n in settings.notes}
    heads = [pick(lang, "单元格", "Cell"), pick(lang, "说明", "Message")]
    table = pd.DataFrame([[n.cell, n.message(lang)] for n in settings.notes], columns=heads)
    summary.tables.append((pick(lang, "设置表中未识别的项（已忽略）", "Settings not understood (ignored)",
                                "設定表中未識別的項（已忽略）"), table))
