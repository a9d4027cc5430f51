"""The review's service sections (issue 23), only for a workbook with the records (kernel/service.py).

Complaints (with a complaints sheet), complaints lodged in the month:

* count; still open at the month's end (solved blank or after it);
* median time to confirm (minutes) and to a first solution (hours), over the complaints that have the time
  (a time typed before the complaint is left out: validation reports it);
* breaches of each limit (Settings): the step done after its limit, or not done by the month's end though
  its limit passed before then;
* root causes: the complaints per 根本原因 (blank: not filled in yet), most first.

Surveys (with a survey sheet or an NPS score on follow-ups), over the quarter ending on the month's last day
(the `survey_days` before it, that day included):

* completion = signed customers surveyed in the quarter ÷ signed customers (customers on Customers with a
  conversion by the month's end and no 流失日期 by then);
* NPS distribution of the customers surveyed in the quarter, by their latest scored survey: promoters 9–10,
  passives 7–8, detractors 0–6; NPS = (promoters − detractors) ÷ those surveyed × 100.
"""

from __future__ import annotations

import pandas as pd

from ...model.i18n import pick
from ...model.layout import Table
from ..context import Context
from ..kernel import service
from ..kernel.columns import parsed
from ..kernel.vectors import NS
from .figures import Month


def complaint_figures(ctx: Context, month: Month) -> dict[str, object]:
    """{"count", "open", "confirm_minutes" (median or None), "solution_hours" (median or None),
    "confirm_breaches", "solution_breaches", "causes" (Series: root cause → complaints, '' for blank)}."""
    s = ctx.settings
    table = service.complaints(ctx.frames)
    table = table[month.within(table["complained"].dt.normalize())]
    close = month.end - pd.Timedelta(microseconds=1)
    out: dict[str, object] = {"count": len(table), "open": int(service.open_at(table, close).sum())}
    steps = {"confirmed": ("confirm", "minutes"), "first_solution": ("solution", "hours")}  # figure names, unit
    for col, limit in service.limits(s).items():
        name, unit = steps[col]
        took = table[col] - table["complained"]
        took = took[took >= pd.Timedelta(0)]
        out[f"{name}_{unit}"] = float(took.median() / pd.Timedelta(**{unit: 1})) if len(took) else None
        deadline = table["complained"] + limit
        out[f"{name}_breaches"] = int((~(table[col] <= deadline) & (deadline <= close)).sum())
    causes = table["root_cause"].value_counts(sort=False)
    out["causes"] = causes.sort_values(ascending=False, kind="stable")
    return out


def survey_figures(ctx: Context, month: Month) -> dict[str, object]:
    """{"signed", "surveyed" (of them), "rate" (None without signed customers), "answers" (customers with a
    scored survey in the quarter), "promoter", "passive", "detractor", "nps" (None without answers), "days"}."""
    f, days = ctx.frames, ctx.settings.survey_days
    last = pd.Timestamp(month.last_day)
    start = last - pd.Timedelta(days=days - 1)
    table = service.surveys(f, last)
    table = table[table["day"] >= start]
    keys = parsed(f, "customers", "customer", "key")
    lost = parsed(f, "customers", "lost_on", "day").astype(NS)
    conv = pd.DataFrame({"key": parsed(f, "conversions", "customer", "key"),
                         "day": parsed(f, "conversions", "date", "day").astype(NS)})
    won = set(conv.loc[(conv["key"] != "") & (conv["day"] <= last), "key"])
    gone = set(keys[lost <= last])
    signed = {k for k in keys if k and k in won and k not in gone}
    surveyed = signed & set(table["key"])
    scored = table[table["score"].notna()].groupby("key")["score"].last()
    groups = scored.map(service.score_group).value_counts()
    out: dict[str, object] = {"signed": len(signed), "surveyed": len(surveyed), "days": days,
                              "rate": len(surveyed) / len(signed) if signed else None, "answers": len(scored),
                              **{g: int(groups.get(g, 0)) for g in ("promoter", "passive", "detractor")}}
    out["nps"] = (round((out["promoter"] - out["detractor"]) / len(scored) * 100)  # type: ignore[operator]
                  if len(scored) else None)
    return out


def tables(ctx: Context, month: Month) -> list[Table]:
    """The complaints and survey tables of the month, each only when the workbook has its records (their
    section numbers are set by the sheet's order: sections.py)."""
    lang = ctx.lang

    def t(hans: str, en: str) -> str:
        return pick(lang, hans, en)

    out: list[Table] = []
    s = ctx.settings
    if service.has_complaints(ctx.frames):
        c = complaint_figures(ctx, month)
        cols = [t("本月投诉", "Complaints"), t("月末未解决", "Open at month end"),
                t("确认用时中位数（分钟）", "Median to confirm (min)"),
                t("初步方案用时中位数（小时）", "Median to first solution (h)"),
                t(f"确认超时（>{s.complaint_confirm_minutes} 分钟）", f"Confirmed late (>{s.complaint_confirm_minutes} min)"),
                t(f"方案超时（>{s.complaint_solution_hours} 小时）", f"First solution late (>{s.complaint_solution_hours} h)")]
        row = [c["count"], c["open"], _round(c["confirm_minutes"]), _round(c["solution_hours"]), c["confirm_breaches"],
               c["solution_breaches"]]
        note = t("投诉时间在本月的投诉；用时 = 确认 / 初步方案时间 − 投诉时间（未填的不计）；超时 = 晚于时限（设置），"
                 "或到月末仍未完成而时限已过。",
                 "Complaints lodged in the month; time = confirmation / first solution − complaint (blank ones left "
                 "out); late = after the limit (Settings), or not done by the month's end once the limit passed.")
        out.append(Table(pd.DataFrame([row], columns=cols, dtype=object), t("十五、客户投诉", "15. Complaints"),
                         {cols[0]: "int", cols[1]: "int", cols[2]: "num", cols[3]: "num", cols[4]: "int", cols[5]: "int"},
                         note=note, name="complaints"))
        causes = c["causes"]
        cause_cols = [t("根本原因", "Root cause"), t("投诉数", "Complaints")]
        df = pd.DataFrame({cause_cols[0]: [k or t("（未填写）", "(blank)") for k in causes.index],  # type: ignore[union-attr]
                           cause_cols[1]: causes.tolist()}, dtype=object)  # type: ignore[union-attr]
        out.append(Table(df, t("投诉根本原因", "Root causes"), {cause_cols[1]: "int"},
                         note=t("本月投诉按根本原因统计；未填写的为尚未复盘的投诉。",
                                "The month's complaints by root cause; blank: not reviewed yet."),
                         name="root_causes", empty_text=t("本月无投诉", "No complaints this month")))
    if service.has_surveys(ctx.frames):
        v = survey_figures(ctx, month)
        cols = [t("指标", "Figure"), t("客户数", "Customers"), t("占比", "Share")]
        answers = v["answers"] or None

        def share(n: object) -> float | None:
            return None if answers is None else n / answers  # type: ignore[operator]

        rows = [[t("已成交客户（月末）", "Signed customers (month end)"), v["signed"], None],
                [t(f"近 {v['days']} 天内已调研（完成率）", f"Surveyed in the last {v['days']} days (completion)"),
                 v["surveyed"], v["rate"]],
                [t("推荐者（9–10 分）", "Promoters (9–10)"), v["promoter"], share(v["promoter"])],
                [t("中立者（7–8 分）", "Passives (7–8)"), v["passive"], share(v["passive"])],
                [t("贬损者（0–6 分）", "Detractors (0–6)"), v["detractor"], share(v["detractor"])],
                [t("NPS（推荐者占比 − 贬损者占比）", "NPS (promoters − detractors, %)"), v["nps"], None]]
        note = t(f"季度 = 截至月末的 {v['days']} 天（设置：满意度调研周期）。已成交客户：月末前有成交、无流失日期的客户；"
                 "完成率 = 其中已调研的占比。\n分布按每位客户在此期间最近一次有评分的调研（占比为占有评分客户的比例）；"
                 "NPS = (推荐者 − 贬损者) ÷ 有评分客户 × 100。",
                 f"Quarter = the {v['days']} days up to the month's end (Settings: survey interval). Signed customers: "
                 "a conversion by the month's end and no lost-on date by then; completion = the share of them "
                 "surveyed.\nDistribution by each customer's latest scored survey in the quarter (shares of the "
                 "customers with a score); NPS = (promoters − detractors) ÷ customers with a score × 100.")
        out.append(Table(pd.DataFrame(rows, columns=cols, dtype=object), t("十六、满意度调研", "16. Satisfaction surveys"),
                         {cols[1]: "int", cols[2]: "pct"}, note=note, name="surveys"))
    return out


def _round(value: object) -> float | None:
    return None if value is None else round(float(value), 1)  # type: ignore[arg-type]


__all__ = ["tables", "complaint_figures", "survey_figures"]
