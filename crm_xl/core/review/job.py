"""The monthly review: a `月度复盘 YYYY-MM` / `Review YYYY-MM` sheet with tables, definitions and charts,
plus the review history sheet (复盘历史), one row per month reviewed.

Figures are computed in review_figures.py, the history is read and merged in review_history.py; this
module labels them in the workbook language and lays the sheets out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...model.format import date_text, money, money_style, money_unit_label, money_value, percent, points
from ...model.i18n import LANGS, Lang, pick
from ...model.layout import Chart, SheetLayout, Style, Table, Text
from ...model.parse import is_blank
from ...model.result import JobResult, Summary
from ...model.schema import HISTORY_SHEET, review_sheet_name
from ..context import Context
from ..health.job import churn_summary
from . import figures as fig
from . import history as hist
from . import people, plan, sections, service, tiergoals, winback

TREND_MONTHS = 12


def build(ctx: Context) -> JobResult:
    """Build the review of `ctx.month` (default: the last full month before `ctx.today`)."""
    month = fig.Month.parse(ctx.month) if ctx.month else fig.Month.before(ctx.today)
    lang, unit = ctx.lang, ctx.settings.money_unit
    data = fig.prepare(ctx)
    name = review_sheet_name(lang, month.label)
    aliases = tuple(review_sheet_name(x, month.label) for x in LANGS if x != lang)
    if not fig.has_data(data, month):
        layout = SheetLayout(name, _empty_blocks(ctx, month), aliases=aliases, tab_color="7F7F7F")
        headline = pick(lang, f"{month.label} 没有数据，已生成说明页「{name}」",
                        f"{month.label} has no data; sheet '{name}' says so")
        return JobResult(Summary("review", headline, {"month": month.label, "sheet": name, "empty": True}),
                         sheets=[layout])

    now = fig.headline(data, month)
    recorded = hist.parse_history(ctx.history)
    before = last_month(data, recorded, month)
    extra, typed = plan.read(ctx.review_grid)
    kept = recorded.at[month.label, hist.PLAN] if month.label in recorded.index else None
    rows = typed or plan.from_text(kept)  # each place keeps what was typed; an empty one gets the other's
    history = hist.merge_history(recorded, month.label, now, None if not is_blank(kept) else plan.as_text(typed, lang))
    s = _Sheet(ctx, data, month, now, before, history, plan.blocks(lang, extra, rows))
    layout = SheetLayout(name, s.blocks(), s.charts(), aliases=aliases, tab_color="2E75B6")
    history_layout = _history_layout(lang, unit, history, name)
    counts = {"month": month.label, "sheet": name, **now, "history_rows": len(history)}
    summary = Summary("review", s.headline_text(name), counts,
                      tables=[(s.t("本月概览", "Overview"), s.overview_text())])
    return JobResult(summary, sheets=[layout, history_layout])


def last_month(data: fig.Data, recorded: pd.DataFrame, month: fig.Month) -> dict[str, Any]:
    """Last month's headline figures: those its review recorded on the history when it has that row (the
    figures the trend shows for it), each figure the row leaves blank computed from the current data."""
    before = month.shift(-1)
    row = recorded.loc[before.label].to_dict() if before.label in recorded.index else {}
    kept = {k: row[k] for k in fig.HEADLINE_KEYS if not is_blank(row.get(k))}
    if len(kept) == len(fig.HEADLINE_KEYS):
        return kept
    return {**fig.headline(data, before), **kept}


def _history_layout(lang: Lang, unit: str, history: pd.DataFrame, after: str) -> SheetLayout:
    df, formats = hist.display(history, lang, unit)
    note = pick(lang, "每次复盘写入该月一行；重新复盘同一月份只替换该行的数值，「改进计划」和你添加的列保持不变。",
                "One row per month reviewed; reviewing a month again replaces its figures only — the "
                "improvement plan and columns you add are kept.")
    amount = hist.header("amount", lang, unit)
    chart = Chart("line", pick(lang, "月度成交金额", "Monthly conversion amount"), "history",
                  hist.header("month", lang, unit), [amount])
    return SheetLayout(HISTORY_SHEET.name(lang), [Table(df, None, formats, note=note, name="history")],
                       [chart], aliases=tuple(n for n in HISTORY_SHEET.names() if n != HISTORY_SHEET.name(lang)),
                       after=after, freeze="B2")


def _empty_blocks(ctx: Context, month: fig.Month) -> list[Text | Table]:
    lang = ctx.lang
    return [
        Text(review_sheet_name(lang, month.label), "title"),
        Text(_period(ctx, month), "subtitle"),
        Text(pick(lang, f"{month.label} 没有任何数据：本月没有新增客户、跟进记录、成交、流失或级别调整。",
                  f"No data for {month.label}: no new customers, follow-ups, conversions, lost customers or "
                  "tier changes in the month."), "empty"),
        Text(pick(lang, "请确认复盘月份是否正确，或检查各表中的日期。",
                  "Check the month under review, or the dates in the data sheets."), "note"),
    ]


def _period(ctx: Context, month: fig.Month) -> str:
    lang = ctx.lang
    first, last = date_text(month.start.date()), date_text(month.last_day)
    unit, today = money_unit_label(ctx.settings.money_unit, lang), date_text(ctx.today)
    return pick(lang, f"统计期 {first} 至 {last}　·　生成于 {today}　·　金额单位：{unit}",
                f"Period {first} to {last}  ·  built {today}  ·  amounts in {unit}")


def _fmt(value: Any, style: Style) -> str:
    if value is None or value != value:
        return ""
    if isinstance(value, str):
        return value
    if style == "pct":
        return percent(value)
    if style == "int":
        return f"{value:,.0f}"
    if style == "money":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


class _Sheet:
    """Labels and lays out one month's review."""

    def __init__(self, ctx: Context, data: fig.Data, month: fig.Month, now: dict[str, Any],
                 before: dict[str, Any], history: pd.DataFrame, plan_blocks: list[Text | Table]) -> None:
        self.ctx, self.data, self.month, self.now, self.before, self.history = ctx, data, month, now, before, history
        self.plan_blocks = plan_blocks
        self.coverage = fig.coverage(data, month)
        self.lang: Lang = ctx.lang
        self.unit = ctx.settings.money_unit
        self.money: Style = money_style(self.unit)
        self.sources = fig.sources(data, month)
        self.methods = fig.methods(data, month)
        self.lost = fig.lost_reasons(data, month)
        self.days = fig.close_days(data, month)
        self.owners = fig.owners(data, month)
        self.moves = fig.tier_moves(data, month)
        self.churn = churn_summary(ctx, as_of=month.last_day, accounts=False)
        self.overview_rows, self.overview_styles = self._overview_rows()

    def t(self, hans: str, en: str) -> str:
        return pick(self.lang, hans, en)

    def group(self, value: str, tier: bool = False) -> str:
        if value == fig.BLANK:
            return self.t("（未定级）", "(no tier)") if tier else self.t("（未填写）", "(blank)")
        if value == fig.NOT_IN:
            return self.t("（不在客户表）", "(not in Customers)")
        if value == fig.NO_TOUCH:
            return self.t("（成交前无跟进）", "(no follow-up before)")
        return str(value)

    def amount_label(self, hans: str = "成交金额", en: str = "Amount") -> str:
        return hist.amount_header(self.lang, self.unit, hans, en)

    # --- text ------------------------------------------------------------------------------------

    def headline_text(self, name: str) -> str:
        n, b = self.now, self.before
        mom = _change_pct(n["amount"], b["amount"])
        mom_text = percent(mom, signed=True) if mom is not None else self.t("上月无成交", "none last month")
        return self.t(
            f"{self.month.label}：新增客户 {n['new']} 个，跟进 {n['followups']} 次，成交 {n['conversions']} 单共 "
            f"{self.money_text(n['amount'])}（环比 {mom_text}），流失 {n['lost']} 个；已写入「{name}」",
            f"{self.month.label}: {n['new']} new customers, {n['followups']} follow-ups, {n['conversions']} "
            f"conversions worth {self.money_text(n['amount'])} ({mom_text} on last month), {n['lost']} lost; "
            f"written to '{name}'",
        )

    def money_text(self, yuan: float) -> str:
        """An amount in yuan as text (model/format.py: `90万` / `900,000元`, `¥900,000` in English)."""
        return money(yuan, self.unit, self.lang)

    def highlights(self) -> list[str]:
        """A few sentences a manager reads first."""
        n, b = self.now, self.before
        mom = _change_pct(n["amount"], b["amount"])
        mom_text = (self.t(f"环比 {percent(mom, signed=True)}", f"{percent(mom, signed=True)} on last month")
                    if mom is not None
                    else self.t("上月无成交", "no conversions last month"))
        lines = [self.t(
            f"本月新增客户 {n['new']} 个，跟进 {n['followups']} 次（触达 {n['touched']} 个客户），"
            f"成交 {n['conversions']} 单、金额 {self.money_text(n['amount'])}（{mom_text}）。",
            f"{n['new']} new customers, {n['followups']} follow-ups ({n['touched']} customers touched), "
            f"{n['conversions']} conversions worth {self.money_text(n['amount'])} ({mom_text}).")]
        parts = []
        src = self.sources[self.sources["base"] > 0]["rate"].dropna()
        src = src[[i not in (fig.BLANK, fig.NOT_IN) for i in src.index]]
        if len(src):
            best = src.idxmax()
            parts.append(self.t(f"转化率最高的来源是{best}（{percent(src[best])}）",
                                f"best-converting source: {best} ({percent(src[best])})"))
        met = self.methods["rate"].dropna()
        met = met[[i not in (fig.BLANK, fig.NO_TOUCH) for i in met.index]]
        if len(met) and met.max() > 0:
            best = met.idxmax()
            parts.append(self.t(f"签约率最高的跟进方式是{best}（{percent(met[best])}）",
                                f"best-signing follow-up method: {best} ({percent(met[best])})"))
        if parts:
            joined = "; ".join(parts)
            lines.append(self.t("；".join(parts) + "。", joined[:1].upper() + joined[1:] + "."))
        lost = self.t(f"流失 {n['lost']} 个客户", f"{n['lost']} customers lost") + self.lost_leaders()
        lines.append(self.t(f"{lost}；月末有 {n['overdue']} 个客户逾期待跟进（含售后步骤）；级别上调 {n['tier_up']} 次、"
                            f"下调 {n['tier_down']} 次。",
                            f"{lost}; {n['overdue']} customers overdue for follow-up at month end; "
                            f"{n['tier_up']} tier moves up, {n['tier_down']} down."))
        lines.append(self.coverage_text())
        if n["won_start"]:
            lines.append(self.t(
                f"月初 {n['won_start']} 个已成交客户，本月流失 {n['churned']} 个：流失率 {percent(n['churn_rate'])}，"
                f"留存率 {percent(n['retention_rate'])}。",
                f"Of {n['won_start']} won accounts at month start, {n['churned']} lost this month: churn rate "
                f"{percent(n['churn_rate'])}, retention rate {percent(n['retention_rate'])}."))
        c = self.churn
        if c["won"]:
            lines.append(self.t(
                f"月末 {c['won']} 个已成交客户中，高流失风险 {c['high']} 个、中风险 {c['medium']} 个，"
                f"风险金额 {self.money_text(c['value_at_risk'])}。",
                f"Of {c['won']} won accounts at month end, {c['high']} at high churn risk and {c['medium']} at "
                f"medium; value at risk {self.money_text(c['value_at_risk'])}."))
        return lines

    def lost_leaders(self) -> str:
        """`，主要原因：X（2 个）` when one reason leads; tied reasons listed: `，原因：X、Y 各 1 个`."""
        counts = self.lost["lost"].dropna()
        if not len(counts):
            return ""
        top = int(counts.max())
        leaders = [self.group(i) for i in counts.index if counts[i] == top]
        if len(leaders) == 1:
            return self.t(f"，主要原因：{leaders[0]}（{top} 个）", f", mainly {leaders[0]} ({top})")
        en = ", ".join(leaders[:-1]) + " and " + leaders[-1]
        return self.t(f"，原因：{'、'.join(leaders)} 各 {top} 个", f", reasons: {en}, {top} each")

    def coverage_text(self) -> str:
        """Leads followed on cadence per tier at month end, and the tiers with overdue leads (worst first)."""
        cov = self.coverage
        if not len(cov):
            return self.t("月末没有跟进中的客户。", "No open leads at month end.")
        each = [(self.tier_label(i), int(r["on_cadence"]), int(r["leads"])) for i, r in cov.iterrows()]
        lines = self.t("月末按节奏跟进：" + "、".join(f"{k} {a}/{b}" for k, a, b in each),
                       "Followed on cadence at month end: " + ", ".join(f"{k} {a}/{b}" for k, a, b in each))
        short = cov[cov["overdue"] > 0].sort_values("rate", kind="stable")
        if not len(short):
            return lines + self.t("；各级客户均按节奏跟进。", "; every tier on cadence.")
        words = [self.t(f"{self.tier_label(i)}客户跟进不足（{int(r['overdue'])}/{int(r['leads'])} 个逾期）",
                        f"{self.tier_label(i)} customers under-followed ({int(r['overdue'])} of {int(r['leads'])} "
                        "overdue)") for i, r in short.iterrows()]
        return lines + self.t("；" + "；".join(words) + "。", "; " + "; ".join(words) + ".")

    def tier_label(self, tier: str) -> str:
        """`B级` / `B-tier`; `（未定级）` / `(no tier)` for a lead without one."""
        return self.group(tier, tier=True) if tier == fig.BLANK else self.t(f"{tier}级", f"{tier}-tier")

    # --- tables ----------------------------------------------------------------------------------

    def _overview_rows(self) -> tuple[list[list[Any]], list[Style]]:
        rows, styles = [], []
        for key in fig.HEADLINE_KEYS:
            style: Style = self.money if key == "amount" else hist.FIELDS[key][2]
            now, before = self.now[key], self.before[key]
            if key == "amount":
                now, before = money_value(now, self.unit), money_value(before, self.unit)
            pct = None if style == "pct" else _change_pct(now, before)
            rows.append([hist.header(key, self.lang, self.unit), now, before, self.change(now, before, style), pct])
            styles.append(style)
        return rows, styles

    def change(self, now: float | None, before: float | None, style: Style) -> str | None:
        """This month − last month as signed text, aligned alike in the column: a rate's change in
        percentage points (`+3.2 个百分点`), a count's as a whole number (`+45`, `-5`), others with the
        row's decimals (`+26.0`); `0` for none."""
        if now is None or before is None:
            return None
        if style == "pct":
            return points(now - before, self.lang)
        text = f"{now - before:+,.{1 if style == 'num' else 0}f}"
        return "0" if text.lstrip("+-").strip("0.,") == "" else text

    def overview_columns(self) -> list[str]:
        t = self.t
        return [t("指标", "Figure"), t("本月", "This month"), t("上月", "Last month"), t("变化", "Change"),
                t("环比", "Change %")]

    def overview_text(self) -> pd.DataFrame:
        """The overview with numbers written out (for the CLI summary)."""
        out = []
        for row, style in zip(self.overview_rows, self.overview_styles, strict=True):
            out.append([row[0], *(_fmt(v, style) for v in row[1:4]), _fmt(row[4], "pct")])
        return pd.DataFrame(out, columns=self.overview_columns())

    def overview(self) -> Table:
        t = self.t
        cols = self.overview_columns()
        df = pd.DataFrame(self.overview_rows, columns=cols, dtype=object)
        note = t(
            "新增客户：首次接触日期（缺失时用录入日期）在本月的客户。跟进次数 / 触达客户：本月跟进记录数 / 涉及客户数。\n"
            "成交单数 / 金额：转化时间在本月的转化记录。累计转化率 = 截至月末有成交的客户 ÷ 截至月末已接触的客户。\n"
            "流失客户：流失日期在本月。平均成交天数、级别调整、月末逾期、跟进覆盖率的口径见下文各表。\n"
            "月初已成交客户：本月之前有成交、且未在本月之前流失的客户；已成交客户流失：其中流失日期在本月的；\n"
            "客户流失率 = 已成交客户流失 ÷ 月初已成交客户；客户留存率 = 1 − 客户流失率。\n"
            "上月：复盘历史中有上月一行时取该行记录的数值（与月度趋势相同），否则按当前数据计算。\n"
            "变化 = 本月 − 上月（比率的变化为百分点）；环比 = 变化 ÷ 上月。",
            "New customers: first contact (else entry date) in the month. Follow-ups / customers touched: "
            "follow-up rows / distinct customers in the month.\n"
            "Conversions / amount: conversion rows dated in the month. Conversion rate (cumulative) = customers "
            "with a conversion by month end ÷ customers known by month end.\n"
            "Lost: lost-on date in the month. Days to close, tier moves, overdue and follow-up coverage are defined "
            "under their tables below.\n"
            "Won accounts at month start: customers with a conversion before the month, not lost before it; won "
            "accounts lost: of them, those with a lost-on date in the month;\n"
            "churn rate = won accounts lost ÷ won accounts at month start; retention rate = 1 − churn rate.\n"
            "Last month: the figures last month's row on the review history recorded (as the trend shows), when "
            "there is that row; else computed from the current data.\n"
            "Change = this month − last month (percentage points for rates); change % = change ÷ last month.",
        )
        return Table(df, t("一、本月概览（与上月对比）", "1. The month at a glance (vs last month)"),
                     {cols[4]: "pct"}, row_styles=list(self.overview_styles), note=note, name="overview")

    def sources_table(self) -> Table:
        t = self.t
        cols = [t("来源", "Source"), t("新增客户", "New customers"), t("占比", "Share"),
                t("本月成交", "Conversions"), t("累计客户", "Customers to date"),
                t("累计成交客户", "Converted to date"), t("转化率", "Conversion rate")]
        s = self.sources
        df = pd.DataFrame({
            cols[0]: [self.group(i) for i in s.index], cols[1]: s["new"], cols[2]: s["share"],
            cols[3]: s["conversions"], cols[4]: s["base"], cols[5]: s["converted"], cols[6]: s["rate"],
        }, dtype=object).reset_index(drop=True)
        note = t(
            "新增客户：本月首次接触的客户；占比 = 该来源新增 ÷ 本月全部新增。本月成交：转化时间在本月的转化记录数。\n"
            "转化率 = 累计成交客户 ÷ 累计客户：截至月末已接触的该来源客户中，月末前有转化记录的比例。",
            "New customers: first contact in the month; share = of all new customers. Conversions: conversion "
            "rows dated in the month.\n"
            "Conversion rate = converted to date ÷ customers to date: of the source's customers known by month "
            "end, those with a conversion by month end.",
        )
        return Table(df, t("二、线索来源", "2. Lead sources"),
                     {cols[1]: "int", cols[2]: "pct", cols[3]: "int", cols[4]: "int", cols[5]: "int",
                      cols[6]: "pct"}, note=note, name="sources", empty_text=t("本月无数据", "No data"))

    def days_table(self) -> Table:
        t = self.t
        cols = [t("成交时级别", "Tier at conversion"), t("本月成交", "Conversions"), t("平均天数", "Mean days"),
                t("中位天数", "Median days"), t("近12月成交", "Conversions, 12 mo."),
                t("近12月平均天数", "Mean days, 12 mo."), t("近12月中位天数", "Median days, 12 mo.")]
        d = self.days
        df = pd.DataFrame({
            cols[0]: [self.group(i, tier=True) for i in d.index], cols[1]: d["n_month"],
            cols[2]: d["mean_month"], cols[3]: d["median_month"], cols[4]: d["n_trailing"],
            cols[5]: d["mean_trailing"], cols[6]: d["median_trailing"],
        }, dtype=object).reset_index(drop=True)
        note = t(
            "成交天数 = 转化时间 − 首次接触日期（缺失时用录入日期）；近 12 月 = 截至本月末的 12 个月。\n"
            "级别：转化当天客户分级表中该客户的最新级别，无记录时取当前级别；无首次接触日期的成交不计入。",
            "Days to close = conversion date − first contact (else entry date); 12 mo. = the 12 months ending "
            "with this month.\n"
            "Tier: the customer's latest tier-log row on or before the conversion date, else its current tier; "
            "conversions without a first-contact date are left out.",
        )
        fmt: dict[str, Style] = {cols[1]: "int", cols[2]: "num", cols[3]: "num", cols[4]: "int", cols[5]: "num",
                                 cols[6]: "num"}
        return Table(df, t("三、成交周期（按成交时级别）", "3. Days to close, by tier at conversion"), fmt,
                     note=note, name="days", empty_text=t("近 12 个月无成交", "No conversions in 12 months"))

    def methods_table(self) -> Table:
        t = self.t
        cols = [t("跟进方式", "Method"), t("跟进次数", "Follow-ups"), t("触达客户", "Customers touched"),
                t("末次触达成交", "Conversions (last touch)"), t("签约率", "Sign rate")]
        m = self.methods
        df = pd.DataFrame({
            cols[0]: [self.group(i) for i in m.index], cols[1]: m["followups"], cols[2]: m["touched"],
            cols[3]: m["last_touch"], cols[4]: m["rate"],
        }, dtype=object).reset_index(drop=True)
        note = t(
            "跟进次数 / 触达客户：本月用该方式的跟进记录数 / 涉及客户数。\n"
            "末次触达成交：本月成交中，转化当天及之前最后一次跟进用该方式的单数；签约率 = 末次触达成交 ÷ 触达客户。",
            "Follow-ups / customers touched: the month's follow-up rows / distinct customers with that method.\n"
            "Conversions (last touch): the month's conversions whose latest follow-up on or before the "
            "conversion day used it; sign rate = that ÷ customers touched.",
        )
        return Table(df, t("四、跟进方式", "4. Follow-up methods"),
                     {cols[1]: "int", cols[2]: "int", cols[3]: "int", cols[4]: "pct"}, note=note, name="methods",
                     empty_text=t("本月无跟进", "No follow-ups"))

    def owners_table(self) -> Table:
        t = self.t
        cols = [t("负责人", "Owner"), t("跟进次数", "Follow-ups"), t("新增客户", "New customers"),
                t("成交单数", "Conversions"), self.amount_label(), t("月末逾期客户", "Overdue at month end")]
        o = self.owners
        df = pd.DataFrame({
            cols[0]: [self.group(i) for i in o.index], cols[1]: o["followups"], cols[2]: o["new"],
            cols[3]: o["conversions"], cols[4]: [money_value(v, self.unit) for v in o["amount"]], cols[5]: o["overdue"],
        }, dtype=object).reset_index(drop=True)
        sums = cols[1:]
        df, cols, more, managed = people.with_managers(self.ctx, self.data, df, cols, self.group)  # (主管 column)
        if len(df) > 1:
            total = [t("合计", "Total"), *(df[c].sum() if c in sums or c in more else None for c in cols[1:])]
            df = pd.concat([df, pd.DataFrame([total], columns=cols, dtype=object)], ignore_index=True)
        note = t(
            "跟进次数按跟进记录的负责人（空则取客户的负责人）；成交按转化记录的负责人；新增、逾期按客户的负责人。\n"
            "月末逾期：按跟进提醒的规则，在月末已过下次跟进日的跟进中客户，或已过售后步骤期限的已成交客户\n"
            "（客户状态与级别取当前值）。",
            "Follow-ups by the follow-up's owner (else the customer's); conversions by the conversion's owner; "
            "new and overdue by the customer's owner.\n"
            "Overdue: by the stale-follow-up rules at month end — open customers past their next follow-up, won "
            "customers past an after-sale step\n(statuses and tiers as they are now).",
        ) + (f"\n{managed}" if managed else "")
        return Table(df, t("五、负责人", "5. Owners"),
                     {cols[1]: "int", cols[2]: "int", cols[3]: "int", cols[4]: self.money, cols[5]: "int", **more},
                     note=note, name="owners",
                     empty_text=t("本月无数据", "No data"))

    def lost_table(self) -> Table:
        t = self.t
        cols = [t("未成交原因", "Lost reason"), t("流失客户", "Lost customers"), t("占比", "Share")]
        lo = self.lost
        df = pd.DataFrame({cols[0]: [self.group(i) for i in lo.index], cols[1]: lo["lost"], cols[2]: lo["share"]},
                          dtype=object).reset_index(drop=True)
        note = t("流失客户：流失日期在本月的客户，按未成交原因统计；占比 = 该原因 ÷ 本月流失合计。",
                 "Lost customers: lost-on date in the month, by lost reason; share = of all lost in the month.")
        return Table(df, t("六、流失原因", "6. Lost reasons"), {cols[1]: "int", cols[2]: "pct"}, note=note,
                     name="lost", empty_text=t("本月无流失客户", "No customers lost this month"))

    def moves_table(self) -> Table:
        t = self.t
        cols = [t("级别调整", "Move"), t("方向", "Direction"), t("次数", "Count")]
        words = {"up": t("上调", "up"), "down": t("下调", "down"), "first": t("首次定级", "first tier")}
        mv = self.moves
        df = pd.DataFrame({
            cols[0]: [f"{p or '—'} → {q}" for p, q in zip(mv["prev"], mv["tier"], strict=True)],
            cols[1]: [words[x] for x in mv["direction"]], cols[2]: list(mv["count"]),
        }, dtype=object)
        note = t("客户分级表中调整时间在本月的记录，与该客户的上一条记录比较：升为更高级别为上调，反之为下调；\n"
                 "此前没有记录的为首次定级；级别未变的记录不计。",
                 "Tier-log rows dated in the month, against the customer's previous row: a higher tier is up, a "
                 "lower one down;\nno earlier row is a first tier; rows repeating the tier are not counted.")
        return Table(df, t("七、级别调整", "7. Tier moves"), {cols[2]: "int"}, note=note, name="moves",
                     empty_text=t("本月无级别调整", "No tier changes this month"))

    def churn_table(self) -> Table:
        """Churn risk of won accounts as of the month's last day (health.churn_summary)."""
        t = self.t
        c = self.churn
        df = c["table"]
        cols = list(df.columns)
        note = t(
            "已成交客户按健康度模型评估的流失风险（与「流失预警」表同一规则）：NPS < "
            f"{self.ctx.settings.churn_nps_below} 且 {self.ctx.settings.churn_no_conversion_days} 天无成交为高风险，"
            "跟进间隔过长、满意度调研逾期、价格敏感 / 竞品对比标签、金额下滑等为中风险。\n" + c["note"],
            "Churn risk of won accounts by the health model (the churn watch sheet's rules): NPS below "
            f"{self.ctx.settings.churn_nps_below} and no conversion in {self.ctx.settings.churn_no_conversion_days} "
            "days is high; long follow-up gaps, an overdue survey, price / competitor tags or a falling amount "
            "are medium.\n" + c["note"],
        )
        return Table(df, t("八、流失风险（截至月末）", "8. Churn risk (at month end)"),
                     {cols[1]: "int", cols[2]: self.money}, note=note, name="churn")

    def trend_table(self) -> Table:
        t = self.t
        cols = [hist.header("month", self.lang, self.unit), hist.header("new", self.lang, self.unit),
                hist.header("conversions", self.lang, self.unit), self.amount_label(),
                hist.header("conv_rate", self.lang, self.unit), t("数值来自", "Figures from")]
        first = fig.first_month(self.data) or self.month
        start = max(first.start, self.month.shift(-(TREND_MONTHS - 1)).start)
        rows = []
        m = fig.Month.parse(f"{start.year:04d}-{start.month:02d}")
        while m.start <= self.month.start:
            if m.label in self.history.index:
                row = self.history.loc[m.label]
                figures = {k: row[k] for k in ("new", "conversions", "amount", "conv_rate")}
                origin = t("复盘历史", "review history")
            else:
                figures = fig.headline(self.data, m, light=True)
                origin = t("当前数据", "current data")
            amount = figures["amount"]
            rows.append([m.label, figures["new"], figures["conversions"],
                         None if amount is None or amount != amount else money_value(amount, self.unit),
                         figures["conv_rate"], origin])
            m = m.shift(1)
        df = pd.DataFrame(rows, columns=cols, dtype=object)
        note = t("已复盘的月份取自「复盘历史」表中复盘时的数值，其余月份按当前数据计算；最多显示 12 个月。",
                 "Months already reviewed show the figures kept in the review history; other months are computed "
                 "from the current data; at most 12 months.")
        return Table(df, t("九、月度趋势", "9. Monthly trend"),
                     {cols[1]: "int", cols[2]: "int", cols[3]: self.money, cols[4]: "pct"}, note=note, name="trend")

    def coverage_table(self) -> Table:
        """Follow-up coverage by tier at month end (fig.coverage)."""
        t = self.t
        cols = [t("级别", "Tier"), t("跟进中客户", "Open leads"), t("按节奏跟进", "On cadence"),
                t("逾期", "Overdue"), t("覆盖率", "Coverage")]
        c = self.coverage
        df = pd.DataFrame({
            cols[0]: [self.tier_label(i) for i in c.index], cols[1]: c["leads"], cols[2]: c["on_cadence"],
            cols[3]: c["overdue"], cols[4]: c["rate"],
        }, dtype=object).reset_index(drop=True)
        note = t(
            "跟进中客户：月末已接触、跟进状态为跟进中的客户（不含已成交、已流失、暂停；状态取当前值），按月末的级别。\n"
            "逾期：按跟进提醒的规则，月末已过下次跟进日；按节奏跟进 = 跟进中客户 − 逾期；覆盖率 = 按节奏跟进 ÷ 跟进中客户。",
            "Open leads: customers known by month end whose follow-up state is open (not won, lost or paused; "
            "statuses as they are now), by their tier at month end.\n"
            "Overdue: past the next follow-up date at month end by the stale rules; on cadence = open leads − "
            "overdue; coverage = on cadence ÷ open leads.",
        )
        return Table(df, t("十、跟进覆盖（按级别，截至月末）", "10. Follow-up coverage by tier (at month end)"),
                     {cols[1]: "int", cols[2]: "int", cols[3]: "int", cols[4]: "pct"}, note=note, name="coverage",
                     empty_text=t("月末没有跟进中的客户", "No open leads at month end"))

    # --- sheet -----------------------------------------------------------------------------------

    def blocks(self) -> list[Text | Table]:
        t = self.t
        out: list[Text | Table] = [
            Text(review_sheet_name(self.lang, self.month.label), "title"),
            Text(_period(self.ctx, self.month), "subtitle"),
            Text(t("本月要点", "Highlights"), "heading"),
            *(Text(line) for line in self.highlights()),
            Text(""),
            self.overview(),
        ]
        self._trend = self.trend_table()
        out += [self.sources_table(), self.days_table(), self.methods_table(), self.owners_table(),
                self.lost_table(), self.moves_table(), self.churn_table(), self._trend, self.coverage_table(),
                *tiergoals.tables(self.ctx, self.month), *winback.tables(self.ctx, self.month),
                *people.referral_tables(self.ctx, self.data, self.month),  # (推荐人 column)
                *service.tables(self.ctx, self.month),  # (complaints / surveys sheets)
                *self.plan_blocks]  # the plan last: its rows are every row below its header
        return sections.numbered(out, self.lang)  # (the optional sections leave no gap in the numbers)

    def charts(self) -> list[Chart]:
        t = self.t
        trend_cols = list(self._trend.df.columns)
        return [
            Chart("column", t("各来源转化率", "Conversion rate by source"), "sources", t("来源", "Source"),
                  [t("转化率", "Conversion rate")], "0%"),
            Chart("column", t("各跟进方式签约率（末次触达）", "Sign rate by last-touch method"), "methods",
                  t("跟进方式", "Method"), [t("签约率", "Sign rate")], "0%"),
            Chart("pie", t("流失原因分布", "Lost reasons"), "lost", t("未成交原因", "Lost reason"),
                  [t("流失客户", "Lost customers")]),
            Chart("line", t("月度成交金额趋势", "Monthly conversion amount"), "trend", trend_cols[0],
                  [trend_cols[3]]),
        ]


def _change_pct(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before
