"""The monthly review's figures: pure pandas over the data sheets, one function per table.

`prepare(ctx)` parses the four sheets once into a `Data`; each figure function takes it and a `Month`
and returns a DataFrame (or dict) with canonical column names — labelling, formatting and layout are in
review.py. Definitions (they are also written under each table on the sheet):

- a customer's *first contact* is `first_contact`, else `entered_on`; a customer is *known* by a date
  when its first contact (else its earliest follow-up, conversion or tier-log row) is on or before it;
- *conversions* are rows of the conversions sheet, dated by their `date`; *amount* sums their amounts;
- group labels: a Settings list item when the cell matches one (in any language), else the cell's text,
  BLANK ('') for an empty cell; NOT_IN for a conversion whose customer is not in Customers, NO_TOUCH for
  a conversion with no follow-up before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...model.frame import Frames
from ...model.parse import norm
from ...model.settings import Settings
from ..context import Context
from ..followups.rules import OPEN_CODES, follow_state, overdue_as_of
from ..kernel.cells import spread
from ..kernel.columns import factorized, parsed
from ..kernel.memo import memo
from ..kernel.tierlog import history
from ..kernel.vectors import NS, days_of, stamps

BLANK = ""
NOT_IN = "\x00not-in-customers"
NO_TOUCH = "\x00no-follow-up"
TIER_RANK = {"A": 3, "B": 2, "C": 1}
_OLDEST = pd.Timestamp("1900-01-01")


@dataclass(frozen=True)
class Month:
    """A calendar month: `label` 'YYYY-MM', `start` its first day, `end` the next month's first day."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def parse(cls, label: str) -> Month:
        start = pd.Timestamp(dt.datetime.strptime(label, "%Y-%m"))
        return cls(label, start, start + pd.DateOffset(months=1))

    @classmethod
    def before(cls, today: dt.date) -> Month:
        """The last full month before `today` (the month before today's month)."""
        first = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
        return cls.parse(f"{first.year:04d}-{first.month:02d}")

    def shift(self, months: int) -> Month:
        start = self.start + pd.DateOffset(months=months)
        return Month.parse(f"{start.year:04d}-{start.month:02d}")

    @property
    def last_day(self) -> dt.date:
        return (self.end - pd.Timedelta(days=1)).date()

    def within(self, days: pd.Series) -> pd.Series:
        if days.dtype == NS:  # the same comparison on the array (NaT is in no month)
            values = days.to_numpy()
            inside = (values >= self.start.to_datetime64()) & (values < self.end.to_datetime64())
            return pd.Series(inside, index=days.index, dtype=bool)
        return (days >= self.start) & (days < self.end)


@dataclass
class Data:
    """The data sheets parsed once for the review.

    customers: index key (customer_key) → owner, source, first, known, status, lost_on, lost_reason, tier_now;
    followups: key, at (datetime64), method, owner, next_date — sorted by time, then sheet row;
    conversions: key, date (datetime64, day), amount (yuan, NaN when unreadable), owner — sorted by date;
    tiers: tier_history() rows (key, tier, prev, date …) plus `stamp` (datetime64; undated rows = 1900).
    """

    customers: pd.DataFrame
    followups: pd.DataFrame
    conversions: pd.DataFrame
    tiers: pd.DataFrame
    settings: Settings
    frames: Frames
    cache: dict[Any, Any] = field(default_factory=dict)


def _labels(ctx: Context, sheet: str, col: str, name: str) -> pd.Series:
    """Canonical item of Settings list `name` (any language) of each cell of a column, else its text, ''
    when blank: computed once per run while the column and the Settings are unchanged, per distinct cell
    of the column's shared factorisation."""
    s, frames = ctx.settings, ctx.frames

    def one(v: Any) -> str:
        return BLANK if v is None else (s.in_list(name, v) or norm(v))

    def label() -> pd.Series:
        codes, uniques = factorized(frames, sheet, col)
        return spread(codes, [one(u) for u in uniques], one(None), frames.data(sheet).index)

    return memo(frames, {sheet: (col,)}, ("label", sheet, col, name), label, uses=s)


def _day(frames: Frames, sheet: str, col: str) -> pd.Series:
    """The dates of a whole column, time dropped (parsed once per run)."""
    return parsed(frames, sheet, col, "day")


def prepare(ctx: Context) -> Data:
    """Parse the four sheets (raw cells) into the columns the figures need."""
    s = ctx.settings
    cu = ctx.frames.data("customers")
    fu = ctx.frames.data("followups")
    cv = ctx.frames.data("conversions")

    f = ctx.frames
    cust = pd.DataFrame({
        "key": parsed(f, "customers", "customer", "key"),
        "owner": _labels(ctx, "customers", "owner", "owners"),
        "source": _labels(ctx, "customers", "source", "sources"),
        "first": _day(f, "customers", "first_contact").fillna(_day(f, "customers", "entered_on")),
        "status": parsed(f, "customers", "status", "status"),
        "lost_on": _day(f, "customers", "lost_on"),
        "lost_reason": _labels(ctx, "customers", "lost_reason", "lost_reasons"),
        "tier_now": parsed(f, "customers", "tier", "tier").fillna(parsed(f, "customers", "tier_override", "tier")),
    }, index=cu.index)
    cust = cust[cust["key"] != ""].drop_duplicates("key").set_index("key")
    owner_of = cust["owner"]

    fkeys = parsed(f, "followups", "customer", "key")
    follow = pd.DataFrame({
        "key": fkeys,
        "at": parsed(f, "followups", "date", "when"),
        "method": _labels(ctx, "followups", "method", "methods"),
        "owner": _labels(ctx, "followups", "owner", "owners"),
        "next_date": _day(f, "followups", "next_date"),
        "row": fu.index.to_numpy(),
    }, index=fu.index.to_numpy())
    _owner_else_customers(follow, fkeys, owner_of)
    follow = follow[follow["at"].notna()].sort_values("at", kind="stable").reset_index(drop=True)  # rows in order

    ckeys = parsed(f, "conversions", "customer", "key")
    conv = pd.DataFrame({
        "key": ckeys,
        "date": _day(f, "conversions", "date"),
        "amount": pd.to_numeric(parsed(f, "conversions", "amount", "amount"), errors="coerce"),
        "owner": _labels(ctx, "conversions", "owner", "owners"),
        "row": cv.index.to_numpy(),
    }, index=cv.index.to_numpy())
    _owner_else_customers(conv, ckeys, owner_of)
    conv = conv[conv["date"].notna()].sort_values("date", kind="stable").reset_index(drop=True)

    tiers = history(ctx.frames)
    tiers["stamp"] = stamps(tiers["date"]).fillna(_OLDEST)

    cust["known"] = cust["first"]
    missing = cust["first"].isna()
    if missing.any():  # no first contact: known from its earliest follow-up, conversion or tier row
        keys = set(cust.index[missing])
        earliest = pd.concat([
            follow.loc[follow["key"].isin(keys)].groupby("key")["at"].min().dt.normalize(),
            conv.loc[conv["key"].isin(keys)].groupby("key")["date"].min(),
            tiers.loc[tiers["key"].isin(keys) & (tiers["stamp"] > _OLDEST)].groupby("key")["stamp"].min(),
        ]).groupby(level=0).min()
        cust.loc[missing, "known"] = days_of(cust.index[missing], earliest).to_numpy()
    cust["known"] = cust["known"].astype("datetime64[ns]")
    return Data(cust, follow, conv, tiers, s, ctx.frames)


def _owner_else_customers(rows: pd.DataFrame, keys: pd.Series, owner_of: pd.Series) -> None:
    """A blank owner of `rows` (in place) becomes its customer's (by key; BLANK when not in Customers)."""
    blank = (rows["owner"] == BLANK).to_numpy()
    if blank.any():
        rows.loc[blank, "owner"] = keys[blank].map(owner_of).fillna(BLANK).to_numpy()


# --- the figures ------------------------------------------------------------------------------------

def new_mask(d: Data, m: Month) -> pd.Series:
    """Customers whose first contact is in the month."""
    return m.within(d.customers["first"])


def _conv_in(d: Data, m: Month) -> pd.DataFrame:
    return _in_month(d.conversions, "date", m)


def _follow_in(d: Data, m: Month) -> pd.DataFrame:
    return _in_month(d.followups, "at", m)


def _in_month(rows: pd.DataFrame, col: str, m: Month) -> pd.DataFrame:
    """The rows dated in the month, for rows sorted by their (never blank) date `col`: one slice, the same
    rows as `rows[m.within(rows[col])]`."""
    days = rows[col].to_numpy(dtype=NS)
    lo, hi = np.searchsorted(days, [m.start.to_datetime64(), m.end.to_datetime64()], side="left")
    return rows.iloc[lo:hi]


def _source_of(d: Data, keys: pd.Series) -> pd.Series:
    return keys.map(d.customers["source"]).fillna(NOT_IN)


def sources(d: Data, m: Month) -> pd.DataFrame:
    """By source: new (customers first contacted in the month), share (of all new), conversions (conversion
    rows in the month), base (customers known by month end), converted (of them, those with a conversion
    dated on or before month end), rate = converted / base."""
    cu = d.customers
    new = cu[new_mask(d, m)].groupby("source").size()
    conv = _source_of(d, _conv_in(d, m)["key"]).value_counts()
    known = cu[cu["known"] < m.end]
    won_by_end = set(d.conversions.loc[d.conversions["date"] < m.end, "key"])
    base = known.groupby("source").size()
    converted = known[known.index.isin(won_by_end)].groupby("source").size()
    out = pd.DataFrame({"new": new, "conversions": conv, "base": base, "converted": converted}).fillna(0)
    out = out.astype(int)
    total_new = out["new"].sum()
    out["share"] = out["new"] / total_new if total_new else np.nan
    out.loc[out.index == NOT_IN, "share"] = np.nan
    out["rate"] = (out["converted"] / out["base"].where(out["base"] > 0)).astype(float)
    out = out[(out[["new", "conversions", "base"]] > 0).any(axis=1)]
    return _ordered(out, d.settings.sources)[["new", "share", "conversions", "base", "converted", "rate"]]


def _tier_at(d: Data, conv: pd.DataFrame) -> pd.Series:
    """Tier each conversion's customer held on its date: latest tier-log row on or before it, else the
    customer's current tier, else BLANK."""
    if conv.empty:
        return pd.Series([], index=conv.index, dtype=object)
    left = conv[["key", "date"]].assign(_i=conv.index).sort_values("date", kind="stable")
    right = d.tiers[["key", "stamp", "tier"]].sort_values("stamp", kind="stable")
    if right.empty:
        logged = pd.Series(None, index=left["_i"], dtype=object)
    else:
        merged = pd.merge_asof(left, right, left_on="date", right_on="stamp", by="key", direction="backward",
                               allow_exact_matches=True)
        logged = pd.Series(merged["tier"].to_numpy(), index=merged["_i"].to_numpy(), dtype=object)
    logged = logged.reindex(conv.index)
    now = conv["key"].map(d.customers["tier_now"])
    return logged.where(logged.notna(), now).where(lambda x: x.notna(), BLANK).astype(object)


def close_days(d: Data, m: Month, months: int = 12) -> pd.DataFrame:
    """Days from first contact to conversion, by the tier held on the conversion date: n, mean, median for
    conversions in the month and in the trailing `months` months ending with it. Conversions without a
    first-contact date, or dated before it, are left out. Kept in `d.cache` (the review's sheet and its
    headline ask for the same month)."""
    key = ("close_days", m, months)
    if key not in d.cache:
        d.cache[key] = _close_days(d, m, months)
    return d.cache[key]


def _closed(d: Data) -> pd.DataFrame:
    """Every conversion dated on or after its customer's first contact, with the days between and the tier
    held on its date (each conversion's on its own: kept in `d.cache` for every month)."""
    if "closed" not in d.cache:
        conv = d.conversions
        conv = conv.assign(first=days_of(conv["key"], d.customers["first"]))
        conv = conv.assign(days=(conv["date"] - conv["first"]).dt.days)
        conv = conv[conv["days"].notna() & (conv["days"] >= 0)]
        d.cache["closed"] = conv.assign(tier=_tier_at(d, conv))
    return d.cache["closed"]


def _close_days(d: Data, m: Month, months: int) -> pd.DataFrame:
    window = Month(m.label, m.shift(-(months - 1)).start, m.end)
    conv = _closed(d)
    conv = conv[window.within(conv["date"])]
    conv = conv.assign(in_month=m.within(conv["date"]))
    parts = {}
    for name, rows in (("month", conv[conv["in_month"]]), ("trailing", conv)):
        g = rows.groupby("tier")["days"]
        parts[f"n_{name}"] = g.size()
        parts[f"mean_{name}"] = g.mean()
        parts[f"median_{name}"] = g.median()
    out = pd.DataFrame(parts)
    for col in ("n_month", "n_trailing"):
        out[col] = out[col].fillna(0).astype(int)
    cols = ["n_month", "mean_month", "median_month", "n_trailing", "mean_trailing", "median_trailing"]
    return _ordered(out, list(TIER_RANK)).reindex(columns=cols)


def methods(d: Data, m: Month) -> pd.DataFrame:
    """By follow-up method: followups (in the month), touched (distinct customers followed up that way in
    the month), last_touch (conversions in the month whose latest follow-up on or before the conversion
    day used it), rate = last_touch / touched."""
    fu = _follow_in(d, m)
    g = fu.groupby("method")
    out = pd.DataFrame({"followups": g.size(), "touched": g["key"].nunique()})
    last = _last_touch(d, _conv_in(d, m)).value_counts()
    out = out.join(last.rename("last_touch"), how="outer").fillna(0).astype(int)
    out["rate"] = (out["last_touch"] / out["touched"].where(out["touched"] > 0)).astype(float)
    return _ordered(out, d.settings.methods, tail=(BLANK, NO_TOUCH))[["followups", "touched", "last_touch", "rate"]]


def _last_touch(d: Data, conv: pd.DataFrame) -> pd.Series:
    """Method of the latest follow-up of the same customer on or before each conversion's day."""
    if conv.empty:
        return pd.Series([], dtype=object)
    left = conv[["key"]].assign(cut=conv["date"] + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1),
                                _i=conv.index).sort_values("cut", kind="stable")
    right = d.followups[["key", "at", "method"]]
    if right.empty:
        return pd.Series(NO_TOUCH, index=conv.index, dtype=object)
    merged = pd.merge_asof(left, right, left_on="cut", right_on="at", by="key", direction="backward")
    return pd.Series(merged["method"].fillna(NO_TOUCH).to_numpy(), index=merged["_i"].to_numpy(), dtype=object)


def lost_reasons(d: Data, m: Month) -> pd.DataFrame:
    """Customers whose `lost_on` is in the month, by lost reason: count and share."""
    lost = d.customers[m.within(d.customers["lost_on"])]
    out = lost.groupby("lost_reason").size().rename("lost").to_frame()
    out["share"] = out["lost"] / out["lost"].sum() if len(lost) else np.nan
    return _ordered(out, d.settings.lost_reasons)


def overdue_at(d: Data, day: dt.date) -> pd.Series:
    """Customers overdue at the end of `day` (bool, by customer key), as the stale job defines it
    (`followups.overdue_as_of`: open customers past their next follow-up, won customers past an after-sale
    step; statuses and tiers as they are now, tier log as of `day`)."""
    if day not in d.cache:
        late = overdue_as_of(d.frames, d.settings, day, full=False)
        d.cache[day] = pd.Series(d.customers.index.isin(late["key"].to_numpy()), index=d.customers.index)
    return d.cache[day]


def coverage(d: Data, m: Month) -> pd.DataFrame:
    """Follow-up coverage by tier at month end: leads (customers known by month end whose follow-up state
    at month end is an open one — not won, lost or paused, statuses as they are now), overdue (of them,
    those `overdue_at` month end), on_cadence = leads − overdue, rate = on_cadence / leads. Tiers as the
    stale rules hold them at month end (`follow_state`); rows A, B, C, then BLANK (no tier)."""
    key = ("coverage", m)
    if key not in d.cache:
        day = m.last_day
        st = follow_state(d.frames, d.settings, day)[["key", "tier", "code"]]
        st = st[st["key"] != ""].drop_duplicates("key").set_index("key").reindex(d.customers.index)
        lead = st["code"].isin(OPEN_CODES) & (d.customers["known"] < m.end)
        late = overdue_at(d, day) & lead
        tier = st["tier"].where(st["tier"].isin(list(TIER_RANK)), BLANK)
        out = pd.DataFrame({"leads": lead.groupby(tier).sum(), "overdue": late.groupby(tier).sum()})
        out = out[out["leads"] > 0].astype(int)
        out["on_cadence"] = out["leads"] - out["overdue"]
        out["rate"] = (out["on_cadence"] / out["leads"]).astype(float)
        d.cache[key] = _ordered(out, list(TIER_RANK), tail=(BLANK,))[["leads", "on_cadence", "overdue", "rate"]]
    return d.cache[key]


def retention(d: Data, m: Month) -> dict[str, Any]:
    """Won accounts over the month: won_start (customers with a conversion dated before the month and
    not lost before it), churned (of them, those whose lost-on date is in the month), churn_rate =
    churned / won_start, retention_rate = 1 − churn_rate (None when won_start is 0). A lost customer
    without a lost-on date cannot be dated: it stays in won_start and is not churned."""
    cu = d.customers
    won = (_first_conversion(d) < m.start) & ~(cu["lost_on"] < m.start)
    churned = won & m.within(cu["lost_on"])
    base, gone = int(won.sum()), int(churned.sum())
    rate = gone / base if base else None
    return {"won_start": base, "churned": gone, "churn_rate": rate,
            "retention_rate": None if rate is None else 1 - rate}


def owners(d: Data, m: Month) -> pd.DataFrame:
    """By owner: followups (follow-up owner, else the customer's), new customers and overdue at month end
    (the customer's owner), conversions and amount (conversion owner, else the customer's)."""
    cu = d.customers
    conv = _conv_in(d, m)
    overdue = overdue_at(d, m.last_day)
    out = pd.DataFrame({
        "followups": _follow_in(d, m).groupby("owner").size(),
        "new": cu[new_mask(d, m)].groupby("owner").size(),
        "conversions": conv.groupby("owner").size(),
        "amount": conv.groupby("owner")["amount"].sum(min_count=1),
        "overdue": cu[overdue].groupby("owner").size(),
    })
    counts = ["followups", "new", "conversions", "overdue"]
    out[counts] = out[counts].fillna(0).astype(int)
    out["amount"] = out["amount"].fillna(0.0)
    return _ordered(out, d.settings.owners)[["followups", "new", "conversions", "amount", "overdue"]]


def tier_moves(d: Data, m: Month) -> pd.DataFrame:
    """Tier-log rows dated in the month, by (prev → tier): direction up / down / first (no earlier row);
    rows that repeat the previous tier are not moves. Kept in `d.cache` (the sheet and its headline ask for
    the same month)."""
    key = ("tier_moves", m)
    if key not in d.cache:
        d.cache[key] = _tier_moves(d, m)
    return d.cache[key]


def _tier_moves(d: Data, m: Month) -> pd.DataFrame:
    t = d.tiers[m.within(d.tiers["stamp"])]
    t = t[t["prev"].isna() | (t["prev"] != t["tier"])]
    if t.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ("prev", "tier", "direction", "count")})
    prev_rank = t["prev"].map(TIER_RANK)
    direction = np.where(prev_rank.isna(), "first", np.where(t["tier"].map(TIER_RANK) > prev_rank, "up", "down"))
    t = t.assign(direction=direction, prev=t["prev"].fillna(BLANK))
    out = t.groupby(["direction", "prev", "tier"]).size().rename("count").reset_index()
    order = {"up": 0, "down": 1, "first": 2}
    out = out.assign(_o=out["direction"].map(order)).sort_values(["_o", "count", "prev", "tier"],
                                                                   ascending=[True, False, True, True])
    return out[["prev", "tier", "direction", "count"]].reset_index(drop=True)


HEADLINE_KEYS = ("new", "followups", "touched", "conversions", "amount", "conv_rate", "lost", "days_mean",
                 "tier_up", "tier_down", "overdue", "coverage", "won_start", "churned", "churn_rate",
                 "retention_rate")


def headline(d: Data, m: Month, *, light: bool = False) -> dict[str, Any]:
    """The month's headline figures (keys HEADLINE_KEYS). `light` computes only new, conversions, amount
    and conv_rate (for the trend)."""
    cu = d.customers
    conv = _conv_in(d, m)
    known = cu["known"] < m.end
    won = (_first_conversion(d) < m.end).to_numpy()  # a conversion dated before the month's end
    n_known = int(known.sum())
    out: dict[str, Any] = {
        "new": int(new_mask(d, m).sum()),
        "conversions": len(conv),
        "amount": float(conv["amount"].sum()),
        "conv_rate": (int((known & won).sum()) / n_known) if n_known else None,
    }
    if light:
        return out
    fu = _follow_in(d, m)
    days = close_days(d, m)  # the month's figures of the trailing table (each conversion's days and tier
    # do not depend on the window, so they are those of the month alone)
    n = int(days["n_month"].sum())
    moves = tier_moves(d, m)
    out.update({
        "followups": len(fu),
        "touched": int(fu["key"].nunique()),
        "lost": int(m.within(cu["lost_on"]).sum()),
        "days_mean": float((days["mean_month"] * days["n_month"]).sum() / n) if n else None,
        "tier_up": int(moves.loc[moves["direction"] == "up", "count"].sum()),
        "tier_down": int(moves.loc[moves["direction"] == "down", "count"].sum()),
        "overdue": int(overdue_at(d, m.last_day).sum()),
        "coverage": _coverage_rate(coverage(d, m)),
        **retention(d, m),
    })
    return {k: out[k] for k in HEADLINE_KEYS}


def _coverage_rate(cov: pd.DataFrame) -> float | None:
    """All tiers' on-cadence leads ÷ leads at month end (None without leads)."""
    leads = int(cov["leads"].sum())
    return int(cov["on_cadence"].sum()) / leads if leads else None


def _first_conversion(d: Data) -> pd.Series:
    """Each customer's earliest conversion date (NaT: none), aligned with `d.customers` (kept in d.cache)."""
    if "first_conversion" not in d.cache:
        first = d.conversions.groupby("key")["date"].min()
        d.cache["first_conversion"] = days_of(d.customers.index, first)
    return d.cache["first_conversion"]


def has_data(d: Data, m: Month) -> bool:
    """Anything happened in the month: a new customer, follow-up, conversion, lost customer or tier row."""
    return bool(new_mask(d, m).any() or _follow_in(d, m).size or _conv_in(d, m).size
                or m.within(d.customers["lost_on"]).any() or m.within(d.tiers["stamp"]).any())


def first_month(d: Data) -> Month | None:
    """The earliest month with a first contact, follow-up or conversion."""
    earliest = [d.customers["first"].min(), d.followups["at"].min(), d.conversions["date"].min()]
    earliest = [s for s in earliest if pd.notna(s)]
    if not earliest:
        return None
    first = min(earliest)
    return Month.parse(f"{first.year:04d}-{first.month:02d}")


def _ordered(df: pd.DataFrame, listed: list[str], tail: tuple[str, ...] = (BLANK, NOT_IN)) -> pd.DataFrame:
    """Rows in Settings-list order, then other labels alphabetically, then the `tail` labels."""
    index = [str(i) for i in df.index]
    head = [x for x in listed if x in index]
    rest = sorted(x for x in index if x not in head and x not in tail)
    end = [x for x in tail if x in index]
    return df.reindex(head + rest + end)
