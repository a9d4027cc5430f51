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
from ..kernel.vectors import NS, days_of
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
    risk_text (the churn_risk cell), next_step (text). When not `full`, only the won accounts' rows and only
    the risk and what it is computed from (no tier, r, f, m, health, signals or texts): what the churn
    counts and the churn tasks need.
    """
    return _score(ctx, full)[0]


def risk_parts(ctx: Context) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`score(ctx, full=False)` for the won accounts' rows only, and what its risk is made of (churn._risk's
    parts: the texts of chosen rows are made later with `churn._risk_texts`)."""
    return _score(ctx, False)


def _score(ctx: Context, full: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    s, lang = ctx.settings, ctx.lang
    today = pd.Timestamp(ctx.today)
    cust = ctx.frames.data("customers")
    key = parsed(ctx.frames, "customers", "customer", "key")
    won_rows = (parsed(ctx.frames, "customers", "status", "status").eq("won") & key.ne("")).to_numpy()
    rows = slice(None) if full else won_rows  # (the risk of the won accounts is all the churn tasks need)
    keys = key[rows]
    cols: dict[str, Any] = {"key": keys, "customer": cust["customer"][rows], "owner": cust["owner"][rows],
                            "won": won_rows[rows]}
    if full:
        cols["tier"] = tiers_on(ctx.frames, keys, ctx.today)
    conv = _conversions(ctx, today).reindex(keys.to_numpy())  # (one lookup per row: NaN / NaT when none)
    conv.index = keys.index
    cols.update(last_conversion=conv["last_conversion"],
                frequency=conv["frequency"].fillna(0), monetary=conv["monetary"].fillna(0.0),
                previous=conv["previous"].fillna(0.0), recency_days=(today - conv["last_conversion"]).dt.days)
    nps = pd.to_numeric(parsed(ctx.frames, "customers", "nps", "int")[rows], errors="coerce")
    cols["nps"] = nps.where(nps.between(-100, 100))
    out = pd.DataFrame(cols)  # (built at once: cheaper than column by column)
    _survey_nps(out, ctx, today)
    if full:
        out = _rfm(out, s)
    for col, days in _followups(ctx, today, won_rows).items():
        out[col] = days[rows]
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
    """Per customer key: the last conversion, conversions and amount in the window and the one before
    (each key's figures gathered with numpy over the key numbers; keys in order of first appearance)."""
    months = ctx.settings.value_window_months
    start = (today - pd.DateOffset(months=months)).to_datetime64()
    before = (today - pd.DateOffset(months=2 * months)).to_datetime64()
    f = ctx.frames
    key = parsed(f, "conversions", "customer", "key").to_numpy(dtype=object)
    date = parsed(f, "conversions", "date", "day").to_numpy(dtype="datetime64[ns]")
    amount = pd.to_numeric(parsed(f, "conversions", "amount", "amount"), errors="coerce").to_numpy(dtype=float)
    ok = (key != "") & ~np.isnat(date) & (date <= today.to_datetime64())
    codes, keys = pd.factorize(key[ok])
    date, amount, n = date[ok].view(np.int64), np.where(amount[ok] > 0, amount[ok], 0.0), len(keys)
    in_win = date > start.astype("datetime64[ns]").view(np.int64)
    in_prev = (date > before.astype("datetime64[ns]").view(np.int64)) & ~in_win
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, codes, date)
    return pd.DataFrame({"last_conversion": last.view("datetime64[ns]"),
                         "frequency": np.bincount(codes[in_win], minlength=n).astype(np.int64),
                         "monetary": np.bincount(codes, np.where(in_win, amount, 0.0), minlength=n),
                         "previous": np.bincount(codes, np.where(in_prev, amount, 0.0), minlength=n)},
                        index=pd.Index(keys, dtype=object, name="key"))


def _followups(ctx: Context, today: pd.Timestamp, won: np.ndarray) -> dict[str, np.ndarray]:
    """Per Customers row whose customer key is that of a won account (`won`: the won rows): last
    follow-up, last survey follow-up, last complaint within survey_days (datetime64, NaT: none; the
    complaint words of follow-ups are read only without a complaints sheet)."""
    f = ctx.frames
    line = timeline(f)
    mine = np.zeros(line.size, dtype=bool)
    mine[line.customers[won]] = True
    at = np.flatnonzero(mine[line.code[: line.upto(today)]])
    at = at[np.argsort(line.row[at], kind="stable")]  # (in sheet order)
    rows, codes, days = line.row[at], line.code[at], line.day[at]
    survey = (parsed_take(f, "followups", "content", _survey, rows)
              | parsed_take(f, "followups", "method", _survey, rows)).astype(bool)
    complaint = np.zeros(len(rows), dtype=bool)
    if not service.has_complaints(f):  # (with a complaints sheet, `_service` reads the complaints instead)
        recent = days > (today - pd.Timedelta(days=ctx.settings.survey_days)).to_datetime64()
        said = rows[recent]
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
        last = days_of(out["key"], service.last_survey_day(f, today)).to_numpy(dtype=NS)
        out["last_survey"] = np.fmax(out["last_survey"].to_numpy(dtype="datetime64[ns]"), last)
    if service.has_complaints(f):
        table = service.complaints(f)
        end = today + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        recent = table["complained"].dt.normalize() > today - pd.Timedelta(days=ctx.settings.survey_days)
        signal = table[(table["complained"] <= end) & (service.open_at(table, end) | recent)]
        per_key = signal.assign(day=signal["complained"].dt.normalize()).groupby("key")["day"].max()
        last = days_of(out["key"], per_key).to_numpy(dtype=NS)
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
