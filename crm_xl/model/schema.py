"""The templates: data sheets, table names, columns, header aliases (zh-Hans / zh-Hant / en) and value sets.

How a sheet's header row is matched to these columns is in headers.py."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from .i18n import LANGS, Lang, fold
from .i18n import _prepare as _plain  # fold without the traditional → simplified step


def _named(name: str, names: Sequence[str]) -> bool:
    """Whether a sheet name is one of `names`, ignoring case, spaces, width and script."""
    return fold(name) in {fold(n) for n in names}


def name_lang(name: str, hans: str, hant: str, en: str, default: Lang = "zh-Hans") -> Lang:
    """The language a sheet's name is written in (`客戶信息表 (2)` → zh-Hant), `default` when it is none of
    the three (a team's own name). Width and case are ignored, the script is not."""
    plain = _plain(name)
    for lang, own in (("en", en), ("zh-Hant", hant), ("zh-Hans", hans)):
        if plain.startswith(_plain(own)) and (lang != "zh-Hant" or _plain(hant) != _plain(hans)):
            return lang  # type: ignore[return-value]
    return default


_COPY = re.compile(r"^(.*?)\s*\(\s*\d+\s*\)$")  # `客户信息表 (2)`, `客户信息表（2）` once folded


def copy_of(name: str) -> str | None:
    """The name a sheet copy was made from: `客户信息表(2)`, `客户信息表 (2)`, `客户信息表（2）` → `客户信息表`
    (as Excel names a copied sheet); None when `name` is not such a copy."""
    m = _COPY.match(fold(name))
    return m.group(1) if m and m.group(1) else None


# a required-field mark teams put on a header: `*客户名称`, `客户名称*`, `＊客户名称`, `客户名称（必填）`
_MARK_NOTE = re.compile(r"[(\[【]\s*(?:必填项?|必须|必需|必选|选填|可选|required|optional|req\.?)\s*[)\]】]$")
_MARK_CHARS = "*※:"


def header_key(text: object) -> str:
    """How a header cell is matched: `fold` (width, case, script), a required-field mark dropped (a leading
    or trailing `*` / `＊`, a trailing `（必填）` / `(required)` / `(选填)` …) and every space or line break
    removed (`客户\n名称`: Alt+Enter inside the cell). '' for a blank cell."""
    return _header_key(str(text))


@lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    key = fold(text)
    for _ in range(2):  # `*客户名称（必填）`
        key = _MARK_NOTE.sub("", key).strip(_MARK_CHARS + " ")
    return key.replace(" ", "")


class NoValue(str):
    """A formula cell with no saved value (`<c><f>…</f></c>` with no `<v>`, as openpyxl and other tools write
    a formula they cannot calculate): '' wherever it is read — a blank to every job — but validation tells it
    from a blank (rule `formula_no_value`). `formula` is its text (`=TODAY()-F2`), '' when unknown."""

    formula: str

    def __new__(cls, formula: str = "") -> NoValue:
        self = super().__new__(cls, "")
        self.formula = formula
        return self

    def __repr__(self) -> str:
        return f"NoValue({self.formula!r})"


class Kind(StrEnum):
    """How a column's cells are interpreted (see parse.py)."""

    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"  # a date, optionally with a time
    INT = "int"
    NUMBER = "number"
    PHONE = "phone"  # a contact: phone number, e-mail or WeChat ID
    BUDGET = "budget"  # range in yuan
    AMOUNT = "amount"  # money in yuan
    TAGS = "tags"
    CHOICE = "choice"  # one of a fixed enumeration (see ENUMS)
    LIST = "list"  # one of a Settings list (see Column.list)


@dataclass(frozen=True)
class Choice:
    """One value of a fixed enumeration, with its label in each language."""

    code: str
    hans: str
    hant: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]


@dataclass(frozen=True)
class Enum:
    """A fixed set of values (status, tier …) recognised in any language."""

    name: str
    choices: tuple[Choice, ...]

    def parse(self, value: object) -> str | None:
        """The code for a cell value, or None when it is blank or not one of the choices."""
        if value is None:
            return None
        key = fold(str(value))
        if not key:
            return None
        return self._index().get(key)

    def label(self, code: str | None, lang: Lang) -> str:
        for c in self.choices:
            if c.code == code:
                return c.label(lang)
        return ""

    def labels(self, lang: Lang) -> list[str]:
        return [c.label(lang) for c in self.choices]

    def codes(self) -> list[str]:
        return [c.code for c in self.choices]

    def _index(self) -> dict[str, str]:
        idx = _ENUM_INDEX.get(self.name)
        if idx is None:
            idx = {}
            for c in self.choices:
                for text in (c.code, c.hans, c.hant, c.en, *c.aliases):
                    idx[fold(text)] = c.code
            _ENUM_INDEX[self.name] = idx
        return idx


_ENUM_INDEX: dict[str, dict[str, str]] = {}

STATUS = Enum(
    "status",
    (
        Choice("open", "跟进中", "跟進中", "Open", ("进行中", "active")),
        Choice("won", "已成交", "已成交", "Won", ("成交", "signed")),
        Choice("lost", "已流失", "已流失", "Lost", ("流失", "未成交")),
        Choice("paused", "暂停", "暫停", "Paused", ("搁置", "on hold")),
    ),
)
NEED_CLARITY = Enum(
    "need_clarity",
    (
        Choice("clear", "明确", "明確", "Clear"),
        Choice("initial", "初步", "初步", "Initial"),
        Choice("latent", "潜在", "潛在", "Latent", ("咨询", "enquiry", "inquiry")),
    ),
)
BUDGET_STATUS = Enum(
    "budget_status",
    (
        Choice("approved", "已审批", "已審批", "Approved"),
        Choice("clear", "明确", "明確", "Clear"),
        Choice("unclear", "不明确", "不明確", "Unclear"),
    ),
)
DECISION_CHAIN = Enum(
    "decision_chain",
    (
        Choice("short", "短", "短", "Short"),
        Choice("long", "长", "長", "Long"),
        Choice("unknown", "未知", "未知", "Unknown"),
    ),
)
TIER = Enum(
    "tier",
    (
        Choice("A", "A", "A", "A", ("a级", "a類")),
        Choice("B", "B", "B", "B", ("b级",)),
        Choice("C", "C", "C", "C", ("c级",)),
    ),
)
SEVERITY = Enum(
    "severity",
    (
        Choice("error", "错误", "錯誤", "Error"),
        Choice("warning", "警告", "警告", "Warning"),
    ),
)
ENUMS: dict[str, Enum] = {
    e.name: e for e in (STATUS, NEED_CLARITY, BUDGET_STATUS, DECISION_CHAIN, TIER, SEVERITY)
}


SCORE = (0, 10)  # a survey's likelihood to recommend (Column.bounds)


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: canonical key, headers in three languages, kind and rules."""

    key: str
    hans: str
    hant: str
    en: str
    kind: Kind = Kind.TEXT
    required: bool = False  # every row needs a value
    key_column: bool = False  # the sheet cannot be used without this column
    enum: str | None = None  # for Kind.CHOICE: name in ENUMS
    list: str | None = None  # for Kind.LIST / TAGS: name of the Settings list
    computed: bool = False  # written by crm-xl
    width: float = 12
    aliases: tuple[str, ...] = ()
    template: bool = True  # the template's sheet has it (False: an optional column a team may add)
    bounds: tuple[int, int] = (-100, 100)  # Kind.INT: the whole numbers allowed (a survey's score: 0–10)

    def header(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]

    def headers(self) -> tuple[str, ...]:
        """Every accepted header text (the three languages first, then aliases)."""
        return (self.hans, self.hant, self.en, *self.aliases)


@dataclass(frozen=True)
class SheetDef:
    """A data sheet of the workbook: key, Excel table name, sheet names, columns."""

    key: str
    table: str
    hans: str
    hant: str
    en: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = field(default=())
    # headers that may name either of two columns: (header, first choice, fallback); see match_columns
    shared: tuple[tuple[str, str, str], ...] = field(default=())

    def name(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]

    def names(self) -> tuple[str, ...]:
        return (self.table, self.hans, self.hant, self.en, *self.aliases)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no column {key!r}")

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    @property
    def computed_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.computed)

    def match_header(self, text: object) -> Column | None:
        """The column a header cell names, ignoring case, spaces, width, script and required-field marks
        (see `header_key`). A shared header (`姓名` on Customers) gives its first choice: which column it
        names on a given sheet is decided by `match_columns`."""
        if text is None:
            return None
        key = header_key(text)
        shared = self._shared().get(key)
        return self.column(shared[0]) if shared else header_index(self).get(key)

    def _shared(self) -> dict[str, tuple[str, str]]:
        """header_key of each shared header → (first choice, fallback) column keys."""
        idx = _SHARED_INDEX.get(self.key)
        if idx is None:
            idx = _SHARED_INDEX[self.key] = {header_key(h): (first, other) for h, first, other in self.shared}
        return idx

    def matches_name(self, name: str) -> bool:
        return _named(name, self.names())

    def lang_of(self, name: str) -> Lang:
        """The language the sheet's name `name` is in (zh-Hans when it is a team's own name)."""
        return name_lang(name, self.hans, self.hant, self.en)


_HEADER_INDEX: dict[str, dict[str, Column]] = {}
_SHARED_INDEX: dict[str, dict[str, tuple[str, str]]] = {}


def header_index(sheet: SheetDef) -> dict[str, Column]:
    """header_key of every accepted header → its column."""
    idx = _HEADER_INDEX.get(sheet.key)
    if idx is None:
        idx = {}
        for col in sheet.columns:
            for h in col.headers():
                idx.setdefault(header_key(h), col)
        _HEADER_INDEX[sheet.key] = idx
    return idx


def _check(computed: bool = True) -> Column:
    return Column("check", "校验结果", "校驗結果", "Check", computed=computed, width=50)


def _customer_ref(*aliases: str) -> Column:
    """The 客户名称 column of a sheet whose rows refer to a customer of Customers."""
    return Column("customer", "客户名称", "客戶名稱", "Customer", required=True, key_column=True, width=22,
                  aliases=("客户", "客户姓名", *aliases))


# --- merge (crm-xl merge): which rep's workbook a row came from (blank = typed into the team workbook); only
# merge adds it, so no template has it
def _source_file() -> Column:
    return Column("source_file", "来源文件", "來源檔案", "Source file", computed=True, width=24, template=False,
                  aliases=("来源档案", "來源文件"))


CUSTOMERS = SheetDef(
    "customers",
    "Customers",
    "客户信息表",
    "客戶信息表",
    "Customers",
    (
        Column("customer", "客户名称", "客戶名稱", "Customer", required=True, key_column=True, width=22,
               aliases=("客户", "公司名称", "Customer name", "Company")),
        Column("industry", "所属行业", "所屬行業", "Industry", Kind.LIST, list="industries", width=10,
               aliases=("行业",)),
        Column("contact", "联系人", "聯繫人", "Contact", required=True, width=10, aliases=("聯絡人",)),
        Column("title", "职务", "職務", "Title", width=10, aliases=("职位",)),
        Column("phone", "联系方式", "聯繫方式", "Phone / email", Kind.PHONE, width=18,
               aliases=("聯絡方式", "电话", "Phone", "Email", "Phone/email", "Contact info",
                        "联系方式（企业微信/电话）", "Contact (WeChat / phone)", "Phone / WeChat")),
        Column("wechat", "微信", "微信", "WeChat", Kind.PHONE, width=16,
               aliases=("微信号", "微信號", "WeChat ID", "企业微信", "企業微信")),
        Column("need", "客户需求", "客戶需求", "Need", width=22, aliases=("需求",)),
        Column("budget", "预算范围", "預算範圍", "Budget", Kind.BUDGET, width=12, aliases=("预算",)),
        Column("source", "来源", "來源", "Source", Kind.LIST, list="sources", width=10,
               aliases=("客户来源", "Lead source")),
        Column("decision_maker", "关键决策人", "關鍵決策人", "Decision maker", width=10, aliases=("决策人",)),
        Column("notes", "备注", "備註", "Notes", width=24, aliases=("備注", "Note", "Remarks")),
        Column("tags", "标签", "標籤", "Tags", Kind.TAGS, list="tags", width=16),
        Column("owner", "负责人", "負責人", "Owner", Kind.LIST, list="owners", required=True, width=8,
               aliases=("销售", "Sales rep")),
        Column("first_contact", "首次接触日期", "首次接觸日期", "First contact", Kind.DATE, width=12,
               aliases=("首次接触",)),
        Column("entered_on", "录入日期", "錄入日期", "Entered on", Kind.DATETIME, width=16,
               aliases=("录入时间",)),
        Column("verified_on", "信息核实日期", "資訊核實日期", "Verified on", Kind.DATE, width=12,
               aliases=("核实日期",)),
        Column("need_clarity", "需求明确度", "需求明確度", "Need clarity", Kind.CHOICE, enum="need_clarity",
               width=10),
        Column("budget_status", "预算状态", "預算狀態", "Budget status", Kind.CHOICE, enum="budget_status",
               width=10),
        Column("decision_chain", "决策链", "決策鏈", "Decision chain", Kind.CHOICE, enum="decision_chain",
               width=8),
        Column("expected_close", "预计成交日期", "預計成交日期", "Expected close", Kind.DATE, width=12),
        Column("status", "客户状态", "客戶狀態", "Status", Kind.CHOICE, enum="status", width=8,
               aliases=("状态",)),
        Column("lost_reason", "未成交原因", "未成交原因", "Lost reason", Kind.LIST, list="lost_reasons",
               width=12, aliases=("流失原因",)),
        Column("lost_on", "流失日期", "流失日期", "Lost on", Kind.DATE, width=12),
        Column("nps", "净推荐值", "淨推薦值", "NPS", Kind.INT, width=8),
        Column("contact_birthday", "联系人生日", "聯繫人生日", "Contact birthday", Kind.DATE, width=12,
               aliases=("聯絡人生日", "生日", "Birthday", "Contact's birthday")),
        Column("anniversary", "合作周年日", "合作週年日", "Partnership anniversary", Kind.DATE, width=12,
               aliases=("合作纪念日", "合作紀念日", "Anniversary", "Partnership start")),
        # service records (referrals, who serves A accounts, communication preference): optional
        Column("referrer", "推荐人", "推薦人", "Referred by", width=18,
               aliases=("介绍人", "介紹人", "转介绍人", "轉介紹人", "Referrer", "Referred by customer")),
        Column("manager", "主管", "主管", "Manager", width=10,
               aliases=("客户主管", "客戶主管", "销售主管", "銷售主管", "Account manager", "Sales manager")),
        Column("service_team", "服务团队", "服務團隊", "Service team", Kind.TAGS, width=18,
               aliases=("服务小组", "服務小組", "服务人员", "服務人員", "1+N 团队", "1+N 團隊", "Account team")),
        Column("preference", "沟通偏好", "溝通偏好", "Contact preference", Kind.LIST, list="preferences", width=10,
               aliases=("联系偏好", "聯繫偏好", "聯絡偏好", "偏好沟通方式", "偏好溝通方式", "Communication preference",
                        "Preferred channel")),
        Column("tier_override", "锁定级别", "鎖定級別", "Tier override", Kind.CHOICE, enum="tier", width=8),
        # computed by crm-xl, to the right
        Column("tier", "当前级别", "當前級別", "Tier", Kind.CHOICE, enum="tier", computed=True, width=8),
        Column("tier_reason", "级别依据", "級別依據", "Tier reason", computed=True, width=50),
        Column("last_follow_up", "最近跟进", "最近跟進", "Last follow-up", Kind.DATE, computed=True, width=12),
        Column("next_due", "下次跟进", "下次跟進", "Next due", Kind.DATE, computed=True, width=12),
        Column("overdue_days", "逾期天数", "逾期天數", "Days overdue", Kind.INT, computed=True, width=8),
        Column("follow_status", "跟进状态", "跟進狀態", "Follow-up status", computed=True, width=32),
        Column("health", "健康度", "健康度", "Health", Kind.INT, computed=True, width=8),
        Column("churn_risk", "流失风险", "流失風險", "Churn risk", computed=True, width=28),
        _check(),
        _source_file(),
    ),
    aliases=("客户信息", "客户表", "Customer info", "客戶資訊表"),
    shared=(("客户姓名", "customer", "contact"), ("姓名", "customer", "contact"), ("Name", "customer", "contact")),
)

FOLLOWUPS = SheetDef(
    "followups",
    "FollowUps",
    "跟进计划表",
    "跟進計劃表",
    "Follow-ups",
    (
        _customer_ref("Customer name"),
        Column("date", "跟进时间", "跟進時間", "Date", Kind.DATETIME, required=True, key_column=True, width=16,
               aliases=("跟进日期", "Follow-up date")),
        Column("method", "跟进方式", "跟進方式", "Method", Kind.LIST, list="methods", required=True, width=10),
        Column("content", "沟通内容", "溝通內容", "Content", required=True, width=30, aliases=("内容",)),
        Column("feedback", "客户反馈", "客戶反饋", "Feedback", width=26, aliases=("客戶回饋", "反馈")),
        Column("next_action", "下一步行动", "下一步行動", "Next action", width=24),
        Column("next_date", "下次跟进日期", "下次跟進日期", "Next date", Kind.DATE, width=12),
        Column("owner", "负责人", "負責人", "Owner", Kind.LIST, list="owners", required=True, width=8,
               aliases=("跟进人", "Sales rep")),
        # service records: a survey logged as a follow-up, its 0–10 score (not in the template)
        Column("nps_score", "NPS评分", "NPS評分", "NPS score", Kind.INT, width=8, template=False, bounds=SCORE,
               aliases=("NPS", "推荐评分", "推薦評分", "调研评分", "調研評分", "Survey score")),
        _check(),
        _source_file(),
    ),
    aliases=("跟进计划", "跟进记录", "跟进记录表", "Follow-up plan", "Follow ups", "Followups"),
)

TIERLOG = SheetDef(
    "tierlog",
    "TierLog",
    "客户分级表",
    "客戶分級表",
    "Tier log",
    (
        _customer_ref(),
        Column("tier", "当前级别", "當前級別", "Tier", Kind.CHOICE, enum="tier", required=True, key_column=True,
               width=8, aliases=("级别", "客户级别")),
        Column("reason", "升级/降级原因", "升級/降級原因", "Reason", width=60,
               aliases=("升降级原因", "调整原因", "原因")),
        Column("date", "调整时间", "調整時間", "Date", Kind.DATE, required=True, width=12, aliases=("调整日期",)),
        Column("owner", "负责人", "負責人", "Owner", Kind.LIST, list="owners", width=8),
        _check(),
        _source_file(),
    ),
    aliases=("客户分级", "Customer tier log", "Tiers"),
)

CONVERSIONS = SheetDef(
    "conversions",
    "Conversions",
    "客户转化记录表",
    "客戶轉化記錄表",
    "Conversions",
    (
        _customer_ref(),
        Column("date", "转化时间", "轉化時間", "Date", Kind.DATE, required=True, key_column=True, width=12,
               aliases=("成交时间", "成交日期", "转化日期", "Conversion date")),
        Column("amount", "成交金额", "成交金額", "Amount", Kind.AMOUNT, required=True, key_column=True, width=12,
               aliases=("金额",)),
        Column("product", "产品/服务", "產品/服務", "Product", width=18, aliases=("产品", "Product / service")),
        Column("key_factor", "转化关键因素", "轉化關鍵因素", "Key factor", width=30, aliases=("关键因素",)),
        Column("owner", "负责人", "負責人", "Owner", Kind.LIST, list="owners", width=8),
        _check(),
        _source_file(),
    ),
    aliases=("客户转化记录", "转化记录表", "成交记录表", "Conversion record"),
)

# --- service records (issue 23): optional sheets; a workbook without them works as before -----------------

COMPLAINTS = SheetDef(
    "complaints",
    "Complaints",
    "投诉记录",
    "投訴記錄",
    "Complaints",
    (
        _customer_ref("Customer name"),
        Column("complained", "投诉时间", "投訴時間", "Complained at", Kind.DATETIME, required=True, key_column=True,
               width=16, aliases=("投诉日期", "投訴日期", "Complaint date", "Complaint time", "Received")),
        Column("content", "投诉内容", "投訴內容", "Complaint", required=True, width=30,
               aliases=("内容", "问题描述", "問題描述", "Content", "Issue")),
        Column("confirmed", "确认时间", "確認時間", "Confirmed at", Kind.DATETIME, width=16,
               aliases=("确认日期", "受理时间", "受理時間", "Acknowledged", "Confirmed")),
        Column("first_solution", "初步方案时间", "初步方案時間", "First solution at", Kind.DATETIME, width=16,
               aliases=("初步方案", "方案时间", "方案時間", "First response", "First solution")),
        Column("solved", "解决时间", "解決時間", "Solved at", Kind.DATETIME, width=16,
               aliases=("解决日期", "解決日期", "关闭时间", "關閉時間", "Resolved", "Closed at", "Solved")),
        Column("owner", "负责人", "負責人", "Owner", Kind.LIST, list="owners", width=8,
               aliases=("处理人", "處理人", "Handled by")),
        Column("root_cause", "根本原因", "根本原因", "Root cause", width=20, aliases=("原因", "Cause")),
        Column("improvement", "改进措施", "改進措施", "Improvement", width=26,
               aliases=("改进", "整改措施", "Corrective action", "Action")),
        _check(),
    ),
    aliases=("投诉记录表", "投訴記錄表", "客诉记录", "客訴記錄", "投诉", "投訴", "Complaint log", "Complaints log"),
)

SURVEYS = SheetDef(
    "surveys",
    "Surveys",
    "满意度调研",
    "滿意度調研",
    "Surveys",
    (
        _customer_ref("Customer name"),
        Column("date", "调研日期", "調研日期", "Survey date", Kind.DATE, required=True, key_column=True, width=12,
               aliases=("调研时间", "調研時間", "日期", "Date")),
        Column("score", "NPS", "NPS", "NPS", Kind.INT, width=8, bounds=SCORE,
               aliases=("NPS评分", "NPS評分", "推荐评分", "推薦評分", "净推荐值", "淨推薦值", "NPS score", "Score")),
        Column("comment", "意见", "意見", "Comment", width=30,
               aliases=("客户意见", "客戶意見", "反馈", "反饋", "Feedback", "Comments")),
        _check(),
    ),
    aliases=("满意度调研表", "滿意度調研表", "满意度调查", "滿意度調查", "调研记录", "調研記錄", "Survey history",
             "Satisfaction surveys", "NPS surveys"),
)

SERVICE_SHEETS: tuple[SheetDef, ...] = (COMPLAINTS, SURVEYS)

DATA_SHEETS: tuple[SheetDef, ...] = (CUSTOMERS, FOLLOWUPS, TIERLOG, CONVERSIONS, *SERVICE_SHEETS)
SHEETS: dict[str, SheetDef] = {s.key: s for s in DATA_SHEETS}


@dataclass(frozen=True)
class GeneratedSheet:
    """A sheet crm-xl builds (Issues, Today …): its name in each language."""

    key: str
    hans: str
    hant: str
    en: str

    def name(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]

    def names(self) -> tuple[str, ...]:
        return (self.hans, self.hant, self.en)

    def matches_name(self, name: str) -> bool:
        return _named(name, self.names())

    def lang_of(self, name: str, default: Lang = "zh-Hans") -> Lang:
        """The language the sheet's name `name` is in (`default` when it is none of the three)."""
        return name_lang(name, self.hans, self.hant, self.en, default)

    def find(self, sheet_names: Sequence[str]) -> str | None:
        """The first sheet named like this one, in any language."""
        return next((n for n in sheet_names if self.matches_name(n)), None)


SETTINGS_SHEET = GeneratedSheet("settings", "设置", "設定", "Settings")
INSTRUCTIONS_SHEET = GeneratedSheet("instructions", "使用说明", "使用說明", "Instructions")
ISSUES_SHEET = GeneratedSheet("issues", "问题清单", "問題清單", "Issues")
TODAY_SHEET = GeneratedSheet("today", "今日待办", "今日待辦", "Today")
REVIEW_SHEET = GeneratedSheet("review", "月度复盘", "月度復盤", "Review")  # + " YYYY-MM"
HISTORY_SHEET = GeneratedSheet("history", "复盘历史", "復盤歷史", "Review history")
CHURN_SHEET = GeneratedSheet("churn", "流失预警", "流失預警", "Churn watch")


def review_sheet_name(lang: Lang, month: str) -> str:
    """`月度复盘 2024-03` / `Review 2024-03`."""
    return f"{REVIEW_SHEET.name(lang)} {month}"


def find_sheet_def(name: str) -> SheetDef | None:
    """The data sheet a sheet or table name refers to, in any language."""
    for s in DATA_SHEETS:
        if s.matches_name(name):
            return s
    return None


def locate(sheet: SheetDef, sheet_names: Sequence[str],
           tables: Sequence[tuple[str, str]]) -> tuple[str, str | None] | None:
    """Where a data sheet is: (sheet name, name of its table or None), by table name first, then by any of
    its sheet names, then — when no sheet has one of them — by a copy of one (`客户信息表 (2)`, the first
    in workbook order). `tables` are (table name, sheet name) pairs."""
    for table, on in tables:
        if fold(table) == fold(sheet.table):
            return on, table
    names = [n for n in sheet_names if sheet.matches_name(n)]
    names = names or [n for n in sheet_names if (stem := copy_of(n)) is not None and sheet.matches_name(stem)]
    if names:
        return names[0], next((t for t, on in tables if on == names[0]), None)
    return None


def sheets_read(sheet_names: Sequence[str], tables: Sequence[tuple[str, str]]) -> list[str]:
    """The sheets a run reads: the data sheets, Settings and the review history."""
    out = [where[0] for s in DATA_SHEETS if (where := locate(s, sheet_names, tables))]
    out.extend(n for g in (SETTINGS_SHEET, HISTORY_SHEET) if (n := g.find(sheet_names)))
    return out


__all__ = [
    "Kind", "Choice", "Enum", "Column", "SCORE", "SheetDef", "GeneratedSheet", "ENUMS", "STATUS", "NEED_CLARITY",
    "BUDGET_STATUS", "DECISION_CHAIN", "TIER", "SEVERITY", "CUSTOMERS", "FOLLOWUPS", "TIERLOG", "CONVERSIONS",
    "COMPLAINTS", "SURVEYS", "SERVICE_SHEETS", "DATA_SHEETS", "SHEETS", "SETTINGS_SHEET", "INSTRUCTIONS_SHEET",
    "ISSUES_SHEET", "TODAY_SHEET", "REVIEW_SHEET", "HISTORY_SHEET", "CHURN_SHEET", "review_sheet_name",
    "find_sheet_def", "locate", "sheets_read", "header_key", "header_index", "NoValue", "copy_of",
    "LANGS", "Lang",
]
