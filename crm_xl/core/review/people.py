"""The review's service records, each only when its optional Customers column is there: the referral
table (推荐人 / Referred by) and each manager's tier A accounts in the owners table (主管 / Manager).

Rules:

* Referrals: the customers (once per name, as the other tables count them) known by the month's end whose
  推荐人 is filled and is not the customer itself are referred; the others are the rest. Signed = a
  conversion dated up to the month's end (the sources table's conversion rate). Per referrer: the
  customers it referred, how many signed, and their names (signed ones marked); a referrer that names no
  customer is listed as typed, marked.
* Managers: the A accounts (current tier, not lost) whose 主管 is filled, per manager — a count column in
  the owners table (a manager who owns no customer gets a row of their own) and, in its note, the first
  names; the A accounts with no manager are counted in the note.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ...model.i18n import Lang, fold, pick
from ...model.layout import Style, Table
from ..context import Context
from ..kernel.columns import parsed
from ..kernel.referrals import has_referrals, referrals
from .figures import Data, Month, _first_conversion

NAMES_SHOWN = 5  # names listed per referrer / manager before "… N in all"


def _names(names: list[str], lang: Lang) -> str:
    """`甲、乙、丙` / `A, B, C`; past NAMES_SHOWN: `甲、乙、丙、丁、戊 等 8 个` / `A, B, C, D, E … (8)`."""
    sep = pick(lang, "、", ", ")
    if len(names) <= NAMES_SHOWN:
        return sep.join(names)
    head = sep.join(names[:NAMES_SHOWN])
    return pick(lang, "{head} 等 {n} 个", "{head} … ({n})").format(head=head, n=len(names))  # (names as typed)


def _per_key(ctx: Context, col: str) -> pd.Series:
    """A Customers column as text, per customer key (its first row, as `figures.prepare` keeps them)."""
    f = ctx.frames
    keys = parsed(f, "customers", "customer", "key")
    text = pd.Series(parsed(f, "customers", col, "text").to_numpy(dtype=object), index=keys.to_numpy(dtype=object))
    return text[(text.index != "") & ~text.index.duplicated()]


# --- referrals ----------------------------------------------------------------------------------------


def referral_tables(ctx: Context, d: Data, m: Month) -> list[Table]:
    """The referral tables (none without the 推荐人 column)."""
    if not has_referrals(ctx.frames):
        return []
    lang = ctx.lang

    def t(hans: str, en: str) -> str:
        return pick(lang, hans, en)

    f = ctx.frames
    keys = parsed(f, "customers", "customer", "key")
    names = f.data("customers")["customer"].to_numpy(dtype=object)
    refs = referrals(f)
    refs = refs[~refs["own"].to_numpy()]
    typed = f.data("customers")["referrer"].reindex(refs.index)  # (the cell as typed, for one that names no one)
    out_of = t("（未匹配到客户）", " (no such customer)")
    by = refs["by"].to_numpy()
    label = [str(names[b]) if b >= 0 else f"{str(r).strip()}{out_of}" for b, r in zip(by, typed, strict=True)]
    refs = pd.DataFrame({"key": keys.reindex(refs.index).to_numpy(dtype=object), "referrer": label},
                        index=refs.index)
    refs = refs[refs["key"] != ""].drop_duplicates("key")
    cu = d.customers
    known = cu.index[(cu["known"] < m.end).to_numpy()]
    signed = set(cu.index[(_first_conversion(d) < m.end).to_numpy()])
    referred = pd.Index(refs["key"]).intersection(known)
    rest = known.difference(referred)

    cols = [t("客户", "Customers"), t("客户数", "Count"), t("已签约", "Signed"), t("签约率", "Sign rate")]
    rows = []
    for what, group in ((t("被推荐客户", "Referred customers"), referred), (t("其他客户", "Other customers"), rest)):
        won = sum(k in signed for k in group)
        rows.append([what, len(group), won, won / len(group) if len(group) else None])
    compare = pd.DataFrame(rows, columns=cols, dtype=object)
    note = t("截至月末已接触的客户中，推荐人列有填写（且不是客户本身）的为被推荐客户；已签约 = 月末前有转化记录"
             "（与线索来源表的转化率同一口径）；签约率 = 已签约 ÷ 客户数。",
             "Of the customers known by the month's end, those whose Referred by cell is filled (and is not the "
             "customer itself) are referred; signed = a conversion by the month's end (as the sources table's "
             "conversion rate); sign rate = signed ÷ count.")
    first = Table(compare, t("十四、转介绍", "14. Referrals"), {cols[1]: "int", cols[2]: "int", cols[3]: "pct"},
                  note=note, name="referrals")

    mine = refs[refs["key"].isin(referred)]
    heads = [t("推荐人", "Referred by"), t("推荐客户", "Referred"), t("已签约", "Signed"), t("签约率", "Sign rate"),
             t("被推荐客户（✓ 已签约）", "Customers referred (✓ signed)")]
    by_referrer = []
    customer_of = pd.Series(names, index=keys.index)
    for who, group in mine.groupby("referrer", sort=False):
        signed_here = [k in signed for k in group["key"]]
        shown = [str(customer_of[i]) + (" ✓" if s else "") for i, s in zip(group.index, signed_here, strict=True)]
        by_referrer.append([who, len(group), sum(signed_here), sum(signed_here) / len(group), _names(shown, lang)])
    table = pd.DataFrame(by_referrer, columns=heads, dtype=object)
    if len(table):
        table = table.sort_values([heads[1], heads[0]], ascending=[False, True], kind="stable").reset_index(drop=True)
    second = Table(table, t("推荐人明细", "By referrer"), {heads[1]: "int", heads[2]: "int", heads[3]: "pct"},
                   note=t("每位推荐人推荐的客户（截至月末已接触），推荐最多的在前。",
                          "The customers each referrer referred (known by the month's end), most first."),
                   name="referrers", empty_text=t("暂无推荐记录", "No referrals yet"))
    return [first, second]


# --- managers of A accounts ---------------------------------------------------------------------------


def with_managers(ctx: Context, d: Data, df: pd.DataFrame, cols: list[str], label: Callable[[str], str]
                  ) -> tuple[pd.DataFrame, list[str], dict[str, Style], str]:
    """The owners table `df` (columns `cols`, owner labels in the first) with each manager's tier A accounts
    added: a count column (a manager owning no customer gets a row), its format and the note lines (the
    definition, then each manager's accounts by name). Unchanged (and no note) without the 主管 column."""
    f = ctx.frames
    if f.customers is None or not f.customers.has("manager"):
        return df, cols, {}, ""
    lang = ctx.lang

    def t(hans: str, en: str) -> str:
        return pick(lang, hans, en)

    cu = d.customers
    manager = _per_key(ctx, "manager").reindex(cu.index).fillna("")
    names = _per_key(ctx, "customer").reindex(cu.index).fillna("")
    a_live = ((cu["tier_now"] == "A") & (cu["status"] != "lost")).to_numpy()
    s = ctx.settings
    who = manager.map(lambda x: s.in_list("owners", x) or x if x else "")
    led = pd.DataFrame({"who": who.to_numpy(), "name": names.to_numpy()})[a_live]
    unled = int((led["who"] == "").sum())
    led = led[led["who"] != ""]
    count_col = t("主管 A 类客户", "A accounts managed")
    counts: dict[str, int] = {}
    shown: list[str] = []
    for person, group in led.groupby("who", sort=False):
        counts[fold(str(person))] = len(group)
        shown.append(t("{person}：", "{person}: ").format(person=person) + _names([str(n) for n in group["name"]], lang))
    rows = [fold(str(x)) for x in df[cols[0]]]
    extra = [p for p in dict.fromkeys(fold(str(x)) for x in led["who"]) if p not in rows]
    spelled = {fold(str(x)): str(x) for x in led["who"]}
    if extra:
        more = pd.DataFrame([[label(spelled[p]), *([0] * (len(cols) - 1))] for p in extra], columns=cols, dtype=object)
        df = pd.concat([df, more], ignore_index=True)
        rows += extra
    df = df.assign(**{count_col: [counts.get(r, 0) for r in rows]})
    note = t(f"主管 A 类客户：客户信息表「主管」列为该人的 A 类客户（当前级别，不含已流失）；另有 {unled} 个 A 类客户未填主管。",
             f"A accounts managed: the tier A accounts (current tier, not lost) whose Manager is this person; "
             f"{unled} A accounts have no manager.")
    return df, [*cols, count_col], {count_col: "int"}, "\n".join([note, *shown])
