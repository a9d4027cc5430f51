"""The validation rules in one table: stable code, severity, message template in zh-Hans and English.

zh-Hant messages are derived from the zh-Hans template (never from the values put into it). Templates
take `col` (the header text), `value` (the cell, shown as text) and rule-specific fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...model.i18n import Lang, pick

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    """One validation rule. `hans` / `en` are str.format templates; `variants` are other templates of the same
    rule, by name (`blank`: the rule fires on a blank cell); its name for people is in TITLES."""

    code: str
    severity: Severity
    hans: str
    en: str
    doc: str  # when it fires (README / docs)
    variants: tuple[tuple[str, str, str], ...] = ()  # (name, hans, en)

    def template(self, lang: Lang, variant: str | None = None) -> str:
        """The message template in `lang` (zh-Hant derived from zh-Hans), or one of its variants."""
        if variant is None:
            return pick(lang, self.hans, self.en)
        hans, en = next((h, e) for name, h, e in self.variants if name == variant)
        return pick(lang, hans, en)

    def message(self, lang: Lang, variant: str | None = None, **fields: object) -> str:
        return self.template(lang, variant).format(**fields)


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("required", "error", "{col}为空（必填）", "{col} is blank (required)",
         "a required column is present but the cell is blank (customer, contact, owner; follow-up date, "
         "method, content, owner; tier-log tier and date; conversion date and amount)"),
    Rule("formula_no_value", "error", "{col}是没有保存结果的公式——请在 Excel 中打开并保存，或重新计算",
         "{col} is a formula without a saved value — open and save in Excel, or recalculate",
         "a required cell holds a formula with no saved value (written by openpyxl or another tool and never "
         "calculated): crm-xl reads only saved values, so the cell is as good as blank"),
    Rule("formula_no_value_optional", "warning", "{col}是没有保存结果的公式——请在 Excel 中打开并保存，或重新计算",
         "{col} is a formula without a saved value — open and save in Excel, or recalculate",
         "the same in an optional column: the jobs take the cell as blank"),
    Rule("cell_error", "error", "{col}是 Excel 错误值 {value}", "{col} holds the Excel error {value}",
         "the cell holds an error value such as #N/A or #REF!"),
    Rule("bad_type", "error", "{col}“{value}”应为{expected}", '{col} "{value}" should be {expected}',
         "a date, time or TRUE/FALSE in a name, contact, content, list, tag or phone column (free-text "
         "columns such as notes accept anything)"),
    Rule("not_in_list", "error", "{col}“{value}”不是允许的值（{allowed}）",
         '{col} "{value}" is not an allowed value ({allowed})',
         "a value outside its Settings list (industry, source, method, owner, lost reason; an empty list "
         "allows anything) or outside a fixed set (status, need clarity, budget status, decision chain, tier)"),
    Rule("unknown_tag", "warning", "{col}“{value}”不在设置的标签列表中", '{col} "{value}" is not in the Settings tag list',
         "a tag that is not in the Settings tag list (tags are descriptive, so a warning)"),
    Rule("bad_contact", "error",
         "{col}“{value}”不是有效的联系方式（11 位手机、带区号座机、+国际号码、邮箱或微信号）",
         '{col} "{value}" is not a phone number, e-mail or WeChat ID (11-digit mobile, landline with area code, '
         "+international, name@example.com, wxid_… or a WeChat ID of 6–20 letters, digits, _ or -)",
         "the contact (or WeChat) cell is no phone (CN mobile, landline with area code, +international; a note "
         "in brackets or an extension is fine), no e-mail and no WeChat ID (wxid_…, or 6–20 letters, digits, _ "
         "or - starting with a letter; labelled 微信：/企业微信：/WeChat: or not); several contacts in one cell "
         "must each be one (called bad_phone before WeChat IDs counted)"),
    Rule("bad_email", "error", "{col}“{value}”不是有效的邮箱地址", '{col} "{value}" is not a valid e-mail address',
         "the contact cell contains @ but is not a valid e-mail address"),
    Rule("bad_budget", "error", "{col}“{value}”不是预算范围（如 50-80万、50万、¥500,000-800,000）",
         '{col} "{value}" is not a budget range (e.g. 50-80万, 50万, ¥500,000-800,000)',
         "the budget cannot be read as a range or amount in yuan"),
    Rule("bad_amount", "error", "{col}“{value}”不是金额（如 65万、650000、¥650,000、6.5w）",
         '{col} "{value}" is not an amount (e.g. 65万, 650000, ¥650,000, 6.5w)',
         "the conversion amount cannot be read as money"),
    Rule("amount_not_positive", "error", "{col} {value} 不是正数（须大于 0）", "{col} {value} is not positive (must be > 0)",
         "the conversion amount is zero or negative"),
    Rule("bad_date", "error", "{col}“{value}”不是有效日期（如 2024-03-01）",
         '{col} "{value}" is not a valid date (e.g. 2024-03-01)',
         "a date column holds something that is not a date (or a date before 1980)"),
    Rule("future_date", "error", "{col} {value} 晚于今天（{today}）", "{col} {value} is after today ({today})",
         "first contact, entry, verification, lost-on, follow-up, tier-log, conversion, complaint or survey "
         "date after today"),
    Rule("bad_nps", "error", "{col}“{value}”不是 -100 到 100 之间的整数",
         '{col} "{value}" is not a whole number from -100 to 100', "NPS is not an integer in −100…100 (a survey's "
         "NPS score: 0…10)",
         (("score", "{col}“{value}”不是 0 到 10 之间的整数", '{col} "{value}" is not a whole number from 0 to 10'),)),
    Rule("unknown_customer", "error", "客户“{value}”不在{sheet}中", 'customer "{value}" is not on the {sheet} sheet',
         "a follow-up, tier-log or conversion row names a customer missing from Customers (same "
         "normalisation as duplicates; skipped when there is no Customers sheet)"),
    Rule("name_variant", "warning", "客户“{value}”在{sheet}中写作“{expected}”，请统一写法",
         'customer "{value}" is written "{expected}" on the {sheet} sheet: use one spelling',
         "a follow-up, tier-log or conversion (or a 推荐人 / Referred by cell) names a customer only up to "
         "suffixes or punctuation "
         "(科技 vs 科技有限公司): the other jobs link rows by the exact name (width, case and spaces aside)"),
    Rule("duplicate", "error", "与第 {row} 行重复（{what}）", "duplicates row {row} ({what})",
         "a customer with the same normalised name, phone, e-mail or WeChat ID as an earlier row (reported on the "
         "later row; a WeChat ID from the WeChat column, else from the contact cell)"),
    Rule("entry_lag", "warning", "{col} {value} 晚于首次接触 {first} 超过 {hours} 小时",
         "{col} {value} is more than {hours} h after first contact {first}",
         "entered more than entry_lag_hours after first contact (whole days when either date has no time); "
         "also a blank entry date whose first contact is more than that before today (not entered)",
         (("blank", "{col}为空：首次接触 {first} 后超过 {hours} 小时仍未录入",
           "not entered: {col} is blank and first contact {first} was more than {hours} h ago"),)),
    Rule("verification_old", "warning", "{col} {value} 已超过 {days} 天，请重新核实",
         "{col} {value} is more than {days} days old: verify again",
         "verified more than verify_age_days before today (leads only: won and lost customers are skipped); "
         "also never verified — the cell blank — for a lead or won customer first contacted (else entered) more "
         "than verify_age_days before today (lost customers, and rows with neither date, are skipped)",
         (("blank", "{col}为空：首次接触 {first} 已超过 {days} 天，请核实联系方式和需求",
           "{col} is blank: first contact {first} was more than {days} days ago — verify the contact and need"),
          ("blank_entered", "{col}为空：录入 {first} 已超过 {days} 天，请核实联系方式和需求",
           "{col} is blank: entered {first}, more than {days} days ago — verify the contact and need"))),
    Rule("won_without_conversion", "error", "{col}为“{value}”，但{sheet}中没有该客户的记录",
         '{col} is "{value}" but the {sheet} sheet has no row for this customer',
         "a won customer with no conversion row (skipped when there is no Conversions sheet)"),
    Rule("conversion_not_won", "warning", "有转化记录，但该客户在{sheet}中的状态为“{status}”（不是已成交）",
         'converted, but the customer\'s status on the {sheet} sheet is "{status}", not won',
         "a conversion whose customer is not marked won (a warning: the status may lag or the account "
         "may have churned since)"),
    Rule("lost_without_reason", "error", "客户已流失，但{col}为空", "customer is lost but {col} is blank",
         "status lost and the lost-reason cell blank (when the column exists)"),
    Rule("lost_without_date", "error", "客户已流失，但{col}为空", "customer is lost but {col} is blank",
         "status lost and the lost-on cell blank (when the column exists)"),
    Rule("duplicate_column", "warning",
         "{col}也在 {kept} 列（“{kept_header}”）：使用 {kept} 列，忽略此列{why}——请改名或删除其中一列",
         '{col} is also column {kept} ("{kept_header}"): column {kept} is used and this one{why} is ignored '
         "— rename or delete one of them",
         "two header cells name the same column (客户名称 twice, or an empty 公司名称 and a filled 客户姓名): "
         "the one with values is used, else the leftmost; reported on the header cell of the one ignored"),
    # service records (issue 23)
    Rule("complaint_order", "error", "{col} {value} 早于{other} {other_value}",
         "{col} {value} is before {other} {other_value}",
         "a complaint's times out of order: confirmed before the complaint, first solution before the "
         "confirmation (else the complaint), solved before the complaint"),
    # service records (optional Customers columns 推荐人, 主管, 沟通偏好; see people.py)
    Rule("unknown_referrer", "warning", "推荐人“{value}”不在{sheet}中", 'referrer "{value}" is not on the {sheet} sheet',
         "the optional 推荐人 / Referred by cell names no customer of Customers (same normalisation as "
         "duplicates): no thank-you reminder, and the review lists it apart"),
    Rule("self_referral", "warning", "推荐人“{value}”就是该客户本身", 'referrer "{value}" is the customer itself',
         "the 推荐人 / Referred by cell names the row's own customer"),
    Rule("a_without_manager", "warning", "A 类客户未填{col}（A 类客户应由主管负责）",
         "tier A customer with no {col} (tier A accounts are led by a manager)",
         "a tier A customer (锁定级别, else 当前级别, else its latest tier-log row; lost customers skipped) with "
         "the 主管 / Manager cell blank, when the column exists"),
    Rule("preference_mismatch", "warning", "最近 3 次跟进方式为 {methods}，都不是{col}“{value}”",
         'the last 3 follow-ups used {methods}, none the {col} "{value}"',
         "the customer's last three follow-ups with a method (up to today) all used another method than its "
         "沟通偏好 / Contact preference (methods matched like the Settings lists: any language)"),
    Rule("clash", "warning", "与第 {row} 行{story}", "with row {row}: {story}",
         "撞单 (after `crm-xl merge`): a customer of one source file (来源文件) has the same normalised name "
         "(simplified or traditional), phone, e-mail or WeChat ID as one of another source file; both owners, "
         "their first contacts and last follow-ups, and who keeps it (Settings 撞单归属). Rows of one source, or "
         "typed into the team workbook, are duplicates instead"),
    Rule("owner_mismatch", "warning", "{col}“{value}”与{sheet}中该客户的负责人“{expected}”不一致",
         '{col} "{value}" differs from the customer\'s owner "{expected}" on the {sheet} sheet',
         "a follow-up owner different from the customer's owner"),
)}

# each rule's name for people, in zh-Hans and English (zh-Hant derived): the Issues sheet shows it beside the code
TITLES: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "Required cell blank"),
    "formula_no_value": ("公式无保存结果", "Formula without a value"),
    "formula_no_value_optional": ("公式无保存结果（选填列）", "Formula without a value (optional)"),
    "cell_error": ("Excel 错误值", "Excel error value"),
    "bad_type": ("类型不符", "Wrong type"),
    "not_in_list": ("不在允许列表中", "Not an allowed value"),
    "unknown_tag": ("未知标签", "Unknown tag"),
    "bad_contact": ("联系方式无效", "Invalid contact"),
    "bad_email": ("邮箱无效", "Invalid e-mail"),
    "bad_budget": ("预算范围无效", "Invalid budget"),
    "bad_amount": ("金额无效", "Invalid amount"),
    "amount_not_positive": ("金额不是正数", "Amount not positive"),
    "bad_date": ("日期无效", "Invalid date"),
    "future_date": ("日期晚于今天", "Date in the future"),
    "bad_nps": ("净推荐值无效", "Invalid NPS"),
    "unknown_customer": ("客户不存在", "Unknown customer"),
    "name_variant": ("客户名称写法不一", "Name spelled differently"),
    "duplicate": ("重复客户", "Duplicate customer"),
    "entry_lag": ("录入延迟", "Entered late"),
    "verification_old": ("信息待核实", "Verification due"),
    "won_without_conversion": ("成交无转化记录", "Won without conversion"),
    "conversion_not_won": ("转化客户未标成交", "Converted but not won"),
    "lost_without_reason": ("流失未填原因", "Lost without reason"),
    "lost_without_date": ("流失未填日期", "Lost without date"),
    "duplicate_column": ("重复的列", "Duplicate column"),
    "owner_mismatch": ("负责人不一致", "Owner differs"),
    "complaint_order": ("投诉时间顺序有误", "Complaint times out of order"),
    "clash": ("撞单", "Clash (two reps)"),
    "unknown_setting": ("未识别的设置项", "Unknown setting"),
    "unknown_referrer": ("推荐人不在客户表", "Unknown referrer"),
    "self_referral": ("推荐人是客户本身", "Self-referral"),
    "a_without_manager": ("A 类客户无主管", "Tier A without manager"),
    "preference_mismatch": ("跟进方式与偏好不符", "Method not the preference"),
}

# (sheet key, column key) whose dates record something that already happened: a later date is an error.
PAST_DATES: frozenset[tuple[str, str]] = frozenset({
    ("customers", "first_contact"), ("customers", "entered_on"), ("customers", "verified_on"),
    ("customers", "lost_on"), ("followups", "date"), ("tierlog", "date"), ("conversions", "date"),
    ("complaints", "complained"), ("complaints", "confirmed"), ("complaints", "first_solution"),
    ("complaints", "solved"), ("surveys", "date"),
})

SEVERITY_ORDER = {"error": 0, "warning": 1}
