"""Thanking referrers (the lifecycle strategy: reward the customers who refer): when a customer whose
推荐人 / Referred by cell names another customer signs, the referrer's owner gets a Today item, 感谢推荐.

Rules (Settings: `thank_you_days` 1, `referral_thanks_days` 30):

* Signing = the referred customer's first conversion dated on or before today (a won status without a
  conversion row has no signing day: validation reports `won_without_conversion`).
* The item sits on the referrer's Customers row — its owner's block, its link — whatever the referrer's
  status; a referrer that names no customer, or the customer itself, gets none (validation warns).
* Due `thank_you_days` after the signing (working days when Settings says so); days late count from then.
* Closed by a follow-up with the referrer dated on or after the signing day whose content or method says
  thanks (感谢 / 致谢 / 谢谢 / thank — the after-sale thank-you words); else it leaves Today
  `referral_thanks_days` days after the signing (an old signing does not flood Today when the column is
  first filled in).
* One item per referred customer that signed: a referrer of two gets two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...model.format import date_text
from ..context import Context
from ..kernel.referrals import first_conversions, has_referrals, referrals
from ..kernel.timeline import timeline
from ..kernel.vectors import NS
from .churntasks import TASK_COLUMNS
from .rules import _marks, add_days, days_late
from .words import words


def thank_referrers(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The referrers to thank today (TASK_COLUMNS, code 'thanks'; index: the referrer's Customers row)."""
    empty = pd.DataFrame(columns=TASK_COLUMNS, index=st.index[:0])
    f, s = ctx.frames, ctx.settings
    if not has_referrals(f):
        return empty
    refs = referrals(f)
    refs = refs[refs["by"] >= 0]
    day = pd.Timestamp(ctx.today)
    signed = first_conversions(f, ctx.today).reindex(refs.index)
    fresh = signed.notna() & (signed >= day - pd.Timedelta(days=s.referral_thanks_days))
    refs, signed = refs[fresh.to_numpy()], signed[fresh.to_numpy()]
    if refs.empty:
        return empty
    by = refs["by"].to_numpy()
    thanked = _last_thanks(ctx, by)
    keep = ~(thanked >= signed.to_numpy(dtype=NS))
    refs, signed, by = refs[keep], signed[keep], by[keep]
    if refs.empty:
        return empty
    w = words(ctx.lang)
    names = st["customer"].reindex(refs.index).to_numpy(dtype=object)
    text = [w["thanks_item"].format(customer=n, date=date_text(d.date()))
            for n, d in zip(names, signed, strict=True)]
    index = st.index[by]
    due = pd.Series(add_days(signed, s.thank_you_days, s.working_days).to_numpy(dtype=NS), index=index, dtype=NS)
    return pd.DataFrame({"code": "thanks", "text": pd.Series(text, index=index, dtype=object), "next_due": due,
                         "overdue_days": days_late(due, day, s.working_days)}, index=index, columns=TASK_COLUMNS)


def _last_thanks(ctx: Context, by: np.ndarray) -> np.ndarray:
    """For each referral (its referrer's Customers position `by`), the referrer's latest thank-you
    follow-up up to today (NaT: none); one on or after the signing day closes the item."""
    line = timeline(ctx.frames)
    n = line.upto(pd.Timestamp(ctx.today))
    thanks = _marks(ctx.frames)["thank_you"].to_numpy()[line.row[:n]]
    return line.latest_day(line.code[:n][thanks], line.day[:n][thanks])[line.customers[by]]
