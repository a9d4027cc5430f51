"""Health scores of won accounts: RFM quintiles and NPS, weighted (the rules are in job.py's docstring);
`score` adds the churn risk (churn.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..context import Context
from ..kernel import service
from ..kernel.columns import parsed, parsed_take
from ..kernel.tierlog import tiers_on
from ..kernel.timeline import timeline
from .churn import _complaint, _risk, _survey

# --- scoring -------------------------------------------------------------------------------------------

def quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Score each value 1–5 by its quintile among `values` (NaN stays NaN).

    Mid-rank percentile p = (average rank − ½) / n, score = ⌊5p⌋ + 1: ties share the average rank and so
    the same score; 1 value → 3; 2 values → 2 and 4; 5 distinct values → 1…5; all equal → 3.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if not higher_is_better:
        v = -v
    n = int(v.notna().sum())
    if n == 0:
        return pd.Series(np.nan, index=values.index)
    twice = 2 * v.rank(method="average") - 1  # exact integers: ranks are k or k + ½
    return (twice * 5) // (2 * n) + 1


def score(ctx: Context, *, full: bool = True) -> pd.DataFrame:
    """Health and churn risk per Customers row (indexed by Excel row).

    Columns: key, customer, owner, won, tier, last_conversion (Timestamp), recency_days, frequency,
    monetary, previous (amount of the window before), nps, r, f, m, health (0–100 or NaN), risk
    (high / medium / low / None), signals (list of codes: "high" plus SIGNALS), reasons (text),
    risk_text (the churn_risk cell), next_step (text). When not `full`, only the risk and what it is
    computed from (no tier, r, f, m, health, signals or texts): what the churn counts need.
    """
    return _score(ctx, full)[0]


def risk_parts(ctx: Context) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`score(ctx, full=False)` and what its risk is made of (churn._risk's parts: the texts of chosen rows
    are made later with `churn._risk_texts`)."""
    return _score(ctx, False)


def _score(ctx: Context, full: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    s, lang = ctx.settings, ctx.lang
    today = pd.Timestamp(ctx.today)
    cust = ctx.frames.data("customers")
    out = pd.DataFrame(index=cust.index)
    out["key"] = parsed(ctx.frames, "customers", "customer", "key")
    out["customer"] = cust["customer"]
    out["owner"] = cust["owner"]
    out["won"] = parsed(ctx.frames, "customers", "status", "status").eq("won") & out["key"].ne("")
    if full:
        out["tier"] = tiers_on(ctx.frames, out["key"], ctx.today)

    conv = _conversions(ctx, today)
    out = _join(out, conv)
    out["frequency"] = out["frequency"].fillna(0)
    out["monetary"] = out["monetary"].fillna(0.0)
    out["previous"] = out["previous"].fillna(0.0)
    out["recency_days"] = (today - out["last_conversion"]).dt.days

    nps = parsed(ctx.frames, "customers", "nps", "int")
    nps = pd.to_numeric(nps, errors="coerce")
    out["nps"] = nps.where(nps.between(-100, 100))
    _survey_nps(out, ctx, today)
    if full:
        out = _rfm(out, s)
    for col, days in _followups(ctx, today, out["won"].to_numpy()).items():
        out[col] = days
    _service(out, ctx, today)
    parts = _risk(out, ctx, today, texts=full)
    out.attrs["lang"] = lang
    return out, parts


def _rfm(out: pd.DataFrame, s: Any) -> pd.DataFrame:
    """`out` with the r, f, m scores and the health of the won accounts."""
    # RFM among won accounts with a conversion, one score per customer key
    keys = out.loc[out["won"] & out["last_conversion"].notna()].drop_duplicates("key").set_index("key")
    rfm = pd.DataFrame({
        "r": quintile_scores(keys["recency_days"], higher_is_better=False),
        "f": quintile_scores(keys["frequency"]),
        "m": quintile_scores(keys["monetary"]),
    }, index=keys.index)
    out = _join(out, rfm)
    for col in ("r", "f", "m"):
        out[col] = out[col].where(out["won"]).fillna(1).where(out["won"])
    out["health"] = _health(out, s)
    return out


def _join(out: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """`out.join(right, on="key")` for a `right` indexed by unique keys: the same columns (missing keys
    give NaN / NaT, ints become floats then, as a join does), looked up with one reindex."""
    add = right.reindex(out["key"].to_numpy())
    add.index = out.index
    return pd.concat([out, add], axis=1)


def _health(out: pd.DataFrame, s: Any) -> pd.Series:
    parts = {"r": s.w_recency, "f": s.w_frequency, "m": s.w_monetary}
    num = sum(w * (out[c] - 1) * 25 for c, w in parts.items())
    den = pd.Series(float(sum(parts.values())), index=out.index)
    has_nps = out["nps"].notna()
    num = num + (s.w_nps * (out["nps"] + 100) / 2).where(has_nps, 0.0)
    den = den + has_nps * s.w_nps
    health = np.floor(num / den.where(den > 0) + 0.5)
    return health.where(out["won"])


def _conversions(ctx: Context, today: pd.Timestamp) -> pd.DataFrame:
    """Per customer key: first/last conversion, conversions and amount in the window and the one before."""
    conv = ctx.frames.data("conversions")
    months = ctx.settings.value_window_months
    start = today - pd.DateOffset(months=months)
    before = start - pd.DateOffset(months=months)
    f = ctx.frames
    df = pd.DataFrame({"key": parsed(f, "conversions", "customer", "key"),
                       "date": parsed(f, "conversions", "date", "day"),
                       "amount": pd.to_numeric(parsed(f, "conversions", "amount", "amount"), errors="coerce")},
                      index=conv.index)
    df = df[df["key"].ne("") & df["date"].notna() & (df["date"] <= today)]
    amount = df["amount"].where(df["amount"] > 0, 0.0)
    in_win = df["date"] > start
    in_prev = (df["date"] > before) & ~in_win
    df = df.assign(win=in_win.astype(int), m=amount.where(in_win, 0.0), p=amount.where(in_prev, 0.0))
    g = df.groupby("key")
    return pd.DataFrame({"first_conversion": g["date"].min(), "last_conversion": g["date"].max(),
                         "frequency": g["win"].sum(), "monetary": g["m"].sum(), "previous": g["p"].sum()})


def _followups(ctx: Context, today: pd.Timestamp, won: np.ndarray) -> dict[str, np.ndarray]:
    """Per Customers row whose customer key is that of a won account (`won`: the won rows): last
    follow-up, last survey follow-up, last complaint within survey_days (datetime64, NaT: none)."""
    f = ctx.frames
    line = timeline(f)
    mine = np.zeros(line.size, dtype=bool)
    mine[line.customers[won]] = True
    at = np.flatnonzero(mine[line.code[: line.upto(today)]])
    at = at[np.argsort(line.row[at], kind="stable")]  # (in sheet order)
    rows, codes, days = line.row[at], line.code[at], line.day[at]
    survey = (parsed_take(f, "followups", "content", _survey, rows)
              | parsed_take(f, "followups", "method", _survey, rows)).astype(bool)
    recent = days > (today - pd.Timedelta(days=ctx.settings.survey_days)).to_datetime64()
    said = rows[recent]
    complaint = np.zeros(len(rows), dtype=bool)
    complaint[recent] = (parsed_take(f, "followups", "content", _complaint, said)
                         | parsed_take(f, "followups", "feedback", _complaint, said)).astype(bool)
    return {"last_follow_up": line.latest_day(codes, days)[line.customers],
            "last_survey": line.latest_day(codes[survey], days[survey])[line.customers],
            "last_complaint": line.latest_day(codes[complaint], days[complaint])[line.customers]}


def _survey_nps(out: pd.DataFrame, ctx: Context, today: pd.Timestamp) -> None:
    """With survey records (kernel/service.py), a customer's NPS is its latest scored survey's, over the
    Customers NPS cell (for the health score and the churn risk alike)."""
    if service.has_surveys(ctx.frames):
        nps = out["key"].map(service.survey_nps(ctx.frames, today))
        out["nps"] = nps.where(nps.notna(), out["nps"])


def _service(out: pd.DataFrame, ctx: Context, today: pd.Timestamp) -> None:
    """The service records' say on the churn signals (kernel/service.py; nothing changes without them): the
    latest survey resets the survey clock; with a complaints sheet, the complaint signal is its complaints —
    open at the end of today, or lodged within `survey_days` — instead of the complaint words of follow-ups."""
    f = ctx.frames
    if service.has_surveys(f):
        last = service.days_of(out["key"], service.last_survey_day(f, today))
        out["last_survey"] = np.fmax(out["last_survey"].to_numpy(dtype="datetime64[ns]"), last)
    if service.has_complaints(f):
        table = service.complaints(f)
        end = today + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        recent = table["complained"].dt.normalize() > today - pd.Timedelta(days=ctx.settings.survey_days)
        signal = table[(table["complained"] <= end) & (service.open_at(table, end) | recent)]
        per_key = signal.assign(day=signal["complained"].dt.normalize()).groupby("key")["day"].max()
        last = service.days_of(out["key"], per_key)
        out["last_complaint"] = np.where(out["won"].to_numpy(), last, np.datetime64("NaT", "ns"))
        still = set(signal.loc[service.open_at(signal, end), "key"])
        out["complaint_open"] = out["won"] & out["key"].isin(still)  # (the reason says so)


def _ints(values: pd.Series) -> np.ndarray:
    """int(v) of each float (a Python int), None for NaN."""
    floats = values.to_numpy(dtype=float)
    ok = ~np.isnan(floats)
    out = np.full(len(floats), None, dtype=object)
    out[ok] = floats[ok].astype(np.int64).tolist()
    return out


__all__ = ["score", "quintile_scores"]
